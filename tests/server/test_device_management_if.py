"""ETS device-management and reporting cases (2xx, 3xx) from the client side: the server
sends each request, the test checks it byte-level (method, Uri-Path, options, payload)
and answers as a client would; the response must surface to the caller unchanged."""

from coap import codes, types
from coap.message import Message
from lwm2m import formats
from lwm2m.server import events as ev
from lwm2m.server.commands import ServerError
from tests.server.wire import Device, Net
from tests.support import raises


def registered(name: str = "dev", version: str = "1.1") -> "tuple[Net, Device]":
    net = Net()
    dev = Device(net, 41000)
    dev.register(name, extra=("lwm2m=" + version, "b=U"))
    net.events()
    return net, dev


def responses(net: Net) -> "list[ev.ResponseReceived]":
    return [e for e in net.events() if isinstance(e, ev.ResponseReceived)]


def test_int_201_read_plain_text() -> None:
    net, dev = registered()
    for rid, text in ((0, b"Open Mobile Alliance"), (1, b"Lightweight M2M Client"),
                      (2, b"345000123")):
        operation = net.server.read("dev", "/3/0/%d" % rid, accept=formats.TEXT)
        req = dev.next_request()
        assert req.code == codes.GET
        assert req.uri_path == ("3", "0", str(rid))
        assert req.accept == 0 and req.payload == b""
        dev.answer(req, codes.CONTENT, text, 0)
        [resp] = responses(net)
        assert resp.operation is operation and resp.code == codes.CONTENT
        assert resp.content_format == 0 and resp.payload == text
        assert resp.records == [((3, 0, rid), text.decode())]


def test_int_203_read_tlv_instance() -> None:
    net, dev = registered("dev", "1.0")
    net.server.read("dev", "/3/0", accept=formats.TLV)
    req = dev.next_request()
    assert req.uri_path == ("3", "0") and req.accept == 11542
    payload = formats.encode(formats.TLV, [((3, 0, 0), "Open Mobile Alliance"),
                                           ((3, 0, 16), "U")], (3, 0))
    dev.answer(req, codes.CONTENT, payload, 11542)
    [resp] = responses(net)
    assert resp.records == [((3, 0, 0), "Open Mobile Alliance"), ((3, 0, 16), "U")]


def test_int_205_write_plain_text_and_every_code_surfaces() -> None:
    net, dev = registered()
    operation = net.server.write("dev", "/1/0/2", 101)
    req = dev.next_request()
    assert req.code == codes.PUT and req.uri_path == ("1", "0", "2")
    assert req.content_format == 0 and req.payload == b"101"
    dev.answer(req, codes.CHANGED)
    assert operation.response.code == codes.CHANGED
    # ETS 1.1-int-256: a write on a read-only resource is refused: the 4.05 surfaces
    net.server.write("dev", "/1/0/0", 5)
    dev.answer(dev.next_request(), codes.METHOD_NOT_ALLOWED)
    [resp] = responses(net)[-1:]
    assert resp.code == codes.METHOD_NOT_ALLOWED and not resp.success


def test_int_215_partial_update_tlv_then_replace() -> None:
    net, dev = registered("dev", "1.0")
    net.server.write("dev", "/1/0", {2: 101, 3: 1010, 5: 2000, 6: True, 7: "UQ"}, replace=False)
    req = dev.next_request()
    assert req.code == codes.POST and req.uri_path == ("1", "0")
    assert req.content_format == 11542
    assert formats.decode(formats.TLV, req.payload, (1, 0), net.server.type_of) == [
        ((1, 0, 2), 101), ((1, 0, 3), 1010), ((1, 0, 5), 2000), ((1, 0, 6), True),
        ((1, 0, 7), "UQ")]
    dev.answer(req, codes.CHANGED)
    net.server.write("dev", "/1/0", {0: 1, 1: 86400, 6: False, 7: "U"})
    req = dev.next_request()
    assert req.code == codes.PUT and req.uri_path == ("1", "0")


