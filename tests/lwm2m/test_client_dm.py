"""Device management through the Client, named after the OMA ETS ids (1.1-int-2xx), every
error path with its code, and two servers with different access rights. Runs under
MicroPython."""

from lwm2m import access, formats
from lwm2m import events as ev
from lwm2m.client import Client
from lwm2m.dm import DELETE, FETCH, GET, IPATCH, POST, PUT, DmRequest, DmResponse
from lwm2m.formats import OMA_JSON, OPAQUE, SENML_CBOR, SENML_JSON, TEXT, TLV, link
from objects.base import CALLER_BOOTSTRAP
from tests.lwm2m.client_peer import Server, drain, events, names, registered

CONTENT = 0x45
CHANGED = 0x44
CREATED = 0x41
DELETED = 0x42
BAD_REQUEST = 0x80
UNAUTHORIZED = 0x81
NOT_FOUND = 0x84
METHOD_NOT_ALLOWED = 0x85
NOT_ACCEPTABLE = 0x86
UNSUPPORTED = 0x8F
INTERNAL = 0xA0


def _records(response: DmResponse,
             base: "tuple[int, ...] | None") -> "dict[tuple[int, ...], object]":
    payload = response.payload
    cf = response.content_format
    assert cf is not None
    return dict(formats.decode(cf, payload, base, None if cf in (TEXT, OPAQUE) else _type_of))


def _type_of(path: "tuple[int, ...]") -> "int | None":
    from objects.registry import type_of
    return type_of(path)


def test_lwm2m_1_1_int_201_plain_text_reads() -> None:
    _client, (server,) = registered()
    for path, text in (("/3/0/0", b"Open Mobile Alliance"), ("/3/0/1", b"Lightweight M2M Client"),
                       ("/3/0/2", b"345000123")):
        response = server.dm(GET, path, accept=TEXT)
        assert response.code == CONTENT and response.content_format == TEXT
        assert response.payload == text


def test_lwm2m_1_1_int_203_tlv_read_of_the_device() -> None:
    _client, (server,) = registered()
    response = server.dm(GET, "/3/0", accept=TLV)
    assert response.code == CONTENT and response.content_format == TLV
    values = _records(response, (3, 0))
    assert values[(3, 0, 0)] == "Open Mobile Alliance"
    assert values[(3, 0, 11, 0)] == 0
    assert values[(3, 0, 16)] == "U"
    assert (3, 0, 4) not in values  # executable resources are never read


def test_lwm2m_1_0_int_204_oma_json_for_a_1_0_server_only() -> None:
    _client, (server,) = registered(version="1.0")
    response = server.dm(GET, "/3/0", accept=OMA_JSON)
    assert response.code == CONTENT and response.content_format == OMA_JSON
    assert _records(response, (3, 0))[(3, 0, 1)] == "Lightweight M2M Client"
    _client11, (server11,) = registered()
    assert server11.dm(GET, "/3/0", accept=OMA_JSON).code == NOT_ACCEPTABLE
    # A 1.0 server's Discover carries no ``ver`` (LwM2M 1.1 attribute).
    assert server.dm(GET, "/3", accept=40).payload.startswith(b"</3>,</3/0>")
    assert server11.dm(GET, "/3", accept=40).payload.startswith(b"</3>;ver=1.2,</3/0>")


def test_lwm2m_1_1_int_205_plain_text_writes() -> None:
    client, (server,) = registered()
    for path, text, value in (("/1/0/2", b"101", 101), ("/1/0/3", b"1010", 1010),
                              ("/1/0/5", b"2000", 2000)):
        assert server.dm(PUT, path, payload=text, content_format=TEXT).code == CHANGED
        assert client.get_value(path) == value
        assert server.dm(GET, path, accept=TEXT).payload == text


