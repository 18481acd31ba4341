"""``lwm2m-client demo``: the embedded server and a client on loopback, step by step.

Both run in this process on real UDP sockets (127.0.0.1, free ports), over DTLS-PSK
by default. Each step prints what happens on the wire in words; the first step that
fails ends the demo with status 1 and names the step.
"""

import asyncio
import os
import time

from lwm2m import events as ev
from lwm2m.aio.client import AsyncClient
from lwm2m.clientconfig import ClientConfig, ServerAccount

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable
    from typing import Any

ENDPOINT = "urn:imei:490154203237518"
IDENTITY = b"demo-client"
STEP_TIMEOUT_S = 10.0


class StepFailed(Exception):
    pass


def _say(text: str) -> None:
    print(text, flush=True)


def _code(code: int) -> str:
    from coap.codes import code_name, code_text

    name = code_name(code)
    return code_text(code) + ("" if name == code_text(code) else " " + name)


def _records(records: "Any") -> "list[str]":
    from objects.path import format_path

    out = []
    for path, value in records or []:
        if isinstance(value, (bytes, bytearray)):
            text = "0x" + bytes(value).hex() if value else "(empty)"
        elif isinstance(value, str):
            text = '"%s"' % value
        else:
            text = str(value)
        out.append("%s = %s" % (format_path(path), text))
    return out


