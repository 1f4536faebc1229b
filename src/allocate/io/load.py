"""Load a dataset: raw tables -> validated rows -> cross-table checks -> a :class:`Dataset`.

All problems of all tables are collected and raised together as one :class:`InputError`, so a
planner fixes a spreadsheet in one pass instead of one error per run.
"""

from __future__ import annotations

import gc
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from allocate.crew_patterns import parse_crews
from allocate.domain import (
    Absence,
    Assignment,
    Calendar,
    CalendarDay,
    Dataset,
    DemandRow,
    Horizon,
    Person,
    Pin,
    Request,
    Shift,
    Station,
    Task,
)
from allocate.i18n import L_
from allocate.io.errors import InputError, InputIssue
from allocate.io.schemas import MAX_ALTERNATIVES, MAX_CREW_SIZE
from allocate.io.tables import REQUIRED_TABLES, RawTable, read_tables
from allocate.io.validate import MAX_ISSUES_PER_COLUMN, ValidTable, report, validate_table

if TYPE_CHECKING:
    import datetime as dt
    from collections.abc import Iterable, Iterator


def _duplicates(
    file: str, column: str, items: Iterable[tuple[int, object]], issues: list[InputIssue], what: str
) -> None:
    seen: dict[object, int] = {}
    for line, key in items:
        if key in seen:
            issues.append(
                InputIssue(
                    file,
                    line,
                    column,
                    key,
                    L_("a unique %(what)s (already on line %(line)s)", what=what, line=seen[key]),
                )
            )
        else:
            seen[key] = line


# The table that defines each id column: a reference to an id is checked against its ids.
_DEFINED_IN = {"station_id": "stations", "shift_id": "shifts", "task_id": "tasks", "person_id": "staff"}


@dataclass(frozen=True)
class _Refs:
    """The ids the tables define, to check references against, and where to report a stranger.

    Ids are known from the raw tables, so a row that failed validation does not also make every
    reference to it an "unknown id" error: one mistake, one message.
    """

    known: dict[str, set[str] | None]  # id column -> its ids; None: its table is unreadable, no check
    files: dict[str, str]  # table -> its file's name
    issues: list[InputIssue]

    @classmethod
    def of(cls, rows: dict[str, ValidTable], files: dict[str, str], issues: list[InputIssue]) -> _Refs:
        return cls({c: _ids(rows[table], c) for c, table in _DEFINED_IN.items()}, files, issues)

    def where(self, column: str) -> str:
        """The file that defines the ids of `column`."""
        return self.files[_DEFINED_IN[column]]

    def unknown(self, file: str, column: str, line: int, value: str) -> bool:
        """Report `value` unless its table defines it (or cannot be read)."""
        known = self.known[column]
        if known is None or value in known:
            return False
        self.issues.append(InputIssue(file, line, column, value, _exists(column, self.where(column))))
        return True


def _assignment(r: Any) -> Assignment:
    """A roster row (history or published roster) as a domain object."""
    return Assignment(
        r.date, r.station_id, r.shift_id, r.task_id, r.crew_id, r.person_id, r.role, r.slot, r.lead_id
    )


def _ids(table: ValidTable, column: str) -> set[str] | None:
    """The ids a table defines (rows that failed validation included), or None when the table
    could not be read as a whole: then references to it are not checked (one mistake, one message)."""
    return table.ids.get(column, set()) if table.usable else None


def _exists(column: str, what: str) -> str:
    return L_("a %(column)s that exists in %(what)s", column=column, what=what)


# What a required table must hold, for the message when it has no rows.
_WHAT = {
    "stations": L_("the stations"),
    "shifts": L_("the shifts"),
    "tasks": L_("the tasks"),
    "staff": L_("the people"),
    "demand": L_("the demand: there is nothing to roster"),
}


def _empty_required(raw: dict[str, RawTable], valid: dict[str, ValidTable]) -> list[InputIssue]:
    """A required table without rows is named once; the tables that refer to it are not checked."""
    out = []
    for name in REQUIRED_TABLES:
        if not len(raw[name]):
            file = raw[name].file
            out.append(
                InputIssue(
                    file,
                    None,
                    None,
                    None,
                    L_("at least one row: %(file)s has no rows (%(what)s)", file=file, what=_WHAT[name]),
                )
            )
            valid[name].usable = False
    return out


