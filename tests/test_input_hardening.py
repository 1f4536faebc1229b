"""Careless and hostile input (issue 13): each is bad input named by file, line and column, exit 2.

Every test reproduces one finding of the issue through ``allocate validate`` (or the loader), so
the message a planner sees is what is checked, not only the exception.
"""

from __future__ import annotations

import shutil
from typing import TYPE_CHECKING

import pytest
from typer.testing import CliRunner

from allocate.cli import app
from allocate.io.errors import InputError
from allocate.io.load import load_dataset
from builders import csv_workbook

if TYPE_CHECKING:
    from pathlib import Path

runner = CliRunner()


@pytest.fixture
def folder(tmp_path: Path, tiny_folder: Path) -> Path:
    """A writable copy of the tiny dataset."""
    target = tmp_path / "ds"
    shutil.copytree(tiny_folder, target)
    return target


def validate(*args: object) -> tuple[int, str]:
    """Exit code and everything printed by ``allocate validate ARGS``."""
    result = runner.invoke(app, ["validate", *map(str, args)])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.output + (result.stderr if result.stderr_bytes else "")


def edit(folder: Path, table: str, old: str, new: str) -> None:
    path = folder / f"{table}.csv"
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {table}.csv"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def header_only(folder: Path, *tables: str) -> None:
    for table in tables:
        path = folder / f"{table}.csv"
        path.write_text(path.read_text().splitlines()[0] + "\n")


def workbook(folder: Path, path: Path, extra: dict | None = None) -> Path:
    """The tiny dataset as one workbook; `extra` maps a cell like ``staff!J2`` to a value."""
    return csv_workbook(folder, path, extra=extra)


# --- item 3: a formula without a saved value is not an empty cell --------------------------------


def test_formula_without_cached_value_is_bad_input(folder, tmp_path):
    """`disqualified` as a formula never calculated (openpyxl saves no value): named cell, exit 2."""
    book = workbook(folder, tmp_path / "book.xlsx", {"staff!J3": "=1=1"})
    code, out = validate(book)
    assert code == 2
    assert "book.xlsx[staff] line 3, column disqualified (cell staff!J3)" in out
    assert "formula without a saved result" in out and "save it" in out


def test_excel_error_value_is_bad_input(folder, tmp_path):
    """A cell holding an Excel error (#N/A) is refused, not read as text or as empty."""
    from openpyxl import load_workbook

    path = workbook(folder, tmp_path / "book.xlsx")
    book = load_workbook(path)
    book["staff"]["B4"].value = "#N/A"
    book["staff"]["B4"].data_type = "e"
    book.save(path)
    code, out = validate(path)
    assert code == 2 and "cell staff!B4" in out and "Excel error" in out


def test_header_case_and_typos_do_not_drop_a_safety_column(folder):
    """`Disqualified` is the column; `disqualifed` (a typo) is an error, not an ignored extra."""
    edit(folder, "staff", "disqualified", "Disqualified")
    edit(
        folder, "staff", "P1,Officer One,T1,sworn,,,40,true,,false", "P1,Officer One,T1,sworn,,,40,true,,true"
    )
    assert load_dataset(folder).person_by_id["P1"].disqualified is True
    edit(folder, "staff", "Disqualified", "disqualifed")
    code, out = validate(folder)
    assert code == 2 and "did you mean disqualified?" in out


# --- item 6: numbers CP-SAT can take, and validate == solve's checks --------------------------------


@pytest.mark.parametrize(
    ("table", "old", "new", "column"),
    [
        (
            "tasks",
            "case,Case handling,police_only,2S,,5",
            "case,Case handling,police_only,2S,,1e18",
            "priority",
        ),
        (
            "tasks",
            "case,Case handling,police_only,2S,,5",
            "case,Case handling,police_only,2S,,inf",
            "priority",
        ),
        ("shifts", "day,08:00,8,", "day,08:00,8,1e15", "rest_after"),
        ("demand", "T1,Mon,day,case,1", "T1,Mon,day,case,1e20", "crews"),
        ("demand", "T1,Mon,day,case,1", "T1,Mon,day,case,nan", "crews"),
        ("stations", "20000", "inf", "population"),
        ("staff", "P1,Officer One,T1,sworn,,,40", "P1,Officer One,T1,sworn,,,NaN", "hours_per_week"),
    ],
)
def test_numbers_must_be_finite_and_in_range(folder, table, old, new, column):
    """1e18, 1e20, inf and nan are refused with file, line and column, not crash the solve."""
    edit(folder, table, old, new)
    code, out = validate(folder)
    assert code == 2 and f"{table}.csv line 2, column {column}" in out


