"""OMA TLV, ``application/vnd.oma.lwm2m+tlv`` (11542; the pre-registration number
1542 is accepted on input). OMA LwM2M 1.1.1 Core §7.4.3.

Each TLV is a type byte, an 8- or 16-bit identifier, an optional 8/16/24-bit length
and the value::

    bits 7-6  00 Object Instance, 01 Resource Instance, 10 Multiple Resource,
              11 Resource with value
    bit  5    identifier is 16 bits (else 8)
    bits 4-3  00 length in bits 2-0, 01/10/11 an 8/16/24-bit length follows

The format carries no value types: decoding asks ``type_of(path)`` (an
``objects.types`` constant, or None for "unknown", which decodes as opaque bytes).
Values (Appendix C): integers are big-endian two's complement of 1, 2, 4 or 8 bytes,
unsigned integers the same width unsigned, floats 4 or 8 bytes IEEE 754, booleans one
byte 0/1, Objlnk two 16-bit ids, strings UTF-8.

Hot path notes: the encoder writes each fixed-width value together with its header
by one precompiled ``struct`` call, tests only which id width a record needs (the
packer refuses an id outside it) and writes the usual Object Instance and Multiple
Resource headers by one call too (other headers come from a cache); the decoder reads
headers with 8- and 16-bit ids and 8-bit lengths inline, converts the common types
without a call and answers a lone resource before any set-up. Both look a resource's
type up once per payload.
"""

import struct

from lwm2m.errors import FormatError
from lwm2m.formats.binary import packer, unpacker
from lwm2m.formats.values import no_types, path_text
from objects import types as T

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable, Iterable
    from typing import Any

    from lwm2m.formats.values import Path, Record, TypeOf

CONTENT_FORMAT = 11542
LEGACY_CONTENT_FORMAT = 1542

OBJECT_INSTANCE = 0x00
RESOURCE_INSTANCE = 0x40
MULTIPLE_RESOURCE = 0x80
RESOURCE = 0xC0

KIND_NAMES = {
    OBJECT_INSTANCE: "object instance",
    RESOURCE_INSTANCE: "resource instance",
    MULTIPLE_RESOURCE: "multiple resource",
    RESOURCE: "resource",
}

MAX_LENGTH = 0xFFFFFF

# Two fields of the type byte by table, for the decoder's loop: a tuple subscript is a
# specialised bytecode in CPython 3.11, a mask is not (4-5 % on a 1000-record payload).
_WIDE_ID = tuple(bool(t & 0x20) for t in range(256))  # bit 5: a 16-bit identifier
_LEN_TYPE = tuple(t & 0x18 for t in range(256))  # bits 4-3: how the length is given
_U16 = unpacker(">H")
_U32 = unpacker(">I")
_F32 = unpacker(">f")
_F64 = unpacker(">d")
_OBJLNK = unpacker(">HH")
_I8 = unpacker(">b")
_I16 = unpacker(">h")
_I32 = unpacker(">i")
_I64 = unpacker(">q")
_PACK_I16 = packer(">h")
_PACK_I32 = packer(">i")
_PACK_I64 = packer(">q")
_PACK_U16 = packer(">H")
_PACK_U32 = packer(">I")
_PACK_U64 = packer(">Q")
_PACK_F64 = packer(">d")
_PACK_OBJLNK = packer(">HH")


# -- decoding -------------------------------------------------------------------------


def parse_header(data: bytes, pos: int, end: int) -> "tuple[int, int, int, int]":
    """Read the TLV at ``pos``: ``(kind, identifier, value_start, value_end)``."""
    # One bounds test, on the value's end: a header running past ``end`` also puts
    # the value's end past it, and one running past the data raises IndexError.
    try:
        t = data[pos]
        if t & 0x20:
            ident = data[pos + 1] * 256 + data[pos + 2]
            p = pos + 3
        else:
            ident = data[pos + 1]
            p = pos + 2
        lt = t & 0x18
        if lt == 0:
            length = t & 0x07
        elif lt == 0x08:
            length = data[p]
            p += 1
        elif lt == 0x10:
            length = data[p] * 256 + data[p + 1]
            p += 2
        else:
            length = (data[p] << 16) | (data[p + 1] << 8) | data[p + 2]
            p += 3
    except IndexError:
        raise FormatError("TLV header truncated at byte %d" % pos) from None
    stop = p + length
    if stop > end:
        if p > end:
            raise FormatError("TLV header truncated at byte %d" % pos)
        raise FormatError(
            "TLV at byte %d announces %d value bytes, %d remain" % (pos, length, end - p)
        )
    return t & 0xC0, ident, p, stop


