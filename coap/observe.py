"""Observe (RFC 7641): the server-side observation handle and the client-side freshness rule."""

from coap.message import Message

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

SEQUENCE_MODULO = 1 << 24  # RFC 7641 §4.4: the Observe value is 24 bits
_HALF = 1 << 23
FRESHNESS_WINDOW_MS = 128000  # RFC 7641 §3.4: after 128 s any value is fresh


def is_fresh(last_seq: int, last_ms: int, seq: int, now_ms: int) -> bool:
    """RFC 7641 §3.4: whether notification ``seq`` at ``now_ms`` is newer than ``last_seq``
    received at ``last_ms`` (sequence numbers wrap at 2**24)."""
    return (
        (last_seq < seq and seq - last_seq < _HALF)
        or (last_seq > seq and last_seq - seq > _HALF)
        or now_ms > last_ms + FRESHNESS_WINDOW_MS
    )


class Observation:
    """Server side: one observer of one resource, returned by ``Endpoint.respond``.

    The application decides when the resource changed and calls
    ``Endpoint.notify(observation, response, now_ms)``; the endpoint numbers the
    notifications and chooses CON or NON (RFC 7641 §4.2, §4.5). ``tag`` is free for
    the application (e.g. the LwM2M path and attributes).
    """

    __slots__ = (
        "_con_ms",
        "_inflight",
        "_last_mid",
        "_since_con",
        "active",
        "peer",
        "request",
        "sequence",
        "tag",
        "token",
    )

    def __init__(self, peer: "Any", request: Message, sequence: int, now_ms: int) -> None:
        self.peer = peer
        self.request = request
        self.token = request.token
        self.sequence = sequence  # the last Observe value sent
        self.active = True
        self.tag: Any = None
        self._since_con = 0
        self._con_ms = now_ms
        self._inflight: Any = None  # the CON notification awaiting its ACK
        self._last_mid = -1  # the last NON notification, which a RST may answer

    def __repr__(self) -> str:
        return "<Observation %r %s token=%s>" % (
            self.peer, self.request.uri_path_text, self.token.hex()
        )
