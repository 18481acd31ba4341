"""bootstrap.ini: the BG96 guide's form, values typed and checked, errors located.

Also runs under MicroPython."""

from lwm2m.config import ConfigError, parse_bootstrap_ini
from tests.support import raises

# The guide's example instance (spec/bg96.md), then a Server and an ACL instance.
GUIDE = """{"bn":"/0/1/","e":[{"n":"0","sv":"coaps://leshan.eclipse.org:5684"},{"n":"1","bv":false},{"n":"2","v":0},{"n":"10","v":101}]}
{"bn":"/1/0/","e":[
  {"n":"0","v":101},
  {"n":"1","v":86400},
  {"n":"6","bv":false},
  {"n":"7","sv":"U"}
]}
{"bn":"/2/0/","e":[{"n":"0","v":3},{"n":"1","v":0},{"n":"2/101","v":15},{"n":"3","v":101}]}
"""


def test_the_guides_instance() -> None:
    instances = parse_bootstrap_ini(GUIDE)
    assert [(i.oid, i.iid, i.line) for i in instances] == [(0, 1, 1), (1, 0, 2), (2, 0, 8)]
    security = instances[0]
    assert security.value(0) == "coaps://leshan.eclipse.org:5684"
    assert security.value(1) is False and security.value(2) == 0 and security.value(10) == 101
    assert instances[1].records == [
        ((1, 0, 0), 101), ((1, 0, 1), 86400), ((1, 0, 6), False), ((1, 0, 7), "U")]
    assert ((2, 0, 2, 101), 15) in instances[2].records


def test_opaque_values_are_base64() -> None:
    text = '{"bn":"/0/0/","e":[{"n":"3","sv":"aWRlbnRpdHk="},{"n":"5","sv":"AAEC"}]}'
    (inst,) = parse_bootstrap_ini(text)
    assert inst.value(3) == b"identity" and inst.value(5) == b"\x00\x01\x02"


def test_empty_file_is_no_instances() -> None:
    assert parse_bootstrap_ini("\n  \n") == []


def test_errors_name_file_line_and_path() -> None:
    cases = [
        # security mode 7 does not exist (0..4)
        ('{"bn":"/0/1/","e":[\n{"n":"0","sv":"coap://h"},\n{"n":"2","v":7}]}', 3, "/0/1/2"),
        ('{"bn":"/1/0/","e":[{"n":"99","v":1}]}', 1, "/1/0/99"),
        ('{"bn":"/1/0/","e":[{"n":"1","sv":"long"}]}', 1, None),
        ('\n{"bn":"/1/0/","e":[{"n":"1","v":1}]}\n{"bn":"/1/0/","e":[{"n":"1","v":2}]}', 3, None),
        ('{"bn":"/1/0/","e":[{"n":"1","v":1}]} junk', 1, None),
        ('{"bn":"/1/0/","e":[{"n":"1","v":1}]\n', 1, None),
        ('{"bn":"/1/","e":[{"n":"0/1","v":1},{"n":"1/1","v":1}]}', 1, "/1/1/1"),
        ('{"bn":"/1/0/","e":[]}', 1, None),
        ('}', 1, None),
    ]
    for text, line, key in cases:
        err = raises(ConfigError, parse_bootstrap_ini, text, "cfg/bootstrap.ini")
        assert (err.file, err.line, err.key) == ("cfg/bootstrap.ini", line, key), (
            text, str(err))
        assert "\n" not in str(err)
