"""The asyncio host of the LwM2M server: sockets, the clock, awaitable commands.

::

    async with LwM2MServer(coap=("127.0.0.1", 0)) as srv:
        reg = await srv.wait_registered("ep1")
        resp = await srv.read("ep1", "/3/0", fmt="tlv")
        print(resp.code, resp.records)
        async for note in srv.observe("ep1", "/3/0/13"):
            print(note.records)
            break

It moves datagrams between UDP sockets and :class:`lwm2m.server.Server`, keeps one
timer for the server's next deadline, and turns operation outcomes into awaited
results. Every response code comes back to the caller (``resp.code``); only a request
that got no response at all (timeout, reset, client gone) raises :class:`RequestError`.
"""

import asyncio
import json
import os

from lwm2m import formats
from lwm2m.aio.events import EventStream
from lwm2m.server import events as ev
from lwm2m.server import operation as op
from lwm2m.server.bootstrap_script import BootstrapScript, load_script, load_script_file
from lwm2m.server.psk import PskEntry, PskStore, parse_psk_option
from lwm2m.server.server import COAP, COAPS, Server
from lwm2m.server.store import Registration

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable, Iterable
    from typing import Any

    Address = tuple[str, int]


class RequestError(Exception):
    """A request that got no response (``reason``: timeout, reset, gone, ...)."""

    def __init__(self, operation: op.Operation, reason: str) -> None:
        self.operation = operation
        self.reason = reason
        super().__init__("%s %s on %s: %s" % (
            operation.kind, formats_path(operation), operation.endpoint, reason))


def formats_path(operation: op.Operation) -> str:
    from objects.path import format_path

    return format_path(operation.path)


def content_format(fmt: "int | str | None") -> "int | None":
    """A content format given as a number or a name (``tlv``, ``senml-cbor``, ``text``,
    ``link``, ``opaque``, ``senml-json``, ``oma-json``, ``lwm2m-cbor``)."""
    if fmt is None or isinstance(fmt, int):
        return fmt
    name = fmt.lower()
    if name.isdigit():
        return int(name)
    if name not in formats.BY_NAME:
        raise ValueError("unknown content format %r (known: %s)"
                         % (fmt, ", ".join(sorted(formats.BY_NAME))))
    return formats.BY_NAME[name]


def make_psk_store(psk: "Any") -> PskStore:
    """A PskStore from a PskStore, ``{endpoint: (identity, key)}``, or an iterable of
    ``"EP:IDENTITY:HEX"`` strings / PskEntry objects."""
    if psk is None:
        return PskStore()
    if isinstance(psk, PskStore):
        return psk
    store = PskStore()
    if isinstance(psk, dict):
        for endpoint, (identity, key) in psk.items():
            store.add(endpoint, identity, key)
        return store
    for item in psk:
        entry = parse_psk_option(item) if isinstance(item, str) else item
        if not isinstance(entry, PskEntry):
            raise TypeError("psk items are 'EP:ID:HEX' strings or PskEntry, not %r" % (item,))
        store.add(entry.endpoint, entry.identity, entry.key)
    return store


def make_script(bootstrap: "Any") -> "BootstrapScript | None":
    """A bootstrap script from a BootstrapScript, a dict, or a JSON file name."""
    if bootstrap is None or isinstance(bootstrap, BootstrapScript):
        return bootstrap
    if isinstance(bootstrap, dict):
        return load_script(bootstrap)
    return load_script_file(os.fspath(bootstrap))


class Observation:
    """An observation from :meth:`LwM2MServer.observe`: iterate it for notifications
    (the first response included), ``await obs.cancel()`` to end it."""

    def __init__(self, srv: "LwM2MServer", operation: op.Operation) -> None:
        self.srv = srv
        self.operation = operation
        self.queue: "asyncio.Queue[Any]" = asyncio.Queue()

    def __aiter__(self) -> "Observation":
        return self

    async def __anext__(self) -> "Any":
        item = await self.queue.get()
        if isinstance(item, ev.ObservationEnded) or item is None:
            raise StopAsyncIteration
        if isinstance(item, ev.RequestFailed):
            raise RequestError(item.operation, item.reason)
        return item

    async def cancel(self, active: bool = True) -> None:
        """End the observation (actively with Observe 1 by default)."""
        if self.operation.active:
            self.srv.server.cancel_observe(self.operation, active, self.srv.now_ms())
            self.srv._after()


