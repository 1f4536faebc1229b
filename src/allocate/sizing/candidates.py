"""Candidate auxiliaries: people the sizing model may hire, and the representative horizon.

A candidate is a fully trained auxiliary of one kind at one station, holding every skill the
station's tasks ask for (a recruit trained for the posts he is hired to fill), with contract hours
like the station's median auxiliary. Existing auxiliaries are candidates too (kept or not), so the
minimum can also be below the current pool.
"""

from __future__ import annotations

import math
import statistics
from typing import TYPE_CHECKING

from allocate.demand import expand_posts
from allocate.domain import AUX_ROLES, Dataset, DemandRow, Horizon, Person, Post

if TYPE_CHECKING:
    import datetime as dt

KINDS = AUX_ROLES
WEEK = 7  # days: the period of the demand pattern sizing repeats
PREFIX = "NEW"


def repeated_demand(dataset: Dataset, start: dt.date) -> Dataset:
    """Dated demand turned into a weekly pattern, so a 4-week horizon repeats the dated week."""
    rows = []
    for row in dataset.demand:
        if row.date is None:
            rows.append(row)
        elif (row.date - start).days < WEEK:
            rows.append(
                DemandRow(row.station_id, row.shift_id, row.task_id, row.crews, weekday=row.date.weekday())
            )
    return dataset.replace(demand=tuple(rows))


def station_posts(dataset: Dataset, station_id: str, horizon: Horizon) -> list[Post]:
    return [p for p in expand_posts(dataset, horizon) if p.station_id == station_id]


def upper_bound(dataset: Dataset, posts: list[Post], kind: str, station_id: str) -> int:
    """Candidates of `kind` to add to the current pool: enough to fill every A slot they may fill.

    Per day a person starts one shift and works at most 6 days in 7: the busiest day's A slots
    times 7/6, plus a margin for rest and hours, bounds the need; the current pool counts against
    it. The sizing checks the bound was not binding (all candidates hired) and doubles it if it was.
    """
    per_day: dict[dt.date, int] = {}
    for p in posts:
        task = dataset.task_by_id[p.task_id]
        if kind == "aux_civilian" and task.duty_class != "support":
            continue
        if task.duty_class == "police_only":
            continue
        slots = p.crews_required * max(c.aux for c in task.crews)
        per_day[p.date] = per_day.get(p.date, 0) + slots
    busiest = max(per_day.values(), default=0)
    if not busiest:
        return 0
    current = sum(1 for p in dataset.staff if p.station_id == station_id and p.role == kind)
    return max(2, math.ceil(busiest * 7 / 6 * 1.25) + 2 - current)


def make_candidates(
    dataset: Dataset, station_id: str, kind: str, count: int, posts: list[Post]
) -> list[Person]:
    skills = frozenset(
        dataset.task_by_id[t].skill for t in {p.task_id for p in posts} if dataset.task_by_id[t].skill
    )
    hours = [p.hours_per_week for p in dataset.staff if p.station_id == station_id and not p.is_sworn]
    contract = statistics.median(hours) if hours else 40.0
    tag = "SVC" if kind == "aux_service" else "CIV"
    return [
        Person(
            f"{PREFIX}-{station_id}-{tag}-{k:03d}",
            f"new {kind} {k}",
            station_id,
            kind,
            skills=skills,
            hours_per_week=contract,
        )
        for k in range(1, count + 1)
    ]


def is_candidate(person: Person) -> bool:
    return person.person_id.startswith(f"{PREFIX}-")