def _split(data: bytes, pos: int, end: int) -> "list[tuple[int, int, int, int]]":
    items = []
    while pos < end:
        item = parse_header(data, pos, end)
        items.append(item)
        pos = item[3]
    return items


def decode_value(data: bytes, a: int, b: int, rtype: "int | None") -> "Any":
    """The value bytes ``data[a:b]`` read as ``rtype`` (None: opaque bytes)."""
    if rtype is None or rtype == T.OPAQUE:  # first: the large values (firmware, files)
        raw = data[a:b]
        return raw if type(raw) is bytes else bytes(raw)
    n = b - a
    if rtype == T.INTEGER or rtype == T.TIME:
        if n == 1:
            v = data[a]
            return v - 256 if v & 0x80 else v
        if n == 2:
            v = _U16(data, a)[0]
            return v - 0x10000 if v & 0x8000 else v
        if n == 4:
            v = _U32(data, a)[0]
            return v - 0x100000000 if v & 0x80000000 else v
        if 0 < n <= 8:
            v = int.from_bytes(data[a:b], "big")
            return v - (1 << (8 * n)) if v >> (8 * n - 1) else v
        raise FormatError("an integer TLV value has 1 to 8 bytes, not %d" % n)
    if rtype == T.STRING or rtype == T.CORELNK:
        try:
            return bytes(data[a:b]).decode("utf-8")
        except UnicodeError:
            raise FormatError("string TLV value is not UTF-8") from None
    if rtype == T.UNSIGNED:
        if 0 < n <= 8:
            return int.from_bytes(data[a:b], "big")
        raise FormatError("an unsigned TLV value has 1 to 8 bytes, not %d" % n)
    if rtype == T.FLOAT:
        if n == 4:
            return _F32(data, a)[0]
        if n == 8:
            return _F64(data, a)[0]
        raise FormatError("a float TLV value has 4 or 8 bytes, not %d" % n)
    if rtype == T.BOOLEAN:
        if n == 1 and data[a] < 2:
            return data[a] == 1
        raise FormatError("a boolean TLV value is one byte 0 or 1")
    if rtype == T.OBJLNK:
        if n == 4:
            return _OBJLNK(data, a)
        raise FormatError("an Objlnk TLV value has 4 bytes, not %d" % n)
    if rtype == T.NONE:
        if n == 0:
            return None
        raise FormatError("a resource of type none carries no value")
    raise FormatError("unknown resource type %r" % (rtype,))


def decode(data: bytes, base: "Path | None", type_of: "TypeOf | None" = None) -> "list[Record]":
    """TLV payload of a request on ``base`` -> flat ``[(path, value), ...]`` records."""
    if type(data) is not bytes:
        data = bytes(data)
    if type_of is None:
        type_of = no_types
    if base is None:
        base = ()
    n = len(base)
    end = len(data)
    first = parse_header(data, 0, end) if end and n > 1 else None
    if n == 3 and first is not None and first[0] == RESOURCE and first[3] == end:
        # A Read of one resource, the most common single-TLV answer (a 4 KiB opaque
        # value is decoded in about a microsecond): answered before any set-up.
        if first[1] != base[2]:
            raise FormatError("TLV names resource %d, the request %s" % (first[1], path_text(base)))
        rtype = type_of(base)
        if rtype is None or rtype == T.OPAQUE:  # no call for the largest values
            return [(base, data[first[2] :])]
        return [(base, decode_value(data, first[2], end, rtype))]
    out: list[Record] = []
    cache: dict[int, int | None] = {}
    if n == 1:
        for kind, ident, a, b in _split(data, 0, end):
            if kind != OBJECT_INSTANCE:
                raise FormatError(
                    "TLV under an object path must be object instances, not a %s" % KIND_NAMES[kind]
                )
            _resources(data, a, b, (base[0], ident), out, type_of, cache)
    elif n == 2:
        if first is not None and first[0] == OBJECT_INSTANCE and first[3] == end:
            # Some peers wrap an instance-level payload in its Object Instance TLV.
            kind, ident, a, b = first
            if ident != base[1]:
                raise FormatError(
                    "TLV names instance %d, the request /%d/%d" % (ident, base[0], base[1])
                )
            _resources(data, a, b, base, out, type_of, cache)
        else:
            _resources(data, 0, end, base, out, type_of, cache)
    elif n == 3:
        if first is not None and first[0] == RESOURCE_INSTANCE:
            # Resource instances without their Multiple Resource wrapper.
            _resources(data, 0, end, base[:2], out, type_of, cache, base[2], type_of(base))
        else:
            for item in _split(data, 0, end):
                if item[1] != base[2]:
                    raise FormatError(
                        "TLV names resource %d, the request %s" % (item[1], path_text(base))
                    )
            _resources(data, 0, end, base[:2], out, type_of, cache)
    elif n == 4:
        items = _split(data, 0, end)
        if len(items) != 1 or items[0][0] != RESOURCE_INSTANCE or items[0][1] != base[3]:
            raise FormatError("TLV for %s must be that one resource instance" % path_text(base))
        kind, ident, a, b = items[0]
        out.append((base, decode_value(data, a, b, type_of(base[:3]))))
    else:
        raise FormatError("TLV needs an object, instance, resource or resource instance path")
    return out


