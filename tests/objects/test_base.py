"""Instance storage and the operations on a BaseObject (also under MicroPython)."""

from objects import standard
from objects.base import CALLER_BOOTSTRAP, CALLER_LOCAL, BaseObject
from objects.errors import (
    BAD_REQUEST,
    INTERNAL_SERVER_ERROR,
    METHOD_NOT_ALLOWED,
    NOT_FOUND,
    UNAUTHORIZED,
    BadRequest,
    ObjectError,
    Unauthorized,
)
from tests.support import raises

DM = 101  # a DM server's Short Server ID


def code_of(fn: "object", *args: "object") -> int:
    exc = raises(ObjectError, fn, *args)  # type: ignore[arg-type]
    return int(exc.code)


def device() -> BaseObject:
    obj = BaseObject(standard.definition(3, "1.2"))
    obj.add_instance(0, {
        0: "Acme", 1: "Model 1", 11: [0], 13: 1700000000, 14: "+01:00",
        16: "UQ", 6: {0: 1, 1: 5},
    })
    return obj


def server() -> BaseObject:
    obj = BaseObject(standard.definition(1, "1.1"))
    obj.add_instance(0, {0: 101, 1: 300, 2: 1, 3: 60, 6: True, 7: "U", 13: 1})
    return obj


def test_read_levels() -> None:
    obj = device()
    assert obj.id == 3 and obj.version == "1.2" and obj.instance_ids() == [0]
    assert obj.read((3, 0, 0), DM) == [((3, 0, 0), "Acme")]
    assert obj.read((3, 0, 6), DM) == [((3, 0, 6, 0), 1), ((3, 0, 6, 1), 5)]
    assert obj.read((3, 0, 6, 1), DM) == [((3, 0, 6, 1), 5)]
    instance = obj.read((3, 0), DM)
    assert [p for p, _ in instance] == [
        (3, 0, 0), (3, 0, 1), (3, 0, 6, 0), (3, 0, 6, 1), (3, 0, 11, 0), (3, 0, 13), (3, 0, 14),
        (3, 0, 16),
    ]
    assert obj.read((3,), DM) == instance


def test_read_errors() -> None:
    obj = device()
    obj.on_execute(4, lambda iid, args, caller: None)
    assert code_of(obj.read, (3, 1), DM) == NOT_FOUND
    assert code_of(obj.read, (3, 0, 2), DM) == NOT_FOUND  # optional, absent
    assert code_of(obj.read, (3, 0, 99), DM) == NOT_FOUND  # not defined
    assert code_of(obj.read, (3, 0, 4), DM) == METHOD_NOT_ALLOWED  # executable
    assert code_of(obj.read, (3, 0, 6, 7), DM) == NOT_FOUND
    assert code_of(obj.read, (3, 0, 0, 0), DM) == NOT_FOUND  # single resource
    raises(ValueError, obj.read, (4, 0))  # another object's path is local misuse
    raises(ValueError, obj.read, ())


def test_dm_write_single_resources() -> None:
    obj = device()
    obj.write((3, 0, 13), [((3, 0, 13), 1800000000)], True, DM)
    assert obj.get_value(0, 13) == 1800000000
    # ETS 1.1-int-256: a read-only resource is 4.05 and keeps its value.
    assert code_of(obj.write, (3, 0, 0), [((3, 0, 0), "Other")], True, DM) == METHOD_NOT_ALLOWED
    assert obj.get_value(0, 0) == "Acme"
    assert code_of(obj.write, (3, 0, 4), [], True, DM) == METHOD_NOT_ALLOWED
    assert code_of(obj.write, (3, 0, 13), [((3, 0, 13), "now")], True, DM) == BAD_REQUEST
    assert code_of(obj.write, (3, 0, 13), [((3, 0, 13), True)], True, DM) == BAD_REQUEST
    assert code_of(obj.write, (3, 0, 13), [], True, DM) == BAD_REQUEST  # no value
    assert code_of(obj.write, (3, 1, 13), [((3, 1, 13), 1)], True, DM) == NOT_FOUND
    assert code_of(obj.write, (3, 0, 99), [((3, 0, 99), 1)], True, DM) == NOT_FOUND
    assert obj.get_value(0, 13) == 1800000000
    # The application itself may set read-only resources.
    obj.set_value(0, 0, "Other")
    assert obj.get_value(0, 0) == "Other"


