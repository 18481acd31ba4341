"""The asyncio host of the LwM2M client and the ``lwm2m-client`` command.

Public names: :class:`AsyncClient`, :class:`ClientFailed`, :class:`NetworkError`,
:class:`EventStream`; the configuration API is ``lwm2m.clientconfig``
(:class:`ClientConfig`, :class:`ServerAccount`), re-exported here.
"""

from lwm2m.aio.client import AsyncClient, ClientFailed
from lwm2m.aio.events import EventStream
from lwm2m.clientconfig import ClientConfig, ServerAccount
from lwm2m.runtime import NetworkError

__all__ = ["AsyncClient", "ClientConfig", "ClientFailed", "EventStream", "NetworkError",
           "ServerAccount"]
