"""`allocate demand`: the incident log's loader, the derivation and the command's outputs."""

from __future__ import annotations

import csv
import datetime as dt
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from allocate.cli import app
from allocate.demand_model import crews_needed, derive_demand
from allocate.io.errors import InputError
from allocate.io.incidents import load_incidents
from allocate.io.load import load_dataset
from allocate.policy import DemandPolicy, ProactiveRule
from demand_helpers import MONDAY, incident, memory_log, tiny_dataset, tiny_with_types, write_log

runner = CliRunner()
NO_PATROL = DemandPolicy(proactive={})


def _issues(data: Path, log: Path) -> list[str]:
    with pytest.raises(InputError) as info:
        load_incidents(load_dataset(data), log, data)
    return [str(i) for i in info.value.issues]


def test_bad_rows_are_named_by_line_and_column(tmp_path: Path) -> None:
    """Each bad cell is named with file, line and column; good rows do not hide bad ones."""
    data = tiny_with_types(tmp_path / "data")
    rows = [
        incident(1, MONDAY),
        {**incident(2, MONDAY), "received_at": "2026-13-01 10:00"},
        {**incident(3, MONDAY), "handling_minutes": "-5"},
        {**incident(4, MONDAY), "station_id": "NOPE"},
        incident(1, MONDAY),
        {**incident(6, MONDAY), "units": "1.5"},
        {**incident(7, MONDAY), "handling_minutes": "nan"},
    ]
    issues = _issues(data, write_log(tmp_path / "incidents.csv", rows))
    assert any(i.startswith("incidents.csv line 3, column received_at") for i in issues), issues
    assert any(i.startswith("incidents.csv line 4, column handling_minutes") for i in issues), issues
    assert any(
        i.startswith("incidents.csv line 5, column station_id") and "stations.csv" in i for i in issues
    )
    assert any(i.startswith("incidents.csv line 6, column incident_id") and "line 2" in i for i in issues)
    assert any(i.startswith("incidents.csv line 7, column units") for i in issues), issues
    assert any(i.startswith("incidents.csv line 8, column handling_minutes") for i in issues), issues
    assert len(issues) == 6


def test_missing_column_and_empty_log(tmp_path: Path) -> None:
    """A log without handling_minutes names the header; a header-only log is refused."""
    data = tiny_with_types(tmp_path / "data")
    cols = ("incident_id", "station_id", "received_at", "type")
    issues = _issues(data, write_log(tmp_path / "a.csv", [incident(1, MONDAY)], cols))
    assert issues == ["a.csv line 1, column handling_minutes; expected this column in the header"]
    issues = _issues(data, write_log(tmp_path / "b.csv", []))
    assert "at least one incident row" in issues[0]


def test_a_type_answered_by_two_tasks_is_refused(tmp_path: Path) -> None:
    """tasks.csv incident_types may not give one type to two tasks: it would be counted twice."""
    data = tiny_with_types(tmp_path / "data", {"resp": "theft", "patrol": "theft"})
    issues = _issues(data, write_log(tmp_path / "i.csv", [incident(1, MONDAY)]))
    assert len(issues) == 1 and "tasks.csv line" in issues[0] and "incident_types" in issues[0]


def test_incidents_sheet_of_a_workbook(tmp_path: Path) -> None:
    """An `incidents` sheet is read like the CSV, with the sheet's row numbers."""
    from openpyxl import Workbook

    data = tiny_with_types(tmp_path / "data")
    book = Workbook()
    sheet = book.active
    sheet.title = "incidents"
    sheet.append(["incident_id", "station_id", "received_at", "type", "handling_minutes"])
    sheet.append(["I1", "T1", MONDAY + dt.timedelta(hours=9), "theft", 30])
    sheet.append(["I2", "T1", "yesterday", "theft", 30])
    book.save(tmp_path / "log.xlsx")
    issues = _issues(data, tmp_path / "log.xlsx")
    assert issues[0].startswith("log.xlsx[incidents] line 3, column received_at")


