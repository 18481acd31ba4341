"""Object and resource definitions: what the OMA registry's DDF files say, as plain classes.

OMA LwM2M 1.1.1 Core Appendix D (and the registry schema LWM2M-v1_1.xsd): an object has
an id, a name, an object version, the LwM2M version it was written for, single or
multiple instances, mandatory or optional; each resource has an id, a name, operations
(R, W, RW, E or none), single or multiple instances, mandatory or optional, a type, a
range or enumeration and units.
"""

from objects import types

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterable

# Operations as bit flags (a resource is R, W, RW, E or none).
READ = 1
WRITE = 2
EXECUTE = 4
OP_NONE = 0
OP_R = READ
OP_W = WRITE
OP_RW = READ | WRITE
OP_E = EXECUTE

OPERATION_NAMES = {OP_NONE: "", OP_R: "R", OP_W: "W", OP_RW: "RW", OP_E: "E"}
OPERATIONS_BY_NAME = {name: ops for ops, name in OPERATION_NAMES.items()}

# Table flags: bit 0 mandatory, bit 1 multiple instances.
OPTIONAL = 0
MANDATORY = 1
MULTIPLE = 2


def parse_operations(text: str) -> int:
    """``"RW"`` -> ``OP_RW``; ``""`` -> ``OP_NONE``. Raises ValueError on anything else."""
    ops = OPERATIONS_BY_NAME.get(text.strip().upper())
    if ops is None:
        raise ValueError("operations must be one of R, W, RW, E or empty, not %r" % (text,))
    return ops


class Range:
    """A checkable range or enumeration: bounds ``low..high`` and/or a tuple of ``choices``.

    With ``on_length`` the check applies to the length in bytes (UTF-8 for strings), as
    the registry means for String and Opaque resources ("0..255 bytes").
    """

    __slots__ = ("choices", "high", "low", "on_length", "text")

    def __init__(
        self,
        low: "int | float | None" = None,
        high: "int | float | None" = None,
        choices: "tuple[int | float | str, ...] | None" = None,
        on_length: bool = False,
        text: str = "",
    ) -> None:
        self.low = low
        self.high = high
        self.choices = choices
        self.on_length = on_length
        self.text = text

    def contains(self, value: object) -> bool:
        """True when the (type-checked) value lies in the range or enumeration."""
        subject: object = value
        if self.on_length:
            if isinstance(value, str):
                subject = len(value.encode())
            elif isinstance(value, (bytes, bytearray)):
                subject = len(value)
            else:
                return True
        if self.choices is not None:
            return subject in self.choices
        if not isinstance(subject, (int, float)) or isinstance(subject, bool):
            return True
        if self.low is not None and subject < self.low:
            return False
        return not (self.high is not None and subject > self.high)

    def describe(self) -> str:
        """Short text for error messages: ``0..100``, ``one of 16, 32, 48``, ``length 0..255``."""
        if self.choices is not None:
            text = "one of " + ", ".join([str(c) for c in self.choices])
        else:
            low = "" if self.low is None else str(self.low)
            high = "" if self.high is None else str(self.high)
            text = low + ".." + high
        return "length " + text if self.on_length else text

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Range):
            return NotImplemented
        return (self.low, self.high, self.choices, self.on_length) == (
            other.low,
            other.high,
            other.choices,
            other.on_length,
        )

    def __hash__(self) -> int:
        return hash((self.low, self.high, self.choices, self.on_length))

    def __repr__(self) -> str:
        return "Range(%r)" % (self.describe(),)


def _number(text: str, rtype: int) -> "int | float | None":
    text = text.strip()
    if not text:
        return None
    body = text[1:] if text[0] in "+-" else text
    try:
        if body.isdigit():
            return int(text)
        if rtype == types.FLOAT:
            return float(text)
    except ValueError:  # "1e", Unicode digits int() refuses, more digits than int() takes
        return None
    return None


def parse_range(text: str, rtype: int) -> "Range | None":
    """Parse a registry RangeEnumeration for a resource of type ``rtype``.

    Understood: ``a..b`` and ``a-b`` bounds, ``a,b,c`` and ``a-b-c`` enumerations, one
    number, each optionally followed by ``bytes``. For String and Opaque the numbers
    are lengths in bytes (one number: exactly that many bytes for Opaque, at most that
    many for String); a String enumeration of words (``U,UQ,S``) lists allowed values.
    Returns None when the text is empty, prose, or a size of an integer ("2 bytes",
    "16-bit"), which the registry uses loosely: those are documented, not checked.
    """
    original = text
    text = text.strip()
    if not text or rtype in (types.NONE, types.BOOLEAN, types.OBJLNK):
        return None
    on_length = rtype in (types.STRING, types.OPAQUE, types.CORELNK)
    lowered = text.lower()
    for suffix in (" bytes", "bytes", " byte", "byte"):
        if lowered.endswith(suffix):
            if not on_length:
                return None
            text = text[: len(text) - len(suffix)].strip()
            break
    if lowered.endswith("bit"):
        return None
    number_type = types.INTEGER if on_length else rtype
    if ".." in text:
        parts = text.split("..")
        if len(parts) != 2:
            return None
        low, high = _number(parts[0], number_type), _number(parts[1], number_type)
        if low is None or high is None or low > high:
            return None
        return Range(low, high, None, on_length, original)
    if "," in text:
        parts = text.split(",")
        choices = [_number(p, number_type) for p in parts]
        if None not in choices:
            return Range(None, None, tuple(choices), on_length, original)  # type: ignore[arg-type]
        if rtype == types.STRING:
            words = tuple([p.strip() for p in parts])
            if all(words):
                return Range(None, None, words, False, original)
        return None
    if "-" in text[1:]:
        # "a-b" bounds (either may be negative: "-5--3"), or "a-b-c" an enumeration.
        cut = text.index("-", 1)
        low, high = _number(text[:cut], number_type), _number(text[cut + 1 :], number_type)
        if low is not None and high is not None:
            return Range(low, high, None, on_length, original) if low <= high else None
        numbers = [_number(p, number_type) for p in text.split("-")]
        if None in numbers:
            return None
        return Range(None, None, tuple(numbers), on_length, original)  # type: ignore[arg-type]
    single = _number(text, number_type)
    if single is None:
        return None
    if on_length and rtype != types.OPAQUE:
        return Range(0, single, None, True, original)
    return Range(None, None, (single,), on_length, original)


