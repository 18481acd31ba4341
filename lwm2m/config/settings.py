"""``lwm2m_cfg``: the client's options, ``{ KEY=VALUE; KEY=VALUE; ... }`` (spec/bg96.md).

The file's keys map to attributes of :class:`ClientSettings` (the Python API takes the
same settings by attribute name). Times keep the file's units and say so in their names.
"""

from lwm2m.backoff import Backoff
from lwm2m.config.errors import ConfigError
from lwm2m.config.text import line_of, parse_int, strip_comments

# key, attribute, default, lowest, highest (None: a string). Defaults from the BG96
# LwM2M User Guide rev. 1.1, as restated in spec/bg96.md; ranges are this project's.
FIELDS = (
    ("APN", "apn", None, None, None),
    ("RETRY_TIMEOUT", "retry_timeout_s", 30, 1, 86400),
    ("RETRY_EXPONENT_VAL", "retry_exponent", 2, 1, 16),
    ("MAX_RETRY_TIMEOUT", "max_retry_timeout_s", 640, 1, 86400),
    ("MAX_NO_RETRIES", "max_retries", 5, 0, 1000),
    ("ACK_TIMEOUT", "ack_timeout_s", 60, 1, 86400),
    ("REG_RETRY_TIMEOUT", "reg_retry_timeout_s", 60, 1, 86400),
    ("REG_RETRY_EXPONENT", "reg_retry_exponent", 2, 1, 16),
    ("REG_RETRY_MAXTIMEOUT", "reg_retry_max_timeout_s", 480, 1, 86400),
    ("ROAMING_FEAT", "roaming_feat", 1, 0, 1),
    ("PER_REGSTATUS_FEAT", "persist_registration", 0, 0, 1),
    ("BATTERY_LEVEL_THRESHOLD", "battery_level_threshold", 20, 0, 100),
    ("CARRIER_TYPE", "carrier_type", 0, 0, 1),
    ("REBOOTSTRAP_REG_FAILS_MAX_NO_ATTEMPTS", "rebootstrap_max_attempts", 0, 0, 1000),
    ("REG_EP_NAME", "reg_ep_name_mode", 4, 4, 7),
    ("BOOTSTRAP_EP_NAME", "bootstrap_ep_name_mode", 7, 4, 7),
    ("BOOT_UP_SLEEP_TIME", "boot_up_sleep_time_s", 5, 0, 3600),
    ("GPS_MIN_INTERVAL", "gps_min_interval_ms", 3000, 0, 86400000),
    ("GPS_MIN_DISTANCE", "gps_min_distance_m", 1, 0, 1000000),
)
# The guide's table once spells the persistence key FER_REGSTATUS_FEAT (spec/bg96.md).
ALIASES = {"FER_REGSTATUS_FEAT": "PER_REGSTATUS_FEAT"}
ENDPOINT_MODES = (4, 7)
_BY_KEY = {f[0]: f for f in FIELDS}
_BY_ATTRIBUTE = {f[1]: f for f in FIELDS}


