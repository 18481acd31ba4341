"""SenML-JSON, ``application/senml+json`` (110): RFC 8428 §4-5 as OMA LwM2M 1.1.1
Core §7.4.4 uses it. See :mod:`lwm2m.formats.senml` for names, times and values.

``vd`` (opaque) is base64url without padding (RFC 8428 §5; padded input is accepted).
The encoder writes the JSON text itself (no spaces, fields in the order bn, n, bt,
value), which is cheaper than building dicts for ``json.dumps``.
"""

import json

from lwm2m.errors import FormatError
from lwm2m.formats import senml
from lwm2m.formats.values import (
    INT64_MIN,
    UINT64_MAX,
    b64url_decode,
    b64url_encode,
    objlnk_text,
    path_text,
)

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterable
    from typing import Any

    from lwm2m.formats.senml import Group
    from lwm2m.formats.values import Path, Record, TypeOf

CONTENT_FORMAT = 110

try:  # CPython: the C string escaper behind json.dumps
    from json.encoder import encode_basestring as _json_string
except ImportError:  # MicroPython
    _json_string = json.dumps


def _vd(value: "Any") -> bytes:
    if type(value) is not str:
        raise FormatError("SenML-JSON vd must be base64url text")
    return b64url_decode(value)


def _parse(data: bytes) -> "Any":
    try:
        text = bytes(data).decode("utf-8")
        return json.loads(text)
    except FormatError:
        raise
    except Exception as exc:  # ValueError, UnicodeError, RecursionError: all bad input
        raise FormatError("invalid SenML-JSON: %s" % exc) from None


def decode(data: bytes, base: "Path | None", type_of: "TypeOf | None" = None) -> "list[Record]":
    """SenML-JSON pack -> ``[(path, value), ...]`` (absolute paths, under ``base``)."""
    return senml.resolve(_parse(data), base, type_of, senml.JSON_LABELS, _vd, False)


def decode_timed(
    data: bytes, base: "Path | None", type_of: "TypeOf | None" = None
) -> "list[Group]":
    """SenML-JSON pack -> ``[(time or None, records), ...]`` (consecutive equal times)."""
    return senml.group_by_time(
        senml.resolve(_parse(data), base, type_of, senml.JSON_LABELS, _vd, True)
    )


def encode(
    records: "Iterable[Record]", base: "Path | None", type_of: "TypeOf | None" = None
) -> bytes:
    """Records -> SenML-JSON. ``base`` None: absolute names (composite operations)."""
    return _encode(((None, records),), base)


def encode_timed(groups: "Iterable[Group]", base: "Path | None") -> bytes:
    """``[(time, records), ...]`` -> SenML-JSON with ``bt`` on each group's first record."""
    return _encode(groups, base)


def _encode(groups: "Iterable[Group]", base: "Path | None") -> bytes:
    bn_text, cut = senml.names(base)
    whole = path_text(base) if base is not None else None
    text_of = senml.text_of
    heads = senml.memo_for(_HEADS, base)
    parts: list[str] = []
    append = parts.append
    first = True
    timed = False
    for t, records in groups:
        timed = senml.group_timed(t, timed)
        time_field = ',"bt":%r' % (t,) if t is not None else ""
        for path, value in records:
            if first or time_field:
                text = text_of(path)
                if not first:
                    name = _head(text, bn_text, cut, whole)
                elif bn_text is None:
                    name = '{"n":"%s"' % text
                elif text == whole:
                    name = '{"bn":"%s"' % text
                elif text[:cut] == bn_text:
                    name = '{"bn":"%s","n":"%s"' % (bn_text, text[cut:])
                else:
                    raise FormatError("record %s lies outside the request path %s" % (text, whole))
                first = False
                name += time_field
                time_field = ""
            else:
                # The hot path: '{"n":"<name>"' of each path comes from a cache per
                # request path.
                cached = heads.get(path)
                if cached is None:
                    cached = heads[path] = _head(text_of(path), bn_text, cut, whole)
                name = cached
            vt = type(value)
            if vt is int:
                if not INT64_MIN <= value <= UINT64_MAX:
                    raise FormatError("%s: integer %d does not fit 64 bits" % (name, value))
                append('%s,"v":%d}' % (name, value))
            elif vt is str:
                append('%s,"vs":%s}' % (name, _json_string(value)))
            elif vt is float:
                if value - value != 0.0:
                    raise FormatError("%s: JSON cannot carry %r" % (name, value))
                append('%s,"v":%r}' % (name, value))
            elif vt is bool:
                append('%s,"vb":true}' % name if value else '%s,"vb":false}' % name)
            elif vt is bytes:
                append('%s,"vd":"%s"}' % (name, b64url_encode(value)))
            elif vt is tuple:
                append('%s,"vlo":"%s"}' % (name, objlnk_text(value)))
            elif value is None:
                append(name + "}")
            else:
                raise FormatError("%s: SenML cannot carry %r" % (name, value))
    return ("[" + ",".join(parts) + "]").encode("utf-8")


_HEADS: "dict[Path | None, dict[Path, str]]" = {}


def _head(text: str, bn_text: "str | None", cut: int, whole: "str | None") -> str:
    """``{"n":"<name>"`` of a record after the first (below the base name)."""
    if cut:
        if text[:cut] != bn_text:
            raise FormatError("record %s lies outside the request path %s" % (text, whole))
        text = text[cut:]
    return '{"n":"%s"' % text
