"""Totals over the horizon: shifts of one type, and minutes worked between a floor and a cap.

Minutes keep 7.5-hour shifts exact. A floor is hard: a person on leave for most of the horizon
cannot reach it, so a floor belongs only in a policy whose staff can all meet it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Mapping

    from ortools.sat.python import cp_model

    from allocate.model.builder import RosterModel
    from allocate.model.days import WorkVars


def add_max_shifts_of_type(
    model: cp_model.CpModel, work: WorkVars, person: int, days: int, shift: str, limit: int
) -> None:
    xs = [x for day in range(days) for x in work.get((person, day, shift), ())]
    if len(xs) > limit:
        model.add(sum(xs) <= limit)


def add_total_minutes(
    model: cp_model.CpModel,
    work: WorkVars,
    person: int,
    days: int,
    minutes: Mapping[str, int],
    low: int | None,
    high: int | None,
) -> None:
    """`low` <= the minutes of the person's shifts <= `high` (None: no bound)."""
    items = [
        (m, x) for day in range(days) for s, m in minutes.items() for x in work.get((person, day, s), ())
    ]
    total = sum(m * x for m, x in items)
    most = sum(m for m, _ in items)
    if high is not None and most > high:
        model.add(total <= high)
    if low is not None and low > 0:
        model.add(total >= low)


def add_police_totals(m: RosterModel) -> None:
    """The policy's `max_shifts_per_type`, `min_total_minutes` and `max_total_minutes`."""
    minutes = {s: shift.minutes for s, shift in m.shifts.items()}
    for i, person in enumerate(m.people):
        rules = m.policy.rules_for(person.role)
        with m.rule("max_shifts_per_type"):
            for shift, limit in rules.max_shifts_per_type:
                add_max_shifts_of_type(m.model, m.work, i, m.horizon.days, shift, limit)
        if rules.max_total_minutes is not None:
            with m.rule("max_total_minutes"):
                add_total_minutes(m.model, m.work, i, m.horizon.days, minutes, None, rules.max_total_minutes)
        fit = not person.disqualified and person.pre_job_trained  # the others never work
        if fit and rules.min_total_minutes is not None:
            with m.rule("min_total_minutes"):
                add_total_minutes(m.model, m.work, i, m.horizon.days, minutes, rules.min_total_minutes, None)
