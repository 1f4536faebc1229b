"""Load a dataset: raw tables -> validated rows -> cross-table checks -> a :class:`Dataset`.

All problems of all tables are collected and raised together as one :class:`InputError`, so a
planner fixes a spreadsheet in one pass instead of one error per run.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from pydantic import TypeAdapter, ValidationError

from allocate.crews import parse_crews
from allocate.domain import (
    Absence,
    Assignment,
    Calendar,
    CalendarDay,
    Dataset,
    DemandRow,
    Horizon,
    Person,
    Request,
    Shift,
    Station,
    Task,
)
from allocate.io.errors import InputError, InputIssue, issues_from_pydantic
from allocate.io.schemas import REQUIRED_COLUMNS, SCHEMAS, Row
from allocate.io.tables import RawTable, read_tables


def _validate_rows(name: str, table: RawTable, issues: list[InputIssue]) -> list[tuple[int, Row]]:
    """Validate a table in one call; returns (line, row) for the rows that passed."""
    missing = [c for c in REQUIRED_COLUMNS[name] if c not in table.columns]
    if name == "demand" and table.rows and not {"date", "weekday"} & set(table.columns):
        missing.append("date or weekday")
    if missing and table.rows:
        issues += [InputIssue(table.file, 1, col, None, "this column in the header") for col in missing]
        return []
    payload = [{k: v for k, v in row.items() if v != ""} for row in table.rows]
    line_of = dict(enumerate(table.lines))
    adapter = TypeAdapter(list[SCHEMAS[name]])  # type: ignore[valid-type]
    try:
        rows = adapter.validate_python(payload)
        return list(zip(table.lines, rows, strict=True))
    except ValidationError as exc:
        issues += issues_from_pydantic(exc, table.file, line_of)
        bad = {err["loc"][0] for err in exc.errors()}
        good = []
        model = SCHEMAS[name]
        for i, raw in enumerate(payload):
            if i not in bad:
                good.append((table.lines[i], model.model_validate(raw)))
        return good


def _duplicates(
    file: str, column: str, items: Iterable[tuple[int, object]], issues: list[InputIssue], what: str
) -> None:
    seen: dict[object, int] = {}
    for line, key in items:
        if key in seen:
            issues.append(
                InputIssue(file, line, column, key, f"a unique {what} (already on line {seen[key]})")
            )
        else:
            seen[key] = line


def _unknown(
    file: str, column: str, line: int, value: str, known: dict | set, what: str, issues: list[InputIssue]
) -> bool:
    if value in known:
        return False
    issues.append(InputIssue(file, line, column, value, f"a {column} that exists in {what}"))
    return True


def _assignment(r: Row) -> Assignment:
    """A roster row (history or published roster) as a domain object."""
    return Assignment(
        r.date, r.station_id, r.shift_id, r.task_id, r.crew_id, r.person_id, r.role, r.slot, r.lead_id
    )


def _raw_ids(table: RawTable, column: str) -> set[str]:
    return {row[column] for row in table.rows if row.get(column)}


def load_dataset(source: str | Path) -> Dataset:
    """Read and validate every table of the data contract found at `source`.

    `source` is a folder of CSV files (optionally with workbooks) or an ``.xlsx`` workbook.
    Raises :class:`InputError` listing every problem found, with file, line and column.
    """
    source = Path(source)
    raw = read_tables(source)
    issues: list[InputIssue] = []
    rows = {name: _validate_rows(name, table, issues) for name, table in raw.items()}
    f = {name: table.file for name, table in raw.items()}

    stations = [
        Station(r.station_id, r.name or r.station_id, r.district, r.population, r.area_km2, r.aux_quota)
        for _, r in rows["stations"]
    ]
    _duplicates(
        f["stations"], "station_id", ((ln, r.station_id) for ln, r in rows["stations"]), issues, "station_id"
    )

    shifts = [Shift(r.shift_id, r.start, r.hours, r.rest_after) for _, r in rows["shifts"]]
    _duplicates(f["shifts"], "shift_id", ((ln, r.shift_id) for ln, r in rows["shifts"]), issues, "shift_id")

    tasks = _tasks(f["tasks"], rows["tasks"], issues)
    # Ids are known from the raw tables, so a row that failed validation does not also make
    # every reference to it an "unknown id" error: one mistake, one message.
    station_ids = _raw_ids(raw["stations"], "station_id")
    shift_ids = _raw_ids(raw["shifts"], "shift_id")
    task_ids = _raw_ids(raw["tasks"], "task_id")

    staff = []
    for line, r in rows["staff"]:
        _unknown(f["staff"], "station_id", line, r.station_id, station_ids, "stations.csv", issues)
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
    person_ids = _raw_ids(raw["staff"], "person_id")

    demand = _demand(f["demand"], rows["demand"], station_ids, shift_ids, task_ids, issues)

    absences = []
    for line, r in rows["absences"]:
        _unknown(f["absences"], "person_id", line, r.person_id, person_ids, "staff.csv", issues)
        if r.date_to < r.date_from:
            issues.append(
                InputIssue(
                    f["absences"],
                    line,
                    "date_to",
                    r.date_to.isoformat(),
                    f"a date on or after date_from {r.date_from}",
                )
            )
        absences.append(Absence(r.person_id, r.date_from, r.date_to, r.kind))

    requests = []
    for line, r in rows["requests"]:
        _unknown(f["requests"], "person_id", line, r.person_id, person_ids, "staff.csv", issues)
        if r.shift_id:
            _unknown(f["requests"], "shift_id", line, r.shift_id, shift_ids, "shifts.csv", issues)
        requests.append(Request(r.person_id, r.date, r.want == "on", r.shift_id or None, r.weight))

    history, warnings = [], []
    for line, r in rows["history"]:
        if _unknown(f["history"], "shift_id", line, r.shift_id, shift_ids, "shifts.csv", issues):
            continue
        if r.person_id not in person_ids:
            warnings.append(
                f"{f['history']} line {line}: person {r.person_id} is no longer on the staff; row ignored"
            )
            continue
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
        extras={"warnings": warnings},
    )


def _tasks(file: str, rows: list[tuple[int, Row]], issues: list[InputIssue]) -> list[Task]:
    """Tasks with parsed crews; the duty class constrains which crews are lawful (rules 1-3)."""
    tasks = []
    for line, r in rows:
        try:
            crews = parse_crews(r.crews)
        except ValueError as exc:
            issues.append(InputIssue(file, line, "crews", r.crews, f"crews like 1S+2A|2S ({exc})"))
            continue
        if r.duty_class == "police_only" and any(c.aux for c in crews):
            issues.append(
                InputIssue(
                    file,
                    line,
                    "crews",
                    r.crews,
                    "only S slots for a police_only task (sworn-only duty, rule 1)",
                )
            )
        if r.duty_class == "led" and any(c.sworn == 0 for c in crews):
            issues.append(
                InputIssue(
                    file, line, "crews", r.crews, "at least one S in every crew of a led task (rule 2)"
                )
            )
        tasks.append(Task(r.task_id, r.name or r.task_id, r.duty_class, crews, r.skill or None, r.priority))
    _duplicates(file, "task_id", ((ln, r.task_id) for ln, r in rows), issues, "task_id")
    return tasks


def _calendar(file: str, rows: list[tuple[int, Row]], issues: list[InputIssue]) -> Calendar:
    """The default Chinese calendar, overridden and extended by `holidays.csv` (one row per date).

    A `workday` row on a weekend day is an adjusted working day; on a weekday it cancels a
    default holiday (the date is an ordinary working day).
    """
    _duplicates(file, "date", ((ln, r.date) for ln, r in rows), issues, "date")
    days = tuple(CalendarDay(r.date, r.name or r.kind, r.kind) for _, r in rows)
    return Calendar(days)


def _demand(
    file: str,
    rows: list[tuple[int, Row]],
    station_ids: set[str],
    shift_ids: set[str],
    task_ids: set[str],
    issues: list[InputIssue],
) -> list[DemandRow]:
    demand = []
    seen: dict[tuple, int] = {}
    for line, r in rows:
        if (r.date is None) == (r.weekday is None):
            got = "both" if r.date is not None else "neither"
            issues.append(InputIssue(file, line, "date/weekday", got, "exactly one of date or weekday"))
            continue
        bad = _unknown(file, "station_id", line, r.station_id, station_ids, "stations.csv", issues)
        bad |= _unknown(file, "shift_id", line, r.shift_id, shift_ids, "shifts.csv", issues)
        bad |= _unknown(file, "task_id", line, r.task_id, task_ids, "tasks.csv", issues)
        key = (r.station_id, r.date, r.weekday, r.shift_id, r.task_id)
        if key in seen:
            issues.append(
                InputIssue(
                    file,
                    line,
                    "crews",
                    r.crews,
                    f"one row per station, day, shift and task (same as line {seen[key]})",
                )
            )
        seen.setdefault(key, line)
        if not bad:
            demand.append(DemandRow(r.station_id, r.shift_id, r.task_id, r.crews, r.date, r.weekday))
    return demand


def check_horizon(dataset: Dataset, horizon: Horizon) -> None:
    """Dated demand must fall inside the horizon: a date outside it is almost always a typo."""
    outside = sorted({d.date for d in dataset.demand if d.date is not None and d.date not in horizon})
    if outside:
        raise InputError(
            [
                InputIssue(
                    "demand.csv",
                    None,
                    "date",
                    day.isoformat(),
                    f"a date within the horizon {horizon.start} .. {horizon.end}",
                )
                for day in outside
            ]
        )


def load_roster(path: str | Path) -> tuple[Assignment, ...]:
    """A roster file (output format), e.g. a published roster to stay close to when re-planning."""
    from allocate.io.tables import read_csv

    table = read_csv(Path(path))
    issues: list[InputIssue] = []
    rows = _validate_rows("history", table, issues)
    if issues:
        raise InputError(issues)
    return tuple(_assignment(r) for _, r in rows)