def test_lwm2m_1_1_int_215_tlv_partial_update_and_replace() -> None:
    client, (server,) = registered()
    initial = server.dm(GET, "/1/0", accept=TLV)
    records = [((1, 0, 2), 101), ((1, 0, 3), 1010), ((1, 0, 5), 2000), ((1, 0, 6), True),
               ((1, 0, 7), "UQ")]
    payload = formats.encode(TLV, records, (1, 0))
    assert server.dm(POST, "/1/0", payload=payload, content_format=TLV).code == CHANGED
    assert client.get_value("/1/0/6") is True and client.get_value("/1/0/1") == 300
    (update,) = drain(client)  # the binding changed: an Update with b
    assert update.kind == "update" and update.query == ("b=U",)
    server.answer(update, 10)
    # The saved values a server may write (the Short Server ID is read-only).
    saved = [r for r in formats.decode(TLV, initial.payload, (1, 0), _type_of) if r[0][2] != 0]
    response = server.dm(PUT, "/1/0", payload=formats.encode(TLV, saved, (1, 0)),
                         content_format=TLV)
    assert response.code == CHANGED
    assert client.get_value("/1/0/7") == "U"
    # Replace removed the optional resources the saved instance did not have.
    assert server.dm(GET, "/1/0/2").code == NOT_FOUND


def test_lwm2m_1_1_int_221_security_object_out_of_reach() -> None:
    client, (server,) = registered()
    assert server.dm(GET, "/0/0").code == UNAUTHORIZED
    assert server.dm(GET, "/0").code == UNAUTHORIZED
    response = server.dm(PUT, "/0/0/0", payload=b"coap://evil", content_format=TEXT)
    assert response.code == UNAUTHORIZED
    assert server.dm(PUT, "/0", query=("pmin=10",)).code == UNAUTHORIZED
    assert server.dm(GET, "/0", accept=40).code == UNAUTHORIZED
    assert server.dm(DELETE, "/0/0").code == UNAUTHORIZED
    assert client.get_value("/0/0/0") == "coap://127.0.0.1:5683"
    # Composite reads skip it silently.
    body = formats.encode(SENML_JSON, [((0, 0, 0), None), ((3, 0, 0), None)], None)
    response = server.dm(FETCH, "/", payload=body, content_format=SENML_JSON)
    assert response.code == CONTENT
    assert list(_records(response, None)) == [(3, 0, 0)]


def test_lwm2m_1_1_int_222_read_on_object() -> None:
    _client, (server,) = registered()
    response = server.dm(GET, "/1", accept=SENML_JSON)
    assert response.code == CONTENT
    values = _records(response, (1,))
    assert values[(1, 0, 0)] == 101 and values[(1, 0, 1)] == 300
    assert (3, 0, 0) in _records(server.dm(GET, "/3", accept=TLV), (3,))


def test_lwm2m_1_1_int_224_225_read_on_resource_and_resource_instance() -> None:
    _client, (server,) = registered()
    assert server.dm(GET, "/1/0/0").payload == b"101"
    assert server.dm(GET, "/1/0/6").payload == b"0"
    assert server.dm(GET, "/1/0/7").payload == b"U"
    response = server.dm(GET, "/3/0/11/0")
    assert response.code == CONTENT and response.content_format == TEXT and response.payload == b"0"
    assert server.dm(GET, "/3/0/11/7").code == NOT_FOUND
    # A whole multiple resource cannot go as plain text.
    assert server.dm(GET, "/3/0/11", accept=TEXT).code == NOT_ACCEPTABLE


def test_lwm2m_1_1_int_226_partial_update_keeps_the_rest() -> None:
    client, (server,) = registered()
    payload = formats.encode(SENML_CBOR, [((1, 0, 1), 60), ((1, 0, 6), True)], (1, 0))
    assert server.dm(POST, "/1/0", payload=payload, content_format=SENML_CBOR).code == CHANGED
    assert client.get_value("/1/0/1") == 60 and client.get_value("/1/0/7") == "U"
    (update,) = drain(client)
    assert update.query == ("lt=60",)


def test_lwm2m_1_1_int_227_write_replace_on_resource() -> None:
    client, (server,) = registered()
    assert server.dm(PUT, "/1/0/1", payload=b"63", content_format=TEXT).code == CHANGED
    (update,) = drain(client)
    assert update.query == ("lt=63",)


