"""Coded errors raised by objects: each carries the CoAP response code the core answers with.

``objects`` does not import ``coap``; the codes are plain ints in the CoAP encoding
(RFC 7252 §3: class << 5 | detail, so 4.04 is ``0x84``), the same numbers the ``coap``
package uses. OMA LwM2M 1.1.1 Core §6 (the interfaces) says which operation answers
which code.
"""

BAD_REQUEST = 0x80  # 4.00
UNAUTHORIZED = 0x81  # 4.01
NOT_FOUND = 0x84  # 4.04
METHOD_NOT_ALLOWED = 0x85  # 4.05
NOT_ACCEPTABLE = 0x86  # 4.06
REQUEST_ENTITY_INCOMPLETE = 0x88  # 4.08
REQUEST_ENTITY_TOO_LARGE = 0x8D  # 4.13
UNSUPPORTED_CONTENT_FORMAT = 0x8F  # 4.15
INTERNAL_SERVER_ERROR = 0xA0  # 5.00

NAMES = {
    BAD_REQUEST: "Bad Request",
    UNAUTHORIZED: "Unauthorized",
    NOT_FOUND: "Not Found",
    METHOD_NOT_ALLOWED: "Method Not Allowed",
    NOT_ACCEPTABLE: "Not Acceptable",
    REQUEST_ENTITY_INCOMPLETE: "Request Entity Incomplete",
    REQUEST_ENTITY_TOO_LARGE: "Request Entity Too Large",
    UNSUPPORTED_CONTENT_FORMAT: "Unsupported Content-Format",
    INTERNAL_SERVER_ERROR: "Internal Server Error",
}


def code_text(code: int) -> str:
    """``0x84`` -> ``"4.04"``."""
    return "%d.%02d" % (code >> 5, code & 0x1F)


class ObjectError(Exception):
    """A device-management operation failed; ``code`` is the CoAP response code to send."""

    def __init__(self, code: int, message: str = "") -> None:
        super().__init__(code, message)
        self.code = code
        self.message = message

    def __str__(self) -> str:
        text = code_text(self.code) + " " + NAMES.get(self.code, "")
        return text + ": " + self.message if self.message else text


class BadRequest(ObjectError):
    """4.00: the payload or the request does not fit the object (type, range, ids)."""

    def __init__(self, message: str = "") -> None:
        super().__init__(BAD_REQUEST, message)


class Unauthorized(ObjectError):
    """4.01: the caller has no right to this operation (access control)."""

    def __init__(self, message: str = "") -> None:
        super().__init__(UNAUTHORIZED, message)


class NotFound(ObjectError):
    """4.04: no such object, instance, resource or resource instance."""

    def __init__(self, message: str = "") -> None:
        super().__init__(NOT_FOUND, message)


class MethodNotAllowed(ObjectError):
    """4.05: the operation is not allowed on this target (e.g. Read of an E resource)."""

    def __init__(self, message: str = "") -> None:
        super().__init__(METHOD_NOT_ALLOWED, message)


class NotAcceptable(ObjectError):
    """4.06: no acceptable content format for the answer."""

    def __init__(self, message: str = "") -> None:
        super().__init__(NOT_ACCEPTABLE, message)


class RequestEntityIncomplete(ObjectError):
    """4.08: a block-wise transfer is missing blocks."""

    def __init__(self, message: str = "") -> None:
        super().__init__(REQUEST_ENTITY_INCOMPLETE, message)


class RequestEntityTooLarge(ObjectError):
    """4.13: the payload is larger than the object accepts."""

    def __init__(self, message: str = "") -> None:
        super().__init__(REQUEST_ENTITY_TOO_LARGE, message)


class UnsupportedContentFormat(ObjectError):
    """4.15: the payload's content format is not supported."""

    def __init__(self, message: str = "") -> None:
        super().__init__(UNSUPPORTED_CONTENT_FORMAT, message)


class InternalServerError(ObjectError):
    """5.00: the object failed (an application callback broke or returned a bad value)."""

    def __init__(self, message: str = "") -> None:
        super().__init__(INTERNAL_SERVER_ERROR, message)
