"""``lwm2m-server``: an LwM2M server and bootstrap server at a prompt.

::

    lwm2m-server --coap 127.0.0.1:5683 --coaps 127.0.0.1:5684 \\
        --psk urn:imei:1234:id1:000102030405060708090a0b0c0d0e0f --bootstrap bs.json

Commands (like Wakaama's example server), typed at the prompt, piped on stdin or
read from ``--commands FILE``; ``help`` lists them. Values are printed decoded
(``/3/0/0 = "Open Mobile Alliance"``), never as hex unless they are opaque.
"""

import argparse
import asyncio
import json
import shlex
import sys

from lwm2m.server import events as ev
from lwm2m.server.aio.server import LwM2MServer, RequestError, content_format, describe
from lwm2m.server.bootstrap_script import BootstrapScriptError, load_script_file
from lwm2m.server.commands import ServerError
from lwm2m.server.psk import PskError, parse_psk_option
from objects.path import PathError, format_path, parse_path
from objects.registry import type_of
from objects.types import BOOLEAN, FLOAT, INTEGER, OBJLNK, OPAQUE, TIME, UNSIGNED

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Sequence
    from typing import Any, TextIO

HELP = """commands:
  list                                   registered clients and their objects
  read EP PATH [FORMAT]                  Read (FORMAT: text, tlv, senml-json, senml-cbor, ...)
  disc EP PATH                           Discover
  write EP PATH VALUE [FORMAT]           Write (replace); VALUE is a value, or JSON {"rid": v}
  update EP PATH JSON [FORMAT]           Write (partial update) of an instance
  attr EP PATH NAME=VALUE|NAME ...       Write-Attributes (pmin pmax gt lt st epmin epmax)
  exec EP PATH [ARGS]                    Execute, e.g. exec ep /3/0/4  or  exec ep /5/0/2 "0='a'"
  create EP PATH JSON [FORMAT]           Create an instance: create ep /16 {"0": "name"}
  delete EP PATH                         Delete an instance
  observe EP PATH [FORMAT]               Observe (notifications are printed as they come)
  cancel EP PATH [passive]               cancel an observation
  fetch EP PATH [PATH ...]               Read-Composite (SenML CBOR)
  wait EP [SECONDS]                      wait until EP is registered
  sleep SECONDS                          pause (for scripts)
  help                                   this text
  quit                                   stop the server"""


