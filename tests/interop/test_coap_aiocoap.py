"""Our CoAP endpoint against aiocoap, in-process over loopback: aiocoap's client against
our file server, and our client against an aiocoap server."""

import asyncio
import os
import pathlib
from typing import Any

import aiocoap
import aiocoap.resource
import pytest

from coap import codes, formats
from coap.endpoint import Endpoint
from coap.events import (
    NotificationReceived,
    RequestFailed,
    RequestTimedOut,
    ResetReceived,
    ResponseReceived,
)
from coap.message import Message
from coap.tool import DatagramHost, FileServer
from tests.peers import free_udp_port

pytestmark = pytest.mark.interop

BODY = bytes((i * 13 + 5) & 0xFF for i in range(3000))


# -- aiocoap's client against our server --------------------------------------------------

async def with_our_server(root: pathlib.Path, body: Any, block_szx: int = 6) -> None:
    endpoint = Endpoint(os.urandom, block_szx=block_szx)
    server = FileServer(str(root), endpoint)
    host = DatagramHost(endpoint, server.on_event)
    server.dgram = host
    sockname = await host.open(("127.0.0.1", 0))
    client = await aiocoap.Context.create_client_context()
    try:
        await asyncio.wait_for(body(client, "coap://127.0.0.1:%d" % sockname[1], server), 30)
    finally:
        await client.shutdown()
        host.close()


@pytest.mark.parametrize("block_szx", [0, 2, 6])  # our server's block size: 16, 64, 1024
def test_aiocoap_client_against_our_server(tmp_path: pathlib.Path, block_szx: int) -> None:
    (tmp_path / "hello.txt").write_bytes(b"hi")
    (tmp_path / "big.bin").write_bytes(BODY)

    async def body(client: aiocoap.Context, base: str, server: FileServer) -> None:
        response = await client.request(
            aiocoap.Message(code=aiocoap.GET, uri=base + "/hello.txt", accept=0)).response
        assert response.code == aiocoap.CONTENT
        assert response.payload == b"hi"
        response = await client.request(
            aiocoap.Message(code=aiocoap.GET, uri=base + "/big.bin")).response
        assert response.payload == BODY  # aiocoap fetched our Block2 blocks
        small = aiocoap.Message(code=aiocoap.GET, uri=base + "/big.bin")
        small.opt.block2 = aiocoap.optiontypes.BlockOption.BlockwiseTuple(0, False, 2)
        response = await client.request(small).response
        assert response.payload == BODY  # early negotiation: 64-byte blocks
        put = aiocoap.Message(code=aiocoap.PUT, uri=base + "/put.bin", payload=BODY[::-1])
        response = await client.request(put).response
        assert response.code == aiocoap.CREATED
        assert (tmp_path / "put.bin").read_bytes() == BODY[::-1]
        post = aiocoap.Message(code=aiocoap.POST, uri=base + "/put.bin", payload=b"+")
        assert (await client.request(post).response).code == aiocoap.CHANGED
        delete = aiocoap.Message(code=aiocoap.DELETE, uri=base + "/put.bin")
        assert (await client.request(delete).response).code == aiocoap.DELETED
        assert not (tmp_path / "put.bin").exists()
        # observe: aiocoap registers, we notify when the file changes
        observed = client.request(
            aiocoap.Message(code=aiocoap.GET, uri=base + "/hello.txt", observe=0))
        first = await observed.response
        assert first.payload == b"hi" and first.opt.observe is not None
        (tmp_path / "hello.txt").write_bytes(b"changed")
        server.poll()
        notification = await observed.observation.__aiter__().__anext__()
        assert notification.payload == b"changed"
        observed.observation.cancel()

    asyncio.run(with_our_server(tmp_path, body, block_szx))


# -- our client against an aiocoap server ---------------------------------------------------

