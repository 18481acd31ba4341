"""``python -m lwm2m.server``: the same as the ``lwm2m-server`` command."""

from lwm2m.server.aio.cli import main

raise SystemExit(main())
