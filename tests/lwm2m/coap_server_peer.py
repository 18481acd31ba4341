"""An LwM2M server peer on a real ``coap.Endpoint`` (inside a ``DtlsServer`` for coaps),
and a ``Net`` that moves datagrams between it and a Client with stepped time, loss and
duplication. Also runs under MicroPython (no pytest here).

The peer answers the Registration interface as Core §6.2 says (POST /rd -> 2.01 with
Location-Path rd/<n>; POST /rd/<n> -> 2.04, or 4.04 when it does not know <n>; DELETE
-> 2.02) and sends device-management requests with ``request``. ``restart()`` drops
everything it knew, as a server process that restarted would.
"""

from coap import codes
from coap.endpoint import Endpoint
from coap.message import Message
from dtls_psk import ApplicationData, DtlsServer
from tests.coap.link import SeededRng

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from coap.endpoint import Request
    from lwm2m.client import Client

SERVER_ADDR = ("127.0.0.1", 5683)
CLIENT_ADDR = ("127.0.0.1", 40000)


class ServerPeer:
    """The server side: registrations by location, DM requests and their answers."""

    def __init__(self, seed: int = 1, psk: "dict[bytes, bytes] | None" = None,
                 address: "tuple[str, int]" = SERVER_ADDR) -> None:
        self.address = address
        self.seed = seed
        self.psk = psk
        self.registrations: "dict[str, dict[str, Any]]" = {}
        self.log: "list[tuple[int, str, tuple[str, ...], tuple[str, ...]]]" = []
        self.answers: "dict[bytes, Message]" = {}
        self.failures: "list[str]" = []
        self.identities: "list[bytes]" = []
        self._counter = 0
        self._fresh()

    def _fresh(self) -> None:
        rng = SeededRng(self.seed + self._counter * 1000)
        self.endpoint = Endpoint(rng)
        self.dtls: "DtlsServer | None" = None
        if self.psk is not None:
            table = self.psk
            self.dtls = DtlsServer(lambda identity: table.get(identity), rng)

    def restart(self) -> None:
        """Lose every registration and all protocol state."""
        self.registrations = {}
        self._counter += 1
        self._fresh()

    # The face the Net drives.

    def receive_datagram(self, data: bytes, now_ms: int) -> None:
        if self.dtls is None:
            self.endpoint.receive_datagram(data, CLIENT_ADDR, now_ms)
        else:
            self.dtls.receive_datagram(data, CLIENT_ADDR, now_ms)
            self._dtls_events(now_ms)
        self._serve(now_ms)

    def _dtls_events(self, now_ms: int) -> None:
        assert self.dtls is not None
        while True:
            event = self.dtls.next_event()
            if event is None:
                return
            if isinstance(event, ApplicationData):
                self.endpoint.receive_datagram(event.data, CLIENT_ADDR, now_ms)
            elif type(event).__name__ == "HandshakeCompleted":
                self.identities.append(event.identity)

    def datagrams_to_send(self) -> "list[bytes]":
        out = [data for _peer, data in self.endpoint.datagrams_to_send()]
        if self.dtls is None:
            return out
        for data in out:
            self.dtls.send(CLIENT_ADDR, data)
        return [data for _addr, data in self.dtls.datagrams_to_send()]

    def get_timer(self) -> "int | None":
        timers = [t for t in (self.endpoint.get_timer(),
                              None if self.dtls is None else self.dtls.get_timer())
                  if t is not None]
        return min(timers) if timers else None

    def handle_timer(self, now_ms: int) -> None:
        if self.dtls is not None:
            self.dtls.handle_timer(now_ms)
            self._dtls_events(now_ms)
        self.endpoint.handle_timer(now_ms)
        self._serve(now_ms)

    # The server's behaviour.

    def request(self, method: int, path: str, now_ms: int, payload: bytes = b"",
                content_format: "int | None" = None, accept: "int | None" = None,
                query: "tuple[str, ...]" = ()) -> "Request":
        """Send a DM request to the client; its answer lands in ``answers[token]``."""
        message = Message(code=method, payload=payload)
        message.uri_path = tuple([s for s in path.split("/") if s])
        if query:
            message.uri_query = query
        if content_format is not None:
            message.content_format = content_format
        if accept is not None:
            message.accept = accept
        return self.endpoint.send_request(CLIENT_ADDR, message, now_ms)

    def answer_to(self, request: "Request") -> "Message | None":
        return self.answers.get(request.token)

    def _serve(self, now_ms: int) -> None:
        while True:
            event = self.endpoint.next_event()
            if event is None:
                return
            name = type(event).__name__
            if name == "RequestReceived":
                self._registration(event, now_ms)
            elif name == "ResponseReceived":
                self.answers[event.request.token] = event.response
            elif name in ("RequestTimedOut", "ResetReceived", "RequestFailed"):
                self.failures.append(name)

    def _registration(self, event: "Any", now_ms: int) -> None:
        message = event.request
        path = message.uri_path
        query = message.uri_query
        self.log.append((message.code, codes.code_text(message.code), path, query))
        if message.code == codes.POST and path == ("rd",):
            params = _query(query)
            self._counter += 1
            location = "%d" % (len(self.registrations) + 100 * self._counter)
            self.registrations[location] = {"query": params, "links": message.payload,
                                            "updates": 0, "at": now_ms}
            response = event.response(codes.CREATED)
            response.location_path = ("rd", location)
        elif len(path) == 2 and path[0] == "rd" and path[1] in self.registrations:
            if message.code == codes.POST:
                record = self.registrations[path[1]]
                record["updates"] += 1
                record["query"].update(_query(query))
                if message.payload:
                    record["links"] = message.payload
                response = event.response(codes.CHANGED)
            elif message.code == codes.DELETE:
                del self.registrations[path[1]]
                response = event.response(codes.DELETED)
            else:
                response = event.response(codes.METHOD_NOT_ALLOWED)
        else:
            response = event.response(codes.NOT_FOUND)
        self.endpoint.respond(event, response, now_ms)


