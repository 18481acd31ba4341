"""``python -m lwm2m.formats``: see :mod:`lwm2m.formats.cli`."""

import sys

from lwm2m.formats.cli import main

sys.exit(main())
