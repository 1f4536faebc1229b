"""Chaining the derived demand: `allocate size --incidents` and a scenario's `[incidents]` table."""

from __future__ import annotations

import datetime as dt
import json
from typing import TYPE_CHECKING

import pytest
from typer.testing import CliRunner

from allocate.cli import app
from allocate.io.errors import InputError
from allocate.scenario import load_scenario
from demand_helpers import MONDAY, incident, tiny_with_types, write_log

if TYPE_CHECKING:
    from pathlib import Path

runner = CliRunner()


@pytest.fixture
def data(tmp_path: Path) -> Path:
    folder = tiny_with_types(tmp_path / "data")
    rows = [incident(k, MONDAY + dt.timedelta(days=k % 14, hours=8 + k % 12), 30 + k % 20) for k in range(60)]
    write_log(folder / "incidents.csv", rows)
    return folder


def _scenario(tmp_path: Path, incidents: str) -> Path:
    path = tmp_path / "next_year.toml"
    path.write_text(
        'description = "derived"\ndataset = "data"\n[horizon]\nstart = 2026-12-07\ndays = 7\n'
        f"[incidents]\n{incidents}\n",
        encoding="utf-8",
    )
    return path


def _resp_crews(dataset) -> int:
    return sum(r.crews for r in dataset.demand if r.task_id == "resp")


def test_scenario_incidents_replace_the_demand_and_grow(data: Path, tmp_path: Path) -> None:
    """`[incidents]` derives the demand; growth 3 asks for more response crews than growth 1."""
    plain = load_scenario(_scenario(tmp_path, 'file = "data/incidents.csv"'))
    grown = load_scenario(_scenario(tmp_path, 'file = "data/incidents.csv"\ngrowth = 3'))
    assert plain.base.extras["incidents"]["growth"] == 1.0
    assert _resp_crews(grown.dataset) > _resp_crews(plain.dataset) > 0
    case = [(r.weekday, r.shift_id, r.crews) for r in plain.dataset.demand if r.task_id == "case"]
    assert case == [(0, "day", 1)]  # not derived: the dataset's row


def test_scenario_with_a_missing_log_names_the_key(data: Path, tmp_path: Path) -> None:
    """A log that does not exist is named at incidents.file with its line in the scenario."""
    with pytest.raises(InputError) as info:
        load_scenario(_scenario(tmp_path, 'file = "nowhere.csv"'))
    issue = info.value.issues[0]
    assert issue.column == "incidents.file" and issue.line == 7


def test_scenario_rejects_a_bad_growth(data: Path, tmp_path: Path) -> None:
    """growth must be positive."""
    with pytest.raises(InputError) as info:
        load_scenario(_scenario(tmp_path, 'file = "data/incidents.csv"\ngrowth = -1'))
    assert info.value.issues[0].column == "incidents.growth"


def test_size_sizes_from_the_derived_demand(data: Path, tmp_path: Path) -> None:
    """`allocate size --incidents` needs more auxiliaries than the dataset's lighter demand.csv."""
    args = [
        "size",
        str(data),
        "--weeks",
        "1",
        "--time-limit",
        "10",
        "--workers",
        "1",
        "--jobs",
        "1",
        "--json",
    ]
    plain = runner.invoke(app, [*args, "--out", str(tmp_path / "s0")])
    derived = runner.invoke(
        app, [*args, "--out", str(tmp_path / "s1"), "--incidents", str(data / "incidents.csv")]
    )
    assert plain.exit_code == 0 and derived.exit_code == 0, derived.output
    low = json.loads(plain.stdout)["district_minimum"]
    high = json.loads(derived.stdout)["district_minimum"]
    assert high > low


def test_size_with_a_bad_log_exits_2(data: Path, tmp_path: Path) -> None:
    """A bad incident row stops `allocate size --incidents` with exit 2 before any solving."""
    bad = write_log(tmp_path / "bad.csv", [{**incident(1, MONDAY), "station_id": "ZZ"}])
    result = runner.invoke(app, ["size", str(data), "--incidents", str(bad), "--out", str(tmp_path / "s")])
    assert result.exit_code == 2
    assert "bad.csv line 2, column station_id" in result.output


def test_sizing_table_of_a_station_without_answer() -> None:
    """A station sized without a roster in the time limit gets a full row (it crashed write_sizing)."""
    from allocate.domain import Horizon
    from allocate.sizing.run import SIZING_COLUMNS, SizingReport, StationSizing

    none = {"aux_service": -1, "aux_civilian": -1}
    station = StationSizing("T1", {"aux_service": 3, "aux_civilian": 1}, none, False, [])
    table = SizingReport(Horizon(MONDAY.date(), 7), [station], None, None, 1.0).sizing()
    assert list(table.columns) == SIZING_COLUMNS
    assert list(table["quality"]) == ["no answer", "no answer"]


def test_sizing_summary_names_a_station_without_answer() -> None:
    """The summary names a station sized without a roster (it listed none) and leaves it out of the
    district minimum."""
    from allocate.domain import Horizon
    from allocate.sizing.run import SizingReport, StationSizing

    none = {"aux_service": -1, "aux_civilian": -1}
    lost = StationSizing("T1", {"aux_service": 3, "aux_civilian": 1}, none, False, [])
    found = StationSizing(
        "T2", {"aux_service": 2, "aux_civilian": 2}, {"aux_service": 4, "aux_civilian": 1}, True, []
    )
    summary = SizingReport(Horizon(MONDAY.date(), 7), [lost, found], None, None, 1.0).summary()
    assert summary["stations_without_answer"] == ["T1"]
    assert summary["district_minimum"] == 5


def test_size_cli_names_a_station_without_answer(data: Path, tmp_path: Path, monkeypatch) -> None:
    """The table shows "-" for a station sized without a roster in the time limit, and a line names
    it (the table printed "None" and the district line left it out silently)."""
    import allocate.sizing
    from allocate.domain import Horizon
    from allocate.sizing.run import SizingReport, StationSizing

    none = {"aux_service": -1, "aux_civilian": -1}
    lost = StationSizing("T1", {"aux_service": 3, "aux_civilian": 1}, none, False, [])
    report = SizingReport(Horizon(MONDAY.date(), 7), [lost], None, None, 1.0)
    # The search is replaced so that it ends without an answer, which a real one does only when the
    # machine is too slow for the time limit; what is tested is how the command reports it.
    monkeypatch.setattr(allocate.sizing, "size_dataset", lambda *args, **kwargs: report)
    result = runner.invoke(app, ["size", str(data), "--out", str(tmp_path / "s")], terminal_width=200)
    assert result.exit_code == 0, result.output
    assert "None" not in result.output
    assert "no answer within the time limit for T1" in result.output