def _query(items: "tuple[str, ...]") -> "dict[str, str]":
    out = {}
    for item in items:
        name, _sep, value = item.partition("=")
        out[name] = value
    return out


class Net:
    """One Client, one ServerPeer, one wire with seeded faults, one clock."""

    def __init__(self, client: "Client", server: ServerPeer, seed: int = 3, loss: float = 0.0,
                 duplicate: float = 0.0) -> None:
        self.client = client
        self.server = server
        self.now_ms = 0
        self.faults = SeededRng(seed)
        self.loss = loss
        self.duplicate = duplicate
        self.sent = {"client": 0, "server": 0}
        self.dropped = 0

    def _faulty(self, data: bytes, deliver: "Any") -> None:
        if self.loss and self.faults.chance(self.loss):
            self.dropped += 1
            return
        deliver(data)
        if self.duplicate and self.faults.chance(self.duplicate):
            deliver(data)

    def pump(self) -> bool:
        moved = False
        for addr, data in self.client.datagrams_to_send():
            assert addr == self.server.address, addr
            moved = True
            self.sent["client"] += 1
            self._faulty(data, lambda d: self.server.receive_datagram(d, self.now_ms))
        for data in self.server.datagrams_to_send():
            moved = True
            self.sent["server"] += 1
            self._faulty(data, lambda d: self.client.receive_datagram(
                d, self.server.address, self.now_ms))
        return moved

    def settle(self) -> None:
        for _ in range(1000):
            if not self.pump():
                return
        raise AssertionError("the net never settled")

    def run(self, until_ms: int, done: "Any" = None) -> None:
        """Step from timer to timer up to ``until_ms`` (or until ``done()``)."""
        self.settle()
        while done is None or not done():
            timers = [t for t in (self.client.get_timer(), self.server.get_timer())
                      if t is not None]
            if not timers or min(timers) > until_ms:
                self.now_ms = max(self.now_ms, until_ms)
                return
            self.now_ms = max(self.now_ms, min(timers))
            if (self.client.get_timer() or until_ms + 1) <= self.now_ms:
                self.client.handle_timer(self.now_ms)
            if (self.server.get_timer() or until_ms + 1) <= self.now_ms:
                self.server.handle_timer(self.now_ms)
            self.settle()

    def ask(self, method: int, path: str, payload: bytes = b"",
            content_format: "int | None" = None, accept: "int | None" = None,
            query: "tuple[str, ...]" = (), within_ms: int = 100000) -> Message:
        """A DM request from the server, run until answered."""
        request = self.server.request(method, path, self.now_ms, payload, content_format,
                                      accept, query)
        self.run(self.now_ms + within_ms, lambda: self.server.answer_to(request) is not None)
        answer = self.server.answer_to(request)
        assert answer is not None, "no answer to %s %s" % (method, path)
        return answer
