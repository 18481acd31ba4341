"""Registration with one LwM2M server: Register, Update, De-register, Disable.

Theory of operation
-------------------
OMA LwM2M 1.1.1 Core §6.2 and Transport §6.x define the Client Registration interface.
This module is its state machine for one server, and it never sees bytes: the Client
feeds it commands (start, trigger an update, disable, de-register) and the outcomes of
the CoAP requests it sent on the machine's behalf; the machine answers with requests to
send (``next_request()``), events (``next_event()``) and one deadline (``get_timer()``).
That keeps every timing rule testable with stepped time and no network.

States::

    IDLE           not started (or reset); nothing outstanding
    REGISTERING    a Register is outstanding
    REGISTERED     registered; the update deadline runs
    UPDATING       an Update is outstanding; still registered
    DEREGISTERING  a De-register is outstanding
    RETRY_WAIT     the last Register failed; waiting out the back-off
    DISABLED       the server executed Disable (/1/x/4): de-registered for the timeout
    FAILED         the retries are exhausted; the Client decides (bootstrap fallback)

Every transition is a row of ``TRANSITIONS``, keyed by (state, input). An input that a
state has no row for is local misuse when it is a command (``RegistrationError``) and is
ignored when it is an outcome (a late response to a request the machine gave up on).

Timing rules:

- The Update goes out ``margin`` before the lifetime ends, the margin being the larger
  of the configured one and the CoAP MAX_TRANSMIT_WAIT (so a retransmitted Update still
  lands in time), and never earlier than half the lifetime (short lifetimes).
- A failed Register waits the BG96 back-off of ``lwm2m_cfg`` (REG_RETRY_TIMEOUT times
  REG_RETRY_EXPONENT per retry, capped at REG_RETRY_MAXTIMEOUT), up to ``max_attempts``.
- What changes while a Register is outstanding (lifetime, binding, object list) goes
  out in an Update as soon as the Register succeeds: the Register left with the old
  values.
- An Update answered 4.04 means the server lost the registration: register again at
  once (ETS 1.1-int-105). Any other failed Update also falls back to a full Register.
- Disable de-registers and re-registers when the Disable Timeout has passed (Core
  §5.2.2, Server object /1/x/5; ETS int-103).
"""

from lwm2m.backoff import Backoff
from lwm2m.machine import TIMER, AttemptFailed, TabledMachine

IDLE = 0
REGISTERING = 1
REGISTERED = 2
UPDATING = 3
DEREGISTERING = 4
RETRY_WAIT = 5
DISABLED = 6
FAILED = 7

NAMES = {
    IDLE: "IDLE",
    REGISTERING: "REGISTERING",
    REGISTERED: "REGISTERED",
    UPDATING: "UPDATING",
    DEREGISTERING: "DEREGISTERING",
    RETRY_WAIT: "RETRY_WAIT",
    DISABLED: "DISABLED",
    FAILED: "FAILED",
}

# What an Update carries beyond the location (Core §6.2.2: only what changed).
UPDATE_LIFETIME = "lt"
UPDATE_BINDING = "b"
UPDATE_SMS = "sms"
UPDATE_OBJECTS = "objects"

# CoAP 4.04 Not Found, in the code byte's encoding (class << 5 | detail).
_NOT_FOUND = 0x84

DEFAULT_DISABLE_TIMEOUT_S = 86400  # Core Appendix E.2, /1/x/5 default


class RegistrationError(Exception):
    """The Client asked the machine for something its state does not allow."""


