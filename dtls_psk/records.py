"""The DTLS 1.2 record layer (RFC 6347 §4.1): headers, epochs, 48-bit sequence numbers,
the anti-replay window, and record protection for the PSK suites.

A record on the wire::

    type(1) version(2) epoch(2) sequence_number(6) [cid(n)] length(2) fragment

``parse_records`` splits a datagram; ``Protection`` objects seal and open fragments
for one epoch and direction. A record that fails parsing or authentication is dropped
by the caller without a word (RFC 6347 §4.1.2.7): ``open`` returns None, it never raises.
"""

import struct

from dtls_psk.crypto import ct_equal

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any

CHANGE_CIPHER_SPEC = 20
ALERT = 21
HANDSHAKE = 22
APPLICATION_DATA = 23
TLS12_CID = 25  # RFC 9146 §4
NAMES = {
    CHANGE_CIPHER_SPEC: "change_cipher_spec",
    ALERT: "alert",
    HANDSHAKE: "handshake",
    APPLICATION_DATA: "application_data",
    TLS12_CID: "tls12_cid",
}

DTLS_1_2 = b"\xfe\xfd"
DTLS_1_0 = b"\xfe\xff"  # RFC 6347 §4.2.1: HelloVerifyRequest and the first records
HEADER_LEN = 13
MAX_PLAINTEXT = 1 << 14  # RFC 5246 §6.2.1
MAX_CIPHERTEXT = MAX_PLAINTEXT + 2048  # RFC 5246 §6.2.3
MAX_SEQ = (1 << 48) - 1
_CID_PLACEHOLDER = b"\xff" * 8 + bytes((TLS12_CID,))

_VERSIONS = {0xFEFD: DTLS_1_2, 0xFEFF: DTLS_1_0}
_HEADER = ">BHQH"  # type, version, epoch||sequence_number, length

# The hot path of every record is a few fixed-layout packs and unpacks: precompiled
# formats save the format parsing of each call on CPython. MicroPython has no
# struct.Struct; there the plain functions do (every value here is in range by
# construction, so its silent truncation cannot bite).
try:
    _unpack_header = struct.Struct(_HEADER).unpack_from
    # header + 8-byte explicit nonce (RFC 6655 §3: the epoch||seq of the record)
    _pack_aead_header = struct.Struct(">BHQHQ").pack
    _pack_aad = struct.Struct(">QBHH").pack  # RFC 5246 §6.2.3.3 additional_data
    _pack_nonce = struct.Struct(">4sQ").pack  # RFC 6655 §3: salt(4) || nonce_explicit(8)
    _pack_header = struct.Struct(_HEADER).pack
except AttributeError:  # MicroPython

    def _unpack_header(data: "Any", pos: int) -> "tuple[Any, ...]":  # type: ignore[misc]
        return struct.unpack_from(_HEADER, data, pos)

    def _pack_aead_header(ctype: int, version: int, es: int, length: int, nonce: int) -> bytes:
        return struct.pack(">BHQHQ", ctype, version, es, length, nonce)

    def _pack_aad(es: int, ctype: int, version: int, length: int) -> bytes:
        return struct.pack(">QBHH", es, ctype, version, length)

    def _pack_nonce(salt: bytes, explicit: int) -> bytes:
        return struct.pack(">4sQ", salt, explicit)

    def _pack_header(ctype: int, version: int, es: int, length: int) -> bytes:
        return struct.pack(_HEADER, ctype, version, es, length)


# The plaintext record header in one pack: (type, version as int, epoch << 48 | seq,
# length); the connection writes its epoch-0 records with it.
pack_record_header = _pack_header


class Record:
    """One parsed record; ``cid`` is None for records without a connection ID."""

    __slots__ = ("cid", "content_type", "epoch", "fragment", "seq", "version")

    def __init__(
        self,
        content_type: int,
        version: bytes,
        epoch: int,
        seq: int,
        cid: "bytes | None",
        fragment: bytes,
    ) -> None:
        self.content_type = content_type
        self.version = version
        self.epoch = epoch
        self.seq = seq
        self.cid = cid
        self.fragment = fragment


