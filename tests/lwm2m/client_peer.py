"""The server's side of a Client's transactions, for the client tests.

Plays what an LwM2M server answers to Register / Update / De-register (Core §6.2,
2.01 with a Location-Path, 2.04, 2.02), and sends device-management requests as
``DmRequest`` values. Runs under MicroPython too (no pytest here).
"""

from lwm2m import formats
from lwm2m.client import Client
from lwm2m.dm import DmRequest

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from lwm2m.client import OutgoingRequest

CREATED = 0x41
DELETED = 0x42
CHANGED = 0x44
NOT_FOUND = 0x84


def make_client(ssids: "tuple[int, ...]" = (101,), lifetime_s: int = 300,
                **kwargs: "Any") -> Client:
    """A client with one coap:// server account per ssid."""
    client = Client("urn:imei:490154203237511", formats, manufacturer="Open Mobile Alliance",
                    model="Lightweight M2M Client", serial="345000123", **kwargs)
    for n, ssid in enumerate(ssids):
        client.add_server("coap://127.0.0.1:%d" % (5683 + 2 * n), ssid, lifetime_s)
    return client


def drain(client: Client) -> "list[OutgoingRequest]":
    out: "list[OutgoingRequest]" = []
    while True:
        request = client.next_request()
        if request is None:
            return out
        out.append(request)


def events(client: Client) -> "list[object]":
    out: "list[object]" = []
    while True:
        event = client.next_event()
        if event is None:
            return out
        out.append(event)


def names(found: "list[object]") -> "list[str]":
    return [type(e).__name__ for e in found]


def states(found: "list[object]") -> "list[int]":
    return [e.state for e in found if type(e).__name__ == "StateChanged"]  # type: ignore[attr-defined]


class Server:
    """One server: counts registrations and answers the client's requests."""

    def __init__(self, client: Client, ssid: int = 101) -> None:
        self.client = client
        self.ssid = ssid
        self.registrations = 0
        self.location: "tuple[str, ...]" = ()
        self.seen: "list[OutgoingRequest]" = []

    def answer(self, request: "OutgoingRequest", now_ms: int, code: "int | None" = None) -> None:
        """Answer like a well-behaved server (or with ``code``)."""
        self.seen.append(request)
        if request.kind == "register":
            if code is None or code == CREATED:
                self.registrations += 1
                self.location = ("rd", "r%d" % self.registrations)
                self.client.response_received(request.txn, CREATED, now_ms, self.location)
                return
        elif code is None:
            code = CHANGED if request.kind == "update" else DELETED
        assert code is not None
        self.client.response_received(request.txn, code, now_ms)

    def serve(self, now_ms: int) -> "list[OutgoingRequest]":
        """Answer everything the client has queued for this server; return it."""
        done = []
        for request in drain(self.client):
            assert request.ssid == self.ssid, request
            self.answer(request, now_ms)
            done.append(request)
        return done

    def dm(self, method: int, path: str, now_ms: int = 0, payload: bytes = b"",
           content_format: "int | None" = None, accept: "int | None" = None,
           query: "tuple[str, ...]" = ()) -> "Any":
        segments = tuple([s for s in path.split("/") if s])
        request = DmRequest(method, segments, payload, content_format, accept, query)
        return self.client.handle_request(self.ssid, request, now_ms)


def registered(ssids: "tuple[int, ...]" = (101,), lifetime_s: int = 300,
               **kwargs: "Any") -> "tuple[Client, list[Server]]":
    """A client registered with a server per ssid at t=0, events drained."""
    client = make_client(ssids, lifetime_s, **kwargs)
    servers = [Server(client, ssid) for ssid in ssids]
    client.start(0)
    by_ssid = {s.ssid: s for s in servers}
    for request in drain(client):
        by_ssid[request.ssid].answer(request, 0)
    events(client)
    return client, servers
