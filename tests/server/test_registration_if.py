"""ETS registration cases (LightweightM2M-1.1-int-101..109) from the client side.

Each test sends the exact requests the ETS describes (../shared/vectors/ets_cases.md)
as raw CoAP datagrams and checks every message the server sends back.
"""

from coap import codes, types
from lwm2m.server import events as ev
from tests.server.wire import Device, Net


def test_int_101_initial_registration() -> None:
    net = Net()
    dev = Device(net, 40001)
    reply = dev.request(codes.POST, "/rd",
                        ("ep=urn:imei:490154203237518", "lt=300", "lwm2m=1.1", "b=U"),
                        b'</>;rt="oma.lwm2m";ct=110,</1>;ver=1.1,</1/0>,</3/0>,</5>', 40)
    assert reply.type == types.ACK and reply.code == codes.CREATED
    assert reply.payload == b""
    loc = reply.location_path
    assert loc[0] == "rd" and len(loc) == 2 and loc[1]
    [event] = net.events()
    assert isinstance(event, ev.ClientRegistered) and event.replaced is None
    reg = event.registration
    assert reg.endpoint == "urn:imei:490154203237518"
    assert (reg.lifetime_s, reg.version, reg.binding, reg.queue) == (300, "1.1", "U", False)
    assert reg.object_paths() == [(1,), (1, 0), (3, 0), (5,)]
    assert reg.address == dev.addr
    assert net.server.registration("urn:imei:490154203237518") is reg


def test_alternate_root_path_prefixes_requests() -> None:
    net = Net()
    dev = Device(net, 40002)
    dev.register("alt", payload=b'</lwm2m>;rt="oma.lwm2m",</lwm2m/1/0>,</lwm2m/3/0>')
    reg = net.server.registration("alt")
    assert reg is not None and reg.root == "/lwm2m"
    assert reg.object_paths() == [(1, 0), (3, 0)]
    net.events()
    net.server.read("alt", "/3/0/0")
    req = dev.next_request()
    assert req.uri_path == ("lwm2m", "3", "0", "0")


def test_int_102_registration_update() -> None:
    net = Net()
    dev = Device(net, 40003)
    location = dev.register("ep102", lt=300)
    net.events()
    net.step(200_000)
    reply = dev.request(codes.POST, location, ("lt=120",))
    assert reply.code == codes.CHANGED and reply.payload == b""
    [event] = net.events()
    assert isinstance(event, ev.ClientUpdated) and not event.objects_changed
    assert event.registration.lifetime_s == 120
    # the lifetime restarts at the Update: still there after the old deadline
    net.step(110_000)
    assert net.server.registration("ep102") is not None
    reply = dev.request(codes.POST, location, (), b"</1/0>,</3/0>,</4/0>", 40)
    assert reply.code == codes.CHANGED
    [event] = net.events()
    assert event.objects_changed and (4, 0) in event.registration.object_paths()


def test_int_103_deregistration() -> None:
    net = Net()
    dev = Device(net, 40004)
    location = dev.register("ep103")
    net.events()
    reply = dev.request(codes.DELETE, location)
    assert reply.code == codes.DELETED
    [event] = net.events()
    assert isinstance(event, ev.ClientDeregistered)
    assert net.server.registration("ep103") is None
    # a second DELETE (a retransmission with a new mid) finds nothing
    assert dev.request(codes.DELETE, location).code == codes.NOT_FOUND


def test_int_104_parameterless_update() -> None:
    net = Net()
    dev = Device(net, 40005)
    location = dev.register("ep104", lt=60)
    net.events()
    net.step(50_000)
    assert dev.request(codes.POST, location).code == codes.CHANGED
    net.step(50_000)
    assert net.server.registration("ep104") is not None


