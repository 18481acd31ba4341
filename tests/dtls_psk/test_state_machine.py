"""The handshake rejects what protocol-state fuzzing found accepted by real DTLS stacks
(Fiterau-Brostean et al., "Analysis of DTLS Implementations Using Protocol State
Fuzzing", USENIX Security 2020): Finished before the key exchange, application data
before Finished, ChangeCipherSpec out of place or twice, a ClientHello mid-handshake,
a second ServerHello, messages in the wrong epoch. CPython and MicroPython."""

from dtls_psk.alerts import UNEXPECTED_MESSAGE
from dtls_psk.config import Config
from dtls_psk.errors import ProtocolError
from dtls_psk.handshake import CLIENT, NAMES, SERVER, TRANSITIONS, Handshake
from dtls_psk.messages import (
    CLIENT_HELLO,
    CLIENT_KEY_EXCHANGE,
    FINISHED,
    SERVER_HELLO,
    push_fragment,
)
from dtls_psk.messages import NAMES as MSG_NAMES
from dtls_psk.records import APPLICATION_DATA, CHANGE_CIPHER_SPEC, HANDSHAKE
from tests.dtls_psk.pair import CLIENT_ADDR, Link, SeededRng, make_pair
from tests.support import raises

A = CLIENT_ADDR


def test_every_untabled_state_message_pair_is_unexpected() -> None:
    config = Config(SeededRng(1))
    checked = 0
    for state in NAMES:
        for msg_type in MSG_NAMES:
            if (state, msg_type) in TRANSITIONS:
                continue
            hs = Handshake(CLIENT if state < 10 else SERVER, config)
            hs.state = state
            exc = raises(ProtocolError, hs.handle, msg_type, b"")
            assert exc.description == UNEXPECTED_MESSAGE, (NAMES[state], msg_type)
            checked += 1
    assert checked == len(NAMES) * len(MSG_NAMES) - len(TRANSITIONS)


class Stepper:
    """Drive a pair one flight at a time, so a test can stop anywhere."""

    def __init__(self) -> None:
        self.client, self.server = make_pair()
        self.link = Link(self.client, self.server)
        self.client.connect(0)

    def up(self) -> None:
        for d in self.client.datagrams_to_send():
            self.server.receive_datagram(d, A, 0)
        self.link.drain_events()

    def down(self) -> None:
        for _, d in self.server.datagrams_to_send():
            self.client.receive_datagram(d, 0)
        self.link.drain_events()

    def inject_up(self, epoch: int, ctype: int, payload: bytes) -> None:
        conn = self.client._conn
        assert conn is not None
        self.server.receive_datagram(conn._seal(epoch, ctype, payload), A, 0)
        self.link.drain_events()

    def inject_down(self, epoch: int, ctype: int, payload: bytes) -> None:
        conn = self.server._by_addr[A]
        self.client.receive_datagram(conn._seal(epoch, ctype, payload), 0)
        self.link.drain_events()

    def to_expect_client_key_exchange(self) -> None:
        self.up()  # ClientHello -> HelloVerifyRequest
        self.down()  # -> ClientHello with cookie
        self.up()  # -> ServerHello, ServerHelloDone


def _failed_with_unexpected(link: Link, side: str) -> None:
    failed = link.first(side, "HandshakeFailed")
    assert failed.alert == UNEXPECTED_MESSAGE, failed


def test_finished_before_key_exchange() -> None:
    s = Stepper()
    s.to_expect_client_key_exchange()
    seq = s.server._by_addr[A].next_recv_seq
    s.inject_up(0, HANDSHAKE, push_fragment(FINISHED, 12, seq, 0, b"\x00" * 12))
    _failed_with_unexpected(s.link, "server")
    assert s.server.peer_identity(A) is None


def test_client_hello_in_the_middle_of_the_handshake() -> None:
    s = Stepper()
    s.to_expect_client_key_exchange()
    seq = s.server._by_addr[A].next_recv_seq
    conn = s.client._conn
    assert conn is not None and conn.hs._client_hello is not None
    hello = conn.hs._client_hello.encode()
    s.inject_up(0, HANDSHAKE, push_fragment(CLIENT_HELLO, len(hello), seq, 0, hello))
    _failed_with_unexpected(s.link, "server")


def test_a_repeated_client_hello_is_a_retransmission_not_a_restart() -> None:
    s = Stepper()
    s.up()
    s.down()
    s.up()
    before = s.server._by_addr[A]
    conn = s.client._conn
    assert conn is not None
    conn._transmit_flight()  # what the retransmission timer would do
    s.up()
    assert s.server._by_addr[A] is before and not s.link.server_events
    assert len(list(s.server.datagrams_to_send())) == 2  # the flight, twice


