"""ETS 1.1-int-401 (DTLS-PSK) and the identity-to-endpoint binding, in process: our
DTLS client does the handshake with the server's ``coaps`` listener and carries the
raw CoAP datagrams of the registration and a Read."""

import os

from coap import codes, types
from coap.message import Message, decode
from dtls_psk import ApplicationData, DtlsClient
from lwm2m.server import events as ev
from lwm2m.server.psk import PskStore
from lwm2m.server.server import Server
from lwm2m.server.stepped import seeded_rng

KEY = bytes(range(16))


class SecureDevice:
    """A client over DTLS: CoAP messages in and out of a DtlsClient."""

    def __init__(self, server: Server, port: int, identity: bytes, key: bytes) -> None:
        self.server = server
        self.addr = ("127.0.0.1", port)
        self.dtls = DtlsClient(identity, key, os.urandom)
        self.now_ms = 0
        self.mid = 100
        self.inbox: "list[Message]" = []
        self.dtls.connect(0)
        self.pump()

    def pump(self) -> "list[Message]":
        got: "list[Message]" = []
        for _ in range(10):
            moved = False
            for data in self.dtls.datagrams_to_send():
                self.server.receive_datagram(data, self.addr, self.now_ms, listener="coaps")
                moved = True
            for addr, data in self.server.datagrams_to_send("coaps"):
                assert addr == self.addr
                self.dtls.receive_datagram(data, self.now_ms)
                moved = True
            while True:
                event = self.dtls.next_event()
                if event is None:
                    break
                if isinstance(event, ApplicationData):
                    got.append(decode(event.data))
            if not moved:
                break
        return got

    def request(self, code: int, path: str, query: "tuple[str, ...]" = (),
                payload: bytes = b"", cf: "int | None" = None) -> Message:
        assert self.dtls.is_established
        self.mid += 1
        msg = Message(types.CON, code, self.mid, b"s%d" % self.mid, payload=payload)
        msg.uri_path = [s for s in path.split("/") if s]
        msg.uri_query = list(query)
        if cf is not None:
            msg.content_format = cf
        self.dtls.send(msg.encode())
        got = self.pump()
        [reply] = [m for m in got if m.type == types.ACK and m.mid == msg.mid]
        self.inbox = [m for m in got if m is not reply]  # requests the server sent meanwhile
        return reply

    def next_request(self) -> Message:
        got = self.inbox + self.pump()
        self.inbox = []
        [req] = got
        return req


def secure_server() -> Server:
    psk = PskStore()
    psk.add("secure-ep", b"id-secure", KEY)
    psk.add("other-ep", b"id-other", bytes(16))
    return Server(seeded_rng(), psk=psk, listeners=("coap", "coaps"))


def events(server: Server) -> "list[object]":
    out = []
    while (event := server.next_event()) is not None:
        out.append(event)
    return out


def test_int_401_register_and_read_over_dtls_psk() -> None:
    server = secure_server()
    dev = SecureDevice(server, 50001, b"id-secure", KEY)
    assert dev.dtls.is_established
    reply = dev.request(codes.POST, "/rd", ("ep=secure-ep", "lt=300", "lwm2m=1.1"),
                        b"</1/0>,</3/0>", 40)
    assert reply.code == codes.CREATED
    [registered] = events(server)
    assert isinstance(registered, ev.ClientRegistered)
    reg = registered.registration
    assert reg.listener == "coaps" and reg.identity == "id-secure"
    operation = server.read("secure-ep", "/3/0/0", accept=0)
    [req] = dev.pump()
    assert req.code == codes.GET and req.uri_path == ("3", "0", "0")
    ack = Message(types.ACK, codes.CONTENT, req.mid, req.token, payload=b"OMA")
    ack.content_format = 0
    dev.dtls.send(ack.encode())
    dev.pump()
    [resp] = [e for e in events(server) if isinstance(e, ev.ResponseReceived)]
    assert resp.operation is operation and resp.records == [((3, 0, 0), "OMA")]
    # update and de-register over the same session
    location = "/" + "/".join(reply.location_path)
    assert dev.request(codes.POST, location).code == codes.CHANGED
    assert dev.request(codes.DELETE, location).code == codes.DELETED


