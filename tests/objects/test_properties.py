"""Property tests (hypothesis, CPython only) for value validation, ranges and storage."""

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from objects import standard, types
from objects.base import BaseObject
from objects.definitions import Range, parse_range
from objects.errors import BadRequest

INT64 = st.integers(types.INT64_MIN, types.INT64_MAX)

VALID = {
    types.STRING: st.text(),
    types.CORELNK: st.text(),
    types.INTEGER: INT64,
    types.UNSIGNED: st.integers(0, types.UINT64_MAX),
    types.FLOAT: st.floats(allow_nan=True) | INT64,
    types.BOOLEAN: st.booleans(),
    types.OPAQUE: st.binary() | st.binary().map(bytearray),
    types.TIME: INT64,
    types.OBJLNK: st.tuples(st.integers(0, 65535), st.integers(0, 65535)),
    types.NONE: st.none(),
}

ANY_VALUE = st.one_of(
    st.none(), st.booleans(), st.integers(-(1 << 70), 1 << 70), st.floats(), st.text(),
    st.binary(), st.tuples(st.integers(-5, 70000), st.integers(-5, 70000)),
    st.lists(st.integers(0, 3), max_size=3), st.tuples(st.booleans(), st.booleans()),
)


def _expected_valid(rtype: int, value: Any) -> bool:
    """An independent statement of the rules in objects/types.py's docstring."""
    if rtype in (types.STRING, types.CORELNK):
        return type(value) is str
    if rtype in (types.INTEGER, types.TIME):
        return type(value) is int and -(2**63) <= value < 2**63
    if rtype == types.UNSIGNED:
        return type(value) is int and 0 <= value < 2**64
    if rtype == types.FLOAT:
        return type(value) is float or (type(value) is int)
    if rtype == types.BOOLEAN:
        return type(value) is bool
    if rtype == types.OPAQUE:
        return type(value) in (bytes, bytearray)
    if rtype == types.OBJLNK:
        return (
            type(value) is tuple
            and len(value) == 2
            and all(type(v) is int and 0 <= v <= 65535 for v in value)
        )
    return value is None


TYPED_VALUES = st.one_of([st.tuples(st.just(rtype), values) for rtype, values in VALID.items()])


@settings(max_examples=300)
@given(TYPED_VALUES)
def test_valid_values_pass(typed: tuple[int, Any]) -> None:
    rtype, value = typed
    assert types.validate(rtype, value) is None
    stored = types.normalise(rtype, value)
    assert types.validate(rtype, stored) is None
    if rtype == types.FLOAT:
        assert type(stored) is float
    if rtype == types.OPAQUE:
        assert type(stored) is bytes and stored == value


@settings(max_examples=500)
@given(st.sampled_from(sorted(VALID)), ANY_VALUE)
def test_validation_matches_the_rules(rtype: int, value: Any) -> None:
    reason = types.validate(rtype, value)
    assert (reason is None) == _expected_valid(rtype, value), (rtype, value, reason)


@settings(max_examples=300)
@given(st.integers(-1000, 1000), st.integers(0, 1000), st.integers(-2000, 2000),
       st.sampled_from(["..", "-"]))
def test_parsed_bounds_check_like_comparisons(low: int, width: int, probe: int, sep: str) -> None:
    high = low + width
    text = "%d%s%d" % (low, sep, high)
    rng = parse_range(text, types.INTEGER)
    assert rng == Range(low, high)
    assert rng is not None and rng.contains(probe) == (low <= probe <= high)


@settings(max_examples=200)
@given(st.lists(st.integers(0, 100), min_size=1, max_size=6, unique=True), st.binary(max_size=120))
def test_length_enumerations(lengths: list[int], value: bytes) -> None:
    rng = parse_range(",".join(str(n) for n in lengths), types.OPAQUE)
    assert rng is not None and rng.contains(value) == (len(value) in lengths)


RIIDS = st.integers(0, 20)
ACL = st.integers(0, 31)
WRITES = st.lists(
    st.tuples(st.booleans(), st.dictionaries(RIIDS, st.integers(-3, 40), max_size=5)),
    max_size=8,
)


@settings(max_examples=300)
@given(st.dictionaries(RIIDS, ACL, max_size=5), WRITES)
def test_multiple_resource_writes_follow_replace_and_merge(
    start: dict[int, int], writes: list[tuple[bool, dict[int, int]]]
) -> None:
    obj = BaseObject(standard.definition(2, "1.1"))
    obj.add_instance(0, {0: 3, 1: 0, 2: start, 3: 1})
    model = dict(start)
    for replace, values in writes:
        records = [((2, 0, 2, riid), v) for riid, v in values.items()]
        if all(0 <= v <= 31 for v in values.values()):
            obj.write((2, 0, 2), records, replace, 101)
            model = dict(values) if replace else {**model, **values}
        else:
            try:
                obj.write((2, 0, 2), records, replace, 101)
            except BadRequest:
                pass
            else:
                raise AssertionError("an out-of-range ACL was accepted")
        assert obj.get_value(0, 2) == model
        assert obj.read((2, 0, 2), 101) == [((2, 0, 2, r), model[r]) for r in sorted(model)]
