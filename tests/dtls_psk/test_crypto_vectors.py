"""Every vector of crypto_vectors.json through every backend (CPython and MicroPython)."""

from binascii import unhexlify

from dtls_psk.crypto import prf
from dtls_psk.errors import UnsupportedError
from dtls_psk.keys import derive_keys, master_secret, psk_premaster_secret
from tests.dtls_psk.backends import all_backends
from tests.support import load_vectors, raises

VECTORS = load_vectors("crypto_vectors.json")


def h(text: str) -> bytes:
    return unhexlify(text)


def test_prf_vectors() -> None:
    for backend in all_backends():
        ran_sha256 = 0
        for vec in VECTORS["tls12_prf_sha256"]:
            try:
                out = prf(
                    backend,
                    h(vec["secret"]),
                    h(vec["label"]),
                    h(vec["seed"]),
                    vec["output_len"],
                    vec["hash"],
                )
            except UnsupportedError:
                # MicroPython's hashlib has SHA-256 only; DTLS PSK suites need no other.
                assert vec["hash"] != "sha256" and backend.name == "pure"
                continue
            assert out == h(vec["output"]), (backend.name, vec["id"])
            ran_sha256 += vec["hash"] == "sha256"
        assert ran_sha256 >= 6


def test_ccm_vectors_seal_and_open() -> None:
    for backend in all_backends():
        for vec in VECTORS["aes_ccm"]:
            aead = backend.aead(h(vec["key"]), vec["tag_len"])
            nonce, aad, plain = h(vec["nonce"]), h(vec["aad"]), h(vec["plaintext"])
            sealed = aead.seal(nonce, plain, aad)
            assert sealed == h(vec["ciphertext_and_tag"]), (backend.name, vec["id"])
            assert aead.open(nonce, sealed, aad) == plain
            assert aead.decrypt(nonce, sealed, aad) == plain
            # One flipped bit anywhere (ciphertext, tag, aad) fails authentication.
            bad = bytearray(sealed)
            bad[-1] ^= 1
            assert aead.open(nonce, bytes(bad), aad) is None
            raises(aead.tag_error, aead.decrypt, nonce, bytes(bad), aad)
            bad = bytearray(sealed)
            bad[0] ^= 0x80
            assert aead.open(nonce, bytes(bad), aad) is None
            if aad:
                assert aead.open(nonce, sealed, aad[:-1]) is None


def test_keyed_hmac_sha256() -> None:
    # RFC 4231 §4.2 (test case 1) and §4.7 (case 6: a key longer than the block), then
    # the keyed form against the one-shot one for keys around the 64-byte block.
    rfc4231 = [
        (
            b"\x0b" * 20,
            b"Hi There",
            "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7",
        ),
        (
            b"\xaa" * 131,
            b"Test Using Larger Than Block-Size Key - Hash Key First",
            "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54",
        ),
    ]
    for backend in all_backends():
        for key, data, want in rfc4231:
            assert backend.hmac_sha256_key(key).mac(data) == h(want), backend.name
        for n in (0, 1, 32, 48, 63, 64, 65, 100):
            key = bytes(range(n))
            keyed = backend.hmac_sha256_key(key)
            for data in (b"", b"seed", bytes(200)):
                assert keyed.mac(data) == backend.hmac_sha256(key, data), (backend.name, n)


def test_psk_premaster_vectors() -> None:
    for vec in VECTORS["psk_premaster_secret"]:
        assert psk_premaster_secret(h(vec["psk"])) == h(vec["premaster_secret"]), vec["id"]


def test_key_derivation_vectors() -> None:
    for backend in all_backends():
        for vec in VECTORS["tls12_key_derivation"]:
            cr, sr = h(vec["client_random"]), h(vec["server_random"])
            if "pre_master_secret" in vec:
                ms = master_secret(backend, h(vec["pre_master_secret"]), cr + sr, False)
                assert ms == h(vec["master_secret"]), vec["id"]
            if "client_write_key" in vec:
                keys = derive_keys(
                    backend,
                    h(vec["master_secret"]),
                    cr,
                    sr,
                    vec["mac_key_len"],
                    vec["enc_key_len"],
                    vec["fixed_iv_len"],
                )
                assert keys == (
                    b"",
                    b"",
                    h(vec["client_write_key"]),
                    h(vec["server_write_key"]),
                    h(vec["client_write_iv"]),
                    h(vec["server_write_iv"]),
                ), vec["id"]


def test_cbc_round_trip_and_hmac_agree() -> None:
    backends = all_backends()
    key, iv, data = bytes(range(16)), bytes(range(16, 32)), bytes(range(64))
    outs = [b.cbc(key).encrypt(iv, data) for b in backends]
    assert all(o == outs[0] for o in outs) and outs[0] != data
    assert all(b.cbc(key).decrypt(iv, outs[0]) == data for b in backends)
    # RFC 4231 test case 2 (HMAC-SHA-256, key "Jefe").
    mac = "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
    for b in backends:
        assert b.hmac_sha256(b"Jefe", b"what do ya want for nothing?") == h(mac)
        assert b.hmac_sha256(b"k" * 100, b"x") == backends[0].hmac_sha256(b"k" * 100, b"x")
