"""The sans-IO LwM2M server and bootstrap server.

Theory of operation
-------------------
One :class:`Server` owns one CoAP endpoint per listener (``"coap"``, and ``"coaps"``
behind a :class:`dtls_psk.DtlsServer`), the registration store, the PSK store and an
optional bootstrap script. The host moves datagrams and keeps time:

    srv.receive_datagram(data, addr, now_ms, listener="coap")
    srv.datagrams_to_send(listener="coap")   # [(addr, bytes)], encrypted on coaps
    srv.get_timer() / srv.handle_timer(now_ms)
    srv.next_event()

Incoming requests (OMA LwM2M 1.1.1 Transport §6, Core §6):

- ``POST /rd?ep=..`` Register, ``POST /rd/<id>`` Update, ``DELETE /rd/<id>`` De-register
  (Core §6.2), answered 2.01 / 2.04 / 2.02, or 4.00 (bad parameters or object list),
  4.03 (a PSK identity registering an endpoint it does not own), 4.04 (unknown location).
- ``POST /bs?ep=..`` Bootstrap-Request (Core §6.1.3): 2.04, then the endpoint's script
  runs (Bootstrap-Discover / -Read / -Delete / -Write, each waiting for the previous
  answer) and ends with Bootstrap-Finish.
- ``POST /dp`` Send (Core §6.4.6) from a registered client: 2.04 and a DataSent event.

Outgoing requests (device management, Core §6.3; information reporting §6.4) are
commands (``read``, ``write``, ``execute``, ...) that return an :class:`Operation`; its
outcome comes back as an event. Requests to one client go one at a time in the order
given (RFC 7252 §4.7 NSTART 1), and to a queue-mode client only while it is awake
(Core §6.5: after its Register / Update, for ``awake_ms``); the rest wait in order.
A registration that ends (de-register, expiry, replacement) fails what was waiting
for it with reason ``gone``.

Remote faults never raise: bad datagrams are dropped or answered by the CoAP layer
and bad requests answered with 4.xx (a RequestRejected event says why).
"""

from coap import codes
from coap.endpoint import Endpoint
from coap.events import (
    NotificationReceived as CoapNotification,
)
from coap.events import (
    ObservationEnded as CoapObservationEnded,
)
from coap.events import (
    RequestFailed as CoapRequestFailed,
)
from coap.events import (
    RequestReceived,
    RequestTimedOut,
    ResetReceived,
)
from coap.events import (
    ResponseReceived as CoapResponse,
)
from coap.message import Message
from lwm2m import formats
from lwm2m.errors import FormatError
from lwm2m.formats import link as linkformat
from lwm2m.server import events as ev
from lwm2m.server import operation as op
from lwm2m.server.bootstrap_script import DELETE, DISCOVER, READ, WRITE, BootstrapScript
from lwm2m.server.commands import LINK_FORMAT, Commands, ServerError
from lwm2m.server.params import (
    InvalidParameters,
    parse_bootstrap_request,
    parse_register,
    parse_update,
)
from lwm2m.server.psk import PskStore
from lwm2m.server.store import MAX_TRANSMIT_WAIT_MS, Registration, RegistrationStore
from objects.path import PathError, format_path, parse_path
from objects.registry import type_of as standard_type_of

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable, Iterable
    from typing import Any

    Path = tuple[int, ...]
    TypeOf = Callable[[Path], int | None]

COAP = "coap"
COAPS = "coaps"

SEND_FORMATS = (formats.SENML_JSON, formats.SENML_CBOR, formats.LWM2M_CBOR)


class _Listener:
    __slots__ = ("coap", "dtls", "name")

    def __init__(self, name: str, coap: Endpoint, dtls: "Any") -> None:
        self.name = name
        self.coap = coap
        self.dtls = dtls


class _Target:
    """Where one client's requests go, and its queue (NSTART 1, queue mode)."""

    __slots__ = ("address", "endpoint", "inflight", "listener", "observations", "queue",
                 "registration", "root", "session")

    def __init__(self, endpoint: str, address: "Any", listener: str, root: str = "/",
                 registration: "Registration | None" = None) -> None:
        self.endpoint = endpoint
        self.address = address
        self.listener = listener
        self.root = root
        self.registration = registration
        self.queue: "list[op.Operation]" = []
        self.inflight: "op.Operation | None" = None
        self.observations: "list[op.Operation]" = []  # established ones (some may have ended)
        self.session: "_BootstrapSession | None" = None


