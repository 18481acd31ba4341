"""The DDF XML loader (CPython only): every registry file, a DDF of our own, bad input."""

import glob
import os
import xml.etree.ElementTree as ET

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from objects import types
from objects.ddf import DDFError, load_ddf, parse_ddf
from objects.definitions import OP_E, OP_NONE, OP_R, OP_RW, OP_W, Range
from objects.registry import Registry
from tests.support import shared_path

HERE = os.path.dirname(os.path.abspath(__file__))
GREENHOUSE = os.path.join(HERE, "ddf", "greenhouse.xml")
OMA_DIR = shared_path("vectors/oma")
NO_SHARED = "../shared/vectors/oma is absent: the OMA registry XML is not in this checkout"
OMA_FILES = (
    sorted(glob.glob(OMA_DIR + "/*.xml") + glob.glob(OMA_DIR + "/version_history/*.xml"))
    if OMA_DIR
    else [pytest.param("", marks=pytest.mark.skip(reason=NO_SHARED))]
)


def test_registry_files_are_present_or_the_reason_is_given() -> None:
    if OMA_DIR is None:
        pytest.skip(NO_SHARED)
    assert len(OMA_FILES) >= 40


def _file_id(path: str) -> str:
    return os.path.relpath(path, OMA_DIR) if OMA_DIR else "no-shared"


@pytest.mark.parametrize("path", OMA_FILES, ids=_file_id)
def test_every_registry_file_loads(path: str) -> None:
    [definition] = load_ddf(path)
    # An independent reading of the same file with ElementTree, element by element.
    obj = ET.parse(path).getroot().find("Object")
    assert obj is not None
    assert definition.id == int(obj.findtext("ObjectID", ""))
    assert definition.version == (obj.findtext("ObjectVersion") or "1.0").strip()
    items = obj.findall("Resources/Item")
    assert definition.resource_ids() == sorted(int(i.get("ID", "")) for i in items)
    for item in items:
        res = definition.resources[int(item.get("ID", ""))]
        assert res.name == (item.findtext("Name") or "").strip()
        assert res.type == types.BY_DDF_NAME[(item.findtext("Type") or "").strip()]
        assert res.multiple == ((item.findtext("MultipleInstances") or "").strip() == "Multiple")
        assert res.mandatory == ((item.findtext("Mandatory") or "").strip() == "Mandatory")
        assert res.units == (item.findtext("Units") or "").strip()


def test_a_loaded_registry_file_answers_type_of() -> None:
    if OMA_DIR is None:
        pytest.skip(NO_SHARED)
    registry = Registry(load_ddf(OMA_DIR + "/3.xml"))
    assert registry.type_of((3, 0, 13)) == types.TIME
    assert registry.type_of((3, 0, 11, 0)) == types.INTEGER
    assert registry.get(3) is not None and registry.get(3, "1.2") is registry.get(3)


def test_our_own_ddf() -> None:
    [d] = load_ddf(GREENHOUSE)
    assert (d.id, d.name, d.version, d.lwm2m_version) == (32769, "Greenhouse", "1.1", "1.1")
    assert d.multiple and not d.mandatory
    assert d.resource_ids() == list(range(12))
    r = d.resources
    assert [r[i].type for i in range(11)] == [
        types.STRING, types.FLOAT, types.INTEGER, types.STRING, types.NONE, types.UNSIGNED,
        types.BOOLEAN, types.OPAQUE, types.TIME, types.OBJLNK, types.CORELNK,
    ]
    assert [r[i].operations for i in (0, 1, 4, 7, 11)] == [OP_RW, OP_R, OP_E, OP_W, OP_NONE]
    assert r[0].mandatory and not r[2].mandatory and r[2].multiple and r[11].multiple
    assert r[0].range == Range(0, 16, None, True)
    assert r[1].range == Range(-40.5, 85) and r[1].units == "Cel"
    assert r[2].range == Range(0, 100)
    assert r[3].range == Range(None, None, ("open", "closed", "auto"))
    assert r[7].range == Range(None, None, (16, 32), True)
    assert r[11].range == Range(None, None, (1, 2, 5))
    # The ranges are checkable.
    assert r[0].check("bay 12") is None and r[0].check("x" * 17) is not None
    assert r[1].check(-40.5) is None and r[1].check(85.5) is not None
    assert r[3].check("auto") is None and r[3].check("shut") is not None
    assert r[7].check(b"k" * 32) is None and r[7].check(b"k" * 20) is not None


def _ddf(object_body: str, items: str = "") -> str:
    return (
        "<LWM2M><Object ObjectType='MODefinition'>%s<Resources>%s</Resources></Object></LWM2M>"
        % (object_body, items)
    )


HEAD = (
    "<Name>X</Name><ObjectID>40000</ObjectID><MultipleInstances>Single</MultipleInstances>"
    "<Mandatory>Optional</Mandatory>"
)
ITEM = (
    "<Item ID='1'><Name>A</Name><Operations>R</Operations>"
    "<MultipleInstances>Single</MultipleInstances><Mandatory>Optional</Mandatory>"
    "<Type>Integer</Type></Item>"
)


