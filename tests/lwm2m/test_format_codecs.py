"""The codecs' core cases, beyond the shared vectors (also under MicroPython)."""

import sys

from lwm2m import FormatError
from lwm2m import formats as F
from lwm2m.formats import capabilities as C
from lwm2m.formats import cbor, lwm2m_cbor, senml_cbor, senml_json, text, tlv
from objects import types as T
from tests.support import raises

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

TYPES = {
    0: T.STRING,
    1: T.INTEGER,
    2: T.UNSIGNED,
    3: T.FLOAT,
    4: T.BOOLEAN,
    5: T.OPAQUE,
    6: T.TIME,
    7: T.OBJLNK,
    8: T.CORELNK,
    9: T.INTEGER,
}


def type_of(path: "tuple[int, ...]") -> "int | None":
    return TYPES.get(path[2]) if path[0] == 1024 else None


RECORDS = [
    ((1024, 0, 0), "h\u00e9llo"),
    ((1024, 0, 1), -129),
    ((1024, 0, 2), 200),
    ((1024, 0, 3), 1.5),
    ((1024, 0, 4), True),
    ((1024, 0, 5), b"\x00\xff"),
    ((1024, 0, 6), 1700000000),
    ((1024, 0, 7), (3, 0)),
    ((1024, 0, 8), "</3/0>"),
    ((1024, 0, 9, 0), 1),
    ((1024, 0, 9, 7), -(1 << 63)),
    ((1024, 1, 2), (1 << 64) - 1),
    ((1024, 1, 3), 0.1),
]


def test_every_multi_value_format_round_trips_the_same_records() -> None:
    for cf in (F.TLV, F.SENML_JSON, F.SENML_CBOR, F.LWM2M_CBOR, F.OMA_JSON):
        payload = F.encode(cf, RECORDS, (1024,), type_of)
        assert F.decode(cf, payload, (1024,), type_of) == RECORDS, F.NAMES[cf]


def test_tlv_unsigned_and_signed_widths_differ_only_where_they_must() -> None:
    assert tlv.encode(RECORDS[2:3], (1024, 0), type_of) == b"\xc1\x02\xc8"  # unsigned: 1 byte
    assert tlv.encode([((1024, 0, 1), 200)], (1024, 0), type_of) == b"\xc2\x01\x00\xc8"
    assert (
        tlv.encode([((1024, 1, 2), (1 << 64) - 1)], (1024, 1), type_of)
        == b"\xc8\x02\x08" + b"\xff" * 8
    )


def test_tlv_floats_are_written_in_8_bytes_and_read_in_4_or_8() -> None:
    out = tlv.encode([((1024, 0, 3), 1.5)], (1024, 0), type_of)
    assert out == b"\xc8\x03\x08\x3f\xf8" + bytes(6)
    assert tlv.decode(b"\xc4\x03\x3f\xc0\x00\x00", (1024, 0), type_of) == [((1024, 0, 3), 1.5)]
    out = tlv.encode([((1024, 0, 3), 0.1)], (1024, 0), type_of)
    assert len(out) == 11 and tlv.decode(out, (1024, 0), type_of) == [((1024, 0, 3), 0.1)]


def test_tlv_long_values_and_16_bit_ids() -> None:
    big = b"x" * 70000
    out = tlv.encode([((1024, 0, 300), big)], (1024, 0))
    assert out[:6] == b"\xf8\x01\x2c\x01\x11\x70"  # 16-bit id, 24-bit length
    assert tlv.decode(out, (1024, 0)) == [((1024, 0, 300), big)]


def test_tlv_resource_and_resource_instance_levels() -> None:
    out = tlv.encode([((1024, 0, 9, 0), 1), ((1024, 0, 9, 7), 2)], (1024, 0, 9), type_of)
    assert out == b"\x86\x09\x41\x00\x01\x41\x07\x02"
    assert tlv.decode(out, (1024, 0, 9), type_of) == [((1024, 0, 9, 0), 1), ((1024, 0, 9, 7), 2)]
    # Resource instances without the Multiple Resource wrapper are read too.
    assert tlv.decode(b"\x41\x00\x01", (1024, 0, 9), type_of) == [((1024, 0, 9, 0), 1)]
    one = tlv.encode([((1024, 0, 9, 7), 2)], (1024, 0, 9, 7), type_of)
    assert one == b"\x41\x07\x02" and tlv.decode(one, (1024, 0, 9, 7), type_of) == [
        ((1024, 0, 9, 7), 2)
    ]