def test_range_is_checked() -> None:
    obj = device()
    obj.set_value(0, 9, 100)
    exc = raises(BadRequest, obj.set_value, 0, 9, 101)
    assert "/3/0/9" in exc.message and "0..100" in exc.message
    assert obj.get_value(0, 9) == 100
    raises(BadRequest, obj.set_value, 0, 11, [0, 33])
    assert obj.get_value(0, 11) == {0: 0}


def test_partial_update_of_an_instance() -> None:
    # ETS 1.1-int-226: POST /1/0 {1: 60, 6: true}; the others stay.
    obj = server()
    obj.write((1, 0), [((1, 0, 1), 60), ((1, 0, 6), False)], False, DM)
    assert obj.get_value(0, 1) == 60 and obj.get_value(0, 6) is False
    assert obj.get_value(0, 2) == 1 and obj.get_value(0, 3) == 60 and obj.get_value(0, 7) == "U"


def test_replace_of_an_instance() -> None:
    obj = server()
    obj.write((1, 0), [((1, 0, 1), 86400), ((1, 0, 6), True), ((1, 0, 7), "UQ")], True, DM)
    assert obj.get_value(0, 1) == 86400 and obj.get_value(0, 7) == "UQ"
    # Omitted writable optional resources are gone; read-only and bootstrap-only ones stay.
    assert code_of(obj.get_value, 0, 2) == NOT_FOUND
    assert code_of(obj.get_value, 0, 3) == NOT_FOUND
    assert obj.get_value(0, 0) == 101 and obj.get_value(0, 13) == 1


def test_replace_without_a_mandatory_resource_changes_nothing() -> None:
    obj = server()
    before = obj.read((1, 0), CALLER_BOOTSTRAP)
    assert code_of(obj.write, (1, 0), [((1, 0, 1), 5)], True, DM) == BAD_REQUEST
    assert obj.read((1, 0), CALLER_BOOTSTRAP) == before


def test_instance_write_with_a_read_only_resource_is_refused() -> None:
    obj = server()
    records = [((1, 0, 0), 101), ((1, 0, 1), 5)]
    assert code_of(obj.write, (1, 0), records, False, DM) == METHOD_NOT_ALLOWED
    assert obj.get_value(0, 1) == 300
    # A resource without operations (Core §E.2: bootstrap only) is not the DM server's.
    assert code_of(obj.write, (1, 0, 13), [((1, 0, 13), 2)], True, DM) == METHOD_NOT_ALLOWED
    assert code_of(obj.read, (1, 0, 13), DM) == METHOD_NOT_ALLOWED
    assert (1, 0, 13) not in [p for p, _ in obj.read((1, 0), DM)]
    assert ((1, 0, 13), 1) in obj.read((1, 0), CALLER_BOOTSTRAP)


def test_multiple_instance_resources() -> None:
    obj = BaseObject(standard.definition(2, "1.1"))
    obj.add_instance(0, {0: 3, 1: 0, 2: {101: 15, 102: 1}, 3: 101})
    path = (2, 0, 2)
    # Replace on the resource: the given instances become all of them.
    obj.write(path, [((2, 0, 2, 103), 7)], True, DM)
    assert obj.get_value(0, 2) == {103: 7}
    # Partial update on the resource adds and updates (Core §6.3.3).
    obj.write(path, [((2, 0, 2, 101), 1), ((2, 0, 2, 103), 3)], False, DM)
    assert obj.get_value(0, 2) == {101: 1, 103: 3}
    # Write on one resource instance.
    obj.write((2, 0, 2, 104), [((2, 0, 2, 104), 31)], True, DM)
    assert obj.get_value(0, 2) == {101: 1, 103: 3, 104: 31}
    assert obj.get_value(0, 2, 104) == 31
    # Partial update on the instance merges resource instances too.
    obj.write((2, 0), [((2, 0, 2, 105), 2)], False, DM)
    assert obj.get_value(0, 2) == {101: 1, 103: 3, 104: 31, 105: 2}
    # Replace on the instance replaces the multiple resource as a whole.
    obj.write((2, 0), [((2, 0, 2, 1), 16), ((2, 0, 3), 101)], True, DM)
    assert obj.get_value(0, 2) == {1: 16}
    # Replace with no instances empties it; a record without a resource instance id is bad.
    obj.write(path, [], True, DM)
    assert obj.get_value(0, 2) == {} and obj.read(path, DM) == []
    assert code_of(obj.write, path, [((2, 0, 2), 3)], True, DM) == BAD_REQUEST
    assert code_of(obj.write, (2, 0, 2, 1), [((2, 0, 2, 1), 32)], True, DM) == BAD_REQUEST
    # The returned dict is a copy.
    obj.get_value(0, 2)[9] = 1
    assert obj.get_value(0, 2) == {}


