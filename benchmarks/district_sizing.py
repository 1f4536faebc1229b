"""Benchmark (not a test): rule 9 sizing of the bundled 8-station district over 4 weeks.

    .venv/bin/python benchmarks/district_sizing.py                    # the defaults of `allocate size`
    .venv/bin/python benchmarks/district_sizing.py --workers 2 --jobs 1  # two workers, one station at a time
    .venv/bin/python benchmarks/district_sizing.py --weeks 1 --json

Prints, per station: current and minimum headcount per kind, whether the minimum is proven, and the
seconds it took; then the district's totals and the wall time. The goal: the bundled district sized
in a few minutes on 2 cores, with proven minima.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from rich.console import Console
from rich.table import Table

from allocate.io.load import load_dataset
from allocate.policy import load_policy
from allocate.sizing import size_dataset

DEMO = Path(__file__).resolve().parent.parent / "data" / "demo"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--data", type=Path, default=DEMO)
    parser.add_argument("--weeks", type=int, default=4)
    parser.add_argument("--time-limit", type=float, default=120.0, help="seconds per station, at most")
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--jobs", type=int, default=None)
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args(argv)

    dataset, policy = load_dataset(args.data), load_policy(args.data)
    started = time.perf_counter()
    report = size_dataset(
        dataset,
        None,
        policy,
        weeks=args.weeks,
        time_limit=args.time_limit,
        workers=args.workers,
        jobs=args.jobs,
    )
    wall = time.perf_counter() - started
    summary = report.summary()
    figures = {
        "wall_seconds": round(wall, 1),
        "weeks": args.weeks,
        "district_current": summary["district_current"],
        "district_minimum": summary["district_minimum"],
        "proven": sum(s.minimum_proven for s in report.stations),
        "stations": summary["stations"],
    }
    if args.json:
        sys.stdout.write(json.dumps(figures, indent=2) + "\n")
        return 0
    table = Table(title=f"sizing over {args.weeks} week(s): {wall:.0f} s wall", title_justify="left")
    for col in ("station", "current svc+civ", "minimum svc+civ", "proven", "seconds"):
        table.add_column(col)
    for s in report.stations:
        table.add_row(
            s.station_id,
            f"{s.current['aux_service']} + {s.current['aux_civilian']}",
            f"{s.minimum['aux_service']} + {s.minimum['aux_civilian']}",
            "yes" if s.minimum_proven else "no",
            f"{s.seconds:.1f}",
        )
    console = Console()
    console.print(table)
    console.print(
        f"district: current {figures['district_current']}, minimum {figures['district_minimum']}, "
        f"{figures['proven']} of {len(report.stations)} minima proven"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
