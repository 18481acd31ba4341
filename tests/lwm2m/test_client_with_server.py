"""The Client against the embedded LwM2M server (``lwm2m.server.Server``) on a stepped
clock, over CoAP and DTLS-PSK, with loss and duplication: the ETS conversations end to
end. Runs under MicroPython."""

from lwm2m import events as ev
from lwm2m import formats
from lwm2m.client import Client
from lwm2m.server.psk import PskStore
from lwm2m.server.server import Server
from tests.coap.link import SeededRng

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any

EP = "urn:imei:490154203237511"
CLIENT_ADDR = ("127.0.0.1", 40000)
PSK_KEY = bytes(range(16))

CONTENT = 0x45
CHANGED = 0x44
CREATED = 0x41
UNAUTHORIZED = 0x81
METHOD_NOT_ALLOWED = 0x85


class World:
    """One Client, one Server, the wire between them, the clock."""

    def __init__(self, secure: bool = False, loss: float = 0.0, duplicate: float = 0.0,
                 seed: int = 3, lifetime_s: int = 300) -> None:
        self.now_ms = 0
        self.listener = "coaps" if secure else "coap"
        port = 5684 if secure else 5683
        self.server_addr = ("127.0.0.1", port)
        psk = PskStore()
        if secure:  # an endpoint with a key may not register over plain CoAP
            psk.add(EP, EP.encode(), PSK_KEY)
        self.server = Server(SeededRng(seed + 100), psk=psk, listeners=(self.listener,))
        options = None
        if secure:
            from tests.lwm2m.test_client_coap import _pure_backend

            options = {"dtls_options": {"backend": _pure_backend()}}
        self.client = Client(EP, formats, rng=SeededRng(seed), manufacturer="Open Mobile Alliance",
                             transport_options=options)
        scheme = "coaps" if secure else "coap"
        self.client.add_server("%s://127.0.0.1:%d" % (scheme, port), 101, lifetime_s,
                               identity=EP.encode() if secure else b"",
                               secret=PSK_KEY if secure else b"")
        self.faults = SeededRng(seed + 7)
        self.loss = loss
        self.duplicate = duplicate
        self.events: "list[object]" = []

    def _wire(self, data: bytes, deliver: "Callable[[bytes], None]") -> None:
        if self.loss and self.faults.chance(self.loss):
            return
        deliver(data)
        if self.duplicate and self.faults.chance(self.duplicate):
            deliver(data)

    def settle(self) -> None:
        for _ in range(1000):
            moved = False
            for addr, data in self.client.datagrams_to_send():
                assert addr == self.server_addr
                moved = True
                self._wire(data, lambda d: self.server.receive_datagram(
                    d, CLIENT_ADDR, self.now_ms, self.listener))
            for addr, data in self.server.datagrams_to_send(self.listener):
                assert addr == CLIENT_ADDR
                moved = True
                self._wire(data, lambda d: self.client.receive_datagram(
                    d, self.server_addr, self.now_ms))
            while True:
                event = self.server.next_event()
                if event is None:
                    break
                self.events.append(event)
            if not moved:
                return
        raise AssertionError("never settled")

    def run(self, until_ms: int, done: "Callable[[], bool] | None" = None) -> None:
        self.settle()
        while done is None or not done():
            timers = [t for t in (self.client.get_timer(), self.server.get_timer())
                      if t is not None]
            if not timers or min(timers) > until_ms:
                self.now_ms = max(self.now_ms, until_ms)
                return
            self.now_ms = max(self.now_ms, min(timers))
            for side in (self.client, self.server):
                timer = side.get_timer()
                if timer is not None and timer <= self.now_ms:
                    side.handle_timer(self.now_ms)
            self.settle()

    def ready(self) -> bool:
        return self.client.state == ev.STATE_READY and self.server.registration(EP) is not None

    def do(self, operation: "Any", within_ms: int = 200000) -> "Any":
        self.run(self.now_ms + within_ms, lambda: operation.done)
        assert operation.done, operation
        return operation.response

    def names(self) -> "list[str]":
        return [type(e).__name__ for e in self.events]


def test_lwm2m_1_1_int_101_with_the_embedded_server() -> None:
    world = World()
    world.client.start(0)
    world.run(10000, world.ready)
    registration = world.server.registration(EP)
    assert registration is not None
    assert registration.lifetime_s == 300 and registration.binding == "U"
    assert registration.version == "1.1"
    assert "ClientRegistered" in world.names()


def test_lwm2m_1_1_int_102_107_lifetime_written_and_kept() -> None:
    world = World()
    world.client.start(0)
    world.run(10000, world.ready)
    response = world.do(world.server.write(EP, "/1/0/1", 120, now_ms=world.now_ms))
    assert response.code == CHANGED
    world.run(world.now_ms + 1000)
    registration = world.server.registration(EP)
    assert registration is not None and registration.lifetime_s == 120
    world.run(world.now_ms + 3600000)
    # An hour of Updates at 120 s: never expired on the server.
    assert "RegistrationExpired" not in world.names()
    assert world.names().count("ClientUpdated") >= 30
    assert world.names().count("ClientRegistered") == 1