@pytest.mark.parametrize("crews", ["1000000000S", "|".join(f"{n}S" for n in range(1, 30))])
def test_crew_patterns_are_bounded(folder, crews):
    """A crew of a billion officers, or thirty alternatives, is refused before the model is built."""
    edit(folder, "tasks", "case,Case handling,police_only,2S,", f"case,Case handling,police_only,{crews},")
    code, out = validate(folder)
    assert code == 2 and "tasks.csv line 2, column crews" in out and "at most 20 alternatives" in out


@pytest.mark.parametrize(
    ("file", "text", "expected"),
    [
        ("requests.csv", "person_id,date,shift_id,want,weight\nP1,2026-12-08,,off,1e30\n",
         ["requests.csv line 2, column weight"]),
        ("policy.toml", "[weights]\nuncovered = 1e30\n[sworn]\nmin_rest_hours = inf\n",
         ["weights.uncovered", "sworn.min_rest_hours"]),
        ("policy.toml", "[demand.proactive.patrol]\nper_10k_people = inf\n",
         ["demand.proactive.patrol.per_10k_people: got inf; expected a finite number"]),
    ],
    ids=["request weight", "policy weight and rest", "policy demand rate"],
)  # fmt: skip
def test_huge_or_infinite_numbers_are_refused(folder, file, text, expected):
    """A request weight of 1e30, and a policy.toml number of 1e30 or inf ([demand] too): bad input."""
    (folder / file).write_text(text)
    code, out = validate(folder)
    assert code == 2 and all(e in out for e in expected), out


def test_validate_checks_the_horizon(folder):
    """With --start/--days, dated demand outside the horizon is named with its line."""
    (folder / "demand.csv").write_text(
        "station_id,date,weekday,shift_id,task_id,crews\nT1,,Mon,day,case,1\nT1,2026-12-08,,day,case,1\n"
        "T1,2027-03-01,,day,case,1\n"
    )
    assert validate(folder)[0] == 0  # without a horizon, the demand's span is the horizon
    code, out = validate(folder, "--start", "2026-12-07", "--days", "7")
    assert code == 2 and "demand.csv line 4, column date: got '2027-03-01'" in out


@pytest.mark.parametrize(
    ("change", "key"),
    [
        ('kind = "scale_demand"\nfactor = 1e15', "factor"),
        ('kind = "scale_demand"\nfactor = inf', "factor"),
        ('kind = "add_crews"\ntasks = ["case"]\nshifts = ["day"]\ncrews = 100000000000', "crews"),
    ],
)
def test_validate_checks_a_scenario(folder, tmp_path, change, key):
    """A scenario given to validate is read with its changes: huge or infinite factors are bad input."""
    toml = tmp_path / "what.toml"
    toml.write_text(f'dataset = "ds"\n[horizon]\nstart = 2026-12-07\n[[changes]]\n{change}\n')
    code, out = validate(toml)
    assert code == 2 and f"changes[1].{key}" in out


def test_scenario_change_may_not_exceed_the_crews_bound(folder, tmp_path):
    """A factor in range that takes a post above the most crews per post is refused by name."""
    edit(folder, "demand", "T1,Mon,day,case,1", "T1,Mon,day,case,900")
    toml = tmp_path / "what.toml"
    toml.write_text(
        'dataset = "ds"\n[horizon]\nstart = 2026-12-07\n[[changes]]\nkind = "scale_demand"\nfactor = 2\n'
    )
    code, out = validate(toml)
    assert code == 2 and "changes[1]" in out and "at most 1000 crews" in out


# --- item 7: messages, not tracebacks ------------------------------------------------------------


def test_nul_byte_in_a_name(folder):
    """A NUL byte in a name is a clear error naming the cell."""
    edit(folder, "staff", "Officer One", "Officer\x00One")
    code, out = validate(folder)
    assert code == 2 and "staff.csv line 2, column name" in out and "U+0000" in out


def test_header_only_staff(folder):
    """A staff table with a header and no rows says so, once."""
    header_only(folder, "staff")
    code, out = validate(folder)
    assert code == 2 and "staff.csv has no rows" in out
    assert "1 problem(s)" in out


def test_every_table_but_stations_header_only(folder):
    """Each empty required table is named once; no traceback, no follow-on messages."""
    header_only(folder, "shifts", "tasks", "staff", "demand")
    code, out = validate(folder)
    assert code == 2 and "4 problem(s)" in out
    for table in ("shifts", "tasks", "staff", "demand"):
        assert f"{table}.csv has no rows" in out


