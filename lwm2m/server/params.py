"""Query parameters of Register, Update and Bootstrap-Request, checked as a server must.

OMA LwM2M 1.1.1 Core §6.2.1 (Register: ``ep``, ``lt``, ``lwm2m``, ``b``, ``q``, ``sms``),
§6.2.2 (Update: ``lt``, ``b``, ``sms``), §6.1.1 / Transport §6.1 (Bootstrap-Request:
``ep``, ``pct``); LwM2M 1.0 Table 19 for the 1.0 bindings (``U``, ``UQ``, ``S``, ``SQ``,
``US``, ``UQS``). A request whose parameters break these rules is answered 4.00 Bad
Request: :func:`parse_register` and friends raise :class:`InvalidParameters`, whose
text says which parameter and why. Parameters this server does not know are kept
(``extra``, in order) so a user can see what a device sent.
"""

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterable

DEFAULT_LIFETIME_S = 86400  # Core §6.2.1: the lifetime when ``lt`` is absent
DEFAULT_VERSION = "1.0"  # Core §6.2.1: a client that sends no ``lwm2m`` speaks 1.0
DEFAULT_BINDING = "U"
# Core §6.2.1 / Transport §6: binding letters. 1.0 put Q (queue) inside ``b``; 1.1 moved it
# to its own ``Q`` parameter and added N (non-IP) and T (TCP).
BINDING_LETTERS = "UQSNT"
MAX_ENDPOINT_BYTES = 255  # a sane bound; RFC 7252 §5.10: a Uri-Query is at most 255 bytes
MAX_LIFETIME_S = 0xFFFFFFFF  # Server object /1/x/1 is an unsigned 32-bit value of seconds


class InvalidParameters(ValueError):
    """Query parameters a server answers with 4.00 Bad Request; ``str()`` says why."""


class Parameters:
    """Checked parameters of one Register / Update / Bootstrap-Request.

    Fields a request did not carry are None (an Update changes only what it carries);
    ``extra`` lists ``(name, value or None)`` of every parameter not known here.
    """

    __slots__ = ("binding", "endpoint", "extra", "lifetime_s", "pct", "queue", "sms", "version")

    def __init__(self) -> None:
        self.endpoint: "str | None" = None
        self.lifetime_s: "int | None" = None
        self.version: "str | None" = None
        self.binding: "str | None" = None
        self.queue = False
        self.sms: "str | None" = None
        self.pct: "int | None" = None
        self.extra: "list[tuple[str, str | None]]" = []

    def __repr__(self) -> str:
        return "Parameters(ep=%r, lt=%r, lwm2m=%r, b=%r, q=%r, sms=%r, extra=%r)" % (
            self.endpoint, self.lifetime_s, self.version, self.binding, self.queue,
            self.sms, self.extra,
        )


def split_query(items: "Iterable[str]") -> "list[tuple[str, str | None]]":
    """Uri-Query options -> ``[(name, value or None)]``; a name given twice is refused."""
    out: "list[tuple[str, str | None]]" = []
    seen = set()
    for item in items:
        name, sep, value = item.partition("=")
        if not name:
            raise InvalidParameters("a query parameter has no name: %r" % item)
        if name in seen:
            raise InvalidParameters("parameter %s is given twice" % name)
        seen.add(name)
        out.append((name, value if sep else None))
    return out


def _need_value(name: str, value: "str | None") -> str:
    if value is None or value == "":
        raise InvalidParameters("parameter %s needs a value" % name)
    return value


def _lifetime(value: "str | None") -> int:
    text = _need_value("lt", value)
    if not text.isdigit():
        raise InvalidParameters("lt=%s is not a whole number of seconds" % text)
    seconds = int(text)
    # Core §6.2.1: a lifetime of 0 would expire at once; nothing can keep it alive.
    if not 0 < seconds <= MAX_LIFETIME_S:
        raise InvalidParameters("lt=%s is out of range 1..%d" % (text, MAX_LIFETIME_S))
    return seconds


