"""The CoAP message and its wire codec (RFC 7252 §3).

A :class:`Message` keeps its options as a list of ``(number, value bytes)`` pairs in
wire order (ascending number, repeated options in their order of appearance), so a
decoded message re-encodes to the same bytes and unknown options survive untouched.
Typed accessors (``uri_path``, ``content_format``, ``block2``, ...) read and write that
list. :func:`decode` checks every structural rule of §3 and raises
:class:`MessageFormatError`, and nothing else, for any bytes that break one.
"""

import struct

from coap import codes, options, types
from coap.options import decode_block, decode_uint, encode_block, encode_uint

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence
    OptionValue = bytes | bytearray | str | int
    Block = tuple[int, bool, int]

PAYLOAD_MARKER = 0xFF
DEFAULT_MAX_AGE = 60  # RFC 7252 §5.10.5: seconds, when the option is absent


class MessageFormatError(ValueError):
    """A datagram that is not a well-formed CoAP message; ``str()`` says why."""


class Message:
    """One CoAP message: type, code, message id, token, options and payload.

    ``options`` is a list of ``(number, bytes)`` in ascending number order; use
    :meth:`add_option` / :meth:`set_option` or the typed properties to keep it so
    (:meth:`encode` sorts it when it was built out of order).
    """

    __slots__ = ("code", "mid", "options", "payload", "token", "type")

    def __init__(
        self,
        type: int = types.CON,
        code: int = codes.EMPTY,
        mid: int = 0,
        token: bytes = b"",
        options: "list[tuple[int, bytes]] | None" = None,
        payload: bytes = b"",
    ) -> None:
        self.type = type
        self.code = code
        self.mid = mid
        self.token = token
        self.options: list[tuple[int, bytes]] = [] if options is None else options
        self.payload = payload

    # -- comparison and display ----------------------------------------------------

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Message):
            return NotImplemented
        return (
            self.type == other.type
            and self.code == other.code
            and self.mid == other.mid
            and self.token == other.token
            and self.payload == other.payload
            and _in_order(self.options) == _in_order(other.options)
        )

    def __ne__(self, other: object) -> bool:
        equal = self.__eq__(other)
        return equal if equal is NotImplemented else not equal

    __hash__ = None  # type: ignore[assignment]  # mutable

    def __repr__(self) -> str:
        parts = [
            types.NAMES.get(self.type, str(self.type)),
            codes.code_text(self.code),
            codes.code_name(self.code),
            "mid=%d" % self.mid,
        ]
        if self.token:
            parts.append("token=" + self.token.hex())
        parts.extend(
            "%s=%s" % (options.option_name(n), v.hex()) for n, v in self.options
        )
        if self.payload:
            parts.append("payload=%d bytes" % len(self.payload))
        return "<Message %s>" % " ".join(parts)

    def copy(self) -> "Message":
        """A copy with its own options list (values are immutable bytes)."""
        return Message(
            self.type, self.code, self.mid, self.token, list(self.options), self.payload
        )

    # -- classification --------------------------------------------------------------

    @property
    def is_request(self) -> bool:
        return 0 < self.code < 0x20

    @property
    def is_response(self) -> bool:
        return 0x40 <= self.code < 0xC0

    @property
    def is_empty(self) -> bool:
        return self.code == codes.EMPTY

    # -- raw options ------------------------------------------------------------------

    def get_option(self, number: int) -> "bytes | None":
        """The first value of option ``number``, or None."""
        for n, value in self.options:
            if n == number:
                return value
        return None

    def get_options(self, number: int) -> "list[bytes]":
        """Every value of option ``number``, in order."""
        return [value for n, value in self.options if n == number]

    def has_option(self, number: int) -> bool:
        return any(n == number for n, _ in self.options)

    def add_option(self, number: int, value: "OptionValue" = b"") -> None:
        """Append one occurrence of ``number`` after any it already has (wire order kept).

        ``value`` is bytes, a str (UTF-8) or an int (minimal uint, RFC 7252 §3.2).
        """
        if not 0 <= number <= 0xFFFF:
            raise ValueError("option number out of range: %d" % number)
        raw = _option_bytes(value)
        opts = self.options
        i = len(opts)
        while i and opts[i - 1][0] > number:
            i -= 1
        opts.insert(i, (number, raw))

    def set_option(self, number: int, value: "OptionValue | None") -> None:
        """Replace every occurrence of ``number`` by one ``value`` (None removes it)."""
        self.remove_option(number)
        if value is not None:
            self.add_option(number, value)

    def remove_option(self, number: int) -> None:
        self.options = [item for item in self.options if item[0] != number]

    def unrecognized_critical(self, known: "Iterable[int]" = ()) -> "list[int]":
        """Critical options this endpoint cannot process (RFC 7252 §5.4.1 and §5.4.3).

        An odd-numbered option that is neither registered nor in ``known``, or whose
        length is outside its registered range, must be answered with 4.02 Bad Option
        in a request and makes a response unusable.
        """
        extra = set(known)
        found = []
        for number, value in self.options:
            if (
                number & 1
                and number not in extra
                and (number not in options.REGISTRY or not options.length_ok(number, len(value)))
            ):
                found.append(number)
        return found

    def _uint(self, number: int) -> "int | None":
        # RFC 7252 §5.4.3: a value longer than the registry allows is treated like an
        # unrecognized option; for the elective ones that means ignoring it.
        value = self.get_option(number)
        if value is None or len(value) > options.MAX_LENGTH[number]:
            return None
        return decode_uint(value)

    def _set_uint(self, number: int, value: "int | None") -> None:
        self.set_option(number, None if value is None else encode_uint(value))

    def _strings(self, number: int) -> "tuple[str, ...]":
        try:
            return tuple(str(v, "utf-8") for n, v in self.options if n == number)
        except UnicodeError:
            raise MessageFormatError(
                "%s is not UTF-8" % options.option_name(number)
            ) from None

    def _set_strings(self, number: int, values: "Sequence[str] | str") -> None:
        self.remove_option(number)
        for value in values.split("/") if isinstance(values, str) else values:
            self.add_option(number, value.encode())

    def _string(self, number: int) -> "str | None":
        value = self.get_option(number)
        if value is None:
            return None
        try:
            return str(value, "utf-8")
        except UnicodeError:
            raise MessageFormatError(
                "%s is not UTF-8" % options.option_name(number)
            ) from None

    # -- typed accessors --------------------------------------------------------------

    @property
    def uri_path(self) -> "tuple[str, ...]":
        """Uri-Path segments; set from a sequence or from text ``"a/b"`` (no leading '/')."""
        return self._strings(options.URI_PATH)

    @uri_path.setter
    def uri_path(self, value: "Sequence[str] | str") -> None:
        if isinstance(value, str):
            value = [s for s in value.split("/") if s] if value.strip("/") else []
        self._set_strings(options.URI_PATH, value)

    @property
    def uri_path_text(self) -> str:
        """The path as text: ``"/3/0/1"`` (``"/"`` when absent)."""
        return "/" + "/".join(self.uri_path)

    @property
    def uri_query(self) -> "tuple[str, ...]":
        return self._strings(options.URI_QUERY)

    @uri_query.setter
    def uri_query(self, value: "Sequence[str]") -> None:
        self._set_strings(options.URI_QUERY, list(value))

    @property
    def location_path(self) -> "tuple[str, ...]":
        return self._strings(options.LOCATION_PATH)

    @location_path.setter
    def location_path(self, value: "Sequence[str]") -> None:
        self._set_strings(options.LOCATION_PATH, list(value))

    @property
    def location_query(self) -> "tuple[str, ...]":
        return self._strings(options.LOCATION_QUERY)

    @location_query.setter
    def location_query(self, value: "Sequence[str]") -> None:
        self._set_strings(options.LOCATION_QUERY, list(value))

    @property
    def uri_host(self) -> "str | None":
        return self._string(options.URI_HOST)

    @uri_host.setter
    def uri_host(self, value: "str | None") -> None:
        self.set_option(options.URI_HOST, value)

    @property
    def uri_port(self) -> "int | None":
        return self._uint(options.URI_PORT)

    @uri_port.setter
    def uri_port(self, value: "int | None") -> None:
        self._set_uint(options.URI_PORT, value)

    @property
    def proxy_uri(self) -> "str | None":
        return self._string(options.PROXY_URI)

    @proxy_uri.setter
    def proxy_uri(self, value: "str | None") -> None:
        self.set_option(options.PROXY_URI, value)

    @property
    def proxy_scheme(self) -> "str | None":
        return self._string(options.PROXY_SCHEME)

    @proxy_scheme.setter
    def proxy_scheme(self, value: "str | None") -> None:
        self.set_option(options.PROXY_SCHEME, value)

    @property
    def content_format(self) -> "int | None":
        return self._uint(options.CONTENT_FORMAT)

    @content_format.setter
    def content_format(self, value: "int | None") -> None:
        self._set_uint(options.CONTENT_FORMAT, value)

    @property
    def accept(self) -> "int | None":
        return self._uint(options.ACCEPT)

    @accept.setter
    def accept(self, value: "int | None") -> None:
        self._set_uint(options.ACCEPT, value)

    @property
    def observe(self) -> "int | None":
        """RFC 7641: 0 registers, 1 deregisters; in a notification a 24-bit sequence."""
        return self._uint(options.OBSERVE)

    @observe.setter
    def observe(self, value: "int | None") -> None:
        self._set_uint(options.OBSERVE, value)

    @property
    def max_age(self) -> "int | None":
        """Max-Age in seconds, None when absent (then RFC 7252 means DEFAULT_MAX_AGE)."""
        return self._uint(options.MAX_AGE)

    @max_age.setter
    def max_age(self, value: "int | None") -> None:
        self._set_uint(options.MAX_AGE, value)

    @property
    def size1(self) -> "int | None":
        return self._uint(options.SIZE1)

    @size1.setter
    def size1(self, value: "int | None") -> None:
        self._set_uint(options.SIZE1, value)

    @property
    def size2(self) -> "int | None":
        return self._uint(options.SIZE2)

    @size2.setter
    def size2(self, value: "int | None") -> None:
        self._set_uint(options.SIZE2, value)

    @property
    def no_response(self) -> "int | None":
        """RFC 7967 suppression bits (2: 2.xx, 8: 4.xx, 16: 5.xx), None when absent."""
        return self._uint(options.NO_RESPONSE)

    @no_response.setter
    def no_response(self, value: "int | None") -> None:
        self._set_uint(options.NO_RESPONSE, value)

    @property
    def block1(self) -> "Block | None":
        """``(num, more, szx)`` of Block1 (RFC 7959 §2.2), None when absent."""
        value = self.get_option(options.BLOCK1)
        return None if value is None or len(value) > 3 else decode_block(value)

    @block1.setter
    def block1(self, value: "Block | None") -> None:
        self.set_option(options.BLOCK1, None if value is None else encode_block(*value))

    @property
    def block2(self) -> "Block | None":
        """``(num, more, szx)`` of Block2 (RFC 7959 §2.2), None when absent."""
        value = self.get_option(options.BLOCK2)
        return None if value is None or len(value) > 3 else decode_block(value)

    @block2.setter
    def block2(self, value: "Block | None") -> None:
        self.set_option(options.BLOCK2, None if value is None else encode_block(*value))

    @property
    def etag(self) -> "bytes | None":
        """The first ETag (a response carries one; a request may list several)."""
        return self.get_option(options.ETAG)

    @etag.setter
    def etag(self, value: "bytes | None") -> None:
        self.set_option(options.ETAG, value)

    @property
    def etags(self) -> "list[bytes]":
        return self.get_options(options.ETAG)

    @property
    def if_match(self) -> "list[bytes]":
        return self.get_options(options.IF_MATCH)

    @if_match.setter
    def if_match(self, value: "Sequence[bytes]") -> None:
        self.remove_option(options.IF_MATCH)
        for item in value:
            self.add_option(options.IF_MATCH, item)

    @property
    def if_none_match(self) -> bool:
        return self.has_option(options.IF_NONE_MATCH)

    @if_none_match.setter
    def if_none_match(self, value: bool) -> None:
        self.set_option(options.IF_NONE_MATCH, b"" if value else None)

    # -- wire form --------------------------------------------------------------------

    def encode(self) -> bytes:
        """The datagram (RFC 7252 §3). Raises ValueError for fields that cannot be sent."""
        token = self.token
        tkl = len(token)
        code = self.code
        try:
            # the table rejects a bad type and a token over 8 bytes, the packer a code or
            # mid out of range; header and token come out of one pack
            out = _PACK_HEAD[tkl](_FIRST_BYTE[self.type][tkl], code, self.mid, token)
        except _PACK_ERRORS:
            raise ValueError(
                "cannot encode type %r code %r mid %r token of %d bytes (0-8)"
                % (self.type, code, self.mid, tkl)
            ) from None
        payload = self.payload
        if not code and (tkl or self.options or payload):
            raise ValueError("an empty message (0.00) has no token, options or payload")
        # The hot loop: an option's header is two list subscripts, by delta then length
        # (measured 15-20 % faster a message than one dict lookup on a combined key);
        # a miss grows the table. A negative delta would index from the end, so an
        # option list built out of order is caught first.
        headers = _OPTION_HEADERS
        last = 0
        for number, value in self.options:
            if number < last:  # encode a sorted copy instead
                return Message(self.type, code, self.mid, token,
                               _in_order(self.options), payload).encode()
            try:
                out += headers[number - last][len(value)] + value
            except IndexError:
                out += _header_miss(number - last, len(value)) + value
            last = number
        if payload:
            return out + b"\xff" + payload
        return out


