"""The registration state machine, driven with stepped time and no network.

Named after the ETS cases they cover where one applies (../shared/vectors/ets_cases.md).
Also runs under MicroPython.
"""

from lwm2m.backoff import Backoff
from lwm2m.registration import (
    DISABLED,
    FAILED,
    IDLE,
    REGISTERED,
    REGISTERING,
    RETRY_WAIT,
    UPDATE_BINDING,
    UPDATE_LIFETIME,
    UPDATE_OBJECTS,
    UPDATING,
    Deregistered,
    DeregisterRequest,
    Disabled,
    Registered,
    RegisterRequest,
    RegistrationError,
    RegistrationFailed,
    RegistrationMachine,
    RegistrationPolicy,
    RegistrationUpdated,
    UpdateRequest,
)
from tests.support import raises

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any


def drain(m: RegistrationMachine) -> "tuple[list[Any], list[Any]]":
    requests = []
    while True:
        r = m.next_request()
        if r is None:
            break
        requests.append(r)
    events = []
    while True:
        e = m.next_event()
        if e is None:
            break
        events.append(e)
    return requests, events


def registered(lifetime_s: int = 300, now_ms: int = 0) -> RegistrationMachine:
    m = RegistrationMachine(lifetime_s)
    m.start(now_ms)
    m.register_succeeded(now_ms, "/rd/5a3f")
    drain(m)
    return m


def test_int_101_initial_registration() -> None:
    m = RegistrationMachine(86400)
    assert m.state == IDLE and m.get_timer() is None
    m.start(1000)
    requests, events = drain(m)
    assert [type(r) for r in requests] == [RegisterRequest] and events == []
    assert m.state == REGISTERING and m.get_timer() is None
    m.register_succeeded(1500, "/rd/5a3f")
    _, events = drain(m)
    assert [type(e) for e in events] == [Registered] and events[0].location == "/rd/5a3f"
    assert m.state == REGISTERED and m.registered and m.location == "/rd/5a3f"
    # The Update is due MAX_TRANSMIT_WAIT (93 s) before the lifetime ends.
    assert m.get_timer() == 1500 + 86400 * 1000 - 93000


def test_update_timing_for_short_lifetimes() -> None:
    # 120 s lifetime (ETS 1.1-int-107): 120 - 93 = 27 s is less than half: update at 60 s.
    m = registered(lifetime_s=120)
    assert m.get_timer() == 60000
    policy = RegistrationPolicy(update_margin_ms=10000)
    assert policy.update_delay_ms(120) == 110000
    assert policy.update_delay_ms(10) == 5000


def test_int_107_updates_keep_the_registration_alive() -> None:
    m = registered(lifetime_s=120)
    now = 0
    for _ in range(5):
        now = m.get_timer() or -1
        m.handle_timer(now - 1)  # not yet due: nothing happens
        assert drain(m) == ([], [])
        m.handle_timer(now)
        requests, _ = drain(m)
        assert len(requests) == 1 and isinstance(requests[0], UpdateRequest)
        assert requests[0].location == "/rd/5a3f" and requests[0].parameters == frozenset()
        assert m.state == UPDATING and m.get_timer() is None
        m.update_succeeded(now + 300)
        _, events = drain(m)
        assert [type(e) for e in events] == [RegistrationUpdated]
        assert m.get_timer() == now + 300 + 60000


def test_int_102_lifetime_write_sends_an_update_with_lt() -> None:
    m = registered(lifetime_s=300)
    m.set_lifetime(5000, 63)
    requests, _ = drain(m)
    assert len(requests) == 1 and requests[0].parameters == frozenset([UPDATE_LIFETIME])
    m.update_succeeded(5100)
    assert m.get_timer() == 5100 + 31500  # half of 63 s: 93 s margin is larger
    drain(m)
    m.set_lifetime(6000, 63)  # unchanged: no Update
    assert drain(m) == ([], [])
    raises(RegistrationError, m.set_lifetime, 6000, 0)


def test_int_104_update_trigger_while_updating_sends_a_second_update() -> None:
    m = registered()
    m.update(100, (UPDATE_BINDING,))
    requests, _ = drain(m)
    assert requests[0].parameters == frozenset([UPDATE_BINDING])
    m.update(150)  # /1/0/8 executed while the first Update is outstanding
    m.update(160, (UPDATE_OBJECTS,))
    assert drain(m)[0] == []
    m.update_succeeded(200)
    requests, events = drain(m)
    assert [type(e) for e in events] == [RegistrationUpdated]
    assert len(requests) == 1 and requests[0].parameters == frozenset([UPDATE_OBJECTS])
    m.update_succeeded(250)
    assert m.state == REGISTERED and drain(m)[0] == []


