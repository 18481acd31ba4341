"""DTLS 1.2 with pre-shared keys (RFC 6347, RFC 4279): record layer, client and server
handshakes, cipher suites and the crypto backends, as sans-IO state machines.

Public names: ``DtlsClient``, ``DtlsServer``, ``Session``; the events
``HandshakeCompleted``, ``ApplicationData``, ``AlertReceived``, ``HandshakeFailed``,
``ConnectionClosed``, ``PeerAddressChanged``; the errors ``DtlsError``,
``DecodeError``, ``UsageError``; the suite codes ``PSK_AES128_CCM8``,
``PSK_AES128_CCM``, ``PSK_AES128_CBC_SHA256`` and ``suite_by_name``.
"""

from dtls_psk.client import DtlsClient
from dtls_psk.errors import DecodeError, DtlsError, UsageError
from dtls_psk.events import (
    AlertReceived,
    ApplicationData,
    ConnectionClosed,
    HandshakeCompleted,
    HandshakeFailed,
    PeerAddressChanged,
)
from dtls_psk.server import DtlsServer
from dtls_psk.session import Session
from dtls_psk.suites import PSK_AES128_CBC_SHA256, PSK_AES128_CCM, PSK_AES128_CCM8, suite_by_name

__all__ = [
    "PSK_AES128_CBC_SHA256",
    "PSK_AES128_CCM",
    "PSK_AES128_CCM8",
    "AlertReceived",
    "ApplicationData",
    "ConnectionClosed",
    "DecodeError",
    "DtlsClient",
    "DtlsError",
    "DtlsServer",
    "HandshakeCompleted",
    "HandshakeFailed",
    "PeerAddressChanged",
    "Session",
    "UsageError",
    "suite_by_name",
]
