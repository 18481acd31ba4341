"""The client's standard objects with application callbacks, Firmware Update's state
machine, the data containers, pass-through and application-defined objects, driven
by a server's requests. Runs under MicroPython."""

from lwm2m import firmware as fw
from lwm2m import formats
from lwm2m.client import Client
from lwm2m.dm import GET, POST, PUT
from lwm2m.events import DownlinkDataReceived
from lwm2m.formats import SENML_JSON, TEXT, TLV
from lwm2m.passthrough import pass_through
from objects.base import BaseObject
from objects.definitions import OP_E, OP_R, OP_RW, define
from objects.errors import MethodNotAllowed
from objects.standard import DEVCAPMGMT, SOFTWARE_MANAGEMENT, definition
from objects.types import INTEGER, NONE, STRING
from tests.lwm2m.client_peer import Server, drain, events, names, registered

CONTENT = 0x45
CHANGED = 0x44
CREATED = 0x41
METHOD_NOT_ALLOWED = 0x85
NOT_FOUND = 0x84


def test_device_callbacks() -> None:
    client, (server,) = registered()
    device = client.device
    clock = [1700000000]
    written: "list[int]" = []
    device.time_source(lambda: clock[0], written.append)
    device.set_utc_offset("+02:00", "Europe/Berlin")
    device.battery(lambda: 87, lambda: 1)
    device.memory(lambda: 120, lambda: 512)
    assert server.dm(GET, "/3/0/13").payload == b"1700000000"
    clock[0] += 5
    assert server.dm(GET, "/3/0/13").payload == b"1700000005"
    assert server.dm(PUT, "/3/0/13", payload=b"1700000100", content_format=TEXT).code == CHANGED
    assert written == [1700000100]
    assert server.dm(GET, "/3/0/14").payload == b"+02:00"
    assert server.dm(PUT, "/3/0/14", payload=b"+01:00", content_format=TEXT).code == CHANGED
    assert client.get_value("/3/0/14") == "+01:00"
    for path, text in (("/3/0/9", b"87"), ("/3/0/20", b"1"), ("/3/0/10", b"120"),
                       ("/3/0/21", b"512"), ("/3/0/16", b"U")):
        assert server.dm(GET, path).payload == text, path


def test_device_time_write_refused_without_a_setter() -> None:
    client, (server,) = registered()
    client.device.time_source(lambda: 1)
    assert server.dm(PUT, "/3/0/13", payload=b"5", content_format=TEXT).code == METHOD_NOT_ALLOWED


def test_error_codes_and_reset() -> None:
    client, (server,) = registered()
    client.device.add_error_code(1)
    client.device.add_error_code(5)
    values = dict(formats.decode(SENML_JSON, server.dm(GET, "/3/0/11", accept=SENML_JSON).payload,
                                 (3, 0, 11), None))
    assert sorted(values.values()) == [1, 5]
    assert server.dm(POST, "/3/0/12").code == CHANGED
    assert server.dm(GET, "/3/0/11/0").payload == b"0"
    assert server.dm(GET, "/3/0/11/1").code == NOT_FOUND


def test_factory_reset_event() -> None:
    client, (server,) = registered()
    assert server.dm(POST, "/3/0/5").code == CHANGED
    assert "FactoryResetRequested" in names(events(client))


def test_connectivity_statistics_start_stop() -> None:
    client, (server,) = registered()
    stats = client.statistics
    stats.count(4096, 100)  # not collecting yet
    assert server.dm(GET, "/7/0/2").payload == b"0"
    assert server.dm(POST, "/7/0/6").code == CHANGED
    stats.count(3000, 0)
    stats.count(0, 2048)
    stats.count(1000, 0)
    assert server.dm(GET, "/7/0/2").payload == b"3"  # kB sent
    assert server.dm(GET, "/7/0/3").payload == b"2"
    assert server.dm(GET, "/7/0/4").payload == b"3000"
    assert server.dm(GET, "/7/0/5").payload == b"2016"
    assert server.dm(POST, "/7/0/7").code == CHANGED
    stats.count(100000, 0)
    assert server.dm(GET, "/7/0/2").payload == b"3"
    assert server.dm(POST, "/7/0/6").code == CHANGED  # Start resets the counters
    assert server.dm(GET, "/7/0/2").payload == b"0"


class _Firmware(fw.FirmwareHandler):
    def __init__(self) -> None:
        self.calls: "list[object]" = []

    def package_uri(self, uri: str) -> None:
        self.calls.append(("uri", uri))

    def package(self, data: bytes) -> None:
        self.calls.append(("package", len(data)))

    def update(self) -> None:
        self.calls.append("update")

    def cancel(self) -> None:
        self.calls.append("cancel")