def _resources(
    data: bytes,
    pos: int,
    end: int,
    prefix: "Path",
    out: "list[Record]",
    type_of: "TypeOf",
    cache: "dict[int, int | None]",
    rid: int = -1,
    rtype: "int | None" = None,
) -> None:
    """Resource TLVs of the instance ``prefix`` in ``data[pos:end]`` or, with ``rid``,
    the resource-instance TLVs of that multiple resource (of type ``rtype``).

    The hot path of decoding: headers with 8- and 16-bit ids and lengths up to 255
    are read inline, types come from ``cache`` (one ``type_of`` per resource id and
    payload), and the common types are converted inline: signed integers by signed
    ``struct`` formats, strings, 8-byte floats, booleans, unsigned integers; the rest
    by :func:`decode_value`."""
    append = out.append
    oid = prefix[0]
    iid = prefix[1]
    i8 = _I8
    i16 = _I16
    i32 = _I32
    i64 = _I64
    f64 = _F64
    wide = _WIDE_ID
    ltab = _LEN_TYPE
    integer = T.INTEGER
    time = T.TIME
    string = T.STRING
    floating = T.FLOAT
    boolean = T.BOOLEAN
    unsigned = T.UNSIGNED
    try:
        while pos < end:
            t = data[pos]
            if wide[t]:
                ident = data[pos + 1] * 256 + data[pos + 2]
                p = pos + 3
            else:
                ident = data[pos + 1]
                p = pos + 2
            lt = ltab[t]
            if lt == 0:
                stop = p + (t & 0x07)
            elif lt == 0x08:
                stop = p + 1 + data[p]
                p += 1
            else:
                kind, ident, p, stop = parse_header(data, pos, end)
            if stop > end:
                raise FormatError("TLV at byte %d runs past its container" % pos)
            # The kind is the type byte's top two bits: compared, not masked (a mask
            # is a generic operation in CPython 3.11, an int comparison is not).
            if rid < 0:
                rt = cache.get(ident, -2)
                if rt == -2:
                    rt = cache[ident] = type_of((oid, iid, ident))
                if t < RESOURCE:
                    kind = t & 0xC0
                    if kind == MULTIPLE_RESOURCE:
                        _resources(data, p, stop, prefix, out, type_of, cache, ident, rt)
                        pos = stop
                        continue
                    raise FormatError(
                        "TLV under an instance must be resources, not a %s" % KIND_NAMES[kind]
                    )
                path: Path = (oid, iid, ident)
            else:
                if not RESOURCE_INSTANCE <= t < MULTIPLE_RESOURCE:
                    raise FormatError(
                        "a multiple resource TLV holds resource instances, not a %s"
                        % KIND_NAMES[t & 0xC0]
                    )
                rt = rtype
                path = (oid, iid, rid, ident)
            length = stop - p
            if rt == integer or rt == time:  # noqa: SIM109 - two int compares, no tuple
                if length == 4:
                    v: Any = i32(data, p)[0]
                elif length == 1:
                    v = i8(data, p)[0]
                elif length == 2:
                    v = i16(data, p)[0]
                elif length == 8:
                    v = i64(data, p)[0]
                else:
                    v = decode_value(data, p, stop, rt)
            elif rt == string:
                v = data[p:stop].decode("utf-8")
            elif rt == floating and length == 8:
                v = f64(data, p)[0]
            elif rt == boolean and length == 1 and data[p] < 2:
                v = data[p] == 1
            elif rt == unsigned and 0 < length <= 8:
                v = int.from_bytes(data[p:stop], "big")
            else:
                v = decode_value(data, p, stop, rt)
            append((path, v))
            pos = stop
    except IndexError:  # a header cut off by the end of the payload
        raise FormatError("TLV header truncated at byte %d" % pos) from None
    except UnicodeError:
        raise FormatError("string TLV value is not UTF-8") from None


