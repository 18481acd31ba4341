"""Paths: parsing, formatting, prefixes (also under MicroPython)."""

from objects.path import PathError, format_path, is_prefix, parse_path
from tests.support import raises


def test_parse_and_format_round_trip() -> None:
    for text, path in [
        ("/", ()),
        ("/3", (3,)),
        ("/3/0", (3, 0)),
        ("/3/0/13", (3, 0, 13)),
        ("/3/0/7/1", (3, 0, 7, 1)),
        ("/65535/65535", (65535, 65535)),
    ]:
        assert parse_path(text) == path
        assert format_path(path) == text
    assert parse_path("/3/0/") == (3, 0)


def test_bad_paths_are_rejected() -> None:
    for text in ["", "3/0", "/3//0", "/a", "/-1", "/65536", "/1/2/3/4/5", "/01", "/3/ 0"]:
        raises(PathError, parse_path, text)


def test_prefix() -> None:
    assert is_prefix((), (3, 0))
    assert is_prefix((3,), (3, 0, 1))
    assert is_prefix((3, 0, 1), (3, 0, 1))
    assert not is_prefix((3, 1), (3, 0, 1))
    assert not is_prefix((3, 0, 1), (3, 0))
