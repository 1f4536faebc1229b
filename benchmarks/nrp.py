"""The Curtois & Qu shift scheduling benchmark on `allocate nrp`: a table against the best known.

Each instance is solved by the command line (`allocate nrp`, one process each, as a user runs
it) and its roster.csv is re-checked by `nrp_evaluate.py`, which shares no code with allocate:
a row counts only if the roster breaks no hard rule and the printed objective is the one the
evaluator recomputes. Best-known values come from the instances' README (the smaller of its two
transcriptions of the benchmark site's "best" column).

    python benchmarks/nrp.py 1-12 --time-limit 60
    python benchmarks/nrp.py 1 2 3 --dir /path/to/nrp --csv out/nrp.csv
    python benchmarks/nrp.py 13-19 --seeds 0-4

With several seeds (`--seeds`, passed as `allocate nrp --seed`), each instance runs once per seed
and a line after its runs gives the median objective and gap and the worst gap: a search whose
result moves with its seed (instance 13) is judged by them, not by one lucky run.

The instances are not in this repository: --dir, or $ALLOCATE_NRP_DIR, or ../shared/benchmarks/nrp
beside the checkout.
"""

from __future__ import annotations

import argparse
import csv
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from nrp_evaluate import evaluate

REPO = Path(__file__).resolve().parents[1]
DEFAULT_DIR = REPO.parent / "shared" / "benchmarks" / "nrp"
COLUMNS = ("instance", "seed", "objective", "bound", "best known", "gap %", "seconds", "status", "check")


def best_known(readme: Path) -> dict[int, int]:
    """Instance number -> best known objective, from the README's markdown table."""
    best: dict[int, int] = {}
    for line in readme.read_text(encoding="utf-8").splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) >= 11 and cells[0].isdigit() and cells[8].isdigit() and cells[10].isdigit():
            best[int(cells[0])] = min(int(cells[8]), int(cells[10]))
    return best


def numbers(specs: list[str]) -> list[int]:
    """`1-4 7` or `1-4,7`: the numbers (instances, seeds), in order."""
    out: list[int] = []
    for spec in (part for given in specs for part in given.split(",") if part):
        first, _, last = spec.partition("-")
        if not first.isdigit() or not (last or first).isdigit():
            raise SystemExit(f"not a number or range: {spec!r} (expected e.g. 1-24 or 5,7)")
        out += list(range(int(first), int(last or first) + 1))
    return out


def run_one(path: Path, out: Path, time_limit: float, workers: int, seed: int = 0) -> dict[str, object]:
    command = [sys.executable, "-m", "allocate", "nrp", str(path), "--out", str(out),
               "--time-limit", str(time_limit), "--workers", str(workers), "--seed", str(seed),
               "--quiet"]  # fmt: skip
    started = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - started
    printed = dict(re.findall(r"^(\w+): (.*)$", done.stdout, flags=re.M))
    row: dict[str, object] = {
        "instance": path.stem,
        "seed": seed,
        "seconds": round(seconds, 1),
        "status": printed.get("status", "-"),
    }
    if "objective" not in printed:
        row["check"] = f"no roster (exit {done.returncode}) {done.stderr.strip()[-200:]}"
        return row
    objective, errors = evaluate(path, out / "roster.csv")
    row["objective"] = int(printed["objective"])
    bound = printed.get("bound", "none")
    row["bound"] = "-" if bound == "none" else float(bound)  # the command prints "none" without a bound
    if errors:
        row["check"] = f"{len(errors)} hard-rule violation(s): {errors[0]}"
    elif objective != row["objective"]:
        row["check"] = f"evaluator objective {objective} differs"
    else:
        row["check"] = "ok"
    return row


def over_seeds(rows: list[dict[str, object]]) -> str:
    """One instance's runs at several seeds in a line: the median objective and gap, the worst
    gap, and how many rosters the evaluator passed. Only checked runs count: a run whose roster
    breaks a rule or whose objective is misprinted has no objective to rank."""
    checked = [row for row in rows if row.get("check") == "ok"]
    line = f"{rows[0]['instance']} over {len(rows)} seeds: {len(checked)} checked ok"
    if checked:
        line += f", median objective {statistics.median(int(str(r['objective'])) for r in checked):g}"
    gaps = [float(str(row["gap %"])) for row in checked if "gap %" in row]
    if gaps:
        line += f", median gap {statistics.median(gaps):g} %, worst {max(gaps):g} %"
    return line


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("instances", nargs="*", default=["1-24"], help="numbers or ranges (default 1-24)")
    parser.add_argument("--dir", type=Path, default=Path(os.environ.get("ALLOCATE_NRP_DIR", DEFAULT_DIR)))
    parser.add_argument("--time-limit", type=float, default=60.0)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--seeds", nargs="*", default=["0"], help="numbers or ranges (default 0)")
    parser.add_argument("--csv", type=Path, help="also write the table as CSV (one row per run)")
    args = parser.parse_args()
    if not (args.dir / "Instance1.txt").is_file():
        parser.error(f"no instances in {args.dir}: pass --dir or set ALLOCATE_NRP_DIR")
    seeds = numbers(args.seeds)
    if not seeds:
        parser.error("--seeds: at least one seed (e.g. 0-4)")
    readme = args.dir / "README.md"
    best = best_known(readme) if readme.is_file() else {}
    rows = []
    print(" | ".join(COLUMNS), flush=True)
    with tempfile.TemporaryDirectory(prefix="nrp-bench-") as tmp:
        for n in numbers(args.instances):
            runs = []
            for seed in seeds:
                out = Path(tmp) / f"{n}-{seed}"
                row = run_one(args.dir / f"Instance{n}.txt", out, args.time_limit, args.workers, seed)
                row["best known"] = best.get(n, "-")
                if isinstance(row.get("objective"), int) and n in best:
                    row["gap %"] = round(100 * (row["objective"] - best[n]) / best[n], 2)
                runs.append(row)
                print(" | ".join(str(row.get(c, "-")) for c in COLUMNS), flush=True)
            if len(seeds) > 1:
                print(over_seeds(runs), flush=True)
            rows += runs
    if args.csv:
        args.csv.parent.mkdir(parents=True, exist_ok=True)
        with open(args.csv, "w", newline="", encoding="utf-8") as handle:
            writer = csv.DictWriter(handle, fieldnames=COLUMNS, extrasaction="ignore")
            writer.writeheader()
            writer.writerows(rows)


if __name__ == "__main__":
    main()
