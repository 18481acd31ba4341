"""Events a DTLS endpoint reports through ``next_event()``. ``addr`` is the peer's
address on a server and None on a client."""

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any


class Event:
    """Base of every event."""

    __slots__ = ("addr",)

    # Subclasses set ``addr`` themselves: no super() call per event (one per record
    # for ApplicationData).
    def __init__(self, addr: "Any") -> None:
        self.addr = addr

    def __repr__(self) -> str:
        fields = ", ".join("%s=%r" % (name, getattr(self, name)) for name in self._fields())
        return "%s(%s)" % (type(self).__name__, fields)

    def _fields(self) -> "list[str]":
        names: "list[str]" = []
        for cls in type(self).__mro__:
            names.extend(getattr(cls, "__slots__", ()))
        return names


class HandshakeCompleted(Event):
    """The handshake finished: keys are in place and ``send`` delivers records.
    ``identity`` is the PSK identity the peer authenticated with; ``session`` can be
    exported (``session.to_bytes()``) to resume later."""

    __slots__ = (
        "cipher_suite",
        "connection_id",
        "extended_master_secret",
        "identity",
        "psk_identity_hint",
        "resumed",
        "session",
    )

    def __init__(
        self,
        addr: "Any",
        cipher_suite: int,
        identity: bytes,
        psk_identity_hint: bytes,
        extended_master_secret: bool,
        resumed: bool,
        connection_id: bool,
        session: "Any",
    ) -> None:
        self.addr = addr
        self.cipher_suite = cipher_suite
        self.identity = identity
        self.psk_identity_hint = psk_identity_hint
        self.extended_master_secret = extended_master_secret
        self.resumed = resumed
        self.connection_id = connection_id
        self.session = session


class ApplicationData(Event):
    """One record of application data from the peer."""

    __slots__ = ("data",)

    def __init__(self, addr: "Any", data: bytes) -> None:
        self.addr = addr
        self.data = data


class AlertReceived(Event):
    """The peer sent an alert (RFC 5246 §7.2); fatal ones also end the connection."""

    __slots__ = ("description", "level")

    def __init__(self, addr: "Any", level: int, description: int) -> None:
        self.addr = addr
        self.level = level
        self.description = description


class HandshakeFailed(Event):
    """The handshake did not complete: a timeout, a fatal alert received or sent.
    ``alert`` is the alert description involved, or None for a timeout."""

    __slots__ = ("alert", "reason")

    def __init__(self, addr: "Any", reason: str, alert: "int | None") -> None:
        self.addr = addr
        self.reason = reason
        self.alert = alert


class ConnectionClosed(Event):
    """An established connection ended (close_notify either way, a fatal alert, or
    replaced by a new handshake from the same address)."""

    __slots__ = ("reason",)

    def __init__(self, addr: "Any", reason: str) -> None:
        self.addr = addr
        self.reason = reason


class PeerAddressChanged(Event):
    """RFC 9146 §6: an authenticated, newest record with our connection ID came from a
    new address; replies now go to ``addr`` (the new one)."""

    __slots__ = ("old_addr",)

    def __init__(self, addr: "Any", old_addr: "Any") -> None:
        self.addr = addr
        self.old_addr = old_addr
