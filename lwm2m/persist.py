"""The persistence directory: what servers wrote, the registrations, the DTLS sessions.

DESIGN.md "Configuration and persistence", spec/bg96.md (the ``lwm2m/`` directory, the
``PER_REGSTATUS_FEAT`` option, ``AT+QLWM2M="reset"``). Every write goes through
``lwm2m.store.FileStore`` (temporary file, fsync, rename, directory fsync), so a kill at
any moment leaves the old or the new content of each name, never a torn one. Names:

``objects.json``     the instances of Security (0), Server (1) and Access Control (2),
                     whole (bootstrap and servers write them), and the writable
                     resources of every other object (what a server set)
``reg-<ssid>.json``  one registration: endpoint, server URI, location, lifetime, the
                     wall-clock second of its last Register or Update, the local port
``dtls-<ssid>.bin``  the DTLS session (``dtls_psk.Session.to_bytes``) for resumption

Hosts own the clock and the files; the sans-IO Client never sees this module. It runs
on MicroPython too (``json`` and ``binascii`` only). Values are JSON with tags for what
JSON lacks: ``{"b": base64}`` bytes, ``{"l": [oid, iid]}`` an object link,
``{"m": [[riid, value], ...]}`` a multiple resource.
"""

import binascii
import json
import os

from lwm2m.store import FileStore

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from lwm2m.client import Client

OBJECTS = "objects.json"
WHOLE_OBJECTS = (0, 1, 2)  # Security, Server, Access Control: every instance, every value
FORMAT_VERSION = 1
CALLER_LOCAL = -1  # objects.base.CALLER_LOCAL: the application, no operation checks


class PersistenceError(Exception):
    """A stored file cannot be understood (written by another version, or edited)."""


def encode_value(value: "Any") -> "Any":
    if isinstance(value, (bytes, bytearray)):
        return {"b": binascii.b2a_base64(bytes(value)).decode().strip()}
    if isinstance(value, tuple):
        return {"l": list(value)}
    if isinstance(value, dict):
        return {"m": [[k, encode_value(value[k])] for k in sorted(value)]}
    if isinstance(value, list):
        return {"m": [[i, encode_value(v)] for i, v in enumerate(value)]}
    return value


def decode_value(value: "Any") -> "Any":
    if isinstance(value, dict):
        if "b" in value:
            return binascii.a2b_base64(value["b"])
        if "l" in value:
            return (int(value["l"][0]), int(value["l"][1]))
        if "m" in value:
            return {int(k): decode_value(v) for k, v in value["m"]}
        raise PersistenceError("unknown value tag %r" % (list(value),))
    return value


def snapshot_objects(client: "Client") -> "dict[str, Any]":
    """The persisted part of the client's objects, as JSON-ready data."""
    out: "dict[str, Any]" = {}
    for oid in sorted(client.objects):
        obj = client.objects[oid]
        whole = oid in WHOLE_OBJECTS
        instances: "dict[str, Any]" = {}
        for iid in obj.instance_ids():
            values: "dict[str, Any]" = {}
            for rid in obj.resource_ids(iid):
                res = obj.definition.resource(rid)
                if res is None or res.executable or not (whole or res.writable):
                    continue
                try:
                    value = obj.get_value(iid, rid)
                except Exception:  # absent, or a reader that cannot answer now
                    continue
                values[str(rid)] = encode_value(value)
            if values or whole:
                instances[str(iid)] = values
        if instances or whole:
            out[str(oid)] = instances
    return out


def restore_objects(client: "Client", data: "dict[str, Any]") -> None:
    """Put a snapshot back: objects 0, 1, 2 get exactly the stored instances; other
    objects get the stored values of their writable resources (instances a server
    created are created again). Unknown objects or resources are skipped."""
    for oid_text in sorted(data, key=int):
        oid = int(oid_text)
        obj = client.objects.get(oid)
        if obj is None:
            continue
        stored = {int(i): v for i, v in data[oid_text].items()}
        if oid in WHOLE_OBJECTS:
            for iid in obj.instance_ids():
                obj.delete(iid, CALLER_LOCAL)
        for iid in sorted(stored):
            records: "list[tuple[tuple[int, ...], Any]]" = []
            for rid_text, raw in stored[iid].items():
                rid = int(rid_text)
                if obj.definition.resource(rid) is None:
                    continue
                value = decode_value(raw)
                if isinstance(value, dict):
                    records.extend(((oid, iid, rid, k), value[k]) for k in sorted(value))
                else:
                    records.append(((oid, iid, rid), value))
            if not obj.has_instance(iid):
                obj.create(records, iid, CALLER_LOCAL)
                continue
            for record in records:
                try:
                    obj.write(record[0], [record], True, CALLER_LOCAL)
                except Exception:  # a value the application's object no longer takes
                    continue