# -- encoding -------------------------------------------------------------------------

_HEADER_CACHE: "dict[int, bytes]" = {}


def header(kind: int, ident: int, length: int) -> bytes:
    """Type byte, identifier and length field of one TLV (shortest forms)."""
    small = length < 256
    if small:
        key = (ident << 10) | (length << 2) | (kind >> 6)
        h = _HEADER_CACHE.get(key)
        if h is not None:
            return h
    if not 0 <= ident <= 0xFFFF:
        raise FormatError("a TLV identifier is 0..65535, not %d" % ident)
    t = kind
    if ident > 255:
        t |= 0x20
        id_bytes = bytes(((ident >> 8) & 0xFF, ident & 0xFF))
    else:
        id_bytes = bytes((ident,))
    if length < 8:
        head = bytes((t | length,)) + id_bytes
    elif length < 0x100:
        head = bytes((t | 0x08,)) + id_bytes + bytes((length,))
    elif length < 0x10000:
        head = bytes((t | 0x10,)) + id_bytes + bytes((length >> 8, length & 0xFF))
    elif length <= MAX_LENGTH:
        head = (
            bytes((t | 0x18,))
            + id_bytes
            + bytes((length >> 16, (length >> 8) & 0xFF, length & 0xFF))
        )
    else:
        raise FormatError("a TLV value is at most 16 MiB, not %d bytes" % length)
    if small and len(_HEADER_CACHE) < 16384:
        _HEADER_CACHE[key] = head
    return head


# Integers -128..255 are the most common values by far: their encodings come ready.
_SMALL_SIGNED = [bytes((v & 0xFF,)) for v in range(-128, 128)]
_SMALL_UNSIGNED_HIGH = [bytes((v,)) for v in range(128, 256)]
_FALSE = b"\x00"
_TRUE = b"\x01"


def encode_int(value: int, unsigned: bool) -> bytes:
    """Shortest of 1, 2, 4, 8 bytes; two's complement unless ``unsigned``."""
    if -128 <= value < 128:
        return _SMALL_SIGNED[value + 128]
    if unsigned:
        if value < 0:
            raise FormatError("unsigned value %d is negative" % value)
        if value < 0x100:
            return _SMALL_UNSIGNED_HIGH[value - 128]
        if value < 0x10000:
            return _PACK_U16(value)
        if value < 0x100000000:
            return _PACK_U32(value)
        if value <= 0xFFFFFFFFFFFFFFFF:
            return _PACK_U64(value)
        raise FormatError("unsigned value %d does not fit 64 bits" % value)
    if -0x8000 <= value < 0x8000:
        return _PACK_I16(value)
    if -0x80000000 <= value < 0x80000000:
        return _PACK_I32(value)
    if -0x8000000000000000 <= value < 0x8000000000000000:
        return _PACK_I64(value)
    if 0 < value <= 0xFFFFFFFFFFFFFFFF:
        return _PACK_U64(value)  # only an Unsigned Integer can hold it: no other reading
    raise FormatError("integer value %d does not fit 64 bits" % value)


def _needs_type(value: int) -> bool:
    """True where a signed and an unsigned encoding of ``value`` differ in width."""
    return 128 <= value < 0x100 or 0x8000 <= value < 0x10000 or 0x80000000 <= value < 0x100000000


