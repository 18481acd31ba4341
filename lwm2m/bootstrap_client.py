"""The bootstrap interface on the client's objects: what each bootstrap operation does.

Theory of operation
-------------------
OMA LwM2M 1.1.1 Core §6.1 (Bootstrap interface) and Transport §6.1 (its CoAP mapping).
While a bootstrap runs, the Bootstrap-Server may:

=====================  =================  ==============================================
operation              CoAP               here
=====================  =================  ==============================================
Bootstrap-Write        PUT /o[/i[/r]]     the dispatcher (``lwm2m.dm``) as the bootstrap
                                          caller: names instances into existence
Bootstrap-Delete       DELETE / or /o[/i] ``bootstrap_delete``: never the Bootstrap-Server
                                          account nor the Device instance
Bootstrap-Discover     GET / or /o, 40    ``bootstrap_discover``: ``lwm2m=``, ``ssid=``,
                                          ``uri=`` on the Security and Server instances
Bootstrap-Read (1.1)   GET /1.. or /2..   the dispatcher; other objects 4.00
Bootstrap-Finish       POST /bs           ``consistency_problems`` decides 2.04 / 4.06
=====================  =================  ==============================================

Anything else from the Bootstrap-Server is 4.05. ``configuration_problems`` is the
consistency check of Bootstrap-Finish (Core §6.1.7.7: "the LwM2M Client MUST verify"
that the configuration it got is usable): at least one LwM2M server account (a
non-bootstrap Security instance whose Short Server ID has a Server instance), each
account with a coap/coaps URI, a supported security mode matching the scheme, PSK
material for PSK mode, distinct Short Server IDs, at most one Bootstrap-Server account.

``factory_bootstrap`` applies the BG96 ``bootstrap.ini`` instances (and the PSK files
of ``ssl/``) to a Client before it starts (Core §6.1.2, Factory Bootstrap).
"""

from lwm2m.dm import CHANGED, CONTENT, DELETE, GET, LINK_FORMAT, POST, PUT, DmRequest, DmResponse
from objects.base import CALLER_BOOTSTRAP
from objects.errors import ObjectError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from lwm2m.config.directory import ClientConfiguration
    from objects.base import BaseObject

DELETED = 0x42
BAD_REQUEST = 0x80
UNAUTHORIZED = 0x81
NOT_FOUND = 0x84
METHOD_NOT_ALLOWED = 0x85
NOT_ACCEPTABLE = 0x86

SECURITY = 0
SERVER = 1
ACCESS_CONTROL = 2
DEVICE = 3
MODE_PSK = 0
MODE_NO_SEC = 3


def _value(obj: "BaseObject", iid: int, rid: int, default: "Any" = None) -> "Any":
    try:
        return obj.get_value(iid, rid)
    except ObjectError:
        return default


def bootstrap_server_iids(objects: "dict[int, BaseObject]") -> "list[int]":
    """The Security instances that describe a Bootstrap-Server (/0/x/1 true)."""
    security = objects.get(SECURITY)
    if security is None:
        return []
    return [iid for iid in security.instance_ids() if _value(security, iid, 1, False)]


def _protected(objects: "dict[int, BaseObject]", oid: int, iid: int) -> bool:
    # Core §6.1.7.5: Bootstrap-Delete spares the Bootstrap-Server account and the
    # Device object's instance.
    if oid == DEVICE:
        return True
    return oid == SECURITY and iid in bootstrap_server_iids(objects)


def bootstrap_delete(objects: "dict[int, BaseObject]", path: "tuple[int, ...]") -> DmResponse:
    """Bootstrap-Delete on ``/``, ``/o`` or ``/o/i``."""
    if len(path) > 2:
        return DmResponse(BAD_REQUEST, reason="Bootstrap-Delete targets /, /o or /o/i")
    targets: "list[tuple[int, int]]" = []
    if len(path) == 2:
        obj = objects.get(path[0])
        if obj is None:
            return DmResponse(NOT_FOUND, reason="no object %d" % path[0])
        if _protected(objects, path[0], path[1]):
            return DmResponse(BAD_REQUEST, reason="/%d/%d may not be deleted" % path)
        if obj.has_instance(path[1]):
            targets.append((path[0], path[1]))
    else:
        oids = [path[0]] if path else sorted(objects)
        for oid in oids:
            obj = objects.get(oid)
            if obj is None:
                return DmResponse(NOT_FOUND, reason="no object %d" % oid)
            for iid in obj.instance_ids():
                if not _protected(objects, oid, iid):
                    targets.append((oid, iid))
    for oid, iid in targets:
        try:
            objects[oid].delete(iid, CALLER_BOOTSTRAP)
        except ObjectError as exc:
            return DmResponse(exc.code, reason=exc.message)
    return DmResponse(DELETED)