def parse_records(data: bytes, cid_len: int) -> "list[Record]":
    """Split a datagram into records. Bytes that do not form a record end the list:
    RFC 6347 §4.1.2.7 lets the rest of the datagram go with them. ``cid_len`` is the
    length of the connection IDs we issued (the tls12_cid header does not carry it)."""
    if type(data) is not bytes:
        data = bytes(data)  # fields become dict keys and transcript parts: no bytearray
    out = []
    pos = 0
    end = len(data)
    while end - pos >= HEADER_LEN:
        # One unpack of the 13-byte header; for tls12_cid the CID sits before the
        # length, so the length is read again after it.
        ctype, version, es, length = _unpack_header(data, pos)
        if version >> 8 != 0xFE:  # DTLS versions are 0xFEnn
            break
        cid = None
        if ctype == TLS12_CID:
            pos += 11
            if not cid_len or end - pos < cid_len + 2:
                break
            cid = data[pos : pos + cid_len]
            pos += cid_len
            length = (data[pos] << 8) | data[pos + 1]
            pos += 2
        else:
            pos += HEADER_LEN
        if length > MAX_CIPHERTEXT or pos + length > end:
            break
        out.append(Record(ctype, _VERSIONS.get(version) or version.to_bytes(2, "big"), es >> 48,
                          es & MAX_SEQ, cid, data[pos : pos + length]))  # fmt: skip
        pos += length
    return out


def plaintext_record(content_type: int, version: bytes, epoch: int, seq: int, body: bytes) -> bytes:
    """An unprotected (epoch 0) record."""
    return _pack_header(content_type, (version[0] << 8) | version[1], (epoch << 48) | seq,
                        len(body)) + body  # fmt: skip


def _inner(content_type: int, payload: bytes) -> bytes:
    # RFC 9146 §4: DTLSInnerPlaintext = content || real_type || zeros (we add no padding).
    return payload + bytes((content_type,))


def _split_inner(inner: bytes) -> "tuple[int, bytes] | None":
    end = len(inner)
    while end and inner[end - 1] == 0:
        end -= 1
    if not end:
        return None
    return inner[end - 1], inner[: end - 1]


def _cid_aad(version: bytes, es: bytes, cid: bytes, length: int) -> bytes:
    # RFC 9146 §5: seq_num_placeholder, tls12_cid, cid_length, tls12_cid, version,
    # epoch, sequence_number, cid, length_of_DTLSInnerPlaintext.
    return (
        _CID_PLACEHOLDER
        + bytes((len(cid), TLS12_CID))
        + version
        + es
        + cid
        + length.to_bytes(2, "big")
    )


class AeadProtection:
    """AES-CCM record protection (RFC 6655 §3, RFC 5288 §3, RFC 6347 §4.1.2.1):
    nonce = write_IV(4) || epoch(2) || seq(6), sent as an 8-byte explicit nonce."""

    __slots__ = ("_decrypt", "_iv", "_seal", "_tag_error", "overhead", "tag_len")

    def __init__(self, backend: "Any", key: bytes, iv: bytes, tag_len: int) -> None:
        # The raising form of open: no wrapper call per record (see crypto.py).
        self._seal: "Callable[[bytes, bytes, bytes], bytes]"
        self._decrypt: "Callable[[bytes, bytes, bytes], bytes]"
        self._tag_error: "type[Exception]"
        self._seal, self._decrypt, self._tag_error = backend.aead_calls(key, tag_len)
        self._iv = iv
        self.tag_len = tag_len
        self.overhead = 8 + tag_len

    def seal(
        self, content_type: int, epoch: int, seq: int, payload: bytes, cid: "bytes | None"
    ) -> bytes:
        # The hot path: one pack each for the nonce, the AAD and header + explicit nonce.
        es = (epoch << 48) | seq
        if cid:
            es_bytes = es.to_bytes(8, "big")
            payload = _inner(content_type, payload)
            aad = _cid_aad(DTLS_1_2, es_bytes, cid, len(payload))
            body = es_bytes + self._seal(self._iv + es_bytes, payload, aad)
            return (
                bytes((TLS12_CID,))
                + DTLS_1_2
                + es_bytes
                + cid
                + len(body).to_bytes(2, "big")
                + body
            )
        sealed = self._seal(
            _pack_nonce(self._iv, es), payload, _pack_aad(es, content_type, 0xFEFD, len(payload))
        )
        return _pack_aead_header(content_type, 0xFEFD, es, len(sealed) + 8, es) + sealed

    def open(self, record: Record) -> "tuple[int, bytes] | None":
        frag = record.fragment
        n = len(frag) - self.overhead
        if n < 0:
            return None
        nonce = self._iv + frag[:8]
        if record.cid is not None:
            aad = _cid_aad(
                record.version,
                ((record.epoch << 48) | record.seq).to_bytes(8, "big"),
                record.cid,
                n,
            )
            try:
                inner = self._decrypt(nonce, frag[8:], aad)
            except self._tag_error:
                return None
            return _split_inner(inner)
        version = record.version
        aad = _pack_aad(
            (record.epoch << 48) | record.seq,
            record.content_type,
            0xFEFD if version == DTLS_1_2 else int.from_bytes(version, "big"),
            n,
        )
        try:
            plain = self._decrypt(nonce, frag[8:], aad)
        except self._tag_error:
            return None
        return record.content_type, plain


