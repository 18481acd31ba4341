"""The asyncio host against the embedded server on loopback UDP: the API of issue 9 §1
(``async with``, ``wait_ready``, ``set_value``, events, Execute and pass-through
handlers), persistence across a restart (registration and DTLS session), the bearer
back-off, and the demo as CI runs it."""

import asyncio
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from lwm2m import events as ev
from lwm2m.aio import AsyncClient, ClientConfig, NetworkError, ServerAccount
from lwm2m.config.settings import ClientSettings
from lwm2m.server import events as sev
from lwm2m.server.aio import LwM2MServer
from objects.errors import BadRequest
from objects.standard import definition

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def tmp_path() -> "Iterator[Path]":
    # Our own temporary directory: pytest's basetemp of a long session can be pruned by
    # other pytest sessions started meanwhile on a shared machine.
    with tempfile.TemporaryDirectory(prefix="pylwm2m-") as name:
        yield Path(name)
KEY = bytes(range(16))


def _server(**options: Any) -> LwM2MServer:
    return LwM2MServer(coap=("127.0.0.1", 0), coaps=("127.0.0.1", 0),
                       psk={"aio-dtls": (b"aio-id", KEY)}, timeout_s=10, **options)


def _config(srv: LwM2MServer, secure: bool, **options: Any) -> ClientConfig:
    if secure:
        assert srv.coaps_address is not None
        account = ServerAccount("coaps://%s:%d" % srv.coaps_address, 101, 120,
                                identity="aio-id", key=KEY)
    else:
        assert srv.coap_address is not None
        account = ServerAccount("coap://%s:%d" % srv.coap_address, 101, 120)
    return ClientConfig(endpoint="aio-dtls" if secure else "aio-coap", servers=[account],
                        **options)


@pytest.mark.parametrize("secure", [False, True], ids=["coap", "dtls-psk"])
def test_the_async_api(secure: bool) -> None:
    async def main() -> None:
        async with _server() as srv:
            config = _config(srv, secure)
            executed: "list[bytes]" = []
            passed: "list[tuple[str, Any]]" = []
            client = AsyncClient(config)
            events = client.events()
            client.on_execute("/3/0/12", lambda iid, args, caller: executed.append(args))

            def software(operation: str, path: Any, value: Any, caller: int) -> None:
                if value == "refuse":
                    raise BadRequest("the application refuses")
                passed.append((operation, path))

            package = client.add_pass_through(definition(9), software)
            package.add_instance(0, {0: "app", 1: "1.0", 7: 0, 9: 0, 12: False})
            async with client:
                await client.wait_ready(10)
                assert client.state == ev.STATE_READY
                endpoint = config.endpoint_name()
                client.set_value("/3/0/9", 80)
                answer = await srv.read(endpoint, "/3/0/9")
                assert answer.records == [((3, 0, 9), 80)]
                # Observe: the application's change reaches the server as a notification.
                await srv.write_attributes(endpoint, "/3/0/9", pmin=0)
                observation = srv.observe(endpoint, "/3/0/9")
                first = await observation.__anext__()
                assert first.records == [((3, 0, 9), 80)]
                client.set_value("/3/0/9", 79)
                note = await asyncio.wait_for(observation.__anext__(), 10)
                assert note.records == [((3, 0, 9), 79)]
                await observation.cancel()
                # Execute goes to the application's handler.
                assert (await srv.execute(endpoint, "/3/0/12", "0='on'")).code == 0x44
                assert executed == [b"0='on'"]
                # The pass-through object: the handler sees each operation first and
                # may refuse it with a coded error.
                uri = "coap://127.0.0.1:1/app-2.0"
                assert (await srv.write(endpoint, "/9/0/3", uri)).code == 0x44
                assert (await srv.execute(endpoint, "/9/0/4")).code == 0x44
                assert passed == [("write", (9, 0, 3)), ("execute", (9, 0, 4))]
                assert (await srv.write(endpoint, "/9/0/3", "refuse")).code == 0x80
                assert client.get_value("/9/0/3") == uri
            # Leaving the block de-registered.
            assert srv.server.registration(endpoint) is None
            seen = []
            while not events.queue.empty():
                seen.append(events.queue.get_nowait())
            names = [type(e).__name__ for e in seen if e is not None]
            assert "Registered" in names and "Deregistered" in names
            assert client.state == ev.STATE_DEREGISTERED

    asyncio.run(main())


