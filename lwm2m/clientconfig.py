"""What a host needs to build a Client: the Python API of the configuration.

One ``ClientConfig`` gathers what the BG96 configuration directory says
(``lwm2m.config.load_directory``) and what command-line options say, and
``build_client(config, rng)`` turns it into a ready ``lwm2m.client.Client``: the factory
bootstrap (``bootstrap.ini`` instances, or server accounts given as ``ServerAccount``)
written into the Security (0), Server (1) and Access Control (2) objects, PSK keys from
``ssl/<ssid>_server.psk`` filled into Security instances that lack them, the endpoint
name from the IMEI / MSISDN in the BG96 modes 4 and 7, the registration back-off of
``lwm2m_cfg``. Both hosts (``lwm2m.aio``, ``lwm2m.mpy``) use it; it runs on MicroPython.

Precedence: a directory is read first, then explicit settings (flags) override or add
to it; a server account given with the same Short Server ID as one of
``bootstrap.ini`` replaces it.
"""

from lwm2m.config.directory import ClientConfiguration, load_directory
from lwm2m.config.endpoint import endpoint_name
from lwm2m.config.errors import ConfigError
from lwm2m.config.settings import ClientSettings

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any

    from lwm2m.client import Client

# Security (Core Appendix E.1) and Server (E.2) resources used here.
SEC_URI = 0
SEC_BOOTSTRAP = 1
SEC_MODE = 2
SEC_IDENTITY = 3
SEC_SECRET = 5
SEC_SSID = 10
MODE_PSK = 0
MODE_NO_SEC = 3
BINDINGS = ("U", "UQ", "S", "SQ", "US", "UQS", "N", "T")
DEFAULT_SSID = 101
BOOTSTRAP_SSID = 100  # spec/bg96.md: 100_server.psk is the bootstrap server's


class ServerAccount:
    """One LwM2M (or bootstrap, ``bootstrap=True``) server account, as flags give it."""

    __slots__ = ("binding", "bootstrap", "identity", "key", "lifetime_s", "ssid", "uri")

    def __init__(self, uri: str, ssid: "int | None" = None, lifetime_s: int = 86400,
                 binding: str = "U", identity: "bytes | str | None" = None,
                 key: "bytes | None" = None, bootstrap: bool = False) -> None:
        from lwm2m.client import ClientError, parse_uri

        try:
            secure, _host, _port = parse_uri(uri)
        except ClientError as exc:
            raise ConfigError("%s (expected coap://HOST:PORT or coaps://HOST:PORT)" % exc,
                              key="--server") from None
        if ssid is None:
            ssid = BOOTSTRAP_SSID if bootstrap else DEFAULT_SSID
        if not 0 < ssid < 65535:
            raise ConfigError("expected a Short Server ID 1..65534, got %d" % ssid, key="ssid")
        if lifetime_s <= 0:
            raise ConfigError("expected a positive lifetime in seconds, got %d" % lifetime_s,
                              key="--lifetime")
        if binding not in BINDINGS:
            raise ConfigError("expected a binding among %s, got %r" % (", ".join(BINDINGS),
                                                                      binding), key="--binding")
        if isinstance(identity, str):
            identity = identity.encode()
        if secure and (not key or not identity):
            raise ConfigError("a coaps:// server needs a PSK identity and key "
                              "(--psk-identity ID --psk-key HEX)", key="--server")
        if not secure and (key or identity):
            raise ConfigError("a PSK needs a coaps:// server", key="--psk-identity/--psk-key")
        self.uri = uri
        self.ssid = ssid
        self.lifetime_s = lifetime_s
        self.binding = binding
        self.identity = identity
        self.key = key
        self.bootstrap = bootstrap

    @property
    def secure(self) -> bool:
        return self.uri.startswith("coaps://")

    def __repr__(self) -> str:
        return "ServerAccount(%r, ssid=%d%s)" % (self.uri, self.ssid,
                                                 ", bootstrap" if self.bootstrap else "")


