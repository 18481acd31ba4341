"""CoAP codes (RFC 7252 §12.1, RFC 7959, RFC 8132, RFC 8516, RFC 8768).

A code is one byte: a 3-bit class and a 5-bit detail, written "c.dd". Class 0 holds
the methods (and 0.00 for the empty message), 2 success, 4 client and 5 server errors.
"""

EMPTY = 0x00
GET = 0x01
POST = 0x02
PUT = 0x03
DELETE = 0x04
FETCH = 0x05  # RFC 8132
PATCH = 0x06  # RFC 8132
IPATCH = 0x07  # RFC 8132

CREATED = 0x41  # 2.01
DELETED = 0x42  # 2.02
VALID = 0x43  # 2.03
CHANGED = 0x44  # 2.04
CONTENT = 0x45  # 2.05
CONTINUE = 0x5F  # 2.31, RFC 7959 §2.9.1

BAD_REQUEST = 0x80  # 4.00
UNAUTHORIZED = 0x81  # 4.01
BAD_OPTION = 0x82  # 4.02
FORBIDDEN = 0x83  # 4.03
NOT_FOUND = 0x84  # 4.04
METHOD_NOT_ALLOWED = 0x85  # 4.05
NOT_ACCEPTABLE = 0x86  # 4.06
REQUEST_ENTITY_INCOMPLETE = 0x88  # 4.08, RFC 7959 §2.9.2
CONFLICT = 0x89  # 4.09, RFC 8132
PRECONDITION_FAILED = 0x8C  # 4.12
REQUEST_ENTITY_TOO_LARGE = 0x8D  # 4.13
UNSUPPORTED_CONTENT_FORMAT = 0x8F  # 4.15
UNPROCESSABLE_ENTITY = 0x96  # 4.22, RFC 8132
TOO_MANY_REQUESTS = 0x9D  # 4.29, RFC 8516

INTERNAL_SERVER_ERROR = 0xA0  # 5.00
NOT_IMPLEMENTED = 0xA1  # 5.01
BAD_GATEWAY = 0xA2  # 5.02
SERVICE_UNAVAILABLE = 0xA3  # 5.03
GATEWAY_TIMEOUT = 0xA4  # 5.04
PROXYING_NOT_SUPPORTED = 0xA5  # 5.05
HOP_LIMIT_REACHED = 0xA8  # 5.08, RFC 8768

NAMES = {
    EMPTY: "Empty",
    GET: "GET",
    POST: "POST",
    PUT: "PUT",
    DELETE: "DELETE",
    FETCH: "FETCH",
    PATCH: "PATCH",
    IPATCH: "iPATCH",
    CREATED: "Created",
    DELETED: "Deleted",
    VALID: "Valid",
    CHANGED: "Changed",
    CONTENT: "Content",
    CONTINUE: "Continue",
    BAD_REQUEST: "Bad Request",
    UNAUTHORIZED: "Unauthorized",
    BAD_OPTION: "Bad Option",
    FORBIDDEN: "Forbidden",
    NOT_FOUND: "Not Found",
    METHOD_NOT_ALLOWED: "Method Not Allowed",
    NOT_ACCEPTABLE: "Not Acceptable",
    REQUEST_ENTITY_INCOMPLETE: "Request Entity Incomplete",
    CONFLICT: "Conflict",
    PRECONDITION_FAILED: "Precondition Failed",
    REQUEST_ENTITY_TOO_LARGE: "Request Entity Too Large",
    UNSUPPORTED_CONTENT_FORMAT: "Unsupported Content-Format",
    UNPROCESSABLE_ENTITY: "Unprocessable Entity",
    TOO_MANY_REQUESTS: "Too Many Requests",
    INTERNAL_SERVER_ERROR: "Internal Server Error",
    NOT_IMPLEMENTED: "Not Implemented",
    BAD_GATEWAY: "Bad Gateway",
    SERVICE_UNAVAILABLE: "Service Unavailable",
    GATEWAY_TIMEOUT: "Gateway Timeout",
    PROXYING_NOT_SUPPORTED: "Proxying Not Supported",
    HOP_LIMIT_REACHED: "Hop Limit Reached",
}


def code_class(code: int) -> int:
    """The class: 0 request, 2 success, 4 client error, 5 server error."""
    return code >> 5


def code_detail(code: int) -> int:
    return code & 0x1F


def make_code(cls: int, detail: int) -> int:
    """The code byte of class ``cls`` and ``detail`` (``make_code(2, 5)`` is 2.05)."""
    if not 0 <= cls <= 7 or not 0 <= detail <= 31:
        raise ValueError("code class 0-7 and detail 0-31, not %d.%d" % (cls, detail))
    return cls << 5 | detail


def code_text(code: int) -> str:
    """The dotted form ``"c.dd"``, e.g. ``"2.05"``."""
    return "%d.%02d" % (code >> 5, code & 0x1F)


def code_name(code: int) -> str:
    """The registered name, or ``"c.dd"`` for codes without one."""
    return NAMES.get(code) or code_text(code)


def parse_code(text: str) -> int:
    """``"2.05"`` or a registered name (``"GET"``, ``"Content"``) to the code byte."""
    dot = text.find(".")
    if dot > 0:
        try:
            return make_code(int(text[:dot]), int(text[dot + 1 :]))
        except ValueError:
            raise ValueError("bad code %r: want c.dd with class 0-7, detail 0-31" % text) from None
    for code, name in NAMES.items():
        if name.lower() == text.lower():
            return code
    raise ValueError("unknown code %r" % text)


def is_request(code: int) -> bool:
    """A method code (0.01-0.31)."""
    return 0 < code < 0x20


def is_response(code: int) -> bool:
    """A response code (classes 2-5)."""
    return 0x40 <= code < 0xC0


def is_success(code: int) -> bool:
    return code >> 5 == 2


def is_error(code: int) -> bool:
    return code >> 5 in (4, 5)
