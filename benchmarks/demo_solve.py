"""Benchmark (not a test): `allocate solve` on the bundled demo district at the CLI's defaults.

    .venv/bin/python benchmarks/demo_solve.py              # once
    .venv/bin/python benchmarks/demo_solve.py --repeat 3   # medians over three runs
    .venv/bin/python benchmarks/demo_solve.py --json

Prints, per run: wall time, the solving time (the solve call: build, the stations solved one per
core, verification), stations with coverage proven minimal, fully proven
(soft-goal gap <= 1 %), greedy fallbacks, stations cut by the wall clock, uncovered crews, the median
and worst soft gap, and each station's time to proof and deterministic work. The goal: all 8
stations proven in at most 10 s of solving. Runs the same library call as the CLI (``run_solve``),
without writing an output folder.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import statistics
import sys
import time
from pathlib import Path

from rich.console import Console
from rich.table import Table

from allocate.api import run_solve

ROOT = Path(__file__).resolve().parents[1]


def one_run(data: Path, start: dt.date, days: int) -> dict:
    t0 = time.perf_counter()
    result, _ = run_solve(data, start=start, days=days)
    wall = time.perf_counter() - t0
    s = result.summary()
    units = s["units"]
    soft = [u["soft_gap"] for u in units if u["soft_gap"] is not None]
    return {
        "wall_seconds": round(wall, 2),
        # The solve call itself: models built, stations solved (side by side, one per core), roster
        # verified; without loading the data and writing nothing. The goal's "10 s of solving".
        "solve_seconds": round(result.wall_seconds, 2),
        "station_seconds_summed": round(sum(u["wall_seconds"] for u in units), 2),
        "work": round(sum(u["work"] for u in units), 3),
        "stations": len(units),
        "coverage_proven": s["proof"]["coverage_proven"],
        "fully_proven": s["proof"]["fully_proven"],
        "greedy_fallbacks": s["proof"]["greedy_fallbacks"],
        "cut_by_wall_clock": s["proof"]["stopped_by_time_limit"],
        "uncovered_crews": s["uncovered_crews"],
        "soft_gap_median": statistics.median(soft) if soft else None,
        "soft_gap_worst": max(soft) if soft else None,
        "verifier_ok": s["verifier"]["ok"],
        "per_station": [
            {
                "station": u["name"],
                "people": u["people"],
                "variables": u["variables"],
                "seconds": u["wall_seconds"],
                "work": u["work"],
                "stopped_by": u["stopped_by"],
                "coverage_proven": u["coverage_proven"],
                "soft": f"{u['soft_objective']}/{u['soft_bound']}",
            }
            for u in units
        ],
    }


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--data", type=Path, default=ROOT / "data" / "demo")
    parser.add_argument("--start", default="2026-12-07")
    parser.add_argument("--days", type=int, default=7)
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    err = Console(stderr=True)
    runs = [one_run(args.data, dt.date.fromisoformat(args.start), args.days) for _ in range(args.repeat)]
    if args.json:
        sys.stdout.write(json.dumps(runs, indent=2) + "\n")
    for k, run in enumerate(runs, start=1):
        t = Table(title=f"demo solve, run {k}", title_justify="left")
        for col in (
            "station",
            "people",
            "variables",
            "seconds",
            "work",
            "stopped_by",
            "coverage_proven",
            "soft",
        ):
            t.add_column(col)
        for row in run["per_station"]:
            t.add_row(*(str(row[c]) for c in row))
        err.print(t)
        err.print({k: v for k, v in run.items() if k != "per_station"})
    if len(runs) > 1:
        for key in ("wall_seconds", "solve_seconds", "work", "fully_proven"):
            err.print(f"median {key}: {statistics.median(r[key] for r in runs)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