def test_a_minimal_document_without_versions_is_1_0() -> None:
    [d] = parse_ddf(_ddf(HEAD, ITEM))
    assert (d.id, d.version, d.lwm2m_version) == (40000, "1.0", "1.0")
    assert d.resources[1].range is None and d.resources[1].units == ""


@pytest.mark.parametrize(
    ("document", "words"),
    [
        ("<LWM2M><Object>", ["not well-formed XML"]),
        ("", ["not well-formed XML"]),
        ("<Other/>", ["<LWM2M>"]),
        ("<LWM2M/>", ["no <Object>"]),
        (_ddf(HEAD.replace("<Name>X</Name>", "")), ["<Object> 40000", "missing <Name>"]),
        (_ddf(HEAD.replace("<ObjectID>40000</ObjectID>", "")), ["missing <ObjectID>"]),
        (_ddf(HEAD.replace("40000", "70000")), ["ObjectID", "70000"]),
        (_ddf(HEAD.replace("Single", "Many")), ["<MultipleInstances>", "'Many'"]),
        (_ddf(HEAD.replace("Optional", "Maybe")), ["<Mandatory>", "'Maybe'"]),
        ("<LWM2M><Object>%s</Object></LWM2M>" % HEAD, ["missing <Resources>"]),
        (_ddf(HEAD, ITEM.replace("<Type>Integer</Type>", "")), ["<Item ID=1>", "missing <Type>"]),
        (_ddf(HEAD, ITEM.replace("Integer", "Int")), ["<Item ID=1>", "'Int'"]),
        (_ddf(HEAD, ITEM.replace(">R<", ">RX<")), ["<Operations>", "'RX'"]),
        (_ddf(HEAD, ITEM.replace("ID='1'", "ID='x'")), ["Item ID", "'x'"]),
        (_ddf(HEAD, ITEM.replace("ID='1'", "")), ["Item ID"]),
        (_ddf(HEAD, ITEM.replace("ID='1'", "ID='\u00b2'")), ["Item ID"]),
        (_ddf(HEAD.replace("40000", "4" * 5000)), ["ObjectID"]),
        (_ddf(HEAD, ITEM + ITEM), ["<Object> 40000", "resource 1 defined twice"]),
        (_ddf(HEAD, ITEM.replace("<Name>A</Name>", "")), ["<Item ID=1>", "missing <Name>"]),
    ],
)
def test_bad_documents_name_the_file_and_element(document: str, words: list[str]) -> None:
    with pytest.raises(DDFError) as info:
        parse_ddf(document, "bad.xml")
    text = str(info.value)
    assert text.startswith("bad.xml"), text
    for word in words:
        assert word in text, text


def test_a_missing_file_is_a_ddf_error(tmp_path: "os.PathLike[str]") -> None:
    missing = os.path.join(os.fspath(tmp_path), "none.xml")
    with pytest.raises(DDFError, match=r"none\.xml: cannot read"):
        load_ddf(missing)
    broken = os.path.join(os.fspath(tmp_path), "broken.xml")
    with open(broken, "w") as fh:
        fh.write("<LWM2M><Object><Name>")
    with pytest.raises(DDFError, match=r"broken\.xml: not well-formed XML: .*line 1"):
        load_ddf(broken)


with open(GREENHOUSE, "rb") as _fh:
    GREENHOUSE_BYTES = _fh.read()


@settings(max_examples=300, deadline=None)
@given(st.data())
def test_damaged_documents_raise_only_ddf_errors(data: st.DataObject) -> None:
    document = bytearray(GREENHOUSE_BYTES)
    for _ in range(data.draw(st.integers(1, 4))):
        start = data.draw(st.integers(0, len(document)))
        end = data.draw(st.integers(start, min(len(document), start + 40)))
        document[start:end] = data.draw(st.binary(max_size=12))
    try:
        definitions = parse_ddf(bytes(document), "damaged.xml")
    except DDFError as exc:
        assert str(exc).startswith("damaged.xml")
    else:
        assert all(d.resources is not None for d in definitions)


def test_huge_and_odd_numbers_in_ranges_are_not_checkable() -> None:
    [d] = parse_ddf(_ddf(HEAD, ITEM.replace("<Type>Integer</Type>", "<Type>Integer</Type>"
                                            "<RangeEnumeration>0..%s</RangeEnumeration>"
                                            % ("9" * 5000))))
    assert d.resources[1].range is None
    [d] = parse_ddf(_ddf(HEAD, ITEM.replace("<Type>Integer</Type>", "<Type>Integer</Type>"
                                            "<RangeEnumeration>\u00b2..3</RangeEnumeration>")))
    assert d.resources[1].range is None


def test_unknown_encoding_in_the_declaration_is_a_ddf_error() -> None:
    # Found by the damaged-documents property: ElementTree raises LookupError here.
    with pytest.raises(DDFError, match="not well-formed"):
        parse_ddf(b'<?xml version="1.0" encoding="Autf-8"?><LWM2M/>', "bad.xml")
