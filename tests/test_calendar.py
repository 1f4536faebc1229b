"""Public holidays and adjusted working days (调休): the calendar, holidays.csv, Hol demand, fairness."""

from __future__ import annotations

import datetime as dt
import shutil
from typing import TYPE_CHECKING

import pytest

from allocate.demand import expand_posts
from allocate.domain import Assignment, Calendar, CalendarDay, DemandRow, Horizon, is_heavy
from allocate.fairness import heavy_counts
from allocate.io.errors import InputError
from allocate.io.load import load_dataset
from allocate.policy import Policy
from allocate.solve import solve
from builders import SHIFTS, dataset, person

if TYPE_CHECKING:
    from pathlib import Path

SAT_WORKDAY = dt.date(2026, 2, 14)  # Spring Festival 2026: a Saturday worked (调休)
SUN_HOLIDAY = dt.date(2026, 2, 15)  # the first day of the Spring Festival break
DAY, NIGHT = SHIFTS[0], SHIFTS[2]


def test_default_calendar_knows_spring_festival_and_its_adjusted_workday():
    """The default calendar marks the holiday, the worked Saturday, and ordinary days apart."""
    cal = Calendar()
    assert cal.is_holiday(SUN_HOLIDAY) and cal.day(SUN_HOLIDAY).name == "春节"
    assert cal.is_adjusted_workday(SAT_WORKDAY) and not cal.is_rest_day(SAT_WORKDAY)
    assert cal.is_holiday(dt.date(2026, 10, 1)) and cal.is_rest_day(dt.date(2026, 10, 1))
    ordinary = dt.date(2026, 3, 10)  # a Tuesday
    assert cal.day(ordinary) is None and not cal.is_rest_day(ordinary)
    assert is_heavy(DAY, SUN_HOLIDAY, cal) and not is_heavy(DAY, SAT_WORKDAY, cal)
    assert is_heavy(NIGHT, SAT_WORKDAY, cal) and is_heavy(DAY, SAT_WORKDAY, Calendar(default=False))


def test_table_rows_override_the_default():
    """A holidays.csv row wins over the default calendar for its date, either way."""
    tuesday = dt.date(2026, 3, 10)
    cal = Calendar((CalendarDay(tuesday, "局庆", "holiday"), CalendarDay(SUN_HOLIDAY, "值班", "workday")))
    assert cal.is_holiday(tuesday) and not cal.is_rest_day(SUN_HOLIDAY)
    assert cal.is_holiday(dt.date(2026, 2, 16))  # the rest of the default break stays


def test_hol_rows_apply_on_holidays_and_adjusted_workdays_take_a_working_day():
    """Sat 14 Feb 2026 is staffed like a Monday; Sun 15 Feb (a holiday) takes the Hol row."""
    rows = [
        DemandRow("S1", "day", "desk", 2, weekday=0),
        DemandRow("S1", "day", "desk", 5, weekday=5),
        DemandRow("S1", "day", "desk", 6, weekday=6),
        DemandRow("S1", "day", "desk", 3, weekday=7),
    ]
    ds = dataset([person("A")], rows)
    posts = {p.date: p.crews_required for p in expand_posts(ds, Horizon(dt.date(2026, 2, 9), 7))}
    assert posts == {dt.date(2026, 2, 9): 2, SAT_WORKDAY: 2, SUN_HOLIDAY: 3}


def test_a_week_with_a_holiday_and_an_adjusted_workday_in_fairness():
    """Only the holiday is a heavy day, and it goes to the officer with fewer heavy shifts behind him."""
    history = tuple(_night("A", SAT_WORKDAY - dt.timedelta(days=k)) for k in (1, 2))
    demand = [DemandRow("S1", "day", "desk", 1, date=d) for d in (SAT_WORKDAY, SUN_HOLIDAY)]
    ds = dataset([person("A"), person("B")], demand, history=history)
    result = solve(ds, Horizon(SAT_WORKDAY, 2), Policy(), time_limit=10, workers=1)
    counts = heavy_counts(ds, result.worked(), SAT_WORKDAY, SUN_HOLIDAY + dt.timedelta(days=1))
    assert sum(counts.values()) == 1  # the worked Saturday is not a weekend shift
    assert counts == {"B": 1}
    window = result.summary()["fairness_window"]
    assert window["weeks"] == 4
    [sworn] = [g for g in window["heavy_shifts"] if g["station_id"] == "S1"]
    assert (sworn["min"], sworn["max"]) == (1, 2)