def test_second_server_hello() -> None:
    s2 = Stepper()
    s2.to_expect_client_key_exchange()
    # Deliver the ServerHello alone, then a second ServerHello at the next sequence.
    datagram = next(iter(s2.server.datagrams_to_send()))[1]
    from dtls_psk.messages import pull_fragments
    from dtls_psk.records import parse_records

    records = parse_records(datagram, 0)
    # ServerHello and ServerHelloDone share a record (RFC 6347 §4.2.3): resend the
    # ServerHello alone.
    sh = pull_fragments(records[0].fragment)[0]
    assert sh.msg_type == SERVER_HELLO
    s2.inject_down(0, HANDSHAKE, push_fragment(SERVER_HELLO, len(sh.body), sh.seq, 0, sh.body))
    s2.inject_down(0, HANDSHAKE, push_fragment(SERVER_HELLO, len(sh.body), sh.seq + 1, 0, sh.body))
    _failed_with_unexpected(s2.link, "client")


def test_change_cipher_spec_out_of_place_and_twice() -> None:
    # Before the key exchange, in epoch 0: ignored (it may be a reordered one); the
    # state does not move and no keys are switched.
    s = Stepper()
    s.to_expect_client_key_exchange()
    conn = s.server._by_addr[A]
    s.inject_up(0, CHANGE_CIPHER_SPEC, b"\x01")
    assert conn.read_epoch == 0 and not s.link.server_events
    # The handshake still completes after that.
    s.down()
    s.up()
    s.down()
    assert s.client.is_established
    # A second ChangeCipherSpec under the new keys: fatal.
    s.inject_up(1, CHANGE_CIPHER_SPEC, b"\x01")
    assert s.link.first("server", "ConnectionClosed").reason == "ChangeCipherSpec out of place"
    # A repeat of the epoch-0 ChangeCipherSpec is stale and ignored.
    s = Stepper()
    s.to_expect_client_key_exchange()
    s.down()
    s.up()
    s.down()
    s.inject_up(0, CHANGE_CIPHER_SPEC, b"\x01")
    assert s.link.names("server") == ["HandshakeCompleted"]
    # A ChangeCipherSpec with a bad body is a decode error.
    s.inject_up(1, CHANGE_CIPHER_SPEC, b"\x02")
    assert s.link.names("server")[-1] == "ConnectionClosed"


def test_application_data_before_finished_is_not_delivered() -> None:
    s = Stepper()
    s.to_expect_client_key_exchange()
    s.down()  # the client sends ClientKeyExchange, ChangeCipherSpec, Finished
    flight = list(s.client.datagrams_to_send())
    assert len(flight) == 1
    from dtls_psk.records import parse_records

    records = parse_records(flight[0], 0)
    assert [r.content_type for r in records] == [HANDSHAKE, CHANGE_CIPHER_SPEC, HANDSHAKE]
    head = flight[0][: len(flight[0]) - 13 - len(records[2].fragment)]
    s.server.receive_datagram(head, A, 0)  # up to the ChangeCipherSpec
    conn = s.client._conn
    assert conn is not None
    early = conn.write_states[1][0].seal(APPLICATION_DATA, 1, 50, b"too early", None)
    s.server.receive_datagram(early, A, 0)
    s.server.receive_datagram(flight[0][len(head) :], A, 0)  # the Finished
    s.link.drain_events()
    assert s.link.names("server") == ["HandshakeCompleted"]


def test_finished_in_the_wrong_epoch() -> None:
    s = Stepper()
    s.to_expect_client_key_exchange()
    s.down()
    flight = next(iter(s.client.datagrams_to_send()))
    from dtls_psk.records import parse_records

    records = parse_records(flight, 0)
    head = flight[: len(flight) - 13 - len(records[2].fragment)]
    s.server.receive_datagram(head, A, 0)  # ClientKeyExchange and ChangeCipherSpec
    # The Finished sent in plaintext (epoch 0) instead of under the new keys.
    seq = s.server._by_addr[A].next_recv_seq
    s.inject_up(0, HANDSHAKE, push_fragment(FINISHED, 12, seq, 0, b"\x00" * 12))
    _failed_with_unexpected(s.link, "server")


def test_client_key_exchange_twice() -> None:
    s = Stepper()
    s.to_expect_client_key_exchange()
    s.down()
    flight = next(iter(s.client.datagrams_to_send()))
    from dtls_psk.records import parse_records

    records = parse_records(flight, 0)
    s.server.receive_datagram(flight[: 13 + len(records[0].fragment)], A, 0)
    seq = s.server._by_addr[A].next_recv_seq
    s.inject_up(0, HANDSHAKE, push_fragment(CLIENT_KEY_EXCHANGE, 5, seq, 0, b"\x00\x03abc"))
    _failed_with_unexpected(s.link, "server")