def encode_value(value: "Any", path: "Path", type_of: "TypeOf") -> bytes:
    """The TLV value bytes of one resource value."""
    vt = type(value)
    if vt is int:
        i: int = value
        if -128 <= i < 128:
            return _SMALL_SIGNED[i + 128]
        if i >= 128 and _needs_type(i):
            return encode_int(i, type_of(path[:3]) == T.UNSIGNED)
        return encode_int(i, False)
    if vt is str:
        return str(value).encode("utf-8")
    if vt is bytes:
        return bytes(value)
    if vt is bool:
        return _TRUE if value else _FALSE
    if vt is float:
        # Appendix C allows 4 or 8 bytes; 8 carries every value exactly (decoding takes both).
        return _PACK_F64(value)
    if vt is tuple:
        if len(value) == 2 and 0 <= value[0] <= 0xFFFF and 0 <= value[1] <= 0xFFFF:
            return _PACK_OBJLNK(value[0], value[1])
        raise FormatError(
            "%s: Objlnk ids must be two ints in 0..65535: %r" % (path_text(path), value)
        )
    raise FormatError("%s: TLV cannot carry %r" % (path_text(path), value))


def encode(
    records: "Iterable[Record]", base: "Path | None", type_of: "TypeOf | None" = None
) -> bytes:
    """Records under ``base`` -> TLV. ``base`` is an object (object instance TLVs),
    an instance (resource TLVs), a resource (one resource or one multiple resource)
    or a resource instance. Records of one instance, and of one multiple resource,
    must be contiguous."""
    if type_of is None:
        type_of = no_types
    if base is None:
        base = ()
    n = len(base)
    if not 1 <= n <= 4:
        raise FormatError("TLV needs an object, instance, resource or resource instance path")
    if n == 1:
        return _encode_resources(records, (base[0], -1), type_of)
    if n == 2:
        return _encode_resources(records, base, type_of)
    if type(records) is not list:
        records = list(records)
    if n == 3:
        if len(records) == 1 and records[0][0] == base:
            value = encode_value(records[0][1], base, type_of)
            return header(RESOURCE, base[2], len(value)) + value
        if not 0 <= base[2] <= 0xFFFF:  # (-1 would mean "no one resource" below)
            raise FormatError("TLV needs a resource id in 0..65535, not %r" % (base[2],))
        return _encode_resources(records, base[:2], type_of, base[2])
    if len(records) != 1 or records[0][0] != base:
        raise FormatError("TLV for %s carries exactly that resource instance" % path_text(base))
    value = encode_value(records[0][1], base, type_of)
    return header(RESOURCE_INSTANCE, base[3], len(value)) + value


def _ptext(path: "Any") -> str:
    return path_text(path) if type(path) is tuple else repr(path)


class _IdOutOfRange(Exception):
    """An identifier outside its 8- or 16-bit field, from the MicroPython packers."""


# What an id packer raises for an identifier its field cannot hold. CPython's struct
# refuses it (``struct.error``), so the hot path tests only which width an id needs
# (``ident < 0x100``) and lets the packer do the range check; MicroPython's struct
# wraps it silently, so there the packers check (see :func:`_id_packer`).
_ID_ERRORS = (getattr(struct, "error", _IdOutOfRange), _IdOutOfRange)


def _id_packer(fmt: str) -> "Callable[..., bytes]":
    """Packer for ``fmt`` = type byte, identifier (``B`` or ``H``), the rest."""
    pack = packer(fmt)
    if hasattr(struct, "Struct"):
        return pack
    top = 0xFF if fmt[2] == "B" else 0xFFFF

    def checked(t: int, ident: int, *rest: "Any") -> bytes:
        if not 0 <= ident <= top:
            raise _IdOutOfRange()
        return pack(t, ident, *rest)

    return checked


# The hot path writes each fixed-width value together with its header in one struct
# call: type byte, identifier, a length byte for values of 8 bytes or more, the value
# (OMA LwM2M 1.1.1 Core §7.4.3). One set of packers per identifier width, in the order
# (int8, int16, int32, float64, header, header with 8-bit length): ``_NARROW`` for
# 8-bit ids, ``_WIDE`` for 16-bit ones (type bit 5 set).
_NARROW = tuple(_id_packer(">BB" + rest) for rest in ("b", "h", "i", "Bd", "", "B"))
_WIDE = tuple(_id_packer(">BH" + rest) for rest in ("b", "h", "i", "Bd", "", "B"))
_N_HEAD = _NARROW[4]
_N_HEAD_L8 = _NARROW[5]


