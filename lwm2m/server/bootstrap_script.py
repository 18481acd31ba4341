"""What the bootstrap server does to each client, described as data (a dict or JSON).

OMA LwM2M 1.1.1 Core §6.1: after a Bootstrap-Request (POST ``/bs?ep=..``) the
bootstrap server may Bootstrap-Discover, -Read (1.1), -Delete and -Write, and ends with
Bootstrap-Finish. A script lists those steps per endpoint name; ``"*"`` is the script
for endpoints without their own. Shape::

    {
      "urn:imei:490154203237518": {
        "format": "tlv",                       # or senml-json, senml-cbor, lwm2m-cbor
        "discover": true,                      # Bootstrap-Discover / first
        "delete": ["/0", "/1"],
        "write": {
          "/0/1": {"0": "coaps://127.0.0.1:5684", "1": false, "2": 0,
                   "3": "ep1", "5": {"hex": "000102030405060708090a0b0c0d0e0f"}, "10": 1},
          "/1/0": {"0": 1, "1": 300, "6": false, "7": "U"}
        }
      },
      "*": {"steps": [{"op": "delete", "path": "/"}, {"op": "write", "path": "/1/0", ...}]}
    }

Without ``steps`` the order is discover, read, delete, write (in the order the JSON
file gives the paths; MicroPython dicts keep no order, so use ``steps`` there). A value is a
JSON string, number or boolean; ``{"hex": ".."}`` is opaque bytes; ``{"objlnk": [3, 0]}``
an object link; an object of numeric keys is a multi-instance resource. Strings given
for opaque resources (the PSK identity /0/x/3) become their UTF-8 bytes. Everything is
checked when the script is loaded: :class:`BootstrapScriptError` names the endpoint,
the step and what is wrong.
"""

import binascii
import json

from objects.path import PathError, format_path, parse_path
from objects.registry import type_of as standard_type_of
from objects.types import BOOLEAN, FLOAT, INTEGER, NAMES, OPAQUE, TIME, UNSIGNED

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any

    Path = tuple[int, ...]
    Value = str | int | float | bool | bytes | tuple[int, int]
    Record = tuple[Path, Value]

DISCOVER = "discover"
READ = "read"
DELETE = "delete"
WRITE = "write"
OPS = (DISCOVER, READ, DELETE, WRITE)

# Content-format numbers (IANA CoAP Content-Formats registry); names as the CLI spells them.
FORMATS = {
    "tlv": 11542,
    "senml-json": 110,
    "senml-cbor": 112,
    "lwm2m-cbor": 11544,
    "oma-json": 11543,
}
DEFAULT_FORMAT = 11542  # TLV: every 1.0 and 1.1 client can decode it


class BootstrapScriptError(ValueError):
    """A bootstrap script that cannot run; ``str()`` says where and why."""


class Step:
    """One bootstrap operation: ``op`` (discover, read, delete, write), the target
    ``path`` (a tuple, ``()`` for ``/``) and, for a write, its ``records``."""

    __slots__ = ("op", "path", "records")

    def __init__(self, op: str, path: "Path", records: "list[Record] | None" = None) -> None:
        self.op = op
        self.path = path
        self.records: "list[Record]" = records or []

    def __repr__(self) -> str:
        extra = " %d records" % len(self.records) if self.op == WRITE else ""
        return "<Step %s %s%s>" % (self.op, format_path(self.path), extra)


class BootstrapConfig:
    """The steps for one endpoint and the content format its writes use."""

    __slots__ = ("content_format", "steps")

    def __init__(self, steps: "list[Step]", content_format: int = DEFAULT_FORMAT) -> None:
        self.steps = steps
        self.content_format = content_format


