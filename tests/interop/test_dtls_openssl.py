"""Our DTLS client and server against OpenSSL 3 ``s_server`` / ``s_client`` (PEERS.md)."""

import os
import socket
from typing import Any

import pytest

from dtls_psk import (
    ApplicationData,
    DtlsClient,
    DtlsServer,
    HandshakeCompleted,
    HandshakeFailed,
    suite_by_name,
)
from tests.interop.dtls_peers import (
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


def s_server(openssl: str, port: int, cipher: str, *extra: str) -> list[str]:
    return [
        openssl, "s_server", "-dtls1_2", "-nocert", "-psk", KEY_HEX, "-psk_identity", "ep1",
        "-psk_hint", "hint", "-cipher", cipher, "-accept", f"127.0.0.1:{port}", "-naccept", "1",
        *extra,
    ]  # fmt: skip


@pytest.mark.parametrize("cipher", ["PSK-AES128-CCM8", "PSK-AES128-CBC-SHA256", "PSK-AES128-CCM"])
def test_our_client_against_s_server(cipher: str, tmp_path: Any) -> None:
    openssl = require_program("openssl")
    port = free_udp_port()
    keylog = tmp_path / "server.keylog"
    ours: list[str] = []
    client = DtlsClient(
        b"ep1", KEY, os.urandom, cipher_suites=[suite_by_name(cipher)],
        retransmit_initial_ms=200, handshake_timeout_ms=8000, keylog=ours.append,
    )  # fmt: skip
    with peer(s_server(openssl, port, cipher, "-keylogfile", str(keylog))) as srv:
        assert srv.wait_for("ACCEPT", 5), srv.output

        def on_event(event: Any) -> bool:
            if isinstance(event, HandshakeCompleted):
                client.send(b"from pylwm2m\n")
                srv.write(b"from openssl\n")
            return isinstance(event, ApplicationData | HandshakeFailed)

        events = drive_client(client, port, on_event, timeout_s=10)
        assert srv.wait_for("from pylwm2m", 5), srv.output
        client.close()
        done = events[0]
        assert isinstance(done, HandshakeCompleted), events
        assert done.cipher_suite == suite_by_name(cipher) and done.psk_identity_hint == b"hint"
        assert done.extended_master_secret  # PEERS.md: s_server negotiates EMS
        assert isinstance(events[1], ApplicationData) and events[1].data == b"from openssl\n"
    # The NSS key log line we wrote names the same master secret as OpenSSL's.
    theirs = [ln for ln in keylog.read_text().splitlines() if ln.startswith("CLIENT_RANDOM")]
    assert ours == theirs


def test_our_client_with_a_wrong_key_fails_within_the_timeout() -> None:
    openssl = require_program("openssl")
    port = free_udp_port()
    client = DtlsClient(
        b"ep1", b"\x01" * 16, os.urandom, retransmit_initial_ms=200, handshake_timeout_ms=2500
    )
    with peer(s_server(openssl, port, "PSK-AES128-CCM8")) as srv:
        assert srv.wait_for("ACCEPT", 5), srv.output
        events = drive_client(client, port, lambda e: isinstance(e, HandshakeFailed), timeout_s=6)
        assert "CIPHER is" not in srv.output  # s_server never completed either
    # PEERS.md: OpenSSL drops the bad Finished and says nothing; we give up at the timeout.
    assert names(events) == ["HandshakeFailed"], events
    assert events[0].alert is None


def _our_server(**options: Any) -> DtlsServer:
    return DtlsServer({b"ep1": KEY}.get, os.urandom, psk_hint=b"hint", **options)


@pytest.mark.parametrize("cipher", ["PSK-AES128-CCM8", "PSK-AES128-CBC-SHA256"])
def test_s_client_against_our_server(cipher: str) -> None:
    openssl = require_program("openssl")
    server = _our_server(handshake_timeout_ms=8000)
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
        argv = [
            openssl, "s_client", "-dtls1_2", "-psk", KEY_HEX, "-psk_identity", "ep1",
            "-cipher", cipher, "-connect", f"127.0.0.1:{port}",
        ]  # fmt: skip
        with peer(argv) as cli:
            cli.write(b"hello over dtls\n")
            events = drive_server(server, sock, echo_once(server), timeout_s=10)
            assert cli.wait_for("echo: hello over dtls", 5), cli.output
    done = events[0]
    assert isinstance(done, HandshakeCompleted), events
    assert done.identity == b"ep1" and done.cipher_suite == suite_by_name(cipher)
    assert done.extended_master_secret


def test_s_client_with_a_wrong_key_fails_on_both_sides() -> None:
    openssl = require_program("openssl")
    server = _our_server(handshake_timeout_ms=3000)
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
        argv = [
            openssl, "s_client", "-dtls1_2", "-psk", "ff" * 16, "-psk_identity", "ep1",
            "-cipher", "PSK-AES128-CCM8", "-connect", f"127.0.0.1:{port}",
        ]  # fmt: skip
        with peer(argv) as cli:
            events = drive_server(server, sock, lambda e: isinstance(e, HandshakeFailed), 6)
            assert cli.proc.wait(timeout=5) != 0
            assert "alert" in cli.output.lower(), cli.output
    assert names(events) == ["HandshakeFailed"]
    assert events[0].alert == 20  # bad_record_mac, the same for an unknown identity


def test_our_client_resumes_a_session_with_s_server() -> None:
    openssl = require_program("openssl")
    port = free_udp_port()
    argv = [*s_server(openssl, port, "PSK-AES128-CCM8")]
    argv[argv.index("-naccept") + 1] = "2"
    with peer(argv) as srv:
        assert srv.wait_for("ACCEPT", 5), srv.output
        sessions: list[Any] = []
        for round_ in range(2):
            client = DtlsClient(
                b"ep1", KEY, os.urandom, retransmit_initial_ms=200, handshake_timeout_ms=8000,
                session=sessions[-1] if sessions else None,
            )  # fmt: skip
            events = drive_client(
                client, port, lambda e: isinstance(e, HandshakeCompleted | HandshakeFailed), 10
            )
            done = events[0]
            assert isinstance(done, HandshakeCompleted), events
            assert done.resumed == (round_ == 1)
            client.send(b"round %d\n" % round_)
            sessions.append(client.session)
            client.close()
            drive_client_flush(client, port)
            assert srv.wait_for("round %d" % round_, 5), srv.output
    assert "Reused session-id" in srv.output, srv.output


def drive_client_flush(client: Any, port: int) -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.connect(("127.0.0.1", port))
        for d in client.datagrams_to_send():
            sock.send(d)


def test_s_client_resumes_with_our_server(tmp_path: Any) -> None:
    openssl = require_program("openssl")
    server = _our_server(handshake_timeout_ms=8000)
    sess = tmp_path / "session.pem"
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
        completed: list[HandshakeCompleted] = []
        for flag in ("-sess_out", "-sess_in"):
            argv = [
                openssl, "s_client", "-dtls1_2", "-psk", KEY_HEX, "-psk_identity", "ep1",
                "-cipher", "PSK-AES128-CCM8", "-connect", f"127.0.0.1:{port}", flag, str(sess),
            ]  # fmt: skip
            with peer(argv) as cli:
                cli.write(b"ping\n")

                def on_event(event: Any) -> bool:
                    if isinstance(event, HandshakeCompleted):
                        completed.append(event)
                    if isinstance(event, ApplicationData):
                        server.send(event.addr, b"pong\n")
                        return True
                    return isinstance(event, HandshakeFailed)

                drive_server(server, sock, on_event, timeout_s=10)
                assert cli.wait_for("pong", 5), cli.output
                if flag == "-sess_in":
                    assert "Reused" in cli.output, cli.output
    assert [e.resumed for e in completed] == [False, True]
    assert all(e.identity == b"ep1" for e in completed)
