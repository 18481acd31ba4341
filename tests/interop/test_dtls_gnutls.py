"""Our DTLS client and server against GnuTLS ``gnutls-serv`` / ``gnutls-cli`` (PEERS.md)."""

import os
import socket
from typing import Any

import pytest

from dtls_psk import (
    PSK_AES128_CBC_SHA256,
    PSK_AES128_CCM,
    PSK_AES128_CCM8,
    AlertReceived,
    ApplicationData,
    DtlsClient,
    DtlsServer,
    HandshakeCompleted,
    HandshakeFailed,
)
from tests.interop.dtls_peers import (
    GNUTLS_PRIORITY,
    KEY,
    KEY_HEX,
    drive_client,
    drive_server,
    echo_once,
    free_udp_port,
    names,
    peer,
)
from tests.peers import require_program

pytestmark = pytest.mark.interop


def _gnutls_serv(tmp_path: Any, port: int, priority: str = GNUTLS_PRIORITY) -> list[str]:
    serv = require_program("gnutls-serv")
    keys = tmp_path / "keys.psk"
    keys.write_text(f"ep2:{KEY_HEX}\n")
    return [
        serv, "--udp", "--echo", "--crlf", "-p", str(port), "-a", "--pskpasswd", str(keys),
        "--pskhint", "hint", "--priority", priority,
    ]  # fmt: skip


# The CCM-8 string is PEERS.md's; the other two swap the cipher (and MAC) it allows.
PRIORITIES = {
    PSK_AES128_CCM8: GNUTLS_PRIORITY,
    PSK_AES128_CCM: GNUTLS_PRIORITY.replace("AES-128-CCM-8", "AES-128-CCM"),
    PSK_AES128_CBC_SHA256: GNUTLS_PRIORITY.replace("AES-128-CCM-8", "AES-128-CBC").replace(
        "+AEAD", "+SHA256"
    ),
}


@pytest.mark.parametrize("suite", sorted(PRIORITIES))
def test_our_client_against_gnutls_serv_echo(tmp_path: Any, suite: int) -> None:
    port = free_udp_port()
    client = DtlsClient(
        b"ep2", KEY, os.urandom, retransmit_initial_ms=200, handshake_timeout_ms=8000
    )
    with peer(_gnutls_serv(tmp_path, port, PRIORITIES[suite])) as srv:
        assert srv.wait_for("listening on IPv4", 5), srv.output
        # gnutls-serv's echo treats records as text lines, so text it is.
        payloads = [b"first record", b"second record " + b"lwm2m" * 40]
        got: list[bytes] = []

        def on_event(event: Any) -> bool:
            if isinstance(event, HandshakeCompleted):
                for p in payloads:
                    client.send(p)
            if isinstance(event, ApplicationData):
                got.append(event.data)
            return len(got) == len(payloads) or isinstance(event, HandshakeFailed)

        events = drive_client(client, port, on_event, timeout_s=10)
        client.close()
    done = events[0]
    assert isinstance(done, HandshakeCompleted), events
    assert done.cipher_suite == suite and done.psk_identity_hint == b"hint"
    assert got == payloads


def test_extensions_gnutls_does_not_know_are_ignored(tmp_path: Any) -> None:
    # GnuTLS 3.7 answers neither connection_id nor (for DTLS 1.2) record_size_limit:
    # neither may then apply, and records above our offered limit must still arrive.
    port = free_udp_port()
    client = DtlsClient(
        b"ep2", KEY, os.urandom, retransmit_initial_ms=200, handshake_timeout_ms=8000,
        cid=b"", record_size_limit=100,
    )  # fmt: skip
    line = b"z" * 150 + b"\n"
    with peer(_gnutls_serv(tmp_path, port)) as srv:
        assert srv.wait_for("listening on IPv4", 5), srv.output

        def on_event(event: Any) -> bool:
            if isinstance(event, HandshakeCompleted):
                client.send(line)
            return isinstance(event, ApplicationData | HandshakeFailed)

        events = drive_client(client, port, on_event, timeout_s=10)
    assert names(events) == ["HandshakeCompleted", "ApplicationData"], events
    assert not events[0].connection_id and events[1].data == line


def test_our_client_with_a_wrong_key_against_gnutls_serv(tmp_path: Any) -> None:
    port = free_udp_port()
    client = DtlsClient(
        b"ep2", b"\x07" * 16, os.urandom, retransmit_initial_ms=200, handshake_timeout_ms=2500
    )
    with peer(_gnutls_serv(tmp_path, port)) as srv:
        assert srv.wait_for("listening on IPv4", 5), srv.output
        events = drive_client(client, port, lambda e: isinstance(e, HandshakeFailed), 6)
    assert names(events)[-1] == "HandshakeFailed", events
    assert "HandshakeCompleted" not in names(events)


def _gnutls_cli(port: int, key_hex: str) -> list[str]:
    cli = require_program("gnutls-cli")
    return [
        cli, "--udp", "-p", str(port), "127.0.0.1", "--pskusername", "ep2",
        "--pskkey", key_hex, "--priority", GNUTLS_PRIORITY,
    ]  # fmt: skip


def test_gnutls_cli_against_our_server() -> None:
    server = DtlsServer({b"ep2": KEY}.get, os.urandom, psk_hint=b"hint")
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
        with peer(_gnutls_cli(port, KEY_HEX)) as cli:
            cli.write(b"hello from gnutls\n")
            events = drive_server(server, sock, echo_once(server), timeout_s=10)
            assert cli.wait_for("echo: hello from gnutls", 5), cli.output
    done = events[0]
    assert isinstance(done, HandshakeCompleted), events
    assert done.identity == b"ep2" and done.cipher_suite == PSK_AES128_CCM8


def test_gnutls_cli_with_a_wrong_key_fails_on_both_sides() -> None:
    server = DtlsServer({b"ep2": KEY}.get, os.urandom, handshake_timeout_ms=3000)
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
        with peer(_gnutls_cli(port, "ee" * 16)) as cli:
            events = drive_server(server, sock, lambda e: isinstance(e, HandshakeFailed), 6)
            assert cli.proc.wait(timeout=5) != 0
    assert names(events) == ["HandshakeFailed"]
    assert not any(isinstance(e, AlertReceived) for e in events)


def test_fragmented_flights_both_ways(tmp_path: Any) -> None:
    # A 400-byte identity hint makes the ServerKeyExchange larger than a 200-byte MTU:
    # gnutls-serv fragments it for our client, our server fragments it for gnutls-cli.
    hint = "h" * 400
    port = free_udp_port()
    argv = [*_gnutls_serv(tmp_path, port), "--mtu", "200"]
    argv[argv.index("--pskhint") + 1] = hint
    client = DtlsClient(
        b"ep2", KEY, os.urandom, retransmit_initial_ms=200, handshake_timeout_ms=8000
    )
    with peer(argv) as srv:
        assert srv.wait_for("listening on IPv4", 5), srv.output
        events = drive_client(
            client, port, lambda e: isinstance(e, HandshakeCompleted | HandshakeFailed), 10
        )
    assert isinstance(events[0], HandshakeCompleted), events
    assert events[0].psk_identity_hint == hint.encode()

    server = DtlsServer({b"ep2": KEY}.get, os.urandom, psk_hint=hint.encode(), mtu=200)
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
        with peer([*_gnutls_cli(port, KEY_HEX), "--mtu", "200"]) as cli:
            cli.write(b"through fragments\n")
            events = drive_server(server, sock, echo_once(server), timeout_s=10)
            assert cli.wait_for("echo: through fragments", 5), cli.output
    assert isinstance(events[0], HandshakeCompleted), events
