"""An LwM2M object: its definition, its instances, and the operations the core calls.

Theory of operation
-------------------
The device-management layer calls ``read`` / ``write`` / ``execute`` / ``create`` /
``delete`` / ``discover`` with a path (a tuple of ints), records (flat ``(path, value)``
pairs, the shared form of every content format) and the caller: ``CALLER_LOCAL`` for
the application itself, ``CALLER_BOOTSTRAP`` for the bootstrap server, or a DM server's
Short Server ID. Each operation first checks everything — the target exists, the
operations the definition allows, types and ranges, mandatory resources, the
application's write / create / delete hooks — and only then changes anything, so a
refused request leaves the object as it was. Failures raise ``ObjectError`` subclasses
carrying the CoAP code the core answers with. Every applied change is reported to the
change listeners (``add_listener``) with the path that changed: what observe needs.

Storage is a dict per instance: resource id -> value, or resource id -> {instance id:
value} for multiple-instance resources. Applications shape an object in three ways:

- per resource callables: ``on_read(rid, fn)`` supplies a value at each read (battery
  level), ``on_write(rid, fn)`` sees a server's write before it is stored and may refuse
  it, ``on_execute(rid, fn)`` runs an executable resource;
- object hooks: ``on_create(fn)`` and ``on_delete(fn)`` may refuse an instance change;
- subclassing: the storage primitives (``instance_ids``, ``resource_ids``,
  ``get_resource``, ``set_resource``, ``new_instance``, ``remove_instance``,
  ``execute_resource``) can be overridden for pass-through objects whose values live
  elsewhere; the checks above stay in force.

Write semantics (OMA LwM2M 1.1.1 Core §6.3.3): *replace* (CoAP PUT) on an instance
replaces every resource the caller may write: the given ones take the new values, the
omitted ones are removed (a mandatory one cannot be: 4.00); replace on a resource sets
it, and on a multiple-instance resource the given instances become all its instances.
*Partial update* (CoAP POST, iPATCH) adds or updates the given resources and resource
instances and leaves the others unchanged. A DM server may write only W / RW resources
(4.05 otherwise, Core §6.3.3 and ETS 1.1-int-256); the bootstrap server and the
application may write any resource that is not executable; a
Bootstrap-Write (Core §6.1, Bootstrap interface) sets what it names (a multiple
resource as a whole), removes nothing, and creates the instances it names that do not
exist yet.
"""

from objects import types
from objects.errors import BadRequest, InternalServerError, MethodNotAllowed, NotFound
from objects.path import MAX_ID, format_path, is_prefix

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable, Iterable
    from typing import Any, TypeAlias

    from objects.definitions import ObjectDefinition, ResourceDefinition
    from objects.path import Path

    Record: TypeAlias = tuple[Path, Any]
    Reader: TypeAlias = Callable[[int], Any]
    WriteHook: TypeAlias = Callable[[int, Any, int], None]
    ExecuteHandler: TypeAlias = Callable[[int, bytes, int], None]
    InstanceHook: TypeAlias = Callable[[int, int], None]
    Listener: TypeAlias = Callable[[Path], None]

CALLER_LOCAL = -1  # the application: no operation checks, no write hooks
CALLER_BOOTSTRAP = 0  # the bootstrap server: may read and write every resource

# The highest instance id a Create may allocate: 65535 is reserved (Core §7.1, Objlnk).
MAX_INSTANCE_ID = MAX_ID - 1


def _as_instances(value: "Any") -> "dict[int, Any]":
    """A multiple resource's value given as a dict {riid: value} or a list (riid 0, 1, ...)."""
    if isinstance(value, dict):
        return dict(value)
    if isinstance(value, (list, tuple)):
        return dict(enumerate(value))
    raise TypeError("a multiple-instance resource takes a dict or a list, not %r" % (value,))


