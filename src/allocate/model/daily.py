"""At most one shift start per person per day (occupational protection, `one_shift_per_day`)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from allocate.model.builder import RosterModel


def add_one_shift_start_per_day(m: RosterModel) -> None:
    for i in range(len(m.people)):
        for day in range(m.horizon.days):
            xs = m.day_vars(i, day)
            if len(xs) > 1:
                m.model.add_at_most_one(xs)
