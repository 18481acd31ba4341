"""The server's registrations: who is registered, where to reach them, until when.

Theory of operation
-------------------
OMA LwM2M 1.1.1 Core §6.2: a Register creates a registration that lives for its
lifetime (``lt`` seconds) from the last Register or Update; the server answers with a
location (``/rd/<id>``) that later Updates and the De-register name. This module keeps
those registrations and nothing else: no bytes, no clock. The server passes ``now_ms``
in, and asks :meth:`RegistrationStore.expire` which registrations ran out.

- A second Register of an endpoint replaces the first (Core §6.2.1: the server
  removes the old registration); the caller gets the replaced one back to report it.
- Locations are short random hex strings from the injected ``rng`` so they cannot be
  guessed from a neighbour's, and are never reused while the old one is live.
- Expiry deadlines sit in a heap with lazy deletion, so the next deadline is cheap
  with tens of thousands of registrations.
- Queue mode (Core §6.5): a client in queue mode is reachable only for a while after it
  spoke (``awake_ms``, default the CoAP MAX_TRANSMIT_WAIT of 93 s, Transport §6.4.1);
  :meth:`Registration.is_awake` says whether requests may go out now.
"""

import heapq

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable, Iterator
    from typing import Any

    from lwm2m.server.params import Parameters

# RFC 7252 §4.8.2: MAX_TRANSMIT_WAIT with the default transmission parameters.
MAX_TRANSMIT_WAIT_MS = 93000
LOCATION_PREFIX = "rd"


class Registration:
    """One registered client as the server sees it.

    ``links`` is the object list the client sent (whatever the caller parsed it into),
    ``root`` the alternate root path of its objects (``"/"`` when it has none),
    ``address`` where its last Register / Update came from, ``listener`` which of the
    server's sockets, ``identity`` its authenticated PSK identity (None on plain CoAP).
    """

    __slots__ = (
        "address",
        "awake_until_ms",
        "binding",
        "endpoint",
        "expires_ms",
        "extra",
        "identity",
        "lifetime_s",
        "links",
        "listener",
        "location",
        "queue",
        "registered_ms",
        "root",
        "sms",
        "updated_ms",
        "version",
    )

    def __init__(
        self,
        location: str,
        params: "Parameters",
        links: "list[Any]",
        address: "Any",
        now_ms: int,
        listener: str = "coap",
        identity: "str | None" = None,
        root: str = "/",
    ) -> None:
        self.location = location
        self.endpoint: str = params.endpoint or ""
        self.lifetime_s: int = params.lifetime_s or 0
        self.version: str = params.version or ""
        self.binding: str = params.binding or ""
        self.queue = params.queue
        self.sms = params.sms
        self.extra = list(params.extra)
        self.links = links
        self.root = root
        self.address = address
        self.listener = listener
        self.identity = identity
        self.registered_ms = now_ms
        self.updated_ms = now_ms
        self.expires_ms = now_ms + self.lifetime_s * 1000
        self.awake_until_ms = now_ms

    @property
    def path(self) -> str:
        """The location as a path: ``/rd/<id>``."""
        return "/%s/%s" % (LOCATION_PREFIX, self.location)

    def is_awake(self, now_ms: int) -> bool:
        """May a request go to this client now? Always, unless it is in queue mode."""
        return not self.queue or now_ms < self.awake_until_ms

    def object_paths(self) -> "list[tuple[int, ...]]":
        """The LwM2M paths of the object list (links that carry a ``path``)."""
        out = []
        for link in self.links:
            path = getattr(link, "path", None)
            if path:
                out.append(path)
        return out

    def __repr__(self) -> str:
        return "<Registration %s ep=%r lt=%d b=%s lwm2m=%s%s>" % (
            self.path, self.endpoint, self.lifetime_s, self.binding, self.version,
            " queue" if self.queue else "",
        )