class Persistence:
    """The persistence directory of one client (see the module docstring)."""

    __slots__ = ("store",)

    def __init__(self, directory: str) -> None:
        self.store = FileStore(directory)
        # The Security object holds PSK secrets: only the owner may read the directory.
        chmod = getattr(os, "chmod", None)
        if chmod is not None:
            try:
                chmod(self.store.directory, 0o700)
            except OSError:
                pass

    # -- objects -------------------------------------------------------------------

    def save_objects(self, client: "Client") -> None:
        """Write the persisted part of ``client.objects`` (atomically)."""
        document = {"version": FORMAT_VERSION, "objects": snapshot_objects(client)}
        self.store.write(OBJECTS, json.dumps(document).encode())

    def load_objects(self, client: "Client") -> bool:
        """Restore the objects when a snapshot exists; True when one did."""
        document = self._json(OBJECTS)
        if document is None:
            return False
        objects = document.get("objects")
        if document.get("version") != FORMAT_VERSION or not isinstance(objects, dict):
            raise PersistenceError("%s/%s: not a snapshot of this version"
                                   % (self.store.directory, OBJECTS))
        restore_objects(client, objects)
        return True

    # -- registrations (PER_REGSTATUS_FEAT) -----------------------------------------

    def save_registration(self, ssid: int, record: "dict[str, Any]") -> None:
        """Record a registration: ``endpoint``, ``uri``, ``location``, ``lifetime_s``,
        ``since_s`` (wall clock of the last Register / Update), ``port`` (local UDP)."""
        self.store.write("reg-%d.json" % ssid, json.dumps(record).encode())

    def drop_registration(self, ssid: int) -> None:
        self.store.remove("reg-%d.json" % ssid)

    def registrations(self) -> "dict[int, dict[str, Any]]":
        """Every stored registration by Short Server ID."""
        found = {}
        for name in self.store.names():
            if name.startswith("reg-") and name.endswith(".json") and name[4:-5].isdigit():
                record = self._json(name)
                if isinstance(record, dict):
                    found[int(name[4:-5])] = record
        return found

    def resumable(self, client: "Client", now_wall_s: int) -> "dict[int, dict[str, Any]]":
        """The stored registrations still alive at ``now_wall_s`` for this client's
        endpoint and server URIs (a changed configuration registers afresh)."""
        out = {}
        for ssid, record in self.registrations().items():
            session = client.sessions.get(ssid)
            uri = session.uri if session is not None else _account_uri(client, ssid)
            if record.get("endpoint") != client.endpoint or record.get("uri") != uri:
                continue
            try:
                ends = int(record["since_s"]) + int(record["lifetime_s"])
                if not isinstance(record["location"], str):
                    continue
            except (KeyError, TypeError, ValueError):
                continue
            if now_wall_s < ends:
                out[ssid] = record
        return out

    # -- DTLS sessions ----------------------------------------------------------------

    def save_dtls_session(self, ssid: int, data: bytes) -> None:
        self.store.write("dtls-%d.bin" % ssid, data)

    def dtls_session(self, ssid: int) -> "bytes | None":
        return self.store.read("dtls-%d.bin" % ssid)

    def drop_dtls_session(self, ssid: int) -> None:
        self.store.remove("dtls-%d.bin" % ssid)

    # -- reset ----------------------------------------------------------------------

    def clear(self) -> None:
        """Drop everything persisted (``lwm2m-client reset``)."""
        self.store.clear()

    def _json(self, name: str) -> "Any":
        raw = self.store.read(name)
        if raw is None:
            return None
        try:
            return json.loads(raw)
        except ValueError:
            raise PersistenceError("%s/%s is not JSON" % (self.store.directory, name)) from None


def _account_uri(client: "Client", ssid: int) -> "str | None":
    security = client.objects[0]
    for iid in security.instance_ids():
        try:
            if security.get_value(iid, 10) == ssid:
                return str(security.get_value(iid, 0))
        except Exception:
            continue
    return None