def test_tlv_refuses_bad_payloads() -> None:
    for data, base in (
        (b"\xc8", (1024, 0)),  # truncated header
        (b"\xc3\x00\x01", (1024, 0)),  # value shorter than announced
        (b"\xc1\x04\x02", (1024, 0)),  # boolean 2
        (b"\xc3\x03\x00\x00\x00", (1024, 0)),  # float of 3 bytes
        (b"\x41\x00\x01", (1024, 0)),  # resource instance directly under an instance
        (b"\xc1\x00\x01", (1024,)),  # resource directly under an object
        (b"\xc2\x00\xff\xfe", (1024, 0)),  # string not UTF-8
        (b"\xc1\x01\x01", (1024, 0, 2)),  # another resource than asked
    ):
        raises(FormatError, tlv.decode, data, base, type_of)


def _int_tlv(value: int, unsigned: bool) -> bytes:
    """The shortest of 1, 2, 4 or 8 bytes that hold ``value`` (Core 7.4.3 / Appendix C),
    worked out here from the widths alone."""
    for n in (1, 2, 4, 8):
        bits = 8 * n
        low = 0 if unsigned else -(1 << (bits - 1))
        if low <= value < low + (1 << bits):
            return (value & ((1 << bits) - 1)).to_bytes(n, "big")
    assert value < 1 << 64  # only an Unsigned Integer reading holds it
    return value.to_bytes(8, "big")


def _tlv(kind: int, ident: int, value: bytes) -> bytes:
    n = len(value)
    head = bytes((kind | (0x20 if ident > 255 else 0) | (n if n < 8 else 0x08),))
    head += ident.to_bytes(2 if ident > 255 else 1, "big")
    return head + (bytes((n,)) if n >= 8 else b"") + value


def test_tlv_integers_take_the_shortest_width_at_every_boundary() -> None:
    # Every edge of the inline writer's tests (one byte, two, four, the ambiguous ranges
    # that need the resource's type, eight), as a resource and as resource instances
    # with 8- and 16-bit ids, for an Integer (rid 1, 9) and an Unsigned Integer (rid 2).
    edges = [0, 1, 0x7F, 0x80, 0xFF, 0x100, 0x7FFF, 0x8000, 0xFFFF, 0x10000, 0x3FFFFFFF,
             0x40000000, 0x7FFFFFFF, 0x80000000, 0xFFFFFFFF, 0x100000000,
             0x7FFFFFFFFFFFFFFF, 0x8000000000000000, 0xFFFFFFFFFFFFFFFF]
    edges += [-v for v in edges if 0 < v <= 0x8000000000000000]
    edges += [-0x81, -0x8001, -0x80000001]
    for value in edges:
        for rid, unsigned in ((1, False), (2, True)):
            if value < 0 if unsigned else value >= 1 << 63:
                continue  # no such value of the type (the last: see below)
            want = _int_tlv(value, unsigned)
            got = tlv.encode([((1024, 0, rid), value)], (1024, 0), type_of)
            assert got == _tlv(0xC0, rid, want), (value, rid, got)
            for riid in (7, 300):
                got = tlv.encode([((1024, 0, rid, riid), value)], (1024, 0, rid), type_of)
                assert got == _tlv(0x80, rid, _tlv(0x40, riid, want)), (value, rid, riid, got)
    big = tlv.encode([((1024, 0, 1), 0xFFFFFFFFFFFFFFFF)], (1024, 0), type_of)
    assert big == b"\xc8\x01\x08" + b"\xff" * 8
    raises(FormatError, tlv.encode, [((1024, 0, 1), 1 << 64)], (1024, 0), type_of)
    raises(FormatError, tlv.encode, [((1024, 0, 1), -(1 << 63) - 1)], (1024, 0), type_of)


