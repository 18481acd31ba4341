"""A lossy link between two endpoints with stepped time (also runs under MicroPython).

``Link(a, b)`` names the endpoints' peers "A" and "B". ``run(until_ms)`` moves
datagrams and fires timers in time order; events go to the handlers given for each side
(an application answering requests) or are collected in ``events["A"]`` / ``events["B"]``.
Faults are deterministic: a seeded generator decides which datagrams are dropped,
duplicated or held back (reordered), or ``drop`` can name them explicitly.
"""

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any

    from coap.endpoint import Endpoint


class SeededRng:
    """A small deterministic byte generator (xorshift32) usable as an endpoint's ``rng``."""

    def __init__(self, seed: int) -> None:
        self.state = (seed * 2654435761 + 1) & 0xFFFFFFFF or 1

    def next32(self) -> int:
        x = self.state
        x ^= (x << 13) & 0xFFFFFFFF
        x ^= x >> 17
        x ^= (x << 5) & 0xFFFFFFFF
        self.state = x
        return x

    def __call__(self, n: int) -> bytes:
        return bytes(self.next32() & 0xFF for _ in range(n))

    def chance(self, probability: float) -> bool:
        return self.next32() < probability * 4294967296.0


class Link:
    """Two endpoints, one wire, a clock."""

    def __init__(
        self,
        a: "Endpoint",
        b: "Endpoint",
        seed: int = 7,
        loss: float = 0.0,
        duplicate: float = 0.0,
        reorder: float = 0.0,
    ) -> None:
        self.ends = {"A": a, "B": b}
        self.now_ms = 0
        self.faults = SeededRng(seed)
        self.loss = loss
        self.duplicate = duplicate
        self.reorder = reorder
        self.handlers: dict[str, Callable[[Any, int], None] | None] = {"A": None, "B": None}
        self.events: dict[str, list[Any]] = {"A": [], "B": []}
        self.wire: list[tuple[int, str, bytes]] = []  # (time, sender, datagram): a trace
        self.drop: Callable[[str, bytes], bool] | None = None
        self._held: list[tuple[str, bytes]] = []

    def _other(self, name: str) -> str:
        return "B" if name == "A" else "A"

    def pump(self) -> bool:
        """Deliver everything sent so far; True when anything moved."""
        moved = False
        for name in ("A", "B"):
            for peer, data in self.ends[name].datagrams_to_send():
                assert peer == self._other(name), (name, peer)
                moved = True
                self.wire.append((self.now_ms, name, data))
                if self.drop is not None and self.drop(name, data):
                    continue
                if self.loss and self.faults.chance(self.loss):
                    continue
                if self.reorder and self.faults.chance(self.reorder):
                    self._held.append((name, data))
                    continue
                self._deliver(name, data)
                if self.duplicate and self.faults.chance(self.duplicate):
                    self._deliver(name, data)
                if self._held:
                    held, self._held = self._held, []
                    for sender, old in held:
                        self._deliver(sender, old)
        self._dispatch()
        return moved

    def _deliver(self, sender: str, data: bytes) -> None:
        self.ends[self._other(sender)].receive_datagram(data, sender, self.now_ms)

    def _dispatch(self) -> None:
        for name in ("A", "B"):
            endpoint = self.ends[name]
            event = endpoint.next_event()
            while event is not None:
                handler = self.handlers[name]
                if handler is None:
                    self.events[name].append(event)
                else:
                    handler(event, self.now_ms)
                event = endpoint.next_event()

    def settle(self) -> None:
        """Pump until nothing moves (no time passes)."""
        for _ in range(10000):
            if not self.pump():
                if self._held:
                    held, self._held = self._held, []
                    for sender, old in held:
                        self._deliver(sender, old)
                    continue
                return
        raise AssertionError("the link never settled")

    def run(self, until_ms: int, done: "Callable[[], bool] | None" = None) -> None:
        """Step time from timer to timer up to ``until_ms`` (or until ``done()``)."""
        self.settle()
        while done is None or not done():
            timers = [t for t in (e.get_timer() for e in self.ends.values()) if t is not None]
            if not timers or min(timers) > until_ms:
                self.now_ms = max(self.now_ms, until_ms)
                return
            self.now_ms = max(self.now_ms, min(timers))
            for endpoint in self.ends.values():
                timer = endpoint.get_timer()
                if timer is not None and timer <= self.now_ms:
                    endpoint.handle_timer(self.now_ms)
            self.settle()

    def take(self, name: str, kind: "type[Any]") -> "list[Any]":
        """Remove and return the collected events of one class."""
        found = [e for e in self.events[name] if isinstance(e, kind)]
        self.events[name] = [e for e in self.events[name] if not isinstance(e, kind)]
        return found
