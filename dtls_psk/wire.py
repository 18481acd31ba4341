"""Pulling fields from bytes and pushing them back (after aioquic's Buffer): every
length-prefixed block is read whole and must be consumed exactly, so trailing or
missing bytes raise ``DecodeError`` instead of slipping through."""

from dtls_psk.errors import DecodeError


class Reader:
    """A cursor over bytes; every pull checks its bounds."""

    __slots__ = ("_data", "_end", "_pos")

    def __init__(self, data: bytes, pos: int = 0, end: int = -1) -> None:
        self._data = data
        self._pos = pos
        self._end = len(data) if end < 0 else end

    def remaining(self) -> int:
        return self._end - self._pos

    def pull_bytes(self, n: int) -> bytes:
        if n < 0 or self._pos + n > self._end:
            raise DecodeError("truncated: wanted %d bytes, %d left" % (n, self._end - self._pos))
        out = self._data[self._pos : self._pos + n]
        self._pos += n
        return bytes(out)

    def pull_uint(self, size: int) -> int:
        return int.from_bytes(self.pull_bytes(size), "big")

    def pull_vector(self, len_size: int, min_len: int = 0, max_len: int = -1) -> bytes:
        """An opaque vector with a ``len_size``-byte length prefix (RFC 5246 §4.3)."""
        n = self.pull_uint(len_size)
        if n < min_len or (max_len >= 0 and n > max_len):
            raise DecodeError("vector length %d out of range" % n)
        return self.pull_bytes(n)

    def pull_block(self, len_size: int) -> "Reader":
        """A sub-reader over a length-prefixed block; call ``done()`` on it after use."""
        n = self.pull_uint(len_size)
        if self._pos + n > self._end:
            raise DecodeError("block overruns its container")
        sub = Reader(self._data, self._pos, self._pos + n)
        self._pos += n
        return sub

    def done(self) -> None:
        """Raise unless everything was consumed."""
        if self._pos != self._end:
            raise DecodeError("%d trailing bytes" % (self._end - self._pos))


def vector(len_size: int, data: bytes) -> bytes:
    """``data`` with a ``len_size``-byte big-endian length prefix."""
    if len(data) >= 1 << (8 * len_size):
        raise ValueError("vector too long for its length prefix")
    return len(data).to_bytes(len_size, "big") + data
