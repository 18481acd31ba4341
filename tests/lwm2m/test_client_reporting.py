"""Information reporting (ETS 1.1-int-301 .. 311) and notification attributes: the
Client against the embedded LwM2M server, stepped time. Runs under MicroPython."""

from coap.message import Message, decode
from tests.lwm2m.reporting_net import (
    DM_URI,
    EP,
    Net,
    make_client,
    notified_values,
    registered,
)

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

CHANGED = 0x44
CONTENT = 0x45
RST = 3


def _observe(net: Net, path: str, attributes: "dict[str, Any] | None" = None) -> "Any":
    server = net.servers[("127.0.0.1", 5683)][0]
    if attributes:
        assert net.wait(server.write_attributes(EP, path, attributes)).code == CHANGED
    op = server.observe(EP, path)
    assert net.wait(op).code == CONTENT
    return op


def test_lwm2m_1_1_int_301_observation_and_notification() -> None:
    net, _server = registered()
    _observe(net, "/3/0/9", {"pmin": 2, "pmax": 10})
    _observe(net, "/3/0/10", {"pmin": 1, "pmax": 8})
    t0 = net.now_ms
    net.take("NotificationReceived")
    net.run(t0 + 500)
    net.client.set_value("/3/0/9", 40)
    net.client.set_value("/3/0/10", 900)
    # pmin holds the change back: /3/0/10 at 1 s, /3/0/9 at 2 s, not sooner.
    net.run(t0 + 999)
    assert notified_values(net, (3, 0, 10)) == []
    net.run(t0 + 1000)
    assert notified_values(net, (3, 0, 10)) == [900]
    net.run(t0 + 1999)
    assert notified_values(net, (3, 0, 9)) == []
    net.run(t0 + 2000)
    assert notified_values(net, (3, 0, 9)) == [40]
    # Nothing changes: pmax forces a notification with the same value.
    net.run(t0 + 11999)
    assert notified_values(net, (3, 0, 9)) == []
    net.run(t0 + 12000)
    assert notified_values(net, (3, 0, 9)) == [40]
    net.take("NotificationReceived")
    net.run(t0 + 40000)
    assert len(notified_values(net, (3, 0, 9))) == 2  # at 22 s and 32 s
    assert not net.take("ObservationEnded")


def _answer_with_rst(net: Net, hits: "list[int]") -> None:
    def uplink(addr: "Any", data: bytes) -> bool:
        message = decode(data)
        if message.observe is not None and message.code == CONTENT and not hits:
            hits.append(message.mid)
            rst = Message(type=RST, mid=message.mid)
            net.client.receive_datagram(rst.encode(), addr, net.now_ms)
            return False
        return True

    net.uplink_filter = uplink


def test_lwm2m_1_1_int_302_cancel_observation_by_reset() -> None:
    for confirmable in (False, True):
        net, _server = registered()
        net.client.reporting.notify_confirmable = confirmable
        _observe(net, "/3/0/9", {"pmax": 5})
        net.take("NotificationReceived")
        hits: "list[int]" = []
        _answer_with_rst(net, hits)
        net.advance(5000)
        assert len(hits) == 1
        stopped = net.client_take("ObservationStopped")
        assert [(s.paths, s.reason) for s in stopped] == [([(3, 0, 9)], "reset")]
        net.uplink_filter = None
        net.client.set_value("/3/0/9", 10)
        net.advance(30000)
        assert net.take("NotificationReceived") == []
        assert len(net.client.reporting.observations) == 0


def test_lwm2m_1_1_int_302_passive_cancel_by_the_real_server() -> None:
    # The embedded server forgets the observation; its CoAP layer answers the next
    # notification with RST (RFC 7641 §3.6) and the client stops, with no test help.
    for confirmable in (False, True):
        net, server = registered()
        net.client.reporting.notify_confirmable = confirmable
        op = _observe(net, "/3/0/9", {"pmax": 5})
        net.take("NotificationReceived")
        server.cancel_observe(op, active=False, now_ms=net.now_ms)
        net.advance(5000)
        stopped = net.client_take("ObservationStopped")
        assert [(s.paths, s.reason) for s in stopped] == [([(3, 0, 9)], "reset")], confirmable
        net.client.set_value("/3/0/9", 10)
        net.advance(30000)
        assert net.take("NotificationReceived") == []
        assert len(net.client.reporting.observations) == 0


