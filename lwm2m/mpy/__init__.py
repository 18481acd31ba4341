"""The MicroPython host of the LwM2M client (it also runs on CPython).

Public names: :class:`MpyClient`. Copy ``coap``, ``dtls_psk``, ``objects`` and
``lwm2m`` (without ``lwm2m/aio``, ``lwm2m/server``) to the board; see README.md.
"""

from lwm2m.mpy.client import MpyClient

__all__ = ["MpyClient"]
