"""Queue mode (ETS 1.1-int-108 / int-109): the Client sleeps after the awake time
(ACK_TIMEOUT), keeps what it would report, wakes with an Update, and keeps its DTLS
session. Against the embedded server, stepped time. Runs under MicroPython."""

from lwm2m import events as ev
from lwm2m.server.psk import PskStore
from tests.lwm2m.reporting_net import DM_URI, EP, Net, make_client, notified_values

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from lwm2m.server.server import Server

AWAKE_MS = 60000
PSK_IDENTITY = "queue-ep"
PSK_KEY = bytes(range(16))


def _queue_client(secure: bool = False, version: str = "1.1") -> "tuple[Net, Server]":
    options: "dict[str, Any]" = {}
    if secure:
        from tests.lwm2m.test_client_bootstrap import _pure_backend

        options["transport_options"] = {"dtls_options": {"backend": _pure_backend()}}
    client = make_client(queue_mode=True, version=version, **options)
    client.reporting.awake_ms = AWAKE_MS
    client.set_value("/3/0/9", 50)
    net = Net(client)
    if secure:
        client.add_server("coaps://127.0.0.1:5684", 101, 300, identity=PSK_IDENTITY.encode(),
                          secret=PSK_KEY)
        store = PskStore()
        store.add(EP, PSK_IDENTITY, PSK_KEY)
        server = net.add_server(5684, listener="coaps", psk=store, awake_ms=AWAKE_MS)
    else:
        client.add_server(DM_URI, 101, 300)
        server = net.add_server(5683, awake_ms=AWAKE_MS)
    client.start(0)
    net.run(10000, lambda: server.registration(EP) is not None)
    return net, server


def test_lwm2m_1_1_int_108_register_in_queue_mode() -> None:
    _net, server = _queue_client()
    registration = server.registration(EP)
    assert registration is not None and registration.queue
    _net10, server10 = _queue_client(version="1.0")
    registration = server10.registration(EP)
    assert registration is not None and registration.binding == "UQ"


def test_lwm2m_1_1_int_109_sleep_hold_and_wake_with_update() -> None:
    net, server = _queue_client()
    client = net.client
    t0 = net.now_ms
    op = server.observe(EP, "/3/0/9")
    net.wait(op)
    t1 = net.now_ms
    # The awake time passes with nothing to say: the client stops listening.
    net.run(t1 + AWAKE_MS - 1)
    assert client.state == ev.STATE_READY and not net.client_take("Sleeping")
    net.run(t1 + AWAKE_MS)
    assert net.client_take("Sleeping") and client.state == ev.STATE_SLEEPING
    # A server request now waits (the server knows the client is asleep).
    write = server.write(EP, "/1/0/2", 5, now_ms=net.now_ms)
    net.advance(10000)
    assert not write.done and server.pending(EP) == 1
    # The value changes: kept, and an Update wakes the client; then the notification
    # and the held request go through.
    client.set_value("/3/0/9", 31)
    net.advance(100)
    assert net.client_take("Woken")
    updates = net.take("ClientUpdated")
    assert len(updates) == 1
    assert notified_values(net, (3, 0, 9)) == [31]
    net.advance(1000)
    assert write.done and write.response.code == 0x44
    assert client.state == ev.STATE_READY
    assert t0 <= t1


def test_queue_mode_wakes_for_the_lifetime() -> None:
    net, server = _queue_client()
    client = net.client
    net.run(net.now_ms + AWAKE_MS + 1000)
    assert client.state == ev.STATE_SLEEPING
    net.take("ClientUpdated")
    # lifetime 300 s: the Update is due at 207 s (lifetime - MAX_TRANSMIT_WAIT).
    net.run(206000)
    assert not net.take("ClientUpdated")
    net.run(208000)
    assert len(net.take("ClientUpdated")) == 1 and client.state == ev.STATE_READY
    net.run(208000 + AWAKE_MS + 1000)
    assert client.state == ev.STATE_SLEEPING
    assert server.registration(EP) is not None


def test_queue_mode_send_wakes_the_client() -> None:
    net, _server = _queue_client()
    net.run(net.now_ms + AWAKE_MS + 1000)
    assert net.client.state == ev.STATE_SLEEPING
    assert len(net.client.send(net.now_ms, ["/3/0/9"])) == 1
    net.advance(1000)
    kinds = [type(e).__name__ for e in net.events]
    assert kinds.index("ClientUpdated") < kinds.index("DataSent")
    assert len(net.take("ClientUpdated")) == 1 and len(net.take("DataSent")) == 1


def test_queue_mode_keeps_and_resumes_the_dtls_session() -> None:
    net, server = _queue_client(secure=True)
    client = net.client
    transport = client.sessions[101].transport
    assert transport is not None and transport.handshakes == 1 and transport.resumed == 0
    net.run(net.now_ms + AWAKE_MS + 1000)
    assert client.state == ev.STATE_SLEEPING
    # Asleep, the DTLS connection is kept: waking needs no handshake.
    net.client.update_registration(net.now_ms)
    net.advance(1000)
    assert transport.handshakes == 1 and len(net.take("ClientUpdated")) == 1
    net.run(net.now_ms + AWAKE_MS + 1000)
    # The connection state is lost (e.g. a NAT or the peer forgot it): the next wake-up
    # resumes the session with an abbreviated handshake (RFC 6347 §4.2.4 / RFC 5246 §7.3).
    transport.drop_security()
    net.client.update_registration(net.now_ms)
    net.advance(2000)
    assert transport.handshakes == 2 and transport.resumed == 1
    assert len(net.take("ClientUpdated")) == 1 and server.registration(EP) is not None
