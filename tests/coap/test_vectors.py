"""Every vector of coap_vectors.json against the codec (also under MicroPython)."""

from coap import codes, options, types
from coap.message import Message, MessageFormatError, decode
from tests.support import load_vectors, raises

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

VECTORS = load_vectors("coap_vectors.json")["vectors"]
KINDS = (
    "message",
    "fragment_after_header",
    "uint_option_values",
    "extended_field_values",
    "block_values",
    "szx_sizes",
)


def _of_kind(kind: str) -> "list[Any]":
    found = [v for v in VECTORS if v["kind"] == kind]
    assert found, kind
    return found


def _expected_value(item: "Any") -> bytes:
    """The raw bytes an expected option entry stands for, read by its recorded format."""
    if "value_hex" in item:
        return bytes.fromhex(item["value_hex"])
    fmt = item["format"]
    if fmt == "uint":
        return options.encode_uint(item["value"])
    if fmt == "string":
        return bytes(item["value"].encode())
    return bytes.fromhex(item["value"])


def _check_decoded(vid: str, message: Message, want: "Any") -> None:
    assert types.NAMES[message.type] == want["type"], vid
    assert codes.code_text(message.code) == want["code"], vid
    assert message.mid == want["mid"], vid
    assert message.token == bytes.fromhex(want["token"]), vid
    assert message.payload == bytes.fromhex(want["payload_hex"]), vid
    assert len(message.options) == len(want["options"]), vid
    for i in range(len(message.options)):
        number, value = message.options[i]
        item = want["options"][i]
        assert number == item["number"], (vid, number)
        if "name" in item:
            assert options.option_name(number) == item["name"], (vid, number)
        if "format" in item:
            assert options.FORMAT_NAMES[options.option_format(number)] == item["format"], vid
        if item.get("format") == "uint":
            # non-minimal uints are accepted on decode (RFC 7252 §3.2): compare numbers
            assert options.decode_uint(value) == item["value"], (vid, number)
        else:
            assert value == _expected_value(item), (vid, number)


def _build(want: "Any") -> Message:
    """A message built from the recorded fields alone, not from the bytes."""
    message = Message(
        types.BY_NAME[want["type"]],
        codes.parse_code(want["code"]),
        want["mid"],
        bytes.fromhex(want["token"]),
        payload=bytes.fromhex(want["payload_hex"]),
    )
    for item in want["options"]:
        message.add_option(item["number"], _expected_value(item))
    return message


def test_every_kind_is_covered() -> None:
    for vector in VECTORS:
        assert vector["kind"] in KINDS, vector["id"]
        assert vector["expect"] in ("ok", "error", "bad_option"), vector["id"]


def test_messages_decode_to_the_recorded_fields() -> None:
    for vector in _of_kind("message"):
        if vector["expect"] == "error":
            continue
        message = decode(bytes.fromhex(vector["hex"]))
        if "decoded" in vector:
            _check_decoded(vector["id"], message, vector["decoded"])
        unknown = message.unrecognized_critical()
        assert bool(unknown) == (vector["expect"] == "bad_option"), (vector["id"], unknown)


def test_minimal_messages_encode_byte_exact() -> None:
    count = 0
    for vector in _of_kind("message"):
        if vector.get("direction") != "both":
            continue
        data = bytes.fromhex(vector["hex"])
        assert decode(data).encode() == data, vector["id"]
        assert _build(vector["decoded"]).encode() == data, vector["id"]
        count += 1
    assert count >= 20


def test_every_message_round_trips_through_decode() -> None:
    # Non-minimal inputs (leading zero uint bytes) are kept raw, so even they re-encode.
    for vector in _of_kind("message"):
        if vector["expect"] != "error":
            data = bytes.fromhex(vector["hex"])
            assert decode(data).encode() == data, vector["id"]