def test_lwm2m_1_1_int_303_cancel_observation_with_observe_1() -> None:
    net, server = registered()
    op = _observe(net, "/3/0/9", {"pmax": 5})
    net.advance(5000)
    assert notified_values(net, (3, 0, 9)) == [50]
    server.cancel_observe(op, active=True, now_ms=net.now_ms)
    net.settle()
    stopped = net.client_take("ObservationStopped")
    assert [s.reason for s in stopped] == ["deregistered"]
    net.client.set_value("/3/0/9", 11)
    net.advance(30000)
    assert net.take("NotificationReceived") == []


def test_lwm2m_1_1_int_304_and_305_observe_composite_and_cancel() -> None:
    net, server = registered(pmin=1, pmax=10)
    net.client.objects[3].write((3, 0, 11), [((3, 0, 11, 0), 0)], True, -1)
    op = server.observe_composite(EP, ["/1/0/1", "/3/0/11/0", "/3/0/16"])
    first = net.wait(op)
    assert first.code == CONTENT
    assert sorted([p for p, _v in first.records]) == [(1, 0, 1), (3, 0, 11, 0), (3, 0, 16)]
    t0 = net.now_ms
    net.run(t0 + 500)
    net.client.set_value("/3/0/16", "UQ")
    net.run(t0 + 999)
    assert net.take("NotificationReceived") == []
    net.run(t0 + 1000)
    (note,) = net.take("NotificationReceived")
    assert sorted([p for p, _v in note.records]) == [(1, 0, 1), (3, 0, 11, 0), (3, 0, 16)]
    net.run(t0 + 11000)  # pmax
    assert len(net.take("NotificationReceived")) == 1
    # int-305: FETCH with Observe 1 and the same list ends it.
    server.cancel_observe(op, active=True, now_ms=net.now_ms)
    net.settle()
    assert [s.reason for s in net.client_take("ObservationStopped")] == ["deregistered"]
    net.advance(30000)
    assert net.take("NotificationReceived") == []


def test_lwm2m_1_1_int_306_send() -> None:
    net, _server = registered()
    (txn,) = net.client.send(net.now_ms, ["/1", "/3"])
    net.settle()
    (sent,) = net.take("DataSent")
    paths = [p for _t, records in sent.groups for p, _v in records]
    assert (1, 0, 1) in paths and (3, 0, 0) in paths and sent.content_format == 112
    (done,) = net.client_take("SendCompleted")
    assert done.txn == txn and done.ok


def test_lwm2m_1_1_int_307_mute_send() -> None:
    net, server = registered()
    assert net.wait(server.write(EP, "/1/0/23", True)).code == CHANGED
    assert net.client.send(net.now_ms, ["/3/0/9"]) == []
    net.settle()
    assert net.take("DataSent") == []
    assert net.wait(server.write(EP, "/1/0/23", False)).code == CHANGED
    assert len(net.client.send(net.now_ms, ["/3/0/9"])) == 1
    net.settle()
    assert len(net.take("DataSent")) == 1


def test_lwm2m_1_1_int_308_and_309_composite_and_instances() -> None:
    net, server = registered(pmin=0, pmax=60)
    net.settle()
    op = server.observe_composite(EP, ["/19/0", "/19/1"])
    assert sorted({p[:2] for p, _v in net.wait(op).records}) == [(19, 0)]
    # int-308: /19/1 created: the next notification includes it.
    create = server.create(EP, "/19/1", {0: {0: b"b"}})
    assert net.wait(create).code == 0x41
    net.advance(100)
    notes = net.take("NotificationReceived")
    assert notes and sorted({p[:2] for p, _v in notes[-1].records}) == [(19, 0), (19, 1)]
    # int-309: deleted again: the next notification omits it.
    assert net.wait(server.delete(EP, "/19/1")).code == 0x42
    net.advance(100)
    notes = net.take("NotificationReceived")
    assert notes and sorted({p[:2] for p, _v in notes[-1].records}) == [(19, 0)]