# Ver 1, the type and the token length: the first byte, by type then token length.
_FIRST_BYTE = {t: [0x40 | t << 4 | n for n in range(9)]
               for t in (types.CON, types.NON, types.ACK, types.RST)}

# RFC 7252 §3.1: the header of an option is ``_OPTION_HEADERS[delta][length]``. Every
# one-byte header is there from the start; extended ones are added as they are met
# (rows of deltas not met yet are empty tuples), up to a bound on the entries added so
# memory stays flat on small devices.
_OPTION_HEADERS: "list[Sequence[bytes]]" = [
    [bytes((d << 4 | n,)) for n in range(13)] for d in range(13)
]
_HEADER_MEMO_LIMIT = 512
_memo_room = _HEADER_MEMO_LIMIT  # entries (rows and headers) the table may still add


def _header_miss(delta: int, length: int) -> bytes:
    """The header for a delta and length the table lacks; grows the table to hold it
    while there is room. Raises ValueError for a delta or length nothing can encode."""
    global _memo_room
    header = _option_header(delta, length)
    if delta < 0 or delta > 268 or length > 268:  # two-byte extensions are rare
        return header
    rows = _OPTION_HEADERS
    new_rows = delta + 1 - len(rows)  # placeholder rows up to this delta's
    row = rows[delta] if new_rows <= 0 else ()
    grow = max(new_rows, 0) + length + 1 - len(row)
    if grow > _memo_room:
        return header
    _memo_room -= grow
    rows.extend(() for _ in range(new_rows))
    rows[delta] = list(row) + [_option_header(delta, n) for n in range(len(row), length + 1)]
    return header


