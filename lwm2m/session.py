"""The transport of one server session: a CoAP endpoint, inside DTLS for ``coaps://``.

LwM2M 1.1.1 Transport §5 (CoAP over UDP, DTLS 1.2 for the PSK security mode). The
session owns a ``coap.Endpoint`` (retransmission, deduplication, block-wise, observe)
and, for a secure server, a ``dtls_psk.DtlsClient`` keyed with the Security object's
PSK identity (/0/x/3) and secret (/0/x/5). The endpoint talks to the server as one
peer (the server's address); its datagrams go through the DTLS connection, which
starts its handshake with the first request and queues what the endpoint sends until
the keys are in place. A DTLS failure (handshake timeout, fatal alert, closed
connection) fails every outstanding request at once (``failed`` lists them), so the
registration machine moves on without waiting for CoAP's own timeout; the next request
starts a new handshake. A request that times out on a secure session does the same
(``drop_security``): a server that restarted lost its keys and drops our records
without a word, so only a new handshake can reach it again.

The Client maps its transactions onto this: ``send(message, now_ms)`` returns the
endpoint's ``Request`` handle; ``next_event()`` gives the endpoint's events.
"""

from coap.endpoint import Endpoint
from dtls_psk import (
    ApplicationData,
    ConnectionClosed,
    DtlsClient,
    HandshakeCompleted,
    HandshakeFailed,
)

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any

    from coap.endpoint import Request
    from coap.message import Message
    from coap.params import TransmissionParams


class CoapSession:
    """CoAP (+ DTLS) to one server address; see the module docstring."""

    __slots__ = ("_credentials", "_dtls_options", "address", "dtls", "endpoint", "failed",
                 "handshakes", "resumed", "rng", "session")

    def __init__(
        self,
        address: "Any",
        rng: "Callable[[int], bytes]",
        credentials: "tuple[bytes, bytes] | None" = None,
        params: "TransmissionParams | None" = None,
        dtls_options: "dict[str, Any] | None" = None,
        **endpoint_options: "Any",
    ) -> None:
        self.address = address
        self.rng = rng
        self.endpoint = Endpoint(rng, params, **endpoint_options)
        self._credentials = credentials
        self._dtls_options = dtls_options or {}
        self.dtls: "DtlsClient | None" = None
        # Reasons of the DTLS connections that failed (for the Client to report).
        self.failed: "list[str]" = []
        self.handshakes = 0
        # The last DTLS session, offered again when a new handshake is needed
        # (RFC 5246 §7.3 abbreviated handshake: queue mode keeps its session).
        self.session: "Any" = None
        self.resumed = 0

    @property
    def secure(self) -> bool:
        return self._credentials is not None

    def send(self, message: "Message", now_ms: int) -> "Request":
        """Send a request to the server; DTLS connects on first use."""
        self._connect(now_ms)
        return self.endpoint.send_request(self.address, message, now_ms)

    def _connect(self, now_ms: int) -> None:
        if self._credentials is None or self.dtls is not None:
            return
        identity, psk = self._credentials
        options = dict(self._dtls_options)
        if self.session is not None:
            options["session"] = self.session
        self.dtls = DtlsClient(identity, psk, self.rng, **options)
        self.dtls.connect(now_ms)
        self.handshakes += 1

    def receive_datagram(self, data: bytes, now_ms: int) -> None:
        """A datagram from the server's address. Remote faults never raise."""
        if self._credentials is None:
            self.endpoint.receive_datagram(data, self.address, now_ms)
            return
        if self.dtls is None:
            return  # nothing of ours can be protected yet: a stray datagram
        self.dtls.receive_datagram(data, now_ms)
        self._dtls_events(now_ms)

    def _dtls_events(self, now_ms: int) -> None:
        dtls = self.dtls
        while dtls is not None:
            event = dtls.next_event()
            if event is None:
                return
            if isinstance(event, HandshakeCompleted):
                self.session = event.session
                self.resumed += 1 if event.resumed else 0
            elif isinstance(event, ApplicationData):
                self.endpoint.receive_datagram(event.data, self.address, now_ms)
            elif isinstance(event, (HandshakeFailed, ConnectionClosed)):
                self.failed.append("DTLS: %s" % event.reason)
                if isinstance(event, HandshakeFailed):
                    self.session = None  # RFC 5246 §7.2.2: a failed session is not resumed
                # The endpoint forgets this peer's exchanges; the Client fails its
                # transactions from ``failed``. The next request handshakes afresh.
                self.endpoint.forget_peer(self.address)
                self.dtls = None
                return

    def datagrams_to_send(self) -> "list[bytes]":
        """Datagrams for the server, protected when the session is secure."""
        out = [data for _peer, data in self.endpoint.datagrams_to_send()]
        dtls = self.dtls
        if dtls is None:
            return out if self._credentials is None else []
        for data in out:
            dtls.send(data)
        return list(dtls.datagrams_to_send())

    def get_timer(self) -> "int | None":
        deadline = self.endpoint.get_timer()
        if self.dtls is not None:
            t = self.dtls.get_timer()
            if t is not None and (deadline is None or t < deadline):
                deadline = t
        return deadline

    def handle_timer(self, now_ms: int) -> None:
        if self.dtls is not None:
            self.dtls.handle_timer(now_ms)
            self._dtls_events(now_ms)
        self.endpoint.handle_timer(now_ms)

    def next_event(self) -> "Any":
        return self.endpoint.next_event()

    def drop_security(self) -> None:
        """Forget the DTLS connection and the exchanges that ran over it: the peer
        may have lost its side (a restarted server drops our records silently), so
        the next request handshakes afresh. The Client fails the transactions."""
        if self.dtls is None:
            return
        self.dtls = None
        self.endpoint.forget_peer(self.address)

    def close(self) -> None:
        """End the DTLS connection (close_notify) and forget the CoAP exchanges."""
        if self.dtls is not None:
            self.dtls.close()
        self.endpoint.forget_peer(self.address)
