"""``lwm2m-client`` end to end: subprocesses against the embedded server over loopback
CoAP and DTLS-PSK; every configuration error class gives one line and exit status 2."""

import os
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from lwm2m.server import events as sev
from lwm2m.server.aio.threaded import ThreadedServer

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def tmp_path() -> "Iterator[Path]":
    # Our own temporary directory: pytest's basetemp of a long session can be pruned by
    # other pytest sessions started meanwhile on a shared machine.
    with tempfile.TemporaryDirectory(prefix="pylwm2m-") as name:
        yield Path(name)
KEY = bytes(range(16))
IDENTITY = b"cli-client"


def _cli(*args: str, timeout: float = 30) -> "subprocess.CompletedProcess[str]":
    return subprocess.run([sys.executable, "-m", "lwm2m.aio", *args], capture_output=True,
                          text=True, timeout=timeout, cwd=ROOT)


def _start(*args: str) -> "subprocess.Popen[str]":
    return subprocess.Popen([sys.executable, "-m", "lwm2m.aio", *args], cwd=ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def _stop(proc: "subprocess.Popen[str]", signum: int = signal.SIGTERM) -> "tuple[int, str]":
    if proc.poll() is None:
        proc.send_signal(signum)
    try:
        out, _ = proc.communicate(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()
        out, _ = proc.communicate()
    return proc.returncode, out


@pytest.fixture
def server() -> "Iterator[ThreadedServer]":
    srv = ThreadedServer(coap=("127.0.0.1", 0), coaps=("127.0.0.1", 0),
                         psk={"cli-dtls": (IDENTITY, KEY)}).start()
    try:
        yield srv
    finally:
        srv.stop()


@pytest.mark.parametrize(("secure", "signum"), [(False, signal.SIGTERM),
                                                (True, signal.SIGINT)])
def test_run_registers_answers_and_deregisters_on_signal(
        server: ThreadedServer, secure: bool, signum: int, tmp_path: Path) -> None:
    endpoint = "cli-dtls" if secure else "cli-coap"
    flags = ["--server", server.coaps_uri if secure else server.coap_uri,
             "--endpoint", endpoint, "--lifetime", "60"]
    keylog = tmp_path / "keys.log"
    if not secure:
        flags += ["--queue", "--binding", "U"]
    if secure:
        flags += ["--psk-identity", IDENTITY.decode(), "--psk-key", KEY.hex(),
                  "--keylog", str(keylog)]
    proc = _start("run", *flags)
    try:
        reg = server.wait_registered(endpoint, timeout=20)
        assert reg.lifetime_s == 60 and reg.queue == (not secure)
        answer = server.read(endpoint, "/3/0/0")
        assert answer.code == 0x45 and answer.records == [((3, 0, 0), "pylwm2m")]
        assert server.write(endpoint, "/1/0/1", 90).code == 0x44
        server.wait_for(lambda e: isinstance(e, sev.ClientUpdated)
                        and e.registration.lifetime_s == 90)
    finally:
        status, out = _stop(proc, signum)
    assert status == 0, out
    server.wait_for(lambda e: isinstance(e, sev.ClientDeregistered)
                    and e.registration.endpoint == endpoint)
    assert "STATE_READY" in out and "de-registering" in out
    if secure:
        # NSS key log: CLIENT_RANDOM <32-byte client random> <48-byte master secret>.
        (line,) = keylog.read_text().split("\n")[:1]
        label, random_hex, master_hex = line.split(" ")
        assert label == "CLIENT_RANDOM" and len(random_hex) == 64 and len(master_hex) == 96


def test_run_reads_a_bg96_configuration_directory(server: ThreadedServer,
                                                  tmp_path: Path) -> None:
    config = tmp_path / "cfg"
    (config / "ssl").mkdir(parents=True)
    (config / "bootstrap.ini").write_text(
        '{"bn":"/0/1/","e":[{"n":"0","sv":"%s"},{"n":"1","bv":false},{"n":"2","v":0},'
        '{"n":"10","v":101}]}\n'
        '{"bn":"/1/0/","e":[{"n":"0","v":101},{"n":"1","v":45},{"n":"6","bv":false},'
        '{"n":"7","sv":"U"}]}\n' % server.coaps_uri)
    (config / "ssl" / "101_server.psk").write_text("imei-client:%s\n" % KEY.hex())
    (config / "lwm2m_cfg").write_text("{\n  REG_EP_NAME=4;\n  PER_REGSTATUS_FEAT=1;\n}\n")
    server.add_psk("urn:imei:490154203237518", b"imei-client", KEY)
    proc = _start("run", str(config), "--imei", "490154203237518")
    try:
        reg = server.wait_registered("urn:imei:490154203237518", timeout=20)
        assert reg.lifetime_s == 45
    finally:
        status, out = _stop(proc)
    assert status == 0, out
    # The run-time state went to <config>/lwm2m (spec/bg96.md), and reset drops it.
    assert (config / "lwm2m" / "objects.json").exists()
    done = _cli("reset", str(config))
    assert done.returncode == 0, done.stderr
    assert not (config / "lwm2m" / "objects.json").exists()
    assert (config / "bootstrap.ini").exists()
    done = _cli("clean", str(config))
    assert done.returncode == 0, done.stderr
    assert not (config / "bootstrap.ini").exists() and not (config / "lwm2m_cfg").exists()
    assert not (config / "ssl" / "101_server.psk").exists()


def test_run_resumes_a_persisted_registration_after_a_kill(server: ThreadedServer,
                                                           tmp_path: Path) -> None:
    persist = tmp_path / "state"
    flags = ["run", "--server", server.coap_uri, "--endpoint", "cli-resume", "--lifetime",
             "300", "--persist", str(persist), "--set", "PER_REGSTATUS_FEAT=1"]
    proc = _start(*flags)
    try:
        first = server.wait_registered("cli-resume", timeout=20)
        deadline = time.monotonic() + 10
        while not list(persist.glob("reg-*.json")) and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        status, _out = _stop(proc, signal.SIGKILL)  # no De-register: a crash
    assert status == -signal.SIGKILL
    registrations = len([e for e in server.history if isinstance(e, sev.ClientRegistered)])
    proc = _start(*flags)
    try:
        deadline = time.monotonic() + 20
        answer = None
        while time.monotonic() < deadline:
            answer = server.read("cli-resume", "/3/0/0")
            if answer.code == 0x45:
                break
            time.sleep(0.2)
        assert answer is not None and answer.code == 0x45, answer
    finally:
        status, out = _stop(proc)
    assert status == 0, out
    assert "without registering again" in out
    # No second Register reached the server: the restart took the registration up.
    assert len([e for e in server.history if isinstance(e, sev.ClientRegistered)]) \
        == registrations
    gone = server.wait_for(lambda e: isinstance(e, sev.ClientDeregistered))
    assert gone.registration.path == first.path


def test_psk_writes_a_psktool_file(tmp_path: Path) -> None:
    target = tmp_path / "101_server.psk"
    done = _cli("psk", "-u", "iot_app_101", "-p", str(target), "-s", "32")
    assert done.returncode == 0, done.stderr
    assert target.stat().st_mode & 0o077 == 0  # the key is for its owner only
    identity, key = target.read_text().strip().rsplit(":", 1)
    assert identity == "iot_app_101" and len(bytes.fromhex(key)) == 32
    done = _cli("psk", "-u", "ep", "-p", str(target), "--key", "00ff")
    assert target.read_text() == "ep:00ff\n"


def _write(directory: Path, name: str, text: str) -> None:
    path = directory / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


BOOT = '{"bn":"/0/1/","e":[{"n":"0","sv":"coap://127.0.0.1:5683"},{"n":"1","bv":false},' \
       '{"n":"2","v":3},{"n":"10","v":101}]}\n'

# (files of the configuration directory, extra flags, what the one line must say)
CONFIG_ERRORS = [
    ({"lwm2m_cfg": "{ RETRY_TIMEOUT=30; NO_SUCH_KEY=1; }"}, [], "lwm2m_cfg:1: NO_SUCH_KEY"),
    ({"lwm2m_cfg": "{\n RETRY_TIMEOUT=abc;\n}"}, [], "lwm2m_cfg:2: RETRY_TIMEOUT"),
    ({"lwm2m_cfg": "{ REG_EP_NAME=5; }"}, [], "REG_EP_NAME"),
    ({"lwm2m_cfg": "RETRY_TIMEOUT=30;"}, [], "expected the settings to open with '{'"),
    ({"bootstrap.ini": '{"bn":"/0/1/","e":[{"n":"0","sv":"coap://x"}'}, [], "bootstrap.ini:1"),
    ({"bootstrap.ini": '{"bn":"/0/1/","e":[{"n":"99","v":1}]}'}, [], "/0/1/99"),
    ({"bootstrap.ini": BOOT.replace('"v":3', '"v":0')}, [], "ssl/101_server.psk"),
    ({"bootstrap.ini": BOOT, "ssl/101_server.psk": "no-colon-here\n"}, [],
     "101_server.psk:1"),
    ({"bootstrap.ini": BOOT, "ssl/101_server.psk": "id:abc\n"}, [], "even number of hex"),
    ({"bootstrap.ini": BOOT, "ssl/abc.psk": "id:00\n"}, [], "<short-server-id>_server.psk"),
    ({"bootstrap.ini": BOOT, "carrier_apn_cfg": "APN_CLASS=x\n"}, [], "carrier_apn_cfg:1"),
    ({"bootstrap.ini": BOOT, "lwm2m_cfg": "{ REG_EP_NAME=7; }"}, ["--imei", "490154203237518"],
     "MSISDN"),
    ({"bootstrap.ini": BOOT}, ["--imei", "12"], "IMEI (15 digits)"),
]


@pytest.mark.parametrize(("files", "flags", "expected"), CONFIG_ERRORS)
def test_every_configuration_error_is_one_line_and_exit_2(
        tmp_path: Path, files: "dict[str, str]", flags: "list[str]", expected: str) -> None:
    config = tmp_path / "cfg"
    config.mkdir()
    for name, text in files.items():
        _write(config, name, text)
    if "--imei" not in flags:
        flags = [*flags, "--endpoint", "ep"]
    done = _cli("run", str(config), *flags)
    assert done.returncode == 2, done.stdout + done.stderr
    lines = done.stderr.strip().split("\n")
    assert len(lines) == 1, done.stderr
    assert lines[0].startswith("lwm2m-client: ") and expected in lines[0], lines[0]
    assert done.stdout == ""


FLAG_ERRORS = [
    (["run", "--server", "http://127.0.0.1:1", "--endpoint", "e"], "coap://HOST:PORT"),
    (["run", "--server", "coap://127.0.0.1:x", "--endpoint", "e"], "bad port"),
    (["run", "--server", "coap://127.0.0.1:5683"], "--endpoint"),
    (["run", "--endpoint", "e"], "no server"),
    (["run", "--server", "coaps://127.0.0.1:5684", "--endpoint", "e"], "--psk-key"),
    (["run", "--server", "coaps://127.0.0.1:5684", "--endpoint", "e", "--psk-identity", "i",
      "--psk-key", "xyz"], "hex"),
    (["run", "--server", "coap://127.0.0.1:5683", "--endpoint", "e", "--psk-identity", "i",
      "--psk-key", "00"], "coaps://"),
    (["run", "--server", "coap://127.0.0.1:5683", "--endpoint", "e", "--lifetime", "0"],
     "--lifetime"),
    (["run", "--server", "coap://127.0.0.1:5683", "--endpoint", "e", "--lifetime", "abc"],
     "invalid int value"),
    (["run", "--server", "coap://127.0.0.1:5683", "--endpoint", "e", "--binding", "X"],
     "--binding"),
    (["run", "--server", "coap://127.0.0.1:5683", "--endpoint", "e", "--set", "FOO=1"],
     "FOO"),
    (["run", "--server", "coap://127.0.0.1:5683", "--endpoint", "e", "--lwm2m-version",
      "2.0"], "1.0 or 1.1"),
    (["run", "/no/such/directory", "--endpoint", "e"], "does not exist"),
    (["run", "--no-such-flag"], "unrecognized arguments"),
    (["frobnicate"], "invalid choice"),
    (["psk", "-u", "x"], "required"),
    (["reset"], "--persist DIR"),
    (["clean", "--persist", "/tmp"], "configuration directory"),
]


@pytest.mark.parametrize(("argv", "expected"), FLAG_ERRORS)
def test_every_flag_error_is_one_line_and_exit_2(argv: "list[str]", expected: str) -> None:
    done = _cli(*argv)
    assert done.returncode == 2, done.stdout + done.stderr
    lines = done.stderr.strip().split("\n")
    assert len(lines) == 1 and expected in lines[0], done.stderr


def test_help_lists_the_commands() -> None:
    done = _cli("--help")
    assert done.returncode == 0
    for command in ("run", "demo", "psk", "reset", "clean"):
        assert command in done.stdout


@pytest.mark.skipif(os.name != "posix", reason="signals")
def test_run_exits_1_when_the_network_fails_for_good(tmp_path: Path) -> None:
    # A name that never resolves (RFC 6761 §6.4 .invalid): the bearer back-off of
    # lwm2m_cfg (1 s, then give up after MAX_NO_RETRIES=1) ends the run.
    done = _cli("run", "--server", "coap://pylwm2m.invalid:5683", "--endpoint", "e",
                "--set", "RETRY_TIMEOUT=1", "--set", "MAX_NO_RETRIES=1", timeout=60)
    assert done.returncode == 1, done.stdout + done.stderr
    assert "retrying in 1 s" in done.stderr
    assert "the network failed for good" in done.stderr


def test_run_bootstraps_then_registers(server: ThreadedServer) -> None:
    # --bootstrap: the --server is a Bootstrap-Server; it writes the DM account (here the
    # fixture's server over DTLS-PSK), and the client registers there after the Finish.
    script = {"cli-bs": {"delete": ["/0", "/1"], "write": {
        "/0/1": {"0": server.coaps_uri, "1": False, "2": 0, "3": {"hex": "62732d6964"},
                 "5": {"hex": KEY.hex()}, "10": 101},
        "/1/0": {"0": 101, "1": 77, "6": False, "7": "U"}}}}
    server.add_psk("cli-bs", b"bs-id", KEY)
    bootstrap = ThreadedServer(coap=("127.0.0.1", 0), bootstrap=script).start()
    try:
        proc = _start("run", "--bootstrap", "--server", bootstrap.coap_uri, "--endpoint",
                      "cli-bs")
        try:
            reg = server.wait_registered("cli-bs", timeout=30)
            assert reg.lifetime_s == 77
            bootstrap.wait_for(lambda e: isinstance(e, sev.BootstrapCompleted))
        finally:
            status, out = _stop(proc)
    finally:
        bootstrap.stop()
    assert status == 0, out
    assert "STATE_BOOTSTRAPPING" in out


def test_the_console_script_is_declared() -> None:
    import tomllib

    with open(ROOT / "pyproject.toml", "rb") as fh:
        scripts = tomllib.load(fh)["project"]["scripts"]
    assert scripts["lwm2m-client"] == "lwm2m.aio.cli:main"
    from lwm2m.aio.cli import main

    assert main(["psk", "-u", "x"]) == 2  # main returns the status the script exits with
