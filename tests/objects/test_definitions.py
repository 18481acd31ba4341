"""Definitions, ranges, the standard tables and the registry (also under MicroPython)."""

from objects import standard, types
from objects.definitions import (
    MANDATORY,
    MULTIPLE,
    OP_E,
    OP_NONE,
    OP_R,
    OP_RW,
    OP_W,
    ObjectDefinition,
    Range,
    ResourceDefinition,
    define,
    parse_operations,
    parse_range,
)
from objects.registry import REGISTRY, Registry, get_definition, standard_registry, type_of
from tests.support import raises


def test_operations() -> None:
    for text, ops in [("R", OP_R), ("W", OP_W), ("RW", OP_RW), ("E", OP_E), ("", OP_NONE),
                      (" rw ", OP_RW)]:
        assert parse_operations(text) == ops
    for bad in ["X", "RWE", "WR", "RE"]:
        raises(ValueError, parse_operations, bad)


def test_numeric_ranges() -> None:
    assert parse_range("0..100", types.INTEGER) == Range(0, 100)
    assert parse_range("0-100", types.INTEGER) == Range(0, 100)
    assert parse_range("1 - 65534", types.INTEGER) == Range(1, 65534)
    assert parse_range("-10..10", types.INTEGER) == Range(-10, 10)
    assert parse_range("-5--3", types.INTEGER) == Range(-5, -3)
    assert parse_range("-5-3", types.INTEGER) == Range(-5, 3)
    assert parse_range("-90.0..90.0", types.FLOAT) == Range(-90.0, 90.0)
    assert parse_range("1,2,5", types.INTEGER) == Range(None, None, (1, 2, 5))
    assert parse_range("0..255", types.UNSIGNED) == Range(0, 255)
    assert parse_range("7", types.INTEGER) == Range(None, None, (7,))


def test_length_ranges() -> None:
    assert parse_range("0..255 bytes", types.STRING) == Range(0, 255, None, True)
    assert parse_range("0-255 bytes", types.STRING) == Range(0, 255, None, True)
    assert parse_range("0..255", types.STRING) == Range(0, 255, None, True)
    assert parse_range("32 bytes", types.STRING) == Range(0, 32, None, True)
    assert parse_range("6 bytes", types.OPAQUE) == Range(None, None, (6,), True)
    assert parse_range("6", types.OPAQUE) == Range(None, None, (6,), True)
    assert parse_range("16,32,48", types.OPAQUE) == Range(None, None, (16, 32, 48), True)
    assert parse_range("16-32-48 bytes", types.OPAQUE) == Range(None, None, (16, 32, 48), True)
    assert parse_range("U,UQ,S", types.STRING) == Range(None, None, ("U", "UQ", "S"))


def test_ranges_that_are_not_checkable() -> None:
    for text, rtype in [
        ("", types.INTEGER), ("  ", types.STRING),
        ("The possible values are those listed in the LwM2M Core Specification", types.STRING),
        ("2 bytes", types.INTEGER), ("16-bit", types.INTEGER), ("1..2..3", types.INTEGER),
        ("5..1", types.INTEGER), ("0..1", types.BOOLEAN), ("a..b", types.INTEGER),
        ("1.5..2", types.INTEGER), ("x,y", types.OPAQUE),
    ]:
        assert parse_range(text, rtype) is None, text


def test_range_checks() -> None:
    r = Range(0, 100)
    assert r.contains(0) and r.contains(100) and not r.contains(101) and not r.contains(-1)
    assert r.describe() == "0..100"
    length = Range(0, 3, None, True)
    assert length.contains("abc") and not length.contains("abcd")
    assert not length.contains("é" * 2)  # UTF-8: 4 bytes
    assert length.contains(b"\x00\x01") and length.describe() == "length 0..3"
    choice = Range(None, None, (16, 32), True)
    assert choice.contains(b"x" * 16) and not choice.contains(b"x" * 17)
    assert choice.describe() == "length one of 16, 32"
    assert Range(0, 1) != Range(0, 2) and Range(0, 1) == Range(0, 1)
    assert hash(Range(0, 1)) == hash(Range(0, 1))


def test_resource_check_reports_type_then_range() -> None:
    res = ResourceDefinition(9, "Battery Level", OP_R, types.INTEGER, False, False, "0..100", "%")
    assert res.readable and not res.writable and not res.executable
    assert res.check(50) is None
    reason = res.check(101)
    assert reason is not None and "range 0..100" in reason
    reason = res.check("50")
    assert reason is not None and "not an integer" in reason
    assert "Battery Level" in repr(res)
    raises(ValueError, ResourceDefinition, 1, "x", OP_R, 42)
    raises(ValueError, ResourceDefinition, 1, "x", 3 | 4, types.INTEGER)


