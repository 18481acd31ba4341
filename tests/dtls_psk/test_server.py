"""DtlsServer: stateless cookies, many peers, restarts, late duplicates, key log.
CPython and MicroPython."""

from dtls_psk import DtlsClient, DtlsServer
from dtls_psk.alerts import HANDSHAKE_FAILURE
from dtls_psk.messages import (
    CLIENT_HELLO,
    HELLO_VERIFY_REQUEST,
    ClientHello,
    HelloVerifyRequest,
    pull_fragments,
    push_fragment,
)
from dtls_psk.records import DTLS_1_0, HANDSHAKE, parse_records, plaintext_record
from tests.dtls_psk.pair import CLIENT_ADDR, KEY, Link, SeededRng, connected, make_pair


def test_no_state_before_a_valid_cookie() -> None:
    client, server = make_pair()
    client.connect(0)
    (hello,) = list(client.datagrams_to_send())
    for i in range(50):  # a flood of spoofed ClientHellos from many addresses
        server.receive_datagram(hello, ("203.0.113.%d" % i, 1000 + i), 0)
    assert server._by_addr == {} and server._pending == [] and server.get_timer() is None
    answers = list(server.datagrams_to_send())
    assert len(answers) == 50
    (rec,) = parse_records(answers[0][1], 0)
    (frag,) = pull_fragments(rec.fragment)
    assert frag.msg_type == HELLO_VERIFY_REQUEST
    # RFC 6347 §4.2.1: the HelloVerifyRequest reuses the ClientHello's record number
    # and is sent with the DTLS 1.0 record version.
    assert rec.seq == parse_records(hello, 0)[0].seq and rec.version == b"\xfe\xff"
    # A cookie is bound to the address it was issued to.
    cookies = {parse_records(d, 0)[0].fragment for _, d in answers}
    assert len(cookies) == 50


def hello_with_cookie(client: DtlsClient, server: DtlsServer) -> bytes:
    """Connect, let the server challenge, return the client's ClientHello with the cookie."""
    client.connect(0)
    server.receive_datagram(next(iter(client.datagrams_to_send())), CLIENT_ADDR, 0)
    for _, d in server.datagrams_to_send():
        client.receive_datagram(d, 0)
    (second,) = list(client.datagrams_to_send())
    return second


def test_cookie_from_another_address_is_refused() -> None:
    client, server = make_pair()
    second = hello_with_cookie(client, server)
    server.receive_datagram(second, ("198.51.100.1", 4444), 0)
    assert server._by_addr == {}
    (answer,) = list(server.datagrams_to_send())
    (frag,) = pull_fragments(parse_records(answer[1], 0)[0].fragment)
    assert frag.msg_type == HELLO_VERIFY_REQUEST


def test_cookie_is_bound_to_the_client_hello_parameters() -> None:
    client, server = make_pair()
    second = hello_with_cookie(client, server)
    # The same cookie with one byte of the random changed (record header 13, handshake
    # header 12, version 2): the server issues a new challenge and keeps no state.
    changed = bytearray(second)
    changed[13 + 12 + 2 + 5] ^= 1
    server.receive_datagram(bytes(changed), CLIENT_ADDR, 0)
    assert server._by_addr == {}
    (answer,) = list(server.datagrams_to_send())
    (frag,) = pull_fragments(parse_records(answer[1], 0)[0].fragment)
    assert frag.msg_type == HELLO_VERIFY_REQUEST
    server.receive_datagram(second, CLIENT_ADDR, 0)  # the genuine one still passes
    assert CLIENT_ADDR in server._by_addr


def test_cookie_secret_rotation_keeps_one_previous_secret() -> None:
    client, server = make_pair(server_opts={"cookie_lifetime_ms": 1000})
    second = hello_with_cookie(client, server)
    server.receive_datagram(b"", CLIENT_ADDR, 1000)  # one rotation: previous secret kept
    server.receive_datagram(second, CLIENT_ADDR, 1000)
    assert CLIENT_ADDR in server._by_addr
    client2, server2 = make_pair(server_opts={"cookie_lifetime_ms": 1000}, seed=9)
    client2.connect(0)
    server2.receive_datagram(next(iter(client2.datagrams_to_send())), CLIENT_ADDR, 0)
    for _, d in server2.datagrams_to_send():
        client2.receive_datagram(d, 0)
    (second,) = list(client2.datagrams_to_send())
    server2.receive_datagram(b"", CLIENT_ADDR, 1000)
    server2.receive_datagram(b"", CLIENT_ADDR, 2000)  # two rotations: the cookie expired
    server2.receive_datagram(second, CLIENT_ADDR, 2000)
    assert server2._by_addr == {}


