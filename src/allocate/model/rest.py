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

if TYPE_CHECKING:
    from allocate.domain import Shift
    from allocate.model.builder import RosterModel
    from allocate.policy import LabourRules


def rest_minutes(shift: Shift, rules: LabourRules) -> int:
    hours = shift.rest_after if shift.rest_after is not None else rules.min_rest_hours
    return round(hours * 60)


@cache
def _conflict(first: Shift, second: Shift, day_gap: int, rest: int) -> bool:
    """Whether `second`, starting `day_gap` >= 1 days after `first`'s date, starts too soon."""
    return day_gap * 1440 + second.start_min < first.start_min + first.minutes + rest


def rest_cliques(shifts: list[Shift], rules: LabourRules, days: int) -> list[tuple[int, str, list]]:
    """(day, shift id, the (day, shift id) starts it forbids on one later day), for every pair.

    One person holds at most one start of each such clique; summed over a group of people, the
    group holds at most its headcount (the sizing bound uses them so).
    """
    cliques = []
    for day in range(days):
        for first in shifts:
            rest = rest_minutes(first, rules)
            reach = (first.start_min + first.minutes + rest) // 1440 + 1
            for gap in range(1, min(reach, days - 1 - day) + 1):
                later = [(day + gap, s.shift_id) for s in shifts if _conflict(first, s, gap, rest)]
                if later:
                    cliques.append((day, first.shift_id, later))
    return cliques


def add_min_rest(m: RosterModel) -> None:
    shifts = list(m.shifts.values())
    by_rules: dict[LabourRules, list] = {}
    for i, person in enumerate(m.people):
        rules = m.policy.rules_for(person.role)
        if rules not in by_rules:
            by_rules[rules] = rest_cliques(shifts, rules, m.horizon.days)
        for day, shift_id, later in by_rules[rules]:
            earlier = m.work.get((i, day, shift_id))
            if not earlier:
                continue
            xs = [x for key in later for x in m.work.get((i, *key), ())]
            if xs:
                m.model.add_at_most_one([*earlier, *xs])


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
