"""Client and server in one process: handshakes, data, alerts, resumption, CID,
fragmentation, retransmission. Runs on CPython and MicroPython."""

from dtls_psk import (
    PSK_AES128_CBC_SHA256,
    PSK_AES128_CCM,
    PSK_AES128_CCM8,
    DtlsClient,
    Session,
    UsageError,
)
from dtls_psk.alerts import BAD_RECORD_MAC, CLOSE_NOTIFY, NO_RENEGOTIATION
from tests.dtls_psk.pair import CLIENT_ADDR, KEY, Link, SeededRng, connected, make_pair
from tests.support import raises


def _exchange(link: Link) -> None:
    link.client.send(b"ping")
    link.pump()
    link.server.send(CLIENT_ADDR, b"pong")
    link.pump()
    assert link.first("server", "ApplicationData").data == b"ping"
    assert link.first("client", "ApplicationData").data == b"pong"


def test_full_handshake_every_suite_and_data_both_ways() -> None:
    for suite in (PSK_AES128_CCM8, PSK_AES128_CCM, PSK_AES128_CBC_SHA256):
        link = connected({"cipher_suites": [suite]})
        done_c = link.first("client", "HandshakeCompleted")
        done_s = link.first("server", "HandshakeCompleted")
        assert done_c.cipher_suite == done_s.cipher_suite == suite
        assert done_s.identity == b"ep1" and done_s.addr == CLIENT_ADDR
        assert done_c.extended_master_secret and done_s.extended_master_secret
        assert not done_c.resumed
        assert link.server.peer_identity(CLIENT_ADDR) == b"ep1"
        _exchange(link)


def test_server_preference_order_and_hint() -> None:
    link = connected(
        {"cipher_suites": [PSK_AES128_CBC_SHA256, PSK_AES128_CCM8]},
        {"cipher_suites": [PSK_AES128_CCM8, PSK_AES128_CBC_SHA256], "psk_hint": b"lwm2m"},
    )
    done = link.first("client", "HandshakeCompleted")
    assert done.cipher_suite == PSK_AES128_CCM8
    assert done.psk_identity_hint == b"lwm2m"


def test_psk_callback_chooses_credentials_from_hint() -> None:
    seen = []

    def choose(hint: bytes) -> "tuple[bytes, bytes]":
        seen.append(hint)
        return b"ep1", KEY

    client = DtlsClient(b"", b"", SeededRng(3), psk_callback=choose)
    _, server = make_pair(server_opts={"psk_hint": b"h1"})
    link = Link(client, server)
    link.handshake()
    assert seen == [b"h1"] and client.is_established


def test_no_extended_master_secret_when_one_side_declines() -> None:
    link = connected({"extended_master_secret": False})
    assert not link.first("server", "HandshakeCompleted").extended_master_secret
    _exchange(link)
    client, server = make_pair(
        {"extended_master_secret": False}, {"require_extended_master_secret": True}
    )
    link = Link(client, server)
    link.handshake()
    assert link.names("server") == ["HandshakeFailed"]
    assert link.names("client") == ["AlertReceived", "HandshakeFailed"]


def test_no_suite_in_common_fails_with_handshake_failure() -> None:
    client, server = make_pair(
        {"cipher_suites": [PSK_AES128_CCM]}, {"cipher_suites": [PSK_AES128_CCM8]}
    )
    link = Link(client, server)
    link.handshake()
    assert link.first("client", "HandshakeFailed").alert == 40
    assert link.first("server", "HandshakeFailed").alert == 40


def test_wrong_key_and_unknown_identity_fail_alike() -> None:
    outcomes = []
    for identity, key in ((b"ep1", b"\x99" * 16), (b"nobody", KEY)):
        client, server = make_pair(identity=identity, key=key)
        link = Link(client, server)
        link.handshake()
        failed = link.first("server", "HandshakeFailed")
        assert failed.alert == BAD_RECORD_MAC
        assert link.first("client", "HandshakeFailed").alert == BAD_RECORD_MAC
        assert link.server.peer_identity(CLIENT_ADDR) is None
        # What the client sees (sizes of every datagram, alerts) must not depend on
        # whether the identity exists.
        outcomes.append(([len(d) for _, d in link.to_client], failed.reason, link.now_ms))
    assert outcomes[0] == outcomes[1]


