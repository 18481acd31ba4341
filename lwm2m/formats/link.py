"""CoRE link format, ``application/link-format`` (40): RFC 6690 as LwM2M uses it for
the Register / Update object list (OMA LwM2M 1.1.1 Core §6.2.1, §5.3.1) and the
Discover answer with its attributes (§5.4.2, §5.1.2).

``parse(payload)`` gives :class:`Link` objects; ``build(links)`` writes them back with
no spaces. Attribute values become ints for ``dim``, ``pmin``, ``pmax``, ``epmin``,
``epmax``, ``ssid`` and an unquoted ``ct``; int or float for ``gt``, ``lt``, ``st``;
text for the rest (``ver`` stays text: ``1.10`` is not ``1.1``). A parameter with no
value is None. Values of ``rt``, ``if``, ``title``, ``anchor``, ``rel`` and any text
that is not a token are written quoted.
"""

from lwm2m.errors import FormatError
from lwm2m.formats.values import parse_name, path_text

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterable
    from typing import Any

    from lwm2m.formats.values import Path

CONTENT_FORMAT = 40

INT_ATTRIBUTES = frozenset(("dim", "pmin", "pmax", "epmin", "epmax", "ssid", "ct", "edge"))
NUMBER_ATTRIBUTES = frozenset(("gt", "lt", "st"))
QUOTED_ATTRIBUTES = frozenset(("rt", "if", "title", "anchor", "rel", "rev"))
ROOT_RESOURCE_TYPE = "oma.lwm2m"

# RFC 6690 §2 / RFC 5987: characters of a ptoken (unquoted parameter value).
_TOKEN_CHARS = frozenset(
    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789!#$%&'()*+-./:<=>?@[]^_`{|}~"
)
_NUMBER_CHARS = frozenset("0123456789+-.eE")


class Link:
    """One link-value: the target ``uri`` (``/3/0``), its LwM2M ``path`` (a tuple of
    ids, ``()`` for ``/``, None when the target is not an LwM2M path) and ``attrs``,
    an ordered list of ``(name, value)``."""

    __slots__ = ("attrs", "path", "uri")

    def __init__(self, uri: "str | Path", attrs: "Iterable[tuple[str, Any]] | None" = None) -> None:
        if type(uri) is tuple:
            self.path: Path | None = uri
            self.uri = path_text(uri)
        else:
            self.uri = str(uri)
            try:
                self.path = parse_name(self.uri)
            except FormatError:
                self.path = None
        self.attrs: list[tuple[str, Any]] = list(attrs or ())

    def get(self, name: str, default: "Any" = None) -> "Any":
        for key, value in self.attrs:
            if key == name:
                return value
        return default

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Link) and self.uri == other.uri and self.attrs == other.attrs

    def __repr__(self) -> str:
        return "Link(%r, %r)" % (self.uri, self.attrs)


def parse(data: "bytes | str") -> "list[Link]":
    """A link-format payload -> its links, in order."""
    if type(data) is not str:
        try:
            text = bytes(data).decode("utf-8")  # type: ignore[arg-type]
        except UnicodeError:
            raise FormatError("link format is not UTF-8") from None
    else:
        text = data
    links: list[Link] = []
    i = 0
    n = len(text)
    i = _skip_space(text, i)
    if i == n:
        return links
    while True:
        if i >= n or text[i] != "<":
            raise FormatError("link format: '<' expected at %d" % i)
        close = text.find(">", i + 1)
        if close < 0:
            raise FormatError("link format: '>' missing after %d" % i)
        uri = text[i + 1 : close]
        link = Link(uri)
        i = close + 1
        while True:
            i = _skip_space(text, i)
            if i >= n or text[i] != ";":
                break
            i = _skip_space(text, i + 1)
            start = i
            while i < n and text[i] not in "=;,":
                i += 1
            name = text[start:i].strip()
            if not name or not _TOKEN_CHARS.issuperset(name):
                raise FormatError("link format: bad parameter name %r" % name)
            if i < n and text[i] == "=":
                i += 1
                if i < n and text[i] == '"':
                    raw, i = _quoted(text, i)
                    value: Any = raw
                else:
                    start = i
                    while i < n and text[i] not in ";,":
                        i += 1
                    raw = text[start:i].strip()
                    if not raw or not _TOKEN_CHARS.issuperset(raw):
                        raise FormatError("link format: bad value %r for %s" % (raw, name))
                    value = _typed(name, raw)
            else:
                value = None
            link.attrs.append((name, value))
        links.append(link)
        i = _skip_space(text, i)
        if i >= n:
            return links
        if text[i] != ",":
            raise FormatError("link format: ',' expected at %d" % i)
        i = _skip_space(text, i + 1)


