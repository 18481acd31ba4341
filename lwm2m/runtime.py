"""What every host does around the Client besides moving datagrams: persistence.

Both hosts (``lwm2m.aio`` on CPython, ``lwm2m.mpy`` on MicroPython) wrap their Client in
a ``ClientRuntime``. It is sans-IO like the Client as far as time goes (the host passes
``now_ms`` from its monotonic clock and ``wall_s`` from its wall clock, which only the
persisted registrations need, as they must outlive the process) and it touches files
only through ``lwm2m.persist``:

- at start, a persistence directory's objects replace the factory bootstrap
  (spec/bg96.md: the persisted state wins until ``reset``), saved DTLS sessions are
  offered for an abbreviated handshake, and with ``PER_REGSTATUS_FEAT=1`` a registration
  still within its lifetime is taken up without a Register (its Update falls due on the
  original schedule; the host binds the same local port so the server still reaches us;
  over DTLS an Update goes out at once, since only the client can open the connection);
- while running, every change to a persisted object is saved once per host turn
  (``flush``), every Register / Update records its registration, a De-register drops
  it, every new DTLS session is saved.
"""

from lwm2m import events as ev
from lwm2m.persist import WHOLE_OBJECTS, Persistence

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from lwm2m.client import Client
    from objects.path import Path


class NetworkError:
    """The bearer failed for ``address`` (``reason``); the next attempt is in
    ``retry_in_ms``, or None when MAX_NO_RETRIES is reached and the host gave up."""

    __slots__ = ("address", "reason", "retry_in_ms")

    def __init__(self, address: "Any", reason: str, retry_in_ms: "int | None") -> None:
        self.address = address
        self.reason = reason
        self.retry_in_ms = retry_in_ms

    def __repr__(self) -> str:
        return "NetworkError(%s:%d, %r, retry_in_ms=%r)" % (
            self.address[0], self.address[1], self.reason, self.retry_in_ms)


class ClientRuntime:
    """A Client with its persistence (``persistence`` None: nothing is kept)."""

    __slots__ = ("_dirty", "_saved_sessions", "client", "local_ports", "persist_registration",
                 "persistence", "resumed")

    def __init__(self, client: "Client", persistence: "Persistence | None" = None,
                 persist_registration: bool = False) -> None:
        self.client = client
        self.persistence = persistence
        self.persist_registration = persist_registration
        # Short Server ID -> local UDP port of a resumed registration (the host binds it).
        self.local_ports: "dict[int, int]" = {}
        self.resumed: "list[int]" = []
        self._dirty = False
        self._saved_sessions: "dict[int, Any]" = {}

    def start(self, now_ms: int, wall_s: int) -> None:
        """Restore what is persisted and start the Client."""
        client = self.client
        store = self.persistence
        resume: "dict[int, tuple[str, int]]" = {}
        if store is not None:
            store.load_objects(client)
            for oid in client.objects:
                client.objects[oid].add_listener(self._changed)
            if self.persist_registration:
                for ssid, record in store.resumable(client, wall_s).items():
                    lifetime_s = int(record["lifetime_s"])
                    elapsed_ms = (wall_s - int(record["since_s"])) * 1000
                    due = now_ms + client.policy.update_delay_ms(lifetime_s) - elapsed_ms
                    resume[ssid] = (str(record["location"]), due)
                    port = record.get("port")
                    if isinstance(port, int) and port > 0:
                        self.local_ports[ssid] = port
            else:
                for ssid in store.registrations():
                    store.drop_registration(ssid)
        client.start(now_ms, resume)
        self.resumed = sorted(resume)
        if store is not None:
            self._offer_sessions(store)
            # The configuration (bootstrap.ini, flags) went into the objects: keep it.
            self._dirty = True
        for ssid in self.resumed:
            if client.sessions[ssid].secure:
                # DTLS: only the client can open a connection (the server's records for
                # the old one no longer decrypt), so an Update does it now, with the
                # saved session (abbreviated handshake), and confirms the registration.
                client.update_registration(now_ms, ssid)

    def _offer_sessions(self, store: Persistence) -> None:
        from dtls_psk.session import Session

        for ssid, session in self.client.sessions.items():
            transport = session.transport
            data = store.dtls_session(ssid)
            if transport is None or not transport.secure or data is None:
                continue
            try:
                transport.session = Session.from_bytes(data)
            except Exception:  # from another version: a full handshake it is
                store.drop_dtls_session(ssid)

    def _changed(self, path: "Path") -> None:
        obj = self.client.objects.get(path[0])
        if path[0] in WHOLE_OBJECTS or len(path) < 3 or obj is None:
            self._dirty = True
            return
        res = obj.definition.resource(path[2])
        if res is not None and res.writable:
            self._dirty = True

    def event(self, event: object, wall_s: int, local_port: "int | None" = None) -> None:
        """Persist what a Client event changes (the host calls it for every event;
        ``local_port``: the port of the event's server session)."""
        store = self.persistence
        if store is None:
            return
        if isinstance(event, (ev.Registered, ev.RegistrationUpdated)):
            if not self.persist_registration:
                return
            session = self.client.sessions.get(event.ssid)
            if session is None or session.machine.location is None:
                return
            store.save_registration(event.ssid, {
                "endpoint": self.client.endpoint, "uri": session.uri,
                "location": session.machine.location,
                "lifetime_s": session.machine.lifetime_s, "since_s": wall_s,
                "port": local_port or 0})
        elif isinstance(event, ev.Deregistered):
            store.drop_registration(event.ssid)

    def flush(self) -> None:
        """Save what changed since the last call (objects, new DTLS sessions)."""
        store = self.persistence
        if store is None:
            return
        if self._dirty:
            self._dirty = False
            store.save_objects(self.client)
        for ssid, session in self.client.sessions.items():
            transport = session.transport
            current = None if transport is None else transport.session
            if current is not None and self._saved_sessions.get(ssid) is not current:
                self._saved_sessions[ssid] = current
                store.save_dtls_session(ssid, current.to_bytes())

    def forget_registrations(self) -> None:
        """After a clean De-register nothing is left to resume."""
        store = self.persistence
        if store is not None:
            for ssid in store.registrations():
                store.drop_registration(ssid)
