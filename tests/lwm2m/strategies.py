"""Hypothesis strategies for records of made-up objects, and their type resolvers."""

from collections.abc import Callable
from typing import Any

from hypothesis import strategies as st

from objects import types as T

Path = tuple[int, ...]
Record = tuple[Path, Any]
TypeOf = Callable[[Path], "int | None"]

VALUE_TYPES = [
    T.STRING,
    T.INTEGER,
    T.UNSIGNED,
    T.FLOAT,
    T.BOOLEAN,
    T.OPAQUE,
    T.TIME,
    T.OBJLNK,
    T.CORELNK,
]


def values_for(rtype: int) -> "st.SearchStrategy[Any]":
    if rtype in (T.STRING, T.CORELNK):
        return st.text(max_size=12)
    if rtype in (T.INTEGER, T.TIME):
        return st.integers(T.INT64_MIN, T.INT64_MAX)
    if rtype == T.UNSIGNED:
        return st.integers(0, T.UINT64_MAX)
    if rtype == T.FLOAT:
        return st.floats(allow_nan=False, allow_infinity=False)
    if rtype == T.BOOLEAN:
        return st.booleans()
    if rtype == T.OPAQUE:
        return st.binary(max_size=24)
    if rtype == T.OBJLNK:
        return st.tuples(st.integers(0, 65535), st.integers(0, 65535))
    raise AssertionError(rtype)


class Model:
    """A made-up object: its id, resource types and which resources are multiple."""

    def __init__(self, oid: int, types: "dict[int, int]", multiple: "set[int]") -> None:
        self.oid = oid
        self.types = types
        self.multiple = multiple

    def type_of(self, path: Path) -> "int | None":
        return self.types.get(path[2]) if path[0] == self.oid else None


@st.composite
def models(draw: "st.DrawFn") -> Model:
    oid = draw(st.integers(0, 65535))
    types = draw(
        st.dictionaries(st.integers(0, 65535), st.sampled_from(VALUE_TYPES), min_size=1, max_size=5)
    )
    multiple = draw(st.sets(st.sampled_from(sorted(types))))
    return Model(oid, types, multiple)


@st.composite
def instance_records(draw: "st.DrawFn", model: Model, iid: int) -> "list[Record]":
    records: list[Record] = []
    rids = draw(st.lists(st.sampled_from(sorted(model.types)), unique=True, min_size=1))
    for rid in rids:
        values = values_for(model.types[rid])
        if rid in model.multiple:
            riids = draw(st.lists(st.integers(0, 65535), unique=True, min_size=1, max_size=3))
            for riid in riids:
                records.append(((model.oid, iid, rid, riid), draw(values)))
        else:
            records.append(((model.oid, iid, rid), draw(values)))
    return records


@st.composite
def object_records(draw: "st.DrawFn") -> "tuple[Model, list[Record]]":
    model = draw(models())
    iids = draw(st.lists(st.integers(0, 65534), unique=True, min_size=1, max_size=3))
    records: list[Record] = []
    for iid in iids:
        records.extend(draw(instance_records(model, iid)))
    return model, records


@st.composite
def single_instance(draw: "st.DrawFn") -> "tuple[Model, int, list[Record]]":
    model = draw(models())
    iid = draw(st.integers(0, 65534))
    return model, iid, draw(instance_records(model, iid))
