"""Plain text, ``text/plain;charset=utf-8`` (0; 1541 before registration): one value
of a single-instance resource or of one resource instance. OMA LwM2M 1.1.1 Core
§7.4.1 and Appendix C.

Integers and times are decimal, floats decimal (an exponent is accepted), booleans
``0`` / ``1``, Objlnk ``oid:iid``, strings and Corelnk as they are, Opaque in base64
(RFC 4648 §4 with padding; LwM2M 1.1 - 1.0 used content format 42 only). Without a
known type the text decodes as its raw bytes: the format carries no type.
"""

from lwm2m.errors import FormatError
from lwm2m.formats.values import (
    b64decode,
    b64encode,
    check_int,
    no_types,
    objlnk_text,
    parse_int,
    parse_objlnk,
    path_text,
)
from objects import types as T

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterable
    from typing import Any

    from lwm2m.formats.values import Path, Record, TypeOf

CONTENT_FORMAT = 0
LEGACY_CONTENT_FORMAT = 1541

_FLOAT_CHARS = frozenset("0123456789+-.eE")


def _single_path(base: "Path | None") -> "Path":
    if base is None or not 3 <= len(base) <= 4:
        raise FormatError("plain text carries one resource or resource instance value")
    return base


def decode(data: bytes, base: "Path", type_of: "TypeOf | None" = None) -> "list[Record]":
    """The value of the resource (instance) ``base``: ``[(base, value)]``."""
    path = _single_path(base)
    rtype = (type_of or no_types)(path[:3])
    raw = bytes(data)
    if rtype is None:
        return [(path, raw)]
    try:
        text = raw.decode("utf-8")
    except UnicodeError:
        raise FormatError("plain text is not UTF-8") from None
    return [(path, parse_value(text, rtype))]


def parse_value(text: str, rtype: int) -> "Any":
    """One value in its plain-text form (also Write-Attributes and Execute arguments)."""
    if rtype == T.STRING or rtype == T.CORELNK:
        return text
    if rtype == T.INTEGER or rtype == T.TIME or rtype == T.UNSIGNED:
        return check_int(parse_int(text), rtype if rtype != T.TIME else T.INTEGER)
    if rtype == T.FLOAT:
        if not text or not _FLOAT_CHARS.issuperset(text):
            raise FormatError("%r is not a decimal number" % (text[:40],))
        try:
            return float(text)
        except ValueError:
            raise FormatError("%r is not a decimal number" % (text[:40],)) from None
    if rtype == T.BOOLEAN:
        if text == "1":
            return True
        if text == "0":
            return False
        raise FormatError("a plain-text boolean is 0 or 1, not %r" % (text[:40],))
    if rtype == T.OPAQUE:
        return b64decode(text)
    if rtype == T.OBJLNK:
        return parse_objlnk(text)
    if rtype == T.NONE:
        if text:
            raise FormatError("a resource of type none carries no value")
        return None
    raise FormatError("unknown resource type %r" % (rtype,))


def format_value(value: "Any", rtype: "int | None" = None) -> str:
    """A value's plain-text form (its Python type decides, ``rtype`` checks it)."""
    vt = type(value)
    if vt is str:
        return value  # type: ignore[no-any-return]
    if vt is bool:
        return "1" if value else "0"
    if vt is int:
        return "%d" % check_int(value, rtype)
    if vt is float:
        if value - value != 0.0:
            raise FormatError("plain text cannot carry %r" % (value,))
        return repr(value)
    if vt is bytes:
        return b64encode(value)
    if vt is tuple:
        return objlnk_text(value)
    raise FormatError("plain text cannot carry %r" % (value,))


def encode(records: "Iterable[Record]", base: "Path", type_of: "TypeOf | None" = None) -> bytes:
    """Exactly one record, at ``base`` (a resource or resource instance)."""
    path = _single_path(base)
    records = list(records)
    if len(records) != 1 or records[0][0] != path:
        raise FormatError("plain text carries exactly the one value of %s" % path_text(path))
    rtype = (type_of or no_types)(path[:3])
    return format_value(records[0][1], rtype).encode("utf-8")
