"""Turn the ``value`` of an lwm2m_vectors.json entry into records and a type resolver.

Shared by the vector tests (MicroPython too): imports nothing but the code under test.
"""

from lwm2m.formats.values import parse_name, parse_objlnk
from objects import types as T

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

# Vectors whose ``path`` is null: the request path each kind is decoded under.
NULL_PATH_BASE = {"resource": (1024, 0), "object_instance": (1024,), "multiple_resource": (1024, 0)}


def base_of(vector: "dict[str, Any]") -> "tuple[int, ...] | None":
    path = vector.get("request_path", vector.get("path"))
    if path is None:
        value = vector.get("value")
        return NULL_PATH_BASE.get(value["kind"]) if type(value) is dict else None
    return parse_name(path)


def typed(rtype: str, value: "Any") -> "Any":
    if rtype == "opaque":
        return bytes.fromhex(value)
    if rtype == "objlnk":
        return parse_objlnk(value)
    if rtype == "float":
        return float(value)
    return value


def records_of(
    value: "dict[str, Any]", base: "tuple[int, ...]"
) -> "tuple[list[Any], dict[int, int]]":
    """The vector's value as ``(records, {resource id: type})`` under ``base``."""
    records: list[Any] = []
    types: dict[int, int] = {}
    _collect(value, base, records, types)
    return records, types


def _collect(
    value: "dict[str, Any]",
    prefix: "tuple[int, ...]",
    records: "list[Any]",
    types: "dict[int, int]",
) -> None:
    kind = value["kind"]
    ident = value["id"]
    here = (
        prefix
        if prefix and prefix[-1] == ident and _depth(kind) == len(prefix)
        else prefix + (ident,)
    )
    if kind == "object":
        for inst in value["instances"]:
            _collect(inst, here, records, types)
    elif kind == "object_instance":
        for res in value["resources"]:
            _collect(res, here, records, types)
    elif kind == "resource":
        types[ident] = T.BY_NAME[value["type"]]
        records.append((here, typed(value["type"], value["value"])))
    elif kind == "multiple_resource":
        types[ident] = T.BY_NAME[value["type"]]
        for riid in sorted(value["instances"], key=int):
            records.append((here + (int(riid),), typed(value["type"], value["instances"][riid])))
    else:
        raise AssertionError("unknown kind " + kind)


def _depth(kind: str) -> int:
    return {"object": 1, "object_instance": 2, "resource": 3, "multiple_resource": 3}[kind]


def resolver(types: "dict[int, int]") -> "Any":
    def type_of(path: "tuple[int, ...]") -> "int | None":
        return types.get(path[2])

    return type_of


def senml_records(value: "dict[str, Any]") -> "list[tuple[Any, Any, Any]]":
    """``resolved`` entries of a senml_pack as ``(time or None, path, value)``."""
    out = []
    for entry in value["resolved"]:
        path = parse_name(entry["path"])
        if "v" in entry:
            v: Any = entry["v"]
        elif "vs" in entry:
            v = entry["vs"]
        elif "vb" in entry:
            v = entry["vb"]
        elif "vd" in entry:
            v = bytes.fromhex(entry["vd"])
        elif "vlo" in entry:
            v = parse_objlnk(entry["vlo"])
        else:
            v = None
        out.append((entry.get("time"), path, v))
    return out
