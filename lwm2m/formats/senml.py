"""SenML (RFC 8428) as LwM2M 1.1 uses it (OMA LwM2M 1.1.1 Core §7.4.4, §7.4.5): what
SenML-JSON and SenML-CBOR share once the bytes are parsed into a list of record maps.

Resolution (RFC 8428 §4.6): a record's name is the last base name ``bn`` plus its
``n``; its time is the last base time ``bt`` plus its ``t``; ``bv`` adds to ``v``.
LwM2M value fields: ``v`` (number), ``vs`` (string, Corelnk), ``vb`` (boolean),
``vd`` (opaque), ``vlo`` (Objlnk as ``"oid:iid"``, a text label in CBOR too). A record
with no value field (a Read-Composite request) decodes to the value None.
Labels ending in ``_`` must be understood (RFC 8428 §4.4): unknown ones are refused,
other unknown labels ignored; a ``bver`` above 10 is refused.

Encoding follows the layout Wakaama and Leshan write: the first record carries
``bn`` = the request path (with a trailing ``/`` when records lie below it), each
record ``n`` = the rest; with no request path (composite operations) every ``n`` is
absolute. Time-stamped groups (notifications of historical values, Send) put ``bt``
on the first record of each group.
"""

from lwm2m.errors import FormatError
from lwm2m.formats.values import (
    INT64_MAX,
    INT64_MIN,
    PYTYPE,
    UINT64_MAX,
    check_under,
    coerce,
    no_types,
    objlnk_text,
    parse_name,
    parse_objlnk,
    path_text,
)

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable, Iterable
    from typing import Any

    from lwm2m.formats.values import Path, Record, TypeOf

    Group = tuple[Any, Iterable[Record]]


class Labels:
    """The SenML labels of one serialisation (JSON names or CBOR integers)."""

    __slots__ = (
        "base",
        "bn",
        "bt",
        "bv",
        "bver",
        "known",
        "n",
        "plain",
        "t",
        "v",
        "vb",
        "vd",
        "vlo",
        "vs",
    )

    def __init__(
        self,
        bver: "Any",
        bn: "Any",
        bt: "Any",
        bv: "Any",
        n: "Any",
        t: "Any",
        v: "Any",
        vs: "Any",
        vb: "Any",
        vd: "Any",
        vlo: "Any",
        others: "tuple[Any, ...]",
    ) -> None:
        self.bver = bver
        self.bn = bn
        self.bt = bt
        self.bv = bv
        self.n = n
        self.t = t
        self.v = v
        self.vs = vs
        self.vb = vb
        self.vd = vd
        self.vlo = vlo
        self.base = frozenset((bver, bn, bt, bv))
        self.known = frozenset((bver, bn, bt, bv, n, t, v, vs, vb, vd, vlo) + others)
        # The labels of a first record in the layout _resolve_plain takes.
        self.plain = frozenset((bn, n, v, vs, vb, vd, vlo))


# RFC 8428 §4.2 (JSON labels) and §6 (CBOR labels); "vlo" is LwM2M 1.1.1 Core §7.4.4.
JSON_LABELS = Labels(
    "bver", "bn", "bt", "bv", "n", "t", "v", "vs", "vb", "vd", "vlo", ("bu", "bs", "u", "s", "ut")
)
CBOR_LABELS = Labels(-1, -2, -3, -5, 0, 6, 2, 3, 4, 8, "vlo", (-4, -6, 1, 5, 7))

SENML_VERSION = 10


def _number(x: "Any", what: str) -> "int | float":
    t = type(x)
    if t is int or t is float:
        return x  # type: ignore[no-any-return]
    return number_of(x, what)


