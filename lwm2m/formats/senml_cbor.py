"""SenML-CBOR, ``application/senml+cbor`` (112): RFC 8428 §6 as OMA LwM2M 1.1.1 Core
§7.4.5 uses it. See :mod:`lwm2m.formats.senml` for names, times and values.

Labels are the RFC 8428 integers (bn -2, bt -3, n 0, t 6, v 2, vs 3, vb 4, vd 8) and
the text label ``"vlo"``. Decoding: ``cbor2``'s C extension on CPython, the pure CBOR
subset elsewhere (see :mod:`lwm2m.formats.cborpath`). Encoding: a direct writer (below)
whose output equals ``cbor2.dumps`` of the same record maps.
"""

from lwm2m.errors import FormatError
from lwm2m.formats import cbor, cborpath, senml
from lwm2m.formats.binary import packer
from lwm2m.formats.values import INT64_MIN, UINT64_MAX, objlnk_text, path_text

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterable
    from typing import Any

    from lwm2m.formats.senml import Group
    from lwm2m.formats.values import Path, Record, TypeOf

CONTENT_FORMAT = 112


def _vd(value: "Any") -> bytes:
    if type(value) is not bytes:
        raise FormatError("SenML-CBOR vd must be a byte string")
    return value


def _same(value: bytes) -> bytes:
    return value


def decode(data: bytes, base: "Path | None", type_of: "TypeOf | None" = None) -> "list[Record]":
    """SenML-CBOR pack -> ``[(path, value), ...]`` (absolute paths, under ``base``)."""
    return senml.resolve(cborpath.loads(data), base, type_of, senml.CBOR_LABELS, _vd, False)


def decode_timed(
    data: bytes, base: "Path | None", type_of: "TypeOf | None" = None
) -> "list[Group]":
    """SenML-CBOR pack -> ``[(time or None, records), ...]`` (consecutive equal times)."""
    recs = cborpath.loads(data)
    return senml.group_by_time(senml.resolve(recs, base, type_of, senml.CBOR_LABELS, _vd, True))


def encode(
    records: "Iterable[Record]", base: "Path | None", type_of: "TypeOf | None" = None
) -> bytes:
    """Records -> SenML-CBOR. ``base`` None: absolute names (composite operations)."""
    if type(records) is list and len(records) == 1 and records[0][0] == base:
        # A Read of one resource: one record, ``bn`` the request path and no ``n``,
        # the same bytes as the general writer without its per-call set-up.
        value = records[0][1]
        bn = cbor.encode_text(senml.text_of(base))
        if type(value) is bytes:  # a long opaque value: no copy before the final join
            return b"".join((b"\x81\xa2\x21", bn, b"\x08", cbor.head(2, len(value)), value))
        if value is None:
            return b"\x81\xa1\x21" + bn
        return b"".join((b"\x81\xa2\x21", bn, _value_item(value, senml.text_of(base))))
    return _write(((None, records),), base)


def encode_timed(groups: "Iterable[Group]", base: "Path | None") -> bytes:
    """``[(time, records), ...]`` -> SenML-CBOR with ``bt`` on each group's first record."""
    return _write(groups, base)


# -- the writer -----------------------------------------------------------------------
#
# Records are written straight to bytes, the same on CPython and MicroPython: a record
# below the base name is ``a2 00 <n> <label> <value>``, and ``a2 00 <n>`` comes from a
# cache per request path. Building dicts for cbor2.dumps costs more than the encoding
# itself; the tests hold this writer to cbor2.dumps of the same record maps, byte for
# byte. The first record (bn) and each group's first record (bt) go through the
# general path: an ordered map and the CBOR subset's dumps.

_PACK_INT16 = packer(">BBH")
_PACK_INT32 = packer(">BBI")
_PACK_INT64 = packer(">BBQ")
_PACK_FLOAT = packer(">BBd")
# b"\x02" + the CBOR item of v, for v in -24..255 (label 2 is "v").
_V_SMALL = [cbor.dumps(2) + cbor.encode_int(v) for v in range(-24, 256)]
_VS_HEADS = [b"\x03" + cbor.head(3, n) for n in range(256)]  # label 3 ("vs") + text head
_VB = (b"\x04\xf4", b"\x04\xf5")
_HEADS: "dict[Path | None, dict[Path, bytes]]" = {}