def bootstrap_discover(objects: "dict[int, BaseObject]", path: "tuple[int, ...]",
                       version: str) -> DmResponse:
    """Bootstrap-Discover on ``/`` or ``/o`` (Core §6.1.7.3): the object and instance
    links, with ``ssid`` on Security and Server instances and ``uri`` on Security ones."""
    if len(path) > 1:
        return DmResponse(BAD_REQUEST, reason="Bootstrap-Discover targets / or /o")
    if path and path[0] not in objects:
        return DmResponse(NOT_FOUND, reason="no object %d" % path[0])
    links = ["</>;lwm2m=" + version] if not path else []
    bootstrap = bootstrap_server_iids(objects)
    for oid in ([path[0]] if path else sorted(objects)):
        obj = objects[oid]
        iids = obj.instance_ids()
        text = "</%d>" % oid
        if obj.version != "1.0":
            text += ";ver=" + obj.version
        if not iids or obj.version != "1.0" or path:
            links.append(text)
        for iid in iids:
            text = "</%d/%d>" % (oid, iid)
            if oid == SECURITY:
                ssid = _value(obj, iid, 10)
                if ssid is not None and iid not in bootstrap:
                    text += ";ssid=%d" % ssid
                uri = _value(obj, iid, 0)
                if uri is not None and version != "1.0":
                    text += ';uri="%s"' % uri
            elif oid == SERVER:
                ssid = _value(obj, iid, 0)
                if ssid is not None:
                    text += ";ssid=%d" % ssid
            links.append(text)
    return DmResponse(CONTENT, ",".join(links).encode(), LINK_FORMAT)


def _scheme_problem(uri: "Any", mode: "Any") -> "str | None":
    if not isinstance(uri, str) or not uri:
        return "no server URI"
    if uri.startswith("coaps://"):
        secure = True
    elif uri.startswith("coap://"):
        secure = False
    else:
        return "URI %r is neither coap:// nor coaps://" % uri
    if mode not in (MODE_PSK, MODE_NO_SEC):
        # Transport §5.2: only the PSK and NoSec modes are implemented (dtls_psk).
        return "security mode %r is not supported" % (mode,)
    if secure != (mode == MODE_PSK):
        return "security mode %r does not suit %s" % (mode, uri)
    return None


def configuration_problems(objects: "dict[int, BaseObject]") -> "list[str]":
    """What makes the configuration unusable (empty: consistent)."""
    problems = []
    security = objects.get(SECURITY)
    server = objects.get(SERVER)
    if security is None or server is None:
        return ["the Security or Server object is missing"]
    server_ssids: "dict[int, int]" = {}
    for iid in server.instance_ids():
        ssid = _value(server, iid, 0)
        if ssid is None:
            problems.append("/1/%d has no Short Server ID" % iid)
        elif ssid in server_ssids:
            problems.append("Short Server ID %d names two Server instances" % ssid)
        else:
            server_ssids[ssid] = iid
    accounts = 0
    bootstraps = 0
    for iid in security.instance_ids():
        uri = _value(security, iid, 0)
        mode = _value(security, iid, 2)
        problem = _scheme_problem(uri, mode)
        if problem is not None:
            problems.append("/0/%d: %s" % (iid, problem))
            continue
        if mode == MODE_PSK and not (_value(security, iid, 3) and _value(security, iid, 5)):
            problems.append("/0/%d: PSK mode without identity and key" % iid)
            continue
        if _value(security, iid, 1, False):
            bootstraps += 1
            continue
        ssid = _value(security, iid, 10)
        if ssid is None:
            problems.append("/0/%d has no Short Server ID" % iid)
        elif ssid in server_ssids:
            accounts += 1
        else:
            problems.append("/0/%d: no Server instance has Short Server ID %d" % (iid, ssid))
    if bootstraps > 1:
        problems.append("%d Bootstrap-Server accounts" % bootstraps)
    if not accounts:
        problems.append("no LwM2M server account")
    return problems