def test_lwm2m_1_1_int_310_composite_and_new_attributes() -> None:
    net, server = registered(pmin=0, pmax=30)
    op = server.observe_composite(EP, ["/1/0/1", "/3/0"])
    net.wait(op)
    t0 = net.now_ms
    net.run(t0 + 29999)
    assert net.take("NotificationReceived") == []
    net.run(t0 + 30000)
    assert len(net.take("NotificationReceived")) == 1
    # pmax on /3 (5 s) now rules the composite that covers /3/0.
    assert net.wait(server.write_attributes(EP, "/3", {"pmax": 5})).code == CHANGED
    t1 = net.now_ms
    net.run(t1 + 20000)
    assert len(net.take("NotificationReceived")) == 4


def test_lwm2m_1_1_int_311_send_command() -> None:
    net, _server = registered()
    net.client.objects[3].write((3, 0, 11), [((3, 0, 11, 0), 0)], True, -1)
    net.client.send(net.now_ms, ["/1/0/1", "/3/0/11"])
    net.settle()
    (sent,) = net.take("DataSent")
    paths = sorted([p for _t, records in sent.groups for p, _v in records])
    assert paths == [(1, 0, 1), (3, 0, 11, 0)]


# ------------------------------------------------------------------ attribute edges


def test_gt_and_lt_crossings() -> None:
    net, _server = registered()
    _observe(net, "/3/0/9", {"gt": 60, "lt": 20})
    net.take("NotificationReceived")
    seen = []
    for value in (55, 65, 62, 58, 30, 19, 19, 25):
        net.client.set_value("/3/0/9", value)
        net.advance(100)
        seen.extend(notified_values(net, (3, 0, 9)))
    # Only values that crossed gt or lt (either way) against the last notified one.
    assert seen == [65, 58, 19, 25]


def test_st_steps() -> None:
    net, _server = registered()
    _observe(net, "/3/0/9", {"st": 10})
    net.take("NotificationReceived")
    seen = []
    for value in (55, 59, 60, 51, 49, 100):
        net.client.set_value("/3/0/9", value)
        net.advance(100)
        seen.extend(notified_values(net, (3, 0, 9)))
    assert seen == [60, 49, 100]


def test_epmin_and_epmax() -> None:
    net, _server = registered()
    level = [50]
    net.client.device.battery(lambda: level[0])
    _observe(net, "/3/0/9", {"epmin": 3, "epmax": 5})
    t0 = net.now_ms
    net.take("NotificationReceived")
    # The reader changes silently: epmax samples it.
    level[0] = 45
    net.run(t0 + 4999)
    assert notified_values(net, (3, 0, 9)) == []
    net.run(t0 + 5000)
    assert notified_values(net, (3, 0, 9)) == [45]
    # A change reported 1 s after that evaluation waits for epmin (3 s).
    net.run(t0 + 6000)
    level[0] = 44
    net.client.objects[3].notify_changed((3, 0, 9))
    net.run(t0 + 7999)
    assert notified_values(net, (3, 0, 9)) == []
    net.run(t0 + 8000)
    assert notified_values(net, (3, 0, 9)) == [44]


def _notification_times(net: Net, path: "tuple[int, ...]", until_ms: int) -> "list[int]":
    times = []
    while net.now_ms < until_ms:
        net.run(min(until_ms, net.now_ms + 500))
        times.extend([net.now_ms for _v in notified_values(net, path)])
    return times


def _periods(times: "list[int]") -> "list[int]":
    return [times[i + 1] - times[i] for i in range(len(times) - 1)]


