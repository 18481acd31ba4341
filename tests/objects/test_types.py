"""Value validation per resource type (also under MicroPython)."""

from objects import types
from objects.types import validate


def test_valid_values() -> None:
    cases = [
        (types.STRING, ""), (types.STRING, "héllo"),
        (types.INTEGER, 0), (types.INTEGER, types.INT64_MIN), (types.INTEGER, types.INT64_MAX),
        (types.UNSIGNED, 0), (types.UNSIGNED, types.UINT64_MAX),
        (types.FLOAT, 1.5), (types.FLOAT, -3), (types.FLOAT, float("inf")),
        (types.BOOLEAN, True), (types.BOOLEAN, False),
        (types.OPAQUE, b""), (types.OPAQUE, bytearray(b"\x00\xff")),
        (types.TIME, 1700000000), (types.TIME, -1),
        (types.OBJLNK, (0, 0)), (types.OBJLNK, (65535, 65535)),
        (types.CORELNK, "</3/0>"),
        (types.NONE, None),
    ]
    for rtype, value in cases:
        assert validate(rtype, value) is None, (rtype, value)
        assert types.is_valid(rtype, value)


def test_invalid_values() -> None:
    cases = [
        (types.STRING, b"x"), (types.STRING, None), (types.CORELNK, 1),
        (types.INTEGER, True), (types.INTEGER, 1.0), (types.INTEGER, "1"),
        (types.INTEGER, types.INT64_MAX + 1), (types.INTEGER, types.INT64_MIN - 1),
        (types.UNSIGNED, -1), (types.UNSIGNED, types.UINT64_MAX + 1), (types.UNSIGNED, False),
        (types.FLOAT, "1.0"), (types.FLOAT, True), (types.FLOAT, None),
        (types.BOOLEAN, 1), (types.BOOLEAN, 0), (types.BOOLEAN, "true"),
        (types.OPAQUE, "ab"), (types.OPAQUE, [1, 2]),
        (types.TIME, 1.5), (types.TIME, True), (types.TIME, 1 << 63),
        (types.OBJLNK, [3, 0]), (types.OBJLNK, (3,)), (types.OBJLNK, (3, 0, 1)),
        (types.OBJLNK, (65536, 0)), (types.OBJLNK, (0, -1)), (types.OBJLNK, (True, 0)),
        (types.OBJLNK, "3:0"),
        (types.NONE, 0), (types.NONE, b""),
        (99, 1),
    ]
    for rtype, value in cases:
        reason = validate(rtype, value)
        assert isinstance(reason, str) and reason, (rtype, value)
        assert not types.is_valid(rtype, value)


def test_normalise() -> None:
    assert type(types.normalise(types.FLOAT, 3)) is float
    assert types.normalise(types.FLOAT, 3) == 3.0
    assert type(types.normalise(types.OPAQUE, bytearray(b"ab"))) is bytes
    assert types.normalise(types.INTEGER, 3) == 3
    assert types.normalise(types.BOOLEAN, True) is True


def test_names_are_complete() -> None:
    for code in (types.NONE, types.STRING, types.INTEGER, types.UNSIGNED, types.FLOAT,
                 types.BOOLEAN, types.OPAQUE, types.TIME, types.OBJLNK, types.CORELNK):
        assert types.BY_NAME[types.NAMES[code]] == code
    assert sorted(types.BY_DDF_NAME.values()) == sorted(types.NAMES)
