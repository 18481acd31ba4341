"""Device management: one CoAP request from a server -> object operations -> one answer.

Theory of operation
-------------------
OMA LwM2M 1.1.1 Core §6.3 (Device Management and Service Enablement interface) and
Transport §6.4 (its CoAP mapping). The dispatcher sees a request as plain data
(``DmRequest``: method code, path, query, content format, accept, payload) and answers
with plain data (``DmResponse``: code, content format, payload, location); the session
maps those to and from CoAP messages, so every rule here is testable without a network.

Which operation a request is (Transport §6.4, Table 6.4.2-1 and 1.1.1 §6.4.4):

=========  ==========================================  ========================
method     path and options                             operation
=========  ==========================================  ========================
GET        Accept: application/link-format (40)         Discover
GET        otherwise (Observe is part 2's business)     Read
PUT        a payload / Content-Format                   Write (replace)
PUT        no payload, Uri-Query                        Write-Attributes
POST       /oid                                         Create
POST       /oid/iid                                     Write (partial update)
POST       /oid/iid/rid, executable resource            Execute
POST       /oid/iid/rid with a payload, otherwise       Write (partial update)
DELETE     /oid/iid                                     Delete
FETCH      root, SenML list of paths                    Read-Composite
iPATCH     root, SenML records                          Write-Composite
=========  ==========================================  ========================

Checks, in order: the path parses (4.04 otherwise: no such object), the object exists
(4.04), the Security object is out of a DM server's reach (4.01), access control
(Core §7.3, ``lwm2m.access``; 4.01) when more than one DM server is configured, then
the object's own checks (``objects.base``: 4.00 / 4.04 / 4.05), then the content
format (4.15 for an unknown one on input, 4.06 when the Accept cannot carry the
answer). A refused request changes nothing. An application callback that raises
anything but a coded ``ObjectError`` is answered 5.00: a remote request never raises
out of the dispatcher.

The content formats are ``lwm2m.formats`` (passed in as a module, so the dispatcher
does not depend on which codecs are compiled into a small build).
"""

from lwm2m import access
from lwm2m.attributes import AttributeStore, InvalidAttributes, format_attributes
from objects import types
from objects.base import CALLER_BOOTSTRAP
from objects.errors import (
    INTERNAL_SERVER_ERROR,
    METHOD_NOT_ALLOWED,
    NOT_ACCEPTABLE,
    NOT_FOUND,
    UNAUTHORIZED,
    UNSUPPORTED_CONTENT_FORMAT,
    BadRequest,
    MethodNotAllowed,
    NotFound,
    ObjectError,
    Unauthorized,
)
from objects.execute import parse_execute_arguments
from objects.path import MAX_ID, format_path

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from objects.base import BaseObject
    from objects.path import Path

# RFC 7252 §12.1.1 and RFC 8132 §6: method codes.
GET = 1
POST = 2
PUT = 3
DELETE = 4
FETCH = 5
PATCH = 6
IPATCH = 7

# RFC 7252 §12.1.2: the success codes device management answers with.
CREATED = 0x41
DELETED = 0x42
CHANGED = 0x44
CONTENT = 0x45

# Content formats the dispatcher needs by number (the rest stay in lwm2m.formats).
LINK_FORMAT = 40
SENML_JSON = 110
SENML_CBOR = 112
TLV = 11542
LWM2M_CBOR = 11544

# Operations.
READ = 1
DISCOVER = 2
WRITE_REPLACE = 3
WRITE_PARTIAL = 4
WRITE_ATTRIBUTES = 5
EXECUTE = 6
CREATE = 7
DELETE_INSTANCE = 8
READ_COMPOSITE = 9
WRITE_COMPOSITE = 10

NAMES = {
    READ: "Read",
    DISCOVER: "Discover",
    WRITE_REPLACE: "Write",
    WRITE_PARTIAL: "Write (partial update)",
    WRITE_ATTRIBUTES: "Write-Attributes",
    EXECUTE: "Execute",
    CREATE: "Create",
    DELETE_INSTANCE: "Delete",
    READ_COMPOSITE: "Read-Composite",
    WRITE_COMPOSITE: "Write-Composite",
}

_NUMERIC = (types.INTEGER, types.UNSIGNED, types.FLOAT)
_COMPOSITE_FORMATS = (SENML_JSON, SENML_CBOR, LWM2M_CBOR)


