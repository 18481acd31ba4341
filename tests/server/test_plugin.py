"""The pytest plugin, as a user meets it: a test file in a fresh directory, run by a
separate pytest process with the plugin loaded by name (as the entry point would)."""

import os
import subprocess
import sys
import textwrap

import pytest

from coap import codes, types
from coap.message import Message, decode
from lwm2m.server import events as ev
from lwm2m.server.stepped import SteppedServer

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

USER_TEST = '''
import asyncio

import aiocoap
import aiocoap.resource as resource


class Manufacturer(resource.Resource):
    async def render_get(self, request):
        return aiocoap.Message(payload=b"ACME", content_format=0)


async def device(uri):
    site = resource.Site()
    site.add_resource(["3", "0", "0"], Manufacturer())
    ctx = await aiocoap.Context.create_server_context(site, bind=("127.0.0.1", 0))
    msg = aiocoap.Message(code=aiocoap.POST, uri=uri + "/rd?ep=plug&lt=60",
                          payload=b"</3/0>", content_format=40)
    response = await ctx.request(msg).response
    return ctx, response


def test_device_registers_and_answers(lwm2m_server):
    loop = asyncio.new_event_loop()
    ctx, response = loop.run_until_complete(device(lwm2m_server.coap_uri))
    assert response.code == aiocoap.CREATED
    import threading
    runner = threading.Thread(target=loop.run_forever, daemon=True)
    runner.start()
    try:
        reg = lwm2m_server.wait_registered("plug")
        assert reg.lifetime_s == 60
        answer = lwm2m_server.read("plug", "/3/0/0")
        assert answer.code == 0x45
        assert answer.records == [((3, 0, 0), "ACME")]
        assert lwm2m_server.coaps_uri.startswith("coaps://127.0.0.1:")
    finally:
        asyncio.run_coroutine_threadsafe(ctx.shutdown(), loop).result(5)
        loop.call_soon_threadsafe(loop.stop)
        runner.join(5)


def test_bootstrap_server_from_the_factory(lwm2m_server_factory):
    import socket

    from coap import Message, codes, decode, types
    from lwm2m.server import events

    bs = lwm2m_server_factory(bootstrap={"boot": {"delete": ["/1"]}})
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind(("127.0.0.1", 0))
    sock.settimeout(5)
    try:
        request = Message(types.CON, codes.POST, 1, b"bs")
        request.uri_path = "bs"
        request.uri_query = ["ep=boot"]
        sock.sendto(request.encode(), bs.coap_address)
        assert decode(sock.recv(1500)).code == codes.CHANGED
        for expected in (codes.DELETE, codes.POST):  # Bootstrap-Delete /1, then Finish
            incoming = decode(sock.recv(1500))
            assert incoming.code == expected
            answer = Message(types.ACK, codes.DELETED if expected == codes.DELETE
                             else codes.CHANGED, incoming.mid, incoming.token)
            sock.sendto(answer.encode(), bs.coap_address)
        done = bs.wait_for(lambda e: isinstance(e, events.BootstrapCompleted))
        assert done.endpoint == "boot"
    finally:
        sock.close()


def test_stepped(lwm2m_stepped_server):
    srv = lwm2m_stepped_server
    assert srv.now_ms == 0
    srv.step(1000)
    assert srv.now_ms == 1000 and srv.events() == []
'''


@pytest.mark.interop
def test_fixtures_in_a_user_test_run(tmp_path: "os.PathLike[str]") -> None:
    path = os.path.join(os.fspath(tmp_path), "test_user_device.py")
    with open(path, "w") as fh:
        fh.write(textwrap.dedent(USER_TEST))
    env = dict(os.environ, PYTHONPATH=ROOT + os.pathsep + os.environ.get("PYTHONPATH", ""))
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "lwm2m.server.pytest_plugin",
         "-p", "no:cacheprovider", "--rootdir", os.fspath(tmp_path), path],
        capture_output=True, text=True, timeout=120, env=env, cwd=os.fspath(tmp_path))
    assert done.returncode == 0, done.stdout + done.stderr
    assert "3 passed" in done.stdout


def test_stepped_server_registration_and_expiry() -> None:
    srv = SteppedServer()
    msg = Message(types.CON, codes.POST, 1, b"a", payload=b"</3/0>")
    msg.uri_path = ["rd"]
    msg.uri_query = ["ep=stepped", "lt=30"]
    msg.content_format = 40
    srv.receive(msg.encode(), ("127.0.0.1", 9))
    [(addr, data)] = srv.datagrams()
    assert addr == ("127.0.0.1", 9) and decode(data).code == codes.CREATED
    assert isinstance(srv.events()[0], ev.ClientRegistered)
    srv.step(29_999)
    assert srv.registration("stepped") is not None
    srv.step(1)
    [expired] = srv.events()
    assert isinstance(expired, ev.RegistrationExpired) and srv.now_ms == 30_000
    # commands run on the stepped clock: a read to a client that never answers
    msg.mid = 2
    msg.uri_query = ["ep=stepped", "lt=300"]
    srv.receive(msg.encode(), ("127.0.0.1", 9))
    srv.datagrams()
    operation = srv.read("stepped", "/3/0")
    [(_, request)] = srv.datagrams()
    assert decode(request).code == codes.GET
    srv.step(100_000)
    assert operation.failure == "timeout"