@contextmanager
def _no_gc() -> Iterator[None]:
    """Pause the cyclic garbage collector: a big table makes millions of objects and no cycles,
    and the collector would walk them all again and again while they are made."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def load_dataset(source: str | Path) -> Dataset:
    """Read and validate every table of the data contract found at `source`.

    `source` is a folder of CSV files (optionally with workbooks) or an ``.xlsx`` workbook.
    Raises :class:`InputError` listing every problem found, with file, line and column.
    """
    with _no_gc():
        return _load_dataset(Path(source))


def _load_dataset(source: Path) -> Dataset:
    raw = read_tables(source)
    issues: list[InputIssue] = []
    rows = {name: validate_table(name, table, issues) for name, table in raw.items()}
    issues += _empty_required(raw, rows)
    f = {name: table.file for name, table in raw.items()}

    stations = [
        Station(
            r.station_id, r.name or r.station_id, r.district, r.population, r.area_km2, r.aux_quota, r.urban
        )
        for _, r in rows["stations"]
    ]
    _duplicates(
        f["stations"], "station_id", ((ln, r.station_id) for ln, r in rows["stations"]), issues, "station_id"
    )

    shifts = [Shift(r.shift_id, r.start, r.hours, r.rest_after) for _, r in rows["shifts"]]
    _duplicates(f["shifts"], "shift_id", ((ln, r.shift_id) for ln, r in rows["shifts"]), issues, "shift_id")

    tasks = _tasks(f["tasks"], rows["tasks"], issues)
    refs = _Refs.of(rows, f, issues)

    staff = []
    for line, r in rows["staff"]:
        refs.unknown(f["staff"], "station_id", line, r.station_id)
        staff.append(
            Person(
                r.person_id,
                r.name or r.person_id,
                r.station_id,
                r.role,
                r.grade,
                r.skills,
                r.hours_per_week,
                r.pre_job_trained,
                r.training_valid_until,
                r.disqualified,
            )
        )
    _duplicates(f["staff"], "person_id", ((ln, r.person_id) for ln, r in rows["staff"]), issues, "person_id")

    demand, demand_dates = _demand(f["demand"], rows["demand"], refs)

    absences = []
    for line, r in rows["absences"]:
        refs.unknown(f["absences"], "person_id", line, r.person_id)
        if r.date_to < r.date_from:
            issues.append(
                InputIssue(
                    f["absences"],
                    line,
                    "date_to",
                    r.date_to.isoformat(),
                    L_("a date on or after date_from %(first)s", first=r.date_from),
                )
            )
        absences.append(Absence(r.person_id, r.date_from, r.date_to, r.kind))

    requests = []
    for line, r in rows["requests"]:
        refs.unknown(f["requests"], "person_id", line, r.person_id)
        if r.shift_id:
            refs.unknown(f["requests"], "shift_id", line, r.shift_id)
        requests.append(Request(r.person_id, r.date, r.want == "on", r.shift_id or None, r.weight))

    pins = _pins(f["pins"], rows["pins"], refs)

    history, warnings = [], []
    history_dates: dict[dt.date, int] = {}
    for line, r in rows["history"]:
        if refs.unknown(f["history"], "shift_id", line, r.shift_id):
            continue
        if (person_ids := refs.known["person_id"]) is not None and r.person_id not in person_ids:
            warnings.append(
                L_(
                    "%(file)s line %(line)s: person %(person)s is no longer on the staff; row ignored",
                    file=f["history"],
                    line=line,
                    person=r.person_id,
                )
            )
            continue
        history_dates.setdefault(r.date, line)
        history.append(_assignment(r))

    calendar = _calendar(f["holidays"], rows["holidays"], issues)

    if issues:
        raise InputError(issues)
    return Dataset(
        stations=tuple(stations),
        shifts=tuple(shifts),
        tasks=tuple(tasks),
        staff=tuple(staff),
        demand=tuple(demand),
        absences=tuple(absences),
        requests=tuple(requests),
        history=tuple(history),
        calendar=calendar,
        source=str(source),
        extras={
            "warnings": warnings,
            "date_lines": {
                "demand": (f["demand"], demand_dates),
                "history": (f["history"], history_dates),
            },
        },
        pins=tuple(pins),
    )


def _pins(file: str, rows: ValidTable, refs: _Refs) -> list[Pin]:
    """Pins with known ids; whether the law allows them is checked against a horizon (allocate.pins)."""
    pins = []
    for line, r in rows:
        bad = refs.unknown(file, "person_id", line, r.person_id)
        if r.shift_id:
            bad |= refs.unknown(file, "shift_id", line, r.shift_id)
        if r.task_id:
            bad |= refs.unknown(file, "task_id", line, r.task_id)
        if not bad:
            pins.append(
                Pin(r.person_id, r.date, r.pin == "on", r.shift_id or None, r.task_id or None, file, line)
            )
    return pins


def _tasks(file: str, rows: ValidTable, issues: list[InputIssue]) -> list[Task]:
    """Tasks with parsed crews; the duty class constrains which crews are lawful (rules 1-3)."""
    tasks = []
    for line, r in rows:

        def bad(expected: str, line: int = line, crews: str = r.crews) -> None:
            issues.append(InputIssue(file, line, "crews", crews, expected))

        try:
            crews = parse_crews(r.crews)
        except ValueError as exc:
            bad(L_("crews like 1S+2A|2S (%(why)s)", why=exc.args[0] if exc.args else str(exc)))
            continue
        if len(crews) > MAX_ALTERNATIVES or any(c.sworn + c.aux > MAX_CREW_SIZE for c in crews):
            bad(
                L_(
                    "at most %(n)s alternatives of at most %(size)s people each",
                    n=MAX_ALTERNATIVES,
                    size=MAX_CREW_SIZE,
                )
            )
            continue
        if r.duty_class == "police_only" and any(c.aux for c in crews):
            bad(L_("only S slots for a police_only task (sworn-only duty, rule 1)"))
        if r.duty_class == "led" and any(c.sworn == 0 for c in crews):
            bad(L_("at least one S in every crew of a led task (rule 2)"))
        tasks.append(
            Task(
                r.task_id,
                r.name or r.task_id,
                r.duty_class,
                crews,
                r.skill or None,
                r.priority,
                r.incident_types,
            )
        )
    _duplicates(file, "task_id", ((ln, r.task_id) for ln, r in rows), issues, "task_id")
    return tasks


def _calendar(file: str, rows: ValidTable, issues: list[InputIssue]) -> Calendar:
    """The default Chinese calendar, overridden and extended by `holidays.csv` (one row per date).

    A `workday` row on a weekend day is an adjusted working day; on a weekday it cancels a
    default holiday (the date is an ordinary working day).
    """
    _duplicates(file, "date", ((ln, r.date) for ln, r in rows), issues, "date")
    days = tuple(CalendarDay(r.date, r.name or r.kind, r.kind) for _, r in rows)
    return Calendar(days)


def _demand(file: str, rows: ValidTable, refs: _Refs) -> tuple[list[DemandRow], dict[dt.date, int]]:
    """Demand rows, and the first line of each date (to name it when it is outside a horizon).

    Checked column-wise on the distinct values (a demand table may have a million rows).
    """
    issues = refs.issues
    if not len(rows):
        return [], {}
    ok = ~_demand_repeats(rows, file, issues)
    given = {c: np.array([v is not None for v in rows.values[c]])[rows.codes[c]] for c in ("date", "weekday")}
    for got, hit in (
        ("both", given["date"] & given["weekday"]),
        ("neither", ~given["date"] & ~given["weekday"]),
    ):
        report(issues, file, "date/weekday", rows.lines, hit & ok, lambda i, g=got: g, lambda i: _ONE_DAY)
        ok &= ~hit
    for column in ("station_id", "shift_id", "task_id"):
        known = refs.known[column]
        if known is None:
            continue
        codes, values = rows.codes[column], rows.values[column]
        unknown = np.array([v not in known for v in values], dtype=bool)
        if unknown.any():
            hit = unknown[codes]
            expected = _exists(column, refs.where(column))
            report(
                issues,
                file,
                column,
                rows.lines,
                hit & ok,
                lambda i, c=codes, v=values: v[c[i]],
                lambda i, e=expected: e,
            )
            ok &= ~hit
    fields = ("station_id", "shift_id", "task_id", "crews", "date", "weekday")
    good = np.nonzero(ok)[0]
    demand: list[DemandRow] = []
    for start in range(0, len(good), ValidTable.CHUNK):  # a chunk at a time: no column as a list
        part = good[start : start + ValidTable.CHUNK]
        demand += map(DemandRow, *(rows.values[c][rows.codes[c][part]].tolist() for c in fields))
    date_codes = rows.codes["date"][ok]
    firsts, index = np.unique(date_codes, return_index=True)
    lines = rows.lines[ok][index].tolist()
    dates = {rows.values["date"][c]: line for c, line in zip(firsts.tolist(), lines, strict=True)}
    dates.pop(None, None)
    return demand, dates


_ONE_DAY = L_("exactly one of date or weekday")
_DEMAND_KEY = ("station_id", "date", "weekday", "shift_id", "task_id")


def _demand_repeats(rows: ValidTable, file: str, issues: list[InputIssue]) -> np.ndarray:
    """Rows that repeat an earlier row's station, day, shift and task (found on integer codes)."""
    keys = rows.key_codes(_DEMAND_KEY)
    unique, first_index = np.unique(keys, return_index=True)
    repeated = np.ones(len(keys), dtype=bool)
    repeated[first_index] = False
    if repeated.any():
        first_line = dict(zip(unique.tolist(), rows.lines[first_index].tolist(), strict=True))
        crews = rows.values["crews"][rows.codes["crews"]]
        for i in np.nonzero(repeated)[0][:MAX_ISSUES_PER_COLUMN].tolist():
            issues.append(
                InputIssue(
                    file,
                    int(rows.lines[i]),
                    "crews",
                    crews[i],
                    L_(
                        "one row per station, day, shift and task (same as line %(line)s)",
                        line=first_line[int(keys[i])],
                    ),
                )
            )
        extra = int(repeated.sum()) - MAX_ISSUES_PER_COLUMN
        if extra > 0:
            issues.append(
                InputIssue(
                    file,
                    None,
                    "crews",
                    None,
                    L_(
                        "one row per station, day, shift and task (%(n)s more repeated rows, not listed)",
                        n=extra,
                    ),
                )
            )
    return repeated