def test_tlv_refuses_records_it_cannot_carry() -> None:
    raises(
        FormatError, tlv.encode, [((1024, 0, 1), 1), ((1024, 1, 1), 1), ((1024, 0, 2), 1)], (1024,)
    )
    raises(FormatError, tlv.encode, [((1024, 0, 1), 1), ((1024, 0, 1), 2)], (1024, 0))
    # a resource instance twice, in order, out of order, and after the set takes over
    for riids in ([0, 0], [2, 0, 2], [2, 0, 5, 1, 5], [3, 1, 2, 3]):
        records = [((1024, 0, 9, r), 1) for r in riids]
        for base in ((1024, 0), (1024, 0, 9), (1024,)):
            exc = raises(FormatError, tlv.encode, records, base)
            assert "appears twice" in str(exc), (riids, base, str(exc))
    assert tlv.decode(tlv.encode([((1024, 0, 9, r), r) for r in (2, 0, 5, 1)], (1024, 0, 9)),
                      (1024, 0, 9)) == [((1024, 0, 9, r), bytes((r,))) for r in (2, 0, 5, 1)]
    raises(FormatError, tlv.encode, [((1024, 0, 1), None)], (1024, 0))
    raises(FormatError, tlv.encode, [((1024, 0, 1), 1 << 64)], (1024, 0))
    raises(FormatError, tlv.encode, [((1025, 0, 1), 1)], (1024,))
    # paths of no resource or resource instance length, after valid records of each kind
    for bad in ((1024, 0), (1024, 0, 9, 1, 0), (1024,)):
        for base, before in (
            ((1024, 0), [((1024, 0, 1), 1)]),
            ((1024, 0, 9), [((1024, 0, 9, 0), 1)]),
            ((1024,), [((1024, 0, 9, 0), 1)]),
        ):
            exc = raises(FormatError, tlv.encode, before + [(bad, 1)], base)
            assert "is not a resource under" in str(exc), (bad, base, str(exc))


def test_a_number_too_large_for_a_float_resource_is_a_format_error() -> None:
    # /1024/0/3 is a Float. float() of a 400-digit JSON number or of a CBOR bignum
    # (tag 2) of 2**1100 overflows: CPython raises OverflowError, MicroPython gives inf.
    digits = b"9" * 400
    bignum = b"\xc2\x58\x8a" + (1 << 1100).to_bytes(138, "big")
    for cf, payload in (
        (F.SENML_JSON, b'[{"bn":"/1024/0/","n":"3","v":' + digits + b"}]"),
        (F.OMA_JSON, b'{"bn":"/1024/0/","e":[{"n":"3","v":' + digits + b"}]}"),
        (F.SENML_CBOR, b"\x81\xa3\x21\x68/1024/0/\x00\x613\x02" + bignum),
        (F.LWM2M_CBOR, b"\xa1\x19\x04\x00\xa1\x00\xa1\x03" + bignum),
    ):
        exc = raises(FormatError, F.decode, cf, payload, (1024, 0), type_of)
        # (MicroPython's CBOR subset refuses the bignum tag itself, before any path.)
        pure_cbor = sys.implementation.name == "micropython" and cf in (F.SENML_CBOR,
                                                                        F.LWM2M_CBOR)
        assert "/1024/0/3" in str(exc) or pure_cbor, (cf, str(exc))
    assert F.decode(F.SENML_JSON, b'[{"n":"/1024/0/3","v":5}]', (1024, 0), type_of) == [
        ((1024, 0, 3), 5.0)
    ]


def test_plain_text_values() -> None:
    assert text.parse_value("-12", T.INTEGER) == -12
    assert text.parse_value("1e3", T.FLOAT) == 1000.0
    assert text.parse_value("1", T.BOOLEAN) is True
    assert text.parse_value("3:1", T.OBJLNK) == (3, 1)
    for bad, rtype in (
        ("1.5", T.INTEGER),
        ("", T.INTEGER),
        ("2", T.BOOLEAN),
        ("nan", T.FLOAT),
        ("1_0", T.FLOAT),
        ("3", T.OBJLNK),
        ("70000:1", T.OBJLNK),
        ("-1", T.UNSIGNED),
        ("AQID=", T.OPAQUE),
    ):
        raises(FormatError, text.parse_value, bad, rtype)
    assert F.decode(F.TEXT, b"\xff", (9999, 0, 0)) == [((9999, 0, 0), b"\xff")]  # unknown: raw
    raises(FormatError, F.encode, F.TEXT, RECORDS[:2], (1024, 0, 0), type_of)
    raises(FormatError, F.decode, F.TEXT, b"1", (1024, 0), type_of)


