"""CoAP (RFC 7252) for LwM2M: the message codec, the sans-IO endpoint (message layer,
block-wise transfer per RFC 7959, observe per RFC 7641). Standard library only.

Registries live in their own modules: :mod:`coap.types`, :mod:`coap.codes`,
:mod:`coap.options`, :mod:`coap.formats`.
"""

from coap import codes, formats, options, types
from coap.message import DEFAULT_MAX_AGE, Message, MessageFormatError, decode

__all__ = [
    "DEFAULT_MAX_AGE",
    "Message",
    "MessageFormatError",
    "codes",
    "decode",
    "formats",
    "options",
    "types",
]