def test_hourly_rate_is_the_mean_over_weeks_and_event_days_are_apart(tmp_path: Path) -> None:
    """Three thefts every Monday 10:00 for two weeks: 3 an hour; an event Monday's extra ten are
    kept out of the mean and reported apart."""
    events = [(d, 10, 40.0) for d in (0, 7) for _ in range(3)] + [(14, 10, 40.0)] * 10
    log = memory_log(events, weeks=3)
    policy = DemandPolicy(proactive={}, event_days=[(MONDAY + dt.timedelta(days=14)).date()])
    derived = derive_demand(tiny_dataset(), log, policy)
    hour = derived.hourly.query("weekday == 'Mon' and hour == 10").iloc[0]
    assert hour["arrivals_per_hour"] == pytest.approx(3.0)
    assert hour["crews"] == crews_needed(3 / 60, 40.0, 5.0, 0.9, 0.6)
    assert derived.events["arrivals"].sum() == 10
    monday_day = [r for r in derived.demand if r.task_id == "resp" and r.weekday == 0 and r.shift_id == "day"]
    assert [r.crews for r in monday_day] == [hour["crews"]]


def test_tasks_not_derived_keep_their_rows() -> None:
    """Only the reactive task's rows change; case, patrol and window rows stay as in demand.csv."""
    ds = tiny_dataset()
    derived = derive_demand(ds, memory_log([(1, 9, 30.0)]), NO_PATROL)
    kept = sorted(
        (r.station_id, r.weekday, r.shift_id, r.task_id, r.crews) for r in ds.demand if r.task_id != "resp"
    )
    after = sorted(
        (r.station_id, r.weekday, r.shift_id, r.task_id, r.crews)
        for r in derived.demand
        if r.task_id != "resp"
    )
    assert kept == after


def test_proactive_rule_per_people_and_area() -> None:
    """Patrol per 10,000 residents and per km²: T1 (20,000 people, 12.5 km²) gets 0.5·2 + 0.2·12.5."""
    rule = ProactiveRule(per_10k_people=0.5, per_km2=0.2, shifts={"day": 1.0, "night": 2.0, "nope": 1.0})
    derived = derive_demand(tiny_dataset(), memory_log([]), DemandPolicy(proactive={"patrol": rule}))
    patrol = {(r.weekday, r.shift_id): r.crews for r in derived.demand if r.task_id == "patrol"}
    assert patrol[(0, "day")] == 4 and patrol[(6, "night")] == 7  # 3.5 -> 4, 7.0 -> 7
    assert len(patrol) == 14
    assert any("nope" in w for w in derived.warnings)


def test_rural_station_gets_the_longer_target() -> None:
    """T1 has 1,600 people per km²: urban at the default density, rural when the bar is higher."""
    log = memory_log([(0, 10, 40.0)] * 3)
    urban = derive_demand(tiny_dataset(), log, NO_PATROL)
    rural = derive_demand(tiny_dataset(), log, NO_PATROL.model_copy(update={"urban_density": 5000}))
    assert set(urban.hourly["target_minutes"]) == {5.0}
    assert set(rural.hourly["target_minutes"]) == {10.0}


def test_growth_scales_arrivals() -> None:
    """+15 % growth multiplies every hourly rate by 1.15."""
    log = memory_log([(0, 10, 40.0)] * 4)
    base = derive_demand(tiny_dataset(), log, NO_PATROL)
    grown = derive_demand(tiny_dataset(), log, NO_PATROL, growth=1.15)
    assert grown.hourly["arrivals_per_hour"].sum() == pytest.approx(
        1.15 * base.hourly["arrivals_per_hour"].sum()
    )


