"""Endpoint names from the device identity, in the BG96's modes (spec/bg96.md):
mode 4 ``urn:imei:<IMEI>``, mode 7 ``urn:imei-msisdn:<IMEI>-<MSISDN>``."""

from lwm2m.config.errors import ConfigError

ENDPOINT_MODE_IMEI = 4
ENDPOINT_MODE_IMEI_MSISDN = 7


def endpoint_name(mode: int, imei: "str | None", msisdn: "str | None" = None) -> str:
    """The endpoint name for ``mode``; a missing or malformed identity raises ConfigError."""
    if mode not in (ENDPOINT_MODE_IMEI, ENDPOINT_MODE_IMEI_MSISDN):
        raise ConfigError("endpoint-name mode must be 4 (IMEI) or 7 (IMEI-MSISDN), got %r"
                          % (mode,))
    # 3GPP TS 23.003 §6.2: an IMEI has 15 digits (an IMEISV 16).
    if not imei or not imei.isdigit() or len(imei) not in (15, 16):
        raise ConfigError("endpoint-name mode %d needs the IMEI (15 digits), got %r"
                          % (mode, imei))
    if mode == ENDPOINT_MODE_IMEI:
        return "urn:imei:" + imei
    digits = msisdn[1:] if msisdn and msisdn.startswith("+") else msisdn
    if not digits:
        raise ConfigError("endpoint-name mode 7 needs an MSISDN, and none is configured")
    # ITU-T E.164: at most 15 digits.
    if not digits.isdigit() or len(digits) > 15:
        raise ConfigError("the MSISDN must be up to 15 digits, got %r" % (msisdn,))
    return "urn:imei-msisdn:%s-%s" % (imei, digits)