def test_int_226_partial_update_senml_for_1_1() -> None:
    net, dev = registered()
    net.server.write("dev", "/1/0", {1: 60, 6: True}, replace=False)
    req = dev.next_request()
    assert req.code == codes.POST and req.content_format == formats.SENML_CBOR
    assert formats.decode(formats.SENML_CBOR, req.payload, (1, 0)) == [
        ((1, 0, 1), 60), ((1, 0, 6), True)]


def test_int_231_read_senml_json_object() -> None:
    net, dev = registered()
    net.server.read("dev", "/1", accept=formats.SENML_JSON)
    req = dev.next_request()
    assert req.uri_path == ("1",) and req.accept == 110
    dev.answer(req, codes.CONTENT, b'[{"bn":"/1/0/","n":"0","v":1},{"n":"1","v":86400}]', 110)
    [resp] = responses(net)
    assert resp.records == [((1, 0, 0), 1), ((1, 0, 1), 86400)]


def test_undecodable_payload_still_surfaces() -> None:
    net, dev = registered()
    net.server.read("dev", "/3/0", accept=formats.TLV)
    dev.answer(dev.next_request(), codes.CONTENT, b"\xff\xff", 11542)
    [resp] = responses(net)
    assert resp.records is None and resp.decode_error and resp.payload == b"\xff\xff"


def test_int_241_execute_with_and_without_arguments() -> None:
    net, dev = registered()
    net.server.execute("dev", "/3/0/4")
    req = dev.next_request()
    assert req.code == codes.POST and req.uri_path == ("3", "0", "4") and req.payload == b""
    assert req.content_format is None
    dev.answer(req, codes.CHANGED)
    net.server.execute("dev", "/5/0/2", "0='fw',1")
    req = dev.next_request()
    assert req.payload == b"0='fw',1" and req.content_format == 0
    raises(ServerError, net.server.execute, "dev", "/3/0")


def test_int_260_discover_and_261_write_attributes() -> None:
    net, dev = registered()
    net.server.write_attributes("dev", "/3/0/11/0", {"pmax": 100, "epmin": 1, "epmax": 20})
    req = dev.next_request()
    assert req.code == codes.PUT and req.uri_path == ("3", "0", "11", "0")
    assert req.uri_query == ("pmax=100", "epmin=1", "epmax=20") and req.payload == b""
    dev.answer(req, codes.CHANGED)
    net.server.write_attributes("dev", "/3/0/7", {"gt": 2.5, "lt": None})
    req = dev.next_request()
    assert req.uri_query == ("gt=2.5", "lt")
    dev.answer(req, codes.CHANGED)
    net.events()
    net.server.discover("dev", "/3/0/11")
    req = dev.next_request()
    assert req.code == codes.GET and req.accept == 40
    dev.answer(req, codes.CONTENT,
               b"</3/0/11>;dim=1;pmin=10;pmax=320,</3/0/11/0>;pmax=100;epmin=1;epmax=20", 40)
    [resp] = responses(net)
    links = resp.records
    assert links is not None
    assert [link.uri for link in links] == ["/3/0/11", "/3/0/11/0"]
    assert links[0].get("dim") == 1 and links[1].get("epmax") == 20


def test_create_and_delete_instances() -> None:
    net, dev = registered()
    net.server.create("dev", "/16", {0: "sw"})
    req = dev.next_request()
    assert req.code == codes.POST and req.uri_path == ("16",)
    assert req.content_format == 11542
    assert formats.decode(formats.TLV, req.payload, (16, 0)) == [((16, 0, 0), b"sw")]
    created = dev.next_request
    dev.answer(req, codes.CREATED)
    net.server.create("dev", "/16/1", {0: "sw"})
    req = created()
    assert req.uri_path == ("16",) and req.content_format == formats.SENML_CBOR
    assert formats.decode(formats.SENML_CBOR, req.payload, None) == [((16, 1, 0), "sw")]
    dev.answer(req, codes.CREATED)
    # ETS int-680: Create on the single-instance Device object is refused, and we see it
    net.server.create("dev", "/3", {0: "x"})
    dev.answer(dev.next_request(), codes.METHOD_NOT_ALLOWED)
    net.server.delete("dev", "/16/1")
    req = dev.next_request()
    assert req.code == codes.DELETE and req.uri_path == ("16", "1")
    dev.answer(req, codes.DELETED)
    codes_seen = [r.code for r in responses(net)]
    assert codes_seen == [codes.CREATED, codes.CREATED, codes.METHOD_NOT_ALLOWED, codes.DELETED]


