"""``DtlsServer``: DTLS 1.2 PSK for many peers on one socket, behind the sans-IO face.

Before a ClientHello returns a valid cookie the server keeps nothing about a peer
(RFC 6347 §4.2.1): the cookie is an HMAC over the peer's address and the
ClientHello's parameters under a secret that rotates, and the HelloVerifyRequest
reuses the ClientHello's record sequence number. Peers are found by address, or by
connection ID (RFC 9146) for records of type tls12_cid, so a client behind a NAT
that rebinds keeps its session.
"""

from dtls_psk.config import Config
from dtls_psk.connection import CLOSED, ESTABLISHED, HANDSHAKING, Connection
from dtls_psk.crypto import ct_equal
from dtls_psk.errors import DecodeError, UsageError
from dtls_psk.events import ConnectionClosed
from dtls_psk.handshake import SERVER
from dtls_psk.messages import (
    CLIENT_HELLO,
    HANDSHAKE_HEADER_LEN,
    HELLO_VERIFY_REQUEST,
    ClientHello,
    HelloVerifyRequest,
    push_fragment,
    split_fragments,
    unpack_fragment_header,
)
from dtls_psk.records import DTLS_1_0, HANDSHAKE, TLS12_CID, Record, parse_records, plaintext_record
from dtls_psk.session import Session

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable, Iterator
    from typing import Any

_COOKIE_LEN = 16


class SessionCache:
    """Sessions the server can resume: oldest dropped first beyond ``size``, and none
    resumed once ``lifetime_ms`` old (RFC 5246 §F.1.4: at most 24 hours is advised).
    ``now_ms`` is kept current by the server."""

    __slots__ = ("_order", "_sessions", "lifetime_ms", "now_ms", "size")

    def __init__(self, size: int, lifetime_ms: int) -> None:
        self.size = size
        self.lifetime_ms = lifetime_ms
        self.now_ms = 0
        self._sessions: "dict[bytes, tuple[Session, int]]" = {}
        self._order: "list[bytes]" = []

    def get(self, session_id: bytes) -> "Session | None":
        entry = self._sessions.get(session_id)
        if entry is None:
            return None
        if self.now_ms - entry[1] >= self.lifetime_ms:
            del self._sessions[session_id]
            self._order.remove(session_id)
            return None
        return entry[0]

    def put(self, session: Session) -> None:
        if session.session_id in self._sessions:
            self._order.remove(session.session_id)
        self._order.append(session.session_id)
        self._sessions[session.session_id] = (session, self.now_ms)
        while len(self._order) > self.size:
            self._sessions.pop(self._order.pop(0), None)

    def __len__(self) -> int:
        return len(self._sessions)