def test_identity_may_not_register_another_endpoint() -> None:
    server = secure_server()
    dev = SecureDevice(server, 50002, b"id-other", bytes(16))
    reply = dev.request(codes.POST, "/rd", ("ep=secure-ep",), b"</1/0>", 40)
    assert reply.code == codes.FORBIDDEN
    reply = dev.request(codes.POST, "/rd", ("ep=unlisted",), b"</1/0>", 40)
    assert reply.code == codes.FORBIDDEN
    assert dev.request(codes.POST, "/rd", ("ep=other-ep",), b"</1/0>", 40).code == codes.CREATED


def test_plain_coap_may_not_take_a_psk_endpoint() -> None:
    server = secure_server()
    msg = Message(types.CON, codes.POST, 9, b"p", payload=b"</1/0>")
    msg.uri_path = ["rd"]
    msg.uri_query = ["ep=secure-ep"]
    server.receive_datagram(msg.encode(), ("127.0.0.1", 50003), 0)
    [(_, data)] = server.datagrams_to_send("coap")
    assert decode(data).code == codes.FORBIDDEN


def test_wrong_key_never_reaches_coap() -> None:
    server = secure_server()
    dev = SecureDevice(server, 50004, b"id-secure", b"\x99" * 16)
    assert not dev.dtls.is_established
    assert len(server.registrations) == 0
    failed = [e for e in events(server) if isinstance(e, ev.HandshakeFailed)]
    assert failed and failed[0].address == dev.addr


def test_update_from_another_identity_is_refused() -> None:
    server = secure_server()
    owner = SecureDevice(server, 50005, b"id-secure", KEY)
    reply = owner.request(codes.POST, "/rd", ("ep=secure-ep",), b"</1/0>", 40)
    location = "/" + "/".join(reply.location_path)
    thief = SecureDevice(server, 50006, b"id-other", bytes(16))
    assert thief.request(codes.POST, location).code == codes.FORBIDDEN
    assert thief.request(codes.DELETE, location).code == codes.FORBIDDEN
    assert server.registration("secure-ep") is not None


def test_int_1_bootstrap_over_dtls_then_register() -> None:
    from lwm2m.server.bootstrap_script import load_script

    psk = PskStore()
    psk.add("secure-ep", b"id-secure", KEY)
    script = load_script({"secure-ep": {
        "delete": ["/"],
        "write": {"/0/1": {"0": "coaps://127.0.0.1:5684", "1": False, "2": 0,
                           "3": "id-secure", "5": {"hex": KEY.hex()}, "10": 1}}}})
    server = Server(seeded_rng(), psk=psk, bootstrap=script, listeners=("coaps",))
    dev = SecureDevice(server, 50010, b"id-secure", KEY)
    assert dev.request(codes.POST, "/bs", ("ep=secure-ep",)).code == codes.CHANGED
    seen = []
    for _ in range(3):  # Delete /, Write /0/1, Finish: each answered 2.0x over the session
        req = dev.next_request()
        seen.append((req.code, req.uri_path))
        if req.code == codes.PUT:
            from lwm2m import formats

            records = formats.decode(formats.TLV, req.payload, (0, 1), server.type_of)
            assert ((0, 1, 2), 0) in records and ((0, 1, 3), b"id-secure") in records
        answer = Message(types.ACK, codes.DELETED if req.code == codes.DELETE
                         else codes.CHANGED, req.mid, req.token)
        dev.dtls.send(answer.encode())
    dev.pump()
    assert seen == [(codes.DELETE, ()), (codes.PUT, ("0", "1")), (codes.POST, ("bs",))]
    assert isinstance(events(server)[-1], ev.BootstrapCompleted)
