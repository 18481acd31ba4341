"""The Client's datagram face against an LwM2M server peer on a real CoAP endpoint (and
DTLS-PSK for int-401), with stepped time, loss and duplication. Runs under MicroPython."""

from coap import codes
from coap.message import Message, decode
from lwm2m import events as ev
from lwm2m import formats
from lwm2m.client import Client
from lwm2m.formats import TEXT, TLV
from tests.coap.link import SeededRng
from tests.lwm2m.coap_server_peer import SERVER_ADDR, Net, ServerPeer

PSK_IDENTITY = b"urn:imei:490154203237511"
PSK_KEY = bytes(range(16))


def _pure_backend() -> "object":
    # The pure-Python crypto backend (MicroPython's, or the same code over
    # cryptography's AES blocks on CPython).
    from tests.dtls_psk.backends import pure_over_cryptography

    try:
        return pure_over_cryptography()
    except ImportError:
        from dtls_psk.crypto_pure import micropython_backend

        return micropython_backend()


def _client(seed: int = 5, secure: bool = False, lifetime_s: int = 300) -> Client:
    options = {"dtls_options": {"backend": _pure_backend()}} if secure else None
    client = Client("urn:imei:490154203237511", formats, rng=SeededRng(seed),
                    manufacturer="Open Mobile Alliance", transport_options=options)
    if secure:
        client.add_server("coaps://127.0.0.1:5683", 101, lifetime_s, identity=PSK_IDENTITY,
                          secret=PSK_KEY)
    else:
        client.add_server("coap://127.0.0.1:5683", 101, lifetime_s)
    return client


def _ready(client: Client) -> bool:
    return client.state == ev.STATE_READY


def test_lwm2m_1_1_int_101_register_on_the_wire() -> None:
    client = _client()
    server = ServerPeer()
    client.start(0)
    (datagram,) = client.datagrams_to_send()
    assert datagram[0] == SERVER_ADDR
    message = decode(datagram[1])
    # Transport §6.2: a confirmable POST /rd with the parameters and a link-format body.
    assert message.type == 0 and message.code == codes.POST
    assert message.uri_path == ("rd",)
    assert message.uri_query == ("ep=urn:imei:490154203237511", "lt=300", "lwm2m=1.1", "b=U")
    assert message.content_format == 40
    assert message.payload.startswith(b'</>;rt="oma.lwm2m",')
    server.receive_datagram(datagram[1], 0)
    (answer,) = server.datagrams_to_send()
    reply = decode(answer)
    assert reply.code == codes.CREATED and reply.location_path == ("rd", "100")
    client.receive_datagram(answer, SERVER_ADDR, 20)
    assert client.state == ev.STATE_READY
    assert client.sessions[101].machine.location == "/rd/100"
    assert client.datagrams_to_send() == []


def test_lwm2m_1_1_int_102_to_105_over_coap() -> None:
    client = _client()
    server = ServerPeer()
    net = Net(client, server)
    client.start(0)
    net.run(10000, lambda: _ready(client))
    assert _ready(client)
    # int-102: the server writes the lifetime; the Update carries lt.
    assert net.ask(codes.PUT, "/1/0/1", b"120", TEXT).code == codes.CHANGED
    net.run(net.now_ms + 1000)
    assert server.log[-1][2:] == (("rd", "100"), ("lt=120",))
    # int-104: the trigger; a parameter-less Update.
    assert net.ask(codes.POST, "/1/0/8").code == codes.CHANGED
    net.run(net.now_ms + 1000)
    assert server.log[-1][2:] == (("rd", "100"), ())
    # The lifetime is kept: Updates keep coming for ten minutes, no new Register.
    net.run(net.now_ms + 600000)
    assert len(server.registrations) == 1
    assert server.registrations["100"]["updates"] >= 10
    # int-105: the server dropped the registration; the client registers again.
    server.registrations.clear()
    net.run(net.now_ms + 120000, lambda: len(server.registrations) == 1)
    assert len(server.registrations) == 1 and _ready(client)


def test_lwm2m_1_1_int_103_disable_over_coap() -> None:
    client = _client()
    server = ServerPeer()
    net = Net(client, server)
    client.set_value("/1/0/5", 60)
    client.start(0)
    net.run(10000, lambda: _ready(client))
    assert net.ask(codes.POST, "/1/0/4").code == codes.CHANGED
    net.run(net.now_ms + 1000)
    assert server.registrations == {} and client.state == ev.STATE_DISABLED
    net.run(net.now_ms + 61000, lambda: _ready(client))
    assert _ready(client) and len(server.registrations) == 1


def test_device_management_over_coap() -> None:
    client = _client()
    server = ServerPeer()
    net = Net(client, server)
    client.start(0)
    net.run(10000, lambda: _ready(client))
    answer = net.ask(codes.GET, "/3/0", accept=TLV)
    assert answer.code == codes.CONTENT and answer.content_format == TLV
    values = dict(formats.decode(TLV, answer.payload, (3, 0), None))
    assert (3, 0, 0) in values
    assert net.ask(codes.GET, "/0/0").code == codes.UNAUTHORIZED
    assert net.ask(codes.DELETE, "/3/0").code == codes.METHOD_NOT_ALLOWED
    answer = net.ask(codes.POST, "/19", formats.encode(TLV, [((19, 1, 0, 0), b"x")], (19,)),
                     TLV)
    assert answer.code == codes.CREATED and answer.location_path == ("19", "1")
    net.run(net.now_ms + 1000)
    assert b"</19/1>" in server.registrations["100"]["links"]


