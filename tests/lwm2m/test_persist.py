"""The persistence layer and the runtime around the Client: objects written by servers
survive, a registration within its lifetime is taken up without a Register
(PER_REGSTATUS_FEAT), DTLS sessions are saved. Runs under MicroPython too."""

import json
import os

from coap import codes
from lwm2m import events as ev
from lwm2m.client import Client
from lwm2m.clientconfig import ClientConfig, ServerAccount, build_client
from lwm2m.formats import TEXT
from lwm2m.persist import (
    Persistence,
    PersistenceError,
    decode_value,
    encode_value,
    restore_objects,
    snapshot_objects,
)
from lwm2m.runtime import ClientRuntime
from tests.coap.link import SeededRng
from tests.lwm2m.coap_server_peer import Net, ServerPeer
from tests.support import raises


def _client(seed: int = 1, lifetime_s: int = 300) -> Client:
    return build_client(ClientConfig(endpoint="persist-ep", servers=[
        ServerAccount("coap://127.0.0.1:5683", 101, lifetime_s)]), SeededRng(seed))


def _directory() -> str:
    name = "/tmp/pylwm2m-persist-%s" % "".join("%02x" % b for b in os.urandom(6))
    return name


def _cleanup(store: Persistence) -> None:
    store.clear()
    os.rmdir(store.store.directory)


def test_values_round_trip_through_json() -> None:
    for value in (b"\x00\xff", (3, 0), {0: b"a", 3: b"b"}, "text", 7, 1.5, True, None):
        assert decode_value(json.loads(json.dumps(encode_value(value)))) == value
    raises(PersistenceError, decode_value, {"zz": 1})


def test_a_snapshot_restores_what_servers_wrote() -> None:
    client = _client()
    client.objects[1].set_value(0, 1, 1234)
    client.objects[3].set_value(0, 14, "+02:00")  # UTC Offset: writable
    client.objects[2].add_instance(None, {0: 3, 1: 0, 2: {101: 31}, 3: 101})
    data = json.loads(json.dumps(snapshot_objects(client)))
    fresh = _client(2)
    restore_objects(fresh, data)
    assert fresh.objects[1].get_value(0, 1) == 1234
    assert fresh.objects[3].get_value(0, 14) == "+02:00"
    assert fresh.objects[2].instance_ids() == client.objects[2].instance_ids()
    assert fresh.objects[0].get_value(0, 0) == "coap://127.0.0.1:5683"
    # Read-only values the application keeps (manufacturer) are not persisted.
    assert "0" not in data["3"]["0"]


def test_restore_replaces_the_factory_accounts() -> None:
    client = _client()
    client.objects[0].set_value(0, 0, "coap://192.0.2.7:5683")
    fresh = build_client(ClientConfig(endpoint="persist-ep", servers=[
        ServerAccount("coap://127.0.0.1:5683", 101), ServerAccount("coap://127.0.0.1:5699",
                                                                   102)]), SeededRng(3))
    restore_objects(fresh, snapshot_objects(client))
    assert fresh.objects[0].instance_ids() == [0]
    assert fresh.objects[0].get_value(0, 0) == "coap://192.0.2.7:5683"


def _events(client: Client) -> "list[object]":
    out: "list[object]" = []
    while True:
        event = client.next_event()
        if event is None:
            return out
        out.append(event)


def _register(client: Client, runtime: ClientRuntime, server: ServerPeer,
              wall_s: int) -> Net:
    net = Net(client, server)
    runtime.start(0, wall_s)
    net.run(10000, lambda: client.state == ev.STATE_READY)
    while True:
        event = client.next_event()
        if event is None:
            break
        runtime.event(event, wall_s, 40000)
    runtime.flush()
    return net


def test_a_restart_within_the_lifetime_resumes_without_registering() -> None:
    directory = _directory()
    server = ServerPeer()
    first = _client(1, 300)
    runtime = ClientRuntime(first, Persistence(directory), persist_registration=True)
    net = _register(first, runtime, server, 1000)
    registers = len([e for e in server.log if e[2] == ("rd",)])
    assert registers == 1
    assert "objects.json" in Persistence(directory).store.names()  # saved from the start
    # A server writes the lifetime: persisted with the objects, the Update re-records it.
    assert net.ask(codes.PUT, "/1/0/1", b"200", TEXT).code == codes.CHANGED
    net.run(net.now_ms + 1000)
    for event in _events(first):
        runtime.event(event, 1010, 40000)
    runtime.flush()
    record = Persistence(directory).registrations()[101]
    assert record["lifetime_s"] == 200 and record["since_s"] == 1010
    assert record["port"] == 40000

    # The process "restarts" 100 s later: same endpoint, same server, within 200 s.
    second = _client(5, 300)
    again = ClientRuntime(second, Persistence(directory), persist_registration=True)
    again.start(0, 1110)
    assert again.resumed == [101] and again.local_ports == {101: 40000}
    assert second.state == ev.STATE_READY
    assert second.objects[1].get_value(0, 1) == 200  # the server's write survived
    net2 = Net(second, server)
    net2.settle()
    assert len([e for e in server.log if e[2] == ("rd",)]) == registers  # no Register
    # The Update falls due on the original schedule: 200 s lifetime, 100 s gone.
    session = second.sessions[101]
    assert session.machine.location == first.sessions[101].machine.location
    due = second.get_timer()
    assert due is not None and due <= 100 * 1000
    location = session.machine.location
    assert location is not None
    net2.run(due + 5000)
    assert server.log[-1][2] == tuple(location.strip("/").split("/"))
    _cleanup(Persistence(directory))


def test_an_expired_or_foreign_registration_registers_afresh() -> None:
    directory = _directory()
    server = ServerPeer()
    first = _client(1, 60)
    _register(first, ClientRuntime(first, Persistence(directory), True), server, 1000)
    late = _client(2, 60)
    runtime = ClientRuntime(late, Persistence(directory), True)
    runtime.start(0, 1000 + 61)  # the lifetime is over
    assert runtime.resumed == [] and late.state != ev.STATE_READY
    other = build_client(ClientConfig(endpoint="other-ep", servers=[
        ServerAccount("coap://127.0.0.1:5683", 101, 60)]), SeededRng(4))
    runtime = ClientRuntime(other, Persistence(directory), True)
    runtime.start(0, 1001)
    assert runtime.resumed == []
    # Without PER_REGSTATUS_FEAT nothing is resumed and the record is dropped.
    plain = _client(3, 60)
    runtime = ClientRuntime(plain, Persistence(directory), False)
    runtime.start(0, 1001)
    assert runtime.resumed == [] and Persistence(directory).registrations() == {}
    _cleanup(Persistence(directory))


def test_a_de_register_drops_the_record() -> None:
    directory = _directory()
    server = ServerPeer()
    client = _client()
    runtime = ClientRuntime(client, Persistence(directory), True)
    net = _register(client, runtime, server, 1000)
    assert 101 in Persistence(directory).registrations()
    client.deregister(net.now_ms)
    net.settle()
    for event in _events(client):
        runtime.event(event, 1001)
    assert Persistence(directory).registrations() == {}
    _cleanup(Persistence(directory))


def test_a_corrupt_snapshot_is_reported() -> None:
    directory = _directory()
    store = Persistence(directory)
    store.store.write("objects.json", b"{not json")
    raises(PersistenceError, store.load_objects, _client())
    store.store.write("objects.json", b'{"version": 99, "objects": {}}')
    raises(PersistenceError, store.load_objects, _client())
    _cleanup(store)
