"""Hypothesis strategies for CoAP messages (pytest-only)."""

from hypothesis import strategies as st

from coap.message import Message

option_numbers = st.one_of(
    st.sampled_from([1, 3, 4, 5, 6, 7, 8, 11, 12, 14, 15, 17, 20, 23, 27, 28, 35, 39, 60, 258]),
    st.integers(min_value=0, max_value=0xFFFF),
)
option_values = st.one_of(
    st.binary(max_size=14),
    st.binary(min_size=260, max_size=300),
)
options_lists = st.lists(st.tuples(option_numbers, option_values), max_size=8).map(
    lambda items: sorted(items, key=lambda item: item[0])  # CPython's sort is stable
)


@st.composite
def messages(draw: st.DrawFn) -> Message:
    mtype = draw(st.integers(min_value=0, max_value=3))
    code = draw(st.integers(min_value=0, max_value=255))
    mid = draw(st.integers(min_value=0, max_value=0xFFFF))
    if code == 0:
        return Message(mtype, 0, mid)
    return Message(
        mtype,
        code,
        mid,
        draw(st.binary(max_size=8)),
        draw(options_lists),
        draw(st.binary(max_size=40)),
    )
