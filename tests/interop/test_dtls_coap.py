"""CoAP over our DTLS: libcoap's ``coap-client-openssl`` against our server, and our
client against ``coap-server-openssl`` (PEERS.md). The CoAP codec is the ``coap``
package's; libcoap negotiates PSK-AES128-CCM8 with us, since that is all we offer."""

import os
import socket
from typing import Any

import pytest

import coap
from coap import codes, types
from dtls_psk import (
    PSK_AES128_CCM8,
    ApplicationData,
    DtlsClient,
    DtlsServer,
    HandshakeCompleted,
    HandshakeFailed,
)
from tests.interop.dtls_peers import drive_client, drive_server, peer
from tests.peers import require_program

pytestmark = pytest.mark.interop

SECRET = b"secretPSK"  # libcoap's -k takes the key as raw text


def test_coap_client_openssl_against_our_server() -> None:
    coap_client = require_program("coap-client-openssl")
    server = DtlsServer({b"ep1": SECRET}.get, os.urandom)
    requests: list[coap.Message] = []
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
        argv = [coap_client, "-m", "get", "-u", "ep1", "-k", SECRET.decode(), "-B", "5",
                f"coaps://127.0.0.1:{port}/3/0/0"]  # fmt: skip
        with peer(argv) as cli:

            def on_event(event: Any) -> bool:
                if isinstance(event, ApplicationData):
                    request = coap.decode(event.data)
                    requests.append(request)
                    reply = coap.Message(types.ACK, codes.CONTENT, request.mid, request.token,
                                         payload=b"pylwm2m over dtls")  # fmt: skip
                    server.send(event.addr, reply.encode())
                    return True
                return isinstance(event, HandshakeFailed)

            events = drive_server(server, sock, on_event, timeout_s=10)
            assert cli.wait_for("pylwm2m over dtls", 5), cli.output
    done = events[0]
    assert isinstance(done, HandshakeCompleted), events
    assert done.identity == b"ep1" and done.cipher_suite == PSK_AES128_CCM8
    (request,) = requests
    assert request.code == codes.GET and request.uri_path == ("3", "0", "0")


def _two_free_ports() -> int:
    """A port P with P and P+1 free (coap-server serves DTLS on P+1)."""
    for _ in range(50):
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as a:
            a.bind(("127.0.0.1", 0))
            port: int = a.getsockname()[1]
            if port >= 65535:
                continue
            with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as b:
                try:
                    b.bind(("127.0.0.1", port + 1))
                except OSError:
                    continue
            return port
    raise RuntimeError("no two adjacent free UDP ports")


def test_our_client_against_coap_server_openssl() -> None:
    coap_server = require_program("coap-server-openssl")
    port = _two_free_ports()
    client = DtlsClient(b"ep1", SECRET, os.urandom, retransmit_initial_ms=200,
                        handshake_timeout_ms=8000)  # fmt: skip
    responses: list[coap.Message] = []
    with peer([coap_server, "-A", "127.0.0.1", "-p", str(port), "-k", SECRET.decode()]):

        def on_event(event: Any) -> bool:
            if isinstance(event, HandshakeCompleted):
                request = coap.Message(types.CON, codes.GET, 0x1234, b"\x42")
                request.uri_path = ("time",)
                client.send(request.encode())
            if isinstance(event, ApplicationData):
                responses.append(coap.decode(event.data))
                return True
            return isinstance(event, HandshakeFailed)

        events = drive_client(client, port + 1, on_event, timeout_s=10)
    done = events[0]
    assert isinstance(done, HandshakeCompleted), events
    assert done.cipher_suite == PSK_AES128_CCM8 and done.psk_identity_hint == b"CoAP"
    (response,) = responses
    assert response.type == types.ACK and response.code == codes.CONTENT
    assert response.mid == 0x1234 and response.token == b"\x42" and response.payload


def test_wrong_key_with_libcoap_fails_on_both_sides() -> None:
    coap_client = require_program("coap-client-openssl")
    coap_server = require_program("coap-server-openssl")
    # libcoap's client with a wrong key against our server.
    server = DtlsServer({b"ep1": SECRET}.get, os.urandom, handshake_timeout_ms=3000)
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
        argv = [coap_client, "-m", "get", "-u", "ep1", "-k", "wrongPSK", "-B", "3",
                f"coaps://127.0.0.1:{port}/3/0/0"]  # fmt: skip
        with peer(argv) as cli:
            events = drive_server(server, sock, lambda e: isinstance(e, HandshakeFailed), 6)
            cli.proc.wait(timeout=10)
            assert "pylwm2m" not in cli.output
    assert [type(e).__name__ for e in events] == ["HandshakeFailed"], events
    # Our client with a wrong key against libcoap's server.
    port = _two_free_ports()
    client = DtlsClient(b"ep1", b"wrongPSK", os.urandom, retransmit_initial_ms=200,
                        handshake_timeout_ms=2500)  # fmt: skip
    with peer([coap_server, "-A", "127.0.0.1", "-p", str(port), "-k", SECRET.decode()]):
        events = drive_client(client, port + 1, lambda e: isinstance(e, HandshakeFailed), 6)
    assert type(events[-1]).__name__ == "HandshakeFailed"
    assert not any(isinstance(e, HandshakeCompleted) for e in events)
