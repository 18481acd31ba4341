"""The LwM2M Client: objects, device management, registration with one or several servers.

Theory of operation
-------------------
The Client is sans-IO. It owns the objects (``self.objects``, object id -> BaseObject),
the device-management dispatcher (``lwm2m.dm``) and one ``ServerSession`` per LwM2M
server, each with its ``RegistrationMachine`` (``lwm2m.registration``). It reads its
configuration only through the Security (0) and Server (1) objects: a session is made
for every non-bootstrap Security instance whose Short Server ID (/0/x/10) has a Server
instance (/1/y/0), and takes URI, lifetime, binding, disable timeout and default
periods from them at the moment it needs them. Changes made through the objects —
by a server, by bootstrap (part 2), or by the application — take effect by the
listeners the Client puts on them:

- /1/x/1 Lifetime written -> that server's machine sends an Update with ``lt``;
- /1/x/7 Binding written -> an Update with ``b``;
- an instance created or deleted in any object -> an Update with the object list
  to every registered server (Core §6.2.2);
- /1/x/8 Registration Update Trigger executed -> a parameter-less Update (a Register
  when not registered);
- /1/x/4 Disable executed -> De-register, register again after /1/x/5 seconds.

Transactions. The Client speaks to its servers in *transactions*: an
``OutgoingRequest`` (which server, method, Uri-Path, Uri-Query, Content-Format,
payload, and a transaction id) taken with ``next_request()``, whose outcome comes
back through ``response_received(txn, code, ...)`` or ``request_failed(txn, ...)``;
and incoming device-management requests answered synchronously by
``handle_request(ssid, DmRequest, now_ms) -> DmResponse``. The CoAP session of each
server (``coap.Endpoint`` inside a ``DtlsClient`` for ``coaps://``) maps those to
messages and owns retransmission, deduplication and block-wise transfer; part 2's
bootstrap, observe, notify and send use the same transactions and the same events.
A response to a transaction the Client no longer knows (after ``reset()``) is ignored.

Time comes in as ``now_ms`` on every call; ``get_timer()`` is the earliest deadline
of the sessions' machines and ``handle_timer(now_ms)`` runs the due ones.

Bootstrap, observe / notify, Send and queue mode live in ``lwm2m.reporting``
(``client.reporting``): the Client calls into it at a handful of hooks, listed in the
table at the top of that module. The bootstrap server has its own transport there,
not a ``ServerSession``; its requests reach ``handle_request`` with
``CALLER_BOOTSTRAP`` while ``bootstrapping`` is set.
"""

from coap.message import Message
from coap.params import TransmissionParams
from lwm2m import events as ev
from lwm2m import registration as reg
from lwm2m.device import ConnectivityStatistics, DeviceObject
from lwm2m.dm import (
    DELETE,
    POST,
    DeviceManagement,
    DmRequest,
    DmResponse,
)
from lwm2m.passthrough import DataContainers
from lwm2m.reporting import Reporting
from lwm2m.session import CoapSession
from objects.base import CALLER_BOOTSTRAP, BaseObject
from objects.definitions import ObjectDefinition
from objects.errors import BadRequest, MethodNotAllowed, ObjectError
from objects.standard import ACCESS_CONTROL, SECURITY, SERVER, definition

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any

    from coap.endpoint import Request
    from objects.path import Path

# Security object resources (Core Appendix E.1).
SEC_URI = 0
SEC_BOOTSTRAP = 1
SEC_MODE = 2
SEC_IDENTITY = 3
SEC_SERVER_KEY = 4
SEC_SECRET = 5
SEC_SSID = 10
# Security modes (/0/x/2).
MODE_PSK = 0
MODE_NO_SEC = 3

# Server object resources (Core Appendix E.2).
SRV_SSID = 0
SRV_LIFETIME = 1
SRV_PMIN = 2
SRV_PMAX = 3
SRV_DISABLE = 4
SRV_DISABLE_TIMEOUT = 5
SRV_STORE = 6
SRV_BINDING = 7
SRV_UPDATE_TRIGGER = 8

LINK_FORMAT = 40
REGISTER_OK = 0x41  # 2.01 Created
UPDATE_OK = 0x44  # 2.04 Changed

# Transaction kinds.
KIND_REGISTER = "register"
KIND_UPDATE = "update"
KIND_DEREGISTER = "deregister"


class ClientError(Exception):
    """The application misused the Client (unknown server, bad URI, ...)."""


class OutgoingRequest:
    """A request the Client wants sent to server ``ssid``; ``txn`` names its outcome."""

    __slots__ = ("content_format", "kind", "method", "payload", "query", "segments", "ssid",
                 "txn")

    def __init__(self, txn: int, ssid: int, kind: str, method: int,
                 segments: "tuple[str, ...]", query: "tuple[str, ...]" = (),
                 content_format: "int | None" = None, payload: bytes = b"") -> None:
        self.txn = txn
        self.ssid = ssid
        self.kind = kind
        self.method = method
        self.segments = segments
        self.query = query
        self.content_format = content_format
        self.payload = payload

    def __repr__(self) -> str:
        return "OutgoingRequest(#%d to %d: %s /%s?%s, %d bytes)" % (
            self.txn, self.ssid, self.kind, "/".join(self.segments), "&".join(self.query),
            len(self.payload))


