"""BG96 configuration files: lwm2m_cfg, carrier_apn_cfg, PSK files, endpoint names.

Every error must name the file, the line and the key, in one line a person can act on.
Also runs under MicroPython.
"""

from lwm2m.config import (
    ApnProfile,
    ClientSettings,
    ConfigError,
    PskCredential,
    endpoint_name,
    format_psk_file,
    parse_apn_cfg,
    parse_lwm2m_cfg,
    parse_psk_file,
)
from tests.support import raises

GUIDE_CFG = """{
    RETRY_TIMEOUT=30; RETRY_EXPONENT_VAL=2; MAX_RETRY_TIMEOUT=640;
    MAX_NO_RETRIES=5;
    ACK_TIMEOUT=60;
    REG_RETRY_TIMEOUT=60; REG_RETRY_EXPONENT=2; REG_RETRY_MAXTIMEOUT=480;
    PER_REGSTATUS_FEAT=1;
    REG_EP_NAME=7; BOOTSTRAP_EP_NAME=4;
    APN=iot.example;
}
"""


def test_defaults_are_the_guides() -> None:
    s = ClientSettings()
    assert s.retry_timeout_s == 30 and s.retry_exponent == 2 and s.max_retry_timeout_s == 640
    assert s.max_retries == 5 and s.ack_timeout_s == 60
    assert (s.reg_retry_timeout_s, s.reg_retry_exponent, s.reg_retry_max_timeout_s) == (60, 2, 480)
    assert s.roaming_feat == 1 and s.persist_registration == 0
    assert s.reg_ep_name_mode == 4 and s.bootstrap_ep_name_mode == 7
    assert s.boot_up_sleep_time_s == 5 and s.gps_min_interval_ms == 3000
    assert s.apn is None


def test_parse_the_guide_form() -> None:
    s = parse_lwm2m_cfg(GUIDE_CFG)
    assert s.persist_registration == 1
    assert s.reg_ep_name_mode == 7 and s.bootstrap_ep_name_mode == 4
    assert s.apn == "iot.example"
    assert s == ClientSettings(persist_registration=1, reg_ep_name_mode=7,
                               bootstrap_ep_name_mode=4, apn="iot.example")


def test_text_round_trip() -> None:
    s = ClientSettings(ack_timeout_s=20, apn="x", carrier_type=1)
    assert parse_lwm2m_cfg(s.to_text()) == s


def test_comments_and_the_misspelt_persistence_key() -> None:
    s = parse_lwm2m_cfg("/* saved by the module */\n{ FER_REGSTATUS_FEAT=1; // typo in guide\n}")
    assert s.persist_registration == 1


def test_errors_name_file_line_and_key() -> None:
    cases = [
        ("{\n RETRY_TIMEOUT=abc;\n}", 2, "RETRY_TIMEOUT", "whole number"),
        ("{\n\n REG_EP_NAME=5;\n}", 3, "REG_EP_NAME", "4 (IMEI) or 7"),
        ("{ ACK_TIMEOUT=0; }", 1, "ACK_TIMEOUT", "1..86400"),
        ("{\n ACK_TIMEOUT=5;\n ACK_TIMEOUT=6; }", 3, "ACK_TIMEOUT", "first on line 2"),
        ("{\n REG_RETRY_TIMOUT=5; }", 2, "REG_RETRY_TIMOUT", "unknown key"),
        ("{\n ACK_TIMEOUT 5; }", 2, None, "KEY=VALUE"),
        ("ACK_TIMEOUT=5;", 1, None, "open with '{'"),
        ("{ ACK_TIMEOUT=5;\n", 2, None, "expected '}'"),
        ("{ ACK_TIMEOUT=5; }\nx", 2, None, "after the closing"),
        ("/* never closed\n{ }", 1, None, "never closed"),
    ]
    for text, line, key, words in cases:
        err = raises(ConfigError, parse_lwm2m_cfg, text, "/etc/lwm2m/lwm2m_cfg")
        assert err.file == "/etc/lwm2m/lwm2m_cfg", text
        assert err.line == line, (text, err.line)
        assert err.key == key, (text, err.key)
        assert words in str(err), (text, str(err))
        assert str(err).startswith("/etc/lwm2m/lwm2m_cfg:%d: " % line)
        assert "\n" not in str(err)


def test_python_api_checks_values() -> None:
    raises(ConfigError, lambda: ClientSettings(reg_ep_name_mode=3))
    raises(ConfigError, lambda: ClientSettings(ack_timeout_s=True))
    raises(TypeError, lambda: ClientSettings(no_such_setting=1))


