"""``lwm2m-client``: run the LwM2M client, show it working, manage its files.

::

    lwm2m-client demo
    lwm2m-client run --server coaps://HOST:5684 --endpoint EP --psk-identity ID --psk-key HEX
    lwm2m-client run CONFIG_DIR                 # a BG96 configuration directory
    lwm2m-client psk -u IDENTITY -p 101_server.psk [-s 32]
    lwm2m-client reset CONFIG_DIR | --persist DIR
    lwm2m-client clean CONFIG_DIR

Bad configuration or flags end with status 2 and one line naming what to fix.
"""

import argparse
import asyncio
import binascii
import logging
import os
import signal
import sys

from lwm2m import events as ev
from lwm2m.aio.client import AsyncClient
from lwm2m.clientconfig import ClientConfig, ServerAccount
from lwm2m.config import ConfigError, PskCredential, format_psk_file
from lwm2m.config.settings import ClientSettings
from lwm2m.persist import Persistence
from lwm2m.runtime import NetworkError
from lwm2m.store import FileStore

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Sequence
    from typing import Any, NoReturn

PROG = "lwm2m-client"
PERSIST_SUBDIR = "lwm2m"  # spec/bg96.md: the run-time state lives in <config>/lwm2m/
CONFIG_FILES = ("bootstrap.ini", "lwm2m_cfg", "carrier_apn_cfg", "lwm2m_app_autostart")
log = logging.getLogger("lwm2m.client")


