"""Bootstrap (ETS 1.1-int-0 / int-1) and its failure paths: the Client against the
embedded Bootstrap-Server and LwM2M server, stepped time. Runs under MicroPython."""

from lwm2m import events as ev
from lwm2m.backoff import Backoff
from lwm2m.bootstrap import BootstrapFailed, BootstrapFinished
from lwm2m.bootstrap_client import factory_bootstrap
from lwm2m.config import ClientConfiguration, parse_apn_cfg, parse_bootstrap_ini
from lwm2m.registration import RegistrationPolicy
from lwm2m.server.bootstrap_script import load_script
from lwm2m.server.psk import PskStore
from tests.lwm2m.reporting_net import BS_URI, DM_URI, EP, Net, make_client

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from lwm2m.client import Client

PSK_IDENTITY = "ep-psk-identity"
PSK_KEY = bytes(range(16))


def _script(uri: str = DM_URI, ssid: int = 101, psk: bool = False,
            write_security: bool = True) -> "dict[str, Any]":
    security: "dict[str, Any]" = {"0": uri, "1": False, "2": 0 if psk else 3, "10": ssid}
    if psk:
        security["3"] = PSK_IDENTITY
        security["5"] = {"hex": PSK_KEY.hex()}
    steps: "list[dict[str, Any]]" = [{"op": "discover", "path": "/"},
                                     {"op": "delete", "path": "/"}]
    if write_security:
        steps.append({"op": "write", "path": "/0/1", "values": security})
    steps.append({"op": "write", "path": "/1/0",
                  "values": {"0": ssid, "1": 300, "6": False, "7": "U"}})
    return {EP: {"steps": steps}}


def _bootstrap_only(**kwargs: "Any") -> "Client":
    client = make_client(**kwargs)
    client.objects[0].add_instance(0, {0: BS_URI, 1: True, 2: 3, 3: b"", 4: b"", 5: b""})
    return client


def test_lwm2m_1_1_int_0_client_initiated_bootstrap() -> None:
    client = _bootstrap_only()
    net = Net(client)
    bs = net.add_server(5783, bootstrap=load_script(_script()))
    dm = net.add_server(5683)
    client.start(0)
    net.run(60000, lambda: dm.registration(EP) is not None)
    assert dm.registration(EP) is not None and client.state == ev.STATE_READY
    states = net.states()
    assert states[:2] == [ev.STATE_BOOTSTRAP_REQUIRED, ev.STATE_BOOTSTRAPPING]
    assert states[-1] == ev.STATE_READY and ev.STATE_REGISTERING in states
    kinds = [type(e).__name__ for e in net.events]
    assert kinds.count("BootstrapStepDone") == 4 and "BootstrapCompleted" in kinds
    mine = [type(e).__name__ for e in net.client_events]
    assert mine.index("BootstrapFinished") < mine.index("Registered")
    # Bootstrap-Delete / kept the Bootstrap-Server account; the new account was added.
    assert client.objects[0].instance_ids() == [0, 1]
    assert client.get_value("/0/0/1") is True and client.get_value("/0/1/10") == 101
    assert net.client_take("BootstrapFinished")
    # Bootstrap-Discover showed the account with its ssid and uri.
    done = [e for e in net.events if type(e).__name__ == "BootstrapStepDone"]
    payload = done[0].response.payload
    assert payload.startswith(b"</>;lwm2m=1.1,") and b'</0/0>;uri="' + BS_URI.encode() in payload
    assert bs.registration(EP) is None


def _pure_backend() -> "object":
    from tests.dtls_psk.backends import pure_over_cryptography

    try:
        return pure_over_cryptography()
    except ImportError:
        from dtls_psk.crypto_pure import micropython_backend

        return micropython_backend()


def test_lwm2m_1_1_int_1_client_initiated_bootstrap_full_psk() -> None:
    client = _bootstrap_only(transport_options={"dtls_options": {"backend": _pure_backend()}})
    net = Net(client)
    net.add_server(5783, bootstrap=load_script(_script("coaps://127.0.0.1:5684", psk=True)))
    store = PskStore()
    store.add(EP, PSK_IDENTITY, PSK_KEY)
    dm = net.add_server(5684, listener="coaps", psk=store)
    client.start(0)
    net.run(60000, lambda: dm.registration(EP) is not None)
    assert dm.registration(EP) is not None
    # int-401 checks on what the bootstrap wrote: coaps:// and security mode 0 (PSK).
    assert client.get_value("/0/1/0").startswith("coaps://")
    assert client.get_value("/0/1/2") == 0
    assert client.sessions[101].transport is not None
    assert client.sessions[101].transport.handshakes == 1


