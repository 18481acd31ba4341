"""Pass-through objects and the application data containers.

spec/bg96.md "Interfaces and objects": Software Management (9) and Device Capability
Management (15) are handed to an application registered for them; BinaryAppData-
Container (19) and App Data Container (10250) carry application payloads up (the
application sets the data, the server reads or observes it) and down (the server
writes, the application is told).

``pass_through(obj, handler)`` forwards every operation a server makes on ``obj`` to
``handler(operation, path, value, caller)`` *before* it is applied, so the application
may refuse it by raising an ``ObjectError`` (the server gets that code); values stay
in the object, where the application updates them with ``set_value``.
"""

from objects.base import BaseObject
from objects.errors import ObjectError
from objects.standard import APP_DATA_CONTAINER, BINARY_APP_DATA_CONTAINER, definition

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any, TypeAlias

    from objects.definitions import ObjectDefinition
    from objects.path import Path

    Handler: TypeAlias = Callable[[str, Path, Any, int], None]

# The operations a handler hears about.
WRITTEN = "write"
EXECUTED = "execute"
CREATED = "create"
DELETED = "delete"


def pass_through(obj: BaseObject, handler: "Handler") -> BaseObject:
    """Route the server's writes, executes, creates and deletes on ``obj`` to ``handler``."""
    oid = obj.id

    def on_write(rid: int) -> "Callable[[int, Any, int], None]":
        return lambda iid, value, caller: handler(WRITTEN, (oid, iid, rid), value, caller)

    def on_execute(rid: int) -> "Callable[[int, bytes, int], None]":
        return lambda iid, args, caller: handler(EXECUTED, (oid, iid, rid), args, caller)

    for res in obj.definition.resources.values():
        if res.executable:
            obj.on_execute(res.id, on_execute(res.id))
        elif res.writable:
            obj.on_write(res.id, on_write(res.id))
    obj.on_create(lambda iid, caller: handler(CREATED, (oid, iid), None, caller))
    obj.on_delete(lambda iid, caller: handler(DELETED, (oid, iid), None, caller))
    return obj


def software_management(definition: "ObjectDefinition", handler: "Handler") -> BaseObject:
    """Object 9 (or 15, or any definition) as a pass-through object."""
    return pass_through(BaseObject(definition), handler)


# Resources of the data containers.
BINARY_DATA = 0  # /19/x/0, multiple Opaque
UL_DATA = 0  # /10250/0/0, R Opaque
DL_DATA = 1  # /10250/0/1, W Opaque


class DataContainers:
    """Objects 19 and 10250 with an uplink API and a downlink callback.

    ``on_downlink(path, data, caller)`` runs for each server write of /19/x/0/y or
    /10250/0/1 (the host raises ``+QLWDLDATA`` from it)."""

    __slots__ = ("app_data", "binary", "on_downlink")

    def __init__(self, on_downlink: "Callable[[Path, bytes, int], None]") -> None:
        self.on_downlink = on_downlink
        self.binary = BaseObject(definition(BINARY_APP_DATA_CONTAINER))
        self.app_data = BaseObject(definition(APP_DATA_CONTAINER))
        self.binary.add_instance(0, {BINARY_DATA: {0: b""}})
        self.app_data.add_instance(0, {UL_DATA: b"", DL_DATA: b""})
        self.binary.on_write(BINARY_DATA, self._binary_written)
        self.app_data.on_write(DL_DATA, self._app_written)

    def set_uplink(self, oid: int, data: bytes, iid: int = 0) -> "Path":
        """Put uplink ``data`` where the server reads or observes it: /19/iid/0/0 or
        /10250/0/0. Returns the path that changed (the observers' business)."""
        if oid == BINARY_APP_DATA_CONTAINER:
            if not self.binary.has_instance(iid):
                self.binary.add_instance(iid, {BINARY_DATA: {0: b""}})
            self.binary.set_value(iid, BINARY_DATA, bytes(data), 0)
            return (oid, iid, BINARY_DATA, 0)
        if oid == APP_DATA_CONTAINER:
            self.app_data.set_value(0, UL_DATA, bytes(data))
            return (oid, 0, UL_DATA)
        raise ValueError("uplink data goes to object 19 or 10250, not %d" % oid)

    def _binary_written(self, iid: int, value: "Any", caller: int) -> None:
        # The hook sees the resource's whole new value: report the instances it changes.
        try:
            old = self.binary.get_value(iid, BINARY_DATA) if self.binary.has_instance(iid) else {}
        except ObjectError:
            old = {}
        for riid in sorted(value or {}):
            if old.get(riid) != value[riid]:
                self.on_downlink((19, iid, BINARY_DATA, riid), bytes(value[riid]), caller)

    def _app_written(self, iid: int, value: "Any", caller: int) -> None:
        self.on_downlink((10250, iid, DL_DATA), bytes(value or b""), caller)