def test_a_restart_resumes_the_registration_and_the_dtls_session(tmp_path: Path) -> None:
    async def main() -> None:
        async with _server() as srv:
            stream = srv.events()
            settings = ClientSettings(persist_registration=1)
            first = AsyncClient(_config(srv, True, persist=str(tmp_path), settings=settings))
            async with first:
                await first.wait_ready(10)
                await first.close(deregister=False)  # a crash: nothing said to the server
            second = AsyncClient(_config(srv, True, persist=str(tmp_path), settings=settings))
            async with second:
                await second.wait_ready(10)
                assert second.runtime is not None and second.runtime.resumed == [101]
                # Over DTLS the resumed client sends an Update at once: its new DTLS
                # connection comes from the saved session (an abbreviated handshake).
                await srv.wait_updated("aio-dtls")
                assert second.client is not None
                transport = second.client.sessions[101].transport
                assert transport is not None
                assert transport.resumed == 1, "the saved DTLS session was not resumed"
                answer = await srv.read("aio-dtls", "/3/0/0")
                assert answer.code == 0x45
            kinds = []
            while not stream.queue.empty():
                kinds.append(type(stream.queue.get_nowait()))
            assert kinds.count(sev.ClientRegistered) == 1
            assert sev.ClientDeregistered in kinds

    asyncio.run(main())


def test_network_errors_wait_out_the_bearer_backoff() -> None:
    async def main() -> None:
        settings = ClientSettings(retry_timeout_s=1, max_retries=1)
        config = ClientConfig(endpoint="e", settings=settings, servers=[
            ServerAccount("coap://pylwm2m.invalid:5683")])  # RFC 6761 §6.4: never resolves
        client = AsyncClient(config)
        events = client.events()
        async with client:
            seen: "list[NetworkError]" = []
            while len(seen) < 2:
                event = await events.next(30)
                if isinstance(event, NetworkError):
                    seen.append(event)
            assert [e.retry_in_ms for e in seen] == [1000, None]
            assert seen[0].address == ("pylwm2m.invalid", 5683)

    asyncio.run(main())


@pytest.mark.parametrize("flags", [[], ["--coap"]], ids=["dtls-psk", "coap"])
def test_the_demo_passes(flags: "list[str]") -> None:
    done = subprocess.run([sys.executable, "-m", "lwm2m.aio", "demo", *flags],
                          capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert done.returncode == 0, done.stdout + done.stderr
    out = done.stdout
    for step in ("1. register", "2. read the Device object", "3. write a resource",
                 "4. observe a changing resource", "5. execute Reboot", "6. de-register"):
        assert step in out
    assert "notification 3: /3/0/9 = 84" in out
    assert "demo passed: 6 steps" in out


def test_an_ipv6_literal_server() -> None:
    import socket

    try:
        probe = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
        probe.bind(("::1", 0))
        probe.close()
    except OSError:
        pytest.skip("no IPv6 loopback on this machine")

    async def main() -> None:
        async with LwM2MServer(coap=("::1", 0), timeout_s=10) as srv:
            assert srv.coap_address is not None
            uri = "coap://[::1]:%d" % srv.coap_address[1]
            async with AsyncClient(ClientConfig(endpoint="v6", servers=[ServerAccount(uri)])) \
                    as client:
                await client.wait_ready(10)
                assert (await srv.read("v6", "/3/0/0")).records == [((3, 0, 0), "pylwm2m")]

    asyncio.run(main())
