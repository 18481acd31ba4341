"""The exception family of ``dtls_psk``.

Two sides, as in h11: the remote peer sent something wrong (``DecodeError`` for bytes
that do not parse, ``ProtocolError`` for well-formed messages that break the protocol;
both are caught at the single entry point ``receive_datagram`` and become alerts or
events), or the local program misused the API (``UsageError``, raised to the caller).
"""


class DtlsError(Exception):
    """Base of every error this package raises."""


class DecodeError(DtlsError):
    """Bytes from the wire that do not parse (RFC 5246 alert decode_error)."""


class ProtocolError(DtlsError):
    """A remote protocol violation; carries the fatal alert description to send."""

    def __init__(self, description: int, reason: str) -> None:
        super().__init__(reason)
        self.description = description
        self.reason = reason


class UsageError(DtlsError):
    """The local program called the API wrongly (state, sizes, configuration)."""


class UnsupportedError(DtlsError):
    """A primitive the selected crypto backend cannot provide."""
