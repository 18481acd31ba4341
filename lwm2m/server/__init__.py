"""The embedded LwM2M server and bootstrap server (sans-IO), for demos and device tests.

Public names: see ``__all__``. The asyncio host is ``lwm2m.server.aio``; the pytest
plugin is ``lwm2m.server.pytest_plugin``; the CLI is ``lwm2m-server``.
"""

from lwm2m.server import events
from lwm2m.server.bootstrap_script import (
    BootstrapConfig,
    BootstrapScript,
    BootstrapScriptError,
    load_script,
    load_script_file,
)
from lwm2m.server.commands import ServerError
from lwm2m.server.operation import Operation
from lwm2m.server.params import InvalidParameters, Parameters
from lwm2m.server.psk import PskEntry, PskError, PskStore, parse_psk_option
from lwm2m.server.server import COAP, COAPS, Server
from lwm2m.server.stepped import SteppedServer, seeded_rng
from lwm2m.server.store import Registration, RegistrationStore

__all__ = [
    "COAP",
    "COAPS",
    "BootstrapConfig",
    "BootstrapScript",
    "BootstrapScriptError",
    "InvalidParameters",
    "Operation",
    "Parameters",
    "PskEntry",
    "PskError",
    "PskStore",
    "Registration",
    "RegistrationStore",
    "Server",
    "ServerError",
    "SteppedServer",
    "events",
    "load_script",
    "load_script_file",
    "parse_psk_option",
    "seeded_rng",
]
