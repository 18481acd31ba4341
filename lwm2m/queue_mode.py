"""Queue mode (Core §6.5 of LwM2M 1.1.1; the "UQ" binding of 1.0): when to sleep.

A queue-mode client is reachable only for a while after it last talked to a server:
the awake time, which the BG96 calls ACK_TIMEOUT (``lwm2m_cfg``, 60 s by default).
When it passes with nothing outstanding the client stops listening (``STATE_SLEEPING``;
datagrams from that server are no longer taken in) and keeps what it would have
reported. It wakes by sending: an Update when the lifetime needs one or when it has
something to report (a notification, a Send), after which the server may talk to it
again (Core §6.5: "the LwM2M Server ... may send requests after the Update").
The DTLS session survives the sleep; a lost one is resumed (``lwm2m.session``).
"""


class QueueState:
    """Awake-or-asleep of one server session in queue mode (times in ms)."""

    __slots__ = ("asleep", "awake_ms", "awake_until_ms")

    def __init__(self, awake_ms: int) -> None:
        if awake_ms <= 0:
            raise ValueError("the awake time must be positive")
        self.awake_ms = awake_ms
        self.awake_until_ms: "int | None" = None
        self.asleep = False

    def activity(self, now_ms: int) -> None:
        """The client sent to or heard from the server: awake for another awake time."""
        self.asleep = False
        self.awake_until_ms = now_ms + self.awake_ms

    def get_timer(self) -> "int | None":
        return None if self.asleep else self.awake_until_ms

    def may_sleep(self, now_ms: int) -> bool:
        """The awake time has passed (the caller checks nothing is outstanding)."""
        return (not self.asleep and self.awake_until_ms is not None
                and now_ms >= self.awake_until_ms)

    def sleep(self) -> None:
        self.asleep = True
        self.awake_until_ms = None


class Sleeping:
    """Queue mode: the client stopped listening to server ``ssid``."""

    __slots__ = ("ssid",)

    def __init__(self, ssid: int) -> None:
        self.ssid = ssid

    def __repr__(self) -> str:
        return "Sleeping(%d)" % self.ssid


class Woken:
    """Queue mode: the client woke to talk to server ``ssid`` (``reason``)."""

    __slots__ = ("reason", "ssid")

    def __init__(self, ssid: int, reason: str) -> None:
        self.ssid = ssid
        self.reason = reason

    def __repr__(self) -> str:
        return "Woken(%d, %r)" % (self.ssid, self.reason)
