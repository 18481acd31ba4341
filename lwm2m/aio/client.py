"""The asyncio host of ``lwm2m.Client``: sockets, names, the clock, clean shutdown.

::

    async with AsyncClient(ClientConfig(endpoint="ep1",
                                        servers=[ServerAccount("coap://127.0.0.1:5683")])) as c:
        await c.wait_ready()
        c.set_value("/3/0/9", 80)
        async for event in c.events():
            print(event)

The host resolves each server's name, opens one UDP socket per server session (its
local port also receives the server's own requests), feeds the Client datagrams and
``now_ms`` from the loop's monotonic clock, keeps one timer for ``get_timer()``, and
hands events to ``events()`` subscribers. A network error (a name that does not resolve,
a socket that cannot open or send) waits out the ``lwm2m_cfg`` bearer back-off
(RETRY_TIMEOUT x RETRY_EXPONENT_VAL, capped at MAX_RETRY_TIMEOUT, MAX_NO_RETRIES times)
and reports ``NetworkError``; CoAP and DTLS retransmission stay the Client's business.
Leaving the ``async with`` de-registers (bounded by ``shutdown_timeout_s``) and closes.
"""

import asyncio
import logging
import os
import socket
import time

from lwm2m import events as ev
from lwm2m.aio.events import EventStream
from lwm2m.clientconfig import ClientConfig, build_client
from lwm2m.passthrough import pass_through
from lwm2m.persist import Persistence
from lwm2m.runtime import ClientRuntime, NetworkError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any

    from lwm2m.client import Client
    from objects.base import BaseObject
    from objects.definitions import ObjectDefinition

    Address = tuple[str, int]

log = logging.getLogger("lwm2m.client")


class ClientFailed(Exception):
    """``wait_ready`` saw registration (or the bearer) fail for good."""


class _Protocol(asyncio.DatagramProtocol):
    def __init__(self, host: "AsyncClient", address: "Address") -> None:
        self.host = host
        self.address = address

    def datagram_received(self, data: bytes, addr: "Any") -> None:
        self.host._received(data, self.address)

    def error_received(self, exc: Exception) -> None:
        # ICMP port unreachable and the like: the server is not there (yet). CoAP's
        # retransmission and the registration back-off deal with it.
        log.debug("socket error for %s:%d: %s", self.address[0], self.address[1], exc)


class _Link:
    """The socket of one server address, and what waits for it."""

    __slots__ = ("failures", "opening", "pending", "port", "transport")

    def __init__(self) -> None:
        self.transport: "asyncio.DatagramTransport | None" = None
        self.pending: "list[bytes]" = []
        self.opening: "asyncio.Task[None] | None" = None
        self.failures = 0
        self.port = 0


