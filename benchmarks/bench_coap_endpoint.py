"""CoAP endpoint: exchanges per second and a 64 KiB Block2 transfer through a pair of
endpoints in one process (no sockets), the same over loopback UDP against aiocoap, and
the memory of an idle endpoint."""

import asyncio
import os
import socket
import tracemalloc
from typing import Any

import aiocoap
import aiocoap.resource

from benchmarks.runner import Case
from coap import codes
from coap.endpoint import Endpoint
from coap.events import RequestReceived, ResponseReceived
from coap.message import Message
from coap.tool import DatagramHost

SMALL = b"22.5"
LARGE = bytes(i & 0xFF for i in range(65536))


class Pair:
    """Two endpoints wired back to back; B answers GET /small and GET /large."""

    def __init__(self) -> None:
        self.a = Endpoint(os.urandom)
        self.b = Endpoint(os.urandom)
        self.now = 0

    def exchange(self, path: str) -> bytes:
        a, b = self.a, self.b
        request = Message(code=codes.GET)
        request.uri_path = path
        a.send_request("B", request, self.now)
        while True:
            moved = False
            for _, data in a.datagrams_to_send():
                b.receive_datagram(data, "A", self.now)
                moved = True
            event = b.next_event()
            while event is not None:
                if isinstance(event, RequestReceived):
                    body = SMALL if event.request.uri_path == ("small",) else LARGE
                    b.respond(event, event.response(codes.CONTENT, body), self.now)
                event = b.next_event()
            for _, data in b.datagrams_to_send():
                a.receive_datagram(data, "B", self.now)
                moved = True
            event = a.next_event()
            if isinstance(event, ResponseReceived):
                return event.response.payload
            if not moved:
                raise AssertionError("the pair stalled")


class Loopback:
    """Our client and server, and aiocoap's, each pair on loopback UDP in one loop."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self.loop.run_until_complete(self._setup())

    async def _setup(self) -> None:
        self.server = Endpoint(os.urandom)
        self.server_host = DatagramHost(self.server, self._serve)
        sockname = await self.server_host.open(("127.0.0.1", 0))
        self.peer = ("127.0.0.1", sockname[1])
        self.client = Endpoint(os.urandom)
        self.waiter: asyncio.Future[bytes] | None = None
        self.client_host = DatagramHost(self.client, self._client_event)
        await self.client_host.open(("127.0.0.1", 0))
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        site = aiocoap.resource.Site()
        site.add_resource(["small"], _Fixed(SMALL))
        site.add_resource(["large"], _Fixed(LARGE))
        self.aio_server = await aiocoap.Context.create_server_context(
            site, bind=("127.0.0.1", port)
        )
        self.aio_client = await aiocoap.Context.create_client_context()
        self.aio_base = "coap://127.0.0.1:%d/" % port

    def _serve(self, event: Any) -> None:
        if isinstance(event, RequestReceived):
            body = SMALL if event.request.uri_path == ("small",) else LARGE
            self.server.respond(event, event.response(codes.CONTENT, body),
                                self.server_host.now_ms())

    def _client_event(self, event: Any) -> None:
        if isinstance(event, ResponseReceived) and self.waiter and not self.waiter.done():
            self.waiter.set_result(event.response.payload)

    async def _ours(self, path: str) -> bytes:
        self.waiter = self.loop.create_future()
        request = Message(code=codes.GET)
        request.uri_path = path
        self.client.send_request(self.peer, request, self.client_host.now_ms())
        self.client_host.flush()
        return await asyncio.wait_for(self.waiter, 30)

    async def _theirs(self, path: str) -> bytes:
        message = aiocoap.Message(code=aiocoap.GET, uri=self.aio_base + path)
        response = await self.aio_client.request(message).response
        payload: bytes = response.payload
        return payload

    def ours(self, path: str) -> bytes:
        return self.loop.run_until_complete(self._ours(path))

    def theirs(self, path: str) -> bytes:
        return self.loop.run_until_complete(self._theirs(path))


class _Fixed(aiocoap.resource.Resource):  # type: ignore[misc]
    def __init__(self, body: bytes) -> None:
        super().__init__()
        self.body = body

    async def render_get(self, request: aiocoap.Message) -> aiocoap.Message:
        return aiocoap.Message(payload=self.body)


def idle_endpoint_bytes() -> float:
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        endpoint = Endpoint(os.urandom)
        after = tracemalloc.get_traced_memory()[0]
    finally:
        tracemalloc.stop()
    assert endpoint.get_timer() is None
    return float(after - before)


def cases(quick: bool) -> list[Case]:
    pair = Pair()
    loopback = Loopback()

    def check_pair() -> None:
        assert pair.exchange("small") == SMALL
        assert pair.exchange("large") == LARGE

    def check_loopback() -> None:
        assert loopback.ours("small") == loopback.theirs("small") == SMALL
        assert loopback.ours("large") == loopback.theirs("large") == LARGE

    return [
        Case("coap endpoint: GET exchange, pair in one process", lambda: pair.exchange("small"),
             check=check_pair),
        Case("coap endpoint: 64 KiB Block2 GET, pair in one process",
             lambda: pair.exchange("large")),
        Case("coap endpoint: GET exchange over loopback UDP", lambda: loopback.ours("small"),
             "aiocoap client+server over loopback", lambda: loopback.theirs("small"),
             check=check_loopback),
        Case("coap endpoint: 64 KiB Block2 GET over loopback UDP",
             lambda: loopback.ours("large"), "aiocoap client+server over loopback",
             lambda: loopback.theirs("large")),
        Case("coap endpoint: memory of an idle endpoint", None, value=idle_endpoint_bytes(),
             unit="bytes"),
    ]