def parse_uri(uri: str) -> "tuple[bool, str, int]":
    """``coaps://host:port`` -> (secure, host, port); ClientError when it is not a
    coap or coaps URI (the only transports of this client, Transport §5)."""
    if uri.startswith("coaps://"):
        secure, rest, port = True, uri[8:], 5684
    elif uri.startswith("coap://"):
        secure, rest, port = False, uri[7:], 5683
    else:
        raise ClientError("server URI %r is neither coap:// nor coaps://" % uri)
    rest = rest.split("/", 1)[0]
    if rest.startswith("["):
        end = rest.find("]")
        if end < 0:
            raise ClientError("bad IPv6 literal in %r" % uri)
        host, tail = rest[1:end], rest[end + 1:]
    else:
        host, _, port_text = rest.partition(":")
        tail = ":" + port_text if port_text else ""
    if tail:
        if not tail.startswith(":") or not tail[1:].isdigit():
            raise ClientError("bad port in %r" % uri)
        port = int(tail[1:])
    if not host:
        raise ClientError("no host in %r" % uri)
    return secure, host, port


class ServerSession:
    """One LwM2M server: where it is, its registration machine, its transactions."""

    __slots__ = ("host", "machine", "port", "secure", "security_iid", "server_iid", "ssid",
                 "transport", "uri", "version")

    def __init__(self, ssid: int, security_iid: int, server_iid: int, uri: str,
                 lifetime_s: int, policy: "reg.RegistrationPolicy", version: str) -> None:
        self.ssid = ssid
        self.security_iid = security_iid
        self.server_iid = server_iid
        self.uri = uri
        self.secure, self.host, self.port = parse_uri(uri)
        self.machine = reg.RegistrationMachine(lifetime_s, policy)
        self.version = version
        # The CoAP (+ DTLS) transport when the Client owns the datagrams, else None.
        self.transport: "CoapSession | None" = None

    @property
    def address(self) -> "tuple[str, int]":
        return (self.host, self.port)

    def __repr__(self) -> str:
        return "<ServerSession %d %s %s>" % (self.ssid, self.uri, reg.NAMES[self.machine.state])