def _encode_resources(
    records: "Iterable[Record]", ipath: "Path", type_of: "TypeOf", only: int = -1
) -> bytes:
    """Resource and multiple-resource TLVs of one instance; with ``ipath`` (oid, -1),
    of each instance of the object, each run of one instance's records wrapped in its
    Object Instance TLV (runs must not repeat an instance). ``only``: the records must
    be the instances of that one multiple resource.

    The hot path. Integers whose signed and unsigned widths agree, floats (always 8
    bytes), booleans and short strings are written inline, header and value by one
    struct call; other values go through :func:`encode_value` and :func:`header`
    (integers of the ambiguous widths with one type lookup per resource and call)."""
    oid, iid = ipath
    instances: list[bytes] | None = [] if iid < 0 else None
    done: set[int] = set()
    parts: list[bytes] = []  # the current instance's TLVs
    out = parts  # where the current TLV goes: the instance, or a multiple resource
    seen: set[int] = set()  # resource ids of the current instance
    add = seen.add
    # The multiple resource being written, or None (not -1: a record's id -1 would
    # match it and be written without its Multiple Resource TLV).
    multi_rid: int | None = None
    multi: list[bytes] = parts
    plain = only < 0  # True while a resource record may come next without more checks
    last_riid = -1  # the highest resource instance id of the multiple resource so far
    riids: set[int] | None = None  # its ids, once one came out of ascending order
    types: dict[int, int | None] = {}
    try:
        for path, value in records:
            if len(path) == 3:
                o, i, ident = path
                if i != iid or o != oid or not plain or ident in seen:
                    if only >= 0:
                        raise FormatError(
                            "record %s is not an instance of resource %d" % (_ptext(path), only)
                        )
                    if multi_rid is not None:
                        _wrap(parts, MULTIPLE_RESOURCE, multi_rid, multi)
                        multi_rid = None
                        out = parts
                        plain = True
                    if i != iid or o != oid:
                        _end_instance(instances, done, ipath, path, iid, parts)
                        iid = i
                        parts = []
                        out = parts
                        seen.clear()
                    if ident in seen:
                        raise FormatError("resource %s appears twice" % path_text(path))
                add(ident)
                # The type byte's kind and id width (§7.4.3: 8 bits, or 16 with bit 5
                # set) and the packers of that width, indexed 0 int8, 1 int16, 2 int32,
                # 3 float64, 4 header, 5 header with 8-bit length; they refuse ids
                # outside 0..255 / 256..65535 (_ID_ERRORS), as header() does.
                if ident < 0x100:
                    t = 0xC0  # RESOURCE
                    pk = _NARROW
                else:
                    t = 0xE0
                    pk = _WIDE
            else:
                # (A resource instance, or nothing the unpacking accepts: one length
                # test per record, not two.)
                try:
                    o, i, rid, ident = path
                except ValueError:
                    raise FormatError(
                        "record %s is not a resource under %s" % (_ptext(path), path_text(ipath))
                    ) from None
                if rid != multi_rid or i != iid or o != oid:
                    if multi_rid is not None:
                        _wrap(parts, MULTIPLE_RESOURCE, multi_rid, multi)
                        multi_rid = None
                    if only >= 0 and rid != only:
                        raise FormatError(
                            "record %s is not an instance of resource %d" % (_ptext(path), only)
                        )
                    if i != iid or o != oid:
                        _end_instance(instances, done, ipath, path, iid, parts)
                        iid = i
                        parts = []
                        seen.clear()
                    if rid in seen:
                        raise FormatError(
                            "instances of %s are not contiguous" % path_text(path[:3])
                        )
                    if type(rid) is not int or not 0 <= rid <= 0xFFFF:
                        raise FormatError("record %s holds an id outside 0..65535" % (path,))
                    add(rid)
                    multi_rid = rid
                    multi = []
                    out = multi
                    plain = False
                    last_riid = -1
                    riids = None
                # A resource instance may appear once. Instances usually come in
                # ascending order, which one comparison proves; from the first one out
                # of order on, a set of the ids written holds the run's ids (and
                # ``last_riid`` above any id sends every later one to it).
                if ident > last_riid:
                    last_riid = ident
                else:
                    if riids is None:
                        riids = _instance_ids(multi)
                        last_riid = 0x10000
                    if ident in riids:
                        raise FormatError("resource instance %s appears twice" % path_text(path))
                    riids.add(ident)
                if ident < 0x100:
                    t = 0x40  # RESOURCE_INSTANCE
                    pk = _NARROW
                else:
                    t = 0x60
                    pk = _WIDE
            # Two habits of CPython 3.11's specialised bytecode below: the type byte is
            # the kind plus its low bits (int + has a fast form, | has none), and a TLV
            # goes out by ``out.append`` on the list (inlined) rather than a bound method.
            # Large integers come first: one at or above 2**30 takes every comparison
            # the slow way, so the int32 case sees two comparisons, not three.
            vt = type(value)
            if vt is int:
                if value >= 0x10000:
                    if value < 0x80000000:
                        out.append(pk[2](t + 4, ident, value))
                        continue
                elif value < 0x80:
                    if value >= -0x80:
                        out.append(pk[0](t + 1, ident, value))
                        continue
                    if value >= -0x8000:
                        out.append(pk[1](t + 2, ident, value))
                        continue
                    if value >= -0x80000000:
                        out.append(pk[2](t + 4, ident, value))
                        continue
                elif 0x100 <= value < 0x8000:
                    out.append(pk[1](t + 2, ident, value))
                    continue
            elif vt is float:
                out.append(pk[3](t + 0x08, ident, 8, value))
                continue
            elif vt is str:
                raw = value.encode("utf-8")
                length = len(raw)
                if length < 8:
                    out.append(pk[4](t + length, ident))
                    out.append(raw)
                    continue
                if length < 0x100:
                    out.append(pk[5](t + 0x08, ident, length))
                    out.append(raw)
                    continue
            elif vt is bool:
                out.append(pk[0](t + 1, ident, 1 if value else 0))
                continue
            # The rest: opaque, Objlnk, long strings, and integers whose width depends on
            # whether the resource is unsigned.
            if vt is int and 0 <= value <= 0xFFFFFFFFFFFFFFFF:
                rid = path[2]
                rtype = types.get(rid, -1)
                if rtype == -1:
                    rtype = types[rid] = type_of(path[:3])
                v = encode_int(value, rtype == T.UNSIGNED)
            elif vt is bytes:
                v = value
            else:
                v = encode_value(value, path, type_of)
            out.append(header(t & 0xC0, ident, len(v)))
            out.append(v)
    except _ID_ERRORS:
        raise FormatError("record %s holds an id outside 0..65535" % (path,)) from None
    if multi_rid is not None:
        _wrap(parts, MULTIPLE_RESOURCE, multi_rid, multi)
    if instances is not None:
        if parts:
            _wrap(instances, OBJECT_INSTANCE, iid, parts)
        return b"".join(instances)
    return b"".join(parts)


