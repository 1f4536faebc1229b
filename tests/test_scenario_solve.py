"""Solving scenarios: no change reproduces the baseline, comparing and plotting results, the CLI."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

import allocate
from allocate.scenario import Scenario, compare, load_scenario

ALLOCATE = [sys.executable, "-m", "allocate"]
ROOT = Path(__file__).resolve().parents[1]

TINY = """\
dataset = "{data}"
[horizon]
start = 2026-12-07
days = 7
[solver]
time_limit = 10
seed = 0
workers = 1
"""
BUSY = (
    TINY
    + """
[[changes]]
kind = "add_crews"
task = "resp"
shift = "night"
weekdays = ["Tue", "Wed", "Thu"]
crews = 2
"""
)


@pytest.fixture
def tiny_toml(tmp_path, tiny_folder) -> Path:
    path = tmp_path / "tiny.toml"
    path.write_text(TINY.format(data=tiny_folder.resolve()))
    return path


@pytest.fixture
def busy_toml(tmp_path, tiny_folder) -> Path:
    path = tmp_path / "busy.toml"
    path.write_text(BUSY.format(data=tiny_folder.resolve()))
    return path


@pytest.fixture(scope="module")
def two_results(tiny_folder):
    week = allocate.Horizon(dt.date(2026, 12, 7), 7)
    base = Scenario.from_dataset(
        allocate.load_dataset(tiny_folder), week, name="base", time_limit=10, workers=1
    )
    busy = base.add_crews(task="resp", shift="night", weekdays=["Tue", "Wed", "Thu"], crews=2).renamed("busy")
    return {"base": base.solve(), "busy": busy.solve()}


def run(*args: object) -> subprocess.CompletedProcess:
    return subprocess.run([*ALLOCATE, *map(str, args)], capture_output=True, text=True, timeout=300)


def test_no_change_reproduces_the_baseline_roster(tiny_toml, tiny_folder):
    """A scenario without changes (or with a change that changes nothing) gives the dataset's roster exactly."""
    sc = load_scenario(tiny_toml)
    direct = allocate.solve(
        allocate.load_dataset(tiny_folder),
        sc.horizon,
        allocate.load_policy(tiny_folder),
        time_limit=10,
        seed=0,
        workers=1,
    )
    for same in (sc, sc.scale_demand(factor=1.0), sc.with_changes().without_changes()):
        result = same.solve()
        assert result.status == direct.status == "OPTIMAL"
        assert result.roster.equals(direct.roster)
        assert result.coverage.equals(direct.coverage)


def test_solve_overrides_and_records_the_scenario(tiny_toml):
    """solve() keywords override the scenario's solver settings; the summary names the scenario."""
    result = load_scenario(tiny_toml).solve(time_limit=7, seed=3)
    summary = result.summary()
    assert summary["settings"]["time_limit"] == 7 and summary["settings"]["seed"] == 3
    assert summary["settings"]["workers"] == 1
    assert summary["settings"]["scenario"] == f"tiny ({tiny_toml}, 0 changes)"


def test_compare_puts_measures_side_by_side(two_results):
    """compare() has one row per scenario with uncovered crews, by task, hours, goals and time."""
    table = compare(two_results)
    assert list(table.index) == ["base", "busy"]
    for column in ("status", "uncovered_crews", "overtime_hours", "hours_per_sworn", "hours_per_aux_service",
                   "sworn_in_a_slots", "fairness_spread", "solve_seconds", "violations"):  # fmt: skip
        assert column in table.columns
    busy = two_results["busy"]
    assert table.loc["busy", "crews_required"] == table.loc["base", "crews_required"] + 6
    assert table.loc["busy", "uncovered_crews"] == busy.coverage["shortfall"].sum() > 0
    assert table.loc["busy", "uncovered:resp"] == table.loc["busy", "uncovered_crews"]
    assert table.loc["base", "violations"] == 0


def test_plots_return_figures(two_results):
    """Each plot returns a matplotlib Figure that renders."""
    from matplotlib.figure import Figure

    from allocate.scenario import plots

    figures = [
        plots.coverage_heatmap(two_results["busy"]),
        plots.hours_by_role(two_results["base"]),
        plots.uncovered_by_task(two_results),
        plots.uncovered_by_task(two_results["base"]),
        plots.curve([0, 1, 2], [5, 3, 0], "added", "uncovered", target=0),
    ]
    for fig in figures:
        assert isinstance(fig, Figure) and fig.axes
        fig.savefig(io.BytesIO(), format="png")