class UsageError(Exception):
    """Bad flags: one line, exit status 2."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> "NoReturn":
        # One line that says what to fix, not the whole usage text.
        raise UsageError("%s (see %s --help)" % (message, self.prog))


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(prog=PROG, description="An LwM2M client (pylwm2m).")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    run = sub.add_parser("run", help="register with a server and serve it until stopped")
    run.add_argument("config", nargs="?", help="a BG96 configuration directory "
                     "(bootstrap.ini, lwm2m_cfg, ssl/<ssid>_server.psk, ...)")
    run.add_argument("--server", action="append", default=[],
                     help="coap://HOST:PORT or coaps://HOST:PORT (repeat for more servers)")
    run.add_argument("--ssid", type=int, default=None,
                     help="Short Server ID of the first --server (default 101, bootstrap 100)")
    run.add_argument("--endpoint", help="the endpoint name")
    run.add_argument("--imei", help="derive the endpoint name from the IMEI (REG_EP_NAME)")
    run.add_argument("--msisdn", help="the MSISDN for endpoint-name mode 7")
    run.add_argument("--psk-identity", help="PSK identity for coaps://")
    run.add_argument("--psk-key", help="PSK key in hex for coaps://")
    run.add_argument("--lifetime", type=int, default=86400, help="lifetime in seconds")
    run.add_argument("--binding", default="U", help="binding (default U)")
    run.add_argument("--queue", action="store_true", help="queue mode")
    run.add_argument("--bootstrap", action="store_true",
                     help="--server is a bootstrap server (client-initiated bootstrap)")
    run.add_argument("--lwm2m-version", default="1.1", help="1.0 or 1.1 (default 1.1)")
    run.add_argument("--persist", metavar="DIR",
                     help="persistence directory (default CONFIG/lwm2m with a config directory)")
    run.add_argument("--keylog", metavar="FILE", help="append DTLS keys (NSS key log format)")
    run.add_argument("--log-level", default="INFO",
                     choices=["DEBUG", "INFO", "WARNING", "ERROR"], help="logging level")
    run.add_argument("--set", action="append", default=[], metavar="KEY=VALUE",
                     help="an lwm2m_cfg option, e.g. --set PER_REGSTATUS_FEAT=1")

    demo = sub.add_parser("demo", help="a server and a client on loopback, step by step")
    demo.add_argument("--coap", action="store_true", help="plain CoAP instead of DTLS-PSK")
    demo.add_argument("--notifications", type=int, default=3,
                      help="how many notifications to wait for (default 3)")

    psk = sub.add_parser("psk", help="write a PSK file as psktool does (identity:hexkey)")
    psk.add_argument("-u", "--username", required=True, help="the PSK identity")
    psk.add_argument("-p", "--passwd", required=True, metavar="FILE", help="the file to write")
    psk.add_argument("-s", "--keysize", type=int, default=32, help="key bytes (default 32)")
    psk.add_argument("--key", help="use this hex key instead of a random one")

    for name, text in (("reset", "drop the persisted state (registration, objects, DTLS)"),
                       ("clean", "drop the persisted state and the configuration files")):
        cmd = sub.add_parser(name, help=text)
        cmd.add_argument("config", nargs="?", help="the configuration directory")
        cmd.add_argument("--persist", metavar="DIR", help="the persistence directory")
    return parser


def main(argv: "Sequence[str] | None" = None) -> int:
    """The console script; returns the exit status."""
    try:
        args = _parser().parse_args(argv)
        if args.command == "run":
            return _run(args)
        if args.command == "demo":
            from lwm2m.aio.demo import run_demo

            return asyncio.run(run_demo(not args.coap, args.notifications))
        if args.command == "psk":
            return _psk(args)
        return _reset(args, clean=args.command == "clean")
    except (UsageError, ConfigError) as exc:
        print("%s: %s" % (PROG, exc), file=sys.stderr)
        return 2


# -- run ---------------------------------------------------------------------------------


def config_from_args(args: "Any") -> ClientConfig:
    """The ClientConfig the ``run`` flags describe (ConfigError when they do not fit)."""
    config = ClientConfig(endpoint=args.endpoint, directory=args.config,
                          queue_mode=args.queue, version=args.lwm2m_version,
                          keylog=args.keylog, imei=args.imei, msisdn=args.msisdn)
    if args.config is not None:
        config.load()
        config.persist = os.path.join(args.config, PERSIST_SUBDIR)
    if args.persist:
        config.persist = args.persist
    if args.set:
        config.settings = _settings_with(config.settings, args.set)
    key = None
    if args.psk_key is not None:
        try:
            key = binascii.unhexlify(args.psk_key)
        except (binascii.Error, ValueError):
            raise ConfigError("expected the key in hex digits, e.g. 000102...0f",
                              key="--psk-key") from None
    for index, uri in enumerate(args.server):
        ssid = args.ssid if index == 0 and args.ssid is not None else None
        if ssid is None:
            ssid = (100 if args.bootstrap else 101) + index
        secure = uri.startswith("coaps://")
        config.servers.append(ServerAccount(
            uri, ssid, args.lifetime, args.binding,
            identity=args.psk_identity if secure else None,
            key=key if secure else None, bootstrap=args.bootstrap))
    if (args.psk_identity or args.psk_key) and not any(a.secure for a in config.servers):
        raise ConfigError("a PSK needs a coaps:// server", key="--psk-identity/--psk-key")
    config.check()
    return config


def _settings_with(settings: ClientSettings, items: "list[str]") -> ClientSettings:
    from lwm2m.config.settings import parse_lwm2m_cfg

    base = settings.to_text().strip()[1:-1]
    overrides = {}
    for item in items:
        if "=" not in item:
            raise ConfigError("expected KEY=VALUE, got %r" % item, key="--set")
        key, value = item.split("=", 1)
        overrides[key.strip()] = value.strip()
    kept = [line for line in base.split("\n")
            if line.strip() and line.strip().split("=", 1)[0] not in overrides]
    text = "{\n" + "\n".join(kept + ["%s=%s;" % kv for kv in overrides.items()]) + "\n}\n"
    return parse_lwm2m_cfg(text, "--set")


def _run(args: "Any") -> int:
    config = config_from_args(args)
    logging.basicConfig(level=getattr(logging, args.log_level),
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    return asyncio.run(_serve(config))


async def _serve(config: ClientConfig) -> int:
    loop = asyncio.get_running_loop()
    stop = asyncio.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    client = AsyncClient(config)
    client.build()
    log.info("endpoint %s, servers %s", config.endpoint_name(),
             ", ".join(a.uri for a in config.servers) or "from bootstrap.ini")
    status = 0
    events = client.events()  # before start: the first state changes are logged too
    async with client:
        rebooting = []
        client.on_reboot(lambda: rebooting.append(1))
        stopper = asyncio.ensure_future(stop.wait())
        try:
            while not stop.is_set():
                getter = asyncio.ensure_future(events.__anext__())
                done, _ = await asyncio.wait({getter, stopper},
                                             return_when=asyncio.FIRST_COMPLETED)
                if getter not in done:
                    getter.cancel()
                    break
                event = getter.result()
                _log_event(event)
                if rebooting:
                    rebooting.clear()
                    log.info("a server executed Reboot: restarting the client")
                    assert client.client is not None
                    client.client.reset(client.now_ms())
                    client._kick()
                if isinstance(event, ev.StateChanged) and \
                        event.state == ev.STATE_REGISTRATION_FAILED:
                    log.error("registration failed for good (REG_RETRY_* exhausted)")
                    status = 1
                    break
                if isinstance(event, NetworkError) and event.retry_in_ms is None:
                    log.error("the network failed for good (MAX_NO_RETRIES reached)")
                    status = 1
                    break
        except StopAsyncIteration:
            pass
        finally:
            stopper.cancel()
        while not events.queue.empty():  # what happened before the signal, in order
            event = events.queue.get_nowait()
            if event is not None:
                _log_event(event)
        log.info("stopping: de-registering")
    log.info("stopped")
    return status


def _log_event(event: object) -> None:
    if isinstance(event, ev.StateChanged):
        log.info("state %d %s", event.state, event.name)
    elif isinstance(event, ev.RequestHandled):
        log.info("server %d: %s %s -> %d.%02d", event.ssid, _METHODS.get(event.method, "?"),
                 event.path, event.code >> 5, event.code & 0x1F)
    else:
        log.info("%r", event)


_METHODS = {1: "GET", 2: "POST", 3: "PUT", 4: "DELETE", 5: "FETCH", 7: "iPATCH"}


# -- psk, reset, clean -----------------------------------------------------------------


def _psk(args: "Any") -> int:
    if args.key is not None:
        try:
            key = binascii.unhexlify(args.key)
        except (binascii.Error, ValueError):
            raise ConfigError("expected the key in hex digits", key="--key") from None
    else:
        if not 1 <= args.keysize <= 512:
            raise UsageError("--keysize must be 1..512 bytes")
        key = os.urandom(args.keysize)
    try:
        text = format_psk_file(PskCredential(args.username, key))
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    path = os.path.abspath(args.passwd)
    directory, name = os.path.split(path)
    try:
        FileStore(directory).write(name, text.encode())
        os.chmod(path, 0o600)  # a secret key: for its owner only
    except ValueError:
        raise UsageError("the file name %r may hold only letters, digits, '.', '_', '-'"
                         % name) from None
    print("wrote %s for identity %s (%d-byte key)" % (args.passwd, args.username, len(key)))
    return 0


def _reset(args: "Any", clean: bool) -> int:
    persist = args.persist
    if persist is None and args.config is not None:
        persist = os.path.join(args.config, PERSIST_SUBDIR)
    if persist is None:
        raise UsageError("name the configuration directory or --persist DIR")
    if clean and args.config is None:
        raise UsageError("clean needs the configuration directory")
    if args.config is not None and not os.path.isdir(args.config):
        raise ConfigError("the configuration directory does not exist", args.config)
    if os.path.isdir(persist):
        Persistence(persist).clear()
        print("dropped the persisted state in %s" % persist)
    if clean:
        removed = []
        for name in CONFIG_FILES:
            path = os.path.join(args.config, name)
            if os.path.exists(path):
                os.remove(path)
                removed.append(name)
        ssl = os.path.join(args.config, "ssl")
        if os.path.isdir(ssl):
            for name in sorted(os.listdir(ssl)):
                if name.endswith(".psk"):
                    os.remove(os.path.join(ssl, name))
                    removed.append("ssl/" + name)
        print("removed %s" % (", ".join(removed) or "no configuration files"))
    return 0


def run() -> None:
    """Entry point of the console script."""
    sys.exit(main())


__all__ = ["config_from_args", "main", "run"]