def test_lwm2m_1_1_int_229_280_read_composite() -> None:
    _client, (server,) = registered()
    for cf in (SENML_JSON, SENML_CBOR):
        body = formats.encode(cf, [((3, 0, 16), None), ((3, 0, 11, 0), None), ((1, 0), None)],
                              None)
        response = server.dm(FETCH, "/", payload=body, content_format=cf)
        assert response.code == CONTENT and response.content_format == cf
        values = _records(response, None)
        assert values[(3, 0, 16)] == "U" and values[(3, 0, 11, 0)] == 0
        assert values[(1, 0, 1)] == 300 and (3, 0, 0) not in values


def test_lwm2m_1_1_int_235_read_composite_on_root() -> None:
    _client, (server,) = registered()
    body = formats.encode(SENML_JSON, [((3,), None)], None)
    response = server.dm(FETCH, "/", payload=body, content_format=SENML_JSON, accept=SENML_CBOR)
    assert response.content_format == SENML_CBOR
    assert (3, 0, 0) in _records(response, None)


def test_lwm2m_1_1_int_236_281_read_composite_partial_presence() -> None:
    _client, (server,) = registered()
    body = formats.encode(SENML_JSON, [((1, 0, 1), None), ((1, 0, 7), None), ((1, 0, 8), None),
                                       ((3, 5), None), ((4242,), None)], None)
    response = server.dm(FETCH, "/", payload=body, content_format=SENML_JSON)
    assert response.code == CONTENT
    assert sorted(_records(response, None)) == [(1, 0, 1), (1, 0, 7)]


def test_lwm2m_1_1_int_230_257_write_composite() -> None:
    client, (server,) = registered()
    client.device.time_source(lambda: 1700000000, lambda s: None)
    for cf in (SENML_JSON, SENML_CBOR):
        body = formats.encode(cf, [((1, 0, 2), 5), ((1, 0, 6), True), ((3, 0, 13), 1700000001)],
                              None)
        assert server.dm(IPATCH, "/", payload=body, content_format=cf).code == CHANGED
        assert client.get_value("/1/0/2") == 5 and client.get_value("/1/0/6") is True
    # All or nothing: a read-only resource in the batch refuses the whole write.
    body = formats.encode(SENML_JSON, [((1, 0, 2), 9), ((1, 0, 0), 7)], None)
    response = server.dm(IPATCH, "/", payload=body, content_format=SENML_JSON)
    assert response.code == METHOD_NOT_ALLOWED
    assert client.get_value("/1/0/2") == 5
    body = formats.encode(SENML_JSON, [((1, 0, 2), 9), ((1, 7, 2), 7)], None)
    assert server.dm(IPATCH, "/", payload=body, content_format=SENML_JSON).code == NOT_FOUND
    assert client.get_value("/1/0/2") == 5
    assert server.dm(IPATCH, "/", payload=b"{", content_format=TLV).code == UNSUPPORTED


def test_lwm2m_1_1_int_231_232_senml_reads() -> None:
    _client, (server,) = registered()
    for cf in (SENML_JSON, SENML_CBOR):
        assert (1, 0, 0) in _records(server.dm(GET, "/1", accept=cf), (1,))
        assert (3, 0, 0) in _records(server.dm(GET, "/3/0", accept=cf), (3, 0))
        assert _records(server.dm(GET, "/3/0/16", accept=cf), (3, 0, 16)) == {(3, 0, 16): "U"}
        assert _records(server.dm(GET, "/3/0/11/0", accept=cf), (3, 0, 11, 0)) == {
            (3, 0, 11, 0): 0}


def test_lwm2m_1_1_int_233_234_senml_writes() -> None:
    client, (server,) = registered()
    for cf, value in ((SENML_CBOR, 11), (SENML_JSON, 12)):
        payload = formats.encode(cf, [((1, 0, 2), value)], (1, 0))
        assert server.dm(POST, "/1/0", payload=payload, content_format=cf).code == CHANGED
        assert client.get_value("/1/0/2") == value


def test_lwm2m_1_1_int_237_default_formats_per_version() -> None:
    _client, (server,) = registered()
    assert server.dm(GET, "/1").content_format == SENML_CBOR
    assert server.dm(GET, "/3/0/0").content_format == TEXT
    _client10, (server10,) = registered(version="1.0")
    assert server10.dm(GET, "/1").content_format == TLV
    assert server10.dm(GET, "/3/0/0").content_format == TEXT


