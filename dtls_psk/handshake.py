"""The DTLS 1.2 PSK handshake as a state machine over whole handshake messages.

Theory of operation
-------------------
This module never sees records, datagrams or time. The connection (``connection.py``)
reassembles fragments, puts messages in ``message_seq`` order, checks that each
arrives in the read epoch it belongs to, and hands them here one at a time with
``handle(msg_type, body)``; a ChangeCipherSpec arrives as ``handle_ccs()``. Every
(state, message) pair that may happen is a row of ``TRANSITIONS``; anything else is
an unexpected message and raises ``ProtocolError`` (fatal alert unexpected_message),
which is what published protocol-state fuzzing of DTLS stacks (Fiterau-Brostean et
al., USENIX Security 2020) found missing: Finished before the key exchange, a second
ServerHello, a ClientHello mid-handshake, ChangeCipherSpec out of place.

A handler returns the next flight to send, a list of ``(HANDSHAKE, msg_type, seq,
body, whole)`` (``whole``: the unfragmented message, header included) and
``(CHANGE_CIPHER_SPEC, 0, 0, b"\\x01", b"\\x01")`` items; the connection sends it,
switching to the next write epoch after the ChangeCipherSpec (``write_protection``),
and retransmits it until the peer's next flight (RFC 6347 §4.2.4).

Full handshake (RFC 6347 §4.2.1, RFC 4279 §2), with the server's stateless cookie
exchange done by ``DtlsServer`` before this machine exists on the server side::

    client                                        server
    ClientHello                 -->
                                <--   HelloVerifyRequest (cookie)
    ClientHello (cookie)        -->
                                <--   ServerHello, [ServerKeyExchange (hint)],
                                      ServerHelloDone
    ClientKeyExchange (identity),
    ChangeCipherSpec, Finished  -->
                                <--   ChangeCipherSpec, Finished

Abbreviated handshake (RFC 5246 §7.3): the server finds the ClientHello's session id
in its cache and answers ServerHello, ChangeCipherSpec, Finished; the client answers
ChangeCipherSpec, Finished.

Transcript: every handshake message from the ClientHello that carries the cookie on,
in its unfragmented DTLS form (12-byte header, RFC 6347 §4.2.6); the first
ClientHello and the HelloVerifyRequest are left out (§4.2.1). MicroPython's sha256
has no ``copy()``, so the transcript is kept as bytes and hashed when needed.

An unknown PSK identity is not told apart from a wrong key: the server carries on
with a random key and the handshake fails at Finished (RFC 4279 §2 allows
unknown_psk_identity; we choose to give nothing away).
"""

from binascii import hexlify

from dtls_psk import alerts
from dtls_psk.crypto import ct_equal
from dtls_psk.errors import DecodeError, ProtocolError
from dtls_psk.keys import derive_keys, master_secret, psk_premaster_secret, verify_data
from dtls_psk.messages import (
    CLIENT_HELLO,
    CLIENT_KEY_EXCHANGE,
    EXT_CONNECTION_ID,
    EXT_EXTENDED_MASTER_SECRET,
    EXT_RECORD_SIZE_LIMIT,
    EXT_RENEGOTIATION_INFO,
    FINISHED,
    HELLO_VERIFY_REQUEST,
    SCSV_RENEGOTIATION,
    SERVER_HELLO,
    SERVER_HELLO_DONE,
    SERVER_KEY_EXCHANGE,
    ClientHello,
    HelloVerifyRequest,
    ServerHello,
    decode_empty,
    decode_finished,
    decode_psk_identity,
    encode_psk_identity,
    whole_message,
)
from dtls_psk.messages import (
    NAMES as MSG_NAMES,
)
from dtls_psk.records import CHANGE_CIPHER_SPEC, HANDSHAKE, MAX_PLAINTEXT
from dtls_psk.session import Session
from dtls_psk.suites import key_lengths, protection
from dtls_psk.wire import Reader, vector

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any

    from dtls_psk.config import Config

    Item = tuple[int, int, int, bytes, bytes]

