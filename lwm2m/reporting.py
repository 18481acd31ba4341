"""The Client's part 2: bootstrap, observe / notify, Send and queue mode.

Theory of operation
-------------------
``lwm2m.client.Client`` holds one :class:`Reporting` (``client.reporting``) and calls
it at a few points (its "hooks"), each one or two lines in ``lwm2m/client.py``:

==========================  ===================================================
Client                      Reporting
==========================  ===================================================
``start`` (no account)      ``start_hook``: bootstrap when a BS account exists
``handle_request`` (BS)     ``bootstrap_request``: the bootstrap semantics
``_transport_event``        ``respond`` (observe registration), ``transport_event``
``response_received`` /     ``outcome`` for the kinds ``send`` and ``bootstrap``
``request_failed``
``_changed`` (listener)     ``changed``: feeds the observations' timers
``_pump``                   ``machine_event`` per registration event; ``next_event``
``_service``                ``service`` (due notifications, the BS session);
                            ``send_bootstrap``; ``sent`` (queue mode: awake)
``receive_datagram``        the BS session's address; ``receiving`` (asleep: drop)
``datagrams_to_send``       ``bootstrap_datagrams``
``get_timer`` / ``handle_   ``get_timer`` / ``handle_timer``
timer``
``_computed_state``         ``computed_state`` (2 bootstrapping, 9, 11 sleeping)
``_resync``                 skipped while ``bootstrapping``
``reset``                   ``reset``
==========================  ===================================================

Everything here runs on the Client's clock (``now_ms`` of the last call) and reaches
the wire through the Client's sessions, so the sans-IO face stays the Client's.

Observe (Core §6.4, ``lwm2m.observe``): a GET / FETCH with Observe 0 answered 2.05
registers a CoAP observation (``coap.Endpoint.respond``) and an LwM2M one, timed by a
``NotifyTimer`` with the attributes in force for that server. A change of an object
feeds the timers of the observations it concerns; due notifications are built by
running the original request through the dispatcher again and go out with
``coap.Endpoint.notify``: confirmable when ``notify_confirmable`` says so (None: the
endpoint's rule of RFC 7641 §4.5, a CON every ``observe_con_every``).

Offline (Core §6.4, Server /1/x/6 "Notification Storing When Disabled or Offline"):
a server is offline while the client sleeps in queue mode, while it is not registered,
and after a confirmable notification went unacknowledged (RFC 7641 §4.5 would drop
the observer; LwM2M keeps it and probes the server with an Update). Notifications
due meanwhile are kept, in order, when /1/x/6 is true (else only each observation's
latest), and flushed in order once an Update or Register is answered. A new
registration (Register answered 2.01) starts with no observations: the server
forgot them with the old registration (Core §6.2.1).

Bootstrap (Core §6.1, ``lwm2m.bootstrap`` and ``lwm2m.bootstrap_client``): started
when the client has no LwM2M server account but a Bootstrap-Server account (after
its Client Hold Off Time, /0/x/11), when a server's registration finally failed and
the carrier configuration (BS_IF_REG_FAILS, or /1/x/16) says so, or when a server
executes the Bootstrap-Request Trigger (/1/x/9). The Bootstrap-Server gets its own
CoAP session; its requests are answered with the bootstrap semantics; a consistent
Bootstrap-Finish ends the bootstrap and the Client registers with what it was given.
"""

from lwm2m import bootstrap as bsm
from lwm2m import registration as reg
from lwm2m.bootstrap_client import (
    NOT_ACCEPTABLE,
    bootstrap_server_iids,
    configuration_problems,
    handle_bootstrap_request,
)
from lwm2m.dm import CHANGED, FETCH, GET, PUT, DmRequest, DmResponse, parse_segments
from lwm2m.notify import EVALUATE, NOTIFY, NotifyTimer
from lwm2m.observe import (
    NotificationSent,
    Observation,
    ObservationRegistry,
    ObservationStarted,
    ObservationStopped,
    observation_attributes,
)
from lwm2m.queue_mode import QueueState, Sleeping, Woken
from lwm2m.send import KIND_SEND, SENML_CBOR, SendCompleted, SendFailed, muted, send_records
from objects.errors import MethodNotAllowed, ObjectError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from lwm2m.session import CoapSession
    from objects.path import Path