class _BootstrapSession:
    __slots__ = ("content_format", "finished", "index", "steps")

    def __init__(self, steps: "list[Any]", content_format: int) -> None:
        self.steps = steps
        self.content_format = content_format
        self.index = 0
        self.finished = False


class Server(Commands):
    """The LwM2M server (and bootstrap server when given a ``bootstrap`` script).

    ``rng(n) -> bytes`` must be a CSPRNG (tokens, locations, DTLS). ``psk`` is a
    :class:`PskStore` (needed for the ``coaps`` listener). ``type_of`` types decoded
    values (default: the standard object registry). ``grace_ms`` is added to every
    lifetime before expiry; ``awake_ms`` is how long a queue-mode client stays reachable.
    ``coap_options`` go to each :class:`coap.endpoint.Endpoint`, ``dtls_options`` to
    the :class:`dtls_psk.DtlsServer`.
    """

    __slots__ = (
        "_bootstrap_targets",
        "_by_transport",
        "_events",
        "_listeners",
        "_next_id",
        "_now_ms",
        "_targets",
        "bootstrap",
        "coap_options",
        "dtls_options",
        "psk",
        "registrations",
        "rng",
        "type_of",
    )

    def __init__(
        self,
        rng: "Callable[[int], bytes]",
        *,
        psk: "PskStore | None" = None,
        bootstrap: "BootstrapScript | None" = None,
        type_of: "TypeOf | None" = None,
        grace_ms: int = 0,
        awake_ms: int = MAX_TRANSMIT_WAIT_MS,
        listeners: "Iterable[str]" = (COAP,),
        coap_options: "dict[str, Any] | None" = None,
        dtls_options: "dict[str, Any] | None" = None,
    ) -> None:
        self.rng = rng
        self.psk = psk if psk is not None else PskStore()
        self.bootstrap = bootstrap
        self.type_of: "TypeOf" = type_of or standard_type_of
        self.registrations = RegistrationStore(rng, grace_ms, awake_ms)
        self.coap_options = coap_options or {}
        self.dtls_options = dtls_options or {}
        self._listeners: "dict[str, _Listener]" = {}
        self._events: "list[Any]" = []
        self._targets: "dict[str, _Target]" = {}
        self._bootstrap_targets: "dict[str, _Target]" = {}
        self._by_transport: "dict[Any, tuple[_Target, op.Operation]]" = {}
        self._next_id = 1
        self._now_ms = 0
        for name in listeners:
            self.add_listener(name)

    # -- listeners -------------------------------------------------------------------

    def add_listener(self, name: str, secure: "bool | None" = None) -> None:
        """Add a listener; ``secure`` (default: the name is ``coaps``) puts DTLS-PSK
        in front of its CoAP endpoint."""
        if name in self._listeners:
            raise ServerError("listener %r exists" % name)
        if secure is None:
            secure = name == COAPS
        dtls = None
        if secure:
            from dtls_psk import DtlsServer

            dtls = DtlsServer(self.psk.key_for, self.rng, **self.dtls_options)
        self._listeners[name] = _Listener(name, Endpoint(self.rng, **self.coap_options), dtls)

    @property
    def listeners(self) -> "list[str]":
        return list(self._listeners)

    def _listener(self, name: str) -> _Listener:
        listener = self._listeners.get(name)
        if listener is None:
            raise ServerError("no listener %r (have %s)" % (name, ", ".join(self._listeners)))
        return listener

    # -- the sans-IO face -----------------------------------------------------------

    def receive_datagram(self, data: bytes, addr: "Any", now_ms: int,
                         listener: str = COAP) -> None:
        """One datagram from ``addr`` on ``listener``. Remote faults never raise."""
        self._now_ms = now_ms
        lis = self._listener(listener)
        if lis.dtls is None:
            lis.coap.receive_datagram(bytes(data), addr, now_ms)
        else:
            lis.dtls.receive_datagram(bytes(data), addr, now_ms)
            self._drain_dtls(lis, now_ms)
        self._process(now_ms)

    def datagrams_to_send(self, listener: str = COAP) -> "list[tuple[Any, bytes]]":
        """``(addr, datagram)`` to send from ``listener``'s socket now."""
        lis = self._listener(listener)
        if lis.dtls is None:
            return lis.coap.datagrams_to_send()
        self._flush_into_dtls(lis)
        return list(lis.dtls.datagrams_to_send())

    def get_timer(self) -> "int | None":
        """The earliest deadline (ms) for :meth:`handle_timer`, or None."""
        best = self.registrations.next_expiry_ms()
        for lis in self._listeners.values():
            for t in (lis.coap.get_timer(), lis.dtls.get_timer() if lis.dtls else None):
                if t is not None and (best is None or t < best):
                    best = t
        # Requests held for a sleeping queue-mode client have no deadline of their own:
        # they go out when the client's next Update arrives.
        return best

    def handle_timer(self, now_ms: int) -> None:
        """Run whatever is due at ``now_ms``: retransmissions, timeouts, expiries."""
        self._now_ms = now_ms
        for lis in self._listeners.values():
            lis.coap.handle_timer(now_ms)
            if lis.dtls is not None:
                lis.dtls.handle_timer(now_ms)
                self._drain_dtls(lis, now_ms)
        for reg in self.registrations.expire(now_ms):
            self._registration_gone(reg, now_ms)
            self._events.append(ev.RegistrationExpired(reg))
        self._process(now_ms)

    def next_event(self) -> "Any":
        """The next server event, or None."""
        return self._events.pop(0) if self._events else None

    # -- DTLS plumbing ------------------------------------------------------------------

    def _drain_dtls(self, lis: _Listener, now_ms: int) -> None:
        from dtls_psk import ApplicationData, HandshakeFailed, PeerAddressChanged

        while True:
            event = lis.dtls.next_event()
            if event is None:
                break
            if isinstance(event, ApplicationData):
                lis.coap.receive_datagram(event.data, event.addr, now_ms)
            elif isinstance(event, HandshakeFailed):
                self._events.append(ev.HandshakeFailed(event.addr, str(event.reason)))
            elif isinstance(event, PeerAddressChanged):
                # RFC 9146: the same session now arrives from a new address.
                for target in self._targets.values():
                    if target.listener == lis.name and target.address == event.old_addr:
                        target.address = event.addr
                        if target.registration is not None:
                            target.registration.address = event.addr

    def _flush_into_dtls(self, lis: _Listener) -> None:
        from dtls_psk import UsageError

        for addr, data in lis.coap.datagrams_to_send():
            try:
                lis.dtls.send(addr, data)
            except UsageError:
                pass  # the session is gone: CoAP retransmission / timeout handles it

    # -- events from the CoAP endpoints -------------------------------------------------

    def _process(self, now_ms: int) -> None:
        for lis in self._listeners.values():
            while True:
                event = lis.coap.next_event()
                if event is None:
                    break
                if isinstance(event, RequestReceived):
                    self._on_request(lis, event, now_ms)
                else:
                    self._on_coap_event(event, now_ms)

    def _identity(self, lis: _Listener, addr: "Any") -> "bytes | None":
        return None if lis.dtls is None else lis.dtls.peer_identity(addr)

    def _reply(self, lis: _Listener, event: RequestReceived, code: int, now_ms: int,
               reason: "str | None" = None, message: "Message | None" = None) -> None:
        response = message if message is not None else event.response(code)
        if reason is not None:
            # RFC 7252 §5.5.2: a diagnostic payload is UTF-8 text for a person.
            response.payload = reason.encode()
            self._events.append(ev.RequestRejected(event.peer, code, reason))
        lis.coap.respond(event, response, now_ms)

    def _on_request(self, lis: _Listener, event: RequestReceived, now_ms: int) -> None:
        msg = event.request
        path = msg.uri_path
        method = msg.code
        try:
            if path == ("rd",):
                if method != codes.POST:
                    self._reply(lis, event, codes.METHOD_NOT_ALLOWED, now_ms, "use POST /rd")
                else:
                    self._register(lis, event, now_ms)
            elif len(path) == 2 and path[0] == "rd":
                if method == codes.POST:
                    self._update(lis, event, path[1], now_ms)
                elif method == codes.DELETE:
                    self._deregister(lis, event, path[1], now_ms)
                else:
                    self._reply(lis, event, codes.METHOD_NOT_ALLOWED, now_ms,
                                "use POST or DELETE on a registration")
            elif path == ("bs",) and self.bootstrap is not None:
                if method != codes.POST:
                    self._reply(lis, event, codes.METHOD_NOT_ALLOWED, now_ms, "use POST /bs")
                else:
                    self._bootstrap_request(lis, event, now_ms)
            elif path == ("dp",):
                if method != codes.POST:
                    self._reply(lis, event, codes.METHOD_NOT_ALLOWED, now_ms, "use POST /dp")
                else:
                    self._send_operation(lis, event, now_ms)
            else:
                self._reply(lis, event, codes.NOT_FOUND, now_ms,
                            "no resource /%s" % "/".join(path))
        except InvalidParameters as exc:
            self._reply(lis, event, codes.BAD_REQUEST, now_ms, str(exc))
        except Exception as exc:
            # DESIGN.md: remote input never raises out of receive_datagram. Whatever this
            # request tripped over is our bug, answered 5.00 and reported, not a crash.
            try:
                self._reply(lis, event, codes.INTERNAL_SERVER_ERROR, now_ms,
                            "internal error: %r" % (exc,))
            except ValueError:
                self._events.append(ev.RequestRejected(event.peer, codes.INTERNAL_SERVER_ERROR,
                                                       "internal error: %r" % (exc,)))

    # -- registration interface (Core §6.2) -------------------------------------------------

    def _object_list(self, msg: Message) -> "tuple[list[Any], str]":
        """The Register / Update payload -> (links, alternate root path)."""
        cf = msg.content_format
        if cf is not None and cf != LINK_FORMAT:
            raise InvalidParameters("the object list must be link format (40), not %d" % cf)
        if not msg.payload:
            return [], "/"
        try:
            links = linkformat.parse(msg.payload)
        except FormatError as exc:
            raise InvalidParameters("bad object list: %s" % exc) from None
        root = "/"
        for link in links:
            # Core §6.2.1: the alternate path is the link with rt="oma.lwm2m".
            if link.get("rt") == linkformat.ROOT_RESOURCE_TYPE:
                root = link.uri.rstrip("/") or "/"
        prefix = "" if root == "/" else root
        out = []
        for link in links:
            uri = link.uri
            if link.get("rt") == linkformat.ROOT_RESOURCE_TYPE:
                continue
            if prefix:
                if not uri.startswith(prefix + "/"):
                    raise InvalidParameters("%s is outside the root path %s" % (uri, root))
                uri = uri[len(prefix):]
            try:
                path = parse_path(uri)
            except PathError as exc:
                raise InvalidParameters("bad object list entry %s: %s" % (link.uri, exc)) from None
            if not 1 <= len(path) <= 2:
                raise InvalidParameters("object list entry %s is not an object or instance"
                                        % link.uri)
            link.path = path
            out.append(link)
        return out, root

    def _register(self, lis: _Listener, event: RequestReceived, now_ms: int) -> None:
        msg = event.request
        params = parse_register(msg.uri_query)
        links, root = self._object_list(msg)
        identity = self._identity(lis, event.peer)
        endpoint = params.endpoint or ""
        if not self.psk.owns(identity, endpoint):
            # Core §6.2.1 / §7.1: the credential does not belong to this endpoint name.
            who = "plain CoAP" if identity is None else "identity %r" % identity
            self._reply(lis, event, codes.FORBIDDEN, now_ms,
                        "%s may not register as %r" % (who, endpoint))
            return
        reg, replaced = self.registrations.register(
            params, links, event.peer, now_ms, lis.name,
            None if identity is None else identity.decode("utf-8", "replace"), root)
        if replaced is not None:
            self._registration_gone(replaced, now_ms)
        self._targets[reg.endpoint] = _Target(reg.endpoint, reg.address, lis.name, root, reg)
        response = event.response(codes.CREATED)
        response.location_path = ["rd", reg.location]
        self._reply(lis, event, codes.CREATED, now_ms, message=response)
        self._events.append(ev.ClientRegistered(reg, replaced))

    def _update(self, lis: _Listener, event: RequestReceived, location: str, now_ms: int) -> None:
        msg = event.request
        reg = self.registrations.get(location)
        if reg is None:
            # Core §6.2.2 / ETS 1.1-int-105: the client must register again.
            self._reply(lis, event, codes.NOT_FOUND, now_ms, "no registration /rd/%s" % location)
            return
        if not self._same_client(lis, event, reg):
            self._reply(lis, event, codes.FORBIDDEN, now_ms,
                        "registration /rd/%s belongs to another client" % location)
            return
        params = parse_update(msg.uri_query)
        links: "list[Any] | None" = None
        root: "str | None" = None
        if msg.payload:
            links, root = self._object_list(msg)
        self.registrations.update(location, params, links, event.peer, now_ms, root)
        target = self._targets.get(reg.endpoint)
        if target is not None:
            target.address = event.peer
            target.listener = lis.name
            target.root = reg.root
        self._reply(lis, event, codes.CHANGED, now_ms, message=event.response(codes.CHANGED))
        self._events.append(ev.ClientUpdated(reg, links is not None))
        if target is not None:
            self._pump(target, now_ms)  # Core §6.5: a queue-mode client is awake now

    def _same_client(self, lis: _Listener, event: RequestReceived, reg: Registration) -> bool:
        # An Update or De-register for a PSK registration must come with the same identity;
        # on plain CoAP the location itself is the capability (it may come from a new port).
        if reg.identity is None:
            return lis.dtls is None
        identity = self._identity(lis, event.peer)
        return identity is not None and identity.decode("utf-8", "replace") == reg.identity

    def _deregister(self, lis: _Listener, event: RequestReceived, location: str,
                    now_ms: int) -> None:
        reg = self.registrations.get(location)
        if reg is None:
            self._reply(lis, event, codes.NOT_FOUND, now_ms, "no registration /rd/%s" % location)
            return
        if not self._same_client(lis, event, reg):
            self._reply(lis, event, codes.FORBIDDEN, now_ms,
                        "registration /rd/%s belongs to another client" % location)
            return
        self.registrations.deregister(location)
        self._reply(lis, event, codes.DELETED, now_ms, message=event.response(codes.DELETED))
        self._registration_gone(reg, now_ms)
        self._events.append(ev.ClientDeregistered(reg))

    def _registration_gone(self, reg: Registration, now_ms: int) -> None:
        target = self._targets.get(reg.endpoint)
        if target is None or target.registration is not reg:
            return
        del self._targets[reg.endpoint]
        self._abandon(target, now_ms)

    def _abandon(self, target: _Target, now_ms: int) -> None:
        pending = target.queue
        target.queue = []
        if target.inflight is not None:
            pending = [target.inflight] + pending
            target.inflight = None
        for operation in pending:
            self._drop_transport(target, operation, now_ms)
            self._fail(operation, "gone")
        observations = target.observations
        target.observations = []
        for operation in observations:
            if operation.active:
                self._drop_transport(target, operation, now_ms)
                operation.active = False
                self._events.append(ev.ObservationEnded(operation, "gone"))

    def _drop_transport(self, target: _Target, operation: op.Operation, now_ms: int) -> None:
        """Forget the CoAP request of ``operation`` (its late answers are not reported)."""
        handle = operation.transport
        if handle is None:
            return
        self._by_transport.pop(handle, None)
        lis = self._listeners.get(target.listener)
        if lis is not None and not operation.active:
            lis.coap.cancel(handle, now_ms)

    def _find_target(self, operation: op.Operation) -> "_Target | None":
        for table in (self._targets, self._bootstrap_targets):
            target = table.get(operation.endpoint)
            if target is not None:
                return target
        return None

    # -- Send (Core §6.4.6) ------------------------------------------------------------------

    def _registration_at(self, lis: _Listener, peer: "Any") -> "Registration | None":
        identity = self._identity(lis, peer)
        if identity is not None:
            endpoint = self.psk.endpoint_of(identity)
            reg = self.registrations.by_endpoint(endpoint) if endpoint else None
            if reg is not None:
                return reg
        for target in self._targets.values():
            if target.address == peer and target.listener == lis.name:
                return target.registration
        return None

    def _send_operation(self, lis: _Listener, event: RequestReceived, now_ms: int) -> None:
        msg = event.request
        reg = self._registration_at(lis, event.peer)
        if reg is None:
            self._reply(lis, event, codes.NOT_FOUND, now_ms, "Send from an unregistered client")
            return
        cf = msg.content_format
        if cf not in SEND_FORMATS:
            self._reply(lis, event, codes.UNSUPPORTED_CONTENT_FORMAT, now_ms,
                        "Send takes SenML JSON, SenML CBOR or LwM2M CBOR")
            return
        try:
            if cf == formats.LWM2M_CBOR:
                groups: "list[Any]" = [(None, formats.decode(cf, msg.payload, None,
                                                             self.type_of))]
            else:
                groups = formats.decode_timed(cf, msg.payload, None, self.type_of)
        except FormatError as exc:
            self._reply(lis, event, codes.BAD_REQUEST, now_ms, "bad Send payload: %s" % exc)
            return
        self.registrations.touch(reg, now_ms)
        self._reply(lis, event, codes.CHANGED, now_ms, message=event.response(codes.CHANGED))
        self._events.append(ev.DataSent(reg, cf, msg.payload, groups))
        target = self._targets.get(reg.endpoint)
        if target is not None:
            self._pump(target, now_ms)  # it spoke: a queue-mode client is awake

    # -- bootstrap interface (Core §6.1) ----------------------------------------------------

    def _bootstrap_request(self, lis: _Listener, event: RequestReceived, now_ms: int) -> None:
        assert self.bootstrap is not None
        params = parse_bootstrap_request(event.request.uri_query)
        endpoint = params.endpoint or ""
        identity = self._identity(lis, event.peer)
        if not self.psk.owns(identity, endpoint):
            who = "plain CoAP" if identity is None else "identity %r" % identity
            self._reply(lis, event, codes.FORBIDDEN, now_ms,
                        "%s may not bootstrap as %r" % (who, endpoint))
            return
        config = self.bootstrap.for_endpoint(endpoint)
        if config is None:
            self._reply(lis, event, codes.BAD_REQUEST, now_ms,
                        "no bootstrap configuration for %r" % endpoint)
            return
        content_format = config.content_format
        if params.pct is not None and params.pct in (formats.SENML_CBOR, formats.SENML_JSON,
                                                     formats.TLV, formats.LWM2M_CBOR):
            content_format = params.pct  # Core §6.1.3: the client's preferred format
        old = self._bootstrap_targets.get(endpoint)
        if old is not None:
            self._abandon(old, now_ms)
        target = _Target(endpoint, event.peer, lis.name)
        target.session = _BootstrapSession(list(config.steps), content_format)
        self._bootstrap_targets[endpoint] = target
        self._reply(lis, event, codes.CHANGED, now_ms, message=event.response(codes.CHANGED))
        self._events.append(ev.BootstrapRequested(endpoint, event.peer))
        self._next_bootstrap_step(target, now_ms)

    def _next_bootstrap_step(self, target: _Target, now_ms: int) -> None:
        session = target.session
        assert session is not None
        if session.index >= len(session.steps):
            session.finished = True
            self._enqueue(target, op.BOOTSTRAP_FINISH, (), op.finish_message(), now_ms)
            return
        step = session.steps[session.index]
        root = "/"
        if step.op == DISCOVER:
            message = op.request(codes.GET, root, step.path, accept=LINK_FORMAT)
            kind = op.BOOTSTRAP_DISCOVER
        elif step.op == READ:
            message = op.request(codes.GET, root, step.path, accept=session.content_format)
            kind = op.BOOTSTRAP_READ
        elif step.op == DELETE:
            message = op.request(codes.DELETE, root, step.path)
            kind = op.BOOTSTRAP_DELETE
        else:
            assert step.op == WRITE
            try:
                payload = formats.encode(session.content_format, step.records, step.path,
                                         self.type_of)
            except FormatError as exc:
                # The script's values do not fit the format the client asked for: stop
                # here rather than send the client something it cannot decode.
                del self._bootstrap_targets[target.endpoint]
                self._events.append(ev.BootstrapFailed(
                    target.endpoint, step, "cannot encode %s: %s" % (format_path(step.path),
                                                                     exc)))
                return
            message = op.request(codes.PUT, root, step.path, payload,
                                 content_format=session.content_format)
            kind = op.BOOTSTRAP_WRITE
        self._enqueue(target, kind, step.path, message, now_ms)

    def _bootstrap_answer(self, target: _Target, operation: op.Operation,
                          outcome: "Any", now_ms: int) -> None:
        session = target.session
        assert session is not None
        endpoint = target.endpoint
        if operation.kind == op.BOOTSTRAP_FINISH:
            del self._bootstrap_targets[endpoint]
            if isinstance(outcome, ev.ResponseReceived) and outcome.code == codes.CHANGED:
                self._events.append(ev.BootstrapCompleted(endpoint))
            else:
                self._events.append(ev.BootstrapFailed(endpoint, None, _why(outcome)))
            return
        step = session.steps[session.index]
        # Core §6.1.7: 2.02 for Delete, 2.04 for Write, 2.05 for Discover / Read; a Delete
        # of something absent (4.04) is harmless for a bootstrap that writes afresh.
        good = isinstance(outcome, ev.ResponseReceived) and (
            outcome.success or (step.op == DELETE and outcome.code == codes.NOT_FOUND))
        if not good:
            del self._bootstrap_targets[endpoint]
            self._events.append(ev.BootstrapFailed(endpoint, step, _why(outcome)))
            return
        self._events.append(ev.BootstrapStepDone(endpoint, step, outcome))
        session.index += 1
        self._next_bootstrap_step(target, now_ms)

    # -- outgoing requests -------------------------------------------------------------------

    def _target(self, endpoint: str) -> _Target:
        target = self._targets.get(endpoint)
        if target is None:
            raise ServerError("no registered client %r" % endpoint)
        return target

    def _enqueue(self, target: _Target, kind: str, path: "Path", message: Message,
                 now_ms: int, paths: "list[Path] | None" = None) -> op.Operation:
        operation = op.Operation(self._next_id, kind, target.endpoint, path, message, paths)
        self._next_id += 1
        target.queue.append(operation)
        self._pump(target, now_ms)
        return operation

    def _pump(self, target: _Target, now_ms: int) -> None:
        if target.inflight is not None or not target.queue:
            return
        reg = target.registration
        if reg is not None and not reg.is_awake(now_ms):
            return  # Core §6.5: queue mode, wait for the client's next Update
        operation = target.queue.pop(0)
        lis = self._listeners[target.listener]
        handle = lis.coap.send_request(target.address, operation.message, now_ms)
        operation.transport = handle
        operation.token = handle.token
        target.inflight = operation
        self._by_transport[handle] = (target, operation)

    def _now(self, now_ms: "int | None") -> int:
        """The command's time: the one given, else the last the host passed in."""
        if now_ms is not None:
            self._now_ms = now_ms
        return self._now_ms

    def cancel_observe(self, operation: op.Operation, active: bool = True,
                       now_ms: "int | None" = None) -> None:
        """End an observation: actively (GET with Observe 1, RFC 7641 §3.6) or
        passively (forget it; the next notification is answered with RST)."""
        now = self._now(now_ms)
        if operation.kind not in op.OBSERVING:
            raise ServerError("%r is not an observation" % operation)
        target = self._find_target(operation)
        if not operation.active:
            # still in the queue: drop it; already ended: nothing to do
            if target is not None and operation in target.queue:
                target.queue.remove(operation)
                self._fail(operation, "cancelled")
            return
        operation.active = False
        handle = operation.transport
        lis = None if target is None else self._listeners.get(target.listener)
        if active and handle is not None and lis is not None:
            # The answer to the Observe-1 GET ends the observation (see _on_coap_event).
            lis.coap.cancel(handle, now)
            self._process(now)
            return
        # RFC 7641 §3.6 passive: forget the token in the CoAP layer too, so the client's
        # next notification is answered with RST and the client stops (ETS int-302).
        if handle is not None and lis is not None:
            lis.coap.cancel(handle, now, deregister=False)
        self._by_transport.pop(handle, None)
        self._events.append(ev.ObservationEnded(operation, "cancelled"))

    # -- outcomes ------------------------------------------------------------------------------

    def _decode(self, operation: op.Operation, message: Message) -> "tuple[Any, Any]":
        cf = message.content_format
        payload = message.payload
        if not payload or cf is None:
            return None, None
        try:
            if cf == LINK_FORMAT:
                return linkformat.parse(payload), None
            base = operation.path if operation.path else None
            return formats.decode(cf, payload, base, self.type_of), None
        except FormatError as exc:
            return None, str(exc)

    def _fail(self, operation: op.Operation, reason: str) -> None:
        operation.failure = reason
        operation.done = True
        operation.active = False
        self._events.append(ev.RequestFailed(operation, reason))

    def _on_coap_event(self, event: "Any", now_ms: int) -> None:
        handle = getattr(event, "request", None)
        entry = self._by_transport.get(handle) if handle is not None else None
        if entry is None:
            return  # not ours any more (abandoned, passively cancelled)
        target, operation = entry
        reg = target.registration
        if reg is not None:
            self.registrations.touch(reg, now_ms)  # it spoke: a queue-mode client is awake
        if isinstance(event, CoapNotification):
            if operation.active:
                message = event.response
                records, error = self._decode(operation, message)
                self._events.append(ev.NotificationReceived(
                    operation, message.code, message.content_format, message.payload,
                    records, message.observe, error))
            self._pump(target, now_ms)
            return
        reason = _reason(event)
        if operation.done:
            # An observation past its first response: whatever ends the CoAP request
            # (the answer to our cancel, the client ending it, a failure) ends it here.
            if reason is None and not isinstance(event, CoapResponse):
                return
            self._by_transport.pop(handle, None)
            operation.active = False
            self._events.append(ev.ObservationEnded(
                operation, "cancelled" if reason is None else reason))
            return
        if isinstance(event, CoapResponse):
            message = event.response
            records, error = self._decode(operation, message)
            outcome: "Any" = ev.ResponseReceived(operation, message.code,
                                                 message.content_format, message.payload,
                                                 records, error)
            operation.response = outcome
            operation.done = True
            if (operation.kind in op.OBSERVING and outcome.success
                    and message.observe is not None):
                operation.active = True  # RFC 7641 §3.1: the observation is established
                # forget the ones that ended since, so the list stays as long as the live set
                target.observations = [o for o in target.observations if o.active]
                target.observations.append(operation)
            else:
                self._by_transport.pop(handle, None)
        elif reason is not None and not isinstance(event, CoapObservationEnded):
            self._by_transport.pop(handle, None)
            operation.failure = reason
            operation.done = True
            outcome = ev.RequestFailed(operation, reason)
        else:
            return
        if target.inflight is operation:
            target.inflight = None
        self._events.append(outcome)
        if target.session is not None:
            self._bootstrap_answer(target, operation, outcome, now_ms)
        self._pump(target, now_ms)

    # -- inspection ------------------------------------------------------------------------------

    def registration(self, endpoint: str) -> "Registration | None":
        """The current registration of ``endpoint``, or None."""
        return self.registrations.by_endpoint(endpoint)

    def pending(self, endpoint: str) -> int:
        """How many requests wait for ``endpoint`` (queued plus in flight)."""
        target = self._targets.get(endpoint)
        if target is None:
            return 0
        return len(target.queue) + (1 if target.inflight is not None else 0)


def _why(outcome: "Any") -> str:
    if isinstance(outcome, ev.ResponseReceived):
        return "answered %s" % codes.code_text(outcome.code)
    if isinstance(outcome, ev.RequestFailed):
        return outcome.reason
    return str(outcome)


def _reason(event: "Any") -> "str | None":
    """Why a CoAP request ended without a response, or None for other events."""
    if isinstance(event, RequestTimedOut):
        return "timeout"
    if isinstance(event, ResetReceived):
        return "reset"
    if isinstance(event, (CoapRequestFailed, CoapObservationEnded)):
        return str(event.reason)
    return None