CLIENT = 0
SERVER = 1

CLIENT_START = 0
CLIENT_EXPECT_SERVER_HELLO = 1
CLIENT_EXPECT_SERVER_KEY_EXCHANGE = 2
CLIENT_EXPECT_SERVER_HELLO_DONE = 3
CLIENT_EXPECT_CCS = 4
CLIENT_EXPECT_FINISHED = 5
SERVER_EXPECT_CLIENT_HELLO = 10
SERVER_EXPECT_CLIENT_KEY_EXCHANGE = 11
SERVER_EXPECT_CCS = 12
SERVER_EXPECT_FINISHED = 13
COMPLETE = 20
NAMES = {
    CLIENT_START: "CLIENT_START",
    CLIENT_EXPECT_SERVER_HELLO: "CLIENT_EXPECT_SERVER_HELLO",
    CLIENT_EXPECT_SERVER_KEY_EXCHANGE: "CLIENT_EXPECT_SERVER_KEY_EXCHANGE",
    CLIENT_EXPECT_SERVER_HELLO_DONE: "CLIENT_EXPECT_SERVER_HELLO_DONE",
    CLIENT_EXPECT_CCS: "CLIENT_EXPECT_CCS",
    CLIENT_EXPECT_FINISHED: "CLIENT_EXPECT_FINISHED",
    SERVER_EXPECT_CLIENT_HELLO: "SERVER_EXPECT_CLIENT_HELLO",
    SERVER_EXPECT_CLIENT_KEY_EXCHANGE: "SERVER_EXPECT_CLIENT_KEY_EXCHANGE",
    SERVER_EXPECT_CCS: "SERVER_EXPECT_CCS",
    SERVER_EXPECT_FINISHED: "SERVER_EXPECT_FINISHED",
    COMPLETE: "COMPLETE",
}

# (state, message type) -> handler. Everything else is unexpected_message.
TRANSITIONS = {
    (CLIENT_EXPECT_SERVER_HELLO, HELLO_VERIFY_REQUEST): "_client_hello_verify_request",
    (CLIENT_EXPECT_SERVER_HELLO, SERVER_HELLO): "_client_server_hello",
    (CLIENT_EXPECT_SERVER_KEY_EXCHANGE, SERVER_KEY_EXCHANGE): "_client_server_key_exchange",
    (CLIENT_EXPECT_SERVER_KEY_EXCHANGE, SERVER_HELLO_DONE): "_client_server_hello_done",
    (CLIENT_EXPECT_SERVER_HELLO_DONE, SERVER_HELLO_DONE): "_client_server_hello_done",
    (CLIENT_EXPECT_FINISHED, FINISHED): "_client_finished",
    (SERVER_EXPECT_CLIENT_HELLO, CLIENT_HELLO): "_server_client_hello",
    (SERVER_EXPECT_CLIENT_KEY_EXCHANGE, CLIENT_KEY_EXCHANGE): "_server_client_key_exchange",
    (SERVER_EXPECT_FINISHED, FINISHED): "_server_finished",
}
# A ChangeCipherSpec is accepted in these states only, and moves to the next one.
CCS_TRANSITIONS = {
    CLIENT_EXPECT_CCS: CLIENT_EXPECT_FINISHED,
    SERVER_EXPECT_CCS: SERVER_EXPECT_FINISHED,
}

CCS_ITEM = (CHANGE_CIPHER_SPEC, 0, 0, b"\x01", b"\x01")
_MAX_HELLO_VERIFY = 3  # a server may re-challenge after a cookie-secret rotation


