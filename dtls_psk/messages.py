"""DTLS 1.2 handshake messages for the PSK key exchange, one class each, with a
``decode(body)`` / ``encode()`` pair (RFC 5246 §7.4, RFC 6347 §4.2.1 and §4.3.2,
RFC 4279 §2). ``decode`` raises ``DecodeError`` on any malformed or trailing byte.
"""

import struct

from dtls_psk.errors import DecodeError
from dtls_psk.wire import vector

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

HELLO_REQUEST = 0
CLIENT_HELLO = 1
SERVER_HELLO = 2
HELLO_VERIFY_REQUEST = 3
SERVER_KEY_EXCHANGE = 12
SERVER_HELLO_DONE = 14
CLIENT_KEY_EXCHANGE = 16
FINISHED = 20
NAMES = {
    HELLO_REQUEST: "HelloRequest",
    CLIENT_HELLO: "ClientHello",
    SERVER_HELLO: "ServerHello",
    HELLO_VERIFY_REQUEST: "HelloVerifyRequest",
    SERVER_KEY_EXCHANGE: "ServerKeyExchange",
    SERVER_HELLO_DONE: "ServerHelloDone",
    CLIENT_KEY_EXCHANGE: "ClientKeyExchange",
    FINISHED: "Finished",
}

# Extensions (IANA TLS ExtensionType registry).
EXT_MAX_FRAGMENT_LENGTH = 1  # RFC 6066 §4
EXT_EXTENDED_MASTER_SECRET = 23  # RFC 7627 §5.1
EXT_RECORD_SIZE_LIMIT = 28  # RFC 8449 §4
EXT_CONNECTION_ID = 54  # RFC 9146 §3
EXT_RENEGOTIATION_INFO = 0xFF01  # RFC 5746 §3.2
EXT_NAMES = {
    EXT_MAX_FRAGMENT_LENGTH: "max_fragment_length",
    EXT_EXTENDED_MASTER_SECRET: "extended_master_secret",
    EXT_RECORD_SIZE_LIMIT: "record_size_limit",
    EXT_CONNECTION_ID: "connection_id",
    EXT_RENEGOTIATION_INFO: "renegotiation_info",
}
SCSV_RENEGOTIATION = 0x00FF  # RFC 5746 §3.3: TLS_EMPTY_RENEGOTIATION_INFO_SCSV

HANDSHAKE_HEADER_LEN = 12


class Fragment:
    """A handshake message fragment with its DTLS header (RFC 6347 §4.2.2)."""

    __slots__ = ("body", "length", "msg_type", "offset", "seq")

    def __init__(self, msg_type: int, length: int, seq: int, offset: int, body: bytes) -> None:
        self.msg_type = msg_type
        self.length = length
        self.seq = seq
        self.offset = offset
        self.body = body


# RFC 6347 §4.2.2: msg_type(1) length(3) message_seq(2) fragment_offset(3)
# fragment_length(3), read and written as one ">IHIH": type<<24 | length, seq,
# offset<<8 | high byte of fragment_length, its low 16 bits. One struct call instead
# of five field reads: a handshake parses and writes some 20 of these headers (the
# connection and the server also read a lone whole message's header with them).
_FRAGMENT_HEADER = ">IHIH"
try:
    unpack_fragment_header = struct.Struct(_FRAGMENT_HEADER).unpack_from
    _pack_fragment_header = struct.Struct(_FRAGMENT_HEADER).pack
except AttributeError:  # MicroPython: no struct.Struct

    def unpack_fragment_header(data: "Any", pos: int) -> "tuple[Any, ...]":  # type: ignore[misc]
        return struct.unpack_from(_FRAGMENT_HEADER, data, pos)

    def _pack_fragment_header(a: int, b: int, c: int, d: int) -> bytes:
        return struct.pack(_FRAGMENT_HEADER, a, b, c, d)


# RFC 5246 §7.4.1.4: extension_type(2) and the length of extension_data(2).
try:
    _unpack_extension_header = struct.Struct(">HH").unpack_from
    _pack_extension_header = struct.Struct(">HH").pack
except AttributeError:  # MicroPython

    def _unpack_extension_header(data: "Any", pos: int) -> "tuple[Any, ...]":  # type: ignore[misc]
        return struct.unpack_from(">HH", data, pos)

    def _pack_extension_header(ext_type: int, length: int) -> bytes:
        return struct.pack(">HH", ext_type, length)


def split_fragments(data: bytes) -> "list[tuple[int, int, int, int, bytes, int]]":
    """Every handshake fragment in one record's plaintext, as ``(msg_type, length,
    seq, offset, body, start)`` tuples; ``start`` is where its 12-byte header begins.
    The connection's form: no object per fragment."""
    out = []
    pos = 0
    end = len(data)
    while pos < end:
        if end - pos < HANDSHAKE_HEADER_LEN:
            raise DecodeError("truncated handshake header")
        w0, seq, w2, w3 = unpack_fragment_header(data, pos)
        length = w0 & 0xFFFFFF
        offset = w2 >> 8
        n = ((w2 & 0xFF) << 16) | w3
        body_pos = pos + HANDSHAKE_HEADER_LEN
        if body_pos + n > end:
            raise DecodeError("truncated: fragment of %d bytes, %d left" % (n, end - body_pos))
        if offset + n > length:
            raise DecodeError("fragment beyond its message")
        out.append((w0 >> 24, length, seq, offset, data[body_pos : body_pos + n], pos))
        pos = body_pos + n
    return out


