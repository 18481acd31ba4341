"""Access control decisions (Core §7.3), including ETS 1.1-int-221 and the multi-server
rights of int-950/951. Also runs under MicroPython."""

from lwm2m.access import (
    CREATE,
    DELETE,
    EXECUTE,
    INSTANCE_RIGHTS,
    READ,
    WRITE,
    AccessControl,
    AclEntry,
    entry_for_created_instance,
)

ACL = [
    # /3/0: server 101 reads and executes, the default (others) only reads; owner 102.
    AclEntry(3, 0, {101: READ | EXECUTE, 0: READ}, owner=102, instance=0),
    # /1/0: owned by 101, no entries at all.
    AclEntry(1, 0, {}, owner=101, instance=1),
    # /9: 102 may create instances.
    AclEntry(9, 65535, {102: CREATE}, owner=65535, instance=2),
    # /5/0: no default; 101 explicitly has nothing even though it is the owner.
    AclEntry(5, 0, {101: 0}, owner=101, instance=3),
]


def test_int_221_security_object_is_never_reachable() -> None:
    for servers in ([101], [101, 102]):
        ac = AccessControl(ACL, servers)
        assert ac.rights(101, 0, 0) == 0
        assert not ac.allows(101, READ, 0, 1)
        assert not ac.may_create(101, 0)


def test_single_server_has_every_right() -> None:
    ac = AccessControl([], [101])
    assert not ac.enforced
    assert ac.rights(101, 3, 0) == INSTANCE_RIGHTS
    assert ac.may_create(101, 9)


def test_own_entry_then_owner_then_default() -> None:
    ac = AccessControl(ACL, [101, 102, 103])
    assert ac.enforced
    assert ac.rights(101, 3, 0) == READ | EXECUTE  # own entry
    assert ac.rights(102, 3, 0) == INSTANCE_RIGHTS  # owner, no own entry
    assert ac.rights(103, 3, 0) == READ  # default entry
    assert ac.allows(101, EXECUTE, 3, 0) and not ac.allows(101, WRITE, 3, 0)
    assert ac.rights(101, 1, 0) == INSTANCE_RIGHTS  # owner of an entry-less ACL
    assert ac.rights(102, 1, 0) == 0
    assert ac.rights(101, 5, 0) == 0  # own entry checked before ownership
    assert ac.rights(101, 4, 0) == 0  # no ACL instance: nothing


def test_create_rights() -> None:
    ac = AccessControl(ACL, [101, 102])
    assert ac.may_create(102, 9) and not ac.may_create(101, 9)
    assert not ac.may_create(102, 3)  # no /3/65535 ACL instance


def test_access_control_instances_belong_to_their_owner() -> None:
    ac = AccessControl(ACL, [101, 102])
    assert ac.rights(102, 2, 0) == READ | WRITE  # /2/0 is owned by 102
    assert ac.rights(101, 2, 0) == READ
    assert ac.rights(101, 2, 7) == 0  # no such ACL instance


def test_created_instance_entry() -> None:
    entry = entry_for_created_instance(102, 9, 4)
    ac = AccessControl(ACL + [entry], [101, 102])
    assert ac.rights(102, 9, 4) == READ | WRITE | EXECUTE | DELETE
    assert ac.rights(101, 9, 4) == 0
