"""LwM2M-CBOR, ``application/vnd.oma.lwm2m+cbor`` (11544): OMA LwM2M 1.2 Core §7.4.7.

A tree of nested CBOR maps rooted at ``/``: a key is one id (unsigned integer) or a
path fragment (array of ids), a value is either a nested map or a resource value.
Values: integers, floats, booleans, text (String, Corelnk, and Objlnk as
``"oid:iid"``), byte strings (Opaque), null (no value, e.g. a Write-Composite delete).

The encoder compresses the request path into one array key at the top
(``{[3, 0]: {0: "...", 6: {0: 1, 1: 5}}}``), as Anjay and Leshan do; the decoder
accepts any mix of single-id and array keys.
"""

from lwm2m.errors import FormatError
from lwm2m.formats import cbor, cborpath
from lwm2m.formats.values import (
    INT64_MIN,
    MAX_ID,
    PYTYPE,
    UINT64_MAX,
    check_under,
    coerce,
    no_types,
    objlnk_text,
    path_text,
)

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterable
    from typing import Any

    from lwm2m.formats.values import Path, Record, TypeOf

CONTENT_FORMAT = 11544

_LEAF_SET = frozenset((int, float, bool, str, bytes, type(None)))


def decode(data: bytes, base: "Path | None", type_of: "TypeOf | None" = None) -> "list[Record]":
    """LwM2M-CBOR -> ``[(path, value), ...]`` (absolute paths, under ``base``)."""
    tree = cborpath.loads(data)
    if not isinstance(tree, dict):
        raise FormatError("LwM2M-CBOR is a map at the top")
    if type_of is None:
        type_of = no_types
    out: list[Record] = []
    _walk(tree, (), out, type_of, {})
    if base and (len(tree) != 1 or (base if len(base) > 1 else base[0]) not in tree):
        # (One top key naming the request path, as every encoder writes it: all
        # records lie under it.)
        for path, _ in out:
            if path[: len(base)] != base:
                check_under(path, base)
    return out


def _walk(
    node: "dict[Any, Any]",
    prefix: "Path",
    out: "list[Record]",
    type_of: "TypeOf",
    types: "dict[Any, Any]",
) -> None:
    """The records of ``node``, the map at ``prefix``.

    The hot path of decoding: under an instance or a multiple resource, an id key's
    record path is built from the prefix's ids, the resource type is looked up once
    per payload (under an instance by resource id in a dict per object, under a
    multiple resource once for the map), and a value that already has the type's
    Python type (see PYTYPE) skips coerce(). Other keys go by :func:`_item`."""
    depth = len(prefix)
    if depth != 2 and depth != 3:
        for key, value in node.items():
            if type(key) is int and 0 <= key <= 0xFFFF and type(value) is dict and depth < 2:
                _walk(value, prefix + (key,), out, type_of, types)  # an object or instance
            else:
                _item(key, value, prefix, out, type_of, types)
        return
    append = out.append
    leaf_types = _LEAF_SET
    oid = prefix[0]
    iid = prefix[1]
    rtypes: Any = None
    if depth == 3:
        rid = prefix[2]
        rtype, pytype = _type_entry(prefix, type_of, types)
    else:
        rtypes = types.get(oid)
        if rtypes is None:
            rtypes = types[oid] = {}
    for key, value in node.items():
        if type(key) is not int or not 0 <= key <= 0xFFFF:
            _item(key, value, prefix, out, type_of, types)
            continue
        vt = type(value)
        if vt not in leaf_types:
            if vt is dict or isinstance(value, dict):
                if depth == 3:  # (its entries are deeper than a resource instance)
                    _item(key, value, prefix, out, type_of, types)
                else:
                    _walk(value, (oid, iid, key), out, type_of, types)
                continue
            from lwm2m.formats.senml import number_of  # tags 1 and 4 as cbor2 gives them

            value = number_of(value, "value")
            vt = type(value)
        if rtypes is None:
            path: Path = (oid, iid, rid, key)
        else:
            path = (oid, iid, key)
            entry = rtypes.get(key)
            if entry is None:
                entry = rtypes[key] = _type_entry(path, type_of, types)
            rtype, pytype = entry
        if vt is not pytype:
            if rtype is not None and value is not None:
                value = coerce(value, rtype, path)
        elif vt is int and not -0x8000000000000000 <= value <= 0x7FFFFFFFFFFFFFFF:
            value = coerce(value, rtype, path)  # (INT64_MIN, INT64_MAX)
        append((path, value))