def test_history_in_the_window_moves_the_nights_to_who_had_fewer():
    """With A's three nights last week in the window, B takes both nights; without it, they share."""
    monday = dt.date(2026, 12, 7)
    history = tuple(_night("A", monday - dt.timedelta(days=k)) for k in (2, 4, 6))
    demand = [DemandRow("S1", "night", "desk", 1, date=monday + dt.timedelta(days=k)) for k in (0, 2)]
    ds = dataset([person("A"), person("B")], demand, history=history)
    horizon = Horizon(monday, 3)
    nights = {}
    for weeks in (4, 1):
        result = solve(ds, horizon, Policy(fairness_weeks=weeks), time_limit=10, workers=1)
        nights[weeks] = sorted(result.roster["person_id"])
    assert nights[4] == ["B", "B"]
    assert nights[1] == ["A", "B"]


def _night(pid: str, day: dt.date) -> Assignment:
    """A history row: `pid` worked the night desk on `day`."""
    return Assignment(day, "S1", "night", "desk", f"h{pid}{day}", pid, "sworn", "S", pid)


@pytest.fixture
def folder(tmp_path: Path, tiny_folder: Path) -> Path:
    """A writable copy of the tiny dataset."""
    target = tmp_path / "ds"
    shutil.copytree(tiny_folder, target)
    return target


def test_holidays_csv_extends_the_calendar(folder):
    """A good holidays.csv loads into the dataset's calendar (a local holiday and a worked Sunday)."""
    (folder / "holidays.csv").write_text(
        "date,name,kind\n2026-12-09,局庆,holiday\n2026-12-13,值班日,Workday\n"
    )
    cal = load_dataset(folder).calendar
    assert cal.is_holiday(dt.date(2026, 12, 9)) and cal.day(dt.date(2026, 12, 9)).name == "局庆"
    assert cal.is_adjusted_workday(dt.date(2026, 12, 13))


def test_bad_holidays_rows_are_named_by_file_line_and_column(folder):
    """Every bad row of holidays.csv: a bad date, an unknown kind, a missing kind, a repeated date."""
    (folder / "holidays.csv").write_text(
        "date,name,kind\n2026-13-01,x,holiday\n2026-12-10,y,vacation\n2026-12-11,z,\n"
        "2026-12-12,a,holiday\n2026-12-12,b,workday\n"
    )
    with pytest.raises(InputError) as info:
        load_dataset(folder)
    got = {(i.file, i.line, i.column) for i in info.value.issues}
    assert got == {
        ("holidays.csv", 2, "date"),
        ("holidays.csv", 3, "kind"),
        ("holidays.csv", 4, "kind"),
        ("holidays.csv", 6, "date"),
    }
    text = str(info.value)
    assert "holidays.csv line 3, column kind: got 'vacation'" in text and "'holiday'" in text


def test_holidays_csv_without_its_kind_column(folder):
    """A holidays.csv header without `kind` is named as a missing column."""
    (folder / "holidays.csv").write_text("date,name\n2026-12-09,局庆\n")
    with pytest.raises(InputError) as info:
        load_dataset(folder)
    assert [(i.file, i.line, i.column) for i in info.value.issues] == [("holidays.csv", 1, "kind")]


def test_a_year_the_default_calendar_lacks_is_warned(tiny_folder) -> None:
    """A horizon in a year chinese-calendar does not know yet gets a warning; a known year none."""
    from typer.testing import CliRunner

    from allocate.cli import app

    later = CliRunner().invoke(app, ["validate", str(tiny_folder), "--start", "2031-03-03", "--days", "7"])
    assert later.exit_code == 0
    assert "no public holidays for 2031" in " ".join(later.output.split())
    known = CliRunner().invoke(app, ["validate", str(tiny_folder), "--start", "2026-03-02", "--days", "7"])
    assert known.exit_code == 0 and "no public holidays" not in known.output