def test_records_must_fit_the_target() -> None:
    obj = server()
    for path, records in [
        ((1, 0, 1), [((1, 0, 2), 5)]),
        ((1, 0), [((1, 1, 1), 5)]),
        ((1, 0), [((1, 0), 5)]),
        ((1, 0), [((1, 0, 1), 5), ((1, 0, 1), 6)]),
        ((1, 0), [((1, 0, 1, 0), 5)]),
    ]:
        assert code_of(obj.write, path, records, False, DM) == BAD_REQUEST, (path, records)
    assert code_of(obj.write, (1,), [((1, 0, 1), 5)], False, DM) == METHOD_NOT_ALLOWED
    assert obj.get_value(0, 1) == 300


def test_bootstrap_write() -> None:
    obj = BaseObject(standard.definition(0, "1.1"))
    records = [
        ((0, 0, 0), "coaps://bs.example:5684"), ((0, 0, 1), True), ((0, 0, 2), 0),
        ((0, 0, 3), b"ep"), ((0, 0, 4), b""), ((0, 0, 5), b"k" * 16),
        ((0, 1, 0), "coap://dm.example"), ((0, 1, 1), False), ((0, 1, 2), 3),
        ((0, 1, 10), 101), ((0, 1, 16, 0), 0xC0A8),
    ]
    obj.write((0,), records, True, CALLER_BOOTSTRAP)
    assert obj.instance_ids() == [0, 1]
    assert obj.get_value(1, 16) == {0: 0xC0A8}
    # Writing an existing instance sets what it names and removes nothing.
    obj.write((0, 1), [((0, 1, 0), "coap://dm2.example"), ((0, 1, 16, 1), 0xC0AE)], True,
              CALLER_BOOTSTRAP)
    assert obj.get_value(1, 0) == "coap://dm2.example" and obj.get_value(1, 10) == 101
    assert obj.get_value(1, 16) == {1: 0xC0AE}
    # A new instance through an instance path.
    obj.write((0, 5), [((0, 5, 0), "coap://x")], True, CALLER_BOOTSTRAP)
    assert obj.instance_ids() == [0, 1, 5]
    # A DM server cannot write the Security object's resources at all.
    assert code_of(obj.write, (0, 1, 0), [((0, 1, 0), "coap://y")], True, DM) == METHOD_NOT_ALLOWED
    assert code_of(obj.write, (0, 7), [((0, 7, 0), "coap://y")], True, DM) == NOT_FOUND


