"""The crypto seam: the few primitives DTLS 1.2 PSK needs, behind one small interface.

A backend offers::

    backend.name                      # "cryptography" or "pure"
    backend.aead(key, tag_len)        # AES-CCM: .seal(nonce, plaintext, aad) -> bytes
                                      #          .open(nonce, data, aad) -> bytes | None
    backend.cbc(key)                  # AES-CBC, no padding: .encrypt(iv, data) / .decrypt(iv, data)
    backend.hmac(hash_name, key, data)
    backend.hmac_sha256(key, data)
    backend.sha256(data)

``open`` returns None when the tag does not verify: an unauthentic record is dropped,
never raised (RFC 6347 §4.1.2.7). ``default_backend()`` picks ``cryptography`` when it
imports (CPython) and otherwise the pure backend over MicroPython's ``cryptolib``.
"""

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

_default: "Any" = None


def default_backend() -> "Any":
    """The process-wide backend: ``cryptography`` if importable, else ``cryptolib``."""
    global _default
    if _default is None:
        try:
            from dtls_psk.crypto_cryptography import CryptographyBackend

            _default = CryptographyBackend()
        except ImportError:
            from dtls_psk.crypto_pure import micropython_backend

            _default = micropython_backend()
    return _default


def ct_equal(a: bytes, b: bytes) -> bool:
    """Compare MACs and verify_data without an early exit on the first difference."""
    if len(a) != len(b):
        return False
    diff = 0
    for i in range(len(a)):
        diff |= a[i] ^ b[i]
    return diff == 0


def prf(
    backend: "Any", secret: bytes, label: bytes, seed: bytes, length: int, hash_name: str = "sha256"
) -> bytes:
    """TLS 1.2 PRF (RFC 5246 §5): P_hash(secret, label + seed) cut to ``length`` bytes."""
    seed = label + seed
    out = bytearray()
    a = seed  # A(0) = seed; A(i) = HMAC(secret, A(i-1))
    while len(out) < length:
        a = backend.hmac(hash_name, secret, a)
        out += backend.hmac(hash_name, secret, a + seed)
    return bytes(out[:length])