def number_of(x: "Any", what: str) -> "int | float":
    """A time from CBOR tags: tag 4 decimal fraction (Leshan writes ``bt`` so) as the
    pure decoder or ``cbor2`` (Decimal) gives it, tag 1 as ``cbor2`` gives it (datetime)."""
    if hasattr(x, "exponent") and hasattr(x, "mantissa"):
        return x.value()  # type: ignore[no-any-return]
    if hasattr(x, "as_tuple") and hasattr(x, "to_integral_value"):  # decimal.Decimal
        if x.is_finite():
            return int(x) if x == x.to_integral_value() else float(x)
    elif hasattr(x, "timestamp") and hasattr(x, "tzinfo"):  # datetime.datetime
        t = x.timestamp()
        return int(t) if t == int(t) else t
    raise FormatError("SenML %s must be a number, not %r" % (what, x))


def resolve(
    recs: "Any",
    base: "Path | None",
    type_of: "TypeOf | None",
    L: Labels,
    decode_vd: "Callable[[Any], bytes]",
    timed: bool,
) -> "list[Any]":
    """Parsed SenML pack -> records ``(path, value)``, or ``(time, path, value)`` when
    ``timed`` (time None where the pack gives none)."""
    if type(recs) is not list:
        raise FormatError("a SenML pack is an array of records")
    if type_of is None:
        type_of = no_types
    if not timed and len(recs) > 1 and type(recs[0]) is dict and L.plain.issuperset(recs[0]):
        plain = _resolve_plain(recs, base, type_of, L, decode_vd)
        if plain is not None:
            return plain
    return _resolve_any(recs, base, type_of, L, decode_vd, timed)


def _resolve_any(
    recs: "list[Any]",
    base: "Path | None",
    type_of: "TypeOf",
    L: Labels,
    decode_vd: "Callable[[Any], bytes]",
    timed: bool,
) -> "list[Any]":
    """:func:`resolve` of any pack: every label and rule of RFC 8428 §4."""
    known = L.known
    base_labels = L.base
    lbn, lbt, lbv, ln, lt = L.bn, L.bt, L.bv, L.n, L.t
    lv, lvs, lvb, lvd, lvlo = L.v, L.vs, L.vb, L.vd, L.vlo
    bn = ""
    bt: "int | float | None" = None
    bv: "int | float | None" = None
    types: dict[Any, tuple[int | None, Any]] = {}
    nb = -1 if base is None else len(base)
    bn_under = base is None or not base  # every name lies under the request path
    names = _NAMES
    out: list[Any] = []
    append = out.append
    for rec in recs:
        if type(rec) is not dict and not isinstance(rec, dict):
            raise FormatError("a SenML record is a map, not %r" % (rec,))
        if not known.issuperset(rec):
            _check_unknown(rec, known)
        if not base_labels.isdisjoint(rec):
            if lbn in rec:
                bn = rec[lbn]
                if type(bn) is not str:
                    raise FormatError("SenML bn must be text")
                # Names that extend a base name below the request path lie below it too.
                bn_under = base is None or not base or _base_name_under(bn, base)
            if lbt in rec:
                bt = _number(rec[lbt], "bt")
            if lbv in rec:
                bv = _number(rec[lbv], "bv")
            if L.bver in rec:
                ver = rec[L.bver]
                if type(ver) is not int or ver > SENML_VERSION or ver < 1:
                    raise FormatError("SenML version %r is not supported" % (ver,))
        n = rec.get(ln)
        if n is None:
            name = bn
        elif type(n) is str:
            name = bn + n
        else:
            raise FormatError("SenML n must be text")
        entry = names.get(name)
        if entry is None:
            entry = _name_entry(name)
        path, key = entry
        if not bn_under and path[:nb] != base:
            check_under(path, base)  # type: ignore[arg-type]
        # (_resolve_plain repeats these value checks for its layout: keep them in step)
        if lv in rec:
            value = rec[lv]
            vt = type(value)
            if vt is not int and vt is not float:
                value = number_of(value, "v")
            if bv is not None:
                value = value + bv
        elif lvs in rec:
            value = rec[lvs]
            if type(value) is not str:
                raise FormatError("SenML vs must be text")
        elif lvb in rec:
            value = rec[lvb]
            if type(value) is not bool:
                raise FormatError("SenML vb must be a boolean")
        elif lvd in rec:
            value = decode_vd(rec[lvd])
        elif lvlo in rec:
            value = parse_objlnk(rec[lvlo])
        else:
            value = None
        if value is not None:
            # One type lookup per (object, resource) and payload; the value is left as
            # it is when it already has the Python type of the resource type.
            tp = types.get(key)
            if tp is None:
                tp = types[key] = _type_entry(path, key, type_of)
            if type(value) is not tp[1] or (tp[1] is int and not INT64_MIN <= value <= INT64_MAX):
                value = _fix(value, path, tp[0])
        elif not path:
            raise FormatError("SenML record names no path")
        if timed:
            if lt in rec:
                t = _number(rec[lt], "t")
                append((t if bt is None else bt + t, path, value))
            else:
                append((bt, path, value))
        else:
            append((path, value))
    return out


