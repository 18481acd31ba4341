"""Client registration conversations, named after the OMA ETS ids (1.1-int-1xx), plus
loss, duplication, a server restart, several servers and reset. Runs under MicroPython."""

from lwm2m import events as ev
from lwm2m import formats
from lwm2m.backoff import Backoff
from lwm2m.client import Client, ClientError, parse_uri
from lwm2m.dm import POST, PUT
from lwm2m.formats import link
from lwm2m.registration import RegistrationPolicy
from tests.lwm2m.client_peer import (
    CHANGED,
    NOT_FOUND,
    Server,
    drain,
    events,
    make_client,
    names,
    registered,
    states,
)
from tests.support import raises


def test_lwm2m_1_1_int_101_initial_registration() -> None:
    client = make_client()
    client.start(0)
    assert states(events(client)) == [ev.STATE_REGISTER_REQUIRED, ev.STATE_REGISTERING]
    (request,) = drain(client)
    assert request.kind == "register" and request.method == POST
    assert request.segments == ("rd",)
    assert request.query == ("ep=urn:imei:490154203237511", "lt=300", "lwm2m=1.1", "b=U")
    assert request.content_format == 40
    links = link.parse(request.payload)
    assert links[0].uri == "/" and ("rt", "oma.lwm2m") in links[0].attrs
    paths = [lk.path for lk in links[1:]]
    # Core §6.2.1: every object and instance but Security, versions where not 1.0.
    assert (0,) not in paths and (0, 0) not in paths
    for path in ((1, 0), (3, 0), (7, 0), (19, 0), (10250, 0)):
        assert path in paths
    by_uri = {lk.uri: dict(lk.attrs) for lk in links}
    assert by_uri["/3"]["ver"] == "1.2" and by_uri["/1"]["ver"] == "1.1"
    server = Server(client)
    server.answer(request, 40)
    found = events(client)
    assert names(found) == ["Registered", "StateChanged"]
    assert found[0].location == "/rd/r1"  # type: ignore[attr-defined]
    assert client.state == ev.STATE_READY
    # The Update is due lifetime minus MAX_TRANSMIT_WAIT (93 s) after the 2.01.
    assert client.get_timer() == 40 + 300000 - 93000


def test_lwm2m_1_1_int_102_registration_update_after_lifetime_write() -> None:
    client, (server,) = registered()
    assert server.dm(PUT, "/1/0/1", 1000, b"600", 0).code == CHANGED
    (update,) = drain(client)
    assert update.kind == "update" and update.segments == ("rd", "r1")
    assert update.query == ("lt=600",) and update.payload == b""
    server.answer(update, 1100)
    assert names(events(client))[-1] == "RegistrationUpdated"
    # Keeps updating before the lifetime runs out, without any further trigger.
    assert client.get_timer() == 1100 + 600000 - 93000
    client.handle_timer(client.get_timer() or 0)
    (again,) = drain(client)
    assert again.kind == "update" and again.query == ()


def test_lwm2m_1_1_int_103_disable_deregisters_and_comes_back() -> None:
    client, (server,) = registered()
    client.set_value("/1/0/5", 30)
    drain(client)
    assert server.dm(POST, "/1/0/4", 1000).code == CHANGED
    (delete,) = drain(client)
    assert delete.kind == "deregister" and delete.method == 4
    assert delete.segments == ("rd", "r1")
    server.answer(delete, 1050)
    found = events(client)
    assert "Disabled" in names(found)
    assert client.state == ev.STATE_DISABLED
    assert client.get_timer() == 1000 + 30000
    client.handle_timer(30999)
    assert drain(client) == []
    client.handle_timer(31000)
    (register,) = drain(client)
    assert register.kind == "register"
    server.answer(register, 31010)
    assert client.state == ev.STATE_READY and server.registrations == 2


def test_lwm2m_1_1_int_104_registration_update_trigger() -> None:
    client, (server,) = registered()
    assert server.dm(POST, "/1/0/8", 500).code == CHANGED
    (update,) = drain(client)
    assert update.kind == "update" and update.query == () and update.payload == b""
    server.answer(update, 600)
    assert client.state == ev.STATE_READY


def test_lwm2m_1_1_int_105_discarded_register_update() -> None:
    client, (server,) = registered()
    client.update_registration(1000)
    (update,) = drain(client)
    server.answer(update, 1010, NOT_FOUND)
    found = events(client)
    assert "Deregistered" in names(found)
    (register,) = drain(client)
    assert register.kind == "register" and register.segments == ("rd",)
    server.answer(register, 1020)
    assert client.state == ev.STATE_READY and server.location == ("rd", "r2")


def test_lwm2m_1_1_int_107_extending_the_lifetime() -> None:
    client, (server,) = registered()
    assert server.dm(PUT, "/1/0/1", 0, b"120", 0).code == CHANGED
    now = 0
    for _ in range(5):
        for request in drain(client):
            server.answer(request, now)
        deadline = client.get_timer()
        assert deadline is not None and deadline - now <= 120000
        now = deadline
        client.handle_timer(now)
    assert server.registrations == 1
    assert [r.kind for r in server.seen[-4:]] == ["update"] * 4