def test_int_229_read_composite_and_230_write_composite() -> None:
    net, dev = registered()
    net.server.read_composite("dev", ["/3/0/16", "/3/0/11/0", "/1/0"], fmt=formats.SENML_JSON)
    req = dev.next_request()
    assert req.code == codes.FETCH and req.uri_path == ()
    assert req.content_format == 110 and req.accept == 110
    assert req.payload == b'[{"n":"/3/0/16"},{"n":"/3/0/11/0"},{"n":"/1/0"}]'
    dev.answer(req, codes.CONTENT,
               b'[{"n":"/3/0/16","vs":"U"},{"n":"/3/0/11/0","v":0},{"n":"/1/0/1","v":60}]',
               110)
    [resp] = responses(net)
    assert resp.records == [((3, 0, 16), "U"), ((3, 0, 11, 0), 0), ((1, 0, 1), 60)]
    net.server.write_composite("dev", [("/1/0/1", 120), ("/1/0/6", False)])
    req = dev.next_request()
    assert req.code == codes.IPATCH and req.uri_path == () and req.content_format == 112
    assert formats.decode(112, req.payload, None) == [((1, 0, 1), 120), ((1, 0, 6), False)]


def test_int_301_observe_notifications_and_303_active_cancel() -> None:
    net, dev = registered()
    obs = net.server.observe("dev", "/3/0/7", accept=formats.TEXT)
    req = dev.next_request()
    assert req.code == codes.GET and req.observe == 0 and req.uri_path == ("3", "0", "7")
    dev.answer(req, codes.CONTENT, b"3800", 0, observe=1)
    [resp] = responses(net)
    assert resp.operation is obs and obs.active and resp.records == [((3, 0, 7), 3800)]
    ack = dev.notify(req.token, 2, b"3900", 0)
    assert ack.type == 2 and ack.code == codes.EMPTY
    [note] = net.events()
    assert isinstance(note, ev.NotificationReceived) and note.operation is obs
    assert note.records == [((3, 0, 7), 3900)] and note.observe == 2
    net.server.cancel_observe(obs)
    cancel = dev.next_request()
    assert cancel.code == codes.GET and cancel.observe == 1 and cancel.token == req.token
    dev.answer(cancel, codes.CONTENT, b"3900", 0)
    ended = [e for e in net.events() if isinstance(e, ev.ObservationEnded)]
    assert ended and ended[0].operation is obs and not obs.active


def test_int_302_passive_cancel_answers_the_next_notification_with_rst() -> None:
    net, dev = registered()
    obs = net.server.observe("dev", "/3/0/13")
    req = dev.next_request()
    dev.answer(req, codes.CONTENT, b"1", 0, observe=1)
    net.events()
    net.server.cancel_observe(obs, active=False)
    assert isinstance(net.events()[0], ev.ObservationEnded)
    reply = dev.notify(req.token, 2, b"2", 0)
    # RFC 7641 §3.6: the forgotten observation's notification is rejected with RST.
    assert reply.type == 3 and reply.code == codes.EMPTY
    assert net.events() == []


def test_int_304_observe_composite() -> None:
    net, dev = registered()
    obs = net.server.observe_composite("dev", ["/1/0/1", "/3/0/16"], fmt=formats.SENML_JSON)
    req = dev.next_request()
    assert req.code == codes.FETCH and req.observe == 0 and req.content_format == 110
    dev.answer(req, codes.CONTENT, b'[{"n":"/1/0/1","v":60},{"n":"/3/0/16","vs":"U"}]', 110,
               observe=5)
    assert obs.active
    dev.notify(req.token, 6, b'[{"n":"/1/0/1","v":61},{"n":"/3/0/16","vs":"U"}]', 110)
    note = next(e for e in net.events() if isinstance(e, ev.NotificationReceived))
    assert note.records == [((1, 0, 1), 61), ((3, 0, 16), "U")]