def test_opaque_carries_bytes_of_opaque_resources_only() -> None:
    assert F.decode(F.OPAQUE, b"\x01\x02", (1024, 0, 5), type_of) == [((1024, 0, 5), b"\x01\x02")]
    assert F.encode(F.OPAQUE, [((1024, 0, 5), b"\x01")], (1024, 0, 5), type_of) == b"\x01"
    raises(FormatError, F.decode, F.OPAQUE, b"\x01", (1024, 0, 0), type_of)
    assert F.decode(1544, b"\x07", (9999, 0, 1)) == [((9999, 0, 1), b"\x07")]


def test_pure_cbor_reads_what_lwm2m_needs() -> None:
    assert cbor.loads(bytes.fromhex("f93c00")) == 1.0  # half float
    assert cbor.loads(bytes.fromhex("f97e00")) != cbor.loads(bytes.fromhex("f97e00"))  # NaN
    assert cbor.loads(bytes.fromhex("fa47c35000")) == 100000.0
    assert cbor.loads(bytes.fromhex("3bffffffffffffffff")) == -(1 << 64)
    assert cbor.loads(bytes.fromhex("c11a5182428f")) == 1367491215  # tag 1
    assert list(cbor.loads(bytes.fromhex("a1820102f5")).items()) == [((1, 2), True)]  # array key
    fraction = cbor.loads(bytes.fromhex("c482211904d2"))
    assert fraction.value() == 12.34


def test_pure_cbor_refuses_what_lwm2m_never_sends() -> None:
    for hex_data in (
        "9f01ff",  # indefinite array
        "5f4101ff",  # indefinite byte string
        "a201010102",  # duplicate key
        "0101",  # trailing item
        "1a0102",  # truncated head
        "c2420100",  # tag 2 (bignum)
        "f0",  # simple value 16
        "ff",  # break without an indefinite item
        "1c",  # reserved additional information
        "62c328",  # text not UTF-8
        "81" * 20 + "00",  # deeper than 16
        "9a7fffffff",  # array longer than the data
    ):
        raises(FormatError, cbor.loads, bytes.fromhex(hex_data))


def test_pure_cbor_encodes_shortest_heads_and_doubles() -> None:
    assert cbor.dumps([0, 23, 24, 255, 256, 65536, 1 << 32, -1, -25]) == bytes.fromhex(
        "8900171818" + "18ff" + "190100" + "1a00010000" + "1b0000000100000000" + "20" + "3818"
    )
    m = cbor.MapType()  # insertion-ordered on MicroPython too
    m["a"] = 1.5
    m[2] = b"\x00"
    m[3] = None
    m[4] = [True, False]
    assert cbor.dumps(m) == bytes.fromhex("a46161fb3ff8000000000000024100" + "03f6" + "0482f5f4")
    raises(FormatError, cbor.dumps, 1 << 64)
    raises(FormatError, cbor.dumps, {1})


def test_senml_names_times_and_must_understand_labels() -> None:
    data = (
        b'[{"bn":"/1024/0/","bt":100,"n":"1","v":5,"t":-10},{"n":"3","v":2},'
        b'{"bt":200,"n":"0","vs":"x"}]'
    )
    groups = senml_json.decode_timed(data, (1024,), type_of)
    assert groups == [
        (90, [((1024, 0, 1), 5)]),
        (100, [((1024, 0, 3), 2.0)]),
        (200, [((1024, 0, 0), "x")]),
    ]
    assert type(next(iter(groups[1][1]))[1]) is float  # Float resource: whole number -> float
    raises(FormatError, senml_json.decode, b'[{"n":"/1024/0/1","v":1,"x_":1}]', None)
    assert senml_json.decode(b'[{"n":"/1024/0/1","v":1,"x":1}]', None) == [((1024, 0, 1), 1)]
    raises(FormatError, senml_json.decode, b'[{"n":"/1024/0/1","v":1}]', (1024, 1))  # outside
    raises(FormatError, senml_json.decode, b'[{"bn":"/1024/1","n":"0","v":1}]', (1024, 1))
    raises(
        FormatError, senml_json.decode, b'[{"n":"/1024/0/0","v":1}]', None, type_of
    )  # not a string
    raises(FormatError, senml_json.decode, b'[{"n":"/1024/0/1","v":1.5}]', None, type_of)
    raises(FormatError, senml_json.decode, b'{"n":"/1024/0/1"}', None)
    raises(FormatError, senml_json.decode, b"[{]", None)


