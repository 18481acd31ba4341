"""``python -m coap decode`` / ``encode``: JSON out and back, one-line errors (pytest-only)."""

import json
import subprocess
import sys

import pytest

from coap.cli import main

REGISTER = (
    "4502beef746f6b656eb27264112833623d55096c776d326d3d312e31066c743d3330300d0265703d64"
    "756d6d792d636c69656e74ff3c2f312f303e2c3c2f332f303e3b7665723d22312e3222"
)


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "coap", *args], capture_output=True, text=True, timeout=60
    )


def test_decode_prints_the_fields() -> None:
    done = run("decode", REGISTER)
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout)
    assert out["type"] == "CON"
    assert out["code"] == "0.02"
    assert out["code_name"] == "POST"
    assert out["mid"] == 0xBEEF
    assert out["token"] == "746f6b656e"
    assert out["options"][0] == {
        "number": 11,
        "name": "Uri-Path",
        "format": "string",
        "value": "rd",
    }
    assert out["options"][1]["value"] == 40
    assert [o["value"] for o in out["options"][2:]] == [
        "b=U",
        "lwm2m=1.1",
        "lt=300",
        "ep=dummy-client",
    ]
    assert bytes.fromhex(out["payload"]) == b'</1/0>,</3/0>;ver="1.2"'


def test_encode_inverts_decode() -> None:
    decoded = run("decode", REGISTER).stdout
    done = run("encode", decoded)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == REGISTER


def test_the_readme_datagram(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["decode", "4401a4d2b0743c00b1330130622d16"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert [o["value"] for o in out["options"]] == ["3", "0", 11542]


@pytest.mark.parametrize(
    "message",
    [
        {
            "type": "NON",
            "code": "Content",
            "mid": 5,
            "token": "01",
            "options": [
                {"name": "Observe", "value": 12},
                {"number": 12, "value": 0},
                {"name": "Block2", "value": 10},
                {"number": 65001, "value": "00ff"},
            ],
            "payload_text": "38",
        },
        {"type": "ACK", "code": "0.00", "mid": 9},
        {
            "code": "GET",
            "mid": 1,
            "options": [{"name": "If-None-Match"}, {"name": "ETag", "value_hex": "0102"}],
        },
    ],
)
def test_encode_then_decode(message: dict[str, object], capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["encode", json.dumps(message)]) == 0
    hexed = capsys.readouterr().out.strip()
    assert main(["decode", hexed]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["mid"] == message["mid"]
    assert main(["encode", json.dumps(out)]) == 0
    assert capsys.readouterr().out.strip() == hexed


def test_decode_accepts_capture_formatting(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["decode", "0x60 00 12:34"]) == 0
    assert json.loads(capsys.readouterr().out)["type"] == "ACK"


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["decode", "4401a4d2b0743c003d3d02ff"], "malformed CoAP message"),
        (["decode", "zz"], "not a hex string"),
        (["decode", "40011234ff"], "payload marker"),
        (["encode", "{"], "not JSON"),
        (["encode", '{"code": "9.99"}'], "cannot encode"),
        (["encode", '{"code": "GET", "token": "00112233445566778899"}'], "token"),
        (["encode", '{"code": "GET", "options": [{"name": "Accept", "value": "x"}]}'], "Accept"),
        (["encode", '{"code": "GET", "options": [{"name": "Bogus"}]}'], "Bogus"),
        (["encode", '{"code": "0.00", "token": "01"}'], "empty message"),
        (["encode", "[]"], "JSON object"),
        (["frobnicate"], "invalid choice"),
        (["client", "get", "http://127.0.0.1/"], "only coap://"),
        (["client", "get", "coap://127.0.0.1:99999/"], "bad port"),
        (["client", "get", "coap://127.0.0.1:9/", "-b", "100"], "block size"),
        (["client", "put", "coap://127.0.0.1:9/", "-f", "/nonexistent/file"], "cannot read"),
        (["client", "get", "coap://127.0.0.1:9/", "-e", "a", "-f", "b"], "not allowed"),
        (["server", "--listen", "nope", "--root", "."], "HOST:PORT"),
        (["server", "--listen", "127.0.0.1:0", "--root", "/nonexistent"], "not a directory"),
    ],
)
def test_bad_input_exits_1_with_one_line(args: list[str], says: str) -> None:
    done = run(*args)
    assert done.returncode == 1
    assert done.stdout == ""
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert says in lines[0]
