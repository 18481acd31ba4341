"""The ``lwm2m-server`` CLI as a person uses it: a real process on a loopback port, an
aiocoap device registering to it, commands piped on stdin, decoded output checked."""

import asyncio
import json
import os
import socket
import subprocess
import sys
import time

import aiocoap
import aiocoap.resource as resource
import pytest

from lwm2m.server.aio.cli import parse_value

pytestmark = pytest.mark.interop
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def free_udp_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def run_cli(*args: str, stdin: str = "") -> "subprocess.CompletedProcess[str]":
    return subprocess.run([sys.executable, "-m", "lwm2m.server", *args], input=stdin,
                          capture_output=True, text=True, timeout=60, cwd=ROOT)


@pytest.mark.parametrize("args", [
    ["--coap", "localhost"],
    ["--coap", "127.0.0.1:99999"],
    ["--psk", "only-two:parts"],
    ["--psk", "ep:id:00"],  # --psk without --coaps
    ["--bootstrap", "/nonexistent/bs.json"],
    ["--no-such-flag"],
])
def test_bad_flags_exit_2_with_one_line(args: "list[str]") -> None:
    done = run_cli(*args)
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1 and done.stderr.startswith("lwm2m-server: error:")


def test_bootstrap_file_errors_name_the_file(tmp_path: "os.PathLike[str]") -> None:
    path = os.path.join(os.fspath(tmp_path), "bs.json")
    with open(path, "w") as fh:
        json.dump({"ep": {"write": {"/1/0": {"1": "x"}}}}, fh)
    done = run_cli("--coap", "127.0.0.1:0", "--bootstrap", path)
    assert done.returncode == 2 and "bs.json" in done.stderr
    with open(path, "w") as fh:
        fh.write("{not json")
    done = run_cli("--coap", "127.0.0.1:0", "--bootstrap", path)
    assert done.returncode == 2 and "not valid JSON" in done.stderr


def test_values_are_typed_by_the_resource() -> None:
    assert parse_value((1, 0, 1), "300") == 300
    assert parse_value((1, 0, 6), "true") is True
    assert parse_value((0, 0, 3), "id1") == b"id1"
    assert parse_value((0, 0, 5), "0x0102") == b"\x01\x02"
    assert parse_value((3, 0, 0), "OMA") == "OMA"
    assert parse_value((9999, 0, 1), "2.5") == 2.5


class Text(resource.ObservableResource):  # type: ignore[misc]
    def __init__(self, text: str) -> None:
        super().__init__()
        self.text = text

    async def render_get(self, request: aiocoap.Message) -> aiocoap.Message:
        return aiocoap.Message(payload=self.text.encode(), content_format=0)

    async def render_put(self, request: aiocoap.Message) -> aiocoap.Message:
        self.text = request.payload.decode()
        return aiocoap.Message(code=aiocoap.CHANGED)


async def register_device(port: int, stop: asyncio.Event) -> None:
    site = resource.Site()
    site.add_resource(["3", "0", "0"], Text("Open Mobile Alliance"))
    site.add_resource(["1", "0", "1"], Text("300"))
    ctx = await aiocoap.Context.create_server_context(site, bind=("127.0.0.1", 0))
    try:
        deadline = time.monotonic() + 20
        while True:  # the CLI may still be starting: retry until it answers
            msg = aiocoap.Message(code=aiocoap.POST,
                                  uri="coap://127.0.0.1:%d/rd?ep=cli-dev&lt=60&lwm2m=1.1" % port,
                                  payload=b"</1/0>,</3/0>", content_format=40)
            try:
                answer = await asyncio.wait_for(ctx.request(msg).response, 2)
                break
            except (TimeoutError, aiocoap.error.NetworkError):
                if time.monotonic() > deadline:
                    raise
                await asyncio.sleep(0.2)
        assert answer.code == aiocoap.CREATED
        await asyncio.wait_for(stop.wait(), 40)
    finally:
        await ctx.shutdown()


async def drive_cli(port: int) -> "tuple[int, str]":
    commands = "\n".join([
        "wait cli-dev 30",
        "list",
        "read cli-dev /3/0/0 text",
        "write cli-dev /1/0/1 120",
        "read cli-dev /1/0/1",
        "read cli-dev /5/0/1",
        "read cli-dev 5/0",
        "observe cli-dev /3/0/0",
        "cancel cli-dev /3/0/0",
        "sleep 0.5",
        "exec cli-dev /3/0/4",
        "delete cli-dev /3/0",
        "fetch cli-dev /3/0/0 /1/0/1",
        "cancel cli-dev /3/0/0",
        "quit",
    ]) + "\n"
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "lwm2m.server", "--coap", "127.0.0.1:%d" % port, "--quiet",
        stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE, cwd=ROOT)
    stop = asyncio.Event()
    device = asyncio.ensure_future(register_device(port, stop))
    try:
        out, _ = await asyncio.wait_for(proc.communicate(commands.encode()), 50)
    finally:
        if proc.returncode is None:
            proc.kill()
            await proc.wait()
        stop.set()
        await device
    return proc.returncode or 0, out.decode()


def test_cli_session_prints_decoded_values() -> None:
    port = free_udp_port()
    code, out = asyncio.run(drive_cli(port))
    assert code == 0, out
    assert "listening coap://127.0.0.1:%d" % port in out
    assert "registered cli-dev at /rd/" in out
    assert "cli-dev /rd/" in out and "objects: /1/0 /3/0" in out  # list
    assert '/3/0/0 = "Open Mobile Alliance"' in out
    assert "write cli-dev /1/0/1: 2.04" in out
    assert "/1/0/1 = 120" in out
    assert "read cli-dev /5/0/1: 4.04" in out
    assert "error: path must start with '/'" in out
    assert "observe cli-dev /3/0/0: 2.05" in out
    assert "observation ended: cancelled" in out
    assert "execute cli-dev /3/0/4: 4.04" in out  # every code surfaces
    assert "delete cli-dev /3/0: 4.04" in out
    assert "read-composite cli-dev /: 4." in out
    assert "error: no observation of cli-dev /3/0/0" in out


def test_commands_from_a_file(tmp_path: "os.PathLike[str]") -> None:
    path = os.path.join(os.fspath(tmp_path), "commands.txt")
    with open(path, "w") as fh:
        fh.write("# a comment\nlist\nwait nobody 0.2\nread nobody /3/0\n")
    done = run_cli("--coap", "127.0.0.1:0", "--commands", path)
    assert done.returncode == 0
    lines = done.stdout.splitlines()
    assert lines[0].startswith("listening coap://127.0.0.1:")
    assert lines[1:] == ["no clients registered", "failed: timed out",
                         "error: no registered client 'nobody'"]
