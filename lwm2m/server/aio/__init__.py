"""asyncio host of the LwM2M server: :class:`LwM2MServer`, :class:`Observation`,
:class:`RequestError`, and the ``lwm2m-server`` CLI in :mod:`lwm2m.server.aio.cli`."""

from lwm2m.server.aio.server import LwM2MServer, Observation, RequestError, describe

__all__ = ["LwM2MServer", "Observation", "RequestError", "describe"]