class DmRequest:
    """A device-management request as the dispatcher sees it.

    ``segments`` is the Uri-Path (strings), ``query`` the Uri-Query items,
    ``content_format`` / ``accept`` / ``observe`` the options (None when absent)."""

    __slots__ = ("accept", "content_format", "method", "observe", "payload", "query", "segments")

    def __init__(
        self,
        method: int,
        segments: "tuple[str, ...] | list[str]" = (),
        payload: bytes = b"",
        content_format: "int | None" = None,
        accept: "int | None" = None,
        query: "tuple[str, ...] | list[str]" = (),
        observe: "int | None" = None,
    ) -> None:
        self.method = method
        self.segments = tuple(segments)
        self.payload = payload
        self.content_format = content_format
        self.accept = accept
        self.query = tuple(query)
        self.observe = observe

    def __repr__(self) -> str:
        return "DmRequest(%d, /%s, cf=%r, accept=%r, query=%r, %d bytes)" % (
            self.method, "/".join(self.segments), self.content_format, self.accept,
            self.query, len(self.payload))


class DmResponse:
    """The answer: a CoAP response code, and for 2.05 the payload and its format;
    ``location`` is the Location-Path of a Create (``("3303", "0")``)."""

    __slots__ = ("code", "content_format", "location", "payload", "reason")

    def __init__(
        self,
        code: int,
        payload: bytes = b"",
        content_format: "int | None" = None,
        location: "tuple[str, ...]" = (),
        reason: str = "",
    ) -> None:
        self.code = code
        self.payload = payload
        self.content_format = content_format
        self.location = location
        self.reason = reason

    @property
    def ok(self) -> bool:
        return self.code >> 5 == 2

    def __repr__(self) -> str:
        return "DmResponse(%d.%02d, cf=%r, %d bytes%s)" % (
            self.code >> 5, self.code & 0x1F, self.content_format, len(self.payload),
            ", " + self.reason if self.reason else "")


def parse_segments(segments: "tuple[str, ...]") -> "Path":
    """Uri-Path segments -> a path; NotFound for anything that is not an id path
    (Transport §6.4: such a URI names no LwM2M resource)."""
    if len(segments) > 4:
        raise NotFound("more than 4 path levels")
    ids = []
    for seg in segments:
        if not seg or not seg.isdigit() or (len(seg) > 1 and seg[0] == "0"):
            raise NotFound("path level %r is not an id" % (seg,))
        value = int(seg)
        if value > MAX_ID:
            raise NotFound("id %d above %d" % (value, MAX_ID))
        ids.append(value)
    return tuple(ids)


def classify(request: DmRequest, path: "Path", executable: bool) -> int:
    """The operation a request is (the table of the module docstring); MethodNotAllowed
    for a method or path that names none. ``executable``: the path names a resource
    whose definition has the E operation."""
    method = request.method
    depth = len(path)
    if method == GET:
        if depth == 0:
            raise MethodNotAllowed("Read and Discover need an object path")
        return DISCOVER if request.accept == LINK_FORMAT else READ
    if method == PUT:
        if depth == 0:
            raise MethodNotAllowed("Write needs an object path")
        if not request.payload and request.content_format is None and request.query:
            return WRITE_ATTRIBUTES
        return WRITE_REPLACE
    if method == POST:
        if depth == 0:
            raise MethodNotAllowed("POST on the root")
        if depth == 1:
            return CREATE
        if depth == 3 and (executable or (not request.payload and request.content_format is None)):
            return EXECUTE
        if depth == 4:
            raise MethodNotAllowed("POST on a resource instance")
        return WRITE_PARTIAL
    if method == DELETE:
        return DELETE_INSTANCE
    if method == FETCH:
        return READ_COMPOSITE
    if method == IPATCH:
        return WRITE_COMPOSITE
    raise MethodNotAllowed("method %d is not a device-management operation" % method)


