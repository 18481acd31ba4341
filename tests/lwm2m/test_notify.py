"""Attribute arithmetic at the edges: pmin holding back, pmax forcing, gt / lt crossings,
st steps, epmin / epmax (issue 8 §4; ETS int-301 / int-310 shapes). Also runs under
MicroPython."""

from lwm2m.notify import EVALUATE, NOTIFY, NotifyTimer


def test_int_301_pmin_holds_back_and_pmax_forces() -> None:
    t = NotifyTimer({"pmin": 2, "pmax": 10}, now_ms=0, value=20)
    assert t.get_timer() == 10000  # only pmax pending
    t.changed(500, 21)
    assert t.get_timer() == 2000  # held back until pmin
    assert t.due(1999) == 0
    assert t.due(2000) == NOTIFY
    t.sent(2000, 21)
    assert t.get_timer() == 12000
    assert t.due(11999) == 0
    assert t.due(12000) == NOTIFY  # pmax: notify with no change
    t.sent(12000, 21)
    t.changed(15000, 22)  # past pmin already: due at once
    assert t.get_timer() == 14000 and t.due(15000) == NOTIFY


def test_unchanged_value_does_not_qualify() -> None:
    t = NotifyTimer({}, 0, value="on")
    t.changed(10, "on")
    assert t.get_timer() is None and t.due(10) == 0
    t.changed(20, "off")
    assert t.due(20) == NOTIFY


def test_aggregate_observation_any_change_qualifies() -> None:
    t = NotifyTimer({"pmin": 1}, 0)
    t.changed(100)
    assert t.get_timer() == 1000 and t.due(1000) == NOTIFY


def test_gt_lt_crossings_in_both_directions() -> None:
    t = NotifyTimer({"gt": 50, "lt": 10}, 0, value=30)
    for value, expected in [(49, False), (50, False), (51, True)]:
        t.changed(1, value)
        assert bool(t.due(1) & NOTIFY) == expected, value
    t.sent(1, 51)
    t.changed(2, 70)
    assert t.due(2) == 0  # still above gt: no crossing
    t.changed(3, 45)
    assert t.due(3) == NOTIFY  # crossed gt downwards
    t.sent(3, 45)
    t.changed(4, 10)
    assert t.due(4) == 0  # 10 is not below lt
    t.changed(5, 9.5)
    assert t.due(5) == NOTIFY
    t.sent(5, 9.5)
    t.changed(6, 12)
    assert t.due(6) == NOTIFY  # crossed lt upwards


def test_st_steps_from_the_last_notified_value() -> None:
    t = NotifyTimer({"st": 5}, 0, value=100)
    t.changed(1, 104)
    t.changed(2, 96)
    assert t.due(2) == 0  # each within 5 of 100, the last notified value
    t.changed(3, 95)
    assert t.due(3) == NOTIFY
    t.sent(3, 95)
    t.changed(4, 99.9)
    assert t.due(4) == 0
    t.changed(5, 100.0)
    assert t.due(5) == NOTIFY


def test_conditions_do_not_apply_to_non_numbers() -> None:
    t = NotifyTimer({"gt": 5}, 0, value="a")
    t.changed(1, "b")
    assert t.due(1) == NOTIFY
    t2 = NotifyTimer({"gt": 5}, 0, value=True)
    t2.changed(1, False)
    assert t2.due(1) == NOTIFY


def test_epmin_defers_evaluation() -> None:
    t = NotifyTimer({"epmin": 3}, 0, value=1)
    t.changed(1000, 2)  # too soon after the evaluation at 0
    assert t.get_timer() == 3000 and t.due(2999) == 0
    assert t.due(3000) == NOTIFY  # evaluated at 3000, qualifies, pmin 0
    t.sent(3000, 2)
    t.changed(4000, 3)
    t.changed(5000, 2)  # the later value replaces the deferred one: back to 2
    assert t.due(6000) == 0


def test_epmax_asks_for_samples() -> None:
    t = NotifyTimer({"epmax": 5, "pmin": 1}, 0, value=10)
    assert t.get_timer() == 5000
    assert t.due(5000) == EVALUATE
    t.changed(5000, 10)  # sampled: unchanged
    assert t.due(5000) == 0 and t.get_timer() == 10000
    assert t.due(10000) == EVALUATE
    t.changed(10000, 11)
    assert t.due(10000) == NOTIFY


def test_incompatible_periods_are_ignored() -> None:
    t = NotifyTimer({"pmin": 10, "pmax": 5, "epmin": 4, "epmax": 2}, 0, value=1)
    assert t.pmax_ms is None and t.epmax_ms is None and t.get_timer() is None
    t = NotifyTimer({"pmin": 10, "pmax": 0}, 0, value=1)
    assert t.pmax_ms is None


def test_int_310_new_attributes_change_the_period() -> None:
    t = NotifyTimer({"pmax": 20}, 0, value=1)
    assert t.get_timer() == 20000
    t.update_attributes({"pmax": 5})
    assert t.get_timer() == 5000
