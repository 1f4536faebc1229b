"""Scenario files: what a good file gives, and bad files named by file, key and line."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest

from allocate.io.errors import InputError
from allocate.scenario import load_scenario
from allocate.scenario.lines import key_lines, line_of

ROOT = Path(__file__).resolve().parents[1]
SHIPPED = sorted((ROOT / "scenarios").glob("*.toml"))

GOOD = """\
# a what-if on the tiny dataset
description = "tiny, busier"
dataset = "data/tiny"

[horizon]
start = 2026-12-07
days = 7

[policy]
lending = true

[policy.auxiliary]
max_overtime_hours_per_week = 4

[solver]
time_limit = 5
seed = 3
workers = 1

[solver.params]
relative_gap_limit = 0.0

[[changes]]
kind = "scale_demand"
task = "resp"
weekdays = ["Tue",
            "Wed"]
factor = 2

[[changes]]
kind = "headcount"
station = "T1"
add = 2
"""


@pytest.fixture
def folder(tmp_path, tiny_folder) -> Path:
    shutil.copytree(tiny_folder, tmp_path / "data" / "tiny")
    return tmp_path


def write(folder: Path, text: str, name: str = "what_if.toml") -> Path:
    path = folder / name
    path.write_text(text)
    return path


def problems(path: Path) -> list[str]:
    with pytest.raises(InputError) as info:
        load_scenario(path)
    return [str(issue) for issue in info.value.issues]


def test_a_good_file(folder):
    """Every table of a good file lands where it should, and the changes are applied."""
    sc = load_scenario(write(folder, GOOD))
    assert sc.name == "what_if" and sc.description == "tiny, busier"
    assert (sc.horizon.start, sc.horizon.days) == (dt.date(2026, 12, 7), 7)
    assert sc.policy.lending and sc.policy.auxiliary.max_overtime_hours_per_week == 4
    assert (sc.solver.time_limit, sc.solver.seed, sc.solver.workers) == (5, 3, 1)
    assert sc.solver.params == {"relative_gap_limit": 0.0}
    assert [c.kind for c in sc.changes] == ["scale_demand", "headcount"]
    assert sorted(r.crews for r in sc.dataset.demand if r.task_id == "resp") == [2, 2]
    assert len(sc.dataset.staff) == len(sc.base.staff) + 2


def test_the_dataset_is_relative_to_the_file(folder, monkeypatch):
    """The dataset path is read relative to the scenario file, not to the working directory."""
    path = write(folder, GOOD)
    elsewhere = folder / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    assert load_scenario(path).base.source == str(folder / "data" / "tiny")


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.stem)
def test_shipped_scenarios_load(path):
    """Every scenario in scenarios/ loads, and says in its description what it is."""
    sc = load_scenario(path)
    assert sc.description
    assert len(sc.effects) == len(sc.changes)


def test_the_four_scenarios_are_shipped():
    """baseline, festival, training and aux_cut are there."""
    assert {"baseline", "festival", "training", "aux_cut"} <= {p.stem for p in SHIPPED}


def test_file_changes_equal_the_same_changes_in_code():
    """A file's [[changes]] and the same changes made in code give the same data."""
    festival = load_scenario(ROOT / "scenarios" / "festival.toml")
    base = load_scenario(ROOT / "scenarios" / "baseline.toml")
    same = base.scale_demand(
        tasks=["response_110", "patrol", "traffic_post"], weekdays=["Fri", "Sat"], shift="evening", factor=1.3
    ).scale_demand(
        tasks=["response_110", "patrol", "traffic_post"], weekdays=["Sat", "Sun"], shift="night", factor=1.3
    )
    assert same.dataset == festival.dataset
    assert base.with_changes(*festival.changes).dataset == festival.dataset