def test_cli_writes_a_loadable_demand_and_a_self_contained_report(tmp_path: Path) -> None:
    """`allocate demand` writes demand.csv that loads as the dataset's demand, and an HTML page."""
    data = tiny_with_types(tmp_path / "data")
    rows = [incident(k, MONDAY + dt.timedelta(days=k % 14, hours=8 + k % 12), 30 + k % 20) for k in range(60)]
    write_log(data / "incidents.csv", rows)
    out = tmp_path / "out"
    result = runner.invoke(app, ["demand", str(data), "--out", str(out)])
    assert result.exit_code == 0, result.output
    html = (out / "demand_report.html").read_text(encoding="utf-8")
    assert "<svg" in html and "<script" not in html and "http" not in html.replace("http://www.w3.org", "")
    copy = tmp_path / "derived"
    shutil.copytree(data, copy)
    shutil.copy(out / "demand.csv", copy / "demand.csv")
    ds = load_dataset(copy)
    with (out / "demand.csv").open(encoding="utf-8") as fh:
        header = next(csv.reader(fh))
    assert header == ["station_id", "weekday", "shift_id", "task_id", "crews"]
    assert any(r.task_id == "resp" for r in ds.demand)


def test_cli_bad_log_exits_2_and_writes_nothing(tmp_path: Path) -> None:
    """A bad row: exit code 2, the row named on stderr, no output folder."""
    data = tiny_with_types(tmp_path / "data")
    log = write_log(tmp_path / "bad.csv", [{**incident(1, MONDAY), "handling_minutes": "abc"}])
    out = tmp_path / "out"
    result = runner.invoke(app, ["demand", str(data), "--incidents", str(log), "--out", str(out)])
    assert result.exit_code == 2
    assert "bad.csv line 2, column handling_minutes" in result.output
    assert not out.exists()


def test_demo_log_derives_a_loadable_demand() -> None:
    """The bundled demo log loads and derives; its festival days are kept apart by policy.toml."""
    from allocate.commands.demand import derive_from_files

    demo = Path(__file__).parents[1] / "data" / "demo"
    _dataset, policy, derived = derive_from_files(demo, None)
    assert len(policy.demand.event_days) == 10
    assert not derived.events.empty
    assert {r.task_id for r in derived.demand} >= {"response_110", "patrol", "window"}
    assert derived.drivers.set_index("station_id").loc["S01", "urban"]


def test_station_column_urban_overrides_density(tmp_path: Path) -> None:
    """stations.csv `urban` = false makes T1 rural (10 min); a value that is not a boolean is named."""
    data = tiny_with_types(tmp_path / "data")
    text = (data / "stations.csv").read_text(encoding="utf-8").splitlines()
    (data / "stations.csv").write_text(f"{text[0]},urban\n{text[1]},false\n", encoding="utf-8")
    log = write_log(tmp_path / "i.csv", [incident(1, MONDAY)])
    loaded = load_incidents(load_dataset(data), log, data)
    derived = derive_demand(load_dataset(data), loaded, NO_PATROL)
    assert set(derived.hourly["target_minutes"]) == {10.0}
    (data / "stations.csv").write_text(f"{text[0]},urban\n{text[1]},maybe\n", encoding="utf-8")
    assert _issues(data, log) == ["stations.csv line 2, column urban: got 'maybe'; expected true or false"]


def test_cli_out_never_replaces_the_data_or_a_foreign_folder(tmp_path: Path) -> None:
    """--out may not be the dataset, nor a folder allocate did not write (unless --force)."""
    data = tiny_with_types(tmp_path / "data")
    write_log(data / "incidents.csv", [incident(1, MONDAY)])
    before = sorted(p.name for p in data.iterdir())
    assert runner.invoke(app, ["demand", str(data), "--out", str(data)]).exit_code == 2
    assert sorted(p.name for p in data.iterdir()) == before
    foreign = tmp_path / "mine"
    foreign.mkdir()
    (foreign / "notes.txt").write_text("keep", encoding="utf-8")
    assert runner.invoke(app, ["demand", str(data), "--out", str(foreign)]).exit_code == 2
    assert (foreign / "notes.txt").read_text(encoding="utf-8") == "keep"
    forced = runner.invoke(app, ["demand", str(data), "--out", str(foreign), "--force"])
    assert forced.exit_code == 0 and (foreign / "demand.csv").is_file()