def test_senml_timed_groups_encode_with_base_time() -> None:
    groups: list[tuple[Any, list[tuple[tuple[int, ...], Any]]]] = [
        (1000, [((1024, 0, 1), 1), ((1024, 0, 9, 0), 2)]),
        (1010, [((1024, 0, 1), 3)]),
    ]
    out = senml_json.encode_timed(groups, (1024, 0))
    assert out == (
        b'[{"bn":"/1024/0/","n":"1","bt":1000,"v":1},{"n":"9/0","v":2},{"n":"1","bt":1010,"v":3}]'
    )
    assert senml_json.decode_timed(out, (1024, 0), type_of) == groups
    cb = senml_cbor.encode_timed(groups, (1024, 0))
    assert senml_cbor.decode_timed(cb, (1024, 0), type_of) == groups
    raises(FormatError, senml_json.encode_timed, [(5, RECORDS[:1]), (None, RECORDS[1:2])], None)


def test_senml_json_opaque_is_base64url_without_padding() -> None:
    out = senml_json.encode([((1024, 0, 5), b"\xfb\xff")], (1024, 0, 5))
    assert out == b'[{"bn":"/1024/0/5","vd":"-_8"}]'
    assert senml_json.decode(b'[{"bn":"/1024/0/5","vd":"-_8="}]', None) == [
        ((1024, 0, 5), b"\xfb\xff")
    ]


def test_lwm2m_cbor_nests_maps_under_the_request_path() -> None:
    records = [((3, 0, 0), "OMA"), ((3, 0, 6, 0), 1), ((3, 0, 6, 1), 5)]
    out = lwm2m_cbor.encode(records, (3, 0))
    # {[3, 0]: {0: "OMA", 6: {0: 1, 1: 5}}}
    assert out == bytes.fromhex("a1820300a2" + "00634f4d41" + "06a20001" + "0105")
    assert lwm2m_cbor.decode(out, (3, 0)) == records
    # Keys may mix ids and paths: {3: {[0, 6]: {1: 5}}}
    assert lwm2m_cbor.decode(bytes.fromhex("a103a1820006a10105"), (3,)) == [((3, 0, 6, 1), 5)]
    assert lwm2m_cbor.encode([((3, 0, 9), 7)], (3, 0, 9)) == bytes.fromhex("a183030009" + "07")
    assert lwm2m_cbor.decode(lwm2m_cbor.encode(RECORDS, None), None, type_of) == RECORDS
    raises(FormatError, lwm2m_cbor.decode, bytes.fromhex("a10301"), None)  # value at an object
    raises(FormatError, lwm2m_cbor.decode, bytes.fromhex("a1806161"), None)  # empty path key
    raises(FormatError, lwm2m_cbor.encode, [((3, 0, 6), 1), ((3, 0, 6, 0), 1)], (3,))
    # nothing below a resource instance, a value at the request path alone, no request
    # path deeper than a resource instance
    raises(FormatError, lwm2m_cbor.encode, [((3, 0, 6, 0, 1), 2)], (3, 0, 6, 0))
    raises(FormatError, lwm2m_cbor.encode, [((3, 0, 6), 1), ((3, 0, 6, 1), 2)], (3, 0, 6))
    raises(FormatError, lwm2m_cbor.encode, [((3, 0, 6, 0, 1), 2)], (3, 0, 6, 0, 1))


def test_capability_table() -> None:
    assert C.can_carry(F.TEXT, C.RESOURCE, "1.0")
    assert not C.can_carry(F.TEXT, C.RESOURCE_INSTANCE, "1.0")
    assert C.can_carry(F.TEXT, C.RESOURCE_INSTANCE, "1.1")
    assert not C.can_carry(F.TEXT, C.RESOURCE, "1.1", multiple=True)
    assert not C.can_carry(F.OPAQUE, C.RESOURCE, "1.1", opaque=False)
    assert C.can_carry(F.TLV, C.OBJECT, "1.0") and not C.can_carry(F.TLV, C.ROOT, "1.1")
    assert C.can_carry(F.OMA_JSON, C.INSTANCE, "1.0") and not C.can_carry(
        F.OMA_JSON, C.INSTANCE, "1.1"
    )
    assert C.can_carry(F.SENML_CBOR, C.ROOT, "1.1") and not C.can_carry(F.SENML_CBOR, C.ROOT, "1.0")
    assert C.can_carry(F.LWM2M_CBOR, C.INSTANCE, "1.2") and not C.can_carry(
        F.LWM2M_CBOR, C.INSTANCE, "1.1"
    )
    assert C.default_format("1.0", C.INSTANCE) == F.TLV
    assert C.default_format("1.1", C.OBJECT) == F.SENML_CBOR
    assert C.default_format("1.1", C.RESOURCE) == F.TEXT
    assert C.default_format("1.0", C.RESOURCE, opaque=True) == F.OPAQUE
    assert C.default_format("1.1", C.RESOURCE, multiple=True) == F.SENML_CBOR