class BootstrapScript:
    """Per-endpoint :class:`BootstrapConfig` with an optional ``"*"`` default."""

    __slots__ = ("configs",)

    def __init__(self, configs: "dict[str, BootstrapConfig] | None" = None) -> None:
        self.configs: "dict[str, BootstrapConfig]" = configs or {}

    def for_endpoint(self, endpoint: str) -> "BootstrapConfig | None":
        """The config of ``endpoint``, else the ``"*"`` one, else None (4.04 / refuse)."""
        config = self.configs.get(endpoint)
        return config if config is not None else self.configs.get("*")


def _fail(where: str, what: str) -> "BootstrapScriptError":
    return BootstrapScriptError("%s: %s" % (where, what))


def _path(where: str, text: "Any") -> "Path":
    if not isinstance(text, str):
        raise _fail(where, "a path must be a string like \"/0/1\", got %r" % (text,))
    try:
        return parse_path(text)
    except PathError as exc:
        raise _fail(where, str(exc)) from None


def _value(where: str, raw: "Any", rtype: "int | None") -> "Value":
    if isinstance(raw, bool):
        if rtype is not None and rtype != BOOLEAN:
            raise _fail(where, "%r is not a %s" % (raw, NAMES.get(rtype, rtype)))
        return raw
    if isinstance(raw, (int, float, str)) and rtype == BOOLEAN:
        raise _fail(where, "%r is not a boolean (use true or false)" % (raw,))
    if isinstance(raw, str) and rtype in (INTEGER, UNSIGNED, TIME, FLOAT):
        raise _fail(where, "%r is not a number" % (raw,))
    if isinstance(raw, int):
        if rtype == FLOAT:
            return float(raw)
        return raw
    if isinstance(raw, float):
        if rtype in (INTEGER, UNSIGNED):
            raise _fail(where, "%r is not a whole number" % raw)
        return raw
    if isinstance(raw, str):
        if rtype == OPAQUE:
            return raw.encode()
        return raw
    if isinstance(raw, dict) and len(raw) == 1 and "hex" in raw:
        text = raw["hex"]
        try:
            if not isinstance(text, str) or len(text) % 2:
                raise ValueError
            return binascii.unhexlify(text)
        except ValueError:
            raise _fail(where, "hex value %r is not pairs of hex digits" % (text,)) from None
    if isinstance(raw, dict) and len(raw) == 1 and "objlnk" in raw:
        link = raw["objlnk"]
        if (
            isinstance(link, list) and len(link) == 2
            and all(type(i) is int and 0 <= i <= 65535 for i in link)
        ):
            return (link[0], link[1])
        raise _fail(where, "objlnk must be [object id, instance id], got %r" % (link,))
    raise _fail(where, "cannot write %r (use a string, number, boolean, {\"hex\": ..} "
                       "or {\"objlnk\": [oid, iid]})" % (raw,))


def _id(where: str, key: str) -> int:
    if not isinstance(key, str) or not key.isdigit() or int(key) > 65535:
        raise _fail(where, "%r is not a resource id" % (key,))
    return int(key)


def _records(
    where: str, path: "Path", body: "Any", type_of: "Callable[[Path], int | None]"
) -> "list[Record]":
    """The records of one write: a value (resource / resource-instance path), a dict of
    resources (instance path), or a dict of instances of resources (object path)."""
    out: "list[Record]" = []
    if len(path) >= 3:
        rtype = type_of(path[:3])
        if isinstance(body, dict) and body and all(str(k).isdigit() for k in body):
            if len(path) == 4:
                raise _fail(where, "a resource instance takes one value")
            for key in sorted(body, key=lambda k: _id(where, k)):
                out.append((path + (_id(where, key),), _value(where, body[key], rtype)))
        else:
            out.append((path, _value(where, body, rtype)))
        return out
    if not isinstance(body, dict) or not body:
        raise _fail(where, "expected an object of resources/instances, got %r" % (body,))
    for key in sorted(body, key=lambda k: _id(where, k)):
        out.extend(_records(where + " " + key, path + (_id(where, key),), body[key], type_of))
    return out


