"""Consecutive working days and the day off in every 7 (occupational protection, Labour Law Art. 38).

A day counts as worked when a shift starts on it. Windows reach back into the history so that a
person who worked the last five days of last week may work at most one more day now.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ortools.sat.python import cp_model

from allocate.rules.labour import workday_windows

if TYPE_CHECKING:
    import datetime as dt

    from allocate.model.builder import RosterModel


def history_workdays(m: RosterModel) -> dict[str, set[dt.date]]:
    days: dict[str, set[dt.date]] = {}
    for row in m.dataset.history:
        if row.date < m.horizon.start:
            days.setdefault(row.person_id, set()).add(row.date)
    return days


def add_consecutive_days(m: RosterModel) -> None:
    past = history_workdays(m)
    for i, person in enumerate(m.people):
        rules = m.policy.rules_for(person.role)
        worked_before = {(day - m.horizon.start).days for day in past.get(person.person_id, ())}
        per_day = [m.day_vars(i, day) for day in range(m.horizon.days)]  # read by every window
        for window, limit in workday_windows(rules):
            names = [
                name
                for name, length in (
                    ("consecutive_days", rules.max_consecutive_days + 1),
                    ("day_off_in_7", rules.days_off_window),
                )
                if length == window
            ]
            with m.rule(*names):
                _limit_window(m, per_day, worked_before, window, limit)


def _limit_window(
    m: RosterModel, per_day: list[list[cp_model.IntVar]], worked_before: set[int], window: int, limit: int
) -> None:
    """In every `window` consecutive days ending inside the horizon, at most `limit` worked, of a
    person whose variables are `per_day` (one list per day of the horizon) and who worked the days
    `worked_before` (offsets from the horizon's start, negative) before it."""
    for last in range(m.horizon.days):
        first = last - window + 1
        xs = [x for day in range(max(first, 0), last + 1) for x in per_day[day]]
        if not xs:
            continue
        before = sum(1 for k in range(first, 0) if k in worked_before)
        if len(xs) + before <= limit:
            continue  # the window cannot break the rule, whatever the solver does
        m.model.add(cp_model.LinearExpr.sum(xs) <= max(limit - before, 0))
