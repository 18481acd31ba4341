"""pytest fixtures for testing LwM2M devices against the embedded server.

Registered through the ``pytest11`` entry point, so installing pylwm2m makes them
available; without installing, load it with ``pytest -p lwm2m.server.pytest_plugin``.

- ``lwm2m_server``: a server on real sockets, free loopback ports (``coap`` and
  ``coaps``), running on a background thread; blocking calls (``wait_registered``,
  ``read``, ``write``, ``execute``, ``observe``, ...). Point the device at
  ``lwm2m_server.coap_uri``; give PSKs with ``lwm2m_server.add_psk(ep, identity, key)``.
- ``lwm2m_server_factory``: ``factory(**options)`` starts more servers (for instance
  with ``bootstrap={...}`` for a bootstrap server); all are stopped after the test.
- ``lwm2m_stepped_server``: a sans-IO :class:`lwm2m.server.stepped.SteppedServer`: no
  sockets, a clock the test steps, deterministic randomness.
"""

import pytest

from lwm2m.server.stepped import SteppedServer

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable, Iterator
    from typing import Any

    from lwm2m.server.aio.threaded import ThreadedServer


@pytest.fixture
def lwm2m_server_factory() -> "Iterator[Callable[..., ThreadedServer]]":
    """Start servers on loopback with any LwM2MServer options; stopped at teardown."""
    from lwm2m.server.aio.threaded import ThreadedServer

    started: "list[ThreadedServer]" = []

    def factory(**options: "Any") -> ThreadedServer:
        options.setdefault("coap", ("127.0.0.1", 0))
        server = ThreadedServer(**options).start()
        started.append(server)
        return server

    yield factory
    for server in started:
        server.stop()


@pytest.fixture
def lwm2m_server(lwm2m_server_factory: "Callable[..., ThreadedServer]") -> "ThreadedServer":
    """An LwM2M server on free loopback ports: ``coap_uri`` and ``coaps_uri``."""
    return lwm2m_server_factory(coaps=("127.0.0.1", 0))


@pytest.fixture
def lwm2m_stepped_server() -> SteppedServer:
    """A sans-IO server on a stepped clock (starts at 0 ms), coap and coaps listeners."""
    return SteppedServer(listeners=("coap", "coaps"))
