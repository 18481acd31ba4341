"""The CPython backend: AES-CCM and AES-CBC from ``cryptography``, HMAC from ``hmac``.

Importing this module raises ImportError where ``cryptography`` is missing, which is
how ``crypto.default_backend`` falls back to the pure backend.
"""

import hashlib
import hmac

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.ciphers.aead import AESCCM

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

# RFC 2104 ipad / opad applied to a whole padded key by one bytes.translate.
_IPAD = bytes(b ^ 0x36 for b in range(256))
_OPAD = bytes(b ^ 0x5C for b in range(256))


class CryptographyAead:
    """AES-CCM with one key and tag length (RFC 3610; nonce length sets L)."""

    __slots__ = ("_ccm", "decrypt", "seal")

    tag_error = InvalidTag

    def __init__(self, key: bytes, tag_len: int) -> None:
        self._ccm = AESCCM(key, tag_len)
        # seal(nonce, plaintext, aad) and decrypt(nonce, data, aad) are AESCCM's own
        # methods: no Python wrapper on the hot path.
        self.seal = self._ccm.encrypt
        self.decrypt = self._ccm.decrypt

    def open(self, nonce: bytes, data: bytes, aad: bytes) -> "bytes | None":
        try:
            return self._ccm.decrypt(nonce, data, aad)
        except InvalidTag:
            return None


class CryptographyCbc:
    """AES-CBC without padding (TLS adds its own, RFC 5246 §6.2.3.2)."""

    __slots__ = ("_aes",)

    def __init__(self, key: bytes) -> None:
        self._aes = algorithms.AES(key)

    def encrypt(self, iv: bytes, data: bytes) -> bytes:
        enc = Cipher(self._aes, modes.CBC(iv)).encryptor()
        return enc.update(data) + enc.finalize()

    def decrypt(self, iv: bytes, data: bytes) -> bytes:
        dec = Cipher(self._aes, modes.CBC(iv)).decryptor()
        return dec.update(data) + dec.finalize()


class Sha256Key:
    """HMAC-SHA256 under one key (RFC 2104), the two keyed SHA-256 states computed once
    and copied per MAC: the PRF runs 4 to 8 MACs under one key, and a copy is cheaper
    than the key setup (and the digest lookup) of each hmac.digest call."""

    __slots__ = ("_inner", "_outer")

    def __init__(self, key: bytes) -> None:
        if len(key) > 64:
            key = hashlib.sha256(key).digest()
        key = key.ljust(64, b"\x00")
        self._inner = hashlib.sha256(key.translate(_IPAD)).copy
        self._outer = hashlib.sha256(key.translate(_OPAD)).copy

    def mac(self, data: bytes) -> bytes:
        inner = self._inner()
        inner.update(data)
        outer = self._outer()
        outer.update(inner.digest())
        return outer.digest()

    def p_hash(self, seed: bytes, length: int) -> bytes:
        """P_SHA256(secret, seed) of RFC 5246 §5 cut to ``length``, the MACs inline."""
        new_inner, new_outer = self._inner, self._outer
        # A(0) = seed, A(i) = HMAC(secret, A(i-1)); block i = HMAC(secret, A(i) + seed).
        a = seed
        out = b""
        while len(out) < length:
            h = new_inner()
            h.update(a)
            o = new_outer()
            o.update(h.digest())
            a = o.digest()
            h = new_inner()
            h.update(a + seed)
            o = new_outer()
            o.update(h.digest())
            out += o.digest()
        return out[:length]


class CryptographyBackend:
    """The seam of ``dtls_psk.crypto`` over ``cryptography`` and the standard library."""

    name = "cryptography"

    # The classes themselves (a class is no descriptor: ``backend.aead(key, tag_len)``
    # calls it directly): no wrapper call per key, four or five keys a handshake.
    aead = CryptographyAead
    hmac_sha256_key = Sha256Key

    @staticmethod
    def aead_calls(key: bytes, tag_len: int) -> "tuple[Any, Any, type[Exception]]":
        """AESCCM's own bound methods: no wrapper object per key."""
        ccm = AESCCM(key, tag_len)
        return ccm.encrypt, ccm.decrypt, InvalidTag

    def cbc(self, key: bytes) -> CryptographyCbc:
        return CryptographyCbc(key)

    def hmac(self, hash_name: str, key: bytes, data: bytes) -> bytes:
        return hmac.digest(key, data, hash_name)

    def hmac_sha256(self, key: bytes, data: bytes) -> bytes:
        return hmac.digest(key, data, "sha256")

    def sha256(self, data: bytes) -> bytes:
        return hashlib.sha256(data).digest()