def pull_fragments(data: bytes) -> "list[Fragment]":
    """Every handshake fragment in one record's plaintext."""
    return [
        Fragment(t, length, seq, off, body)
        for t, length, seq, off, body, _ in split_fragments(data)
    ]


def push_fragment(msg_type: int, length: int, seq: int, offset: int, body: bytes) -> bytes:
    n = len(body)
    if (length | offset | n) >> 24 or msg_type >> 8 or seq >> 16:
        raise ValueError("handshake fragment field out of range")
    return (
        _pack_fragment_header(msg_type << 24 | length, seq, offset << 8 | n >> 16, n & 0xFFFF)
        + body
    )


def whole_message(msg_type: int, seq: int, body: bytes) -> bytes:
    """The message as the transcript hashes it: unfragmented (RFC 6347 §4.2.6)."""
    n = len(body)
    if n >> 24 or msg_type >> 8 or seq >> 16:
        raise ValueError("handshake message field out of range")
    # offset 0, fragment_length = length (push_fragment's header with those filled in)
    return _pack_fragment_header(msg_type << 24 | n, seq, n >> 16, n & 0xFFFF) + body


def _pull_extensions(body: bytes, pos: int) -> "list[tuple[int, bytes]]":
    """The optional extensions block at ``pos`` that must end ``body`` exactly
    (RFC 5246 §7.4.1.4): no type twice. Read by index: these are the hot part of
    the hellos."""
    end = len(body)
    if pos == end:
        return []
    if end - pos < 2:
        raise DecodeError("truncated extensions length")
    if ((body[pos] << 8) | body[pos + 1]) != end - pos - 2:
        raise DecodeError("extensions block does not end the message")
    pos += 2
    out: "list[tuple[int, bytes]]" = []
    seen = set()  # (a list would make a hostile 16 KB hello of 4000 extensions quadratic)
    while pos < end:
        if end - pos < 4:
            raise DecodeError("truncated extension header")
        ext_type, n = _unpack_extension_header(body, pos)
        pos += 4
        if pos + n > end:
            raise DecodeError("extension %d overruns its block" % ext_type)
        if ext_type in seen:
            raise DecodeError("extension %d twice" % ext_type)
        seen.add(ext_type)
        out.append((ext_type, body[pos : pos + n]))
        pos += n
    return out


def push_extensions(extensions: "list[tuple[int, bytes]]") -> bytes:
    if not extensions:
        return b""
    parts = []
    for ext_type, data in extensions:
        if len(data) > 0xFFFF:
            raise ValueError("extension too long")
        parts.append(_pack_extension_header(ext_type, len(data)))  # RFC 5246 §7.4.1.4
        parts.append(data)
    return vector(2, b"".join(parts))


def _push_suites(suites: "list[int]") -> bytes:
    # cipher_suites<2..2^16-2> (RFC 5246 §7.4.1.2): one pack for the length and all codes.
    return struct.pack(">H%dH" % len(suites), 2 * len(suites), *suites)