class _Protocol(asyncio.DatagramProtocol):
    def __init__(self, srv: "LwM2MServer", listener: str) -> None:
        self.srv = srv
        self.listener = listener

    def datagram_received(self, data: bytes, addr: "Any") -> None:
        self.srv._received(data, (addr[0], addr[1]), self.listener)

    def error_received(self, exc: Exception) -> None:
        # ICMP errors (port unreachable) surface here on Linux: the CoAP layer's own
        # retransmission and timeout handle a client that went away.
        pass


def _factory(srv: "LwM2MServer", name: str) -> "Callable[[], _Protocol]":
    return lambda: _Protocol(srv, name)


class LwM2MServer:
    """An LwM2M server (and bootstrap server when given ``bootstrap``) on UDP sockets.

    ``coap`` / ``coaps``: ``(host, port)`` to listen on (port 0 picks a free one; None
    leaves that listener out). ``psk``: see :func:`make_psk_store`. ``bootstrap``: a
    script (dict, JSON file name or BootstrapScript). ``timeout_s`` bounds every await
    that has no timeout of its own. Other keywords go to :class:`Server`.
    """

    def __init__(
        self,
        coap: "Address | None" = ("127.0.0.1", 5683),
        coaps: "Address | None" = None,
        psk: "Any" = None,
        bootstrap: "Any" = None,
        rng: "Callable[[int], bytes]" = os.urandom,
        timeout_s: float = 300.0,
        **options: "Any",
    ) -> None:
        listeners = []
        if coap is not None:
            listeners.append(COAP)
        if coaps is not None:
            listeners.append(COAPS)
        if not listeners:
            raise ValueError("give coap=(host, port), coaps=(host, port) or both")
        self.server = Server(rng, psk=make_psk_store(psk), bootstrap=make_script(bootstrap),
                             listeners=listeners, **options)
        self.timeout_s = timeout_s
        self._binds = {COAP: coap, COAPS: coaps}
        self.addresses: "dict[str, Address]" = {}
        self._transports: "dict[str, asyncio.DatagramTransport]" = {}
        self._loop: "asyncio.AbstractEventLoop | None" = None
        self._timer: "asyncio.TimerHandle | None" = None
        self._futures: "dict[int, asyncio.Future[Any]]" = {}
        self._observations: "dict[int, Observation]" = {}
        self._subscribers: "list[asyncio.Queue[Any]]" = []
        self._waiters: "list[tuple[Callable[[Any], bool], asyncio.Future[Any]]]" = []

    # -- lifecycle -------------------------------------------------------------------

    @property
    def coap_address(self) -> "Address | None":
        """The bound ``(host, port)`` of the coap listener."""
        return self.addresses.get(COAP)

    @property
    def coaps_address(self) -> "Address | None":
        return self.addresses.get(COAPS)

    async def start(self) -> None:
        """Open the sockets."""
        self._loop = asyncio.get_running_loop()
        for name in self.server.listeners:
            bind = self._binds[name]
            assert bind is not None
            transport, _ = await self._loop.create_datagram_endpoint(
                _factory(self, name), local_addr=bind)
            self._transports[name] = transport
            sock = transport.get_extra_info("sockname")
            self.addresses[name] = (sock[0], sock[1])

    async def close(self) -> None:
        """Close the sockets; awaits still pending are cancelled, observation and event
        iterators end."""
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        for transport in self._transports.values():
            transport.close()
        self._transports.clear()
        for fut in list(self._futures.values()):
            if not fut.done():
                fut.cancel()
        for obs in self._observations.values():
            obs.queue.put_nowait(None)
        for queue in self._subscribers:
            queue.put_nowait(None)

    async def __aenter__(self) -> "LwM2MServer":
        await self.start()
        return self

    async def __aexit__(self, *exc: "Any") -> None:
        await self.close()

    # -- plumbing ----------------------------------------------------------------------

    def now_ms(self) -> int:
        loop = self._loop or asyncio.get_running_loop()
        return int(loop.time() * 1000)

    def _received(self, data: bytes, addr: "Address", listener: str) -> None:
        self.server.receive_datagram(data, addr, self.now_ms(), listener)
        self._after()

    def _on_timer(self) -> None:
        self._timer = None
        self.server.handle_timer(self.now_ms())
        self._after()

    def _after(self) -> None:
        """Send what is due, deliver events, re-arm the timer."""
        for name, transport in self._transports.items():
            for addr, data in self.server.datagrams_to_send(name):
                transport.sendto(data, addr)
        while True:
            event = self.server.next_event()
            if event is None:
                break
            self._dispatch(event)
        deadline = self.server.get_timer()
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        if deadline is not None and self._loop is not None and self._transports:
            self._timer = self._loop.call_at(deadline / 1000.0, self._on_timer)

    def _dispatch(self, event: "Any") -> None:
        operation = getattr(event, "operation", None)
        if operation is not None:
            obs = self._observations.get(operation.id)
            if obs is not None:
                if isinstance(event, (ev.NotificationReceived, ev.ResponseReceived)):
                    obs.queue.put_nowait(event)  # every code reaches the caller
                    if isinstance(event, ev.ResponseReceived) and not operation.active:
                        # RFC 7641 §3.1: no Observe option (or an error): not established
                        obs.queue.put_nowait(ev.ObservationEnded(operation, "not established"))
                        self._observations.pop(operation.id, None)
                elif isinstance(event, (ev.ObservationEnded, ev.RequestFailed)):
                    obs.queue.put_nowait(event)
                    self._observations.pop(operation.id, None)
            fut = self._futures.pop(operation.id, None)
            if fut is not None and not fut.done():
                if isinstance(event, ev.ResponseReceived):
                    fut.set_result(event)
                elif isinstance(event, ev.RequestFailed):
                    fut.set_exception(RequestError(operation, event.reason))
        for queue in self._subscribers:
            queue.put_nowait(event)
        for pair in list(self._waiters):
            check, fut = pair
            if not fut.done() and check(event):
                fut.set_result(event)
            if fut.done():
                self._waiters.remove(pair)

    async def _run(self, operation: op.Operation, timeout_s: "float | None") -> "Any":
        fut = self._futures.get(operation.id)
        if fut is None:  # answered before we got here (cannot happen: events wait for us)
            fut = asyncio.get_running_loop().create_future()
            self._futures[operation.id] = fut
        self._after()
        return await asyncio.wait_for(fut, self.timeout_s if timeout_s is None else timeout_s)

    def _track(self, operation: op.Operation) -> op.Operation:
        loop = self._loop or asyncio.get_running_loop()
        self._futures[operation.id] = loop.create_future()
        return operation

    # -- waiting for clients -----------------------------------------------------------

    async def wait_for(self, check: "Callable[[Any], bool]",
                       timeout_s: "float | None" = None) -> "Any":
        """The next event for which ``check(event)`` is true."""
        fut: "asyncio.Future[Any]" = asyncio.get_running_loop().create_future()
        self._waiters.append((check, fut))
        return await asyncio.wait_for(fut, self.timeout_s if timeout_s is None else timeout_s)

    async def wait_registered(self, endpoint: str,
                              timeout_s: "float | None" = None) -> Registration:
        """The registration of ``endpoint``, waiting for its Register if needed."""
        reg = self.server.registration(endpoint)
        if reg is not None:
            return reg
        event = await self.wait_for(
            lambda e: isinstance(e, ev.ClientRegistered) and e.registration.endpoint == endpoint,
            timeout_s)
        return event.registration  # type: ignore[no-any-return]

    async def wait_updated(self, endpoint: str, timeout_s: "float | None" = None) -> Registration:
        event = await self.wait_for(
            lambda e: isinstance(e, ev.ClientUpdated) and e.registration.endpoint == endpoint,
            timeout_s)
        return event.registration  # type: ignore[no-any-return]

    async def wait_bootstrapped(self, endpoint: str, timeout_s: "float | None" = None) -> "Any":
        """Wait for BootstrapCompleted (or BootstrapFailed) of ``endpoint``."""
        return await self.wait_for(
            lambda e: isinstance(e, (ev.BootstrapCompleted, ev.BootstrapFailed))
            and e.endpoint == endpoint, timeout_s)

    def events(self) -> "EventStream":
        """Every server event from the moment of this call (registered, updated,
        deregistered, expired, sent data, responses, notifications, bootstrap progress);
        iterate it with ``async for``, ``close()`` it when done."""
        return EventStream(self._subscribers)

    # -- device management -------------------------------------------------------------------

    async def read(self, endpoint: str, path: str, fmt: "int | str | None" = None,
                   timeout_s: "float | None" = None) -> ev.ResponseReceived:
        """Read ``path``; ``fmt`` is the Accept (number or name)."""
        operation = self._track(self.server.read(endpoint, path, content_format(fmt),
                                                 self.now_ms()))
        return await self._run(operation, timeout_s)  # type: ignore[no-any-return]

    async def discover(self, endpoint: str, path: str,
                       timeout_s: "float | None" = None) -> ev.ResponseReceived:
        operation = self._track(self.server.discover(endpoint, path, self.now_ms()))
        return await self._run(operation, timeout_s)  # type: ignore[no-any-return]

    async def write(self, endpoint: str, path: str, value: "Any",
                    fmt: "int | str | None" = None, replace: bool = True,
                    timeout_s: "float | None" = None) -> ev.ResponseReceived:
        """Write a value (resource path), ``{rid: value}`` or records."""
        operation = self._track(self.server.write(endpoint, path, value, content_format(fmt),
                                                  replace, self.now_ms()))
        return await self._run(operation, timeout_s)  # type: ignore[no-any-return]

    async def write_attributes(self, endpoint: str, path: str,
                               attributes: "dict[str, Any] | None" = None,
                               timeout_s: "float | None" = None,
                               **attrs: "Any") -> ev.ResponseReceived:
        """Write-Attributes, e.g. ``write_attributes("ep", "/3/0/13", pmin=1, pmax=60)``."""
        merged = dict(attributes or {})
        merged.update(attrs)
        operation = self._track(self.server.write_attributes(endpoint, path, merged,
                                                             self.now_ms()))
        return await self._run(operation, timeout_s)  # type: ignore[no-any-return]

    async def execute(self, endpoint: str, path: str, arguments: "bytes | str" = b"",
                      timeout_s: "float | None" = None) -> ev.ResponseReceived:
        operation = self._track(self.server.execute(endpoint, path, arguments, self.now_ms()))
        return await self._run(operation, timeout_s)  # type: ignore[no-any-return]

    async def create(self, endpoint: str, path: str, value: "Any" = None,
                     fmt: "int | str | None" = None,
                     timeout_s: "float | None" = None) -> ev.ResponseReceived:
        operation = self._track(self.server.create(endpoint, path, value, content_format(fmt),
                                                   self.now_ms()))
        return await self._run(operation, timeout_s)  # type: ignore[no-any-return]

    async def delete(self, endpoint: str, path: str,
                     timeout_s: "float | None" = None) -> ev.ResponseReceived:
        operation = self._track(self.server.delete(endpoint, path, self.now_ms()))
        return await self._run(operation, timeout_s)  # type: ignore[no-any-return]

    async def read_composite(self, endpoint: str, paths: "Iterable[str]",
                             fmt: "int | str" = "senml-cbor",
                             timeout_s: "float | None" = None) -> ev.ResponseReceived:
        cf = content_format(fmt)
        assert cf is not None
        operation = self._track(self.server.read_composite(endpoint, list(paths), cf,
                                                           now_ms=self.now_ms()))
        return await self._run(operation, timeout_s)  # type: ignore[no-any-return]

    async def write_composite(self, endpoint: str, records: "Iterable[tuple[str, Any]]",
                              fmt: "int | str" = "senml-cbor",
                              timeout_s: "float | None" = None) -> ev.ResponseReceived:
        cf = content_format(fmt)
        assert cf is not None
        operation = self._track(self.server.write_composite(endpoint, list(records), cf,
                                                            self.now_ms()))
        return await self._run(operation, timeout_s)  # type: ignore[no-any-return]

    def observe(self, endpoint: str, path: "str | Iterable[str]",
                fmt: "int | str | None" = None) -> Observation:
        """Observe one path (or, given a list, Observe-Composite in SenML CBOR). Iterate the
        result: the first item is the initial response, then each notification."""
        if isinstance(path, str):
            operation = self.server.observe(endpoint, path, content_format(fmt), self.now_ms())
        else:
            cf = content_format(fmt) or formats.SENML_CBOR
            operation = self.server.observe_composite(endpoint, list(path), cf,
                                                      now_ms=self.now_ms())
        obs = Observation(self, operation)
        self._observations[operation.id] = obs
        self._after()
        return obs


