"""The benchmark runner works end to end on its quick setting (not a timed test)."""

import json
import pathlib
import subprocess
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent


def test_runner_quick_writes_the_report(tmp_path: pathlib.Path) -> None:
    out = tmp_path / "bench.json"
    done = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "run.py"), "--quick", "--json", str(out)],
        capture_output=True,
        text=True,
        timeout=600,
        cwd=ROOT,
    )
    assert done.returncode == 0, done.stderr
    rows = json.loads(out.read_text())
    assert rows
    for row in rows:
        assert set(row) >= {"name", "ours_us", "baseline", "baseline_us", "ratio"}
        if row["baseline_us"]:
            exact = row["ours_us"] / row["baseline_us"]
            assert abs(row["ratio"] - exact) <= 0.01 * exact + 0.002, row
