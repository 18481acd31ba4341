"""libcoap's coap-client as an independent LwM2M client: Register over plain CoAP and,
with the OpenSSL build, over DTLS-PSK (ETS 1.1-int-401 with a foreign DTLS stack),
and the identity binding refusing a foreign endpoint name with 4.03."""

import asyncio
import subprocess

import pytest

from lwm2m.server import events as ev
from lwm2m.server.aio import LwM2MServer
from tests.peers import require_program

pytestmark = pytest.mark.interop
KEY = b"secretkey-0123"


async def coap_client(program: str, *args: str) -> "tuple[int, str]":
    proc = await asyncio.create_subprocess_exec(
        program, *args, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        out, _ = await asyncio.wait_for(proc.communicate(), 30)
    finally:
        if proc.returncode is None:
            proc.kill()
            await proc.wait()
    return proc.returncode or 0, out.decode(errors="replace")


async def conversation(plain: str, secure: str) -> None:
    psk = {"lc-secure": (b"lc-id", KEY)}
    async with LwM2MServer(coap=("127.0.0.1", 0), coaps=("127.0.0.1", 0), psk=psk,
                           timeout_s=10) as srv:
        stream = srv.events()
        port = (srv.coap_address or ("", 0))[1]
        code, out = await coap_client(
            plain, "-m", "post", "-t", "40", "-e", "</1/0>,</3/0>",
            "coap://127.0.0.1:%d/rd?ep=lc-plain&lt=60&lwm2m=1.1&b=U" % port)
        assert code == 0, out
        event = await asyncio.wait_for(stream.__anext__(), 5)
        assert isinstance(event, ev.ClientRegistered)
        assert event.registration.endpoint == "lc-plain"
        assert event.registration.object_paths() == [(1, 0), (3, 0)]

        sport = (srv.coaps_address or ("", 0))[1]
        code, out = await coap_client(
            secure, "-m", "post", "-t", "40", "-e", "</3/0>", "-u", "lc-id",
            "-k", KEY.decode(), "coaps://127.0.0.1:%d/rd?ep=lc-secure&lt=60" % sport)
        assert code == 0, out
        event = await asyncio.wait_for(stream.__anext__(), 5)
        assert isinstance(event, ev.ClientRegistered)
        reg = event.registration
        assert (reg.endpoint, reg.listener, reg.identity) == ("lc-secure", "coaps", "lc-id")

        # the same identity claiming another endpoint name: 4.03 (coap-client prints it)
        code, out = await coap_client(
            secure, "-m", "post", "-t", "40", "-e", "</3/0>", "-u", "lc-id",
            "-k", KEY.decode(), "coaps://127.0.0.1:%d/rd?ep=someone-else" % sport)
        event = await asyncio.wait_for(stream.__anext__(), 5)
        assert isinstance(event, ev.RequestRejected) and event.code == 0x83
        assert srv.server.registration("someone-else") is None
        stream.close()


def test_libcoap_registers_over_coap_and_coaps() -> None:
    plain = require_program("coap-client-notls")
    secure = require_program("coap-client-openssl")
    asyncio.run(asyncio.wait_for(conversation(plain, secure), 120))


def test_cli_with_coaps_and_psk_serves_libcoap() -> None:
    import os
    import socket
    import sys

    secure = require_program("coap-client-openssl")
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    cli = subprocess.Popen(
        [sys.executable, "-m", "lwm2m.server", "--coaps", "127.0.0.1:%d" % port, "--quiet",
         "--psk", "cli-ep:cli-id:" + KEY.hex()],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, cwd=root)
    try:
        assert cli.stdout is not None and cli.stdin is not None
        assert cli.stdout.readline().startswith("listening coaps://127.0.0.1:")
        done = subprocess.run(
            [secure, "-m", "post", "-t", "40", "-e", "</3/0>", "-u", "cli-id", "-k",
             KEY.decode(), "coaps://127.0.0.1:%d/rd?ep=cli-ep&lt=60" % port],
            capture_output=True, timeout=30)
        assert done.returncode == 0
        out, _ = cli.communicate("list\nquit\n", timeout=30)
    finally:
        if cli.poll() is None:
            cli.kill()
            cli.wait()
    assert "registered cli-ep at /rd/" in out
    assert "cli-ep /rd/" in out and "objects: /3/0" in out
