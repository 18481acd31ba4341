"""Client-initiated bootstrap: Bootstrap-Request, the server's writes, Bootstrap-Finish.

Theory of operation
-------------------
OMA LwM2M 1.1.1 Core §6.1 and Transport §6.x. The client sends Bootstrap-Request
(POST /bs?ep=...); the Bootstrap-Server answers 2.04 and then provisions the client
with Bootstrap-Write / -Delete / -Discover / -Read, ending with Bootstrap-Finish
(POST /bs), which the client answers 2.04 when its configuration is consistent (at
least one usable server account) and 4.06 Not Acceptable otherwise (Core §6.1.7.7),
in which case the Bootstrap-Server may carry on fixing it.

Like ``lwm2m.registration`` this machine never sees bytes; its transitions are the
rows of ``TRANSITIONS``. The Client tells it what
happened (its request's outcome, each bootstrap operation the server performed, the
Finish with the Client's consistency verdict) and it answers with requests to send,
events and a deadline. States::

    IDLE           nothing going on
    REQUESTING     a Bootstrap-Request is outstanding
    BOOTSTRAPPING  the server is provisioning; waiting for Finish
    RETRY_WAIT     the attempt failed; waiting out the back-off
    DONE           Finish accepted: the Client may register
    FAILED         the retries are exhausted

A bootstrap attempt fails when the request is refused or times out, or when the server
goes quiet for ``finish_timeout_ms`` before the Finish (the timer restarts with every
bootstrap operation). A Bootstrap-Server may also start provisioning without a
request (server-initiated bootstrap, Core §6.1.4): an operation while IDLE, DONE or
RETRY_WAIT moves the machine to BOOTSTRAPPING.
"""

from lwm2m.backoff import Backoff
from lwm2m.machine import TIMER, AttemptFailed, TabledMachine

IDLE = 0
REQUESTING = 1
BOOTSTRAPPING = 2
RETRY_WAIT = 3
DONE = 4
FAILED = 5

NAMES = {
    IDLE: "IDLE",
    REQUESTING: "REQUESTING",
    BOOTSTRAPPING: "BOOTSTRAPPING",
    RETRY_WAIT: "RETRY_WAIT",
    DONE: "DONE",
    FAILED: "FAILED",
}

# RFC 7252 §4.8.2 EXCHANGE_LIFETIME with default parameters: how long a quiet
# Bootstrap-Server is waited for before the attempt counts as failed.
DEFAULT_FINISH_TIMEOUT_MS = 247000


class BootstrapError(Exception):
    """The Client asked the machine for something its state does not allow."""


