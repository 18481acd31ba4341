"""Device-management requests towards a client, as CoAP messages (Transport §6.4).

OMA LwM2M 1.1.1 Transport Table 6.4-1 maps each operation to CoAP:

==================  ==========================================================
Read                GET path, Accept optional
Discover            GET path, Accept 40 (link format)
Write (replace)     PUT path, Content-Format, payload
Write (partial)     POST path (instance), Content-Format, payload
Write-Attributes    PUT path?pmin=..&pmax=.. (no payload)
Execute             POST path, optional text arguments (Core §5.4.5)
Create              POST object path, Content-Format, payload
Delete              DELETE path
Observe / cancel    GET path with Observe 0 / Observe 1 (RFC 7641 §3.6)
Read-Composite      FETCH / with a SenML list of names, Accept
Observe-Composite   FETCH / with Observe 0
Write-Composite     iPATCH / with SenML records
Bootstrap-*         Discover GET / (Accept 40), Read GET, Write PUT, Delete
                    DELETE, Finish POST /bs (Core §6.1)
==================  ==========================================================

Paths are prefixed with the client's alternate root path when it registered one.
An :class:`Operation` is the handle a command returns; its outcome arrives as an event
and is also kept on the handle (``response``, ``failure``, ``done``).
"""

from coap import codes
from coap.message import Message
from lwm2m.attributes import ORDER
from objects.path import format_path

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    Path = tuple[int, ...]

READ = "read"
DISCOVER = "discover"
WRITE = "write"
WRITE_ATTRIBUTES = "write-attributes"
EXECUTE = "execute"
CREATE = "create"
DELETE = "delete"
OBSERVE = "observe"
CANCEL_OBSERVE = "cancel-observe"
READ_COMPOSITE = "read-composite"
OBSERVE_COMPOSITE = "observe-composite"
WRITE_COMPOSITE = "write-composite"
BOOTSTRAP_DISCOVER = "bootstrap-discover"
BOOTSTRAP_READ = "bootstrap-read"
BOOTSTRAP_WRITE = "bootstrap-write"
BOOTSTRAP_DELETE = "bootstrap-delete"
BOOTSTRAP_FINISH = "bootstrap-finish"

OBSERVING = (OBSERVE, OBSERVE_COMPOSITE)


class Operation:
    """One request towards a client and its outcome.

    ``kind`` is one of the names above; ``endpoint`` the client; ``path`` the LwM2M path
    (``()`` for root / composite); ``paths`` the list for composite operations;
    ``message`` the CoAP request. ``response`` (a ResponseReceived) or ``failure`` (a
    reason) is set when it ends; ``done`` then becomes True. For observations the
    operation stays ``active`` until cancelled or ended, notifications arrive as events.
    """

    __slots__ = (
        "active",
        "done",
        "endpoint",
        "failure",
        "id",
        "kind",
        "message",
        "path",
        "paths",
        "response",
        "token",
        "transport",
    )

    def __init__(self, op_id: int, kind: str, endpoint: str, path: "Path", message: Message,
                 paths: "list[Path] | None" = None) -> None:
        self.id = op_id
        self.kind = kind
        self.endpoint = endpoint
        self.path = path
        self.paths = paths
        self.message = message
        self.response: "Any" = None
        self.failure: "str | None" = None
        self.done = False
        self.active = False
        self.token: "bytes | None" = None
        self.transport: "Any" = None  # the CoAP layer's request handle

    def __repr__(self) -> str:
        state = "done" if self.done else ("active" if self.active else "pending")
        return "<Operation #%d %s %s %s %s>" % (
            self.id, self.kind, self.endpoint, format_path(self.path), state)


def uri_path(root: str, path: "Path") -> "list[str]":
    """Uri-Path segments of ``path`` under the client's root (``"/"`` or ``"/lwm2m"``)."""
    segments = [s for s in root.split("/") if s]
    return segments + [str(i) for i in path]


def request(code: int, root: str, path: "Path", payload: bytes = b"",
            content_format: "int | None" = None, accept: "int | None" = None,
            query: "list[str] | None" = None, observe: "int | None" = None) -> Message:
    """A CON request with the options LwM2M needs (token and mid left to the CoAP layer)."""
    msg = Message(code=code, payload=payload)
    msg.uri_path = uri_path(root, path)
    if observe is not None:
        msg.observe = observe
    if content_format is not None:
        msg.content_format = content_format
    if query:
        msg.uri_query = query
    if accept is not None:
        msg.accept = accept
    return msg


def attribute_query(attributes: "dict[str, Any]") -> "list[str]":
    """Write-Attributes query items (Core §5.1.2): a value sets, None clears. They go
    in the order Core §5.1.2 lists them (then any others by name), so the request is the
    same whatever order the dict kept."""
    items = []
    names = [n for n in ORDER if n in attributes]
    names += sorted(n for n in attributes if n not in ORDER)
    for name in names:
        value = attributes[name]
        if value is None:
            items.append(name)
        elif isinstance(value, bool):
            raise ValueError("attribute %s takes a number, not a boolean" % name)
        elif isinstance(value, float):
            items.append("%s=%s" % (name, repr(value)))
        else:
            items.append("%s=%d" % (name, value))
    return items


def finish_message() -> Message:
    """Bootstrap-Finish: POST /bs (Core §6.1.7)."""
    msg = Message(code=codes.POST)
    msg.uri_path = ["bs"]
    return msg
