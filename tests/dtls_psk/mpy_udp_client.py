"""A DTLS client under MicroPython over a real UDP socket (run by test_micropython_udp).

Usage: micropython tests/dtls_psk/mpy_udp_client.py ROOT PORT [ROUNDS]
Prints "handshake_ms N" per round and "echo <data>", exits 0 on success, 1 otherwise.
"""

import os
import socket
import sys
import time

sys.path.insert(0, sys.argv[1])

from dtls_psk import ApplicationData, DtlsClient, HandshakeCompleted, HandshakeFailed

KEY = bytes(range(16))
TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any


def now_ms() -> int:
    ticks = getattr(time, "ticks_ms", None)  # MicroPython's monotonic clock
    return int(ticks()) if ticks is not None else int(time.monotonic() * 1000)


def one_round(addr: "Any", payload: bytes) -> bool:
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.settimeout(0.02)
    client = DtlsClient(
        b"mpy", KEY, os.urandom, retransmit_initial_ms=300, handshake_timeout_ms=8000
    )
    start = now_ms()
    client.connect(start)
    ok = False
    deadline = start + 10000
    while now_ms() < deadline:
        for d in client.datagrams_to_send():
            sock.sendto(d, addr)
        try:
            data = sock.recv(2048)
        except OSError:
            data = b""
        if data:
            client.receive_datagram(data, now_ms())
        timer = client.get_timer()
        if timer is not None and now_ms() >= timer:
            client.handle_timer(now_ms())
        event = client.next_event()
        while event is not None:
            if isinstance(event, HandshakeCompleted):
                print("handshake_ms", now_ms() - start)
                client.send(payload)
            elif isinstance(event, ApplicationData):
                print("echo", event.data.decode())
                ok = event.data == payload
            elif isinstance(event, HandshakeFailed):
                print("failed", event.reason)
                return False
            event = client.next_event()
        if ok:
            break
    client.close()
    for d in client.datagrams_to_send():
        sock.sendto(d, addr)
    sock.close()
    return ok


def main() -> int:
    addr = socket.getaddrinfo("127.0.0.1", int(sys.argv[2]))[0][-1]
    rounds = int(sys.argv[3]) if len(sys.argv) > 3 else 1
    for i in range(rounds):
        if not one_round(addr, ("mpy round " + str(i)).encode()):
            return 1
    return 0


sys.exit(main())
