"""The MicroPython host of ``lwm2m.Client``: MicroPython's ``asyncio`` and ``socket``.

::

    import asyncio
    from lwm2m.clientconfig import ClientConfig, ServerAccount
    from lwm2m.mpy import MpyClient

    async def main():
        c = MpyClient(ClientConfig(endpoint="board-1",
                                   servers=[ServerAccount("coap://192.0.2.1:5683")]))
        await c.start()
        await c.wait_ready()
        c.set_value("/3/0/9", 80)
        ...
        await c.close()          # De-register, close the sockets

    asyncio.run(main())

One UDP socket per server session, connected to the server (so ``recv`` needs no
address and the server's own requests arrive on the same local port); a reader task per
socket waits on it through ``asyncio.StreamReader`` (MicroPython's poller), one timer
task sleeps until ``get_timer()``. The clock is ``time.ticks_ms`` unwrapped into a
growing count. Name or socket errors wait out the ``lwm2m_cfg`` bearer back-off.
Persistence (``lwm2m.runtime``) works as on CPython; a board has no ``getsockname``, so
a resumed registration sends an Update to tell the server our new port.
It also runs on CPython (for tests of its logic), where ``ticks_ms`` and the
MicroPython-only asyncio helpers are replaced by their CPython equivalents.
"""

import asyncio
import errno
import os
import socket
import time

from lwm2m import events as ev
from lwm2m.clientconfig import ClientConfig, build_client
from lwm2m.persist import Persistence
from lwm2m.runtime import ClientRuntime, NetworkError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any

    from lwm2m.client import Client

_ticks_ms = getattr(time, "ticks_ms", None)
_ticks_diff = getattr(time, "ticks_diff", None)
MAX_DATAGRAM = 1500
# MicroPython has no builtin TimeoutError; its asyncio has its own.
_TIMEOUT = asyncio.TimeoutError


async def _sleep_ms(ms: int) -> None:
    sleep_ms = getattr(asyncio, "sleep_ms", None)
    if sleep_ms is not None:
        await sleep_ms(ms)
    else:
        await asyncio.sleep(ms / 1000)


def datagram_receiver(sock: "Any") -> "Callable[[int], Any]":
    """``await receive(n)``: the next datagram on the non-blocking UDP ``sock``, alone."""
    if not hasattr(asyncio, "sleep_ms"):  # CPython
        loop = asyncio.get_running_loop()

        async def cpython_receive(n: int) -> bytes:
            return await loop.sock_recv(sock, n)

        return cpython_receive
    # MicroPython: Stream.read(n) keeps reading a non-blocking socket until it has n
    # bytes or meets EAGAIN, so datagrams queued together (an ACK and the request after
    # it) come out glued into one. read(0) only waits until the socket is readable;
    # recv then takes exactly one datagram.
    stream = asyncio.StreamReader(sock)

    async def mpy_receive(n: int) -> bytes:
        while True:
            await stream.read(0)
            try:
                return sock.recv(n)  # type: ignore[no-any-return]
            except OSError as exc:  # EAGAIN: a spurious wake-up, wait again
                if exc.args[0] != errno.EAGAIN:
                    raise

    return mpy_receive


