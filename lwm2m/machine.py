"""The common face of the client's clock-free protocol machines (registration, bootstrap).

A machine holds a state, a transition table keyed by (state, input), a queue of
requests for the Client to send, a queue of events, and at most one deadline. Inputs
are strings; a row names the handler method. An input with no row is the caller's
mistake when it is a command, and is ignored when it is an outcome or the timer (a
late answer to a request the machine already gave up on).
"""

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable

    from lwm2m.backoff import Backoff

TIMER = "timer"


class AttemptFailed:
    """An attempt (Register, Bootstrap-Request) failed; ``final`` when no retry follows,
    else the next attempt goes out at ``retry_at_ms``."""

    __slots__ = ("attempts", "final", "reason", "retry_at_ms")

    def __init__(self, reason: str, attempts: int, retry_at_ms: "int | None") -> None:
        self.reason = reason
        self.attempts = attempts
        self.final = retry_at_ms is None
        self.retry_at_ms = retry_at_ms

    def __repr__(self) -> str:
        return "%s(%r, attempts=%d, retry_at_ms=%r)" % (
            type(self).__name__, self.reason, self.attempts, self.retry_at_ms)


class TabledMachine:
    """Base of the tabled machines; subclasses set the class attributes below."""

    __slots__ = ("_deadline_ms", "_events", "_requests", "state")

    TRANSITIONS: "dict[tuple[int, str], str]" = {}
    NAMES: "dict[int, str]" = {}
    OUTCOMES: "tuple[str, ...]" = ()
    Error: "type[Exception]" = Exception

    def __init__(self, state: int) -> None:
        self.state = state
        self._deadline_ms: "int | None" = None
        self._requests: "list[object]" = []
        self._events: "list[object]" = []

    def _feed(self, symbol: str, now_ms: int, arg: object = None) -> None:
        handler = self.TRANSITIONS.get((self.state, symbol))
        if handler is None:
            if symbol == TIMER or symbol in self.OUTCOMES:
                return
            raise self.Error("cannot %s while %s" % (symbol, self.NAMES[self.state]))
        method: "Callable[[int, object], None]" = getattr(self, handler)
        method(now_ms, arg)

    def _retry_at(self, now_ms: int, backoff: "Backoff", failures: int) -> "int | None":
        """When to try again after ``failures`` consecutive failures; None: give up.
        Also arms the deadline."""
        if backoff.exhausted(failures):
            self._deadline_ms = None
            return None
        self._deadline_ms = now_ms + backoff.delay_ms(failures)
        return self._deadline_ms

    def get_timer(self) -> "int | None":
        """The absolute deadline in ms, or None."""
        return self._deadline_ms

    def handle_timer(self, now_ms: int) -> None:
        """Call when the deadline has passed (earlier calls do nothing)."""
        if self._deadline_ms is not None and now_ms >= self._deadline_ms:
            self._deadline_ms = None
            self._feed(TIMER, now_ms)

    def next_event(self) -> "object | None":
        return self._events.pop(0) if self._events else None
