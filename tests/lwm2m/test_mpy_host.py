"""The MicroPython host under the real ``micropython`` binary against the embedded server
over loopback UDP, once over CoAP and once over DTLS-PSK (issue 9 §2): register, read
/3/0, write a resource, observe and receive notifications, de-register; the scenario
prints the peak heap (``micropython.mem_peak()``), recorded in benchmarks/README.md.

``python -m tests.lwm2m.test_mpy_host [CODE_ROOT]`` runs both scenarios and prints the
figures (CODE_ROOT: packages compiled by ``mpy-cross``, see benchmarks/README.md).
"""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from lwm2m.server import events as sev
from lwm2m.server.aio.threaded import ThreadedServer
from tests.peers import free_udp_port, require_program

ROOT = Path(__file__).resolve().parents[2]
SCENARIO = ROOT / "tests" / "mpy" / "host_scenario.py"
KEY = bytes(range(16))
IDENTITY = "mpy-host"


def run_scenario(binary: str, secure: bool, code_root: "str | None" = None) -> "tuple[int, str]":
    """Run the scenario against a fresh server; return (mem_peak, output). ``code_root``:
    where the packages come from (e.g. a tree of ``mpy-cross`` output)."""
    endpoint = "mpy-dtls" if secure else "mpy-coap"
    server = ThreadedServer(coap=("127.0.0.1", 0), coaps=("127.0.0.1", 0),
                            psk={"mpy-dtls": (IDENTITY.encode(), KEY)}, timeout=30).start()
    args = [binary, str(SCENARIO), code_root or str(ROOT)]
    if secure:
        args += [server.coaps_uri, endpoint, IDENTITY, KEY.hex()]
    else:
        args += [server.coap_uri, endpoint]
    proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            cwd=ROOT)
    try:
        reg = server.wait_registered(endpoint, timeout=60)
        assert reg.lifetime_s == 120
        answer = server.read(endpoint, "/3/0")
        assert answer.code == 0x45
        values = dict(answer.records)
        assert values[(3, 0, 0)] == "pylwm2m" and values[(3, 0, 1)] == "micropython"
        # Write: the lifetime, which the client confirms with an Update (lt=90).
        assert server.write(endpoint, "/1/0/1", 90).code == 0x44
        server.wait_for(lambda e: isinstance(e, sev.ClientUpdated)
                        and e.registration.endpoint == endpoint
                        and e.registration.lifetime_s == 90, timeout=30)
        # Observe the battery level the board lowers every 100 ms.
        observation = server.observe(endpoint, "/3/0/9")
        first = observation.next(timeout=30)
        assert first.code == 0x45 and observation.operation.active
        levels = [first.records[0][1]]
        for _ in range(3):
            note = observation.next(timeout=30)
            levels.append(note.records[0][1])
        assert levels == sorted(levels, reverse=True) and len(set(levels)) == 4, levels
        observation.cancel()
        # Reboot: the board de-registers and exits.
        assert server.execute(endpoint, "/3/0/4").code == 0x44
        server.wait_for(lambda e: isinstance(e, sev.ClientDeregistered)
                        and e.registration.endpoint == endpoint, timeout=30)
        out, _ = proc.communicate(timeout=60)
    except BaseException as failure:
        # Whatever went wrong, what the board printed is the first thing to read.
        if proc.poll() is None:
            proc.kill()
        board = proc.communicate()[0]
        raise AssertionError("%s\n--- the board printed:\n%s" % (failure, board)) from failure
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
        server.stop()
    assert proc.returncode == 0, out
    assert "state STATE_DEREGISTERED" in out, out
    figures = {line.split()[0]: int(line.split()[1]) for line in out.split("\n")
               if line.startswith("mem_")}
    assert "mem_peak" in figures and "mem_live" in figures, out
    return figures["mem_peak"], out


@pytest.mark.interop
@pytest.mark.parametrize("secure", [False, True], ids=["coap", "dtls-psk"])
def test_micropython_host_scenario(secure: bool) -> None:
    binary = require_program("micropython")
    peak, _out = run_scenario(binary, secure)
    assert peak > 0


def test_the_scenario_runs_on_cpython_too() -> None:
    # The same host code on CPython (its asyncio stand-ins): the logic, not the heap.
    peak, out = run_scenario(sys.executable, secure=True)
    assert peak == -1, out


def main() -> None:
    binary = os.environ.get("MICROPYTHON") or shutil.which("micropython") or os.path.join(
        os.path.dirname(sys.executable), "micropython")
    code_root = sys.argv[1] if len(sys.argv) > 1 else None
    for secure in (False, True):
        peak, out = run_scenario(binary, secure, code_root)
        live = next(line for line in out.split("\n") if line.startswith("mem_live "))
        print("%s: mem_peak %d bytes, heap in use once registered %s bytes"
              % ("DTLS-PSK" if secure else "CoAP", peak, live.split()[1]))


if __name__ == "__main__":
    main()


def test_network_errors_wait_out_the_bearer_backoff() -> None:
    import asyncio

    from lwm2m.clientconfig import ClientConfig, ServerAccount
    from lwm2m.config.settings import ClientSettings
    from lwm2m.mpy import MpyClient
    from lwm2m.runtime import NetworkError

    async def main() -> "list[NetworkError]":
        config = ClientConfig(endpoint="e", settings=ClientSettings(retry_timeout_s=1,
                                                                    max_retries=1),
                              servers=[ServerAccount("coap://pylwm2m.invalid:5683")])
        client = MpyClient(config)
        await client.start()
        for _ in range(100):
            errors = [e for e in client.events if isinstance(e, NetworkError)]
            if len(errors) >= 2:
                break
            await asyncio.sleep(0.05)
        await asyncio.sleep(0.3)  # no attempt after giving up
        await client.close()
        return [e for e in client.events if isinstance(e, NetworkError)]

    errors = asyncio.run(main())
    assert [e.retry_in_ms for e in errors] == [1000, None]


_TWO_DATAGRAMS = """
import sys
sys.path.insert(0, sys.argv[1])
import asyncio, socket
from lwm2m.mpy.client import datagram_receiver

address = socket.getaddrinfo("127.0.0.1", int(sys.argv[2]))[0][-1]
a = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
a.bind(address)
a.setblocking(False)
b = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
b.connect(address)

async def main():
    receive = datagram_receiver(a)
    b.send(b"first")
    b.send(b"second")  # both queued before the reader looks
    print(await receive(1500), await receive(1500))

asyncio.run(main())
"""


@pytest.mark.interop
def test_micropython_reads_one_datagram_at_a_time() -> None:
    # Two datagrams waiting on the socket (the server's ACK and its next request, as a
    # loaded host sees them) must reach the client as two messages, not one glued blob.
    binary = require_program("micropython")
    port = free_udp_port()
    done = subprocess.run([binary, "-c", _TWO_DATAGRAMS, str(ROOT), str(port)],
                          capture_output=True, text=True, timeout=10, cwd=ROOT)
    assert done.stdout.split() == ["b'first'", "b'second'"], done.stdout + done.stderr