class Handshake:
    """One handshake, in one role. The connection reads ``state``, ``read_protection``
    and ``write_protection``; the rest is negotiated result for the events."""

    __slots__ = (
        "_client_hello",
        "_hashed",
        "_hello_body",
        "_hello_verify_count",
        "_master_key",
        "_own_cid",
        "_psk",
        "_session_to_resume",
        "cipher_suite",
        "client_random",
        "config",
        "extended_master_secret",
        "identity",
        "master_secret",
        "peer_cid",
        "peer_record_size_limit",
        "psk_callback",
        "psk_identity_hint",
        "psk_lookup",
        "read_protection",
        "recv_seq",
        "recv_whole",
        "resumed",
        "role",
        "send_seq",
        "server_random",
        "session",
        "session_cache",
        "state",
        "transcript",
        "use_cid",
        "write_protection",
    )

    def __init__(self, role: int, config: "Config") -> None:
        self.role = role
        self.config = config
        self.state = CLIENT_START if role == CLIENT else SERVER_EXPECT_CLIENT_HELLO
        self.send_seq = 0
        self.transcript = bytearray()
        self._hashed: "tuple[int, bytes]" = (-1, b"")  # (transcript length, its SHA-256)
        self.client_random = b""
        self.server_random = b""
        self.cipher_suite = 0
        self.extended_master_secret = False
        self.master_secret = b""
        self.identity = b""
        self.psk_identity_hint = b""
        self.resumed = False
        self.session: "Session | None" = None
        self.read_protection: "Any" = None
        self.write_protection: "Any" = None
        self.peer_cid: "bytes | None" = None
        self.use_cid = False
        self.peer_record_size_limit: "int | None" = None
        self.psk_callback: "Callable[[bytes], tuple[bytes, bytes]] | None" = None
        self.psk_lookup: "Callable[[bytes], bytes | None] | None" = None
        self.session_cache: "Any" = None
        self._session_to_resume: "Session | None" = None
        self._client_hello: "ClientHello | None" = None
        self._hello_body = b""  # our first ClientHello, encoded
        self._hello_verify_count = 0
        self._master_key: "Any" = None  # HMAC keyed by the master secret
        self._psk = b""
        self._own_cid: "bytes | None" = None
        self.recv_seq = 0  # the connection sets it before each handle()
        self.recv_whole: "bytes | None" = None  # and the message unfragmented, if it has it

    # -- entry points used by the connection -------------------------------------

    def handle(self, msg_type: int, body: bytes) -> "list[Item] | None":
        """Process one in-order message; return the flight to send, if any."""
        handler = _HANDLERS.get((self.state, msg_type))
        if handler is None:
            raise ProtocolError(
                alerts.UNEXPECTED_MESSAGE,
                "%s in state %s" % (_msg_name(msg_type), NAMES[self.state]),
            )
        try:
            return handler(self, body)
        except DecodeError as exc:
            raise ProtocolError(alerts.DECODE_ERROR, "%s: %s" % (_msg_name(msg_type), exc)) from exc

    def expects_ccs(self) -> bool:
        return self.state in CCS_TRANSITIONS

    def handle_ccs(self) -> None:
        """The peer's ChangeCipherSpec: the connection installs ``read_protection``."""
        nxt = CCS_TRANSITIONS.get(self.state)
        if nxt is None:
            raise ProtocolError(
                alerts.UNEXPECTED_MESSAGE, "ChangeCipherSpec in state " + NAMES[self.state]
            )
        self.state = nxt

    # -- client ------------------------------------------------------------------

    def client_start(
        self,
        identity: bytes,
        psk: bytes,
        psk_callback: "Callable[[bytes], tuple[bytes, bytes]] | None",
        session: "Session | None",
    ) -> "list[Item]":
        """The first ClientHello (RFC 6347 §4.2.1: no cookie yet)."""
        self.identity = identity
        self._psk = psk
        self.psk_callback = psk_callback
        if session is not None and session.cipher_suite in self.config.cipher_suites:
            self._session_to_resume = session
        self.client_random = self.config.rng(32)
        exts: "list[tuple[int, bytes]]" = []
        if self.config.extended_master_secret:
            exts.append((EXT_EXTENDED_MASTER_SECRET, b""))
        if self.config.cid is not None:
            exts.append((EXT_CONNECTION_ID, vector(1, self.config.cid)))
        if self.config.record_size_limit is not None:
            exts.append((EXT_RECORD_SIZE_LIMIT, self.config.record_size_limit.to_bytes(2, "big")))
        exts.append((EXT_RENEGOTIATION_INFO, b"\x00"))  # RFC 5746 §3.4: empty on first handshake
        resume_id = self._session_to_resume.session_id if self._session_to_resume else b""
        self._client_hello = ClientHello(
            self.client_random, list(self.config.cipher_suites), resume_id, b"", exts
        )
        self.state = CLIENT_EXPECT_SERVER_HELLO
        self._hello_body = self._client_hello.encode()
        return [self._message(CLIENT_HELLO, self._hello_body)]

    def _client_hello_verify_request(self, body: bytes) -> "list[Item]":
        hvr = HelloVerifyRequest.decode(body)
        self._hello_verify_count += 1
        if self._hello_verify_count > _MAX_HELLO_VERIFY:
            raise ProtocolError(alerts.HANDSHAKE_FAILURE, "too many HelloVerifyRequests")
        assert self._client_hello is not None
        self._client_hello.cookie = hvr.cookie
        # RFC 6347 §4.2.1: the transcript restarts with the ClientHello carrying the cookie.
        self.transcript = bytearray()
        self._hashed = (-1, b"")
        # The same ClientHello with the cookie put in: splice the bytes we sent.
        return [self._message(CLIENT_HELLO, ClientHello.with_cookie(self._hello_body, hvr.cookie))]

    def _client_server_hello(self, body: bytes) -> "list[Item] | None":
        sh = ServerHello.decode(body)
        self._append(SERVER_HELLO, body)
        assert self._client_hello is not None
        if sh.version != b"\xfe\xfd":
            raise ProtocolError(
                alerts.PROTOCOL_VERSION, "server chose version %s" % hexlify(sh.version).decode()
            )
        if sh.cipher_suite not in self._client_hello.cipher_suites or sh.compression_method != 0:
            raise ProtocolError(alerts.ILLEGAL_PARAMETER, "server chose a suite we did not offer")
        offered = dict(self._client_hello.extensions)  # keyed by the types we offered
        ems = False
        for ext_type, data in sh.extensions:
            if ext_type not in offered:
                # RFC 5246 §7.4.1.4: only extensions the client offered may come back.
                raise ProtocolError(
                    alerts.UNSUPPORTED_EXTENSION, "extension %d not offered" % ext_type
                )
            if ext_type == EXT_EXTENDED_MASTER_SECRET:
                if data:
                    raise ProtocolError(alerts.DECODE_ERROR, "extended_master_secret not empty")
                ems = True
            elif ext_type == EXT_RENEGOTIATION_INFO:
                if data != b"\x00":  # RFC 5746 §3.4: must be empty on the first handshake
                    raise ProtocolError(alerts.HANDSHAKE_FAILURE, "renegotiation_info not empty")
            elif ext_type == EXT_CONNECTION_ID:
                self.peer_cid = _pull_cid(data)
                self.use_cid = True
            elif ext_type == EXT_RECORD_SIZE_LIMIT:
                self.peer_record_size_limit = _pull_record_size_limit(data)
        self.server_random = sh.random
        self.cipher_suite = sh.cipher_suite
        self.extended_master_secret = ems
        if self.config.require_extended_master_secret and not ems:
            raise ProtocolError(alerts.HANDSHAKE_FAILURE, "server refused extended master secret")
        resume = self._session_to_resume
        if resume is not None and sh.session_id == resume.session_id:
            # RFC 7627 §5.3: resuming must keep the session's EMS choice.
            if sh.cipher_suite != resume.cipher_suite or ems != resume.extended_master_secret:
                raise ProtocolError(alerts.HANDSHAKE_FAILURE, "resumption changed suite or EMS")
            self.resumed = True
            self.identity = resume.identity
            self.session = resume
            self._install_keys(resume.master_secret)
            self.state = CLIENT_EXPECT_CCS
            return None
        self.session = Session(sh.session_id, b"", sh.cipher_suite, ems, b"")
        self.state = CLIENT_EXPECT_SERVER_KEY_EXCHANGE
        return None

    def _client_server_key_exchange(self, body: bytes) -> None:
        self.psk_identity_hint = decode_psk_identity(body)
        self._append(SERVER_KEY_EXCHANGE, body)
        self.state = CLIENT_EXPECT_SERVER_HELLO_DONE

    def _client_server_hello_done(self, body: bytes) -> "list[Item]":
        decode_empty(body)
        self._append(SERVER_HELLO_DONE, body)
        identity, psk = self.identity, self._psk
        if self.psk_callback is not None:
            identity, psk = self.psk_callback(self.psk_identity_hint)
        self.identity = identity
        cke = self._message(CLIENT_KEY_EXCHANGE, encode_psk_identity(identity))
        self._derive(psk_premaster_secret(psk))
        finished = self._finished(True)
        self.state = CLIENT_EXPECT_CCS
        return [cke, CCS_ITEM, finished]

    def _client_finished(self, body: bytes) -> "list[Item] | None":
        self._check_finished(body, False)
        self.state = COMPLETE
        if self.resumed:
            return [CCS_ITEM, self._finished(True)]
        return None

    # -- server ------------------------------------------------------------------

    def server_start(
        self,
        body: bytes,
        seq: int,
        psk_lookup: "Callable[[bytes], bytes | None]",
        psk_hint: bytes,
        session_cache: "Any",
        own_cid: "bytes | None",
        hello: "ClientHello | None" = None,
    ) -> "list[Item]":
        """The ClientHello that carried a valid cookie; ``seq`` its message_seq;
        ``hello`` its decoded form when the caller has it (not decoded twice)."""
        # RFC 6347 §4.2.2: after a stateless HelloVerifyRequest the server's message
        # sequence continues from the ClientHello's (OpenSSL and GnuTLS do the same).
        self.send_seq = seq
        self.psk_lookup = psk_lookup
        self.psk_identity_hint = psk_hint
        self.session_cache = session_cache
        self._own_cid = own_cid
        self.recv_seq = seq
        self._client_hello = hello
        return self.handle(CLIENT_HELLO, body) or []

    def _server_client_hello(self, body: bytes) -> "list[Item]":
        ch = self._client_hello
        if ch is None:
            ch = ClientHello.decode(body)
        self._client_hello = None  # the server needs it no longer
        self._append(CLIENT_HELLO, body)
        # DTLS version numbers count down: 0xfefd (1.2) is below 0xfeff (1.0).
        if int.from_bytes(ch.version, "big") > 0xFEFD:
            raise ProtocolError(alerts.PROTOCOL_VERSION, "client offers DTLS 1.0 only")
        if 0 not in ch.compression_methods:
            raise ProtocolError(alerts.ILLEGAL_PARAMETER, "no null compression")
        self.client_random = ch.random
        suite = 0
        for candidate in self.config.cipher_suites:  # our order of preference
            if candidate in ch.cipher_suites:
                suite = candidate
                break
        if not suite:
            raise ProtocolError(alerts.HANDSHAKE_FAILURE, "no PSK suite in common")
        self.cipher_suite = suite
        secure_reneg = SCSV_RENEGOTIATION in ch.cipher_suites
        client_ems = False
        client_cid: "bytes | None" = None
        for ext_type, data in ch.extensions:
            if ext_type == EXT_EXTENDED_MASTER_SECRET:
                if data:
                    raise ProtocolError(alerts.DECODE_ERROR, "extended_master_secret not empty")
                client_ems = True
            elif ext_type == EXT_RENEGOTIATION_INFO:
                if data != b"\x00":
                    raise ProtocolError(alerts.HANDSHAKE_FAILURE, "renegotiation_info not empty")
                secure_reneg = True
            elif ext_type == EXT_CONNECTION_ID:
                client_cid = _pull_cid(data)
            elif ext_type == EXT_RECORD_SIZE_LIMIT:
                self.peer_record_size_limit = _pull_record_size_limit(data)
        ems = client_ems and self.config.extended_master_secret
        if self.config.require_extended_master_secret and not ems:
            raise ProtocolError(
                alerts.HANDSHAKE_FAILURE, "client did not offer extended master secret"
            )
        self.extended_master_secret = ems
        exts: "list[tuple[int, bytes]]" = []
        if ems:
            exts.append((EXT_EXTENDED_MASTER_SECRET, b""))
        if secure_reneg:
            exts.append((EXT_RENEGOTIATION_INFO, b"\x00"))
        if client_cid is not None and self._own_cid is not None:
            self.peer_cid = client_cid
            self.use_cid = True
            exts.append((EXT_CONNECTION_ID, vector(1, self._own_cid)))
        if self.peer_record_size_limit is not None:
            # RFC 8449 §4: a server that understands the extension answers with its own
            # limit (the protocol maximum when it has none), and both then apply.
            own = self.config.record_size_limit or MAX_PLAINTEXT
            exts.append((EXT_RECORD_SIZE_LIMIT, own.to_bytes(2, "big")))
        self.server_random = self.config.rng(32)
        session = self._resumable(ch, ems)
        if session is not None:
            self.resumed = True
            self.session = session
            self.identity = session.identity
            flight = [
                self._message(
                    SERVER_HELLO,
                    ServerHello(self.server_random, session.session_id, suite, exts).encode(),
                )
            ]
            self._install_keys(session.master_secret)
            flight += [CCS_ITEM, self._finished(False)]
            self.state = SERVER_EXPECT_CCS
            return flight
        session_id = self.config.rng(32) if self.session_cache is not None else b""
        self.session = Session(session_id, b"", suite, ems, b"")
        flight = [
            self._message(
                SERVER_HELLO, ServerHello(self.server_random, session_id, suite, exts).encode()
            )
        ]
        if self.psk_identity_hint:  # RFC 4279 §2: omitted when there is no hint
            flight.append(
                self._message(SERVER_KEY_EXCHANGE, encode_psk_identity(self.psk_identity_hint))
            )
        flight.append(self._message(SERVER_HELLO_DONE, b""))
        self.state = SERVER_EXPECT_CLIENT_KEY_EXCHANGE
        return flight

    def _resumable(self, ch: ClientHello, ems: bool) -> "Session | None":
        if not ch.session_id or self.session_cache is None:
            return None
        session: "Session | None" = self.session_cache.get(ch.session_id)
        if session is None or session.cipher_suite != self.cipher_suite:
            return None
        if session.extended_master_secret != ems:
            return None  # RFC 7627 §5.3: fall back to a full handshake
        assert self.psk_lookup is not None
        if self.psk_lookup(session.identity) is None:
            return None  # the identity was revoked since: authenticate afresh
        return session

    def _server_client_key_exchange(self, body: bytes) -> None:
        identity = decode_psk_identity(body)
        self._append(CLIENT_KEY_EXCHANGE, body)
        assert self.psk_lookup is not None
        psk = self.psk_lookup(identity)
        if psk is None:
            psk = self.config.rng(16)  # fail at Finished, like a wrong key would
        self.identity = identity
        self._derive(psk_premaster_secret(psk))
        self.state = SERVER_EXPECT_CCS

    def _server_finished(self, body: bytes) -> "list[Item] | None":
        self._check_finished(body, True)
        self.state = COMPLETE
        if self.resumed:
            return None
        flight = [CCS_ITEM, self._finished(False)]
        if self.session is not None and self.session.session_id and self.session_cache is not None:
            self.session_cache.put(self.session)
        return flight

    # -- shared ------------------------------------------------------------------

    def _message(self, msg_type: int, body: bytes) -> "Item":
        seq = self.send_seq
        if seq > 0xFFFF:
            # RFC 6347 §4.2.2: message_seq is 16 bits, and a server continues from the
            # ClientHello's: a peer that started near the top leaves no room for ours.
            raise ProtocolError(alerts.HANDSHAKE_FAILURE, "message_seq beyond 65535")
        self.send_seq = seq + 1
        whole = whole_message(msg_type, seq, body)
        self.transcript += whole
        # The unfragmented form goes with the item: it is also the record payload
        # whenever the message fits in one record.
        return (HANDSHAKE, msg_type, seq, body, whole)

    def _append(self, msg_type: int, body: bytes) -> None:
        """A received message, at the sequence number the connection delivered it."""
        whole = self.recv_whole
        if whole is None:
            whole = whole_message(msg_type, self.recv_seq, body)
        self.recv_whole = None
        self.transcript += whole

    def _derive(self, premaster: bytes) -> None:
        backend = self.config.backend
        if self.extended_master_secret:
            # RFC 7627 §4: session_hash covers the transcript up to ClientKeyExchange.
            seed = self._transcript_hash()
        else:
            seed = self.client_random + self.server_random
        master = master_secret(backend, premaster, seed, self.extended_master_secret)
        assert self.session is not None
        self.session.master_secret = master
        self.session.identity = self.identity
        self._install_keys(master)

    def _install_keys(self, master: bytes) -> None:
        self.master_secret = master
        backend = self.config.backend
        # One HMAC key setup for the key block and both Finished (RFC 5246 §6.3, §7.4.9).
        self._master_key = keyed = backend.hmac_sha256_key(master)
        mac_len, key_len, iv_len = key_lengths(self.cipher_suite)
        cmac, smac, ckey, skey, civ, siv = derive_keys(
            backend, master, self.client_random, self.server_random, mac_len, key_len, iv_len, keyed
        )
        rng = self.config.rng
        client = protection(self.cipher_suite, backend, cmac, ckey, civ, rng)
        server = protection(self.cipher_suite, backend, smac, skey, siv, rng)
        self.write_protection, self.read_protection = (
            (client, server) if self.role == CLIENT else (server, client)
        )
        if self.config.keylog is not None:
            # NSS key log format, read by Wireshark.
            self.config.keylog(
                "CLIENT_RANDOM %s %s"
                % (hexlify(self.client_random).decode(), hexlify(master).decode())
            )

    def _transcript_hash(self) -> bytes:
        """SHA-256 of the transcript so far. The EMS session hash (RFC 7627 §3) and the
        client's Finished (RFC 5246 §7.4.9) hash the same messages, up to the
        ClientKeyExchange: hashed once. The transcript only grows between hashes (it is
        replaced only before the first), so its length tells whether it changed."""
        n = len(self.transcript)
        if self._hashed[0] != n:
            self._hashed = (n, self.config.backend.sha256(self.transcript))
        return self._hashed[1]

    def _finished(self, from_client: bool) -> "Item":
        backend = self.config.backend
        data = verify_data(
            backend,
            self.master_secret,
            from_client,
            self._transcript_hash(),
            self._master_key,
        )
        return self._message(FINISHED, data)

    def _check_finished(self, body: bytes, from_client: bool) -> None:
        got = decode_finished(body)
        backend = self.config.backend
        want = verify_data(
            backend,
            self.master_secret,
            from_client,
            self._transcript_hash(),
            self._master_key,
        )
        self._append(FINISHED, body)
        if not ct_equal(got, want):
            raise ProtocolError(alerts.DECRYPT_ERROR, "Finished does not verify (wrong key?)")


# TRANSITIONS with each name resolved once to its function: handle() calls it with no
# getattr and no bound method per message.
_HANDLERS: "dict[tuple[int, int], Callable[[Handshake, bytes], list[Item] | None]]" = {
    key: getattr(Handshake, name) for key, name in TRANSITIONS.items()
}


def _pull_cid(data: bytes) -> bytes:
    r = Reader(data)
    cid = r.pull_vector(1)
    r.done()
    return cid


def _pull_record_size_limit(data: bytes) -> int:
    r = Reader(data)
    value = r.pull_uint(2)
    r.done()
    if value < 64:  # RFC 8449 §4
        raise ProtocolError(alerts.ILLEGAL_PARAMETER, "record_size_limit below 64")
    return value


def _msg_name(msg_type: int) -> str:
    return MSG_NAMES.get(msg_type, "message type %d" % msg_type)
