"""LwM2M resource data types (OMA LwM2M 1.1.1 Core, Appendix C) and their Python values.

| type      | Python value                   |
|-----------|--------------------------------|
| STRING    | str                            |
| INTEGER   | int (signed 64-bit)            |
| UNSIGNED  | int (0 .. 2**64 - 1)           |
| FLOAT     | float                          |
| BOOLEAN   | bool                           |
| OPAQUE    | bytes                          |
| TIME      | int (seconds since the epoch)  |
| OBJLNK    | tuple (object id, instance id) |
| CORELNK   | str (RFC 6690 link format)     |
| NONE      | None (executable resources)    |
"""

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

NONE = 0
STRING = 1
INTEGER = 2
UNSIGNED = 3
FLOAT = 4
BOOLEAN = 5
OPAQUE = 6
TIME = 7
OBJLNK = 8
CORELNK = 9

NAMES = {
    NONE: "none",
    STRING: "string",
    INTEGER: "integer",
    UNSIGNED: "unsigned",
    FLOAT: "float",
    BOOLEAN: "boolean",
    OPAQUE: "opaque",
    TIME: "time",
    OBJLNK: "objlnk",
    CORELNK: "corelnk",
}

BY_NAME = {name: code for code, name in NAMES.items()}

# The spellings of the <Type> element in OMA DDF XML (LWM2M.xsd).
BY_DDF_NAME = {
    "": NONE,
    "String": STRING,
    "Integer": INTEGER,
    "Unsigned Integer": UNSIGNED,
    "Float": FLOAT,
    "Boolean": BOOLEAN,
    "Opaque": OPAQUE,
    "Time": TIME,
    "Objlnk": OBJLNK,
    "Corelnk": CORELNK,
}

INT64_MIN = -(1 << 63)
INT64_MAX = (1 << 63) - 1
UINT64_MAX = (1 << 64) - 1

MAX_ID = 65535


def _is_int(value: object) -> bool:
    # CPython: bool is an int subclass; MicroPython: it is not. Exclude it on both.
    return isinstance(value, int) and not isinstance(value, bool)


def validate(rtype: int, value: object) -> "str | None":
    """Why ``value`` is not a Python value of resource type ``rtype``, or None when it is.

    ``bool`` is never accepted as an integer (nor ``int`` as a boolean): on CPython
    ``True`` is an ``int``, and a Boolean resource encodes differently in every format.
    FLOAT takes ``int`` too (``3`` is the number 3.0); OPAQUE takes ``bytearray`` too.
    """
    if rtype in (STRING, CORELNK):
        return None if isinstance(value, str) else "not a string"
    if rtype in (INTEGER, TIME):
        if not isinstance(value, int) or isinstance(value, bool):
            return "not an integer"
        if not INT64_MIN <= value <= INT64_MAX:
            return "outside the signed 64-bit range"
        return None
    if rtype == UNSIGNED:
        if not isinstance(value, int) or isinstance(value, bool):
            return "not an integer"
        if not 0 <= value <= UINT64_MAX:
            return "outside 0..2**64-1"
        return None
    if rtype == FLOAT:
        return None if isinstance(value, float) or _is_int(value) else "not a number"
    if rtype == BOOLEAN:
        return None if isinstance(value, bool) else "not a boolean"
    if rtype == OPAQUE:
        return None if isinstance(value, (bytes, bytearray)) else "not bytes"
    if rtype == OBJLNK:
        if not isinstance(value, tuple) or len(value) != 2:
            return "not an (object id, instance id) pair"
        for part in value:
            if not _is_int(part) or not 0 <= part <= MAX_ID:
                return "object link ids must be ints in 0..65535"
        return None
    if rtype == NONE:
        return None if value is None else "executable resources carry no value"
    return "unknown resource type %r" % (rtype,)


def is_valid(rtype: int, value: object) -> bool:
    """True when ``value`` is a Python value of resource type ``rtype``."""
    return validate(rtype, value) is None


def normalise(rtype: int, value: "Any") -> "Any":
    """The stored form of a valid value: FLOAT as ``float``, OPAQUE as ``bytes``."""
    if rtype == FLOAT and _is_int(value):
        return float(value)
    if rtype == OPAQUE and isinstance(value, bytearray):
        return bytes(value)
    return value