class CbcProtection:
    """AES-128-CBC with HMAC-SHA256, MAC-then-encrypt (RFC 5246 §6.2.3.2, RFC 5487):
    fragment = IV(16) || CBC(plaintext || MAC(32) || padding || padding_length)."""

    __slots__ = ("_backend", "_cbc", "_mac_key", "_rng", "overhead", "tag_len")

    def __init__(
        self, backend: "Any", mac_key: bytes, key: bytes, rng: "Callable[[int], bytes]"
    ) -> None:
        self._backend = backend
        self._cbc: "Any" = backend.cbc(key)
        self._mac_key = mac_key
        self._rng = rng
        self.overhead = 16 + 32 + 16  # IV, MAC, at most one block of padding
        self.tag_len = 32

    def seal(
        self, content_type: int, epoch: int, seq: int, payload: bytes, cid: "bytes | None"
    ) -> bytes:
        es = ((epoch << 48) | seq).to_bytes(8, "big")
        if cid:
            payload = _inner(content_type, payload)
            mac_input = _cid_aad(DTLS_1_2, es, cid, len(payload)) + payload
        else:
            mac_input = (
                es + bytes((content_type,)) + DTLS_1_2 + len(payload).to_bytes(2, "big") + payload
            )
        data = payload + self._backend.hmac_sha256(self._mac_key, mac_input)
        pad = 15 - len(data) % 16
        data += bytes((pad,)) * (pad + 1)
        iv = self._rng(16)  # RFC 5246 §6.2.3.2: an unpredictable IV per record
        body: bytes = iv + self._cbc.encrypt(iv, data)
        if cid:
            return bytes((TLS12_CID,)) + DTLS_1_2 + es + cid + len(body).to_bytes(2, "big") + body
        return _pack_header(content_type, 0xFEFD, (epoch << 48) | seq, len(body)) + body

    def open(self, record: Record) -> "tuple[int, bytes] | None":
        frag = record.fragment
        if len(frag) < 64 or len(frag) % 16:
            return None
        data = self._cbc.decrypt(frag[:16], frag[16:])
        pad = data[-1]
        # Check padding and MAC both, whatever the padding says, so a bad pad and a bad
        # MAC take about the same path (RFC 5246 §6.2.3.2 implementation note).
        good_pad = pad + 1 + 32 <= len(data)
        if not good_pad:
            pad = 0
        for b in data[len(data) - pad - 1 :]:
            good_pad = good_pad and b == pad
        plain = data[: len(data) - pad - 1 - 32]
        mac = data[len(data) - pad - 1 - 32 : len(data) - pad - 1]
        es = ((record.epoch << 48) | record.seq).to_bytes(8, "big")
        if record.cid is not None:
            mac_input = _cid_aad(record.version, es, record.cid, len(plain)) + plain
        else:
            mac_input = (
                es
                + bytes((record.content_type,))
                + record.version
                + len(plain).to_bytes(2, "big")
                + plain
            )
        expected = self._backend.hmac_sha256(self._mac_key, mac_input)
        if not (ct_equal(mac, expected) and good_pad):
            return None
        if record.cid is not None:
            return _split_inner(plain)
        return record.content_type, plain