class RegistrationStore:
    """All registrations of one server, by location and by endpoint name."""

    __slots__ = ("_by_endpoint", "_by_location", "_heap", "awake_ms", "grace_ms", "rng")

    def __init__(
        self,
        rng: "Callable[[int], bytes]",
        grace_ms: int = 0,
        awake_ms: int = MAX_TRANSMIT_WAIT_MS,
    ) -> None:
        self.rng = rng
        self.grace_ms = grace_ms
        self.awake_ms = awake_ms
        self._by_location: "dict[str, Registration]" = {}
        self._by_endpoint: "dict[str, Registration]" = {}
        self._heap: "list[tuple[int, str]]" = []

    def __len__(self) -> int:
        return len(self._by_location)

    def __iter__(self) -> "Iterator[Registration]":
        return iter(list(self._by_location.values()))

    def get(self, location: str) -> "Registration | None":
        return self._by_location.get(location)

    def by_endpoint(self, endpoint: str) -> "Registration | None":
        return self._by_endpoint.get(endpoint)

    def _new_location(self) -> str:
        while True:
            location = self.rng(4).hex()
            if location not in self._by_location:
                return location

    def _schedule(self, reg: Registration) -> None:
        heapq.heappush(self._heap, (reg.expires_ms + self.grace_ms, reg.location))

    def register(
        self,
        params: "Parameters",
        links: "list[Any]",
        address: "Any",
        now_ms: int,
        listener: str = "coap",
        identity: "str | None" = None,
        root: str = "/",
    ) -> "tuple[Registration, Registration | None]":
        """Add a registration; returns it and the one it replaced (same endpoint) or None."""
        if not params.endpoint:
            raise ValueError("a registration needs an endpoint name")
        replaced = self._by_endpoint.get(params.endpoint)
        if replaced is not None:
            self._remove(replaced)
        reg = Registration(
            self._new_location(), params, links, address, now_ms, listener, identity, root
        )
        reg.awake_until_ms = now_ms + self.awake_ms
        self._by_location[reg.location] = reg
        self._by_endpoint[reg.endpoint] = reg
        self._schedule(reg)
        return reg, replaced

    def update(
        self,
        location: str,
        params: "Parameters",
        links: "list[Any] | None",
        address: "Any",
        now_ms: int,
        root: "str | None" = None,
    ) -> "Registration | None":
        """Apply an Update (Core §6.2.2); None when ``location`` is unknown (4.04)."""
        reg = self._by_location.get(location)
        if reg is None:
            return None
        if params.lifetime_s is not None:
            reg.lifetime_s = params.lifetime_s
        if params.binding is not None:
            reg.binding = params.binding
            # LwM2M 1.0: queue mode lives in the binding; 1.1 clients send Q in Register.
            if reg.version == "1.0":
                reg.queue = "Q" in params.binding
        if params.queue:
            reg.queue = True
        if params.sms is not None:
            reg.sms = params.sms
        if params.extra:
            reg.extra = list(params.extra)
        if links is not None:
            reg.links = links
            if root is not None:
                reg.root = root
        reg.address = address
        reg.updated_ms = now_ms
        reg.expires_ms = now_ms + reg.lifetime_s * 1000
        reg.awake_until_ms = now_ms + self.awake_ms
        self._schedule(reg)
        return reg

    def touch(self, reg: Registration, now_ms: int) -> None:
        """The client spoke (a response, a notification): a queue-mode client is awake."""
        reg.awake_until_ms = max(reg.awake_until_ms, now_ms + self.awake_ms)

    def deregister(self, location: str) -> "Registration | None":
        """Remove a registration (Core §6.2.3); None when ``location`` is unknown."""
        reg = self._by_location.get(location)
        if reg is not None:
            self._remove(reg)
        return reg

    def _remove(self, reg: Registration) -> None:
        del self._by_location[reg.location]
        if self._by_endpoint.get(reg.endpoint) is reg:
            del self._by_endpoint[reg.endpoint]

    def next_expiry_ms(self) -> "int | None":
        """When the next registration runs out (lifetime plus grace), or None."""
        heap = self._heap
        while heap:
            deadline, location = heap[0]
            reg = self._by_location.get(location)
            if reg is not None and reg.expires_ms + self.grace_ms == deadline:
                return deadline
            heapq.heappop(heap)  # stale: updated, replaced or removed since
        return None

    def expire(self, now_ms: int) -> "list[Registration]":
        """Remove and return every registration whose lifetime ran out by ``now_ms``."""
        gone: "list[Registration]" = []
        while True:
            deadline = self.next_expiry_ms()
            if deadline is None or deadline > now_ms:
                return gone
            _, location = heapq.heappop(self._heap)
            reg = self._by_location[location]
            self._remove(reg)
            gone.append(reg)
