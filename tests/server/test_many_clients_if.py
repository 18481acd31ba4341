"""Two hundred clients registering, updating, answering reads and de-registering
through one server in one process (sans-IO, stepped time)."""

from coap import codes
from lwm2m.server import events as ev
from tests.server.wire import Device, Net

CLIENTS = 200


def test_two_hundred_clients() -> None:
    net = Net()
    devices = [Device(net, 20000 + i) for i in range(CLIENTS)]
    locations = [d.register("ep-%03d" % i, lt=60) for i, d in enumerate(devices)]
    assert len(set(locations)) == CLIENTS
    assert len(net.server.registrations) == CLIENTS
    registered = [e for e in net.events() if isinstance(e, ev.ClientRegistered)]
    assert len(registered) == CLIENTS
    for round_no in range(3):
        net.step(40_000)
        for i, dev in enumerate(devices):
            assert dev.request(codes.POST, locations[i], ("lt=60",)).code == codes.CHANGED
        assert len(net.server.registrations) == CLIENTS, round_no
    # one read each, all in flight at once; answers come back in reverse order
    operations = [net.server.read("ep-%03d" % i, "/3/0/0") for i in range(CLIENTS)]
    requests = [d.next_request() for d in devices]
    for i in reversed(range(CLIENTS)):
        devices[i].answer(requests[i], codes.CONTENT, b"dev %d" % i, 0)
    answers = {e.operation.id: e for e in net.events() if isinstance(e, ev.ResponseReceived)}
    for i, operation in enumerate(operations):
        assert answers[operation.id].records == [((3, 0, 0), "dev %d" % i)]
    # half de-register, the other half expire
    for i in range(0, CLIENTS, 2):
        assert devices[i].request(codes.DELETE, locations[i]).code == codes.DELETED
    net.step(61_000)
    events = net.events()
    assert len([e for e in events if isinstance(e, ev.ClientDeregistered)]) == CLIENTS // 2
    assert len([e for e in events if isinstance(e, ev.RegistrationExpired)]) == CLIENTS // 2
    assert len(net.server.registrations) == 0
