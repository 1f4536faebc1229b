"""Benchmark (not a test): is the test suite slower than at an earlier revision, on the same tests?

    .venv/bin/python benchmarks/suite_time.py --base d8948c9          # the revision issue 19 was filed at
    .venv/bin/python benchmarks/suite_time.py --base d8948c9 --json

Checks the base revision out into a temporary folder, runs its test suite and then this checkout's,
one after the other with this checkout's virtual environment, and compares pytest's own per-test
times (JUnit XML) on the tests both have (same file and name): new tests add time by design, the
question is whether the same tests got slower. Both runs set ``CI=1``, so hypothesis draws the
same derandomized examples in both wherever a property test's code is unchanged. Run it on a quiet
machine: the figures are wall-clock seconds.
"""

from __future__ import annotations

import argparse
import collections
import json
import os
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def run_suite(checkout: Path, report: Path) -> None:
    """pytest over `checkout`'s tests with its own sources first on the path; JUnit XML to `report`."""
    env = {**os.environ, "CI": "1", "PYTHONPATH": str(checkout / "src")}
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", f"--junitxml={report}"]
    subprocess.run(command, cwd=checkout, env=env, check=False, stdout=subprocess.DEVNULL)


def test_times(report: Path) -> dict[str, float]:
    """Seconds per test id (module::name) from a JUnit XML report."""
    return {
        f"{case.get('classname')}::{case.get('name')}": float(case.get("time", 0))
        for case in ET.parse(report).iter("testcase")
    }


def compare(base: dict[str, float], head: dict[str, float]) -> dict:
    """Totals over the common tests, and per module the base and head seconds (largest change first)."""
    common = [t for t in base if t in head]
    modules: dict[str, list[float]] = collections.defaultdict(lambda: [0.0, 0.0])
    for t in common:
        module = t.split("::")[0]
        modules[module][0] += base[t]
        modules[module][1] += head[t]
    ranked = sorted(modules.items(), key=lambda kv: kv[1][1] - kv[1][0], reverse=True)
    return {
        "common_tests": len(common),
        "base_seconds": round(sum(base[t] for t in common), 1),
        "head_seconds": round(sum(head[t] for t in common), 1),
        "head_all_tests": len(head),
        "head_all_seconds": round(sum(head.values()), 1),
        "modules": [{"module": m, "base": round(b, 1), "head": round(h, 1)} for m, (b, h) in ranked],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base", required=True, help="the earlier revision (a commit, tag or branch)")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON on stdout")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="suite-time-") as tmp:
        folder = Path(tmp)
        clone = folder / "base"
        subprocess.run(["git", "clone", "-q", str(ROOT), str(clone)], check=True)
        subprocess.run(["git", "checkout", "-q", args.base], cwd=clone, check=True)
        run_suite(clone, folder / "base.xml")
        run_suite(ROOT, folder / "head.xml")
        figures = compare(test_times(folder / "base.xml"), test_times(folder / "head.xml"))
    figures["base_revision"] = args.base
    if args.json:
        print(json.dumps(figures, indent=2))
        return
    print(
        f"{figures['common_tests']} tests in both: {figures['base_seconds']} s at {args.base}, "
        f"{figures['head_seconds']} s now ({figures['head_all_tests']} tests now, {figures['head_all_seconds']} s)"
    )
    for row in figures["modules"]:
        print(
            f"  {row['module']:<40} {row['base']:>8.1f} {row['head']:>8.1f} {row['head'] - row['base']:>+8.1f}"
        )


if __name__ == "__main__":
    main()