def test_close_notify_both_ways() -> None:
    link = connected()
    sent_before = len(link.to_client)
    link.client.close()
    link.pump()
    assert link.names("client")[-1] == "ConnectionClosed"
    assert link.first("server", "AlertReceived").description == CLOSE_NOTIFY
    assert link.names("server")[-1] == "ConnectionClosed"
    # RFC 5246 §7.2.1: the server answered with its own close_notify (one record).
    assert len(link.to_client) == sent_before + 1
    assert link.server.peer_identity(CLIENT_ADDR) is None
    raises(UsageError, link.client.send, b"x")
    # And the other way round: the server closes, the client sees it.
    link = connected()
    link.server.close(CLIENT_ADDR)
    link.pump()
    assert link.first("client", "AlertReceived").description == CLOSE_NOTIFY
    assert link.names("client")[-1] == "ConnectionClosed"
    assert link.names("server")[-1] == "ConnectionClosed"


def test_data_sent_before_completion_is_queued() -> None:
    client, server = make_pair()
    link = Link(client, server)
    client.connect(0)
    client.send(b"early")
    link.run()
    assert link.first("server", "ApplicationData").data == b"early"


def test_resumption_after_session_export_and_import() -> None:
    link = connected()
    session = link.client.session
    assert session is not None and len(session.session_id) == 32
    saved = session.to_bytes()
    server_saved = link.server.export_session(session.session_id)
    assert server_saved is not None
    # A new client process and a restarted server, both from the exported bytes.
    client = DtlsClient(b"ep1", KEY, SeededRng(50), session=Session.from_bytes(saved))
    _, server = make_pair(seed=60)
    server.import_session(server_saved)
    link2 = Link(client, server)
    link2.handshake()
    done_c = link2.first("client", "HandshakeCompleted")
    done_s = link2.first("server", "HandshakeCompleted")
    assert done_c.resumed and done_s.resumed and done_s.identity == b"ep1"
    # Abbreviated: ClientHello, (HelloVerifyRequest), ClientHello, server flight, client flight.
    assert len(link2.to_server) == 3 and len(link2.to_client) == 2
    _exchange(link2)


def test_resumption_falls_back_to_full_handshake_when_server_forgot() -> None:
    link = connected()
    client = DtlsClient(b"ep1", KEY, SeededRng(51), session=link.client.session)
    _, server = make_pair(seed=61)
    link2 = Link(client, server)
    link2.handshake()
    assert not link2.first("client", "HandshakeCompleted").resumed


def test_session_bytes_reject_garbage() -> None:
    from dtls_psk import DecodeError

    raises(DecodeError, Session.from_bytes, b"")
    raises(DecodeError, Session.from_bytes, b"\x01\x20" + b"x" * 10)
    good = Session(b"i" * 32, b"m" * 48, PSK_AES128_CCM8, True, b"ep1").to_bytes()
    raises(DecodeError, Session.from_bytes, good + b"\x00")
    assert Session.from_bytes(good).identity == b"ep1"


def test_connection_id_survives_address_change() -> None:
    link = connected({"cid": b""}, {"cid_length": 4})
    assert link.first("client", "HandshakeCompleted").connection_id
    new_addr = ("198.51.100.9", 61000)
    link.addr = new_addr  # the NAT rebinds the client's port
    link.client.send(b"after rebinding")
    link.pump()
    moved = link.first("server", "PeerAddressChanged")
    assert moved.addr == new_addr and moved.old_addr == CLIENT_ADDR
    assert link.first("server", "ApplicationData").data == b"after rebinding"
    assert link.server.peer_identity(new_addr) == b"ep1"
    assert link.server.peer_identity(CLIENT_ADDR) is None
    assert link.server.peers() == [new_addr]
    link.server.send(new_addr, b"reply")
    link.pump()
    assert link.first("client", "ApplicationData").data == b"reply"
    assert link.names("client").count("HandshakeCompleted") == 1


