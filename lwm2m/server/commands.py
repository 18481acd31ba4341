"""Device-management and reporting commands of the server (OMA LwM2M 1.1.1 Core §6.3,
§6.4): each builds the CoAP request of Transport Table 6.4-1 (see
:mod:`lwm2m.server.operation`), queues it for the client and returns the
:class:`Operation` whose outcome arrives as an event.

:class:`Commands` is a base of :class:`lwm2m.server.Server`; it relies on the server for
``_target`` (the registered client), ``_enqueue`` (queueing in order, queue mode) and
``type_of`` (value types for encoding).
"""

from coap import codes
from lwm2m import formats
from lwm2m.errors import FormatError
from lwm2m.server import operation as op
from objects.path import PathError, format_path, parse_path

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable, Iterable
    from typing import Any

    from coap.message import Message
    from lwm2m.server.server import _Target

    Path = tuple[int, ...]
    TypeOf = Callable[[Path], int | None]

# Core §6.3.4: Discover answers in link format.
LINK_FORMAT = 40


class ServerError(Exception):
    """Local misuse of the server API (unknown endpoint, bad path, bad listener)."""


class Commands:
    """The commands of :class:`lwm2m.server.Server` (a base class, no state of its own)."""

    __slots__ = ()

    type_of: "TypeOf"

    def _target(self, endpoint: str) -> "_Target":
        raise NotImplementedError

    def _enqueue(self, target: "_Target", kind: str, path: "Path", message: "Message",
                 now_ms: int, paths: "list[Path] | None" = None) -> op.Operation:
        raise NotImplementedError

    def _now(self, now_ms: "int | None") -> int:
        raise NotImplementedError

    def _path(self, path: "str | Path") -> "Path":
        if isinstance(path, str):
            try:
                return parse_path(path)
            except PathError as exc:
                raise ServerError(str(exc)) from None
        return tuple(path)

    def _choose_format(self, target: "_Target", path: "Path", records: "list[Any]") -> int:
        reg = target.registration
        version = reg.version if reg is not None else "1.1"
        if len(path) >= 3 and len(records) == 1 and records[0][0] == path:
            value = records[0][1]
            return formats.OPAQUE if isinstance(value, (bytes, bytearray)) else formats.TEXT
        return formats.TLV if version == "1.0" else formats.SENML_CBOR

    # -- commands (Core §6.3, §6.4) ------------------------------------------------------------

    def read(self, endpoint: str, path: "str | Path", accept: "int | None" = None,
             now_ms: "int | None" = None) -> op.Operation:
        """Read (GET) ``path``; ``accept`` asks for a content format."""
        target = self._target(endpoint)
        p = self._path(path)
        if not p:
            raise ServerError("Read needs an object or deeper path")
        msg = op.request(codes.GET, target.root, p, accept=accept)
        return self._enqueue(target, op.READ, p, msg, self._now(now_ms))

    def discover(self, endpoint: str, path: "str | Path",
                 now_ms: "int | None" = None) -> op.Operation:
        """Discover (GET, Accept link format) ``path``; links arrive as ``records``."""
        target = self._target(endpoint)
        p = self._path(path)
        msg = op.request(codes.GET, target.root, p, accept=LINK_FORMAT)
        return self._enqueue(target, op.DISCOVER, p, msg, self._now(now_ms))

    def write(self, endpoint: str, path: "str | Path", value: "Any",
              fmt: "int | None" = None, replace: bool = True,
              now_ms: "int | None" = None) -> op.Operation:
        """Write ``value`` (one value for a resource path, or ``(path, value)`` records)
        with PUT (replace) or POST (``replace=False``, partial update of an instance)."""
        target = self._target(endpoint)
        p = self._path(path)
        if len(p) < 2 and not replace:
            raise ServerError("a partial update targets an instance")
        if not p:
            raise ServerError("Write needs an object or deeper path")
        records = _as_records(p, value)
        cf = fmt if fmt is not None else self._choose_format(target, p, records)
        try:
            payload = formats.encode(cf, records, p, self.type_of)
        except FormatError as exc:
            raise ServerError("cannot encode for %s: %s" % (format_path(p), exc)) from None
        msg = op.request(codes.PUT if replace else codes.POST, target.root, p, payload,
                         content_format=cf)
        return self._enqueue(target, op.WRITE, p, msg, self._now(now_ms))

    def write_attributes(self, endpoint: str, path: "str | Path", attributes: "dict[str, Any]",
                         now_ms: "int | None" = None) -> op.Operation:
        """Write-Attributes: ``{"pmin": 10, "pmax": 60, "gt": None}`` (None clears)."""
        target = self._target(endpoint)
        p = self._path(path)
        if not p:
            raise ServerError("Write-Attributes needs an object or deeper path")
        try:
            query = op.attribute_query(attributes)
        except ValueError as exc:
            raise ServerError(str(exc)) from None
        msg = op.request(codes.PUT, target.root, p, query=query)
        return self._enqueue(target, op.WRITE_ATTRIBUTES, p, msg, self._now(now_ms))

    def execute(self, endpoint: str, path: "str | Path", arguments: "bytes | str" = b"",
                now_ms: "int | None" = None) -> op.Operation:
        """Execute (POST) a resource with optional arguments (Core §5.4.5 ``0='a',1``)."""
        target = self._target(endpoint)
        p = self._path(path)
        if len(p) != 3:
            raise ServerError("Execute targets a resource (/oid/iid/rid)")
        payload = arguments.encode() if isinstance(arguments, str) else bytes(arguments)
        msg = op.request(codes.POST, target.root, p, payload,
                         content_format=formats.TEXT if payload else None)
        return self._enqueue(target, op.EXECUTE, p, msg, self._now(now_ms))

    def create(self, endpoint: str, path: "str | Path", value: "Any" = None,
               fmt: "int | None" = None, now_ms: "int | None" = None) -> op.Operation:
        """Create an instance (POST on the object, Core §6.3.6). ``path`` is ``/oid``
        (the client picks the instance id; TLV of the resources) or ``/oid/iid``;
        ``value`` maps resource ids to values (``{0: "x"}``) or is a list of records."""
        target = self._target(endpoint)
        p = self._path(path)
        if len(p) not in (1, 2):
            raise ServerError("Create targets /oid or /oid/iid")
        base = p if len(p) == 2 else p + (0,)
        records = _as_records(base, value) if value is not None else []
        payload = b""
        cf = fmt
        if records:
            if len(p) == 1:
                cf = formats.TLV  # resource TLVs without an instance: the client numbers it
            elif cf is None:
                cf = self._choose_format(target, p, records)
            try:
                payload = formats.encode(cf, records, base if len(p) == 1 else p[:1],
                                         self.type_of)
            except FormatError as exc:
                raise ServerError("cannot encode: %s" % exc) from None
        msg = op.request(codes.POST, target.root, p[:1], payload,
                         content_format=cf if payload else None)
        return self._enqueue(target, op.CREATE, p, msg, self._now(now_ms))

    def delete(self, endpoint: str, path: "str | Path",
               now_ms: "int | None" = None) -> op.Operation:
        """Delete (DELETE) an object instance."""
        target = self._target(endpoint)
        p = self._path(path)
        if not p:
            raise ServerError("Delete needs a path")
        msg = op.request(codes.DELETE, target.root, p)
        return self._enqueue(target, op.DELETE, p, msg, self._now(now_ms))

    def observe(self, endpoint: str, path: "str | Path", accept: "int | None" = None,
                now_ms: "int | None" = None) -> op.Operation:
        """Observe (GET, Observe 0); notifications come as NotificationReceived."""
        target = self._target(endpoint)
        p = self._path(path)
        if not p:
            raise ServerError("Observe needs an object or deeper path")
        msg = op.request(codes.GET, target.root, p, accept=accept, observe=0)
        return self._enqueue(target, op.OBSERVE, p, msg, self._now(now_ms))

    def read_composite(self, endpoint: str, paths: "Iterable[str | Path]",
                       fmt: int = formats.SENML_CBOR, accept: "int | None" = None,
                       now_ms: "int | None" = None) -> op.Operation:
        """Read-Composite (FETCH / with a SenML list of names; Core §6.3.8)."""
        return self._composite(endpoint, paths, fmt, accept, False, self._now(now_ms))

    def observe_composite(self, endpoint: str, paths: "Iterable[str | Path]",
                          fmt: int = formats.SENML_CBOR, accept: "int | None" = None,
                          now_ms: "int | None" = None) -> op.Operation:
        """Observe-Composite (FETCH / with Observe 0; Core §6.4.3)."""
        return self._composite(endpoint, paths, fmt, accept, True, self._now(now_ms))

    def _composite(self, endpoint: str, paths: "Iterable[str | Path]", fmt: int,
                   accept: "int | None", observe: bool, now_ms: int) -> op.Operation:
        target = self._target(endpoint)
        plist = [self._path(p) for p in paths]
        if not plist:
            raise ServerError("a composite operation needs at least one path")
        payload = formats.encode(fmt, [(p, None) for p in plist], None)
        msg = op.request(codes.FETCH, target.root, (), payload, content_format=fmt,
                         accept=fmt if accept is None else accept,
                         observe=0 if observe else None)
        kind = op.OBSERVE_COMPOSITE if observe else op.READ_COMPOSITE
        return self._enqueue(target, kind, (), msg, now_ms, plist)

    def write_composite(self, endpoint: str, records: "Iterable[tuple[str | Path, Any]]",
                        fmt: int = formats.SENML_CBOR,
                        now_ms: "int | None" = None) -> op.Operation:
        """Write-Composite (iPATCH / with SenML records; Core §6.3.9)."""
        target = self._target(endpoint)
        recs = [(self._path(p), v) for p, v in records]
        if not recs:
            raise ServerError("Write-Composite needs at least one record")
        try:
            payload = formats.encode(fmt, recs, None, self.type_of)
        except FormatError as exc:
            raise ServerError("cannot encode: %s" % exc) from None
        msg = op.request(codes.IPATCH, target.root, (), payload, content_format=fmt)
        return self._enqueue(target, op.WRITE_COMPOSITE, (), msg, self._now(now_ms),
                             [p for p, _ in recs])


def _as_records(path: "Path", value: "Any") -> "list[Any]":
    """A value, a ``{rid: value}`` dict or ``(path, value)`` records -> records."""
    if isinstance(value, list):
        out = []
        for item in value:
            p, v = item
            out.append((parse_path(p) if isinstance(p, str) else tuple(p), v))
        return out
    if isinstance(value, dict):
        out = []
        for key in sorted(value):
            sub = path + (int(key),)
            v = value[key]
            if isinstance(v, dict):
                for riid in sorted(v):
                    out.append((sub + (int(riid),), v[riid]))
            else:
                out.append((sub, v))
        return out
    if len(path) < 3:
        raise ServerError("a single value needs a resource path, got %s" % format_path(path))
    return [(path, value)]
