"""Coded errors (also under MicroPython)."""

from objects import errors
from objects.errors import (
    BadRequest,
    InternalServerError,
    MethodNotAllowed,
    NotAcceptable,
    NotFound,
    ObjectError,
    RequestEntityIncomplete,
    RequestEntityTooLarge,
    Unauthorized,
    UnsupportedContentFormat,
)


def test_codes_are_coap_encoded() -> None:
    # RFC 7252 §3: class << 5 | detail.
    expected = {
        errors.BAD_REQUEST: "4.00", errors.UNAUTHORIZED: "4.01", errors.NOT_FOUND: "4.04",
        errors.METHOD_NOT_ALLOWED: "4.05", errors.NOT_ACCEPTABLE: "4.06",
        errors.REQUEST_ENTITY_INCOMPLETE: "4.08", errors.REQUEST_ENTITY_TOO_LARGE: "4.13",
        errors.UNSUPPORTED_CONTENT_FORMAT: "4.15", errors.INTERNAL_SERVER_ERROR: "5.00",
    }
    for code, text in expected.items():
        assert errors.code_text(code) == text
        assert code in errors.NAMES
    assert errors.NOT_FOUND == 0x84 and errors.INTERNAL_SERVER_ERROR == 0xA0


def test_subclasses_carry_their_codes() -> None:
    pairs = [
        (BadRequest, 0x80), (Unauthorized, 0x81), (NotFound, 0x84), (MethodNotAllowed, 0x85),
        (NotAcceptable, 0x86), (RequestEntityIncomplete, 0x88), (RequestEntityTooLarge, 0x8D),
        (UnsupportedContentFormat, 0x8F), (InternalServerError, 0xA0),
    ]
    for cls, code in pairs:
        try:
            raise cls("why")
        except ObjectError as exc:
            assert exc.code == code
            assert exc.message == "why"
            assert str(exc) == errors.code_text(code) + " " + errors.NAMES[code] + ": why"


def test_plain_object_error() -> None:
    exc = ObjectError(0x84)
    assert exc.code == 0x84 and exc.message == ""
    assert str(exc) == "4.04 Not Found"
    assert isinstance(NotFound(), Exception)
