"""LwM2M over CoAP: content formats, device management with access control, the
bootstrap / registration / observe / send state machines, and the Client."""
