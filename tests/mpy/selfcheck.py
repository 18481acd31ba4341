"""Proves the MicroPython harness can fail: one test passes, one fails on purpose.

Not collected by pytest (no ``test_`` prefix on the file); run only by
``tests/test_micropython.py::test_the_harness_reports_failures``.
"""


def test_passes() -> None:
    assert 1 + 1 == 2


def test_fails_on_purpose() -> None:
    assert [1, 2] == [2, 1], "this failure is expected"
