"""Execute arguments (OMA LwM2M 1.1.1 Core §5.4.5, ABNF):
``arglist = arg *("," arg)``, ``arg = DIGIT ["=" "'" *CHAR "'"]``, CHAR any of
``!`` and ``#``..``&`` and ``(``..``[`` and ``]``..``~`` (printable ASCII but quote
and backslash). ``5,2='10.3'`` -> ``[(5, None), (2, "10.3")]``."""

from lwm2m.errors import FormatError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterable


def _is_char(c: str) -> bool:
    o = ord(c)
    return (0x21 <= o <= 0x7E and c != "'" and c != "\\") or c == " "


def parse(data: bytes) -> "list[tuple[int, str | None]]":
    """An Execute payload -> ``[(digit, value or None), ...]`` (empty payload: [])."""
    try:
        text = bytes(data).decode("ascii")
    except UnicodeError:
        raise FormatError("execute arguments are ASCII") from None
    args: list[tuple[int, str | None]] = []
    i = 0
    n = len(text)
    if n == 0:
        return args
    while True:
        if i >= n or text[i] not in "0123456789":
            raise FormatError("execute argument: a digit expected at %d" % i)
        digit = ord(text[i]) - 48
        i += 1
        value = None
        if i < n and text[i] == "=":
            if i + 1 >= n or text[i + 1] != "'":
                raise FormatError("execute argument %d: a quoted value expected" % digit)
            end = text.find("'", i + 2)
            if end < 0:
                raise FormatError("execute argument %d: unterminated value" % digit)
            value = text[i + 2 : end]
            for c in value:
                if not _is_char(c):
                    raise FormatError("execute argument %d: bad character %r" % (digit, c))
            i = end + 1
        args.append((digit, value))
        if i == n:
            return args
        if text[i] != ",":
            raise FormatError("execute arguments: ',' expected at %d" % i)
        i += 1


def build(args: "Iterable[tuple[int, str | None]]") -> bytes:
    """``[(digit, value or None), ...]`` -> Execute payload."""
    parts = []
    for digit, value in args:
        if type(digit) is not int or not 0 <= digit <= 9:
            raise FormatError("an execute argument is a digit 0..9, not %r" % (digit,))
        if value is None:
            parts.append("%d" % digit)
        else:
            for c in value:
                if not _is_char(c):
                    raise FormatError("execute argument %d: bad character %r" % (digit, c))
            parts.append("%d='%s'" % (digit, value))
    return ",".join(parts).encode("ascii")