class DtlsServer:
    """A DTLS 1.2 PSK server for many peers (RFC 6347, RFC 4279).

    ``psk_lookup(identity) -> key or None`` finds each client's key; ``rng(n)`` must
    be a CSPRNG. ``psk_hint`` is sent in a ServerKeyExchange when not empty.
    ``cid_length`` > 0 offers RFC 9146 connection IDs of that length to clients that
    ask. ``session_cache_size`` 0 disables resumption; sessions are resumable for
    ``session_lifetime_ms`` (24 h). Further keyword options are
    those of ``Config`` (cipher_suites, mtu, timers, record_size_limit, keylog, ...).

    The face: ``receive_datagram(data, addr, now_ms)``, ``datagrams_to_send()``
    yielding ``(addr, bytes)``, ``send(addr, data)``, ``close(addr)``, ``get_timer()``,
    ``handle_timer(now_ms)``, ``next_event()``; every event carries ``addr``.
    """

    __slots__ = (
        "_by_addr",
        "_by_cid",
        "_cookie_macs",
        "_events",
        "_out",
        "_out_pos",
        "_pending",
        "_secret_born_ms",
        "cid_length",
        "config",
        "cookie_lifetime_ms",
        "psk_hint",
        "psk_lookup",
        "sessions",
    )

    def __init__(
        self,
        psk_lookup: "Callable[[bytes], bytes | None]",
        rng: "Callable[[int], bytes]",
        *,
        psk_hint: bytes = b"",
        cid_length: int = 0,
        session_cache_size: int = 1024,
        session_lifetime_ms: int = 86400000,
        cookie_lifetime_ms: int = 300000,
        **options: "Any",
    ) -> None:
        if not 0 <= cid_length <= 32:
            raise UsageError("cid_length must be 0..32")
        if "cid" in options:
            raise UsageError("a server issues connection IDs: give cid_length, not cid")
        self.config = Config(rng, **options)
        self.psk_lookup = psk_lookup
        self.psk_hint = psk_hint
        self.cid_length = cid_length
        self.sessions = (
            SessionCache(session_cache_size, session_lifetime_ms) if session_cache_size else None
        )
        self.cookie_lifetime_ms = cookie_lifetime_ms
        # RFC 6347 §4.2.1: the cookie secret, kept only as its keyed HMAC: current and
        # previous, none before the first rotation (no cookie was issued under it).
        self._cookie_macs: "list[Any]" = [self.config.backend.hmac_sha256_key(rng(32)), None]
        self._secret_born_ms: "int | None" = None
        self._by_addr: "dict[Any, Connection]" = {}
        self._by_cid: "dict[bytes, Connection]" = {}
        self._pending: "list[Connection]" = []
        self._out: "list[tuple[Any, bytes]]" = []
        self._out_pos = 0
        self._events: "list[Any]" = []

    # -- the face ------------------------------------------------------------------

    def receive_datagram(self, data: bytes, addr: "Any", now_ms: int) -> None:
        """Feed one datagram from ``addr``; remote faults never raise."""
        born = self._secret_born_ms
        if born is None:
            self._secret_born_ms = now_ms
        elif now_ms - born >= self.cookie_lifetime_ms:
            self._rotate_secret(now_ms)
        if self.sessions is not None:
            self.sessions.now_ms = now_ms
        records = parse_records(data, self.cid_length)
        if not records:
            return
        first = records[0]
        if first.content_type == TLS12_CID:
            conn = self._by_cid.get(first.cid or b"")
        else:
            conn = self._by_addr.get(addr)
        if first.epoch == 0 and first.content_type == HANDSHAKE and first.fragment[:1] == b"\x01":
            hello = _client_hello(first)  # the record starts with a ClientHello fragment
            if hello is not None:
                random, cookie, params, msg_seq, body = hello
                # The ClientHello that created this connection, repeated (a retransmission
                # or a late duplicate): the connection answers it, whatever its state.
                # Only a new random means a new handshake (RFC 6347 §4.2.8).
                if conn is None or conn.hs.client_random != random:
                    self._stateless_hello(cookie, params, msg_seq, body, first.seq, addr, now_ms)
                    return
        if conn is None:
            return  # not a peer we know, and not a ClientHello: drop
        known_at = conn.addr
        conn.receive_records(records, now_ms, addr)
        self._collect(conn, known_at)

    def datagrams_to_send(self) -> "Iterator[tuple[Any, bytes]]":
        """``(addr, datagram)`` pairs, in order; each is yielded once."""
        # A read position rather than pop(0): a busy gateway queues thousands.
        out = self._out
        while self._out_pos < len(out):
            item = out[self._out_pos]
            self._out_pos += 1
            if self._out_pos == len(out):
                self._out = out = []
                self._out_pos = 0
            yield item

    def send(self, addr: "Any", data: bytes) -> None:
        """Send one application record to an established peer."""
        conn = self._by_addr.get(addr)
        if conn is None or conn.state != ESTABLISHED:
            raise UsageError("no established DTLS connection with %r" % (addr,))
        conn.send_application_data(data)
        self._collect(conn, addr)

    def close(self, addr: "Any") -> None:
        """Send close_notify to ``addr`` and forget it."""
        conn = self._by_addr.get(addr)
        if conn is not None:
            conn.close()
            self._collect(conn, addr)

    def get_timer(self) -> "int | None":
        deadlines = [t for t in (c.get_timer() for c in self._pending) if t is not None]
        return min(deadlines) if deadlines else None

    def handle_timer(self, now_ms: int) -> None:
        for conn in list(self._pending):
            deadline = conn.get_timer()
            if deadline is not None and now_ms >= deadline:
                conn.handle_timer(now_ms)
                self._collect(conn, conn.addr)

    def next_event(self) -> "Any":
        return self._events.pop(0) if self._events else None

    def peer_identity(self, addr: "Any") -> "bytes | None":
        """The PSK identity ``addr`` authenticated with, once its handshake completed."""
        conn = self._by_addr.get(addr)
        if conn is None or conn.state != ESTABLISHED:
            return None
        return conn.hs.identity

    def peers(self) -> "list[Any]":
        """Addresses with an established connection."""
        return [a for a, c in self._by_addr.items() if c.state == ESTABLISHED]

    def export_session(self, session_id: bytes) -> "bytes | None":
        """A cached session as bytes (to persist across restarts), or None."""
        session = self.sessions.get(session_id) if self.sessions is not None else None
        return None if session is None else session.to_bytes()

    def import_session(self, data: bytes) -> None:
        """Put an exported session back in the cache (``DecodeError`` if malformed)."""
        if self.sessions is None:
            raise UsageError("resumption is disabled (session_cache_size=0)")
        self.sessions.put(Session.from_bytes(data))

    # -- inside --------------------------------------------------------------------

    def _rotate_secret(self, now_ms: int) -> None:
        mac = self.config.backend.hmac_sha256_key(self.config.rng(32))
        self._cookie_macs = [mac, self._cookie_macs[0]]
        self._secret_born_ms = now_ms

    def _cookie(self, index: int, addr: "Any", params: bytes) -> bytes:
        # RFC 6347 §4.2.1: Cookie = HMAC(Secret, Client-IP, Client-Parameters), with
        # the ClientHello's own bytes (cookie field left out) as its parameters.
        mac = self._cookie_macs[index].mac(repr(addr).encode() + params)
        return mac[:_COOKIE_LEN]  # type: ignore[no-any-return]

    def _stateless_hello(
        self,
        cookie: bytes,
        params: bytes,
        msg_seq: int,
        body: bytes,
        record_seq: int,
        addr: "Any",
        now_ms: int,
    ) -> None:
        # Only the fields up to the cookie are read before the cookie checks out: a
        # flood of spoofed ClientHellos costs one HMAC each, not a full decode.
        if cookie and (
            ct_equal(cookie, self._cookie(0, addr, params))
            or (self._cookie_macs[1] is not None
                and ct_equal(cookie, self._cookie(1, addr, params)))
        ):
            try:
                ch = ClientHello.decode(body)
            except DecodeError:
                return  # malformed past the cookie: dropped, nothing kept
            old = self._by_addr.get(addr)
            if old is not None:
                # RFC 6347 §4.2.8: a new handshake from a known address (the client
                # restarted) replaces the old association once the cookie proves it.
                self._forget(old)
                if old.state == ESTABLISHED:
                    self._events.append(ConnectionClosed(addr, "replaced by a new handshake"))
            own_cid = self.config.rng(self.cid_length) if self.cid_length else None
            conn = Connection(SERVER, self.config, addr, now_ms, own_cid)
            self._by_addr[addr] = conn
            if own_cid:
                # Registered now: the client's Finished may already carry our CID.
                self._by_cid[own_cid] = conn
            self._pending.append(conn)
            conn.start_server(
                body, msg_seq, record_seq, now_ms, self.psk_lookup, self.psk_hint, self.sessions, ch
            )
            self._collect(conn, addr)
            return
        hvr = HelloVerifyRequest(self._cookie(0, addr, params)).encode()
        fragment = push_fragment(HELLO_VERIFY_REQUEST, len(hvr), msg_seq, 0, hvr)
        # RFC 6347 §4.2.1: DTLS 1.0 record version, and the ClientHello's record number.
        self._out.append((addr, plaintext_record(HANDSHAKE, DTLS_1_0, 0, record_seq, fragment)))

    def _collect(self, conn: Connection, known_at: "Any") -> None:
        """Move the connection's output and events out; keep the maps in step.
        ``known_at`` is the address the connection had before the call."""
        if conn.addr != known_at:
            # RFC 9146 §6: the peer moved. Its old address no longer reaches it, and a
            # connection left at the new address (a stale peer) gives way.
            if self._by_addr.get(known_at) is conn:
                del self._by_addr[known_at]
            other = self._by_addr.get(conn.addr)
            if other is not None and other is not conn:
                self._forget(other)
                if other.state == ESTABLISHED:
                    self._events.append(
                        ConnectionClosed(conn.addr, "address taken by a migrated peer")
                    )
            self._by_addr[conn.addr] = conn
        for datagram in conn.out:
            self._out.append((conn.addr, datagram))
        conn.out = []
        self._events.extend(conn.events)
        conn.events = []
        if conn.state != HANDSHAKING and conn in self._pending:
            self._pending.remove(conn)
            if conn.own_cid and not conn.hs.use_cid:
                del self._by_cid[conn.own_cid]  # the client did not take up the offer
        if conn.state == CLOSED:
            self._forget(conn)

    def _forget(self, conn: Connection) -> None:
        if self._by_addr.get(conn.addr) is conn:
            del self._by_addr[conn.addr]
        if conn.own_cid and self._by_cid.get(conn.own_cid) is conn:
            del self._by_cid[conn.own_cid]
        if conn in self._pending:
            self._pending.remove(conn)