class BootstrapRequestToSend:
    """Send POST /bs?ep=<endpoint>[&pct=<preferred content format>]."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "BootstrapRequestToSend()"


class BootstrapStarted:
    """The Bootstrap-Server is provisioning the client (request accepted or server-initiated)."""

    __slots__ = ()


class BootstrapFinished:
    """Bootstrap-Finish was accepted: the configuration is complete."""

    __slots__ = ()


class BootstrapFailed(AttemptFailed):
    """An attempt failed; ``final`` when no retry follows (the back-off is exhausted)."""

    __slots__ = ()


START = "start"
REQUEST_OK = "request_ok"
REQUEST_FAILED = "request_failed"
OPERATION = "operation"
FINISH_CONSISTENT = "finish_consistent"
FINISH_INCONSISTENT = "finish_inconsistent"

TRANSITIONS = {
    (IDLE, START): "_send_request",
    (RETRY_WAIT, START): "_send_request",
    (DONE, START): "_send_request",
    (FAILED, START): "_send_request",
    (REQUESTING, REQUEST_OK): "_begin",
    (REQUESTING, REQUEST_FAILED): "_fail",
    # An operation while REQUESTING means the 2.04 was lost or overtaken; in IDLE, DONE
    # or RETRY_WAIT it is a server-initiated bootstrap (Core §6.1.4).
    (REQUESTING, OPERATION): "_begin",
    (IDLE, OPERATION): "_begin",
    (DONE, OPERATION): "_begin",
    (RETRY_WAIT, OPERATION): "_begin",
    (BOOTSTRAPPING, OPERATION): "_keep_waiting",
    (BOOTSTRAPPING, FINISH_CONSISTENT): "_finish",
    (REQUESTING, FINISH_CONSISTENT): "_finish",
    # Core §6.1.7.7: answered 4.06; the server may fix the configuration and finish again.
    (BOOTSTRAPPING, FINISH_INCONSISTENT): "_keep_waiting",
    (REQUESTING, FINISH_INCONSISTENT): "_begin",
    (RETRY_WAIT, TIMER): "_send_request",
    (BOOTSTRAPPING, TIMER): "_quiet_server",
}


class BootstrapMachine(TabledMachine):
    """Bootstrap state of the client (see the module's theory of operation)."""

    __slots__ = ("_failures", "backoff", "finish_timeout_ms")

    TRANSITIONS = TRANSITIONS
    NAMES = NAMES
    OUTCOMES = (REQUEST_OK, REQUEST_FAILED, FINISH_CONSISTENT, FINISH_INCONSISTENT)
    Error = BootstrapError

    def __init__(
        self,
        backoff: "Backoff | None" = None,
        finish_timeout_ms: int = DEFAULT_FINISH_TIMEOUT_MS,
    ) -> None:
        TabledMachine.__init__(self, IDLE)
        # The BG96 has no bootstrap-specific retry keys; its registration ones serve.
        self.backoff = backoff if backoff is not None else Backoff(60000, 2, 480000)
        if finish_timeout_ms <= 0:
            raise ValueError("finish_timeout_ms must be positive")
        self.finish_timeout_ms = finish_timeout_ms
        self._failures = 0

    # -- commands -----------------------------------------------------------------

    def start(self, now_ms: int) -> None:
        """Send a Bootstrap-Request now (also cuts a back-off short)."""
        self._feed(START, now_ms)

    def reset(self) -> None:
        """Forget the attempt and the failure count; back to IDLE."""
        self.state = IDLE
        self._deadline_ms = None
        self._failures = 0
        self._requests.clear()

    # -- what happened -------------------------------------------------------------

    def request_succeeded(self, now_ms: int) -> None:
        """The Bootstrap-Request was answered 2.04."""
        self._feed(REQUEST_OK, now_ms)

    def request_failed(self, now_ms: int, reason: str) -> None:
        """The Bootstrap-Request was refused or timed out."""
        self._feed(REQUEST_FAILED, now_ms, reason)

    def operation_received(self, now_ms: int) -> bool:
        """The Bootstrap-Server performed a bootstrap operation (write, delete, discover,
        read). False when no bootstrap may happen now (FAILED): the Client refuses it."""
        if self.state == FAILED:
            return False
        self._feed(OPERATION, now_ms)
        return True

    def finish_received(self, now_ms: int, consistent: bool) -> None:
        """Bootstrap-Finish arrived; ``consistent`` is the Client's check of its
        configuration. The Client answers 2.04 when consistent, 4.06 otherwise."""
        self._feed(FINISH_CONSISTENT if consistent else FINISH_INCONSISTENT, now_ms)

    def next_request(self) -> "BootstrapRequestToSend | None":
        request = self._requests.pop(0) if self._requests else None
        assert request is None or isinstance(request, BootstrapRequestToSend)
        return request

    # -- the table's handlers -----------------------------------------------------

    def _send_request(self, now_ms: int, arg: object) -> None:
        self.state = REQUESTING
        self._deadline_ms = None
        self._requests.append(BootstrapRequestToSend())

    def _begin(self, now_ms: int, arg: object) -> None:
        self._requests.clear()
        self.state = BOOTSTRAPPING
        self._deadline_ms = now_ms + self.finish_timeout_ms
        self._events.append(BootstrapStarted())

    def _keep_waiting(self, now_ms: int, arg: object) -> None:
        self._deadline_ms = now_ms + self.finish_timeout_ms

    def _finish(self, now_ms: int, arg: object) -> None:
        self.state = DONE
        self._deadline_ms = None
        self._failures = 0
        self._events.append(BootstrapFinished())

    def _quiet_server(self, now_ms: int, arg: object) -> None:
        self._fail(now_ms, "no Bootstrap-Finish within %d ms" % self.finish_timeout_ms)

    def _fail(self, now_ms: int, reason: object) -> None:
        self._failures += 1
        retry_at = self._retry_at(now_ms, self.backoff, self._failures)
        self._events.append(BootstrapFailed(str(reason), self._failures, retry_at))
        if retry_at is None:
            self.state = FAILED
            self._failures = 0  # a later start() begins a fresh series
        else:
            self.state = RETRY_WAIT