class ClientConfig:
    """Everything that makes one client. Attributes (all optional but an endpoint name,
    or an IMEI to derive it from, and a server from somewhere):

    ``endpoint``: the endpoint name; ``imei`` / ``msisdn``: derive it instead
    (``lwm2m_cfg`` REG_EP_NAME mode 4 or 7); ``servers``: ``ServerAccount`` list;
    ``directory``: a BG96 configuration directory (read by ``load``); ``settings``:
    ``ClientSettings`` (``lwm2m_cfg``); ``queue_mode``; ``version`` (1.0 / 1.1);
    ``persist``: a persistence directory; ``keylog``: an NSS key log file name;
    ``manufacturer``, ``model``, ``serial``, ``firmware_version`` for the Device object.
    """

    __slots__ = ("apn_profiles", "bootstrap_instances", "directory", "endpoint",
                 "firmware_version", "imei", "keylog", "loaded", "manufacturer", "model",
                 "msisdn", "persist", "psk", "queue_mode", "serial", "servers", "settings",
                 "version")

    def __init__(self, endpoint: "str | None" = None, servers: "list[ServerAccount] | None" = None,
                 directory: "str | None" = None, settings: "ClientSettings | None" = None,
                 queue_mode: bool = False, version: str = "1.1", persist: "str | None" = None,
                 keylog: "str | None" = None, imei: "str | None" = None,
                 msisdn: "str | None" = None, manufacturer: str = "pylwm2m",
                 model: str = "soft client", serial: str = "", firmware_version: str = "0.1.0"
                 ) -> None:
        self.endpoint = endpoint
        self.servers = list(servers or [])
        self.directory = directory
        self.settings = settings if settings is not None else ClientSettings()
        self.queue_mode = queue_mode
        self.version = version
        self.persist = persist
        self.keylog = keylog
        self.imei = imei
        self.msisdn = msisdn
        self.manufacturer = manufacturer
        self.model = model
        self.serial = serial
        self.firmware_version = firmware_version
        # Filled by ``load``: bootstrap.ini instances and PSKs by Short Server ID.
        self.bootstrap_instances: "list[Any]" = []
        self.psk: "dict[int, Any]" = {}
        self.apn_profiles: "list[Any]" = []
        self.loaded = False

    def load(self) -> "ClientConfiguration | None":
        """Read ``directory`` (when set) into this configuration; ConfigError on faults."""
        if self.directory is None or self.loaded:
            return None
        found = load_directory(self.directory)
        self.loaded = True
        self.merge(found)
        return found

    def merge(self, found: ClientConfiguration) -> None:
        """Take what a loaded configuration directory says (settings, bootstrap.ini,
        PSK files); explicit server accounts keep precedence when ``build_client`` runs."""
        self.settings = found.settings
        self.bootstrap_instances = list(found.bootstrap)
        self.psk = dict(found.psk)
        self.apn_profiles = list(found.apn_profiles)

    def endpoint_name(self) -> str:
        """The endpoint name: given, or derived from the IMEI / MSISDN (modes 4, 7)."""
        if self.endpoint:
            return self.endpoint
        if self.imei is None:
            raise ConfigError("no endpoint name: give one (--endpoint) or the IMEI to derive "
                              "it from (--imei)", key="--endpoint")
        return endpoint_name(self.settings.reg_ep_name_mode, self.imei, self.msisdn)

    def check(self) -> None:
        """Raise ConfigError when the configuration cannot make a working client."""
        self.endpoint_name()
        if not self.servers and not self.bootstrap_instances:
            raise ConfigError("no server: give --server coap(s)://HOST:PORT or a "
                              "configuration directory with bootstrap.ini", key="--server")
        if self.version not in ("1.0", "1.1"):
            raise ConfigError("expected LwM2M version 1.0 or 1.1, got %r" % self.version,
                              key="--lwm2m-version")