def _version(value: "str | None") -> str:
    text = _need_value("lwm2m", value)
    major, dot, minor = text.partition(".")
    if not dot or not major.isdigit() or not minor.isdigit():
        raise InvalidParameters("lwm2m=%s is not a version like 1.1" % text)
    return text


def _binding(value: "str | None") -> str:
    text = _need_value("b", value)
    for i, letter in enumerate(text):
        if letter not in BINDING_LETTERS:
            raise InvalidParameters("b=%s: %r is not a binding (U, Q, S, N, T)" % (text, letter))
        if letter in text[i + 1:]:
            raise InvalidParameters("b=%s repeats %s" % (text, letter))
    if text == "Q":
        raise InvalidParameters("b=Q names no transport")
    return text


def _sms(value: "str | None") -> str:
    text = _need_value("sms", value)
    digits = text[1:] if text.startswith("+") else text
    # ITU-T E.164: an MSISDN is up to 15 digits.
    if not digits.isdigit() or len(digits) > 15:
        raise InvalidParameters("sms=%s is not an MSISDN" % text)
    return text


def _endpoint(value: "str | None") -> str:
    text = _need_value("ep", value)
    if len(text.encode()) > MAX_ENDPOINT_BYTES:
        raise InvalidParameters("ep is longer than %d bytes" % MAX_ENDPOINT_BYTES)
    for c in text:
        if ord(c) < 0x20 or c == "\x7f":
            raise InvalidParameters("ep contains a control character")
    return text


def _fill(params: Parameters, pairs: "list[tuple[str, str | None]]", known: str) -> None:
    for name, value in pairs:
        if name not in known.split(","):
            params.extra.append((name, value))
        elif name == "ep":
            params.endpoint = _endpoint(value)
        elif name == "lt":
            params.lifetime_s = _lifetime(value)
        elif name == "lwm2m":
            params.version = _version(value)
        elif name == "b":
            params.binding = _binding(value)
        elif name == "sms":
            params.sms = _sms(value)
        elif name in ("Q", "q"):
            # Core 1.1.1 §6.2.1: "Q" is a flag with no value (queue mode).
            if value is not None:
                raise InvalidParameters("parameter %s takes no value" % name)
            params.queue = True
        elif name == "pct":
            text = _need_value("pct", value)
            if not text.isdigit():
                raise InvalidParameters("pct=%s is not a content format number" % text)
            params.pct = int(text)


def parse_register(items: "Iterable[str]") -> Parameters:
    """A Register's Uri-Query -> :class:`Parameters` with defaults filled in.

    ``ep`` is mandatory; ``lt`` defaults to 86400 s, ``lwm2m`` to 1.0, ``b`` to U.
    """
    params = Parameters()
    _fill(params, split_query(items), "ep,lt,lwm2m,b,sms,Q,q")
    if params.endpoint is None:
        raise InvalidParameters("the endpoint name (ep) is missing")
    if params.lifetime_s is None:
        params.lifetime_s = DEFAULT_LIFETIME_S
    if params.version is None:
        params.version = DEFAULT_VERSION
    if params.binding is None:
        params.binding = DEFAULT_BINDING
    if "Q" in params.binding:
        params.queue = True  # LwM2M 1.0 Table 19: UQ / SQ / UQS mean queue mode
    return params


def parse_update(items: "Iterable[str]") -> Parameters:
    """An Update's Uri-Query -> :class:`Parameters`; absent ones stay None.

    Core §6.2.2: an Update carries only what changed (``lt``, ``b``, ``sms``); the
    endpoint name and version cannot change without a new Register.
    """
    params = Parameters()
    pairs = split_query(items)
    for name, _ in pairs:
        if name in ("ep", "lwm2m"):
            raise InvalidParameters("parameter %s cannot change in an Update" % name)
    _fill(params, pairs, "lt,b,sms,Q,q")
    return params


def parse_bootstrap_request(items: "Iterable[str]") -> Parameters:
    """A Bootstrap-Request's Uri-Query (``ep`` mandatory, ``pct`` optional)."""
    params = Parameters()
    _fill(params, split_query(items), "ep,pct")
    if params.endpoint is None:
        raise InvalidParameters("the endpoint name (ep) is missing")
    return params
