"""The sans-IO CoAP endpoint: message layer, block-wise transfer, observe, both roles.

Theory of operation
-------------------
One :class:`Endpoint` serves one socket (or one DTLS session): it is a client (requests
it sends with :meth:`Endpoint.send_request`) and a server (requests it receives, answered
with :meth:`Endpoint.respond`) at the same time. Peers are opaque hashable values the
host chooses (a ``(host, port)`` tuple, a DTLS session handle, ...).

The host feeds datagrams with :meth:`receive_datagram`, sends what
:meth:`datagrams_to_send` returns, calls :meth:`handle_timer` once :meth:`get_timer`'s
deadline passed, and drains :meth:`next_event`. Time is integer milliseconds from the
host; randomness (message ids, tokens, retransmission jitter) comes from ``rng(n)``.

Sublayers, from the wire up (RFC 7252 §4 then RFC 7959 and RFC 7641):

* deduplication: every CON and NON received is remembered by (peer, message id) for
  EXCHANGE_LIFETIME / NON_LIFETIME with the reply that was sent, which is replayed for a
  duplicate; the memory is bounded by ``dedup_limit`` entries (oldest evicted first).
* reliability: CON messages we send (requests, separate responses, notifications) are
  retransmitted with exponential back-off until an ACK or RST with their message id
  arrives from that peer. A CON request we cannot process is answered with RST.
* request/response matching by (peer, token); at most ``params.nstart`` requests
  outstanding per peer, the rest queued in order.
* block-wise: large request bodies go out block by block (Block1), large response
  bodies are fetched block by block (Block2) and delivered whole; on the server side
  Block1 bodies are reassembled, Block2 bodies sliced from what the application gives.
* observe: observations we registered deliver notifications filtered by freshness;
  observations we serve are driven by the application with :meth:`notify`.
"""

from binascii import crc32

from coap import codes, types
from coap.blockwise import (
    BoundedCache,
    CachedBody,
    Reassembly,
    slice_body,
    szx_for_offset,
    transfer_key,
)
from coap.events import (
    BlockReceived,
    DatagramRejected,
    NotificationReceived,
    ObservationCancelled,
    ObservationEnded,
    RequestFailed,
    RequestReceived,
    RequestTimedOut,
    ResetReceived,
    ResponseReceived,
)
from coap.message import Message, MessageFormatError, decode
from coap.observe import SEQUENCE_MODULO, Observation, is_fresh
from coap.params import TransmissionParams

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any

    Peer = Any
    Event = Any


# Request states
QUEUED = 0  # waiting for an NSTART slot
WAITING = 1  # sent, no final response yet
OBSERVING = 2  # registered observation: notifications keep coming
DONE = 3


class Request:
    """Client side handle of one request: returned by ``send_request``, carried by events.

    ``tag`` is free for the caller. ``state`` is QUEUED, WAITING, OBSERVING or DONE.
    """

    __slots__ = (
        "_b1_szx",
        "_b2_body",
        "_b2_etag",
        "_b2_next",
        "_b2_szx",
        "_cancelling",
        "_deadline_ms",
        "_mid",
        "_obs_ms",
        "_obs_seq",
        "_parent",
        "body",
        "message",
        "peer",
        "state",
        "stream",
        "tag",
        "token",
    )

    def __init__(self, peer: "Peer", message: Message, stream: bool) -> None:
        self.peer = peer
        self.message = message  # the request as sent, first block's options
        self.body = message.payload  # the whole request body
        self.token = message.token
        self.stream = stream
        self.state = QUEUED
        self.tag: Any = None
        self._mid = -1
        self._deadline_ms: int | None = None
        self._b1_szx = 6
        self._b2_body: bytearray | None = None  # None until the first block arrives
        self._b2_next = 0  # the offset of the block expected next
        self._b2_etag: bytes | None = None
        self._b2_szx = 6
        self._obs_seq = -1
        self._obs_ms = 0
        self._cancelling = False
        self._parent: Request | None = None  # the observation a Block2 fetch belongs to

    @property
    def observing(self) -> bool:
        return self.state == OBSERVING

    def __repr__(self) -> str:
        return "<Request %s %s to %r token=%s state=%d>" % (
            codes.code_name(self.message.code), self.message.uri_path_text, self.peer,
            self.token.hex(), self.state,
        )


class _Outgoing:
    """A CON message in flight, retransmitted until acknowledged (RFC 7252 §4.2)."""

    __slots__ = ("data", "deadline_ms", "mid", "owner", "peer", "retransmits", "timeout_ms")

    def __init__(self, peer: "Peer", mid: int, data: bytes, owner: "Any", timeout_ms: int,
                 now_ms: int) -> None:
        self.peer = peer
        self.mid = mid
        self.data = data
        self.owner = owner  # Request, Observation, or None for a separate response
        self.timeout_ms = timeout_ms
        self.retransmits = 0
        self.deadline_ms = now_ms + timeout_ms


class _Incoming:
    """A request received and not answered yet (server side)."""

    __slots__ = (
        "ack_deadline_ms",
        "acked",
        "mid",
        "peer",
        "prior_sequence",
        "request",
        "responded",
        "type",
    )

    def __init__(self, peer: "Peer", request: Message) -> None:
        self.peer = peer
        self.request = request
        self.mid = request.mid
        self.type = request.type
        self.acked = False
        self.responded = False
        self.ack_deadline_ms: int | None = None
        self.prior_sequence = -1  # a re-registration continues the observation's numbers


class _Seen:
    """Deduplication record: the reply sent for a received message id (None: none yet)."""

    __slots__ = ("expires_ms", "reply")

    def __init__(self, expires_ms: int) -> None:
        self.expires_ms = expires_ms
        self.reply: bytes | None = None


