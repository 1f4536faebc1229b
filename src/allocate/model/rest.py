"""Minimum rest between shifts (rule 7), inside the horizon and across its start from history.

Two shifts conflict when the later one starts before the earlier one's end plus its rest: the
policy's `min_rest_hours` for the person's role family, or the shift's own `rest_after` (a 24-hour
duty is followed by its rest). Shifts of one later day are mutually exclusive already (one start
a day), so each earlier shift and the conflicting shifts of one later day form a clique: one
``<= 1`` constraint per (person, shift, later day) instead of one per pair.
"""

from __future__ import annotations

import datetime as dt
from functools import cache
from typing import TYPE_CHECKING

from allocate.domain import Shift
from allocate.policy import LabourRules

if TYPE_CHECKING:
    from allocate.model.builder import RosterModel


def rest_minutes(shift: Shift, rules: LabourRules) -> int:
    hours = shift.rest_after if shift.rest_after is not None else rules.min_rest_hours
    return round(hours * 60)


@cache
def _conflict(first: Shift, second: Shift, day_gap: int, rest: int) -> bool:
    """Whether `second`, starting `day_gap` >= 1 days after `first`'s date, starts too soon."""
    return day_gap * 1440 + second.start_min < first.start_min + first.minutes + rest


def add_min_rest(m: RosterModel) -> None:
    shifts = list(m.shifts.values())
    for i, person in enumerate(m.people):
        rules = m.policy.rules_for(person.role)
        for day in range(m.horizon.days):
            for first in shifts:
                earlier = m.work.get((i, day, first.shift_id))
                if not earlier:
                    continue
                rest = rest_minutes(first, rules)
                reach = (first.start_min + first.minutes + rest) // 1440 + 1
                for gap in range(1, reach + 1):
                    later = [
                        x
                        for second in shifts
                        if _conflict(first, second, gap, rest)
                        for x in m.work.get((i, day + gap, second.shift_id), ())
                    ]
                    if later:
                        m.model.add_at_most_one([*earlier, *later])


def history_blocked(m: RosterModel) -> set[tuple[int, int, str]]:
    """(person, day, shift) starts that fall inside the rest owed for a shift of the history."""
    index = {p.person_id: i for i, p in enumerate(m.people)}
    blocked: set[tuple[int, int, str]] = set()
    start = dt.datetime.combine(m.horizon.start, dt.time())
    for row in m.dataset.history:
        i = index.get(row.person_id)
        if i is None or row.date >= m.horizon.start:
            continue
        shift = m.shifts[row.shift_id]
        rules = m.policy.rules_for(m.people[i].role)
        free_from = shift.ends_at(row.date) + dt.timedelta(minutes=rest_minutes(shift, rules))
        if free_from <= start:
            continue
        for day, date in enumerate(m.horizon.dates):
            if date > free_from.date():
                break
            for s in m.shifts.values():
                if s.starts_at(date) < free_from:
                    blocked.add((i, day, s.shift_id))
    return blocked