def test_retry_back_off() -> None:
    # REG_RETRY_*: 60, 120, 240, 480, then capped at 480.
    s = ClientSettings()
    reg = s.registration_backoff()
    assert [reg.delay_ms(n) for n in range(1, 7)] == [
        60000, 120000, 240000, 480000, 480000, 480000]
    assert not reg.exhausted(1000)
    bearer = s.bearer_backoff()
    assert [bearer.delay_ms(n) for n in range(1, 8)] == [
        30000, 60000, 120000, 240000, 480000, 640000, 640000]
    # MAX_NO_RETRIES=5: the first attempt and five retries.
    assert not bearer.exhausted(5) and bearer.exhausted(6)
    # A cap below the first delay (a plausible typo) means "no growth", not an error.
    assert ClientSettings(reg_retry_timeout_s=600).registration_backoff().delay_ms(3) == 600000


APN_TEXT = """/* carrier profile */
APN_NAME=iot.carrier
APN_CLASS=3
SHORT_SERVER_ID1=101
BS_IF_REG_FAILS=1
;
APN_NAME=second
SHORT_SERVER_ID2=104
SHORT_SERVER_ID1=103
;
"""


def test_apn_blocks() -> None:
    profiles = parse_apn_cfg(APN_TEXT)
    assert profiles == [
        ApnProfile("iot.carrier", 3, [101], True),
        ApnProfile("second", 2, [103, 104], False),
    ]
    assert parse_apn_cfg("") == []
    assert parse_apn_cfg("APN_NAME=a") == [ApnProfile("a")]


def test_apn_errors() -> None:
    cases = [
        ("APN_NAME=a\nAPN_CLASS=x\n", 2, "APN_CLASS"),
        ("APN_NAME=a\nSHORT_SERVER_ID1=0\n", 2, "SHORT_SERVER_ID1"),
        ("APN_NAME=a\nBS_IF_REG_FAILS=2\n", 2, "BS_IF_REG_FAILS"),
        ("APN_NAME=a\nAPN_NAME=b\n", 2, "APN_NAME"),
        ("APN_NAME=a\nAPN_TYPE=b\n", 2, "APN_TYPE"),
        ("APN_NAME=a\nnonsense\n", 2, None),
        ("APN_NAME=a ;\n", 1, None),
    ]
    for text, line, key in cases:
        err = raises(ConfigError, parse_apn_cfg, text, "carrier_apn_cfg")
        assert (err.file, err.line, err.key) == ("carrier_apn_cfg", line, key), (text, str(err))


def test_psk_file() -> None:
    cred = parse_psk_file("iot_app_101:000102030405060708090a0b0c0d0e0f\n")
    assert cred == PskCredential("iot_app_101", bytes(range(16)))
    assert format_psk_file(cred) == "iot_app_101:000102030405060708090a0b0c0d0e0f\n"
    # The BG96's derived identity holds a ':' of its own.
    cred = parse_psk_file("IMEI:864508030012428_QUECTELTMOBILEDDI:ab\n")
    assert cred.identity == "IMEI:864508030012428_QUECTELTMOBILEDDI" and cred.key == b"\xab"
    assert "ab" not in repr(PskCredential("x", b"\xab"))


def test_psk_errors() -> None:
    for text, words in [
        ("", "empty"),
        ("nokey\n", "no ':'"),
        (":0011\n", "identity"),
        ("id:001\n", "even number"),
        ("id:zz\n", "not hexadecimal"),
        ("id:00\nid2:00\n", "another"),
        ("id:" + "00" * 513, "longer"),
    ]:
        err = raises(ConfigError, parse_psk_file, text, "ssl/101_server.psk")
        assert err.file == "ssl/101_server.psk" and words in str(err), (text, str(err))


def test_endpoint_names() -> None:
    assert endpoint_name(4, "864508030012428") == "urn:imei:864508030012428"
    # The guide's example name.
    assert endpoint_name(7, "864508030012428", "5755127091") == (
        "urn:imei-msisdn:864508030012428-5755127091")
    assert endpoint_name(7, "864508030012428", "+5755127091").endswith("-5755127091")
    err = raises(ConfigError, endpoint_name, 7, "864508030012428", None)
    assert "MSISDN" in str(err)
    raises(ConfigError, endpoint_name, 4, "12345")
    raises(ConfigError, endpoint_name, 4, None)
    raises(ConfigError, endpoint_name, 5, "864508030012428")
    raises(ConfigError, endpoint_name, 7, "864508030012428", "12ab")
