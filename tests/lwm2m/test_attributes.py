"""Notification attributes: Write-Attributes rules, inheritance, Discover form.

ETS 1.1-int-260 / int-261 / int-951 shapes. Also runs under MicroPython.
"""

from lwm2m.attributes import AttributeStore, InvalidAttributes, format_attributes, parse_query
from tests.support import raises


def test_parse_set_and_clear() -> None:
    assert parse_query(["pmin=10", "pmax=60", "gt=50.5", "lt=-3", "st=2"]) == {
        "pmin": 10, "pmax": 60, "gt": 50.5, "lt": -3, "st": 2}
    assert parse_query(["pmin"]) == {"pmin": None}
    assert parse_query([]) == {}


def test_parse_refusals() -> None:
    for query in (["dim=2"], ["ver=1.1"], ["foo=1"], ["pmin=1", "pmin=2"], ["pmin=-1"],
                  ["pmin=1.5"], ["pmax=abc"], ["st=-1"], ["gt=nan"], ["gt=inf"], ["lt="]):
        raises(InvalidAttributes, parse_query, query)


def test_int_261_inheritance_and_discover_form() -> None:
    store = AttributeStore()
    store.write(1, (3,), ["pmin=10", "pmax=200"])
    store.write(1, (3, 0), ["pmax=320"])
    store.write(1, (3, 0, 11, 0), ["pmax=100", "epmin=1", "epmax=20"])
    target = store.effective(1, (3, 0, 11))
    assert format_attributes(target) == ";pmin=10;pmax=320"
    below = store.attached(1, (3, 0, 11, 0))
    assert format_attributes(below) == ";pmax=100;epmin=1;epmax=20"
    assert store.effective(1, (3, 0, 11, 0)) == {"pmin": 10, "pmax": 100, "epmin": 1, "epmax": 20}


def test_server_defaults_fill_in_pmin_pmax() -> None:
    store = AttributeStore()
    assert store.effective(1, (3, 0, 9), default_pmin=1, default_pmax=300) == {
        "pmin": 1, "pmax": 300}
    store.write(1, (3, 0, 9), ["pmax=30"])
    assert store.effective(1, (3, 0, 9), 1, 300) == {"pmin": 1, "pmax": 30}


def test_int_951_attributes_are_per_server() -> None:
    store = AttributeStore()
    store.write(101, (3, 0), ["pmin=5"])
    store.write(102, (3, 0), ["pmin=7"])
    assert store.attached(101, (3, 0)) == {"pmin": 5}
    assert store.attached(102, (3, 0)) == {"pmin": 7}
    store.forget_server(101)
    assert store.attached(101, (3, 0)) == {} and store.attached(102, (3, 0)) == {"pmin": 7}


def test_clear_and_rule_checks_are_all_or_nothing() -> None:
    store = AttributeStore()
    store.write(1, (3, 0, 9), ["gt=50", "lt=10", "st=5"], numeric=True)
    # lt + 2*st < gt: 10 + 2*20 = 50 is not below 50.
    err = raises(InvalidAttributes, store.write, 1, (3, 0, 9), ["st=20", "pmin=3"], True)
    assert "lt + 2*st" in str(err)
    assert store.attached(1, (3, 0, 9)) == {"gt": 50, "lt": 10, "st": 5}  # unchanged
    raises(InvalidAttributes, store.write, 1, (3, 0, 9), ["lt=60"], True)
    store.write(1, (3, 0, 9), ["gt", "lt", "st"], True)
    assert store.attached(1, (3, 0, 9)) == {}
    # Numeric conditions on an instance, or on a string resource: refused.
    raises(InvalidAttributes, store.write, 1, (3, 0), ["gt=1"], True)
    raises(InvalidAttributes, store.write, 1, (3, 0, 0), ["gt=1"], False)
    raises(InvalidAttributes, store.write, 1, (), ["pmin=1"])


def test_forget_drops_a_deleted_subtree() -> None:
    store = AttributeStore()
    store.write(1, (16, 1), ["pmin=1"])
    store.write(1, (16, 1, 0), ["pmax=9"])
    store.write(1, (16, 2), ["pmin=2"])
    store.forget((16, 1))
    assert store.attached(1, (16, 1)) == {} and store.attached(1, (16, 1, 0)) == {}
    assert store.attached(1, (16, 2)) == {"pmin": 2}


def test_format() -> None:
    assert format_attributes({}) == ""
    assert format_attributes({"gt": 50.0, "lt": 0.5, "st": 2}) == ";gt=50;lt=0.5;st=2"