def test_int_306_send() -> None:
    net, dev = registered()
    payload = formats.encode(formats.SENML_CBOR, [((3, 0, 0), "OMA"), ((1, 0, 1), 60)], None)
    reply = dev.request(codes.POST, "/dp", (), payload, formats.SENML_CBOR)
    assert reply.code == codes.CHANGED
    [sent] = net.events()
    assert isinstance(sent, ev.DataSent) and sent.registration.endpoint == "dev"
    assert sent.records == [((3, 0, 0), "OMA"), ((1, 0, 1), 60)]
    # Send from an address that never registered, and a bad payload
    stranger = Device(net, 41999)
    assert stranger.request(codes.POST, "/dp", (), payload, 112).code == codes.NOT_FOUND
    assert dev.request(codes.POST, "/dp", (), b"\x99", 112).code == codes.BAD_REQUEST
    assert dev.request(codes.POST, "/dp", (), b"x", 0).code == codes.UNSUPPORTED_CONTENT_FORMAT


def test_a_client_that_never_answers_times_out_and_others_keep_working() -> None:
    net = Net()
    mute = Device(net, 42001)
    mute.register("mute")
    good = Device(net, 42002)
    good.register("good")
    net.events()
    lost = net.server.read("mute", "/3/0")
    mute.next_request()
    # RFC 7252 §4.8.2: 4 retransmissions, then MAX_TRANSMIT_WAIT (93 s) at most
    net.step(100_000)
    assert len(mute.received()) == 4
    failed = [e for e in net.events() if isinstance(e, ev.RequestFailed)]
    assert failed[0].operation is lost and failed[0].reason == "timeout"
    net.server.read("good", "/3/0/0")
    req = good.next_request()
    good.answer(req, codes.CONTENT, b"x", 0)
    assert responses(net)[0].payload == b"x"


def test_local_misuse_raises() -> None:
    net, _ = registered()
    raises(ServerError, net.server.read, "nobody", "/3/0")
    raises(ServerError, net.server.read, "dev", "3/0")
    raises(ServerError, net.server.read, "dev", "/")
    raises(ServerError, net.server.write, "dev", "/1", 5)
    raises(ServerError, net.server.create, "dev", "/1/0/1", {})
    raises(ServerError, net.server.read_composite, "dev", [])


def test_large_read_is_fetched_block_by_block() -> None:
    # RFC 7959 §2.4: the client answers with Block2; the server asks for the next blocks
    # and reports the whole body once (ETS firmware-sized payloads, int-770).
    net, dev = registered()
    body = bytes(range(256)) * 10  # 2560 bytes of opaque data
    operation = net.server.read("dev", "/5/0/0", accept=formats.OPAQUE)
    req = dev.next_request()
    for num in range(3):
        chunk = body[num * 1024:(num + 1) * 1024]
        resp = Message(types.ACK, codes.CONTENT, req.mid, req.token, payload=chunk)
        resp.content_format = formats.OPAQUE
        resp.block2 = (num, num < 2, 6)
        dev.send(resp)
        if num < 2:
            req = dev.next_request()
            assert req.block2 == (num + 1, False, 6) and req.uri_path == ("5", "0", "0")
    [answer] = responses(net)
    assert answer.operation is operation and answer.payload == body
    assert answer.records == [((5, 0, 0), body)]


def test_large_write_goes_block_by_block() -> None:
    net, dev = registered()
    body = b"\xa5" * 2500
    net.server.write("dev", "/5/0/0", body)
    received = b""
    for num in range(3):
        req = dev.next_request()
        assert req.code == codes.PUT and req.uri_path == ("5", "0", "0")
        assert req.content_format == formats.OPAQUE
        block = req.block1
        assert block is not None and block[0] == num and block[1] == (num < 2)
        received += req.payload
        resp = Message(types.ACK, codes.CONTINUE if num < 2 else codes.CHANGED, req.mid,
                       req.token)
        resp.block1 = (num, num < 2, block[2])
        dev.send(resp)
    assert received == body
    [answer] = responses(net)
    assert answer.code == codes.CHANGED


