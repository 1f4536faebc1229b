"""Why a crew stayed uncovered: the binding reason, told from the roster and the rules.

For each post with a shortfall, every person of the station is put in one category: cannot do
the task at all (role, duty class), unfit (disqualified, untrained, lapsed training), lacks the
skill, absent, or eligible; the eligible are then busy on another post that day, resting after or
before another shift, at the weekly hours cap, at the nights cap, at the consecutive-days limit, or
free. The reason names the category that leaves too few people, so a planner knows whether to
hire, train, cancel leave or relax a policy.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from typing import TYPE_CHECKING

import pandas as pd

from allocate.model.eligibility import may_work_at, task_barrier
from allocate.rules.labour import block_of, longest_run, too_soon, weekly_cap_minutes

if TYPE_CHECKING:
    from allocate.domain import Dataset, Horizon, Person, Shift, Task
    from allocate.policy import Policy

REASON_COLUMNS = ["date", "station_id", "shift_id", "task_id", "shortfall", "reason", "detail"]


# The eligibility rules (allocate.rules.names) as the diagnosis's categories.
CATEGORY = {
    "disqualified": "unfit",
    "untrained": "unfit",
    "training_lapsed": "unfit",
    "sworn_only": "role",
    "civilian_support_only": "role",
    "skill": "skill",
}


def _unfit(person: Person, task: Task, day: dt.date) -> str | None:
    """The category that keeps a person off this task, or None when only the roster could."""
    why = task_barrier(person, task, day)
    return None if why is None else CATEGORY[why]


class _Worked:
    """Each person's shifts (history and roster), to test rest, hours, nights and runs of days."""

    def __init__(self, dataset: Dataset, horizon: Horizon, roster: pd.DataFrame) -> None:
        self.horizon = horizon
        self.shifts = dataset.shift_by_id
        self.by_person: dict[str, list[tuple[dt.date, str]]] = defaultdict(list)
        for a in dataset.history:
            if a.date < horizon.start:
                self.by_person[a.person_id].append((a.date, a.shift_id))
        for date, pid, sid in zip(roster["date"], roster["person_id"], roster["shift_id"], strict=True):
            self.by_person[pid].append((dt.date.fromisoformat(date), sid))

    def blocker(self, person: Person, day: dt.date, shift: Shift, policy: Policy) -> str | None:
        rules = policy.rules_for(person.role)
        mine = self.by_person.get(person.person_id, [])
        if any(d == day for d, _ in mine):
            return "busy"
        start = shift.starts_at(day)
        for d, sid in mine:
            other = self.shifts[sid]
            o_start = other.starts_at(d)
            if too_soon(o_start, other, start, rules) or too_soon(start, shift, o_start, rules):
                return "rest"
        block = block_of(self.horizon.index(day))
        in_block = [
            self.shifts[sid]
            for d, sid in mine
            if d in self.horizon and block_of(self.horizon.index(d)) == block
        ]
        if sum(s.minutes for s in in_block) + shift.minutes > weekly_cap_minutes(person, rules):
            return "hours"
        if shift.is_night and sum(s.is_night for s in in_block) >= rules.max_nights_per_week:
            return "nights"
        days = {d for d, _ in mine} | {day}
        run = 1
        probe = day - dt.timedelta(days=1)
        while probe in days:
            run, probe = run + 1, probe - dt.timedelta(days=1)
        probe = day + dt.timedelta(days=1)
        while probe in days:
            run, probe = run + 1, probe + dt.timedelta(days=1)
        if run > longest_run(rules):
            return "consecutive"
        return None


WORDS = {
    "role": "not allowed by role or duty class",
    "unfit": "disqualified, untrained or training lapsed",
    "skill": "lacking the skill",
    "absent": "absent",
    "busy": "on another post that day",
    "rest": "owed rest next to another shift",
    "hours": "at the weekly hours cap",
    "nights": "at the nights cap",
    "consecutive": "at the consecutive-days limit",
}


def explain_uncovered(
    dataset: Dataset, horizon: Horizon, policy: Policy, roster: pd.DataFrame, coverage: pd.DataFrame
) -> pd.DataFrame:
    short = coverage[coverage["shortfall"] > 0]
    if short.empty:
        return pd.DataFrame(columns=REASON_COLUMNS)
    worked = _Worked(dataset, horizon, roster)
    rows = []
    for rec in short.itertuples(index=False):
        day = dt.date.fromisoformat(rec.date)
        task = dataset.task_by_id[rec.task_id]
        shift = dataset.shift_by_id[rec.shift_id]
        station = dataset.station_by_id[rec.station_id]
        counts: dict[str, Counter] = {"sworn": Counter(), "aux": Counter()}
        for person in dataset.staff:
            home = dataset.station_by_id[person.station_id]
            if not may_work_at(person, station, home, policy.lending):
                continue
            kind = "sworn" if person.is_sworn else "aux"
            cat = _unfit(person, task, day)
            if cat is None and dataset.is_absent(person.person_id, day):
                cat = "absent"
            if cat is None:
                cat = worked.blocker(person, day, shift, policy) or "free"
            counts[kind][cat] += 1
        rows.append(
            (rec.date, rec.station_id, rec.shift_id, rec.task_id, int(rec.shortfall), *_reason(task, counts))
        )
    return pd.DataFrame(rows, columns=REASON_COLUMNS)


def _reason(task: Task, counts: dict[str, Counter]) -> tuple[str, str]:
    need_sworn = min(p.sworn for p in task.crews)
    need_size = min(p.size for p in task.crews)
    free_sworn = counts["sworn"]["free"]
    free_all = free_sworn + counts["aux"]["free"]
    kind = "sworn" if free_sworn < need_sworn else "aux"
    if free_sworn >= need_sworn and free_all >= need_size:
        return (
            "no lawful crew left",
            f"{free_sworn} sworn and {counts['aux']['free']} auxiliaries free, but no allowed crew "
            f"({task.crews_text}) fits them together with the rest of the roster",
        )
    blockers = Counter({k: v for k, v in counts[kind].items() if k != "free"})
    if kind == "aux":
        blockers += Counter({k: v for k, v in counts["sworn"].items() if k != "free"})
    eligible = sum(v for k, v in blockers.items() if k not in ("role", "unfit", "skill", "absent"))
    if eligible == 0:
        top = max(("role", "unfit", "skill", "absent"), key=lambda k: blockers[k])
        reason = f"no eligible person ({WORDS[top]})"
    else:
        top = max(("busy", "rest", "hours", "nights", "consecutive"), key=lambda k: blockers[k])
        reason = {"busy": "everyone eligible is busy"}.get(top, f"{top} rule")
    detail = ", ".join(f"{v} {WORDS[k]}" for k, v in blockers.most_common() if v)
    who = "sworn officers" if kind == "sworn" else "people"
    return reason, f"{who}: {detail or 'none at the station'}"
