"""Content-format encode and decode against the serialisers they are measured by.

Cases: (a) the Device instance /3/0, (b) an object of 100 instances x 10 resources,
(c) one multiple-instance resource of 1000 instances, (d) a 4 KiB opaque resource.
Each in TLV, SenML-JSON, SenML-CBOR and LwM2M-CBOR, encode and decode, against
``json.dumps`` / ``json.loads`` of the equivalent SenML list (SenML-JSON) or
``cbor2.dumps`` / ``cbor2.loads`` (its C extension) of the equivalent SenML-CBOR
structure (the others): the cost of serialisation alone, records already shaped.
"""

import binascii
import functools
import json
import random
import struct
from collections.abc import Callable
from typing import Any

import cbor2

from benchmarks.runner import Case
from lwm2m import formats as F
from lwm2m.formats import cborpath, senml
from lwm2m.formats.values import b64url_encode
from objects import types as T
from objects.registry import standard_registry

Path = tuple[int, ...]
Record = tuple[Path, Any]

REGISTRY = standard_registry()

DEVICE = [
    ((3, 0, 0), "Open Mobile Alliance"),
    ((3, 0, 1), "Lightweight M2M Client"),
    ((3, 0, 2), "345000123"),
    ((3, 0, 3), "1.0"),
    ((3, 0, 6, 0), 1),
    ((3, 0, 6, 1), 5),
    ((3, 0, 7, 0), 3800),
    ((3, 0, 7, 1), 5000),
    ((3, 0, 8, 0), 125),
    ((3, 0, 8, 1), 900),
    ((3, 0, 9), 100),
    ((3, 0, 10), 15),
    ((3, 0, 11, 0), 0),
    ((3, 0, 13), 1367491215),
    ((3, 0, 14), "+02:00"),
    ((3, 0, 16), "U"),
]

# A made-up sensor object for (b): ten resources of the usual mix of types.
SENSOR = 30000
SENSOR_TYPES = {
    5700: T.FLOAT,  # sensor value
    5601: T.FLOAT,  # min measured
    5701: T.STRING,  # units
    5750: T.STRING,  # application type
    5518: T.TIME,  # timestamp
    5603: T.INTEGER,  # min range
    5604: T.INTEGER,  # max range
    5821: T.INTEGER,  # calibration
    5850: T.BOOLEAN,  # on/off
    5903: T.UNSIGNED,  # counter
}
COUNTERS = 30001


def type_of(path: Path) -> "int | None":
    if path[0] == SENSOR:
        return SENSOR_TYPES.get(path[2])
    if path[0] == COUNTERS:
        return T.INTEGER
    return REGISTRY.type_of(path)


def _sensor_records(rng: random.Random) -> "list[Record]":
    records: list[Record] = []
    for iid in range(100):
        for rid, rtype in SENSOR_TYPES.items():
            if rtype == T.FLOAT:
                value: Any = round(rng.uniform(-40.0, 85.0), 2)
            elif rtype == T.STRING:
                value = "Cel" if rid == 5701 else "room %d" % iid
            elif rtype == T.TIME:
                value = 1700000000 + rng.randrange(86400)
            elif rtype == T.BOOLEAN:
                value = rng.random() < 0.5
            elif rtype == T.UNSIGNED:
                value = rng.randrange(1 << 20)
            else:
                value = rng.randrange(-1000, 1000)
            records.append(((SENSOR, iid, rid), value))
    return records


def _cases_data() -> "list[tuple[str, Path, list[Record]]]":
    rng = random.Random(20261124)
    counters: list[Record] = [
        ((COUNTERS, 0, 5, riid), rng.randrange(0, 1 << 31)) for riid in range(1000)
    ]
    firmware: list[Record] = [((5, 0, 0), rng.randbytes(4096))]
    return [
        ("a /3/0", (3, 0), DEVICE),
        ("b 100x10", (SENSOR,), _sensor_records(rng)),
        ("c 1000 res inst", (COUNTERS, 0, 5), counters),
        ("d 4KiB opaque", (5, 0, 0), firmware),
    ]