def _end_instance(instances: "list[bytes] | None", done: "set[int]", ipath: "Path",
                  path: "Any", iid: int, parts: "list[bytes]") -> None:
    """The records of another instance begin at ``path``: check that they may (an
    object-level write, an instance not met before), then wrap the instance before."""
    if instances is None or path[0] != ipath[0] or path[1] in done:
        raise FormatError("record %s is not under %s" % (_ptext(path), path_text(ipath)))
    # Not "iid >= 0" but "parts": records of instance -1 must fail, not vanish.
    if parts:
        _wrap(instances, OBJECT_INSTANCE, iid, parts)
        done.add(iid)


def _instance_ids(multi: "list[bytes]") -> "set[int]":
    """The ids of the Resource Instance TLVs written to ``multi`` so far."""
    body = b"".join(multi)
    return {item[1] for item in _split(body, 0, len(body))}


def _wrap(out: "list[bytes]", kind: int, ident: int, parts: "list[bytes]") -> None:
    """Append to ``out`` the Object Instance or Multiple Resource TLV holding ``parts``."""
    body = b"".join(parts)
    n = len(body)
    if 0 <= ident < 0x100 and n < 0x100:
        # The usual container (8-bit id and length): its header by one struct call
        # rather than header()'s cache key and lookup, once per instance and resource.
        out.append(_N_HEAD(kind | n, ident) if n < 8 else _N_HEAD_L8(kind | 0x08, ident, n))
    else:
        out.append(header(kind, ident, n))
    out.append(body)
