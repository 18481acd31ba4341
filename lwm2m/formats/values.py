"""Value helpers shared by the content formats: Objlnk text, strict base64, path names
and the coercion of self-typed values (JSON, CBOR) to a resource's declared type.

Values follow ``objects/types.py``: str, int, float, bool, bytes, ``(oid, iid)`` for
Objlnk, str for Corelnk, None for "no value". Every helper raises
:class:`lwm2m.FormatError` and nothing else on bad input.
"""

import binascii

from lwm2m.errors import FormatError
from objects import types as T

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any, TypeAlias

    Path: TypeAlias = tuple[int, ...]
    Record: TypeAlias = tuple[Path, Any]
    TypeOf: TypeAlias = Callable[[Path], "int | None"]

INT64_MIN = T.INT64_MIN
INT64_MAX = T.INT64_MAX
UINT64_MAX = T.UINT64_MAX
MAX_ID = 65535


def no_types(path: "Path") -> "int | None":
    """The resolver used when the caller gives none: every type unknown."""
    return None


# -- Objlnk ---------------------------------------------------------------------------


def objlnk_text(value: "Any") -> str:
    """``(66, 0)`` -> ``"66:0"`` (OMA LwM2M 1.1.1 Core Appendix C: Objlnk)."""
    if type(value) is not tuple or len(value) != 2:
        raise FormatError("an Objlnk value is a (object id, instance id) pair: %r" % (value,))
    oid, iid = value
    if (
        type(oid) is not int
        or type(iid) is not int
        or not (0 <= oid <= MAX_ID and 0 <= iid <= MAX_ID)
    ):
        raise FormatError("Objlnk ids must be in 0..65535: %r" % (value,))
    return "%d:%d" % (oid, iid)


def parse_objlnk(text: "Any") -> "tuple[int, int]":
    """``"66:0"`` -> ``(66, 0)``; ids are decimal 0..65535."""
    if type(text) is not str:
        raise FormatError("an Objlnk is text 'oid:iid', not %r" % (text,))
    i = text.find(":")
    if i < 0:
        raise FormatError("Objlnk %r has no ':'" % (text,))
    return (parse_id(text[:i], "Objlnk"), parse_id(text[i + 1 :], "Objlnk"))


_DIGITS = frozenset("0123456789")


def parse_id(text: str, what: str) -> int:
    if not text or len(text) > 5 or not _DIGITS.issuperset(text):
        raise FormatError("%s id %r is not a decimal 0..65535" % (what, text))
    value = int(text)
    if value > MAX_ID:
        raise FormatError("%s id %d is above 65535" % (what, value))
    return value


# -- integers -------------------------------------------------------------------------


def parse_int(text: str, what: str = "integer") -> int:
    """Strict decimal integer text (optional leading '-'), as the plain-text format has."""
    body = text[1:] if text[:1] == "-" else text
    if not body or not _DIGITS.issuperset(body):
        raise FormatError("%s %r is not a decimal integer" % (what, text))
    return int(text)


def check_int(value: int, rtype: "int | None") -> int:
    """Range of an Integer / Time (signed 64-bit) or Unsigned Integer value."""
    if rtype == T.UNSIGNED:
        if not 0 <= value <= UINT64_MAX:
            raise FormatError("unsigned value %d is outside 0..2**64-1" % value)
    elif not INT64_MIN <= value <= UINT64_MAX:
        # An unknown type takes either range; Integer and Time are narrower.
        raise FormatError("integer value %d does not fit 64 bits" % value)
    elif rtype is not None and value > INT64_MAX:
        raise FormatError("integer value %d is above 2**63-1" % value)
    return value


# -- base64 (RFC 4648) ----------------------------------------------------------------

_B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
_B64_CHARS = frozenset(_B64)
_B64URL_CHARS = frozenset(_B64[:62] + "-_")


def b64encode(data: bytes) -> str:
    """Standard alphabet with padding (RFC 4648 §4): opaque in plain text and OMA-JSON."""
    return binascii.b2a_base64(data).decode().rstrip("\n")


def b64decode(text: str) -> bytes:
    """Strict RFC 4648 §4 decoding: the alphabet, padding to a multiple of 4."""
    body = text.rstrip("=")
    pad = len(text) - len(body)
    if len(text) % 4 or pad > 2 or not _B64_CHARS.issuperset(body):
        raise FormatError("invalid base64 text %r" % (text[:40],))
    return _a2b(text)


def b64url_encode(data: bytes) -> str:
    """RFC 8428 §5: SenML-JSON ``vd`` is base64url (RFC 4648 §5) without padding."""
    return b64encode(data).rstrip("=").replace("+", "-").replace("/", "_")


def b64url_decode(text: str) -> bytes:
    """base64url with or without padding (RFC 8428 §5 omits it; some peers keep it)."""
    body = text.rstrip("=")
    if len(body) % 4 == 1 or len(text) - len(body) > 2:
        raise FormatError("invalid base64url text %r" % (text[:40],))
    if _URL_TO_STD is not None:
        # CPython: translate in C, then a strict decode refuses any other character.
        try:
            raw = body.encode("ascii").translate(_URL_TO_STD) + b"=" * (-len(body) % 4)
            return binascii.a2b_base64(raw, strict_mode=True)
        except (binascii.Error, ValueError):  # UnicodeError is a ValueError
            raise FormatError("invalid base64url text %r" % (text[:40],)) from None
    if not _B64URL_CHARS.issuperset(body):
        raise FormatError("invalid base64url text %r" % (text[:40],))
    body = body.replace("-", "+").replace("_", "/")
    return _a2b(body + "=" * (-len(body) % 4))