def _skip_space(text: str, i: int) -> int:
    n = len(text)
    while i < n and text[i] in " \t\r\n":
        i += 1
    return i


def _quoted(text: str, i: int) -> "tuple[str, int]":
    """RFC 7230 quoted-string starting at ``text[i] == '"'``: (content, index after)."""
    out: list[str] = []
    i += 1
    n = len(text)
    while i < n:
        c = text[i]
        if c == '"':
            return "".join(out), i + 1
        if c == "\\" and i + 1 < n:
            i += 1
            c = text[i]
        out.append(c)
        i += 1
    raise FormatError("link format: unterminated quoted string")


def _typed(name: str, raw: str) -> "Any":
    if name in INT_ATTRIBUTES:
        body = raw[1:] if raw[:1] == "-" else raw
        if not body.isdigit():
            raise FormatError("link format: %s=%r is not an integer" % (name, raw))
        return int(raw)
    if name in NUMBER_ATTRIBUTES:
        if not _NUMBER_CHARS.issuperset(raw):
            raise FormatError("link format: %s=%r is not a number" % (name, raw))
        body = raw[1:] if raw[:1] in "+-" else raw
        if body.isdigit():
            return int(raw)
        try:
            return float(raw)
        except ValueError:
            raise FormatError("link format: %s=%r is not a number" % (name, raw)) from None
    return raw


def format_value(name: str, value: "Any") -> str:
    t = type(value)
    if t is int:
        return "%d" % value
    if t is float:
        if value - value != 0.0:
            raise FormatError("link format: %s cannot be %r" % (name, value))
        return repr(value)
    if t is not str:
        raise FormatError("link format: %s has a %s value" % (name, t.__name__))
    s: str = value
    # Text where a number could stand (ct="60 110") is quoted so that it reads back as text.
    if (
        name in QUOTED_ATTRIBUTES
        or name in INT_ATTRIBUTES
        or name in NUMBER_ATTRIBUTES
        or not s
        or not _TOKEN_CHARS.issuperset(s)
    ):
        return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return s


def build(links: "Iterable[Link]") -> bytes:
    """Links -> link-format payload (``<uri>;name=value,...``, no spaces)."""
    parts = []
    for link in links:
        if ">" in link.uri or "<" in link.uri:
            raise FormatError("link format: bad target %r" % link.uri)
        s = "<" + link.uri + ">"
        for name, value in link.attrs:
            if not name or not _TOKEN_CHARS.issuperset(name) or "=" in name:
                raise FormatError("link format: bad parameter name %r" % (name,))
            s += ";" + name if value is None else ";%s=%s" % (name, format_value(name, value))
        parts.append(s)
    return ",".join(parts).encode("utf-8")


def register_links(
    objects: "Iterable[tuple[int, str | None, Iterable[int]]]",
    content_formats: "Iterable[int] | None" = None,
    root: "str | None" = "/",
) -> "list[Link]":
    """The Register / Update object list (OMA LwM2M 1.1.1 Core §6.2.1): the root link
    ``</>;rt="oma.lwm2m"`` (with ``ct`` when ``content_formats`` is given; ``root``
    None leaves it out), then per ``(object id, version or None, instance ids)``:
    ``</oid>;ver=x.y`` when a version is given or there are no instances, and one
    ``</oid/iid>`` per instance."""
    links = []
    if root is not None:
        attrs: list[tuple[str, Any]] = [("rt", ROOT_RESOURCE_TYPE)]
        if content_formats is not None:
            cts = list(content_formats)
            attrs.append(("ct", cts[0] if len(cts) == 1 else " ".join(["%d" % c for c in cts])))
        links.append(Link(root, attrs))
    prefix = "" if root in (None, "/") else str(root)
    for oid, version, iids in objects:
        iids = list(iids)
        if version is not None or not iids:
            links.append(
                Link(prefix + "/%d" % oid, [("ver", version)] if version is not None else [])
            )
        for iid in iids:
            links.append(Link(prefix + "/%d/%d" % (oid, iid)))
    return links