class ClientHello:
    """RFC 6347 §4.2.1 (with the cookie) and RFC 5246 §7.4.1.2."""

    __slots__ = (
        "cipher_suites",
        "compression_methods",
        "cookie",
        "extensions",
        "random",
        "session_id",
        "version",
    )

    def __init__(
        self,
        random: bytes,
        cipher_suites: "list[int]",
        session_id: bytes = b"",
        cookie: bytes = b"",
        extensions: "list[tuple[int, bytes]] | None" = None,
        version: bytes = b"\xfe\xfd",
        compression_methods: bytes = b"\x00",
    ) -> None:
        self.version = version
        self.random = random
        self.session_id = session_id
        self.cookie = cookie
        self.cipher_suites = cipher_suites
        self.compression_methods = compression_methods
        self.extensions = extensions if extensions is not None else []

    @staticmethod
    def decode(body: bytes) -> "ClientHello":
        # Read by index rather than through a Reader: a server decodes two or three
        # ClientHellos per handshake (RFC 6347 §4.2.1 cookie exchange).
        end = len(body)
        if end < 35:
            raise DecodeError("truncated ClientHello")
        version = body[:2]
        random = body[2:34]
        n = body[34]
        pos = 35 + n
        if n > 32 or pos >= end:
            raise DecodeError("bad session_id")
        session_id = body[35:pos]
        n = body[pos]
        cookie = body[pos + 1 : pos + 1 + n]
        pos += 1 + n
        if pos + 2 > end:
            raise DecodeError("truncated ClientHello")
        n = (body[pos] << 8) | body[pos + 1]
        pos += 2
        if n < 2 or n % 2 or pos + n > end:
            raise DecodeError("bad cipher_suites length")
        suites = list(struct.unpack_from(">%dH" % (n >> 1), body, pos))
        pos += n
        if pos >= end:
            raise DecodeError("truncated ClientHello")
        n = body[pos]
        if n < 1 or pos + 1 + n > end:
            raise DecodeError("bad compression_methods length")
        compression = body[pos + 1 : pos + 1 + n]
        extensions = _pull_extensions(body, pos + 1 + n)
        return ClientHello(random, suites, session_id, cookie, extensions, version, compression)

    @staticmethod
    def peek_cookie(body: bytes) -> "tuple[bytes, bytes, bytes]":
        """``(random, cookie, body without its cookie field)`` of an encoded ClientHello,
        reading only the fields up to the cookie: what a stateless server needs to
        answer or check a cookie (RFC 6347 §4.2.1) before it decodes the rest."""
        end = len(body)
        if end < 36 or body[34] > 32 or 36 + body[34] > end:
            raise DecodeError("truncated ClientHello")
        pos = 35 + body[34]
        stop = pos + 1 + body[pos]
        if stop > end:
            raise DecodeError("truncated cookie")
        return body[2:34], body[pos + 1 : stop], body[:pos] + body[stop:]

    @staticmethod
    def with_cookie(body: bytes, cookie: bytes) -> bytes:
        """An encoded ClientHello ``body`` with its cookie field replaced (RFC 6347
        §4.2.1: the second ClientHello repeats the first with the cookie added)."""
        pos = 35 + body[34]
        return body[:pos] + bytes((len(cookie),)) + cookie + body[pos + 1 + body[pos] :]

    def encode(self) -> bytes:
        return (
            self.version
            + self.random
            # one-byte length prefixes written inline (session_id <= 32, cookie <= 255,
            # by construction or by decode): a ClientHello is encoded up to 3 times
            + bytes((len(self.session_id),))
            + self.session_id
            + bytes((len(self.cookie),))
            + self.cookie
            + _push_suites(self.cipher_suites)
            + bytes((len(self.compression_methods),))
            + self.compression_methods
            + push_extensions(self.extensions)
        )


class ServerHello:
    """RFC 5246 §7.4.1.3."""

    __slots__ = (
        "cipher_suite",
        "compression_method",
        "extensions",
        "random",
        "session_id",
        "version",
    )

    def __init__(
        self,
        random: bytes,
        session_id: bytes,
        cipher_suite: int,
        extensions: "list[tuple[int, bytes]] | None" = None,
        version: bytes = b"\xfe\xfd",
        compression_method: int = 0,
    ) -> None:
        self.version = version
        self.random = random
        self.session_id = session_id
        self.cipher_suite = cipher_suite
        self.compression_method = compression_method
        self.extensions = extensions if extensions is not None else []

    @staticmethod
    def decode(body: bytes) -> "ServerHello":
        end = len(body)
        if end < 35:
            raise DecodeError("truncated ServerHello")
        n = body[34]
        pos = 35 + n
        if n > 32 or pos + 3 > end:
            raise DecodeError("truncated ServerHello")
        suite = (body[pos] << 8) | body[pos + 1]
        extensions = _pull_extensions(body, pos + 3)
        return ServerHello(body[2:34], body[35:pos], suite, extensions, body[:2], body[pos + 2])

    def encode(self) -> bytes:
        return (
            self.version
            + self.random
            + bytes((len(self.session_id),))
            + self.session_id
            + self.cipher_suite.to_bytes(2, "big")
            + bytes((self.compression_method,))
            + push_extensions(self.extensions)
        )


class HelloVerifyRequest:
    """RFC 6347 §4.2.1: the server's stateless cookie challenge."""

    __slots__ = ("cookie", "version")

    def __init__(self, cookie: bytes, version: bytes = b"\xfe\xff") -> None:
        self.version = version
        self.cookie = cookie

    @staticmethod
    def decode(body: bytes) -> "HelloVerifyRequest":
        if len(body) < 3 or body[2] + 3 != len(body):
            raise DecodeError("malformed HelloVerifyRequest")
        return HelloVerifyRequest(body[3:], body[:2])

    def encode(self) -> bytes:
        return self.version + vector(1, self.cookie)


def decode_psk_identity(body: bytes) -> bytes:
    """ServerKeyExchange (the hint) and ClientKeyExchange (the identity): RFC 4279 §2,
    one opaque<0..2^16-1>."""
    if len(body) < 2 or ((body[0] << 8) | body[1]) != len(body) - 2:
        raise DecodeError("malformed PSK identity")
    return body[2:]


def encode_psk_identity(value: bytes) -> bytes:
    return vector(2, value)


def decode_empty(body: bytes) -> bytes:
    """ServerHelloDone and HelloRequest have empty bodies."""
    if body:
        raise DecodeError("body must be empty")
    return body


def decode_finished(body: bytes) -> bytes:
    """RFC 5246 §7.4.9: verify_data, 12 bytes for every TLS 1.2 suite we offer."""
    if len(body) != 12:
        raise DecodeError("Finished must carry 12 bytes")
    return body
