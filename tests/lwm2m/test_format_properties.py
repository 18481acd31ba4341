"""Property tests of the content formats (CPython, hypothesis)."""

import json
from typing import Any

import cbor2
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lwm2m import FormatError
from lwm2m import formats as F
from lwm2m.formats import cborpath, link, senml, senml_cbor, senml_json
from tests.lwm2m.strategies import (
    Model,
    Record,
    object_records,
    single_instance,
)

MULTI_VALUE = [F.TLV, F.SENML_JSON, F.SENML_CBOR, F.LWM2M_CBOR, F.OMA_JSON]
PROFILE = settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@pytest.mark.parametrize("cf", MULTI_VALUE, ids=[F.NAMES[cf] for cf in MULTI_VALUE])
@PROFILE
@given(case=object_records())
def test_object_records_round_trip(cf: int, case: "tuple[Model, list[Record]]") -> None:
    model, records = case
    payload = F.encode(cf, records, (model.oid,), model.type_of)
    assert F.decode(cf, payload, (model.oid,), model.type_of) == records


@PROFILE
@given(case=single_instance())
def test_one_instance_decodes_the_same_in_every_format(
    case: "tuple[Model, int, list[Record]]",
) -> None:
    model, iid, records = case
    base = (model.oid, iid)
    decoded = [
        F.decode(cf, F.encode(cf, records, base, model.type_of), base, model.type_of)
        for cf in (F.TLV, F.SENML_JSON, F.SENML_CBOR, F.LWM2M_CBOR)
    ]
    assert all(d == records for d in decoded)


@PROFILE
@given(case=single_instance())
def test_single_values_round_trip_in_text_and_opaque(
    case: "tuple[Model, int, list[Record]]",
) -> None:
    model, _, records = case
    for path, value in records:
        one = [(path, value)]
        payload = F.encode(F.TEXT, one, path, model.type_of)
        assert F.decode(F.TEXT, payload, path, model.type_of) == one
        if type(value) is bytes:
            assert F.decode(F.OPAQUE, F.encode(F.OPAQUE, one, path, model.type_of), path) == one


@pytest.mark.parametrize("cf", [F.SENML_JSON, F.SENML_CBOR, F.OMA_JSON])
@PROFILE
@given(case=single_instance(), times=st.lists(st.integers(0, 2**40), min_size=1, max_size=4))
def test_time_stamped_groups_round_trip(
    cf: int, case: "tuple[Model, int, list[Record]]", times: "list[int]"
) -> None:
    model, iid, records = case
    times = sorted(set(times))
    groups = [(t, records) for t in times]
    payload = F.encode_timed(cf, groups, (model.oid, iid))
    assert F.decode_timed(cf, payload, (model.oid, iid), model.type_of) == groups


BASES = st.sampled_from([(), (3,), (3, 0), (3, 0, 7), (3, 0, 7, 1), (1024,), (1024, 0, 1)])
ALL_DECODERS = [F.TEXT, F.OPAQUE, *MULTI_VALUE, 1542, 1543]


def _type_of(path: "tuple[int, ...]") -> "int | None":
    return (path[2] % 10) or None


@pytest.mark.parametrize("cf", ALL_DECODERS)
@settings(max_examples=400, deadline=None)
@given(data=st.binary(max_size=64), base=BASES, typed=st.booleans())
def test_arbitrary_bytes_raise_only_format_error(
    cf: int, data: bytes, base: "tuple[int, ...]", typed: bool
) -> None:
    try:
        F.decode(cf, data, base or None, _type_of if typed else None)
        F.decode_timed(cf, data, base or None) if cf in (F.SENML_JSON, F.SENML_CBOR) else None
    except FormatError:
        pass


@PROFILE
@given(case=object_records(), cut=st.integers(0, 400), flip=st.integers(0, 255))
def test_damaged_payloads_raise_only_format_error(
    case: "tuple[Model, list[Record]]", cut: int, flip: int
) -> None:
    model, records = case
    for cf in MULTI_VALUE:
        payload = bytearray(F.encode(cf, records, (model.oid,), model.type_of))
        if payload:
            payload[cut % len(payload)] ^= flip
        for damaged in (bytes(payload), bytes(payload[: cut % (len(payload) + 1)])):
            try:
                F.decode(cf, damaged, (model.oid,), model.type_of)
            except FormatError:
                pass


@settings(max_examples=400, deadline=None)
@given(data=st.binary(max_size=64) | st.text(max_size=64).map(lambda s: s.encode("utf-8")))
def test_link_parser_raises_only_format_error(data: bytes) -> None:
    try:
        link.parse(data)
    except FormatError:
        pass


LINK_NAMES = st.sampled_from(["pmin", "pmax", "gt", "lt", "st", "dim", "ver", "rt", "ct", "obs"])


@st.composite
def links(draw: "st.DrawFn") -> "list[link.Link]":
    out = []
    for _ in range(draw(st.integers(1, 4))):
        path = tuple(draw(st.lists(st.integers(0, 65535), max_size=4)))
        attrs: list[tuple[str, Any]] = []
        for name in draw(st.lists(LINK_NAMES, unique=True, max_size=4)):
            if name in ("pmin", "pmax", "dim"):
                attrs.append((name, draw(st.integers(0, 10**6))))
            elif name in ("gt", "lt", "st"):
                attrs.append((name, draw(st.floats(-1e6, 1e6) | st.integers(-1000, 1000))))
            elif name == "obs":
                attrs.append((name, None))
            else:
                attrs.append((name, draw(st.text("abc.123 ", min_size=1, max_size=8))))
        out.append(link.Link(path, attrs))
    return out


