"""``python -m coap``: decode and encode datagrams; a CoAP client and a file server.

    python -m coap decode 4401a4d2b0743c00b1330130622d16
    python -m coap encode '{"type": "CON", "code": "GET", "mid": 1, ...}'
    python -m coap client get coap://127.0.0.1/3/0 -A 11542
    python -m coap server --listen 127.0.0.1:5683 --root ./files

Bad input ends with exit status 1 and one line on stderr.
"""

import argparse
import json
import sys

from coap.jsonform import from_json, to_json
from coap.message import MessageFormatError, decode

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import NoReturn


class UsageError(Exception):
    """Input the user can fix: printed as one line, exit status 1."""


def parse_hex(text: str) -> bytes:
    """Hex as pasted from a capture: spaces, colons and a ``0x`` prefix are allowed."""
    cleaned = "".join(text.split()).replace(":", "")
    if cleaned[:2].lower() == "0x":
        cleaned = cleaned[2:]
    try:
        return bytes.fromhex(cleaned)
    except ValueError:
        raise UsageError("not a hex string: %r" % text[:60]) from None


def cmd_decode(args: argparse.Namespace) -> int:
    text = sys.stdin.read() if args.hex == "-" else args.hex
    try:
        message = decode(parse_hex(text))
    except MessageFormatError as exc:
        raise UsageError("malformed CoAP message: %s" % exc) from None
    print(json.dumps(to_json(message), indent=args.indent))
    return 0


def cmd_encode(args: argparse.Namespace) -> int:
    text = sys.stdin.read() if args.json == "-" else args.json
    try:
        obj = json.loads(text)
    except ValueError as exc:
        raise UsageError("not JSON: %s" % exc) from None
    try:
        data = from_json(obj).encode()
    except ValueError as exc:
        raise UsageError("cannot encode: %s" % exc) from None
    print(data.hex())
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="python -m coap", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("decode", help="print a datagram (hex) as JSON")
    p.add_argument("hex", help="the datagram in hex ('-' reads stdin)")
    p.add_argument("--indent", type=int, default=None, help="pretty-print the JSON")
    p.set_defaults(run=cmd_decode)

    p = sub.add_parser("encode", help="print the datagram (hex) of a JSON message")
    p.add_argument("json", help="the message as JSON, as 'decode' prints it ('-' reads stdin)")
    p.set_defaults(run=cmd_encode)

    from coap import tool

    tool.add_commands(sub)
    return parser


class _Parser(argparse.ArgumentParser):
    """argparse with the project's rule for bad input: one line on stderr, status 1."""

    def error(self, message: str) -> "NoReturn":
        print("error: %s (see %s --help)" % (message, self.prog), file=sys.stderr)
        sys.exit(1)


def main(argv: "list[str] | None" = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        code: int = args.run(args)
    except UsageError as exc:
        print("error: %s" % exc, file=sys.stderr)
        return 1
    return code