def _firmware_client() -> "tuple[Client, Server, _Firmware, fw.FirmwareUpdate]":
    client, (server,) = registered()
    handler = _Firmware()
    obj = fw.FirmwareUpdate(handler)
    client.add_object(obj)
    for request in drain(client):
        server.answer(request, 0)
    return client, server, handler, obj


def test_firmware_pull_download_and_update() -> None:
    _client, server, handler, obj = _firmware_client()
    s = server
    assert s.dm(GET, "/5/0/3").payload == b"0"
    assert s.dm(POST, "/5/0/2").code == METHOD_NOT_ALLOWED
    uri = b"coap://127.0.0.1:5683/fw.bin"
    assert s.dm(PUT, "/5/0/1", payload=uri, content_format=TEXT).code == CHANGED
    assert handler.calls == [("uri", uri.decode())]
    assert obj.state == fw.DOWNLOADING
    # A second URI while downloading is refused.
    assert s.dm(PUT, "/5/0/1", payload=b"coap://x/y", content_format=TEXT).code \
        == METHOD_NOT_ALLOWED
    obj.download_done(True)
    assert obj.state == fw.DOWNLOADED
    assert s.dm(POST, "/5/0/2").code == CHANGED
    assert obj.state == fw.UPDATING and handler.calls[-1] == "update"
    obj.update_done(True)
    assert obj.state == fw.IDLE and obj.result == fw.RESULT_SUCCESS
    assert s.dm(GET, "/5/0/5").payload == b"1"


def test_firmware_failures_cancel_and_reset() -> None:
    _client, server, handler, obj = _firmware_client()
    s = server
    s.dm(PUT, "/5/0/1", payload=b"coap://h/fw", content_format=TEXT)
    obj.download_done(False, fw.RESULT_INTEGRITY_FAILED)
    assert obj.state == fw.IDLE and obj.result == fw.RESULT_INTEGRITY_FAILED
    s.dm(PUT, "/5/0/1", payload=b"coap://h/fw", content_format=TEXT)
    assert obj.result == fw.RESULT_INITIAL
    assert s.dm(POST, "/5/0/10").code == CHANGED
    assert obj.state == fw.IDLE and obj.result == fw.RESULT_CANCELLED
    # Push: the package goes to the application whole; Downloaded at once.
    body = formats.encode(TLV, [((5, 0, 0), b"\x00" * 300)], (5, 0, 0))
    assert s.dm(PUT, "/5/0/0", payload=body, content_format=TLV).code == CHANGED
    assert handler.calls[-1] == ("package", 300) and obj.state == fw.DOWNLOADED
    assert s.dm(POST, "/5/0/2").code == CHANGED
    obj.update_done(False, fw.RESULT_UPDATE_FAILED)
    assert obj.state == fw.DOWNLOADED and obj.result == fw.RESULT_UPDATE_FAILED
    assert s.dm(POST, "/5/0/2").code == CHANGED  # try again: the result starts over
    assert obj.state == fw.UPDATING and obj.result == fw.RESULT_INITIAL
    obj.update_done(False, fw.RESULT_UPDATE_FAILED)
    # An empty URI resets the machine.
    assert s.dm(PUT, "/5/0/1", payload=b"", content_format=TEXT).code == CHANGED
    assert obj.state == fw.IDLE and obj.result == fw.RESULT_INITIAL
    try:
        obj.update_done(True)
    except ValueError:
        pass
    else:
        raise AssertionError("update_done outside Updating must raise")


def test_uplink_and_downlink_data() -> None:
    client, (server,) = registered()
    assert client.set_uplink(10250, b"hello") == (10250, 0, 0)
    assert server.dm(GET, "/10250/0/0").payload == b"hello"
    assert client.set_uplink(19, b"\x01\x02") == (19, 0, 0, 0)
    assert client.get_value("/19/0/0/0") == b"\x01\x02"
    body = formats.encode(TLV, [((10250, 0, 1), b"3031")], (10250, 0, 1))
    assert server.dm(PUT, "/10250/0/1", payload=body, content_format=TLV).code == CHANGED
    body = formats.encode(SENML_JSON, [((19, 0, 0, 1), b"down")], (19, 0))
    assert server.dm(POST, "/19/0", payload=body, content_format=SENML_JSON).code == CHANGED
    found = [e for e in events(client) if isinstance(e, DownlinkDataReceived)]
    assert [(e.path, e.data, e.ssid) for e in found] == [
        ((10250, 0, 1), b"3031", 101), ((19, 0, 0, 1), b"down", 101)]