def _item(
    key: "Any",
    value: "Any",
    prefix: "Path",
    out: "list[Record]",
    type_of: "TypeOf",
    types: "dict[Any, Any]",
) -> None:
    """One entry of a map at ``prefix``, any key form (an id or a path fragment)."""
    if type(key) is int:
        if not 0 <= key <= MAX_ID:
            raise FormatError("LwM2M-CBOR id %d is outside 0..65535" % key)
        path = prefix + (key,)
    elif type(key) is tuple and key:
        for i in key:
            if type(i) is not int or not 0 <= i <= MAX_ID:
                raise FormatError("LwM2M-CBOR path key %r is not a list of ids" % (key,))
        path = prefix + key
    else:
        raise FormatError("LwM2M-CBOR key %r is neither an id nor a path" % (key,))
    if len(path) > 4:
        raise FormatError("LwM2M-CBOR path %s is deeper than a resource instance" % path_text(path))
    if isinstance(value, dict):
        _walk(value, path, out, type_of, types)
        return
    if len(path) < 3:
        raise FormatError("LwM2M-CBOR value at %s: values belong to resources" % path_text(path))
    if type(value) not in _LEAF_SET:
        from lwm2m.formats.senml import number_of  # tags 1 and 4 as cbor2 gives them

        value = number_of(value, "value")
    rtype = _type_entry(path, type_of, types)[0]
    if rtype is not None and value is not None:
        value = coerce(value, rtype, path)
    out.append((path, value))


def _type_entry(path: "Path", type_of: "TypeOf", types: "dict[Any, Any]") -> "tuple[Any, Any]":
    """``(resource type, its Python type)`` of the resource ``path[:3]``, one
    ``type_of`` per (object, resource) and payload."""
    k = (path[0], path[2])
    entry = types.get(k)
    if entry is None:
        rtype = type_of(path[:3])
        entry = types[k] = (rtype, PYTYPE.get(rtype) if rtype is not None else None)
    return entry


def _leaf(value: "Any", path: "Path") -> "Any":
    vt = type(value)
    if vt is tuple:
        return objlnk_text(value)
    if vt is int:
        if not INT64_MIN <= value <= UINT64_MAX:
            raise FormatError("%s: integer %d does not fit 64 bits" % (path_text(path), value))
        return value
    if vt not in _LEAF_SET:
        raise FormatError("%s: LwM2M-CBOR cannot carry %r" % (path_text(path), value))
    return value


def _container(inner: "dict[Any, Any]", path: "Any", base: "Path", n: int) -> "Any":
    """The map (under ``inner``, the request path's map) that ``path``'s value goes in,
    made as needed; None when ``path`` is the request path itself."""
    if type(path) is not tuple or path[:n] != base or not 3 <= len(path) <= 4:
        raise FormatError("record %r is not a resource under %s" % (path, path_text(base)))
    if len(path) == n:
        return None
    node = inner
    for i in path[n:-1]:
        if type(i) is not int or not 0 <= i <= MAX_ID:
            raise FormatError("record %r holds an id outside 0..65535" % (path,))
        child = node.get(i)
        if child is None:
            child = node[i] = cbor.MapType()
        elif not isinstance(child, dict):
            raise FormatError("%s holds a value and more below it" % path_text(path))
        node = child
    return node


