"""SenML-CBOR, ``application/senml+cbor`` (112): RFC 8428 §6 as OMA LwM2M 1.1.1 Core
§7.4.5 uses it. See :mod:`lwm2m.formats.senml` for names, times and values.

Labels are the RFC 8428 integers (bn -2, bt -3, n 0, t 6, v 2, vs 3, vb 4, vd 8) and
the text label ``"vlo"``. On CPython ``cbor2``'s C extension writes and reads the
bytes; elsewhere :mod:`lwm2m.formats.cbor` does, with identical output. The pure
decoder refuses indefinite lengths; ``cbor2`` accepts them, so the fast path is taken
only when that cannot matter (see :func:`lwm2m.formats.cborpath.loads`).
"""

from lwm2m.errors import FormatError
from lwm2m.formats import cbor, cborpath, senml

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
    return cborpath.dumps(
        senml.build(((None, records),), base, senml.CBOR_LABELS, _same, cbor.MapType)
    )


def encode_timed(groups: "Iterable[Group]", base: "Path | None") -> bytes:
    """``[(time, records), ...]`` -> SenML-CBOR with ``bt`` on each group's first record."""
    return cborpath.dumps(senml.build(groups, base, senml.CBOR_LABELS, _same, cbor.MapType))
