"""Execute arguments (OMA LwM2M 1.1.1 Core §6.3.5, Execute): ``0,1='https://x',2='on'``.

The Core specification's grammar:
``arglist = arg *( "," arg )``; ``arg = DIGIT [ "=" "'" *CHAR "'" ]``;
``CHAR = "!" / %x23-26 / %x28-5B / %x5D-7E`` (printable ASCII except space, ``"``, ``'``
and backslash).
"""

from objects.errors import BadRequest


def _char_ok(code: int) -> bool:
    return code == 0x21 or 0x23 <= code <= 0x26 or (0x28 <= code <= 0x7E and code != 0x5C)


def parse_execute_arguments(payload: bytes) -> "dict[int, str | None]":
    """Argument number -> value (None for a bare digit). Raises BadRequest on bad syntax."""
    args: dict[int, str | None] = {}
    if not payload:
        return args
    n = len(payload)
    i = 0
    while True:
        digit = payload[i]
        if not 0x30 <= digit <= 0x39:
            raise BadRequest("execute argument must start with a digit at byte %d" % i)
        number = digit - 0x30
        if number in args:
            raise BadRequest("execute argument %d given twice" % number)
        i += 1
        value = None
        if i < n and payload[i] == 0x3D:  # '='
            if i + 1 >= n or payload[i + 1] != 0x27:  # "'"
                raise BadRequest("execute argument %d: value must be in single quotes" % number)
            end = payload.find(b"'", i + 2)
            if end < 0:
                raise BadRequest("execute argument %d: unterminated value" % number)
            raw = payload[i + 2 : end]
            for code in raw:
                if not _char_ok(code):
                    raise BadRequest("execute argument %d: byte 0x%02x" % (number, code))
            value = raw.decode()
            i = end + 1
        args[number] = value
        if i == n:
            return args
        if payload[i] != 0x2C or i + 1 == n:  # ','
            raise BadRequest("execute arguments: expected ',' and another argument at byte %d" % i)
        i += 1