class ClientSettings:
    """The ``lwm2m_cfg`` options with their defaults; keyword arguments override them."""

    __slots__ = tuple(f[1] for f in FIELDS)

    apn: "str | None"
    retry_timeout_s: int
    retry_exponent: int
    max_retry_timeout_s: int
    max_retries: int
    ack_timeout_s: int
    reg_retry_timeout_s: int
    reg_retry_exponent: int
    reg_retry_max_timeout_s: int
    roaming_feat: int
    persist_registration: int
    battery_level_threshold: int
    carrier_type: int
    rebootstrap_max_attempts: int
    reg_ep_name_mode: int
    bootstrap_ep_name_mode: int
    boot_up_sleep_time_s: int
    gps_min_interval_ms: int
    gps_min_distance_m: int

    def __init__(self, **values: "int | str | None") -> None:
        for _key, attribute, default, _low, _high in FIELDS:
            setattr(self, attribute, default)
        for attribute, value in values.items():
            field = _BY_ATTRIBUTE.get(attribute)
            if field is None:
                raise TypeError("ClientSettings has no setting %r" % attribute)
            setattr(self, attribute, _check(field, value, None, None))

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, ClientSettings):
            return NotImplemented
        return all(getattr(self, f[1]) == getattr(other, f[1]) for f in FIELDS)

    def __repr__(self) -> str:
        changed = [
            "%s=%r" % (f[1], getattr(self, f[1])) for f in FIELDS if getattr(self, f[1]) != f[2]
        ]
        return "ClientSettings(%s)" % ", ".join(changed)

    def to_text(self) -> str:
        """The settings in ``lwm2m_cfg`` form, one key per line."""
        lines = ["{"]
        for key, attribute, _default, _low, _high in FIELDS:
            value = getattr(self, attribute)
            if value is not None:
                lines.append("    %s=%s;" % (key, value))
        lines.append("}")
        return "\n".join(lines) + "\n"

    def registration_backoff(self) -> Backoff:
        """REG_RETRY_TIMEOUT / REG_RETRY_EXPONENT / REG_RETRY_MAXTIMEOUT as a back-off."""
        return Backoff(1000 * self.reg_retry_timeout_s, self.reg_retry_exponent,
                       1000 * max(self.reg_retry_max_timeout_s, self.reg_retry_timeout_s))

    def bearer_backoff(self) -> Backoff:
        """RETRY_TIMEOUT / RETRY_EXPONENT_VAL / MAX_RETRY_TIMEOUT, MAX_NO_RETRIES retries."""
        return Backoff(1000 * self.retry_timeout_s, self.retry_exponent,
                       1000 * max(self.max_retry_timeout_s, self.retry_timeout_s),
                       self.max_retries + 1)


def _check(
    field: "tuple[str, str, int | None, int | None, int | None]",
    value: "int | str | None",
    file: "str | None",
    line: "int | None",
) -> "int | str | None":
    key, _attribute, _default, low, high = field
    if low is None or high is None:
        if value is not None and not isinstance(value, str):
            raise ConfigError("expected text, got %r" % (value,), file, line, key)
        return value
    if isinstance(value, str):
        value = parse_int(value, file, line or 0, key)
    if not isinstance(value, int) or isinstance(value, bool):
        raise ConfigError("expected a whole number, got %r" % (value,), file, line, key)
    if key in ("REG_EP_NAME", "BOOTSTRAP_EP_NAME") and value not in ENDPOINT_MODES:
        raise ConfigError(
            "expected an endpoint-name mode, 4 (IMEI) or 7 (IMEI-MSISDN), got %d" % value,
            file, line, key,
        )
    if value < low or value > high:
        raise ConfigError("expected %d..%d, got %d" % (low, high, value), file, line, key)
    return value


def parse_lwm2m_cfg(text: str, file: str = "lwm2m_cfg") -> ClientSettings:
    """Parse ``lwm2m_cfg`` text. Unknown, repeated or malformed keys raise ConfigError."""
    clean = strip_comments(text, file)
    start = clean.find("{")
    if start < 0 or clean[:start].strip():
        where = len(clean) - len(clean.lstrip())
        raise ConfigError("expected the settings to open with '{'", file, line_of(clean, where))
    end = clean.rfind("}")
    if end < start:
        raise ConfigError("expected '}' closing the settings opened on line %d"
                          % line_of(clean, start), file, line_of(clean, len(clean)))
    trailing = clean[end + 1 :]
    if trailing.strip():
        where = end + 1 + len(trailing) - len(trailing.lstrip())
        raise ConfigError("unexpected text after the closing '}'", file, line_of(clean, where))
    settings = ClientSettings()
    seen: "dict[str, int]" = {}
    offset = start + 1
    for entry in clean[start + 1 : end].split(";"):
        line = line_of(clean, offset + len(entry) - len(entry.lstrip()))
        offset += len(entry) + 1
        entry = entry.strip()
        if not entry:
            continue
        if "=" not in entry:
            raise ConfigError("expected KEY=VALUE, got %r" % entry, file, line)
        key, value = entry.split("=", 1)
        key = key.strip()
        key = ALIASES.get(key, key)
        field = _BY_KEY.get(key)
        if field is None:
            raise ConfigError("unknown key (known keys: %s)" % ", ".join(sorted(_BY_KEY)),
                              file, line, key)
        if key in seen:
            raise ConfigError("set twice (first on line %d)" % seen[key], file, line, key)
        seen[key] = line
        setattr(settings, field[1], _check(field, value.strip(), file, line))
    return settings
