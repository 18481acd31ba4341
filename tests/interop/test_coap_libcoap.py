"""Our CoAP endpoint against libcoap's coap-client-notls / coap-server-notls over loopback."""

import os
import pathlib
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator

import pytest

from tests.peers import free_udp_port, require_program

pytestmark = pytest.mark.interop

ROOT = pathlib.Path(__file__).resolve().parent.parent.parent
BODY = bytes((i * 31 + 7) & 0xFF for i in range(3000))


def stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)


@pytest.fixture
def our_server(tmp_path: pathlib.Path) -> Iterator[tuple[int, pathlib.Path]]:
    """``python -m coap server`` on a free loopback port, serving ``tmp_path/root``."""
    root = tmp_path / "root"
    root.mkdir()
    (root / "hello.txt").write_bytes(b"hello from pylwm2m")
    (root / "big.bin").write_bytes(BODY)
    process = subprocess.Popen(
        [sys.executable, "-m", "coap", "server", "--listen", "127.0.0.1:0", "--root", str(root),
         "--poll", "0.1"],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )
    try:
        assert process.stdout is not None
        line = process.stdout.readline().decode()
        assert line.startswith("listening on 127.0.0.1:"), line
        yield int(line.rsplit(":", 1)[1]), root
    finally:
        stop(process)


def coap_client(*args: str, timeout: float = 20) -> subprocess.CompletedProcess[bytes]:
    binary = require_program("coap-client-notls")
    return subprocess.run([binary, *args], capture_output=True, timeout=timeout)


def test_libcoap_get_with_accept(our_server: tuple[int, pathlib.Path]) -> None:
    port, _ = our_server
    done = coap_client("-m", "get", "-A", "0", f"coap://127.0.0.1:{port}/hello.txt")
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == b"hello from pylwm2m"
    done = coap_client("-m", "get", "-A", "11542", f"coap://127.0.0.1:{port}/hello.txt")
    assert b"4.06" in done.stdout + done.stderr


def test_libcoap_put_post_delete(our_server: tuple[int, pathlib.Path]) -> None:
    port, root = our_server
    url = f"coap://127.0.0.1:{port}/new/file.txt"
    assert coap_client("-m", "put", "-e", "one", url).returncode == 0
    assert (root / "new" / "file.txt").read_bytes() == b"one"
    assert coap_client("-m", "post", "-e", "+two", url).returncode == 0
    assert (root / "new" / "file.txt").read_bytes() == b"one+two"
    assert coap_client("-m", "delete", url).returncode == 0
    assert not (root / "new" / "file.txt").exists()
    done = coap_client("-m", "get", url)
    assert b"4.04" in done.stdout + done.stderr


@pytest.mark.parametrize("block", ["16", "64", "1024"])
def test_libcoap_blockwise_get_and_put(our_server: tuple[int, pathlib.Path],
                                       tmp_path: pathlib.Path, block: str) -> None:
    port, root = our_server
    got = tmp_path / "got.bin"
    done = coap_client("-m", "get", "-b", block, "-o", str(got),
                       f"coap://127.0.0.1:{port}/big.bin")
    assert done.returncode == 0, done.stderr
    assert got.read_bytes() == BODY
    source = tmp_path / "up.bin"
    source.write_bytes(BODY[::-1])
    done = coap_client("-m", "put", "-b", block, "-f", str(source),
                       f"coap://127.0.0.1:{port}/up.bin")
    assert done.returncode == 0, done.stderr
    assert (root / "up.bin").read_bytes() == BODY[::-1]


def test_libcoap_observes_a_file(our_server: tuple[int, pathlib.Path]) -> None:
    port, root = our_server

    def change() -> None:
        time.sleep(0.7)
        (root / "hello.txt").write_bytes(b"changed once")

    writer = threading.Thread(target=change)
    writer.start()
    try:
        done = coap_client("-m", "get", "-s", "2", f"coap://127.0.0.1:{port}/hello.txt")
    finally:
        writer.join()
    assert done.returncode == 0, done.stderr
    out = done.stdout  # coap-client prints each notification's payload, no separator
    assert out.startswith(b"hello from pylwm2m"), out
    assert b"changed once" in out, out


@pytest.fixture
def libcoap_server() -> Iterator[int]:
    binary = require_program("coap-server-notls")
    port = free_udp_port()
    process = subprocess.Popen([binary, "-A", "127.0.0.1", "-p", str(port)],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        time.sleep(0.3)
        assert process.poll() is None
        yield port
    finally:
        stop(process)


def our_client(*args: str, timeout: float = 30) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run([sys.executable, "-m", "coap", "client", *args],
                          capture_output=True, timeout=timeout, cwd=ROOT,
                          env={**os.environ, "PYTHONPATH": str(ROOT)})


@pytest.mark.parametrize("kind", ["CON", "NON"])
def test_our_client_gets_from_libcoap(libcoap_server: int, kind: str) -> None:
    extra = ["--non"] if kind == "NON" else []
    done = our_client("get", f"coap://127.0.0.1:{libcoap_server}/", *extra)
    assert done.returncode == 0, done.stderr
    assert b"libcoap" in done.stdout


@pytest.mark.parametrize("block", ["16", "64", "1024"])
def test_our_client_blockwise_put_and_get_with_libcoap(libcoap_server: int,
                                                       tmp_path: pathlib.Path,
                                                       block: str) -> None:
    source = tmp_path / "body.bin"
    source.write_bytes(BODY)
    url = f"coap://127.0.0.1:{libcoap_server}/example_data"
    done = our_client("put", url, "-f", str(source), "-b", block)
    assert done.returncode == 0, done.stderr
    got = tmp_path / "got.bin"
    done = our_client("get", url, "-b", block, "-o", str(got))
    assert done.returncode == 0, done.stderr
    assert got.read_bytes() == BODY


def test_our_client_observes_libcoap_time(libcoap_server: int) -> None:
    done = our_client("get", f"coap://127.0.0.1:{libcoap_server}/time", "--observe", "2.5")
    assert done.returncode == 0, done.stderr
    lines = [line for line in done.stdout.splitlines() if line]
    assert len(set(lines)) >= 2, done.stdout  # the time resource notifies every second


def test_libcoap_over_ipv6_loopback(tmp_path: pathlib.Path) -> None:
    try:
        with socket.socket(socket.AF_INET6, socket.SOCK_DGRAM) as probe:
            probe.bind(("::1", 0))
    except OSError:
        pytest.skip("no IPv6 loopback on this machine")
    (tmp_path / "v6.txt").write_bytes(b"over ::1")
    process = subprocess.Popen(
        [sys.executable, "-m", "coap", "server", "--listen", "[::1]:0", "--root", str(tmp_path)],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )
    try:
        assert process.stdout is not None
        line = process.stdout.readline().decode()
        assert line.startswith("listening on [::1]:"), line
        port = int(line.rsplit(":", 1)[1])
        done = coap_client("-m", "get", f"coap://[::1]:{port}/v6.txt")
        assert done.returncode == 0, done.stderr
        assert done.stdout.strip() == b"over ::1"
        mine = our_client("get", f"coap://[::1]:{port}/v6.txt")
        assert mine.stdout.strip() == b"over ::1"
    finally:
        stop(process)
