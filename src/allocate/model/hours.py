"""Weekly hours and night shifts (occupational protection: `weekly_hours`, `nights`), counted per 7-day block from the horizon's start.

Hours are in minutes so that 7.5-hour shifts stay exact. Overtime above contract hours is a soft
goal but capped hard per role family (auxiliaries: Labour Law Art. 41).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from allocate.model.variables import block_vars
from allocate.rules.labour import contract_minutes, weekly_cap_minutes

if TYPE_CHECKING:
    from allocate.model.builder import RosterModel

__all__ = ["add_nights_per_week", "add_weekly_hours", "block_vars"]


def add_weekly_hours(m: RosterModel) -> None:
    """The weekly cap, and each block's overtime hours (``m.overtime``) above the contract."""
    length = {s: shift.minutes for s, shift in m.shifts.items()}
    for i, person in enumerate(m.people):
        rules = m.policy.rules_for(person.role)
        contract = contract_minutes(person)
        cap = weekly_cap_minutes(person, rules)
        for b, block in enumerate(m.horizon.blocks()):
            items = block_vars(m, i, block)
            if not items:
                continue
            minutes = sum(length[s] * x for s, x in items)
            most = sum(length[s] for s, _ in items)
            if most > cap:
                m.model.add(minutes <= cap)
            ot = m.overtime.get((i, b))
            if ot is not None:
                with m.rule("weekly_hours", "overtime"):  # its domain holds the cap too
                    m.model.add(60 * ot >= minutes - contract)


def add_nights_per_week(m: RosterModel) -> None:
    for i, person in enumerate(m.people):
        limit = m.policy.rules_for(person.role).max_nights_per_week
        for block in m.horizon.blocks():
            nights = [x for s, x in block_vars(m, i, block) if m.shifts[s].is_night]
            if len(nights) > limit:
                m.model.add(sum(nights) <= limit)