def test_without_connection_id_a_new_address_is_a_new_peer() -> None:
    link = connected()
    link.addr = ("198.51.100.9", 61000)
    link.client.send(b"lost")
    link.pump()
    assert "ApplicationData" not in link.names("server")
    assert link.server.peer_identity(link.addr) is None
    assert link.server.peer_identity(CLIENT_ADDR) == b"ep1"


def test_small_mtu_fragments_handshake_messages() -> None:
    opts = {"mtu": 256, "psk_hint": b"h" * 600}
    client, server = make_pair({"mtu": 256}, opts)
    link = Link(client, server)
    link.handshake()
    assert client.is_established
    assert max(len(d) for _, d in link.to_client) <= 256
    assert link.first("client", "HandshakeCompleted").psk_identity_hint == b"h" * 600


def test_record_size_limit_negotiated() -> None:
    link = connected({"record_size_limit": 128}, {"record_size_limit": 256})
    assert link.client.max_send_size == 256
    raises(UsageError, link.server.send, CLIENT_ADDR, b"x" * 129)
    link.server.send(CLIENT_ADDR, b"x" * 128)
    link.pump()
    assert len(link.first("client", "ApplicationData").data) == 128


def test_retransmission_times_double_and_total_timeout() -> None:
    client, server = make_pair({"handshake_timeout_ms": 20000})
    link = Link(client, server, loss=1.0)  # nothing arrives
    link.handshake()
    times = [t for t, _ in link.to_server]
    # RFC 6347 §4.2.4.1: 1 s, then doubling: sent at 0, 1, 3, 7, 15 s; 31 s > 20 s timeout.
    assert times == [0, 1000, 3000, 7000, 15000], times
    assert link.names("client") == ["HandshakeFailed"]
    assert link.client_events[0].alert is None and link.now_ms == 20000


def test_retransmission_timer_capped() -> None:
    client, server = make_pair(
        {"retransmit_initial_ms": 500, "retransmit_max_ms": 2000, "handshake_timeout_ms": 9000}
    )
    link = Link(client, server, loss=1.0)
    link.handshake()
    assert [t for t, _ in link.to_server] == [0, 500, 1500, 3500, 5500, 7500]


def test_lost_final_flight_is_resent_when_the_client_repeats() -> None:
    client, server = make_pair()
    link = Link(client, server)
    dropped: "list[int]" = []

    def drop_server_finished(direction: str, d: bytes) -> "bytes | None":
        # The server's CCS+Finished datagram (the first one starting with a CCS record).
        if direction == "down" and d[0] == 20 and not dropped:
            dropped.append(link.now_ms)
            return None
        return d

    link.tap = drop_server_finished
    link.handshake()
    assert dropped == [0] and client.is_established
    # The client's timer fired at 1 s; its repeated flight made the server resend.
    assert [t for t, d in link.to_client if d[0] == 20] == [0, 1000]


def test_renegotiation_refused_with_warning() -> None:
    from dtls_psk.messages import CLIENT_HELLO, push_fragment
    from dtls_psk.records import HANDSHAKE

    link = connected()
    conn = link.server._by_addr[CLIENT_ADDR]
    client_conn = link.client._conn
    assert client_conn is not None and conn is not None
    # A ClientHello inside the protected epoch: the next message_seq the server expects.
    hello = push_fragment(CLIENT_HELLO, 0, conn.next_recv_seq, 0, b"")
    client_conn.out.append(client_conn._seal(client_conn.write_epoch, HANDSHAKE, hello))
    link.pump()
    alert = link.first("client", "AlertReceived")
    assert alert.description == NO_RENEGOTIATION and alert.level == 1
    _exchange(link)


