"""``DtlsClient``: one DTLS 1.2 PSK client connection behind the sans-IO face."""

from dtls_psk.config import Config
from dtls_psk.connection import CLOSED, ESTABLISHED, Connection
from dtls_psk.errors import UsageError
from dtls_psk.handshake import CLIENT
from dtls_psk.records import parse_records

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable, Iterator
    from typing import Any

    from dtls_psk.session import Session


class DtlsClient:
    """A DTLS 1.2 client authenticating with a pre-shared key (RFC 6347, RFC 4279).

    ``identity`` and ``psk`` are the credentials, or give ``psk_callback(hint) ->
    (identity, psk)`` to choose them from the server's identity hint. ``session``
    (a ``Session``, e.g. ``Session.from_bytes(saved)``) asks for an abbreviated
    handshake. ``cid=b""`` offers RFC 9146 connection IDs (the server picks one for
    us to send; we ask for none back). ``rng(n) -> bytes`` must be a CSPRNG.

    The face: ``connect(now_ms)``, ``receive_datagram(data, now_ms)``,
    ``datagrams_to_send()``, ``send(data)``, ``close()``, ``get_timer()``,
    ``handle_timer(now_ms)``, ``next_event()``.
    """

    __slots__ = ("_conn", "_credentials", "config")

    def __init__(
        self,
        identity: bytes,
        psk: bytes,
        rng: "Callable[[int], bytes]",
        *,
        psk_callback: "Callable[[bytes], tuple[bytes, bytes]] | None" = None,
        session: "Session | None" = None,
        **options: "Any",
    ) -> None:
        if not psk and psk_callback is None:
            raise UsageError("a client needs a psk or a psk_callback")
        self.config = Config(rng, **options)
        self._credentials = (identity, psk, psk_callback, session)
        self._conn: "Connection | None" = None

    def connect(self, now_ms: int) -> None:
        """Start the handshake: the first ClientHello is ready to send."""
        if self._conn is not None:
            raise UsageError("connect() was already called")
        self._conn = Connection(CLIENT, self.config, None, now_ms, self.config.cid)
        identity, psk, callback, session = self._credentials
        self._conn.start_client(now_ms, identity, psk, callback, session)

    def receive_datagram(self, data: bytes, now_ms: int) -> None:
        """Feed one datagram from the server; remote faults never raise."""
        conn = self._conn
        if conn is None or conn.state == CLOSED:
            return
        cid = conn.own_cid
        conn.receive_records(parse_records(data, len(cid) if cid else 0), now_ms, None)

    def datagrams_to_send(self) -> "Iterator[bytes]":
        """Datagrams for the server, in order; each is yielded once."""
        conn = self._conn
        while conn is not None and conn.out:
            yield conn.out.pop(0)

    def send(self, data: bytes) -> None:
        """Send one application record (queued until the handshake completes)."""
        self._connection().send_application_data(data)

    def close(self) -> None:
        """Send close_notify and end the connection."""
        if self._conn is not None:
            self._conn.close()

    def get_timer(self) -> "int | None":
        return None if self._conn is None else self._conn.get_timer()

    def handle_timer(self, now_ms: int) -> None:
        if self._conn is not None:
            self._conn.handle_timer(now_ms)

    def next_event(self) -> "Any":
        conn = self._conn
        if conn is None or not conn.events:
            return None
        return conn.events.pop(0)

    @property
    def is_established(self) -> bool:
        return self._conn is not None and self._conn.state == ESTABLISHED

    @property
    def session(self) -> "Session | None":
        """The negotiated session (export it with ``to_bytes()``) once established."""
        if self._conn is None or self._conn.state != ESTABLISHED:
            return None
        return self._conn.hs.session

    @property
    def max_send_size(self) -> int:
        return self._connection().max_send_size()

    def _connection(self) -> Connection:
        if self._conn is None:
            raise UsageError("call connect() first")
        return self._conn