def senml_structure(records: "list[Record]", base: Path, labels: senml.Labels) -> "list[Any]":
    """The SenML record maps our encoders write, as plain dicts (the baselines' input)."""
    vd: Callable[[bytes], Any] = (lambda b: b) if labels is senml.CBOR_LABELS else b64url_encode
    return senml.build(((None, records),), base, labels, vd)


def _expect(got: Any, want: Any, what: str) -> None:
    if got != want:
        raise AssertionError("%s differs" % what)


def cases(quick: bool) -> "list[Case]":
    out: list[Case] = []
    for label, base, records in _cases_data():
        json_list = senml_structure(records, base, senml.JSON_LABELS)
        cbor_list = senml_structure(records, base, senml.CBOR_LABELS)
        json_text = json.dumps(json_list)
        cbor_bytes = cbor2.dumps(cbor_list)
        for cf in (F.TLV, F.SENML_JSON, F.SENML_CBOR, F.LWM2M_CBOR):
            name = F.NAMES[cf]
            payload = F.encode(cf, records, base, type_of)

            def encode(cf: int = cf, records: "list[Record]" = records, base: Path = base) -> bytes:
                return F.encode(cf, records, base, type_of)

            def decode(cf: int = cf, payload: bytes = payload, base: Path = base) -> "list[Record]":
                return F.decode(cf, payload, base, type_of)

            def check(
                cf: int = cf,
                records: "list[Record]" = records,
                base: Path = base,
                payload: bytes = payload,
                json_text: str = json_text,
                cbor_bytes: bytes = cbor_bytes,
            ) -> None:
                _expect(
                    F.decode(cf, F.encode(cf, records, base, type_of), base, type_of),
                    records,
                    "round trip",
                )
                _expect(F.decode(cf, payload, base, type_of), records, "decode")
                if cf == F.SENML_JSON:
                    _expect(json.loads(payload), json.loads(json_text), "SenML-JSON vs json")
                if cf == F.SENML_CBOR:
                    _expect(payload, cbor_bytes, "SenML-CBOR vs cbor2")

            enc_base: Callable[[], object]
            dec_base: Callable[[], object]
            if cf == F.SENML_JSON:
                enc_base = functools.partial(json.dumps, json_list)
                dec_base = functools.partial(json.loads, json_text)
                base_names = ("json.dumps", "json.loads")
            else:
                enc_base = functools.partial(cbor2.dumps, cbor_list)
                dec_base = functools.partial(cbor2.loads, cbor_bytes)
                base_names = ("cbor2.dumps", "cbor2.loads")
            out.append(Case("%s %s encode" % (label, name), encode, base_names[0], enc_base, check))
            out.append(Case("%s %s decode" % (label, name), decode, base_names[1], dec_base, check))
        out.extend(_floors(label, base, records, json_text, cbor_bytes))
    return out


