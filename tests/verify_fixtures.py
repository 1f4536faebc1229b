"""A small, hand-checked lawful roster for the verifier's tests, and helpers to break it.

One station S01 (district D1) plays a week from Monday 2026-12-07; S02 (same district) and S03
(another district) only lend people. Every crew, post and coverage row below was worked out by
hand, so the verifier is tested against a person's reading of the rules, not against itself.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass

import pandas as pd

from allocate.domain import (
    Assignment,
    CrewPattern,
    Dataset,
    DemandRow,
    Horizon,
    Person,
    Shift,
    Station,
    Task,
)
from allocate.policy import Policy

MONDAY = dt.date(2026, 12, 7)
WEEK = Horizon(MONDAY, 7)
LAPSED = dt.date(2026, 11, 30)


def day(offset: int) -> str:
    """The ISO date `offset` days after Monday 2026-12-07 (negative: last week)."""
    return (MONDAY + dt.timedelta(days=offset)).isoformat()


STATIONS = (
    Station("S01", "Riverside", "D1", 52_000),
    Station("S02", "Hillside", "D1", 31_000),
    Station("S03", "Lakeside", "D2", 18_000),
)

SHIFTS = (
    Shift("morning", 7 * 60, 8),
    Shift("evening", 15 * 60, 8),
    Shift("night", 23 * 60, 8),
    Shift("day12", 7 * 60, 12),
    Shift("duty24", 8 * 60, 24, rest_after=24),
)

TASKS = (
    Task("intake", "Case intake", "led", (CrewPattern(1, 1),)),
    Task("patrol", "Street patrol", "independent", (CrewPattern(1, 1), CrewPattern(0, 2))),
    Task("investigate", "Investigation", "police_only", (CrewPattern(2, 0),)),
    Task("traffic", "Traffic post", "led", (CrewPattern(1, 1),), skill="traffic"),
    Task("reception", "Reception window", "support", (CrewPattern(0, 1),)),
    Task("records", "Household records", "support", (CrewPattern(0, 1),)),
)


def _person(pid: str, role: str, station: str = "S01", **kw: object) -> Person:
    return Person(pid, f"Name of {pid}", station, role, **kw)  # type: ignore[arg-type]


STAFF = (
    _person("P1", "sworn", skills=frozenset({"traffic"})),
    _person("P2", "sworn"),
    _person("P3", "sworn"),
    _person("P4", "sworn"),
    _person("A1", "aux_service", skills=frozenset({"traffic"}), training_valid_until=dt.date(2027, 6, 30)),
    _person("A2", "aux_service"),
    _person("A3", "aux_service", training_valid_until=LAPSED),  # lapsed: support posts only
    _person("A4", "aux_service", disqualified=True),
    _person("A5", "aux_service", pre_job_trained=False),
    _person("A6", "aux_service"),
    _person("A7", "aux_service"),
    _person("A8", "aux_service", training_valid_until=LAPSED),
    _person("C1", "aux_civilian"),
    _person("C2", "aux_civilian"),
    _person("P9", "sworn", "S02"),
    _person("A9", "aux_service", "S02"),
    _person("A10", "aux_service", "S03"),
)
ROLE = {p.person_id: p.role for p in STAFF}


def _dated(shift: str, task: str, offset: int, crews: int = 1) -> DemandRow:
    return DemandRow("S01", shift, task, crews, date=MONDAY + dt.timedelta(days=offset))


def _weekly(shift: str, task: str, weekday: int, crews: int = 1) -> DemandRow:
    return DemandRow("S01", shift, task, crews, weekday=weekday)


DEMAND = (
    _weekly("morning", "reception", 0, crews=2),  # overridden by the dated row below
    _dated("morning", "reception", 0),
    _dated("evening", "reception", 0),
    _dated("morning", "intake", 0),
    _dated("evening", "patrol", 0),
    _weekly("evening", "patrol", 5),  # Saturday: left short on purpose (a soft goal)
    _dated("morning", "investigate", 1),
    _dated("morning", "traffic", 2),
    _dated("duty24", "reception", 3),
    *(_weekly("night", "reception", wd) for wd in range(5)),
    _weekly("night", "reception", 6, crews=0),  # Sunday: 0 crews make no post
    *(_weekly("day12", "records", wd) for wd in range(5)),
    _dated("morning", "intake", 13),  # outside the horizon: ignored
)

HISTORY = (Assignment(dt.date(2026, 12, 6), "S01", "morning", "intake", "H01", "P3", "sworn", "S", "P3"),)

# (day offset, shift, task, crew, [(person, slot), ...], lead)
CREWS: tuple[tuple[int, str, str, str, list[tuple[str, str]], str], ...] = (
    (0, "morning", "intake", "K01", [("P3", "S"), ("A1", "A")], "P3"),
    (0, "morning", "reception", "K02", [("C1", "A")], ""),
    (0, "evening", "patrol", "K03", [("A6", "A"), ("A7", "A")], "P4"),  # commanded by P4 on duty
    (0, "evening", "reception", "K04", [("P4", "A")], "P4"),
    (1, "morning", "investigate", "K05", [("P1", "S"), ("P2", "S")], "P1"),
    (2, "morning", "traffic", "K06", [("P1", "S"), ("A1", "A")], "P1"),
    (3, "duty24", "reception", "K07", [("P2", "A")], "P2"),
    *((d, "night", "reception", f"K1{d}", [("A3", "A")], "") for d in range(4)),  # 4 nights, the cap
    (4, "night", "reception", "K14", [("C1", "A")], ""),
    *((d, "day12", "records", f"K2{d}", [("A2", "A")], "") for d in range(4)),  # 48 h: within 40 + 9
    (4, "day12", "records", "K24", [("C2", "A")], ""),
)

# (day offset, shift, task, required, staffed)
COVERAGE = (
    (0, "morning", "intake", 1, 1),
    (0, "morning", "reception", 1, 1),
    (0, "evening", "patrol", 1, 1),
    (0, "evening", "reception", 1, 1),
    (1, "morning", "investigate", 1, 1),
    (2, "morning", "traffic", 1, 1),
    (3, "duty24", "reception", 1, 1),
    *((d, "night", "reception", 1, 1) for d in range(5)),
    *((d, "day12", "records", 1, 1) for d in range(5)),
    (5, "evening", "patrol", 1, 0),
)


def crew_rows(
    offset: int, shift: str, task: str, crew: str, members: list[tuple[str, str]], lead: str
) -> list[dict[str, object]]:
    """The roster rows of one crew of station S01: one per member, with the member's role."""
    where = {"date": day(offset), "station_id": "S01", "shift_id": shift, "task_id": task, "crew_id": crew}
    return [
        {**where, "person_id": pid, "role": ROLE[pid], "slot": slot, "lead_id": lead} for pid, slot in members
    ]


