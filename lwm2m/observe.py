"""Information reporting: the observations each server holds, and their schedules.

Theory of operation
-------------------
OMA LwM2M 1.1.1 Core §6.4 (Information Reporting interface) and Transport §6.5 (its
CoAP mapping, RFC 7641). A server observes with GET + Observe 0 on an object, an
instance, a resource or a resource instance, or with FETCH + Observe 0 on a list of
paths (Observe-Composite); it cancels with a RST to a notification or with the same
request carrying Observe 1. The CoAP endpoint (``coap.Endpoint``) owns the observe
mechanics (tokens, sequence numbers, CON every N, RST handling); this module owns the
LwM2M meaning: which paths an observation covers, the attributes that time it
(``lwm2m.notify.NotifyTimer`` fed with ``AttributeStore.effective``), and which object
changes concern it.

An :class:`Observation` keeps the request that created it (re-run through the
device-management dispatcher to build each notification, so access control and the
content format stay those of the first answer), the CoAP observation handle, and its
timer. The registry answers "which observations does a change at this path concern"
(a change beneath an observed path, or at a path above it: an instance created or
deleted under an observed object) and the earliest deadline of them all.

Attributes of a composite observation (Core §6.4.3 leaves them to the paths it lists):
the smallest pmax and the largest pmin among its paths are in force, so each path is
reported at least as often as its own pmax asks and never more often than any pmin
allows; gt / lt / st do not apply (a composite has no single value).
"""

from lwm2m.notify import NotifyTimer

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from lwm2m.attributes import AttributeStore
    from lwm2m.dm import DmRequest
    from objects.path import Path


class Observation:
    """One LwM2M observation of server ``ssid`` (``handle``: the CoAP observation)."""

    __slots__ = ("composite", "handle", "paths", "request", "ssid", "timer", "value")

    def __init__(self, ssid: int, request: "DmRequest", paths: "list[Path]", composite: bool,
                 handle: "Any", timer: NotifyTimer, value: "Any" = None) -> None:
        self.ssid = ssid
        self.request = request
        self.paths = paths
        self.composite = composite
        self.handle = handle
        self.timer = timer
        # (now_ms, DmResponse): the last read of an aggregate, reused by a notification
        # built in the same millisecond (no change can have come between).
        self.value = value

    @property
    def token(self) -> bytes:
        return bytes(self.handle.token)

    def concerns(self, path: "Path") -> bool:
        """A change at ``path`` may change what this observation reports."""
        for observed in self.paths:
            n = min(len(observed), len(path))
            if observed[:n] == path[:n]:
                return True
        return False

    def __repr__(self) -> str:
        return "<Observation %d %s%s>" % (
            self.ssid, ",".join(["/" + "/".join([str(i) for i in p]) for p in self.paths]),
            " composite" if self.composite else "")


def observation_attributes(store: "AttributeStore", ssid: int, paths: "list[Path]",
                           composite: bool, default_pmin: "int | None",
                           default_pmax: "int | None") -> "dict[str, Any]":
    """The attributes in force for an observation (see the module docstring)."""
    if not composite:
        return store.effective(ssid, paths[0], default_pmin, default_pmax)
    pmin = None
    pmax = None
    for path in paths:
        found = store.effective(ssid, path, default_pmin, default_pmax)
        p = found.get("pmin")
        if p is not None and (pmin is None or p > pmin):
            pmin = p
        p = found.get("pmax")
        if p and (pmax is None or p < pmax):
            pmax = p
    out: "dict[str, Any]" = {}
    if pmin is not None:
        out["pmin"] = pmin
    if pmax is not None:
        out["pmax"] = pmax
    return out


class ObservationRegistry:
    """Every live observation, in the order they were made."""

    __slots__ = ("_items",)

    def __init__(self) -> None:
        self._items: "list[Observation]" = []

    def add(self, observation: Observation) -> None:
        """Add ``observation``; one with the same server and token is replaced
        (RFC 7641 §4.1: a new registration with the same token replaces the old one)."""
        self._items = [o for o in self._items
                       if not (o.ssid == observation.ssid and o.token == observation.token)]
        self._items.append(observation)

    def remove(self, observation: Observation) -> None:
        if observation in self._items:
            self._items.remove(observation)

    def find_handle(self, handle: "Any") -> "Observation | None":
        for o in self._items:
            if o.handle is handle:
                return o
        return None

    def find_token(self, ssid: int, token: bytes) -> "Observation | None":
        for o in self._items:
            if o.ssid == ssid and o.token == token:
                return o
        return None

    def of_server(self, ssid: int) -> "list[Observation]":
        return [o for o in self._items if o.ssid == ssid]

    def drop_server(self, ssid: int) -> "list[Observation]":
        """Forget every observation of ``ssid``; returns them."""
        gone = self.of_server(ssid)
        self._items = [o for o in self._items if o.ssid != ssid]
        return gone

    def concerned(self, path: "Path") -> "list[Observation]":
        return [o for o in self._items if o.concerns(path)]

    def all(self) -> "list[Observation]":
        return list(self._items)

    def get_timer(self) -> "int | None":
        deadline = None
        for o in self._items:
            t = o.timer.get_timer()
            if t is not None and (deadline is None or t < deadline):
                deadline = t
        return deadline

    def __len__(self) -> int:
        return len(self._items)


# Events the Client reports.


class ObservationStarted:
    """Server ``ssid`` observes ``paths`` (``token``: the CoAP token, ``+QLWOBSERVE``)."""

    __slots__ = ("composite", "paths", "ssid", "token")

    def __init__(self, ssid: int, paths: "list[Path]", token: bytes, composite: bool) -> None:
        self.ssid = ssid
        self.paths = paths
        self.token = token
        self.composite = composite

    def __repr__(self) -> str:
        return "ObservationStarted(%d, %r, %s)" % (self.ssid, self.paths, self.token.hex())


class ObservationStopped:
    """An observation ended: ``reason`` is ``reset`` (RST), ``deregistered`` (Observe 1),
    ``error`` (a notification answered 4.xx, e.g. the instance is gone), ``timeout``
    (unacknowledged and not stored) or ``server`` (the registration ended)."""

    __slots__ = ("paths", "reason", "ssid", "token")

    def __init__(self, ssid: int, paths: "list[Path]", token: bytes, reason: str) -> None:
        self.ssid = ssid
        self.paths = paths
        self.token = token
        self.reason = reason

    def __repr__(self) -> str:
        return "ObservationStopped(%d, %r, %r)" % (self.ssid, self.paths, self.reason)


class NotificationSent:
    """A notification of ``paths`` went to ``ssid`` (``stored``: it waited while the
    server was unreachable or the client slept)."""

    __slots__ = ("paths", "ssid", "stored")

    def __init__(self, ssid: int, paths: "list[Path]", stored: bool) -> None:
        self.ssid = ssid
        self.paths = paths
        self.stored = stored

    def __repr__(self) -> str:
        return "NotificationSent(%d, %r%s)" % (self.ssid, self.paths,
                                               ", stored" if self.stored else "")
