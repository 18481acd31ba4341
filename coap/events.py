"""Events the endpoint reports through ``Endpoint.next_event()`` (past tense, plain slots).

Client side events carry the :class:`coap.endpoint.Request` handle that
``send_request`` returned; server side events carry the peer and the request, or the
:class:`coap.observe.Observation` handle that ``respond`` returned.
"""

from coap import codes
from coap.message import Message

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from coap.endpoint import Request
    from coap.observe import Observation


class RequestReceived:
    """A request for this endpoint (Block1 bodies already reassembled).

    Answer it with ``endpoint.respond(event, event.response(codes.CONTENT, body), now_ms)``;
    a CON request not answered within ``ack_delay_ms`` gets an empty ACK and the answer
    then goes as a separate response (RFC 7252 §5.2.2).
    """

    __slots__ = ("_block1", "_state", "peer", "request")

    def __init__(self, peer: "Any", request: Message, state: "Any" = None,
                 block1: "tuple[int, bool, int] | None" = None) -> None:
        self.peer = peer
        self.request = request
        self._state = state
        self._block1 = block1

    @property
    def observe_requested(self) -> bool:
        """RFC 7641 §2: GET or FETCH with Observe 0 asks to register."""
        return self.request.code in (codes.GET, codes.FETCH) and self.request.observe == 0

    def response(self, code: int, payload: bytes = b"",
                 content_format: "int | None" = None) -> Message:
        """A response message for this request (not sent: pass it to ``respond``)."""
        message = Message(code=code, payload=payload)
        if content_format is not None:
            message.content_format = content_format
        return message

    def __repr__(self) -> str:
        return "<RequestReceived from %r %r>" % (self.peer, self.request)


class ResponseReceived:
    """The final response to a request (Block2 bodies already reassembled).

    For an observe registration this is the first response; later ones arrive as
    :class:`NotificationReceived`.
    """

    __slots__ = ("request", "response")

    def __init__(self, request: "Request", response: Message) -> None:
        self.request = request
        self.response = response

    def __repr__(self) -> str:
        return "<ResponseReceived %r>" % (self.response,)


class BlockReceived:
    """One Block2 block of a response, for requests sent with ``stream=True``."""

    __slots__ = ("more", "offset", "request", "response")

    def __init__(self, request: "Request", response: Message, offset: int, more: bool) -> None:
        self.request = request
        self.response = response
        self.offset = offset
        self.more = more


class NotificationReceived:
    """A fresh notification (RFC 7641 §3.4) of an observation this endpoint registered."""

    __slots__ = ("request", "response")

    def __init__(self, request: "Request", response: Message) -> None:
        self.request = request
        self.response = response


class ObservationEnded:
    """Client side: an observation is over (cancelled, rejected, or ended by the server)."""

    __slots__ = ("reason", "request")

    def __init__(self, request: "Request", reason: str) -> None:
        self.request = request
        self.reason = reason


class RequestTimedOut:
    """No acknowledgement after MAX_RETRANSMIT retransmissions, or no response in time."""

    __slots__ = ("request",)

    def __init__(self, request: "Request") -> None:
        self.request = request


class ResetReceived:
    """The peer answered a request with RST (RFC 7252 §4.2)."""

    __slots__ = ("request",)

    def __init__(self, request: "Request") -> None:
        self.request = request


class RequestFailed:
    """A request could not complete for a protocol reason (e.g. a Block2 ETag changed)."""

    __slots__ = ("reason", "request")

    def __init__(self, request: "Request", reason: str) -> None:
        self.request = request
        self.reason = reason


class ObservationCancelled:
    """Server side: an observer left (Observe 1, RST on a notification, or a CON
    notification that was never acknowledged)."""

    __slots__ = ("observation", "reason")

    def __init__(self, observation: "Observation", reason: str) -> None:
        self.observation = observation
        self.reason = reason


class DatagramRejected:
    """A datagram that could not be processed (malformed, or an unknown critical option);
    the endpoint already answered it as RFC 7252 §4.2/§4.3/§5.4.1 says."""

    __slots__ = ("peer", "reason")

    def __init__(self, peer: "Any", reason: str) -> None:
        self.peer = peer
        self.reason = reason

    def __repr__(self) -> str:
        return "<DatagramRejected from %r: %s>" % (self.peer, self.reason)