KIND_BOOTSTRAP = "bootstrap"
BOOTSTRAP_SSID = 0  # CALLER_BOOTSTRAP: the Bootstrap-Server in transactions

SRV_STORING = 6
SRV_BOOTSTRAP_TRIGGER = 9
SRV_BOOTSTRAP_ON_FAILURE = 16
SEC_URI = 0
SEC_MODE = 2
SEC_IDENTITY = 3
SEC_SECRET = 5
SEC_HOLD_OFF = 11
SENML_JSON = 110
LWM2M_CBOR = 11544


class Reporting:
    """Bootstrap, observations, Send and queue mode of one Client (module docstring).

    Settings (attributes): ``notify_confirmable`` (True: every notification CON,
    False: every one NON, None: the endpoint's CON-every-N rule); ``awake_ms``
    (queue mode awake time, ``lwm2m_cfg`` ACK_TIMEOUT); ``bootstrap_on_failure``
    (Short Server IDs whose final registration failure falls back to bootstrap,
    ``carrier_apn_cfg`` BS_IF_REG_FAILS); ``rebootstrap_max`` (how many such fallbacks
    in a row, REBOOTSTRAP_REG_FAILS_MAX_NO_ATTEMPTS; 0: no bound);
    ``bootstrap_endpoint`` (the name for /bs?ep=, default the Client's endpoint);
    ``bootstrap_format`` (the pct= preferred content format, None: not sent).
    """

    __slots__ = (
        "_bs_hold_until_ms",
        "_events",
        "_queue",
        "_ready",
        "_stored",
        "awake_ms",
        "bootstrap_endpoint",
        "bootstrap_format",
        "bootstrap_machine",
        "bootstrap_on_failure",
        "bootstrap_transport",
        "client",
        "notify_confirmable",
        "observations",
        "rebootstrap_max",
        "rebootstraps",
    )

    def __init__(self, client: "Any") -> None:
        self.client = client
        self.observations = ObservationRegistry()
        self.notify_confirmable: "bool | None" = None
        self.awake_ms = 60000
        self.bootstrap_on_failure: "set[int]" = set()
        self.rebootstrap_max = 0
        self.rebootstraps = 0
        self.bootstrap_endpoint: "str | None" = None
        self.bootstrap_format: "int | None" = None
        self.bootstrap_machine = bsm.BootstrapMachine(client.policy.backoff)
        self.bootstrap_transport: "CoapSession | None" = None
        self._bs_hold_until_ms: "int | None" = None
        self._events: "list[object]" = []
        self._queue: "dict[int, QueueState]" = {}
        self._ready: "set[int]" = set()
        self._stored: "dict[int, list[tuple[Observation, DmResponse]]]" = {}
        client.objects[1].on_execute(SRV_BOOTSTRAP_TRIGGER, self._bootstrap_trigger)

    # ================================================================== commands

    def send(self, now_ms: int, paths: "list[Any]", ssid: "int | None" = None,
             content_format: int = SENML_CBOR) -> "list[int]":
        """Send (Core §6.4.6) the values under ``paths`` to ``ssid`` (every registered
        server when None) but those that set Mute Send; returns the transaction ids."""
        client = self.client
        client._now_ms = now_ms
        if content_format not in (SENML_JSON, SENML_CBOR, LWM2M_CBOR):
            raise ValueError("Send takes SenML JSON, SenML CBOR or LwM2M CBOR")
        from objects.path import parse_path

        wanted = [parse_path(p) if isinstance(p, str) else tuple(p) for p in paths]
        records = send_records(client.objects, wanted)
        payload = bytes(client.dm.formats.encode(content_format, records, (),
                                                 client.dm._type_of))
        from lwm2m.client import OutgoingRequest

        txns = []
        for session in client._targets(ssid):
            if session.version == "1.0":
                continue  # Send is LwM2M 1.1
            if muted(client.objects[1], session.server_iid):
                continue  # ETS 1.1-int-307
            if not session.machine.registered:
                if ssid is not None:
                    from lwm2m.client import ClientError

                    raise ClientError("not registered with server %d" % ssid)
                continue
            self._wake(session, now_ms, "send")
            client._pump()  # Core §6.5: a waking client's Update goes first
            txn = client._txn(session.ssid, KIND_SEND)
            client._requests.append(OutgoingRequest(
                txn, session.ssid, KIND_SEND, 2, ("dp",), (), content_format, payload))
            txns.append(txn)
        client._pump()
        return txns

    def start_bootstrap(self, now_ms: int) -> None:
        """Client-initiated bootstrap now (Core §6.1.3)."""
        iids = bootstrap_server_iids(self.client.objects)
        if not iids:
            from lwm2m.client import ClientError

            raise ClientError("no Bootstrap-Server account (/0/x/1 true) is configured")
        self._bs_hold_until_ms = None
        self.client.bootstrapping = True
        self.bootstrap_machine.start(now_ms)
        self._bootstrap_pump(now_ms)

    def reset(self) -> None:
        """The Client was reset: no observation, nothing stored, no bootstrap running."""
        self.observations = ObservationRegistry()
        self._stored.clear()
        self._queue.clear()
        self._ready.clear()
        self._bs_hold_until_ms = None
        self.bootstrap_machine.reset()
        self.client.bootstrapping = False
        self.rebootstraps = 0

    # ================================================================ client hooks

    def start_hook(self, now_ms: int) -> bool:
        """The Client starts with no LwM2M server account: bootstrap when a Bootstrap-
        Server account exists (after /0/x/11 Client Hold Off Time). True if so."""
        iids = bootstrap_server_iids(self.client.objects)
        if not iids:
            return False
        self.client.bootstrapping = True
        try:
            hold_s = self.client.objects[0].get_value(iids[0], SEC_HOLD_OFF)
        except ObjectError:
            hold_s = 0
        if hold_s:
            # Core §6.1.3: wait for a server-initiated bootstrap first (listening to
            # the Bootstrap-Server meanwhile).
            self._bs_hold_until_ms = now_ms + 1000 * hold_s
            self._bootstrap_connect()
        else:
            self.start_bootstrap(now_ms)
        return True

    def computed_state(self) -> "int | None":
        """The client state part 2 imposes (bootstrapping, sleeping), or None."""
        from lwm2m import events as ev

        if self.client.bootstrapping:
            return ev.STATE_BOOTSTRAPPING
        machines = [s.machine for s in self.client.sessions.values()]
        if self.bootstrap_machine.state == bsm.FAILED and not any(
                m.state in (reg.REGISTERING, reg.REGISTERED, reg.UPDATING, reg.RETRY_WAIT)
                for m in machines):
            return ev.STATE_BOOTSTRAP_FAILED
        sessions = [s for s in self.client.sessions.values() if s.machine.registered]
        if sessions and all(self._asleep(s.ssid) for s in sessions):
            return ev.STATE_SLEEPING
        return None

    def bootstrap_request(self, request: DmRequest, now_ms: int) -> DmResponse:
        """A request of the Bootstrap-Server (``handle_request`` with the bootstrap caller)."""
        client = self.client
        if not client.bootstrapping and self.bootstrap_machine.state in (bsm.IDLE, bsm.DONE):
            # Core §6.1.4: a server-initiated bootstrap.
            if not bootstrap_server_iids(client.objects):
                return DmResponse(0x81, reason="no Bootstrap-Server account")
            client.bootstrapping = True
        if not client.bootstrapping:
            return DmResponse(0x81, reason="no bootstrap is running")
        response = handle_bootstrap_request(client.dm, request, client.version)
        if response is None:
            problems = configuration_problems(client.objects)
            self.bootstrap_machine.finish_received(now_ms, not problems)
            self._bootstrap_pump(now_ms)
            if problems:
                # Core §6.1.7.7: 4.06 Not Acceptable; the server may fix and finish again.
                return DmResponse(NOT_ACCEPTABLE, reason="; ".join(problems))
            return DmResponse(CHANGED)
        if not self.bootstrap_machine.operation_received(now_ms):
            return DmResponse(0x81, reason="bootstrap has failed")
        self._bootstrap_pump(now_ms)
        return response

    def respond(self, session: "Any", event: "Any", request: DmRequest, answer: DmResponse,
                response: "Any", now_ms: int) -> None:
        """Answer a server's request on its CoAP session; register an observation when
        it asked for one and the answer is 2.05."""
        endpoint = session.transport.endpoint
        observe = request.observe == 0 and answer.code == 0x45 and request.method in (
            GET, FETCH)
        if request.observe == 1:
            # Observe 1 cancels (ETS 1.1-int-303 / 305), also an observation the CoAP
            # endpoint no longer tracks (kept through an unreachable period).
            old = self.observations.find_token(session.ssid, bytes(event.request.token))
            if old is not None:
                self._stop(old, "deregistered")
        handle = endpoint.respond(event, response, now_ms, observe=observe)
        if handle is not None:
            self._observe(session, request, handle, now_ms)
        if request.method == PUT and not request.payload and request.content_format is None \
                and request.query and answer.code == CHANGED:
            self._attributes_changed(session.ssid, now_ms)

    def transport_event(self, session: "Any", event: "Any", now_ms: int) -> bool:
        """A CoAP event the Client does not handle itself; True when taken."""
        if type(event).__name__ != "ObservationCancelled":
            return False
        observation = self.observations.find_handle(event.observation)
        if observation is None:
            return True
        if event.reason == "timeout" and session.machine.registered:
            # Core §6.4 (/1/x/6): the server is unreachable; keep the observation, keep
            # what is due meanwhile, probe with an Update and flush when it is answered.
            event.observation.active = True
            self._ready.discard(session.ssid)
            if session.machine.state == reg.REGISTERED:
                session.machine.update(now_ms)
            return True
        self._stop(observation, event.reason)
        return True

    def outcome(self, txn: int, ssid: int, kind: str, code: "int | None", reason: str,
                now_ms: int) -> None:
        """A transaction of part 2 ended: answered with ``code``, or failed (None)."""
        if kind == KIND_SEND:
            if code is None:
                self._events.append(SendFailed(ssid, txn, reason))
            else:
                self._events.append(SendCompleted(ssid, txn, code))
        elif kind == KIND_BOOTSTRAP:
            if code == CHANGED:
                self.bootstrap_machine.request_succeeded(now_ms)
            else:
                why = reason if code is None else "%d.%02d" % (code >> 5, code & 0x1F)
                self.bootstrap_machine.request_failed(now_ms, why)
            self._bootstrap_pump(now_ms)

    def machine_event(self, session: "Any", event: object, now_ms: int) -> None:
        """A registration machine reported ``event``."""
        ssid = session.ssid
        if isinstance(event, reg.Registered):
            # A new registration: the server forgot the old one's observations.
            for observation in self.observations.drop_server(ssid):
                self._events.append(ObservationStopped(ssid, observation.paths,
                                                       observation.token, "server"))
            self._stored.pop(ssid, None)
            self._ready.add(ssid)
            self.rebootstraps = 0
        elif isinstance(event, reg.RegistrationUpdated):
            self._ready.add(ssid)
            self._flush(session, now_ms)
        elif isinstance(event, reg.Deregistered):
            self._ready.discard(ssid)
        elif isinstance(event, reg.RegistrationFailed) and event.final:
            self._registration_gave_up(session, now_ms)

    def changed(self, path: "Path", now_ms: int) -> None:
        """An object changed at ``path`` (an object listener)."""
        for observation in self.observations.concerned(path):
            if observation.composite or len(observation.paths[0]) < 3:
                answer = self._read(observation)
                observation.value = (now_ms, answer)
                observation.timer.changed(now_ms, self._value(observation, answer))
            else:
                observation.timer.changed(now_ms, self._value(observation))

    def sent(self, ssid: int, now_ms: int) -> None:
        """The Client sent a request to ``ssid`` (queue mode: awake)."""
        state = self._queue_state(ssid)
        if state is not None:
            if state.asleep:
                self._events.append(Woken(ssid, "request"))
            state.activity(now_ms)

    def receiving(self, session: "Any", now_ms: int) -> bool:
        """A datagram from ``session``'s server arrived: False when asleep (queue mode:
        the client does not listen)."""
        state = self._queue_state(session.ssid)
        if state is None:
            return True
        if state.asleep:
            return False
        state.activity(now_ms)
        return True

    def next_event(self) -> "object | None":
        return self._events.pop(0) if self._events else None

    # ------------------------------------------------------------------ the timer

    def get_timer(self) -> "int | None":
        deadlines = [self.observations.get_timer(), self.bootstrap_machine.get_timer(),
                     self._bs_hold_until_ms]
        if self.bootstrap_transport is not None:
            deadlines.append(self.bootstrap_transport.get_timer())
        for state in self._queue.values():
            deadlines.append(state.get_timer())
        found = [d for d in deadlines if d is not None]
        return min(found) if found else None

    def handle_timer(self, now_ms: int) -> None:
        if self._bs_hold_until_ms is not None and now_ms >= self._bs_hold_until_ms:
            if self.bootstrap_machine.state in (bsm.IDLE, bsm.RETRY_WAIT, bsm.FAILED,
                                                bsm.DONE):
                self.start_bootstrap(now_ms)
            self._bs_hold_until_ms = None
        if self.bootstrap_transport is not None:
            self.bootstrap_transport.handle_timer(now_ms)
        self.bootstrap_machine.handle_timer(now_ms)
        self._bootstrap_pump(now_ms)
        self._sleep_if_idle(now_ms)

    def service(self, now_ms: int) -> None:
        """Send what is due (called whenever the Client moves its sessions)."""
        self._notify_due(now_ms)
        self._bootstrap_service(now_ms)

    # ============================================================ observations

    def _observe(self, session: "Any", request: DmRequest, handle: "Any", now_ms: int) -> None:
        composite = request.method == FETCH
        try:
            if composite:
                wanted = self.client.dm.formats.decode(request.content_format, request.payload,
                                                       None, self.client.dm._type_of)
                paths = [p for p, _v in wanted]
            else:
                paths = [parse_segments(request.segments)]
        except (ValueError, ObjectError):
            return
        plain = DmRequest(request.method, request.segments, request.payload,
                          request.content_format, request.accept, request.query)
        dpmin, dpmax = self.client._periods(session.ssid)
        attrs = observation_attributes(self.client.dm.attributes, session.ssid, paths,
                                       composite, dpmin, dpmax)
        observation = Observation(session.ssid, plain, paths, composite, handle,
                                  NotifyTimer(attrs, now_ms))
        value = self._value(observation)
        observation.timer.sent(now_ms, value)
        old = self.observations.find_token(session.ssid, observation.token)
        if old is not None:
            self.observations.remove(old)
        self.observations.add(observation)
        self._events.append(ObservationStarted(session.ssid, paths, observation.token,
                                               composite))

    def _attributes_changed(self, ssid: int, now_ms: int) -> None:
        # ETS 1.1-int-310: new attributes apply to the running observations.
        dpmin, dpmax = self.client._periods(ssid)
        for observation in self.observations.of_server(ssid):
            observation.timer.update_attributes(observation_attributes(
                self.client.dm.attributes, ssid, observation.paths, observation.composite,
                dpmin, dpmax))

    def _read(self, observation: Observation) -> "DmResponse | None":
        """What a notification of ``observation`` would carry now (the dispatcher's
        answer to the request that made it)."""
        client = self.client
        session = client.sessions.get(observation.ssid)
        if session is None:
            return None
        answer: DmResponse = client.dm.handle(observation.request, observation.ssid,
                                              session.version, client._periods(observation.ssid))
        return answer

    def _value(self, observation: Observation, answer: "DmResponse | None" = None) -> "Any":
        """What the observation compares: a resource's value (gt / lt / st apply to
        it), or for an object, instance or composite the encoded answer, so that only a
        real change beneath it notifies (Core §6.4.1)."""
        path = observation.paths[0]
        if observation.composite or len(path) < 3:
            if answer is None:
                answer = self._read(observation)
            return None if answer is None else (answer.code, answer.payload)
        obj = self.client.objects.get(path[0])
        if obj is None:
            return None
        try:
            return obj.get_value(path[1], path[2], path[3] if len(path) == 4 else None)
        except ObjectError:
            return None
        except Exception:  # an application reader broke: nothing to compare
            return None

    def _notify_due(self, now_ms: int) -> None:
        for observation in self.observations.all():
            timer = observation.timer
            deadline = timer.get_timer()
            if deadline is None or deadline > now_ms:
                continue
            action = timer.due(now_ms)
            if action & EVALUATE:
                timer.changed(now_ms, self._value(observation))
                action = timer.due(now_ms)
            if action & NOTIFY:
                self._notify(observation, now_ms)

    def _notify(self, observation: Observation, now_ms: int) -> None:
        client = self.client
        ssid = observation.ssid
        session = client.sessions.get(ssid)
        if session is None or session.transport is None:
            self.observations.remove(observation)
            return
        cached = observation.value
        observation.value = None
        if cached is not None and cached[0] == now_ms and cached[1] is not None:
            answer = cached[1]  # read at this very millisecond by changed()
        else:
            answer = self._read(observation)
        assert answer is not None
        value = self._value(observation, answer)
        observation.timer.sent(now_ms, value)
        if answer.code >> 5 == 2 and not self._online(session):
            if self._storing(session):
                self._stored.setdefault(ssid, []).append((observation, answer))
            else:
                # Not storing: only the latest of each observation goes out later.
                kept = [(o, a) for o, a in self._stored.get(ssid, []) if o is not observation]
                self._stored[ssid] = kept + [(observation, answer)]
            self._wake(session, now_ms, "notification")
            return
        self._emit(session, observation, answer, now_ms, False)

    def _emit(self, session: "Any", observation: Observation, answer: DmResponse,
              now_ms: int, stored: bool) -> None:
        from coap.message import Message

        handle = observation.handle
        if not handle.active:
            self.observations.remove(observation)
            return
        message = Message(code=answer.code, payload=answer.payload)
        if answer.content_format is not None:
            message.content_format = answer.content_format
        session.transport.endpoint.notify(handle, message, now_ms, self.notify_confirmable)
        self.sent(session.ssid, now_ms)
        if answer.code >> 5 != 2:
            # RFC 7641 §3.2: an error notification ends the observation (e.g. the
            # instance it watched was deleted).
            self._stop(observation, "error")
            return
        self._events.append(NotificationSent(session.ssid, observation.paths, stored))

    def _flush(self, session: "Any", now_ms: int) -> None:
        stored = self._stored.pop(session.ssid, [])
        for observation, answer in stored:
            if observation in self.observations.all():
                self._emit(session, observation, answer, now_ms, True)

    def _stop(self, observation: Observation, reason: str) -> None:
        self.observations.remove(observation)
        kept = self._stored.get(observation.ssid)
        if kept:
            self._stored[observation.ssid] = [(o, a) for o, a in kept if o is not observation]
        self._events.append(ObservationStopped(observation.ssid, observation.paths,
                                               observation.token, reason))

    def _online(self, session: "Any") -> bool:
        return (session.machine.registered and session.ssid in self._ready
                and not self._asleep(session.ssid))

    def _storing(self, session: "Any") -> bool:
        return bool(self.client._server_value(session, SRV_STORING, False))

    # ================================================================= queue mode

    def _queue_state(self, ssid: int) -> "QueueState | None":
        if not self.client.queue_mode:
            return None
        state = self._queue.get(ssid)
        if state is None:
            state = self._queue[ssid] = QueueState(self.awake_ms)
        return state

    def _asleep(self, ssid: int) -> bool:
        state = self._queue.get(ssid) if self.client.queue_mode else None
        return state is not None and state.asleep

    def _sleep_if_idle(self, now_ms: int) -> None:
        client = self.client
        if not client.queue_mode:
            return
        busy = {ssid for ssid, _kind in client._txns.values()}
        for session in client._sorted_sessions():
            state = self._queue_state(session.ssid)
            assert state is not None
            if not state.may_sleep(now_ms):
                continue
            if session.ssid in busy or not session.machine.registered:
                state.activity(now_ms)  # something is outstanding: look again later
                continue
            state.sleep()
            self._ready.discard(session.ssid)
            self._events.append(Sleeping(session.ssid))

    def _wake(self, session: "Any", now_ms: int, reason: str) -> None:
        """Queue mode: something to report while asleep -> an Update first (Core §6.5)."""
        if not self._asleep(session.ssid):
            if session.ssid not in self._ready and session.machine.state == reg.REGISTERED:
                session.machine.update(now_ms)  # probe an unreachable server
            return
        if session.machine.state == reg.REGISTERED:
            session.machine.update(now_ms)
            self._events.append(Woken(session.ssid, reason))

    # ================================================================== bootstrap

    def _bootstrap_trigger(self, iid: int, args: bytes, caller: int) -> None:
        # Core Appendix E.2, /1/x/9: "When executed the LwM2M Client MUST initiate a
        # Client Initiated Bootstrap"; after the 2.04, on the Client's clock.
        if not bootstrap_server_iids(self.client.objects):
            raise MethodNotAllowed("no Bootstrap-Server account is configured")
        self._bs_hold_until_ms = self.client._now_ms

    def _registration_gave_up(self, session: "Any", now_ms: int) -> None:
        # spec/bg96.md "Retries": fall back to bootstrap where BS_IF_REG_FAILS (or the
        # Server object's /1/x/16 Bootstrap on Registration Failure) says so.
        wanted = session.ssid in self.bootstrap_on_failure or bool(
            self.client._server_value(session, SRV_BOOTSTRAP_ON_FAILURE, False))
        if not wanted or not bootstrap_server_iids(self.client.objects):
            return
        if self.rebootstrap_max and self.rebootstraps >= self.rebootstrap_max:
            return
        if self.client.bootstrapping:
            return
        self.rebootstraps += 1
        self.start_bootstrap(now_ms)

    def _bootstrap_pump(self, now_ms: int) -> None:
        from lwm2m.client import OutgoingRequest

        client = self.client
        machine = self.bootstrap_machine
        while True:
            request = machine.next_request()
            if request is None:
                break
            self._bootstrap_connect()
            query = ["ep=" + (self.bootstrap_endpoint or client.endpoint)]
            if self.bootstrap_format is not None:
                query.append("pct=%d" % self.bootstrap_format)
            txn = client._txn(BOOTSTRAP_SSID, KIND_BOOTSTRAP)
            client._requests.append(OutgoingRequest(
                txn, BOOTSTRAP_SSID, KIND_BOOTSTRAP, 2, ("bs",), tuple(query)))
        while True:
            event = machine.next_event()
            if event is None:
                break
            self._events.append(event)
            if isinstance(event, bsm.BootstrapFinished):
                self._bootstrap_done(now_ms)
            elif isinstance(event, bsm.BootstrapFailed) and event.final:
                # Given up: the accounts the client still has (if any) stay usable.
                client.bootstrapping = False
                client._set_state(client._computed_state())

    def _bootstrap_done(self, now_ms: int) -> None:
        client = self.client
        client.bootstrapping = False
        # Core §6.1.7.7: register with the accounts the bootstrap left (after the
        # 2.04 of the Finish, which the caller queues first).
        for session in list(client.sessions.values()):
            session.machine.reset()
        client.start(now_ms)

    def _bootstrap_connect(self) -> None:
        client = self.client
        if client.rng is None or self.bootstrap_transport is not None:
            return
        from lwm2m.client import MODE_PSK, parse_uri
        from lwm2m.session import CoapSession

        security = client.objects[0]
        iid = bootstrap_server_iids(client.objects)[0]
        uri = security.get_value(iid, SEC_URI)
        secure, host, port = parse_uri(uri)
        credentials = None
        if secure:
            try:
                mode = security.get_value(iid, SEC_MODE)
                identity = security.get_value(iid, SEC_IDENTITY)
                secret = security.get_value(iid, SEC_SECRET)
            except ObjectError:
                from lwm2m.client import ClientError

                raise ClientError("the Bootstrap-Server account lacks its PSK") from None
            if mode != MODE_PSK:
                from lwm2m.client import ClientError

                raise ClientError("Bootstrap-Server security mode %d is not supported" % mode)
            credentials = (bytes(identity), bytes(secret))
        self.bootstrap_transport = CoapSession((host, port), client.rng, credentials,
                                               client.coap_params, **client.transport_options)

    def bootstrap_address(self) -> "Any":
        transport = self.bootstrap_transport
        return None if transport is None else transport.address

    def _bootstrap_service(self, now_ms: int) -> None:
        """Move the Bootstrap-Server's CoAP events (its requests, our request's answer)."""
        transport = self.bootstrap_transport
        if transport is None:
            return
        client = self.client
        if transport.failed:
            reason = transport.failed[-1]
            transport.failed = []
            for txn in sorted(client._txns):
                if client._txns.get(txn, (None,))[0] == BOOTSTRAP_SSID:
                    client.request_failed(txn, now_ms, reason)
        while True:
            event = transport.next_event()
            if event is None:
                break
            name = type(event).__name__
            if name == "RequestReceived":
                message = event.request
                request = DmRequest(message.code, message.uri_path, message.payload,
                                    message.content_format, message.accept,
                                    message.uri_query, message.observe)
                answer = client.handle_request(BOOTSTRAP_SSID, request, now_ms)
                response = event.response(answer.code, answer.payload, answer.content_format)
                transport.endpoint.respond(event, response, now_ms, observe=False)
            elif name == "ResponseReceived":
                txn = event.request.tag
                if isinstance(txn, int):
                    client.response_received(txn, event.response.code, now_ms)
            elif name in ("RequestTimedOut", "ResetReceived", "RequestFailed"):
                txn = event.request.tag
                if isinstance(txn, int):
                    client.request_failed(txn, now_ms, getattr(event, "reason", None) or name)

    def send_bootstrap(self, request: "Any", now_ms: int) -> bool:
        """Put one of our requests to the Bootstrap-Server on the wire; False when
        there is no transport for it."""
        transport = self.bootstrap_transport
        if transport is None:
            return False
        from lwm2m.client import _message

        handle = transport.send(_message(request), now_ms)
        handle.tag = request.txn
        return True

    def bootstrap_datagrams(self) -> "list[tuple[Any, bytes]]":
        transport = self.bootstrap_transport
        if transport is None:
            return []
        return [(transport.address, data) for data in transport.datagrams_to_send()]
