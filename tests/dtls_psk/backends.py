"""The crypto backends every test runs against: on CPython both the ``cryptography``
backend and the pure backend (driven by AES blocks from ``cryptography``, so its CCM
and HMAC code runs in pytest too); under MicroPython the ``cryptolib`` backend."""

from dtls_psk.crypto_pure import PureBackend, micropython_backend

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any


def pure_over_cryptography() -> PureBackend:
    """The pure backend with AES-ECB / AES-CBC block functions from ``cryptography``."""
    from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

    def ecb(key: bytes) -> "Callable[[bytes], bytes]":
        cipher = Cipher(algorithms.AES(key), modes.ECB())

        def run(data: bytes) -> bytes:
            enc = cipher.encryptor()
            return enc.update(data) + enc.finalize()

        return run

    def cbc(key: bytes, iv: bytes, decrypt: bool) -> "Callable[[bytes], bytes]":
        cipher = Cipher(algorithms.AES(key), modes.CBC(iv))
        ctx = cipher.decryptor() if decrypt else cipher.encryptor()

        def run(data: bytes) -> bytes:
            return ctx.update(data) + ctx.finalize()

        return run

    return PureBackend(ecb, cbc)


def all_backends() -> "list[Any]":
    try:
        from dtls_psk.crypto_cryptography import CryptographyBackend
    except ImportError:
        return [micropython_backend()]
    return [CryptographyBackend(), pure_over_cryptography()]
