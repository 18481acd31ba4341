"""Load object definitions from OMA DDF XML at run time (CPython only).

The registry's object files (schema LWM2M.xsd / LWM2M-v1_1.xsd) hold an ``<LWM2M>``
root with one or more ``<Object>`` elements. This module uses ``xml.etree`` from the
standard library, which MicroPython lacks: the rest of ``objects`` never imports it.

Every problem raises ``DDFError`` naming the file, the object and the element.
"""

import xml.etree.ElementTree as ET

from objects import types
from objects.definitions import ObjectDefinition, ResourceDefinition, parse_operations


class DDFError(ValueError):
    """A DDF file that is not well-formed XML or lacks / misstates a required element."""


def _text(element: ET.Element, tag: str, where: str, required: bool = True) -> str:
    child = element.find(tag)
    if child is None:
        if required:
            raise DDFError("%s: missing <%s>" % (where, tag))
        return ""
    return (child.text or "").strip()


def _choice(text: str, choices: "dict[str, bool]", tag: str, where: str) -> bool:
    if text not in choices:
        raise DDFError(
            "%s: <%s> is %r, expected one of %s" % (where, tag, text, ", ".join(sorted(choices)))
        )
    return choices[text]


_MULTIPLE = {"Single": False, "Multiple": True}
_MANDATORY = {"Optional": False, "Mandatory": True}


def _id(text: str, tag: str, where: str) -> int:
    if not (text.isascii() and text.isdigit() and len(text) <= 5) or int(text) > types.MAX_ID:
        raise DDFError("%s: %s %r is not an id in 0..65535" % (where, tag, text))
    return int(text)


def _resource(item: ET.Element, where: str) -> ResourceDefinition:
    rid = _id((item.get("ID") or "").strip(), "Item ID", where)
    where = "%s <Item ID=%d>" % (where, rid)
    name = _text(item, "Name", where)
    ops_text = _text(item, "Operations", where)
    try:
        operations = parse_operations(ops_text)
    except ValueError:
        raise DDFError("%s: <Operations> is %r, expected R, W, RW, E or empty"
                       % (where, ops_text)) from None
    multiple = _choice(_text(item, "MultipleInstances", where), _MULTIPLE, "MultipleInstances",
                       where)
    mandatory = _choice(_text(item, "Mandatory", where), _MANDATORY, "Mandatory", where)
    type_text = _text(item, "Type", where)
    rtype = types.BY_DDF_NAME.get(type_text)
    if rtype is None:
        raise DDFError("%s: <Type> %r is not a LwM2M data type" % (where, type_text))
    range_text = _text(item, "RangeEnumeration", where, required=False)
    units = _text(item, "Units", where, required=False)
    try:
        return ResourceDefinition(
            rid, name, operations, rtype, multiple, mandatory, range_text, units
        )
    except ValueError as exc:
        raise DDFError("%s: %s" % (where, exc)) from None


def _object(obj: ET.Element, where: str) -> ObjectDefinition:
    oid = _id(_text(obj, "ObjectID", where), "<ObjectID>", where)
    where = "%s <Object> %d" % (where, oid)
    name = _text(obj, "Name", where)
    # LWM2M.xsd (1.0) has no version elements: such objects are 1.0 for LwM2M 1.0.
    version = _text(obj, "ObjectVersion", where, required=False) or "1.0"
    lwm2m_version = _text(obj, "LWM2MVersion", where, required=False) or "1.0"
    multiple = _choice(_text(obj, "MultipleInstances", where), _MULTIPLE, "MultipleInstances",
                       where)
    mandatory = _choice(_text(obj, "Mandatory", where), _MANDATORY, "Mandatory", where)
    resources_element = obj.find("Resources")
    if resources_element is None:
        raise DDFError("%s: missing <Resources>" % where)
    resources = [_resource(item, where) for item in resources_element.findall("Item")]
    try:
        return ObjectDefinition(oid, name, version, lwm2m_version, multiple, mandatory, resources)
    except ValueError as exc:
        raise DDFError("%s: %s" % (where, exc)) from None


def parse_ddf(data: "bytes | str", filename: str = "<ddf>") -> "list[ObjectDefinition]":
    """The object definitions in a DDF document; ``filename`` names it in errors."""
    try:
        root = ET.fromstring(data)
    # A damaged XML declaration can name an encoding that does not exist: LookupError.
    except (ET.ParseError, LookupError) as exc:
        raise DDFError("%s: not well-formed XML: %s" % (filename, exc)) from None
    if root.tag != "LWM2M":
        raise DDFError("%s: root element is <%s>, expected <LWM2M>" % (filename, root.tag))
    objects = root.findall("Object")
    if not objects:
        raise DDFError("%s: <LWM2M> holds no <Object>" % filename)
    return [_object(obj, filename) for obj in objects]


def load_ddf(path: str) -> "list[ObjectDefinition]":
    """The object definitions in the DDF file at ``path``."""
    try:
        with open(path, "rb") as fh:
            data = fh.read()
    except OSError as exc:
        raise DDFError("%s: cannot read: %s" % (path, exc.strerror or exc)) from None
    return parse_ddf(data, path)