def _floors(
    label: str, base: Path, records: "list[Record]", json_text: str, cbor_bytes: bytes
) -> "list[Case]":
    """Lower bounds no pure-Python codec can beat, in the same run as the baselines.

    SenML decoding: the parser's output turned into ``(path, value)`` records by one
    list comprehension, with every name's path looked up in a ready dict, ``vd``
    base64url-decoded and no check at all. TLV decoding: every header walked and every
    value sliced, no check, no type, no conversion (:func:`_tlv_walk`). TLV encoding:
    the output joined from one ready header and one ready value per record (as if
    every TLV came from a cache); "typed": each value encoded with its header by one
    struct call, no check (:func:`_tlv_typed`); "checked": the same with the Object
    Instance and Multiple Resource TLVs a valid payload needs and the checks without
    which a writer is wrong on some input (:func:`_tlv_checked`). CBOR:
    ``cborpath.loads`` alone, the decode every SenML-CBOR and LwM2M-CBOR read starts
    with (``cbor2`` as a stream decoder, for the check that no bytes follow the data
    item, which ``cbor2.loads`` skips). Any real codec does this and more."""
    json_recs = json.loads(json_text)
    cbor_recs = cbor2.loads(cbor_bytes)
    bn_json = json_recs[0].get("bn", "")
    bn_cbor = cbor_recs[0].get(-2, "")
    json_paths = {r.get("n", ""): p for r, (p, _) in zip(json_recs, records, strict=True)}
    cbor_paths = {r.get(0, ""): p for r, (p, _) in zip(cbor_recs, records, strict=True)}
    assert bn_json == bn_cbor

    def json_floor(text: str = json_text, names: "dict[str, Path]" = json_paths) -> object:
        # (vd: the base64url decoding any SenML-JSON reader does, with no check.)
        return [
            (names[r.get("n", "")], _b64url(r["vd"]) if "vd" in r else r.get("v"))
            for r in json.loads(text)
        ]

    def cbor_floor(data: bytes = cbor_bytes, names: "dict[str, Path]" = cbor_paths) -> object:
        return [(names[r.get(0, "")], r.get(2)) for r in cbor2.loads(data)]

    pieces = []
    for path, value in records:
        one = F.tlv.encode([(path, value)], path[:2] if len(path) == 3 else path[:3], type_of)
        pieces.append((path, one[:-1], one[-1:]))
    heads = {p: h for p, h, _ in pieces}
    values = {p: v for p, _, v in pieces}

    def tlv_floor(recs: "list[Record]" = records) -> object:
        out: list[bytes] = []
        append = out.append
        for path, _ in recs:
            append(heads[path])
            append(values[path])
        return b"".join(out)

    tlv_payload = F.tlv.encode(records, base, type_of)
    prefix = base[:2] if len(base) > 1 else base

    def tlv_decode_floor(data: bytes = tlv_payload, prefix: Path = prefix) -> object:
        return _tlv_walk(data, 0, len(data), prefix, [])

    def tlv_typed_floor(recs: "list[Record]" = records) -> object:
        return _tlv_typed(recs)

    wrap = len(base) == 1

    def tlv_checked_floor(recs: "list[Record]" = records, wrap: bool = wrap) -> object:
        return _tlv_checked(recs, wrap)

    def check() -> None:
        paths = [p for p, _ in records]
        _expect([p for p, _ in json_floor()], paths, "json floor")  # type: ignore[attr-defined]
        _expect([p for p, _ in cbor_floor()], paths, "cbor floor")  # type: ignore[attr-defined]
        _expect([p for p, _ in tlv_decode_floor()], paths, "tlv decode floor")  # type: ignore[attr-defined]
        typed = tlv_typed_floor()
        ids = [p[-1] for p, _ in _tlv_walk(typed, 0, len(typed), (), [])]  # type: ignore[arg-type]
        _expect(ids, [p[-1] for p in paths], "tlv typed floor")
        checked = tlv_checked_floor()
        _expect([p for p, _ in F.tlv.decode(checked, base)], paths,  # type: ignore[arg-type]
                "tlv checked floor")

    return [
        Case(
            "%s floor senml-json decode" % label,
            json_floor,
            "json.loads",
            functools.partial(json.loads, json_text),
            check,
        ),
        Case(
            "%s floor senml-cbor decode" % label,
            cbor_floor,
            "cbor2.loads",
            functools.partial(cbor2.loads, cbor_bytes),
            check,
        ),
        Case(
            "%s floor cbor one item" % label,
            functools.partial(cborpath.loads, cbor_bytes),
            "cbor2.loads",
            functools.partial(cbor2.loads, cbor_bytes),
            check,
        ),
        Case(
            "%s floor tlv encode" % label,
            tlv_floor,
            "cbor2.dumps",
            functools.partial(cbor2.dumps, cbor2.loads(cbor_bytes)),
            check,
        ),
        Case(
            "%s floor tlv encode typed" % label,
            tlv_typed_floor,
            "cbor2.dumps",
            functools.partial(cbor2.dumps, cbor2.loads(cbor_bytes)),
            check,
        ),
        Case(
            "%s floor tlv encode checked" % label,
            tlv_checked_floor,
            "cbor2.dumps",
            functools.partial(cbor2.dumps, cbor2.loads(cbor_bytes)),
            check,
        ),
        Case(
            "%s floor tlv decode" % label,
            tlv_decode_floor,
            "cbor2.loads",
            functools.partial(cbor2.loads, cbor_bytes),
            check,
        ),
    ]


