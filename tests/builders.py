"""Tiny hand-checkable datasets built in code, for tests whose optimum is known by hand."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from allocate.crew_patterns import parse_crews
from allocate.domain import (
    Absence,
    Assignment,
    Dataset,
    DemandRow,
    Horizon,
    Person,
    Request,
    Shift,
    Station,
    Task,
)

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping
    from pathlib import Path

MONDAY = dt.date(2026, 12, 7)
WEEK = Horizon(MONDAY, 7)

SHIFTS = (
    Shift("day", 8 * 60, 8),
    Shift("evening", 16 * 60, 8),
    Shift("night", 0, 8),
    Shift("duty24", 8 * 60, 24, rest_after=24),
)

TASKS = (
    Task("case", "Case handling", "police_only", parse_crews("2S"), priority=5),
    Task("resp", "110 response", "led", parse_crews("1S+2A|2S"), priority=4),
    Task("patrol", "Patrol", "independent", parse_crews("2A|1S+1A"), priority=2),
    Task("window", "Reception window", "support", parse_crews("1A"), priority=1),
    Task("traffic", "Traffic post", "led", parse_crews("1S+1A"), skill="traffic", priority=3),
    Task("desk", "Duty desk", "police_only", parse_crews("1S"), priority=3),
)


def person(pid: str, role: str = "sworn", station: str = "S1", **kw) -> Person:
    return Person(pid, pid, station, role, **kw)


def day(offset: int) -> dt.date:
    return MONDAY + dt.timedelta(days=offset)


def need(task: str, offset: int = 0, shift: str = "day", crews: int = 1, station: str = "S1") -> DemandRow:
    return DemandRow(station, shift, task, crews, date=day(offset))


def dataset(
    staff: list[Person],
    demand: list[DemandRow],
    *,
    stations: tuple[Station, ...] = (Station("S1", "One", "D1", 10_000), Station("S2", "Two", "D1", 10_000)),
    absences: tuple[Absence, ...] = (),
    requests: tuple[Request, ...] = (),
    history: tuple[Assignment, ...] = (),
) -> Dataset:
    return Dataset(
        stations=stations,
        shifts=SHIFTS,
        tasks=TASKS,
        staff=tuple(staff),
        demand=tuple(demand),
        absences=absences,
        requests=requests,
        history=history,
        source="builders",
    )


def worked(pid: str, offset: int, shift: str, station: str = "S1") -> Assignment:
    """A history row: `pid` worked `shift` on MONDAY + offset (negative: last week)."""
    return Assignment(day(offset), station, shift, "case", f"h{pid}{offset}", pid, "sworn", "S", pid)


def csv_workbook(
    folder: Path,
    path: Path,
    cell: Callable[[str, str], object] | None = None,
    extra: Mapping[str, object] | None = None,
) -> Path:
    """The required CSV tables of `folder` as the sheets of one workbook saved at `path`.

    `cell(column, text)` gives a cell its value (default: the text, an empty one as no value);
    `extra` then sets cells named like ``staff!J2``.
    """
    from openpyxl import Workbook

    from allocate.io.tables import read_csv

    book = Workbook()
    book.remove(book.active)
    for table in ("stations", "shifts", "tasks", "staff", "demand"):
        raw = read_csv(folder / f"{table}.csv")
        ws = book.create_sheet(table)
        ws.append(list(raw.columns))
        for row in raw.rows:
            values = [cell(c, row[c]) if cell else row[c] for c in raw.columns]
            ws.append([None if v == "" else v for v in values])
    for where, value in (extra or {}).items():
        sheet, at = where.split("!")
        book[sheet][at] = value
    book.save(path)
    return path


def traffic_shortage(officers: int = 2, extra_demand: tuple[DemandRow, ...] = ()) -> Dataset:
    """Two Monday traffic crews (1S+1A, every member holding the skill) and three traffic holders
    (two officers, one auxiliary): one crew is short whatever the roster. `officers` more officers
    and three more auxiliaries hold no skill."""
    traffic = frozenset({"traffic"})
    staff = [
        person("T1", skills=traffic),
        person("T2", skills=traffic),
        person("A1", "aux_service", skills=traffic),
    ]
    staff += [person(f"S{k + 1}") for k in range(officers)]
    staff += [person(f"B{k}", "aux_service") for k in range(3)]
    return dataset(staff, [need("traffic", 0, crews=2), *extra_demand])
