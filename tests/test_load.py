"""Loading the data contract: every kind of bad input is named by file, line, column and value."""

from __future__ import annotations

import shutil
from typing import TYPE_CHECKING

import pytest

from allocate.demand import expand_posts
from allocate.domain import Horizon
from allocate.io.errors import InputError
from allocate.io.load import check_horizon, load_dataset
from builders import MONDAY, csv_workbook

if TYPE_CHECKING:
    from pathlib import Path


@pytest.fixture
def folder(tmp_path: Path, tiny_folder: Path) -> Path:
    """A writable copy of the tiny dataset."""
    target = tmp_path / "ds"
    shutil.copytree(tiny_folder, target)
    return target


def edit(folder: Path, table: str, old: str, new: str) -> None:
    path = folder / f"{table}.csv"
    text = path.read_text()
    assert old in text, f"{old!r} not in {table}.csv"
    path.write_text(text.replace(old, new, 1))


def append(folder: Path, table: str, line: str) -> None:
    with open(folder / f"{table}.csv", "a") as f:
        f.write(line + "\n")


def problems(folder: Path) -> list:
    with pytest.raises(InputError) as info:
        load_dataset(folder)
    return info.value.issues


def test_tiny_dataset_loads(tiny_folder):
    """The bundled tiny dataset loads into domain objects with defaults applied."""
    ds = load_dataset(tiny_folder)
    assert len(ds.staff) == 7 and len(ds.tasks) == 4
    assert ds.task_by_id["resp"].crews_text == "1S+2A|2S"
    assert ds.shift_by_id["night"].is_night
    assert ds.person_by_id["P1"].pre_job_trained is True


def test_bad_value_names_file_line_column_and_value(folder):
    """A wrong role is reported with staff.csv, its line, the column and the value."""
    edit(folder, "staff", "P2,Officer Two,T1,sworn", "P2,Officer Two,T1,swron")
    [issue] = problems(folder)
    assert (issue.file, issue.line, issue.column, issue.value) == ("staff.csv", 3, "role", "swron")
    assert "sworn" in issue.expected and "staff.csv line 3, column role" in str(issue)


def test_all_errors_of_a_file_in_one_report(folder):
    """Three bad values in two files come back together, not one per run."""
    edit(folder, "staff", ",40,true,,false\nP2", ",forty,true,,false\nP2")
    edit(
        folder,
        "staff",
        "A1,Aux One,T1,aux_service,,,40,true,2027-12-31,false",
        "A1,Aux One,T1,aux_service,,,40,maybe,2027-12-31,false",
    )
    edit(folder, "shifts", "day,08:00,8,", "day,8am,8,")
    issues = problems(folder)
    assert {(i.file, i.column) for i in issues} == {
        ("staff.csv", "hours_per_week"),
        ("staff.csv", "pre_job_trained"),
        ("shifts.csv", "start"),
    }


def test_missing_required_column(folder):
    """A shifts table without `hours` is reported as a missing header column."""
    (folder / "shifts.csv").write_text("shift_id,start\nday,08:00\nnight,20:00\n")
    [issue] = problems(folder)
    assert (issue.file, issue.line, issue.column) == ("shifts.csv", 1, "hours")


def test_missing_required_table(folder):
    """A dataset without staff.csv names the missing table."""
    (folder / "staff.csv").unlink()
    [issue] = problems(folder)
    assert issue.file == "staff.csv" and "required table" in issue.expected


def test_unknown_id_across_tables(folder):
    """A demand row naming a task that does not exist."""
    append(folder, "demand", "T1,Thu,day,nope,1")
    [issue] = problems(folder)
    assert (issue.file, issue.line, issue.column, issue.value) == ("demand.csv", 7, "task_id", "nope")


def test_duplicate_id(folder):
    """The same person_id twice names the second line and the first."""
    append(folder, "staff", "P1,Again,T1,sworn,,,40,true,,false")
    [issue] = problems(folder)
    assert (issue.file, issue.line, issue.column) == ("staff.csv", 9, "person_id")
    assert "line 2" in issue.expected


def test_crews_that_do_not_parse(folder):
    """`1X+2A` is not a crew."""
    edit(folder, "tasks", "1S+2A|2S", "1X+2A|2S")
    [issue] = problems(folder)
    assert (issue.file, issue.column, issue.value) == ("tasks.csv", "crews", "1X+2A|2S")


def test_led_task_without_sworn_slot(folder):
    """A led task whose crews include an auxiliary-only alternative breaks rule 2."""
    edit(folder, "tasks", "1S+2A|2S", "1S+2A|2A")
    [issue] = problems(folder)
    assert issue.column == "crews" and "led" in issue.expected


def test_police_only_task_with_auxiliary_slot(folder):
    """A police_only task with an A slot breaks rule 1."""
    edit(folder, "tasks", "police_only,2S", "police_only,1S+1A")
    [issue] = problems(folder)
    assert issue.column == "crews" and "police_only" in issue.expected


def test_bad_duty_class(folder):
    """An unknown duty class lists the allowed ones."""
    edit(folder, "tasks", "support,1A", "helpdesk,1A")
    [issue] = problems(folder)
    assert issue.column == "duty_class" and "support" in issue.expected