_URL_TO_STD = bytes.maketrans(b"-_", b"+/")


def _b64url(text: str) -> bytes:
    return binascii.a2b_base64(text.encode("ascii").translate(_URL_TO_STD) + b"==")


_N_I32 = struct.Struct(">BBi").pack
_W_I32 = struct.Struct(">BHi").pack
_N_F64 = struct.Struct(">BBBd").pack
_W_F64 = struct.Struct(">BHBd").pack
_N_HEAD = struct.Struct(">BBB").pack
_W_HEAD = struct.Struct(">BHB").pack
_N_HEAD16 = struct.Struct(">BBH").pack
_W_HEAD16 = struct.Struct(">BHH").pack


def _tlv_typed(records: "list[Record]") -> bytes:
    """TLV encoding floor with the values encoded: per record one test of the value's
    type, one of the id's width and one struct call (header and value; a string: a
    header call and the bytes). Less than a correct writer does: no check of paths,
    ids or duplicates, no Object Instance or Multiple Resource TLVs, every integer in
    4 bytes (no width choice), a length byte on every string."""
    out: list[bytes] = []
    for path, value in records:
        ident = path[-1]
        vt = type(value)
        if vt is int or vt is bool:
            out.append(_N_I32(0xC4, ident, value) if ident < 256 else _W_I32(0xE4, ident, value))
        elif vt is float:
            out.append(
                _N_F64(0xC8, ident, 8, value) if ident < 256 else _W_F64(0xE8, ident, 8, value)
            )
        elif vt is str:
            raw = value.encode("utf-8")
            n = len(raw)
            out.append(_N_HEAD(0xC8, ident, n) if ident < 256 else _W_HEAD(0xE8, ident, n))
            out.append(raw)
        else:  # opaque: a header with a 16-bit length and the bytes
            n = len(value)
            out.append(_N_HEAD16(0xD0, ident, n) if ident < 256 else _W_HEAD16(0xF0, ident, n))
            out.append(value)
    return b"".join(out)


_C8 = struct.Struct(">BBB").pack  # container header: 8-bit id, 8-bit length
_C16 = struct.Struct(">BBH").pack  # container header: 8-bit id, 16-bit length


def _tlv_close(out: "list[bytes]", kind: int, ident: int, body: bytes) -> None:
    n = len(body)
    out.append(_C8(kind + 0x08, ident, n) if n < 256 else _C16(kind + 0x10, ident, n))
    out.append(body)


