"""CoAP codec: decode and encode of four typical LwM2M datagrams, against aiocoap's
``Message.decode`` / ``Message.encode`` on the same bytes."""

import struct
from collections.abc import Callable

import aiocoap

from benchmarks.runner import Case
from coap import codes, formats, types
from coap.message import Message, decode


def _register() -> Message:
    m = Message(types.CON, codes.POST, 0xBEEF, bytes.fromhex("a1b2c3d4e5f60718"))
    m.uri_path = ["rd"]
    m.content_format = formats.LINK_FORMAT
    m.uri_query = ["ep=urn:imei:864475040000001", "lt=86400", "lwm2m=1.1", "b=UQ"]
    m.payload = (
        b'</>;rt="oma.lwm2m";ct=11543,</1/0>,</3/0>,</4/0>,</5/0>,</6/0>,</19/0>,'
        b"</19/1>,</3303/0>,</3303/1>"
    )
    return m


def _get() -> Message:
    m = Message(types.CON, codes.GET, 0x1234, bytes.fromhex("0a0b0c0d"))
    m.uri_path = "3/0"
    m.accept = formats.LWM2M_TLV
    return m


def _content() -> Message:
    m = Message(types.ACK, codes.CONTENT, 0x1234, bytes.fromhex("0a0b0c0d"))
    m.content_format = formats.LWM2M_TLV
    m.payload = bytes(range(200)) * 2  # 400 bytes standing for a TLV body
    return m


def _notification() -> Message:
    m = Message(types.NON, codes.CONTENT, 0x2001, bytes.fromhex("1234abcd5678"))
    m.observe = 70001
    m.content_format = formats.SENML_CBOR
    m.block2 = (0, True, 2)
    m.size2 = 200
    m.payload = bytes(64)
    return m


DATAGRAMS = [
    ("register request", _register().encode()),
    ("GET /3/0 with Accept", _get().encode()),
    ("2.05 with 400-byte TLV", _content().encode()),
    ("notification with Observe and Block2", _notification().encode()),
]


def _same(ours: Message, theirs: "aiocoap.Message") -> None:
    assert ours.type == int(theirs.mtype)
    assert ours.code == int(theirs.code)
    assert ours.mid == theirs.mid
    assert ours.token == theirs.token
    assert ours.payload == theirs.payload
    their_options = [(int(o.number), o.encode()) for o in theirs.opt.option_list()]
    assert ours.options == their_options, (ours.options, their_options)


def _outgoing(incoming: "aiocoap.Message") -> "aiocoap.Message":
    """aiocoap encodes only messages it built for sending: rebuild the decoded one."""
    message = aiocoap.Message(
        mtype=incoming.mtype, mid=incoming.mid, code=incoming.code, token=incoming.token,
        payload=incoming.payload,
    )
    for option in incoming.opt.option_list():
        message.opt.add_option(option)
    return message


def _encode_floor(message: Message) -> "Callable[[], bytes]":
    """The least any encoder of ``message`` must do, inline: pack the 4-byte header,
    then per option add a header byte handed over ready (no delta, no length, no
    table) and the value, then the marker and the payload. No checks, no attribute
    reads, no loop over a message object."""
    pack = struct.Struct(">BBH").pack
    first = 0x40 | message.type << 4 | len(message.token)
    code, mid, token, payload = message.code, message.mid, message.token, message.payload
    ready = []
    last = 0
    for number, value in message.options:
        head = Message(message.type, code, mid, b"", [(number - last, value)]).encode()[4:]
        ready.append((head[: len(head) - len(value)], value))
        last = number

    def floor() -> bytes:
        out = pack(first, code, mid) + token
        for head, value in ready:
            out += head + value
        if payload:
            return out + b"\xff" + payload
        return out

    return floor


def cases(quick: bool) -> list[Case]:
    result = []
    for name, data in DATAGRAMS:
        ours_msg = decode(data)
        their_msg = _outgoing(aiocoap.Message.decode(data))

        def check(data: bytes = data) -> None:
            _same(decode(data), aiocoap.Message.decode(data))

        def check_encode(ours_msg: Message = ours_msg, their_msg: "aiocoap.Message" = their_msg,
                         data: bytes = data) -> None:
            assert ours_msg.encode() == data
            assert their_msg.encode() == data

        def ours(data: bytes = data) -> Message:
            return decode(data)

        def theirs(data: bytes = data) -> "aiocoap.Message":
            return aiocoap.Message.decode(data)

        result.append(Case(
            "coap decode: " + name, ours, "aiocoap Message.decode", theirs, check=check
        ))
        result.append(Case(
            "coap encode: " + name,
            ours_msg.encode,
            "aiocoap Message.encode",
            their_msg.encode,
            check=check_encode,
        ))
        floor = _encode_floor(ours_msg)

        def check_floor(floor: "Callable[[], bytes]" = floor, data: bytes = data) -> None:
            assert floor() == data

        result.append(Case(
            "coap encode floor: " + name, floor, "aiocoap Message.encode", their_msg.encode,
            check=check_floor,
        ))
    return result
