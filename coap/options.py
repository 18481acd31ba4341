"""CoAP option numbers (RFC 7252 §5.10, §12.2 and the IANA registry) and their value formats.

Critical, unsafe and no-cache-key are properties of the number itself (RFC 7252 §5.4.6):
bit 0 set means critical, bit 1 set means unsafe to forward, and bits 1-4 equal to
``11100`` mean the option is not part of the cache key.
"""

IF_MATCH = 1
URI_HOST = 3
ETAG = 4
IF_NONE_MATCH = 5
OBSERVE = 6  # RFC 7641
URI_PORT = 7
LOCATION_PATH = 8
OSCORE = 9  # RFC 8613
URI_PATH = 11
CONTENT_FORMAT = 12
MAX_AGE = 14
URI_QUERY = 15
HOP_LIMIT = 16  # RFC 8768
ACCEPT = 17
Q_BLOCK1 = 19  # RFC 9177
LOCATION_QUERY = 20
BLOCK2 = 23  # RFC 7959
BLOCK1 = 27  # RFC 7959
SIZE2 = 28  # RFC 7959
Q_BLOCK2 = 31  # RFC 9177
PROXY_URI = 35
PROXY_SCHEME = 39
SIZE1 = 60
ECHO = 252  # RFC 9175
NO_RESPONSE = 258  # RFC 7967
REQUEST_TAG = 292  # RFC 9175

# Value formats (RFC 7252 §3.2).
EMPTY = 0
OPAQUE = 1
UINT = 2
STRING = 3

FORMAT_NAMES = {EMPTY: "empty", OPAQUE: "opaque", UINT: "uint", STRING: "string"}

# number: (name, format, min length, max length, repeatable)  -- RFC 7252 §5.10 table
REGISTRY = {
    IF_MATCH: ("If-Match", OPAQUE, 0, 8, True),
    URI_HOST: ("Uri-Host", STRING, 1, 255, False),
    ETAG: ("ETag", OPAQUE, 1, 8, True),
    IF_NONE_MATCH: ("If-None-Match", EMPTY, 0, 0, False),
    OBSERVE: ("Observe", UINT, 0, 3, False),
    URI_PORT: ("Uri-Port", UINT, 0, 2, False),
    LOCATION_PATH: ("Location-Path", STRING, 0, 255, True),
    OSCORE: ("OSCORE", OPAQUE, 0, 255, False),
    URI_PATH: ("Uri-Path", STRING, 0, 255, True),
    CONTENT_FORMAT: ("Content-Format", UINT, 0, 2, False),
    MAX_AGE: ("Max-Age", UINT, 0, 4, False),
    URI_QUERY: ("Uri-Query", STRING, 0, 255, True),
    HOP_LIMIT: ("Hop-Limit", UINT, 1, 1, False),
    ACCEPT: ("Accept", UINT, 0, 2, False),
    Q_BLOCK1: ("Q-Block1", UINT, 0, 3, False),
    LOCATION_QUERY: ("Location-Query", STRING, 0, 255, True),
    BLOCK2: ("Block2", UINT, 0, 3, False),
    BLOCK1: ("Block1", UINT, 0, 3, False),
    SIZE2: ("Size2", UINT, 0, 4, False),
    Q_BLOCK2: ("Q-Block2", UINT, 0, 3, False),
    PROXY_URI: ("Proxy-Uri", STRING, 1, 1034, False),
    PROXY_SCHEME: ("Proxy-Scheme", STRING, 1, 255, False),
    SIZE1: ("Size1", UINT, 0, 4, False),
    ECHO: ("Echo", OPAQUE, 1, 40, False),
    NO_RESPONSE: ("No-Response", UINT, 0, 1, False),
    REQUEST_TAG: ("Request-Tag", OPAQUE, 0, 8, True),
}

NAMES = {number: entry[0] for number, entry in REGISTRY.items()}
BY_NAME = {entry[0].lower(): number for number, entry in REGISTRY.items()}
MAX_LENGTH = {number: entry[3] for number, entry in REGISTRY.items()}

# RFC 7252 §12.2: 0 and 128, 132, 136, 140 are reserved.
RESERVED = (0, 128, 132, 136, 140)