# --- item 9: input that silently meant something else ------------------------------------------------


def test_duplicated_column_header(folder):
    """A column named twice is an error naming the file and column (not 'the last copy wins')."""
    edit(folder, "staff", "training_valid_until,disqualified", "training_valid_until,role")
    code, out = validate(folder)
    assert code == 2 and "staff.csv line 1, column role" in out and "each column once" in out


def test_history_inside_the_horizon(folder):
    """History dated inside the horizon is an error naming its line, not dropped silently."""
    (folder / "history.csv").write_text(
        "date,station_id,shift_id,task_id,crew_id,person_id,role,slot,lead_id\n"
        "2026-12-06,T1,day,case,c1,P1,sworn,S,P1\n"
        "2026-12-08,T1,day,case,c1,P1,sworn,S,P1\n"
    )
    code, out = validate(folder, "--start", "2026-12-07")
    assert code == 2 and "history.csv line 3, column date: got '2026-12-08'" in out


@pytest.mark.parametrize("content", ["", "station_id,weekday,shift_id,task_id,crews\n"])
def test_empty_demand_is_nothing_to_roster(folder, content):
    """A 0-byte or header-only demand.csv is 'nothing to roster', exit 2 (not an empty roster)."""
    (folder / "demand.csv").write_text(content)
    code, out = validate(folder)
    assert code == 2 and "nothing to roster" in out


@pytest.mark.parametrize(
    ("text", "ok"), [("Monday-ish", False), ("Mo", False), (" mon ", True), ("MONDAY", True)]
)
def test_weekday_is_exact(folder, text, ok):
    """Weekdays are Mon..Sun (or full names), any case: `Monday-ish` is not Monday."""
    edit(folder, "demand", "T1,Mon,day,case", f"T1,{text},day,case")
    code, out = validate(folder)
    assert (code == 0) is ok, out


def test_scenario_weekday_is_exact(folder, tmp_path):
    """A scenario's weekday selection is as strict as demand.csv's."""
    toml = tmp_path / "what.toml"
    toml.write_text(
        'dataset = "ds"\n[horizon]\nstart = 2026-12-07\n[[changes]]\nkind = "scale_demand"\n'
        'weekdays = ["Friday-ish"]\nfactor = 2\n'
    )
    code, out = validate(toml)
    assert code == 2 and "Friday-ish" in out


def scenario_with_params(folder: Path, params: str) -> Path:
    """A scenario file in `folder` whose [solver.params] table holds the line `params`."""
    toml = folder / "what.toml"
    toml.write_text(f'dataset = "ds"\n[horizon]\nstart = 2026-12-07\n[solver.params]\n{params}\n')
    return toml


def test_scenario_time_limit_parameter_is_refused(folder, tmp_path):
    """max_time_in_seconds in [solver.params] would override --time-limit: it is bad input instead."""
    code, out = validate(scenario_with_params(tmp_path, "max_time_in_seconds = 100"))
    assert code == 2 and "time_limit instead of the CP-SAT parameter max_time_in_seconds" in out
    result = runner.invoke(
        app, ["solve", str(folder), "--param", "max_time_in_seconds=100", "--out", str(tmp_path / "o")]
    )
    assert result.exit_code == 2 and not (tmp_path / "o").exists()


def test_bad_cp_sat_parameter_value(folder, tmp_path):
    """A CP-SAT parameter of the wrong type is bad input, before the data is loaded."""
    code, out = validate(scenario_with_params(tmp_path, 'relative_gap_limit = "x"'))
    assert code == 2 and "relative_gap_limit" in out


# --- item 10: messages that point to the right place --------------------------------------------------


def test_empty_stations_is_blamed_on_stations_only(folder):
    """A header-only stations table gives one message, not one per staff and demand row."""
    header_only(folder, "stations")
    code, out = validate(folder)
    assert code == 2 and "1 problem(s)" in out and "stations.csv has no rows" in out


def test_line_separators_inside_a_quoted_name(folder):
    """U+2028 and U+0085 inside a quoted name are part of the name, and do not shift line numbers."""
    edit(folder, "staff", "Officer One", '"Officer\u2028One"')
    edit(folder, "staff", "Officer Two", '"Officer\u0085Two"')
    edit(folder, "staff", "A1,Aux One,T1,aux_service", "A1,Aux One,T1,officer")
    ds_code, out = validate(folder)
    assert ds_code == 2 and "staff.csv line 5, column role: got 'officer'" in out and "1 problem(s)" in out