def test_pass_through_objects() -> None:
    client, (server,) = registered()
    heard: "list[object]" = []

    def handler(operation: str, path: "tuple[int, ...]", value: object, caller: int) -> None:
        heard.append((operation, path, caller))
        if operation == "execute" and path == (9, 0, 6):
            raise MethodNotAllowed("nothing installed")

    sw = pass_through(BaseObject(definition(SOFTWARE_MANAGEMENT)), handler)
    sw.add_instance(0, {0: "app", 1: "1.0", 7: 0, 9: 0, 12: False})
    client.add_object(sw)
    dcm = pass_through(BaseObject(definition(DEVCAPMGMT)), handler)
    dcm.add_instance(0, {0: "camera", 1: 1, 4: True})
    client.add_object(dcm)
    assert server.dm(POST, "/9/0/4").code == CHANGED
    assert server.dm(POST, "/9/0/6").code == METHOD_NOT_ALLOWED
    assert server.dm(PUT, "/9/0/3", payload=b"coap://h/app", content_format=TEXT).code == CHANGED
    assert server.dm(POST, "/15/0/6").code == CHANGED
    assert heard == [("execute", (9, 0, 4), 101), ("execute", (9, 0, 6), 101),
                     ("write", (9, 0, 3), 101), ("execute", (15, 0, 6), 101)]
    assert server.dm(GET, "/9/0/0").payload == b"app"


def test_application_defined_object() -> None:
    client, (server,) = registered()
    thermostat = define(32769, "Thermostat", "1.1", "1.1", 2, (
        (0, "Setpoint", OP_RW, INTEGER, 1, "5..30"),
        (1, "Name", OP_R, STRING, 0),
        (2, "Boost", OP_E, NONE, 0),
    ))
    obj = client.add_object(thermostat)
    boosts: "list[bytes]" = []
    obj.on_execute(2, lambda iid, args, caller: boosts.append(args))
    obj.add_instance(0, {0: 20, 1: "hall"})
    (update,) = drain(client)
    assert b"</32769>;ver=1.1" in update.payload and b"</32769/0>" in update.payload
    assert server.dm(PUT, "/32769/0/0", payload=b"31", content_format=TEXT).code == 0x80
    assert server.dm(PUT, "/32769/0/0", payload=b"22", content_format=TEXT).code == CHANGED
    assert server.dm(POST, "/32769/0/2", payload=b"0='10'").code == CHANGED
    assert boosts == [b"0='10'"]
    payload = formats.encode(SENML_JSON, [((32769, 1, 0), 18)], (32769,))
    response = server.dm(POST, "/32769", payload=payload, content_format=SENML_JSON)
    assert response.code == CREATED and response.location == ("32769", "1")
    assert server.dm(GET, "/32769/1/0").payload == b"18"


def test_statistics_collection_period_stops_by_itself() -> None:
    client, (server,) = registered()
    assert server.dm(PUT, "/7/0/8", 1000, payload=b"30", content_format=TEXT).code == CHANGED
    assert server.dm(POST, "/7/0/6", 2000).code == CHANGED
    assert client.statistics.collecting and client.get_timer() == 32000
    client.handle_timer(31999)
    assert client.statistics.collecting
    client.handle_timer(32000)
    assert not client.statistics.collecting


def test_connectivity_monitoring_and_location() -> None:
    from lwm2m.device import BEARER_LTE_FDD, ConnectivityMonitoring, LocationObject

    client, (server,) = registered()
    signal = [-90]
    client.add_object(ConnectivityMonitoring(BEARER_LTE_FDD, [BEARER_LTE_FDD, 7],
                                             ["10.0.0.7"], lambda: signal[0], ["iot.apn"]))
    location = LocationObject(52.52, 13.405, 1700000000)
    client.add_object(location)
    changed: "list[tuple[int, ...]]" = []
    location.add_listener(changed.append)
    for request in drain(client):
        server.answer(request, 0)
    assert server.dm(GET, "/4/0/2").payload == b"-90"
    signal[0] = -71
    assert server.dm(GET, "/4/0/2").payload == b"-71"
    assert server.dm(GET, "/4/0/4/0").payload == b"10.0.0.7"
    location.set_position(48.85, 2.35, 1700000100, altitude=35.0)
    values = dict(formats.decode(SENML_JSON, server.dm(GET, "/6/0", accept=SENML_JSON).payload,
                                 (6, 0), None))
    assert values[(6, 0, 0)] == 48.85 and values[(6, 0, 2)] == 35.0
    assert (6, 0, 0) in changed and (6, 0, 5) in changed
