"""A lower bound by counting alone: the cover an instance cannot meet, or must exceed.

Where no model gives a bound (instance 13 and the long horizons 20-24: no column generation,
and the whole model's, a minute in, is near 0), the command still prints a valid one. Every
penalty is >= 0, so each count below bounds the objective alone; the largest is taken:

- per day: a cover needing more people than may work that shift that day (not a fixed day off,
  a type they may work) is short of the difference; and a day needing more people in all than
  may work that day is short of the difference at its cheapest under weight;
- per shift type: more required over the horizon than the staff may work of it (each person's
  maximum of the type, and the days they may work it);
- over the horizon: more required than the staff can work (each at most their maximum minutes
  over the shortest shift, one shift a day), or fewer than they must (their minimum minutes over
  the longest shift; every shift worked beyond a cover's requirement is over it).
"""

from __future__ import annotations

from collections import defaultdict
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from allocate.nrp.instance import Cover, Employee, Instance


def cover_bound(instance: Instance) -> int:
    """The largest of the counts above: a valid lower bound on the benchmark's objective."""
    return max(_by_day(instance), _by_type(instance), _by_horizon(instance))


def _free_days(instance: Instance) -> list[int]:
    """Each person's days that are not a fixed day off."""
    off = [0] * len(instance.staff)
    for e, _ in instance.days_off:
        off[e] += 1
    return [instance.days - n for n in off]


def _can(employee: Employee, shift_id: str | None = None) -> bool:
    """Whether the person may work that type at all (any type, without one)."""
    if shift_id is None:
        return any(n > 0 for n in employee.max_shifts.values())
    return employee.max_shifts.get(shift_id, 0) > 0


def _by_day(instance: Instance) -> int:
    by_day: dict[int, list[Cover]] = defaultdict(list)
    for c in instance.cover:
        by_day[c.day].append(c)
    away: dict[int, list[Employee]] = defaultdict(list)  # by day: the people with it off
    for e, day in instance.days_off:
        away[day].append(instance.staff[e])
    kinds = [*instance.shift_ids, None]
    can = {s: sum(_can(p, s) for p in instance.staff) for s in kinds}
    total = 0
    for day, covers in by_day.items():
        free = {s: can[s] - sum(_can(p, s) for p in away[day]) for s in kinds}
        each = sum(c.under * max(0, c.required - free[c.shift_id]) for c in covers)
        short = min(c.under for c in covers) * max(0, sum(c.required for c in covers) - free[None])
        total += max(each, short)
    return total


def _by_type(instance: Instance) -> int:
    free = _free_days(instance)
    total = 0
    for s in instance.shift_ids:
        covers = [c for c in instance.cover if c.shift_id == s]
        if not covers:
            continue
        most = sum(min(p.max_shifts.get(s, 0), free[e]) for e, p in enumerate(instance.staff))
        total += min(c.under for c in covers) * max(0, sum(c.required for c in covers) - most)
    return total


def _by_horizon(instance: Instance) -> int:
    if not instance.cover:
        return 0
    shortest = min(s.minutes for s in instance.shifts)
    longest = max(s.minutes for s in instance.shifts)
    required = sum(c.required for c in instance.cover)
    free = _free_days(instance)
    most = sum(
        min(
            employee.max_minutes // shortest if shortest > 0 else instance.days,
            sum(employee.max_shifts.values()),
            free[e],
        )
        for e, employee in enumerate(instance.staff)
    )
    short = min(c.under for c in instance.cover) * max(0, required - most)
    # every (day, shift) must have its cover row, or a shift worked there is over nothing
    if (
        len({(c.day, c.shift_id) for c in instance.cover}) < instance.days * len(instance.shifts)
        or longest <= 0
    ):
        return short
    least = sum(-(-employee.min_minutes // longest) for employee in instance.staff)
    return short + min(c.over for c in instance.cover) * max(0, least - required)