@PROFILE
@given(value=links())
def test_links_round_trip(value: "list[link.Link]") -> None:
    parsed = link.parse(link.build(value))
    assert [(lk.path, lk.attrs) for lk in parsed] == [(lk.path, lk.attrs) for lk in value]


@PROFILE
@given(case=object_records())
def test_pure_and_cbor2_paths_agree(case: "tuple[Model, list[Record]]") -> None:
    model, records = case
    for cf in (F.SENML_CBOR, F.LWM2M_CBOR):
        fast = F.encode(cf, records, (model.oid,), model.type_of)
        saved = cborpath._cbor2
        cborpath._cbor2 = None
        try:
            pure = F.encode(cf, records, (model.oid,), model.type_of)
            pure_decoded = F.decode(cf, fast, (model.oid,), model.type_of)
        finally:
            cborpath._cbor2 = saved
        assert pure == fast
        assert pure_decoded == F.decode(cf, fast, (model.oid,), model.type_of) == records


# -- the encoders' and decoders' fast paths against plain second readings ------------


def _maps_reference(records: "list[Record]", base: "tuple[int, ...]") -> bytes:
    """LwM2M-CBOR the plain way: nested dicts built per record, then cbor2.dumps."""
    inner: dict[Any, Any] = {}
    for path, value in records:
        node = inner
        for i in path[len(base) : -1]:
            node = node.setdefault(i, {})
        node[path[-1]] = "%d:%d" % value if type(value) is tuple else value
    if not base:
        return cbor2.dumps(inner)
    return cbor2.dumps({base if len(base) > 1 else base[0]: inner})


@PROFILE
@given(case=object_records(), order=st.randoms(use_true_random=False))
def test_lwm2m_cbor_writer_equals_plain_maps_in_any_order(
    case: "tuple[Model, list[Record]]", order: "Any"
) -> None:
    # The writer compares each record's container with the last one's: records that
    # come back to a container met before must still land in its first map.
    model, records = case
    shuffled = list(records)
    order.shuffle(shuffled)
    for base in ((model.oid,), ()):
        got = F.encode(F.LWM2M_CBOR, shuffled, base, model.type_of)
        assert got == _maps_reference(shuffled, base)
    iid = records[0][0][1]
    one = [r for r in shuffled if r[0][1] == iid]
    ibase = (model.oid, iid)
    assert F.encode(F.LWM2M_CBOR, one, ibase, model.type_of) == _maps_reference(one, ibase)


def _parsed_pack(cf: int, records: "list[Record]", base: "Any", type_of: "Any") -> "Any":
    """``records`` encoded in SenML ``cf``, parsed back: (pack, its labels, its vd reader)."""
    payload = F.encode(cf, records, base, type_of)
    if cf == F.SENML_JSON:
        return json.loads(payload), senml.JSON_LABELS, senml_json._vd
    return cbor2.loads(payload), senml.CBOR_LABELS, senml_cbor._vd


@pytest.mark.parametrize("cf", [F.SENML_JSON, F.SENML_CBOR], ids=["senml-json", "senml-cbor"])
@PROFILE
@given(case=object_records(), absolute=st.booleans())
def test_senml_plain_layout_loop_equals_the_general_one(
    cf: int, case: "tuple[Model, list[Record]]", absolute: bool
) -> None:
    model, records = case
    base = None if absolute else (model.oid,)
    pack, labels, vd = _parsed_pack(cf, records, base, model.type_of)
    general = senml._resolve_any(pack, base, model.type_of, labels, vd, False)
    assert senml.resolve(pack, base, model.type_of, labels, vd, False) == general == records


def _outcome(resolve: "Any", *args: "Any") -> "Any":
    try:
        return resolve(*args)
    except FormatError:
        return FormatError


@pytest.mark.parametrize("cf", [F.SENML_JSON, F.SENML_CBOR], ids=["senml-json", "senml-cbor"])
@PROFILE
@given(case=object_records(), absolute=st.booleans(), data=st.data())
def test_senml_plain_layout_loop_falls_back_like_the_general_one(
    cf: int, case: "tuple[Model, list[Record]]", absolute: bool, data: "st.DataObject"
) -> None:
    # A pack that leaves the plain layout after its first record (a record without a
    # value, or with its own base name, a time or a label that must be understood in
    # place of its value, or another name) must come out of the fast loop exactly as
    # from the general one: the same records, or a FormatError from both.
    model, records = case
    base = None if absolute else (model.oid,)
    pack, labels, vd = _parsed_pack(cf, records, base, model.type_of)
    if len(pack) < 2:
        return
    rec = pack[data.draw(st.integers(1, len(pack) - 1))]
    value_label = next(k for k in rec if k != labels.n)
    mutation = data.draw(st.sampled_from(["drop value", "bn", "t", "must understand", "n"]))
    if mutation != "n":
        # (the record keeps two labels where the mutation replaces its value, so only
        # its labels, not its size, tell it from a plain one)
        del rec[value_label]
    if mutation == "bn":
        # a name that is right under its own base name and too deep under the first's
        rec[labels.bn] = "/"
        rec[labels.n] = "%d/0/1/0" % model.oid
    elif mutation == "t":
        rec[labels.t] = 5
    elif mutation == "must understand":
        rec["x_" if cf == F.SENML_JSON else -100] = 1
    else:
        rec[labels.n] = data.draw(st.sampled_from(["", "1", "0/1", "/9/9/9", "x"]))
    args = (pack, base, model.type_of, labels, vd, False)
    assert _outcome(senml.resolve, *args) == _outcome(senml._resolve_any, *args)