def test_create() -> None:
    obj = BaseObject(standard.definition(2, "1.1"))
    assert obj.create([((2, 0, 0), 3), ((2, 0, 1), 0), ((2, 0, 3), 1)], None, DM) == 0
    assert obj.create([((2, 1, 0), 4), ((2, 1, 1), 0), ((2, 1, 3), 1)], 1, DM) == 1
    obj.add_instance(3, {0: 5, 1: 0, 3: 1})
    # Without an id anywhere: the lowest free one.
    assert obj.add_instance(None, {0: 6, 1: 0, 3: 1}) == 2
    assert obj.create([((2, 4, 0), 7), ((2, 4, 1), 0), ((2, 4, 3), 1)], None, DM) == 4
    assert obj.instance_ids() == [0, 1, 2, 3, 4]
    taken = [((2, 1, 0), 4), ((2, 1, 1), 0), ((2, 1, 3), 1)]
    assert code_of(obj.create, taken, None, DM) == BAD_REQUEST  # the records' id exists
    assert code_of(obj.create, [], 65535, DM) == BAD_REQUEST
    assert code_of(obj.create, [((2, 9, 0), 4)], None, DM) == BAD_REQUEST  # mandatory missing
    assert code_of(obj.create, [((2, 9, 0), 4), ((2, 8, 1), 0)], None, DM) == BAD_REQUEST
    assert code_of(obj.create, [((2, 9, 7), 4)], None, DM) == BAD_REQUEST  # no such resource
    assert code_of(obj.create, [((2, 9, 0), "x")], None, DM) == BAD_REQUEST
    assert obj.instance_ids() == [0, 1, 2, 3, 4]
    # A single-instance object that has its instance: 4.05 (ETS int-680).
    dev = device()
    assert code_of(dev.create, [((3, 1, 0), "x")], None, DM) == METHOD_NOT_ALLOWED
    fw = BaseObject(standard.definition(5, "1.2"))
    fw.on_execute(2, lambda iid, args, caller: None)
    assert fw.create([], None, CALLER_BOOTSTRAP) == 0
    assert code_of(fw.create, [], None, CALLER_BOOTSTRAP) == METHOD_NOT_ALLOWED
    exe = BaseObject(standard.definition(15, "2.0"))
    assert code_of(exe.create, [((15, 0, 5), None)], None, DM) == BAD_REQUEST


def test_delete() -> None:
    obj = BaseObject(standard.definition(2, "1.1"))
    obj.add_instance(0, {0: 3, 1: 0, 3: 1})
    obj.delete(0, DM)
    assert obj.instance_ids() == []
    assert code_of(obj.delete, 0, DM) == NOT_FOUND
    dev = device()
    assert code_of(dev.delete, 0, DM) == METHOD_NOT_ALLOWED  # ETS int-685
    dev.delete(0, CALLER_BOOTSTRAP)
    assert dev.instance_ids() == []


def test_execute() -> None:
    obj = device()
    calls = []
    obj.on_execute(4, lambda iid, args, caller: calls.append((iid, args, caller)))
    obj.execute((3, 0, 4), b"0='x'", DM)
    assert calls == [(0, b"0='x'", DM)]
    assert code_of(obj.execute, (3, 0, 5), b"", DM) == NOT_FOUND  # no handler: not there
    assert code_of(obj.execute, (3, 0, 0), b"", DM) == METHOD_NOT_ALLOWED
    assert code_of(obj.execute, (3, 0), b"", DM) == METHOD_NOT_ALLOWED
    assert code_of(obj.execute, (3, 1, 4), b"", DM) == NOT_FOUND
    raises(ValueError, obj.on_execute, 0, lambda iid, args, caller: None)
    raises(ValueError, obj.on_read, 99, lambda iid: 1)


def test_readers_supply_and_are_checked() -> None:
    obj = device()
    level = [80]
    obj.on_read(9, lambda iid: level[0])
    assert obj.read((3, 0, 9), DM) == [((3, 0, 9), 80)]
    level[0] = 55
    assert ((3, 0, 9), 55) in obj.read((3, 0), DM)
    level[0] = 101
    assert code_of(obj.read, (3, 0, 9), DM) == INTERNAL_SERVER_ERROR
    obj.on_read(7, lambda iid: [3800, 5000])
    assert obj.read((3, 0, 7), DM) == [((3, 0, 7, 0), 3800), ((3, 0, 7, 1), 5000)]
    obj.on_read(8, lambda iid: "many")
    assert code_of(obj.read, (3, 0, 8), DM) == INTERNAL_SERVER_ERROR
    loc = BaseObject(standard.definition(6, "1.0"))
    loc.add_instance(0, {5: 0})
    loc.on_read(0, lambda iid: 48)  # an int for a Float resource reads as a float
    value = loc.read((6, 0, 0), DM)[0][1]
    assert value == 48.0 and type(value) is float


