"""Notification attributes: Write-Attributes, their inheritance, their Discover form.

OMA LwM2M 1.1.1 Core §5.1.2 (attributes) and §6.3.4 / §6.3.5 (Discover,
Write-Attributes). The <NOTIFICATION> attributes are kept per server and per path:

=======  ===================  =====================================================
name     meaning              attaches to
=======  ===================  =====================================================
pmin     minimum period (s)   object, instance, resource, resource instance
pmax     maximum period (s)   object, instance, resource, resource instance
epmin    min. evaluation (s)  object, instance, resource, resource instance
epmax    max. evaluation (s)  object, instance, resource, resource instance
gt       greater than         a numeric resource or resource instance
lt       less than            a numeric resource or resource instance
st       step (>= 0)          a numeric resource or resource instance
=======  ===================  =====================================================

Write-Attributes sets ``?pmin=10`` and clears ``?pmin`` (no value); anything else
(unknown names, ``dim`` and ``ver`` which are read-only, malformed numbers, numeric
conditions on non-numeric targets, ``lt >= gt``, ``lt + 2*st >= gt``) is refused
whole with 4.00 Bad Request and changes nothing.

Inheritance: what the server attached to a resource instance overrides the
resource, which overrides the instance, which overrides the object; pmin and pmax
fall back to the server's Default Minimum / Maximum Period (/1/x/2, /1/x/3).
Discover shows the effective (inherited) attributes on the link of the path it
targets, and only the attached ones on the links below it (ETS 1.1-int-261).
"""

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import TypeAlias

    Path: TypeAlias = tuple[int, ...]
    Number: TypeAlias = int | float

PERIODS = ("pmin", "pmax", "epmin", "epmax")
CONDITIONS = ("gt", "lt", "st")
ORDER = ("pmin", "pmax", "gt", "lt", "st", "epmin", "epmax")
READ_ONLY = ("dim", "ver")


class InvalidAttributes(ValueError):
    """A Write-Attributes the client refuses with 4.00 Bad Request."""


def _number(name: str, text: str) -> "Number":
    body = text[1:] if text[:1] in ("-", "+") else text
    if body.isdigit():
        return int(text)
    try:
        value = float(text)
    except ValueError:
        raise InvalidAttributes("%s=%s is not a number" % (name, text)) from None
    # nan and infinities are not values a threshold can hold.
    if value != value or value in (float("inf"), float("-inf")):
        raise InvalidAttributes("%s=%s is not a finite number" % (name, text))
    return value


def parse_query(query: "list[str] | tuple[str, ...]") -> "dict[str, Number | None]":
    """Uri-Query items of a Write-Attributes -> {name: value, or None to clear}."""
    out: "dict[str, Number | None]" = {}
    for item in query:
        name, sep, text = item.partition("=")
        if name in READ_ONLY:
            raise InvalidAttributes("%s cannot be written" % name)
        if name not in ORDER:
            raise InvalidAttributes("unknown attribute %r" % name)
        if name in out:
            raise InvalidAttributes("%s is given twice" % name)
        if not sep:
            out[name] = None
            continue
        value = _number(name, text)
        if name in PERIODS:
            if not isinstance(value, int) or value < 0:
                raise InvalidAttributes("%s must be a whole number of seconds >= 0" % name)
        elif name == "st" and value < 0:
            raise InvalidAttributes("st must not be negative")
        out[name] = value
    return out


class AttributeStore:
    """The attributes each server attached, by path."""

    __slots__ = ("_by_server",)

    def __init__(self) -> None:
        self._by_server: "dict[int, dict[Path, dict[str, Number]]]" = {}

    def write(
        self,
        ssid: int,
        path: "Path",
        query: "list[str] | tuple[str, ...]",
        numeric: bool = False,
    ) -> None:
        """Apply a Write-Attributes of server ``ssid`` on ``path`` (all or nothing).

        ``numeric``: the target is a resource (instance) of a numeric type, the only
        place gt / lt / st may go."""
        if not path:
            raise InvalidAttributes("attributes attach to an object or below, not to /")
        changes = parse_query(query)
        paths = self._by_server.setdefault(ssid, {})
        merged = dict(paths.get(path, {}))
        for name, value in changes.items():
            if value is None:
                merged.pop(name, None)
            else:
                merged[name] = value
        if any(name in merged for name in CONDITIONS) and (len(path) < 3 or not numeric):
            raise InvalidAttributes("gt, lt and st apply to numeric resources only")
        gt = merged.get("gt")
        lt = merged.get("lt")
        if gt is not None and lt is not None:
            # Core §5.1.2: lt < gt, and lt + 2*st < gt when st is set too.
            if lt >= gt:
                raise InvalidAttributes("lt must be below gt")
            st = merged.get("st")
            if st is not None and lt + 2 * st >= gt:
                raise InvalidAttributes("lt + 2*st must be below gt")
        if merged:
            paths[path] = merged
        else:
            paths.pop(path, None)

    def attached(self, ssid: int, path: "Path") -> "dict[str, Number]":
        """What server ``ssid`` attached to exactly ``path``."""
        return dict(self._by_server.get(ssid, {}).get(path, {}))

    def effective(
        self,
        ssid: int,
        path: "Path",
        default_pmin: "int | None" = None,
        default_pmax: "int | None" = None,
    ) -> "dict[str, Number]":
        """The attributes in force at ``path`` for ``ssid``, inherited downwards."""
        out: "dict[str, Number]" = {}
        if default_pmin is not None:
            out["pmin"] = default_pmin
        if default_pmax is not None:
            out["pmax"] = default_pmax
        paths = self._by_server.get(ssid)
        if paths:
            for depth in range(1, len(path) + 1):
                level = paths.get(path[:depth])
                if level:
                    out.update(level)
        return out

    def forget(self, path: "Path") -> None:
        """``path`` is gone (instance deleted): drop what any server attached at or below it."""
        for paths in self._by_server.values():
            for attached in list(paths):
                if attached[: len(path)] == path:
                    del paths[attached]

    def forget_server(self, ssid: int) -> None:
        """Server ``ssid`` is gone: drop everything it attached."""
        self._by_server.pop(ssid, None)


def format_attributes(attributes: "dict[str, Number]") -> str:
    """``{"pmax": 320, "pmin": 10}`` -> ``";pmin=10;pmax=320"`` (link-format parameters)."""
    out = []
    for name in ORDER:
        value = attributes.get(name)
        if value is None:
            continue
        if isinstance(value, float) and value == int(value) and abs(value) < 1e15:
            text = str(int(value))
        else:
            text = repr(value)
        out.append(";%s=%s" % (name, text))
    return "".join(out)
