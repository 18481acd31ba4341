"""A MicroPython DTLS client against our CPython server over a real loopback UDP socket."""

import os
import socket
import subprocess
from typing import Any

import pytest

from dtls_psk import ApplicationData, ConnectionClosed, DtlsServer, HandshakeFailed
from tests.interop.dtls_peers import drive_server, names
from tests.peers import require_program

pytestmark = pytest.mark.interop

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SCRIPT = os.path.join(ROOT, "tests", "dtls_psk", "mpy_udp_client.py")


def test_micropython_client_against_our_server() -> None:
    micropython = require_program("micropython")
    server = DtlsServer({b"mpy": bytes(range(16))}.get, os.urandom)
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
        proc = subprocess.Popen(
            [micropython, SCRIPT, ROOT, str(port), "2"],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        )  # fmt: skip
        try:
            closed = []

            def on_event(event: Any) -> bool:
                if isinstance(event, ApplicationData):
                    server.send(event.addr, event.data)
                if isinstance(event, ConnectionClosed):
                    closed.append(event)
                return len(closed) == 2 or isinstance(event, HandshakeFailed)

            events = drive_server(server, sock, on_event, timeout_s=20)
            out, _ = proc.communicate(timeout=10)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
    assert proc.returncode == 0, out
    assert "echo mpy round 0" in out and "echo mpy round 1" in out, out
    assert names(events).count("HandshakeCompleted") == 2, events
    assert all(e.identity == b"mpy" for e in events if hasattr(e, "identity"))
