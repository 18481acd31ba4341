"""Thin asyncio hosts over :class:`coap.Endpoint`: ``python -m coap client`` and
``python -m coap server``. CPython only (asyncio is imported inside the functions: the
core of this package stays free of it, see DESIGN.md)."""

import argparse
import os
import sys

from coap import codes, formats, types
from coap.endpoint import Endpoint
from coap.events import (
    BlockReceived,
    NotificationReceived,
    ObservationEnded,
    RequestFailed,
    RequestReceived,
    RequestTimedOut,
    ResetReceived,
    ResponseReceived,
)
from coap.message import Message
from coap.options import size_to_szx

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any, BinaryIO

    from coap.observe import Observation


class HostError(Exception):
    """A problem the user can fix (bad URI, unreadable file): one line, exit status 1."""


class DatagramHost:
    """Moves datagrams between a UDP socket and an endpoint and runs its clock."""

    def __init__(self, endpoint: Endpoint, on_event: "Callable[[Any], None]") -> None:
        import asyncio

        self.endpoint = endpoint
        self.on_event = on_event
        self.loop = asyncio.get_running_loop()
        self.transport: asyncio.DatagramTransport | None = None
        self._timer: asyncio.TimerHandle | None = None

    def now_ms(self) -> int:
        return int(self.loop.time() * 1000)

    async def open(self, local: "tuple[str, int]") -> "tuple[Any, ...]":
        import asyncio

        host = self

        class Protocol(asyncio.DatagramProtocol):
            def datagram_received(self, data: bytes, addr: "tuple[Any, ...]") -> None:
                host.endpoint.receive_datagram(data, (addr[0], addr[1]), host.now_ms())
                host.flush()

            def error_received(self, exc: Exception) -> None:
                pass  # ICMP errors: the retransmission layer copes

        transport, _ = await self.loop.create_datagram_endpoint(Protocol, local_addr=local)
        self.transport = transport
        sockname: tuple[Any, ...] = transport.get_extra_info("sockname")
        return sockname

    def flush(self) -> None:
        """Send what the endpoint wants sent, hand out its events, re-arm its timer."""
        assert self.transport is not None
        for peer, data in self.endpoint.datagrams_to_send():
            self.transport.sendto(data, peer)
        event = self.endpoint.next_event()
        while event is not None:
            self.on_event(event)
            event = self.endpoint.next_event()
        for peer, data in self.endpoint.datagrams_to_send():  # what the handlers caused
            self.transport.sendto(data, peer)
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        deadline = self.endpoint.get_timer()
        if deadline is not None:
            self._timer = self.loop.call_at(deadline / 1000, self._fire)

    def _fire(self) -> None:
        self._timer = None
        self.endpoint.handle_timer(self.now_ms())
        self.flush()

    def close(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
        if self.transport is not None:
            self.transport.close()


# -- client -----------------------------------------------------------------------------

METHODS = {"get": codes.GET, "post": codes.POST, "put": codes.PUT, "delete": codes.DELETE,
           "fetch": codes.FETCH, "patch": codes.PATCH, "ipatch": codes.IPATCH}


def parse_uri(uri: str) -> "tuple[str, int, list[str], list[str]]":
    """``coap://host[:port]/path?query`` to (host, port, path segments, query items)."""
    from urllib.parse import unquote, urlsplit

    parts = urlsplit(uri)
    if parts.scheme != "coap":
        raise HostError("only coap:// URIs are supported, not %r" % uri)
    try:
        port = parts.port or 5683
    except ValueError:
        raise HostError("bad port in %r" % uri) from None
    if not parts.hostname:
        raise HostError("no host in %r" % uri)
    path = [unquote(s) for s in parts.path.split("/") if s]
    query = [unquote(q) for q in parts.query.split("&") if q]
    return parts.hostname, port, path, query


async def run_client(args: argparse.Namespace) -> int:
    import asyncio
    import socket

    host, port, path, query = parse_uri(args.uri)
    loop = asyncio.get_running_loop()
    try:
        infos = await loop.getaddrinfo(host, port, type=socket.SOCK_DGRAM)
    except OSError as exc:
        raise HostError("cannot resolve %s: %s" % (host, exc)) from None
    family, _, _, _, address = infos[0]
    peer = (address[0], address[1])
    message = Message(code=METHODS[args.method])
    message.uri_path = path
    message.uri_query = query
    if args.accept is not None:
        message.accept = args.accept
    if args.content_format is not None:
        message.content_format = args.content_format
    if args.file is not None:
        try:
            with open(args.file, "rb") as fh:
                message.payload = fh.read()
        except OSError as exc:
            raise HostError("cannot read %s: %s" % (args.file, exc)) from None
    elif args.payload is not None:
        message.payload = args.payload.encode()
    if args.observe is not None:
        message.observe = 0
    if args.non:
        message.type = types.NON
    szx = 6
    if args.block_size is not None:
        try:
            szx = size_to_szx(args.block_size)
        except ValueError as exc:
            raise HostError(str(exc)) from None
    endpoint = Endpoint(os.urandom, block_szx=szx)
    out: BinaryIO = open(args.output, "wb") if args.output else sys.stdout.buffer  # noqa: SIM115
    finished: asyncio.Future[int] = loop.create_future()
    status = [0]
    cancelled: list[bool] = []

    def write(payload: bytes, newline: bool) -> None:
        out.write(payload + (b"\n" if newline and args.observe is not None else b""))
        out.flush()

    def on_event(event: "Any") -> None:
        if isinstance(event, ResponseReceived):
            if cancelled:
                return  # the answer to our deregistration repeats the last state
            response = event.response
            if not codes.is_success(response.code):
                print("%s %s" % (codes.code_text(response.code), codes.code_name(response.code)),
                      file=sys.stderr)
                status[0] = 1
            write(response.payload, True)
            if not event.request.observing and not finished.done():
                finished.set_result(status[0])
        elif isinstance(event, BlockReceived):
            write(event.response.payload, False)
        elif isinstance(event, NotificationReceived):
            write(event.response.payload, True)
        elif isinstance(event, ObservationEnded):
            if not finished.done():
                finished.set_result(status[0])
        elif isinstance(event, (RequestTimedOut, ResetReceived, RequestFailed)):
            reason = getattr(event, "reason", type(event).__name__)
            print("error: request failed: %s" % reason, file=sys.stderr)
            if not finished.done():
                finished.set_result(1)

    dgram = DatagramHost(endpoint, on_event)
    await dgram.open(("::" if family == socket.AF_INET6 else "0.0.0.0", 0))
    try:
        request = endpoint.send_request(peer, message, dgram.now_ms(), stream=args.stream)
        dgram.flush()
        wait = endpoint.params.max_transmit_wait_ms / 1000 + 5
        if args.observe is not None:
            try:
                return await asyncio.wait_for(asyncio.shield(finished), args.observe)
            except TimeoutError:
                pass
            if request.observing:
                cancelled.append(True)
                endpoint.cancel(request, dgram.now_ms())
                dgram.flush()
                try:
                    await asyncio.wait_for(finished, 10)
                except TimeoutError:
                    pass
            return status[0]
        try:
            return await asyncio.wait_for(finished, wait)
        except TimeoutError:
            print("error: no response", file=sys.stderr)
            return 1
    finally:
        dgram.close()
        if args.output:
            out.close()


# -- server -----------------------------------------------------------------------------

EXTENSION_FORMATS = {".txt": formats.TEXT, ".wlnk": formats.LINK_FORMAT, ".cbor": formats.CBOR,
                     ".tlv": formats.LWM2M_TLV, ".senml": formats.SENML_JSON}


class FileServer:
    """Serves a directory: GET (block-wise, observable), PUT, POST (append), DELETE."""

    def __init__(self, root: str, endpoint: Endpoint) -> None:
        self.root = os.path.realpath(root)
        self.endpoint = endpoint
        self.dgram: DatagramHost | None = None
        # observation -> (file path, last content or None when the file is gone)
        self.watched: dict[Observation, tuple[str, bytes | None]] = {}

    def path_of(self, segments: "tuple[str, ...]") -> "str | None":
        if any(s in ("", ".", "..") or "/" in s or "\0" in s for s in segments):
            return None
        path = os.path.realpath(os.path.join(self.root, *segments))
        if path != self.root and not path.startswith(self.root + os.sep):
            return None
        return path

    def on_event(self, event: "Any") -> None:
        if not isinstance(event, RequestReceived):
            if hasattr(event, "observation"):
                self.watched.pop(event.observation, None)
            return
        assert self.dgram is not None
        now = self.dgram.now_ms()
        response, observable_path = self.handle(event)
        observation = self.endpoint.respond(event, response, now,
                                            observe=observable_path is not None)
        if observation is not None and observable_path is not None:
            self.watched[observation] = (observable_path, response.payload)

    def handle(self, event: RequestReceived) -> "tuple[Message, str | None]":
        request = event.request
        path = self.path_of(request.uri_path)
        if path is None:
            return event.response(codes.FORBIDDEN), None
        code = request.code
        if code == codes.GET:
            return self.get(event, path)
        if code in (codes.PUT, codes.POST):
            existed = os.path.exists(path)
            if os.path.isdir(path):
                return event.response(codes.METHOD_NOT_ALLOWED), None
            try:
                os.makedirs(os.path.dirname(path), exist_ok=True)
                if code == codes.PUT:
                    tmp = path + ".tmp-coap"
                    with open(tmp, "wb") as fh:
                        fh.write(request.payload)
                    os.replace(tmp, path)
                else:
                    with open(path, "ab") as fh:
                        fh.write(request.payload)
            except OSError:
                return event.response(codes.INTERNAL_SERVER_ERROR), None
            return event.response(codes.CHANGED if existed else codes.CREATED), None
        if code == codes.DELETE:
            try:
                os.remove(path)
            except FileNotFoundError:
                return event.response(codes.NOT_FOUND), None
            except OSError:
                return event.response(codes.METHOD_NOT_ALLOWED), None
            return event.response(codes.DELETED), None
        return event.response(codes.METHOD_NOT_ALLOWED), None

    def get(self, event: RequestReceived, path: str) -> "tuple[Message, str | None]":
        if os.path.isdir(path):
            names = sorted(os.listdir(path))
            base = "/".join(event.request.uri_path)
            links = ",".join("</%s>" % "/".join(s for s in (base, n) if s) for n in names)
            return event.response(codes.CONTENT, links.encode(), formats.LINK_FORMAT), None
        try:
            with open(path, "rb") as fh:
                body = fh.read()
        except OSError:
            return event.response(codes.NOT_FOUND), None
        fmt = EXTENSION_FORMATS.get(os.path.splitext(path)[1], formats.OCTET_STREAM)
        accept = event.request.accept
        if accept is not None and accept != fmt:
            return event.response(codes.NOT_ACCEPTABLE), None
        return event.response(codes.CONTENT, body, fmt), path

    def poll(self) -> None:
        """Notify observers of files whose content changed (RFC 7641 §4.2)."""
        assert self.dgram is not None
        for observation, (path, last) in list(self.watched.items()):
            if not observation.active:
                del self.watched[observation]
                continue
            try:
                with open(path, "rb") as fh:
                    body: bytes | None = fh.read()
            except OSError:
                body = None
            if body == last:
                continue
            if body is None:
                response = Message(code=codes.NOT_FOUND)
                del self.watched[observation]
            else:
                fmt = EXTENSION_FORMATS.get(os.path.splitext(path)[1], formats.OCTET_STREAM)
                response = Message(code=codes.CONTENT, payload=body)
                response.content_format = fmt
                self.watched[observation] = (path, body)
            self.endpoint.notify(observation, response, self.dgram.now_ms())
        self.dgram.flush()


def parse_listen(text: str) -> "tuple[str, int]":
    host, sep, port = text.rpartition(":")
    host = host.strip("[]")
    if not sep or not host or not port.isdigit() or int(port) > 65535:
        raise HostError("--listen wants HOST:PORT, e.g. 127.0.0.1:5683 or [::1]:0")
    return host, int(port)


async def run_server(args: argparse.Namespace) -> int:
    import asyncio

    local = parse_listen(args.listen)
    if not os.path.isdir(args.root):
        raise HostError("--root %s is not a directory" % args.root)
    try:
        szx = size_to_szx(args.block_size)
    except ValueError as exc:
        raise HostError(str(exc)) from None
    endpoint = Endpoint(os.urandom, block_szx=szx)
    server = FileServer(args.root, endpoint)
    dgram = DatagramHost(endpoint, server.on_event)
    server.dgram = dgram
    try:
        sockname = await dgram.open(local)
    except OSError as exc:
        raise HostError("cannot listen on %s: %s" % (args.listen, exc)) from None
    shown = "[%s]" % sockname[0] if ":" in sockname[0] else sockname[0]
    print("listening on %s:%d" % (shown, sockname[1]), flush=True)
    try:
        while True:
            await asyncio.sleep(args.poll)
            server.poll()
    finally:
        dgram.close()


# -- command line -----------------------------------------------------------------------

def _run(coro_fn: "Callable[[argparse.Namespace], Any]", args: argparse.Namespace) -> int:
    import asyncio

    from coap.cli import UsageError

    try:
        code: int = asyncio.run(coro_fn(args))
    except HostError as exc:
        raise UsageError(str(exc)) from None
    except KeyboardInterrupt:
        return 130
    return code


def add_commands(sub: "Any") -> None:
    p = sub.add_parser("client", help="send one request, print the response payload")
    p.add_argument("method", choices=sorted(METHODS), type=str.lower)
    p.add_argument("uri", help="coap://host[:port]/path?query")
    p.add_argument("-A", dest="accept", type=int, help="Accept content format")
    p.add_argument("-t", dest="content_format", type=int, help="Content-Format of the payload")
    group = p.add_mutually_exclusive_group()
    group.add_argument("-e", dest="payload", help="payload text")
    group.add_argument("-f", dest="file", help="payload file")
    p.add_argument("-b", dest="block_size", type=int, help="block size 16-1024")
    p.add_argument("-o", dest="output", help="write the payload to FILE")
    p.add_argument("--observe", "-s", type=float, metavar="SECONDS",
                   help="observe for SECONDS, one line per notification")
    p.add_argument("--non", action="store_true", help="send the request NON")
    p.add_argument("--stream", action="store_true",
                   help="write Block2 blocks as they arrive")
    p.set_defaults(run=lambda args: _run(run_client, args))

    p = sub.add_parser("server", help="serve the files of a directory")
    p.add_argument("--listen", required=True, help="HOST:PORT (port 0 picks a free one)")
    p.add_argument("--root", required=True, help="directory to serve")
    p.add_argument("--block-size", type=int, default=1024, help="preferred block size")
    p.add_argument("--poll", type=float, default=0.2,
                   help="seconds between checks of observed files")
    p.set_defaults(run=lambda args: _run(run_server, args))
