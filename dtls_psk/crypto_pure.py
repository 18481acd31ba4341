"""The portable backend: AES-CCM (RFC 3610) and HMAC (RFC 2104) built in Python on an
AES block function and ``hashlib``, so MicroPython's ``cryptolib`` is enough.

The backend takes two factories, so CPython tests can drive this exact code with
AES from ``cryptography``:

- ``ecb(key)`` returns a function encrypting a whole number of 16-byte blocks;
- ``cbc(key, iv, decrypt)`` returns a function running AES-CBC over whole blocks.

CCM's CBC-MAC is the last block of AES-CBC with a zero IV over the formatted input
(RFC 3610 §2.2), and its keystream is one ECB call over the counter blocks
(§2.3): two cipher calls per record, whatever the length.
"""

import hashlib

from dtls_psk.crypto import TagMismatch, ct_equal
from dtls_psk.errors import UnsupportedError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any

_ZERO16 = bytes(16)


def xor_bytes(a: bytes, b: bytes) -> bytes:
    """a XOR b for equal lengths (big integers: fast on CPython and MicroPython)."""
    n = len(a)
    if n == 0:
        return b""
    return (int.from_bytes(a, "big") ^ int.from_bytes(b, "big")).to_bytes(n, "big")


def _pad16(data: bytes) -> bytes:
    rest = len(data) % 16
    return data + bytes(16 - rest) if rest else data


