"""Worked weekends: a weekend is worked when a shift starts on its Saturday or its Sunday.

One Boolean per (person, weekend), equal to the OR of its days, so the limits are plain sums:
at most `limit` worked weekends in the horizon, or in every `window` consecutive weekends.
"""

from __future__ import annotations

from itertools import groupby
from typing import TYPE_CHECKING

from allocate.model.days import Lit, any_of, police_worked_days

if TYPE_CHECKING:
    from collections.abc import Sequence

    from ortools.sat.python import cp_model

    from allocate.model.builder import RosterModel

SATURDAY, SUNDAY = 5, 6


def weekend_lits(
    model: cp_model.CpModel, days: Sequence[Lit], weekends: Sequence[Sequence[int]], name: str
) -> list[Lit]:
    """One literal per weekend (its day indexes): whether any of its days is worked."""
    return [
        any_of(model, [days[d] for d in members], f"weekend[{name},{k}]")
        for k, members in enumerate(weekends)
    ]


def add_max_weekends(
    model: cp_model.CpModel, weekends: Sequence[Lit], limit: int, window: int | None = None
) -> None:
    """At most `limit` True weekends in every `window` consecutive ones (None: in all of them)."""
    size = len(weekends) if window is None else min(window, len(weekends))
    for first in range(len(weekends) - size + 1):
        lits = [w for w in weekends[first : first + size] if w is not False]
        if len(lits) > limit:
            model.add(sum(lits) <= limit)


def calendar_weekends(weekdays: Sequence[int]) -> list[list[int]]:
    """Day indexes of each Saturday/Sunday pair, from each day's weekday (0 = Monday).

    A weekend cut by the horizon's edge is kept with the day it has.
    """
    weekend_days = [d for d, wd in enumerate(weekdays) if wd in (SATURDAY, SUNDAY)]
    # a Saturday and the Sunday after it share d - weekday, the index of their week's Monday
    return [list(g) for _, g in groupby(weekend_days, key=lambda d: d - weekdays[d])]


def add_police_weekends(m: RosterModel) -> None:
    """The policy's `max_weekends_per_4_weeks` (sliding, 4 weekends) and `max_weekends` (horizon)."""
    weekends = calendar_weekends([date.weekday() for date in m.horizon.dates])
    for i, person in enumerate(m.people):
        rules = m.policy.rules_for(person.role)
        if rules.max_weekends_per_4_weeks is None and rules.max_weekends is None:
            continue
        days = police_worked_days(m, i)
        with m.rule("worked_weekends"):
            lits = weekend_lits(m.model, days, weekends, person.person_id)
        if rules.max_weekends_per_4_weeks is not None:
            with m.rule("max_weekends_per_4_weeks"):
                add_max_weekends(m.model, lits, rules.max_weekends_per_4_weeks, window=4)
        if rules.max_weekends is not None:
            with m.rule("max_weekends"):
                add_max_weekends(m.model, lits, rules.max_weekends)
