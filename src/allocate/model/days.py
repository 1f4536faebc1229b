"""Worked-day literals: one Boolean per person and day that the day-pattern rules read.

The pattern rules (runs, weekends) speak of days worked, not of posts: a day is worked when any
of the person's variables of that day is 1. Every rule model keeps at most one shift start per
person and day, so the day's literal is the plain sum of those variables. A day with no variable
is the constant False, which the rules fold away instead of creating a constraint for it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

from ortools.sat.python import cp_model

if TYPE_CHECKING:
    from allocate.model.builder import RosterModel

Lit = cp_model.IntVar | bool  # a literal of the model, or a constant day (False: cannot work)
WorkVars = Mapping[tuple[int, int, str], Sequence[cp_model.IntVar]]


def negate(lit: Lit) -> Lit:
    return (not lit) if isinstance(lit, bool) else lit.Not()


def day_vars(work: WorkVars, person: int, day: int, shifts: Sequence[str]) -> list[cp_model.IntVar]:
    return [x for s in shifts for x in work.get((person, day, s), ())]


def worked_days(
    model: cp_model.CpModel, work: WorkVars, person: int, days: int, shifts: Sequence[str]
) -> list[Lit]:
    """One literal per day: whether `person` starts a shift on that day."""
    out: list[Lit] = []
    for day in range(days):
        xs = day_vars(work, person, day, shifts)
        if not xs:
            out.append(False)
        elif len(xs) == 1:
            out.append(xs[0])
        else:
            w = model.new_bool_var(f"worked[{person},{day}]")
            model.add(w == sum(xs))
            out.append(w)
    return out


def add_clause(model: cp_model.CpModel, lits: Sequence[Lit]) -> None:
    """At least one of `lits` holds; constants fold (a clause with a True is dropped)."""
    if any(lit is True for lit in lits):
        return
    model.add_bool_or([lit for lit in lits if lit is not False])


def police_worked_days(m: RosterModel, person: int) -> list[Lit]:
    """`worked_days` of one person of a roster model, made once and shared by the rule modules."""
    if person not in m.worked_days:
        with m.rule("worked_days"):
            m.worked_days[person] = worked_days(m.model, m.work, person, m.horizon.days, list(m.shifts))
    return m.worked_days[person]
