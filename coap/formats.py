"""Content-Format numbers (RFC 7252 §12.3 and the IANA CoAP registry) used by LwM2M.

OMA LwM2M 1.0 servers may still send the pre-registration numbers 1541-1543, so they
are kept under LEGACY_* names.
"""

TEXT = 0  # text/plain; charset=utf-8
LINK_FORMAT = 40  # application/link-format (RFC 6690)
OCTET_STREAM = 42  # application/octet-stream
CBOR = 60  # application/cbor
SENML_JSON = 110  # application/senml+json (RFC 8428)
SENML_CBOR = 112  # application/senml+cbor (RFC 8428)
LWM2M_TLV = 11542  # application/vnd.oma.lwm2m+tlv
LWM2M_JSON = 11543  # application/vnd.oma.lwm2m+json
LWM2M_CBOR = 11544  # application/vnd.oma.lwm2m+cbor (LwM2M 1.2)
LEGACY_LWM2M_TEXT = 1541  # LwM2M 1.0 drafts' numbers, before IANA registration
LEGACY_LWM2M_TLV = 1542
LEGACY_LWM2M_JSON = 1543

NAMES = {
    TEXT: "text/plain;charset=utf-8",
    LINK_FORMAT: "application/link-format",
    OCTET_STREAM: "application/octet-stream",
    CBOR: "application/cbor",
    SENML_JSON: "application/senml+json",
    SENML_CBOR: "application/senml+cbor",
    LWM2M_TLV: "application/vnd.oma.lwm2m+tlv",
    LWM2M_JSON: "application/vnd.oma.lwm2m+json",
    LWM2M_CBOR: "application/vnd.oma.lwm2m+cbor",
    LEGACY_LWM2M_TEXT: "application/vnd.oma.lwm2m+text (legacy 1541)",
    LEGACY_LWM2M_TLV: "application/vnd.oma.lwm2m+tlv (legacy 1542)",
    LEGACY_LWM2M_JSON: "application/vnd.oma.lwm2m+json (legacy 1543)",
}


def format_name(number: int) -> str:
    """The media type of a content format, or its number in brackets when unknown."""
    return NAMES.get(number) or "(%d)" % number
