"""The benchmark runner's machinery: cases, timing, the table and the JSON report.

A benchmark module ``benchmarks/bench_<topic>.py`` defines ``cases(quick: bool)``
returning a list of :class:`Case`. Each case times our code and, where one exists, a
baseline doing the same work in the same run; the report gives the ratio
``ours_us / baseline_us`` (lower is better). Figures are per call, in microseconds.
"""

import gc
import importlib
import pathlib
import platform
import sys
import time
from collections.abc import Callable

BENCH_DIR = pathlib.Path(__file__).resolve().parent


class Case:
    """One measured operation: ``ours`` against an optional ``baseline`` on the same input.

    ``check`` (optional) runs once before timing and must raise if the two sides do
    not produce equivalent results: a benchmark of code that is wrong proves nothing.
    ``unit`` names what ``ours_us`` measures when it is not a time (e.g. bytes).
    """

    __slots__ = ("baseline", "baseline_name", "check", "name", "ours", "unit", "value")

    def __init__(
        self,
        name: str,
        ours: Callable[[], object] | None,
        baseline_name: str | None = None,
        baseline: Callable[[], object] | None = None,
        check: Callable[[], None] | None = None,
        value: float | None = None,
        unit: str = "us",
    ) -> None:
        self.name = name
        self.ours = ours
        self.baseline_name = baseline_name
        self.baseline = baseline
        self.check = check
        self.value = value
        self.unit = unit


def time_call(fn: Callable[[], object], quick: bool) -> float:
    """Microseconds per call: the best of several rounds, each long enough to time."""
    budget_s = 0.002 if quick else 0.2
    rounds = 1 if quick else 5
    number = 1
    while True:  # grow the batch until one round takes the budget
        start = time.perf_counter()
        for _ in range(number):
            fn()
        elapsed = time.perf_counter() - start
        if elapsed >= budget_s or number >= 1 << 24:
            break
        number *= 2 if elapsed == 0 else max(2, min(10, int(budget_s / elapsed) + 1))
    best = elapsed
    gc_was_enabled = gc.isenabled()
    gc.disable()
    try:
        for _ in range(rounds - 1):
            start = time.perf_counter()
            for _ in range(number):
                fn()
            best = min(best, time.perf_counter() - start)
    finally:
        if gc_was_enabled:
            gc.enable()
    return best / number * 1e6


def measure(case: Case, quick: bool) -> dict[str, object]:
    if case.check is not None:
        case.check()
    if case.ours is None:
        ours = case.value if case.value is not None else float("nan")
    else:
        ours = time_call(case.ours, quick)
    row: dict[str, object] = {
        "name": case.name,
        "ours_us": round(ours, 3),
        "baseline": case.baseline_name,
        "baseline_us": None,
        "ratio": None,
    }
    if case.unit != "us":
        row["unit"] = case.unit
    if case.baseline is not None:
        base = time_call(case.baseline, quick)
        row["baseline_us"] = round(base, 3)
        row["ratio"] = round(ours / base, 3) if base > 0 else None
    return row


def discover(only: list[str] | None = None) -> list[str]:
    names = sorted(p.stem for p in BENCH_DIR.glob("bench_*.py"))
    if only:
        names = [n for n in names if any(key in n for key in only)]
    return names


def collect(module_name: str, quick: bool) -> list[Case]:
    module = importlib.import_module(f"benchmarks.{module_name}")
    cases: list[Case] = module.cases(quick)
    return cases


def machine() -> str:
    impl = f"{platform.python_implementation()} {platform.python_version()}"
    return f"{impl} on {platform.machine()}, {sys.platform}"


def format_table(rows: list[dict[str, object]]) -> str:
    lines = [
        "| case | ours (us) | baseline | baseline (us) | ratio |",
        "|---|---:|---|---:|---:|",
    ]
    for row in rows:
        unit = row.get("unit")
        ours = f"{row['ours_us']} {unit}" if unit else str(row["ours_us"])
        lines.append(
            f"| {row['name']} | {ours} | {row['baseline'] or '-'} | "
            f"{row['baseline_us'] if row['baseline_us'] is not None else '-'} | "
            f"{row['ratio'] if row['ratio'] is not None else '-'} |"
        )
    return "\n".join(lines)