def test_lwm2m_1_1_int_241_reboot_execute() -> None:
    client, (server,) = registered()
    assert server.dm(POST, "/3/0/4").code == CHANGED
    assert "RebootRequested" in names(events(client))


def test_lwm2m_1_1_int_256_write_on_read_only_resource() -> None:
    client, (server,) = registered()
    assert server.dm(PUT, "/1/0/0", payload=b"7", content_format=TEXT).code == METHOD_NOT_ALLOWED
    assert client.get_value("/1/0/0") == 101


def test_lwm2m_1_1_int_260_discover() -> None:
    client, (server,) = registered()
    response = server.dm(GET, "/3", accept=40)
    assert response.code == CONTENT and response.content_format == 40
    links = link.parse(response.payload)
    uris = [lk.uri for lk in links]
    assert uris[:2] == ["/3", "/3/0"] and "/3/0/0" in uris and "/3/0/4" in uris
    assert dict(links[0].attrs)["ver"] == "1.2"
    assert ("dim", 1) in {lk.uri: lk for lk in links}["/3/0/11"].attrs
    assert server.dm(PUT, "/3/0/9", query=("pmin=10", "pmax=60", "lt=10", "gt=50", "st=5")).code \
        == NOT_FOUND  # no battery callback yet: the resource is absent
    client.device.battery(lambda: 80)
    assert server.dm(PUT, "/3/0/9", query=("pmin=10", "pmax=60", "lt=10", "gt=50")).code == CHANGED
    text = server.dm(GET, "/3/0/9", accept=40).payload
    assert text == b"</3/0/9>;pmin=10;pmax=60;gt=50;lt=10"
    assert b"</3/0/9>;pmin=10;pmax=60;gt=50;lt=10" in server.dm(GET, "/3/0", accept=40).payload


def test_lwm2m_1_1_int_261_attributes_on_a_multiple_resource() -> None:
    _client, (server,) = registered()
    assert server.dm(GET, "/3/0/11", accept=40).payload == b"</3/0/11>;dim=1,</3/0/11/0>"
    assert server.dm(PUT, "/3", query=("pmin=10",)).code == CHANGED
    assert server.dm(PUT, "/3/0", query=("pmax=320",)).code == CHANGED
    assert server.dm(PUT, "/3/0/11/0", query=("pmax=100", "epmin=1", "epmax=20")).code == CHANGED
    assert server.dm(GET, "/3/0/11", accept=40).payload == (
        b"</3/0/11>;dim=1;pmin=10;pmax=320,</3/0/11/0>;pmax=100;epmin=1;epmax=20")


def test_lwm2m_1_0_int_270_create_on_a_single_instance_object() -> None:
    _client, (server,) = registered()
    payload = formats.encode(TLV, [((3, 1, 0), "x")], (3,))
    assert server.dm(POST, "/3", payload=payload, content_format=TLV).code == METHOD_NOT_ALLOWED


def test_create_and_delete_instances() -> None:
    client, (server,) = registered()
    payload = formats.encode(SENML_JSON, [((19, 3, 0, 0), b"\x01\x02")], (19,))
    response = server.dm(POST, "/19", payload=payload, content_format=SENML_JSON)
    assert response.code == CREATED and response.location == ("19", "3")
    assert client.get_value("/19/3/0/0") == b"\x01\x02"
    (update,) = drain(client)  # the object list changed
    assert b"</19/3>" in update.payload
    server.answer(update, 5)
    assert server.dm(DELETE, "/19/3").code == DELETED
    assert server.dm(GET, "/19/3").code == NOT_FOUND
    assert server.dm(DELETE, "/19/3").code == NOT_FOUND


