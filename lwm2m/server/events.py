"""Events of the LwM2M server (``Server.next_event()``): past tense, plain slots.

Registration interface (Core §6.2): :class:`ClientRegistered`, :class:`ClientUpdated`,
:class:`ClientDeregistered`, :class:`RegistrationExpired`. Device management and
information reporting (§6.3, §6.4): :class:`ResponseReceived`, :class:`RequestFailed`,
:class:`NotificationReceived`, :class:`ObservationEnded`, :class:`DataSent`. Bootstrap
(§6.1): :class:`BootstrapRequested`, :class:`BootstrapStepDone`,
:class:`BootstrapCompleted`, :class:`BootstrapFailed`. Remote faults that were answered
with an error code: :class:`RequestRejected`; DTLS handshakes that failed:
:class:`HandshakeFailed`.
"""

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from lwm2m.server.operation import Operation
    from lwm2m.server.store import Registration


class ServerEvent:
    """Base of the server's events; ``repr`` lists the slots."""

    __slots__ = ()

    def __repr__(self) -> str:
        names: "list[str]" = []
        for cls in type(self).__mro__:
            names.extend(getattr(cls, "__slots__", ()))
        return "<%s %s>" % (
            type(self).__name__,
            " ".join("%s=%r" % (n, getattr(self, n, None)) for n in names),
        )


class ClientRegistered(ServerEvent):
    """A Register was accepted; ``replaced`` is the registration it replaced, or None."""

    __slots__ = ("registration", "replaced")

    def __init__(self, registration: "Registration", replaced: "Registration | None") -> None:
        self.registration = registration
        self.replaced = replaced


class ClientUpdated(ServerEvent):
    """An Update was accepted; ``objects_changed`` when it carried a new object list."""

    __slots__ = ("objects_changed", "registration")

    def __init__(self, registration: "Registration", objects_changed: bool) -> None:
        self.registration = registration
        self.objects_changed = objects_changed


class ClientDeregistered(ServerEvent):
    """The client sent De-register (DELETE on its location)."""

    __slots__ = ("registration",)

    def __init__(self, registration: "Registration") -> None:
        self.registration = registration


class RegistrationExpired(ServerEvent):
    """A registration's lifetime passed without an Update; it is gone."""

    __slots__ = ("registration",)

    def __init__(self, registration: "Registration") -> None:
        self.registration = registration


class ResponseReceived(ServerEvent):
    """The response to a device-management request.

    ``records`` holds the decoded payload: ``(path, value)`` records for data formats,
    :class:`lwm2m.formats.link.Link` objects for link format (Discover), None when there
    was nothing to decode or it could not be decoded (``decode_error`` says why).
    """

    __slots__ = ("code", "content_format", "decode_error", "operation", "payload", "records")

    def __init__(
        self,
        operation: "Operation",
        code: int,
        content_format: "int | None",
        payload: bytes,
        records: "list[Any] | None",
        decode_error: "str | None" = None,
    ) -> None:
        self.operation = operation
        self.code = code
        self.content_format = content_format
        self.payload = payload
        self.records = records
        self.decode_error = decode_error

    @property
    def success(self) -> bool:
        """2.xx."""
        return 0x40 <= self.code < 0x60


class RequestFailed(ServerEvent):
    """A request got no response: ``reason`` is ``timeout``, ``reset``, ``gone`` (the
    registration ended first) or a protocol reason from the CoAP layer."""

    __slots__ = ("operation", "reason")

    def __init__(self, operation: "Operation", reason: str) -> None:
        self.operation = operation
        self.reason = reason


class NotificationReceived(ServerEvent):
    """A notification of an observation (RFC 7641 §3.2; Core §6.4.2)."""

    __slots__ = ("code", "content_format", "decode_error", "observe", "operation", "payload",
                 "records")

    def __init__(
        self,
        operation: "Operation",
        code: int,
        content_format: "int | None",
        payload: bytes,
        records: "list[Any] | None",
        observe: "int | None",
        decode_error: "str | None" = None,
    ) -> None:
        self.operation = operation
        self.code = code
        self.content_format = content_format
        self.payload = payload
        self.records = records
        self.observe = observe
        self.decode_error = decode_error


class ObservationEnded(ServerEvent):
    """An observation is over (cancelled here, refused, or ended by the client)."""

    __slots__ = ("operation", "reason")

    def __init__(self, operation: "Operation", reason: str) -> None:
        self.operation = operation
        self.reason = reason


class DataSent(ServerEvent):
    """The client sent data (Send, POST ``/dp``; Core §6.4.6, ETS 1.1-int-306).

    ``groups`` is ``[(time or None, records), ...]`` as SenML carries them.
    """

    __slots__ = ("content_format", "groups", "payload", "registration")

    def __init__(
        self,
        registration: "Registration",
        content_format: int,
        payload: bytes,
        groups: "list[Any]",
    ) -> None:
        self.registration = registration
        self.content_format = content_format
        self.payload = payload
        self.groups = groups

    @property
    def records(self) -> "list[Any]":
        """Every record of every group, in order."""
        out: "list[Any]" = []
        for _, records in self.groups:
            out.extend(records)
        return out


class RequestRejected(ServerEvent):
    """A request from a client was answered with an error (``code``); ``reason`` says why.

    Bad registrations, unknown locations, forbidden endpoint names land here so a test
    can see what the server refused without reading the wire.
    """

    __slots__ = ("address", "code", "reason")

    def __init__(self, address: "Any", code: int, reason: str) -> None:
        self.address = address
        self.code = code
        self.reason = reason


class HandshakeFailed(ServerEvent):
    """A DTLS handshake on a secure listener failed (unknown identity, wrong key, ...)."""

    __slots__ = ("address", "reason")

    def __init__(self, address: "Any", reason: str) -> None:
        self.address = address
        self.reason = reason


class BootstrapRequested(ServerEvent):
    """A Bootstrap-Request arrived and was accepted; the script starts."""

    __slots__ = ("address", "endpoint")

    def __init__(self, endpoint: str, address: "Any") -> None:
        self.endpoint = endpoint
        self.address = address


class BootstrapStepDone(ServerEvent):
    """One bootstrap step was answered (``response`` is its ResponseReceived)."""

    __slots__ = ("endpoint", "response", "step")

    def __init__(self, endpoint: str, step: "Any", response: ResponseReceived) -> None:
        self.endpoint = endpoint
        self.step = step
        self.response = response


class BootstrapCompleted(ServerEvent):
    """Bootstrap-Finish was answered 2.04."""

    __slots__ = ("endpoint",)

    def __init__(self, endpoint: str) -> None:
        self.endpoint = endpoint


class BootstrapFailed(ServerEvent):
    """A bootstrap step failed (an error code, a timeout) and the script stopped."""

    __slots__ = ("endpoint", "reason", "step")

    def __init__(self, endpoint: str, step: "Any", reason: str) -> None:
        self.endpoint = endpoint
        self.step = step
        self.reason = reason
