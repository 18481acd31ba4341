"""``carrier_apn_cfg``: APN profiles, ``KEY=VALUE`` lines in blocks that a line holding
``;`` separates, with C comments allowed (spec/bg96.md)."""

from lwm2m.config.errors import ConfigError
from lwm2m.config.text import parse_int, strip_comments


class ApnProfile:
    """One APN block: which servers it serves and whether they fall back to bootstrap."""

    __slots__ = ("apn_class", "apn_name", "bs_if_reg_fails", "short_server_ids")

    def __init__(
        self,
        apn_name: str = "carrierAPN1",
        apn_class: int = 2,
        short_server_ids: "list[int] | None" = None,
        bs_if_reg_fails: bool = False,
    ) -> None:
        self.apn_name = apn_name
        self.apn_class = apn_class
        # SHORT_SERVER_ID1 defaults to 102 in the guide.
        self.short_server_ids = [102] if short_server_ids is None else short_server_ids
        self.bs_if_reg_fails = bs_if_reg_fails

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, ApnProfile):
            return NotImplemented
        return (self.apn_name, self.apn_class, self.short_server_ids, self.bs_if_reg_fails) == (
            other.apn_name, other.apn_class, other.short_server_ids, other.bs_if_reg_fails)

    def __repr__(self) -> str:
        return "ApnProfile(%r, apn_class=%d, short_server_ids=%r, bs_if_reg_fails=%r)" % (
            self.apn_name, self.apn_class, self.short_server_ids, self.bs_if_reg_fails)


def parse_apn_cfg(text: str, file: str = "carrier_apn_cfg") -> "list[ApnProfile]":
    """Parse ``carrier_apn_cfg`` text into its blocks, in file order."""
    profiles = []
    block: "dict[str, tuple[int, str]]" = {}
    for number, raw in enumerate(strip_comments(text, file).split("\n"), 1):
        line = raw.strip()
        if ";" in line:
            before, _sep, after = line.partition(";")
            if before.strip() or after.strip():
                raise ConfigError("a block separator ';' must stand on a line of its own",
                                  file, number)
            if block:
                profiles.append(_profile(block, file))
            block = {}
            continue
        if not line:
            continue
        if "=" not in line:
            raise ConfigError("expected KEY=VALUE, got %r" % line, file, number)
        key, value = line.split("=", 1)
        key = key.strip()
        if key in block:
            raise ConfigError("set twice in one block (first on line %d)" % block[key][0],
                              file, number, key)
        block[key] = (number, value.strip())
    if block:
        profiles.append(_profile(block, file))
    return profiles


def _profile(block: "dict[str, tuple[int, str]]", file: str) -> ApnProfile:
    profile = ApnProfile()
    ids = []
    for key, (line, value) in sorted(block.items()):
        if key == "APN_NAME":
            if not value:
                raise ConfigError("expected an APN name, got nothing", file, line, key)
            profile.apn_name = value
        elif key == "APN_CLASS":
            profile.apn_class = _ranged(value, 1, 255, file, line, key)
        elif key == "BS_IF_REG_FAILS":
            profile.bs_if_reg_fails = _ranged(value, 0, 1, file, line, key) == 1
        elif key.startswith("SHORT_SERVER_ID") and key[15:].isdigit():
            # OMA LwM2M Core, Server object /1/x/0: Short Server ID is 1..65534.
            ids.append((int(key[15:]), _ranged(value, 1, 65534, file, line, key)))
        else:
            raise ConfigError(
                "unknown key (known: APN_NAME, APN_CLASS, SHORT_SERVER_ID<n>, BS_IF_REG_FAILS)",
                file, line, key)
    if ids:
        profile.short_server_ids = [ssid for _n, ssid in sorted(ids)]
    return profile


def _ranged(value: str, low: int, high: int, file: str, line: int, key: str) -> int:
    number = parse_int(value, file, line, key)
    if number < low or number > high:
        raise ConfigError("expected %d..%d, got %d" % (low, high, number), file, line, key)
    return number
