"""Alert levels and descriptions (RFC 5246 §7.2, RFC 4279 §2, RFC 5746 §4.5)."""

WARNING = 1
FATAL = 2

CLOSE_NOTIFY = 0
UNEXPECTED_MESSAGE = 10
BAD_RECORD_MAC = 20
RECORD_OVERFLOW = 22
HANDSHAKE_FAILURE = 40
ILLEGAL_PARAMETER = 47
DECODE_ERROR = 50
DECRYPT_ERROR = 51
PROTOCOL_VERSION = 70
INSUFFICIENT_SECURITY = 71
INTERNAL_ERROR = 80
USER_CANCELED = 90
NO_RENEGOTIATION = 100
UNSUPPORTED_EXTENSION = 110
UNKNOWN_PSK_IDENTITY = 115

NAMES = {
    CLOSE_NOTIFY: "close_notify",
    UNEXPECTED_MESSAGE: "unexpected_message",
    BAD_RECORD_MAC: "bad_record_mac",
    RECORD_OVERFLOW: "record_overflow",
    HANDSHAKE_FAILURE: "handshake_failure",
    ILLEGAL_PARAMETER: "illegal_parameter",
    DECODE_ERROR: "decode_error",
    DECRYPT_ERROR: "decrypt_error",
    PROTOCOL_VERSION: "protocol_version",
    INSUFFICIENT_SECURITY: "insufficient_security",
    INTERNAL_ERROR: "internal_error",
    USER_CANCELED: "user_canceled",
    NO_RENEGOTIATION: "no_renegotiation",
    UNSUPPORTED_EXTENSION: "unsupported_extension",
    UNKNOWN_PSK_IDENTITY: "unknown_psk_identity",
}


def describe(description: int) -> str:
    """A printable name for an alert description."""
    return NAMES.get(description, "alert_%d" % description)