def _client_hello(record: Record) -> "tuple[bytes, bytes, bytes, int, bytes] | None":
    """``(random, cookie, parameters, message_seq, body)`` of the ClientHello of an
    epoch-0 record when it is whole in that record, read up to the cookie only
    (``ClientHello.peek_cookie``). A server without state cannot reassemble a
    fragmented first ClientHello."""
    data = record.fragment
    if len(data) < HANDSHAKE_HEADER_LEN or data[0] != CLIENT_HELLO:
        return None  # most epoch-0 records of a handshake: not worth parsing here
    try:
        w0, seq, w2, w3 = unpack_fragment_header(data, 0)
        length = w0 & 0xFFFFFF
        if (
            length + HANDSHAKE_HEADER_LEN == len(data)
            and w2 == length >> 16
            and w3 == length & 0xFFFF
        ):
            body = data[HANDSHAKE_HEADER_LEN:]  # the usual record: the whole ClientHello alone
        else:
            # At least one fragment, or DecodeError: the 12 header bytes are there.
            msg_type, length, seq, offset, body, _ = split_fragments(data)[0]
            if msg_type != CLIENT_HELLO or offset or len(body) != length:
                return None
        random, cookie, params = ClientHello.peek_cookie(body)
    except DecodeError:
        return None
    return random, cookie, params, seq, body