def test_attribute_inheritance_object_instance_resource() -> None:
    net, server = registered()
    for path, pmax in (("/3", 30), ("/3/0", 20), ("/3/0/9", 10)):
        assert net.wait(server.write_attributes(EP, path, {"pmax": pmax})).code == CHANGED
    op = server.observe(EP, "/3/0/9")
    net.wait(op)
    assert set(_periods(_notification_times(net, (3, 0, 9), net.now_ms + 45000))) == {10000}
    # Cleared on the resource: the instance's 20 s rule.
    assert net.wait(server.write_attributes(EP, "/3/0/9", {"pmax": None})).code == CHANGED
    assert set(_periods(_notification_times(net, (3, 0, 9), net.now_ms + 90000))) == {20000}
    # Cleared on the instance: the object's 30 s.
    assert net.wait(server.write_attributes(EP, "/3/0", {"pmax": None})).code == CHANGED
    assert set(_periods(_notification_times(net, (3, 0, 9), net.now_ms + 125000))) == {30000}


def test_two_servers_with_their_own_attributes_on_one_resource() -> None:
    client = make_client()
    client.add_server(DM_URI, 101, 300)
    client.add_server("coap://127.0.0.1:5685", 102, 300)
    client.set_value("/3/0/9", 50)
    # Core §7.3: with two servers, Access Control decides; both may read /3/0.
    client.objects[2].add_instance(None, {0: 3, 1: 0, 2: {101: 1, 102: 1}, 3: 101})
    net = Net(client)
    first = net.add_server(5683)
    second = net.add_server(5685)
    client.start(0)
    net.run(10000, lambda: bool(first.registration(EP) and second.registration(EP)))
    for server, pmax in ((first, 4), (second, 7)):
        assert net.wait(server.write_attributes(EP, "/3/0/9", {"pmax": pmax})).code == CHANGED
        net.wait(server.observe(EP, "/3/0/9"))
    net.take("NotificationReceived")
    net.advance(28000)
    counts: "dict[int, int]" = {}
    for event in net.take("NotificationReceived"):
        counts[id(event.operation)] = counts.get(id(event.operation), 0) + 1
    # 28 s: every 7 s for one server (4), every 4 s for the other (7).
    assert sorted(counts.values()) == [4, 7]


# ------------------------------------------------------------ reachability, CON/NON


def test_lost_confirmable_notification_is_retransmitted() -> None:
    net, _server = registered()
    net.client.reporting.notify_confirmable = True
    _observe(net, "/3/0/9", {"pmin": 0})
    net.take("NotificationReceived")
    dropped: "list[int]" = []

    def lose_first(addr: "Any", data: bytes) -> bool:
        message = decode(data)
        if message.observe is not None and message.type == 0 and not dropped:
            dropped.append(message.mid)
            return False
        return True

    net.uplink_filter = lose_first
    net.client.set_value("/3/0/9", 33)
    net.advance(1000)
    assert dropped and notified_values(net, (3, 0, 9)) == []
    net.advance(4000)  # RFC 7252 §4.2: ACK_TIMEOUT 2-3 s, then the same message again
    assert notified_values(net, (3, 0, 9)) == [33]


def test_notifications_stored_while_unreachable_and_flushed_in_order() -> None:
    net, _server = registered(lifetime_s=3600)
    client = net.client
    client.reporting.notify_confirmable = True
    client.set_value("/1/0/6", True)  # Notification Storing When Disabled or Offline
    _observe(net, "/3/0/9", {"pmin": 1})
    net.take("NotificationReceived")
    net.down = True
    for n in range(10):
        client.set_value("/3/0/9", 10 + n)
        net.advance(10000)
    # The first CON went unanswered (RFC 7252 MAX_TRANSMIT_WAIT): the server counts as
    # unreachable, the observation is kept and later notifications are stored.
    assert client.reporting._stored.get(101)
    stored = [a for _o, a in client.reporting._stored[101]]
    net.down = False
    net.advance(120000)
    values = notified_values(net, (3, 0, 9))
    assert values[-len(stored):] == sorted(values[-len(stored):])
    assert values[-1] == 19 and len(values) >= len(stored)
    assert client.reporting._stored.get(101) is None
    assert net.client_take("ObservationStopped") == []
    # The observation lives on.
    client.set_value("/3/0/9", 77)
    net.advance(2000)
    assert notified_values(net, (3, 0, 9)) == [77]


