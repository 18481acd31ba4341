"""Factory bootstrap from a BG96 configuration directory (spec/bg96.md): bootstrap.ini,
ssl/<ssid>_server.psk, lwm2m_cfg and carrier_apn_cfg; then registration over DTLS-PSK
with the key from the PSK file. pytest only (files)."""

import pathlib

from lwm2m import events as ev
from lwm2m.bootstrap_client import factory_bootstrap
from lwm2m.config import load_directory
from lwm2m.server.psk import PskStore
from tests.lwm2m.reporting_net import EP, Net, make_client
from tests.lwm2m.test_client_bootstrap import _pure_backend

KEY = bytes(range(16, 48))

BOOTSTRAP_INI = """\
{"bn":"/0/0/","e":[{"n":"0","sv":"coaps://127.0.0.1:5684"},{"n":"1","bv":false},
 {"n":"2","v":0},{"n":"10","v":101}]}
{"bn":"/1/0/","e":[{"n":"0","v":101},{"n":"1","v":120},{"n":"6","bv":true},{"n":"7","sv":"U"}]}
"""


def _directory(tmp_path: pathlib.Path) -> pathlib.Path:
    (tmp_path / "bootstrap.ini").write_text(BOOTSTRAP_INI)
    (tmp_path / "lwm2m_cfg").write_text(
        "{ ACK_TIMEOUT=30; REBOOTSTRAP_REG_FAILS_MAX_NO_ATTEMPTS=2; }\n")
    (tmp_path / "carrier_apn_cfg").write_text("APN_NAME=iot\nSHORT_SERVER_ID1=101\n"
                                              "BS_IF_REG_FAILS=1\n")
    (tmp_path / "ssl").mkdir()
    (tmp_path / "ssl" / "101_server.psk").write_text("iot_app_101:" + KEY.hex() + "\n")
    return tmp_path


def test_factory_bootstrap_from_a_configuration_directory(tmp_path: pathlib.Path) -> None:
    config = load_directory(str(_directory(tmp_path)))
    client = make_client(transport_options={"dtls_options": {"backend": _pure_backend()}})
    factory_bootstrap(client, config)
    # The Security and Server instances, the PSK from ssl/101_server.psk.
    assert client.get_value("/0/0/0") == "coaps://127.0.0.1:5684"
    assert client.get_value("/0/0/3") == b"iot_app_101" and client.get_value("/0/0/5") == KEY
    assert client.get_value("/1/0/1") == 120 and client.get_value("/1/0/6") is True
    assert client.reporting.awake_ms == 30000
    assert client.reporting.bootstrap_on_failure == {101}
    assert client.reporting.rebootstrap_max == 2
    net = Net(client)
    store = PskStore()
    store.add(EP, "iot_app_101", KEY)
    server = net.add_server(5684, listener="coaps", psk=store)
    client.start(0)
    net.run(20000, lambda: server.registration(EP) is not None)
    registration = server.registration(EP)
    assert registration is not None and registration.lifetime_s == 120
    assert client.state == ev.STATE_READY
