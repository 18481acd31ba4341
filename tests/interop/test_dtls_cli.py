"""``python -m dtls_psk client|server``: against each other and against OpenSSL."""

import subprocess
import sys
import time
from typing import Any

import pytest

from tests.interop.dtls_peers import KEY_HEX, free_udp_port, peer
from tests.peers import require_program

pytestmark = pytest.mark.interop

CLI = [sys.executable, "-m", "dtls_psk"]


def _server(port: int, *extra: str) -> list[str]:
    return [*CLI, "server", "--listen", f"127.0.0.1:{port}", "--psk", f"ep1:{KEY_HEX}", *extra]


def _client(port: int, key: str = KEY_HEX, *extra: str) -> list[str]:
    return [*CLI, "client", "--connect", f"127.0.0.1:{port}", "--identity", "ep1", "--key", key,
            "--linger", "0.5", *extra]  # fmt: skip


def test_cli_client_and_server_echo_with_key_log(tmp_path: Any) -> None:
    port = free_udp_port()
    keylog = tmp_path / "keys.log"
    with peer(_server(port, "--echo", "--once")) as srv:
        assert srv.wait_for("listening", 10), srv.output
        done = subprocess.run(
            _client(port), input=b"one line\nanother\n", capture_output=True, timeout=20,
            env={"SSLKEYLOGFILE": str(keylog), "PATH": ""},
        )  # fmt: skip
        assert srv.proc.wait(timeout=10) == 0, srv.output
    assert done.returncode == 0, done.stderr
    assert done.stdout == b"one line\nanother\n"
    assert b"connected: TLS_PSK_WITH_AES_128_CCM_8" in done.stderr
    assert b"extended_master_secret" in done.stderr
    assert "connected: TLS_PSK_WITH_AES_128_CCM_8, identity 'ep1'" in srv.output
    (line,) = keylog.read_text().splitlines()
    label, client_random, master = line.split()
    assert label == "CLIENT_RANDOM" and len(client_random) == 64 and len(master) == 96


def test_cli_client_fails_with_one_line_on_a_wrong_key() -> None:
    port = free_udp_port()
    with peer(_server(port, "--once", "--timeout", "3")) as srv:
        assert srv.wait_for("listening", 10), srv.output
        done = subprocess.run(
            _client(port, "ff" * 16, "--timeout", "3"),
            input=b"x\n",
            capture_output=True,
            timeout=20,
        )
        assert srv.proc.wait(timeout=10) == 1
    assert done.returncode == 1
    lines = done.stderr.decode().strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: handshake with 127.0.0.1:"), lines
    assert "error: handshake with" in srv.output


def test_cli_client_against_openssl_s_server_cbc() -> None:
    openssl = require_program("openssl")
    port = free_udp_port()
    argv = [
        openssl, "s_server", "-dtls1_2", "-nocert", "-psk", KEY_HEX, "-psk_identity", "ep1",
        "-cipher", "PSK-AES128-CBC-SHA256", "-accept", f"127.0.0.1:{port}", "-naccept", "1",
    ]  # fmt: skip
    with peer(argv) as srv:
        assert srv.wait_for("ACCEPT", 5), srv.output
        ciphers = ["--cipher", "PSK-AES128-CBC-SHA256", "--cipher", "PSK-AES128-CCM8"]
        proc = subprocess.Popen(
            _client(port, KEY_HEX, *ciphers),
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        )  # fmt: skip
        try:
            assert proc.stdin is not None
            proc.stdin.write(b"to openssl\n")
            proc.stdin.flush()
            assert srv.wait_for("to openssl", 10), srv.output
            srv.write(b"to pylwm2m\n")
            time.sleep(0.5)
            out, err = proc.communicate(timeout=10)  # closes stdin: the client lingers, exits
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
    assert proc.returncode == 0, err
    assert out == b"to pylwm2m\n"
    assert b"connected: TLS_PSK_WITH_AES_128_CBC_SHA256" in err