def test_unknown_and_legacy_content_formats() -> None:
    raises(FormatError, F.decode, 9999, b"", (3, 0))
    raises(FormatError, F.decode, F.LINK, b"", (3, 0))
    assert F.canonical(1542) == F.TLV and F.canonical(F.TLV) == F.TLV


def test_tlv_refuses_ids_outside_16_bits() -> None:
    # Identifiers are 8 or 16 bits (OMA LwM2M 1.1.1 Core §7.4.3): larger ones must not
    # be truncated into another id.
    raises(FormatError, tlv.encode, [((1024, 0, 70000), 1)], (1024, 0))
    raises(FormatError, tlv.encode, [((1024, 70000, 1), 1)], (1024,))
    raises(FormatError, tlv.encode, [((1024, 0, 9, 70000), 1)], (1024, 0, 9))
    assert tlv.encode([((1024, 0, 65535), 1)], (1024, 0)) == b"\xe1\xff\xff\x01"


def test_tlv_refuses_out_of_range_ids_for_every_kind_of_value() -> None:
    # The encoder writes most values together with their header by one struct call
    # and leaves the id's range to the packer (MicroPython: to the packer's own check):
    # each kind of value goes through a different packer, so each is tried here, just
    # outside the 8-bit and the 16-bit form, as a resource and as a resource instance;
    # and -1, once the encoder's "none yet" mark, as an instance or resource id.
    values = [1, -200, 300, -40000, 70000, 1 << 40, 1.5, True, "short", "a longer text",
              "x" * 300, b"\x01\x02", (1, 2), 200]
    for value in values:
        for bad in (-1, 65536):
            raises(FormatError, tlv.encode, [((1024, 0, bad), value)], (1024, 0), type_of)
            raises(FormatError, tlv.encode, [((1024, 0, 9, bad), value)], (1024, 0, 9), type_of)
            raises(FormatError, tlv.encode, [((1024, bad, 1), value)], (1024,), type_of)
            raises(FormatError, tlv.encode, [((1024, 0, bad, 0), value)], (1024, 0), type_of)
            raises(FormatError, tlv.encode, [((1024, 0, bad, 0), value)], (1024, 0, bad), type_of)
        for good in (255, 256, 65535):
            out = tlv.encode([((1024, 0, good), value)], (1024, 0), type_of)
            assert tlv.decode(out, (1024, 0))[0][0] == (1024, 0, good)


def test_tlv_container_headers_in_every_length_form() -> None:
    # Object Instance and Multiple Resource TLVs of 8- and 16-bit ids in each length
    # form (§7.4.3): bodies of 4 and 6 bytes (length in the type byte), 8 to 255 (one
    # length byte: 63 instances make a 252-byte body, 255 bytes with its header) and
    # 256 or more (two bytes).
    for iid in (0, 255, 256, 65535):
        for count in (1, 2, 62, 63, 64):
            records = [((1024, iid, 9, riid), 1000) for riid in range(count)]
            body = b"".join(
                [tlv.header(tlv.RESOURCE_INSTANCE, riid, 2) + b"\x03\xe8" for riid in range(count)]
            )
            inner = tlv.header(tlv.MULTIPLE_RESOURCE, 9, len(body)) + body
            assert tlv.encode(records, (1024, iid, 9), type_of) == inner
            out = tlv.encode(records, (1024,), type_of)
            assert out == tlv.header(tlv.OBJECT_INSTANCE, iid, len(inner)) + inner
            assert tlv.decode(out, (1024,), type_of) == records