def test_error_paths_answer_their_codes() -> None:
    client, (server,) = registered()
    cases = (
        (GET, "/4242", None, None, b"", NOT_FOUND),  # no such object
        (GET, "/3/1", None, None, b"", NOT_FOUND),  # no such instance
        (GET, "/3/0/99", None, None, b"", NOT_FOUND),  # no such resource
        (GET, "/3/0/9", None, None, b"", NOT_FOUND),  # defined but absent
        (GET, "/3/x", None, None, b"", NOT_FOUND),  # not an id path
        (GET, "/3/0/4", None, None, b"", METHOD_NOT_ALLOWED),  # read an executable
        (GET, "/", None, None, b"", METHOD_NOT_ALLOWED),  # read the root
        (GET, "/3/0/0", None, 4242, b"", NOT_ACCEPTABLE),  # unknown Accept
        (GET, "/3/0/0", None, OPAQUE, b"", NOT_ACCEPTABLE),  # opaque for a string
        (PUT, "/3/0/13", 4242, None, b"x", UNSUPPORTED),  # unknown Content-Format
        (PUT, "/1/0/1", None, None, b"60", BAD_REQUEST),  # payload without a format
        (PUT, "/1/0/1", TEXT, None, b"sixty", BAD_REQUEST),  # not an integer
        (PUT, "/1/0/1", TLV, None, b"\xff\xff", BAD_REQUEST),  # broken TLV
        (PUT, "/1", TEXT, None, b"1", METHOD_NOT_ALLOWED),  # write on an object
        (PUT, "/1/0/8", TEXT, None, b"1", METHOD_NOT_ALLOWED),  # write an executable
        (PUT, "/3/0", None, None, b"", BAD_REQUEST),  # Write-Attributes, nothing valid
        (PUT, "/3/0/99", None, None, b"", NOT_FOUND),  # attributes on nothing
        (POST, "/3/0/0", None, None, b"", METHOD_NOT_ALLOWED),  # execute a readable
        (POST, "/3/0/4", None, None, b"0=x", BAD_REQUEST),  # bad execute arguments
        (POST, "/3/0/11/0", TEXT, None, b"1", METHOD_NOT_ALLOWED),  # POST on an instance
        (POST, "/", None, None, b"", METHOD_NOT_ALLOWED),
        (DELETE, "/3/0", None, None, b"", METHOD_NOT_ALLOWED),  # single-instance object
        (DELETE, "/1/0/1", None, None, b"", METHOD_NOT_ALLOWED),  # delete a resource
        (DELETE, "/3", None, None, b"", METHOD_NOT_ALLOWED),  # delete an object
        (FETCH, "/", None, None, b"[]", BAD_REQUEST),  # composite without a format
        (FETCH, "/", SENML_JSON, None, b"{", BAD_REQUEST),  # broken SenML
        (FETCH, "/", TLV, None, b"", UNSUPPORTED),
        (IPATCH, "/", SENML_JSON, None, b'[{"n":"/1/0","v":1}]', BAD_REQUEST),
        (6, "/3/0", None, None, b"", METHOD_NOT_ALLOWED),  # PATCH is not LwM2M
    )
    for method, path, cf, accept, payload, code in cases:
        response = server.dm(method, path, payload=payload, content_format=cf, accept=accept)
        assert response.code == code, (method, path, response)
    assert client.get_value("/1/0/1") == 300  # nothing was changed by any of them
    assert server.dm(PUT, "/3/0/1", query=("pmin=-1",)).code == BAD_REQUEST


def test_an_application_callback_that_breaks_answers_5_00() -> None:
    client, (server,) = registered()

    def broken() -> int:
        raise RuntimeError("sensor unplugged")

    client.device.battery(broken)
    response = server.dm(GET, "/3/0/9")
    assert response.code == INTERNAL and "sensor unplugged" in response.reason
    client.device.battery(lambda: 250)  # out of its 0..100 range
    assert server.dm(GET, "/3/0/9").code == INTERNAL


def test_unknown_server_and_bootstrap_outside_bootstrap() -> None:
    client, (_server,) = registered()
    request = DmRequest(GET, ("3", "0"))
    assert client.handle_request(999, request, 0).code == UNAUTHORIZED
    assert client.handle_request(CALLER_BOOTSTRAP, DmRequest(GET, ("0", "0")), 0).code \
        == UNAUTHORIZED
    client.bootstrapping = True
    # Core §6.1.7.2 (1.1): Bootstrap-Read reaches the Server and Access Control objects.
    response = client.handle_request(CALLER_BOOTSTRAP, DmRequest(GET, ("1", "0")), 0)
    assert response.code == CONTENT


