"""Interop: aiocoap (an independent CoAP implementation) plays the LwM2M server on a
loopback socket, takes the Client's Register, then observes a resource of the Client
(RFC 7641): the Client's notifications, their Observe numbers and the cancellation must
satisfy aiocoap. CPython only."""

import asyncio
import socket

import aiocoap
import aiocoap.resource as resource
import pytest

from lwm2m import Client, formats
from lwm2m.events import STATE_READY
from tests.coap.link import SeededRng
from tests.lwm2m.test_client_udp import ClientHost

pytestmark = pytest.mark.interop

EP = "urn:imei:490154203237511"


class Directory(resource.Resource):  # type: ignore[misc]
    """POST /rd: 2.01 with a Location-Path (Core §6.2.1), nothing more."""

    def __init__(self) -> None:
        super().__init__()
        self.registered: "list[bytes]" = []

    async def render_post(self, request: aiocoap.Message) -> aiocoap.Message:
        self.registered.append(request.payload)
        return aiocoap.Message(code=aiocoap.CREATED, location_path=("rd", "1"))


class Registration(resource.Resource):  # type: ignore[misc]
    """POST /rd/1 (Update): 2.04."""

    async def render_post(self, request: aiocoap.Message) -> aiocoap.Message:
        return aiocoap.Message(code=aiocoap.CHANGED)


def _free_port() -> int:
    probe = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    probe.bind(("127.0.0.1", 0))
    port = int(probe.getsockname()[1])
    probe.close()
    return port


async def _conversation(port: int, level: "list[int]") -> None:
    site = resource.Site()
    directory = Directory()
    site.add_resource(["rd"], directory)
    site.add_resource(["rd", "1"], Registration())
    ctx = await aiocoap.Context.create_server_context(site, bind=("127.0.0.1", port))
    client = Client(EP, formats, rng=SeededRng(11), manufacturer="Open Mobile Alliance")
    client.add_server("coap://127.0.0.1:%d" % port, 101, 300)
    client.device.battery(lambda: level[0])
    client.reporting.notify_confirmable = True
    host = ClientHost(client).start()
    try:
        for _ in range(100):
            if STATE_READY in host.states:
                break
            await asyncio.sleep(0.05)
        assert STATE_READY in host.states and directory.registered
        target = "coap://127.0.0.1:%d" % host.sock.getsockname()[1]
        # Write-Attributes pmax=1 (Core §5.1.2) so notifications come every second.
        put = aiocoap.Message(code=aiocoap.PUT, uri=target + "/3/0/9?pmax=1")
        assert (await asyncio.wait_for(ctx.request(put).response, 10)).code == aiocoap.CHANGED
        get = aiocoap.Message(code=aiocoap.GET, uri=target + "/3/0/9", observe=0)
        request = ctx.request(get)
        first = await asyncio.wait_for(request.response, 10)
        assert first.code == aiocoap.CONTENT and first.payload == b"50"
        assert first.opt.observe is not None
        seen = []
        level[0] = 61
        async for note in request.observation:
            seen.append((note.opt.observe, note.payload))
            if len(seen) == 3:
                break
        assert [p for _o, p in seen] == [b"61", b"61", b"61"]
        # aiocoap accepted each as fresher than the last (RFC 7641 §3.4).
        assert len({o for o, _p in seen}) == 3
        request.observation.cancel()
        # Cancelled (Observe 1 or a RST to the next notification): the client forgets it.
        for _ in range(100):
            if len(client.reporting.observations) == 0:
                break
            await asyncio.sleep(0.05)
        assert len(client.reporting.observations) == 0
        assert host.error is None
    finally:
        host.stop()
        await ctx.shutdown()


def test_aiocoap_observes_the_client() -> None:
    asyncio.run(asyncio.wait_for(_conversation(_free_port(), [50]), 60))
