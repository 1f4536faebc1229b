"""Minimum rest between shifts (occupational protection), inside the horizon and across its start from history.

Two shifts conflict when the later one starts before the earlier one's end plus its rest: the
policy's `min_rest_hours` for the person's role family, or the shift's own `rest_after` (a 24-hour
duty is followed by its rest). Shifts of one later day are mutually exclusive already (one start
a day), so each earlier shift and the conflicting shifts of one later day form a clique: one
``<= 1`` constraint per (person, shift, later day) instead of one per pair.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from allocate.rules.labour import free_from, rest_cliques

if TYPE_CHECKING:
    from allocate.model.builder import RosterModel
    from allocate.policy import LabourRules


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
        until = free_from(shift.starts_at(row.date), shift, rules)
        if until <= start:
            continue
        for day, date in enumerate(m.horizon.dates):
            if date > until.date():
                break
            for s in m.shifts.values():
                if s.starts_at(date) < until:
                    blocked.add((i, day, s.shift_id))
    return blocked
