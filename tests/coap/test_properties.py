"""Properties of the codec over generated messages and arbitrary bytes (pytest-only)."""

from hypothesis import example, given, settings
from hypothesis import strategies as st

from coap.message import Message, MessageFormatError, decode
from tests.coap.strategies import messages


@settings(max_examples=400)
@given(messages())
def test_decode_inverts_encode(message: Message) -> None:
    data = message.encode()
    assert decode(data) == message
    assert decode(data).encode() == data


@settings(max_examples=500)
@given(st.binary(max_size=64))
@example(b"\x40\x01\x00\x00\xd0")
@example(b"\x4f\x01\x00\x00")
def test_arbitrary_bytes_raise_only_message_format_error(data: bytes) -> None:
    try:
        message = decode(data)
    except MessageFormatError as exc:
        assert str(exc)
    else:
        # what parses is canonical enough to re-encode to the same bytes
        assert message.encode() == data


@settings(max_examples=300)
@given(messages(), st.data())
def test_mutated_datagrams_raise_only_message_format_error(
    message: Message, data: st.DataObject
) -> None:
    raw = bytearray(message.encode())
    index = data.draw(st.integers(min_value=0, max_value=len(raw) - 1))
    raw[index] = data.draw(st.integers(min_value=0, max_value=255))
    cut = data.draw(st.integers(min_value=0, max_value=len(raw)))
    try:
        decode(bytes(raw[:cut]))
    except MessageFormatError:
        pass