def encode(
    records: "Iterable[Record]", base: "Path | None", type_of: "TypeOf | None" = None
) -> bytes:
    """Records under ``base`` -> LwM2M-CBOR (``base`` None or ``()``: from the root)."""
    if base is None:
        base = ()
    n = len(base)
    if n > 4:
        raise FormatError("%s is deeper than a resource instance" % path_text(base))
    if type(records) is list and len(records) == 1 and records[0][0] == base and n >= 3:
        # A single resource (instance) value: no maps to build (e.g. a 4 KiB opaque).
        return cborpath.dumps({base: _leaf(records[0][1], base)})
    if n == 2 and type(records) is list:
        out = _encode_instance(records, base)
        if out is not None:
            return out
    new_map = cbor.MapType
    inner: dict[Any, Any] = new_map()
    top: dict[Any, Any] = new_map()
    if n == 0:
        top = inner
    elif n == 1:
        top[base[0]] = inner
    else:
        top[base] = inner
    single = False
    nodes: dict[Any, Any] = {}
    cur: Any = None  # the container path of the last record, and its map
    node: Any = None
    if 2 <= n <= 3:  # the request path is an instance or a resource: the records' container
        cur = base
        node = nodes[base] = inner
    plain = _PLAIN
    for path, value in records:
        # The hot path: records of one container follow each other, so a record's
        # container path is compared with the last one's; a new container is found
        # by its path, the walk down (and its checks) happens once per container.
        container = path[:-1]
        if container != cur:
            if single:
                raise FormatError(
                    "a value at the request path %s must be alone" % path_text(base)
                )
            node = nodes.get(container)
            if node is None:
                up = container[:-1]
                parent = nodes.get(up)
                if parent is None and up == base:
                    parent = inner
                rid = container[-1] if container else None
                if (
                    parent is not None
                    and 3 <= len(path) <= 4
                    and type(rid) is int
                    and 0 <= rid <= MAX_ID
                    and rid not in parent
                ):
                    # A multiple resource next to resources met before, or an instance
                    # below the request object: one map down. (A map made on the way to
                    # a deeper one, or a value, under that id: the walk below decides.)
                    node = parent[rid] = new_map()
                else:
                    node = _container(inner, path, base, n)
                if node is None:  # the record is the request path itself: a single value
                    if inner or len(path) < 3:
                        raise FormatError(
                            "a value at the request path %s must be alone" % path_text(base)
                        )
                    single = True
                    top = new_map()
                    top[base if n > 1 else base[0]] = _leaf(value, path)
                    cur = None  # any record after it is refused above
                    continue
                nodes[container] = node
            cur = container
        leaf = path[-1]
        if leaf in node or type(leaf) is not int or not 0 <= leaf <= MAX_ID:
            raise FormatError("%s appears twice, holds values below it or is no id" % (path,))
        vt = type(value)
        if vt is int:
            if not INT64_MIN <= value <= UINT64_MAX:
                value = _leaf(value, path)  # raises
        elif vt not in plain:
            value = _leaf(value, path)
        node[leaf] = value
    return cborpath.dumps(top)


def _encode_instance(records: "list[Record]", base: "Path") -> "bytes | None":
    """:func:`encode` of one instance (the usual Read), or None where the general loop
    must look (a record elsewhere, a repeated id, a value it cannot carry: it raises).

    Resources go in the instance's map, a multiple resource's instances in its map,
    found by comparing ids with the last record's (no path slicing or hashing)."""
    oid, iid = base
    new_map = cbor.MapType
    inner: dict[Any, Any] = new_map()
    node: Any = None  # the multiple resource's map, and its id
    mrid = -1
    plain = _PLAIN
    for path, value in records:
        n = len(path)
        if n == 3:
            o, i, leaf = path
            if o != oid or i != iid:
                return None
            into = inner
        elif n == 4:
            o, i, rid, leaf = path
            if rid != mrid or o != oid or i != iid:
                if o != oid or i != iid or type(rid) is not int or not 0 <= rid <= MAX_ID:
                    return None
                node = inner.get(rid)
                if node is None:
                    node = inner[rid] = new_map()
                elif not isinstance(node, dict):
                    return None
                mrid = rid
            into = node
        else:
            return None
        if leaf in into or type(leaf) is not int or not 0 <= leaf <= MAX_ID:
            return None
        vt = type(value)
        if vt is int:
            if not INT64_MIN <= value <= UINT64_MAX:
                return None
        elif vt not in plain:
            if vt is not tuple:
                return None
            value = objlnk_text(value)
        into[leaf] = value
    return cborpath.dumps({base: inner})


# Leaf types written as they are without a check (an int is checked for 64 bits apart);
# tuples (Objlnk) become text.
_PLAIN = _LEAF_SET - {int}