def test_record_size_limit_is_answered_and_enforced() -> None:
    from dtls_psk.records import APPLICATION_DATA

    # A server with no limit of its own answers with the protocol maximum.
    link = connected({"record_size_limit": 128})
    assert link.client.max_send_size == 16384
    raises(UsageError, link.server.send, CLIENT_ADDR, b"y" * 129)
    # Negotiated: a record over our limit is dropped even if the peer sends it.
    link = connected({"record_size_limit": 128}, {"record_size_limit": 256})
    conn = link.server._by_addr[CLIENT_ADDR]
    link.client.receive_datagram(conn._seal(conn.write_epoch, APPLICATION_DATA, b"z" * 129), 0)
    link.client.receive_datagram(conn._seal(conn.write_epoch, APPLICATION_DATA, b"z" * 128), 0)
    link.drain_events()
    assert [len(e.data) for e in link.client_events if hasattr(e, "data")] == [128]


def test_connection_ids_both_ways_with_fragmented_flights() -> None:
    from dtls_psk.records import TLS12_CID, parse_records

    # The client asks for a CID of its own too; every record travels in a datagram of
    # its own, so the client's Finished (the first record carrying the server's CID)
    # arrives alone and must find its connection by CID.
    client, server = make_pair({"cid": b"\xc1\xd2"}, {"cid_length": 4})
    link = Link(client, server)

    def one_record_per_datagram(direction: str, datagram: bytes) -> "bytes | None":
        if direction == "down":
            return datagram
        start = 0
        for rec in parse_records(datagram, 4):
            size = 13 + (4 if rec.cid is not None else 0) + len(rec.fragment)
            server.receive_datagram(datagram[start : start + size], CLIENT_ADDR, link.now_ms)
            start += size
        return None

    link.tap = one_record_per_datagram
    link.handshake()
    link.tap = None
    assert client.is_established and link.first("server", "HandshakeCompleted").connection_id
    link.client.send(b"up")
    link.server.send(CLIENT_ADDR, b"down")
    link.pump()
    up = parse_records(link.to_server[-1][1], 4)
    down = parse_records(link.to_client[-1][1], 2)
    assert up[0].content_type == TLS12_CID and len(up[0].cid or b"") == 4
    assert down[0].content_type == TLS12_CID and down[0].cid == b"\xc1\xd2"
    assert link.first("server", "ApplicationData").data == b"up"
    assert link.first("client", "ApplicationData").data == b"down"


def test_hello_request_refused_by_the_client() -> None:
    from dtls_psk.messages import HELLO_REQUEST, push_fragment
    from dtls_psk.records import HANDSHAKE

    link = connected()
    conn = link.server._by_addr[CLIENT_ADDR]
    client_conn = link.client._conn
    assert client_conn is not None
    request = push_fragment(HELLO_REQUEST, 0, client_conn.next_recv_seq, 0, b"")
    link.client.receive_datagram(conn._seal(conn.write_epoch, HANDSHAKE, request), 0)
    link.pump()
    alert = link.first("server", "AlertReceived")
    assert (alert.level, alert.description) == (1, NO_RENEGOTIATION)
    _exchange(link)


def test_fatal_alerts_map_to_events() -> None:
    from dtls_psk.records import ALERT

    link = connected()
    conn = link.server._by_addr[CLIENT_ADDR]
    link.client.receive_datagram(conn._seal(conn.write_epoch, ALERT, b"\x02\x50"), 0)
    link.drain_events()
    assert link.names("client")[-2:] == ["AlertReceived", "ConnectionClosed"]
    assert link.client_events[-1].reason == "peer sent fatal alert internal_error"
    raises(UsageError, link.client.send, b"x")
    # Once protected, a plaintext (epoch 0) alert is not believed.
    link = connected()
    conn = link.server._by_addr[CLIENT_ADDR]
    link.client.receive_datagram(conn._seal(0, ALERT, b"\x02\x28"), 0)
    link.drain_events()
    assert link.names("client") == ["HandshakeCompleted"]
    _exchange(link)


