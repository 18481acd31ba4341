"""Hostile bytes (hypothesis): parsers raise only DecodeError, and receive_datagram
never raises on either side at any stage of the handshake."""

from collections.abc import Callable

from hypothesis import given, settings
from hypothesis import strategies as st

from dtls_psk import DecodeError, Session
from dtls_psk.messages import (
    ClientHello,
    HelloVerifyRequest,
    ServerHello,
    decode_finished,
    decode_psk_identity,
    pull_fragments,
)
from tests.dtls_psk.pair import CLIENT_ADDR, Link, make_pair

PARSERS = [
    ClientHello.decode,
    ClientHello.peek_cookie,
    ServerHello.decode,
    HelloVerifyRequest.decode,
    decode_psk_identity,
    decode_finished,
    pull_fragments,
    Session.from_bytes,
]


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=300), st.sampled_from(PARSERS))
def test_parsers_raise_only_decode_error(data: bytes, parser: "Callable[[bytes], object]") -> None:
    try:
        parser(data)
    except DecodeError:
        pass


@settings(max_examples=200, deadline=None)
@given(
    st.binary(min_size=32, max_size=32),
    st.binary(max_size=32),
    st.binary(max_size=255),
    st.binary(max_size=255),
)
def test_client_hello_cookie_splicing(
    random: bytes, session_id: bytes, cookie: bytes, other: bytes
) -> None:
    # What the server reads before the cookie checks out, and the client's second
    # ClientHello made from its first, agree with the full codec.
    exts = [(23, b""), (0xFF01, b"\x00")]
    body = ClientHello(random, [0xC0A8, 0x00AE], session_id, cookie, exts).encode()
    head = 35 + len(session_id)  # version, random, session_id with its length byte
    without = body[:head] + body[head + 1 + len(cookie) :]
    assert ClientHello.peek_cookie(body) == (random, cookie, without)
    again = ClientHello(random, [0xC0A8, 0x00AE], session_id, other, exts).encode()
    assert ClientHello.with_cookie(body, other) == again
    assert ClientHello.decode(again).cookie == other


def _recorded_run() -> "tuple[list[bytes], list[bytes]]":
    client, server = make_pair()
    link = Link(client, server)
    link.handshake()
    client.send(b"data")
    link.pump()
    return [d for _, d in link.to_server], [d for _, d in link.to_client]


UP, DOWN = _recorded_run()


def _mutate(datagram: bytes, pos: int, value: int, cut: int) -> bytes:
    if not datagram:
        return datagram
    data = bytearray(datagram)
    data[pos % len(data)] = value
    return bytes(data[: max(1, len(data) - cut)])


@settings(max_examples=300, deadline=None)
@given(
    st.integers(0, 5),
    st.integers(0, 10_000),
    st.integers(0, 255),
    st.integers(0, 40),
    st.binary(max_size=64),
)
def test_mutated_datagrams_never_raise(
    stage: int, pos: int, value: int, cut: int, junk: bytes
) -> None:
    client, server = make_pair()
    link = Link(client, server)
    client.connect(0)
    # Play the real exchange up to ``stage`` flights, then inject hostile datagrams.
    for _ in range(stage):
        link.pump()
    for original in UP:
        server.receive_datagram(_mutate(original, pos, value, cut), CLIENT_ADDR, 0)
        server.receive_datagram(original[:13] + junk, CLIENT_ADDR, 0)
    for original in DOWN:
        client.receive_datagram(_mutate(original, pos, value, cut), 0)
        client.receive_datagram(original[:13] + junk, 0)
    client.receive_datagram(junk, 0)
    server.receive_datagram(junk, CLIENT_ADDR, 0)
    link.run(limit_ms=5000)
