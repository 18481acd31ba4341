"""Command-line DTLS 1.2 PSK client and server, like ``openssl s_client`` / ``s_server``.

    python -m dtls_psk client --connect HOST:PORT --identity ID --key HEX [--cipher NAME]
    python -m dtls_psk server --listen HOST:PORT --psk ID:HEX [--psk ...] [--echo] [--once]

The client sends each stdin line as one record and prints what comes back; the server
prints what it receives (and echoes it with ``--echo``) and sends stdin lines to every
peer. Both print the negotiated suite and extensions on stderr, honour
``SSLKEYLOGFILE`` (NSS key log for Wireshark), and exit non-zero with one line on a
failed handshake. This is a host: sockets and the clock live here, not in the core.
"""

import os
import sys

from dtls_psk.alerts import describe
from dtls_psk.client import DtlsClient
from dtls_psk.errors import DtlsError
from dtls_psk.events import (
    AlertReceived,
    ApplicationData,
    ConnectionClosed,
    HandshakeCompleted,
    HandshakeFailed,
    PeerAddressChanged,
)
from dtls_psk.server import DtlsServer
from dtls_psk.suites import NAMES as SUITE_NAMES
from dtls_psk.suites import suite_by_name

TYPE_CHECKING = False
if TYPE_CHECKING:
    import argparse
    from collections.abc import Callable
    from typing import Any


def _parse(argv: "list[str] | None") -> "argparse.Namespace":
    import argparse

    parser = argparse.ArgumentParser(prog="python -m dtls_psk", description="DTLS 1.2 PSK peer")
    sub = parser.add_subparsers(dest="role", required=True)
    for role in ("client", "server"):
        p = sub.add_parser(role)
        if role == "client":
            p.add_argument("--connect", required=True, metavar="HOST:PORT")
            p.add_argument("--identity", required=True)
            p.add_argument("--key", required=True, metavar="HEX")
            p.add_argument(
                "--resume-file",
                metavar="FILE",
                help="load a session to resume from FILE and save the new one there",
            )
            p.add_argument("--cid", action="store_true", help="offer RFC 9146 connection IDs")
            p.add_argument(
                "--linger",
                type=float,
                default=1.0,
                help="seconds to wait for replies after stdin ends",
            )
        else:
            p.add_argument("--listen", required=True, metavar="HOST:PORT")
            p.add_argument("--psk", action="append", required=True, metavar="ID:HEX")
            p.add_argument("--hint", default="", help="PSK identity hint")
            p.add_argument("--echo", action="store_true", help="send every record back")
            p.add_argument(
                "--once",
                action="store_true",
                help="exit after the first peer's connection ends (status 1 if it failed)",
            )
            p.add_argument("--cid-length", type=int, default=0, help="issue connection IDs")
        p.add_argument(
            "--cipher",
            action="append",
            metavar="NAME",
            help="suite to offer/accept, in order (e.g. PSK-AES128-CCM8); repeatable",
        )
        p.add_argument("--mtu", type=int, default=1200)
        p.add_argument("--timeout", type=float, default=30.0, help="handshake timeout, seconds")
    return parser.parse_args(argv)


def _split_host_port(text: str) -> "tuple[str, int]":
    host, _, port = text.rpartition(":")
    if not host or not port.isdigit():
        raise SystemExit("error: expected HOST:PORT, got %r" % text)
    return host.strip("[]"), int(port)


def _keylog() -> "Callable[[str], None] | None":
    path = os.environ.get("SSLKEYLOGFILE")
    if not path:
        return None

    def write(line: str) -> None:
        with open(path, "a") as fh:
            fh.write(line + "\n")

    return write


def _options(args: "argparse.Namespace") -> "dict[str, Any]":
    opts: "dict[str, Any]" = {
        "mtu": args.mtu,
        "handshake_timeout_ms": int(args.timeout * 1000),
        "keylog": _keylog(),
    }
    if args.cipher:
        opts["cipher_suites"] = [suite_by_name(n) for n in args.cipher]
    return opts


def _describe(event: HandshakeCompleted) -> str:
    ext = []
    if event.extended_master_secret:
        ext.append("extended_master_secret")
    if event.connection_id:
        ext.append("connection_id")
    if event.resumed:
        ext.append("resumed")
    return "%s, identity %r, hint %r%s" % (
        SUITE_NAMES[event.cipher_suite], event.identity.decode("utf-8", "replace"),
        event.psk_identity_hint.decode("utf-8", "replace"),
        (", " + ", ".join(ext)) if ext else "",
    )  # fmt: skip


def _say(text: str) -> None:
    sys.stderr.write(text + "\n")
    sys.stderr.flush()


def _now_ms() -> int:
    import time

    return int(time.monotonic() * 1000)


