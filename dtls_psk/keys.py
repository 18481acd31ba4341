"""Key schedule of TLS 1.2 as DTLS 1.2 uses it with pre-shared keys."""

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any


def psk_premaster_secret(psk: bytes) -> bytes:
    """RFC 4279 §2: uint16 N, N zero bytes, uint16 N, the PSK."""
    n = len(psk).to_bytes(2, "big")
    return n + bytes(len(psk)) + n + psk


def master_secret(backend: "Any", premaster: bytes, seed: bytes, extended: bool) -> bytes:
    """RFC 5246 §8.1, or RFC 7627 §4 when ``extended`` (``seed`` is then the session hash,
    otherwise client_random + server_random)."""
    label = b"extended master secret" if extended else b"master secret"
    # prf() with SHA-256, one call less: the keyed MAC's P_hash directly.
    return backend.hmac_sha256_key(premaster).p_hash(label + seed, 48)  # type: ignore[no-any-return]


def derive_keys(
    backend: "Any",
    master: bytes,
    client_random: bytes,
    server_random: bytes,
    mac_len: int,
    key_len: int,
    iv_len: int,
    keyed: "Any" = None,
) -> "tuple[bytes, bytes, bytes, bytes, bytes, bytes]":
    """RFC 5246 §6.3: the key block, split as (client MAC, server MAC, client key,
    server key, client IV, server IV). ``keyed``: ``backend.hmac_sha256_key(master)``
    when the caller already has it."""
    total = 2 * (mac_len + key_len + iv_len)
    if keyed is None:
        keyed = backend.hmac_sha256_key(master)
    block = keyed.p_hash(b"key expansion" + server_random + client_random, total)
    m = 2 * mac_len
    k = m + 2 * key_len
    return (
        block[:mac_len],
        block[mac_len:m],
        block[m : m + key_len],
        block[m + key_len : k],
        block[k : k + iv_len],
        block[k + iv_len : total],
    )


def verify_data(
    backend: "Any",
    master: bytes,
    from_client: bool,
    handshake_hash: bytes,
    keyed: "Any" = None,
) -> bytes:
    """RFC 5246 §7.4.9: the 12-byte Finished verify_data (``keyed`` as in derive_keys)."""
    label = b"client finished" if from_client else b"server finished"
    if keyed is None:
        keyed = backend.hmac_sha256_key(master)
    return keyed.p_hash(label + handshake_hash, 12)  # type: ignore[no-any-return]