def test_lwm2m_1_1_int_108_queue_mode_flag() -> None:
    client = make_client(queue_mode=True)
    client.start(0)
    (request,) = drain(client)
    assert "Q" in request.query and "b=U" in request.query
    client10 = make_client(queue_mode=True, version="1.0")
    client10.start(0)
    (request,) = drain(client10)
    assert "b=UQ" in request.query and "lwm2m=1.0" in request.query


def test_binding_write_sends_an_update_with_b() -> None:
    client, (server,) = registered()
    assert server.dm(PUT, "/1/0/7", 0, b"UQ", 0).code == CHANGED
    (update,) = drain(client)
    # 1.1: queue mode is not a binding letter (Core §6.2.1).
    assert update.query == ("b=U",)


def test_object_list_change_sends_an_update_with_the_links() -> None:
    client, (server,) = registered()
    from objects.standard import LOCATION, definition
    obj = client.add_object(definition(LOCATION))
    obj.add_instance(0, {0: 1.5, 1: 2.5, 5: 1700000000})
    requests = drain(client)
    assert requests and requests[0].kind == "update"
    for r in requests:
        server.answer(r, 10)
    drain(client)
    update = [r for r in server.seen if r.kind == "update"][-1]
    assert b"</6/0>" in update.payload and update.content_format == 40


def test_deregister_command() -> None:
    client, (server,) = registered()
    client.deregister(100)
    (delete,) = drain(client)
    assert delete.kind == "deregister"
    assert client.state == ev.STATE_DEREGISTERING
    server.answer(delete, 110)
    assert client.state == ev.STATE_DEREGISTERED
    assert client.get_timer() is None


def test_register_retry_backoff_from_lwm2m_cfg() -> None:
    policy = RegistrationPolicy(Backoff(1000, 2, 3000, 3))
    client = make_client(policy=policy)
    server = Server(client)
    client.start(0)
    now = 0
    waits = []
    for _ in range(3):
        (register,) = drain(client)
        client.request_failed(register.txn, now)  # the CoAP layer gave up: timeout
        deadline = client.get_timer()
        if deadline is None:
            break
        waits.append(deadline - now)
        now = deadline
        client.handle_timer(now)
    assert waits == [1000, 2000]
    assert client.state == ev.STATE_REGISTRATION_FAILED
    found = [e for e in events(client) if type(e).__name__ == "RegistrationFailed"]
    assert [e.final for e in found] == [False, False, True]  # type: ignore[attr-defined]
    client.start(now)  # a new series
    (register,) = drain(client)
    server.answer(register, now)
    assert client.state == ev.STATE_READY


def test_lost_update_falls_back_to_register() -> None:
    client, (server,) = registered()
    client.handle_timer(client.get_timer() or 0)
    (update,) = drain(client)
    client.request_failed(update.txn, 300000)
    (register,) = drain(client)
    assert register.kind == "register"
    server.answer(register, 300010)
    assert client.state == ev.STATE_READY


def test_duplicated_response_is_ignored() -> None:
    client = make_client()
    server = Server(client)
    client.start(0)
    (register,) = drain(client)
    server.answer(register, 10)
    timer = client.get_timer()
    server.answer(register, 20)  # the same 2.01 again (a duplicate on the link)
    assert client.get_timer() == timer
    assert names(events(client)).count("Registered") == 1
    assert drain(client) == []


def test_server_restart_is_noticed_on_the_next_update() -> None:
    client, (server,) = registered()
    # The server restarts and forgets every registration: its next answer is 4.04.
    client.handle_timer(client.get_timer() or 0)
    (update,) = drain(client)
    server.answer(update, 207000, NOT_FOUND)
    (register,) = drain(client)
    assert register.kind == "register"
    server.answer(register, 207010)
    assert client.state == ev.STATE_READY and server.registrations == 2


def test_two_servers_each_with_its_own_state() -> None:
    client = make_client((101, 102))
    first, second = Server(client, 101), Server(client, 102)
    client.start(0)
    requests = drain(client)
    assert [r.ssid for r in requests] == [101, 102]
    first.answer(requests[0], 10)
    client.request_failed(requests[1].txn, 20)
    assert client.state == ev.STATE_READY
    assert client.sessions[101].machine.registered
    assert not client.sessions[102].machine.registered
    assert client.get_timer() == 20 + 60000  # 102's REG_RETRY_TIMEOUT comes first
    client.handle_timer(60020)
    (retry,) = drain(client)
    assert retry.ssid == 102
    second.answer(retry, 60030)
    assert client.sessions[102].machine.registered
    client.update_registration(70000, 102)
    (update,) = drain(client)
    assert update.ssid == 102
    assert client.sessions[101].machine.get_timer() == 10 + 207000