async def run_demo(secure: bool = True, notifications: int = 3) -> int:
    """Run the demo; 0 when every step passed, 1 otherwise."""
    from lwm2m.server.aio import LwM2MServer

    started = time.monotonic()
    key = os.urandom(16)
    server_options: "dict[str, Any]" = {"coap": None if secure else ("127.0.0.1", 0),
                                        "timeout_s": STEP_TIMEOUT_S}
    if secure:
        server_options["coaps"] = ("127.0.0.1", 0)
        server_options["psk"] = {ENDPOINT: (IDENTITY, key)}
    _say("pylwm2m demo: an LwM2M server and an LwM2M client, both in this process,")
    _say("talking over UDP on 127.0.0.1%s." % (" with DTLS 1.2 and a pre-shared key"
                                               if secure else " (plain CoAP)"))
    async with LwM2MServer(**server_options) as srv:
        address = srv.coaps_address if secure else srv.coap_address
        assert address is not None
        uri = "%s://%s:%d" % ("coaps" if secure else "coap", address[0], address[1])
        _say("")
        _say("[server] listening on %s%s" % (uri, ", PSK identity %r with a random 16-byte key"
                                             % IDENTITY.decode() if secure else ""))
        config = ClientConfig(endpoint=ENDPOINT, servers=[ServerAccount(
            uri, 101, lifetime_s=300, identity=IDENTITY if secure else None,
            key=key if secure else None)], manufacturer="pylwm2m", model="demo")
        client = AsyncClient(config)
        client.build()
        battery = [87]
        client.set_value("/3/0/9", battery[0])
        rebooted: "list[int]" = []
        client.on_reboot(lambda: rebooted.append(1))
        step = [0]

        async def run(title: str, body: "Callable[[], Awaitable[None]]") -> None:
            step[0] += 1
            _say("")
            _say("%d. %s" % (step[0], title))
            try:
                await asyncio.wait_for(body(), STEP_TIMEOUT_S)
            except StepFailed as exc:
                raise StepFailed("step %d (%s) failed: %s" % (step[0], title, exc)) from None
            except TimeoutError:
                raise StepFailed("step %d (%s) failed: no answer within %g s"
                                 % (step[0], title, STEP_TIMEOUT_S)) from None
            except Exception as exc:
                raise StepFailed("step %d (%s) failed: %s: %s"
                                 % (step[0], title, type(exc).__name__, exc)) from None

        async def register() -> None:
            _say("   [client] endpoint %s: POST /rd?ep=...&lt=300&lwm2m=1.1&b=U to %s"
                 % (ENDPOINT, uri))
            await client.start()
            await client.wait_ready(STEP_TIMEOUT_S)
            reg = await srv.wait_registered(ENDPOINT)
            _say("   [server] registered %s at %s, lifetime %d s, objects %s" % (
                reg.endpoint, reg.path, reg.lifetime_s,
                " ".join("/" + "/".join(str(i) for i in p) for p in reg.object_paths())))

        async def read_device() -> None:
            _say("   [server] GET /3/0 (the Device object)")
            response = await srv.read(ENDPOINT, "/3/0")
            if response.code != 0x45:
                raise StepFailed("the client answered %s" % _code(response.code))
            _say("   [client] %s:" % _code(response.code))
            for line in _records(response.records):
                _say("      " + line)

        async def write_lifetime() -> None:
            _say("   [server] PUT /1/0/1 = 120 (the registration lifetime, in seconds)")
            updated = asyncio.ensure_future(srv.wait_updated(ENDPOINT))
            response = await srv.write(ENDPOINT, "/1/0/1", 120)
            if response.code != 0x44:
                updated.cancel()
                raise StepFailed("the client answered %s" % _code(response.code))
            _say("   [client] %s, then sends a registration Update carrying lt=120"
                 % _code(response.code))
            reg = await updated
            _say("   [server] Update received: lifetime now %d s" % reg.lifetime_s)

        async def observe_battery() -> None:
            _say("   [server] GET /3/0/9 with Observe: tell me when the battery level changes")
            _say("   [server] PUT /3/0/9?pmin=0 first (Write-Attributes: no minimum period)")
            await srv.write_attributes(ENDPOINT, "/3/0/9", pmin=0)
            observation = srv.observe(ENDPOINT, "/3/0/9")
            try:
                first = await observation.__anext__()
            except StopAsyncIteration:
                raise StepFailed("the client answered without accepting the observation "
                                 "(a plain read: this client has no observe support)") from None
            if getattr(first, "code", 0x45) != 0x45 or not first.operation.active:
                raise StepFailed("the client did not accept the observation (%s)"
                                 % _code(getattr(first, "code", 0)))
            _say("   [client] %s, battery level %s" % (_code(first.code),
                                                       _records(first.records)[0]))
            for n in range(notifications):
                battery[0] -= 1
                _say("   [client] the application sets /3/0/9 = %d" % battery[0])
                client.set_value("/3/0/9", battery[0])
                try:
                    note = await observation.__anext__()
                except StopAsyncIteration:
                    raise StepFailed("the observation ended before notification %d"
                                     % (n + 1)) from None
                values = [v for _p, v in note.records or []]
                if values != [battery[0]]:
                    raise StepFailed("notification %d carried %r, expected %d"
                                     % (n + 1, values, battery[0]))
                _say("   [server] notification %d: %s" % (n + 1, _records(note.records)[0]))
            await observation.cancel()
            _say("   [server] observation cancelled")

        async def reboot() -> None:
            _say("   [server] POST /3/0/4 (execute Reboot)")
            events = client.events()
            response = await srv.execute(ENDPOINT, "/3/0/4")
            if response.code != 0x44:
                raise StepFailed("the client answered %s" % _code(response.code))
            _say("   [client] %s, then reports RebootRequested to the application"
                 % _code(response.code))
            while not rebooted:
                await events.next(STEP_TIMEOUT_S)
            events.close()
            _say("   [client] the application restarts the client: it registers afresh")
            registered = asyncio.ensure_future(srv.wait_for(
                lambda e: type(e).__name__ == "ClientRegistered"))
            assert client.client is not None
            client.client.reset(client.now_ms())
            client._kick()
            event = await registered
            await client.wait_ready(STEP_TIMEOUT_S)
            _say("   [server] registered %s again at %s" % (ENDPOINT, event.registration.path))

        async def deregister() -> None:
            _say("   [client] DELETE its registration")
            gone = asyncio.ensure_future(srv.wait_for(
                lambda e: type(e).__name__ == "ClientDeregistered"))
            await client.deregister(STEP_TIMEOUT_S)
            await gone
            if client.state != ev.STATE_DEREGISTERED:
                raise StepFailed("the client is in %s" % ev.NAMES[client.state])
            _say("   [server] %s de-registered; the client is in STATE_DEREGISTERED" % ENDPOINT)

        try:
            await run("register", register)
            await run("read the Device object", read_device)
            await run("write a resource", write_lifetime)
            await run("observe a changing resource", observe_battery)
            await run("execute Reboot", reboot)
            await run("de-register", deregister)
        except StepFailed as exc:
            _say("")
            _say("demo FAILED: %s" % exc)
            await client.close(deregister=False)
            return 1
        await client.close()
    _say("")
    _say("demo passed: %d steps in %.1f s" % (step[0], time.monotonic() - started))
    return 0