def check_horizon(dataset: Dataset, horizon: Horizon) -> None:
    """Dated demand must fall inside the horizon, history before it: anything else is a typo.

    A demand date outside the horizon would be ignored, and so would history on or after its
    first day (the roster replaces it): both are errors naming the date and its first line.
    """
    lines = dataset.extras.get("date_lines", {})
    demand_file, demand_lines = lines.get("demand", ("demand.csv", {}))
    history_file, history_lines = lines.get("history", ("history.csv", {}))
    outside = (
        (
            demand_file,
            demand_lines,
            {d.date for d in dataset.demand if d.date is not None and d.date not in horizon},
            L_("a date within the horizon %(first)s .. %(last)s", first=horizon.start, last=horizon.end),
        ),
        (
            history_file,
            history_lines,
            {a.date for a in dataset.history if a.date >= horizon.start},
            L_(
                "a date before the horizon's first day %(first)s (history is the roster worked before it)",
                first=horizon.start,
            ),
        ),
    )
    issues = [
        InputIssue(file, lines.get(day), "date", day.isoformat(), expected)
        for file, lines, days, expected in outside
        for day in sorted(days)
    ]
    if issues:
        raise InputError(issues)


def load_roster(path: str | Path) -> tuple[Assignment, ...]:
    """A roster file (output format), e.g. a published roster to stay close to when re-planning."""
    from allocate.io.tables import read_csv

    table = read_csv(Path(path))
    issues: list[InputIssue] = []
    rows = validate_table("history", table, issues)
    if issues:
        raise InputError(issues)
    return tuple(_assignment(r) for _, r in rows)
