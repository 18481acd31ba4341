"""Settings shared by the client and the server, checked once at construction."""

from dtls_psk.crypto import default_backend
from dtls_psk.errors import UsageError
from dtls_psk.suites import DEFAULT_SUITES, SUITES

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any


class Config:
    """Knobs of one endpoint; see ``DtlsClient`` and ``DtlsServer`` for their meaning."""

    __slots__ = (
        "backend",
        "cid",
        "cipher_suites",
        "extended_master_secret",
        "handshake_timeout_ms",
        "keylog",
        "mtu",
        "record_size_limit",
        "require_extended_master_secret",
        "retransmit_initial_ms",
        "retransmit_max_ms",
        "rng",
    )

    def __init__(
        self,
        rng: "Callable[[int], bytes]",
        cipher_suites: "list[int] | None" = None,
        mtu: int = 1200,
        retransmit_initial_ms: int = 1000,
        retransmit_max_ms: int = 60000,
        handshake_timeout_ms: int = 60000,
        extended_master_secret: bool = True,
        require_extended_master_secret: bool = False,
        cid: "bytes | None" = None,
        record_size_limit: "int | None" = None,
        keylog: "Callable[[str], None] | None" = None,
        backend: "Any" = None,
    ) -> None:
        if backend is None:
            backend = default_backend()
        suites = list(DEFAULT_SUITES if cipher_suites is None else cipher_suites)
        # The defaults are known good: only a caller's list is checked.
        if cipher_suites is not None and (not suites or not set(suites).issubset(SUITES)):
            raise UsageError("cipher_suites must name supported suites: %r" % (suites,))
        if not 128 <= mtu <= 65507:  # 128 leaves room for a fragment under any suite
            raise UsageError("mtu must be 128..65507 bytes")
        if not 0 < retransmit_initial_ms <= retransmit_max_ms:
            raise UsageError("need 0 < retransmit_initial_ms <= retransmit_max_ms")
        if handshake_timeout_ms <= 0:
            raise UsageError("handshake_timeout_ms must be positive")
        if record_size_limit is not None and not 64 <= record_size_limit <= 16385:
            raise UsageError("record_size_limit must be 64..16385 (RFC 8449 §4)")
        if cid is not None and len(cid) > 255:
            raise UsageError("a connection ID has at most 255 bytes")
        if require_extended_master_secret and not extended_master_secret:
            raise UsageError("requiring EMS needs extended_master_secret=True")
        self.rng = rng
        self.cipher_suites = suites
        self.mtu = mtu
        self.retransmit_initial_ms = retransmit_initial_ms
        self.retransmit_max_ms = retransmit_max_ms
        self.handshake_timeout_ms = handshake_timeout_ms
        self.extended_master_secret = extended_master_secret
        self.require_extended_master_secret = require_extended_master_secret
        self.cid = cid
        self.record_size_limit = record_size_limit
        self.keylog = keylog
        self.backend = backend
