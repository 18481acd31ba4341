"""The sans-IO LwM2M server: Register, Update and a Read round trip per client, each
with the datagram encoded by the client side and decoded by the server (the work a
gateway-facing server does per message). No baseline: no other pure-Python LwM2M
server runs in process; the figures track our own regressions."""

from benchmarks.runner import Case
from coap import codes, types
from coap.message import Message, decode
from lwm2m.server import SteppedServer
from lwm2m.server import events as ev

POPULATION = 1000


def _register(ep: str, mid: int) -> bytes:
    m = Message(types.CON, codes.POST, mid & 0xFFFF, b"r%d" % mid,
                payload=b"</1/0>,</3/0>,</4/0>,</5/0>")
    m.uri_path = ["rd"]
    m.uri_query = ["ep=" + ep, "lt=86400", "lwm2m=1.1", "b=U"]
    m.content_format = 40
    return m.encode()


def _populated() -> "tuple[SteppedServer, list[str]]":
    srv = SteppedServer()
    locations = []
    for i in range(POPULATION):
        srv.receive(_register("pop-%d" % i, i), ("127.0.0.1", 20000 + i))
        [(_, data)] = srv.datagrams()
        locations.append("/".join(decode(data).location_path))
    srv.events()
    return srv, locations


def cases(quick: bool) -> "list[Case]":
    fresh = SteppedServer()
    counter = [0]

    def register() -> None:
        counter[0] += 1
        n = counter[0]
        fresh.receive(_register("bench-%d" % n, n), ("127.0.0.1", 1 + n % 60000))
        fresh.datagrams()
        fresh.events()

    def check_register() -> None:
        srv = SteppedServer()
        srv.receive(_register("x", 1), ("127.0.0.1", 1))
        [(_, data)] = srv.datagrams()
        assert decode(data).code == codes.CREATED
        assert isinstance(srv.events()[0], ev.ClientRegistered)

    srv, locations = _populated()
    mids = [0]

    def update() -> None:
        mids[0] += 1
        i = mids[0] % POPULATION
        m = Message(types.CON, codes.POST, (mids[0] + 7000) & 0xFFFF, b"u", payload=b"")
        m.uri_path = locations[i].split("/")
        m.uri_query = ["lt=86400"]
        srv.receive(m.encode(), ("127.0.0.1", 20000 + i))
        srv.datagrams()
        srv.events()

    def check_update() -> None:
        update()
        assert srv.registration("pop-%d" % (mids[0] % POPULATION)) is not None

    reads = [0]

    def read_round_trip() -> None:
        reads[0] += 1
        i = reads[0] % POPULATION
        srv.read("pop-%d" % i, "/3/0/0", accept=0)
        [(addr, data)] = srv.datagrams()
        req = decode(data)
        resp = Message(types.ACK, codes.CONTENT, req.mid, req.token, payload=b"ACME")
        resp.content_format = 0
        srv.receive(resp.encode(), addr)
        srv.datagrams()
        srv.events()

    def check_read() -> None:
        srv.read("pop-1", "/3/0/0", accept=0)
        [(addr, data)] = srv.datagrams()
        req = decode(data)
        resp = Message(types.ACK, codes.CONTENT, req.mid, req.token, payload=b"ACME")
        resp.content_format = 0
        srv.receive(resp.encode(), addr)
        [answer] = [e for e in srv.events() if isinstance(e, ev.ResponseReceived)]
        assert answer.records == [((3, 0, 0), "ACME")]

    return [
        Case("server: Register (new endpoint each call)", register, check=check_register),
        Case("server: Update among %d registrations" % POPULATION, update, check=check_update),
        Case("server: Read round trip among %d registrations" % POPULATION, read_round_trip,
             check=check_read),
    ]