class PureAead:
    """AES-CCM over block-function factories (RFC 3610)."""

    __slots__ = ("_cbc_factory", "_ecb", "_key", "_tag_len")

    tag_error = TagMismatch

    def __init__(
        self,
        key: bytes,
        tag_len: int,
        ecb: "Callable[[bytes], Callable[[bytes], bytes]]",
        cbc: "Callable[[bytes, bytes, bool], Callable[[bytes], bytes]]",
    ) -> None:
        if tag_len not in (4, 6, 8, 10, 12, 14, 16):
            raise ValueError("CCM tag length must be even, 4..16 (RFC 3610 §2)")
        self._key = key
        self._tag_len = tag_len
        self._ecb = ecb(key)
        self._cbc_factory = cbc

    def _mac_and_stream(self, nonce: bytes, msg: bytes, aad: bytes) -> "tuple[bytes, bytes]":
        q = 15 - len(nonce)  # RFC 3610 §2: L, the size of the length field
        if not 2 <= q <= 8:
            raise ValueError("CCM nonce must be 7..13 bytes")
        n = len(msg)
        if q < 8 and n >= 1 << (8 * q):
            raise ValueError("message too long for this nonce size")
        flags = (0x40 if aad else 0) | (((self._tag_len - 2) // 2) << 3) | (q - 1)
        blocks = bytes((flags,)) + nonce + n.to_bytes(q, "big")
        la = len(aad)
        if la:
            if la < 0xFF00:  # RFC 3610 §2.2: encoding of l(a)
                head = la.to_bytes(2, "big")
            elif la < 1 << 32:
                head = b"\xff\xfe" + la.to_bytes(4, "big")
            else:
                head = b"\xff\xff" + la.to_bytes(8, "big")
            blocks += _pad16(head + aad)
        blocks += _pad16(msg)
        mac = self._cbc_factory(self._key, _ZERO16, False)(blocks)[-16:]
        count = (n + 15) // 16
        prefix = bytes((q - 1,)) + nonce
        counters = b"".join(prefix + i.to_bytes(q, "big") for i in range(count + 1))
        stream = self._ecb(counters)
        tag = xor_bytes(mac[: self._tag_len], stream[: self._tag_len])
        return tag, stream[16 : 16 + n]

    def seal(self, nonce: bytes, plaintext: bytes, aad: bytes) -> bytes:
        tag, stream = self._mac_and_stream(nonce, plaintext, aad)
        return xor_bytes(plaintext, stream) + tag

    def open(self, nonce: bytes, data: bytes, aad: bytes) -> "bytes | None":
        n = len(data) - self._tag_len
        if n < 0:
            return None
        # The keystream does not depend on the message, only its length: decrypt with
        # a first pass, then recompute the tag over the recovered plaintext.
        q = 15 - len(nonce)
        if not 2 <= q <= 8:
            return None
        prefix = bytes((q - 1,)) + nonce
        count = (n + 15) // 16
        counters = b"".join(prefix + i.to_bytes(q, "big") for i in range(count + 1))
        stream = self._ecb(counters)
        plaintext = xor_bytes(data[:n], stream[16 : 16 + n])
        tag, _ = self._mac_and_stream(nonce, plaintext, aad)
        if not ct_equal(tag, data[n:]):
            return None
        return plaintext

    def decrypt(self, nonce: bytes, data: bytes, aad: bytes) -> bytes:
        """``open`` that raises ``TagMismatch`` instead of returning None."""
        plain = self.open(nonce, data, aad)
        if plain is None:
            raise TagMismatch("CCM tag does not verify")
        return plain


class PureCbc:
    """AES-CBC without padding over a CBC factory."""

    __slots__ = ("_factory", "_key")

    def __init__(
        self, key: bytes, factory: "Callable[[bytes, bytes, bool], Callable[[bytes], bytes]]"
    ) -> None:
        self._key = key
        self._factory = factory

    def encrypt(self, iv: bytes, data: bytes) -> bytes:
        return self._factory(self._key, iv, False)(data)

    def decrypt(self, iv: bytes, data: bytes) -> bytes:
        return self._factory(self._key, iv, True)(data)


class PureSha256Key:
    """HMAC-SHA256 under one key (RFC 2104) with the padded keys made once; MicroPython's
    sha256 has no copy(), so each MAC still hashes both pads."""

    __slots__ = ("_ipad", "_opad")

    def __init__(self, key: bytes) -> None:
        if len(key) > 64:
            key = hashlib.sha256(key).digest()
        key = key + bytes(64 - len(key))
        self._ipad = bytes(b ^ 0x36 for b in key)
        self._opad = bytes(b ^ 0x5C for b in key)

    def mac(self, data: bytes) -> bytes:
        inner = hashlib.sha256(self._ipad)
        inner.update(data)
        outer = hashlib.sha256(self._opad)
        outer.update(inner.digest())
        return outer.digest()

    def p_hash(self, seed: bytes, length: int) -> bytes:
        """P_SHA256(secret, seed) of RFC 5246 §5 cut to ``length``."""
        mac = self.mac
        out = b""
        a = seed  # A(0); A(i) = HMAC(secret, A(i-1))
        while len(out) < length:
            a = mac(a)
            out += mac(a + seed)
        return out[:length]


class PureBackend:
    """The seam of ``dtls_psk.crypto`` over an AES block function and ``hashlib``."""

    name = "pure"

    def __init__(
        self,
        ecb: "Callable[[bytes], Callable[[bytes], bytes]]",
        cbc: "Callable[[bytes, bytes, bool], Callable[[bytes], bytes]]",
    ) -> None:
        self._ecb = ecb
        self._cbc = cbc

    def aead(self, key: bytes, tag_len: int) -> PureAead:
        return PureAead(key, tag_len, self._ecb, self._cbc)

    def aead_calls(self, key: bytes, tag_len: int) -> "tuple[Any, Any, type[Exception]]":
        aead = self.aead(key, tag_len)
        return aead.seal, aead.decrypt, aead.tag_error

    def cbc(self, key: bytes) -> PureCbc:
        return PureCbc(key, self._cbc)

    def hmac(self, hash_name: str, key: bytes, data: bytes) -> bytes:
        # RFC 2104: H((K ^ opad) || H((K ^ ipad) || m))
        new = getattr(hashlib, hash_name, None)
        if new is None:
            raise UnsupportedError("hashlib has no " + hash_name)
        block = 128 if hash_name in ("sha384", "sha512") else 64
        if len(key) > block:
            key = new(key).digest()
        key = key + bytes(block - len(key))
        inner = new(bytes(b ^ 0x36 for b in key))
        inner.update(data)
        outer = new(bytes(b ^ 0x5C for b in key))
        outer.update(inner.digest())
        return outer.digest()  # type: ignore[no-any-return]

    def hmac_sha256(self, key: bytes, data: bytes) -> bytes:
        return self.hmac("sha256", key, data)

    def hmac_sha256_key(self, key: bytes) -> "PureSha256Key":
        return PureSha256Key(key)

    def sha256(self, data: bytes) -> bytes:
        return hashlib.sha256(data).digest()


def micropython_backend() -> PureBackend:
    """The pure backend over MicroPython's ``cryptolib`` (mode 1 ECB, mode 2 CBC)."""
    import cryptolib

    def ecb(key: bytes) -> "Callable[[bytes], bytes]":
        return cryptolib.aes(key, 1).encrypt  # type: ignore[no-any-return]

    def cbc(key: bytes, iv: bytes, decrypt: bool) -> "Callable[[bytes], bytes]":
        # A cryptolib CBC object chains across calls and serves one direction: one per use.
        aes = cryptolib.aes(key, 2, iv)
        return aes.decrypt if decrypt else aes.encrypt  # type: ignore[no-any-return]

    return PureBackend(ecb, cbc)