def _resolve_plain(
    recs: "list[Any]",
    base: "Path | None",
    type_of: "TypeOf",
    L: Labels,
    decode_vd: "Callable[[Any], bytes]",
) -> "list[Any] | None":
    """:func:`resolve` of the layout every LwM2M peer writes, or None (then the general
    loop runs). The hot path of SenML decoding.

    The layout: the first record holds ``bn``, ``n`` and one value field at most, every
    other record exactly ``n`` and one value field. No base time or value, no other
    label, so each record takes one size test, its value field (which proves the layout,
    so it comes first), its name's path from a cache per base name (no concatenation)
    and the value checks of the general loop; the first record goes by the general
    loop itself."""
    out = _resolve_any(recs[:1], base, type_of, L, decode_vd, False)
    first = recs[0]
    bn = first.get(L.bn, "")  # (text: the general loop has read the first record)
    nb = -1 if base is None else len(base)
    bn_under = base is None or not base or _base_name_under(bn, base)
    sub = memo_for(_BN_NAMES, bn)
    names = _NAMES
    ln, lv, lvs, lvb, lvd, lvlo = L.n, L.v, L.vs, L.vb, L.vd, L.vlo
    types: dict[Any, tuple[int | None, Any]] = {}
    append = out.append
    it = iter(recs)
    next(it)
    for rec in it:
        if type(rec) is not dict or len(rec) != 2:
            return None
        n = rec.get(ln)
        if type(n) is not str:
            return None
        # The value field first: it is what proves the record plain (n and one value
        # field), before its name is read under the first record's base name. (The
        # checks are _resolve_any's without bv, written out: keep the two in step.)
        if lv in rec:
            value = rec[lv]
            vt = type(value)
            if vt is not int and vt is not float:
                value = number_of(value, "v")
        elif lvs in rec:
            value = rec[lvs]
            if type(value) is not str:
                raise FormatError("SenML vs must be text")
        elif lvb in rec:
            value = rec[lvb]
            if type(value) is not bool:
                raise FormatError("SenML vb must be a boolean")
        elif lvd in rec:
            value = decode_vd(rec[lvd])
        elif lvlo in rec:
            value = parse_objlnk(rec[lvlo])
        else:
            return None
        entry = sub.get(n)
        if entry is None:
            name = bn + n
            entry = names.get(name)
            if entry is None:
                entry = _name_entry(name)
            sub[n] = entry
        path, key = entry
        if not bn_under and path[:nb] != base:
            check_under(path, base)  # type: ignore[arg-type]
        tp = types.get(key)
        if tp is None:
            tp = types[key] = _type_entry(path, key, type_of)
        if type(value) is not tp[1] or (tp[1] is int and not INT64_MIN <= value <= INT64_MAX):
            value = _fix(value, path, tp[0])
        append((path, value))
    return out


# name -> (path, (object id, resource id) or None): shared by all payloads, bounded.
_NAMES: "dict[str, tuple[Path, Any]]" = {}
# base name -> {n -> the same entries}: the plain layout's lookups without bn + n.
_BN_NAMES: "dict[str, dict[str, tuple[Path, Any]]]" = {}