@pytest.mark.parametrize(
    ("edit", "expected"),
    [
        (("[horizon]", "[horizn]"), "line 5, column horizn; expected a known key"),
        (("add = 2", "add = 2\nextra = 1"), "line 34, column changes[2].extra: got 1; expected a known key"),
        (("factor = 2", 'factor = "lots"'), "line 28, column changes[1].factor: got 'lots'; expected a valid number"),
        (("factor = 2", "factor = -1"), "line 28, column changes[1].factor: got -1; expected greater than or equal to 0"),
        (('kind = "headcount"', 'kind = "hedcount"'), "line 31, column changes[2].kind: got 'hedcount'; expected a kind"),
        (("factor = 2", ""), "line 23, column changes[1].factor; expected a value (this is required)"),
        (("add = 2", "add = 2\nremove = 1"), "line 30, column changes[2]; expected either add or remove, not both"),
        (("days = 7", "days = 0"), "line 7, column horizon.days: got 0; expected greater than or equal to 1"),
        (("seed = 3", "seed = 3\nthreads = 2"), "line 18, column solver.threads: got 2; expected a known key"),
        (("relative_gap_limit", "relative_gap"), "line 20, column solver.params; expected CP-SAT parameter names (unknown: relative_gap)"),
        (("max_overtime_hours_per_week", "max_overtime"), "line 13, column policy.auxiliary.max_overtime: got 4"),
        (('weekdays = ["Tue",', 'weekdays = ["Tue", "Thx",'), "line 26, column changes[1].weekdays[2]: got 'Thx'"),
    ],
)  # fmt: skip
def test_bad_files_name_file_key_and_line(folder, edit, expected):
    """An unknown key or a bad value is reported with the file, its line and the key path."""
    old, new = edit
    assert old in GOOD
    path = write(folder, GOOD.replace(old, new, 1))
    found = problems(path)
    assert any(p.startswith(f"{path} ") and expected in p for p in found), found


def test_bad_weekday_is_named(folder):
    """A misspelt weekday names the list item."""
    path = write(folder, GOOD.replace('"Wed"]', '"Holiday"]'))
    assert any(
        "changes[1].weekdays[2]" in p and "line 26" in p and "a weekday Mon" in p for p in problems(path)
    )


def test_unknown_ids_in_changes_name_the_key_as_written(folder):
    """An id not in the dataset points at its key, singular or plural, in the right [[changes]]."""
    text = GOOD.replace('station = "T1"', 'station = "T9"').replace('task = "resp"', 'task = "respons"')
    found = problems(write(folder, text))
    assert f"{folder / 'what_if.toml'} line 25, column changes[1].tasks: got 'respons'" in found[0]
    assert "expected a task_id that exists in the dataset" in found[0]
    assert "line 32, column changes[2].station: got 'T9'; expected a station_id that exists" in found[1]


def test_dates_outside_the_horizon(folder):
    """A selected date outside the horizon is an error on its line (usually a typo)."""
    text = GOOD.replace('task = "resp"', 'task = "resp"\ndates = [2026-12-21]')
    found = problems(write(folder, text))
    assert (
        "line 26, column changes[1].dates: got '2026-12-21'; expected a date within the horizon" in found[0]
    )


def test_missing_dataset(folder):
    """A dataset that does not exist is named with the line of the `dataset` key."""
    found = problems(write(folder, GOOD.replace('"data/tiny"', '"data/tiney"')))
    assert "line 3, column dataset: got 'data/tiney'; expected a dataset folder" in found[0]
    found = problems(write(folder, GOOD.replace('dataset = "data/tiny"\n', "")))
    assert "column dataset; expected a value (this is required)" in found[0]


def test_bad_toml_and_missing_file(folder):
    """A TOML syntax error names its line; a missing file is named."""
    found = problems(write(folder, GOOD.replace("days = 7", "days = ")))
    assert found[0].startswith(f"{folder / 'what_if.toml'} line 7") and "valid TOML" in found[0]
    assert "a scenario file that exists" in problems(folder / "nope.toml")[0]


def test_key_lines_scan():
    """The line scanner handles tables, arrays of tables, dotted keys and multi-line values."""
    text = 'a = 1\nb = [\n  "x = 1",\n]\n[t]\nc.d = 2\n[[arr]]\ne = 1\n[[arr]]\ne = """\nf = 1\n"""\ng = { h = 1 }\n'
    lines = key_lines(text)
    assert lines[("a",)] == 1 and lines[("b",)] == 2 and ("x",) not in lines
    assert lines[("t", "c", "d")] == 6
    assert lines[("arr", "1", "e")] == 8 and lines[("arr", "2", "e")] == 10
    assert ("arr", "2", "f") not in lines and lines[("arr", "2", "g")] == 13
    assert line_of(lines, ("arr", "2", "g", "h")) == 13
    assert line_of(lines, ("arr", "2", "missing")) == 9
    assert line_of(lines, ("nothing",)) is None
