"""The configuration's Python API: ClientConfig / ServerAccount -> a ready Client.
Runs under MicroPython too."""

from lwm2m.client import Client
from lwm2m.clientconfig import ClientConfig, ServerAccount, build_client
from lwm2m.config import ConfigError, PskCredential, parse_bootstrap_ini
from lwm2m.config.settings import ClientSettings
from tests.support import raises

KEY = bytes(range(16))


def _rng(n: int) -> bytes:
    return bytes(n)


def _build(config: ClientConfig) -> Client:
    return build_client(config, _rng)


def test_a_server_account_becomes_security_and_server_instances() -> None:
    client = _build(ClientConfig(endpoint="ep", servers=[
        ServerAccount("coaps://127.0.0.1:5684", 101, 300, "U", "id", KEY)]))
    security, server = client.objects[0], client.objects[1]
    (sec,) = security.instance_ids()
    assert security.get_value(sec, 0) == "coaps://127.0.0.1:5684"
    assert security.get_value(sec, 2) == 0  # PSK
    assert security.get_value(sec, 3) == b"id" and security.get_value(sec, 5) == KEY
    assert security.get_value(sec, 10) == 101
    (srv,) = server.instance_ids()
    assert server.get_value(srv, 1) == 300 and server.get_value(srv, 7) == "U"
    assert client.endpoint == "ep"


def test_a_bootstrap_account_is_a_bootstrap_security_instance_only() -> None:
    client = _build(ClientConfig(endpoint="ep", servers=[
        ServerAccount("coap://127.0.0.1:5683", bootstrap=True)]))
    (sec,) = client.objects[0].instance_ids()
    assert client.objects[0].get_value(sec, 1) is True
    assert client.objects[0].get_value(sec, 10) == 100
    assert client.objects[1].instance_ids() == []


def test_endpoint_names_in_the_bg96_modes() -> None:
    account = ServerAccount("coap://127.0.0.1:5683")
    config = ClientConfig(servers=[account], imei="490154203237518")
    assert config.endpoint_name() == "urn:imei:490154203237518"
    config.settings = ClientSettings(reg_ep_name_mode=7)
    raises(ConfigError, config.endpoint_name)
    config.msisdn = "+15551234567"
    assert config.endpoint_name() == "urn:imei-msisdn:490154203237518-15551234567"
    assert _build(config).endpoint == "urn:imei-msisdn:490154203237518-15551234567"


def test_bootstrap_ini_instances_take_their_key_from_the_psk_file() -> None:
    text = ('{"bn":"/0/1/","e":[{"n":"0","sv":"coaps://10.0.0.1:5684"},{"n":"1","bv":false},'
            '{"n":"2","v":0},{"n":"10","v":101}]}\n'
            '{"bn":"/1/0/","e":[{"n":"0","v":101},{"n":"1","v":45},{"n":"6","bv":false},'
            '{"n":"7","sv":"U"}]}\n')
    config = ClientConfig(endpoint="ep")
    config.bootstrap_instances = parse_bootstrap_ini(text)
    config.psk = {101: PskCredential("iot_app_101", KEY)}
    client = _build(config)
    assert client.objects[0].get_value(1, 3) == b"iot_app_101"
    assert client.objects[0].get_value(1, 5) == KEY
    assert client.objects[1].get_value(0, 1) == 45


def test_a_flag_server_replaces_the_bootstrap_ini_account_of_its_ssid() -> None:
    text = ('{"bn":"/0/1/","e":[{"n":"0","sv":"coap://10.0.0.1:5683"},{"n":"1","bv":false},'
            '{"n":"2","v":3},{"n":"10","v":101}]}\n'
            '{"bn":"/1/0/","e":[{"n":"0","v":101},{"n":"1","v":45},{"n":"6","bv":false},'
            '{"n":"7","sv":"U"}]}\n')
    config = ClientConfig(endpoint="ep", servers=[ServerAccount("coap://127.0.0.1:9999", 101,
                                                                60)])
    config.bootstrap_instances = parse_bootstrap_ini(text)
    client = _build(config)
    uris = [client.objects[0].get_value(i, 0) for i in client.objects[0].instance_ids()]
    assert uris == ["coap://127.0.0.1:9999"]
    lifetimes = [client.objects[1].get_value(i, 1) for i in client.objects[1].instance_ids()]
    assert lifetimes == [60]


def test_bad_accounts_and_configurations_raise_config_errors() -> None:
    raises(ConfigError, lambda: ServerAccount("http://x"))
    raises(ConfigError, lambda: ServerAccount("coaps://127.0.0.1:5684"))
    raises(ConfigError, lambda: ServerAccount("coap://127.0.0.1:5683", identity="i", key=KEY))
    raises(ConfigError, lambda: ServerAccount("coap://127.0.0.1:5683", lifetime_s=0))
    raises(ConfigError, lambda: ServerAccount("coap://127.0.0.1:5683", binding="X"))
    raises(ConfigError, lambda: ServerAccount("coap://127.0.0.1:5683", ssid=0))
    raises(ConfigError, ClientConfig(endpoint="ep").check)
    raises(ConfigError, ClientConfig(servers=[ServerAccount("coap://127.0.0.1:5683")]).check)
    twice = ClientConfig(endpoint="ep", servers=[ServerAccount("coap://127.0.0.1:1", 101),
                                                 ServerAccount("coap://127.0.0.1:2", 101)])
    raises(ConfigError, _build, twice)
    # The one line names what to fix.
    try:
        ServerAccount("coaps://127.0.0.1:5684")
    except ConfigError as exc:
        assert "--psk-identity" in str(exc) and "\n" not in str(exc)


def test_lwm2m_cfg_and_carrier_apn_cfg_steer_bootstrap_and_queue_mode() -> None:
    from lwm2m.config import parse_apn_cfg

    config = ClientConfig(endpoint="ep", servers=[ServerAccount("coap://127.0.0.1:5683", 102)],
                          settings=ClientSettings(ack_timeout_s=20, rebootstrap_max_attempts=3),
                          queue_mode=True)
    config.apn_profiles = parse_apn_cfg("APN_NAME=iot\nSHORT_SERVER_ID1=102\nBS_IF_REG_FAILS=1\n")
    client = _build(config)
    assert client.reporting.awake_ms == 20000
    assert client.reporting.rebootstrap_max == 3
    assert 102 in client.reporting.bootstrap_on_failure
    assert client.queue_mode
