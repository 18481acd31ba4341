"""Registration rules, the PSK store and bootstrap scripts (no CoAP, no clock).

Runs under MicroPython too: it imports only tests.support and the code under test.
"""

from lwm2m.server.bootstrap_script import (
    DELETE,
    DISCOVER,
    WRITE,
    BootstrapScriptError,
    load_script,
)
from lwm2m.server.params import (
    InvalidParameters,
    parse_bootstrap_request,
    parse_register,
    parse_update,
)
from lwm2m.server.psk import PskError, PskStore, parse_psk_option
from lwm2m.server.store import RegistrationStore
from tests.support import raises

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable


def counter_rng() -> "Callable[[int], bytes]":
    state = [0]

    def rng(n: int) -> bytes:
        state[0] += 1
        return (state[0] % 256).to_bytes(1, "big") * n

    return rng


def test_register_defaults_follow_core_6_2_1() -> None:
    p = parse_register(["ep=dev1"])
    assert p.endpoint == "dev1"
    assert p.lifetime_s == 86400
    assert p.version == "1.0"
    assert p.binding == "U"
    assert not p.queue
    assert p.extra == []


def test_register_full_parameters_and_unknown_ones_kept() -> None:
    p = parse_register(["ep=urn:imei:1", "lt=300", "lwm2m=1.1", "b=UQ", "sms=+4917", "Q",
                        "apn=internet", "flag"])
    assert (p.endpoint, p.lifetime_s, p.version, p.binding) == ("urn:imei:1", 300, "1.1", "UQ")
    assert p.queue
    assert p.sms == "+4917"
    assert p.extra == [("apn", "internet"), ("flag", None)]


def test_register_queue_from_1_0_binding() -> None:
    assert parse_register(["ep=a", "b=UQ"]).queue
    assert parse_register(["ep=a", "b=UQS"]).queue
    assert not parse_register(["ep=a", "b=US"]).queue


def test_register_rejects_what_a_server_must_refuse() -> None:
    bad = [
        [],                          # no ep
        ["lt=60"],                   # no ep
        ["ep="],                     # empty ep
        ["ep"],                      # ep without value
        ["ep=a", "lt=abc"],
        ["ep=a", "lt=-5"],
        ["ep=a", "lt=0"],
        ["ep=a", "lt=99999999999"],
        ["ep=a", "lwm2m=one"],
        ["ep=a", "lwm2m=1"],
        ["ep=a", "b=X"],
        ["ep=a", "b=UU"],
        ["ep=a", "b=Q"],
        ["ep=a", "Q=1"],
        ["ep=a", "sms=12ab"],
        ["ep=a", "ep=b"],            # twice
        ["=x", "ep=a"],
        ["ep=a\x01b"],
        ["ep=" + "x" * 300],
    ]
    for items in bad:
        raises(InvalidParameters, parse_register, items)


def test_update_carries_only_what_changed() -> None:
    p = parse_update(["lt=60"])
    assert p.lifetime_s == 60
    assert p.binding is None and p.endpoint is None
    p = parse_update([])
    assert p.lifetime_s is None
    raises(InvalidParameters, parse_update, ["ep=other"])
    raises(InvalidParameters, parse_update, ["lwm2m=1.1"])
    raises(InvalidParameters, parse_update, ["lt=x"])


def test_bootstrap_request_parameters() -> None:
    p = parse_bootstrap_request(["ep=dev", "pct=112"])
    assert (p.endpoint, p.pct) == ("dev", 112)
    raises(InvalidParameters, parse_bootstrap_request, ["pct=112"])
    raises(InvalidParameters, parse_bootstrap_request, ["ep=d", "pct=cbor"])


