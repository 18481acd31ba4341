"""The asyncio host over real loopback sockets, with aiocoap as the independent client:
an aiocoap context serves the device's resources and sends Register / Update / Send /
De-register to our server; the server reads, writes, executes and observes it."""

import asyncio

import aiocoap
import aiocoap.resource as resource
import pytest

from lwm2m import formats
from lwm2m.server import events as ev
from lwm2m.server.aio import LwM2MServer, RequestError

pytestmark = pytest.mark.interop


class Value(resource.ObservableResource):  # type: ignore[misc]
    """One text resource; PUT changes it and notifies observers."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.text = text

    async def render_get(self, request: aiocoap.Message) -> aiocoap.Message:
        return aiocoap.Message(payload=self.text.encode(),
                               content_format=0)

    async def render_put(self, request: aiocoap.Message) -> aiocoap.Message:
        self.text = request.payload.decode()
        self.updated_state()
        return aiocoap.Message(code=aiocoap.CHANGED)


class Reboot(resource.Resource):  # type: ignore[misc]
    def __init__(self) -> None:
        super().__init__()
        self.calls: "list[bytes]" = []

    async def render_post(self, request: aiocoap.Message) -> aiocoap.Message:
        self.calls.append(request.payload)
        return aiocoap.Message(code=aiocoap.CHANGED)


class Plain(resource.Resource):  # type: ignore[misc]
    """Readable but not observable: answers a GET with Observe 0 without Observe."""

    async def render_get(self, request: aiocoap.Message) -> aiocoap.Message:
        return aiocoap.Message(payload=b"Model 1", content_format=0)


async def device(port: int) -> "tuple[aiocoap.Context, Value, Reboot]":
    site = resource.Site()
    manufacturer = Value("Open Mobile Alliance")
    reboot = Reboot()
    site.add_resource(["3", "0", "0"], manufacturer)
    site.add_resource(["3", "0", "4"], reboot)
    site.add_resource(["3", "0", "1"], Plain())
    ctx = await aiocoap.Context.create_server_context(site, bind=("127.0.0.1", 0))
    return ctx, manufacturer, reboot


def uri(srv: LwM2MServer, path: str) -> str:
    host, port = srv.coap_address or ("", 0)
    return "coap://%s:%d%s" % (host, port, path)


async def conversation() -> None:
    async with LwM2MServer(coap=("127.0.0.1", 0), timeout_s=10) as srv:
        ctx, manufacturer, reboot = await device(0)
        try:
            seen: "list[object]" = []

            stream = srv.events()

            async def collect() -> None:
                async for event in stream:
                    seen.append(event)

            collector = asyncio.ensure_future(collect())
            register = aiocoap.Message(
                code=aiocoap.POST, uri=uri(srv, "/rd?ep=aio-dev&lt=60&lwm2m=1.1&b=U"),
                payload=b"</1/0>,</3/0>", content_format=40)
            answer = await ctx.request(register).response
            assert answer.code == aiocoap.CREATED
            location = "/" + "/".join(answer.opt.location_path)
            reg = await srv.wait_registered("aio-dev")
            assert reg.path == location and reg.lifetime_s == 60

            resp = await srv.read("aio-dev", "/3/0/0", fmt="text")
            assert resp.code == 0x45 and resp.records == [((3, 0, 0), "Open Mobile Alliance")]
            resp = await srv.write("aio-dev", "/3/0/0", "OMA")
            assert resp.code == 0x44 and manufacturer.text == "OMA"
            resp = await srv.execute("aio-dev", "/3/0/4", "0='now'")
            assert resp.code == 0x44 and reboot.calls == [b"0='now'"]
            resp = await srv.read("aio-dev", "/3/0/9")
            assert resp.code == 0x84  # every code surfaces: 4.04 from aiocoap's site

            obs = srv.observe("aio-dev", "/3/0/0")
            first = await asyncio.wait_for(obs.__anext__(), 5)
            assert first.records == [((3, 0, 0), "OMA")]
            manufacturer.text = "changed"
            manufacturer.updated_state()
            note = await asyncio.wait_for(obs.__anext__(), 5)
            assert isinstance(note, ev.NotificationReceived)
            assert note.records == [((3, 0, 0), "changed")]
            await obs.cancel()

            send = aiocoap.Message(
                code=aiocoap.POST, uri=uri(srv, "/dp"), content_format=formats.SENML_CBOR,
                payload=formats.encode(formats.SENML_CBOR, [((3, 0, 0), "changed")], None))
            assert (await ctx.request(send).response).code == aiocoap.CHANGED

            update = aiocoap.Message(code=aiocoap.POST, uri=uri(srv, location + "?lt=90"))
            assert (await ctx.request(update).response).code == aiocoap.CHANGED
            delete = aiocoap.Message(code=aiocoap.DELETE, uri=uri(srv, location))
            assert (await ctx.request(delete).response).code == aiocoap.DELETED
            await asyncio.sleep(0.05)
            kinds = [type(e).__name__ for e in seen]
            for name in ("ClientRegistered", "DataSent", "ClientUpdated", "ClientDeregistered"):
                assert name in kinds, kinds
            with pytest.raises(Exception, match="no registered client"):
                await srv.read("aio-dev", "/3/0/0")
            collector.cancel()
        finally:
            await ctx.shutdown()


def test_conversation_with_aiocoap() -> None:
    asyncio.run(asyncio.wait_for(conversation(), 60))


async def silent_client() -> None:
    async with LwM2MServer(coap=("127.0.0.1", 0), timeout_s=10) as srv:
        ctx = await aiocoap.Context.create_client_context()
        try:
            register = aiocoap.Message(code=aiocoap.POST, uri=uri(srv, "/rd?ep=gone"),
                                       payload=b"</3/0>", content_format=40)
            assert (await ctx.request(register).response).code == aiocoap.CREATED
        finally:
            await ctx.shutdown()
        # the client socket is closed: the read fails (ICMP or timeout), it does not hang
        with pytest.raises((RequestError, asyncio.TimeoutError)):
            await srv.read("gone", "/3/0", timeout_s=3)


def test_a_vanished_client_fails_the_request() -> None:
    asyncio.run(asyncio.wait_for(silent_client(), 30))


async def refused_observation() -> None:
    async with LwM2MServer(coap=("127.0.0.1", 0), timeout_s=10) as srv:
        ctx, _, _ = await device(0)
        try:
            register = aiocoap.Message(code=aiocoap.POST, uri=uri(srv, "/rd?ep=refuse"),
                                       payload=b"</3/0>", content_format=40)
            assert (await ctx.request(register).response).code == aiocoap.CREATED
            got = [item async for item in srv.observe("refuse", "/3/0/9")]
            # the 4.04 comes back, then the iteration ends
            assert [item.code for item in got] == [0x84]
            # readable but not observable: 2.05 without Observe, then the end
            got = [item async for item in srv.observe("refuse", "/3/0/1")]
            assert len(got) == 1 and got[0].code == 0x45
            assert got[0].records == [((3, 0, 1), "Model 1")]
        finally:
            await ctx.shutdown()


def test_observation_the_client_does_not_establish() -> None:
    asyncio.run(asyncio.wait_for(refused_observation(), 30))
