"""Helpers for tests that also run under MicroPython.

No pytest, no typing at run time: modules listed in ``micropython_cases.py`` import
only this and the code under test, and their ``test_*`` functions take no arguments.
"""

import json
import os

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any


def _dirname(path: str) -> str:
    i = path.rfind("/")
    return path[:i] if i > 0 else "."


TESTS_DIR = _dirname(__file__)
VECTORS_DIR = TESTS_DIR + "/vectors"
SHARED_DIR = TESTS_DIR + "/../../shared"


def exists(path: str) -> bool:
    try:
        os.stat(path)
    except OSError:
        return False
    return True


def load_vectors(name: str) -> "Any":
    """Load ``tests/vectors/<name>`` (copied from ``../shared/vectors``, sources kept)."""
    with open(VECTORS_DIR + "/" + name) as fh:
        return json.load(fh)


def shared_path(relative: str) -> "str | None":
    """Path of a file under ``../shared``, or None when the checkout has no ``../shared``."""
    path = SHARED_DIR + "/" + relative
    return path if exists(path) else None


def raises(exc_type: "type[BaseException]", fn: "Callable[..., Any]", *args: "Any") -> "Any":
    """Call ``fn(*args)`` and return the exception it raised; fail unless it is ``exc_type``."""
    try:
        fn(*args)
    except exc_type as exc:
        return exc
    raise AssertionError("expected %s from %r%r" % (exc_type.__name__, fn, args))