def build_client(config: ClientConfig, rng: "Callable[[int], bytes]",
                 transport_options: "dict[str, Any] | None" = None, **options: "Any") -> "Client":
    """A Client made from ``config`` (see the module docstring). ``options`` go to
    ``Client`` (e.g. ``coap_params``)."""
    from lwm2m import registration as reg
    from lwm2m.client import Client

    config.check()
    settings = config.settings
    policy = reg.RegistrationPolicy(settings.registration_backoff())
    client = Client(config.endpoint_name(), version=config.version, policy=policy,
                    queue_mode=config.queue_mode, manufacturer=config.manufacturer,
                    model=config.model, serial=config.serial,
                    firmware_version=config.firmware_version, rng=rng,
                    transport_options=transport_options, **options)
    explicit = {a.ssid for a in config.servers}
    replaced_security = set()
    for inst in config.bootstrap_instances:
        if inst.oid == 0 and inst.value(SEC_SSID) in explicit:
            replaced_security.add(inst.iid)
    for inst in config.bootstrap_instances:
        if inst.oid == 0 and inst.iid in replaced_security:
            continue
        if inst.oid == 1 and inst.value(0) in explicit:
            continue
        apply_instance(client, inst.oid, inst.iid, _records(inst, config))
    for account in config.servers:
        add_account(client, account)
    # What steers bootstrap and queue mode (spec/bg96.md): carrier_apn_cfg BS_IF_REG_FAILS,
    # lwm2m_cfg REBOOTSTRAP_REG_FAILS_MAX_NO_ATTEMPTS and ACK_TIMEOUT.
    reporting = client.reporting
    for profile in config.apn_profiles:
        if profile.bs_if_reg_fails:
            reporting.bootstrap_on_failure.update(profile.short_server_ids)
    reporting.rebootstrap_max = settings.rebootstrap_max_attempts
    reporting.awake_ms = 1000 * settings.ack_timeout_s
    return client


def _records(inst: "Any", config: ClientConfig) -> "list[tuple[tuple[int, ...], Any]]":
    records = list(inst.records)
    if inst.oid != 0 or inst.value(SEC_MODE) != MODE_PSK:
        return records
    # spec/bg96.md: a PSK-mode Security instance without its key takes it from
    # ssl/<ssid>_server.psk (load_directory checked that one of the two exists).
    if inst.value(SEC_IDENTITY) and inst.value(SEC_SECRET):
        return records
    credential = config.psk.get(inst.value(SEC_SSID))
    if credential is None:
        return records
    records = [r for r in records if r[0][2] not in (SEC_IDENTITY, SEC_SECRET)]
    records.append(((0, inst.iid, SEC_IDENTITY), credential.identity.encode()))
    records.append(((0, inst.iid, SEC_SECRET), credential.key))
    return records


def apply_instance(client: "Client", oid: int, iid: int,
                   records: "list[tuple[tuple[int, ...], Any]]") -> None:
    """Create (or replace) instance ``oid``/``iid`` from the factory bootstrap."""
    from objects.base import CALLER_LOCAL
    from objects.errors import ObjectError

    obj = client.objects.get(oid)
    if obj is None:
        raise ConfigError("bootstrap.ini writes object %d, which this client lacks" % oid,
                          key="/%d/%d" % (oid, iid))
    if obj.has_instance(iid):
        obj.delete(iid, CALLER_LOCAL)
    try:
        obj.create(records, iid, CALLER_LOCAL)
    except ObjectError as exc:
        raise ConfigError("cannot create the instance: %s" % exc,
                          key="/%d/%d" % (oid, iid)) from None


def add_account(client: "Client", account: ServerAccount) -> None:
    """A server account as Security + Server instances (a bootstrap account: Security only)."""
    for iid in client.objects[0].instance_ids():
        try:
            same = client.objects[0].get_value(iid, SEC_SSID) == account.ssid
        except Exception:
            same = False
        if same:
            raise ConfigError("Short Server ID %d is configured twice" % account.ssid,
                              key="ssid")
    if account.bootstrap:
        security = {SEC_URI: account.uri, SEC_BOOTSTRAP: True,
                    SEC_MODE: MODE_PSK if account.secure else MODE_NO_SEC,
                    SEC_IDENTITY: account.identity or b"", 4: b"",
                    SEC_SECRET: account.key or b"", SEC_SSID: account.ssid}
        client.objects[0].add_instance(None, security)
        return
    client.add_server(account.uri, account.ssid, account.lifetime_s, account.binding,
                      identity=account.identity or b"", secret=account.key or b"")