class AsyncClient:
    """An LwM2M client on asyncio. ``config``: a ``ClientConfig`` (its directory is read
    when set) or a ready ``lwm2m.client.Client`` (then ``persist`` and ``settings``
    may come as keywords). ``rng`` must be a CSPRNG."""

    def __init__(self, config: "ClientConfig | Client",
                 rng: "Callable[[int], bytes]" = os.urandom,
                 shutdown_timeout_s: float = 5.0, persist: "str | None" = None,
                 settings: "Any" = None, **client_options: "Any") -> None:
        self.rng = rng
        self.shutdown_timeout_s = shutdown_timeout_s
        self.config = config if isinstance(config, ClientConfig) else None
        self._given = None if isinstance(config, ClientConfig) else config
        self._persist_dir = persist
        self._settings = settings
        self._client_options = client_options
        self.client: "Client | None" = self._given
        self.runtime: "ClientRuntime | None" = None
        self._loop: "asyncio.AbstractEventLoop | None" = None
        self._links: "dict[Address, _Link]" = {}
        self._timer: "asyncio.TimerHandle | None" = None
        self._kick_handle: "asyncio.Handle | None" = None
        self._subscribers: "list[asyncio.Queue[Any]]" = []
        self._state_waiters: "list[asyncio.Future[int]]" = []
        self._reboot_handlers: "list[Callable[[], Any]]" = []
        self._keylog: "Any" = None
        self._closed = False

    # -- lifecycle ------------------------------------------------------------------

    async def __aenter__(self) -> "AsyncClient":
        await self.start()
        return self

    async def __aexit__(self, *exc: "Any") -> None:
        await self.close()

    def build(self) -> "Client":
        """Make the Client from the configuration (``start`` does it when needed):
        objects and handlers can be added to ``client`` before ``start``."""
        if self.client is not None:
            return self.client
        config = self.config
        assert config is not None
        config.load()
        options: "dict[str, Any]" = {}
        if config.keylog:
            self._keylog = open(config.keylog, "a")  # noqa: SIM115 - closed in close()
            keylog = self._keylog

            def write_keylog(line: str) -> None:
                keylog.write(line + "\n")
                keylog.flush()

            options["dtls_options"] = {"keylog": write_keylog}
        self.client = build_client(config, self.rng, options, **self._client_options)
        return self.client

    async def start(self) -> None:
        """Build the client, restore persisted state, start registering."""
        client = self.build()
        self._loop = asyncio.get_running_loop()
        settings = self._settings if self._settings is not None else (
            self.config.settings if self.config is not None else None)
        directory = self._persist_dir or (self.config.persist if self.config else None)
        store = Persistence(directory) if directory else None
        persist_registration = bool(settings is not None and settings.persist_registration)
        self.runtime = ClientRuntime(client, store, persist_registration)
        self.runtime.start(self.now_ms(), int(time.time()))
        if self.runtime.resumed:
            log.info("resumed the registration with %s without registering again",
                     ", ".join(str(s) for s in self.runtime.resumed))
        self._after()

    async def close(self, deregister: bool = True) -> None:
        """De-register (unless ``deregister`` is False: a restart resumes) and close."""
        if self._closed:
            return
        if deregister and self.client is not None and any(
                s.machine.state != 0 for s in self.client.sessions.values()):  # not IDLE
            # Registered (also asleep in queue mode), or still trying: De-register or stop.
            try:
                await self.deregister(self.shutdown_timeout_s)
            except TimeoutError:
                log.warning("the De-register got no answer in %.1f s", self.shutdown_timeout_s)
        if self.runtime is not None:
            self.runtime.flush()
        self._closed = True
        if self._timer is not None:
            self._timer.cancel()
        if self._kick_handle is not None:
            self._kick_handle.cancel()
        for link in self._links.values():
            if link.opening is not None:
                link.opening.cancel()
            if link.transport is not None:
                link.transport.close()
        self._links.clear()
        for queue in self._subscribers:
            queue.put_nowait(None)
        for fut in self._state_waiters:
            if not fut.done():
                fut.cancel()
        if self._keylog is not None:
            self._keylog.close()

    # -- the application's API ----------------------------------------------------------

    def now_ms(self) -> int:
        loop = self._loop or asyncio.get_running_loop()
        return int(loop.time() * 1000)

    @property
    def state(self) -> int:
        return self.build().state

    async def wait_ready(self, timeout_s: "float | None" = 60.0) -> None:
        """Wait until registered with a server; ClientFailed when registration failed
        for good; asyncio.TimeoutError after ``timeout_s``."""
        await self.wait_state(ev.STATE_READY, timeout_s)

    async def wait_state(self, state: int, timeout_s: "float | None" = 60.0) -> None:
        async def wait() -> None:
            while self.state != state:
                if self.state in (ev.STATE_REGISTRATION_FAILED, ev.STATE_BOOTSTRAP_FAILED) \
                        and state != self.state:
                    raise ClientFailed(ev.NAMES[self.state])
                fut: "asyncio.Future[int]" = asyncio.get_running_loop().create_future()
                self._state_waiters.append(fut)
                await fut

        await asyncio.wait_for(wait(), timeout_s)

    async def deregister(self, timeout_s: "float | None" = 5.0) -> None:
        """De-register from every server and wait until it is done."""
        client = self.build()
        client.deregister(self.now_ms())
        self._after()

        async def done() -> None:
            while any(s.machine.state == 4 for s in client.sessions.values()):  # DEREGISTERING
                fut: "asyncio.Future[int]" = asyncio.get_running_loop().create_future()
                self._state_waiters.append(fut)
                await fut

        await asyncio.wait_for(done(), timeout_s)
        if self.runtime is not None:
            self.runtime.forget_registrations()

    def set_value(self, path: "Any", value: "Any") -> None:
        """Set a resource from the application (``"/3/0/9"``); observers hear of it."""
        self.build().set_value(path, value)
        self._kick()

    def get_value(self, path: "Any") -> "Any":
        return self.build().get_value(path)

    def set_uplink(self, oid: int, data: bytes, iid: int = 0) -> None:
        """Application data up through object 19 or 10250."""
        self.build().set_uplink(oid, data, iid)
        self._kick()

    def update_registration(self, with_objects: bool = False) -> None:
        self.build().update_registration(self.now_ms(), None, with_objects)
        self._kick()

    def events(self) -> EventStream:
        """Client events (``lwm2m.events``, ``NetworkError``) from now on."""
        return EventStream(self._subscribers)

    def __aiter__(self) -> EventStream:
        return self.events()

    def on_execute(self, path: str, handler: "Callable[[int, bytes, int], None]") -> None:
        """Run ``handler(iid, arguments, caller)`` when a server executes ``path``
        (``"/3/0/4"`` style; the 2.04 answers it unless it raises an ObjectError)."""
        from objects.path import parse_path

        parts = parse_path(path)
        if len(parts) != 3:
            raise ValueError("an executable path names a resource: /oid/iid/rid")
        self.build().objects[parts[0]].on_execute(parts[2], handler)

    def on_reboot(self, handler: "Callable[[], Any]") -> None:
        """Call ``handler()`` after a server's Reboot (/3/0/4) has been answered."""
        self._reboot_handlers.append(handler)

    def add_object(self, obj: "BaseObject | ObjectDefinition") -> "BaseObject":
        obj = self.build().add_object(obj)
        self._kick()
        return obj

    def add_pass_through(self, obj: "BaseObject | ObjectDefinition",
                         handler: "Callable[[str, Any, Any, int], None]") -> "BaseObject":
        """Add a pass-through object (Software Management 9, Device Capability
        Management 15, ...): every server write, execute, create and delete goes to
        ``handler(operation, path, value, caller)`` first (raise an ObjectError to refuse)."""
        from objects.base import BaseObject

        if not isinstance(obj, BaseObject):
            obj = BaseObject(obj)
        return self.add_object(pass_through(obj, handler))

    # -- plumbing -----------------------------------------------------------------------

    def _kick(self) -> None:
        # Batch the application's changes of one loop turn into one pass.
        if self._loop is not None and self._kick_handle is None and not self._closed:
            self._kick_handle = self._loop.call_soon(self._kicked)

    def _kicked(self) -> None:
        self._kick_handle = None
        self._after()

    def _received(self, data: bytes, address: "Address") -> None:
        if self._closed or self.client is None:
            return
        self.client.receive_datagram(data, address, self.now_ms())
        self._after()

    def _on_timer(self) -> None:
        self._timer = None
        if self._closed or self.client is None:
            return
        self.client.handle_timer(self.now_ms())
        self._after()

    def _after(self) -> None:
        """Send what is due, deliver events, persist, re-arm the timer."""
        client = self.client
        if client is None or self._closed:
            return
        for session in client.sessions.values():
            if session.address not in self._links:
                # Open the socket now: a resumed registration sends nothing at first,
                # yet the server's requests must find us at once.
                self._link(session.address)
        for address, data in client.datagrams_to_send():
            self._send(address, data)
        reboot = False
        while True:
            event = client.next_event()
            if event is None:
                break
            if isinstance(event, ev.RebootRequested):
                reboot = True
            self._deliver(event)
        assert self.runtime is not None
        self.runtime.flush()
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        deadline = client.get_timer()
        if deadline is not None and self._loop is not None:
            self._timer = self._loop.call_at(deadline / 1000.0, self._on_timer)
        if reboot:
            for handler in self._reboot_handlers:
                handler()

    def _deliver(self, event: object) -> None:
        log.debug("event %r", event)
        if self.runtime is not None:
            ssid = getattr(event, "ssid", None)
            port = None
            if ssid is not None and self.client is not None and ssid in self.client.sessions:
                link = self._links.get(self.client.sessions[ssid].address)
                port = link.port if link is not None else None
            self.runtime.event(event, int(time.time()), port)
        for queue in self._subscribers:
            queue.put_nowait(event)
        if isinstance(event, (ev.StateChanged, ev.Deregistered, ev.Registered)):
            waiters, self._state_waiters = self._state_waiters, []
            for fut in waiters:
                if not fut.done():
                    fut.set_result(0)

    def _link(self, address: "Address") -> _Link:
        link = self._links.get(address)
        if link is None:
            link = self._links[address] = _Link()
        if link.transport is None and link.opening is None and self._loop is not None:
            link.opening = self._loop.create_task(self._open(address, link))
        return link

    def _send(self, address: "Address", data: bytes) -> None:
        link = self._link(address)
        if link.transport is None:
            if len(link.pending) < 64:  # CoAP retransmits; old copies are not missed
                link.pending.append(data)
            return
        try:
            link.transport.sendto(data)
        except OSError as exc:
            self._network_error(address, link, str(exc))

    async def _open(self, address: "Address", link: _Link) -> None:
        loop = asyncio.get_running_loop()
        backoff = self._bearer_backoff()
        while True:
            try:
                infos = await loop.getaddrinfo(address[0], address[1], type=socket.SOCK_DGRAM)
                family, _type, _proto, _name, sockaddr = infos[0]
                remote = (str(sockaddr[0]), int(sockaddr[1]))
                bind_port = self._wanted_port(address)
                local = ("::" if family == socket.AF_INET6 else "0.0.0.0", bind_port)
                try:
                    transport, _ = await loop.create_datagram_endpoint(
                        lambda: _Protocol(self, address), local_addr=local, remote_addr=remote)
                except OSError:
                    if not bind_port:
                        raise
                    # The port of the resumed registration is taken: any port, and an
                    # Update tells the server where we are now (Core §6.2.2).
                    transport, _ = await loop.create_datagram_endpoint(
                        lambda: _Protocol(self, address), local_addr=(local[0], 0),
                        remote_addr=remote)
                    self._update_soon()
                break
            except OSError as exc:
                link.failures += 1
                if backoff.exhausted(link.failures):
                    self._report(NetworkError(address, str(exc), None))
                    log.error("network: %s:%d: %s; giving up after %d attempts", address[0],
                              address[1], exc, link.failures)
                    link.opening = None
                    return
                delay = backoff.delay_ms(link.failures)
                self._report(NetworkError(address, str(exc), delay))
                log.warning("network: %s:%d: %s; retrying in %d s", address[0], address[1],
                            exc, delay // 1000)
                await asyncio.sleep(delay / 1000.0)
        link.transport = transport
        link.port = transport.get_extra_info("sockname")[1]
        link.opening = None
        link.failures = 0
        pending, link.pending = link.pending, []
        for data in pending:
            self._send(address, data)

    def _wanted_port(self, address: "Address") -> int:
        if self.runtime is None or self.client is None:
            return 0
        for ssid, port in self.runtime.local_ports.items():
            session = self.client.sessions.get(ssid)
            if session is not None and session.address == address:
                return port
        return 0

    def _update_soon(self) -> None:
        client = self.client
        if client is not None and self._loop is not None:
            def update() -> None:
                client.update_registration(self.now_ms())
                self._after()

            self._loop.call_soon(update)

    def _network_error(self, address: "Address", link: _Link, reason: str) -> None:
        if link.transport is not None:
            link.transport.close()
            link.transport = None
        link.failures += 1
        backoff = self._bearer_backoff()
        if backoff.exhausted(link.failures):
            self._report(NetworkError(address, reason, None))
            return
        delay = backoff.delay_ms(link.failures)
        self._report(NetworkError(address, reason, delay))
        if self._loop is not None and link.opening is None:
            async def later() -> None:
                await asyncio.sleep(delay / 1000.0)
                link.opening = None
                await self._open(address, link)

            link.opening = self._loop.create_task(later())

    def _report(self, event: NetworkError) -> None:
        for queue in self._subscribers:
            queue.put_nowait(event)
        waiters, self._state_waiters = self._state_waiters, []
        for fut in waiters:
            if not fut.done():
                fut.set_result(0)

    def _bearer_backoff(self) -> "Any":
        from lwm2m.config.settings import ClientSettings

        settings = self._settings if self._settings is not None else (
            self.config.settings if self.config is not None else ClientSettings())
        return settings.bearer_backoff()
