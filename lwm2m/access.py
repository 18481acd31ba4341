"""Access control: which server may do what to which object instance.

OMA LwM2M 1.1.1 Core §7.3 and the Access Control object (2). An ACL instance names an
object instance ``(/2/x/0 object id, /2/x/1 instance id)``, grants rights per Short
Server ID in the multiple resource ``/2/x/2`` (resource instance id = the server's
Short Server ID; id 0 is the default for servers without an entry of their own), and
names an Access Control Owner ``/2/x/3``.

The decisions, in order:

1. The Security object (0) is never accessible to a device-management server (Core
   §7.3 and the object's own description); only bootstrap reaches it.
2. With one device-management server configured, access control does not apply
   (Core §7.3.1): that server has every right.
3. Otherwise an instance with no ACL instance is inaccessible. One with an ACL
   instance grants the server's own entry if it has one (checked first, §7.3.2.1),
   else every instance right when the server is the Access Control Owner, else the
   default entry (riid 0), else nothing. (The owner comes before the default entry:
   a default meant for other servers should not narrow the owner.)
4. Create on an object is governed by the ACL instance whose instance id is 65535
   for that object (§7.3.2): its Create bit for the server.
5. An Access Control instance itself is governed by its own owner resource: the owner
   may read and write it, other servers may read it.
6. Read covers Observe, Discover and Write-Attributes (§7.3.1, Table 7.3.1-1).

This module is pure data; the device-management layer reads the ACL instances out of
object 2, asks ``rights`` / ``may_create``, and answers 4.01 Unauthorized on a refusal.
"""

READ = 1
WRITE = 2
EXECUTE = 4
DELETE = 8
CREATE = 16
INSTANCE_RIGHTS = READ | WRITE | EXECUTE | DELETE
ALL_RIGHTS = INSTANCE_RIGHTS | CREATE

NAMES = {READ: "Read", WRITE: "Write", EXECUTE: "Execute", DELETE: "Delete", CREATE: "Create"}

SECURITY_OBJECT = 0
ACCESS_CONTROL_OBJECT = 2
# Core §7.3: /2/x/1 = 65535 makes the instance govern Create on the object.
CREATE_INSTANCE_ID = 65535
# An Access Control Owner of 65535 is the Bootstrap-Server (Core Appendix E.3).
BOOTSTRAP_OWNER = 65535
DEFAULT_ENTRY = 0


class AclEntry:
    """One Access Control object instance (``/2/instance``), as the decisions need it."""

    __slots__ = ("acl", "iid", "instance", "oid", "owner")

    def __init__(
        self, oid: int, iid: int, acl: "dict[int, int]", owner: int, instance: int = -1
    ) -> None:
        self.oid = oid
        self.iid = iid
        self.acl = acl
        self.owner = owner
        self.instance = instance

    def __repr__(self) -> str:
        return "AclEntry(/%d/%d, %r, owner=%d)" % (self.oid, self.iid, self.acl, self.owner)


class AccessControl:
    """Decisions over a snapshot of the ACL instances and the configured servers."""

    __slots__ = ("_by_instance", "_by_target", "server_ids")

    def __init__(self, entries: "list[AclEntry]", server_ids: "list[int]") -> None:
        self.server_ids = sorted(set(server_ids))
        self._by_target = {(e.oid, e.iid): e for e in entries}
        self._by_instance = {e.instance: e for e in entries if e.instance >= 0}

    @property
    def enforced(self) -> bool:
        """Core §7.3.1: only with more than one device-management server."""
        return len(self.server_ids) > 1

    def rights(self, ssid: int, oid: int, iid: int) -> int:
        """The rights bits ``ssid`` holds on instance ``/oid/iid`` (CREATE excluded)."""
        if oid == SECURITY_OBJECT:
            return 0
        if not self.enforced:
            return INSTANCE_RIGHTS
        if oid == ACCESS_CONTROL_OBJECT:
            own = self._by_instance.get(iid)
            if own is None:
                return 0
            return READ | WRITE if own.owner == ssid else READ
        entry = self._by_target.get((oid, iid))
        if entry is None:
            return 0
        return _granted(entry, ssid) & INSTANCE_RIGHTS

    def allows(self, ssid: int, right: int, oid: int, iid: int) -> bool:
        """True when ``ssid`` holds ``right`` on ``/oid/iid``."""
        return self.rights(ssid, oid, iid) & right == right

    def may_create(self, ssid: int, oid: int) -> bool:
        """True when ``ssid`` may create instances of object ``oid``."""
        if oid == SECURITY_OBJECT:
            return False
        if not self.enforced:
            return True
        entry = self._by_target.get((oid, CREATE_INSTANCE_ID))
        return entry is not None and _granted(entry, ssid) & CREATE == CREATE


def _granted(entry: AclEntry, ssid: int) -> int:
    own = entry.acl.get(ssid)
    if own is not None:
        return own
    if entry.owner == ssid:
        return INSTANCE_RIGHTS
    return entry.acl.get(DEFAULT_ENTRY, 0)


def entry_for_created_instance(ssid: int, oid: int, iid: int) -> AclEntry:
    """The ACL instance the client adds when server ``ssid`` creates ``/oid/iid``
    (Core §7.3.1.2.2): owned by the creator, which gets every instance right."""
    return AclEntry(oid, iid, {ssid: INSTANCE_RIGHTS}, ssid)
