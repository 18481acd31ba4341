"""Run the benchmarks: ``python benchmarks/run.py [--quick] [--json FILE] [NAME ...]``.

Every ``benchmarks/bench_*.py`` joins by defining ``cases(quick)``. ``--quick`` runs each
case briefly, to prove the benchmarks work (CI); without it the figures are the ones
to record in ``benchmarks/README.md``. NAME filters modules by substring.
"""

import argparse
import json
import pathlib
import sys

if __package__ in (None, ""):
    sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent.parent))

from benchmarks.runner import collect, discover, format_table, machine, measure


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="one short round per case")
    parser.add_argument("--json", metavar="FILE", help="write the rows as a JSON list")
    parser.add_argument("names", nargs="*", help="only modules whose name contains one")
    args = parser.parse_args(argv)
    modules = discover(args.names)
    if not modules:
        print(f"no benchmark module matches {args.names}", file=sys.stderr)
        return 1
    rows: list[dict[str, object]] = []
    for module_name in modules:
        for case in collect(module_name, args.quick):
            row = measure(case, args.quick)
            row["module"] = module_name
            rows.append(row)
            print(
                f"{row['name']}: {row['ours_us']} (baseline {row['baseline_us']}, "
                f"ratio {row['ratio']})",
                file=sys.stderr,
            )
    print(f"# {machine()}{' (quick)' if args.quick else ''}")
    print(format_table(rows))
    if args.json:
        pathlib.Path(args.json).write_text(json.dumps(rows, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
