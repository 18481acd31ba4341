"""LwM2M content formats. Every format decodes to and encodes from one shared form:
a flat list of ``(path, value)`` records, ``path`` a tuple of ids (absolute), values
as ``objects.types`` gives them (str, int, float, bool, bytes, ``(oid, iid)``).

::

    from lwm2m.formats import decode, encode, TLV, SENML_CBOR
    records = decode(TLV, payload, (3, 0), type_of)    # [((3, 0, 0), "Open Mobile Alliance"), ...]
    payload = encode(SENML_CBOR, records, (3, 0))

``type_of(path) -> objects.types constant | None`` gives the type of a resource
(called with ``(oid, iid, rid)``; the answer is reused for other instances of the
object). Formats without types (TLV, plain text) decode resources of unknown type
as opaque bytes. Time-stamped groups ``[(time, records), ...]`` (notifications of
stored values, Send) go through :func:`decode_timed` / :func:`encode_timed` in
SenML-JSON, SenML-CBOR and OMA-JSON. Link format (Register, Discover) has its own
API in :mod:`lwm2m.formats.link`. Bad payloads raise :class:`lwm2m.FormatError`.
"""

from lwm2m.errors import FormatError
from lwm2m.formats import (
    link,
    lwm2m_cbor,
    oma_json,
    opaque,
    plain_cbor,
    senml_cbor,
    senml_json,
    text,
    tlv,
)
from lwm2m.formats.capabilities import (
    CBOR,
    LINK,
    LWM2M_CBOR,
    OMA_JSON,
    OPAQUE,
    SENML_CBOR,
    SENML_JSON,
    TEXT,
    TLV,
    can_carry,
    default_format,
)

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterable
    from typing import Any

    from lwm2m.formats.senml import Group
    from lwm2m.formats.values import Path, Record, TypeOf

__all__ = [
    "CBOR",
    "LINK",
    "LWM2M_CBOR",
    "OMA_JSON",
    "OPAQUE",
    "SENML_CBOR",
    "SENML_JSON",
    "TEXT",
    "TLV",
    "FormatError",
    "can_carry",
    "canonical",
    "decode",
    "decode_timed",
    "default_format",
    "encode",
    "encode_timed",
    "link",
]

NAMES = {
    TEXT: "text",
    LINK: "link",
    OPAQUE: "opaque",
    SENML_JSON: "senml-json",
    SENML_CBOR: "senml-cbor",
    TLV: "tlv",
    OMA_JSON: "oma-json",
    LWM2M_CBOR: "lwm2m-cbor",
    CBOR: "cbor",
}
BY_NAME = {name: cf for cf, name in NAMES.items()}

# Numbers used before IANA registration (LwM2M 1.0 drafts); accepted on input.
LEGACY = {1541: TEXT, 1542: TLV, 1543: OMA_JSON, 1544: OPAQUE}

_CODECS: "dict[int, Any]" = {
    TEXT: text,
    OPAQUE: opaque,
    TLV: tlv,
    SENML_JSON: senml_json,
    SENML_CBOR: senml_cbor,
    LWM2M_CBOR: lwm2m_cbor,
    OMA_JSON: oma_json,
    CBOR: plain_cbor,
}
_TIMED: "dict[int, Any]" = {SENML_JSON: senml_json, SENML_CBOR: senml_cbor, OMA_JSON: oma_json}


def canonical(content_format: int) -> int:
    """The registered number for ``content_format`` (legacy numbers mapped)."""
    return LEGACY.get(content_format, content_format)


def _codec(content_format: int, table: "dict[int, Any]") -> "Any":
    codec = table.get(LEGACY.get(content_format, content_format))
    if codec is None:
        raise FormatError("content format %r is not supported here" % (content_format,))
    return codec


def decode(
    content_format: int, payload: bytes, base: "Path | None", type_of: "TypeOf | None" = None
) -> "list[Record]":
    """``payload`` in ``content_format`` for a request on ``base`` -> records."""
    # The registered numbers straight from the table: a codec call can be a fraction of
    # a microsecond (a lone TLV resource), so the legacy mapping waits for a miss.
    codec = _CODECS.get(content_format) or _codec(content_format, _CODECS)
    return codec.decode(payload, base, type_of)  # type: ignore[no-any-return]


def encode(
    content_format: int,
    records: "Iterable[Record]",
    base: "Path | None",
    type_of: "TypeOf | None" = None,
) -> bytes:
    """Records under ``base`` -> payload in ``content_format``."""
    codec = _CODECS.get(content_format) or _codec(content_format, _CODECS)  # as in decode()
    return codec.encode(records, base, type_of)  # type: ignore[no-any-return]


def decode_timed(
    content_format: int, payload: bytes, base: "Path | None", type_of: "TypeOf | None" = None
) -> "list[Group]":
    """A SenML / OMA-JSON payload -> ``[(time or None, records), ...]``."""
    return _codec(content_format, _TIMED).decode_timed(payload, base, type_of)  # type: ignore[no-any-return]


def encode_timed(content_format: int, groups: "Iterable[Group]", base: "Path | None") -> bytes:
    """``[(time, records), ...]`` -> SenML / OMA-JSON with times."""
    return _codec(content_format, _TIMED).encode_timed(groups, base)  # type: ignore[no-any-return]
