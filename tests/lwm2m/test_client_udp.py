"""CPython only: the Client on real UDP sockets (loopback) against the embedded server's
asyncio host, over CoAP and DTLS-PSK; objects from a DDF file."""

import os
import socket
import threading
import time

import pytest

from lwm2m import Client, formats
from lwm2m.events import StateChanged
from tests.support import shared_path

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterator

    from lwm2m.server.aio.threaded import ThreadedServer

EP = "urn:imei:490154203237511"
KEY = bytes(range(16))
HERE = os.path.dirname(os.path.abspath(__file__))


def now_ms() -> int:
    return int(time.monotonic() * 1000)


class ClientHost:
    """A thread that moves one Client's datagrams over a loopback UDP socket."""

    def __init__(self, client: Client) -> None:
        self.client = client
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind(("127.0.0.1", 0))
        self.states: "list[int]" = []
        self.error: "BaseException | None" = None
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def start(self) -> "ClientHost":
        self.client.start(now_ms())
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(5)
        self.sock.close()

    def _run(self) -> None:
        client = self.client
        try:
            while not self._stop.is_set():
                for server, data in client.datagrams_to_send():
                    self.sock.sendto(data, server)  # loopback literals need no resolving
                timer = client.get_timer()
                wait = 0.05 if timer is None else min(0.05, max(0.0, (timer - now_ms()) / 1000))
                self.sock.settimeout(wait)
                try:
                    data, addr = self.sock.recvfrom(4096)
                except (TimeoutError, OSError):
                    client.handle_timer(now_ms())
                else:
                    client.receive_datagram(data, addr, now_ms())
                while True:
                    event = client.next_event()
                    if event is None:
                        break
                    if isinstance(event, StateChanged):
                        self.states.append(event.state)
        except BaseException as exc:  # surfaced by the test
            self.error = exc


@pytest.fixture
def server() -> "Iterator[ThreadedServer]":
    from lwm2m.server.aio.threaded import ThreadedServer

    srv = ThreadedServer(coap=("127.0.0.1", 0), coaps=("127.0.0.1", 0)).start()
    yield srv
    srv.stop()


def _host(uri: str, secure: bool = False) -> ClientHost:
    client = Client(EP, formats, rng=os.urandom, manufacturer="ACME")
    client.add_server(uri, 101, 60, identity=EP.encode() if secure else b"",
                      secret=KEY if secure else b"")
    return ClientHost(client)


def test_client_over_udp_against_the_server_host(server: "ThreadedServer") -> None:
    host = _host(server.coap_uri).start()
    try:
        registration = server.wait_registered(EP, timeout=10)
        assert registration.lifetime_s == 60
        assert server.read(EP, "/3/0/0").records == [((3, 0, 0), "ACME")]
        assert server.write(EP, "/1/0/1", 90).code == 0x44
        server.wait_for(lambda e: type(e).__name__ == "ClientUpdated"
                        and e.registration.lifetime_s == 90, timeout=10)
        assert server.execute(EP, "/1/0/8").code == 0x44
        assert server.read(EP, "/0/0").code == 0x81
        assert host.states[-1] == 5  # STATE_READY
    finally:
        host.stop()
    assert host.error is None, host.error


def test_lwm2m_1_1_int_401_over_udp(server: "ThreadedServer") -> None:
    server.add_psk(EP, EP.encode(), KEY)
    host = _host(server.coaps_uri, secure=True).start()
    try:
        registration = server.wait_registered(EP, timeout=15)
        assert registration.listener == "coaps"
        assert server.read(EP, "/3/0/0").records == [((3, 0, 0), "ACME")]
    finally:
        host.stop()
    assert host.error is None, host.error


def test_objects_from_ddf_files() -> None:
    client = Client(EP, formats)
    (greenhouse,) = client.add_ddf(os.path.join(HERE, "..", "objects", "ddf", "greenhouse.xml"))
    assert greenhouse.id == 32769 and client.objects[32769] is greenhouse
    greenhouse.add_instance(0, {0: "bay 1", 1: 21.5})
    assert b"</32769>;ver=1.1,</32769/0>" in client.object_links()
    oma = shared_path("vectors/oma/9.xml")
    if oma is None or not os.path.exists(oma):
        pytest.skip("../shared/vectors/oma is not here")
    (software,) = client.add_ddf(oma)
    assert software.id == 9 and b"</9>" in client.object_links()