def test_reset_drops_transactions_and_starts_again() -> None:
    client = make_client()
    server = Server(client)
    client.start(0)
    (stale,) = drain(client)
    client.reset(100)
    assert ev.STATE_INITIAL in states(events(client))
    (fresh,) = drain(client)
    assert fresh.txn != stale.txn
    server.answer(stale, 110)  # the late answer to the dropped Register changes nothing
    assert client.state == ev.STATE_REGISTERING
    server.answer(fresh, 120)
    assert client.state == ev.STATE_READY


def test_uri_parsing_and_misuse() -> None:
    assert parse_uri("coaps://leshan.eclipse.org:5684") == (True, "leshan.eclipse.org", 5684)
    assert parse_uri("coap://[::1]") == (False, "::1", 5683)
    assert parse_uri("coap://10.0.0.1:5783/") == (False, "10.0.0.1", 5783)
    raises(ClientError, parse_uri, "http://x")
    raises(ClientError, parse_uri, "coap://host:port")
    raises(ClientError, Client, "", formats)
    client = make_client()
    raises(ClientError, lambda: client.add_server("coap://127.0.0.1", 101))
    raises(ClientError, client.update_registration, 0, 999)


def test_lifetime_zero_is_refused() -> None:
    client, (server,) = registered()
    assert server.dm(PUT, "/1/0/1", 0, b"0", 0).code == 0x80
    assert client.get_value("/1/0/1") == 300
    assert drain(client) == []


def test_server_account_added_after_start_registers() -> None:
    client, (_first,) = registered()
    client.add_server("coap://127.0.0.1:5690", 102, 120)
    update, register = drain(client)
    # 101 hears of the new /1/1 instance; 102 gets a Register.
    assert update.ssid == 101 and update.kind == "update" and b"</1/1>" in update.payload
    assert register.ssid == 102 and register.kind == "register"
    assert "lt=120" in register.query


def test_a_rewritten_server_uri_takes_effect_through_the_objects() -> None:
    client, (_server,) = registered()
    # What a bootstrap write would do: the Security instance points elsewhere now.
    client.set_value("/0/0/0", "coap://127.0.0.1:6000")
    (register,) = drain(client)
    assert register.kind == "register" and register.ssid == 101
    assert client.sessions[101].address == ("127.0.0.1", 6000)


def test_endpoint_name_modes_4_and_7() -> None:
    from lwm2m.config import ENDPOINT_MODE_IMEI, ENDPOINT_MODE_IMEI_MSISDN, endpoint_name

    for mode, expected in ((ENDPOINT_MODE_IMEI, "ep=urn:imei:490154203237511"),
                           (ENDPOINT_MODE_IMEI_MSISDN,
                            "ep=urn:imei-msisdn:490154203237511-15551234567")):
        client = Client(endpoint_name(mode, "490154203237511", "+15551234567"), formats)
        client.add_server("coap://127.0.0.1", 101)
        client.start(0)
        (register,) = drain(client)
        assert register.query[0] == expected


def test_reg_retry_from_lwm2m_cfg() -> None:
    from lwm2m.config import parse_lwm2m_cfg

    settings = parse_lwm2m_cfg("{ REG_RETRY_TIMEOUT=30; REG_RETRY_EXPONENT=3; "
                               "REG_RETRY_MAXTIMEOUT=200; }")
    client = make_client(policy=RegistrationPolicy(settings.registration_backoff()))
    client.start(0)
    now = 0
    waits = []
    for _ in range(4):
        (register,) = drain(client)
        client.request_failed(register.txn, now)
        deadline = client.get_timer()
        assert deadline is not None
        waits.append(deadline - now)
        now = deadline
        client.handle_timer(now)
    assert waits == [30000, 90000, 200000, 200000]


def test_changes_while_the_register_is_outstanding_follow_in_an_update() -> None:
    client = make_client()
    server = Server(client)
    client.start(0)
    (register,) = drain(client)
    assert "lt=300" in register.query
    client.set_lifetime(10, 101, 600)  # AT+QLWM2M="lifetime" while registering
    assert drain(client) == []
    server.answer(register, 20)
    (update,) = drain(client)
    assert update.kind == "update" and update.query == ("lt=600",)
    server.answer(update, 30)
    assert client.get_timer() == 30 + 600000 - 93000


def test_a_trigger_while_registering_adds_nothing() -> None:
    client = make_client()
    server = Server(client)
    client.start(0)
    (register,) = drain(client)
    assert server.dm(POST, "/1/0/8", 5).code == CHANGED  # the Register says it all
    assert client.sessions[101].machine.state == 1  # REGISTERING
    server.answer(register, 20)
    assert drain(client) == []


def test_remove_object_and_misuse() -> None:
    client, (server,) = registered()
    client.remove_object(19)
    (update,) = drain(client)
    assert b"</19" not in update.payload
    server.answer(update, 1)
    raises(ClientError, client.remove_object, 3)
    raises(ClientError, client.set_lifetime, 0, 999, 60)
    raises(ClientError, client.set_value, "/3", 1)
    raises(ClientError, client.get_value, "/4242/0/0")


def test_update_margin_is_never_below_max_transmit_wait() -> None:
    client = make_client(policy=RegistrationPolicy(update_margin_ms=1000))
    assert client.policy.update_margin_ms == 93000
