"""OMA LwM2M JSON, ``application/vnd.oma.lwm2m+json`` (11543; 1543 before
registration): the LwM2M 1.0 JSON format (OMA LwM2M 1.0 TS §6.4.4), decode and encode.

``{"bn": "/3/0/", "bt": T, "e": [{"n": "0", "sv": "..."}, {"n": "6/0", "v": 1, "t": -5}]}``:
an entry's path is ``bn`` + ``n``, its time ``bt`` + ``t``. Values: ``v`` number,
``sv`` string (Opaque as base64, Corelnk as is), ``bv`` boolean, ``ov`` Objlnk
``"oid:iid"``.
"""

import json

from lwm2m.errors import FormatError
from lwm2m.formats.values import (
    INT64_MIN,
    UINT64_MAX,
    b64decode,
    b64encode,
    check_under,
    coerce,
    no_types,
    objlnk_text,
    parse_name,
    parse_objlnk,
    path_text,
)
from objects import types as T

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterable
    from typing import Any

    from lwm2m.formats.senml import Group
    from lwm2m.formats.values import Path, Record, TypeOf

CONTENT_FORMAT = 11543
LEGACY_CONTENT_FORMAT = 1543


def _parse(data: bytes) -> "Any":
    try:
        doc = json.loads(bytes(data).decode("utf-8"))
    except Exception as exc:  # ValueError, UnicodeError, RecursionError: all bad input
        raise FormatError("invalid OMA-JSON: %s" % exc) from None
    if type(doc) is not dict or type(doc.get("e")) is not list:
        raise FormatError('OMA-JSON is an object with an "e" array')
    return doc


def _number(x: "Any", what: str) -> "int | float":
    if (type(x) is int or type(x) is float) and x - x == 0:
        return x
    raise FormatError("OMA-JSON %s must be a number, not %r" % (what, x))


def _resolve(
    doc: "Any", base: "Path | None", type_of: "TypeOf | None"
) -> "list[tuple[Any, Path, Any]]":
    type_of = type_of or no_types
    bn = doc.get("bn", "")
    if type(bn) is not str:
        raise FormatError("OMA-JSON bn must be text")
    bt = doc.get("bt")
    if bt is not None:
        bt = _number(bt, "bt")
    out = []
    types: dict[tuple[int, int], int | None] = {}
    for e in doc["e"]:
        if type(e) is not dict:
            raise FormatError("an OMA-JSON entry is an object")
        n = e.get("n", "")
        if type(n) is not str:
            raise FormatError("OMA-JSON n must be text")
        if n[:1] == "/" and bn.endswith("/"):
            n = n[1:]
        path = parse_name(bn + n if (bn + n)[:1] == "/" else "/" + bn + n)
        if len(path) < 3:
            raise FormatError("OMA-JSON entry %s: values belong to resources" % path_text(path))
        if base is not None:
            check_under(path, base)
        k = (path[0], path[2])
        rtype = types[k] if k in types else types.setdefault(k, type_of(path[:3]))
        if "v" in e:
            value: Any = _number(e["v"], "v")
        elif "sv" in e:
            value = e["sv"]
            if type(value) is not str:
                raise FormatError("OMA-JSON sv must be text")
            if rtype == T.OPAQUE:
                value = b64decode(value)
        elif "bv" in e:
            value = e["bv"]
            if type(value) is not bool:
                raise FormatError("OMA-JSON bv must be a boolean")
        elif "ov" in e:
            value = parse_objlnk(e["ov"])
        else:
            raise FormatError("OMA-JSON entry %s has no value" % path_text(path))
        if rtype is not None:
            value = coerce(value, rtype, path)
        t = e.get("t")
        if t is not None:
            t = _number(t, "t")
            t = t if bt is None else bt + t
        else:
            t = bt
        out.append((t, path, value))
    return out


def decode(data: bytes, base: "Path | None", type_of: "TypeOf | None" = None) -> "list[Record]":
    """OMA-JSON -> ``[(path, value), ...]``."""
    return [(p, v) for _, p, v in _resolve(_parse(data), base, type_of)]


def decode_timed(
    data: bytes, base: "Path | None", type_of: "TypeOf | None" = None
) -> "list[Group]":
    """OMA-JSON -> ``[(time or None, records), ...]`` (consecutive equal times)."""
    from lwm2m.formats.senml import group_by_time

    return group_by_time(_resolve(_parse(data), base, type_of))


def encode(
    records: "Iterable[Record]", base: "Path | None", type_of: "TypeOf | None" = None
) -> bytes:
    """Records under ``base`` -> OMA-JSON (``bn`` is the request path)."""
    return _encode(((None, records),), base)


def encode_timed(groups: "Iterable[Group]", base: "Path | None") -> bytes:
    """``[(time, records), ...]`` -> OMA-JSON: ``bt`` the first group's time, every
    entry's ``t`` relative to it."""
    return _encode(groups, base)


def _encode(groups: "Iterable[Group]", base: "Path | None") -> bytes:
    if base is None:
        base = ()
    whole = path_text(base)
    bn = whole if not base else whole + "/"
    entries = []
    bt = None
    single = False
    for t, records in groups:
        if t is not None and (type(t) is not int and type(t) is not float):
            raise FormatError("an OMA-JSON time is a number, not %r" % (t,))
        if bt is None and t is not None:
            bt = t
        for path, value in records:
            text = path_text(path) if type(path) is tuple else "?"
            if (
                type(path) is not tuple
                or len(path) < 3
                or len(path) > 4
                or path[: len(base)] != base
            ):
                raise FormatError("record %s is not a resource under %s" % (text, whole))
            e = '{"n":"%s",' % text[len(bn) :] if path != base else "{"
            if path == base:
                single = True
            vt = type(value)
            if vt is int:
                if not INT64_MIN <= value <= UINT64_MAX:
                    raise FormatError("%s: integer %d does not fit 64 bits" % (text, value))
                e += '"v":%d' % value
            elif vt is float:
                if value - value != 0.0:
                    raise FormatError("%s: JSON cannot carry %r" % (text, value))
                e += '"v":%r' % value
            elif vt is str:
                e += '"sv":' + json.dumps(value)
            elif vt is bool:
                e += '"bv":true' if value else '"bv":false'
            elif vt is bytes:
                e += '"sv":"%s"' % b64encode(value)
            elif vt is tuple:
                e += '"ov":"%s"' % objlnk_text(value)
            else:
                raise FormatError("%s: OMA-JSON cannot carry %r" % (text, value))
            if t is not None and bt is not None:
                e += ',"t":%r' % (t - bt,)
            entries.append(e + "}")
    if single and len(entries) != 1:
        raise FormatError("a value at the request path %s must be alone" % whole)
    head = '{"bn":"%s",' % (whole if single else bn)
    if bt is not None:
        head += '"bt":%r,' % (bt,)
    return (head + '"e":[' + ",".join(entries) + "]}").encode("utf-8")