def test_late_duplicate_client_hello_does_not_reset_an_established_peer() -> None:
    client, server = make_pair()
    link = Link(client, server)
    link.handshake()
    hello_with_cookie = link.to_server[1][1]
    (rec,) = parse_records(hello_with_cookie, 0)
    assert pull_fragments(rec.fragment)[0].msg_type == CLIENT_HELLO
    server.receive_datagram(hello_with_cookie, CLIENT_ADDR, link.now_ms)
    link.pump()
    assert link.names("server") == ["HandshakeCompleted"]
    client.send(b"still here")
    link.pump()
    assert link.first("server", "ApplicationData").data == b"still here"


def test_a_restarted_client_replaces_its_old_connection() -> None:
    link = connected()
    fresh = DtlsClient(b"ep1", KEY, SeededRng(77))
    link.client = fresh
    link.handshake()
    assert link.names("server") == ["HandshakeCompleted", "ConnectionClosed", "HandshakeCompleted"]
    assert link.server_events[1].reason == "replaced by a new handshake"
    fresh.send(b"new life")
    link.pump()
    assert link.first("server", "ApplicationData").data == b"new life"


def test_many_peers_each_bound_to_its_identity() -> None:
    keys = {("ep%d" % i).encode(): bytes([i]) * 16 for i in range(20)}
    server = DtlsServer(keys.get, SeededRng(5))
    clients = {}
    for i in range(20):
        client = DtlsClient(("ep%d" % i).encode(), bytes([i]) * 16, SeededRng(100 + i))
        client.connect(0)
        clients[("10.1.0.%d" % i, 5000 + i)] = client
    for _ in range(4):  # every client moves one flight per round, interleaved
        for addr, client in clients.items():
            for d in client.datagrams_to_send():
                server.receive_datagram(d, addr, 0)
        for addr, d in server.datagrams_to_send():
            clients[addr].receive_datagram(d, 0)
    for addr, client in clients.items():
        assert client.is_established
        assert server.peer_identity(addr) == ("ep%s" % addr[0].split(".")[-1]).encode()
    assert len(server.peers()) == 20
    # Each peer's data reaches the right connection only.
    for addr in clients:
        server.send(addr, repr(addr).encode())
    for addr, d in server.datagrams_to_send():
        clients[addr].receive_datagram(d, 0)
    for addr, client in clients.items():
        events = []
        while True:
            e = client.next_event()
            if e is None:
                break
            events.append(e)
        assert events[-1].data == repr(addr).encode()


def test_key_log_lines_agree() -> None:
    lines_c: "list[str]" = []
    lines_s: "list[str]" = []
    link = connected({"keylog": lines_c.append}, {"keylog": lines_s.append})
    assert lines_c == lines_s and len(lines_c) == 1
    label, client_random, master = lines_c[0].split(" ")
    assert label == "CLIENT_RANDOM" and len(client_random) == 64 and len(master) == 96
    assert link.client.is_established


def test_client_hello_at_the_last_message_seq_fails_cleanly() -> None:
    # RFC 6347 §4.2.2: the server numbers its messages on from the ClientHello's
    # message_seq (16 bits). A ClientHello at 65535 leaves no number for the
    # ServerHelloDone: the handshake fails with an alert, nothing raises.
    server = DtlsServer({b"ep1": KEY}.get, SeededRng(7))
    hello = ClientHello(bytes(32), [0xC0A8], b"", b"", [(0xFF01, b"\x00")]).encode()

    def datagram(body: bytes, record_seq: int) -> bytes:
        fragment = push_fragment(CLIENT_HELLO, len(body), 0xFFFF, 0, body)
        return plaintext_record(HANDSHAKE, DTLS_1_0, 0, record_seq, fragment)

    server.receive_datagram(datagram(hello, 0), CLIENT_ADDR, 0)
    ((_, answer),) = list(server.datagrams_to_send())
    (frag,) = pull_fragments(parse_records(answer, 0)[0].fragment)
    cookie = HelloVerifyRequest.decode(frag.body).cookie
    server.receive_datagram(datagram(ClientHello.with_cookie(hello, cookie), 1), CLIENT_ADDR, 0)
    failed = server.next_event()
    assert type(failed).__name__ == "HandshakeFailed" and failed.alert == HANDSHAKE_FAILURE
    assert len(list(server.datagrams_to_send())) == 1  # the fatal alert
    assert server.peers() == []