def handle_bootstrap_request(dm: "Any", request: DmRequest, version: str) -> "DmResponse | None":
    """Answer a request of the Bootstrap-Server while a bootstrap runs; None for
    Bootstrap-Finish (POST /bs), which the caller answers after its consistency check."""
    objects = dm.objects
    method = request.method
    if method == POST and request.segments == ("bs",):
        return None
    try:
        from lwm2m.dm import parse_segments

        path = parse_segments(request.segments)
    except ObjectError as exc:
        return DmResponse(exc.code, reason=exc.message)
    if method == DELETE:
        return bootstrap_delete(objects, path)
    if method == GET and request.accept == LINK_FORMAT:
        return bootstrap_discover(objects, path, version)
    if method == GET:
        # Core §6.1.7.2 (LwM2M 1.1): Bootstrap-Read reaches the Server and Access
        # Control objects only.
        if not path or path[0] not in (SERVER, ACCESS_CONTROL):
            return DmResponse(BAD_REQUEST, reason="Bootstrap-Read reaches /1 and /2 only")
        response: DmResponse = dm.handle(request, CALLER_BOOTSTRAP, version)
        return response
    if method == PUT and path and (request.payload or request.content_format is not None):
        return bootstrap_write(dm, path, request)
    return DmResponse(METHOD_NOT_ALLOWED, reason="not a bootstrap operation")


def bootstrap_write(dm: "Any", path: "tuple[int, ...]", request: DmRequest) -> DmResponse:
    """Bootstrap-Write (Core §6.1.7.4): the instances it names come into being; on /0
    and /1 the whole configuration may be written at object level."""
    obj = dm.objects.get(path[0])
    if obj is None:
        return DmResponse(NOT_FOUND, reason="no object %d" % path[0])
    try:
        records = dm._decode(request, path)
        obj.write(path, records, True, CALLER_BOOTSTRAP)
    except ObjectError as exc:
        return DmResponse(exc.code, reason=exc.message)
    except Exception as exc:  # an application hook broke: never raise out
        return DmResponse(0xA0, reason="%s: %s" % (type(exc).__name__, exc))
    return DmResponse(CHANGED)


def factory_bootstrap(client: "Any", config: "ClientConfiguration") -> None:
    """Core §6.1.2 (Factory Bootstrap): write the ``bootstrap.ini`` instances into the
    client's objects, PSK material from ``ssl/<ssid>_server.psk`` where the Security
    instance carries none; and take the carrier and ``lwm2m_cfg`` settings that steer
    bootstrap and queue mode (BS_IF_REG_FAILS, REBOOTSTRAP_REG_FAILS_MAX_NO_ATTEMPTS,
    ACK_TIMEOUT)."""
    objects = client.objects
    for inst in config.bootstrap:
        obj = objects.get(inst.oid)
        if obj is None:
            continue
        records = list(inst.records)
        if inst.oid == SECURITY and inst.value(2) == MODE_PSK:
            credential = config.psk.get(inst.value(10))
            if credential is not None:
                if not inst.value(3):
                    records.append(((SECURITY, inst.iid, 3), credential.identity.encode()))
                if not inst.value(5):
                    records.append(((SECURITY, inst.iid, 5), bytes(credential.key)))
        obj.write((inst.oid, inst.iid), records, False, CALLER_BOOTSTRAP)
    reporting = client.reporting
    for profile in config.apn_profiles:
        if profile.bs_if_reg_fails:
            reporting.bootstrap_on_failure.update(profile.short_server_ids)
    reporting.rebootstrap_max = config.settings.rebootstrap_max_attempts
    reporting.awake_ms = 1000 * config.settings.ack_timeout_s


__all__ = ["CHANGED", "bootstrap_delete", "bootstrap_discover", "configuration_problems",
           "factory_bootstrap", "handle_bootstrap_request"]