class Store(aiocoap.resource.Resource):  # type: ignore[misc]
    def __init__(self) -> None:
        super().__init__()
        self.body = BODY

    async def render_get(self, request: aiocoap.Message) -> aiocoap.Message:
        return aiocoap.Message(payload=self.body, content_format=42)

    async def render_put(self, request: aiocoap.Message) -> aiocoap.Message:
        self.body = request.payload
        return aiocoap.Message(code=aiocoap.CHANGED)

    async def render_post(self, request: aiocoap.Message) -> aiocoap.Message:
        self.body += request.payload
        return aiocoap.Message(code=aiocoap.CHANGED)

    async def render_delete(self, request: aiocoap.Message) -> aiocoap.Message:
        self.body = b""
        return aiocoap.Message(code=aiocoap.DELETED)


class Counter(aiocoap.resource.ObservableResource):  # type: ignore[misc]
    def __init__(self) -> None:
        super().__init__()
        self.value = 0

    async def render_get(self, request: aiocoap.Message) -> aiocoap.Message:
        return aiocoap.Message(payload=b"%d" % self.value, content_format=0)

    def bump(self) -> None:
        self.value += 1
        self.updated_state()


class OurClient:
    """Our endpoint on a loopback socket; ``request`` waits for the final event."""

    def __init__(self, block_szx: int = 6) -> None:
        self.endpoint = Endpoint(os.urandom, block_szx=block_szx)
        self.events: asyncio.Queue[Any] = asyncio.Queue()
        self.host = DatagramHost(self.endpoint, self.events.put_nowait)

    async def request(self, peer: tuple[str, int], message: Message) -> Any:
        request = self.endpoint.send_request(peer, message, self.host.now_ms())
        self.host.flush()
        while True:
            event = await asyncio.wait_for(self.events.get(), 20)
            if getattr(event, "request", None) is request:
                return event


@pytest.mark.parametrize("block_szx", [0, 2, 6])  # our client's block size: 16, 64, 1024
def test_our_client_against_aiocoap_server(block_szx: int) -> None:
    async def main() -> None:
        port = free_udp_port()
        store, counter = Store(), Counter()
        site = aiocoap.resource.Site()
        site.add_resource(["store"], store)
        site.add_resource(["counter"], counter)
        server = await aiocoap.Context.create_server_context(site, bind=("127.0.0.1", port))
        ours = OurClient(block_szx=block_szx)
        await ours.host.open(("127.0.0.1", 0))
        peer = ("127.0.0.1", port)
        try:
            get = Message(code=codes.GET)
            get.uri_path = "store"
            event = await ours.request(peer, get)
            assert isinstance(event, ResponseReceived), event
            assert event.response.payload == BODY  # Block2 at our block size
            put = Message(code=codes.PUT, payload=BODY[::-1])
            put.uri_path = "store"
            put.content_format = formats.OCTET_STREAM
            event = await ours.request(peer, put)
            assert isinstance(event, ResponseReceived) and event.response.code == codes.CHANGED
            assert store.body == BODY[::-1]  # Block1 reassembled by aiocoap
            post = Message(code=codes.POST, payload=b"tail")
            post.uri_path = "store"
            event = await ours.request(peer, post)
            assert event.response.code == codes.CHANGED and store.body.endswith(b"tail")
            delete = Message(code=codes.DELETE)
            delete.uri_path = "store"
            event = await ours.request(peer, delete)
            assert event.response.code == codes.DELETED and store.body == b""
            observe = Message(code=codes.GET)
            observe.uri_path = "counter"
            observe.observe = 0
            event = await ours.request(peer, observe)
            assert isinstance(event, ResponseReceived) and event.response.payload == b"0"
            request = event.request
            values = []
            for _ in range(3):
                counter.bump()
                while True:
                    note = await asyncio.wait_for(ours.events.get(), 10)
                    if isinstance(note, NotificationReceived):
                        values.append(note.response.payload)
                        break
                    assert not isinstance(note, (RequestTimedOut, ResetReceived, RequestFailed))
            assert values == [b"1", b"2", b"3"]
            ours.endpoint.cancel(request, ours.host.now_ms())
            ours.host.flush()
            await asyncio.sleep(0.2)
        finally:
            ours.host.close()
            await server.shutdown()

    asyncio.run(main())
