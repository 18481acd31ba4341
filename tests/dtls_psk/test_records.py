"""The record layer: parsing, the connection's replay window at its edges, and records
that must be dropped (replayed, tampered, truncated, wrong epoch). CPython and
MicroPython."""

from dtls_psk.records import (
    APPLICATION_DATA,
    TLS12_CID,
    AeadProtection,
    CbcProtection,
    parse_records,
    plaintext_record,
)
from tests.dtls_psk.backends import all_backends
from tests.dtls_psk.pair import CLIENT_ADDR, Link, connected


def test_parse_stops_at_a_broken_record() -> None:
    good = plaintext_record(22, b"\xfe\xfd", 0, 5, b"abc")
    recs = parse_records(good + good[:-1], 0)
    assert len(recs) == 1 and recs[0].seq == 5 and recs[0].fragment == b"abc"
    assert parse_records(b"\x16\x03\x03" + good[3:], 0) == []  # a TLS version: not DTLS
    assert parse_records(good[:12], 0) == []
    # A tls12_cid record needs the CID length we issued.
    cid_rec = bytes((TLS12_CID,)) + good[1:11] + b"CIDX" + good[11:]
    assert parse_records(cid_rec, 0) == []
    (rec,) = parse_records(cid_rec, 4)
    assert rec.cid == b"CIDX" and rec.fragment == b"abc"


def test_protection_round_trip_and_tamper() -> None:
    for backend in all_backends():
        for prot in (
            AeadProtection(backend, b"k" * 16, b"ivIV", 8),
            AeadProtection(backend, b"k" * 16, b"ivIV", 16),
            CbcProtection(backend, b"m" * 32, b"k" * 16, lambda n: b"\x42" * n),
        ):
            for cid in (None, b"\x01\x02\x03"):
                for size in (0, 1, 15, 16, 17, 100):
                    payload = bytes(range(size))
                    wire = prot.seal(APPLICATION_DATA, 1, 77, payload, cid)
                    (rec,) = parse_records(wire, len(cid) if cid else 0)
                    assert prot.open(rec) == (APPLICATION_DATA, payload)
                    for i in range(13, len(wire)):
                        bad = bytearray(wire)
                        bad[i] ^= 0x10
                        recs = parse_records(bytes(bad), len(cid) if cid else 0)
                        assert not recs or prot.open(recs[0]) is None, (backend.name, i)
                    # Header fields are authenticated: a changed sequence number fails.
                    rec.seq += 1
                    assert prot.open(rec) is None
                    rec.seq -= 1
                    rec.fragment = rec.fragment[:-1]
                    assert prot.open(rec) is None


def _last_record_to_server(link: Link) -> bytes:
    return link.to_server[-1][1]


def test_replayed_tampered_truncated_and_wrong_epoch_records_are_dropped() -> None:
    link = connected()
    link.client.send(b"once")
    link.pump()
    wire = _last_record_to_server(link)
    assert [e.data for e in link.server_events if hasattr(e, "data")] == [b"once"]
    server = link.server
    server.receive_datagram(wire, CLIENT_ADDR, link.now_ms)  # replay
    tampered = bytearray(wire)
    tampered[-3] ^= 1
    server.receive_datagram(bytes(tampered), CLIENT_ADDR, link.now_ms)
    server.receive_datagram(wire[:-1], CLIENT_ADDR, link.now_ms)  # truncated
    # The same bytes claiming epoch 2 (no such epoch) or epoch 0 (plaintext).
    for epoch in (b"\x00\x02", b"\x00\x00"):
        server.receive_datagram(wire[:3] + epoch + wire[5:], CLIENT_ADDR, link.now_ms)
    link.drain_events()
    assert [e.data for e in link.server_events if hasattr(e, "data")] == [b"once"]
    assert not list(server.datagrams_to_send())  # silent: no alert for any of them
    # Plaintext application data in epoch 0 is never delivered either.
    server.receive_datagram(
        plaintext_record(APPLICATION_DATA, b"\xfe\xfd", 0, 99, b"x"), CLIENT_ADDR, 0
    )
    link.drain_events()
    assert [e.data for e in link.server_events if hasattr(e, "data")] == [b"once"]
    # The connection still works.
    link.client.send(b"twice")
    link.pump()
    assert [e.data for e in link.server_events if hasattr(e, "data")] == [b"once", b"twice"]


def test_reordered_records_inside_the_window_are_accepted() -> None:
    link = connected()
    for i in range(5):
        link.client.send(b"%d" % i)
    datagrams = list(link.client.datagrams_to_send())
    for d in reversed(datagrams):
        link.server.receive_datagram(d, CLIENT_ADDR, 0)
    link.drain_events()
    assert [e.data for e in link.server_events if hasattr(e, "data")] == [
        b"4",
        b"3",
        b"2",
        b"1",
        b"0",
    ]


def test_connection_replay_window_edges() -> None:
    # The window check the connection runs per record (RFC 6347 §4.1.2.6): 63 behind
    # the newest is accepted, 64 behind is too old, a repeat is refused, and a jump of
    # a whole window leaves nothing marked behind the new newest.
    link = connected()
    for i in range(170):
        link.client.send(b"%d" % i)
    datagrams = list(link.client.datagrams_to_send())
    for i in (0, 100, 37, 36, 37, 99, 101, 37, 38, 100, 165, 101, 102, 165):
        link.server.receive_datagram(datagrams[i], CLIENT_ADDR, 0)
    link.drain_events()
    got = [int(e.data) for e in link.server_events if hasattr(e, "data")]
    assert got == [0, 100, 37, 99, 101, 38, 165, 102]
