"""The client's bootstrap machine with stepped time (ETS 1.1-int-0 / int-1 flow).

Also runs under MicroPython.
"""

from lwm2m.backoff import Backoff
from lwm2m.bootstrap import (
    BOOTSTRAPPING,
    DONE,
    FAILED,
    IDLE,
    REQUESTING,
    RETRY_WAIT,
    BootstrapError,
    BootstrapFailed,
    BootstrapFinished,
    BootstrapMachine,
    BootstrapRequestToSend,
    BootstrapStarted,
)
from tests.support import raises


def events(m: BootstrapMachine) -> "list[type]":
    out: "list[type]" = []
    while True:
        e = m.next_event()
        if e is None:
            return out
        out.append(type(e))


def test_int_0_client_initiated_bootstrap() -> None:
    m = BootstrapMachine()
    m.start(0)
    assert isinstance(m.next_request(), BootstrapRequestToSend) and m.next_request() is None
    assert m.state == REQUESTING and m.get_timer() is None
    m.request_succeeded(100)
    assert events(m) == [BootstrapStarted] and m.state == BOOTSTRAPPING
    assert m.get_timer() == 100 + 247000
    # Delete /0 and /1, writes, discover: each restarts the quiet timer.
    for t in (200, 300, 400, 500):
        assert m.operation_received(t)
    assert m.get_timer() == 500 + 247000
    m.finish_received(600, consistent=True)
    assert events(m) == [BootstrapFinished] and m.state == DONE and m.get_timer() is None


def test_inconsistent_finish_keeps_waiting_for_the_server() -> None:
    m = BootstrapMachine(finish_timeout_ms=1000)
    m.start(0)
    m.request_succeeded(0)
    events(m)
    m.finish_received(10, consistent=False)
    assert m.state == BOOTSTRAPPING and m.get_timer() == 1010 and events(m) == []
    m.operation_received(20)
    m.finish_received(30, consistent=True)
    assert m.state == DONE


def test_quiet_server_fails_the_attempt_and_retries_with_back_off() -> None:
    m = BootstrapMachine(Backoff(1000, 2, 3000, max_attempts=3), finish_timeout_ms=5000)
    m.start(0)
    m.request_succeeded(0)
    events(m)
    m.handle_timer(4999)
    assert m.state == BOOTSTRAPPING
    m.handle_timer(5000)
    assert m.state == RETRY_WAIT and m.get_timer() == 6000
    assert events(m) == [BootstrapFailed]
    m.handle_timer(6000)
    assert isinstance(m.next_request(), BootstrapRequestToSend)
    m.request_failed(6100, "4.00 Bad Request")
    assert m.get_timer() == 8100  # second failure: 2 s
    assert events(m) == [BootstrapFailed]
    m.handle_timer(8100)
    m.next_request()
    m.request_failed(8200, "timed out")
    failed = m.next_event()
    assert isinstance(failed, BootstrapFailed) and failed.final and failed.attempts == 3
    assert m.state == FAILED and m.get_timer() is None
    assert not m.operation_received(9000)  # refused: no bootstrap in FAILED
    m.start(10000)
    assert m.state == REQUESTING
    m.request_failed(10100, "again")  # a fresh series: the first failure retries
    assert m.state == RETRY_WAIT and m.get_timer() == 11100


def test_server_initiated_bootstrap_and_lost_acknowledgement() -> None:
    m = BootstrapMachine()
    assert m.operation_received(0)  # server-initiated (Core §6.1.4)
    assert m.state == BOOTSTRAPPING and events(m) == [BootstrapStarted]
    m.finish_received(10, True)
    m2 = BootstrapMachine()
    m2.start(0)
    m2.operation_received(50)  # the 2.04 was lost; provisioning started anyway
    assert m2.state == BOOTSTRAPPING and m2.next_request() is None
    m2.request_succeeded(60)  # the late 2.04 changes nothing
    assert m2.state == BOOTSTRAPPING and events(m2) == [BootstrapStarted]


def test_misuse_and_reset() -> None:
    m = BootstrapMachine()
    m.start(0)
    raises(BootstrapError, m.start, 1)
    m.reset()
    assert m.state == IDLE and m.next_request() is None and m.get_timer() is None
    m.request_failed(5, "late")  # ignored
    assert m.state == IDLE
    raises(ValueError, BootstrapMachine, None, 0)