def describe(event: "Any") -> str:
    """One human-readable line for a server event (used by the CLI)."""
    from coap.codes import code_text
    from objects.path import format_path

    if isinstance(event, ev.ClientRegistered):
        reg = event.registration
        return "registered %s at %s (lt=%d lwm2m=%s b=%s%s) objects %s" % (
            reg.endpoint, reg.path, reg.lifetime_s, reg.version, reg.binding,
            " queue" if reg.queue else "",
            " ".join(format_path(p) for p in reg.object_paths()) or "-")
    if isinstance(event, ev.ClientUpdated):
        return "updated %s (lt=%d)" % (event.registration.endpoint, event.registration.lifetime_s)
    if isinstance(event, ev.ClientDeregistered):
        return "deregistered %s" % event.registration.endpoint
    if isinstance(event, ev.RegistrationExpired):
        return "expired %s" % event.registration.endpoint
    if isinstance(event, ev.ResponseReceived):
        o = event.operation
        return "#%d %s %s %s: %s%s" % (o.id, o.kind, o.endpoint, format_path(o.path),
                                       code_text(event.code), _body(event))
    if isinstance(event, ev.NotificationReceived):
        o = event.operation
        return "#%d notify %s %s: %s%s" % (o.id, o.endpoint, format_path(o.path),
                                           code_text(event.code), _body(event))
    if isinstance(event, ev.RequestFailed):
        o = event.operation
        return "#%d %s %s %s failed: %s" % (o.id, o.kind, o.endpoint, format_path(o.path),
                                            event.reason)
    if isinstance(event, ev.ObservationEnded):
        return "#%d observation ended: %s" % (event.operation.id, event.reason)
    if isinstance(event, ev.DataSent):
        return "send from %s:%s" % (event.registration.endpoint,
                                    _records_text(event.records))
    if isinstance(event, ev.RequestRejected):
        return "rejected a request from %s: %s %s" % (
            event.address, code_text(event.code), event.reason)
    if isinstance(event, ev.HandshakeFailed):
        return "DTLS handshake from %s failed: %s" % (event.address, event.reason)
    if isinstance(event, ev.BootstrapRequested):
        return "bootstrap request from %s" % event.endpoint
    if isinstance(event, ev.BootstrapStepDone):
        return "bootstrap %s: %s %s %s" % (event.endpoint, event.step.op,
                                           format_path(event.step.path),
                                           code_text(event.response.code))
    if isinstance(event, ev.BootstrapCompleted):
        return "bootstrap of %s finished" % event.endpoint
    if isinstance(event, ev.BootstrapFailed):
        return "bootstrap of %s failed: %s" % (event.endpoint, event.reason)
    return repr(event)


def _value_text(value: "Any") -> str:
    if isinstance(value, (bytes, bytearray)):
        return "0x" + bytes(value).hex() if value else "(empty)"
    if isinstance(value, tuple):
        return "%d:%d" % value
    return json.dumps(value) if isinstance(value, str) else str(value)


def _records_text(records: "Any") -> str:
    from objects.path import format_path

    if not records:
        return ""
    if hasattr(records[0], "uri"):
        return "\n  " + "\n  ".join(
            link.uri + "".join(";%s=%s" % (k, v) if v is not None else ";" + k
                               for k, v in link.attrs) for link in records)
    return "\n  " + "\n  ".join("%s = %s" % (format_path(p), _value_text(v))
                                for p, v in records)


def _body(event: "Any") -> str:
    if event.records is not None:
        return _records_text(event.records)
    if event.payload:
        if event.decode_error:
            return " (undecodable: %s) 0x%s" % (event.decode_error, event.payload.hex())
        payload = bytes(event.payload)
        try:
            return " " + payload.decode()
        except UnicodeError:
            return " 0x" + payload.hex()
    return ""