class MpyClient:
    """An LwM2M client on MicroPython's asyncio (see the module docstring). ``config``
    is a ``ClientConfig`` or a ready ``Client``; ``rng`` a CSPRNG (``os.urandom``)."""

    def __init__(self, config: "ClientConfig | Client",
                 rng: "Callable[[int], bytes]" = os.urandom,
                 persist: "str | None" = None, settings: "Any" = None) -> None:
        self.rng = rng
        self.config = config if isinstance(config, ClientConfig) else None
        self.client: "Any" = None if isinstance(config, ClientConfig) else config
        self._persist_dir = persist
        self._settings = settings
        self.runtime: "ClientRuntime | None" = None
        self._socks: "dict[Any, Any]" = {}  # server address -> socket
        self._tasks: "list[Any]" = []
        self._wake = asyncio.Event()
        self._changed = asyncio.Event()
        self._last_tick = 0
        self._now = 0
        self._failures = 0
        self._closed = False
        self._reboot_handlers: "list[Callable[[], Any]]" = []
        self.events: "list[object]" = []  # every client event, for the application to read

    # -- the clock --------------------------------------------------------------------

    def now_ms(self) -> int:
        """Milliseconds from a monotonic clock that never wraps."""
        if _ticks_ms is None or _ticks_diff is None:
            return int(time.monotonic() * 1000)
        tick = _ticks_ms()
        self._now += _ticks_diff(tick, self._last_tick)
        self._last_tick = tick
        return self._now

    # -- lifecycle --------------------------------------------------------------------

    def build(self) -> "Client":
        if self.client is None:
            assert self.config is not None
            self.config.load()
            self.client = build_client(self.config, self.rng)
        return self.client  # type: ignore[no-any-return]

    def _settings_in_use(self) -> "Any":
        if self._settings is not None:
            return self._settings
        if self.config is not None:
            return self.config.settings
        from lwm2m.config.settings import ClientSettings

        return ClientSettings()

    async def start(self) -> None:
        """Restore persisted state, open the sockets, start registering."""
        client = self.build()
        if _ticks_ms is not None:
            self._last_tick = _ticks_ms()
        directory = self._persist_dir or (self.config.persist if self.config else None)
        settings = self._settings_in_use()
        self.runtime = ClientRuntime(client, Persistence(directory) if directory else None,
                                     bool(settings.persist_registration))
        self.runtime.start(self.now_ms(), int(time.time()))
        for ssid in self.runtime.resumed:
            # Our local port is new and unknown here: tell the server (Core §6.2.2).
            client.update_registration(self.now_ms(), ssid)
        self._tasks.append(asyncio.create_task(self._timer_task()))
        self._after()

    async def close(self, deregister: bool = True, timeout_ms: int = 5000) -> None:
        """De-register (unless told not to), then close the sockets and tasks."""
        if self._closed:
            return
        client = self.client
        if deregister and client is not None and any(
                s.machine.state != 0 for s in client.sessions.values()):  # not IDLE
            client.deregister(self.now_ms())
            self._after()
            waited = 0
            while waited < timeout_ms and any(
                    s.machine.state == 4 for s in client.sessions.values()):  # DEREGISTERING
                await _sleep_ms(20)
                waited += 20
            if self.runtime is not None:
                self.runtime.forget_registrations()
        if self.runtime is not None:
            self.runtime.flush()
        self._closed = True
        self._wake.set()
        for task in self._tasks:
            task.cancel()
        for sock in self._socks.values():
            sock.close()
        self._socks.clear()

    # -- the application's API ----------------------------------------------------------

    @property
    def state(self) -> int:
        return self.build().state

    async def wait_state(self, state: int, timeout_ms: int = 60000) -> bool:
        """Wait until the client is in ``state``; False on timeout or final failure."""
        waited = 0
        while self.state != state:
            if self.state in (ev.STATE_REGISTRATION_FAILED, ev.STATE_BOOTSTRAP_FAILED):
                return False
            if waited >= timeout_ms:
                return False
            await _sleep_ms(10)
            waited += 10
        return True

    async def wait_ready(self, timeout_ms: int = 60000) -> bool:
        return await self.wait_state(ev.STATE_READY, timeout_ms)

    def set_value(self, path: "Any", value: "Any") -> None:
        self.build().set_value(path, value)
        self._after()

    def on_reboot(self, handler: "Callable[[], Any]") -> None:
        """Call ``handler()`` once a server's Reboot (/3/0/4) has been answered."""
        self._reboot_handlers.append(handler)

    # -- plumbing -------------------------------------------------------------------

    def _after(self) -> None:
        client = self.client
        if client is None or self._closed:
            return
        for session in client.sessions.values():
            if session.address not in self._socks:
                self._open(session.address)
        for address, data in client.datagrams_to_send():
            sock = self._socks.get(address) or self._open(address)
            if sock is None:
                continue  # the bearer back-off runs; CoAP retransmits later
            try:
                sock.send(data)
            except OSError as exc:
                self._network_error(address, exc)
        reboot = False
        while True:
            event = client.next_event()
            if event is None:
                break
            if isinstance(event, ev.RebootRequested):
                reboot = True
            if self.runtime is not None:
                self.runtime.event(event, int(time.time()))
            self.events.append(event)
            if len(self.events) > 32:
                self.events.pop(0)
        if self.runtime is not None:
            self.runtime.flush()
        self._wake.set()  # the timer task re-reads the deadline
        if reboot:
            for handler in self._reboot_handlers:
                handler()

    def _open(self, address: "Any") -> "Any":
        if self._gave_up or (self._failures and self._retry_at is not None
                             and self.now_ms() < self._retry_at):
            return None
        try:
            infos = socket.getaddrinfo(address[0], address[1], 0, socket.SOCK_DGRAM)
            info = [i for i in infos if i[1] == socket.SOCK_DGRAM] or infos
            family, sockaddr = info[0][0], info[0][-1]
            sock = socket.socket(family, socket.SOCK_DGRAM)
            sock.connect(sockaddr)
            sock.setblocking(False)
        except OSError as exc:
            self._network_error(address, exc)
            return None
        self._failures = 0
        self._socks[address] = sock
        self._tasks.append(asyncio.create_task(self._reader(address, sock)))
        return sock

    _retry_at: "int | None" = None
    _gave_up = False

    def _network_error(self, address: "Any", exc: Exception) -> None:
        sock = self._socks.pop(address, None)
        if sock is not None:
            sock.close()
        self._failures += 1
        backoff = self._settings_in_use().bearer_backoff()
        if backoff.exhausted(self._failures):
            # MAX_NO_RETRIES reached: the application decides (reboot, report, ...).
            self._retry_at = None
            self._gave_up = True
            self.events.append(NetworkError(address, str(exc), None))
            return
        delay = backoff.delay_ms(self._failures)
        self._retry_at = self.now_ms() + delay
        self.events.append(NetworkError(address, str(exc), delay))

    async def _reader(self, address: "Any", sock: "Any") -> None:
        receive = datagram_receiver(sock)
        while not self._closed:
            try:
                data = await receive(MAX_DATAGRAM)
            except OSError:
                # ECONNREFUSED from an ICMP unreachable: the server is not there yet.
                await _sleep_ms(50)
                continue
            if not data or self._closed:
                continue
            self.client.receive_datagram(bytes(data), address, self.now_ms())
            self._after()

    async def _timer_task(self) -> None:
        wait_for_ms = getattr(asyncio, "wait_for_ms", None)
        while not self._closed:
            self._wake.clear()
            deadline = self.client.get_timer()
            if self._failures and self._retry_at is not None:
                deadline = self._retry_at if deadline is None else min(deadline, self._retry_at)
            now = self.now_ms()
            if deadline is not None and deadline <= now:
                self.client.handle_timer(now)
                self._after()
                continue
            try:
                if deadline is None:
                    await self._wake.wait()
                elif wait_for_ms is not None:
                    await wait_for_ms(self._wake.wait(), deadline - now)
                else:
                    await asyncio.wait_for(self._wake.wait(), (deadline - now) / 1000)
            except _TIMEOUT:
                pass