class CliError(Exception):
    """A command the user can fix: printed as one line."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> "Any":
        # One line and exit status 2 for bad flags (the usage is in --help).
        sys.stderr.write("%s: error: %s\n" % (self.prog, message))
        raise SystemExit(2)


def host_port(text: str) -> "tuple[str, int]":
    """``HOST:PORT`` or ``[V6]:PORT`` -> (host, port)."""
    host, sep, port = text.rpartition(":")
    if not sep or not host or not port.isdigit() or int(port) > 65535:
        raise argparse.ArgumentTypeError("expected HOST:PORT, got %r" % text)
    if host.startswith("[") and host.endswith("]"):
        host = host[1:-1]
    return host, int(port)


def parse_args(argv: "Sequence[str] | None") -> argparse.Namespace:
    parser = _Parser(prog="lwm2m-server", description="LwM2M server and bootstrap server.")
    parser.add_argument("--coap", type=host_port, metavar="HOST:PORT",
                        help="plain CoAP listener (default 0.0.0.0:5683 unless --coaps "
                             "alone is given)")
    parser.add_argument("--coaps", type=host_port, metavar="HOST:PORT",
                        help="DTLS-PSK listener")
    parser.add_argument("--psk", action="append", default=[], metavar="EP:ID:HEX",
                        help="a client's PSK: endpoint, identity, key in hex (repeatable)")
    parser.add_argument("--bootstrap", metavar="FILE",
                        help="serve bootstrap requests (POST /bs) with this JSON script")
    parser.add_argument("--commands", metavar="FILE",
                        help="run the commands in FILE, then quit")
    parser.add_argument("--timeout", type=float, default=30.0, metavar="SECONDS",
                        help="how long a command waits for its response (default 30)")
    parser.add_argument("--quiet", action="store_true", help="no prompt")
    args = parser.parse_args(argv)
    if args.coap is None and args.coaps is None:
        args.coap = ("0.0.0.0", 5683)
    try:
        args.psk = [parse_psk_option(item) for item in args.psk]
    except PskError as exc:
        parser.error("--psk: %s" % exc)
    if args.psk and args.coaps is None:
        parser.error("--psk needs a --coaps listener")
    if args.bootstrap is not None:
        try:
            args.bootstrap = load_script_file(args.bootstrap)
        except BootstrapScriptError as exc:
            parser.error("--bootstrap: %s" % exc)
    return args


def parse_value(path: "tuple[int, ...]", text: str) -> "Any":
    """A command-line value typed by the resource at ``path`` (standard objects)."""
    rtype = type_of(path[:3]) if len(path) >= 3 else None
    try:
        if rtype in (INTEGER, UNSIGNED, TIME):
            return int(text, 0)
        if rtype == FLOAT:
            return float(text)
        if rtype == BOOLEAN:
            if text.lower() in ("1", "true", "on", "yes"):
                return True
            if text.lower() in ("0", "false", "off", "no"):
                return False
            raise ValueError(text)
        if rtype == OPAQUE:
            if text.startswith("0x"):
                return bytes.fromhex(text[2:])
            return text.encode()
        if rtype == OBJLNK:
            oid, _, iid = text.partition(":")
            return (int(oid), int(iid))
    except ValueError:
        raise CliError("%r is not a value for %s" % (text, format_path(path))) from None
    if rtype is None:
        # Unknown resource: take what the text looks like.
        for convert in (int, float):
            try:
                return convert(text)
            except ValueError:
                pass
        if text in ("true", "false"):
            return text == "true"
        if text.startswith("0x"):
            try:
                return bytes.fromhex(text[2:])
            except ValueError:
                pass
    return text


def parse_json_values(path: "tuple[int, ...]", text: str) -> "dict[int, Any]":
    try:
        data = json.loads(text)
    except ValueError:
        raise CliError("expected a JSON object like {\"1\": 60}, got %r" % text) from None
    if not isinstance(data, dict):
        raise CliError("expected a JSON object of resource id -> value")
    out: "dict[int, Any]" = {}
    for key, value in data.items():
        if not str(key).isdigit():
            raise CliError("%r is not a resource id" % key)
        rid = int(key)
        if isinstance(value, str):
            value = parse_value(path[:2] + (rid,) if len(path) >= 2 else path + (0, rid), value)
        out[rid] = value
    return out


class Console:
    """Runs commands against a started LwM2MServer and prints what happens."""

    def __init__(self, srv: LwM2MServer, out: "TextIO", timeout_s: float) -> None:
        self.srv = srv
        self.out = out
        self.timeout_s = timeout_s
        self.observations: "dict[tuple[str, str], Any]" = {}

    def say(self, text: str) -> None:
        self.out.write(text + "\n")
        self.out.flush()

    async def print_events(self, stream: "Any") -> None:
        async for event in stream:
            # responses to commands are printed by the command itself
            if isinstance(event, (ev.ResponseReceived, ev.RequestFailed)):
                continue
            self.say(describe(event))

    def _path(self, text: str) -> "tuple[int, ...]":
        try:
            return parse_path(text)
        except PathError as exc:
            raise CliError(str(exc)) from None

    async def run(self, line: str) -> bool:
        """Run one command line; False when it was ``quit``."""
        try:
            words = shlex.split(line, comments=True)
        except ValueError as exc:
            self.say("error: %s" % exc)
            return True
        if not words:
            return True
        name, args = words[0].lower(), words[1:]
        try:
            return await self._run(name, args)
        except (CliError, ServerError, ValueError) as exc:
            self.say("error: %s" % exc)
        except RequestError as exc:
            self.say("failed: %s" % exc)
        except TimeoutError:
            self.say("failed: timed out")
        return True

    def _need(self, args: "list[str]", low: int, high: int, usage: str) -> None:
        if not low <= len(args) <= high:
            raise CliError("usage: " + usage)

    async def _run(self, name: str, args: "list[str]") -> bool:
        srv = self.srv
        t = self.timeout_s
        if name in ("quit", "q", "exit"):
            return False
        if name in ("help", "h", "?"):
            self.say(HELP)
        elif name in ("list", "ls"):
            regs = list(srv.server.registrations)
            if not regs:
                self.say("no clients registered")
            for reg in regs:
                self.say("%s %s lt=%d lwm2m=%s b=%s%s addr=%s objects: %s" % (
                    reg.endpoint, reg.path, reg.lifetime_s, reg.version, reg.binding,
                    " queue" if reg.queue else "", reg.address,
                    " ".join(format_path(p) for p in reg.object_paths()) or "-"))
        elif name == "read":
            self._need(args, 2, 3, "read EP PATH [FORMAT]")
            fmt = content_format(args[2]) if len(args) > 2 else None
            self.say(describe(await srv.read(args[0], args[1], fmt, timeout_s=t)))
        elif name in ("disc", "discover"):
            self._need(args, 2, 2, "disc EP PATH")
            self.say(describe(await srv.discover(args[0], args[1], timeout_s=t)))
        elif name == "write":
            self._need(args, 3, 4, "write EP PATH VALUE [FORMAT]")
            path = self._path(args[1])
            text = args[2]
            value = (parse_json_values(path, text) if text.startswith("{")
                     else parse_value(path, text))
            fmt = content_format(args[3]) if len(args) > 3 else None
            self.say(describe(await srv.write(args[0], args[1], value, fmt, timeout_s=t)))
        elif name == "update":
            self._need(args, 3, 4, "update EP PATH JSON [FORMAT]")
            path = self._path(args[1])
            fmt = content_format(args[3]) if len(args) > 3 else None
            self.say(describe(await srv.write(args[0], args[1], parse_json_values(path, args[2]),
                                              fmt, replace=False, timeout_s=t)))
        elif name in ("attr", "attributes"):
            if len(args) < 3:
                raise CliError("usage: attr EP PATH NAME=VALUE|NAME ...")
            attrs: "dict[str, Any]" = {}
            for item in args[2:]:
                key, sep, text = item.partition("=")
                attrs[key] = (float(text) if "." in text else int(text)) if sep else None
            self.say(describe(await srv.write_attributes(args[0], args[1], attrs, timeout_s=t)))
        elif name in ("exec", "execute"):
            self._need(args, 2, 3, "exec EP PATH [ARGS]")
            arguments = args[2] if len(args) > 2 else ""
            self.say(describe(await srv.execute(args[0], args[1], arguments, timeout_s=t)))
        elif name == "create":
            self._need(args, 3, 4, "create EP PATH JSON [FORMAT]")
            path = self._path(args[1])
            fmt = content_format(args[3]) if len(args) > 3 else None
            self.say(describe(await srv.create(args[0], args[1], parse_json_values(path, args[2]),
                                               fmt, timeout_s=t)))
        elif name in ("delete", "del"):
            self._need(args, 2, 2, "delete EP PATH")
            self.say(describe(await srv.delete(args[0], args[1], timeout_s=t)))
        elif name in ("observe", "o"):
            self._need(args, 2, 3, "observe EP PATH [FORMAT]")
            fmt = content_format(args[2]) if len(args) > 2 else None
            obs = srv.observe(args[0], args[1], fmt)
            first = await asyncio.wait_for(obs.__anext__(), t)
            self.say(describe(first))
            if obs.operation.active:
                self.observations[(args[0], format_path(self._path(args[1])))] = obs
        elif name == "cancel":
            self._need(args, 2, 3, "cancel EP PATH [passive]")
            where = (args[0], format_path(self._path(args[1])))
            obs = self.observations.pop(where, None)
            if obs is None:
                raise CliError("no observation of %s %s" % where)
            await obs.cancel(active=not (len(args) > 2 and args[2] == "passive"))
        elif name == "fetch":
            if len(args) < 2:
                raise CliError("usage: fetch EP PATH [PATH ...]")
            self.say(describe(await srv.read_composite(args[0], args[1:], timeout_s=t)))
        elif name == "wait":
            self._need(args, 1, 2, "wait EP [SECONDS]")
            seconds = float(args[1]) if len(args) > 1 else t
            reg = await srv.wait_registered(args[0], timeout_s=seconds)
            self.say("%s is registered at %s" % (reg.endpoint, reg.path))
        elif name == "sleep":
            self._need(args, 1, 1, "sleep SECONDS")
            await asyncio.sleep(float(args[0]))
        else:
            raise CliError("unknown command %r (try help)" % name)
        return True


async def serve(args: argparse.Namespace, source: "TextIO", out: "TextIO") -> int:
    srv = LwM2MServer(coap=args.coap, coaps=args.coaps, psk=args.psk,
                      bootstrap=args.bootstrap, timeout_s=args.timeout)
    try:
        await srv.start()
    except OSError as exc:
        sys.stderr.write("lwm2m-server: cannot listen: %s\n" % exc)
        return 1
    console = Console(srv, out, args.timeout)
    printer = asyncio.ensure_future(console.print_events(srv.events()))
    for name, (host, port) in srv.addresses.items():
        console.say("listening %s://%s:%d" % (name, host, port))
    interactive = source.isatty() and not args.quiet
    loop = asyncio.get_running_loop()
    try:
        while True:
            if interactive:
                out.write("> ")
                out.flush()
            line = await loop.run_in_executor(None, source.readline)
            if not line:
                break
            if not await console.run(line):
                break
    finally:
        await asyncio.sleep(0)  # let the printer show what arrived with the last answer
        printer.cancel()
        await srv.close()
    return 0


def main(argv: "Sequence[str] | None" = None) -> int:
    args = parse_args(argv)
    if args.commands is not None:
        try:
            source: "TextIO" = open(args.commands)  # noqa: SIM115 - closed below
        except OSError as exc:
            sys.stderr.write("lwm2m-server: error: --commands: %s\n" % exc)
            return 2
    else:
        source = sys.stdin
    try:
        return asyncio.run(serve(args, source, sys.stdout))
    except KeyboardInterrupt:
        return 0
    finally:
        if source is not sys.stdin:
            source.close()


if __name__ == "__main__":
    raise SystemExit(main())