class ResourceDefinition:
    """One resource of an object definition."""

    __slots__ = ("id", "mandatory", "multiple", "name", "operations", "range", "type", "units")

    def __init__(
        self,
        rid: int,
        name: str,
        operations: int,
        rtype: int,
        multiple: bool = False,
        mandatory: bool = False,
        range_text: str = "",
        units: str = "",
    ) -> None:
        if rtype not in types.NAMES:
            raise ValueError("resource %d (%s): unknown type %r" % (rid, name, rtype))
        if operations not in OPERATION_NAMES:
            raise ValueError("resource %d (%s): bad operations %r" % (rid, name, operations))
        self.id = rid
        self.name = name
        self.operations = operations
        self.type = rtype
        self.multiple = multiple
        self.mandatory = mandatory
        self.range = parse_range(range_text, rtype)
        self.units = units

    # Derived rather than stored: MicroPython keeps instance attributes in a dict, and a
    # device holds a couple of hundred of these.
    @property
    def readable(self) -> bool:
        """R or RW."""
        return bool(self.operations & READ)

    @property
    def writable(self) -> bool:
        """W or RW."""
        return bool(self.operations & WRITE)

    @property
    def executable(self) -> bool:
        """E."""
        return bool(self.operations & EXECUTE)

    def check(self, value: object) -> "str | None":
        """Why ``value`` does not fit this resource's type and range, or None when it does."""
        reason = types.validate(self.type, value)
        if reason is not None:
            return "%r is %s (%s)" % (value, reason, types.NAMES[self.type])
        rng = self.range
        if rng is not None and not rng.contains(value):
            return "%r is out of range %s" % (value, rng.describe())
        return None

    def __repr__(self) -> str:
        return "<ResourceDefinition %d %r %s %s%s%s>" % (
            self.id,
            self.name,
            OPERATION_NAMES[self.operations] or "-",
            types.NAMES[self.type],
            " multiple" if self.multiple else "",
            " mandatory" if self.mandatory else "",
        )


class ObjectDefinition:
    """One object: ids, versions, multiplicity, and its resources by id."""

    __slots__ = (
        "id",
        "lwm2m_version",
        "mandatory",
        "multiple",
        "name",
        "resources",
        "types",
        "version",
    )

    def __init__(
        self,
        oid: int,
        name: str,
        version: str = "1.0",
        lwm2m_version: str = "1.0",
        multiple: bool = False,
        mandatory: bool = False,
        resources: "Iterable[ResourceDefinition]" = (),
    ) -> None:
        if not 0 <= oid <= types.MAX_ID:
            raise ValueError("object id %r is not in 0..65535" % (oid,))
        self.id = oid
        self.name = name
        self.version = version
        self.lwm2m_version = lwm2m_version
        self.multiple = multiple
        self.mandatory = mandatory
        table: dict[int, ResourceDefinition] = {}
        for res in resources:
            if res.id in table:
                raise ValueError("object %d: resource %d defined twice" % (oid, res.id))
            table[res.id] = res
        self.resources = table
        # rid -> type: the one lookup every content-format decoder makes per record.
        self.types = {rid: res.type for rid, res in table.items()}

    def resource(self, rid: int) -> "ResourceDefinition | None":
        """The definition of resource ``rid``, or None."""
        return self.resources.get(rid)

    def resource_ids(self) -> "list[int]":
        """Resource ids in ascending order."""
        return sorted(self.resources)

    def __repr__(self) -> str:
        return "<ObjectDefinition %d %r v%s (LwM2M %s)>" % (
            self.id,
            self.name,
            self.version,
            self.lwm2m_version,
        )


def define(
    oid: int,
    name: str,
    version: str,
    lwm2m_version: str,
    flags: int,
    rows: "Iterable[tuple[int, str, int, int, int] | tuple[int, str, int, int, int, str] | tuple[int, str, int, int, int, str, str]]",  # noqa: E501
) -> ObjectDefinition:
    """Build a definition from a compact table.

    ``flags`` and each row's flags combine MANDATORY and MULTIPLE; a row is
    ``(id, name, operations, type, flags[, range[, units]])``.
    """
    resources = []
    for row in rows:
        range_text = row[5] if len(row) > 5 else ""
        units = row[6] if len(row) > 6 else ""
        resources.append(
            ResourceDefinition(
                row[0],
                row[1],
                row[2],
                row[3],
                bool(row[4] & MULTIPLE),
                bool(row[4] & MANDATORY),
                range_text,
                units,
            )
        )
    return ObjectDefinition(
        oid, name, version, lwm2m_version, bool(flags & MULTIPLE), bool(flags & MANDATORY),
        resources,
    )