def test_non_confirmable_by_configuration() -> None:
    net, _server = registered()
    net.client.reporting.notify_confirmable = False
    _observe(net, "/3/0/9", {"pmax": 1})
    kinds: "list[int]" = []

    def watch(addr: "Any", data: bytes) -> bool:
        message = decode(data)
        if message.observe is not None:
            kinds.append(message.type)
        return True

    net.uplink_filter = watch
    net.advance(30500)
    assert len(kinds) == 30 and set(kinds) == {1}


def test_reset_forgets_observations_and_stored_notifications() -> None:
    net, _server = registered()
    _observe(net, "/3/0/9", {"pmax": 5})
    assert len(net.client.reporting.observations) == 1
    net.client.reset(net.now_ms)
    assert len(net.client.reporting.observations) == 0
    net.run(net.now_ms + 30000)
    net.take("NotificationReceived")
    net.client.set_value("/3/0/9", 12)
    net.advance(20000)
    assert net.take("NotificationReceived") == []


def test_instance_observation_notifies_real_changes_only() -> None:
    net, _server = registered()
    _observe(net, "/3/0", {"epmax": 2})
    net.take("NotificationReceived")
    # Sampled every 2 s, the instance is the same: nothing to report.
    net.client.set_value("/3/0/9", 50)  # the value it already has
    net.advance(10000)
    assert net.take("NotificationReceived") == []
    # A resource beneath it changes: one notification with the whole instance.
    net.client.set_value("/3/0/10", 999)
    net.advance(1000)
    (note,) = net.take("NotificationReceived")
    assert ((3, 0, 10), 999) in note.records and ((3, 0, 0), "Open Mobile Alliance") in \
        note.records


def test_without_storing_only_the_latest_value_follows_an_outage() -> None:
    net, _server = registered(lifetime_s=3600)
    client = net.client
    client.reporting.notify_confirmable = True
    client.set_value("/1/0/6", False)
    _observe(net, "/3/0/9", {"pmin": 1})
    net.take("NotificationReceived")
    net.down = True
    for n in range(10):
        client.set_value("/3/0/9", 10 + n)
        net.advance(10000)
    assert len(client.reporting._stored[101]) == 1  # the latest only
    net.down = False
    net.advance(120000)
    assert notified_values(net, (3, 0, 9))[-1] == 19
    assert client.reporting._stored.get(101) is None


def test_object_observation_sees_instances_come_and_go() -> None:
    net, server = registered(pmin=0, pmax=600)
    op = server.observe(EP, "/19")
    assert sorted({p[:2] for p, _v in net.wait(op).records}) == [(19, 0)]
    net.client.objects[19].add_instance(4, {0: {0: b"new"}})
    net.advance(100)
    (note,) = net.take("NotificationReceived")
    assert sorted({p[:2] for p, _v in note.records}) == [(19, 0), (19, 4)]
    net.client.objects[19].delete(4)
    net.advance(100)
    (note,) = net.take("NotificationReceived")
    assert sorted({p[:2] for p, _v in note.records}) == [(19, 0)]


def test_resource_instance_observation() -> None:
    net, server = registered()
    op = server.observe(EP, "/3/0/11/0")
    assert net.wait(op).records == [((3, 0, 11, 0), 0)]  # Error Code 0: no error
    net.client.device.add_error_code(5)  # the list becomes [5]
    net.advance(100)
    assert notified_values(net, (3, 0, 11, 0)) == [5]


def test_send_unanswered_is_reported_failed() -> None:
    net, _server = registered(lifetime_s=3600)
    net.down = True
    (txn,) = net.client.send(net.now_ms, ["/3/0/9"])
    net.advance(100000)  # RFC 7252: MAX_TRANSMIT_WAIT is at most 93 s
    (failed,) = net.client_take("SendFailed")
    assert failed.txn == txn and failed.ssid == 101
    assert net.client_take("SendCompleted") == []


def test_send_skips_lwm2m_1_0_servers() -> None:
    client = make_client(version="1.0")
    client.add_server(DM_URI, 101, 300)
    net = Net(client)
    server = net.add_server(5683)
    client.start(0)
    net.run(10000, lambda: server.registration(EP) is not None)
    assert client.send(net.now_ms, ["/3/0/0"]) == []
