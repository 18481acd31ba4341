"""The crypto seam: the few primitives DTLS 1.2 PSK needs, behind one small interface.

A backend offers::

    backend.name                      # "cryptography" or "pure"
    backend.aead(key, tag_len)        # AES-CCM: .seal(nonce, plaintext, aad) -> bytes
                                      #          .open(nonce, data, aad) -> bytes | None
                                      #          .decrypt(nonce, data, aad) -> bytes,
                                      #          raising .tag_error on a bad tag
    backend.aead_calls(key, tag_len)  # (seal, decrypt, tag_error) of one aead(key, tag_len):
                                      #   what the record layer keeps
    backend.cbc(key)                  # AES-CBC, no padding: .encrypt(iv, data) / .decrypt(iv, data)
    backend.hmac(hash_name, key, data)
    backend.hmac_sha256(key, data)
    backend.hmac_sha256_key(key)      # HMAC-SHA256 under a key set up once:
                                      #   .mac(data), .p_hash(seed, length) (RFC 5246 §5)
    backend.sha256(data)

``open`` returns None when the tag does not verify: an unauthentic record is dropped,
never raised (RFC 6347 §4.1.2.7). ``decrypt`` is the same check raising the backend's
``tag_error`` (``cryptography``'s InvalidTag, or ``TagMismatch``): the record layer
catches it, and so calls the C method directly on CPython. ``default_backend()``
picks ``cryptography`` when it imports (CPython) and otherwise the pure backend over
MicroPython's ``cryptolib``.
"""

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

_default: "Any" = None


class TagMismatch(Exception):
    """The pure backend's ``decrypt``: the AEAD tag does not verify."""


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


try:
    # CPython: the C constant-time comparison (a Python loop costs about 1 us per
    # Finished or cookie check). MicroPython has no hmac module: the loop below.
    from hmac import compare_digest

    ct_equal = compare_digest
except ImportError:

    def ct_equal(a: bytes, b: bytes) -> bool:  # type: ignore[misc]
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
    if hash_name == "sha256":
        return backend.hmac_sha256_key(secret).p_hash(label + seed, length)  # type: ignore[no-any-return]
    seed = label + seed
    out = bytearray()
    a = seed  # A(0) = seed; A(i) = HMAC(secret, A(i-1))
    while len(out) < length:
        a = backend.hmac(hash_name, secret, a)
        out += backend.hmac(hash_name, secret, a + seed)
    return bytes(out[:length])
