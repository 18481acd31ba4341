"""Until the ``coap`` branch's Endpoint is merged here, the CoAP-facing server tests
cannot import; they are left out of collection rather than failing."""

import importlib.util

collect_ignore_glob = [] if importlib.util.find_spec("coap.endpoint") else ["test_*_if.py"]