class BaseObject:
    """One LwM2M object: a definition, instances in storage, hooks, coded errors."""

    __slots__ = (
        "_check_reads",
        "_create_hooks",
        "_delete_hooks",
        "_executors",
        "_instances",
        "_listeners",
        "_readers",
        "_unstored",
        "_writers",
        "definition",
    )

    def __init__(self, definition: "ObjectDefinition") -> None:
        self.definition = definition
        self._instances: dict[int, dict[int, Any]] = {}
        self._readers: dict[int, Reader] = {}
        self._writers: dict[int, WriteHook] = {}
        self._unstored: set[int] = set()
        self._executors: dict[int, ExecuteHandler] = {}
        self._create_hooks: list[InstanceHook] = []
        self._delete_hooks: list[InstanceHook] = []
        self._listeners: list[Listener] = []
        # Values from a subclass's own storage are checked at each read like a reader's;
        # values in the built-in storage were checked when written.
        self._check_reads = type(self).get_resource is not BaseObject.get_resource

    @property
    def id(self) -> int:
        """The object id."""
        return self.definition.id

    @property
    def version(self) -> str:
        """The object version (announced as ``ver`` at registration when not 1.0)."""
        return self.definition.version

    def __repr__(self) -> str:
        return "<%s /%d v%s instances=%r>" % (
            type(self).__name__,
            self.definition.id,
            self.definition.version,
            self.instance_ids(),
        )

    # ------------------------------------------------------------------ registration

    def on_read(self, rid: int, reader: "Reader") -> None:
        """Read resource ``rid`` through ``reader(iid)``: a value, or for a multiple
        resource a dict {riid: value} or a list; raise NotFound where it is absent."""
        self._resource_definition(rid)
        self._readers[rid] = reader

    def on_write(self, rid: int, hook: "WriteHook", store: bool = True) -> None:
        """Call ``hook(iid, value, caller)`` before a server's write of ``rid`` is stored.

        ``value`` is the new value (a dict {riid: value} for a multiple resource), or
        None when a replace removes the resource. Raising an ObjectError refuses the
        whole write. The hook may run more than once for one request (``check_write``
        then ``write``): keep side effects for the change listeners. With ``store=False``
        the hook is the value's only destination (a firmware package is not kept in
        memory); reads then need an ``on_read`` reader. Local writes (``set_value``)
        do not call it.
        """
        self._resource_definition(rid)
        self._writers[rid] = hook
        if store:
            self._unstored.discard(rid)
        else:
            self._unstored.add(rid)

    def on_execute(self, rid: int, handler: "ExecuteHandler") -> None:
        """Run ``handler(iid, arguments, caller)`` when resource ``rid`` is executed.

        ``arguments`` is the raw payload (see ``objects.execute.parse_execute_arguments``).
        An executable resource without a handler is absent (4.04).
        """
        res = self._resource_definition(rid)
        if not res.executable:
            raise ValueError("/%d resource %d is not executable" % (self.id, rid))
        self._executors[rid] = handler

    def on_create(self, hook: "InstanceHook") -> None:
        """Call ``hook(iid, caller)`` before a server's Create is applied; raise to refuse."""
        self._create_hooks.append(hook)

    def on_delete(self, hook: "InstanceHook") -> None:
        """Call ``hook(iid, caller)`` before a server's Delete is applied; raise to refuse."""
        self._delete_hooks.append(hook)

    def add_listener(self, listener: "Listener") -> None:
        """Call ``listener(path)`` after every applied change: a resource path for a value,
        an instance path for a created or deleted instance."""
        self._listeners.append(listener)

    def remove_listener(self, listener: "Listener") -> None:
        """Stop calling ``listener``."""
        self._listeners.remove(listener)

    def notify_changed(self, path: "Path") -> None:
        """Tell the listeners that ``path`` changed (for values the application changes
        behind an ``on_read`` reader)."""
        for listener in list(self._listeners):
            listener(path)

    # ------------------------------------------------- storage primitives (override)

    def instance_ids(self) -> "list[int]":
        """Ids of the existing instances, ascending."""
        return sorted(self._instances)

    def has_instance(self, iid: int) -> bool:
        """True when instance ``iid`` exists."""
        return iid in self._instances

    def resource_ids(self, iid: int) -> "list[int]":
        """Ids of the resources present in instance ``iid``: stored values, resources
        with a reader, executable resources with a handler, resources whose write hook
        keeps the value (``store=False``); ascending."""
        present = set(self._instances.get(iid, ()))
        present.update(self._readers)
        present.update(self._executors)
        present.update(self._unstored)  # written through a hook, kept elsewhere
        return sorted(present)

    def get_resource(self, iid: int, rid: int) -> "Any":
        """The value of a resource (a dict {riid: value} when multiple); NotFound if absent."""
        reader = self._readers.get(rid)
        if reader is not None:
            return reader(iid)
        values = self._instances.get(iid)
        if values is None or rid not in values:
            raise NotFound("%s is absent" % format_path((self.id, iid, rid)))
        value = values[rid]
        return dict(value) if isinstance(value, dict) else value

    def set_resource(self, iid: int, rid: int, value: "Any") -> None:
        """Store a checked value (dict {riid: value} when multiple); None removes it."""
        values = self._instances[iid]
        if value is None:
            values.pop(rid, None)
        else:
            values[rid] = value

    def new_instance(self, iid: int) -> None:
        """Make an empty instance ``iid`` (its values follow through ``set_resource``)."""
        self._instances[iid] = {}

    def remove_instance(self, iid: int) -> None:
        """Drop instance ``iid`` and its values."""
        del self._instances[iid]

    def execute_resource(self, iid: int, rid: int, arguments: bytes, caller: int) -> None:
        """Run the handler of an executable resource; NotFound when it has none."""
        handler = self._executors.get(rid)
        if handler is None:
            raise NotFound("%s has no handler" % format_path((self.id, iid, rid)))
        handler(iid, arguments, caller)

    # ------------------------------------------------------------- the operations

    def read(self, path: "Path", caller: int = CALLER_LOCAL) -> "list[Record]":
        """The records at an object, instance, resource or resource-instance path.

        Reading an object or instance skips what the caller may not read; naming such a
        resource is 4.05 (executable, or not readable by a DM server); absent is 4.04.
        """
        self._check_path(path, 1)
        if len(path) == 1:
            records: list[Record] = []
            for iid in self.instance_ids():
                self._read_instance(iid, caller, records)
            return records
        iid = path[1]
        self._require_instance(iid)
        if len(path) == 2:
            records = []
            self._read_instance(iid, caller, records)
            return records
        res = self._known_resource(path)
        if res.executable or not self._may_read(res, caller):
            raise MethodNotAllowed("%s is not readable" % format_path(path[:3]))
        value = self._read_value(iid, res)
        if not res.multiple:
            if len(path) == 4:
                raise NotFound("%s is a single-instance resource" % format_path(path[:3]))
            return [(path, value)]
        if len(path) == 4:
            if path[3] not in value:
                raise NotFound("%s is absent" % format_path(path))
            return [(path, value[path[3]])]
        return [(path + (riid,), value[riid]) for riid in sorted(value)]

    def write(
        self,
        path: "Path",
        records: "Iterable[Record]",
        replace: bool,
        caller: int = CALLER_LOCAL,
    ) -> None:
        """Write records under an instance, resource or resource-instance path.

        ``replace`` is Write-Replace (PUT), otherwise Partial Update (POST / iPATCH).
        The bootstrap server may also write at an object path, and to instances that do
        not exist yet, which are created (Bootstrap-Write, Core §6.1).
        """
        plan, created = self._plan_write(path, records, replace, caller)
        self._apply_write(plan, created)

    def check_write(
        self,
        path: "Path",
        records: "Iterable[Record]",
        replace: bool,
        caller: int = CALLER_LOCAL,
    ) -> None:
        """Everything ``write`` checks, without writing: for all-or-nothing composites."""
        self._plan_write(path, records, replace, caller)

    def execute(self, path: "Path", arguments: bytes = b"", caller: int = CALLER_LOCAL) -> None:
        """Execute the resource at ``path`` (Core §6.3.5); 4.05 unless it is executable."""
        self._check_path(path, 1)
        if len(path) != 3:
            raise MethodNotAllowed("execute needs a resource path, not %s" % format_path(path))
        self._require_instance(path[1])
        res = self._known_resource(path)
        if not res.executable:
            raise MethodNotAllowed("%s is not executable" % format_path(path))
        self.execute_resource(path[1], path[2], arguments, caller)

    def create(
        self,
        records: "Iterable[Record]" = (),
        iid: "int | None" = None,
        caller: int = CALLER_LOCAL,
    ) -> int:
        """Create an instance from records and return its id (Core §6.3.6).

        Without ``iid`` the id comes from the records' paths, else the lowest free id.
        4.00 when the instance exists, the id is 65535, a record does not fit, or (from a
        DM server) a mandatory resource is missing; 4.05 when a single-instance object
        already has its instance.
        """
        records = list(records)
        if iid is None:
            found = {rec[0][1] for rec in records if len(rec[0]) >= 2}
            if len(found) > 1:
                raise BadRequest("create records name several instances: %r" % sorted(found))
            iid = found.pop() if found else self._free_instance_id()
        if not 0 <= iid <= MAX_INSTANCE_ID:
            raise BadRequest("instance id %d is not in 0..%d" % (iid, MAX_INSTANCE_ID))
        if not self.definition.multiple and self.instance_ids():
            raise MethodNotAllowed("/%d is a single-instance object" % self.id)
        if self.has_instance(iid):
            raise BadRequest("%s exists" % format_path((self.id, iid)))
        plan = self._plan_values((self.id, iid), records, caller, creating=True)
        if caller > 0:
            # Core §6.3.6: a Create without a mandatory resource is a Bad Request.
            for res in self.definition.resources.values():
                if (
                    res.mandatory
                    and not res.executable
                    and res.id not in plan
                    and res.id not in self._readers
                ):
                    raise BadRequest(
                        "create of %s lacks mandatory resource %d (%s)"
                        % (format_path((self.id, iid)), res.id, res.name)
                    )
        if caller != CALLER_LOCAL:
            for hook in self._create_hooks:
                hook(iid, caller)
            self._run_write_hooks(iid, plan, caller)
        self._apply_write({iid: plan}, [iid])
        return iid

    def delete(self, iid: int, caller: int = CALLER_LOCAL) -> None:
        """Delete instance ``iid`` (Core §6.3.7). A DM server may not delete the instance
        of a single-instance object (4.05, ETS int-685)."""
        self._require_instance(iid)
        if caller > 0 and not self.definition.multiple:
            raise MethodNotAllowed("/%d is a single-instance object" % self.id)
        if caller != CALLER_LOCAL:
            for hook in self._delete_hooks:
                hook(iid, caller)
        self.remove_instance(iid)
        self.notify_changed((self.id, iid))

    def discover(self, path: "Path", caller: int = CALLER_LOCAL) -> "list[tuple[Path, int | None]]":
        """The paths a Discover answer lists, each with ``dim`` (the number of instances
        of a multiple resource) or None (Core §6.3.2, Discover).

        An object lists itself, its instances and their resources; an instance lists
        itself and its resources; a resource lists itself and, when multiple, its
        resource instances.
        """
        self._check_path(path, 1)
        if len(path) == 4:
            raise MethodNotAllowed("discover does not apply to a resource instance")
        found: list[tuple[Path, int | None]] = [(path, None)]
        if len(path) == 3:
            self._require_instance(path[1])
            res = self._known_resource(path)
            if not res.executable and not self._may_read(res, caller) and not res.writable:
                raise NotFound("%s is not accessible" % format_path(path))
            if not res.multiple:
                if path[2] not in self.resource_ids(path[1]):
                    raise NotFound("%s is absent" % format_path(path))
                return found
            value = self._read_value(path[1], res)
            found[0] = (path, len(value))
            found.extend([(path + (riid,), None) for riid in sorted(value)])
            return found
        if len(path) == 2:
            self._require_instance(path[1])
            iids = [path[1]]
        else:
            iids = self.instance_ids()
        for iid in iids:
            if len(path) == 1:
                found.append(((self.id, iid), None))
            for rid in self.resource_ids(iid):
                found_res = self.definition.resources.get(rid)
                # Resources without operations belong to the bootstrap server alone.
                if found_res is None or (caller > 0 and found_res.operations == 0):
                    continue
                res = found_res
                dim = None
                if res.multiple:
                    try:
                        dim = len(self._read_value(iid, res))
                    except NotFound:
                        continue
                found.append(((self.id, iid, rid), dim))
        return found

    # --------------------------------------------------------- local convenience API

    def add_instance(self, iid: "int | None" = None, values: "dict[int, Any] | None" = None) -> int:
        """Create an instance from the application (no operation checks); return its id.

        ``values`` maps resource id -> value, or -> dict / list for a multiple resource.
        """
        records: list[Record] = []
        if iid is None:
            iid = self._free_instance_id()
        empty = []
        for rid, value in (values or {}).items():
            more = self._local_records(iid, rid, value)
            if not more and self._resource_definition(rid).multiple:
                empty.append(rid)  # present with no instances: records cannot say so
            records.extend(more)
        iid = self.create(records, iid, CALLER_LOCAL)
        for rid in empty:
            self.set_resource(iid, rid, {})
        return iid

    def get_value(self, iid: int, rid: int, riid: "int | None" = None) -> "Any":
        """The current value of a resource or resource instance (NotFound if absent)."""
        path = (self.id, iid, rid) if riid is None else (self.id, iid, rid, riid)
        self._require_instance(iid)
        res = self._known_resource(path)
        value = self._read_value(iid, res)
        if riid is None:
            return value
        if not res.multiple or riid not in value:
            raise NotFound("%s is absent" % format_path(path))
        return value[riid]

    def set_value(self, iid: int, rid: int, value: "Any", riid: "int | None" = None) -> None:
        """Set a resource (or one resource instance) from the application: checked against
        the definition, stored, reported to the listeners."""
        if riid is not None:
            path = (self.id, iid, rid, riid)
            self.write(path, [(path, value)], True, CALLER_LOCAL)
            return
        self.write((self.id, iid, rid), self._local_records(iid, rid, value), True, CALLER_LOCAL)

    def remove_value(self, iid: int, rid: int) -> None:
        """Remove an optional resource's value from the application."""
        self._require_instance(iid)
        res = self._known_resource((self.id, iid, rid))
        if res.mandatory:
            raise BadRequest("%s is mandatory" % format_path((self.id, iid, rid)))
        self._apply_write({iid: {rid: None}}, [])

    # ------------------------------------------------------------------- internals

    def _local_records(self, iid: int, rid: int, value: "Any") -> "list[Record]":
        res = self._resource_definition(rid)
        if res.multiple:
            return [((self.id, iid, rid, riid), v) for riid, v in _as_instances(value).items()]
        return [((self.id, iid, rid), value)]

    def _resource_definition(self, rid: int) -> "ResourceDefinition":
        res = self.definition.resources.get(rid)
        if res is None:
            raise ValueError("object %d defines no resource %d" % (self.id, rid))
        return res

    def _check_path(self, path: "Path", shortest: int) -> None:
        if not shortest <= len(path) <= 4 or path[0] != self.id:
            raise ValueError("path %r is not under object %d" % (path, self.id))

    def _require_instance(self, iid: int) -> None:
        if not self.has_instance(iid):
            raise NotFound("%s does not exist" % format_path((self.id, iid)))

    def _known_resource(self, path: "Path") -> "ResourceDefinition":
        res = self.definition.resources.get(path[2])
        if res is None:
            raise NotFound("%s: no such resource" % format_path(path[:3]))
        return res

    @staticmethod
    def _may_read(res: "ResourceDefinition", caller: int) -> bool:
        return res.readable or caller <= CALLER_BOOTSTRAP

    @staticmethod
    def _may_write(res: "ResourceDefinition", caller: int) -> bool:
        return not res.executable and (res.writable or caller <= CALLER_BOOTSTRAP)

    def _read_value(self, iid: int, res: "ResourceDefinition") -> "Any":
        """A resource's value, checked when an application reader or storage supplied it."""
        if not self._check_reads and res.id not in self._readers:
            return self.get_resource(iid, res.id)
        value = self.get_resource(iid, res.id)
        where = format_path((self.id, iid, res.id))
        if res.multiple:
            try:
                value = _as_instances(value)
            except TypeError as exc:
                raise InternalServerError("value of %s: %s" % (where, exc)) from None
            for riid, item in value.items():
                reason = res.check(item)
                if reason is not None:
                    raise InternalServerError("value of %s/%d: %s" % (where, riid, reason))
                value[riid] = types.normalise(res.type, item)
            return value
        reason = res.check(value)
        if reason is not None:
            raise InternalServerError("value of %s: %s" % (where, reason))
        return types.normalise(res.type, value)

    def _read_instance(self, iid: int, caller: int, records: "list[Record]") -> None:
        for rid in self.resource_ids(iid):
            res = self.definition.resources.get(rid)
            if res is None or res.executable or not self._may_read(res, caller):
                continue
            try:
                value = self._read_value(iid, res)
            except NotFound:
                continue
            if res.multiple:
                for riid in sorted(value):
                    records.append(((self.id, iid, rid, riid), value[riid]))
            else:
                records.append(((self.id, iid, rid), value))

    def _free_instance_id(self) -> int:
        taken = set(self.instance_ids())
        for iid in range(MAX_INSTANCE_ID + 1):
            if iid not in taken:
                return iid
        raise BadRequest("/%d has no free instance id" % self.id)

    def _plan_values(
        self,
        target: "Path",
        records: "Iterable[Record]",
        caller: int,
        creating: bool = False,
    ) -> "dict[int, Any]":
        """Check records under ``target`` (an instance or deeper) and group them:
        rid -> value, or rid -> {riid: value} for multiple resources."""
        plan: dict[int, Any] = {}
        seen = set()
        for path, value in records:
            if not is_prefix(target, path) or len(path) < 3 or len(path) > 4:
                raise BadRequest(
                    "record %s is not a resource under %s"
                    % (format_path(path), format_path(target))
                )
            if path in seen:
                raise BadRequest("record %s given twice" % format_path(path))
            seen.add(path)
            rid = path[2]
            res = self.definition.resources.get(rid)
            if res is None:
                if creating:
                    raise BadRequest("%s: no such resource" % format_path(path[:3]))
                raise NotFound("%s: no such resource" % format_path(path[:3]))
            if res.executable:
                raise (BadRequest if creating else MethodNotAllowed)(
                    "%s is executable" % format_path(path[:3])
                )
            if caller > 0 and (res.operations == 0 or (not creating and not res.writable)):
                raise MethodNotAllowed("%s is not writable" % format_path(path[:3]))
            if res.multiple != (len(path) == 4):
                raise BadRequest(
                    "%s: %s resource"
                    % (format_path(path), "a multiple" if res.multiple else "a single")
                )
            reason = res.check(value)
            if reason is not None:
                raise BadRequest("%s: %s" % (format_path(path), reason))
            value = types.normalise(res.type, value)
            if res.multiple:
                plan.setdefault(rid, {})[path[3]] = value
            else:
                plan[rid] = value
        return plan

    def _plan_write(
        self,
        path: "Path",
        records: "Iterable[Record]",
        replace: bool,
        caller: int,
    ) -> "tuple[dict[int, dict[int, Any]], list[int]]":
        """Check a write and return (iid -> rid -> new value or None, created iids)."""
        self._check_path(path, 1)
        records = list(records)
        bootstrap = caller == CALLER_BOOTSTRAP
        if len(path) == 1:
            if not bootstrap:
                raise MethodNotAllowed("write needs an instance or resource path")
            by_instance: dict[int, list[Record]] = {}
            for rec in records:
                if len(rec[0]) < 3 or rec[0][0] != self.id:
                    raise BadRequest("record %s is not a resource of /%d" % (rec[0], self.id))
                by_instance.setdefault(rec[0][1], []).append(rec)
            plans: dict[int, dict[int, Any]] = {}
            created: list[int] = []
            for iid in sorted(by_instance):
                recs = by_instance[iid]
                plans[iid] = self._plan_instance(iid, (self.id, iid), recs, False, caller)
                if not self.has_instance(iid):
                    created.append(iid)
            self._check_created(created)
            return plans, created
        iid = path[1]
        created = []
        if not self.has_instance(iid):
            if not bootstrap or len(path) > 2:
                raise NotFound("%s does not exist" % format_path((self.id, iid)))
            created.append(iid)
            self._check_created(created)
        return {iid: self._plan_instance(iid, path, records, replace, caller)}, created

    def _check_created(self, created: "list[int]") -> None:
        for iid in created:
            if not 0 <= iid <= MAX_INSTANCE_ID:
                raise BadRequest("instance id %d is not in 0..%d" % (iid, MAX_INSTANCE_ID))
        if created and not self.definition.multiple and len(self.instance_ids()) + len(created) > 1:
            raise BadRequest("/%d is a single-instance object" % self.id)

    def _plan_instance(
        self,
        iid: int,
        path: "Path",
        records: "list[Record]",
        replace: bool,
        caller: int,
    ) -> "dict[int, Any]":
        given = self._plan_values(path, records, caller)
        exists = self.has_instance(iid)
        # Bootstrap-Write (Core §6.1) sets the given resources, a multiple resource
        # as a whole, and leaves the others: it never removes what it does not name.
        bootstrap = caller == CALLER_BOOTSTRAP
        plan: dict[int, Any] = {}
        if len(path) >= 3:
            res = self._known_resource(path)
            if res.executable:
                raise MethodNotAllowed("%s is executable" % format_path(path[:3]))
            if not self._may_write(res, caller):
                raise MethodNotAllowed("%s is not writable" % format_path(path[:3]))
            if len(path) == 4 and not res.multiple:
                raise NotFound("%s is a single-instance resource" % format_path(path[:3]))
            rid = path[2]
            if res.multiple:
                new = given.get(rid, {})
                if len(path) == 4 or not (replace or bootstrap):
                    # One instance, or a partial update: merge into the current instances.
                    merged = self._current_instances(iid, res)
                    merged.update(new)
                    new = merged
                plan[rid] = new
            else:
                if rid not in given:
                    raise BadRequest("no value for %s" % format_path(path))
                plan[rid] = given[rid]
        else:
            for rid, value in given.items():
                res = self.definition.resources[rid]
                if res.multiple and not (replace or bootstrap) and exists:
                    merged = self._current_instances(iid, res)
                    merged.update(value)
                    value = merged
                plan[rid] = value
            if replace and exists and not bootstrap:
                present = self.resource_ids(iid)
                for res in self.definition.resources.values():
                    if res.id in plan or not self._may_write(res, caller):
                        continue
                    if res.id in self._readers or res.id not in present:
                        continue
                    if res.mandatory:
                        raise BadRequest(
                            "replace of %s lacks mandatory resource %d (%s)"
                            % (format_path(path), res.id, res.name)
                        )
                    plan[res.id] = None
        if caller != CALLER_LOCAL:
            self._run_write_hooks(iid, plan, caller)
        return plan

    def _current_instances(self, iid: int, res: "ResourceDefinition") -> "dict[int, Any]":
        if not self.has_instance(iid):
            return {}
        try:
            return dict(self._read_value(iid, res))
        except NotFound:
            return {}

    def _run_write_hooks(self, iid: int, plan: "dict[int, Any]", caller: int) -> None:
        for rid in sorted(plan):
            hook = self._writers.get(rid)
            if hook is not None:
                value = plan[rid]
                hook(iid, dict(value) if isinstance(value, dict) else value, caller)

    def _apply_write(self, plans: "dict[int, dict[int, Any]]", created: "list[int]") -> None:
        changed: list[Path] = []
        for iid in sorted(plans):
            if iid in created:
                self.new_instance(iid)
                changed.append((self.id, iid))
            for rid in sorted(plans[iid]):
                if rid not in self._unstored:
                    self.set_resource(iid, rid, plans[iid][rid])
                if iid not in created:
                    changed.append((self.id, iid, rid))
        for path in changed:
            self.notify_changed(path)