def test_lwm2m_1_1_int_103_104_disable_and_trigger() -> None:
    world = World()
    world.client.set_value("/1/0/5", 30)
    world.client.start(0)
    world.run(10000, world.ready)
    assert world.do(world.server.execute(EP, "/1/0/8", now_ms=world.now_ms)).code == CHANGED
    world.run(world.now_ms + 1000)
    assert world.names()[-1] == "ClientUpdated" or "ClientUpdated" in world.names()
    assert world.do(world.server.execute(EP, "/1/0/4", now_ms=world.now_ms)).code == CHANGED
    world.run(world.now_ms + 1000)
    assert "ClientDeregistered" in world.names() and world.server.registration(EP) is None
    world.run(world.now_ms + 31000, world.ready)
    assert world.ready() and world.names().count("ClientRegistered") == 2


def test_device_management_ets_2xx_with_the_embedded_server() -> None:
    world = World()
    world.client.start(0)
    world.run(10000, world.ready)
    server = world.server
    response = world.do(server.read(EP, "/3/0", accept=formats.TLV, now_ms=world.now_ms))
    records = dict(response.records)
    assert records[(3, 0, 0)] == "Open Mobile Alliance" and records[(3, 0, 16)] == "U"
    # int-221: the Security object is not for a DM server.
    assert world.do(server.read(EP, "/0/0", now_ms=world.now_ms)).code == UNAUTHORIZED
    # int-256: read-only resource.
    assert world.do(server.write(EP, "/1/0/0", 7, now_ms=world.now_ms)).code \
        == METHOD_NOT_ALLOWED
    # int-229: Read-Composite.
    response = world.do(server.read_composite(EP, ["/3/0/0", "/1/0/1"], now_ms=world.now_ms))
    assert dict(response.records) == {(3, 0, 0): "Open Mobile Alliance",
                                      (1, 0, 1): 300}
    # int-230: Write-Composite.
    response = world.do(server.write_composite(EP, [("/1/0/2", 5), ("/1/0/3", 50)],
                                               now_ms=world.now_ms))
    assert response.code == CHANGED
    assert world.client.get_value("/1/0/3") == 50
    # int-260 / 261: Write-Attributes then Discover.
    response = world.do(server.write_attributes(EP, "/3/0/11", {"pmin": 10, "pmax": 60},
                                                now_ms=world.now_ms))
    assert response.code == CHANGED
    response = world.do(server.discover(EP, "/3/0/11", now_ms=world.now_ms))
    assert response.payload == b"</3/0/11>;dim=1;pmin=10;pmax=60,</3/0/11/0>"
    # Create and the Update that follows with the new object list.
    # (TLV of bare resources: the client picks the instance id, here 1.)
    response = world.do(server.create(EP, "/19", {0: {0: b"hi"}}, now_ms=world.now_ms))
    assert response.code == CREATED
    assert world.client.get_value("/19/1/0/0") == b"hi"
    response = world.do(server.create(EP, "/19/4", {0: {0: b"ho"}}, now_ms=world.now_ms))
    assert response.code == CREATED
    assert world.client.get_value("/19/4/0/0") == b"ho"
    world.run(world.now_ms + 1000)
    registration = server.registration(EP)
    assert registration is not None
    paths = [getattr(lk, "path", None) for lk in registration.links]
    assert (19, 1) in paths and (19, 4) in paths


def test_loss_and_duplication_with_the_embedded_server() -> None:
    world = World(loss=0.25, duplicate=0.25, seed=17)
    world.client.start(0)
    world.run(600000, world.ready)
    assert world.ready()
    for n in range(4):
        response = world.do(world.server.write(EP, "/1/0/2", 10 + n, now_ms=world.now_ms),
                            within_ms=600000)
        assert response is not None and response.code == CHANGED
    world.run(world.now_ms + 1800000)
    assert world.server.registration(EP) is not None


def test_server_restart_with_the_embedded_server() -> None:
    world = World()
    world.client.start(0)
    world.run(10000, world.ready)
    # A new server process: no registrations, no CoAP state.
    world.server = Server(SeededRng(999), listeners=("coap",))
    world.run(400000, world.ready)
    assert world.ready()
    assert world.server.registration(EP) is not None


def test_lwm2m_1_1_int_401_with_the_embedded_server() -> None:
    world = World(secure=True)
    world.client.start(0)
    world.run(60000, world.ready)
    registration = world.server.registration(EP)
    assert registration is not None and registration.listener == "coaps"
    response = world.do(world.server.read(EP, "/3/0/0", now_ms=world.now_ms))
    assert response.code == CONTENT and response.payload == b"Open Mobile Alliance"
