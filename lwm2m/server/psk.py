"""The server's pre-shared keys and which endpoint each PSK identity may register as.

OMA LwM2M 1.1.1 Core §7.1 / Transport §5.2.2: in PSK mode the DTLS identity
authenticates the client, and a server must not accept a registration under an
endpoint name that the authenticated identity does not own (the server answers 4.03
Forbidden; Core §6.2.1). One :class:`PskStore` holds ``endpoint -> (identity, key)``
entries; the DTLS listener asks :meth:`PskStore.key_for` during the handshake and the
registration interface asks :meth:`PskStore.owns` when the Register arrives.
"""

import binascii

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterator


class PskError(ValueError):
    """A PSK entry that cannot be used (empty identity, bad hex, a clash)."""


class PskEntry:
    """One endpoint's credential: ``endpoint``, ``identity`` (bytes), ``key`` (bytes)."""

    __slots__ = ("endpoint", "identity", "key")

    def __init__(self, endpoint: str, identity: bytes, key: bytes) -> None:
        self.endpoint = endpoint
        self.identity = identity
        self.key = key

    def __repr__(self) -> str:
        # Never print the key itself.
        return "PskEntry(%r, %r, <%d-byte key>)" % (self.endpoint, self.identity, len(self.key))


def parse_psk_option(text: str) -> PskEntry:
    """``EP:IDENTITY:HEXKEY`` (the CLI's ``--psk``) -> entry. The identity may contain
    ``:`` (BG96 identities do): the endpoint ends at the first ``:``, the key starts
    after the last."""
    endpoint, sep, rest = text.partition(":")
    identity, sep2, hexkey = rest.rpartition(":")
    if not sep or not sep2 or not endpoint or not identity:
        raise PskError("expected EP:IDENTITY:HEXKEY, got %r" % text)
    if not hexkey or len(hexkey) % 2:
        raise PskError("the key in %r must be an even number of hex digits" % text)
    try:
        key = binascii.unhexlify(hexkey)
    except ValueError:
        raise PskError("the key in %r is not hexadecimal" % text) from None
    return PskEntry(endpoint, identity.encode(), key)


class PskStore:
    """Per-endpoint PSK credentials, looked up by identity during the handshake."""

    __slots__ = ("_by_endpoint", "_by_identity")

    def __init__(self) -> None:
        self._by_identity: "dict[bytes, PskEntry]" = {}
        self._by_endpoint: "dict[str, PskEntry]" = {}

    def __len__(self) -> int:
        return len(self._by_identity)

    def __iter__(self) -> "Iterator[PskEntry]":
        return iter(list(self._by_identity.values()))

    def add(self, endpoint: str, identity: "bytes | str", key: bytes) -> PskEntry:
        """Give ``endpoint`` the credential (identity, key), replacing its old one.

        One identity authenticates one endpoint: handing an identity that another
        endpoint holds is refused, since the binding would become ambiguous.
        """
        ident = identity.encode() if isinstance(identity, str) else bytes(identity)
        if not endpoint:
            raise PskError("a PSK entry needs an endpoint name")
        if not ident:
            raise PskError("a PSK identity must not be empty")
        if not key:
            raise PskError("a PSK key must not be empty")
        holder = self._by_identity.get(ident)
        if holder is not None and holder.endpoint != endpoint:
            raise PskError("identity %r already belongs to endpoint %r" % (ident, holder.endpoint))
        self.remove(endpoint)
        entry = PskEntry(endpoint, ident, bytes(key))
        self._by_identity[ident] = entry
        self._by_endpoint[endpoint] = entry
        return entry

    def remove(self, endpoint: str) -> None:
        old = self._by_endpoint.pop(endpoint, None)
        if old is not None:
            del self._by_identity[old.identity]

    def key_for(self, identity: bytes) -> "bytes | None":
        """The key for a PSK identity, or None (the handshake then fails)."""
        entry = self._by_identity.get(bytes(identity))
        return None if entry is None else entry.key

    def entry_for_endpoint(self, endpoint: str) -> "PskEntry | None":
        return self._by_endpoint.get(endpoint)

    def endpoint_of(self, identity: bytes) -> "str | None":
        entry = self._by_identity.get(bytes(identity))
        return None if entry is None else entry.endpoint

    def owns(self, identity: "bytes | None", endpoint: str) -> bool:
        """May a client authenticated as ``identity`` register as ``endpoint``?

        Plain CoAP (``identity`` None) owns nothing that has a PSK entry: an endpoint
        with a credential must come over DTLS with that credential.
        """
        entry = self._by_endpoint.get(endpoint)
        if identity is None:
            return entry is None
        return entry is not None and entry.identity == bytes(identity)