class Client:
    """A sans-IO LwM2M client (see the module's theory of operation).

    ``endpoint``: the endpoint name (``lwm2m.config.endpoint_name`` gives the BG96 modes
    4 and 7); ``formats``: the ``lwm2m.formats`` module (imported when None);
    ``version``: the LwM2M version the client registers with (1.0 or 1.1);
    ``policy``: the registration timing (``ClientSettings.registration_backoff()``
    gives the ``lwm2m_cfg`` back-off); ``queue_mode``: register with the Q flag."""

    __slots__ = (
        "_closing",
        "_events",
        "_next_txn",
        "_now_ms",
        "_requests",
        "_started",
        "_txns",
        "bootstrapping",
        "coap_params",
        "containers",
        "device",
        "dm",
        "endpoint",
        "objects",
        "policy",
        "queue_mode",
        "reporting",
        "rng",
        "sessions",
        "sms_number",
        "state",
        "statistics",
        "transport_options",
        "version",
    )

    def __init__(self, endpoint: str, formats: "Any" = None, version: str = "1.1",
                 policy: "reg.RegistrationPolicy | None" = None, queue_mode: bool = False,
                 manufacturer: str = "", model: str = "", serial: str = "",
                 firmware_version: str = "", supported_bindings: str = "U",
                 rng: "Callable[[int], bytes] | None" = None,
                 coap_params: "TransmissionParams | None" = None,
                 transport_options: "dict[str, Any] | None" = None) -> None:
        if not endpoint:
            raise ClientError("the endpoint name cannot be empty")
        if version not in ("1.0", "1.1"):
            raise ClientError("LwM2M version %r is not 1.0 or 1.1" % version)
        if formats is None:
            import lwm2m.formats as formats
        self.endpoint = endpoint
        self.version = version
        policy = policy if policy is not None else reg.RegistrationPolicy()
        wait_ms = (coap_params or TransmissionParams()).max_transmit_wait_ms
        if policy.update_margin_ms < wait_ms:
            # The Update must land before the lifetime ends even when retransmitted
            # (a margin no smaller than MAX_TRANSMIT_WAIT, RFC 7252 §4.8.2).
            policy = reg.RegistrationPolicy(policy.backoff, wait_ms)
        self.policy = policy
        self.queue_mode = queue_mode
        self.sms_number = ""
        self.objects: "dict[int, BaseObject]" = {}
        self.dm = DeviceManagement(self.objects, formats)
        self.sessions: "dict[int, ServerSession]" = {}
        self.state = ev.STATE_INITIAL
        self._events: "list[object]" = []
        self._requests: "list[OutgoingRequest]" = []
        self._txns: "dict[int, tuple[int, str]]" = {}
        self._next_txn = 1
        self._now_ms = 0
        self._started = False
        self._closing = False
        self.rng = rng
        self.coap_params = coap_params
        self.transport_options = transport_options or {}
        # True while a bootstrap server may write (part 2's bootstrap sets it).
        self.bootstrapping = False
        for oid in (SECURITY, SERVER, ACCESS_CONTROL):
            self.add_object(BaseObject(definition(oid)))
        self.device = DeviceObject(manufacturer, model, serial, firmware_version,
                                   supported_bindings)
        self.device.on_execute(4, lambda iid, args, caller: self._events.append(
            ev.RebootRequested(caller)))
        self.device.on_execute(5, lambda iid, args, caller: self._events.append(
            ev.FactoryResetRequested(caller)))
        self.add_object(self.device)
        self.statistics = ConnectivityStatistics(lambda: self._now_ms)
        self.add_object(self.statistics)
        self.containers = DataContainers(self._downlink)
        self.add_object(self.containers.binary)
        self.add_object(self.containers.app_data)
        server = self.objects[1]
        server.on_execute(SRV_DISABLE, self._disable_executed)
        server.on_execute(SRV_UPDATE_TRIGGER, self._update_trigger_executed)
        server.on_write(SRV_LIFETIME, _check_lifetime)
        # Part 2 (bootstrap, observe, send, queue mode): lwm2m.reporting.
        self.reporting = Reporting(self)

    # ----------------------------------------------------------------- the objects

    def add_object(self, obj: "BaseObject | ObjectDefinition") -> BaseObject:
        """Add an object (an instance of ``BaseObject`` or a subclass, or a definition
        for a plain stored one); it replaces one with the same id. Returns it."""
        if isinstance(obj, ObjectDefinition):
            obj = BaseObject(obj)
        old = self.objects.get(obj.id)
        if old is not None:
            old.remove_listener(self._changed)
        self.objects[obj.id] = obj
        obj.add_listener(self._changed)
        if old is None or old.instance_ids() or obj.instance_ids():
            self._object_list_changed()
        return obj

    def add_ddf(self, filename: str) -> "list[BaseObject]":
        """Add the objects defined by an OMA DDF XML file (CPython only)."""
        from objects.ddf import load_ddf

        return [self.add_object(d) for d in load_ddf(filename)]

    def remove_object(self, oid: int) -> None:
        """Remove object ``oid`` (the Update that follows carries the new object list)."""
        if oid in (0, 1, 3):
            raise ClientError("object %d is part of every client" % oid)
        obj = self.objects.pop(oid)
        obj.remove_listener(self._changed)
        self._object_list_changed()

    def set_value(self, path: "Path | str", value: "Any") -> None:
        """Set a resource (or resource instance) from the application: ``"/3/0/9"``."""
        if isinstance(path, str):
            from objects.path import parse_path

            path = parse_path(path)
        if len(path) not in (3, 4) or path[0] not in self.objects:
            raise ClientError("%r names no resource of this client" % (path,))
        obj = self.objects[path[0]]
        obj.set_value(path[1], path[2], value, path[3] if len(path) == 4 else None)

    def get_value(self, path: "Path | str") -> "Any":
        """The current value of a resource (or resource instance)."""
        if isinstance(path, str):
            from objects.path import parse_path

            path = parse_path(path)
        if len(path) not in (3, 4) or path[0] not in self.objects:
            raise ClientError("%r names no resource of this client" % (path,))
        return self.objects[path[0]].get_value(path[1], path[2],
                                               path[3] if len(path) == 4 else None)

    def set_uplink(self, oid: int, data: bytes, iid: int = 0) -> "Path":
        """Uplink application data into object 19 or 10250 (``AT+QLWM2M="uldata"``)."""
        return self.containers.set_uplink(oid, data, iid)

    def add_server(self, uri: str, ssid: int, lifetime_s: int = 86400, binding: str = "U",
                   security_mode: "int | None" = None, identity: bytes = b"",
                   secret: bytes = b"", disable_timeout_s: "int | None" = None,
                   pmin_s: "int | None" = None, pmax_s: "int | None" = None) -> None:
        """Add an LwM2M server account as a Security and a Server instance (what a
        factory bootstrap does); PSK (mode 0) with ``identity`` / ``secret`` for
        coaps://, no security (mode 3) for coap://."""
        secure, _host, _port = parse_uri(uri)
        if security_mode is None:
            security_mode = MODE_PSK if secure else MODE_NO_SEC
        for session in self._accounts():
            if session[0] == ssid:
                raise ClientError("Short Server ID %d is configured already" % ssid)
        self.objects[0].add_instance(None, {
            SEC_URI: uri, SEC_BOOTSTRAP: False, SEC_MODE: security_mode,
            SEC_IDENTITY: bytes(identity), SEC_SERVER_KEY: b"", SEC_SECRET: bytes(secret),
            SEC_SSID: ssid})
        values: "dict[int, Any]" = {SRV_SSID: ssid, SRV_LIFETIME: lifetime_s,
                                    SRV_STORE: False, SRV_BINDING: binding}
        for rid, value in ((SRV_DISABLE_TIMEOUT, disable_timeout_s), (SRV_PMIN, pmin_s),
                           (SRV_PMAX, pmax_s)):
            if value is not None:
                values[rid] = value
        self.objects[1].add_instance(None, values)
        if self._started:
            self._resync()
            self._pump()

    # ------------------------------------------------------------------ commands

    def start(self, now_ms: int, resume: "dict[int, tuple[str, int]] | None" = None) -> None:
        """Register with every configured server. ``resume`` maps a Short Server ID to
        ``(location, update_at_ms)`` of a registration that outlived a restart
        (PER_REGSTATUS_FEAT): that server is taken as registered, no Register is sent."""
        self._now_ms = now_ms
        self._started = True
        self._closing = False
        self._sync_sessions()
        if not self.sessions:
            self._set_state(ev.STATE_BOOTSTRAP_REQUIRED)
            if self.reporting.start_hook(now_ms):
                self._pump()
            return
        self._set_state(ev.STATE_REGISTER_REQUIRED)
        for session in self._sorted_sessions():
            saved = resume.get(session.ssid) if resume else None
            if saved is not None and session.machine.state == reg.IDLE:
                session.machine.resume(now_ms, saved[0], saved[1])
            elif session.machine.state in (reg.IDLE, reg.FAILED, reg.RETRY_WAIT):
                session.machine.start(now_ms)
        self._pump()

    def update_registration(self, now_ms: int, ssid: "int | None" = None,
                            with_objects: bool = False) -> None:
        """Send an Update to ``ssid`` (every registered server when None), with the
        object list when ``with_objects`` (``AT+QLWM2M="update"``)."""
        self._now_ms = now_ms
        params = (reg.UPDATE_OBJECTS,) if with_objects else ()
        for session in self._targets(ssid):
            if session.machine.registered:
                session.machine.update(now_ms, params)
            elif ssid is not None:
                raise ClientError("not registered with server %d" % ssid)
        self._pump()

    def set_lifetime(self, now_ms: int, ssid: int, lifetime_s: int) -> None:
        """``AT+QLWM2M="lifetime"``: write /1/x/1; the Update follows."""
        self._now_ms = now_ms
        session = self._session(ssid)
        self.objects[1].set_value(session.server_iid, SRV_LIFETIME, lifetime_s)
        self._pump()

    def deregister(self, now_ms: int, ssid: "int | None" = None) -> None:
        """De-register from ``ssid`` (every server when None)."""
        self._now_ms = now_ms
        if ssid is None:
            self._closing = True
        for session in self._targets(ssid):
            session.machine.deregister(now_ms)
        self._pump()

    def send(self, now_ms: int, paths: "list[Any]", ssid: "int | None" = None,
             content_format: int = 112) -> "list[int]":
        """Send (LwM2M 1.1, POST /dp) the values under ``paths`` (``"/3/0/9"`` or
        tuples) to ``ssid`` (every registered server when None) except where Mute Send
        is set; returns the transaction ids (SendCompleted / SendFailed events follow)."""
        return self.reporting.send(now_ms, paths, ssid, content_format)

    def bootstrap(self, now_ms: int) -> None:
        """Start a client-initiated bootstrap now (Core §6.1.3)."""
        self._now_ms = now_ms
        self.reporting.start_bootstrap(now_ms)
        self._pump()

    def reset(self, now_ms: int) -> None:
        """Drop every transaction and registration and start again cleanly (when
        started): late answers to the dropped transactions are ignored."""
        self._now_ms = now_ms
        started = self._started
        for session in self.sessions.values():
            session.machine.reset()
        self.sessions.clear()
        self.reporting.reset()
        self._requests = []
        self._txns.clear()
        self._started = False
        self._closing = False
        self._set_state(ev.STATE_INITIAL)
        if started:
            self.start(now_ms)

    # --------------------------------------------------- transactions (sessions)

    def next_request(self) -> "OutgoingRequest | None":
        """The next request to send to a server, or None. (Changes the application made
        through the objects since the last call are taken into account here, at the
        time of the last call that passed ``now_ms``.)"""
        self._pump()
        return self._requests.pop(0) if self._requests else None

    def response_received(self, txn: int, code: int, now_ms: int,
                          location: "tuple[str, ...]" = ()) -> None:
        """The server answered transaction ``txn`` with ``code`` (the code byte);
        ``location`` is the response's Location-Path."""
        self._now_ms = now_ms
        found = self._txns.pop(txn, None)
        if found is None:
            return
        ssid, kind = found
        if kind not in (KIND_REGISTER, KIND_UPDATE, KIND_DEREGISTER):
            self.reporting.outcome(txn, ssid, kind, code, "", now_ms)
            self._pump()
            return
        session = self.sessions.get(ssid)
        if session is None:
            return
        machine = session.machine
        text = "%d.%02d" % (code >> 5, code & 0x1F)
        if kind == KIND_REGISTER:
            if code == REGISTER_OK and location:
                machine.register_succeeded(now_ms, "/" + "/".join(location))
            elif code == REGISTER_OK:
                machine.register_failed(now_ms, "2.01 without a Location-Path")
            else:
                machine.register_failed(now_ms, text)
        elif kind == KIND_UPDATE:
            if code == UPDATE_OK:
                machine.update_succeeded(now_ms)
            else:
                machine.update_failed(now_ms, code, text)
        else:
            machine.deregister_done(now_ms)
        self._pump()

    def request_failed(self, txn: int, now_ms: int, reason: str = "timeout") -> None:
        """Transaction ``txn`` got no answer (timeout, RST, DTLS failure)."""
        self._now_ms = now_ms
        found = self._txns.pop(txn, None)
        if found is None:
            return
        ssid, kind = found
        if kind not in (KIND_REGISTER, KIND_UPDATE, KIND_DEREGISTER):
            self.reporting.outcome(txn, ssid, kind, None, reason, now_ms)
            self._pump()
            return
        session = self.sessions.get(ssid)
        if session is None:
            return
        if kind == KIND_REGISTER:
            session.machine.register_failed(now_ms, reason)
        elif kind == KIND_UPDATE:
            session.machine.update_failed(now_ms, None, reason)
        else:
            session.machine.deregister_done(now_ms)
        self._pump()

    def handle_request(self, ssid: int, request: DmRequest, now_ms: int) -> DmResponse:
        """Answer a device-management request of server ``ssid``."""
        self._now_ms = now_ms
        session = self.sessions.get(ssid)
        if ssid == CALLER_BOOTSTRAP:
            # Core §6.1: the bootstrap server's rights last as long as a bootstrap.
            response = self.reporting.bootstrap_request(request, now_ms)
        elif session is None and ssid != CALLER_BOOTSTRAP:
            # Only a configured server manages this client.
            response = DmResponse(0x81, reason="server %d is not configured" % ssid)
        else:
            version = session.version if session is not None else self.version
            response = self.dm.handle(request, ssid, version, lambda: self._periods(ssid))
        self._events.append(ev.RequestHandled(ssid, request.method,
                                              "/" + "/".join(request.segments), response.code))
        self._pump()
        return response

    # --------------------------------------------- datagrams (with ``rng`` given)

    def receive_datagram(self, data: bytes, addr: "Any", now_ms: int) -> None:
        """A datagram from ``addr``: the address ``datagrams_to_send`` gave for the
        server (the host maps what its socket reports back to it). Unknown senders
        are ignored; remote faults never raise."""
        self._now_ms = now_ms
        if isinstance(addr, tuple) and len(addr) > 2:
            addr = addr[:2]  # an AF_INET6 socket reports (host, port, flowinfo, scope)
        bootstrap = self.reporting.bootstrap_transport
        if bootstrap is not None and bootstrap.address == addr and self.bootstrapping:
            self.statistics.count(received=len(data))
            bootstrap.receive_datagram(data, now_ms)
            self._service(now_ms)
            return
        for session in self._sorted_sessions():
            if session.address == addr and session.transport is not None:
                if not self.reporting.receiving(session, now_ms):
                    return  # queue mode: asleep, not listening
                self.statistics.count(received=len(data))
                session.transport.receive_datagram(data, now_ms)
                self._service(now_ms)
                return
        if bootstrap is not None and bootstrap.address == addr:
            bootstrap.receive_datagram(data, now_ms)
            self._service(now_ms)

    def datagrams_to_send(self) -> "list[tuple[tuple[str, int], bytes]]":
        """``(server address, datagram)`` pairs for the wire, protected for coaps://.
        Requests queued by commands since the last call are sent at the time of the
        last call that passed ``now_ms``."""
        self._pump()
        self._service(self._now_ms)
        out = []
        for item in self.reporting.bootstrap_datagrams():
            self.statistics.count(sent=len(item[1]))
            out.append(item)
        for session in self._sorted_sessions():
            if session.transport is None:
                continue
            for data in session.transport.datagrams_to_send():
                self.statistics.count(sent=len(data))
                out.append((session.address, data))
        return out

    def _service(self, now_ms: int) -> None:
        """Move transactions into the CoAP sessions and their events back, until
        nothing moves (an answer may queue a request: a 4.04 Update -> Register)."""
        if self.rng is None:
            return
        for _ in range(64):
            moved = False
            self.reporting.service(now_ms)
            # Failures and answers first: a request queued in answer to them must not
            # be taken for one that went down with a failed DTLS connection.
            for session in self._sorted_sessions():
                transport = session.transport
                if transport is None:
                    continue
                if transport.failed:
                    reason = transport.failed[-1]
                    transport.failed = []
                    self._fail_session(session, reason, now_ms)
                    moved = True
                while True:
                    event = transport.next_event()
                    if event is None:
                        break
                    moved = True
                    self._transport_event(session, event, now_ms)
            while self._requests:
                request = self._requests.pop(0)
                target = self.sessions.get(request.ssid)
                if request.ssid == CALLER_BOOTSTRAP and self.reporting.send_bootstrap(
                        request, now_ms):
                    moved = True
                    continue
                if target is None or target.transport is None:
                    self._txns.pop(request.txn, None)
                    continue
                handle = target.transport.send(_message(request), now_ms)
                handle.tag = request.txn
                self.reporting.sent(request.ssid, now_ms)
                moved = True
            if not moved:
                return

    def _fail_session(self, session: ServerSession, reason: str, now_ms: int) -> None:
        """Every transaction of ``session`` failed (its DTLS connection is gone)."""
        for txn in sorted(self._txns):
            if self._txns.get(txn, (None,))[0] == session.ssid:
                self.request_failed(txn, now_ms, reason)

    def _transport_event(self, session: ServerSession, event: "Any", now_ms: int) -> None:
        name = type(event).__name__
        if name == "RequestReceived":
            message = event.request
            request = DmRequest(message.code, message.uri_path, message.payload,
                                message.content_format, message.accept, message.uri_query,
                                message.observe)
            answer = self.handle_request(session.ssid, request, now_ms)
            response = event.response(answer.code, answer.payload, answer.content_format)
            if answer.location:
                response.location_path = answer.location
            assert session.transport is not None
            # Observe registrations: part 2 (lwm2m.reporting).
            self.reporting.respond(session, event, request, answer, response, now_ms)
        elif name == "ResponseReceived":
            txn = _txn_of(event.request)
            if txn is not None:
                response = event.response
                self.response_received(txn, response.code, now_ms, response.location_path)
        elif name in ("RequestTimedOut", "ResetReceived", "RequestFailed"):
            transport = session.transport
            if name == "RequestTimedOut" and transport is not None and transport.dtls:
                # The server may have lost our DTLS session: handshake again, and
                # everything that was in flight over the old one has failed.
                transport.drop_security()
                self._fail_session(session, "timeout (DTLS session dropped)", now_ms)
                return
            txn = _txn_of(event.request)
            if txn is not None:
                reason = getattr(event, "reason", None) or name
                self.request_failed(txn, now_ms, reason)
        else:
            self.reporting.transport_event(session, event, now_ms)

    # -------------------------------------------------------------- timer, events

    def get_timer(self) -> "int | None":
        """The earliest deadline of the sessions, or None."""
        deadline = self.statistics.deadline_ms
        t = self.reporting.get_timer()
        if t is not None and (deadline is None or t < deadline):
            deadline = t
        for session in self.sessions.values():
            for t in (session.machine.get_timer(),
                      None if session.transport is None else session.transport.get_timer()):
                if t is not None and (deadline is None or t < deadline):
                    deadline = t
        return deadline

    def handle_timer(self, now_ms: int) -> None:
        """Run what is due at ``now_ms``."""
        self._now_ms = now_ms
        self.statistics.handle_timer(now_ms)
        for session in self._sorted_sessions():
            if session.transport is not None:
                session.transport.handle_timer(now_ms)
            session.machine.handle_timer(now_ms)
        self.reporting.handle_timer(now_ms)
        self._pump()
        self._service(now_ms)

    def next_event(self) -> "object | None":
        """The next event (``lwm2m.events``), or None."""
        if not self._events:
            self._pump()
        return self._events.pop(0) if self._events else None

    # ------------------------------------------------------------------ internals

    def _session(self, ssid: int) -> ServerSession:
        session = self.sessions.get(ssid)
        if session is None:
            raise ClientError("no server with Short Server ID %d" % ssid)
        return session

    def _targets(self, ssid: "int | None") -> "list[ServerSession]":
        return self._sorted_sessions() if ssid is None else [self._session(ssid)]

    def _sorted_sessions(self) -> "list[ServerSession]":
        return [self.sessions[k] for k in sorted(self.sessions)]

    def _accounts(self) -> "list[tuple[int, int, int, str]]":
        """(ssid, security iid, server iid, uri) of every usable DM server account."""
        security = self.objects[0]
        server = self.objects[1]
        servers = {}
        for iid in server.instance_ids():
            try:
                servers[server.get_value(iid, SRV_SSID)] = iid
            except ObjectError:
                continue
        found = []
        for iid in security.instance_ids():
            try:
                if security.get_value(iid, SEC_BOOTSTRAP):
                    continue
                ssid = security.get_value(iid, SEC_SSID)
                uri = security.get_value(iid, SEC_URI)
            except ObjectError:
                continue
            if ssid in servers:
                found.append((ssid, iid, servers[ssid], uri))
        return found

    def _sync_sessions(self) -> "list[ServerSession]":
        """Make the sessions match the Security / Server instances; return the new ones."""
        fresh = []
        accounts = {a[0]: a for a in self._accounts()}
        for ssid in list(self.sessions):
            if ssid not in accounts:
                gone = self.sessions.pop(ssid)
                gone.machine.reset()
                if gone.transport is not None:
                    gone.transport.close()
                self.dm.attributes.forget_server(ssid)
        for ssid, (_s, sec_iid, srv_iid, uri) in accounts.items():
            session = self.sessions.get(ssid)
            if session is not None and session.uri == uri:
                session.security_iid, session.server_iid = sec_iid, srv_iid
                continue
            if session is not None and session.transport is not None:
                session.transport.close()
            lifetime = self.objects[1].get_value(srv_iid, SRV_LIFETIME)
            session = ServerSession(ssid, sec_iid, srv_iid, uri, lifetime, self.policy,
                                    self.version)
            if self.rng is not None:
                session.transport = self._transport(session)
            self.sessions[ssid] = session
            fresh.append(session)
        return fresh

    def _resync(self) -> None:
        # An account appeared or changed after start: register with it too.
        if self.bootstrapping:
            return  # Core §6.1.7.7: registration waits for Bootstrap-Finish
        for session in self._sync_sessions():
            if self._started and not self._closing:
                session.machine.start(self._now_ms)
    def _transport(self, session: ServerSession) -> CoapSession:
        assert self.rng is not None
        credentials = None
        if session.secure:
            security = self.objects[0]
            try:
                mode = security.get_value(session.security_iid, SEC_MODE)
                identity = security.get_value(session.security_iid, SEC_IDENTITY)
                secret = security.get_value(session.security_iid, SEC_SECRET)
            except ObjectError:
                raise ClientError("server %d: the Security instance lacks its PSK"
                                  % session.ssid) from None
            if mode != MODE_PSK:
                # Transport §5.2: only the PSK mode is implemented (dtls_psk).
                raise ClientError("server %d: security mode %d is not supported"
                                  % (session.ssid, mode))
            credentials = (bytes(identity), bytes(secret))
        return CoapSession(session.address, self.rng, credentials, self.coap_params,
                           **self.transport_options)

    def _server_value(self, session: ServerSession, rid: int, default: "Any") -> "Any":
        try:
            return self.objects[1].get_value(session.server_iid, rid)
        except ObjectError:
            return default

    def _periods(self, ssid: int) -> "tuple[int | None, int | None]":
        session = self.sessions.get(ssid)
        if session is None:
            return (None, None)
        return (self._server_value(session, SRV_PMIN, None),
                self._server_value(session, SRV_PMAX, None))

    def _server_of_instance(self, server_iid: int) -> "ServerSession | None":
        for session in self.sessions.values():
            if session.server_iid == server_iid:
                return session
        return None

    # Hooks on the Server object and listeners on every object.

    def _disable_executed(self, iid: int, args: bytes, caller: int) -> None:
        session = self._server_of_instance(iid)
        if session is None or not session.machine.registered:
            raise MethodNotAllowed("the server of /1/%d is not registered" % iid)
        timeout = self._server_value(session, SRV_DISABLE_TIMEOUT,
                                     reg.DEFAULT_DISABLE_TIMEOUT_S)
        session.machine.disable(self._now_ms, timeout)

    def _update_trigger_executed(self, iid: int, args: bytes, caller: int) -> None:
        session = self._server_of_instance(iid)
        if session is None:
            raise MethodNotAllowed("/1/%d has no server session" % iid)
        machine = session.machine
        if machine.state in (reg.IDLE, reg.FAILED, reg.DISABLED):
            machine.start(self._now_ms)
        elif machine.state != reg.DEREGISTERING:
            machine.update(self._now_ms)

    def _changed(self, path: "Path") -> None:
        self.reporting.changed(path, self._now_ms)
        if len(path) == 2:
            self._object_list_changed()
            if path[0] in (0, 1) and self._started:
                self._resync()
            return
        if path[0] in (0, 1) and len(path) >= 3 and path[2] in (SEC_URI, SRV_SSID, SEC_SSID) \
                and self._started:
            # A server account changed where it points (bootstrap, part 2): re-sync.
            self._resync()
        if path[0] != 1 or len(path) < 3:
            return
        session = self._server_of_instance(path[1])
        if session is None:
            return
        if path[2] == SRV_LIFETIME:
            lifetime = self._server_value(session, SRV_LIFETIME, session.machine.lifetime_s)
            session.machine.set_lifetime(self._now_ms, lifetime)
        elif path[2] == SRV_BINDING and session.machine.state in (reg.REGISTERED, reg.UPDATING):
            session.machine.update(self._now_ms, (reg.UPDATE_BINDING,))

    def _object_list_changed(self) -> None:
        # Core §6.2.2: the object list changed; every registered server hears of it.
        for session in self.sessions.values():
            if session.machine.state in (reg.REGISTERED, reg.UPDATING):
                session.machine.update(self._now_ms, (reg.UPDATE_OBJECTS,))

    def _downlink(self, path: "Path", data: bytes, caller: int) -> None:
        self._events.append(ev.DownlinkDataReceived(path, data, caller))

    # Requests out, events up, the state.

    def _pump(self) -> None:
        for session in self._sorted_sessions():
            machine = session.machine
            while True:
                request = machine.next_request()
                if request is None:
                    break
                self._requests.append(self._build(session, request))
            while True:
                event = machine.next_event()
                if event is None:
                    break
                self._events.append(_client_event(session.ssid, event))
                self.reporting.machine_event(session, event, self._now_ms)
        while True:
            extra = self.reporting.next_event()
            if extra is None:
                break
            self._events.append(extra)
        self._set_state(self._computed_state())

    def _txn(self, ssid: int, kind: str) -> int:
        txn = self._next_txn
        self._next_txn += 1
        self._txns[txn] = (ssid, kind)
        return txn

    def _build(self, session: ServerSession, request: object) -> OutgoingRequest:
        if isinstance(request, reg.RegisterRequest):
            return OutgoingRequest(
                self._txn(session.ssid, KIND_REGISTER), session.ssid, KIND_REGISTER, POST,
                ("rd",), self.register_query(session), LINK_FORMAT, self.object_links())
        if isinstance(request, reg.UpdateRequest):
            query = []
            payload = b""
            params = request.parameters
            if reg.UPDATE_LIFETIME in params:
                query.append("lt=%d" % session.machine.lifetime_s)
            if reg.UPDATE_BINDING in params:
                query.append("b=" + self._binding(session))
            if reg.UPDATE_OBJECTS in params:
                payload = self.object_links()
            return OutgoingRequest(
                self._txn(session.ssid, KIND_UPDATE), session.ssid, KIND_UPDATE, POST,
                _segments(request.location), tuple(query),
                LINK_FORMAT if payload else None, payload)
        assert isinstance(request, reg.DeregisterRequest)
        return OutgoingRequest(
            self._txn(session.ssid, KIND_DEREGISTER), session.ssid, KIND_DEREGISTER, DELETE,
            _segments(request.location))

    def _binding(self, session: ServerSession) -> str:
        binding = str(self._server_value(session, SRV_BINDING, "U"))
        if session.version != "1.0":
            # LwM2M 1.1 Core §6.2.1: queue mode is the Q parameter, not a binding letter.
            binding = binding.replace("Q", "")
        elif self.queue_mode and "Q" not in binding:
            binding += "Q"
        return binding or "U"

    def register_query(self, session: ServerSession) -> "tuple[str, ...]":
        """The Uri-Query of a Register (Core §6.2.1, Table 6.2.1-1)."""
        query = ["ep=" + self.endpoint, "lt=%d" % session.machine.lifetime_s,
                 "lwm2m=" + session.version, "b=" + self._binding(session)]
        if self.sms_number:
            query.append("sms=" + self.sms_number)
        if self.queue_mode and session.version != "1.0":
            query.append("Q")
        return tuple(query)

    def object_links(self) -> bytes:
        """The Register / Update payload: every object and instance but Security
        (Core §6.2.1: "The Security Object ... MUST NOT be part of" the list), with
        ``ver`` for objects whose version is not 1.0."""
        parts = ['</>;rt="oma.lwm2m"']
        for oid in sorted(self.objects):
            if oid == 0:
                continue
            obj = self.objects[oid]
            iids = obj.instance_ids()
            if obj.version != "1.0" or not iids:
                parts.append("</%d>" % oid + (";ver=" + obj.version if obj.version != "1.0"
                                              else ""))
            for iid in iids:
                parts.append("</%d/%d>" % (oid, iid))
        return ",".join(parts).encode()

    def _computed_state(self) -> int:
        if not self._started:
            return ev.STATE_INITIAL
        imposed = self.reporting.computed_state()
        if imposed is not None:
            return imposed
        if not self.sessions:
            return ev.STATE_BOOTSTRAP_REQUIRED
        states = [s.machine.state for s in self.sessions.values()]
        if any(s in (reg.REGISTERED, reg.UPDATING) for s in states):
            return ev.STATE_READY
        if reg.DEREGISTERING in states:
            return ev.STATE_DEREGISTERING
        if any(s in (reg.REGISTERING, reg.RETRY_WAIT) for s in states):
            return ev.STATE_REGISTERING
        if all(s == reg.FAILED for s in states):
            return ev.STATE_REGISTRATION_FAILED
        if all(s == reg.DISABLED for s in states):
            return ev.STATE_DISABLED
        if self._closing:
            return ev.STATE_DEREGISTERED
        return self.state

    def _set_state(self, state: int) -> None:
        if state != self.state:
            self.state = state
            self._events.append(ev.StateChanged(state))


