"""``bootstrap.ini``: the factory bootstrap, one JSON document per object instance.

spec/bg96.md: a sequence of JSON documents in the LwM2M 1.0 JSON shape (``bn`` base
name such as ``"/0/1/"``, ``e`` entries with ``n`` and one of ``v`` / ``bv`` / ``ov`` /
``sv``), usually instances of Security (0), Server (1) and Access Control (2). Each
document is decoded with the OMA-JSON codec (so the values get their resource types
from the object definitions) and every value is checked against its definition.
Errors name the file, the line of the document (or of the entry when it can be found)
and the path.
"""

from lwm2m.config.errors import ConfigError
from lwm2m.config.text import line_of
from lwm2m.errors import FormatError
from lwm2m.formats import oma_json
from objects.path import format_path
from objects.registry import get_definition, type_of

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any


class BootstrapInstance:
    """One object instance of the factory bootstrap: ``records`` are absolute
    ``(path, value)`` pairs under ``(oid, iid)``; ``line`` is where its document starts."""

    __slots__ = ("iid", "line", "oid", "records")

    def __init__(self, oid: int, iid: int, records: "list[tuple[tuple[int, ...], Any]]",
                 line: int) -> None:
        self.oid = oid
        self.iid = iid
        self.records = records
        self.line = line

    def value(self, rid: int, default: "Any" = None) -> "Any":
        """The value of single resource ``rid``, or ``default``."""
        for path, value in self.records:
            if path == (self.oid, self.iid, rid):
                return value
        return default

    def __repr__(self) -> str:
        return "BootstrapInstance(/%d/%d, %d records)" % (self.oid, self.iid, len(self.records))


def split_documents(text: str, file: str) -> "list[tuple[int, str]]":
    """The top-level ``{...}`` documents of ``text`` with their offsets. Between documents
    only white space and commas may stand; strings may hold braces."""
    docs = []
    depth = 0
    start = -1
    in_string = False
    escaped = False
    for i, ch in enumerate(text):
        if in_string:
            if escaped:
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == '"':
                in_string = False
            continue
        if ch == '"':
            if depth == 0:
                raise ConfigError("text outside a JSON document", file, line_of(text, i))
            in_string = True
        elif ch == "{":
            if depth == 0:
                start = i
            depth += 1
        elif ch == "}":
            if depth == 0:
                raise ConfigError("'}' closes no document", file, line_of(text, i))
            depth -= 1
            if depth == 0:
                docs.append((start, text[start : i + 1]))
        elif depth == 0 and ch not in " \t\r\n,":
            raise ConfigError("text outside a JSON document: %r" % ch, file, line_of(text, i))
    if depth:
        raise ConfigError("the document opened here is never closed", file, line_of(text, start))
    return docs


def parse_bootstrap_ini(text: str, file: str = "bootstrap.ini") -> "list[BootstrapInstance]":
    """Parse and check ``bootstrap.ini`` text; instances in file order."""
    out = []
    seen: "dict[tuple[int, ...], int]" = {}
    for offset, doc in split_documents(text, file):
        line = line_of(text, offset)
        try:
            records = oma_json.decode(doc.encode(), None, type_of)
        except FormatError as exc:
            raise ConfigError("not a valid LwM2M JSON instance: %s" % exc, file, line) from None
        if not records:
            raise ConfigError("the document has no entries", file, line)
        target = records[0][0][:2]
        if len(target) < 2:
            raise ConfigError("entries must name resources of one object instance "
                              "(bn like \"/0/1/\")", file, line)
        for path, value in records:
            entry_line = _entry_line(text, offset, doc, path, line)
            where = format_path(path)
            if len(path) < 3 or path[:2] != target:
                raise ConfigError("all entries of a document must lie in %s"
                                  % format_path(target), file, entry_line, where)
            problem = _check(path, value)
            if problem:
                raise ConfigError(problem, file, entry_line, where)
        if target in seen:
            raise ConfigError("%s is defined twice (first on line %d)"
                              % (format_path(target), seen[target]), file, line)
        seen[target] = line
        out.append(BootstrapInstance(target[0], target[1], records, line))
    return out


def _check(path: "tuple[int, ...]", value: "Any") -> "str | None":
    definition = get_definition(path[0])
    if definition is None:
        return None  # an object we have no definition for: its values stay as decoded
    resource = definition.resource(path[2])
    if resource is None:
        return "object %d (%s) has no resource %d" % (path[0], definition.name, path[2])
    if len(path) == 4 and not resource.multiple:
        return "resource %d (%s) has no instances" % (path[2], resource.name)
    return resource.check(value)


def _entry_line(text: str, offset: int, doc: str, path: "tuple[int, ...]", line: int) -> int:
    # The entry's "n" is the path below the document's base name; find it to point at
    # the right line. Failing that, the document's first line will do.
    name = "/".join([str(i) for i in path[2:]])
    for quote in ('"n":"%s"', '"n": "%s"'):
        found = doc.find(quote % name)
        if found >= 0:
            return line_of(text, offset + found)
    return line