def is_critical(number: int) -> bool:
    """RFC 7252 §5.4.1: an odd number is critical."""
    return number & 1 == 1


def is_elective(number: int) -> bool:
    return number & 1 == 0


def is_unsafe(number: int) -> bool:
    """RFC 7252 §5.4.2: bit 1 marks an option a proxy must understand to forward."""
    return number & 2 == 2


def is_no_cache_key(number: int) -> bool:
    """RFC 7252 §5.4.6: NoCacheKey when bits 1-4 of the number are ``1110`` (``& 0x1e == 0x1c``)."""
    return number & 0x1E == 0x1C


def option_name(number: int) -> str:
    """The registered name, or ``"(n: reserved)"`` / ``"(n: unassigned)"``."""
    entry = REGISTRY.get(number)
    if entry is not None:
        return entry[0]
    return "(%d: %s)" % (number, "reserved" if number in RESERVED else "unassigned")


def option_format(number: int) -> int:
    """The value format; unknown options are opaque."""
    entry = REGISTRY.get(number)
    return entry[1] if entry is not None else OPAQUE


def is_repeatable(number: int) -> bool:
    """Unknown options count as repeatable: the codec keeps every occurrence."""
    entry = REGISTRY.get(number)
    return entry[4] if entry is not None else True


def length_ok(number: int, length: int) -> bool:
    """Whether ``length`` is inside the registered range (RFC 7252 §5.4.3)."""
    entry = REGISTRY.get(number)
    return entry is None or entry[2] <= length <= entry[3]


def parse_option_number(text: str) -> int:
    """An option number from its decimal form or its registered name (any case)."""
    if text.isdigit():
        return int(text)
    number = BY_NAME.get(text.lower())
    if number is None:
        raise ValueError("unknown option %r" % text)
    return number


def encode_uint(value: int) -> bytes:
    """RFC 7252 §3.2: a uint option value in the fewest bytes; 0 is the empty string."""
    if value < 0:
        raise ValueError("uint option values are non-negative, not %d" % value)
    if value < 0x100:
        return bytes((value,)) if value else b""
    if value < 0x10000:
        return bytes((value >> 8, value & 0xFF))
    if value < 0x1000000:
        return bytes((value >> 16, (value >> 8) & 0xFF, value & 0xFF))
    if value < 0x100000000:
        return bytes((value >> 24, (value >> 16) & 0xFF, (value >> 8) & 0xFF, value & 0xFF))
    size = 5
    while value >> (8 * size):
        size += 1
    return value.to_bytes(size, "big")


def decode_uint(value: bytes) -> int:
    """A uint option value; leading zero bytes are accepted (RFC 7252 §3.2)."""
    return int.from_bytes(value, "big")


# RFC 7959 §2.2: SZX 0-6 are block sizes 16-1024; 7 is reserved (BERT over TCP).
BLOCK_SIZES = (16, 32, 64, 128, 256, 512, 1024)


def block_size(szx: int) -> int:
    """The block size for SZX 0-6 (``2 ** (szx + 4)``)."""
    if not 0 <= szx <= 6:
        raise ValueError("SZX is 0-6, not %d" % szx)
    return 16 << szx


def size_to_szx(size: int) -> int:
    """The SZX of a block size 16, 32, ... 1024."""
    for szx in range(7):
        if 16 << szx == size:
            return szx
    raise ValueError("block size is a power of two from 16 to 1024, not %d" % size)


def encode_block(num: int, more: bool, szx: int) -> bytes:
    """RFC 7959 §2.2: ``NUM << 4 | M << 3 | SZX`` as a minimal uint of at most 3 bytes."""
    if not 0 <= num < 1 << 20 or not 0 <= szx <= 7:
        raise ValueError("block NUM 0..2**20-1 and SZX 0-7, not %d/%d" % (num, szx))
    return encode_uint(num << 4 | (8 if more else 0) | szx)


def decode_block(value: bytes) -> "tuple[int, bool, int]":
    """``(num, more, szx)`` of a Block1/Block2 value (a uint of 0-3 bytes)."""
    raw = int.from_bytes(value, "big")
    return raw >> 4, bool(raw & 8), raw & 7
