"""The project's own definition tables against the OMA registry's DDF XML (CPython only).

Each table is compared with the registry file of the same object version
(``../shared/vectors/oma/version_history/<id>-<major>_<minor>.xml``), read here with
ElementTree directly, not through ``objects.ddf``, so the check is independent of the
loader. Skips when the checkout has no ``../shared`` beside it (CI has it).
"""

import xml.etree.ElementTree as ET

import pytest

from objects import standard, types
from objects.definitions import ObjectDefinition, parse_operations, parse_range
from tests.support import shared_path

OMA_DIR = shared_path("vectors/oma/version_history")

# Where the tables knowingly differ from the registry text (and why).
UNITS_DEVIATIONS = {
    # The 1.1 file gives units "s" to two enumerations (Core §E.1 has no units there).
    (0, "1.1", 13),
    (0, "1.1", 15),
}


def _xml_path(definition: ObjectDefinition) -> str:
    if OMA_DIR is None:
        pytest.skip("../shared/vectors/oma is absent: the OMA registry XML is not in this checkout")
    name = "%d-%s.xml" % (definition.id, definition.version.replace(".", "_"))
    path = shared_path("vectors/oma/version_history/" + name)
    assert path is not None, "no registry file %s for %r" % (name, definition)
    return path


def _text(element: ET.Element, tag: str) -> str:
    return (element.findtext(tag) or "").strip()


def _words(text: str) -> str:
    return " ".join(text.split()).lower()


@pytest.mark.parametrize(("oid", "version"), standard.ALL, ids=lambda v: str(v))
def test_table_matches_the_registry_file(oid: int, version: str) -> None:
    definition = standard.definition(oid, version)
    root = ET.parse(_xml_path(definition)).getroot()
    obj = root.find("Object")
    assert obj is not None
    assert int(_text(obj, "ObjectID")) == definition.id
    assert _words(_text(obj, "Name")) == _words(definition.name)
    assert (_text(obj, "ObjectVersion") or "1.0") == definition.version
    assert (_text(obj, "LWM2MVersion") or "1.0") == definition.lwm2m_version
    assert _text(obj, "MultipleInstances") == ("Multiple" if definition.multiple else "Single")
    assert _text(obj, "Mandatory") == ("Mandatory" if definition.mandatory else "Optional")

    items = {int(item.get("ID", "")): item for item in obj.iter("Item")}
    assert sorted(items) == definition.resource_ids()
    for rid, item in items.items():
        res = definition.resources[rid]
        where = "/%d v%s resource %d" % (definition.id, definition.version, rid)
        assert _words(_text(item, "Name")) == _words(res.name), where
        assert types.BY_DDF_NAME[_text(item, "Type")] == res.type, where
        assert parse_operations(_text(item, "Operations")) == res.operations, where
        assert _text(item, "MultipleInstances") == ("Multiple" if res.multiple else "Single"), where
        assert _text(item, "Mandatory") == ("Mandatory" if res.mandatory else "Optional"), where
        if (definition.id, definition.version, rid) not in UNITS_DEVIATIONS:
            assert _text(item, "Units") == res.units, where
        # Where the registry's range text is checkable, it must mean what the table says.
        registry_range = parse_range(_text(item, "RangeEnumeration"), res.type)
        if registry_range is not None:
            assert registry_range == res.range, where


def test_every_standard_object_has_a_table() -> None:
    ids = {oid for oid, _ in standard.DEFAULTS}
    assert ids == {0, 1, 2, 3, 4, 5, 6, 7, 9, 15, 19, 10250}
    versions = set(standard.ALL)
    assert {(0, "1.0"), (0, "1.1"), (1, "1.0"), (1, "1.1")} <= versions