def roster_frame() -> pd.DataFrame:
    return pd.DataFrame.from_records([row for crew in CREWS for row in crew_rows(*crew)])


def coverage_frame() -> pd.DataFrame:
    records = [
        {
            "date": day(offset),
            "station_id": "S01",
            "shift_id": shift,
            "task_id": task,
            "crews_required": required,
            "crews_staffed": staffed,
            "shortfall": required - staffed,
        }
        for offset, shift, task, required, staffed in COVERAGE
    ]
    return pd.DataFrame.from_records(records)


@dataclass(frozen=True)
class Case:
    """Input and output of one verification: what a mutation changes."""

    dataset: Dataset
    horizon: Horizon
    policy: Policy
    roster: pd.DataFrame
    coverage: pd.DataFrame

    def replace(self, **changes: object) -> Case:
        return dataclasses.replace(self, **changes)  # type: ignore[arg-type]


def lawful_case() -> Case:
    """A fresh copy of the lawful week (frames are new each call, so mutations never leak)."""
    dataset = Dataset(
        stations=STATIONS,
        shifts=SHIFTS,
        tasks=TASKS,
        staff=STAFF,
        demand=DEMAND,
        history=HISTORY,
        source="verify_fixtures",
    )
    return Case(dataset, WEEK, Policy(), roster_frame(), coverage_frame())


# --- mutations: each returns a new frame ---------------------------------------------------------


def swap_person(roster: pd.DataFrame, crew: str, old: str, new: str) -> pd.DataFrame:
    """Put `new` in `old`'s place in `crew`, with the staff table's role (so roles stay true)."""
    out = roster.copy()
    at = (out["crew_id"] == crew) & (out["person_id"] == old)
    assert at.sum() == 1, f"{old} is not once in {crew}"
    out.loc[at, "person_id"] = new
    out.loc[at, "role"] = ROLE.get(new, "aux_service")
    return out


def set_lead(roster: pd.DataFrame, crew: str, lead: str) -> pd.DataFrame:
    out = roster.copy()
    out.loc[out["crew_id"] == crew, "lead_id"] = lead
    return out


def set_cell(roster: pd.DataFrame, crew: str, person: str, column: str, value: str) -> pd.DataFrame:
    out = roster.copy()
    at = (out["crew_id"] == crew) & (out["person_id"] == person)
    assert at.sum() == 1
    out.loc[at, column] = value
    return out


def add_crew(
    roster: pd.DataFrame,
    offset: int,
    shift: str,
    task: str,
    crew: str,
    members: list[tuple[str, str]],
    lead: str,
) -> pd.DataFrame:
    rows = crew_rows(offset, shift, task, crew, members, lead)
    return pd.concat([roster, pd.DataFrame(rows)], ignore_index=True)


def set_coverage(coverage: pd.DataFrame, offset: int, shift: str, task: str, **values: int) -> pd.DataFrame:
    out = coverage.copy()
    at = (out["date"] == day(offset)) & (out["shift_id"] == shift) & (out["task_id"] == task)
    assert at.sum() == 1
    for column, value in values.items():
        out.loc[at, column] = value
    return out


def history_days(person: str, shift: str, offsets: range) -> tuple[Assignment, ...]:
    """`person` worked `shift` on each day offset (negative: last week) at S01."""
    return tuple(
        Assignment(
            MONDAY + dt.timedelta(days=o),
            "S01",
            shift,
            "intake",
            f"H{person}{o}",
            person,
            ROLE[person],
            "S",
            person,
        )
        for o in offsets
    )