try:
    # one packer per token length: the 4-byte header and the token in one call
    _PACK_HEAD = [struct.Struct(">BBH%ds" % n).pack for n in range(9)]
    _PACK_ERRORS: "tuple[type[Exception], ...]" = (KeyError, IndexError, TypeError, struct.error)
except AttributeError:  # MicroPython: no struct.Struct, and struct.pack truncates silently

    def _pack_head(first: int, code: int, mid: int, token: bytes) -> bytes:
        if code >> 8 or code < 0 or mid >> 16 or mid < 0:
            raise ValueError("code or message id out of range")
        return struct.pack(">BBH", first, code, mid) + token

    _PACK_HEAD = [_pack_head] * 9
    _PACK_ERRORS = (KeyError, IndexError, ValueError, TypeError)


def _option_header(delta: int, length: int) -> bytes:
    # RFC 7252 §3.1: nibbles 13 and 14 announce a 1- or 2-byte extension of the
    # delta / length (minus 13 / 269); 15 is reserved.
    if delta < 13:
        dn, dext = delta, b""
    elif delta < 269:
        dn, dext = 13, bytes((delta - 13,))
    elif delta < 65805:
        dn, dext = 14, bytes(((delta - 269) >> 8, (delta - 269) & 0xFF))
    else:
        raise ValueError("option delta %d is too large" % delta)
    if length < 13:
        ln, lext = length, b""
    elif length < 269:
        ln, lext = 13, bytes((length - 13,))
    elif length < 65805:
        ln, lext = 14, bytes(((length - 269) >> 8, (length - 269) & 0xFF))
    else:
        raise ValueError("option value of %d bytes is too long" % length)
    return bytes((dn << 4 | ln,)) + dext + lext


