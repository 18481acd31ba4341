"""``python -m lwm2m.formats``: decode and encode from the command line."""

import json
import os
import subprocess
import sys

import pytest

from tests.support import shared_path

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DEVICE_TLV = (
    "c800144f70656e204d6f62696c6520416c6c69616e6365c801164c69676874776569676874204d324d20436c6"
    "9656e74c80209333435303030313233c303312e30860641000141010588070842000ed842011388870841007d"
    "42010384c10964c10a0f830b410000c40d5182428fc60e2b30323a3030c11055"
)


def cli(*args: str) -> "subprocess.CompletedProcess[str]":
    return subprocess.run(
        [sys.executable, "-m", "lwm2m.formats", *args],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=ROOT,
    )


def test_decode_tlv_with_the_built_in_device_object() -> None:
    done = cli("decode", "--format", "tlv", "--path", "/3/0", DEVICE_TLV)
    assert done.returncode == 0, done.stderr
    records = json.loads(done.stdout)
    assert records[0] == {"path": "/3/0/0", "type": "string", "value": "Open Mobile Alliance"}
    assert {"path": "/3/0/13", "type": "time", "value": 1367491215} in records
    assert {"path": "/3/0/7/1", "type": "integer", "value": 5000} in records


def test_encode_is_the_inverse_of_decode() -> None:
    decoded = cli("decode", "--format", "tlv", "--path", "/3/0", DEVICE_TLV).stdout
    for fmt in ("tlv", "senml-json", "senml-cbor", "lwm2m-cbor", "oma-json"):
        encoded = cli("encode", "--format", fmt, "--path", "/3/0", decoded)
        assert encoded.returncode == 0, encoded.stderr
        again = cli("decode", "--format", fmt, "--path", "/3/0", encoded.stdout.strip())
        assert json.loads(again.stdout) == json.loads(decoded), fmt
    assert cli("encode", "--format", "tlv", "--path", "/3/0", decoded).stdout.strip() == DEVICE_TLV


def test_unknown_objects_decode_as_opaque_and_values_print_as_json() -> None:
    done = cli("decode", "--format", "tlv", "--path", "/9999/0", "c10001c40200420000")
    assert json.loads(done.stdout) == [
        {"path": "/9999/0/0", "type": "opaque", "value": "01"},
        {"path": "/9999/0/2", "type": "opaque", "value": "00420000"},
    ]
    senml = b'[{"bn":"/3/0/","n":"13","v":1700000000,"t":-5,"bt":10},{"n":"0","vs":"x"}]'
    done = cli("decode", "--format", "senml-json", "--path", "/3/0", senml.hex())
    assert json.loads(done.stdout) == [
        {"path": "/3/0/13", "type": "time", "value": 1700000000, "time": 5},
        {"path": "/3/0/0", "type": "string", "value": "x", "time": 10},
    ]


def test_objlnk_and_links() -> None:
    records = '[{"path": "/65/0/0/0", "type": "objlnk", "value": "66:0"}]'
    done = cli("encode", "--format", "senml-json", records)
    assert bytes.fromhex(done.stdout.strip()) == b'[{"n":"/65/0/0/0","vlo":"66:0"}]'
    text = b"</3/0/7>;dim=8;pmin=10;gt=50;lt=42.2"
    done = cli("decode", "--format", "link", text.hex())
    links = json.loads(done.stdout)
    assert links == [{"uri": "/3/0/7", "attrs": {"dim": 8, "pmin": 10, "gt": 50, "lt": 42.2}}]
    assert bytes.fromhex(cli("encode", "--format", "link", done.stdout).stdout.strip()) == text


def test_ddf_file_gives_types() -> None:
    ddf = shared_path("vectors/oma/3.xml")
    if ddf is None:
        pytest.skip("../shared is absent: no OMA DDF files to load")
    # Resource 9 of /3 read with the DDF: an integer.
    done = cli("decode", "--ddf", ddf, "--format", "tlv", "--path", "/3/0", "c10964")
    assert json.loads(done.stdout) == [{"path": "/3/0/9", "type": "integer", "value": 100}]


@pytest.mark.parametrize(
    "args",
    [
        ("decode", "--format", "tlv", "--path", "/3/0", "c8"),
        ("decode", "--format", "tlv", "--path", "/3/0", "zz"),
        ("decode", "--format", "tlv", "--path", "/3/x", "c10964"),
        ("decode", "--format", "senml-cbor", "--path", "/3/0", "9f01ff"),
        ("encode", "--format", "text", "--path", "/3/0/0", "[1]"),
        ("encode", "--format", "tlv", "--path", "/3/0", "not json"),
        ("decode", "--ddf", "/nonexistent.xml", "--format", "tlv", "--path", "/3/0", "c10964"),
        # values the resource's type cannot hold (TLV would write them without a word:
        # -1 as the byte 0xff, which reads back as 255)
        ("encode", "--format", "tlv", "--path", "/1/0", '[{"path": "/1/0/11", "value": -1}]'),
        ("encode", "--format", "tlv", "--path", "/3/0", '[{"path": "/3/0/9", "value": "50"}]'),
        ("encode", "--format", "senml-json", "--path", "/3/0",
         '[{"path": "/3/0/9", "value": true}]'),
        ("encode", "--format", "tlv", "--path", "/3/0", '[{"path": "/3/0/13", "value": 1.5}]'),
        ("encode", "--format", "tlv", "--path", "/3/0",
         '[{"path": "/3/0/9", "value": 50, "type": "string"}]'),
    ],
)
def test_bad_input_exits_1_with_one_line(args: "tuple[str, ...]") -> None:
    done = cli(*args)
    assert done.returncode == 1
    assert done.stdout == ""
    assert len(done.stderr.strip().splitlines()) == 1, done.stderr
    if args[0] == "encode" and args[-1].startswith("[{"):
        assert json.loads(args[-1])[0]["path"] in done.stderr, done.stderr  # names the record


def test_encode_takes_values_of_the_resource_type() -> None:
    # A whole number for a Float, a whole float for an Integer, null (a delete in a
    # Write-Composite) for anything: each as the type wants it, or passed through.
    done = cli("encode", "--format", "tlv", "--path", "/3/0",
               '[{"path": "/3/0/9", "value": 50.0}]')
    assert done.returncode == 0 and done.stdout.strip() == "c10932", done.stderr
    done = cli("encode", "--format", "senml-json", "--path", "/3/0",
               '[{"path": "/3/0/9", "value": null}]')
    assert done.returncode == 0, done.stderr
