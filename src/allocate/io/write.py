"""Write a dataset as the data contract's CSV tables: what :func:`allocate.io.load.load_dataset` reads back.

Every value is written in the contract's own format (ISO dates, ``HH:MM``, ``true/false``,
``;``-separated lists, crews as ``1S+2A|2S``), rows in the dataset's order and columns in the
contract's order, so the same dataset always gives the same bytes and loading the folder gives the
same tables back. Used to export a what-if, to hand a generated dataset to a planner and in tests.
"""

from __future__ import annotations

import csv
import datetime as dt
import os
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

from allocate.contract import EXTRA_COLUMNS, TABLE_COLUMNS
from allocate.domain import (
    HOLIDAY,
    WEEKDAYS,
    Absence,
    Assignment,
    Dataset,
    DemandRow,
    Person,
    Pin,
    Request,
    Shift,
    Station,
    Task,
)

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Sequence

OPTIONAL_TABLES = ("absences", "requests", "history", "holidays", "pins")


def _text(value: object) -> str:
    """A cell in the contract's format; empty for None."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def _names(values: Iterable[str], what: str, *, ordered: bool = False) -> str:
    """A `;`-separated list, sorted unless `ordered`; a name holding a separator could not be read back."""
    names = list(values) if ordered else sorted(values)
    for name in names:
        if ";" in name or "," in name or name != name.strip():
            raise ValueError(f"{what} {name!r} cannot be written as a ;-separated list item")
    return ";".join(names)


def _weekday(index: int | None) -> str:
    if index is None:
        return ""
    return "Hol" if index == HOLIDAY else WEEKDAYS[index]


def _station(s: Station) -> tuple:
    return (s.station_id, s.name, s.district, s.population, s.area_km2, s.aux_quota, s.urban)


def _shift(s: Shift) -> tuple:
    return (s.shift_id, s.start_text, s.hours, s.rest_after)


def _task(t: Task) -> tuple:
    types = _names(t.incident_types, f"incident type of {t.task_id}", ordered=True)
    return (t.task_id, t.name, t.duty_class, t.crews_text, t.skill, t.priority, types)


def _person(p: Person) -> tuple:
    return (
        p.person_id,
        p.name,
        p.station_id,
        p.role,
        p.grade,
        _names(p.skills, f"skill of {p.person_id}"),
        p.hours_per_week,
        p.pre_job_trained,
        p.training_valid_until,
        p.disqualified,
    )


def _demand(d: DemandRow) -> tuple:
    return (d.station_id, d.date, _weekday(d.weekday), d.shift_id, d.task_id, d.crews)


def _absence(a: Absence) -> tuple:
    return (a.person_id, a.date_from, a.date_to, a.kind)


def _request(r: Request) -> tuple:
    return (r.person_id, r.date, r.shift_id, "on" if r.want_on else "off", r.weight)


def _assignment(a: Assignment) -> tuple:
    return (a.date, a.station_id, a.shift_id, a.task_id, a.crew_id, a.person_id, a.role, a.slot, a.lead_id)


def _pin(p: Pin) -> tuple:
    return (p.person_id, p.date, p.shift_id, p.task_id, "on" if p.on else "off")


# table -> (row function, the dataset's rows); the columns come from the contract
_ROWS: dict[str, tuple[Callable[[object], tuple], Callable[[Dataset], Sequence]]] = {
    "stations": (_station, lambda ds: ds.stations),
    "shifts": (_shift, lambda ds: ds.shifts),
    "tasks": (_task, lambda ds: ds.tasks),
    "staff": (_person, lambda ds: ds.staff),
    "demand": (_demand, lambda ds: ds.demand),
    "absences": (_absence, lambda ds: ds.absences),
    "requests": (_request, lambda ds: ds.requests),
    "history": (_assignment, lambda ds: ds.history),
    "holidays": (lambda d: (d.date, d.name, d.kind), lambda ds: ds.calendar.overrides),
    "pins": (_pin, lambda ds: ds.pins),
}
TABLES = {
    name: ((*TABLE_COLUMNS[name], *EXTRA_COLUMNS.get(name, ())), row, rows)
    for name, (row, rows) in _ROWS.items()
}
SPARSE_COLUMNS = {name: frozenset(columns) for name, columns in EXTRA_COLUMNS.items()} | {
    "demand": frozenset({"date", "weekday"})
}
"""Columns written only when some row fills them: the extra ones, and the demand form not used
(a weekly pattern has no `date` column), so a dataset read from such a table is written as it was."""


def _filled(name: str, columns: tuple[str, ...], rows: list[list[str]]) -> list[int]:
    """Indexes of the columns to write: all but the sparse ones that no row fills (all for no rows)."""
    sparse = SPARSE_COLUMNS.get(name, frozenset()) if rows else frozenset()
    return [i for i, c in enumerate(columns) if c not in sparse or any(row[i] for row in rows)]


def _write_csv(path: Path, name: str, columns: tuple[str, ...], rows: Iterable[tuple]) -> None:
    """Write table `name` atomically: a reader never sees a half-written file."""
    texts = [[_text(v) for v in row] for row in rows]
    keep = _filled(name, columns, texts)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.stem}-", suffix=".csv", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle, lineterminator="\n")
            writer.writerow([columns[i] for i in keep])
            writer.writerows([row[i] for i in keep] for row in texts)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_dataset(dataset: Dataset, folder: Path | str) -> Path:
    """Write `dataset` into `folder` as the data contract's CSV files and return the folder.

    The required tables are always written; the optional ones only when they have rows (a stale
    CSV of such a table left in the folder is removed), and the columns of :data:`SPARSE_COLUMNS`
    only when a row fills them, so that the folder loads back as exactly this dataset. Other files
    in the folder are left alone.
    """
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    for name, (columns, row, rows_of) in TABLES.items():
        rows = rows_of(dataset)
        path = folder / f"{name}.csv"
        if name in OPTIONAL_TABLES and not rows:
            path.unlink(missing_ok=True)
            continue
        _write_csv(path, name, columns, (row(r) for r in rows))
    return folder
