"""The weekly demand of a generated station, computed from the people who can actually serve.

Sworn-only slots stay well below sworn capacity and all slots come to roughly 85% of everyone's
contract hours; one shortage is designed in (the core station's weekend checkpoints).
"""

from __future__ import annotations

import heapq
import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from allocate.domain import DemandRow
from allocate.generate.catalogue import (
    HOURS_PER_WEEK,
    SHIFT_HOURS,
    SHIFT_IDS,
    SHIFT_INDEX,
    SHIFTS_PER_WEEK,
    SUPPORT_SPLIT,
    TARGET_FIELD,
    TARGET_SKILL_ALL,
    TARGET_SKILL_SWORN,
    TARGET_SUPPORT,
    TARGET_SWORN_ONLY,
    TASK_BY_ID,
    TASKS,
    min_sworn,
    preferred,
)
from allocate.generate.kinds import checkpoints
from allocate.generate.people import by_station, capacity_shifts, field_fit, support_fit

if TYPE_CHECKING:
    import datetime as dt
    from collections.abc import Mapping, Sequence

    from allocate.domain import Person, Station
    from allocate.generate.catalogue import PostPattern
    from allocate.generate.kinds import StationKind


@dataclass(frozen=True)
class Capacity:
    """A station's weekly capacity in person-hours, by who can fill what."""

    sworn: float
    service: float
    support: float
    skill_sworn: Mapping[str, float]
    skill_service: Mapping[str, float]


def capacity(people: list[Person], start: dt.date, days_absent: Mapping[str, int]) -> Capacity:
    """Who at a station can fill what, in person-hours of the week after absences."""
    hours = HOURS_PER_WEEK / SHIFTS_PER_WEEK
    sworn = [p for p in people if p.role == "sworn" and field_fit(p, start)]
    service = [p for p in people if p.role == "aux_service" and field_fit(p, start)]
    support = [p for p in people if support_fit(p, start)]
    skills = sorted({s for p in people for s in p.skills})
    return Capacity(
        sworn=hours * sum(capacity_shifts(days_absent.get(p.person_id, 0)) for p in sworn),
        service=hours * sum(capacity_shifts(days_absent.get(p.person_id, 0)) for p in service),
        support=hours * sum(capacity_shifts(days_absent.get(p.person_id, 0)) for p in support),
        skill_sworn={
            s: hours * sum(capacity_shifts(days_absent.get(p.person_id, 0)) for p in sworn if s in p.skills)
            for s in skills
        },
        skill_service={
            s: hours * sum(capacity_shifts(days_absent.get(p.person_id, 0)) for p in service if s in p.skills)
            for s in skills
        },
    )


def demand(
    stations: list[Station],
    kind_of: Mapping[str, StationKind],
    staff: list[Person],
    days_absent: Mapping[str, int],
    start: dt.date,
) -> list[DemandRow]:
    """Weekly demand rows (weekday form) of every station, computed from who can serve."""
    people_of = by_station(staff)
    rows = []
    task_order = {t.task_id: i for i, t in enumerate(TASKS)}
    for st in stations:
        cap = capacity(people_of.get(st.station_id, []), start, days_absent)
        kind = kind_of[st.station_id]
        posts = kind.posts
        if kind.checkpoints:
            posts += (checkpoints(_checkpoint_crews(cap)),)
        counts = station_demand(posts, cap)
        counts.update(_support_demand(cap))
        for (task_id, w, s), n in sorted(
            counts.items(), key=lambda kv: (kv[0][1], kv[0][2], task_order[kv[0][0]])
        ):
            if n > 0:
                rows.append(DemandRow(st.station_id, SHIFT_IDS[s], task_id, n, weekday=w))
    return rows


def _checkpoint_crews(cap: Capacity) -> int:
    """Checkpoint crews per Friday/Saturday evening and night: the demo's designed-in shortage.

    Friday's evening shift, Saturday's night shift (00:00) and Saturday's day shift exclude each
    other for one person (one start a day, 11 h rest), so each traffic-trained person serves at
    most one of them. With S officers and A auxiliaries holding the skill, those three shifts
    can staff about (S + A/2) / 2 crews of ``2S|1S+2A`` in all. Checkpoints take half of that in
    each of the evening and the night, so with the weekday traffic posts on top, a few crews are
    left uncovered: the shortage a planner should see, and the sizing analysis should explain.
    """
    sworn = cap.skill_sworn.get("traffic", 0.0) / HOURS_PER_WEEK
    aux = cap.skill_service.get("traffic", 0.0) / HOURS_PER_WEEK
    return max(1, round((sworn + aux / 2) / 4))