def test_int_105_update_of_a_dropped_registration_gets_4_04() -> None:
    net = Net()
    dev = Device(net, 40006)
    location = dev.register("ep105", lt=30)
    net.step(31_000)
    events = net.events()
    assert isinstance(events[-1], ev.RegistrationExpired)
    reply = dev.request(codes.POST, location)
    assert reply.code == codes.NOT_FOUND
    # ... and the full Register works again (int-101)
    dev.register("ep105", lt=30)


def test_int_107_expiry_exact_deadline() -> None:
    net = Net()
    dev = Device(net, 40007)
    dev.register("ep107", lt=120)
    net.events()
    assert net.server.get_timer() == 120_000
    net.step(119_999)
    assert net.server.registration("ep107") is not None
    net.step(1)
    [event] = net.events()
    assert isinstance(event, ev.RegistrationExpired)
    assert event.registration.endpoint == "ep107"
    assert net.server.registration("ep107") is None


def test_int_108_queue_mode_registration() -> None:
    net = Net()
    dev = Device(net, 40008)
    dev.register("q11", extra=("lwm2m=1.1", "b=U", "Q"))
    dev2 = Device(net, 40009)
    dev2.register("q10", extra=("lwm2m=1.0", "b=UQ"))
    regs = [e.registration for e in net.events()]
    assert [r.queue for r in regs] == [True, True]


def test_int_109_requests_wait_for_a_sleeping_client_and_go_in_order() -> None:
    net = Net(awake_ms=10_000)
    dev = Device(net, 40010)
    location = dev.register("sleepy", lt=600, extra=("lwm2m=1.1", "Q"))
    net.events()
    net.step(10_000)  # the client's awake window closed
    first = net.server.read("sleepy", "/3/0/0")
    second = net.server.write("sleepy", "/1/0/1", 120)
    net.step(1000)
    assert dev.received() == []  # held, not sent
    assert net.server.pending("sleepy") == 2
    # the client wakes up with an Update: the held requests go out, one at a time, in order
    assert dev.request(codes.POST, location).code == codes.CHANGED
    req = dev.next_request()
    assert req.code == codes.GET and req.uri_path == ("3", "0", "0")
    dev.answer(req, codes.CONTENT, b"Open Mobile Alliance", 0)
    req = dev.next_request()
    assert req.code == codes.PUT and req.uri_path == ("1", "0", "1")
    assert req.payload == b"120" and req.content_format == 0
    dev.answer(req, codes.CHANGED)
    events = [e for e in net.events() if isinstance(e, ev.ResponseReceived)]
    assert [e.operation for e in events] == [first, second]
    assert events[0].records == [((3, 0, 0), "Open Mobile Alliance")]
    assert first.done and second.done and second.response.code == codes.CHANGED


def test_second_register_replaces_the_first_and_fails_its_requests() -> None:
    net = Net()
    dev = Device(net, 40011)
    old = dev.register("twice")
    net.events()
    pending = net.server.read("twice", "/3/0")
    dev.next_request()  # sent, never answered
    new = dev.register("twice")
    assert new != old
    events = net.events()
    failed = [e for e in events if isinstance(e, ev.RequestFailed)]
    assert failed and failed[0].operation is pending and failed[0].reason == "gone"
    registered = [e for e in events if isinstance(e, ev.ClientRegistered)]
    assert registered[0].replaced is not None
    assert registered[0].replaced.path == old
    assert dev.request(codes.POST, old).code == codes.NOT_FOUND
    assert dev.request(codes.POST, new).code == codes.CHANGED


def test_queue_mode_client_that_sends_data_is_awake() -> None:
    net = Net(awake_ms=5_000)
    dev = Device(net, 40012)
    dev.register("sender", lt=600, extra=("lwm2m=1.1", "Q"))
    net.step(6_000)
    net.server.read("sender", "/3/0/0")
    net.flush()
    assert dev.received() == []
    payload = b'[{"n":"/3/0/9","v":80}]'
    assert dev.request(codes.POST, "/dp", (), payload, 110).code == codes.CHANGED
    req = dev.next_request()
    assert req.uri_path == ("3", "0", "0")