def test_write_hooks_see_the_change_first_and_may_refuse() -> None:
    obj = server()
    seen = []

    def lifetime(iid: int, value: "object", caller: int) -> None:
        seen.append((iid, value, caller))
        if value == 1:
            raise BadRequest("too short")

    obj.on_write(1, lifetime)
    obj.on_write(2, lambda iid, value, caller: seen.append((iid, value, caller)))
    obj.write((1, 0), [((1, 0, 1), 120), ((1, 0, 6), True), ((1, 0, 7), "U")], True, DM)
    assert seen == [(0, 120, DM), (0, None, DM)]  # resource 2 removed by the replace
    seen.clear()
    # A refusal leaves everything as it was.
    assert code_of(obj.write, (1, 0), [((1, 0, 1), 1), ((1, 0, 3), 9)], False, DM) == BAD_REQUEST
    assert obj.get_value(0, 1) == 120 and code_of(obj.get_value, 0, 3) == NOT_FOUND
    # Local writes do not call hooks.
    seen.clear()
    obj.set_value(0, 1, 1)
    assert seen == [] and obj.get_value(0, 1) == 1


def test_a_write_hook_may_take_the_value_instead_of_storage() -> None:
    fw = BaseObject(standard.definition(5, "1.2"))
    fw.add_instance(0, {1: "", 3: 0, 5: 0, 9: 2})
    received = []
    fw.on_write(0, lambda iid, value, caller: received.append(value), store=False)
    heard: "list[tuple[int, ...]]" = []
    fw.add_listener(heard.append)
    fw.write((5, 0, 0), [((5, 0, 0), b"\x00" * 64)], True, DM)
    assert received == [b"\x00" * 64] and heard == [(5, 0, 0)]
    assert code_of(fw.get_value, 0, 0) == NOT_FOUND  # not kept
    assert fw.discover((5, 0, 0), DM) == [((5, 0, 0), None)]  # yet there
    assert ((5, 0, 0), None) in fw.discover((5, 0), DM)
    assert code_of(fw.discover, (5, 0, 6), DM) == NOT_FOUND
    fw.on_write(0, lambda iid, value, caller: None)  # stored again
    fw.write((5, 0, 0), [((5, 0, 0), b"\x01")], True, DM)
    assert fw.get_value(0, 0) == b"\x01"


def test_create_and_delete_hooks_may_refuse() -> None:
    obj = BaseObject(standard.definition(2, "1.1"))

    def refuse(iid: int, caller: int) -> None:
        if caller == DM:
            raise Unauthorized("not yours")

    obj.on_create(refuse)
    obj.on_delete(refuse)
    records = [((2, 0, 0), 3), ((2, 0, 1), 0), ((2, 0, 3), 1)]
    assert code_of(obj.create, records, None, DM) == UNAUTHORIZED
    assert obj.instance_ids() == []
    obj.create(records, None, CALLER_BOOTSTRAP)
    assert code_of(obj.delete, 0, DM) == UNAUTHORIZED
    assert obj.instance_ids() == [0]


def test_listeners_hear_every_applied_change() -> None:
    obj = BaseObject(standard.definition(2, "1.1"))
    heard: "list[tuple[int, ...]]" = []
    obj.add_listener(heard.append)
    obj.add_instance(0, {0: 3, 1: 0, 3: 1})
    obj.set_value(0, 2, {101: 1})
    obj.write((2, 0), [((2, 0, 3), 101), ((2, 0, 2, 5), 1)], False, DM)
    obj.check_write((2, 0), [((2, 0, 3), 7)], False, DM)  # checks only
    raises(ObjectError, obj.write, (2, 0), [((2, 0, 3), "x")], False, DM)
    obj.delete(0, DM)
    assert heard == [(2, 0), (2, 0, 2), (2, 0, 2), (2, 0, 3), (2, 0)]
    obj.remove_listener(heard.append)
    obj.add_instance(0, {0: 3, 1: 0, 3: 1})
    assert len(heard) == 5


