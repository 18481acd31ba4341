"""``python -m coap``: see :mod:`coap.cli`."""

import sys

from coap.cli import main

sys.exit(main())
