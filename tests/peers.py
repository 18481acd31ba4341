"""Finding the external programs the tests drive (MicroPython, libcoap, OpenSSL, GnuTLS).

A missing program skips the test on a developer's machine and fails it under CI
(``CI`` set), where ``.ci/run`` installs every peer: a green CI never hides a skip.
"""

import os
import shutil
import sys

import pytest


def require_program(name: str) -> str:
    """Absolute path of ``name`` on PATH or beside the running interpreter."""
    found = shutil.which(name) or shutil.which(name, path=os.path.dirname(sys.executable))
    if found:
        return found
    reason = f"{name} is not installed (see PEERS.md; .ci/run installs it)"
    if os.environ.get("CI"):
        pytest.fail(reason)
    pytest.skip(reason)
