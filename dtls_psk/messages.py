"""DTLS 1.2 handshake messages for the PSK key exchange, one class each, with a
``decode(body)`` / ``encode()`` pair (RFC 5246 §7.4, RFC 6347 §4.2.1 and §4.3.2,
RFC 4279 §2). ``decode`` raises ``DecodeError`` on any malformed or trailing byte.
"""

from dtls_psk.errors import DecodeError
from dtls_psk.wire import Reader, vector

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


def pull_fragments(data: bytes) -> "list[Fragment]":
    """Every handshake fragment in one record's plaintext."""
    reader = Reader(data)
    out = []
    while reader.remaining():
        msg_type = reader.pull_uint(1)
        length = reader.pull_uint(3)
        seq = reader.pull_uint(2)
        offset = reader.pull_uint(3)
        body = reader.pull_vector(3)
        if offset + len(body) > length:
            raise DecodeError("fragment beyond its message")
        out.append(Fragment(msg_type, length, seq, offset, body))
    return out


def push_fragment(msg_type: int, length: int, seq: int, offset: int, body: bytes) -> bytes:
    return (
        bytes((msg_type,))
        + length.to_bytes(3, "big")
        + seq.to_bytes(2, "big")
        + offset.to_bytes(3, "big")
        + len(body).to_bytes(3, "big")
        + body
    )


def whole_message(msg_type: int, seq: int, body: bytes) -> bytes:
    """The message as the transcript hashes it: unfragmented (RFC 6347 §4.2.6)."""
    return push_fragment(msg_type, len(body), seq, 0, body)


def pull_extensions(reader: Reader) -> "list[tuple[int, bytes]]":
    """The optional extensions block (RFC 5246 §7.4.1.4): no type twice."""
    if not reader.remaining():
        return []
    block = reader.pull_block(2)
    out: "list[tuple[int, bytes]]" = []
    seen = set()
    while block.remaining():
        ext_type = block.pull_uint(2)
        if ext_type in seen:
            raise DecodeError("extension %d twice" % ext_type)
        seen.add(ext_type)
        out.append((ext_type, block.pull_vector(2)))
    block.done()
    return out


def push_extensions(extensions: "list[tuple[int, bytes]]") -> bytes:
    if not extensions:
        return b""
    return vector(2, b"".join(t.to_bytes(2, "big") + vector(2, d) for t, d in extensions))


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
        r = Reader(body)
        version = r.pull_bytes(2)
        random = r.pull_bytes(32)
        session_id = r.pull_vector(1, 0, 32)
        cookie = r.pull_vector(1, 0, 255)
        suites_raw = r.pull_vector(2, 2)
        if len(suites_raw) % 2:
            raise DecodeError("odd cipher_suites length")
        suites = [
            int.from_bytes(suites_raw[i : i + 2], "big") for i in range(0, len(suites_raw), 2)
        ]
        compression = r.pull_vector(1, 1)
        extensions = pull_extensions(r)
        r.done()
        return ClientHello(random, suites, session_id, cookie, extensions, version, compression)

    def encode(self) -> bytes:
        return (
            self.version
            + self.random
            + vector(1, self.session_id)
            + vector(1, self.cookie)
            + vector(2, b"".join(s.to_bytes(2, "big") for s in self.cipher_suites))
            + vector(1, self.compression_methods)
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
        r = Reader(body)
        version = r.pull_bytes(2)
        random = r.pull_bytes(32)
        session_id = r.pull_vector(1, 0, 32)
        suite = r.pull_uint(2)
        compression = r.pull_uint(1)
        extensions = pull_extensions(r)
        r.done()
        return ServerHello(random, session_id, suite, extensions, version, compression)

    def encode(self) -> bytes:
        return (
            self.version
            + self.random
            + vector(1, self.session_id)
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
        r = Reader(body)
        version = r.pull_bytes(2)
        cookie = r.pull_vector(1, 0, 255)
        r.done()
        return HelloVerifyRequest(cookie, version)

    def encode(self) -> bytes:
        return self.version + vector(1, self.cookie)


def decode_psk_identity(body: bytes) -> bytes:
    """ServerKeyExchange (the hint) and ClientKeyExchange (the identity): RFC 4279 §2,
    one opaque<0..2^16-1>."""
    r = Reader(body)
    value = r.pull_vector(2)
    r.done()
    return value


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