def test_int_105_update_answered_404_registers_again() -> None:
    m = registered()
    m.update(100)
    drain(m)
    m.update_failed(200, 0x84, "4.04 Not Found")
    requests, events = drain(m)
    assert [type(e) for e in events] == [Deregistered] and "4.04" in events[0].reason
    assert [type(r) for r in requests] == [RegisterRequest]
    assert m.state == REGISTERING and m.location is None
    m.register_succeeded(300, "/rd/new")
    assert m.location == "/rd/new"


def test_update_timeout_also_registers_again() -> None:
    m = registered()
    m.update(100)
    drain(m)
    m.update_failed(93100, None, "timed out")
    requests, _ = drain(m)
    assert [type(r) for r in requests] == [RegisterRequest]


def test_register_back_off_follows_reg_retry_settings() -> None:
    m = RegistrationMachine(300)  # REG_RETRY 60 s, x2, cap 480 s
    m.start(0)
    now = 0
    waits = []
    for _attempt in range(6):
        assert [type(r) for r in drain(m)[0]] == [RegisterRequest]
        m.register_failed(now, "timed out")
        _, events = drain(m)
        assert [type(e) for e in events] == [RegistrationFailed] and not events[0].final
        assert m.state == RETRY_WAIT
        deadline = m.get_timer()
        assert deadline is not None and events[0].retry_at_ms == deadline
        waits.append(deadline - now)
        now = deadline
        m.handle_timer(now)
    assert waits == [60000, 120000, 240000, 480000, 480000, 480000]


def test_retries_run_out_when_limited() -> None:
    m = RegistrationMachine(300, RegistrationPolicy(Backoff(1000, 2, 8000, max_attempts=3)))
    m.start(0)
    now = 0
    for attempt in (1, 2, 3):
        drain(m)
        m.register_failed(now, "4.03 Forbidden")
        _, events = drain(m)
        assert events[0].attempts == attempt and events[0].final == (attempt == 3)
        now = m.get_timer() or now
        m.handle_timer(now)
    assert m.state == FAILED and m.get_timer() is None
    m.start(now)  # e.g. after a bootstrap
    assert m.state == REGISTERING


def test_int_103_disable_deregisters_then_registers_after_the_timeout() -> None:
    m = registered()
    m.disable(1000, timeout_s=30)
    requests, _ = drain(m)
    assert len(requests) == 1 and isinstance(requests[0], DeregisterRequest)
    assert requests[0].location == "/rd/5a3f"
    m.deregister_done(1200)
    _, events = drain(m)
    assert [type(e) for e in events] == [Deregistered, Disabled]
    assert events[1].until_ms == 31000 and m.state == DISABLED and m.get_timer() == 31000
    m.handle_timer(31000)
    assert [type(r) for r in drain(m)[0]] == [RegisterRequest]


def test_deregister() -> None:
    m = registered()
    m.deregister(10)
    requests, _ = drain(m)
    assert isinstance(requests[0], DeregisterRequest)
    m.deregister_done(20)
    _, events = drain(m)
    assert [type(e) for e in events] == [Deregistered] and m.state == IDLE
    m.deregister(30)  # nothing to do when not registered
    assert drain(m) == ([], [])


def test_deregister_while_registering_abandons() -> None:
    m = RegistrationMachine(300)
    m.start(0)
    drain(m)
    m.deregister(5)
    assert m.state == IDLE
    m.register_succeeded(10, "/rd/late")  # a late answer is ignored
    assert m.state == IDLE and drain(m) == ([], [])


def test_reset_drops_everything() -> None:
    m = registered()
    m.update(10, (UPDATE_LIFETIME,))
    m.reset()
    assert m.state == IDLE and m.location is None and m.get_timer() is None
    assert drain(m) == ([], [])
    m.update_succeeded(20)  # late outcome: ignored
    assert m.state == IDLE
    m.start(30)
    assert [type(r) for r in drain(m)[0]] == [RegisterRequest]


def test_misuse_is_reported() -> None:
    m = RegistrationMachine(300)
    raises(RegistrationError, m.update, 0)
    raises(RegistrationError, m.disable, 0)
    raises(RegistrationError, RegistrationMachine, 0)
    raises(ValueError, Backoff, 0, 2, 10)
    raises(ValueError, Backoff, 10, 2, 5)
    raises(ValueError, lambda: Backoff(1, 2, 10, max_attempts=0))
    m.start(0)
    raises(RegistrationError, m.start, 0)
    assert m.state == REGISTERING


def test_update_due_while_updating_is_not_lost() -> None:
    m = registered(lifetime_s=120)
    m.handle_timer(60000)
    drain(m)
    assert m.state == UPDATING
    m.update_succeeded(61000)
    assert m.state == REGISTERED and m.get_timer() == 121000