def _support_demand(cap: Capacity) -> dict[tuple[str, int, int], int]:
    """Support posts on weekday office shifts, sized to the support-only people."""
    per_day = math.floor(TARGET_SUPPORT * cap.support / HOURS_PER_WEEK)
    out = {}
    left = per_day
    for k, (task_id, share) in enumerate(SUPPORT_SPLIT):
        n = left if k == len(SUPPORT_SPLIT) - 1 else round(per_day * share)
        left -= n
        for w in range(5):
            out[(task_id, w, SHIFT_INDEX["office"])] = n
    return out


def station_demand(posts: Sequence[PostPattern], cap: Capacity) -> dict[tuple[str, int, int], int]:
    """Crews per (task, weekday, shift) of a station's field posts, filled up to its capacity.

    Fixed posts and readiness minimums come first. Then crews are handed out one at a time, each
    to the cell whose shape most deserves another crew (D'Hondt apportionment: crews end up
    proportional to the shapes), until no crew fits the targets: S slots within a share of
    sworn capacity, all slots within a share of everyone's, skilled slots within the skilled
    people's. A cell that does not fit is dropped for good, since usage only grows; so when the
    officers run out, auxiliary-only posts keep growing into the auxiliaries' capacity.
    """
    shapes = np.stack([p.shape() for p in posts])  # (posts, 7 weekdays, shifts)
    fixed = np.array([p.fixed for p in posts])[:, None, None]
    tasks = [TASK_BY_ID[p.task_id] for p in posts]
    independent = np.array([t.duty_class == "independent" for t in tasks])
    leads = np.array([min_sworn(t) > 0 for t in tasks])
    skills = sorted({t.skill for t in tasks if t.skill})

    # Resource use of one crew-hour of each post, against the limits of the station:
    # [S slots, all slots, then per skill: its S slots, all its slots].
    use = np.array(
        [
            [min_sworn(t), preferred(t).size]
            + [x for k in skills for x in ((min_sworn(t), preferred(t).size) if t.skill == k else (0, 0))]
            for t in tasks
        ],
        dtype=float,
    )
    limits = np.array(
        [TARGET_SWORN_ONLY * cap.sworn, TARGET_FIELD * (cap.sworn + cap.service)]
        + [
            x
            for k in skills
            for x in (
                TARGET_SKILL_SWORN * cap.skill_sworn.get(k, 0.0),
                TARGET_SKILL_ALL * (cap.skill_sworn.get(k, 0.0) + cap.skill_service.get(k, 0.0)),
            )
        ]
    )
    counts = np.where(fixed, np.rint(shapes), np.stack([p.floor() for p in posts]))
    counts = np.where(shapes > 0, counts, 0.0)
    usage = np.einsum("pws,s,pr->r", counts, SHIFT_HOURS, use)

    def fill(allowed: np.ndarray) -> None:
        # Plain floats in the loop: it runs once per crew, and numpy's per-call cost dominates.
        shape, count, used = shapes.tolist(), counts.tolist(), usage.tolist()
        cap_left = limits.tolist()
        per_crew = [[[u * h for u in row] for h in SHIFT_HOURS.tolist()] for row in use.tolist()]
        heap = [
            (-shape[p][w][s] / (count[p][w][s] + 1), p, w, s)
            for p, w, s in zip(*np.nonzero(allowed), strict=True)
        ]
        heapq.heapify(heap)
        while heap:
            _, p, w, s = heapq.heappop(heap)
            need = per_crew[p][s]
            if all(n == 0 or u + n <= c + 1e-9 for n, u, c in zip(need, used, cap_left, strict=True)):
                used[:] = [u + n for u, n in zip(used, need, strict=True)]
                count[p][w][s] += 1
                heapq.heappush(heap, (-shape[p][w][s] / (count[p][w][s] + 1), p, w, s))
        counts[...] = count
        usage[...] = used

    scalable = (shapes > 0) & ~fixed
    fill(scalable)
    # Rule 3: an auxiliary-only crew needs an officer on duty in the same shift to command it,
    # so independent posts stay only where the station has an officer's post in that shift;
    # the capacity freed by dropping the others is filled again.
    commanded = (counts * leads[:, None, None]).sum(axis=0) > 0
    orphans = np.where(independent[:, None, None] & ~commanded, counts, 0.0)
    usage -= np.einsum("pws,s,pr->r", orphans, SHIFT_HOURS, use)
    counts -= orphans
    fill(scalable & (~independent[:, None, None] | commanded))

    out: dict[tuple[str, int, int], int] = {}
    for p, w, s in zip(*np.nonzero(counts), strict=True):
        key = (posts[p].task_id, int(w), int(s))
        out[key] = out.get(key, 0) + int(counts[p, w, s])
    return out
