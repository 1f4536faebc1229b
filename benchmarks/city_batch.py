"""Benchmark (not a test): the weekly batch over the generated city, ~200 stations and ~24,000 people.

    .venv/bin/python benchmarks/city_batch.py                      # at the batch CLI's defaults
    .venv/bin/python benchmarks/city_batch.py --budget 120         # a per-station limit derived from 2 min
    .venv/bin/python benchmarks/city_batch.py --time-limit 10      # a fixed per-station limit
    .venv/bin/python benchmarks/city_batch.py --stations 20 --json # a quick look at 20 stations
    .venv/bin/python benchmarks/city_batch.py --districts 2 --lending  # one unit per district, lending on
    .venv/bin/python benchmarks/city_batch.py --size region         # 200 stations of 55-220 people
    .venv/bin/python benchmarks/city_batch.py --data DIR            # any dataset folder

Generates the city into a temp folder, runs ``allocate.batch.run_batch`` on every station into a fresh
SQLite store (or ``--store``), and prints: wall time, peak memory, stations solved / optimal / verified,
median and worst gap, and seconds per station (per district with ``--lending``) split into model build,
solve, and the rest (verify, roster extraction, summary), and what was proven: stations with coverage
proven minimal, fully proven (soft gap <= 1 %), greedy fallbacks, stations cut by the wall clock, the
soft gap, and time-to-proof percentiles. The goal: the whole city in under 2 minutes on 2 cores at the CLI's defaults, every station
verified, no greedy fallback, coverage proven at >= 99 % of stations, fully proven at >= 90 %.
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

from rich.console import Console
from rich.table import Table

from allocate.batch import BatchSettings, Store, run_batch
from allocate.batch.progress import BatchProgress
from allocate.generate import generate
from allocate.machine import cores
from allocate.policy import load_policy


def peak_memory_mb() -> dict[str, float]:
    """ru_maxrss (KiB on Linux) of this process and of the largest waited-for child process."""
    me = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return {
        "self": round(me, 1),
        "largest_child": round(children, 1),
        "self_plus_child": round(me + children, 1),
    }


def quantile(values: list[float], q: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--size", default="city", help="generated size (city, region, demo, tiny)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--week", default="2026-W50", help="the generated data's own week by default")
    parser.add_argument("--store", default=None, help="database URL (default: SQLite in the temp folder)")
    parser.add_argument("--engine", default="process", choices=["process", "dask", "serial"])
    parser.add_argument("--jobs", type=int, default=None, help="stations at once (default: cores)")
    parser.add_argument("--workers", type=int, default=1, help="CP-SAT workers per station")
    parser.add_argument("--goal", type=float, default=120.0, help="target wall seconds for the city")
    parser.add_argument(
        "--budget", type=float, default=None, help="derive the per-station limit from this many seconds"
    )
    parser.add_argument(
        "--time-limit", type=float, default=None, help="seconds per station (default: from --budget)"
    )
    parser.add_argument("--stations", type=int, default=None, help="only the first N stations")
    parser.add_argument(
        "--districts", type=int, default=None, help="only the stations of the first N districts"
    )
    parser.add_argument("--lending", action="store_true", help="lending = true: one CP-SAT unit per district")
    parser.add_argument("--keep", type=Path, default=None, help="generate into this folder and keep it")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON on stdout")
    parser.add_argument(
        "--data", type=Path, default=None, help="an existing dataset folder instead of a generated one"
    )
    args = parser.parse_args()

    err = Console(stderr=True)
    tmp = tempfile.TemporaryDirectory(prefix="allocate-city-")
    root = args.keep or Path(tmp.name)
    started = time.perf_counter()
    data = args.data or generate(args.size, seed=args.seed, out=root / args.size)
    generated = time.perf_counter() - started
    import csv

    with (data / "stations.csv").open() as handle:
        rows = list(csv.DictReader(handle))
    n_all = len(rows)
    selected = None
    if args.districts:
        wanted = list(dict.fromkeys(r["district"] for r in rows))[: args.districts]
        selected = [r["station_id"] for r in rows if r["district"] in wanted]
    elif args.stations:
        selected = [r["station_id"] for r in rows][: args.stations]
    n = len(selected) if selected else n_all
    policy = load_policy(data).model_copy(update={"lending": args.lending})
    jobs = args.jobs or max(1, cores() // args.workers)
    # The budget covers loading, the fan-out and storing; ~10 s of it go to loading and pool start-up.
    limit = args.time_limit or BatchSettings().time_limit  # the CLI's default
    if args.budget and not args.time_limit:
        limit = max(0.5, (args.budget - 10.0) * jobs / n * 0.9)
    url = args.store or f"sqlite:///{root / 'city.db'}"
    err.print(
        f"{args.size}: {n} of {n_all} stations generated in {generated:.1f}s; {args.engine}, {jobs} at once x "
        f"{args.workers} CP-SAT worker(s), {limit:.2f}s per station, lending {'on' if args.lending else 'off'}, "
        f"store {url}"
    )
    settings = BatchSettings(
        time_limit=limit, engine=args.engine, jobs=jobs, workers=args.workers, stale_after=600.0
    )
    t0 = time.perf_counter()
    with BatchProgress(err) as progress:
        report = run_batch(
            data, args.week, url, stations=selected, settings=settings, callbacks=progress, policy=policy
        )
    wall = time.perf_counter() - t0
    n = len(report.selected)  # with lending, --stations widens to whole districts
    memory = peak_memory_mb()

    with Store(url) as store:
        table = store.station_weeks(args.week, report.selected)
        proofs = store.proofs(args.week, list(table["station_id"]))
    proof = report.summary()["proof"]
    counts = {s: (p.get("proof") or {}) for s, p in proofs.items()}
    fully = {s for s, c in counts.items() if c.get("units") and c["fully_proven"] == c["units"]}
    # Times per unit: a station, or with lending a district (its stations share its times).
    unit_of = {s: p.get("unit") or s for s, p in proofs.items()}
    units = table.assign(unit=table["station_id"].map(unit_of)).drop_duplicates("unit")
    to_proof = [
        float(w) for s, w in zip(units["station_id"], units["solve_seconds"], strict=True) if s in fully
    ]
    solved = table[table["state"] == "solved"]
    gaps = [g for g in solved["gap"] if g == g and g is not None]
    walls = list(units["wall_seconds"])
    builds = list(units["build_seconds"])
    solves = list(units["solve_seconds"])
    other = [w - b - s for w, b, s in zip(walls, builds, solves, strict=True)]
    figures = {
        "size": args.size,
        "stations": n,
        "people": int(table["people"].sum()),
        "engine": args.engine,
        "stations_at_once": report.slots,
        "cpsat_workers": args.workers,
        "cores": cores(),
        "time_limit_per_station": round(limit, 3),
        "lending": args.lending,
        "units_solved": proof["units"]["solved"],
        "units_coverage_proven": proof["units"]["coverage_proven"],
        "units_fully_proven": proof["units"]["fully_proven"],
        "generate_seconds": round(generated, 2),
        "batch_wall_seconds": round(wall, 2),
        "goal_seconds": args.goal,
        "goal_met": bool(
            wall <= args.goal
            and len(solved) == n
            and bool(solved["verified"].all())
            and proof["greedy_fallbacks"] == 0
            and proof["coverage_proven"] >= 0.99 * n
            and proof["fully_proven"] >= 0.90 * n
        ),
        "stations_coverage_proven": proof["coverage_proven"],
        "stations_fully_proven": proof["fully_proven"],
        "greedy_fallbacks": proof["greedy_fallbacks"],
        "stopped_by_wall_clock": proof["stopped_by_time_limit"],
        "soft_gap_median": proof["soft_gap"]["median"],
        "soft_gap_worst": proof["soft_gap"]["worst"],
        "time_to_proof_seconds": {
            f"p{q}": None if not to_proof else round(quantile(to_proof, q / 100) or 0, 3)
            for q in (50, 90, 99, 100)
        },
        "peak_memory_mb": memory,
        "stations_solved": len(solved),
        "stations_verified": int(solved["verified"].fillna(False).astype(bool).sum()),
        "stations_optimal": int((solved["solver_status"] == "OPTIMAL").sum()),
        "stations_failed": int((table["state"] == "failed").sum()),
        "failed_by_kind": {str(k): int(v) for k, v in table["failure"].dropna().value_counts().items()},
        "uncovered_crews": int(table["uncovered_crews"].sum()),
        "crews_required": int(table["crews_required"].sum()),
        "gap_median": statistics.median(gaps) if gaps else None,
        "gap_worst": max(gaps) if gaps else None,
        "seconds_per_station": {
            "wall_mean": round(statistics.fmean(walls), 3),
            "wall_median": round(statistics.median(walls), 3),
            "wall_p90": round(quantile(walls, 0.9) or 0, 3),
            "wall_max": round(max(walls), 3),
            "build_mean": round(statistics.fmean(builds), 3),
            "build_max": round(max(builds), 3),
            "solve_mean": round(statistics.fmean(solves), 3),
            "other_mean": round(statistics.fmean(other), 3),
        },
        "station_seconds_total": round(sum(walls), 1),
        "overhead_seconds": round(wall - sum(walls) / max(1, report.slots), 1),
        "slowest": report.summary()["slowest"],
    }
    if args.json:
        sys.stdout.write(json.dumps(figures, indent=2, default=str) + "\n")
    out = Table(title=f"allocate batch benchmark: {args.size}", show_header=False, title_justify="left")
    out.add_column(style="bold")
    out.add_column()
    for key, value in figures.items():
        if key != "slowest":
            out.add_row(key, json.dumps(value, default=str) if isinstance(value, dict) else str(value))
    err.print(out)
    err.print(
        "[green]GOAL MET[/]" if figures["goal_met"] else "[yellow]goal missed[/] (see the figures above)"
    )
    tmp.cleanup()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
