"""LwM2M over CoAP: content formats, device management with access control, the
bootstrap / registration / observe / send state machines, and the Client.

Public names: :class:`FormatError`. The content formats live in ``lwm2m.formats``.
"""

from lwm2m.errors import FormatError

__all__ = ["FormatError"]