def run_client(args: "argparse.Namespace") -> int:
    import select
    import socket

    from dtls_psk.session import Session

    host, port = _split_host_port(args.connect)
    family, _, _, _, addr = socket.getaddrinfo(host, port, 0, socket.SOCK_DGRAM)[0]
    session = None
    if args.resume_file and os.path.exists(args.resume_file):
        with open(args.resume_file, "rb") as fh:
            session = Session.from_bytes(fh.read())
    opts = _options(args)
    if args.cid:
        opts["cid"] = b""
    client = DtlsClient(args.identity.encode(), bytes.fromhex(args.key), os.urandom,
                        session=session, **opts)  # fmt: skip
    sock = socket.socket(family, socket.SOCK_DGRAM)
    sock.connect(addr)
    stdin_open = True
    close_at_ms: "int | None" = None
    client.connect(_now_ms())
    try:
        while True:
            for datagram in client.datagrams_to_send():
                sock.send(datagram)
            timer = client.get_timer()
            if close_at_ms is not None:
                timer = close_at_ms if timer is None else min(timer, close_at_ms)
            wait = None if timer is None else max(0, timer - _now_ms()) / 1000
            watch: "list[Any]" = [sock]
            if stdin_open and client.is_established:
                watch.append(sys.stdin)
            ready = select.select(watch, [], [], wait)[0]
            if sock in ready:
                try:
                    client.receive_datagram(sock.recv(65535), _now_ms())
                except ConnectionRefusedError:
                    pass  # ICMP port unreachable: keep retransmitting until the timeout
            if sys.stdin in ready:
                line = sys.stdin.buffer.readline()
                if line:
                    client.send(line)
                else:
                    stdin_open = False
                    close_at_ms = _now_ms() + int(args.linger * 1000)
            if close_at_ms is not None and _now_ms() >= close_at_ms:
                client.close()
            timer = client.get_timer()
            if timer is not None and _now_ms() >= timer:
                client.handle_timer(_now_ms())
            while (event := client.next_event()) is not None:
                if isinstance(event, HandshakeCompleted):
                    _say("# connected: " + _describe(event))
                    if args.resume_file and event.session is not None and event.session.session_id:
                        with open(args.resume_file, "wb") as fh:
                            fh.write(event.session.to_bytes())
                elif isinstance(event, ApplicationData):
                    sys.stdout.buffer.write(event.data)
                    sys.stdout.flush()
                elif isinstance(event, AlertReceived):
                    _say("# alert from server: %s" % describe(event.description))
                elif isinstance(event, HandshakeFailed):
                    _say("error: handshake with %s failed: %s" % (args.connect, event.reason))
                    return 1
                elif isinstance(event, ConnectionClosed):
                    for datagram in client.datagrams_to_send():
                        sock.send(datagram)
                    _say("# closed: " + event.reason)
                    return 0
    finally:
        sock.close()


def run_server(args: "argparse.Namespace") -> int:
    import select
    import socket

    host, port = _split_host_port(args.listen)
    family, _, _, _, addr = socket.getaddrinfo(host, port, 0, socket.SOCK_DGRAM)[0]
    keys: "dict[bytes, bytes]" = {}
    for item in args.psk:
        identity, _, hexkey = item.rpartition(":")
        if not identity:
            raise SystemExit("error: --psk wants ID:HEX, got %r" % item)
        keys[identity.encode()] = bytes.fromhex(hexkey)
    server = DtlsServer(keys.get, os.urandom, psk_hint=args.hint.encode(),
                        cid_length=args.cid_length, **_options(args))  # fmt: skip
    sock = socket.socket(family, socket.SOCK_DGRAM)
    sock.bind(addr)
    _say("# listening on %s:%d" % sock.getsockname()[:2])
    stdin_open = True
    try:
        while True:
            for peer, datagram in server.datagrams_to_send():
                sock.sendto(datagram, peer)
            timer = server.get_timer()
            wait = None if timer is None else max(0, timer - _now_ms()) / 1000
            watch: "list[Any]" = [sock] + ([sys.stdin] if stdin_open else [])
            ready = select.select(watch, [], [], wait)[0]
            if sock in ready:
                data, peer = sock.recvfrom(65535)
                server.receive_datagram(data, peer, _now_ms())
            if sys.stdin in ready:
                line = sys.stdin.buffer.readline()
                if not line:
                    stdin_open = False
                for peer in server.peers():
                    if line:
                        server.send(peer, line)
            timer = server.get_timer()
            if timer is not None and _now_ms() >= timer:
                server.handle_timer(_now_ms())
            while (event := server.next_event()) is not None:
                where = "%s:%d" % event.addr[:2]
                if isinstance(event, HandshakeCompleted):
                    _say("# %s connected: %s" % (where, _describe(event)))
                elif isinstance(event, ApplicationData):
                    sys.stdout.buffer.write(event.data)
                    sys.stdout.flush()
                    if args.echo:
                        server.send(event.addr, event.data)
                elif isinstance(event, AlertReceived):
                    _say("# alert from %s: %s" % (where, describe(event.description)))
                elif isinstance(event, PeerAddressChanged):
                    _say("# %s moved from %s:%d" % (where, *event.old_addr[:2]))
                elif isinstance(event, HandshakeFailed):
                    _say("error: handshake with %s failed: %s" % (where, event.reason))
                    if args.once:
                        return 1
                elif isinstance(event, ConnectionClosed):
                    _say("# %s closed: %s" % (where, event.reason))
                    if args.once:
                        for peer, datagram in server.datagrams_to_send():
                            sock.sendto(datagram, peer)
                        return 0
    finally:
        sock.close()


def main(argv: "list[str] | None" = None) -> int:
    args = _parse(argv)
    try:
        if args.role == "client":
            return run_client(args)
        return run_server(args)
    except (DtlsError, ValueError, OSError) as exc:
        _say("error: %s" % exc)
        return 2
    except KeyboardInterrupt:
        return 130