# "+" and "/" must not pass as base64url: they map to "!" so the strict decode fails.
_URL_TO_STD: "bytes | None" = None
if hasattr(bytes, "maketrans"):
    try:
        binascii.a2b_base64(b"", strict_mode=True)
        _URL_TO_STD = bytes.maketrans(b"-_+/", b"+/!!")
    except TypeError:  # no strict_mode before CPython 3.11
        pass


def _a2b(text: str) -> bytes:
    try:
        return bytes(binascii.a2b_base64(text))
    except Exception as exc:  # binascii.Error on CPython, ValueError on MicroPython
        raise FormatError("invalid base64 text: %s" % exc) from None


# -- paths as names -------------------------------------------------------------------

_NAME_CACHE: "dict[str, Path]" = {}


def parse_name(text: "Any") -> "Path":
    """A SenML / OMA-JSON resolved name ``"/3/0/7/1"`` -> ``(3, 0, 7, 1)``; ``"/"`` -> ()."""
    path = _NAME_CACHE.get(text)
    if path is not None:
        return path
    if type(text) is not str:
        raise FormatError("a record name must be text: %r" % (text,))
    if text[:1] != "/":
        raise FormatError("record name %r is not an absolute path" % (text,))
    body = text[1:]
    if body.endswith("/"):
        body = body[:-1]
    if not body:
        path = ()
    else:
        parts = body.split("/")
        if len(parts) > 4:
            raise FormatError("record name %r has more than 4 levels" % (text,))
        ids = []
        for part in parts:
            if len(part) > 1 and part[0] == "0":
                raise FormatError("record name %r has a leading zero" % (text,))
            ids.append(parse_id(part, "path"))
        path = tuple(ids)
    if len(_NAME_CACHE) > 4096:  # bounded: names repeat across payloads, garbage does not
        _NAME_CACHE.clear()
    _NAME_CACHE[text] = path
    return path


def path_text(path: "Path") -> str:
    """``(3, 0, 13)`` -> ``"/3/0/13"``; ``()`` -> ``"/"``."""
    if not path:
        return "/"
    return "/" + "/".join([str(i) for i in path])


def check_path(path: "Any") -> "Path":
    """A record path: a tuple of 1 to 4 ids in 0..65535."""
    if type(path) is not tuple or not 0 < len(path) <= 4:
        raise FormatError("a record path is a tuple of 1 to 4 ids: %r" % (path,))
    for i in path:
        if type(i) is not int or not 0 <= i <= MAX_ID:
            raise FormatError("a record path holds ids in 0..65535: %r" % (path,))
    return path


def check_under(path: "Path", base: "Path") -> None:
    if path[: len(base)] != base:
        raise FormatError(
            "record %s lies outside the request path %s" % (path_text(path), path_text(base))
        )


# -- coercion of self-typed values ----------------------------------------------------

# The Python type a value of each resource type already has: a decoded value of that
# type needs no coerce() (an int: when within 64 bits signed). Unsigned is absent: its
# range differs from Python's, so it always goes by coerce().
PYTYPE = {
    T.STRING: str,
    T.CORELNK: str,
    T.INTEGER: int,
    T.TIME: int,
    T.FLOAT: float,
    T.BOOLEAN: bool,
    T.OPAQUE: bytes,
    T.OBJLNK: tuple,
}

_NUMERIC = (T.INTEGER, T.UNSIGNED, T.TIME)


def coerce(value: "Any", rtype: "int | None", path: "Path") -> "Any":
    """Bring a value decoded from a self-typed format (SenML, OMA-JSON, CBOR) to the
    resource's declared type: a whole JSON number to an Integer, an int to a Float,
    text to an Objlnk. A value that cannot be that type is a FormatError naming
    ``path``."""
    if rtype is None:
        return value
    vtype = type(value)
    try:  # (the range and Objlnk checks below do not know the path: it is added here)
        if rtype == T.STRING or rtype == T.CORELNK:
            if vtype is str:
                return value
        elif rtype in _NUMERIC:
            if vtype is int:
                return check_int(value, rtype)
            # value - value is NaN for infinities and NaN, so int() below cannot fail.
            if vtype is float and value - value == 0.0 and value == int(value):
                return check_int(int(value), rtype)
        elif rtype == T.FLOAT:
            if vtype is float:
                return value
            if vtype is int and -_FLOAT_INT_LIMIT < value < _FLOAT_INT_LIMIT:
                return float(value)
        elif rtype == T.BOOLEAN:
            if vtype is bool:
                return value
        elif rtype == T.OPAQUE:
            if vtype is bytes:
                return value
        elif rtype == T.OBJLNK:
            if vtype is tuple:
                return value
            if vtype is str:
                return parse_objlnk(value)
        elif rtype == T.NONE:
            if value is None:
                return None
        else:
            return value
    except FormatError as exc:
        raise FormatError("%s: %s" % (path_text(path), exc)) from None
    raise FormatError(
        "%s: %r is not a valid %s value" % (path_text(path), value, T.NAMES.get(rtype, "?"))
    )


# Integers taken for a Float: below 2**1023 in magnitude, inside a double's range
# (near 2**1024 CPython's float() raises OverflowError and MicroPython's gives inf), so
# a CBOR bignum or a 400-digit JSON number for a Float resource is a FormatError.
_FLOAT_INT_LIMIT = 1 << 1023


def kind_of(value: "Any") -> int:
    """The resource type a Python value naturally has (encoders of self-typed formats)."""
    k = _KIND.get(type(value))
    if k is None:
        raise FormatError("no LwM2M type carries a %s value: %r" % (type(value).__name__, value))
    return k


_KIND = {
    str: T.STRING,
    int: T.INTEGER,
    float: T.FLOAT,
    bool: T.BOOLEAN,
    bytes: T.OPAQUE,
    tuple: T.OBJLNK,
    type(None): T.NONE,
}