def _in_order(opts: "list[tuple[int, bytes]]") -> "list[tuple[int, bytes]]":
    """Options sorted by number, repeated ones kept in order (MicroPython's sort is not
    stable, so the index breaks ties)."""
    last = -1
    for number, _ in opts:
        if number < last:
            break
        last = number
    else:
        return opts
    ranked = sorted((n, i, v) for i, (n, v) in enumerate(opts))
    return [(n, v) for n, _, v in ranked]


def _option_bytes(value: "OptionValue") -> bytes:
    if isinstance(value, bytes):
        return value
    if isinstance(value, bytearray):
        return bytes(value)
    if isinstance(value, str):
        return value.encode()
    if isinstance(value, int) and not isinstance(value, bool):
        return encode_uint(value)
    raise TypeError("option value must be bytes, str or int, not %r" % (value,))


def decode(data: "bytes | bytearray | memoryview") -> Message:
    """Parse one datagram (RFC 7252 §3). Raises :class:`MessageFormatError` with a reason."""
    if not isinstance(data, bytes):
        data = bytes(data)
    n = len(data)
    if n < 4:
        raise MessageFormatError("short header: %d bytes, a CoAP header has 4" % n)
    first = data[0]
    if first >> 6 != 1:
        raise MessageFormatError("version %d, only version 1 exists" % (first >> 6))
    tkl = first & 0x0F
    code = data[1]
    mid = data[2] << 8 | data[3]
    if code == 0:
        # RFC 7252 §4.1: an empty message is the 4-byte header alone.
        if tkl or n > 4:
            raise MessageFormatError("empty message (0.00) with token, options or payload")
        return Message((first >> 4) & 3, 0, mid, b"", [], b"")
    if tkl > 8:
        raise MessageFormatError("token length %d is reserved (0-8)" % tkl)
    pos = 4 + tkl
    if pos > n:
        raise MessageFormatError("token of %d bytes runs past the end" % tkl)
    token = data[4:pos]
    opts: list[tuple[int, bytes]] = []
    append = opts.append
    number = 0
    while pos < n:
        byte = data[pos]
        if byte < 0xD0 and byte & 0x0F < 13:  # the common case: no extended fields
            number += byte >> 4
            start = pos + 1
            pos = start + (byte & 0x0F)
            if pos > n:
                raise MessageFormatError(
                    "option %d value of %d bytes runs past the end" % (number, byte & 0x0F)
                )
            append((number, data[start:pos]))
            continue
        pos += 1
        if byte == PAYLOAD_MARKER:
            if pos == n:
                raise MessageFormatError("payload marker with no payload")
            break
        delta = byte >> 4
        length = byte & 0x0F
        if delta > 12:
            if delta == 13:
                if pos >= n:
                    raise MessageFormatError("option delta extension runs past the end")
                delta = data[pos] + 13
                pos += 1
            elif delta == 14:
                if pos + 2 > n:
                    raise MessageFormatError("option delta extension runs past the end")
                delta = (data[pos] << 8 | data[pos + 1]) + 269
                pos += 2
            else:
                raise MessageFormatError("option delta nibble 15 outside the payload marker")
        if length > 12:
            if length == 13:
                if pos >= n:
                    raise MessageFormatError("option length extension runs past the end")
                length = data[pos] + 13
                pos += 1
            elif length == 14:
                if pos + 2 > n:
                    raise MessageFormatError("option length extension runs past the end")
                length = (data[pos] << 8 | data[pos + 1]) + 269
                pos += 2
            else:
                raise MessageFormatError("option length nibble 15 is reserved")
        number += delta
        end = pos + length
        if end > n:
            raise MessageFormatError(
                "option %d value of %d bytes runs past the end" % (number, length)
            )
        append((number, data[pos:end]))
        pos = end
    if number > 0xFFFF:
        raise MessageFormatError("option number %d is beyond 65535" % number)
    return Message((first >> 4) & 3, code, mid, token, opts, data[pos:])
