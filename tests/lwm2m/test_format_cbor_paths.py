"""The CPython fast path (cbor2) and the pure CBOR subset (MicroPython) write identical
bytes and read the same records; both reject what the vectors reject."""

from collections.abc import Iterator
from typing import Any

import cbor2
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lwm2m import FormatError
from lwm2m.formats import cbor, cborpath, senml, senml_cbor
from tests.lwm2m import test_format_codecs, test_format_vectors
from tests.lwm2m.strategies import Model, Record, object_records

SCALARS = (
    st.integers(-(2**64), 2**64 - 1)
    | st.floats(allow_nan=False)
    | st.text(max_size=10)
    | st.binary(max_size=10)
    | st.booleans()
    | st.none()
)
KEYS = st.integers(-(2**64), 2**64 - 1) | st.text(max_size=5)
TREES = st.recursive(
    SCALARS,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(KEYS, inner, max_size=4),
    max_leaves=20,
)


@settings(max_examples=500, deadline=None)
@given(obj=TREES)
def test_pure_encoder_writes_what_cbor2_writes(obj: Any) -> None:
    assert cbor.dumps(obj) == cbor2.dumps(obj)


@settings(max_examples=500, deadline=None)
@given(obj=TREES)
def test_pure_decoder_reads_what_cbor2_reads(obj: Any) -> None:
    data = cbor2.dumps(obj)
    assert cbor.loads(data) == cbor2.loads(data) == cborpath.loads(data)


@settings(max_examples=500, deadline=None)
@given(data=st.binary(max_size=48))
def test_both_decoders_raise_only_format_error(data: bytes) -> None:
    for loads in (cbor.loads, cborpath.loads):
        try:
            loads(data)
        except FormatError:
            pass


@pytest.fixture
def pure_path() -> Iterator[None]:
    saved = cborpath._cbor2
    cborpath._cbor2 = None
    try:
        yield
    finally:
        cborpath._cbor2 = saved


def test_fast_path_is_on_under_cpython() -> None:
    assert cborpath.FAST


@pytest.mark.usefixtures("pure_path")
def test_vectors_on_the_pure_path() -> None:
    test_format_vectors.test_senml_cbor_vectors()
    test_format_codecs.test_every_multi_value_format_round_trips_the_same_records()
    test_format_codecs.test_lwm2m_cbor_nests_maps_under_the_request_path()
    test_format_codecs.test_senml_timed_groups_encode_with_base_time()


def test_fast_path_rejects_what_the_pure_path_rejects() -> None:
    for hex_data in ("9f01ff", "81bf0000ff", "a201010102", "0101", "8201", "c2420100"[:0] + "1c"):
        with pytest.raises(FormatError):
            cborpath.loads(bytes.fromhex(hex_data))
        with pytest.raises(FormatError):
            cbor.loads(bytes.fromhex(hex_data))


@settings(max_examples=300, deadline=None)
@given(case=object_records(), times=st.lists(st.integers(0, 2**40), max_size=3))
def test_senml_cbor_writer_equals_cbor2_of_the_record_maps(
    case: "tuple[Model, list[Record]]", times: "list[int]"
) -> None:
    model, records = case
    for base in ((model.oid,), None, ()):
        maps = senml.build(((None, records),), base, senml.CBOR_LABELS, bytes)
        assert senml_cbor.encode(records, base) == cbor2.dumps(maps)
    groups = [(t, records) for t in sorted(set(times))]
    maps = senml.build(groups, (model.oid,), senml.CBOR_LABELS, bytes)
    assert senml_cbor.encode_timed(groups, (model.oid,)) == cbor2.dumps(maps)
