"""``python -m lwm2m.aio``: the ``lwm2m-client`` command."""

from lwm2m.aio.cli import run

run()