def test_bad_date_and_time_formats(folder):
    """Dates must be ISO and times HH:MM; a shift longer than 24 h is refused."""
    (folder / "absences.csv").write_text("person_id,date_from,date_to,kind\nP1,07/12/2026,2026-12-08,leave\n")
    edit(folder, "shifts", "night,20:00,12,", "night,20:00,25,")
    issues = {(i.file, i.line, i.column) for i in problems(folder)}
    assert issues == {("absences.csv", 2, "date_from"), ("shifts.csv", 3, "hours")}


def test_demand_row_with_both_date_and_weekday(folder):
    """A demand row must give a date or a weekday, not both."""
    (folder / "demand.csv").write_text(
        "station_id,date,weekday,shift_id,task_id,crews\nT1,2026-12-07,Mon,day,case,1\n"
    )
    [issue] = problems(folder)
    assert issue.line == 2 and "exactly one" in issue.expected


def test_dated_demand_outside_the_horizon(folder):
    """A dated demand row after the horizon is an error naming the date."""
    (folder / "demand.csv").write_text("station_id,date,shift_id,task_id,crews\nT1,2026-12-20,day,case,1\n")
    ds = load_dataset(folder)
    with pytest.raises(InputError) as info:
        check_horizon(ds, Horizon(MONDAY, 7))
    assert info.value.issues[0].value == "2026-12-20"


def test_unknown_person_in_absences(folder):
    """An absence of a person who is not on the staff."""
    (folder / "absences.csv").write_text("person_id,date_from,date_to,kind\nX9,2026-12-07,2026-12-08,leave\n")
    [issue] = problems(folder)
    assert (issue.file, issue.column, issue.value) == ("absences.csv", "person_id", "X9")


def test_absence_ending_before_it_starts(folder):
    """date_to before date_from."""
    (folder / "absences.csv").write_text("person_id,date_from,date_to,kind\nP1,2026-12-08,2026-12-07,leave\n")
    [issue] = problems(folder)
    assert issue.column == "date_to"


def test_optional_tables_absent_or_empty(folder):
    """Absent, zero-byte and header-only optional tables all load as empty."""
    (folder / "absences.csv").write_text("")
    (folder / "requests.csv").write_text("person_id,date,shift_id,want,weight\n")
    ds = load_dataset(folder)
    assert ds.absences == () and ds.requests == () and ds.history == ()


def test_optional_columns_absent(tmp_path):
    """Only the mandatory columns: defaults fill the rest (40 h, trained, not disqualified)."""
    (tmp_path / "stations.csv").write_text("station_id,name,district,population\nA,A,D,100\n")
    (tmp_path / "shifts.csv").write_text("shift_id,start,hours\nday,08:00,8\n")
    (tmp_path / "tasks.csv").write_text("task_id,name,duty_class,crews\nt,T,led,1S+1A\n")
    (tmp_path / "staff.csv").write_text("person_id,name,station_id,role\np,P,A,aux_service\n")
    (tmp_path / "demand.csv").write_text("station_id,weekday,shift_id,task_id,crews\nA,Mon,day,t,1\n")
    ds = load_dataset(tmp_path)
    p = ds.staff[0]
    assert (p.hours_per_week, p.pre_job_trained, p.disqualified, p.skills) == (40.0, True, False, frozenset())
    assert ds.tasks[0].priority == 1


def test_weekday_and_dated_demand_expand_over_the_horizon(folder):
    """Weekday rows repeat every week; a dated row overrides the weekday row of its date."""
    (folder / "demand.csv").write_text(
        "station_id,weekday,date,shift_id,task_id,crews\n"
        "T1,Mon,,day,case,1\n"
        "T1,Tue,,night,resp,1\n"
        "T1,,2026-12-14,day,case,3\n"
    )
    ds = load_dataset(folder)
    posts = {(p.date.isoformat(), p.task_id): p.crews_required for p in expand_posts(ds, Horizon(MONDAY, 14))}
    assert posts == {
        ("2026-12-07", "case"): 1,
        ("2026-12-08", "resp"): 1,
        ("2026-12-14", "case"): 3,
        ("2026-12-15", "resp"): 1,
    }


def test_workbook_loads_like_the_csv_folder(folder, tmp_path):
    """The same tables as sheets of one .xlsx workbook give the same dataset, typed cells included."""
    import datetime as dt

    def typed(col: str, value: str) -> object:
        if col == "start":
            h, m = value.split(":")
            return dt.time(int(h), int(m))
        if col == "training_valid_until" and value:
            return dt.datetime.fromisoformat(value)
        if col in ("hours", "population", "crews") and value.isdigit():
            return float(value)
        if value in ("true", "false"):
            return value == "true"
        return value

    path = csv_workbook(folder, tmp_path / "book.xlsx", typed)
    from_book, from_csv = load_dataset(path), load_dataset(folder)
    for table in ("stations", "shifts", "tasks", "staff", "demand"):
        assert getattr(from_book, table) == getattr(from_csv, table), table


def test_workbook_error_names_sheet_and_row(tmp_path, folder):
    """A bad cell in a workbook is reported as book.xlsx[staff] with the sheet row."""
    path = csv_workbook(folder, tmp_path / "book.xlsx", extra={"staff!D4": "officer"})
    with pytest.raises(InputError) as info:
        load_dataset(path)
    [issue] = info.value.issues
    assert (issue.file, issue.line, issue.column, issue.value) == ("book.xlsx[staff]", 4, "role", "officer")