class RegistrationPolicy:
    """Timing of registration: the Register back-off and the Update margin (ms)."""

    __slots__ = ("backoff", "update_margin_ms")

    def __init__(self, backoff: "Backoff | None" = None, update_margin_ms: int = 93000) -> None:
        # Defaults: lwm2m_cfg REG_RETRY_* (spec/bg96.md); margin = MAX_TRANSMIT_WAIT of
        # RFC 7252 §4.8.2 with the default transmission parameters (93 s).
        self.backoff = backoff if backoff is not None else Backoff(60000, 2, 480000)
        self.update_margin_ms = update_margin_ms

    def update_delay_ms(self, lifetime_s: int) -> int:
        """How long after a successful Register or Update the next Update is due."""
        lifetime_ms = lifetime_s * 1000
        return max(lifetime_ms // 2, lifetime_ms - self.update_margin_ms)


# Requests the Client sends on the machine's behalf.


class RegisterRequest:
    """Send POST /rd with the full registration parameters and object list."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "RegisterRequest()"


class UpdateRequest:
    """Send POST to the registration location with the parameters that changed."""

    __slots__ = ("location", "parameters")

    def __init__(self, location: str, parameters: "frozenset[str]") -> None:
        self.location = location
        self.parameters = parameters

    def __repr__(self) -> str:
        return "UpdateRequest(%r, %r)" % (self.location, sorted(self.parameters))


class DeregisterRequest:
    """Send DELETE to the registration location."""

    __slots__ = ("location",)

    def __init__(self, location: str) -> None:
        self.location = location

    def __repr__(self) -> str:
        return "DeregisterRequest(%r)" % (self.location,)


# Events.


class Registered:
    """The server accepted the Register; ``location`` is its /rd/<id> path."""

    __slots__ = ("location",)

    def __init__(self, location: str) -> None:
        self.location = location


class RegistrationUpdated:
    """The server accepted an Update."""

    __slots__ = ("parameters",)

    def __init__(self, parameters: "frozenset[str]") -> None:
        self.parameters = parameters


class Deregistered:
    """The registration is gone: de-registered, disabled, or the server lost it."""

    __slots__ = ("reason",)

    def __init__(self, reason: str) -> None:
        self.reason = reason


class RegistrationFailed(AttemptFailed):
    """A Register failed; ``final`` when no retry follows (the back-off is exhausted)."""

    __slots__ = ()


class Disabled:
    """The server disabled this registration until ``until_ms``."""

    __slots__ = ("until_ms",)

    def __init__(self, until_ms: int) -> None:
        self.until_ms = until_ms


# Inputs of the transition table.
START = "start"
REGISTER_OK = "register_ok"
REGISTER_FAILED = "register_failed"
UPDATE = "update"
UPDATE_OK = "update_ok"
UPDATE_FAILED = "update_failed"
DEREGISTER = "deregister"
DEREGISTER_DONE = "deregister_done"
DISABLE = "disable"

TRANSITIONS = {
    (IDLE, START): "_send_register",
    (FAILED, START): "_send_register",
    (RETRY_WAIT, START): "_send_register",
    (REGISTERING, REGISTER_OK): "_on_registered",
    (REGISTERING, REGISTER_FAILED): "_on_register_failed",
    (RETRY_WAIT, TIMER): "_send_register",
    (REGISTERED, TIMER): "_send_update",
    (REGISTERED, UPDATE): "_send_update",
    (UPDATING, UPDATE): "_defer_update",
    # The Register is on its way with the old values: what changed follows in an Update.
    (REGISTERING, UPDATE): "_defer_update",
    (RETRY_WAIT, UPDATE): "_stay",
    (UPDATING, UPDATE_OK): "_on_updated",
    (UPDATING, UPDATE_FAILED): "_on_update_failed",
    (REGISTERED, DEREGISTER): "_send_deregister",
    (UPDATING, DEREGISTER): "_send_deregister",
    (REGISTERING, DEREGISTER): "_abandon",
    (RETRY_WAIT, DEREGISTER): "_abandon",
    (FAILED, DEREGISTER): "_abandon",
    (DISABLED, DEREGISTER): "_abandon",
    (IDLE, DEREGISTER): "_stay",
    (DEREGISTERING, DEREGISTER_DONE): "_on_deregistered",
    (REGISTERED, DISABLE): "_send_disable",
    (UPDATING, DISABLE): "_send_disable",
    (DISABLED, TIMER): "_send_register",
}


class RegistrationMachine(TabledMachine):
    """Registration state for one server (see the module's theory of operation)."""

    __slots__ = ("_disable_until_ms", "_failures", "_in_flight", "_pending", "lifetime_s",
                 "location", "policy")

    TRANSITIONS = TRANSITIONS
    NAMES = NAMES
    # Outcomes may arrive late (after a reset or a give-up): ignored where no row is.
    OUTCOMES = (REGISTER_OK, REGISTER_FAILED, UPDATE_OK, UPDATE_FAILED, DEREGISTER_DONE)
    Error = RegistrationError

    def __init__(self, lifetime_s: int, policy: "RegistrationPolicy | None" = None) -> None:
        TabledMachine.__init__(self, IDLE)
        self.policy = policy if policy is not None else RegistrationPolicy()
        self.lifetime_s = _check_lifetime(lifetime_s)
        self.location: "str | None" = None
        self._disable_until_ms: "int | None" = None
        self._failures = 0
        self._pending: "set[str]" = set()
        self._in_flight: "frozenset[str]" = frozenset()

    # -- commands -----------------------------------------------------------------

    def start(self, now_ms: int) -> None:
        """Register now (from IDLE, FAILED, or cutting a back-off short)."""
        self._feed(START, now_ms)

    def update(self, now_ms: int, parameters: "tuple[str, ...]" = ()) -> None:
        """Send an Update now carrying ``parameters`` (UPDATE_* names) besides what is
        already pending; with none, a parameter-less Update (the /1/x/8 trigger)."""
        self._pending.update(parameters)
        self._feed(UPDATE, now_ms)

    def set_lifetime(self, now_ms: int, lifetime_s: int) -> None:
        """The server wrote /1/x/1: the next Update carries ``lt`` and goes out now."""
        lifetime_s = _check_lifetime(lifetime_s)
        if lifetime_s == self.lifetime_s:
            return
        self.lifetime_s = lifetime_s
        if self.state in (REGISTERED, UPDATING, REGISTERING):
            self.update(now_ms, (UPDATE_LIFETIME,))

    def deregister(self, now_ms: int) -> None:
        """De-register (DELETE) when registered; otherwise just stop trying."""
        self._feed(DEREGISTER, now_ms)

    def disable(self, now_ms: int, timeout_s: int = DEFAULT_DISABLE_TIMEOUT_S) -> None:
        """The server executed Disable: de-register, register again after the timeout."""
        if timeout_s < 0:
            raise RegistrationError("the Disable Timeout cannot be negative")
        self._disable_until_ms = now_ms + timeout_s * 1000
        self._feed(DISABLE, now_ms)

    def resume(self, now_ms: int, location: str, update_at_ms: int) -> None:
        """Take up a registration that outlived a restart (``lwm2m_cfg``
        PER_REGSTATUS_FEAT): REGISTERED at ``location`` with no Register sent, the next
        Update due at ``update_at_ms`` (now at the earliest)."""
        if self.state != IDLE:
            raise RegistrationError("resume() needs an idle machine, not %s" % NAMES[self.state])
        self.state = REGISTERED
        self.location = location
        self._failures = 0
        self._deadline_ms = max(now_ms, update_at_ms)
        self._events.append(Registered(location))

    def reset(self) -> None:
        """Forget everything outstanding and return to IDLE (no De-register is sent)."""
        self.state = IDLE
        self.location = None
        self._deadline_ms = None
        self._disable_until_ms = None
        self._failures = 0
        self._pending.clear()
        self._in_flight = frozenset()
        self._requests.clear()

    # -- outcomes of the requests the Client sent ---------------------------------

    def register_succeeded(self, now_ms: int, location: str) -> None:
        self._feed(REGISTER_OK, now_ms, location)

    def register_failed(self, now_ms: int, reason: str) -> None:
        self._feed(REGISTER_FAILED, now_ms, reason)

    def update_succeeded(self, now_ms: int) -> None:
        self._feed(UPDATE_OK, now_ms)

    def update_failed(self, now_ms: int, code: "int | None", reason: str) -> None:
        """``code`` is the response code byte, or None for a timeout."""
        self._feed(UPDATE_FAILED, now_ms, (code, reason))

    def deregister_done(self, now_ms: int) -> None:
        """The DELETE was answered, or failed: either way the registration is over."""
        self._feed(DEREGISTER_DONE, now_ms)

    # -- the sans-IO face (timer and events: TabledMachine) ------------------------

    def next_request(self) -> "RegisterRequest | UpdateRequest | DeregisterRequest | None":
        request = self._requests.pop(0) if self._requests else None
        assert request is None or isinstance(
            request, (RegisterRequest, UpdateRequest, DeregisterRequest))
        return request

    @property
    def registered(self) -> bool:
        return self.state in (REGISTERED, UPDATING)

    # -- the table's handlers -----------------------------------------------------

    def _stay(self, now_ms: int, arg: object) -> None:
        if self.state == RETRY_WAIT:
            self._pending.clear()  # the next Register is built afresh: it carries all

    def _send_register(self, now_ms: int, arg: object) -> None:
        self.state = REGISTERING
        self._deadline_ms = None
        self._pending.clear()
        self._requests.append(RegisterRequest())

    def _on_registered(self, now_ms: int, location: object) -> None:
        assert isinstance(location, str)
        self.state = REGISTERED
        self.location = location
        self._failures = 0
        self._events.append(Registered(location))
        self._pending.discard("")
        if self._pending:
            # Changed while the Register was on its way (Core §6.2.2: Update them).
            self._send_update(now_ms, None)
            return
        self._after_success(now_ms)

    def _on_register_failed(self, now_ms: int, reason: object) -> None:
        self._pending.clear()  # the next Register carries everything
        self._failures += 1
        retry_at = self._retry_at(now_ms, self.policy.backoff, self._failures)
        self._events.append(RegistrationFailed(str(reason), self._failures, retry_at))
        if retry_at is None:
            self.state = FAILED
            self._failures = 0
        else:
            self.state = RETRY_WAIT

    def _send_update(self, now_ms: int, arg: object) -> None:
        assert self.location is not None
        self.state = UPDATING
        self._deadline_ms = None
        self._in_flight = frozenset(self._pending)
        self._pending.clear()
        self._requests.append(UpdateRequest(self.location, self._in_flight))

    def _defer_update(self, now_ms: int, arg: object) -> None:
        # Sent once the outstanding Update is answered; _pending keeps what it carries.
        # A parameter-less trigger still needs its own Update: mark it (not while
        # registering: the Register itself tells the server the client is there).
        if self.state == UPDATING:
            self._pending.add("")

    def _on_updated(self, now_ms: int, arg: object) -> None:
        self.state = REGISTERED
        self._events.append(RegistrationUpdated(self._in_flight))
        self._in_flight = frozenset()
        if self._pending:
            self._pending.discard("")
            self._send_update(now_ms, None)
            return
        self._after_success(now_ms)

    def _on_update_failed(self, now_ms: int, arg: object) -> None:
        assert isinstance(arg, tuple)
        code, reason = arg
        lost = "registration not found (4.04)" if code == _NOT_FOUND else "update failed: %s" % (
            reason,)
        self.location = None
        self._in_flight = frozenset()
        self._events.append(Deregistered(lost))
        # Core §6.2.2 / ETS 1.1-int-105: the server no longer knows us; register afresh.
        self._send_register(now_ms, None)

    def _send_deregister(self, now_ms: int, arg: object) -> None:
        assert self.location is not None
        self.state = DEREGISTERING
        self._deadline_ms = None
        self._in_flight = frozenset()
        self._pending.clear()
        self._requests.append(DeregisterRequest(self.location))

    def _send_disable(self, now_ms: int, arg: object) -> None:
        self._send_deregister(now_ms, arg)

    def _abandon(self, now_ms: int, arg: object) -> None:
        self.reset()

    def _on_deregistered(self, now_ms: int, arg: object) -> None:
        self.location = None
        until = self._disable_until_ms
        self._disable_until_ms = None
        if until is not None:
            self.state = DISABLED
            self._deadline_ms = until
            self._events.append(Deregistered("disabled by the server"))
            self._events.append(Disabled(until))
        else:
            self.state = IDLE
            self._deadline_ms = None
            self._events.append(Deregistered("de-registered"))

    def _after_success(self, now_ms: int) -> None:
        self._deadline_ms = now_ms + self.policy.update_delay_ms(self.lifetime_s)


def _check_lifetime(lifetime_s: int) -> int:
    # Core Appendix E.2, /1/x/1: the lifetime is a positive number of seconds.
    if not isinstance(lifetime_s, int) or isinstance(lifetime_s, bool) or lifetime_s <= 0:
        raise RegistrationError("the lifetime must be a positive number of seconds")
    return lifetime_s