def test_object_definition() -> None:
    obj = define(40000, "Demo", "1.1", "1.1", MULTIPLE, (
        (0, "A", OP_RW, types.STRING, MANDATORY, "0..8"),
        (1, "B", OP_R, types.INTEGER, MULTIPLE, "", "s"),
        (2, "C", OP_E, types.NONE, 0),
    ))
    assert obj.multiple and not obj.mandatory
    assert obj.resource_ids() == [0, 1, 2]
    a, b = obj.resource(0), obj.resource(1)
    assert a is not None and a.mandatory and not a.multiple and a.range == Range(0, 8, None, True)
    assert b is not None and b.multiple and b.units == "s" and b.range is None
    assert obj.resource(3) is None
    same = ResourceDefinition(0, "A", OP_R, types.STRING)
    raises(ValueError, ObjectDefinition, 1, "x", "1.0", "1.0", False, False, [same, same])
    raises(ValueError, ObjectDefinition, 65536, "x")


def test_standard_tables() -> None:
    assert [oid for oid, _ in standard.DEFAULTS] == [0, 1, 2, 3, 4, 5, 6, 7, 9, 15, 19, 10250]
    for oid, version in standard.ALL:
        built = standard.definition(oid, version)
        assert (built.id, built.version) == (oid, version)
        assert standard.definition(oid, version) is built  # built once, then shared
    assert standard.find(8) is None and standard.find(3, "1.0") is None
    raises(KeyError, standard.definition, 8)
    raises(KeyError, standard.definition, 3, "1.0")
    assert standard.definition(3) is standard.definition(3, "1.2")
    device = standard.definition(3, "1.2")
    assert device.resources[4].operations == OP_E and device.resources[4].mandatory
    assert device.resources[11].multiple and device.resources[11].mandatory
    assert device.resources[13].type == types.TIME
    assert standard.definition(1, "1.1").resources[13].operations == OP_NONE
    assert standard.definition(0, "1.1").resources[16].multiple
    sizes = [len(standard.definition(oid, v).resources) for oid, v in standard.ALL]
    assert sizes == [18, 24, 4, 23, 14, 14, 7, 9, 19, 8, 6, 2, 13, 9]
    assert 4 not in standard.definition(5, "1.2").resources  # the registry has no resource 4


def test_registry_lookup() -> None:
    assert REGISTRY.ids() == [0, 1, 2, 3, 4, 5, 6, 7, 9, 15, 19, 10250]
    assert get_definition(0) is standard.definition(0, "1.1")
    assert get_definition(0, "1.0") is standard.definition(0, "1.0")
    assert get_definition(1, "1.0") is standard.definition(1, "1.0")
    assert get_definition(3, "9.9") is None and get_definition(8) is None
    assert REGISTRY.versions(1) == ["1.0", "1.1"] and REGISTRY.versions(8) == []
    assert 3 in REGISTRY and 8 not in REGISTRY


def test_type_of() -> None:
    assert type_of((3, 0, 0)) == types.STRING
    assert type_of((3, 0, 11, 2)) == types.INTEGER
    assert type_of((3, 0, 4)) == types.NONE
    assert type_of((1, 0, 10)) == types.OBJLNK
    assert type_of((6, 0, 0)) == types.FLOAT
    assert type_of((3, 0)) is None and type_of((3,)) is None and type_of(()) is None
    assert type_of((3, 0, 99)) is None and type_of((32769, 0, 0)) is None
    device_types = REGISTRY.types_of(3)
    assert device_types is not None and device_types[13] == types.TIME
    assert REGISTRY.types_of(8) is None


def test_registry_for_lwm2m_1_0_and_application_objects() -> None:
    old = standard_registry("1.0")
    d0, d1 = old.get(0), old.get(1)
    assert d0 is not None and d0.version == "1.0" and d1 is not None and d1.version == "1.0"
    assert old.get(0, "1.1") is standard.definition(0, "1.1")
    assert old.type_of((0, 0, 13)) is None  # Matching Type is a 1.1 resource
    raises(ValueError, standard_registry, "1.2")

    registry = standard_registry()
    app = define(32769, "Greenhouse", "1.0", "1.1", MULTIPLE, (
        (0, "Temperature", OP_R, types.FLOAT, MANDATORY),
    ))
    registry.add(app)
    assert registry.type_of((32769, 0, 0)) == types.FLOAT
    assert REGISTRY.type_of((32769, 0, 0)) is None  # the shared registry is untouched
    newer = define(32769, "Greenhouse", "1.1", "1.1", MULTIPLE, (
        (0, "Temperature", OP_R, types.INTEGER, MANDATORY),
    ))
    registry.add(newer, default=False)
    assert registry.get(32769) is app and registry.get(32769, "1.1") is newer
    assert registry.type_of((32769, 0, 0)) == types.FLOAT
    registry.add(newer)
    assert registry.get(32769) is newer and registry.versions(32769) == ["1.0", "1.1"]
    assert registry.type_of((32769, 0, 0)) == types.INTEGER  # the new default's types
    copy = registry.copy()
    registry.remove(32769)
    assert 32769 not in registry and copy.get(32769) is newer
    assert len(Registry()) == 0
    first = Registry([newer, app])
    assert first.get(32769) is newer  # the first version given is the default
