"""A JSON-ready form of a message, for people and tools (``python -m coap decode/encode``).

::

    {"type": "CON", "code": "0.01", "code_name": "GET", "mid": 1, "token": "ab01",
     "options": [{"number": 11, "name": "Uri-Path", "format": "string", "value": "3"}],
     "payload": "hex"}

Option values follow their format (RFC 7252 §3.2): uint as a number, string as text,
opaque as hex, empty as ``""``; a string option that is not UTF-8 gives ``value_hex``.
"""

from coap import codes, options, types
from coap.message import Message

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any


def to_json(message: Message) -> "dict[str, Any]":
    """The message as a dict of JSON types."""
    opts = []
    for number, value in message.options:
        fmt = options.option_format(number)
        item: dict[str, Any] = {
            "number": number,
            "name": options.option_name(number),
            "format": options.FORMAT_NAMES[fmt],
        }
        if fmt == options.UINT:
            item["value"] = options.decode_uint(value)
        elif fmt == options.STRING:
            try:
                item["value"] = str(value, "utf-8")
            except UnicodeError:
                item["value_hex"] = value.hex()
        elif fmt == options.EMPTY and not value:
            item["value"] = ""
        else:
            item["value"] = value.hex()
        if number in (options.BLOCK1, options.BLOCK2) and len(value) <= 3:
            num, more, szx = options.decode_block(value)
            item["block"] = {"num": num, "more": more, "szx": szx}
        opts.append(item)
    return {
        "type": types.NAMES[message.type],
        "code": codes.code_text(message.code),
        "code_name": codes.code_name(message.code),
        "mid": message.mid,
        "token": message.token.hex(),
        "options": opts,
        "payload": message.payload.hex(),
    }


def _hex(value: "Any", what: str) -> bytes:
    if not isinstance(value, str):
        raise ValueError("%s must be a hex string" % what)
    try:
        return bytes.fromhex(value)
    except ValueError:
        raise ValueError("%s is not hex: %r" % (what, value)) from None


def _option_value(number: int, item: "dict[str, Any]") -> bytes:
    if "value_hex" in item:
        return _hex(item["value_hex"], "value_hex of option %d" % number)
    value = item.get("value", "")
    fmt = options.option_format(number)
    what = "value of option %s" % options.option_name(number)
    if fmt == options.UINT:
        if isinstance(value, str) and value.isdigit():
            value = int(value)
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            raise ValueError("%s must be a non-negative integer" % what)
        return options.encode_uint(value)
    if fmt == options.STRING:
        if not isinstance(value, str):
            raise ValueError("%s must be a string" % what)
        return value.encode()
    if value is None:
        return b""
    return _hex(value, what)


def from_json(obj: "Any") -> Message:
    """The inverse of :func:`to_json`. Raises ValueError saying what is wrong.

    ``type`` and ``code`` also take names (``"GET"``, ``"Content"``); ``code_name`` is
    ignored; options are named by ``number`` or ``name``; ``payload`` is hex, or
    ``payload_text`` is UTF-8 text.
    """
    if not isinstance(obj, dict):
        raise ValueError("a message is a JSON object")
    mtype = obj.get("type", "CON")
    if isinstance(mtype, str) and mtype.upper() in types.BY_NAME:
        mtype = types.BY_NAME[mtype.upper()]
    if not isinstance(mtype, int) or isinstance(mtype, bool) or not 0 <= mtype <= 3:
        raise ValueError("type must be CON, NON, ACK or RST")
    code = obj.get("code", "0.00")
    if isinstance(code, str):
        code = codes.parse_code(code)
    if not isinstance(code, int) or isinstance(code, bool) or not 0 <= code <= 255:
        raise ValueError("code must be \"c.dd\", a code name or 0-255")
    mid = obj.get("mid", 0)
    if not isinstance(mid, int) or isinstance(mid, bool) or not 0 <= mid <= 0xFFFF:
        raise ValueError("mid must be an integer 0-65535")
    token = _hex(obj.get("token", ""), "token")
    if len(token) > 8:
        raise ValueError("token is at most 8 bytes")
    if "payload_text" in obj:
        if not isinstance(obj["payload_text"], str):
            raise ValueError("payload_text must be a string")
        payload = obj["payload_text"].encode()
    else:
        payload = _hex(obj.get("payload", obj.get("payload_hex", "")), "payload")
    message = Message(mtype, code, mid, token, [], payload)
    items = obj.get("options", [])
    if not isinstance(items, list):
        raise ValueError("options must be a list")
    for item in items:
        if not isinstance(item, dict):
            raise ValueError("each option is an object with number or name, and value")
        if "number" in item:
            number = item["number"]
            if not isinstance(number, int) or isinstance(number, bool) or not 0 <= number <= 0xFFFF:
                raise ValueError("option number must be 0-65535, not %r" % (number,))
        elif isinstance(item.get("name"), str):
            number = options.parse_option_number(item["name"])
        else:
            raise ValueError("each option needs a number or a name")
        message.add_option(number, _option_value(number, item))
    if code == 0 and (token or message.options or payload):
        raise ValueError("an empty message (0.00) has no token, options or payload")
    return message