def test_malformed_messages_are_rejected_with_a_reason() -> None:
    count = 0
    for vector in _of_kind("message"):
        if vector["expect"] == "error":
            exc = raises(MessageFormatError, decode, bytes.fromhex(vector["hex"]))
            assert str(exc), vector["id"]
            count += 1
    assert count >= 15


def test_fragments_after_the_header() -> None:
    for vector in _of_kind("fragment_after_header"):
        token = bytes.fromhex(vector["token_hex"])
        fragment = bytes.fromhex(vector["hex"])
        header = bytes((0x40 | len(token), codes.GET, 0x12, 0x34))
        message = decode(header + fragment)
        assert message.token == token, vector["id"]
        assert message.encode() == header + fragment, vector["id"]
        numbers = [n for n, _ in message.options]
        assert numbers == sorted(numbers), vector["id"]


def test_libcoap_fragment_option_numbers() -> None:
    # The option numbers libcoap's t_encode_pdu16/17/19 put in (see the vectors' notes).
    by_id = {v["id"]: v for v in VECTORS}
    for vid, want in [
        ("coap-fragment-encode_pdu16-data1", [7, 10, 300]),
        ("coap-fragment-encode_pdu16-data4", [7, 10, 300]),
        ("coap-fragment-encode_pdu17-data3", [7, 10, 300]),
        ("coap-fragment-encode_pdu19-data1", [7, 21, 25, 300]),
    ]:
        vector = by_id[vid]
        token = bytes.fromhex(vector["token_hex"])
        header = bytes((0x40 | len(token), codes.GET, 0, 0))
        message = decode(header + bytes.fromhex(vector["hex"]))
        assert [n for n, _ in message.options] == want, vid
    fragment = bytes.fromhex(by_id["coap-fragment-encode_pdu16-data4"]["hex"])
    data4 = decode(bytes((0x40, 1, 0, 0)) + fragment)
    assert data4.get_option(300) == bytes.fromhex("06543210")
    assert data4.uri_port == 0x32


def test_uint_option_values() -> None:
    for vector in _of_kind("uint_option_values"):
        for item in vector["values"]:
            raw = bytes.fromhex(item["hex"])
            assert options.encode_uint(item["int"]) == raw, item
            assert options.decode_uint(raw) == item["int"], item
            message = Message(types.CON, codes.GET, 1)
            message.content_format = item["int"]
            assert message.get_option(options.CONTENT_FORMAT) == raw
            assert decode(message.encode()).content_format == item["int"]


def test_extended_field_values() -> None:
    for vector in _of_kind("extended_field_values"):
        for item in vector["values"]:
            nibble = item["nibble"]
            rest = bytes.fromhex(item["rest_hex"])
            value = item["value"]
            header = bytes((0x40, codes.GET, 0, 1))
            # as an option delta: one empty option numbered ``value``
            message = decode(header + bytes((nibble << 4,)) + rest)
            assert message.options == [(value, b"")], item
            assert message.encode() == header + bytes((nibble << 4,)) + rest
            # as an option length: option 4 (ETag) with ``value`` bytes
            body = bytes(value)
            message = decode(header + bytes((0x40 | nibble,)) + rest + body)
            assert message.options == [(4, body)], item
            assert message.encode() == header + bytes((0x40 | nibble,)) + rest + body


def test_block_values() -> None:
    for vector in _of_kind("block_values"):
        for item in vector["values"]:
            raw = bytes.fromhex(item["hex"])
            assert options.encode_block(item["num"], item["m"], item["szx"]) == raw, item
            assert options.decode_block(raw) == (item["num"], item["m"], item["szx"]), item
            message = Message(types.CON, codes.GET, 1, b"\x01")
            message.block2 = (item["num"], item["m"], item["szx"])
            assert decode(message.encode()).block2 == (item["num"], item["m"], item["szx"])


def test_szx_sizes() -> None:
    for vector in _of_kind("szx_sizes"):
        for item in vector["values"]:
            assert options.block_size(item["szx"]) == item["size"]
            assert options.size_to_szx(item["size"]) == item["szx"]
