"""Bad input: malformed registrations, unknown locations, garbage datagrams. The server
answers as the spec says, never raises, and keeps serving everyone else."""

from hypothesis import given, settings
from hypothesis import strategies as st

from coap import codes, types
from coap.message import Message
from lwm2m.server import events as ev
from tests.server.wire import Device, Net


def test_malformed_registrations_get_4_00_with_a_reason() -> None:
    net = Net()
    dev = Device(net, 44000)
    cases = [
        ((), b"</1/0>", 40),                                  # no endpoint name
        (("ep=a", "lt=soon"), b"</1/0>", 40),
        (("ep=a", "b=XYZ"), b"</1/0>", 40),
        (("ep=a", "lwm2m=latest"), b"</1/0>", 40),
        (("ep=a", "ep=b"), b"</1/0>", 40),
        (("ep=a",), b"</1/0>", 0),                            # not link format
        (("ep=a",), b"<1/0>,junk<", 40),                      # not a link list
        (("ep=a",), b"</1/0/1/2/3>", 40),                     # not an object or instance
        (("ep=a",), b'</x>;rt="oma.lwm2m",</1/0>', 40),       # outside the root path
    ]
    for query, payload, cf in cases:
        reply = dev.request(codes.POST, "/rd", query, payload, cf)
        assert reply.code == codes.BAD_REQUEST, (query, payload)
        assert reply.payload  # a diagnostic for a person (RFC 7252 §5.5.2)
        [event] = net.events()
        assert isinstance(event, ev.RequestRejected) and event.code == codes.BAD_REQUEST
    assert len(net.server.registrations) == 0


def test_unknown_locations_paths_and_methods() -> None:
    net = Net()
    dev = Device(net, 44001)
    assert dev.request(codes.POST, "/rd/nothere").code == codes.NOT_FOUND
    assert dev.request(codes.DELETE, "/rd/nothere").code == codes.NOT_FOUND
    assert dev.request(codes.GET, "/rd").code == codes.METHOD_NOT_ALLOWED
    assert dev.request(codes.PUT, "/rd/x").code == codes.METHOD_NOT_ALLOWED
    assert dev.request(codes.GET, "/.well-known/core").code == codes.NOT_FOUND
    assert dev.request(codes.GET, "/dp").code == codes.METHOD_NOT_ALLOWED
    location = dev.register("ok")
    assert dev.request(codes.POST, location, ("lt=0",)).code == codes.BAD_REQUEST
    assert dev.request(codes.POST, location, ("ep=other",)).code == codes.BAD_REQUEST
    assert dev.request(codes.POST, location).code == codes.CHANGED


def test_garbage_datagrams_are_dropped_or_reset() -> None:
    net = Net()
    dev = Device(net, 44002)
    for junk in (b"", b"\x00", b"\xff" * 40, b"\x40\x01\x00", b"\x5f\x01\x12\x34",
                 b"\x40\x02\x00\x01\xd1\x10", bytes(range(256))):
        net.server.receive_datagram(junk, dev.addr, net.now_ms)
        net.flush()
        for reply in dev.received():
            # RFC 7252 §4.2: a CON that cannot be processed is answered with RST at most
            assert reply.type == types.RST and reply.code == codes.EMPTY
    # a response nobody asked for is rejected with RST (RFC 7252 §4.2)
    stray = Message(types.CON, codes.CONTENT, 77, b"zz", payload=b"x")
    dev.send(stray)
    [rst] = dev.received()
    assert rst.type == types.RST and rst.mid == 77
    dev.register("still-works")


def test_duplicate_register_is_answered_once() -> None:
    net = Net()
    dev = Device(net, 44003)
    msg = Message(types.CON, codes.POST, 500, b"dup", payload=b"</1/0>")
    msg.uri_path = ["rd"]
    msg.uri_query = ["ep=dup"]
    msg.content_format = 40
    dev.send(msg)
    first = dev.received()
    dev.send(msg)  # a retransmission: the same reply, no second registration
    second = dev.received()
    assert first == second and first[0].code == codes.CREATED
    events = net.events()
    assert len([e for e in events if isinstance(e, ev.ClientRegistered)]) == 1


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=80))
def test_random_datagrams_never_raise(data: bytes) -> None:
    net = Net()
    net.server.receive_datagram(data, ("127.0.0.1", 1), 0)
    net.flush()
    net.step(1000)
    for reply in net.inbox.get(("127.0.0.1", 1), []):
        # only answers: an ACK / NON response or RST, never a request of our own
        assert not reply.is_request and reply.type != types.CON


@settings(max_examples=200, deadline=None)
@given(st.lists(st.text(max_size=12), max_size=6), st.binary(max_size=40))
def test_random_register_queries_never_raise(query: "list[str]", payload: bytes) -> None:
    net = Net()
    dev = Device(net, 44004)
    msg = Message(types.CON, codes.POST, 1, b"q", payload=payload)
    msg.uri_path = ["rd"]
    try:
        msg.uri_query = query
        data = msg.encode()
    except ValueError:
        return  # not encodable: not a datagram anyone can send
    net.server.receive_datagram(data, dev.addr, 0)
    net.flush()
    [reply] = dev.received()
    assert reply.code in (codes.CREATED, codes.BAD_REQUEST, codes.BAD_OPTION)


def test_register_with_a_block1_object_list() -> None:
    # RFC 7959 §2.5: a large object list arrives in blocks; the server answers 2.31
    # Continue per block and registers once the last block is in.
    net = Net()
    dev = Device(net, 44005)
    payload = b",".join(b"</%d/0>" % oid for oid in range(3, 40))
    blocks = [payload[i:i + 64] for i in range(0, len(payload), 64)]
    for num, chunk in enumerate(blocks):
        msg = Message(types.CON, codes.POST, 700 + num, b"b1", payload=chunk)
        msg.uri_path = ["rd"]
        msg.uri_query = ["ep=blocky", "lt=60"]
        msg.content_format = 40
        msg.block1 = (num, num < len(blocks) - 1, 2)
        dev.send(msg)
        [reply] = dev.received()
        assert reply.mid == 700 + num
        if num < len(blocks) - 1:
            assert reply.code == codes.CONTINUE and reply.block1 == (num, True, 2)
        else:
            assert reply.code == codes.CREATED
    reg = net.server.registration("blocky")
    assert reg is not None and len(reg.object_paths()) == 37
