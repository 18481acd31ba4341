"""The Client's states (BG96 numbering) and the events it reports to its host.

States 0-5 are the BG96's ``+QLWEVENT`` numbers (spec/bg96.md, DESIGN.md); the states
the BG96 guide does not number take the next numbers:

==  ===========================  ===============================================
 0  STATE_INITIAL                created, or reset; nothing started
 1  STATE_BOOTSTRAP_REQUIRED     started with no LwM2M server account to use
 2  STATE_BOOTSTRAPPING          a bootstrap is running (part 2)
 3  STATE_REGISTER_REQUIRED      started; the Registers are about to go out
 4  STATE_REGISTERING            a Register is outstanding or waiting out REG_RETRY
 5  STATE_READY                  registered with at least one server
 6  STATE_DEREGISTERING          a De-register is outstanding, none registered
 7  STATE_DEREGISTERED           de-registered from every server (``deregister()``)
 8  STATE_REGISTRATION_FAILED    every server's retries are exhausted
 9  STATE_BOOTSTRAP_FAILED       the bootstrap retries are exhausted (part 2)
10  STATE_DISABLED               every server executed Disable (/1/x/4)
11  STATE_SLEEPING               queue mode, the client is offline (part 2)
==  ===========================  ===============================================
"""

STATE_INITIAL = 0
STATE_BOOTSTRAP_REQUIRED = 1
STATE_BOOTSTRAPPING = 2
STATE_REGISTER_REQUIRED = 3
STATE_REGISTERING = 4
STATE_READY = 5
STATE_DEREGISTERING = 6
STATE_DEREGISTERED = 7
STATE_REGISTRATION_FAILED = 8
STATE_BOOTSTRAP_FAILED = 9
STATE_DISABLED = 10
STATE_SLEEPING = 11

NAMES = {
    STATE_INITIAL: "STATE_INITIAL",
    STATE_BOOTSTRAP_REQUIRED: "STATE_BOOTSTRAP_REQUIRED",
    STATE_BOOTSTRAPPING: "STATE_BOOTSTRAPPING",
    STATE_REGISTER_REQUIRED: "STATE_REGISTER_REQUIRED",
    STATE_REGISTERING: "STATE_REGISTERING",
    STATE_READY: "STATE_READY",
    STATE_DEREGISTERING: "STATE_DEREGISTERING",
    STATE_DEREGISTERED: "STATE_DEREGISTERED",
    STATE_REGISTRATION_FAILED: "STATE_REGISTRATION_FAILED",
    STATE_BOOTSTRAP_FAILED: "STATE_BOOTSTRAP_FAILED",
    STATE_DISABLED: "STATE_DISABLED",
    STATE_SLEEPING: "STATE_SLEEPING",
}

TYPE_CHECKING = False
if TYPE_CHECKING:
    from objects.path import Path


class StateChanged:
    """The client's state changed (``+QLWEVENT: <state>,"<name>"``)."""

    __slots__ = ("state",)

    def __init__(self, state: int) -> None:
        self.state = state

    @property
    def name(self) -> str:
        return NAMES[self.state]

    def __repr__(self) -> str:
        return "StateChanged(%d, %s)" % (self.state, self.name)


class Registered:
    """Server ``ssid`` accepted the Register; ``location`` is its /rd/... path."""

    __slots__ = ("location", "ssid")

    def __init__(self, ssid: int, location: str) -> None:
        self.ssid = ssid
        self.location = location

    def __repr__(self) -> str:
        return "Registered(%d, %r)" % (self.ssid, self.location)


class RegistrationUpdated:
    """Server ``ssid`` accepted an Update carrying ``parameters`` (lt, b, objects...)."""

    __slots__ = ("parameters", "ssid")

    def __init__(self, ssid: int, parameters: "frozenset[str]") -> None:
        self.ssid = ssid
        self.parameters = parameters

    def __repr__(self) -> str:
        return "RegistrationUpdated(%d, %r)" % (self.ssid, sorted(self.parameters))


class Deregistered:
    """The registration with ``ssid`` is gone (de-registered, disabled, or lost)."""

    __slots__ = ("reason", "ssid")

    def __init__(self, ssid: int, reason: str) -> None:
        self.ssid = ssid
        self.reason = reason

    def __repr__(self) -> str:
        return "Deregistered(%d, %r)" % (self.ssid, self.reason)


class RegistrationFailed:
    """A Register to ``ssid`` failed; ``final`` when no retry follows."""

    __slots__ = ("attempts", "final", "reason", "retry_at_ms", "ssid")

    def __init__(self, ssid: int, reason: str, attempts: int, final: bool,
                 retry_at_ms: "int | None") -> None:
        self.ssid = ssid
        self.reason = reason
        self.attempts = attempts
        self.final = final
        self.retry_at_ms = retry_at_ms

    def __repr__(self) -> str:
        return "RegistrationFailed(%d, %r, attempts=%d, final=%r)" % (
            self.ssid, self.reason, self.attempts, self.final)


class Disabled:
    """Server ``ssid`` executed Disable; the client registers again at ``until_ms``."""

    __slots__ = ("ssid", "until_ms")

    def __init__(self, ssid: int, until_ms: int) -> None:
        self.ssid = ssid
        self.until_ms = until_ms


class RequestHandled:
    """A device-management request from ``ssid`` was answered with ``code``."""

    __slots__ = ("code", "method", "path", "ssid")

    def __init__(self, ssid: int, method: int, path: str, code: int) -> None:
        self.ssid = ssid
        self.method = method
        self.path = path
        self.code = code

    def __repr__(self) -> str:
        return "RequestHandled(%d, %d, %s, %d.%02d)" % (
            self.ssid, self.method, self.path, self.code >> 5, self.code & 0x1F)


class DownlinkDataReceived:
    """A server wrote application data (/19/x/0/y or /10250/0/1): ``+QLWDLDATA``."""

    __slots__ = ("data", "path", "ssid")

    def __init__(self, path: "Path", data: bytes, ssid: int) -> None:
        self.path = path
        self.data = data
        self.ssid = ssid

    def __repr__(self) -> str:
        return "DownlinkDataReceived(%r, %d bytes, %d)" % (self.path, len(self.data), self.ssid)


class RebootRequested:
    """A server executed Reboot (/3/0/4); the 2.04 is queued before this event."""

    __slots__ = ("ssid",)

    def __init__(self, ssid: int) -> None:
        self.ssid = ssid


class FactoryResetRequested:
    """A server executed Factory Reset (/3/0/5)."""

    __slots__ = ("ssid",)

    def __init__(self, ssid: int) -> None:
        self.ssid = ssid
