"""Send (LwM2M 1.1): the client reports chosen paths to a server unasked.

OMA LwM2M 1.1.1 Core §6.4.6 and Transport §6.5: POST /dp with a SenML-CBOR,
SenML-JSON or LwM2M-CBOR body naming each value by its full path; the server answers
2.04. The Server object's Mute Send resource (/1/x/23, Core Appendix E.2) forbids it
towards that server while true (ETS 1.1-int-307). The Client builds the request here
and sends it as a transaction of kind ``send``; its outcome is an event.
"""

from objects.base import CALLER_LOCAL
from objects.errors import ObjectError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from objects.base import BaseObject
    from objects.path import Path

KIND_SEND = "send"
SENML_JSON = 110
SENML_CBOR = 112
LWM2M_CBOR = 11544
FORMATS = (SENML_JSON, SENML_CBOR, LWM2M_CBOR)
MUTE_SEND = 23


def muted(server: "BaseObject", iid: int) -> bool:
    """Mute Send (/1/iid/23) is set (absent: not muted)."""
    try:
        return bool(server.get_value(iid, MUTE_SEND))
    except ObjectError:
        return False


def send_records(objects: "dict[int, BaseObject]", paths: "list[Path]") -> "list[Any]":
    """The current values under ``paths`` as absolute ``(path, value)`` records; a path
    that names nothing is an error of the application (ValueError)."""
    records: "list[Any]" = []
    for path in paths:
        obj = objects.get(path[0]) if path else None
        if obj is None:
            raise ValueError("%r names no object of this client" % (path,))
        try:
            if len(path) == 1:
                for iid in obj.instance_ids():
                    records.extend(obj.read((path[0], iid), CALLER_LOCAL))
            else:
                records.extend(obj.read(path, CALLER_LOCAL))
        except ObjectError as exc:
            raise ValueError("cannot read %r: %s" % (path, exc.message)) from None
    return records


class SendCompleted:
    """Server ``ssid`` answered the Send ``txn`` with ``code`` (2.04 when accepted)."""

    __slots__ = ("code", "ssid", "txn")

    def __init__(self, ssid: int, txn: int, code: int) -> None:
        self.ssid = ssid
        self.txn = txn
        self.code = code

    @property
    def ok(self) -> bool:
        return self.code == 0x44

    def __repr__(self) -> str:
        return "SendCompleted(%d, #%d, %d.%02d)" % (self.ssid, self.txn, self.code >> 5,
                                                   self.code & 0x1F)


class SendFailed:
    """The Send ``txn`` to ``ssid`` got no answer (``reason``)."""

    __slots__ = ("reason", "ssid", "txn")

    def __init__(self, ssid: int, txn: int, reason: str) -> None:
        self.ssid = ssid
        self.txn = txn
        self.reason = reason

    def __repr__(self) -> str:
        return "SendFailed(%d, #%d, %r)" % (self.ssid, self.txn, self.reason)
