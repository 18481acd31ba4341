"""Running OpenSSL, GnuTLS and libcoap DTLS peers on loopback, and driving our sans-IO
client and server over real UDP sockets against them (bounded, every process killed)."""

import os
import select
import socket
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

KEY_HEX = "000102030405060708090a0b0c0d0e0f"
KEY = bytes.fromhex(KEY_HEX)
GNUTLS_PRIORITY = (
    "NORMAL:-VERS-ALL:+VERS-DTLS1.2:-KX-ALL:+PSK:-CIPHER-ALL:+AES-128-CCM-8:-MAC-ALL:+AEAD"
)


def free_udp_port() -> int:
    """A UDP port free on 127.0.0.1 right now (bound then released)."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


class Peer:
    """A peer process whose merged output is collected by a thread."""

    def __init__(self, argv: list[str], env: "dict[str, str] | None" = None) -> None:
        self.proc = subprocess.Popen(
            argv,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            env={**os.environ, **(env or {})},
        )
        self._chunks: list[bytes] = []
        self._thread = threading.Thread(target=self._read, daemon=True)
        self._thread.start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in iter(self.proc.stdout.readline, b""):
            self._chunks.append(line)

    @property
    def output(self) -> str:
        return b"".join(self._chunks).decode(errors="replace")

    def wait_for(self, text: str, timeout_s: float) -> bool:
        end = time.monotonic() + timeout_s
        while time.monotonic() < end:
            if text in self.output:
                return True
            if self.proc.poll() is not None:
                time.sleep(0.05)
                return text in self.output
            time.sleep(0.02)
        return False

    def write(self, data: bytes) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.write(data)
        self.proc.stdin.flush()

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait(timeout=5)


@contextmanager
def peer(argv: list[str], env: "dict[str, str] | None" = None) -> Iterator[Peer]:
    p = Peer(argv, env)
    try:
        yield p
    finally:
        p.stop()


class Clock:
    def __init__(self) -> None:
        self.t0 = time.monotonic()

    def now_ms(self) -> int:
        return int((time.monotonic() - self.t0) * 1000)


def drive_client(
    client: Any,
    port: int,
    on_event: Callable[[Any], bool],
    timeout_s: float,
    tick: "Callable[[], None] | None" = None,
) -> list[Any]:
    """Run ``client`` against 127.0.0.1:port until ``on_event`` returns True or time
    runs out; returns every event seen."""
    clock = Clock()
    events: list[Any] = []
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.connect(("127.0.0.1", port))
        client.connect(clock.now_ms())
        end = time.monotonic() + timeout_s
        while time.monotonic() < end:
            for d in client.datagrams_to_send():
                sock.send(d)
            timer = client.get_timer()
            wait = 0.05 if timer is None else max(0.0, min(0.05, (timer - clock.now_ms()) / 1000))
            if select.select([sock], [], [], wait)[0]:
                try:
                    client.receive_datagram(sock.recv(65535), clock.now_ms())
                except ConnectionRefusedError:
                    pass  # the peer is not listening yet: retransmission will retry
            timer = client.get_timer()
            if timer is not None and clock.now_ms() >= timer:
                client.handle_timer(clock.now_ms())
            if tick is not None:
                tick()
            stop = False
            while (event := client.next_event()) is not None:
                events.append(event)
                stop = on_event(event) or stop
            if stop:
                for d in client.datagrams_to_send():
                    sock.send(d)
                return events
    return events


def drive_server(
    server: Any, sock: socket.socket, on_event: Callable[[Any], bool], timeout_s: float
) -> list[Any]:
    """Run ``server`` on a bound socket until ``on_event`` returns True or time runs out."""
    clock = Clock()
    events: list[Any] = []
    end = time.monotonic() + timeout_s
    while time.monotonic() < end:
        for addr, d in server.datagrams_to_send():
            sock.sendto(d, addr)
        if select.select([sock], [], [], 0.05)[0]:
            data, addr = sock.recvfrom(65535)
            server.receive_datagram(data, addr, clock.now_ms())
        timer = server.get_timer()
        if timer is not None and clock.now_ms() >= timer:
            server.handle_timer(clock.now_ms())
        stop = False
        while (event := server.next_event()) is not None:
            events.append(event)
            stop = on_event(event) or stop
        if stop:
            for addr, d in server.datagrams_to_send():
                sock.sendto(d, addr)
            return events
    return events


def echo_once(server: Any) -> "Callable[[Any], bool]":
    """An event handler for ``drive_server``: echo the first application record back
    with an ``echo: `` prefix, then stop; stop too when the handshake fails."""
    from dtls_psk import ApplicationData, HandshakeFailed

    def on_event(event: Any) -> bool:
        if isinstance(event, ApplicationData):
            server.send(event.addr, b"echo: " + event.data)
            return True
        return isinstance(event, HandshakeFailed)

    return on_event


def names(events: list[Any]) -> list[str]:
    return [type(e).__name__ for e in events]