def test_store_register_update_deregister() -> None:
    store = RegistrationStore(counter_rng())
    reg, replaced = store.register(parse_register(["ep=a", "lt=60"]), [], ("h", 1), 1000)
    assert replaced is None
    assert reg.path == "/rd/" + reg.location
    assert len(reg.location) == 8
    assert reg.expires_ms == 61000
    assert store.get(reg.location) is reg and store.by_endpoint("a") is reg
    assert store.next_expiry_ms() == 61000
    same = store.update(reg.location, parse_update(["lt=120"]), None, ("h", 2), 50000)
    assert same is reg
    assert reg.lifetime_s == 120 and reg.address == ("h", 2)
    assert store.next_expiry_ms() == 170000
    assert store.update("nope", parse_update([]), None, None, 1) is None
    assert store.deregister(reg.location) is reg
    assert store.deregister(reg.location) is None
    assert len(store) == 0
    assert store.next_expiry_ms() is None


def test_store_expiry_with_stepped_time() -> None:
    store = RegistrationStore(counter_rng(), grace_ms=500)
    a, _ = store.register(parse_register(["ep=a", "lt=10"]), [], 1, 0)
    b, _ = store.register(parse_register(["ep=b", "lt=20"]), [], 2, 0)
    assert store.next_expiry_ms() == 10500
    assert store.expire(10499) == []
    assert store.expire(10500) == [a]
    store.update(b.location, parse_update([]), None, 2, 15000)  # lifetime restarts
    assert store.expire(20500) == []
    assert store.next_expiry_ms() == 35500
    assert store.expire(40000) == [b]
    assert len(store) == 0


def test_second_register_replaces_the_first() -> None:
    store = RegistrationStore(counter_rng())
    first, _ = store.register(parse_register(["ep=a", "lt=10"]), [], 1, 0)
    second, replaced = store.register(parse_register(["ep=a", "lt=30"]), [], 2, 5)
    assert replaced is first
    assert second.location != first.location
    assert store.get(first.location) is None
    assert store.by_endpoint("a") is second
    # the old deadline does not expire the new registration
    assert store.expire(20000) == []
    assert store.expire(30005) == [second]


def test_locations_never_collide() -> None:
    calls = [b"\x00\x00\x00\x01", b"\x00\x00\x00\x01", b"\x00\x00\x00\x02"]

    def rng(n: int) -> bytes:
        return calls.pop(0)

    store = RegistrationStore(rng)
    a, _ = store.register(parse_register(["ep=a"]), [], 1, 0)
    b, _ = store.register(parse_register(["ep=b"]), [], 2, 0)
    assert (a.location, b.location) == ("00000001", "00000002")


def test_queue_mode_awake_window() -> None:
    store = RegistrationStore(counter_rng(), awake_ms=1000)
    reg, _ = store.register(parse_register(["ep=a", "Q"]), [], 1, 0)
    assert reg.queue
    assert reg.is_awake(999) and not reg.is_awake(1000)
    store.update(reg.location, parse_update([]), None, 1, 5000)
    assert reg.is_awake(5500) and not reg.is_awake(6000)
    store.touch(reg, 5800)
    assert reg.is_awake(6700)
    plain, _ = store.register(parse_register(["ep=b"]), [], 2, 0)
    assert plain.is_awake(10 ** 9)


def test_psk_option_and_binding() -> None:
    entry = parse_psk_option("dev1:IMEI:123_X:000102")
    assert entry.endpoint == "dev1" and entry.identity == b"IMEI:123_X"
    assert entry.key == b"\x00\x01\x02"
    for bad in ("dev1", "dev1:id", "dev1:id:0g", "dev1:id:012", ":id:00", "dev1::00"):
        raises(PskError, parse_psk_option, bad)
    store = PskStore()
    store.add("dev1", "id1", b"k1")
    store.add("dev2", b"id2", b"k2")
    assert store.key_for(b"id1") == b"k1"
    assert store.key_for(b"nobody") is None
    assert store.endpoint_of(b"id2") == "dev2"
    assert store.owns(b"id1", "dev1")
    assert not store.owns(b"id1", "dev2")        # 4.03: another endpoint's name
    assert not store.owns(b"id1", "free")        # an identity owns only its endpoint
    assert not store.owns(None, "dev1")          # plain CoAP cannot take a PSK endpoint
    assert store.owns(None, "free")
    raises(PskError, store.add, "dev3", "id1", b"k")
    store.add("dev1", "id1b", b"k3")             # replacing frees the old identity
    assert store.key_for(b"id1") is None
    assert len(store) == 2
    assert "k3" not in repr(store.entry_for_endpoint("dev1"))


