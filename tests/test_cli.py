"""The command line: exit codes, outputs written (or not), JSON on stdout, determinism."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys

import pytest

ALLOCATE = [sys.executable, "-m", "allocate"]


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([*ALLOCATE, *map(str, args)], capture_output=True, text=True, timeout=120)


def test_validate_ok(tiny_folder):
    """`validate` on a good dataset exits 0 and counts what it read."""
    p = run("validate", tiny_folder)
    assert p.returncode == 0, p.stderr
    assert "7 people" in p.stderr


def test_validate_bad_input_exits_2_with_the_place(tmp_path, tiny_folder):
    """`validate` on a bad value exits 2 naming file, line and column."""
    ds = tmp_path / "ds"
    shutil.copytree(tiny_folder, ds)
    (ds / "shifts.csv").write_text("shift_id,start,hours\nday,25:00,8\nnight,20:00,12\n")
    p = run("validate", ds)
    assert p.returncode == 2
    assert "shifts.csv line 2, column start" in p.stderr


def test_solve_writes_the_output_contract(tmp_path, tiny_folder):
    """`solve` exits 0 and writes roster, coverage and summary with the contract's columns."""
    out = tmp_path / "out"
    p = run(
        "solve", tiny_folder, "--start", "2026-12-07", "--days", "7", "--out", out, "--time-limit", "10", "-q"
    )
    assert p.returncode == 0, p.stderr
    roster = (out / "roster.csv").read_text().splitlines()
    assert roster[0] == "date,station_id,shift_id,task_id,crew_id,person_id,role,slot,lead_id"
    coverage = (out / "coverage.csv").read_text().splitlines()
    assert coverage[0] == "date,station_id,shift_id,task_id,crews_required,crews_staffed,shortfall"
    assert len(coverage) == 6  # five posts in the tiny week
    summary = json.loads((out / "summary.json").read_text())
    assert summary["status"] == "OPTIMAL"
    for key in (
        "objective",
        "best_bound",
        "gap",
        "wall_seconds",
        "counts",
        "uncovered_crews",
        "overtime_hours",
    ):
        assert key in summary
    assert not list(tmp_path.glob(".*partial"))


def test_solve_json_goes_to_stdout(tiny_folder, tmp_path):
    """`--json` prints the summary as JSON on stdout and nothing else."""
    p = run(
        "solve", tiny_folder, "--start", "2026-12-07", "--out", tmp_path / "o", "--json", "--time-limit", "10"
    )
    assert p.returncode == 0, p.stderr
    assert json.loads(p.stdout)["counts"]["crews_required"] == 5


def test_solve_bad_input_exits_2_and_writes_nothing(tmp_path, tiny_folder):
    """Bad input: exit 2, the message names the place, the output folder is not created."""
    ds = tmp_path / "ds"
    shutil.copytree(tiny_folder, ds)
    (ds / "tasks.csv").write_text("task_id,name,duty_class,crews\ncase,Case,police_only,1S+1A\n")
    out = tmp_path / "out"
    p = run("solve", ds, "--start", "2026-12-07", "--out", out)
    assert p.returncode == 2
    assert "tasks.csv line 2, column crews" in p.stderr
    assert not out.exists()


def test_solve_demand_outside_the_horizon_exits_2(tmp_path, tiny_folder):
    """A dated demand row outside --start/--days is bad input."""
    ds = tmp_path / "ds"
    shutil.copytree(tiny_folder, ds)
    (ds / "demand.csv").write_text("station_id,date,shift_id,task_id,crews\nT1,2027-01-05,day,case,1\n")
    p = run("solve", ds, "--start", "2026-12-07", "--days", "7", "--out", tmp_path / "out")
    assert p.returncode == 2
    assert "2027-01-05" in p.stderr


def test_no_solution_within_the_limit_exits_4(tmp_path, tiny_folder):
    """A solve stopped before any solution (CP-SAT stops after presolve) exits 4 and says UNKNOWN."""
    out = tmp_path / "out"
    p = run(
        "solve",
        tiny_folder,
        "--start",
        "2026-12-07",
        "--out",
        out,
        "--param",
        "stop_after_presolve=true",
        "-q",
    )
    assert p.returncode == 4
    summary = json.loads((out / "summary.json").read_text())
    assert summary["status"] == "UNKNOWN"
    assert summary["uncovered_crews"] == 5


def test_unknown_solver_parameter_is_a_usage_error(tiny_folder, tmp_path):
    """A misspelt CP-SAT parameter is refused before solving."""
    p = run("solve", tiny_folder, "--out", tmp_path / "o", "--param", "max_tme=3")
    assert p.returncode == 2
    assert "max_tme" in p.stderr


def test_status_exit_codes():
    """Every solver status maps to the documented exit code (3 = proven infeasible)."""
    from allocate.cli import STATUS_EXIT

    assert STATUS_EXIT == {"OPTIMAL": 0, "FEASIBLE": 0, "INFEASIBLE": 3, "UNKNOWN": 4}


@pytest.mark.parametrize("seed", [0, 7])
def test_same_seed_same_roster(tmp_path, tiny_folder, seed):
    """Two solves with the same seed and one worker write byte-identical rosters."""
    outs = []
    for k in range(2):
        out = tmp_path / f"o{k}"
        args = ("--start", "2026-12-07", "--out", out, "--seed", seed, "--workers", "1", "-q")
        assert run("solve", tiny_folder, *args).returncode == 0
        outs.append((out / "roster.csv").read_bytes())
    assert outs[0] == outs[1]


@pytest.mark.parametrize("command", [["generate"], ["demand", "TINY", "--out"]])
def test_an_unusable_output_path_is_one_line_and_exit_1(tmp_path, tiny_folder, command):
    """A file system refusal (a 300-character folder name) is one line naming the path, exit 1,
    never a traceback, whichever command writes (generate and demand crashed with one)."""
    out = tmp_path / ("x" * 300)
    args = [str(tiny_folder) if a == "TINY" else a for a in command]
    before = sorted(tmp_path.iterdir())
    run = subprocess.run([*ALLOCATE, *args, str(out)], capture_output=True, text=True, check=False)
    assert run.returncode == 1, run.stderr
    assert "Traceback" not in run.stderr
    assert "File name too long" in run.stderr.replace("\n", "")
    assert sorted(tmp_path.iterdir()) == before  # nothing written