def _name_entry(name: str) -> "tuple[Path, Any]":
    path = parse_name(name)
    entry = (path, (path[0], path[2]) if len(path) >= 3 else None)
    if len(_NAMES) > 4096:
        _NAMES.clear()
    _NAMES[name] = entry
    return entry


def _base_name_under(bn: str, base: "Path") -> bool:
    """True when every name ``bn + n`` lies under ``base``: ``bn`` goes on past the
    request path's text and a ``/`` (``"/3/1" + "0"`` is ``/3/10``, not under ``/3/1``)."""
    return bn.startswith(path_text(base) + "/")


def _type_entry(path: "Path", key: "Any", type_of: "TypeOf") -> "tuple[int | None, Any]":
    if key is None:
        return _NOT_A_RESOURCE, None
    rtype = type_of(path[:3])
    return rtype, PYTYPE.get(rtype) if rtype is not None else None


_NOT_A_RESOURCE = -1


def _fix(value: "Any", path: "Path", rtype: "int | None") -> "Any":
    if rtype == _NOT_A_RESOURCE:
        raise FormatError("SenML value at %s: values belong to resources" % path_text(path))
    if rtype is None:
        return value
    return coerce(value, rtype, path)


def _check_unknown(rec: "dict[Any, Any]", known: "frozenset[Any]") -> None:
    for key in rec:
        if key not in known and type(key) is str and key.endswith("_"):
            raise FormatError("SenML label %r must be understood and is not" % key)


def group_by_time(timed: "list[tuple[Any, Path, Any]]") -> "list[Group]":
    """``(time, path, value)`` triples -> ``[(time, records), ...]``, consecutive
    records of equal time in one group."""
    groups: list[Group] = []
    current: list[Record] | None = None
    last = None
    for t, path, value in timed:
        if current is None or t != last:
            current = []
            groups.append((t, current))
            last = t
        current.append((path, value))
    return groups


def memo_for(cache: "dict[Any, dict[Any, Any]]", key: "Any") -> "dict[Any, Any]":
    """The memo ``cache`` keeps for ``key`` (a base path or base name), bounded so
    memory stays flat on small devices: at most 65 keys of 4097 entries each."""
    memo = cache.get(key)
    if memo is None or len(memo) > 4096:
        if len(cache) > 64:
            cache.clear()
        memo = cache[key] = {}
    return memo


# -- encoding -------------------------------------------------------------------------


def group_timed(t: "Any", timed: bool) -> bool:
    """Whether the pack is timed once group time ``t`` is added: ``t`` must be a
    number, and an untimed group cannot follow a timed one."""
    if t is not None:
        if type(t) is not int and type(t) is not float:
            raise FormatError("a SenML time is a number, not %r" % (t,))
        return True
    if timed:
        raise FormatError("an untimed group cannot follow a timed one")
    return False


def names(base: "Path | None") -> "tuple[str | None, int]":
    """The base name for ``base`` and how many leading characters of an absolute name
    it covers (0: no base name, every ``n`` absolute)."""
    if base is None:
        return None, 0
    text = path_text(base)
    if base:
        text += "/"
    return text, len(text)


