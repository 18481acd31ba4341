"""Opaque, ``application/octet-stream`` (42; 1544 before registration): the bytes of
one Opaque resource or resource instance, as they are. OMA LwM2M 1.1.1 Core §7.4.2."""

from lwm2m.errors import FormatError
from lwm2m.formats.values import no_types, path_text
from objects import types as T

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterable

    from lwm2m.formats.values import Path, Record, TypeOf

CONTENT_FORMAT = 42
LEGACY_CONTENT_FORMAT = 1544


def _check(base: "Path | None", type_of: "TypeOf | None") -> "Path":
    if base is None or not 3 <= len(base) <= 4:
        raise FormatError("opaque carries one resource or resource instance value")
    rtype = (type_of or no_types)(base[:3])
    if rtype is not None and rtype != T.OPAQUE:
        raise FormatError(
            "%s is a %s resource, not opaque" % (path_text(base), T.NAMES.get(rtype, "?"))
        )
    return base


def decode(data: bytes, base: "Path", type_of: "TypeOf | None" = None) -> "list[Record]":
    """``[(base, bytes)]``."""
    return [(_check(base, type_of), bytes(data))]


def encode(records: "Iterable[Record]", base: "Path", type_of: "TypeOf | None" = None) -> bytes:
    """Exactly one record with a bytes value, at ``base``."""
    path = _check(base, type_of)
    records = list(records)
    if len(records) != 1 or records[0][0] != path or type(records[0][1]) is not bytes:
        raise FormatError("opaque carries exactly the one bytes value of %s" % path_text(path))
    return records[0][1]
