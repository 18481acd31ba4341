"""A compact pure-Python CBOR subset (RFC 8949) for the LwM2M formats.

Encoding writes what ``cbor2.dumps`` writes with its default options for the same
values, byte for byte: shortest integer heads, every float as a 64-bit double, text
as UTF-8, definite-length arrays and maps in insertion order (tuples as arrays).
The tests hold the two against each other.

Decoding reads unsigned and negative integers, byte and text strings, arrays, maps
(array keys become tuples), half / single / double floats, false / true / null, tag 1
(epoch time) and tag 4 (decimal fraction, which Leshan writes for SenML times).
Indefinite lengths, other tags and simple values, duplicate map keys, trailing bytes
and nesting deeper than 16 are refused with :class:`lwm2m.FormatError`: LwM2M
payloads never need them (and Wakaama refuses indefinite lengths too).
"""

import sys

from lwm2m.errors import FormatError
from lwm2m.formats.binary import packer, unpacker

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

MAX_DEPTH = 16

# CBOR maps keep their order on the wire. CPython dicts keep insertion order;
# MicroPython's do not, so maps are OrderedDicts there (both encode and decode).
MapType: "Any" = dict
if sys.implementation.name == "micropython":
    from collections import OrderedDict

    MapType = OrderedDict

_PACK_D = packer(">Bd")
_PACK_H = packer(">BH")
_PACK_I = packer(">BI")
_PACK_Q = packer(">BQ")
_UNPACK_F = unpacker(">f")
_UNPACK_D = unpacker(">d")


# Heads of major types 0..7 for arguments 0..23 are single bytes: build them once.
_TINY = [[bytes(((major << 5) | n,)) for n in range(24)] for major in range(8)]


def head(major: int, n: int) -> bytes:
    """The shortest head of a data item of ``major`` type with argument ``n``."""
    if n < 24:
        return _TINY[major][n]
    mt = major << 5
    if n < 0x100:
        return bytes((mt | 24, n))
    if n < 0x10000:
        return _PACK_H(mt | 25, n)
    if n < 0x100000000:
        return _PACK_I(mt | 26, n)
    if n <= 0xFFFFFFFFFFFFFFFF:
        return _PACK_Q(mt | 27, n)
    raise FormatError("CBOR integer argument %d does not fit 64 bits" % n)


def encode_int(value: int) -> bytes:
    if value >= 0:
        return head(0, value)
    return head(1, -1 - value)


def encode_float(value: float) -> bytes:
    if value - value != 0.0:  # infinities and NaN: cbor2 writes them as half floats
        return _NON_FINITE[0 if value != value else 1 if value > 0 else 2]
    return _PACK_D(0xFB, value)


_NON_FINITE = (b"\xf9\x7e\x00", b"\xf9\x7c\x00", b"\xf9\xfc\x00")


def encode_text(value: str) -> bytes:
    raw = value.encode("utf-8")
    return head(3, len(raw)) + raw


def encode_bytes(value: bytes) -> bytes:
    return head(2, len(value)) + value


def dumps(obj: "Any") -> bytes:
    """Encode ``obj`` (None, bool, int, float, str, bytes, list/tuple, dict)."""
    parts: list[bytes] = []
    _encode(obj, parts.append)
    return b"".join(parts)


def _encode(obj: "Any", append: "Any") -> None:
    t = type(obj)
    if t is int:
        append(head(0, obj) if obj >= 0 else head(1, -1 - obj))
    elif t is str:
        raw = obj.encode("utf-8")
        append(head(3, len(raw)))
        append(raw)
    elif t is dict or isinstance(obj, dict):
        append(head(5, len(obj)))
        for k, v in obj.items():
            _encode(k, append)
            _encode(v, append)
    elif t is list or t is tuple:
        append(head(4, len(obj)))
        for item in obj:
            _encode(item, append)
    elif t is float:
        append(encode_float(obj))
    elif t is bytes or t is bytearray:
        append(head(2, len(obj)))
        append(bytes(obj))
    elif t is bool:
        append(b"\xf5" if obj else b"\xf4")
    elif obj is None:
        append(b"\xf6")
    else:
        raise FormatError("CBOR subset cannot encode %r" % (obj,))


# -- decoding -------------------------------------------------------------------------


class DecimalFraction:
    """Tag 4 ``[exponent, mantissa]`` as read (RFC 8949 §3.4.4)."""

    __slots__ = ("exponent", "mantissa")

    def __init__(self, exponent: int, mantissa: int) -> None:
        self.exponent = exponent
        self.mantissa = mantissa

    def value(self) -> "int | float":
        m: int = self.mantissa
        e: int = self.exponent
        if e >= 0:
            return m * int(10**e)
        return m / int(10**-e)