def _two_servers() -> "tuple[Client, Server, Server]":
    client, (first, second) = registered((101, 102))
    acl = client.objects[2]
    # /3/0: 101 reads, writes and executes; 102 reads only; 101 owns it.
    acl.add_instance(0, {0: 3, 1: 0, 2: {101: access.READ | access.WRITE | access.EXECUTE,
                                         102: access.READ}, 3: 101})
    # /1/0 and /1/1: each server its own instance.
    acl.add_instance(1, {0: 1, 1: 0, 2: {101: access.READ | access.WRITE | access.EXECUTE},
                         3: 101})
    acl.add_instance(2, {0: 1, 1: 1, 2: {102: access.READ | access.WRITE | access.EXECUTE},
                         3: 102})
    # Creating BinaryAppDataContainer instances: 102 only.
    acl.add_instance(3, {0: 19, 1: 65535, 2: {102: access.CREATE}, 3: 102})
    drain(client)
    events(client)
    return client, first, second


def test_two_servers_with_different_access_rights() -> None:
    client, first, second = _two_servers()
    assert second.dm(GET, "/3/0/0").code == CONTENT
    time = (lambda: 1700000000, lambda s: None)
    client.device.time_source(*time)
    assert second.dm(PUT, "/3/0/13", payload=b"5", content_format=TEXT).code \
        == UNAUTHORIZED
    assert first.dm(PUT, "/3/0/13", payload=b"5", content_format=TEXT).code \
        == CHANGED
    assert second.dm(POST, "/3/0/4").code == UNAUTHORIZED
    assert second.dm(PUT, "/3/0", query=("pmin=5",)).code == CHANGED
    # An instance without an ACL instance is out of reach of both.
    assert first.dm(GET, "/19/0").code == UNAUTHORIZED
    assert second.dm(GET, "/7/0").code == UNAUTHORIZED
    # An object Read answers the instances the server may read.
    values = _records(first.dm(GET, "/1", accept=SENML_JSON), (1,))
    assert (1, 0, 0) in values and (1, 1, 0) not in values
    links = first.dm(GET, "/1", accept=40).payload
    assert b"</1/0>" in links and b"</1/1>" not in links


def test_two_servers_create_rights_and_the_new_acl_instance() -> None:
    client, first, second = _two_servers()
    payload = formats.encode(SENML_JSON, [((19, 5, 0, 0), b"up")], (19,))
    assert first.dm(POST, "/19", payload=payload, content_format=SENML_JSON).code \
        == UNAUTHORIZED
    response = second.dm(POST, "/19", payload=payload,
                         content_format=SENML_JSON)
    assert response.code == CREATED
    # Core §7.3.1.2.2: an ACL instance owned by the creator with every right.
    entries = [e for e in client.dm.acl_entries() if (e.oid, e.iid) == (19, 5)]
    assert len(entries) == 1 and entries[0].owner == 102
    assert first.dm(GET, "/19/5").code == UNAUTHORIZED
    assert second.dm(GET, "/19/5").code == CONTENT
    assert first.dm(DELETE, "/19/5").code == UNAUTHORIZED
    assert second.dm(DELETE, "/19/5").code == DELETED
    assert [e for e in client.dm.acl_entries() if (e.oid, e.iid) == (19, 5)] == []
    # ACL instances: the owner may write, others read.
    assert second.dm(GET, "/2/0").code == CONTENT
    body = formats.encode(TLV, [((2, 0, 3), 102)], (2, 0))
    assert second.dm(POST, "/2/0", payload=body, content_format=TLV).code \
        == UNAUTHORIZED


def test_one_server_has_every_right() -> None:
    client, (server,) = registered()
    assert server.dm(GET, "/7/0").code == CONTENT
    payload = formats.encode(SENML_JSON, [((19, 5, 0, 0), b"up")], (19,))
    assert server.dm(POST, "/19", payload=payload, content_format=SENML_JSON).code == CREATED
    assert client.objects[2].instance_ids() == []  # no ACL instance with one server
    assert client.state == ev.STATE_READY