def _tlv_checked(records: "list[Record]", wrap_instances: bool) -> bytes:
    """TLV encoding floor of a writer that emits a valid payload and is right on every
    input: the typed floor's one struct call a value (the kind from the path's length),
    the Object Instance and Multiple Resource TLVs around them (found by comparing each
    record's instance and resource with the last one's), and the checks without which
    a writer is wrong on some input: a resource written twice (a set of the instance's
    resource ids), a resource instance written twice (ids that must ascend: one
    comparison, where a correct writer must also take them out of order), an integer
    that does not fit the 4 bytes it gets (left to ``struct``, which refuses it, so it
    costs nothing). Written in the cheapest forms measured on CPython 3.11 (``+`` for
    the type byte, ``list.append`` called on the list). Less than a correct writer does: no
    placement or id check, every integer in 4 bytes (no width choice), a length byte
    on every string, container ids and lengths below 256 and 65536."""
    seen: set[int] = set()
    add = seen.add
    last = -1
    top: list[bytes] = []
    inst: list[bytes] = []
    cur = inst  # where the values go: the instance, or the multiple resource
    multi: list[bytes] | None = None
    iid = rid = -1
    for path, value in records:
        if len(path) == 4:
            _, i, r, ident = path
            kind = 0x40
        else:
            _, i, ident = path
            r = -1
            kind = 0xC0
        if i != iid or r != rid:
            if multi is not None:
                _tlv_close(inst, 0x80, rid, b"".join(multi))
                multi = None
                cur = inst
            if i != iid:
                if inst and wrap_instances:
                    _tlv_close(top, 0x00, iid, b"".join(inst))
                    inst = []
                    cur = inst
                    seen.clear()
                iid = i
            if r >= 0:
                if r in seen:
                    raise ValueError("resource %d twice" % r)
                add(r)
                multi = []
                cur = multi
                last = -1
            rid = r
        if r < 0:
            if ident in seen:
                raise ValueError("resource %d twice" % ident)
            add(ident)
        elif ident > last:
            last = ident
        else:
            raise ValueError("resource instance %d out of order" % ident)
        vt = type(value)
        wide = ident > 255
        if vt is int or vt is bool:
            # (``struct`` refuses an integer outside the 4 bytes: the range test is free.)
            cur.append(
                _W_I32(kind + 0x24, ident, value) if wide else _N_I32(kind + 4, ident, value)
            )
        elif vt is float:
            cur.append(
                _W_F64(kind + 0x28, ident, 8, value) if wide else _N_F64(kind + 8, ident, 8, value)
            )
        elif vt is str:
            raw = value.encode("utf-8")
            n = len(raw)
            cur.append(_W_HEAD(kind + 0x28, ident, n) if wide else _N_HEAD(kind + 8, ident, n))
            cur.append(raw)
        else:
            n = len(value)
            cur.append(
                _W_HEAD16(kind + 0x30, ident, n) if wide else _N_HEAD16(kind + 0x10, ident, n)
            )
            cur.append(value)
    if multi is not None:
        _tlv_close(inst, 0x80, rid, b"".join(multi))
    if wrap_instances:
        if inst:
            _tlv_close(top, 0x00, iid, b"".join(inst))
        return b"".join(top)
    return b"".join(inst)


def _tlv_walk(
    data: bytes, pos: int, end: int, prefix: Path, out: "list[Record]"
) -> "list[Record]":
    """TLV decoding floor: every header read (8/16-bit ids, every length form), every
    value sliced as bytes, containers walked, one record appended per value. Less than
    a correct reader does: no bounds or kind checks, no type lookup, no conversion."""
    append = out.append
    while pos < end:
        t = data[pos]
        if t & 0x20:
            ident = (data[pos + 1] << 8) | data[pos + 2]
            p = pos + 3
        else:
            ident = data[pos + 1]
            p = pos + 2
        lt = t & 0x18
        if lt == 0:
            stop = p + (t & 7)
        elif lt == 0x08:
            stop = p + 1 + data[p]
            p += 1
        elif lt == 0x10:
            stop = p + 2 + ((data[p] << 8) | data[p + 1])
            p += 2
        else:
            stop = p + 3 + ((data[p] << 16) | (data[p + 1] << 8) | data[p + 2])
            p += 3
        if t & 0x40:  # resource or resource instance: a value
            append((prefix + (ident,), data[p:stop]))
        else:  # object instance or multiple resource: its TLVs
            _tlv_walk(data, p, stop, prefix + (ident,), out)
        pos = stop
    return out
