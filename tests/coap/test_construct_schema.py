"""A second, independent reading of the CoAP wire format (RFC 7252 §3) in ``construct``,
cross-checking the hand-written codec on generated messages in both directions."""

from typing import Any

from construct import (
    Adapter,
    BitsInteger,
    BitStruct,
    Bytes,
    Const,
    Construct,
    Container,
    FocusedSeq,
    GreedyBytes,
    GreedyRange,
    Int8ub,
    Int16ub,
    Optional,
    Pass,
    Struct,
    Switch,
    Terminated,
    this,
)
from hypothesis import given, settings

from coap.message import Message, decode
from tests.coap.strategies import messages

# RFC 7252 §3.1: 4-bit delta and length; 13 adds one byte (+13), 14 two bytes (+269).
EXTENSION = {13: Int8ub, 14: Int16ub}
BASE = {13: 13, 14: 269}

RawOption = Struct(
    "head" / BitStruct("delta" / BitsInteger(4), "length" / BitsInteger(4)),
    "delta_ext" / Switch(lambda ctx: ctx.head.delta, EXTENSION, default=Pass),
    "length_ext" / Switch(lambda ctx: ctx.head.length, EXTENSION, default=Pass),
    "value" / Bytes(lambda ctx: _field(ctx.head.length, ctx.length_ext)),
)


def _field(nibble: int, ext: int | None) -> int:
    if nibble == 15:
        raise ValueError("nibble 15")
    return nibble if nibble < 13 else BASE[nibble] + (ext or 0)


def _split(value: int) -> tuple[int, int | None]:
    if value < 13:
        return value, None
    if value < 269:
        return 13, value - 13
    return 14, value - 269


class OptionAdapter(Adapter):  # type: ignore[misc]
    """Raw nibbles and extensions <-> (delta, value)."""

    def _decode(self, obj: Any, context: Any, path: Any) -> tuple[int, bytes]:
        if obj.head.delta == 15:
            raise ValueError("delta nibble 15")
        return _field(obj.head.delta, obj.delta_ext), obj.value

    def _encode(self, obj: tuple[int, bytes], context: Any, path: Any) -> Container:
        delta, value = obj
        dn, dext = _split(delta)
        ln, lext = _split(len(value))
        return Container(
            head=Container(delta=dn, length=ln), delta_ext=dext, length_ext=lext, value=value
        )


CoapMessage: Construct = Struct(
    "header"
    / BitStruct(
        "version" / Const(1, BitsInteger(2)), "type" / BitsInteger(2), "tkl" / BitsInteger(4)
    ),
    "code" / Int8ub,
    "mid" / Int16ub,
    "token" / Bytes(this.header.tkl),
    "options" / GreedyRange(OptionAdapter(RawOption)),
    "payload" / Optional(FocusedSeq("data", Const(b"\xff"), "data" / GreedyBytes)),
    Terminated,
)


def _parse(data: bytes) -> Message:
    parsed = CoapMessage.parse(data)
    number = 0
    opts = []
    for delta, value in parsed.options:
        number += delta
        opts.append((number, bytes(value)))
    payload = parsed.payload
    assert payload is None or len(payload) > 0, "payload marker needs a payload"
    return Message(
        parsed.header.type,
        parsed.code,
        parsed.mid,
        bytes(parsed.token),
        opts,
        bytes(payload or b""),
    )


def _build(message: Message) -> bytes:
    last = 0
    deltas = []
    for number, value in message.options:
        deltas.append((number - last, value))
        last = number
    data: bytes = CoapMessage.build(
        Container(
            header=Container(type=message.type, tkl=len(message.token)),
            code=message.code,
            mid=message.mid,
            token=message.token,
            options=deltas,
            payload=message.payload or None,
        )
    )
    return data


@settings(max_examples=300)
@given(messages())
def test_construct_reads_what_the_codec_writes(message: Message) -> None:
    data = message.encode()
    assert _parse(data) == message


@settings(max_examples=300)
@given(messages())
def test_the_codec_reads_what_construct_writes(message: Message) -> None:
    data = _build(message)
    assert data == message.encode()
    assert decode(data) == message


def test_schema_on_a_register_request() -> None:
    data = bytes.fromhex(
        "4502beef746f6b656eb27264112833623d55096c776d326d3d312e31066c743d333030"
        "0d0265703d64756d6d792d636c69656e74ff3c2f312f303e2c3c2f332f303e3b7665723d22312e3222"
    )
    assert _parse(data) == decode(data)
    assert _build(decode(data)) == data
