"""The content-format codec on the command line (CPython).

::

    python -m lwm2m.formats decode --format tlv --path /3/0 c800144f70656e...
    python -m lwm2m.formats encode --format senml-json --path /3/0 \\
        '[{"path": "/3/0/0", "value": "Open Mobile Alliance"}]'

Records print as JSON: ``[{"path": "/3/0/0", "type": "string", "value": "..."}]`` with
opaque as hex, Objlnk as ``"oid:iid"``, time as an integer, and ``"time"`` on records
of time-stamped SenML / OMA-JSON payloads. Link format prints
``[{"uri": "/3/0", "attrs": {"pmin": 10}}]``. Types come from the built-in object
definitions, plus ``--ddf FILE`` (OMA DDF XML); resources of unknown objects decode
as opaque where the format carries no type. Bad input: exit status 1 and one line on
stderr.
"""

import argparse
import json
import sys

from lwm2m.errors import FormatError
from lwm2m.formats import BY_NAME, LINK, decode, decode_timed, encode, encode_timed, link
from lwm2m.formats.values import coerce, parse_name, path_text
from objects import types as T
from objects.registry import Registry, standard_registry

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from lwm2m.formats.values import Path, Record

TIMED = {"senml-json", "senml-cbor", "oma-json"}


class CliError(Exception):
    """Bad command-line input: printed as one line, exit status 1."""


def _registry(ddf: "list[str]", version: str) -> Registry:
    registry = standard_registry(version)
    for filename in ddf:
        try:
            from objects.ddf import load_ddf
        except ImportError as exc:  # pragma: no cover - the loader ships with objects
            raise CliError("the DDF loader (objects.ddf) is not available: %s" % exc) from None
        try:
            definitions = load_ddf(filename)
        except OSError as exc:
            raise CliError("cannot read %s: %s" % (filename, exc.strerror or exc)) from None
        except ValueError as exc:
            raise CliError("%s: %s" % (filename, exc)) from None
        for definition in definitions:
            registry.add(definition)
    return registry


def _type_name(rtype: "int | None", value: "Any") -> str:
    if rtype is not None and rtype != T.NONE:
        return T.NAMES[rtype]
    return {
        str: "string",
        int: "integer",
        float: "float",
        bool: "boolean",
        bytes: "opaque",
        tuple: "objlnk",
    }.get(type(value), "none")


def _json_value(value: "Any") -> "Any":
    if type(value) is bytes:
        return value.hex()
    if type(value) is tuple:
        return "%d:%d" % value
    return value


def record_json(
    path: "Path", value: "Any", registry: Registry, time: "Any" = None
) -> "dict[str, Any]":
    out = {
        "path": path_text(path),
        "type": _type_name(registry.type_of(path) if len(path) >= 3 else None, value),
        "value": _json_value(value),
    }
    if time is not None:
        out["time"] = time
    return out


def _from_json(item: "Any", registry: Registry) -> "tuple[Any, Path, Any]":
    if type(item) is not dict or "path" not in item:
        raise CliError('each record is an object with "path" and "value"')
    try:
        path = parse_name(item["path"])
    except FormatError as exc:
        raise CliError(str(exc)) from None
    value: Any = item.get("value")
    name = item.get("type")
    if name is not None:
        if name not in T.BY_NAME:
            raise CliError("unknown type %r (one of %s)" % (name, ", ".join(sorted(T.BY_NAME))))
        rtype: int | None = T.BY_NAME[name]
    else:
        rtype = registry.type_of(path) if len(path) >= 3 else None
    if rtype == T.OPAQUE:  # (hex in JSON)
        try:
            value = bytes.fromhex(value)
        except (TypeError, ValueError) as exc:
            raise CliError("%s: %s" % (item["path"], exc)) from None
    if rtype is not None and value is not None:  # (null: a Write-Composite delete)
        try:  # "oid:iid" to an Objlnk, 5 to 5.0; -1 for an Unsigned Integer is refused
            value = coerce(value, rtype, path)
        except FormatError as exc:
            raise CliError(str(exc)) from None
    return item.get("time"), path, value


def _base(text: "str | None") -> "Path | None":
    if text is None or text == "none":
        return None
    try:
        return parse_name(text)
    except FormatError as exc:
        raise CliError("--path: %s" % exc) from None


def run_decode(fmt: str, base: "Path | None", hex_payload: str, registry: Registry) -> "list[Any]":
    try:
        payload = bytes.fromhex("".join(hex_payload.split()))
    except ValueError:
        raise CliError("the payload is not hex") from None
    if BY_NAME[fmt] == LINK:
        return [{"uri": lk.uri, "attrs": dict(lk.attrs)} for lk in link.parse(payload)]
    if fmt in TIMED:
        groups = decode_timed(BY_NAME[fmt], payload, base, registry.type_of)
        return [record_json(p, v, registry, t) for t, recs in groups for p, v in recs]
    return [
        record_json(p, v, registry)
        for p, v in decode(BY_NAME[fmt], payload, base, registry.type_of)
    ]


def run_encode(fmt: str, base: "Path | None", json_text: str, registry: Registry) -> bytes:
    try:
        items = json.loads(json_text)
    except ValueError as exc:
        raise CliError("the records are not JSON: %s" % exc) from None
    if type(items) is not list:
        raise CliError("the records are a JSON list")
    if BY_NAME[fmt] == LINK:
        links = []
        for item in items:
            if type(item) is not dict or type(item.get("uri")) is not str:
                raise CliError('each link is an object with "uri" and optional "attrs"')
            attrs = item.get("attrs") or {}
            if type(attrs) is not dict:
                raise CliError('"attrs" is an object')
            links.append(link.Link(item["uri"], list(attrs.items())))
        return link.build(links)
    triples = [_from_json(item, registry) for item in items]
    if fmt in TIMED and any(t is not None for t, _, _ in triples):
        groups: list[tuple[Any, list[Record]]] = []
        for t, path, value in triples:
            if not groups or groups[-1][0] != t:
                groups.append((t, []))
            groups[-1][1].append((path, value))
        return encode_timed(BY_NAME[fmt], groups, base)
    return encode(BY_NAME[fmt], [(p, v) for _, p, v in triples], base, registry.type_of)


def main(argv: "list[str] | None" = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m lwm2m.formats", description="Decode or encode an LwM2M payload."
    )
    sub = parser.add_subparsers(dest="command", required=True)
    for command, what in (("decode", "HEX"), ("encode", "JSON")):
        p = sub.add_parser(command)
        p.add_argument("--format", required=True, choices=sorted(BY_NAME), dest="fmt")
        p.add_argument("--path", help="request path, e.g. /3/0 (omit for composite SenML payloads)")
        p.add_argument("--ddf", action="append", default=[], metavar="FILE", help="OMA DDF XML")
        p.add_argument(
            "--lwm2m-version",
            default="1.1",
            choices=("1.0", "1.1"),
            help="versions of the standard Security and Server objects to use",
        )
        p.add_argument("data", metavar=what)
    args = parser.parse_args(argv)
    try:
        registry = _registry(args.ddf, args.lwm2m_version)
        base = _base(args.path)
        if args.command == "decode":
            print(json.dumps(run_decode(args.fmt, base, args.data, registry), ensure_ascii=False))
        else:
            out = run_encode(args.fmt, base, args.data, registry)
            print(out.hex())
    except (CliError, FormatError) as exc:
        print("error: %s" % exc, file=sys.stderr)
        return 1
    return 0