def test_discover() -> None:
    obj = device()
    obj.on_execute(4, lambda iid, args, caller: None)
    assert obj.discover((3, 0, 6), DM) == [
        ((3, 0, 6), 2), ((3, 0, 6, 0), None), ((3, 0, 6, 1), None),
    ]
    assert obj.discover((3, 0, 0), DM) == [((3, 0, 0), None)]
    assert obj.discover((3, 0, 4), DM) == [((3, 0, 4), None)]
    assert code_of(obj.discover, (3, 0, 5), DM) == NOT_FOUND
    assert code_of(obj.discover, (3, 0, 6, 0), DM) == METHOD_NOT_ALLOWED
    listing = obj.discover((3,), DM)
    assert listing[:3] == [((3,), None), ((3, 0), None), ((3, 0, 0), None)]
    assert ((3, 0, 4), None) in listing and ((3, 0, 11), 1) in listing
    assert obj.discover((3, 0), DM)[0] == ((3, 0), None)
    srv = server()
    assert ((1, 0, 13), None) not in srv.discover((1, 0), DM)
    assert ((1, 0, 13), None) in srv.discover((1, 0), CALLER_BOOTSTRAP)


def test_local_api() -> None:
    acl = BaseObject(standard.definition(2, "1.1"))
    acl.add_instance(0, {0: 3, 1: 0, 2: {}, 3: 1})
    assert acl.get_value(0, 2) == {}  # present, with no instances
    assert acl.discover((2, 0), DM)[3] == ((2, 0, 2), 0)
    obj = device()
    obj.set_value(0, 6, 3, 2)
    assert obj.get_value(0, 6) == {0: 1, 1: 5, 2: 3}
    obj.remove_value(0, 14)
    assert code_of(obj.get_value, 0, 14) == NOT_FOUND
    assert code_of(obj.remove_value, 0, 16) == BAD_REQUEST  # mandatory
    assert code_of(obj.get_value, 0, 6, 9) == NOT_FOUND
    raises(TypeError, obj.set_value, 0, 6, 3)
    assert "BaseObject /3" in repr(obj)
    assert code_of(obj.read, (3, 0, 14), CALLER_LOCAL) == NOT_FOUND


class ExternalValues(BaseObject):
    """A pass-through object: the values live in a dict the application owns."""

    __slots__ = ("backing",)

    def __init__(self) -> None:
        super().__init__(standard.definition(19, "1.0"))
        self.backing: "dict[int, dict[int, object]]" = {7: {0: {0: b"abc"}, 5: 12}}

    def instance_ids(self) -> "list[int]":
        return sorted(self.backing)

    def has_instance(self, iid: int) -> bool:
        return iid in self.backing

    def resource_ids(self, iid: int) -> "list[int]":
        return sorted(self.backing.get(iid, {}))

    def get_resource(self, iid: int, rid: int) -> "object":
        try:
            value = self.backing[iid][rid]
        except KeyError:
            raise ObjectError(NOT_FOUND, "absent") from None
        return dict(value) if isinstance(value, dict) else value

    def set_resource(self, iid: int, rid: int, value: "object") -> None:
        if value is None:
            self.backing[iid].pop(rid, None)
        else:
            self.backing[iid][rid] = value

    def new_instance(self, iid: int) -> None:
        self.backing[iid] = {}

    def remove_instance(self, iid: int) -> None:
        del self.backing[iid]


def test_a_pass_through_object_keeps_the_checks() -> None:
    obj = ExternalValues()
    assert obj.read((19,), DM) == [((19, 7, 0, 0), b"abc"), ((19, 7, 5), 12)]
    obj.write((19, 7), [((19, 7, 0, 1), b"def")], False, DM)
    assert obj.backing[7][0] == {0: b"abc", 1: b"def"}
    assert code_of(obj.write, (19, 7, 5), [((19, 7, 5), 70000)], True, DM) == BAD_REQUEST
    assert obj.create([((19, 0, 0, 0), b"")], None, DM) == 0
    assert obj.backing[0] == {0: {0: b""}}
    obj.delete(7, DM)
    assert obj.instance_ids() == [0]
    # What the external storage holds is checked at each read, as a reader's value is.
    obj.backing[0][5] = "not an int"
    assert code_of(obj.read, (19, 0, 5), DM) == INTERNAL_SERVER_ERROR
    obj.backing[0][5] = 7
    assert obj.read((19, 0, 5), DM) == [((19, 0, 5), 7)]
    assert obj.read((19, 0, 0), DM) == [((19, 0, 0, 0), b"")]