def _check_lifetime(iid: int, value: "Any", caller: int) -> None:
    # Core Appendix E.2: the lifetime is a positive number of seconds.
    if value is None or value <= 0:
        raise BadRequest("the lifetime must be a positive number of seconds")


def _message(request: OutgoingRequest) -> Message:
    message = Message(code=request.method, payload=request.payload)
    message.uri_path = request.segments
    if request.query:
        message.uri_query = request.query
    if request.content_format is not None:
        message.content_format = request.content_format
    return message


def _txn_of(request: "Request") -> "int | None":
    tag = request.tag
    return tag if isinstance(tag, int) else None


def _segments(location: str) -> "tuple[str, ...]":
    return tuple([s for s in location.split("/") if s])


def _client_event(ssid: int, event: object) -> object:
    if isinstance(event, reg.Registered):
        return ev.Registered(ssid, event.location)
    if isinstance(event, reg.RegistrationUpdated):
        return ev.RegistrationUpdated(ssid, event.parameters)
    if isinstance(event, reg.Deregistered):
        return ev.Deregistered(ssid, event.reason)
    if isinstance(event, reg.RegistrationFailed):
        return ev.RegistrationFailed(ssid, event.reason, event.attempts, event.final,
                                     event.retry_at_ms)
    if isinstance(event, reg.Disabled):
        return ev.Disabled(ssid, event.until_ms)
    return event