def test_block_wise_read_of_a_large_resource() -> None:
    client = _client()
    server = ServerPeer()
    net = Net(client, server)
    client.start(0)
    net.run(10000, lambda: _ready(client))
    big = bytes([i & 0xFF for i in range(3000)])
    client.set_uplink(10250, big)
    answer = net.ask(codes.GET, "/10250/0/0")
    assert answer.code == codes.CONTENT and answer.payload == big
    # And a large write goes in block by block (Block1).
    body = formats.encode(TLV, [((10250, 0, 1), big)], (10250, 0, 1))
    assert net.ask(codes.PUT, "/10250/0/1", body, TLV).code == codes.CHANGED
    found = [e for e in _events(client) if type(e).__name__ == "DownlinkDataReceived"]
    assert found and found[-1].data == big  # type: ignore[attr-defined]


def _events(client: Client) -> "list[object]":
    out: "list[object]" = []
    while True:
        event = client.next_event()
        if event is None:
            return out
        out.append(event)


def test_loss_and_duplication_on_the_link() -> None:
    client = _client(seed=11)
    server = ServerPeer(seed=2)
    net = Net(client, server, seed=9, loss=0.3, duplicate=0.3)
    client.start(0)
    net.run(400000, lambda: _ready(client))
    assert _ready(client)
    for n in range(5):
        value = b"%d" % (60 + n)
        answer = net.ask(codes.PUT, "/1/0/2", value, TEXT, within_ms=400000)
        assert answer.code == codes.CHANGED
        assert client.get_value("/1/0/2") == 60 + n
    net.run(net.now_ms + 1200000)
    assert net.dropped > 0
    # Duplicates were answered from the CoAP cache: one registration all along.
    assert len(server.registrations) == 1 and _ready(client)


def test_server_restart_mid_session() -> None:
    client = _client()
    server = ServerPeer()
    net = Net(client, server)
    client.start(0)
    net.run(10000, lambda: _ready(client))
    server.restart()
    found: "list[object]" = []
    # The client notices on its next Update (4.04) and registers again.
    net.run(300000, lambda: len(server.registrations) == 1)
    found = _events(client)
    assert "Deregistered" in [type(e).__name__ for e in found]
    assert _ready(client) and len(server.registrations) == 1


def test_reset_starts_again_cleanly_on_the_wire() -> None:
    client = _client()
    server = ServerPeer()
    net = Net(client, server)
    client.start(0)
    client.datagrams_to_send()  # the Register is lost on the wire
    client.reset(10)
    net.run(20000, lambda: _ready(client))
    assert _ready(client) and len(server.registrations) == 1


def test_lwm2m_1_1_int_401_psk_dtls() -> None:
    client = _client(secure=True)
    server = ServerPeer(psk={PSK_IDENTITY: PSK_KEY})
    net = Net(client, server)
    client.start(0)
    net.run(60000, lambda: _ready(client))
    assert _ready(client) and server.identities == [PSK_IDENTITY]
    assert len(server.registrations) == 1
    answer = net.ask(codes.GET, "/3/0", accept=TLV)
    assert answer.code == codes.CONTENT
    assert dict(formats.decode(TLV, answer.payload, (3, 0), None))[(3, 0, 0)] \
        == b"Open Mobile Alliance"


def test_psk_dtls_with_a_wrong_key_never_registers() -> None:
    client = _client(secure=True)
    server = ServerPeer(psk={PSK_IDENTITY: bytes(16)})
    net = Net(client, server)
    client.start(0)
    net.run(200000)
    assert not _ready(client) and server.registrations == {}
    assert client.state == ev.STATE_REGISTERING  # waiting out REG_RETRY, then again


def test_psk_server_restart_means_a_new_handshake() -> None:
    client = _client(secure=True)
    server = ServerPeer(psk={PSK_IDENTITY: PSK_KEY})
    net = Net(client, server)
    client.start(0)
    net.run(60000, lambda: _ready(client))
    server.restart()  # keys and registrations gone: our records are dropped silently
    net.run(900000, lambda: len(server.registrations) == 1 and _ready(client))
    assert len(server.registrations) == 1 and server.identities == [PSK_IDENTITY] * 2
    assert _ready(client)
    assert client.sessions[101].transport is not None
    assert client.sessions[101].transport.handshakes == 2


def test_update_margin_follows_the_coap_parameters() -> None:
    from coap.params import TransmissionParams

    params = TransmissionParams(ack_timeout_ms=4000)
    client = Client("ep", formats, rng=SeededRng(1), coap_params=params)
    assert client.policy.update_margin_ms == params.max_transmit_wait_ms > 93000


def test_ipv6_addresses_with_flow_and_scope_are_matched() -> None:
    client = Client("ep", formats, rng=SeededRng(2))
    client.add_server("coap://[::1]:5683", 101, 60)
    client.start(0)
    ((addr, data),) = client.datagrams_to_send()
    assert addr == ("::1", 5683)
    register = decode(data)


    reply = Message(2, codes.CREATED, register.mid, register.token)
    reply.location_path = ("rd", "9")
    client.receive_datagram(reply.encode(), ("::1", 5683, 0, 0), 5)
    assert _ready(client)
    client.receive_datagram(reply.encode(), ("::2", 5683), 6)  # a stranger: ignored
