"""The asyncio server on a background thread with blocking calls, for synchronous tests
(the ``lwm2m_server`` pytest fixture) and scripts that have no event loop of their own.

Every method blocks until its answer or its timeout; the server itself runs on its own
loop in a daemon thread, on real sockets.
"""

import asyncio
import threading

from lwm2m.server import events as ev
from lwm2m.server.aio.server import LwM2MServer, Observation

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable, Coroutine, Iterable
    from typing import Any

    from lwm2m.server.store import Registration


class SyncObservation:
    """An observation seen from a thread: ``next(timeout)`` gives the next item (the
    first response, then notifications); ``cancel()`` ends it."""

    def __init__(self, owner: "ThreadedServer", observation: Observation) -> None:
        self.owner = owner
        self.observation = observation

    @property
    def operation(self) -> "Any":
        return self.observation.operation

    def next(self, timeout: float = 10.0) -> "Any":
        async def get() -> "Any":
            return await asyncio.wait_for(self.observation.__anext__(), timeout)

        return self.owner.call(get(), timeout + 1)

    def cancel(self, active: bool = True, timeout: float = 10.0) -> None:
        self.owner.call(self.observation.cancel(active), timeout)


class ThreadedServer:
    """An :class:`LwM2MServer` on a daemon thread. ``start()`` opens the sockets (by
    default on free loopback ports), ``stop()`` closes them. Keyword arguments go to
    LwM2MServer; ``timeout`` bounds each blocking call."""

    def __init__(self, timeout: float = 10.0, **options: "Any") -> None:
        options.setdefault("coap", ("127.0.0.1", 0))
        options.setdefault("timeout_s", timeout)
        self.options = options
        self.timeout = timeout
        self.aio: "LwM2MServer | None" = None
        self.loop: "asyncio.AbstractEventLoop | None" = None
        self.history: "list[Any]" = []
        self._cond = threading.Condition()
        self._thread: "threading.Thread | None" = None
        self._error: "BaseException | None" = None

    # -- lifecycle ----------------------------------------------------------------------

    def start(self) -> "ThreadedServer":
        ready = threading.Event()

        def run() -> None:
            loop = asyncio.new_event_loop()
            asyncio.set_event_loop(loop)
            self.loop = loop
            try:
                self.aio = LwM2MServer(**self.options)
                loop.run_until_complete(self.aio.start())
                collector = loop.create_task(self._collect(self.aio.events()))
            except BaseException as exc:  # reported to start()'s caller
                self._error = exc
                ready.set()
                loop.close()
                return
            ready.set()
            loop.run_forever()
            collector.cancel()
            loop.run_until_complete(self.aio.close())
            loop.run_until_complete(asyncio.sleep(0))
            loop.close()

        self._thread = threading.Thread(target=run, name="lwm2m-server", daemon=True)
        self._thread.start()
        if not ready.wait(self.timeout):
            raise TimeoutError("the LwM2M server did not start in %g s" % self.timeout)
        if self._error is not None:
            raise self._error
        return self

    def stop(self) -> None:
        if self.loop is not None and self._thread is not None and self._thread.is_alive():
            self.loop.call_soon_threadsafe(self.loop.stop)
            self._thread.join(self.timeout)

    def __enter__(self) -> "ThreadedServer":
        return self.start()

    def __exit__(self, *exc: "Any") -> None:
        self.stop()

    async def _collect(self, stream: "Any") -> None:
        async for event in stream:
            with self._cond:
                self.history.append(event)
                self._cond.notify_all()

    # -- addresses -------------------------------------------------------------------------

    @property
    def server(self) -> "Any":
        """The sans-IO :class:`lwm2m.server.Server` (read it, do not drive it)."""
        assert self.aio is not None
        return self.aio.server

    @property
    def coap_address(self) -> "tuple[str, int]":
        assert self.aio is not None and self.aio.coap_address is not None
        return self.aio.coap_address

    @property
    def coap_uri(self) -> str:
        """``coap://127.0.0.1:PORT`` for the device under test."""
        return "coap://%s:%d" % self.coap_address

    @property
    def coaps_address(self) -> "tuple[str, int]":
        assert self.aio is not None and self.aio.coaps_address is not None
        return self.aio.coaps_address

    @property
    def coaps_uri(self) -> str:
        return "coaps://%s:%d" % self.coaps_address

    # -- blocking calls --------------------------------------------------------------------

    def call(self, coro: "Coroutine[Any, Any, Any]", timeout: "float | None" = None) -> "Any":
        """Run a coroutine on the server's loop and wait for its result."""
        assert self.loop is not None
        future = asyncio.run_coroutine_threadsafe(coro, self.loop)
        return future.result(self.timeout + 1 if timeout is None else timeout)

    def _on_loop(self, fn: "Callable[[], Any]") -> "Any":
        async def run() -> "Any":
            return fn()

        return self.call(run())

    def add_psk(self, endpoint: str, identity: "bytes | str", key: bytes) -> None:
        """Give ``endpoint`` a PSK credential (the coaps listener must be on)."""
        self._on_loop(lambda: self.server.psk.add(endpoint, identity, key))

    def wait_for(self, check: "Callable[[Any], bool]", timeout: "float | None" = None,
                 since: int = 0) -> "Any":
        """The first event in the history (from index ``since``) with ``check(event)``."""
        limit = self.timeout if timeout is None else timeout
        with self._cond:
            found = self._cond.wait_for(
                lambda: next((e for e in self.history[since:] if check(e)), None), limit)
        if found is None:
            raise TimeoutError("no matching server event in %g s" % limit)
        return found

    def wait_registered(self, endpoint: str, timeout: "float | None" = None) -> "Registration":
        """The registration of ``endpoint``, waiting for it."""
        reg = self._on_loop(lambda: self.server.registration(endpoint))
        if reg is not None:
            return reg  # type: ignore[no-any-return]
        event = self.wait_for(lambda e: isinstance(e, ev.ClientRegistered)
                              and e.registration.endpoint == endpoint, timeout)
        return event.registration  # type: ignore[no-any-return]

    def _aio(self) -> LwM2MServer:
        assert self.aio is not None
        return self.aio

    def read(self, endpoint: str, path: str, fmt: "Any" = None) -> "Any":
        return self.call(self._aio().read(endpoint, path, fmt))

    def discover(self, endpoint: str, path: str) -> "Any":
        return self.call(self._aio().discover(endpoint, path))

    def write(self, endpoint: str, path: str, value: "Any", fmt: "Any" = None,
              replace: bool = True) -> "Any":
        return self.call(self._aio().write(endpoint, path, value, fmt, replace))

    def write_attributes(self, endpoint: str, path: str, **attributes: "Any") -> "Any":
        return self.call(self._aio().write_attributes(endpoint, path, attributes))

    def execute(self, endpoint: str, path: str, arguments: "bytes | str" = b"") -> "Any":
        return self.call(self._aio().execute(endpoint, path, arguments))

    def create(self, endpoint: str, path: str, value: "Any" = None, fmt: "Any" = None) -> "Any":
        return self.call(self._aio().create(endpoint, path, value, fmt))

    def delete(self, endpoint: str, path: str) -> "Any":
        return self.call(self._aio().delete(endpoint, path))

    def read_composite(self, endpoint: str, paths: "Iterable[str]",
                       fmt: "Any" = "senml-cbor") -> "Any":
        return self.call(self._aio().read_composite(endpoint, list(paths), fmt))

    def write_composite(self, endpoint: str, records: "Iterable[tuple[str, Any]]",
                        fmt: "Any" = "senml-cbor") -> "Any":
        return self.call(self._aio().write_composite(endpoint, list(records), fmt))

    def observe(self, endpoint: str, path: "str | Iterable[str]",
                fmt: "Any" = None) -> SyncObservation:
        observation = self._on_loop(lambda: self._aio().observe(endpoint, path, fmt))
        return SyncObservation(self, observation)
