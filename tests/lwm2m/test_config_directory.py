"""The configuration directory read whole, with the cross-file credential check."""

from pathlib import Path

import pytest

from lwm2m.config import ConfigError, PskCredential, load_directory

BOOTSTRAP = (
    '{"bn":"/0/1/","e":[{"n":"0","sv":"coaps://127.0.0.1:5684"},{"n":"1","bv":false},'
    '{"n":"2","v":0},{"n":"10","v":101}]}\n'
    '{"bn":"/1/0/","e":[{"n":"0","v":101},{"n":"1","v":300},{"n":"6","bv":false},'
    '{"n":"7","sv":"U"}]}\n'
)


def write(directory: Path, name: str, text: str) -> None:
    path = directory / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


def test_full_directory(tmp_path: Path) -> None:
    write(tmp_path, "bootstrap.ini", BOOTSTRAP)
    write(tmp_path, "lwm2m_cfg", "{ REG_RETRY_TIMEOUT=10; APN=iot; }")
    write(tmp_path, "carrier_apn_cfg", "APN_NAME=iot\nSHORT_SERVER_ID1=101\n;\n")
    write(tmp_path, "ssl/101_server.psk", "ep1:000102\n")
    write(tmp_path, "lwm2m_app_autostart", "")
    config = load_directory(str(tmp_path))
    assert config.settings.reg_retry_timeout_s == 10 and config.settings.apn == "iot"
    assert [(i.oid, i.iid) for i in config.bootstrap] == [(0, 1), (1, 0)]
    assert config.apn_profiles[0].short_server_ids == [101]
    assert config.psk == {101: PskCredential("ep1", b"\x00\x01\x02")}
    assert config.autostart


def test_empty_directory_gives_defaults(tmp_path: Path) -> None:
    config = load_directory(str(tmp_path))
    assert config.bootstrap == [] and config.psk == {} and not config.autostart


def test_missing_psk_is_named(tmp_path: Path) -> None:
    write(tmp_path, "bootstrap.ini", BOOTSTRAP)
    with pytest.raises(ConfigError) as err:
        load_directory(str(tmp_path))
    assert "ssl/101_server.psk" in str(err.value)
    assert err.value.file == str(tmp_path / "bootstrap.ini") and err.value.line == 1


@pytest.mark.parametrize(
    ("name", "text", "words"),
    [
        ("ssl/abc_server.psk", "a:00\n", "<short-server-id>_server.psk"),
        ("ssl/101_server.psk", "a:0\n", "even number"),
        ("lwm2m_cfg", "{ NOPE=1; }", "unknown key"),
        ("carrier_apn_cfg", "APN_CLASS=x\n", "whole number"),
    ],
)
def test_errors_name_the_file(tmp_path: Path, name: str, text: str, words: str) -> None:
    write(tmp_path, name, text)
    with pytest.raises(ConfigError) as err:
        load_directory(str(tmp_path))
    assert str(err.value).startswith(str(tmp_path / name)) and words in str(err.value)


def test_missing_directory(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="does not exist"):
        load_directory(str(tmp_path / "nope"))