def loads(data: bytes) -> "Any":
    """Decode exactly one data item filling ``data``."""
    if type(data) is not bytes:
        data = bytes(data)
    value, pos = decode_item(data, 0, 0)
    if pos != len(data):
        raise FormatError("%d bytes follow the CBOR data item" % (len(data) - pos))
    return value


def _argument(data: bytes, pos: int, ai: int) -> "tuple[int, int]":
    """The argument of a head whose additional info is ``ai``; position after it."""
    if ai < 24:
        return ai, pos
    if ai == 24:
        end = pos + 1
    elif ai == 25:
        end = pos + 2
    elif ai == 26:
        end = pos + 4
    elif ai == 27:
        end = pos + 8
    elif ai == 31:
        raise FormatError("indefinite-length CBOR items are not accepted")
    else:
        raise FormatError("reserved CBOR additional information %d" % ai)
    if end > len(data):
        raise FormatError("CBOR head truncated")
    return int.from_bytes(data[pos:end], "big"), end


def _half(bits: int) -> float:
    """IEEE 754 binary16 -> float (RFC 8949 Appendix D)."""
    exp = (bits >> 10) & 0x1F
    mant = bits & 0x3FF
    if exp == 0:
        val = mant * 2.0**-24
    elif exp != 31:
        val = (mant + 1024) * 2.0 ** (exp - 25)
    elif mant == 0:
        val = float("inf")
    else:
        val = float("nan")
    return -val if bits & 0x8000 else val


def decode_item(data: bytes, pos: int, depth: int) -> "tuple[Any, int]":
    """One data item at ``pos``: ``(value, position after it)``."""
    if pos >= len(data):
        raise FormatError("CBOR data truncated")
    ib = data[pos]
    major = ib >> 5
    ai = ib & 0x1F
    pos += 1
    if major == 7:
        if ai == 20:
            return False, pos
        if ai == 21:
            return True, pos
        if ai == 22:
            return None, pos
        if ai == 25:
            if pos + 2 > len(data):
                raise FormatError("CBOR float truncated")
            return _half((data[pos] << 8) | data[pos + 1]), pos + 2
        if ai == 26:
            if pos + 4 > len(data):
                raise FormatError("CBOR float truncated")
            return _UNPACK_F(data, pos)[0], pos + 4
        if ai == 27:
            if pos + 8 > len(data):
                raise FormatError("CBOR float truncated")
            return _UNPACK_D(data, pos)[0], pos + 8
        if ai == 31:
            raise FormatError("unexpected CBOR break")
        raise FormatError("CBOR simple value %d is not accepted" % ai)
    n, pos = _argument(data, pos, ai)
    if major == 0:
        return n, pos
    if major == 1:
        return -1 - n, pos
    if major == 2 or major == 3:
        end = pos + n
        if end > len(data):
            raise FormatError("CBOR string announces %d bytes, %d remain" % (n, len(data) - pos))
        raw = data[pos:end]
        if major == 2:
            return raw, end
        try:
            return raw.decode("utf-8"), end
        except UnicodeError:
            raise FormatError("CBOR text string is not UTF-8") from None
    if depth >= MAX_DEPTH:
        raise FormatError("CBOR nesting deeper than %d" % MAX_DEPTH)
    if major == 4:
        if n > len(data) - pos:  # every item takes at least one byte
            raise FormatError(
                "CBOR array announces %d items, %d bytes remain" % (n, len(data) - pos)
            )
        items = []
        for _ in range(n):
            item, pos = decode_item(data, pos, depth + 1)
            items.append(item)
        return items, pos
    if major == 5:
        if 2 * n > len(data) - pos:
            raise FormatError("CBOR map announces %d pairs, %d bytes remain" % (n, len(data) - pos))
        result: dict[Any, Any] = MapType()
        for _ in range(n):
            key, pos = decode_item(data, pos, depth + 1)
            if type(key) is list:
                # LwM2M-CBOR (1.2 Core §7.4.7) keys a map with a path: an array of ids.
                for part in key:
                    if type(part) is not int:
                        raise FormatError("an array map key holds integers only")
                key = tuple(key)
            elif isinstance(key, dict):
                raise FormatError("a CBOR map is not a valid map key here")
            if key in result:
                raise FormatError("CBOR map repeats the key %r" % (key,))
            result[key], pos = decode_item(data, pos, depth + 1)
        return result, pos
    # major == 6: tags
    if n == 1:
        value, pos = decode_item(data, pos, depth + 1)
        if type(value) is int or type(value) is float:
            return value, pos
        raise FormatError("CBOR tag 1 (epoch time) must hold a number")
    if n == 4:
        value, pos = decode_item(data, pos, depth + 1)
        if (
            type(value) is list
            and len(value) == 2
            and type(value[0]) is int
            and type(value[1]) is int
        ):
            return DecimalFraction(value[0], value[1]), pos
        raise FormatError("CBOR tag 4 must hold [exponent, mantissa]")
    raise FormatError("CBOR tag %d is not accepted" % n)
