"""``python -m dtls_psk client|server ...``: see ``dtls_psk.tool``."""

import sys

from dtls_psk.tool import main

sys.exit(main())