def build(
    groups: "Iterable[Group]",
    base: "Path | None",
    L: Labels,
    vd: "Callable[[bytes], Any]",
    new_map: "Callable[[], dict[Any, Any]]" = dict,
) -> "list[dict[Any, Any]]":
    """Record maps for ``groups`` of ``(time or None, records)``."""
    bn_text, cut = names(base)
    whole = path_text(base) if base is not None else None
    ln, lv, lvs, lvb, lvd, lvlo, lbt = L.n, L.v, L.vs, L.vb, L.vd, L.vlo, L.bt
    out: list[dict[Any, Any]] = []
    append = out.append
    first = True
    timed = False
    for t, records in groups:
        group_first = True
        timed = group_timed(t, timed)
        for path, value in records:
            text = text_of(path)
            rec: dict[Any, Any] = new_map()
            if first:
                first = False
                if bn_text is not None:
                    if text == whole:
                        rec[L.bn] = whole
                    else:
                        if text[:cut] != bn_text:
                            raise FormatError(
                                "record %s lies outside the request path %s" % (text, whole)
                            )
                        rec[L.bn] = bn_text
                        rec[ln] = text[cut:]
                else:
                    rec[ln] = text
            elif cut:
                if text[:cut] != bn_text:
                    if text == whole:
                        raise FormatError("record %s repeats the request path" % text)
                    raise FormatError("record %s lies outside the request path %s" % (text, whole))
                rec[ln] = text[cut:]
            else:
                rec[ln] = text
            if group_first:
                group_first = False
                if t is not None:
                    rec[lbt] = t
            vt = type(value)
            if vt is int:
                if not INT64_MIN <= value <= UINT64_MAX:
                    raise FormatError("%s: integer %d does not fit 64 bits" % (text, value))
                rec[lv] = value
            elif vt is float:
                if value - value != 0.0:
                    raise FormatError("%s: SenML cannot carry %r" % (text, value))
                rec[lv] = value
            elif vt is str:
                rec[lvs] = value
            elif vt is bool:
                rec[lvb] = value
            elif vt is bytes:
                rec[lvd] = vd(value)
            elif vt is tuple:
                rec[lvlo] = objlnk_text(value)
            elif value is not None:
                raise FormatError("%s: SenML cannot carry %r" % (text, value))
            append(rec)
    return out


def build_records(
    records: "Iterable[Record]", base: "Path | None", L: Labels, vd: "Callable[[bytes], Any]"
) -> "list[dict[Any, Any]]":
    """:func:`build` for one untimed group, as plain dicts (CPython: insertion-ordered).

    The hot path of SenML-CBOR encoding: one dict display per record, the name from a
    cache of path texts, the value label chosen by the value's Python type."""
    it = iter(records)
    out: list[dict[Any, Any]] = []
    for record in it:  # the first record carries the base name: the general builder
        out.extend(build(((None, (record,)),), base, L, vd))
        break
    bn_text, cut = names(base)
    cache = _TEXT_CACHE
    ln, lv, lvs, lvb, lvd, lvlo = L.n, L.v, L.vs, L.vb, L.vd, L.vlo
    append = out.append
    for path, value in it:
        text = cache.get(path)
        if text is None:
            text = text_of(path)
        if cut:
            if text[:cut] != bn_text:
                raise FormatError("record %s is not below the request path %s" % (text, bn_text))
            text = text[cut:]
        vt = type(value)
        if vt is int:
            if not INT64_MIN <= value <= UINT64_MAX:
                raise FormatError("%s: integer %d does not fit 64 bits" % (text, value))
            append({ln: text, lv: value})
        elif vt is float:
            if value - value != 0.0:
                raise FormatError("%s: SenML cannot carry %r" % (text, value))
            append({ln: text, lv: value})
        elif vt is str:
            append({ln: text, lvs: value})
        elif vt is bool:
            append({ln: text, lvb: value})
        elif vt is bytes:
            append({ln: text, lvd: vd(value)})
        elif vt is tuple:
            append({ln: text, lvlo: objlnk_text(value)})
        elif value is None:
            append({ln: text})
        else:
            raise FormatError("%s: SenML cannot carry %r" % (text, value))
    return out


_TEXT_CACHE: "dict[Path, str]" = {}


def text_of(path: "Any") -> str:
    text = _TEXT_CACHE.get(path)
    if text is None:
        if type(path) is not tuple or len(path) > 4:
            raise FormatError("a record path is a tuple of up to 4 ids: %r" % (path,))
        for i in path:
            if type(i) is not int or not 0 <= i <= 65535:
                raise FormatError("a record path holds ids in 0..65535: %r" % (path,))
        text = path_text(path)
        if len(_TEXT_CACHE) > 4096:
            _TEXT_CACHE.clear()
        _TEXT_CACHE[path] = text
    return text