def test_local_misuse_raises() -> None:
    from dtls_psk import DtlsServer

    client, server = make_pair()
    raises(UsageError, client.send, b"x")  # before connect()
    client.connect(0)
    raises(UsageError, client.connect, 0)
    raises(UsageError, server.send, CLIENT_ADDR, b"x")  # no such peer
    raises(UsageError, DtlsClient, b"id", b"", SeededRng(1))  # no key at all
    for options in ({"cipher_suites": [0x1301]}, {"mtu": 100}, {"record_size_limit": 10}):
        raises(UsageError, lambda o=options: DtlsClient(b"id", KEY, SeededRng(1), **o))
    no_keys: "dict[bytes, bytes]" = {}
    raises(UsageError, lambda: DtlsServer(no_keys.get, SeededRng(1), cid=b"x"))
    link = connected()
    raises(UsageError, link.client.send, b"x" * 16385)


def test_abbreviated_handshake_recovers_a_lost_client_finished() -> None:
    link = connected()
    session = link.client.session
    client = DtlsClient(b"ep1", KEY, SeededRng(52), session=session)
    link2 = Link(client, link.server)
    dropped: "list[int]" = []

    def drop_client_finished(direction: str, d: bytes) -> "bytes | None":
        # In the abbreviated handshake the client's CCS+Finished is the last flight.
        if direction == "up" and d[0] == 20 and not dropped:
            dropped.append(link2.now_ms)
            return None
        return d

    link2.tap = drop_client_finished
    link2.handshake()
    assert dropped == [0] and client.is_established
    assert link2.first("server", "HandshakeCompleted").resumed
    # The server's timer resent its flight at 1 s; the client answered with its own.
    assert [t for t, d in link2.to_server if d[0] == 20] == [0, 1000]


def test_sessions_expire_after_their_lifetime() -> None:
    client, server = make_pair(server_opts={"session_lifetime_ms": 10000})
    link = Link(client, server)
    link.handshake()
    session = client.session
    for start_ms, resumed in ((9000, True), (30000, False)):
        again = DtlsClient(b"ep1", KEY, SeededRng(start_ms), session=session)
        link2 = Link(again, server)
        link2.now_ms = start_ms
        link2.handshake()
        assert link2.first("client", "HandshakeCompleted").resumed == resumed


def test_a_migrating_peer_takes_over_a_stale_address() -> None:
    # Peer A (with CID) moves to the address where peer B used to be.
    link_a = connected({"cid": b""}, {"cid_length": 4})
    server = link_a.server
    b_addr = ("198.51.100.20", 7000)
    client_b = DtlsClient(b"ep1", KEY, SeededRng(90))
    link_b = Link(client_b, server, addr=b_addr)
    link_b.handshake()
    assert sorted(server.peers()) == sorted([CLIENT_ADDR, b_addr])
    link_a.addr = b_addr
    link_a.client.send(b"from A at B's old address")
    link_a.pump()
    assert server.peers() == [b_addr]
    assert link_a.first("server", "ApplicationData").data == b"from A at B's old address"
    closed = [e for e in link_a.server_events if type(e).__name__ == "ConnectionClosed"]
    assert closed and closed[0].reason == "address taken by a migrated peer"


def test_smallest_mtu_with_the_largest_record_overhead() -> None:
    opts = {"mtu": 128, "cipher_suites": [PSK_AES128_CBC_SHA256]}
    server_opts = dict(opts)
    server_opts["psk_hint"] = b"h" * 300
    client, server = make_pair(opts, server_opts)
    link = Link(client, server)
    link.handshake()
    assert client.is_established
    assert max(len(d) for _, d in link.to_client + link.to_server) <= 128