def test_cli_solves_a_scenario(tiny_toml, tmp_path):
    """`allocate solve X.toml` runs the scenario and writes the output contract."""
    out = tmp_path / "out"
    p = run("solve", tiny_toml, "--out", out, "-q")
    assert p.returncode == 0, p.stderr
    summary = json.loads((out / "summary.json").read_text())
    assert summary["settings"]["scenario"].startswith("tiny (")
    assert summary["settings"]["time_limit"] == 10 and summary["horizon"]["days"] == 7
    assert (out / "roster.csv").exists() and (out / "coverage.csv").exists()


def test_cli_options_override_the_scenario(tiny_toml, tmp_path):
    """Options given on the command line win over the scenario's horizon and solver settings."""
    p = run(
        "solve",
        tiny_toml,
        "--days",
        "2",
        "--time-limit",
        "4",
        "--seed",
        "2",
        "--json",
        "--out",
        tmp_path / "o",
    )
    assert p.returncode == 0, p.stderr
    summary = json.loads(p.stdout)
    assert summary["horizon"] == {"start": "2026-12-07", "days": 2}
    assert (summary["settings"]["time_limit"], summary["settings"]["seed"]) == (4, 2)
    assert summary["counts"]["crews_required"] == 5 - 1  # Wednesday's post is outside the 2 days


def test_cli_default_output_folder_is_named_after_the_scenario(tiny_toml, tmp_path):
    """Without --out a scenario writes to out/<file stem> under the working directory."""
    p = subprocess.run(
        [*ALLOCATE, "solve", str(tiny_toml), "-q"], capture_output=True, text=True, cwd=tmp_path
    )
    assert p.returncode == 0, p.stderr
    assert (tmp_path / "out" / "tiny" / "summary.json").exists()


def test_cli_bad_scenario_exits_2(tmp_path, tiny_toml):
    """A bad scenario file exits 2 naming the file, line and key; nothing is written."""
    bad = tmp_path / "bad.toml"
    bad.write_text(tiny_toml.read_text().replace("seed = 0", "sed = 0"))
    out = tmp_path / "out"
    p = run("solve", bad, "--out", out)
    assert p.returncode == 2
    assert "bad.toml line 7, column solver.sed" in p.stderr.replace("\n", "")
    assert not out.exists()


def test_cli_compare_prints_a_table_json_and_csv(tiny_toml, busy_toml, tmp_path):
    """`allocate compare` prints the table on stderr, JSON on stdout with --json, and writes --csv."""
    p = run("compare", tiny_toml, busy_toml, "--time-limit", "5")
    assert p.returncode == 0, p.stderr
    assert "scenarios compared" in p.stderr and "uncovered_crews" in p.stderr and p.stdout == ""
    table = tmp_path / "cmp.csv"
    p = run("compare", tiny_toml, busy_toml, "--json", "--csv", table, "-q", "--out", tmp_path / "outs")
    assert p.returncode == 0, p.stderr
    records = json.loads(p.stdout)["scenarios"]
    assert [r["scenario"] for r in records] == ["tiny", "busy"]
    assert records[1]["crews_required"] == records[0]["crews_required"] + 6
    assert records[1]["uncovered_crews"] > records[0]["uncovered_crews"] == 0
    rows = list(csv.reader(table.open()))
    assert rows[0] == ["measure", "tiny", "busy"]
    assert "uncovered_crews" in [r[0] for r in rows]
    assert (tmp_path / "outs" / "busy" / "roster.csv").exists()


def test_cli_compare_bad_file_exits_2_before_solving(tiny_toml, tmp_path):
    """compare reads every file before solving: a bad last file exits 2 at once."""
    p = run("compare", tiny_toml, tmp_path / "missing.toml")
    assert p.returncode == 2
    assert "missing.toml" in p.stderr and "solving" not in p.stderr


def test_notebook_is_paired_with_its_script():
    """notebooks/what_if.ipynb and what_if.py hold the same cells, and the notebook has no outputs."""
    jupytext = pytest.importorskip("jupytext")
    nb = jupytext.read(ROOT / "notebooks" / "what_if.ipynb")
    py = jupytext.read(ROOT / "notebooks" / "what_if.py")
    assert [(c.cell_type, c.source) for c in nb.cells] == [(c.cell_type, c.source) for c in py.cells]
    assert all(
        not c.get("outputs") and not c.get("execution_count") for c in nb.cells if c.cell_type == "code"
    )
