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