def _config(where: str, raw: "Any", type_of: "Callable[[Path], int | None]") -> BootstrapConfig:
    if not isinstance(raw, dict):
        raise _fail(where, "expected an object, got %r" % (raw,))
    known = ("format", "discover", "read", "delete", "write", "steps")
    for key in raw:
        if key not in known:
            raise _fail(where, "unknown key %r (known: %s)" % (key, ", ".join(known)))
    fmt_name = raw.get("format", "tlv")
    if fmt_name not in FORMATS:
        raise _fail(where, "format %r is not one of %s" % (fmt_name, ", ".join(FORMATS)))
    steps: "list[Step]" = []
    if "steps" in raw:
        for key in ("discover", "read", "delete", "write"):
            if key in raw:
                raise _fail(where, "give either 'steps' or %r, not both" % key)
        items = raw["steps"]
        if not isinstance(items, list):
            raise _fail(where, "steps must be a list")
        for n, item in enumerate(items):
            at = "%s step %d" % (where, n + 1)
            if not isinstance(item, dict) or item.get("op") not in OPS:
                raise _fail(at, "expected {\"op\": one of %s, \"path\": ..}" % ", ".join(OPS))
            op = item["op"]
            path = _path(at, item.get("path", "/"))
            if op == WRITE:
                if not path:
                    raise _fail(at, "a Bootstrap-Write needs an object or deeper path")
                if "values" not in item:
                    raise _fail(at, "a write needs \"values\"")
                steps.append(Step(op, path, _records(at, path, item["values"], type_of)))
            else:
                if len(path) > (1 if op == DISCOVER else 2):
                    raise _fail(at, "%s takes / or a shorter path" % op)
                steps.append(Step(op, path))
        return BootstrapConfig(steps, FORMATS[fmt_name])
    discover = raw.get("discover", False)
    if discover is True:
        steps.append(Step(DISCOVER, ()))
    elif discover is not False:
        steps.append(Step(DISCOVER, _path(where + " discover", discover)))
    for key in (READ, DELETE):
        paths = raw.get(key, [])
        if not isinstance(paths, list):
            raise _fail(where, "%s must be a list of paths" % key)
        for text in paths:
            path = _path(where + " " + key, text)
            if len(path) > 2:
                raise _fail(where + " " + key, "%s takes / or an object or instance path" % key)
            steps.append(Step(key, path))
    writes = raw.get("write", {})
    if not isinstance(writes, dict):
        raise _fail(where, "write must be an object of path -> values")
    for text, body in writes.items():
        at = where + " write " + str(text)
        path = _path(at, text)
        if not path:
            raise _fail(at, "a Bootstrap-Write needs an object or deeper path")
        steps.append(Step(WRITE, path, _records(at, path, body, type_of)))
    return BootstrapConfig(steps, FORMATS[fmt_name])


def load_script(
    data: "dict[str, Any]", type_of: "Callable[[Path], int | None] | None" = None
) -> BootstrapScript:
    """A script from its dict form (see the module text); raises BootstrapScriptError."""
    if not isinstance(data, dict) or not data:
        raise BootstrapScriptError("a bootstrap script is an object of endpoint name -> steps")
    lookup = type_of or standard_type_of
    configs = {}
    for endpoint, raw in data.items():
        configs[endpoint] = _config(repr(endpoint), raw, lookup)
    return BootstrapScript(configs)


def load_script_file(
    filename: str, type_of: "Callable[[Path], int | None] | None" = None
) -> BootstrapScript:
    """A script from a JSON file; errors name the file."""
    try:
        with open(filename) as fh:
            data = json.load(fh)
    except OSError as exc:
        raise BootstrapScriptError("%s: cannot read: %s" % (filename, exc)) from None
    except ValueError as exc:
        raise BootstrapScriptError("%s: not valid JSON: %s" % (filename, exc)) from None
    try:
        return load_script(data, type_of)
    except BootstrapScriptError as exc:
        raise BootstrapScriptError("%s: %s" % (filename, exc)) from None