def test_bootstrap_refused_then_retried() -> None:
    client = _bootstrap_only()
    net = Net(client)
    bs = net.add_server(5783, bootstrap=load_script({"someone-else": {"steps": []}}))
    dm = net.add_server(5683)
    client.start(0)
    net.run(1000)
    (failed,) = net.client_take("BootstrapFailed")
    assert failed.attempts == 1 and not failed.final and failed.retry_at_ms == 60000 + 0
    assert client.state == ev.STATE_BOOTSTRAPPING
    bs.bootstrap = load_script(_script())
    net.run(59999)
    assert not net.take("BootstrapRequested")
    net.run(61000)
    assert net.take("BootstrapRequested")
    net.run(90000, lambda: dm.registration(EP) is not None)
    assert dm.registration(EP) is not None


def test_bootstrap_finish_inconsistent_then_quiet_server_timeout_and_retry() -> None:
    client = _bootstrap_only()
    net = Net(client)
    # No Security instance for the Server instance: Bootstrap-Finish is answered 4.06.
    bs = net.add_server(5783, bootstrap=load_script(_script(write_security=False)))
    dm = net.add_server(5683)
    client.start(0)
    net.run(5000)
    (failed,) = net.take("BootstrapFailed")
    assert "4.06" in failed.reason
    assert client.state == ev.STATE_BOOTSTRAPPING and dm.registration(EP) is None
    # The Bootstrap-Server says nothing more: after the finish timeout (EXCHANGE_LIFETIME)
    # the attempt fails and the client asks again after the back-off.
    bs.bootstrap = load_script(_script())
    net.run(247000 + 1000)
    quiet = net.client_take("BootstrapFailed")
    assert len(quiet) == 1 and "Bootstrap-Finish" in quiet[0].reason
    net.run(247000 + 60000 + 30000, lambda: dm.registration(EP) is not None)
    assert dm.registration(EP) is not None
    assert isinstance(net.client_take("BootstrapFinished")[0], BootstrapFinished)


BOOTSTRAP_INI = (
    '{"bn":"/0/0/","e":[{"n":"0","sv":"coap://127.0.0.1:5783"},{"n":"1","bv":true},'
    '{"n":"2","v":3}]}\n'
    '{"bn":"/0/1/","e":[{"n":"0","sv":"coap://127.0.0.1:5999"},{"n":"1","bv":false},'
    '{"n":"2","v":3},{"n":"10","v":101}]}\n'
    '{"bn":"/1/0/","e":[{"n":"0","v":101},{"n":"1","v":300},{"n":"6","bv":false},'
    '{"n":"7","sv":"U"}]}\n'
)


def _factory_client(apn: str) -> "Client":
    policy = RegistrationPolicy(Backoff(10000, 2, 20000, 2))
    client = make_client(policy=policy)
    config = ClientConfiguration(bootstrap=parse_bootstrap_ini(BOOTSTRAP_INI),
                                 apn_profiles=parse_apn_cfg(apn))
    factory_bootstrap(client, config)
    return client


def test_factory_bootstrap_then_bootstrap_when_registration_fails() -> None:
    # carrier_apn_cfg BS_IF_REG_FAILS=1 for server 101, whose address does not answer.
    client = _factory_client("APN_NAME=test\nSHORT_SERVER_ID1=101\nBS_IF_REG_FAILS=1\n")
    assert client.reporting.bootstrap_on_failure == {101}
    net = Net(client)
    net.add_server(5783, bootstrap=load_script(_script()))
    dm = net.add_server(5683)
    client.start(0)
    net.run(600000, lambda: dm.registration(EP) is not None)
    assert dm.registration(EP) is not None
    failures = net.client_take("RegistrationFailed")
    assert failures[-1].final and failures[-1].attempts == 2
    assert net.take("BootstrapCompleted") and client.get_value("/0/1/0") == DM_URI


