"""Execute arguments (Core §5.4.5) (also under MicroPython)."""

from objects.errors import BadRequest
from objects.execute import parse_execute_arguments
from tests.support import raises


def test_valid_argument_lists() -> None:
    assert parse_execute_arguments(b"") == {}
    assert parse_execute_arguments(b"0") == {0: None}
    assert parse_execute_arguments(b"5='9'") == {5: "9"}
    assert parse_execute_arguments(b"2='10.3'") == {2: "10.3"}
    assert parse_execute_arguments(b"7,0='https://x.example/a?b=c'") == {
        7: None, 0: "https://x.example/a?b=c",
    }
    assert parse_execute_arguments(b"0,1,2") == {0: None, 1: None, 2: None}
    assert parse_execute_arguments(b"3=''") == {3: ""}
    assert parse_execute_arguments(b"1='!#&(~[]'") == {1: "!#&(~[]"}


def test_invalid_argument_lists() -> None:
    for bad in [b"a", b"10", b"0=", b"0=1", b"0='1", b"0,", b",0", b"0;1", b"0,0",
                b"0='a b'", b"0='a\"b'", b"0='\xff'", b"0 ", b"0='x'1", b"0='a\\b'"]:
        raises(BadRequest, parse_execute_arguments, bad)
