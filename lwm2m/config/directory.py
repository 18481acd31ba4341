"""The BG96 configuration directory, read whole (spec/bg96.md "Configuration files").

::

    bootstrap.ini            factory bootstrap (Security, Server, Access Control)
    lwm2m_cfg                client options
    carrier_apn_cfg          APN profiles
    ssl/<ssid>_server.psk    PSK identity and key per short server id
    lwm2m_app_autostart      present: the client starts by itself

Every file is optional except that a Security instance in PSK mode needs its key:
either in the instance (``/0/x/3`` identity and ``/0/x/5`` key) or in
``ssl/<ssid>_server.psk``, where ``ssid`` is the instance's ``/0/x/10``. Problems are
reported as :class:`ConfigError` naming the file and line. This module reads files
(``open``, ``os.listdir``), so hosts call it; it runs on MicroPython too.
"""

import os

from lwm2m.config.apn import ApnProfile, parse_apn_cfg
from lwm2m.config.bootstrap_ini import BootstrapInstance, parse_bootstrap_ini
from lwm2m.config.errors import ConfigError
from lwm2m.config.psk import PskCredential, parse_psk_file
from lwm2m.config.settings import ClientSettings, parse_lwm2m_cfg

SECURITY = 0
SECURITY_MODE_PSK = 0
PSK_SUFFIX = "_server.psk"


class ClientConfiguration:
    """Everything the configuration directory says."""

    __slots__ = ("apn_profiles", "autostart", "bootstrap", "directory", "psk", "settings")

    def __init__(
        self,
        settings: "ClientSettings | None" = None,
        bootstrap: "list[BootstrapInstance] | None" = None,
        apn_profiles: "list[ApnProfile] | None" = None,
        psk: "dict[int, PskCredential] | None" = None,
        autostart: bool = False,
        directory: "str | None" = None,
    ) -> None:
        self.settings = settings if settings is not None else ClientSettings()
        self.bootstrap = bootstrap if bootstrap is not None else []
        self.apn_profiles = apn_profiles if apn_profiles is not None else []
        self.psk = psk if psk is not None else {}
        self.autostart = autostart
        self.directory = directory

    def security_instances(self) -> "list[BootstrapInstance]":
        return [inst for inst in self.bootstrap if inst.oid == SECURITY]


def _read(path: str) -> "str | None":
    try:
        with open(path) as fh:
            return fh.read()
    except OSError:
        return None
    except UnicodeError:
        raise ConfigError("the file is not UTF-8 text", path) from None


def _exists(path: str) -> bool:
    try:
        os.stat(path)
    except OSError:
        return False
    return True


def load_directory(directory: str) -> ClientConfiguration:
    """Read and check a configuration directory."""
    directory = directory.rstrip("/") or "/"
    if not _exists(directory):
        raise ConfigError("the configuration directory does not exist", directory)
    config = ClientConfiguration(directory=directory)
    path = directory + "/lwm2m_cfg"
    text = _read(path)
    if text is not None:
        config.settings = parse_lwm2m_cfg(text, path)
    path = directory + "/carrier_apn_cfg"
    text = _read(path)
    if text is not None:
        config.apn_profiles = parse_apn_cfg(text, path)
    path = directory + "/bootstrap.ini"
    text = _read(path)
    if text is not None:
        config.bootstrap = parse_bootstrap_ini(text, path)
    config.psk = _load_psk_files(directory + "/ssl")
    config.autostart = _exists(directory + "/lwm2m_app_autostart")
    check_credentials(config, directory + "/bootstrap.ini")
    return config


def _load_psk_files(ssl_dir: str) -> "dict[int, PskCredential]":
    found: "dict[int, PskCredential]" = {}
    try:
        names = os.listdir(ssl_dir)
    except OSError:
        return found
    for name in sorted(names):
        path = ssl_dir + "/" + name
        if not name.endswith(".psk"):
            continue
        stem = name[: -len(PSK_SUFFIX)] if name.endswith(PSK_SUFFIX) else ""
        if not stem.isdigit() or not 0 < int(stem) < 65535:
            raise ConfigError("expected <short-server-id>_server.psk, e.g. 101_server.psk", path)
        text = _read(path)
        if text is None:
            raise ConfigError("the PSK file cannot be read", path)
        found[int(stem)] = parse_psk_file(text, path)
    return found


def check_credentials(config: ClientConfiguration, bootstrap_file: str) -> None:
    """Every PSK-mode Security instance has an identity and a key from somewhere."""
    for inst in config.security_instances():
        if inst.value(2) != SECURITY_MODE_PSK:
            continue
        has_inline = inst.value(3) and inst.value(5)
        ssid = inst.value(10)
        if has_inline or (ssid is not None and ssid in config.psk):
            continue
        where = "/0/%d" % inst.iid
        if ssid is None:
            raise ConfigError(
                "security mode 0 (PSK) needs /0/%d/3 and /0/%d/5, or a Short Server ID "
                "(/0/%d/10) naming ssl/<ssid>_server.psk" % (inst.iid, inst.iid, inst.iid),
                bootstrap_file, inst.line, where)
        raise ConfigError(
            "security mode 0 (PSK) needs ssl/%d_server.psk or /0/%d/3 and /0/%d/5"
            % (ssid, inst.iid, inst.iid), bootstrap_file, inst.line, where)
