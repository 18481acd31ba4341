"""Which CBOR engine runs: ``cbor2``'s C extension on CPython, :mod:`lwm2m.formats.cbor`
everywhere else (MicroPython). ``dumps`` output is identical on both paths.

The fast ``loads`` is ``cbor2`` with indefinite lengths, duplicate keys and deep
nesting refused as the pure decoder refuses them, plus the one check ``cbor2.loads``
lacks: bytes after the data item (``cbor2.loads`` ignores them silently, so it runs
as a stream decoder over a BytesIO and the position is checked; about 1.5 us a call).
The remaining differences are in what ``cbor2`` accepts and the pure decoder refuses
(tags other than 1 and 4, simple values): where such items reach a value field the
format codec refuses them on both paths.
"""

from lwm2m.errors import FormatError
from lwm2m.formats import cbor

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

_cbor2: "Any" = None
try:
    from io import BytesIO as _BytesIO

    import cbor2

    _cbor2 = cbor2
except ImportError:  # MicroPython: no cbor2
    pass

FAST = _cbor2 is not None


def dumps(obj: "Any") -> bytes:
    if _cbor2 is not None:
        try:
            return _cbor2.dumps(obj)  # type: ignore[no-any-return]
        except Exception:
            return cbor.dumps(obj)  # the pure encoder says what it cannot carry
    return cbor.dumps(obj)


def loads(data: "Any") -> "Any":
    """One CBOR data item filling ``data``; FormatError otherwise."""
    if _cbor2 is None:
        return cbor.loads(data)
    if type(data) is not bytes:
        data = bytes(data)
    fp = _BytesIO(data)
    try:
        value = _cbor2.CBORDecoder(
            fp, allow_indefinite=False, allow_duplicate_keys=False, max_depth=cbor.MAX_DEPTH
        ).decode()
    except Exception as exc:  # CBORDecodeError and the ValueError / TypeError it wraps
        raise FormatError("invalid CBOR: %s" % exc) from None
    if fp.tell() != len(data):
        raise FormatError("%d bytes follow the CBOR data item" % (len(data) - fp.tell()))
    return value


def pure_loads(data: "Any") -> "Any":
    return cbor.loads(data)