def test_bootstrap_script_shorthand() -> None:
    script = load_script({
        "dev1": {
            "discover": True,
            "delete": ["/0", "/1"],
            "write": {
                "/0/1": {"0": "coaps://127.0.0.1:5684", "1": False, "2": 0, "3": "dev1",
                         "5": {"hex": "0001"}, "10": 1},
                "/1/0": {"0": 1, "1": 300, "6": False, "7": "U"},
            },
        },
        "*": {"format": "senml-cbor", "delete": ["/"]},
    })
    config = script.for_endpoint("dev1")
    assert config is not None
    assert [(s.op, s.path) for s in config.steps] == [
        (DISCOVER, ()), (DELETE, (0,)), (DELETE, (1,)), (WRITE, (0, 1)), (WRITE, (1, 0))]
    assert config.content_format == 11542
    records = config.steps[3].records
    assert ((0, 1, 3), b"dev1") in records       # PSK identity is opaque: UTF-8 bytes
    assert ((0, 1, 5), b"\x00\x01") in records
    assert ((0, 1, 1), False) in records
    other = script.for_endpoint("someone")
    assert other is not None and other.content_format == 112
    assert [(s.op, s.path) for s in other.steps] == [(DELETE, ())]


def test_bootstrap_script_steps_and_values() -> None:
    script = load_script({"d": {"steps": [
        {"op": "delete", "path": "/"},
        {"op": "write", "path": "/1/0/1", "values": 60},
        {"op": "write", "path": "/3/0/11", "values": {"0": 1, "1": 2}},
        {"op": "write", "path": "/11/0/10", "values": {"objlnk": [3, 0]}},
        {"op": "read", "path": "/1/0"},
    ]}})
    config = script.for_endpoint("d")
    assert config is not None
    assert config.steps[1].records == [((1, 0, 1), 60)]
    assert config.steps[2].records == [((3, 0, 11, 0), 1), ((3, 0, 11, 1), 2)]
    assert config.steps[3].records == [((11, 0, 10), (3, 0))]
    assert script.for_endpoint("other") is None


def test_bootstrap_script_errors_say_where() -> None:
    cases = [
        ({}, "endpoint name"),
        ({"d": []}, "expected an object"),
        ({"d": {"colour": 1}}, "unknown key"),
        ({"d": {"format": "xml"}}, "format"),
        ({"d": {"delete": ["/0/1/2"]}}, "delete"),
        ({"d": {"delete": ["0"]}}, "start with"),
        ({"d": {"write": {"/": {}}}}, "object or deeper"),
        ({"d": {"write": {"/1/0": {"1": [1]}}}}, "cannot write"),
        ({"d": {"write": {"/1/0": {"1": 1.5}}}}, "whole number"),
        ({"d": {"write": {"/1/0": {"1": "60"}}}}, "not a number"),
        ({"d": {"write": {"/1/0": {"6": 1}}}}, "boolean"),
        ({"d": {"write": {"/1/0": {"1": True}}}}, "is not a"),
        ({"d": {"write": {"/1/0": {"x": 1}}}}, "resource id"),
        ({"d": {"write": {"/0/0": {"5": {"hex": "0"}}}}}, "hex"),
        ({"d": {"steps": [{"op": "dance"}]}}, "step 1"),
        ({"d": {"steps": [{"op": "write", "path": "/1/0"}]}}, "values"),
        ({"d": {"steps": [], "delete": []}}, "either"),
    ]
    for data, needle in cases:
        exc = raises(BootstrapScriptError, load_script, data)
        assert needle in str(exc), (needle, str(exc))