def test_no_bootstrap_fallback_unless_configured() -> None:
    client = _factory_client("APN_NAME=test\nSHORT_SERVER_ID1=101\nBS_IF_REG_FAILS=0\n")
    net = Net(client)
    bs = net.add_server(5783, bootstrap=load_script(_script()))
    client.start(0)
    net.run(600000)
    assert client.state == ev.STATE_REGISTRATION_FAILED
    assert not [e for e in net.events if type(e).__name__ == "BootstrapRequested"]
    assert bs.registration(EP) is None


def test_bootstrap_request_trigger() -> None:
    client = make_client()
    client.objects[0].add_instance(0, {0: BS_URI, 1: True, 2: 3, 3: b"", 4: b"", 5: b""})
    client.add_server(DM_URI, 101, 300)
    net = Net(client)
    net.add_server(5783, bootstrap=load_script(_script("coap://127.0.0.1:5685", 102)))
    dm = net.add_server(5683)
    second = net.add_server(5685)
    client.start(0)
    net.run(10000, lambda: dm.registration(EP) is not None)
    # /1/x/9 Bootstrap-Request Trigger: 2.04, then the client bootstraps.
    assert net.wait(dm.execute(EP, "/1/0/9")).code == 0x44
    net.run(net.now_ms + 60000, lambda: second.registration(EP) is not None)
    assert net.take("BootstrapCompleted")
    assert second.registration(EP) is not None and list(client.sessions) == [102]


def test_bootstrap_failures_exhausted() -> None:
    client = _bootstrap_only(policy=RegistrationPolicy(Backoff(1000, 2, 4000, 3)))
    net = Net(client)
    net.add_server(5783, bootstrap=load_script({"someone-else": {"steps": []}}))
    client.start(0)
    net.run(60000)
    failed = [e for e in net.client_events if isinstance(e, BootstrapFailed)]
    assert [f.attempts for f in failed] == [1, 2, 3] and failed[-1].final
    assert client.state == ev.STATE_BOOTSTRAP_FAILED


def test_client_hold_off_time_before_the_bootstrap_request() -> None:
    client = make_client()
    client.objects[0].add_instance(0, {0: BS_URI, 1: True, 2: 3, 3: b"", 4: b"", 5: b"",
                                       11: 5})
    net = Net(client)
    net.add_server(5783, bootstrap=load_script(_script()))
    client.start(0)
    # Core §6.1.3 (/0/x/11): wait for a server-initiated bootstrap first.
    net.run(4999)
    assert not net.take("BootstrapRequested") and client.state == ev.STATE_BOOTSTRAPPING
    net.run(5000)
    assert net.take("BootstrapRequested")


def test_bootstrap_over_dtls_psk() -> None:
    backend = _pure_backend()
    client = make_client(transport_options={"dtls_options": {"backend": backend}})
    client.objects[0].add_instance(0, {0: "coaps://127.0.0.1:5784", 1: True, 2: 0,
                                       3: b"bs-identity", 4: b"", 5: PSK_KEY})
    net = Net(client)
    store = PskStore()
    store.add(EP, "bs-identity", PSK_KEY)
    net.add_server(5784, listener="coaps", psk=store, bootstrap=load_script(_script()))
    dm = net.add_server(5683)
    client.start(0)
    net.run(60000, lambda: dm.registration(EP) is not None)
    assert dm.registration(EP) is not None and net.take("BootstrapCompleted")
    transport = client.reporting.bootstrap_transport
    assert transport is not None and transport.handshakes == 1


def test_bootstrap_server_unreachable_request_times_out_and_is_retried() -> None:
    client = _bootstrap_only()
    net = Net(client)  # nothing listens at the Bootstrap-Server's address
    client.start(0)
    net.run(200000)
    failed = net.client_take("BootstrapFailed")
    # RFC 7252 §4.8.2: a CON gives up after MAX_TRANSMIT_WAIT (at most 93 s); then the
    # back-off (60 s) and a second Bootstrap-Request.
    assert len(failed) >= 1 and failed[0].attempts == 1 and not failed[0].final
    assert "Timed" in failed[0].reason or "timeout" in failed[0].reason
    assert failed[0].retry_at_ms is not None and failed[0].retry_at_ms <= 93000 + 60000
    assert client.state == ev.STATE_BOOTSTRAPPING