class DeviceManagement:
    """The dispatcher over the client's objects (see the module's theory of operation).

    ``objects`` maps object id -> ``BaseObject`` and is shared with the Client (objects
    added later are seen). ``formats`` is the ``lwm2m.formats`` module (or one with the
    same functions). ``attributes`` holds the Write-Attributes of every server.
    """

    __slots__ = ("attributes", "formats", "instance_created", "instance_deleted", "objects")

    def __init__(
        self,
        objects: "dict[int, BaseObject]",
        formats: "Any",
        attributes: "AttributeStore | None" = None,
    ) -> None:
        self.objects = objects
        self.formats = formats
        self.attributes = attributes if attributes is not None else AttributeStore()
        # Callables (path, caller) the Client sets to follow instance changes.
        self.instance_created: "list[Any]" = []
        self.instance_deleted: "list[Any]" = []

    # ------------------------------------------------------------------ entry point

    def handle(
        self,
        request: DmRequest,
        caller: int,
        version: str = "1.1",
        periods: "Any" = None,
    ) -> DmResponse:
        """Answer ``request`` from server ``caller`` (its Short Server ID, or
        ``CALLER_BOOTSTRAP``) speaking LwM2M ``version``. ``periods()`` gives the server's
        Default Minimum / Maximum Period (/1/x/2, /1/x/3), asked only by Discover."""
        try:
            return self._dispatch(request, caller, version, periods)
        except ObjectError as exc:
            return DmResponse(exc.code, reason=exc.message)
        except Exception as exc:  # an application callback broke: never raise out
            return DmResponse(INTERNAL_SERVER_ERROR, reason="%s: %s" % (type(exc).__name__, exc))

    # ------------------------------------------------------------------- dispatch

    def _dispatch(
        self,
        request: DmRequest,
        caller: int,
        version: str,
        periods: "Any",
    ) -> DmResponse:
        path = parse_segments(request.segments)
        executable = False
        obj = None
        if path:
            obj = self.objects.get(path[0])
            if obj is None:
                raise NotFound("object %d is not on this client" % path[0])
            if len(path) >= 3:
                res = obj.definition.resources.get(path[2])
                executable = res is not None and res.executable
        operation = classify(request, path, executable)
        if operation == READ_COMPOSITE:
            return self._read_composite(request, caller, version)
        if operation == WRITE_COMPOSITE:
            return self._write_composite(request, caller)
        assert obj is not None
        acl = self._access(caller)
        if acl is not None and path[0] == access.SECURITY_OBJECT:
            # Core §7.3: the Security object belongs to the bootstrap server alone.
            raise Unauthorized("the Security object is not accessible to a server")
        if operation == READ:
            return self._read(obj, path, request, caller, version, acl)
        if operation == DISCOVER:
            return self._discover(obj, path, caller, periods, acl, version)
        if operation == WRITE_ATTRIBUTES:
            return self._write_attributes(obj, path, request, caller, acl)
        if operation in (WRITE_REPLACE, WRITE_PARTIAL):
            return self._write(obj, path, request, caller, operation == WRITE_REPLACE, acl)
        if operation == EXECUTE:
            return self._execute(obj, path, request, caller, acl)
        if operation == CREATE:
            return self._create(obj, path, request, caller, acl)
        return self._delete(obj, path, caller, acl)

    # ------------------------------------------------------------- access control

    def _access(self, caller: int) -> "access.AccessControl | None":
        """The decisions for a DM server; None for the bootstrap server (all rights)."""
        if caller <= CALLER_BOOTSTRAP:
            return None
        servers = self.server_ids()
        # Core §7.3.1: with one server the ACL instances do not matter; skip reading them.
        entries = self.acl_entries() if len(set(servers)) > 1 else []
        return access.AccessControl(entries, servers)

    def server_ids(self) -> "list[int]":
        """The Short Server IDs of the Server object's instances (/1/x/0)."""
        server = self.objects.get(1)
        ids = []
        if server is not None:
            for iid in server.instance_ids():
                try:
                    ids.append(server.get_value(iid, 0))
                except ObjectError:
                    continue
        return ids

    def acl_entries(self) -> "list[access.AclEntry]":
        """The Access Control object's instances as ``AclEntry`` values."""
        acl_object = self.objects.get(access.ACCESS_CONTROL_OBJECT)
        entries: "list[access.AclEntry]" = []
        if acl_object is None:
            return entries
        for iid in acl_object.instance_ids():
            try:
                oid = acl_object.get_value(iid, 0)
                target = acl_object.get_value(iid, 1)
                owner = acl_object.get_value(iid, 3)
            except ObjectError:
                continue
            try:
                rights = acl_object.get_value(iid, 2)
            except ObjectError:
                rights = {}
            entries.append(access.AclEntry(oid, target, dict(rights), owner, iid))
        return entries

    @staticmethod
    def _require(acl: "access.AccessControl | None", caller: int, right: int,
                 path: "Path") -> None:
        if acl is not None and not acl.allows(caller, right, path[0], path[1]):
            raise Unauthorized("server %d lacks %s on %s" % (
                caller, access.NAMES[right], format_path(path[:2])))

    # ---------------------------------------------------------------- operations

    def _type_of(self, path: "Path") -> "int | None":
        obj = self.objects.get(path[0])
        if obj is None or len(path) < 3:
            return None
        res = obj.definition.resources.get(path[2])
        return None if res is None else res.type

    def _choose_format(self, obj: "BaseObject", path: "Path", accept: "int | None",
                       version: str) -> int:
        fmt = self.formats
        level = len(path)
        multiple = False
        opaque = None
        if level >= 3:
            res = obj.definition.resources.get(path[2])
            if res is not None:
                multiple = res.multiple and level == 3
                opaque = res.type == types.OPAQUE
        if accept is None:
            return int(fmt.default_format(version, level, multiple, bool(opaque)))
        cf = int(fmt.canonical(accept))
        if not fmt.can_carry(cf, level, version, multiple, opaque):
            raise ObjectError(NOT_ACCEPTABLE, "format %d cannot carry %s for LwM2M %s" % (
                accept, format_path(path), version))
        return cf

    def _encode(self, cf: int, records: "list[Any]", base: "Path") -> bytes:
        try:
            return bytes(self.formats.encode(cf, records, base, self._type_of))
        except ValueError as exc:  # lwm2m.FormatError: the format cannot carry these
            raise ObjectError(NOT_ACCEPTABLE, str(exc)) from None

    def _decode(self, request: DmRequest, base: "Path | None") -> "list[Any]":
        cf = request.content_format
        if cf is None:
            raise BadRequest("a payload needs a Content-Format")
        fmt = self.formats
        canonical = fmt.canonical(cf)
        if canonical not in fmt.NAMES or canonical == LINK_FORMAT:
            raise ObjectError(UNSUPPORTED_CONTENT_FORMAT, "content format %d" % cf)
        try:
            return list(fmt.decode(cf, request.payload, base, self._type_of))
        except ValueError as exc:  # lwm2m.FormatError
            raise BadRequest(str(exc)) from None

    def _read(self, obj: "BaseObject", path: "Path", request: DmRequest, caller: int,
              version: str, acl: "access.AccessControl | None") -> DmResponse:
        if len(path) >= 2:
            _require_instance(obj, path[1])
            self._require(acl, caller, access.READ, path)
            records = obj.read(path, caller)
        else:
            records = []
            for iid in obj.instance_ids():
                # Core §7.3.2: an object Read returns the instances the server may read.
                if acl is None or acl.allows(caller, access.READ, path[0], iid):
                    records.extend(obj.read((path[0], iid), caller))
        cf = self._choose_format(obj, path, request.accept, version)
        return DmResponse(CONTENT, self._encode(cf, records, path), cf)

    def _discover(self, obj: "BaseObject", path: "Path", caller: int,
                  periods: "Any",
                  acl: "access.AccessControl | None", version: str = "1.1") -> DmResponse:
        if len(path) >= 2:
            _require_instance(obj, path[1])
            self._require(acl, caller, access.READ, path)
        found = obj.discover(path, caller)
        pmin, pmax = periods() if periods is not None else (None, None)
        links = []
        for where, dim in found:
            if len(where) == 2 and acl is not None and not acl.allows(
                    caller, access.READ, where[0], where[1]):
                continue
            if len(where) >= 3 and len(path) == 1 and acl is not None and not acl.allows(
                    caller, access.READ, where[0], where[1]):
                continue
            text = "<%s>" % format_path(where)
            if where == path and len(path) == 1 and obj.version != "1.0" and version != "1.0":
                # Core §6.3.4 (Discover on an object): the object version, when not 1.0
                # (LwM2M 1.1 and later; a 1.0 server knows no ``ver``).
                text += ";ver=" + obj.version
            if dim is not None:
                text += ";dim=%d" % dim
            if where == path:
                # ETS 1.1-int-261: the target shows the attributes in force there...
                attrs = self.attributes.effective(caller, where, pmin, pmax)
            else:
                # ...and the links below it only what was attached to them.
                attrs = self.attributes.attached(caller, where)
            text += format_attributes(attrs)
            links.append(text)
        return DmResponse(CONTENT, ",".join(links).encode(), LINK_FORMAT)

    def _write_attributes(self, obj: "BaseObject", path: "Path", request: DmRequest,
                          caller: int, acl: "access.AccessControl | None") -> DmResponse:
        numeric = False
        if len(path) >= 2:
            _require_instance(obj, path[1])
            self._require(acl, caller, access.READ, path)
        if len(path) >= 3:
            res = obj.definition.resources.get(path[2])
            if res is None or path[2] not in obj.resource_ids(path[1]):
                raise NotFound("%s is absent" % format_path(path))
            if res.executable:
                raise MethodNotAllowed("attributes do not attach to an executable resource")
            if len(path) == 4:
                obj.read(path, caller)  # the resource instance must exist
            numeric = res.type in _NUMERIC
        try:
            self.attributes.write(caller, path, request.query, numeric)
        except InvalidAttributes as exc:
            raise BadRequest(str(exc)) from None
        return DmResponse(CHANGED)

    def _write(self, obj: "BaseObject", path: "Path", request: DmRequest, caller: int,
               replace: bool, acl: "access.AccessControl | None") -> DmResponse:
        if len(path) == 1 and caller != CALLER_BOOTSTRAP:
            raise MethodNotAllowed("Write needs an instance or resource path")
        if len(path) >= 2:
            _require_instance(obj, path[1])
            self._require(acl, caller, access.WRITE, path)
        if len(path) >= 3:
            res = obj.definition.resources.get(path[2])
            if res is None:
                raise NotFound("%s: no such resource" % format_path(path[:3]))
            if res.executable or (caller > CALLER_BOOTSTRAP and not res.writable):
                # Core §6.3.3 / ETS 1.1-int-256: before looking at the payload.
                raise MethodNotAllowed("%s is not writable" % format_path(path[:3]))
        records = self._decode(request, path)
        obj.write(path, records, replace, caller)
        return DmResponse(CHANGED)

    def _execute(self, obj: "BaseObject", path: "Path", request: DmRequest, caller: int,
                 acl: "access.AccessControl | None") -> DmResponse:
        _require_instance(obj, path[1])
        self._require(acl, caller, access.EXECUTE, path)
        parse_execute_arguments(request.payload)  # Core §5.4.5 syntax, 4.00 otherwise
        obj.execute(path, request.payload, caller)
        return DmResponse(CHANGED)

    def _create(self, obj: "BaseObject", path: "Path", request: DmRequest, caller: int,
                acl: "access.AccessControl | None") -> DmResponse:
        if acl is not None and not acl.may_create(caller, path[0]):
            raise Unauthorized("server %d may not create instances of /%d" % (caller, path[0]))
        records: "list[Any]" = []
        if request.payload:
            try:
                records = self._decode(request, path)
            except BadRequest:
                # Core §6.3.6 (and LwM2M 1.0 practice): a TLV of bare resources, the
                # instance id left to the client. Read it as the lowest free instance.
                if self.formats.canonical(request.content_format) != TLV:
                    raise
                taken = set(obj.instance_ids())
                free = 0
                while free in taken:
                    free += 1
                records = self._decode(request, (path[0], free))
        iid = obj.create(records, None, caller)
        created = (path[0], iid)
        for listener in self.instance_created:
            listener(created, caller)
        if acl is not None and acl.enforced and path[0] != access.ACCESS_CONTROL_OBJECT:
            self._add_acl(access.entry_for_created_instance(caller, path[0], iid))
        return DmResponse(CREATED, location=(str(path[0]), str(iid)))

    def _add_acl(self, entry: "access.AclEntry") -> None:
        # Core §7.3.1.2.2: the creator owns the new instance and holds every right on it.
        acl_object = self.objects.get(access.ACCESS_CONTROL_OBJECT)
        if acl_object is None:
            return
        acl_object.add_instance(None, {0: entry.oid, 1: entry.iid, 2: dict(entry.acl),
                                       3: entry.owner})

    def _delete(self, obj: "BaseObject", path: "Path", caller: int,
                acl: "access.AccessControl | None") -> DmResponse:
        if len(path) != 2:
            if caller == CALLER_BOOTSTRAP and len(path) == 1:
                for iid in obj.instance_ids():
                    obj.delete(iid, caller)
                    self._forget((path[0], iid), caller)
                return DmResponse(DELETED)
            raise MethodNotAllowed("Delete needs an instance path")
        _require_instance(obj, path[1])
        self._require(acl, caller, access.DELETE, path)
        obj.delete(path[1], caller)
        self._forget(path, caller)
        if acl is not None:
            self._drop_acl(path)
        return DmResponse(DELETED)

    def _forget(self, path: "Path", caller: int) -> None:
        self.attributes.forget(path)
        for listener in self.instance_deleted:
            listener(path, caller)

    def _drop_acl(self, path: "Path") -> None:
        acl_object = self.objects.get(access.ACCESS_CONTROL_OBJECT)
        if acl_object is None:
            return
        for entry in self.acl_entries():
            if (entry.oid, entry.iid) == path and acl_object.has_instance(entry.instance):
                acl_object.delete(entry.instance)

    # ----------------------------------------------------------------- composites

    def _composite_format(self, cf: "int | None") -> int:
        if cf is None:
            raise BadRequest("a composite request needs a Content-Format")
        if self.formats.canonical(cf) not in _COMPOSITE_FORMATS:
            raise ObjectError(UNSUPPORTED_CONTENT_FORMAT,
                              "composite operations take SenML or LwM2M-CBOR, not %d" % cf)
        return int(self.formats.canonical(cf))

    def _read_composite(self, request: DmRequest, caller: int, version: str) -> DmResponse:
        # Core §6.3.8 (Read-Composite): the answer holds what exists and may be read.
        if version == "1.0":
            raise MethodNotAllowed("Read-Composite is LwM2M 1.1")
        cf_in = self._composite_format(request.content_format)
        cf_out = cf_in if request.accept is None else self._composite_format(request.accept)
        try:
            wanted = self.formats.decode(cf_in, request.payload, None, self._type_of)
        except ValueError as exc:
            raise BadRequest(str(exc)) from None
        acl = self._access(caller)
        records: "list[Any]" = []
        for path, _value in wanted:
            obj = self.objects.get(path[0]) if path else None
            if obj is None or (acl is not None and path[0] == access.SECURITY_OBJECT):
                continue
            try:
                if len(path) >= 2:
                    self._require(acl, caller, access.READ, path)
                    records.extend(obj.read(path, caller))
                else:
                    for iid in obj.instance_ids():
                        if acl is None or acl.allows(caller, access.READ, path[0], iid):
                            records.extend(obj.read((path[0], iid), caller))
            except ObjectError as exc:
                if exc.code not in (NOT_FOUND, UNAUTHORIZED, METHOD_NOT_ALLOWED):
                    raise
        return DmResponse(CONTENT, self._encode(cf_out, records, ()), cf_out)

    def _write_composite(self, request: DmRequest, caller: int) -> DmResponse:
        # Core §6.3.9 (Write-Composite): all the writes or none of them.
        cf = self._composite_format(request.content_format)
        try:
            records = list(self.formats.decode(cf, request.payload, None, self._type_of))
        except ValueError as exc:
            raise BadRequest(str(exc)) from None
        acl = self._access(caller)
        groups: "dict[Path, list[Any]]" = {}
        for rec in records:
            path = rec[0]
            if len(path) < 3:
                raise BadRequest("Write-Composite names resources, not %s" % format_path(path))
            groups.setdefault(path[:2], []).append(rec)
        plan = []
        for target in sorted(groups):
            obj = self.objects.get(target[0])
            if obj is None:
                raise NotFound("object %d is not on this client" % target[0])
            if acl is not None and target[0] == access.SECURITY_OBJECT:
                raise Unauthorized("the Security object is not accessible to a server")
            _require_instance(obj, target[1])
            self._require(acl, caller, access.WRITE, target)
            obj.check_write(target, groups[target], False, caller)
            plan.append((obj, target))
        for obj, target in plan:
            obj.write(target, groups[target], False, caller)
        return DmResponse(CHANGED)



def _require_instance(obj: "BaseObject", iid: int) -> None:
    if not obj.has_instance(iid):
        raise NotFound("%s does not exist" % format_path((obj.id, iid)))
