"""ETS bootstrap cases (LightweightM2M-1.1-int-0 / int-1) from the client side."""

from coap import codes
from lwm2m import formats
from lwm2m.server import events as ev
from lwm2m.server.bootstrap_script import load_script
from tests.server.wire import Device, Net

SCRIPT = {
    "boot1": {
        "discover": True,
        "delete": ["/0", "/1"],
        "write": {
            "/0/1": {"0": "coap://127.0.0.1:5683", "1": False, "2": 3, "10": 101},
            "/1/0": {"0": 101, "1": 300, "6": False, "7": "U"},
        },
    },
    "*": {"format": "senml-json", "steps": [{"op": "delete", "path": "/"}]},
}


def test_int_0_client_initiated_bootstrap() -> None:
    net = Net(bootstrap=load_script(SCRIPT))
    dev = Device(net, 43000)
    reply = dev.request(codes.POST, "/bs", ("ep=boot1",))
    assert reply.code == codes.CHANGED
    assert isinstance(net.events()[0], ev.BootstrapRequested)
    # Bootstrap-Discover on /
    req = dev.next_request()
    assert req.code == codes.GET and req.uri_path == () and req.accept == 40
    dev.answer(req, codes.CONTENT, b'</>;lwm2m=1.1,</0/0>,</1>,</3/0>', 40)
    # Bootstrap-Delete /0 then /1 (absent: 4.04 is fine)
    req = dev.next_request()
    assert req.code == codes.DELETE and req.uri_path == ("0",)
    dev.answer(req, codes.DELETED)
    req = dev.next_request()
    assert req.code == codes.DELETE and req.uri_path == ("1",)
    dev.answer(req, codes.NOT_FOUND)
    # Bootstrap-Write /0/1 and /1/0 in TLV
    req = dev.next_request()
    assert req.code == codes.PUT and req.uri_path == ("0", "1") and req.content_format == 11542
    assert formats.decode(formats.TLV, req.payload, (0, 1), net.server.type_of) == [
        ((0, 1, 0), "coap://127.0.0.1:5683"), ((0, 1, 1), False), ((0, 1, 2), 3),
        ((0, 1, 10), 101)]
    dev.answer(req, codes.CHANGED)
    req = dev.next_request()
    assert req.code == codes.PUT and req.uri_path == ("1", "0")
    dev.answer(req, codes.CHANGED)
    # Bootstrap-Finish
    req = dev.next_request()
    assert req.code == codes.POST and req.uri_path == ("bs",) and req.payload == b""
    dev.answer(req, codes.CHANGED)
    events = net.events()
    steps = [e for e in events if isinstance(e, ev.BootstrapStepDone)]
    assert [(s.step.op, s.step.path) for s in steps] == [
        ("discover", ()), ("delete", (0,)), ("delete", (1,)), ("write", (0, 1)),
        ("write", (1, 0))]
    assert isinstance(events[-1], ev.BootstrapCompleted) and events[-1].endpoint == "boot1"
    # int-0 ends with the client registering (int-101) at the server it was given
    dev.register("boot1")


def test_default_script_and_preferred_format() -> None:
    net = Net(bootstrap=load_script(SCRIPT))
    dev = Device(net, 43001)
    assert dev.request(codes.POST, "/bs", ("ep=other", "pct=112")).code == codes.CHANGED
    req = dev.next_request()
    assert req.code == codes.DELETE and req.uri_path == ()
    dev.answer(req, codes.DELETED)
    req = dev.next_request()
    assert req.uri_path == ("bs",)
    dev.answer(req, codes.CHANGED)
    assert isinstance(net.events()[-1], ev.BootstrapCompleted)


def test_failed_step_stops_the_script() -> None:
    net = Net(bootstrap=load_script(SCRIPT))
    dev = Device(net, 43002)
    dev.request(codes.POST, "/bs", ("ep=boot1",))
    dev.answer(dev.next_request(), codes.CONTENT, b"</0/0>", 40)
    dev.answer(dev.next_request(), codes.UNAUTHORIZED)
    events = net.events()
    assert isinstance(events[-1], ev.BootstrapFailed)
    assert events[-1].step.op == "delete" and "4.01" in events[-1].reason
    net.step(300_000)
    assert dev.received() == []  # nothing more was sent


def test_bootstrap_request_errors() -> None:
    net = Net(bootstrap=load_script({"only": {"delete": ["/"]}}))
    dev = Device(net, 43003)
    assert dev.request(codes.POST, "/bs", ()).code == codes.BAD_REQUEST
    assert dev.request(codes.POST, "/bs", ("ep=unknown",)).code == codes.BAD_REQUEST
    assert dev.request(codes.GET, "/bs", ("ep=only",)).code == codes.METHOD_NOT_ALLOWED
    plain = Net()
    assert Device(plain, 1).request(codes.POST, "/bs", ("ep=x",)).code == codes.NOT_FOUND


def test_bootstrap_read_step() -> None:
    # LwM2M 1.1 Core §6.1.8.1: Bootstrap-Read of the Server object (/1) in the format
    # the client asked for with pct
    script = load_script({"r": {"steps": [{"op": "read", "path": "/1"}]}})
    net = Net(bootstrap=script)
    dev = Device(net, 43004)
    assert dev.request(codes.POST, "/bs", ("ep=r", "pct=110")).code == codes.CHANGED
    req = dev.next_request()
    assert req.code == codes.GET and req.uri_path == ("1",) and req.accept == 110
    dev.answer(req, codes.CONTENT, b'[{"bn":"/1/0/","n":"0","v":1}]', 110)
    done = [e for e in net.events() if isinstance(e, ev.BootstrapStepDone)]
    assert done[0].response.records == [((1, 0, 0), 1)]
    req = dev.next_request()
    assert req.uri_path == ("bs",)


def test_a_write_the_format_cannot_carry_fails_the_bootstrap() -> None:
    # RFC 8428 / CBOR: SenML-CBOR integers are at most 64 bits; a script value past
    # that cannot go out, and the script stops with a reason instead of raising.
    script = load_script({"t": {"format": "senml-cbor",
                                "write": {"/9999/0": {"1": 2 ** 70}}}})
    net = Net(bootstrap=script)
    dev = Device(net, 43005)
    assert dev.request(codes.POST, "/bs", ("ep=t",)).code == codes.CHANGED
    failed = [e for e in net.events() if isinstance(e, ev.BootstrapFailed)]
    net.flush()
    assert failed and "cannot encode /9999/0" in failed[0].reason
    assert dev.received() == []