def test_unbalanced_quote_reported_where_it_opens(folder):
    """A quote that is never closed is reported at its own line, once."""
    edit(folder, "staff", "P3,Officer Three", 'P3,"Officer Three')
    code, out = validate(folder)
    assert (
        code == 2 and "1 problem(s)" in out and "staff.csv line 4" in out and "quote opened on line 4" in out
    )


def test_two_sheets_for_one_table(folder, tmp_path):
    """Sheets `staff` and `Staff.csv` in one workbook: one clear message naming both."""
    from openpyxl import load_workbook

    path = workbook(folder, tmp_path / "book.xlsx")
    book = load_workbook(path)
    book.copy_worksheet(book["staff"]).title = "Staff.csv"
    book.save(path)
    code, out = validate(path)
    assert code == 2 and "'staff' and 'Staff.csv' both map to table staff" in out


def test_two_files_for_one_table(folder):
    """staff.csv and STAFF.csv in one folder (a case-sensitive file system) is an error."""
    shutil.copy(folder / "staff.csv", folder / "STAFF.csv")
    if len({p.name.lower() for p in folder.iterdir()}) == len(list(folder.iterdir())):
        pytest.skip("case-insensitive file system")
    code, out = validate(folder)
    assert code == 2 and "both hold table staff" in out


def test_many_bad_rows_are_capped_per_column(folder):
    """A column wrong on every row of a big table lists a few rows and counts the rest."""
    rows = "".join(f"T1,2026-12-{7 + i % 7:02d},,day,case,x{i % 3}\n" for i in range(300))
    (folder / "demand.csv").write_text("station_id,date,weekday,shift_id,task_id,crews\n" + rows)
    with pytest.raises(InputError) as info:
        load_dataset(folder)
    assert len(info.value.issues) < 200
    assert any("more rows with a bad value" in i.expected for i in info.value.issues)


def test_duplicate_demand_rows_name_the_first(folder):
    """A repeated station/day/shift/task names the line it repeats."""
    with open(folder / "demand.csv", "a") as f:
        f.write("T1,mon,day,case,2\n")
    code, out = validate(folder)
    assert code == 2 and "demand.csv line 7, column crews" in out and "same as line 2" in out


# --- item 11: big files -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "station_id,weekday,shift_id,task_id,crews\nT1,Mon,day,case,1\n\n  ,  , ,,\nT1,Tue,day,case\nT1 , Wed,day,case, 2\n",
        "\ufeffstation_id,weekday,shift_id,task_id,crews\r\nT1,Mon,day,case,1\r\n\r\nT1,Tue,day,case,3\r\n",
        "station_id,weekday,shift_id,task_id,crews\rT1,Mon,day,case,1\rT1,Tue,night,resp,2",
        "station_id,,weekday,shift_id,task_id,crews\nT1,x,Mon,day,case,1\nT1,,Tue,day,case,1\n",
    ],
)
def test_fast_reader_reads_like_the_exact_one(tmp_path, monkeypatch, text):
    """The pandas path for big plain files gives the same columns and line numbers as the csv path."""
    import allocate.io.fastcsv as fast
    from allocate.io.tables import read_csv

    path = tmp_path / "demand.csv"
    path.write_bytes(text.encode("utf-8"))
    monkeypatch.setattr(fast, "FAST_FROM", 1 << 40)
    exact = read_csv(path)
    monkeypatch.setattr(fast, "FAST_FROM", 0)
    assert fast.read_plain_csv(path, "demand.csv") is not None
    quick = read_csv(path)
    assert quick.columns == exact.columns and list(quick.lines) == list(exact.lines)
    assert [quick.column(c) for c in quick.columns] == [exact.column(c) for c in exact.columns]


@pytest.mark.parametrize(
    "text",
    [
        'station_id,weekday,shift_id,task_id,crews\nT1,"Mon",day,case,1\n',  # a quote
        "station_id,weekday,shift_id,task_id,crews\nT1,Mon,day,case,1,extra\n",  # too wide
        "station_id,weekday,shift_id,task_id,crews\nT1,Mon\x01,day,case,1\n",  # a control character
        "\nstation_id,weekday,shift_id,task_id,crews\nT1,Mon,day,case,1\n",  # blank line first
    ],
)
def test_fast_reader_defers_the_unusual_to_the_exact_one(tmp_path, monkeypatch, text):
    """Anything the fast path cannot read line for line goes to the exact reader."""
    import allocate.io.fastcsv as fast

    path = tmp_path / "demand.csv"
    path.write_text(text)
    monkeypatch.setattr(fast, "FAST_FROM", 0)
    assert fast.read_plain_csv(path, "demand.csv") is None
