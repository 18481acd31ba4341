"""Runs the MicroPython-compatible test modules under the real ``micropython`` binary."""

import os
import subprocess

import pytest

from tests.micropython_cases import MODULES
from tests.peers import require_program

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
RUNNER = os.path.join(ROOT, "tests", "mpy", "run.py")


def run_under_micropython(*modules: str) -> subprocess.CompletedProcess[str]:
    binary = require_program("micropython")
    return subprocess.run(
        [binary, RUNNER, ROOT, *modules],
        capture_output=True,
        text=True,
        timeout=600,
        cwd=ROOT,
    )


@pytest.mark.parametrize("module", MODULES)
def test_module_passes_under_micropython(module: str) -> None:
    done = run_under_micropython(module)
    if done.returncode != 0:
        pytest.fail(f"under MicroPython:\n{done.stdout}{done.stderr}", pytrace=False)
    assert "0 failed" in done.stdout


def test_the_harness_reports_failures() -> None:
    done = run_under_micropython("tests.mpy.selfcheck")
    assert done.returncode == 1, done.stdout + done.stderr
    assert "FAIL tests.mpy.selfcheck.test_fails_on_purpose" in done.stdout
    assert "1 passed, 1 failed" in done.stdout


def test_each_module_is_listed_once() -> None:
    # Branches append to the list and git merges it as a union: duplicates creep in.
    assert len(MODULES) == len(set(MODULES)), sorted(m for m in MODULES if MODULES.count(m) > 1)