def _value_item(value: "Any", text: str) -> bytes:
    """Label and value of one record (any value type; the loop inlines the common ones)."""
    vt = type(value)
    if vt is int:
        if not INT64_MIN <= value <= UINT64_MAX:
            raise FormatError("%s: integer %d does not fit 64 bits" % (text, value))
        return b"\x02" + cbor.encode_int(value)
    if vt is float:
        if value - value != 0.0:
            raise FormatError("%s: SenML cannot carry %r" % (text, value))
        return _PACK_FLOAT(0x02, 0xFB, value)
    if vt is str:
        return b"\x03" + cbor.encode_text(value)
    if vt is bool:
        return _VB[1] if value else _VB[0]
    if vt is bytes:
        return b"\x08" + cbor.encode_bytes(value)
    if vt is tuple:
        return b"\x63vlo" + cbor.encode_text(objlnk_text(value))
    raise FormatError("%s: SenML cannot carry %r" % (text, value))


def _general(
    path: "Path",
    value: "Any",
    bn_text: "str | None",
    cut: int,
    whole: "str | None",
    with_bn: bool,
    t: "Any",
) -> "list[bytes]":
    """A record with bn and/or bt, as pieces: bn (-2), n (0), bt (-3), value."""
    text = senml.text_of(path)
    fields = []
    if with_bn and bn_text is not None:
        if text == whole:
            fields.append(b"\x21" + cbor.encode_text(text))
        elif text[:cut] == bn_text:
            fields.append(b"\x21" + cbor.encode_text(bn_text))
            fields.append(b"\x00" + cbor.encode_text(text[cut:]))
        else:
            raise FormatError("record %s lies outside the request path %s" % (text, whole))
    elif cut:
        if text[:cut] != bn_text:
            raise FormatError("record %s lies outside the request path %s" % (text, whole))
        fields.append(b"\x00" + cbor.encode_text(text[cut:]))
    else:
        fields.append(b"\x00" + cbor.encode_text(text))
    if t is not None:
        fields.append(b"\x22" + (cbor.encode_int(t) if type(t) is int else cbor.encode_float(t)))
    count = len(fields)
    if type(value) is bytes:  # a long opaque value: no copy before the final join
        fields.append(b"\x08" + cbor.head(2, len(value)))
        fields.append(value)
        count += 1
    elif value is not None:
        fields.append(_value_item(value, text))
        count += 1
    fields.insert(0, cbor.head(5, count))
    return fields


def _head(path: "Any", bn_text: "str | None", cut: int, whole: "str | None") -> bytes:
    """``a2 00 <n>`` of a record below the base name."""
    text = senml.text_of(path)
    if cut:
        if text[:cut] != bn_text:
            raise FormatError("record %s lies outside the request path %s" % (text, whole))
        text = text[cut:]
    return b"\xa2\x00" + cbor.encode_text(text)


def _write(groups: "Iterable[Group]", base: "Path | None") -> bytes:
    bn_text, cut = senml.names(base)
    whole = path_text(base) if base is not None else None
    heads = senml.memo_for(_HEADS, base)
    parts: list[bytes] = []
    app = parts.append
    small = _V_SMALL
    vs_heads = _VS_HEADS
    count = 0
    first = True
    timed = False
    for t, records in groups:
        timed = senml.group_timed(t, timed)
        if type(records) is not list:
            records = list(records)
        count += len(records)
        it = iter(records)
        if first or t is not None:
            # The pack's first record carries bn, a group's first bt: the general path.
            for path, value in it:
                parts.extend(_general(path, value, bn_text, cut, whole, first, t))
                first = False
                break
        for path, value in it:
            h = heads.get(path)
            if h is None:
                h = heads[path] = _head(path, bn_text, cut, whole)
            vt = type(value)
            if vt is int:
                app(h)
                if -24 <= value < 256:
                    app(small[value + 24])
                elif 0 <= value < 0x10000:
                    app(_PACK_INT16(0x02, 0x19, value))
                elif 0 <= value < 0x100000000:
                    app(_PACK_INT32(0x02, 0x1A, value))
                else:
                    app(_value_item(value, path_text(path)))
            elif vt is str:
                raw = value.encode("utf-8")
                app(h)
                if len(raw) < 256:
                    app(vs_heads[len(raw)])
                else:
                    app(b"\x03" + cbor.head(3, len(raw)))
                app(raw)
            elif vt is float and value - value == 0.0:
                app(h)
                app(_PACK_FLOAT(0x02, 0xFB, value))
            elif vt is bool:
                app(h)
                app(b"\x04\xf5" if value else b"\x04\xf4")
            elif value is None:
                app(b"\xa1" + h[1:])
            else:
                item = _value_item(value, path_text(path))
                app(h)
                app(item)
    parts.insert(0, cbor.head(4, count))
    return b"".join(parts)
