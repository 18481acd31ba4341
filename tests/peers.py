"""Finding the external programs the tests drive (MicroPython, libcoap, OpenSSL, GnuTLS).

A missing program skips the test on a developer's machine and fails it under CI
(``CI`` set), where ``.ci/run`` installs every peer: a green CI never hides a skip.
"""

import os
import shutil
import socket
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


def free_udp_port(host: str = "127.0.0.1") -> int:
    """A UDP port on loopback that was free a moment ago (for peers that cannot bind 0)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_DGRAM) as probe:
        probe.bind((host, 0))
        port: int = probe.getsockname()[1]
        return port
