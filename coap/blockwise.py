"""Block-wise transfer (RFC 7959): slicing bodies, choosing block sizes, bounded state.

The endpoint uses these for both directions: Block2 responses sliced from a body the
application gives whole (with a bounded cache for later blocks), Block1 requests
reassembled into one body before the application sees them.
"""

from coap import codes, options
from coap.message import Message

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

# Options that do not identify the resource representation: left out of the key that
# ties the blocks of one transfer together (RFC 7959 §2.4, §2.5; RFC 7641 §2).
_NOT_IN_KEY = (
    options.OBSERVE,
    options.BLOCK1,
    options.BLOCK2,
    options.SIZE1,
    options.SIZE2,
    options.NO_RESPONSE,
    options.ETAG,
    options.IF_MATCH,
    options.IF_NONE_MATCH,
)


def transfer_key(request: Message) -> "tuple[Any, ...]":
    """What ties the requests of one transfer together (method, Uri-*, Accept, ...).

    A FETCH body selects the representation, so it is part of the key; the later Block2
    requests of any other method carry no body (RFC 7959 §2.4), so theirs is not."""
    key = tuple(item for item in request.options if item[0] not in _NOT_IN_KEY)
    return (request.code, key, request.payload if request.code == codes.FETCH else b"")


def slice_body(body: bytes, num: int, szx: int) -> "tuple[bytes, bool]":
    """Block ``num`` of ``body`` at size ``16 << szx`` and whether more follow."""
    size = 16 << szx
    start = num * size
    return body[start : start + size], start + size < len(body)


def szx_for_offset(offset: int, szx: int) -> int:
    """The largest SZX not above ``szx`` whose block size divides ``offset`` (RFC 7959
    §2.4: a client may only continue at a block boundary of the size it asks for)."""
    while szx > 0 and offset % (16 << szx):
        szx -= 1
    return szx


class Reassembly:
    """A Block1 body being received (server side)."""

    __slots__ = ("body", "content_format", "expires_ms")

    def __init__(self, content_format: "int | None", expires_ms: int) -> None:
        self.body = bytearray()
        self.content_format = content_format
        self.expires_ms = expires_ms


class CachedBody:
    """A sliced Block2 body kept so later blocks need not go to the application."""

    __slots__ = ("body", "expires_ms", "template")

    def __init__(self, body: bytes, template: Message, expires_ms: int) -> None:
        self.body = body
        self.template = template  # code and options (ETag included) of the response
        self.expires_ms = expires_ms


class BoundedCache:
    """A dict with a size bound and expiry: the oldest entry leaves first (no deque on
    MicroPython, so a list of keys in insertion order)."""

    __slots__ = ("_entries", "_order", "limit")

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self._entries: dict[Any, Any] = {}
        self._order: list[Any] = []

    def __len__(self) -> int:
        return len(self._entries)

    def get(self, key: "Any", now_ms: int) -> "Any":
        entry = self._entries.get(key)
        if entry is not None and entry.expires_ms <= now_ms:
            self.pop(key)
            return None
        return entry

    def put(self, key: "Any", entry: "Any") -> None:
        if self.limit <= 0:
            return
        if key in self._entries:
            self._order.remove(key)
        elif len(self._entries) >= self.limit:
            oldest = self._order.pop(0)
            del self._entries[oldest]
        self._entries[key] = entry
        self._order.append(key)

    def pop(self, key: "Any") -> "Any":
        entry = self._entries.pop(key, None)
        if entry is not None:
            self._order.remove(key)
        return entry

    def keys_in_order(self) -> "list[Any]":
        return list(self._order)
