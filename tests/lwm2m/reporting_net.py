"""A Client and the embedded LwM2M servers (``lwm2m.server.Server``) on one stepped clock.

Each server is reached at an address of the Client's Security URIs (``coap://`` on its
``coap`` listener, ``coaps://`` on ``coaps``); the Client is at CLIENT_ADDR. ``run``
moves datagrams both ways and steps time to the next deadline of either side, so every
timing rule runs exactly. A link can be cut (``down``) to make a server unreachable,
and a filter can drop or answer chosen datagrams. Runs under MicroPython (no pytest).
"""

from lwm2m import formats
from lwm2m.client import Client
from lwm2m.server.server import Server
from lwm2m.server.stepped import seeded_rng
from tests.coap.link import SeededRng

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any

CLIENT_ADDR = ("127.0.0.1", 40000)
DM_URI = "coap://127.0.0.1:5683"
BS_URI = "coap://127.0.0.1:5783"
EP = "urn:imei:490154203237511"


class Net:
    """Servers by address (``(host, port)`` -> (Server, listener)) and one Client."""

    def __init__(self, client: Client) -> None:
        self.client = client
        self.now_ms = 0
        self.servers: "dict[tuple[str, int], tuple[Server, str]]" = {}
        self.down = False
        # Called with (address, data) for each datagram client -> server; False drops it.
        self.uplink_filter: "Callable[[Any, bytes], bool] | None" = None
        self.events: "list[Any]" = []
        self.client_events: "list[Any]" = []

    def add_server(self, port: int, seed: bytes = b"srv", listener: str = "coap",
                   **options: "Any") -> Server:
        server = Server(seeded_rng(seed + b"%d" % port), listeners=(listener,), **options)
        self.servers[("127.0.0.1", port)] = (server, listener)
        return server

    def pump(self) -> bool:
        moved = False
        for addr, data in self.client.datagrams_to_send():
            moved = True
            if self.down or addr not in self.servers:
                continue
            if self.uplink_filter is not None and not self.uplink_filter(addr, data):
                continue
            server, listener = self.servers[addr]
            server.receive_datagram(data, CLIENT_ADDR, self.now_ms, listener)
        for addr, (server, listener) in self.servers.items():
            for _peer, data in server.datagrams_to_send(listener):
                moved = True
                if not self.down:
                    self.client.receive_datagram(data, addr, self.now_ms)
            while True:
                event = server.next_event()
                if event is None:
                    break
                self.events.append(event)
        while True:
            event = self.client.next_event()
            if event is None:
                break
            self.client_events.append(event)
        return moved

    def settle(self) -> None:
        for _ in range(200):
            if not self.pump():
                return

    def run(self, until_ms: int, done: "Callable[[], bool] | None" = None) -> None:
        """Step time to ``until_ms`` (or until ``done()``), running every deadline."""
        self.settle()
        spins = 0
        while self.now_ms < until_ms:
            if done is not None and done():
                return
            deadlines = [t for t in [self.client.get_timer()]
                         + [s.get_timer() for s, _l in self.servers.values()] if t is not None]
            nxt = min(deadlines) if deadlines else until_ms
            before = self.now_ms
            self.now_ms = min(max(nxt, self.now_ms), until_ms)
            if self.now_ms == before:
                spins += 1
                if spins > 20:  # a deadline that stays due must not spin forever
                    self.now_ms += 1
                    spins = 0
            else:
                spins = 0
            self.client.handle_timer(self.now_ms)
            for server, _l in self.servers.values():
                server.handle_timer(self.now_ms)
            self.settle()

    def advance(self, ms: int) -> None:
        self.run(self.now_ms + ms)

    def take(self, kind: str) -> "list[Any]":
        """Server events of class ``kind`` seen so far (and forget them)."""
        found = [e for e in self.events if type(e).__name__ == kind]
        self.events = [e for e in self.events if type(e).__name__ != kind]
        return found

    def client_take(self, kind: str) -> "list[Any]":
        found = [e for e in self.client_events if type(e).__name__ == kind]
        self.client_events = [e for e in self.client_events if type(e).__name__ != kind]
        return found

    def states(self) -> "list[int]":
        return [e.state for e in self.client_events if type(e).__name__ == "StateChanged"]

    def wait(self, operation: "Any", limit_ms: int = 30000) -> "Any":
        """Run until ``operation`` is done; its response."""
        self.run(self.now_ms + limit_ms, lambda: bool(operation.done))
        assert operation.done, operation
        return operation.response


def make_client(seed: int = 7, queue_mode: bool = False, **kwargs: "Any") -> Client:
    return Client(EP, formats, rng=SeededRng(seed), manufacturer="Open Mobile Alliance",
                  queue_mode=queue_mode, **kwargs)


def registered(lifetime_s: int = 300, queue_mode: bool = False, seed: int = 7,
               pmin: "int | None" = None, pmax: "int | None" = None,
               **server_options: "Any") -> "tuple[Net, Server]":
    """A client registered with one embedded server at 127.0.0.1:5683."""
    client = make_client(seed, queue_mode)
    client.add_server(DM_URI, 101, lifetime_s, pmin_s=pmin, pmax_s=pmax)
    client.set_value("/3/0/9", 50)  # Battery Level
    client.set_value("/3/0/10", 1000)  # Memory Free
    net = Net(client)
    server = net.add_server(5683, **server_options)
    client.start(0)
    net.run(10000, lambda: server.registration(EP) is not None)
    assert server.registration(EP) is not None
    net.settle()
    return net, server


def notified_values(net: Net, path: "tuple[int, ...]") -> "list[Any]":
    """The values of ``path`` in the notifications the server got (forgets them)."""
    out = []
    for event in net.take("NotificationReceived"):
        for p, value in event.records or []:
            if p == path:
                out.append(value)
    return out
