"""Every entry of tests/vectors/lwm2m_vectors.json against the codecs (also under
MicroPython): decode to the vector's value, encode byte-exact where its direction
says so, refuse ``expect: error``.

Encodings that are one implementation's layout choice, not the format's, are listed
in ENCODE_LAYOUT with the reason; for them the test checks that our encoding decodes
back to the same records instead.
"""

import json

from lwm2m import FormatError
from lwm2m import formats as F
from lwm2m.formats import link, tlv
from lwm2m.formats.values import parse_objlnk
from objects import types as T
from tests.lwm2m import vector_records as V
from tests.support import load_vectors, raises

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any


VECTORS = load_vectors("lwm2m_vectors.json")["vectors"]

ENCODE_LAYOUT = {
    # Leshan writes bt as a CBOR tag-4 decimal fraction and a bn on every record.
    "senml-cbor-timestamped-nodes-leshan": "bt as tag 4, bn per record",
    # One bn per record: the server's choice for a composite answer.
    "senml-json-mixed-composite": "bn per record",
}


def _vectors(*formats: str) -> "list[dict[str, Any]]":
    return [v for v in VECTORS if v["format"] in formats]


def _fail(failures: "list[str]") -> None:
    assert not failures, "\n".join(failures)


def test_every_vector_is_covered() -> None:
    covered = {
        "TLV",
        "TLV-value",
        "text",
        "SenML-JSON",
        "SenML-CBOR",
        "LWM2M-JSON",
        "link",
        "execute-args",
    }
    assert {v["format"] for v in VECTORS} <= covered


def test_tlv_vectors() -> None:
    failures = []
    for v in _vectors("TLV"):
        data = bytes.fromhex(v["hex"])
        if v["value"]["kind"] == "tlv_header":
            want = v["value"]
            kind, ident, start, stop = tlv.parse_header(data, 0, len(data))
            assert tlv.KIND_NAMES[kind].replace(" ", "_") == want["type"], v["id"]
            assert (ident, start, stop - start, stop) == (
                want["id"],
                want["value_offset"],
                want["length"],
                want["total"],
            )
            continue
        base = V.base_of(v)
        assert base is not None, v["id"]
        records, types = V.records_of(v["value"], base)
        type_of = V.resolver(types)
        got = F.decode(v["content_format"], data, base, type_of)
        if got != records:
            failures.append("%s decode: %r != %r" % (v["id"], got, records))
        if "legacy_content_format" in v:
            assert F.decode(v["legacy_content_format"], data, base, type_of) == got
        if v["direction"] in ("both", "encode"):
            out = F.encode(F.TLV, records, base, type_of)
            if out != data:
                failures.append("%s encode: %s != %s" % (v["id"], out.hex(), v["hex"]))
    _fail(failures)


def test_tlv_value_vectors() -> None:
    for v in _vectors("TLV-value"):
        for item in v["value"]:
            raw = bytes.fromhex(item["hex"])
            if "objlnk" in item:
                assert tlv.decode_value(raw, 0, len(raw), T.OBJLNK) == parse_objlnk(item["objlnk"])
                assert (
                    tlv.encode_value(parse_objlnk(item["objlnk"]), (1, 0, 0), V.resolver({})) == raw
                )
            elif "int" in item:
                assert tlv.decode_value(raw, 0, len(raw), T.INTEGER) == item["int"], item
                assert tlv.encode_int(item["int"], False) == raw, item
            elif "bool" in item:
                assert tlv.decode_value(raw, 0, len(raw), T.BOOLEAN) is item["bool"]
                assert tlv.encode_value(item["bool"], (1, 0, 0), V.resolver({})) == raw


def test_text_vectors() -> None:
    for v in _vectors("text"):
        base = V.base_of(v)
        assert base is not None
        data = bytes.fromhex(v["hex"])
        value = v["value"]
        if v.get("expect") == "error":
            if v["direction"] == "decode":
                raises(FormatError, F.decode, F.TEXT, data, base, V.resolver({base[2]: T.OPAQUE}))
            else:
                records, types = V.records_of(value, base[:2])
                raises(FormatError, F.encode, F.TEXT, records, base, V.resolver(types))
            continue
        type_of = V.resolver({value["id"]: T.BY_NAME[value["type"]]})
        want = V.typed(value["type"], value["value"])
        assert F.decode(F.TEXT, data, base, type_of) == [(base, want)], v["id"]
        assert F.decode(v["legacy_content_format"], data, base, type_of) == [(base, want)]
        assert F.encode(F.TEXT, [(base, want)], base, type_of) == data, v["id"]


