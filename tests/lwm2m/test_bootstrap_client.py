"""The bootstrap interface on the client's objects, through the transaction face
(``handle_request`` with the bootstrap caller): Delete, Discover, Read, Write, Finish
and its consistency check. Runs under MicroPython."""

from lwm2m import formats
from lwm2m.bootstrap import BOOTSTRAPPING, DONE
from lwm2m.bootstrap_client import configuration_problems
from lwm2m.client import Client
from lwm2m.dm import DELETE, GET, POST, PUT, DmRequest, DmResponse
from objects.base import CALLER_BOOTSTRAP
from tests.lwm2m.client_peer import drain, events

CHANGED = 0x44
DELETED = 0x42
CONTENT = 0x45
BAD_REQUEST = 0x80
UNAUTHORIZED = 0x81
METHOD_NOT_ALLOWED = 0x85
NOT_ACCEPTABLE = 0x86
BS_URI = "coap://127.0.0.1:5783"


def _client() -> Client:
    client = Client("ep1", formats)
    client.objects[0].add_instance(0, {0: BS_URI, 1: True, 2: 3, 3: b"", 4: b"", 5: b""})
    return client


def _bs(client: Client, method: int, path: str, payload: bytes = b"",
        content_format: "int | None" = None, accept: "int | None" = None) -> DmResponse:
    segments = tuple([s for s in path.split("/") if s])
    return client.handle_request(CALLER_BOOTSTRAP,
                                 DmRequest(method, segments, payload, content_format, accept), 0)


def _write_account(client: Client, uri: str = "coap://127.0.0.1:5683", ssid: int = 101,
                   mode: int = 3) -> None:
    security = formats.encode(formats.TLV, [((0, 1, 0), uri), ((0, 1, 1), False),
                                            ((0, 1, 2), mode), ((0, 1, 10), ssid)], (0, 1),
                              None)
    assert _code(_bs(client, PUT, "/0/1", security, formats.TLV)) == CHANGED
    server = formats.encode(formats.TLV, [((1, 0, 0), ssid), ((1, 0, 1), 300),
                                          ((1, 0, 6), False), ((1, 0, 7), "U")], (1, 0), None)
    assert _code(_bs(client, PUT, "/1/0", server, formats.TLV)) == CHANGED


def _code(response: DmResponse) -> int:
    return response.code


def test_bootstrap_request_and_operations_by_transactions() -> None:
    client = _client()
    client.start(0)
    (request,) = drain(client)
    assert request.kind == "bootstrap" and request.segments == ("bs",)
    assert request.query == ("ep=ep1",) and request.ssid == 0
    client.response_received(request.txn, CHANGED, 10)
    assert client.reporting.bootstrap_machine.state == BOOTSTRAPPING
    # Bootstrap-Delete / spares the Bootstrap-Server account and the Device instance.
    client.add_server("coap://127.0.0.1:9999", 7)  # an account to be deleted
    assert _code(_bs(client, DELETE, "/")) == DELETED
    assert client.objects[0].instance_ids() == [0]
    assert client.objects[1].instance_ids() == [] and client.objects[3].instance_ids() == [0]
    assert _code(_bs(client, DELETE, "/0/0")) == BAD_REQUEST
    assert _code(_bs(client, DELETE, "/3/0")) == BAD_REQUEST
    # Nothing registers while the bootstrap runs, even as accounts appear.
    _write_account(client)
    assert drain(client) == [] and client.sessions == {}
    # Bootstrap-Discover: lwm2m version, ssid and uri on the accounts.
    found = _bs(client, GET, "/", accept=40)
    assert _code(found) == CONTENT
    links = found.payload.decode()
    assert links.startswith("</>;lwm2m=1.1,")
    assert '</0/0>;uri="coap://127.0.0.1:5783"' in links
    assert '</0/1>;ssid=101;uri="coap://127.0.0.1:5683"' in links and "</1/0>;ssid=101" in links
    one = _bs(client, GET, "/1", accept=40).payload.decode()
    assert one == "</1>;ver=1.1,</1/0>;ssid=101"
    # Bootstrap-Read reaches /1 and /2 only; other operations are not bootstrap ones.
    assert _code(_bs(client, GET, "/1/0", accept=formats.TLV)) == CONTENT
    assert _code(_bs(client, GET, "/0/1", accept=formats.TLV)) == BAD_REQUEST
    assert _code(_bs(client, POST, "/1/0/8")) == METHOD_NOT_ALLOWED
    # Bootstrap-Finish: consistent -> 2.04, and the client registers.
    assert _code(_bs(client, POST, "/bs")) == CHANGED
    assert client.reporting.bootstrap_machine.state == DONE and not client.bootstrapping
    (register,) = drain(client)
    assert register.kind == "register" and register.ssid == 101
    names = [type(e).__name__ for e in events(client)]
    assert "BootstrapStarted" in names and "BootstrapFinished" in names


def test_finish_inconsistent_is_4_06_and_can_be_fixed() -> None:
    client = _client()
    client.start(0)
    (request,) = drain(client)
    client.response_received(request.txn, CHANGED, 10)
    answer = _bs(client, POST, "/bs")
    assert _code(answer) == NOT_ACCEPTABLE and "no LwM2M server account" in answer.reason
    assert client.bootstrapping
    _write_account(client)
    assert _code(_bs(client, POST, "/bs")) == CHANGED


def test_consistency_problems() -> None:
    client = _client()
    assert configuration_problems(client.objects) == ["no LwM2M server account"]
    _start_bootstrap(client)
    _write_account(client, uri="coaps://127.0.0.1:5684", mode=0)
    problems = configuration_problems(client.objects)
    assert problems == ["/0/1: PSK mode without identity and key", "no LwM2M server account"]
    _write_account(client, uri="coaps://127.0.0.1:5684", mode=3)
    assert "/0/1: security mode 3 does not suit coaps://127.0.0.1:5684" in \
        configuration_problems(client.objects)
    _write_account(client, uri="http://x", mode=3)
    assert "/0/1: URI 'http://x' is neither coap:// nor coaps://" in \
        configuration_problems(client.objects)
    _write_account(client, ssid=102)
    # /1/0 names 102 as well: consistent again.
    assert configuration_problems(client.objects) == []


def _start_bootstrap(client: Client) -> None:
    client.bootstrap(0)
    (request,) = drain(client)
    client.response_received(request.txn, CHANGED, 0)


def test_bootstrap_outside_a_bootstrap() -> None:
    plain = Client("ep1", formats)
    assert _code(_bs(plain, GET, "/1", accept=40)) == UNAUTHORIZED
    # With a Bootstrap-Server account a server-initiated bootstrap may begin (Core §6.1.4).
    client = _client()
    assert _code(_bs(client, GET, "/", accept=40)) == CONTENT
    assert client.bootstrapping and client.reporting.bootstrap_machine.state == BOOTSTRAPPING


def test_bootstrap_trigger_needs_an_account() -> None:
    client = Client("ep1", formats)
    client.add_server("coap://127.0.0.1:5683", 101)
    client.start(0)
    (register,) = drain(client)
    client.response_received(register.txn, 0x41, 0, ("rd", "1"))
    answer = client.handle_request(101, DmRequest(POST, ("1", "0", "9")), 0)
    assert _code(answer) == METHOD_NOT_ALLOWED