class Endpoint:
    """A CoAP endpoint over one datagram transport; see the module docstring.

    Tunables: ``params`` (RFC 7252 §4.8), ``block_szx`` (preferred block size exponent,
    0-6 = 16-1024 bytes), ``max_body_size`` (Block1 / Block2 reassembly limit),
    ``dedup_limit`` (remembered message ids), ``ack_delay_ms`` (empty ACK for a CON
    request the application has not answered yet), ``token_length``,
    ``observe_con_every`` / ``observe_con_interval_ms`` (RFC 7641 §4.5: a CON
    notification at least this often), ``max_reassemblies_per_peer``,
    ``block2_cache_limit``, ``response_timeout_ms`` (how long to wait for a separate
    or NON response).
    """

    def __init__(
        self,
        rng: "Callable[[int], bytes]",
        params: "TransmissionParams | None" = None,
        block_szx: int = 6,
        max_body_size: int = 1 << 20,
        dedup_limit: int = 1024,
        ack_delay_ms: int = 1000,
        token_length: int = 4,
        observe_con_every: int = 20,
        observe_con_interval_ms: int = 86400000,
        max_reassemblies_per_peer: int = 4,
        block2_cache_limit: int = 16,
        response_timeout_ms: "int | None" = None,
    ) -> None:
        if not 0 <= block_szx <= 6:
            raise ValueError("block_szx is 0-6 (16-1024 bytes)")
        if not 1 <= token_length <= 8:
            raise ValueError("token_length is 1-8")
        self.rng = rng
        self.params = params or TransmissionParams()
        self.block_szx = block_szx
        self.max_body_size = max_body_size
        self.dedup_limit = dedup_limit
        self.ack_delay_ms = ack_delay_ms
        self.token_length = token_length
        self.observe_con_every = observe_con_every
        self.observe_con_interval_ms = observe_con_interval_ms
        self.max_reassemblies_per_peer = max_reassemblies_per_peer
        self.response_timeout_ms = (
            self.params.exchange_lifetime_ms if response_timeout_ms is None
            else response_timeout_ms
        )
        self._out: list[tuple[Peer, bytes]] = []
        self._events: list[Event] = []
        self._next_mid: dict[Peer, int] = {}
        self._outgoing: dict[tuple[Peer, int], _Outgoing] = {}
        self._requests: dict[tuple[Peer, bytes], Request] = {}
        self._active: dict[Peer, int] = {}
        self._queued: dict[Peer, list[Request]] = {}
        self._seen: dict[tuple[Peer, int], _Seen] = {}
        self._seen_order: list[tuple[tuple[Peer, int], _Seen]] = []
        self._seen_head = 0
        self._incoming: dict[tuple[Peer, int], _Incoming] = {}
        self._observations: dict[tuple[Peer, bytes], Observation] = {}
        self._reassemblies: dict[Peer, BoundedCache] = {}
        self._block2_cache = BoundedCache(block2_cache_limit)

    # -- the sans-IO face -------------------------------------------------------------

    def datagrams_to_send(self) -> "list[tuple[Peer, bytes]]":
        """``(peer, datagram)`` pairs to put on the wire now, oldest first."""
        out = self._out
        self._out = []
        return out

    def next_event(self) -> "Event | None":
        """The next event, or None."""
        if self._events:
            return self._events.pop(0)
        return None

    def get_timer(self) -> "int | None":
        """The earliest absolute deadline (ms) at which ``handle_timer`` must run."""
        best: int | None = None
        for item in self._outgoing.values():
            if best is None or item.deadline_ms < best:
                best = item.deadline_ms
        for request in self._requests.values():
            deadline = request._deadline_ms
            if deadline is not None and (best is None or deadline < best):
                best = deadline
        for incoming in self._incoming.values():
            deadline = incoming.ack_deadline_ms
            if deadline is not None and (best is None or deadline < best):
                best = deadline
        return best

    def handle_timer(self, now_ms: int) -> None:
        """Retransmit, time out, and send delayed empty ACKs that are due at ``now_ms``."""
        for key, item in list(self._outgoing.items()):
            if item.deadline_ms > now_ms or self._outgoing.get(key) is not item:
                continue
            if item.retransmits < self.params.max_retransmit:
                # RFC 7252 §4.2: double the timeout and send again
                item.retransmits += 1
                item.timeout_ms *= 2
                item.deadline_ms = now_ms + item.timeout_ms
                self._out.append((item.peer, item.data))
            else:
                del self._outgoing[key]
                self._transmission_failed(item, now_ms)
        for request in list(self._requests.values()):
            deadline = request._deadline_ms
            if deadline is not None and deadline <= now_ms and request.state == WAITING:
                self._finish(request, RequestTimedOut(request), now_ms)
        for incoming in list(self._incoming.values()):
            deadline = incoming.ack_deadline_ms
            if deadline is not None and deadline <= now_ms:
                self._send_empty_ack(incoming)
        self._expire(now_ms)
        self._expire_reassemblies(now_ms)

    def receive_datagram(self, data: bytes, peer: "Peer", now_ms: int) -> None:
        """Process one datagram from ``peer``. Remote faults never raise."""
        try:
            message = decode(data)
        except MessageFormatError as exc:
            # RFC 7252 §4.2/§4.3: a CON that cannot be parsed is rejected with RST when
            # its message id can be read; anything else is silently dropped.
            if len(data) >= 4 and data[0] >> 6 == 1 and (data[0] >> 4) & 3 == types.CON:
                self._send_rst(peer, data[2] << 8 | data[3])
            self._events.append(DatagramRejected(peer, str(exc)))
            return
        self._expire(now_ms)
        mtype = message.type
        if message.code == codes.EMPTY:
            if mtype == types.CON:
                self._send_rst(peer, message.mid)  # RFC 7252 §4.3: ping
            elif mtype == types.ACK:
                self._on_ack(peer, message, now_ms)
            elif mtype == types.RST:
                self._on_rst(peer, message.mid, now_ms)
            return
        if mtype == types.RST:
            self._events.append(DatagramRejected(peer, "RST with a code"))
            return
        try:
            if message.is_request:
                if mtype == types.ACK:
                    self._events.append(DatagramRejected(peer, "request in an ACK"))
                else:
                    self._on_request(peer, message, now_ms)
            elif message.is_response:
                self._on_response(peer, message, now_ms)
            else:
                # RFC 7252 §4.2, §4.3: reserved code classes cannot be processed
                if mtype == types.CON:
                    self._send_rst(peer, message.mid)
                self._events.append(
                    DatagramRejected(peer, "code %s" % codes.code_text(message.code))
                )
        except MessageFormatError as exc:  # a bad option value found while processing
            if mtype == types.CON:
                self._send_rst(peer, message.mid)
            self._events.append(DatagramRejected(peer, str(exc)))

    # -- client role --------------------------------------------------------------------

    def send_request(self, peer: "Peer", message: Message, now_ms: int,
                     stream: bool = False) -> Request:
        """Send ``message`` (a request; CON unless its type is NON) to ``peer``.

        The endpoint assigns the message id and, when the message has none, a token. A
        body larger than the block size goes block by block (RFC 7959 Block1); a Block2
        response is fetched whole, or reported block by block with ``stream=True``.
        GET/FETCH with ``observe = 0`` registers an observation (RFC 7641).
        """
        if not message.is_request:
            raise ValueError("send_request needs a request code, not %s"
                             % codes.code_text(message.code))
        if message.type not in (types.CON, types.NON):
            raise ValueError("a request is CON or NON")
        message = message.copy()
        if not message.token:
            message.token = self._new_token(peer)
        elif (peer, message.token) in self._requests:
            raise ValueError("token %s is in use with %r" % (message.token.hex(), peer))
        request = Request(peer, message, stream)
        request._b1_szx = self.block_szx
        request._b2_szx = self.block_szx
        self._requests[(peer, message.token)] = request
        if self._active.get(peer, 0) < self.params.nstart:
            self._start(request, now_ms)
        else:
            self._queued.setdefault(peer, []).append(request)
        return request

    def cancel(self, request: Request, now_ms: int, deregister: bool = True) -> None:
        """Stop a request. An observation is cancelled actively by default: a GET with
        Observe 1 and the same token goes to the server, and ObservationEnded follows its
        answer; with ``deregister=False`` it is forgotten at once and the next
        notification is answered with RST (RFC 7641 §3.6)."""
        if request.state == OBSERVING and not deregister:
            self._complete_observation(request)
            return
        if request.state == OBSERVING:
            request._cancelling = True
            request.state = WAITING
            message = request.message.copy()
            message.payload = request.body if message.code == codes.FETCH else b""
            message.observe = 1
            message.block1 = None
            message.block2 = None
            self._active[request.peer] = self._active.get(request.peer, 0) + 1
            self._transmit_request(request, message, now_ms)
            return
        self._drop_transmission(request)
        if request.state == QUEUED:
            queue = self._queued.get(request.peer)
            if queue and request in queue:
                queue.remove(request)
            self._requests.pop((request.peer, request.token), None)
            request.state = DONE
            return
        if request.state != DONE:
            self._complete(request, now_ms)

    def reregister(self, request: Request, now_ms: int) -> None:
        """Renew an observation with a fresh GET, Observe 0, same token (RFC 7641 §3.3.1)."""
        if request.state != OBSERVING:
            raise ValueError("reregister needs an active observation")
        message = request.message.copy()
        message.observe = 0
        self._transmit_request(request, message, now_ms)

    # -- server role --------------------------------------------------------------------

    def respond(self, event: RequestReceived, response: Message, now_ms: int,
                confirmable: bool = True, observe: bool = True) -> "Observation | None":
        """Answer a received request; returns the observation when this registered one.

        Piggybacked in the ACK when the request is CON and not acknowledged yet, else a
        separate response (CON unless ``confirmable`` is False; NON for a NON request).
        A body larger than the block size (or than the Block2 size the client asked
        for) is sliced (RFC 7959 §2.3) and later blocks are served from a bounded cache.
        A GET/FETCH with Observe 0 answered with 2.xx registers an observation unless
        ``observe`` is False (RFC 7641 §4.1: the server may decline).
        """
        incoming = event._state
        if not isinstance(incoming, _Incoming) or incoming.responded:
            raise ValueError("respond once to a RequestReceived from this endpoint")
        incoming.responded = True
        self._incoming.pop((incoming.peer, incoming.mid), None)
        request = incoming.request
        response = response.copy()
        response.token = request.token
        observation = None
        if observe and event.observe_requested and codes.is_success(response.code):
            observation = self._register_observation(incoming, response, now_ms)
        if event._block1 is not None and response.block1 is None:
            response.block1 = event._block1  # RFC 7959 §2.3: echo the last Block1
        self._slice_response(incoming.peer, request, response, now_ms)
        self._send_response(incoming, response, now_ms, confirmable)
        return observation

    def accept(self, event: RequestReceived) -> None:
        """Acknowledge a CON request now (empty ACK); the answer follows separately."""
        incoming = event._state
        if isinstance(incoming, _Incoming) and not incoming.responded:
            self._send_empty_ack(incoming)

    def notify(self, observation: Observation, response: Message, now_ms: int,
               confirmable: "bool | None" = None) -> None:
        """Send a notification to an observer (RFC 7641 §4.2).

        The endpoint sets the token and the next Observe sequence number and picks CON
        when asked, or when ``observe_con_every`` notifications or
        ``observe_con_interval_ms`` passed since the last CON (§4.5). A response that is
        not 2.xx ends the observation (§3.2). A CON still unacknowledged is replaced by
        this one, which inherits its retransmission state (§4.5.2).
        """
        if not observation.active:
            raise ValueError("the observation has ended")
        response = response.copy()
        response.token = observation.token
        success = codes.is_success(response.code)
        if success:
            observation.sequence = (observation.sequence + 1) % SEQUENCE_MODULO
            response.observe = observation.sequence
        else:
            response.observe = None
            self._end_observation(observation)
        if confirmable is None:
            confirmable = (
                observation._since_con + 1 >= self.observe_con_every
                or now_ms - observation._con_ms >= self.observe_con_interval_ms
            )
        inherited: _Outgoing | None = observation._inflight
        if inherited is not None and self._outgoing.get(
            (inherited.peer, inherited.mid)
        ) is inherited:
            del self._outgoing[(inherited.peer, inherited.mid)]
            confirmable = True
        else:
            inherited = None
        self._slice_response(observation.peer, observation.request, response, now_ms)
        response.mid = self._new_mid(observation.peer)
        if confirmable:
            response.type = types.CON
            observation._since_con = 0
            observation._con_ms = now_ms
            item = self._send_con(observation.peer, response, observation if success else None,
                                  now_ms)
            if inherited is not None:
                item.retransmits = inherited.retransmits
                item.timeout_ms = inherited.timeout_ms
                item.deadline_ms = inherited.deadline_ms
            observation._inflight = item
        else:
            response.type = types.NON
            observation._since_con += 1
            observation._last_mid = response.mid
            self._out.append((observation.peer, response.encode()))

    def observations(self) -> "list[Observation]":
        """The observations this endpoint serves."""
        return list(self._observations.values())

    def forget_peer(self, peer: "Peer") -> None:
        """Drop every piece of state about ``peer`` (requests, observations, caches)
        without sending anything: e.g. after the host lost the peer's session."""
        for mid_key in [k for k in self._outgoing if k[0] == peer]:
            del self._outgoing[mid_key]
        for token_key in [k for k in self._requests if k[0] == peer]:
            self._requests.pop(token_key).state = DONE
        for token_key in [k for k in self._observations if k[0] == peer]:
            self._observations.pop(token_key).active = False
        for mid_key in [k for k in self._incoming if k[0] == peer]:
            del self._incoming[mid_key]
        for mid_key in [k for k in self._seen if k[0] == peer]:
            del self._seen[mid_key]
        for cache_key in self._block2_cache.keys_in_order():
            if cache_key[0] == peer:
                self._block2_cache.pop(cache_key)
        self._active.pop(peer, None)
        self._queued.pop(peer, None)
        self._next_mid.pop(peer, None)
        self._reassemblies.pop(peer, None)

    def dedup_size(self) -> int:
        """How many received message ids are remembered (bounded by ``dedup_limit``)."""
        return len(self._seen)

    # -- identifiers ----------------------------------------------------------------------

    def _new_mid(self, peer: "Peer") -> int:
        mid = self._next_mid.get(peer)
        if mid is None:
            mid = int.from_bytes(self.rng(2), "big")  # RFC 7252 §4.4: randomised start
        self._next_mid[peer] = (mid + 1) & 0xFFFF
        return mid

    def _new_token(self, peer: "Peer") -> bytes:
        while True:
            token = bytes(self.rng(self.token_length))
            if (peer, token) not in self._requests:
                return token

    # -- sending ----------------------------------------------------------------------------

    def _send_con(self, peer: "Peer", message: Message, owner: "Any", now_ms: int) -> _Outgoing:
        data = message.encode()
        item = _Outgoing(peer, message.mid, data, owner,
                         self.params.initial_timeout_ms(self.rng), now_ms)
        self._outgoing[(peer, message.mid)] = item
        self._out.append((peer, data))
        return item

    def _send_rst(self, peer: "Peer", mid: int) -> None:
        self._out.append((peer, Message(types.RST, codes.EMPTY, mid).encode()))

    def _send_empty_ack(self, incoming: _Incoming) -> None:
        incoming.ack_deadline_ms = None
        self._incoming.pop((incoming.peer, incoming.mid), None)
        if incoming.type != types.CON or incoming.acked:
            return
        incoming.acked = True
        data = Message(types.ACK, codes.EMPTY, incoming.mid).encode()
        seen = self._seen.get((incoming.peer, incoming.mid))
        if seen is not None:
            seen.reply = data
        self._out.append((incoming.peer, data))

    def _send_response(self, incoming: _Incoming, response: Message, now_ms: int,
                       confirmable: bool) -> None:
        peer = incoming.peer
        if incoming.type == types.CON and not incoming.acked:
            response.type = types.ACK  # RFC 7252 §5.2.1: piggybacked
            response.mid = incoming.mid
            data = response.encode()
            self._out.append((peer, data))
        elif incoming.type == types.CON and confirmable:
            response.type = types.CON  # RFC 7252 §5.2.2: separate
            response.mid = self._new_mid(peer)
            self._send_con(peer, response, None, now_ms)
            return
        else:
            response.type = types.NON  # RFC 7252 §5.2.3
            response.mid = self._new_mid(peer)
            data = response.encode()
            self._out.append((peer, data))
            if incoming.type == types.CON:
                return
        seen = self._seen.get((peer, incoming.mid))
        if seen is not None:
            seen.reply = data

    def _start(self, request: Request, now_ms: int) -> None:
        request.state = WAITING
        self._active[request.peer] = self._active.get(request.peer, 0) + 1
        message = request.message
        body = request.body
        size = 16 << request._b1_szx
        if len(body) > size:
            message.payload = body[:size]
            message.block1 = (0, True, request._b1_szx)
            message.size1 = len(body)  # RFC 7959 §4: announce the total
        if (self.block_szx < 6 and message.block2 is None
                and message.code in (codes.GET, codes.FETCH)):
            # RFC 7959 §2.4 early negotiation: ask for our block size from the start
            message.block2 = (0, False, self.block_szx)
        self._transmit_request(request, message, now_ms)

    def _transmit_request(self, request: Request, message: Message, now_ms: int) -> None:
        self._drop_transmission(request)
        message.mid = self._new_mid(request.peer)
        request._mid = message.mid
        if message.type == types.CON:
            self._send_con(request.peer, message, request, now_ms)
            request._deadline_ms = None
        else:
            self._out.append((request.peer, message.encode()))
            request._deadline_ms = now_ms + self.params.max_transmit_wait_ms

    def _drop_transmission(self, request: Request) -> None:
        item = self._outgoing.get((request.peer, request._mid))
        if item is not None and item.owner is request:
            del self._outgoing[(request.peer, request._mid)]

    # -- receiving: the message layer ---------------------------------------------------------

    def _remember(self, peer: "Peer", message: Message, now_ms: int) -> "_Seen | None":
        """Dedup (RFC 7252 §4.5): None for a new message id, else its record."""
        key = (peer, message.mid)
        seen = self._seen.get(key)
        if seen is not None and seen.expires_ms > now_ms:
            return seen
        lifetime = (self.params.exchange_lifetime_ms if message.type == types.CON
                    else self.params.non_lifetime_ms)
        record = _Seen(now_ms + lifetime)
        self._seen[key] = record
        self._seen_order.append((key, record))
        while len(self._seen) > self.dedup_limit:
            # bounded memory: the oldest record goes first, even before its lifetime ends
            old_key, old = self._seen_order[self._seen_head]
            self._seen_head += 1
            if self._seen.get(old_key) is old:
                del self._seen[old_key]
        self._compact_seen_order()
        return None

    def _compact_seen_order(self) -> None:
        # The order list holds (key, record) in arrival order; entries whose record was
        # replaced or dropped are skipped, and the consumed head is cut off now and then
        # so the list stays proportional to the live records.
        if self._seen_head > 64 and self._seen_head * 2 > len(self._seen_order):
            seen = self._seen
            self._seen_order = [
                item for item in self._seen_order[self._seen_head:] if seen.get(item[0]) is item[1]
            ]
            self._seen_head = 0

    def _expire(self, now_ms: int) -> None:
        order = self._seen_order
        seen = self._seen
        while self._seen_head < len(order):
            key, record = order[self._seen_head]
            current = seen.get(key) is record
            if current and record.expires_ms > now_ms:
                break  # CON and NON lifetimes differ, so this is a lower bound: fine
            self._seen_head += 1
            if current:
                del seen[key]
        self._compact_seen_order()

    def _expire_reassemblies(self, now_ms: int) -> None:
        for peer, cache in list(self._reassemblies.items()):
            for key in cache.keys_in_order():
                cache.get(key, now_ms)  # drops stale ones
            if not len(cache):
                del self._reassemblies[peer]

    def _on_ack(self, peer: "Peer", message: Message, now_ms: int) -> None:
        item = self._outgoing.pop((peer, message.mid), None)
        if item is None:
            return
        owner = item.owner
        if isinstance(owner, Request) and owner.state == WAITING and message.code == codes.EMPTY:
            # RFC 7252 §5.2.2: the response will come separately
            owner._deadline_ms = now_ms + self.response_timeout_ms
        elif isinstance(owner, Observation):
            owner._inflight = None

    def _on_rst(self, peer: "Peer", mid: int, now_ms: int) -> None:
        item = self._outgoing.pop((peer, mid), None)
        if item is None:
            # RFC 7641 §3.6: a RST may answer a NON notification
            for observation in list(self._observations.values()):
                if observation.peer == peer and observation._last_mid == mid:
                    self._cancel_observation(observation, "reset")
            return
        owner = item.owner
        if isinstance(owner, Request):
            self._finish(owner, ResetReceived(owner), now_ms)
        elif isinstance(owner, Observation):
            self._cancel_observation(owner, "reset")

    def _transmission_failed(self, item: _Outgoing, now_ms: int) -> None:
        owner = item.owner
        if isinstance(owner, Request):
            self._finish(owner, RequestTimedOut(owner), now_ms)
        elif isinstance(owner, Observation):
            # RFC 7641 §4.5: an unacknowledged CON notification ends the observation
            self._cancel_observation(owner, "timeout")

    def _finish(self, request: Request, event: "Event", now_ms: int) -> None:
        if request.state == DONE:
            return
        self._drop_transmission(request)
        self._events.append(event)
        if request.state == OBSERVING or (request._cancelling and request.state == WAITING):
            self._events.append(ObservationEnded(request, "cancelled" if request._cancelling
                                                 else "failed"))
        self._complete(request, now_ms)

    def _complete(self, request: Request, now_ms: int) -> None:
        """The request no longer waits for anything: free its NSTART slot."""
        was_active = request.state == WAITING
        request.state = DONE
        request._deadline_ms = None
        self._requests.pop((request.peer, request.token), None)
        if was_active:
            self._release_slot(request.peer, now_ms)

    def _release_slot(self, peer: "Peer", now_ms: int) -> None:
        count = self._active.get(peer, 0) - 1
        if count > 0:
            self._active[peer] = count
        else:
            self._active.pop(peer, None)
        queue = self._queued.get(peer)
        if queue:
            request = queue.pop(0)
            if not queue:
                del self._queued[peer]
            self._start(request, now_ms)

    # -- receiving: responses (client role) ---------------------------------------------------

    def _on_response(self, peer: "Peer", message: Message, now_ms: int) -> None:
        mtype = message.type
        if mtype == types.ACK:
            item = self._outgoing.get((peer, message.mid))
            if item is not None and isinstance(item.owner, Request):
                if item.owner.token != message.token:
                    return  # not our response: leave the CON to retransmit
                del self._outgoing[(peer, message.mid)]
            else:
                return  # a late or foreign ACK
        else:
            seen = self._remember(peer, message, now_ms)
            if seen is not None:  # duplicate: answer as before, deliver nothing
                if seen.reply is not None:
                    self._out.append((peer, seen.reply))
                return
        request = self._requests.get((peer, message.token))
        if request is None or request.state not in (WAITING, OBSERVING):
            # RFC 7252 §5.3.2 / RFC 7641 §3.6: unexpected response, reject it
            if mtype != types.ACK:
                self._reply_seen(peer, message.mid, Message(types.RST, codes.EMPTY, message.mid))
            return
        if mtype == types.CON:
            self._reply_seen(peer, message.mid, Message(types.ACK, codes.EMPTY, message.mid))
        if request.state == WAITING and mtype != types.ACK and request._mid != -1:
            # a separate response also settles the CON request if its ACK got lost
            self._drop_transmission(request)
        bad = message.unrecognized_critical()
        if bad:
            self._finish(request, RequestFailed(request, "unrecognized critical option %s in "
                                                "response %r" % (bad, message)), now_ms)
            return
        self._handle_response(request, message, now_ms)

    def _reply_seen(self, peer: "Peer", mid: int, reply: Message) -> None:
        data = reply.encode()
        seen = self._seen.get((peer, mid))
        if seen is not None:
            seen.reply = data
        self._out.append((peer, data))

    def _handle_response(self, request: Request, message: Message, now_ms: int) -> None:
        observe = message.observe
        if request.state == OBSERVING:
            block2 = message.block2
            if block2 is not None and block2[0] > 0:
                return  # a stray later block
            if observe is not None and not is_fresh(request._obs_seq, request._obs_ms,
                                                    observe, now_ms):
                return  # RFC 7641 §3.4: older than what we have
            if observe is not None:
                request._obs_seq = observe
                request._obs_ms = now_ms
            if block2 is not None and block2[1] and codes.is_success(message.code):
                self._fetch_notification_body(request, message, block2, now_ms)
                return
            self._events.append(NotificationReceived(request, message))
            if observe is None or not codes.is_success(message.code):
                # RFC 7641 §3.2: a notification without Observe ends the observation
                self._events.append(ObservationEnded(request, "ended by the server"))
                self._complete_observation(request)
            return
        if observe is not None and request.message.observe == 0:
            request._obs_seq = observe  # the registration's first (or only) block
            request._obs_ms = now_ms
        # Block1: continue sending the request body
        block1 = message.block1
        if message.code == codes.CONTINUE and block1 is not None and len(request.body) > 0:
            self._continue_block1(request, block1, now_ms)
            return
        block2 = message.block2
        if (block2 is not None and not request._cancelling
                and not self._collect_block2(request, message, block2, now_ms)):
            return
        if request._cancelling:
            self._finish(request, ResponseReceived(request, message), now_ms)
            return
        parent = request._parent
        if parent is not None:
            # the rest of a notification's body (RFC 7959 §3.4): deliver it whole
            message.observe = parent._obs_seq
            if parent.state == OBSERVING:
                self._events.append(NotificationReceived(parent, message))
            self._complete(request, now_ms)
            return
        if request.message.observe == 0 and request._obs_seq >= 0 and codes.is_success(
            message.code
        ):
            message.observe = request._obs_seq
            self._events.append(ResponseReceived(request, message))
            request.state = OBSERVING  # frees the NSTART slot: it is no longer outstanding
            request._deadline_ms = None
            self._release_slot(request.peer, now_ms)
            return
        if request.stream and block2 is not None:
            self._complete(request, now_ms)
            return
        self._finish(request, ResponseReceived(request, message), now_ms)

    def _continue_block1(self, request: Request, block1: "tuple[int, bool, int]",
                         now_ms: int) -> None:
        sent = request.message.block1
        if sent is None:
            return
        num, _, szx = sent
        size = 16 << szx
        # RFC 7959 §2.5: the server's SZX may be smaller; continue after what was sent
        offset = num * size + len(request.message.payload)
        new_szx = szx_for_offset(offset, min(block1[2], szx))
        new_size = 16 << new_szx
        chunk = request.body[offset:offset + new_size]
        message = request.message
        message.payload = chunk
        message.block1 = (offset // new_size, offset + new_size < len(request.body), new_szx)
        message.size1 = None
        request._b1_szx = new_szx
        self._transmit_request(request, message, now_ms)

    def _collect_block2(self, request: Request, message: Message,
                        block2: "tuple[int, bool, int]", now_ms: int) -> bool:
        """Take one Block2 block; True when the body is complete (or a single block)."""
        num, more, szx = block2
        if szx > 6:
            self._finish(request, RequestFailed(request, "Block2 SZX 7 (BERT) over UDP"), now_ms)
            return False
        size = 16 << szx
        offset = num * size
        body = request._b2_body
        if body is None:
            if num != 0 and not more:
                return True  # a single block the client asked for explicitly
            total = message.size2
            if total is not None and total > self.max_body_size:
                # RFC 7959 §4: Size2 announces the total; do not start what cannot fit
                self._finish(request, RequestFailed(request, "response body of %d bytes is "
                                                    "too large" % total), now_ms)
                return False
            body = request._b2_body = bytearray()
            request._b2_etag = message.etag
        if offset != request._b2_next:
            if offset < request._b2_next:
                return False  # a repeat of a block we have
            self._finish(request, RequestFailed(request, "Block2 gap at offset %d" % offset),
                         now_ms)
            return False
        if message.etag != request._b2_etag:
            # RFC 7959 §2.4: the representation changed under us
            self._finish(request, RequestFailed(request, "ETag changed during Block2"), now_ms)
            return False
        request._b2_next = offset + len(message.payload)
        if request.stream:
            self._events.append(BlockReceived(request, message, offset, more))
        else:
            body += message.payload
            if len(body) > self.max_body_size:
                self._finish(request, RequestFailed(request, "response body too large"), now_ms)
                return False
        if not more:
            if not request.stream:
                message.payload = bytes(body)
                message.block2 = None
            return True
        next_offset = request._b2_next
        next_szx = szx_for_offset(next_offset, min(szx, request._b2_szx))
        request._b2_szx = next_szx
        follow = request.message.copy()
        follow.payload = request.body if follow.code == codes.FETCH else b""
        follow.observe = None  # RFC 7959 §2.6: later blocks are plain requests
        follow.block1 = None
        follow.size1 = None
        follow.block2 = (next_offset // (16 << next_szx), False, next_szx)
        self._transmit_request(request, follow, now_ms)
        return False

    def _fetch_notification_body(self, request: Request, first: Message,
                                 block2: "tuple[int, bool, int]", now_ms: int) -> None:
        """RFC 7959 §3.4 / RFC 7641: a notification's first block came; GET the rest with
        a token of its own and deliver one NotificationReceived when it is whole."""
        szx = szx_for_offset(len(first.payload), min(block2[2], self.block_szx))
        follow = request.message.copy()
        follow.token = b""
        follow.type = types.CON
        follow.observe = None
        follow.payload = request.body if follow.code == codes.FETCH else b""
        follow.block2 = (len(first.payload) // (16 << szx), False, szx)
        child = self.send_request(request.peer, follow, now_ms)
        child._parent = request
        child._b2_body = bytearray(first.payload)
        child._b2_next = len(first.payload)
        child._b2_etag = first.etag
        child._b2_szx = szx

    def _complete_observation(self, request: Request) -> None:
        request.state = DONE
        self._requests.pop((request.peer, request.token), None)

    # -- receiving: requests (server role) -------------------------------------------------------

    def _on_request(self, peer: "Peer", message: Message, now_ms: int) -> None:
        seen = self._remember(peer, message, now_ms)
        if seen is not None:
            # RFC 7252 §4.5: a duplicate; replay the reply, never deliver twice
            if seen.reply is not None:
                self._out.append((peer, seen.reply))
            else:
                incoming = self._incoming.get((peer, message.mid))
                if incoming is not None:
                    self._send_empty_ack(incoming)
            return
        incoming = _Incoming(peer, message)
        bad = message.unrecognized_critical()
        if bad:
            # RFC 7252 §5.4.1: 4.02 Bad Option for an unrecognized critical option
            self._events.append(DatagramRejected(peer, "unrecognized critical option %d" % bad[0]))
            self._reject(incoming, codes.BAD_OPTION, now_ms)
            return
        message.uri_path  # noqa: B018 - raises MessageFormatError for a non-UTF-8 path
        message.uri_query  # noqa: B018
        if message.observe == 1:
            observation = self._observations.get((peer, message.token))
            if observation is not None:
                self._cancel_observation(observation, "deregistered")
        elif message.observe == 0 and (peer, message.token) in self._observations:
            # RFC 7641 §4.1: a registration with the same token replaces the old entry;
            # its numbers continue so the client's freshness check (§3.4) accepts them
            old = self._observations[(peer, message.token)]
            incoming.prior_sequence = old.sequence
            self._end_observation(old)
        block2 = message.block2
        if block2 is not None and block2[0] > 0 and self._serve_cached_block(incoming, block2,
                                                                            now_ms):
            return
        block1_echo = None
        if message.block1 is not None:
            block1_echo = self._reassemble(incoming, message, now_ms)
            if block1_echo is None:
                return
        event = RequestReceived(peer, message, incoming, block1_echo)
        if message.type == types.CON:
            # tracked only until acknowledged, so unanswered requests cost no memory here
            incoming.ack_deadline_ms = now_ms + self.ack_delay_ms
            self._incoming[(peer, message.mid)] = incoming
        self._events.append(event)

    def _reject(self, incoming: _Incoming, code: int, now_ms: int,
                size1: "int | None" = None, block1: "tuple[int, bool, int] | None" = None
                ) -> None:
        response = Message(code=code)
        response.token = incoming.request.token
        if size1 is not None:
            response.size1 = size1
        if block1 is not None:
            response.block1 = block1
        incoming.responded = True
        self._send_response(incoming, response, now_ms, True)

    def _reassemble(self, incoming: _Incoming, message: Message,
                    now_ms: int) -> "tuple[int, bool, int] | None":
        """RFC 7959 §2.5 server side; returns the Block1 to echo once the body is whole."""
        block1 = message.block1
        assert block1 is not None
        num, more, szx = block1
        peer = incoming.peer
        if szx > 6:
            self._reject(incoming, codes.BAD_REQUEST, now_ms)
            return None
        size = 16 << szx
        key = transfer_key(message)
        cache = self._reassemblies.get(peer)
        if cache is None:
            cache = self._reassemblies[peer] = BoundedCache(self.max_reassemblies_per_peer)
        state = cache.get(key, now_ms)
        total = message.size1
        if num == 0:
            if total is not None and total > self.max_body_size:
                cache.pop(key)
                self._reject(incoming, codes.REQUEST_ENTITY_TOO_LARGE, now_ms,
                             size1=self.max_body_size)
                return None
            state = Reassembly(message.content_format,
                               now_ms + self.params.exchange_lifetime_ms)
            cache.put(key, state)
        elif (state is None or num * size != len(state.body)
              or state.content_format != message.content_format):
            # RFC 7959 §2.9.2: 4.08 for a gap, an unknown transfer or a changed format
            cache.pop(key)
            self._reject(incoming, codes.REQUEST_ENTITY_INCOMPLETE, now_ms)
            return None
        if more and len(message.payload) != size:
            cache.pop(key)
            self._reject(incoming, codes.BAD_REQUEST, now_ms)
            return None
        state.body += message.payload
        state.expires_ms = now_ms + self.params.exchange_lifetime_ms
        if len(state.body) > self.max_body_size:
            cache.pop(key)
            self._reject(incoming, codes.REQUEST_ENTITY_TOO_LARGE, now_ms,
                         size1=self.max_body_size)
            return None
        if more:
            # RFC 7959 §2.3: 2.31 Continue, possibly asking for smaller blocks (§2.5)
            reply_szx = min(szx, self.block_szx)
            reply_num = num << (szx - reply_szx)
            self._reject(incoming, codes.CONTINUE, now_ms, block1=(reply_num, True, reply_szx))
            return None
        cache.pop(key)
        if not len(cache):
            del self._reassemblies[peer]
        message.payload = bytes(state.body)
        message.block1 = None
        message.size1 = None
        return (num, False, szx)

    def _serve_cached_block(self, incoming: _Incoming, block2: "tuple[int, bool, int]",
                            now_ms: int) -> bool:
        key = (incoming.peer, transfer_key(incoming.request))
        cached = self._block2_cache.get(key, now_ms)
        if cached is None:
            return False  # stateless: the application answers, the endpoint slices
        num, _, szx = block2
        if szx > 6:
            return False
        if num * (16 << szx) >= len(cached.body):
            self._reject(incoming, codes.BAD_OPTION, now_ms)
            return True
        response = cached.template.copy()
        response.token = incoming.request.token
        chunk, more = slice_body(cached.body, num, szx)
        response.payload = chunk
        response.block2 = (num, more, szx)
        incoming.responded = True
        self._send_response(incoming, response, now_ms, True)
        return True

    def _slice_response(self, peer: "Peer", request: Message, response: Message,
                        now_ms: int) -> None:
        """RFC 7959 §2.3: slice a large body; keep it for the blocks that follow."""
        if response.block2 is not None:
            return  # the application did its own slicing
        asked = request.block2 if request.code in (codes.GET, codes.FETCH) else None
        szx = self.block_szx if asked is None else min(asked[2], self.block_szx)
        num = 0 if asked is None else asked[0]
        body = response.payload
        size = 16 << szx
        if len(body) <= size and num == 0 and asked is None:
            return
        if num * size >= len(body) and num > 0:
            response.code = codes.BAD_OPTION
            response.payload = b""
            return
        if response.etag is None:
            # RFC 7959 §2.4: an ETag lets the client notice a representation that changed
            # between blocks; derived from the body, so a block served statelessly (the
            # cache entry gone) still carries the same one.
            response.etag = crc32(body).to_bytes(4, "big")
        if num == 0:
            response.size2 = len(body)
        template = response.copy()
        template.payload = b""
        template.observe = None
        template.size2 = None
        template.block1 = None  # the Block1 echo belongs to the request's last block only
        chunk, more = slice_body(body, num, szx)
        response.payload = chunk
        response.block2 = (num, more, szx)
        if more:
            key = (peer, transfer_key(request))
            self._block2_cache.put(key, CachedBody(body, template,
                                                   now_ms + self.params.exchange_lifetime_ms))

    # -- observe, server side ---------------------------------------------------------------------

    def _register_observation(self, incoming: _Incoming, response: Message,
                              now_ms: int) -> Observation:
        if incoming.prior_sequence >= 0:
            sequence = (incoming.prior_sequence + 1) % SEQUENCE_MODULO
        else:
            sequence = int.from_bytes(self.rng(2), "big")  # any start value (RFC 7641 §4.4)
        observation = Observation(incoming.peer, incoming.request, sequence, now_ms)
        self._observations[(incoming.peer, incoming.request.token)] = observation
        response.observe = sequence
        return observation

    def _end_observation(self, observation: Observation) -> None:
        observation.active = False
        key = (observation.peer, observation.token)
        if self._observations.get(key) is observation:
            del self._observations[key]

    def _cancel_observation(self, observation: Observation, reason: str) -> None:
        if observation.active:
            self._end_observation(observation)
            self._events.append(ObservationCancelled(observation, reason))