def test_int_305_cancel_observe_composite() -> None:
    net, dev = registered()
    obs = net.server.observe_composite("dev", ["/1/0/1", "/3/0/11/0"], fmt=formats.SENML_JSON)
    req = dev.next_request()
    dev.answer(req, codes.CONTENT, b'[{"n":"/1/0/1","v":60},{"n":"/3/0/11/0","v":0}]', 110,
               observe=1)
    net.server.cancel_observe(obs)
    cancel = dev.next_request()
    assert cancel.code == codes.FETCH and cancel.observe == 1
    assert cancel.token == req.token and cancel.payload == req.payload
    dev.answer(cancel, codes.CONTENT, b'[{"n":"/1/0/1","v":60},{"n":"/3/0/11/0","v":0}]', 110)
    ended = [e for e in net.events() if isinstance(e, ev.ObservationEnded)]
    assert ended and ended[0].operation is obs


def test_notification_that_ends_the_observation() -> None:
    # RFC 7641 §3.2: a notification with an error code ends the observation
    net, dev = registered()
    obs = net.server.observe("dev", "/3/0/13")
    req = dev.next_request()
    dev.answer(req, codes.CONTENT, b"1", 0, observe=1)
    net.events()
    dev.notify(req.token, 2, b"", 0, code=codes.NOT_FOUND)
    events = net.events()
    assert isinstance(events[0], ev.NotificationReceived) and events[0].code == codes.NOT_FOUND
    assert isinstance(events[1], ev.ObservationEnded) and not obs.active


def test_observations_end_with_their_registration() -> None:
    net, dev = registered()
    obs = net.server.observe("dev", "/3/0/13")
    req = dev.next_request()
    dev.answer(req, codes.CONTENT, b"1", 0, observe=1)
    net.events()
    assert dev.request(codes.DELETE, dev_location(net, "dev")).code == codes.DELETED
    ended = [e for e in net.events() if isinstance(e, ev.ObservationEnded)]
    assert ended and ended[0].operation is obs and ended[0].reason == "gone"
    dev.notify(req.token, 2, b"2", 0)  # a late notification is not reported
    assert [e for e in net.events() if isinstance(e, ev.NotificationReceived)] == []


def dev_location(net: Net, endpoint: str) -> str:
    reg = net.server.registration(endpoint)
    assert reg is not None
    return reg.path


def test_int_222_to_228_reads_and_writes_at_every_level() -> None:
    net, dev = registered("dev", "1.0")
    tlv = formats.TLV
    cases: "list[tuple[str, list[tuple[tuple[int, ...], object]]]]" = [
        ("/1", [((1, 0, 0), 1), ((1, 0, 1), 86400)]),               # int-222 object
        ("/3/0", [((3, 0, 0), "OMA"), ((3, 0, 11, 0), 0)]),        # int-223 instance
        ("/1/0/7", [((1, 0, 7), "U")]),                             # int-224 resource
        ("/3/0/11/0", [((3, 0, 11, 0), 0)]),                        # int-225 instance
    ]
    for path, records in cases:
        base = tuple(int(i) for i in path.strip("/").split("/"))
        net.server.read("dev", path, accept=tlv)
        req = dev.next_request()
        assert "/" + "/".join(req.uri_path) == path and req.accept == tlv
        dev.answer(req, codes.CONTENT, formats.encode(tlv, records, base), tlv)
        [resp] = responses(net)
        assert resp.records == records, path
    # int-237: no Accept; the client picks the format and the server decodes it
    net.server.read("dev", "/1/0/1")
    req = dev.next_request()
    assert req.accept is None
    dev.answer(req, codes.CONTENT, b"86400", 0)
    assert responses(net)[0].records == [((1, 0, 1), 86400)]
    # int-228: write one resource instance
    net.server.write("dev", "/16/0/0/0", "pkg")
    req = dev.next_request()
    assert req.code == codes.PUT and req.uri_path == ("16", "0", "0", "0")
    assert req.payload == b"pkg" and req.content_format == 0
