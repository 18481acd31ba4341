"""The PSK cipher suites we speak and how each protects records."""

from dtls_psk.errors import UsageError
from dtls_psk.records import AeadProtection, CbcProtection

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any

PSK_AES128_CCM8 = 0xC0A8  # RFC 6655 §4; the suite LwM2M mandates
PSK_AES128_CCM = 0xC0A4  # RFC 6655 §4
PSK_AES128_CBC_SHA256 = 0x00AE  # RFC 5487 §3.1; LwM2M 1.1 Transport §5.2.8

# suite: (IANA name, OpenSSL name, mac_key_len, enc_key_len, fixed_iv_len, tag_len)
SUITES = {
    PSK_AES128_CCM8: ("TLS_PSK_WITH_AES_128_CCM_8", "PSK-AES128-CCM8", 0, 16, 4, 8),
    PSK_AES128_CCM: ("TLS_PSK_WITH_AES_128_CCM", "PSK-AES128-CCM", 0, 16, 4, 16),
    PSK_AES128_CBC_SHA256: (
        "TLS_PSK_WITH_AES_128_CBC_SHA256",
        "PSK-AES128-CBC-SHA256",
        32,
        16,
        0,
        0,
    ),
}
NAMES = {code: info[0] for code, info in SUITES.items()}
DEFAULT_SUITES = [PSK_AES128_CCM8, PSK_AES128_CCM, PSK_AES128_CBC_SHA256]


def suite_by_name(name: str) -> int:
    """The code of a suite named the IANA or the OpenSSL way (case-insensitive)."""
    wanted = name.upper().replace("_", "-")
    for code, info in SUITES.items():
        if wanted in (info[0].replace("_", "-"), info[1]):
            return code
    raise UsageError(
        "unknown cipher suite %r (known: %s)"
        % (name, ", ".join(info[1] for info in SUITES.values()))
    )


def key_lengths(suite: int) -> "tuple[int, int, int]":
    info = SUITES[suite]
    return info[2], info[3], info[4]


def protection(
    suite: int, backend: "Any", mac_key: bytes, key: bytes, iv: bytes, rng: "Callable[[int], bytes]"
) -> "Any":
    """The record protection of one direction for ``suite``."""
    info = SUITES[suite]
    if info[5]:
        return AeadProtection(backend, key, iv, info[5])
    return CbcProtection(backend, mac_key, key, rng)