def _senml_check(v: "dict[str, Any]", fmt: int, failures: "list[str]") -> None:
    data = bytes.fromhex(v["hex"])
    base = V.base_of(v)
    if v.get("expect") == "error":
        try:
            F.decode(fmt, data, base)
        except FormatError:
            return
        failures.append("%s: accepted" % v["id"])
        return
    want = V.senml_records(v["value"])
    if v["direction"] in ("both", "decode"):
        groups = F.decode_timed(fmt, data, base)
        got = [(t, p, x) for t, recs in groups for p, x in recs]
        # RFC 8428 §4.6: bt applies to every later record; the vectors give a time only
        # to records that carry bt or t themselves, so compare times where they do.
        for i in range(min(len(got), len(want))):
            if want[i][0] is None:
                got[i] = (None, got[i][1], got[i][2])
        if got != want:
            failures.append("%s decode: %r != %r" % (v["id"], got, want))
        plain = F.decode(fmt, data, base)
        if plain != [(p, x) for _, p, x in want]:
            failures.append("%s decode (untimed): %r" % (v["id"], plain))
    if v["direction"] in ("both", "encode"):
        records = [(p, x) for _, p, x in want]
        out = F.encode(fmt, records, base)
        if v["id"] in ENCODE_LAYOUT:
            if F.decode(fmt, out, base) != records:
                failures.append("%s: our layout does not decode back" % v["id"])
        elif fmt == F.SENML_JSON and any(c in v["text"] for c in " \n\t"):
            # The vector's text has cosmetic whitespace: compare the JSON values.
            if json.loads(out) != json.loads(v["text"]):
                failures.append("%s encode: %r" % (v["id"], out))
        elif out != data:
            failures.append("%s encode: %s != %s" % (v["id"], out.hex(), v["hex"]))


def test_senml_json_vectors() -> None:
    failures: list[str] = []
    for v in _vectors("SenML-JSON"):
        _senml_check(v, F.SENML_JSON, failures)
    _fail(failures)


def test_senml_cbor_vectors() -> None:
    failures: list[str] = []
    for v in _vectors("SenML-CBOR"):
        _senml_check(v, F.SENML_CBOR, failures)
    _fail(failures)


def test_oma_json_vectors() -> None:
    for v in _vectors("LWM2M-JSON"):
        data = bytes.fromhex(v["hex"])
        base = V.base_of(v)
        assert base is not None
        value = v["value"]
        if value["kind"] == "timestamped_values":
            groups = F.decode_timed(F.OMA_JSON, data, base)
            got = sorted((t, x) for t, recs in groups for p, x in recs if p == base)
            want = sorted((r["time"], r["value"]) for r in value["resolved"])
            assert got == want, (got, want)
            continue
        records, types = V.records_of(value, base)
        type_of = V.resolver(types)
        assert F.decode(F.OMA_JSON, data, base, type_of) == records
        assert F.decode(v["legacy_content_format"], data, base, type_of) == records
        assert F.encode(F.OMA_JSON, records, base, type_of) == data


def _canonical(text: str) -> bool:
    return ", " not in text and text == text.strip()


def test_link_vectors() -> None:
    for v in _vectors("link"):
        data = bytes.fromhex(v["hex"])
        links = link.parse(data)
        assert links, v["id"]
        assert len(links) == v["text"].count("<"), v["id"]
        out = link.build(links)
        assert link.parse(out) == links, v["id"]
        if _canonical(v["text"]):
            assert out == data, (v["id"], out)


def test_link_attributes_are_typed() -> None:
    links = link.parse(
        b'</3/0/7>;dim=8;pmin=10;pmax=60;gt=50;lt=42.2,</>;rt="oma.lwm2m";ct="60 110"'
    )
    assert links[0].path == (3, 0, 7)
    assert links[0].attrs == [("dim", 8), ("pmin", 10), ("pmax", 60), ("gt", 50), ("lt", 42.2)]
    assert (
        links[1].path == () and links[1].get("rt") == "oma.lwm2m" and links[1].get("ct") == "60 110"
    )


def test_register_links() -> None:
    out = link.build(link.register_links([(6, "2.0", [0, 1])], root="/"))
    assert out == b'</>;rt="oma.lwm2m",</6>;ver=2.0,</6/0>,</6/1>'
    out = link.build(link.register_links([(1, None, [0, 1]), (5, None, [])], root=None))
    assert out == b"</1/0>,</1/1>,</5>"
    out = link.build(link.register_links([(3, "1.1", [0])], content_formats=[110, 112]))
    assert out == b'</>;rt="oma.lwm2m";ct="110 112",</3>;ver=1.1,</3/0>'


def test_execute_argument_vectors() -> None:
    # Execute arguments belong to the objects layer (objects.execute); the vectors sit
    # in the same file as the formats', so they are checked here too.
    from objects.execute import parse_execute_arguments

    for v in _vectors("execute-args"):
        for item in v["value"]:
            want = {a["digit"]: a.get("value") for a in item["args"]}
            assert parse_execute_arguments(item["text"].encode()) == want, item
