"""One DTLS association, either role: the record layer's epochs and replay windows,
handshake reassembly and in-order delivery, flights and their retransmission, alerts,
and application data. The handshake logic itself is ``handshake.Handshake``;
``DtlsClient`` and ``DtlsServer`` put this behind the sans-IO face.

Records are processed one by one (RFC 6347 §4.1.2.7): a record that does not parse,
does not authenticate, is a replay, or belongs to an epoch we do not read is dropped
without a word. Remote protocol violations inside authentic data end the handshake
with a fatal alert and an event; nothing raises out of ``receive_records``.
"""

from dtls_psk import alerts
from dtls_psk.errors import DecodeError, ProtocolError, UsageError
from dtls_psk.events import (
    AlertReceived,
    ApplicationData,
    ConnectionClosed,
    HandshakeCompleted,
    HandshakeFailed,
    PeerAddressChanged,
)
from dtls_psk.handshake import CLIENT, COMPLETE, SERVER, Handshake
from dtls_psk.messages import (
    CLIENT_HELLO,
    HANDSHAKE_HEADER_LEN,
    HELLO_REQUEST,
    push_fragment,
    split_fragments,
    unpack_fragment_header,
    whole_message,
)
from dtls_psk.records import (
    ALERT,
    APPLICATION_DATA,
    CHANGE_CIPHER_SPEC,
    HANDSHAKE,
    HEADER_LEN,
    MAX_PLAINTEXT,
    MAX_SEQ,
    Record,
    pack_record_header,
)

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any

    from dtls_psk.config import Config
    from dtls_psk.handshake import Item
    from dtls_psk.messages import ClientHello
    from dtls_psk.session import Session

HANDSHAKING = 0
ESTABLISHED = 1
CLOSED = 2
NAMES = {HANDSHAKING: "HANDSHAKING", ESTABLISHED: "ESTABLISHED", CLOSED: "CLOSED"}

MAX_HANDSHAKE_MESSAGE = 16384  # far above any PSK handshake message; bounds reassembly memory
_REASSEMBLY_WINDOW = 8  # messages ahead of the next expected one that we keep
_EARLY_RECORDS = 8  # next-epoch records kept until the ChangeCipherSpec arrives
_MAX_QUEUED = 16  # application records queued while the handshake runs
_MASK64 = (1 << 64) - 1  # the 64-entry replay window (RFC 6347 §4.1.2.6)


class _Partial:
    """A handshake message being reassembled from fragments (RFC 6347 §4.2.3)."""

    __slots__ = ("body", "epoch", "have", "length", "missing", "msg_type")

    def __init__(self, msg_type: int, length: int, epoch: int) -> None:
        self.msg_type = msg_type
        self.length = length
        self.epoch = epoch
        self.body = bytearray(length)
        self.have = bytearray(length)
        self.missing = length

    def add(self, offset: int, data: bytes) -> None:
        end = offset + len(data)
        self.body[offset:end] = data
        # Count the bytes this fragment adds, then mark them (slice ops, no byte loop).
        self.missing -= len(data) - self.have[offset:end].count(b"\x01")
        self.have[offset:end] = b"\x01" * len(data)


