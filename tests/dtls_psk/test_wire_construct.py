"""An independent reading of our wire format with ``construct`` (RFC 6347 §4.1, §4.2.2,
§4.2.1; RFC 5246 §7.4.1.2): what we send parses the way the RFCs lay it out."""

from construct import (
    Bytes,
    BytesInteger,
    Const,
    GreedyRange,
    Int8ub,
    Int16ub,
    Int24ub,
    Prefixed,
    PrefixedArray,
    Struct,
    this,
)

from tests.dtls_psk.pair import Link, make_pair

Record = Struct(
    "type" / Int8ub,
    "version" / Int16ub,
    "epoch" / Int16ub,
    "seq" / BytesInteger(6),
    "fragment" / Prefixed(Int16ub, GreedyRange(Int8ub)),
)
HandshakeFragment = Struct(
    "msg_type" / Int8ub,
    "length" / Int24ub,
    "message_seq" / Int16ub,
    "fragment_offset" / Int24ub,
    "fragment_length" / Int24ub,
    "body" / Bytes(this.fragment_length),
)
Extension = Struct("type" / Int16ub, "data" / Prefixed(Int16ub, GreedyRange(Int8ub)))
ClientHelloBody = Struct(
    "version" / Const(b"\xfe\xfd"),
    "random" / Bytes(32),
    "session_id" / Prefixed(Int8ub, GreedyRange(Int8ub)),
    "cookie" / Prefixed(Int8ub, GreedyRange(Int8ub)),
    "cipher_suites" / Prefixed(Int16ub, GreedyRange(Int16ub)),
    "compression" / PrefixedArray(Int8ub, Int8ub),
    "extensions" / Prefixed(Int16ub, GreedyRange(Extension)),
)


def test_our_client_hello_reads_the_same_with_construct() -> None:
    client, server = make_pair({"cid": b"", "record_size_limit": 512})
    link = Link(client, server)
    link.handshake()
    records = GreedyRange(Record).parse(link.to_server[1][1])  # the ClientHello with cookie
    assert len(records) == 1 and records[0].type == 22 and records[0].epoch == 0
    frag = HandshakeFragment.parse(bytes(records[0].fragment))
    assert frag.msg_type == 1 and frag.fragment_offset == 0 and frag.length == frag.fragment_length
    hello = ClientHelloBody.parse(frag.body)
    assert list(hello.cipher_suites) == [0xC0A8, 0xC0A4, 0x00AE]
    assert list(hello.compression) == [0] and len(hello.cookie) == 16
    ext = {e.type: bytes(e.data) for e in hello.extensions}
    assert ext == {23: b"", 54: b"\x00", 28: (512).to_bytes(2, "big"), 0xFF01: b"\x00"}


def test_every_datagram_of_a_handshake_is_a_sequence_of_records() -> None:
    client, server = make_pair()
    link = Link(client, server)
    link.handshake()
    client.send(b"x" * 100)
    link.pump()
    for _, datagram in link.to_server + link.to_client:
        records = GreedyRange(Record).parse(datagram)
        assert sum(5 + 8 + len(r.fragment) for r in records) == len(datagram)
        for r in records:
            assert r.version in (0xFEFD, 0xFEFF)
            if r.type == 22 and r.epoch == 0:
                # One or more handshake fragments filling the record (RFC 6347 §4.2.3).
                frags = GreedyRange(HandshakeFragment).parse(bytes(r.fragment))
                assert frags and sum(12 + len(f.body) for f in frags) == len(r.fragment)
                assert all(f.fragment_length == len(f.body) for f in frags)
