"""LwM2M over CoAP: content formats, device management with access control, the
bootstrap / registration / observe / send state machines, and the Client.

Public names: :class:`Client` (and :class:`ClientError`, :class:`OutgoingRequest`),
the client's events in :mod:`lwm2m.events`, :class:`FormatError`. The content formats
live in ``lwm2m.formats``, the device-management dispatcher in ``lwm2m.dm``.
"""

from lwm2m.client import Client, ClientError, OutgoingRequest
from lwm2m.errors import FormatError

__all__ = ["Client", "ClientError", "FormatError", "OutgoingRequest"]