class Connection:
    """A DTLS association with one peer; see the module docstring."""

    __slots__ = (
        "_early",
        "_partials",
        "_queued",
        "_retransmitted",
        "addr",
        "config",
        "events",
        "flight",
        "flight_boundary",
        "flight_epoch",
        "hs",
        "hs_deadline_ms",
        "next_recv_seq",
        "out",
        "own_cid",
        "read_epoch",
        "read_states",
        "retx_deadline_ms",
        "role",
        "rto_ms",
        "state",
        "write_epoch",
        "write_states",
    )

    def __init__(
        self, role: int, config: "Config", addr: "Any", now_ms: int, own_cid: "bytes | None"
    ) -> None:
        self.role = role
        self.config = config
        self.addr = addr
        self.own_cid = own_cid
        self.state = HANDSHAKING
        self.hs = Handshake(role, config)
        self.events: "list[Any]" = []
        self.out: "list[bytes]" = []
        self.read_epoch = 0
        # epoch -> [protection, top, bits]: the replay window (RFC 6347 §4.1.2.6), the
        # highest sequence number seen and a bitmap of the 64 below it (bit i: top - i
        # received), kept in the list itself and read and written inline per record.
        self.read_states: "dict[int, list[Any]]" = {0: [None, -1, 0]}
        self.write_epoch = 0
        # epoch -> [protection, next record number, fragment room (see _fragment_room)]
        self.write_states: "dict[int, list[Any]]" = {
            0: [None, 0, config.mtu - HEADER_LEN - HANDSHAKE_HEADER_LEN]
        }
        self.next_recv_seq = 0
        self._partials: "dict[int, _Partial]" = {}
        self._early: "list[Record]" = []
        self._queued: "list[bytes]" = []
        self.flight: "list[Item]" = []
        self.flight_epoch = 0
        self.flight_boundary = 0
        self.rto_ms = config.retransmit_initial_ms
        self.retx_deadline_ms: "int | None" = None
        self._retransmitted = False
        self.hs_deadline_ms = now_ms + config.handshake_timeout_ms

    # -- starting ----------------------------------------------------------------

    def start_client(
        self,
        now_ms: int,
        identity: bytes,
        psk: bytes,
        psk_callback: "Callable[[bytes], tuple[bytes, bytes]] | None",
        session: "Session | None",
    ) -> None:
        self._send_flight(self.hs.client_start(identity, psk, psk_callback, session), now_ms)

    def start_server(
        self,
        body: bytes,
        msg_seq: int,
        record_seq: int,
        now_ms: int,
        psk_lookup: "Callable[[bytes], bytes | None]",
        psk_hint: bytes,
        session_cache: "Any",
        hello: "ClientHello | None" = None,
    ) -> None:
        """Begin with the ClientHello that carried a valid cookie (``hello``: its
        decoded form, when the caller has it)."""
        # RFC 6347 §4.2.1: continue the record sequence the stateless exchange used.
        self.write_states[0][1] = record_seq
        self.read_states[0][1:] = [record_seq, 1]  # the window: that one record seen
        self.next_recv_seq = msg_seq + 1
        try:
            flight = self.hs.server_start(
                body, msg_seq, psk_lookup, psk_hint, session_cache, self.own_cid, hello
            )
        except ProtocolError as exc:
            self._fail(exc.description, exc.reason)
            return
        self._send_flight(flight, now_ms)

    # -- the host's calls ----------------------------------------------------------

    def get_timer(self) -> "int | None":
        if self.state != HANDSHAKING:
            return None
        if self.retx_deadline_ms is None:
            return self.hs_deadline_ms
        return min(self.retx_deadline_ms, self.hs_deadline_ms)

    def handle_timer(self, now_ms: int) -> None:
        if self.state != HANDSHAKING:
            return
        if now_ms >= self.hs_deadline_ms:
            self.state = CLOSED
            self.retx_deadline_ms = None
            self.events.append(HandshakeFailed(self.addr, "handshake timed out", None))
            return
        if self.retx_deadline_ms is not None and now_ms >= self.retx_deadline_ms:
            # RFC 6347 §4.2.4.1: double the timer up to the maximum at each retransmission.
            self.rto_ms = min(self.rto_ms * 2, self.config.retransmit_max_ms)
            self._retransmitted = True
            self._transmit_flight()
            self.retx_deadline_ms = now_ms + self.rto_ms

    def send_application_data(self, data: bytes) -> None:
        if self.state == CLOSED:
            raise UsageError("the connection is closed")
        if len(data) > self.max_send_size():
            raise UsageError(
                "%d bytes exceed the record limit of %d" % (len(data), self.max_send_size())
            )
        if self.state == HANDSHAKING:
            if len(self._queued) >= _MAX_QUEUED:
                raise UsageError("too much data queued before the handshake completed")
            self._queued.append(bytes(data))
            return
        self.out.append(self._seal(self.write_epoch, APPLICATION_DATA, data))

    def max_send_size(self) -> int:
        """The largest application record the peer accepts (RFC 8449 §4)."""
        limit = self.hs.peer_record_size_limit
        return MAX_PLAINTEXT if limit is None else min(limit, MAX_PLAINTEXT)

    def close(self) -> None:
        """Send close_notify (RFC 5246 §7.2.1) and stop."""
        if self.state == CLOSED:
            return
        was = self.state
        self._send_alert(alerts.WARNING, alerts.CLOSE_NOTIFY)
        self.state = CLOSED
        self.retx_deadline_ms = None
        if was == ESTABLISHED:
            self.events.append(ConnectionClosed(self.addr, "closed locally"))
        else:
            self.events.append(HandshakeFailed(self.addr, "closed locally", alerts.CLOSE_NOTIFY))

    # -- receiving -----------------------------------------------------------------

    def receive_records(
        self,
        records: "list[Record]",
        now_ms: int,
        addr: "Any",
        retransmitted: "list[bool] | None" = None,
    ) -> None:
        """Process the records of one datagram that came from ``addr``. ``retransmitted``
        is shared by the records of one datagram: a repeated flight is answered once."""
        if retransmitted is None:
            retransmitted = [False]
        # One loop body per record, no call per record: this is the path of every
        # handshake record and every application record.
        for rec in records:
            if self.state == CLOSED:
                return
            epoch = rec.epoch
            st = self.read_states.get(epoch)
            if st is None:
                if (
                    self.state == HANDSHAKING
                    and epoch == self.read_epoch + 1
                    and len(self._early) < _EARLY_RECORDS
                ):
                    self._early.append(rec)  # reordered ahead of the ChangeCipherSpec
                continue
            prot, top, bits = st
            # RFC 6347 §4.1.2.6: replay or too old (inline: a call costs more than the
            # test itself).
            seq = rec.seq
            if seq <= top and (top - seq >= 64 or (bits >> (top - seq)) & 1):
                continue
            cid = rec.cid
            if prot is None:
                if cid is not None:
                    continue  # RFC 9146 §4: tls12_cid only in protected records
                ctype, plain = rec.content_type, rec.fragment
            else:
                if cid is not None and (not self.own_cid or cid != self.own_cid):
                    continue
                opened = prot.open(rec)
                if opened is None:
                    self._unauthentic(rec)
                    continue
                ctype, plain = opened
            newest = seq > top
            if newest:  # marked only once the record authenticated
                shift = seq - top
                st[2] = ((bits << shift) | 1) & _MASK64 if shift < 64 else 1
                st[1] = seq
            else:
                st[2] = bits | 1 << (top - seq)
            limit = MAX_PLAINTEXT
            if self.hs.peer_record_size_limit is not None and self.config.record_size_limit:
                limit = self.config.record_size_limit  # RFC 8449 §4: only once both sent it
            if len(plain) > limit:
                continue  # RFC 5246 §6.2.1 record_overflow: dropped in DTLS
            if cid is not None and newest and addr != self.addr and self.state == ESTABLISHED:
                # RFC 9146 §6: move to the new address only for an authentic, newest record.
                old = self.addr
                self.addr = addr
                self.events.append(PeerAddressChanged(addr, old))
            if ctype == HANDSHAKE:
                if len(plain) >= HANDSHAKE_HEADER_LEN and not self._partials:
                    # The usual record: exactly one whole message (offset 0,
                    # fragment_length = length, filling the record), the next one
                    # expected, nothing being reassembled. Read from its header alone
                    # and delivered with the record's bytes as its unfragmented form
                    # for the transcript; anything else goes through _on_handshake.
                    w0, mseq, w2, w3 = unpack_fragment_header(plain, 0)
                    length = w0 & 0xFFFFFF
                    if (
                        mseq == self.next_recv_seq
                        and length + HANDSHAKE_HEADER_LEN == len(plain)
                        and w2 == length >> 16
                        and w3 == length & 0xFFFF
                    ):
                        self.next_recv_seq = mseq + 1
                        self._deliver(
                            w0 >> 24, mseq, plain[HANDSHAKE_HEADER_LEN:], epoch, now_ms, plain
                        )
                        continue
                self._on_handshake(epoch, plain, now_ms, retransmitted)
            elif ctype == APPLICATION_DATA:
                if self._accepts_data(epoch):
                    if self.role == SERVER and self.flight:
                        self.flight = []  # the client has our Finished: no more retransmission
                    self.events.append(ApplicationData(self.addr, plain))
            elif ctype == CHANGE_CIPHER_SPEC:
                self._on_change_cipher_spec(epoch, plain, now_ms, addr, retransmitted)
            elif ctype == ALERT:
                self._on_alert(epoch, plain)

    def _accepts_data(self, epoch: int) -> bool:
        # Application data only once established, and only protected under the
        # current keys: before Finished it is dropped (RFC 6347 §4.1.2.4 allows no more).
        return self.state == ESTABLISHED and epoch == self.read_epoch and epoch > 0

    def _unauthentic(self, rec: Record) -> None:
        # A protected record of the new epoch that fails authentication while we wait
        # for the peer's Finished means the peer derived other keys: a wrong PSK, or an
        # unknown identity (which we must not tell apart). Fail now rather than at the
        # timeout; the alert goes in the epoch we write.
        if self.state == HANDSHAKING and rec.epoch == self.read_epoch > 0:
            self._fail(alerts.BAD_RECORD_MAC, "peer's Finished does not authenticate (wrong key?)")

    def _on_handshake(
        self, epoch: int, plain: bytes, now_ms: int, retransmitted: "list[bool]"
    ) -> None:
        try:
            fragments = split_fragments(plain)
        except DecodeError as exc:
            self._fail(alerts.DECODE_ERROR, "bad handshake fragment: %s" % exc)
            return
        for msg_type, length, seq, offset, body, start in fragments:
            if seq < self.next_recv_seq:
                # RFC 6347 §4.2.4: the peer repeats its previous flight, so ours was lost.
                if seq < self.flight_boundary and self.flight and not retransmitted[0]:
                    retransmitted[0] = True
                    self._transmit_flight()
                continue
            if seq >= self.next_recv_seq + _REASSEMBLY_WINDOW or length > MAX_HANDSHAKE_MESSAGE:
                continue
            if seq == self.next_recv_seq and len(body) == length and seq not in self._partials:
                # The next message, whole in one fragment: delivered now, without a
                # reassembly buffer; its bytes as received are also its unfragmented
                # form for the transcript.
                self.next_recv_seq += 1
                whole = plain[start : start + HANDSHAKE_HEADER_LEN + length]
                self._deliver(msg_type, seq, body, epoch, now_ms, whole)
                if self.state == CLOSED:
                    return
                continue
            partial = self._partials.get(seq)
            if partial is None:
                partial = self._partials[seq] = _Partial(msg_type, length, epoch)
            elif (partial.msg_type, partial.length, partial.epoch) != (msg_type, length, epoch):
                continue  # fragments that disagree with the first one seen
            partial.add(offset, body)
        while self._partials and self.state != CLOSED:
            partial = self._partials.get(self.next_recv_seq)
            if partial is None or partial.missing:
                break
            del self._partials[self.next_recv_seq]
            seq = self.next_recv_seq
            self.next_recv_seq += 1
            body = bytes(partial.body)
            self._deliver(
                partial.msg_type,
                seq,
                body,
                partial.epoch,
                now_ms,
                whole_message(partial.msg_type, seq, body),
            )

    def _deliver(
        self, msg_type: int, seq: int, body: bytes, epoch: int, now_ms: int, whole: bytes
    ) -> None:
        if self.state == ESTABLISHED:
            if (self.role == CLIENT and msg_type == HELLO_REQUEST) or (
                self.role == SERVER and msg_type == CLIENT_HELLO
            ):
                # RFC 5746 §4.2 / §4.4: renegotiation is refused with a warning.
                self._send_alert(alerts.WARNING, alerts.NO_RENEGOTIATION)
                return
            self._fail(alerts.UNEXPECTED_MESSAGE, "handshake message after the handshake")
            return
        if epoch != self.read_epoch:
            self._fail(
                alerts.UNEXPECTED_MESSAGE,
                "handshake message in epoch %d, reading %d" % (epoch, self.read_epoch),
            )
            return
        self.hs.recv_seq = seq
        self.hs.recv_whole = whole
        try:
            flight = self.hs.handle(msg_type, body)
        except ProtocolError as exc:
            self._fail(exc.description, exc.reason)
            return
        if self.hs.state == COMPLETE:
            if flight:
                self._send_flight(flight, now_ms)
                self.retx_deadline_ms = None  # the last flight waits for the peer's repeat
            else:
                self.flight = []
                self.retx_deadline_ms = None
            self._complete()
        elif flight:
            self._send_flight(flight, now_ms)

    def _on_change_cipher_spec(
        self, epoch: int, plain: bytes, now_ms: int, addr: "Any", retransmitted: "list[bool]"
    ) -> None:
        if plain != b"\x01":
            self._fail(alerts.DECODE_ERROR, "malformed ChangeCipherSpec")
            return
        if epoch < self.read_epoch:
            return  # a repeat of a ChangeCipherSpec we already acted on
        if (
            self.state == HANDSHAKING
            and self.hs.expects_ccs()
            and self.next_recv_seq not in self._partials
        ):
            self.hs.handle_ccs()
            self.read_epoch += 1
            self.read_states[self.read_epoch] = [self.hs.read_protection, -1, 0]
            early, self._early = self._early, []
            if early:
                self.receive_records(early, now_ms, addr, retransmitted)
            return
        if epoch == 0 and self.state == HANDSHAKING:
            return  # possibly reordered ahead of its flight: the peer will repeat it
        self._fail(alerts.UNEXPECTED_MESSAGE, "ChangeCipherSpec out of place")

    def _on_alert(self, epoch: int, plain: bytes) -> None:
        if len(plain) != 2:
            return
        if self.state == ESTABLISHED and epoch < self.read_epoch:
            return  # unauthenticated: ignored once the connection is protected
        level, description = plain[0], plain[1]
        self.events.append(AlertReceived(self.addr, level, description))
        if description == alerts.CLOSE_NOTIFY:
            was = self.state
            if was == ESTABLISHED:
                self._send_alert(alerts.WARNING, alerts.CLOSE_NOTIFY)  # RFC 5246 §7.2.1
            self.state = CLOSED
            self.retx_deadline_ms = None
            if was == ESTABLISHED:
                self.events.append(ConnectionClosed(self.addr, "peer sent close_notify"))
            else:
                self.events.append(
                    HandshakeFailed(self.addr, "peer sent close_notify", description)
                )
        elif level == alerts.FATAL:
            was = self.state
            self.state = CLOSED
            self.retx_deadline_ms = None
            reason = "peer sent fatal alert " + alerts.describe(description)
            if was == ESTABLISHED:
                self.events.append(ConnectionClosed(self.addr, reason))
            else:
                self.events.append(HandshakeFailed(self.addr, reason, description))

    # -- state changes -------------------------------------------------------------

    def _complete(self) -> None:
        hs = self.hs
        self.state = ESTABLISHED
        self._partials = {}
        self._early = []
        hs.transcript = bytearray()  # no longer needed: free it on busy servers
        self.events.append(
            HandshakeCompleted(
                self.addr,
                hs.cipher_suite,
                hs.identity,
                hs.psk_identity_hint,
                hs.extended_master_secret,
                hs.resumed,
                hs.use_cid,
                hs.session,
            )
        )
        queued, self._queued = self._queued, []
        for data in queued:
            self.out.append(self._seal(self.write_epoch, APPLICATION_DATA, data))

    def _fail(self, description: int, reason: str) -> None:
        was = self.state
        self._send_alert(alerts.FATAL, description)
        self.state = CLOSED
        self.retx_deadline_ms = None
        if was == ESTABLISHED:
            self.events.append(ConnectionClosed(self.addr, reason))
        else:
            self.events.append(HandshakeFailed(self.addr, reason, description))

    # -- sending -------------------------------------------------------------------

    def _send_alert(self, level: int, description: int) -> None:
        self.out.append(self._seal(self.write_epoch, ALERT, bytes((level, description))))

    def _seal(self, epoch: int, ctype: int, payload: bytes) -> bytes:
        st = self.write_states[epoch]
        seq = st[1]
        if seq > MAX_SEQ:
            # RFC 6347 §4.1: a sequence number never wraps; this association is spent.
            raise UsageError("record sequence numbers exhausted in epoch %d" % epoch)
        st[1] = seq + 1
        prot = st[0]
        if prot is None:
            # RFC 6347 §4.2.1: a client writes DTLS 1.0 until the server chose 1.2.
            version = 0xFEFF if self.role == CLIENT and not self.hs.server_random else 0xFEFD
            return pack_record_header(ctype, version, (epoch << 48) | seq, len(payload)) + payload
        cid = self.hs.peer_cid if self.hs.use_cid else None
        return prot.seal(ctype, epoch, seq, payload, cid)  # type: ignore[no-any-return]

    def _send_flight(self, items: "list[Item]", now_ms: int) -> None:
        # The flight is kept as the handshake made it, with the epoch it starts in;
        # each ChangeCipherSpec in it moves to the next epoch (installed here, once).
        self.flight_epoch = epoch = self.write_epoch
        for item in items:
            if item[0] == CHANGE_CIPHER_SPEC:
                epoch += 1
                st = self.write_states[epoch] = [self.hs.write_protection, 0, 0]
                # Fixed from here on: the suite, CID and record size limit are agreed.
                st[2] = self._fragment_room(epoch)
        self.write_epoch = epoch
        self.flight = items
        self.flight_boundary = self.next_recv_seq
        if not self._retransmitted:
            self.rto_ms = self.config.retransmit_initial_ms  # RFC 6347 §4.2.4.1: no loss
        self._retransmitted = False
        self._transmit_flight()
        self.retx_deadline_ms = now_ms + self.rto_ms

    def _transmit_flight(self) -> None:
        """(Re)send the current flight: fresh record numbers, packed up to the MTU.

        RFC 6347 §4.2.3: handshake messages of one flight may share a record when
        there is room, so consecutive whole messages of one epoch go in one record
        (ServerHello and ServerHelloDone: one record to seal and to parse, not two)."""
        epoch = self.flight_epoch
        room = self.write_states[epoch][2]
        flight = self.flight
        if len(flight) == 1 and flight[0][0] == HANDSHAKE and len(flight[0][3]) <= room:
            # A flight of one message that fits (each ClientHello): one record.
            self.out.append(self._seal(epoch, HANDSHAKE, flight[0][4]))
            return
        mtu = self.config.mtu
        records = []
        packed = b""  # whole messages waiting to share a record
        for ctype, msg_type, seq, body, whole in flight:
            if ctype != HANDSHAKE:
                if packed:
                    records.append(self._seal(epoch, HANDSHAKE, packed))
                    packed = b""
                records.append(self._seal(epoch, ctype, body))
                if ctype == CHANGE_CIPHER_SPEC:
                    epoch += 1
                    room = self.write_states[epoch][2]
                continue
            size = len(body)
            if size <= room:  # the usual case: the whole message fits one record
                if packed and len(packed) + len(whole) > room + HANDSHAKE_HEADER_LEN:
                    records.append(self._seal(epoch, HANDSHAKE, packed))
                    packed = b""
                packed += whole
                continue
            if packed:
                records.append(self._seal(epoch, HANDSHAKE, packed))
                packed = b""
            for offset in range(0, size, room):  # RFC 6347 §4.2.3: fit the MTU
                chunk = body[offset : offset + room]
                records.append(
                    self._seal(epoch, HANDSHAKE, push_fragment(msg_type, size, seq, offset, chunk))
                )
        if packed:
            records.append(self._seal(epoch, HANDSHAKE, packed))
        if len(records) < 2:
            self.out.extend(records)
            return
        datagram = b"".join(records)
        if len(datagram) <= mtu:  # the usual case: the whole flight in one datagram
            self.out.append(datagram)
            return
        out = self.out
        datagram = records[0]
        for rec in records[1:]:
            if len(datagram) + len(rec) > mtu:
                out.append(datagram)
                datagram = rec
            else:
                datagram += rec
        out.append(datagram)

    def _fragment_room(self, epoch: int) -> int:
        """The largest handshake fragment body a record of ``epoch`` carries in one MTU."""
        room = self.config.mtu - HEADER_LEN - HANDSHAKE_HEADER_LEN
        prot = self.write_states[epoch][0]
        if prot is not None:
            room -= prot.overhead
            cid = self.hs.peer_cid if self.hs.use_cid else None
            if cid:
                room -= len(cid) + 1
            limit = self.hs.peer_record_size_limit
            if limit is not None:
                room = min(room, limit - HANDSHAKE_HEADER_LEN)
        return max(room, 1)  # a degenerate MTU still makes progress
