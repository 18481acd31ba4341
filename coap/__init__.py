"""CoAP (RFC 7252) for LwM2M: the message codec, the sans-IO endpoint (message layer,
block-wise transfer per RFC 7959, observe per RFC 7641). Standard library only.

Registries live in their own modules: :mod:`coap.types`, :mod:`coap.codes`,
:mod:`coap.options`, :mod:`coap.formats`.
"""

from coap import codes, formats, options, types
from coap.endpoint import Endpoint, Request
from coap.events import (
    BlockReceived,
    DatagramRejected,
    NotificationReceived,
    ObservationCancelled,
    ObservationEnded,
    RequestFailed,
    RequestReceived,
    RequestTimedOut,
    ResetReceived,
    ResponseReceived,
)
from coap.message import DEFAULT_MAX_AGE, Message, MessageFormatError, decode
from coap.observe import Observation
from coap.params import TransmissionParams

__all__ = [
    "DEFAULT_MAX_AGE",
    "BlockReceived",
    "DatagramRejected",
    "Endpoint",
    "Message",
    "MessageFormatError",
    "NotificationReceived",
    "Observation",
    "ObservationCancelled",
    "ObservationEnded",
    "Request",
    "RequestFailed",
    "RequestReceived",
    "RequestTimedOut",
    "ResetReceived",
    "ResponseReceived",
    "TransmissionParams",
    "codes",
    "decode",
    "formats",
    "options",
    "types",
]
