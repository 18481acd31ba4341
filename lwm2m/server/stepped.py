"""A server under a test's own clock: :class:`SteppedServer` (no sockets, no threads).

The pytest fixture ``lwm2m_stepped_server`` hands one out. A test feeds the datagrams
its device produced, steps time, and reads back what the server sent and what it
reported; every deadline (retransmissions, lifetimes, queue-mode windows) runs exactly
when the stepped clock passes it::

    srv = SteppedServer()
    srv.receive(register_datagram, ("127.0.0.1", 40000))
    [(addr, reply)] = srv.datagrams()
    srv.step(86_400_000)          # the lifetime passes: RegistrationExpired
    assert srv.events()[-1].registration.endpoint == "ep1"

Commands (``read``, ``write``, ``observe``, ...) are the :class:`Server`'s, called on
the stepped clock.
"""

import hashlib

from lwm2m.server.server import Server

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any


def seeded_rng(seed: bytes = b"pylwm2m") -> "Callable[[int], bytes]":
    """A deterministic byte source (SHA-256 in counter mode): replayable tests."""
    state = [0]

    def rng(n: int) -> bytes:
        out = b""
        while len(out) < n:
            state[0] += 1
            out += hashlib.sha256(seed + state[0].to_bytes(8, "big")).digest()
        return out[:n]

    return rng


class SteppedServer:
    """A :class:`Server` with a clock the test steps (``now_ms`` starts at 0)."""

    def __init__(self, rng: "Callable[[int], bytes] | None" = None, now_ms: int = 0,
                 **options: "Any") -> None:
        self.server = Server(rng or seeded_rng(), **options)
        self.now_ms = now_ms
        self._out: "dict[str, list[tuple[Any, bytes]]]" = {}

    def __getattr__(self, name: str) -> "Any":
        # read, write, execute, observe, registration, ... run on the stepped clock
        return getattr(self.server, name)

    def _collect(self) -> None:
        for listener in self.server.listeners:
            out = self.server.datagrams_to_send(listener)
            if out:
                self._out.setdefault(listener, []).extend(out)

    def receive(self, data: bytes, addr: "Any", listener: str = "coap") -> None:
        """A datagram from ``addr`` arrives now."""
        self.server.receive_datagram(data, addr, self.now_ms, listener)
        self._collect()

    def datagrams(self, listener: str = "coap") -> "list[tuple[Any, bytes]]":
        """``(addr, bytes)`` the server sent since the last call, oldest first."""
        self._collect()
        return self._out.pop(listener, [])

    def step(self, ms: int) -> None:
        """Advance the clock by ``ms``, running every deadline on the way in order."""
        if ms < 0:
            raise ValueError("time only moves forward")
        end = self.now_ms + ms
        while True:
            deadline = self.server.get_timer()
            if deadline is None or deadline > end:
                break
            self.now_ms = max(self.now_ms, deadline)
            self.server.handle_timer(self.now_ms)
            self._collect()
        self.now_ms = end
        self.server.handle_timer(end)
        self._collect()

    def events(self) -> "list[Any]":
        """Every event the server reported since the last call."""
        out: "list[Any]" = []
        while True:
            event = self.server.next_event()
            if event is None:
                return out
            out.append(event)
