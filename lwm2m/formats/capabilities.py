"""Which content format may carry what, per LwM2M version, and the default format.

OMA LwM2M 1.0 TS §6.4 and 1.1.1 Core §7.4 / §7.3 (Table: "Data formats"): plain text
and opaque carry one value (a single-instance resource; from 1.1 also one resource
instance); TLV carries a resource, a resource instance (1.1), an instance or an
object; OMA-JSON (1.0 only) a resource, an instance or an object; SenML-JSON and
SenML-CBOR (1.1) every level and composite requests from the root; LwM2M-CBOR (1.2)
the same. Link format carries Discover answers and the registration object list.
"""

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

TEXT = 0
CBOR = 60
LINK = 40
OPAQUE = 42
SENML_JSON = 110
SENML_CBOR = 112
TLV = 11542
OMA_JSON = 11543
LWM2M_CBOR = 11544

# Path depths a payload may be about (the request path's level).
ROOT = 0  # composite operations (Read-Composite, Write-Composite, Send): many paths
OBJECT = 1
INSTANCE = 2
RESOURCE = 3
RESOURCE_INSTANCE = 4

LEVEL_NAMES = {
    ROOT: "root",
    OBJECT: "object",
    INSTANCE: "instance",
    RESOURCE: "resource",
    RESOURCE_INSTANCE: "resource instance",
}

_ALL = frozenset((ROOT, OBJECT, INSTANCE, RESOURCE, RESOURCE_INSTANCE))

# version -> content format -> levels it may carry values for.
CARRIES: "dict[str, dict[int, frozenset[int]]]" = {
    "1.0": {
        TEXT: frozenset((RESOURCE,)),
        OPAQUE: frozenset((RESOURCE,)),
        TLV: frozenset((OBJECT, INSTANCE, RESOURCE)),
        OMA_JSON: frozenset((OBJECT, INSTANCE, RESOURCE)),
    },
    "1.1": {
        TEXT: frozenset((RESOURCE, RESOURCE_INSTANCE)),
        OPAQUE: frozenset((RESOURCE, RESOURCE_INSTANCE)),
        TLV: frozenset((OBJECT, INSTANCE, RESOURCE, RESOURCE_INSTANCE)),
        CBOR: frozenset((RESOURCE, RESOURCE_INSTANCE)),  # Core 1.1 §7.4.6
        SENML_JSON: _ALL,
        SENML_CBOR: _ALL,
    },
}
CARRIES["1.2"] = dict(CARRIES["1.1"])
CARRIES["1.2"][LWM2M_CBOR] = _ALL

# Formats that carry one value only: never a multiple-instance resource as a whole.
SINGLE_VALUE = frozenset((TEXT, OPAQUE, CBOR))


def can_carry(
    content_format: int,
    level: int,
    version: str = "1.1",
    multiple: bool = False,
    opaque: "bool | None" = None,
) -> bool:
    """May ``content_format`` carry the values at a path of ``level`` for a server of
    LwM2M ``version``? ``multiple``: the path is a multiple-instance resource;
    ``opaque``: the resource is (True) / is not (False) of type Opaque."""
    levels = CARRIES.get(version, CARRIES["1.1"]).get(content_format)
    if levels is None or level not in levels:
        return False
    if content_format in SINGLE_VALUE and level == RESOURCE and multiple:
        return False
    return not (content_format == OPAQUE and opaque is False)


def default_format(version: str, level: int, multiple: bool = False, opaque: bool = False) -> int:
    """The format a client answers in when the server sends no Accept option.

    One value (a single-instance resource or a resource instance) goes as plain text,
    or opaque for an Opaque resource (1.0 had no plain-text opaque). Anything else
    goes as TLV to a 1.0 server (the only multi-value format 1.0 mandates) and as
    SenML-CBOR to a 1.1 / 1.2 server (the compact multi-value format that also
    carries composite requests; the 1.1 spec leaves this choice to the client)."""
    if level == RESOURCE_INSTANCE or (level == RESOURCE and not multiple):
        return OPAQUE if opaque else TEXT
    return TLV if version == "1.0" else SENML_CBOR


def table() -> "list[dict[str, Any]]":
    """The capability table as rows (for documentation and the CLI)."""
    rows = []
    for version, formats in CARRIES.items():
        for cf, levels in formats.items():
            rows.append(
                {
                    "version": version,
                    "content_format": cf,
                    "levels": [LEVEL_NAMES[lv] for lv in sorted(levels)],
                }
            )
    return rows
