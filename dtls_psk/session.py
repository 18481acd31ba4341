"""Session state for the abbreviated handshake (RFC 5246 §7.3), exported as bytes."""

from dtls_psk.errors import DecodeError
from dtls_psk.wire import Reader, vector

_FORMAT = 1


class Session:
    """What resumption needs: id, master secret, suite, EMS flag, PSK identity."""

    __slots__ = (
        "cipher_suite",
        "extended_master_secret",
        "identity",
        "master_secret",
        "session_id",
    )

    def __init__(
        self,
        session_id: bytes,
        master_secret: bytes,
        cipher_suite: int,
        extended_master_secret: bool,
        identity: bytes,
    ) -> None:
        self.session_id = session_id
        self.master_secret = master_secret
        self.cipher_suite = cipher_suite
        self.extended_master_secret = extended_master_secret
        self.identity = identity

    def to_bytes(self) -> bytes:
        """Bytes a host can persist (they hold the master secret: store them as a key)."""
        return (
            bytes((_FORMAT,))
            + vector(1, self.session_id)
            + vector(1, self.master_secret)
            + self.cipher_suite.to_bytes(2, "big")
            + bytes((1 if self.extended_master_secret else 0,))
            + vector(2, self.identity)
        )

    @staticmethod
    def from_bytes(data: bytes) -> "Session":
        """The inverse of ``to_bytes``; ``DecodeError`` on anything else."""
        r = Reader(data)
        if r.pull_uint(1) != _FORMAT:
            raise DecodeError("unknown session format")
        session_id = r.pull_vector(1, 1, 32)
        master = r.pull_vector(1, 48, 48)
        suite = r.pull_uint(2)
        ems = r.pull_uint(1)
        if ems > 1:
            raise DecodeError("bad EMS flag")
        identity = r.pull_vector(2)
        r.done()
        return Session(session_id, master, suite, ems == 1, identity)
