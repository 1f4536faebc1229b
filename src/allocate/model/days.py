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
    """One literal per day: whether `person` starts a shift on that day (at most one a day)."""
    return [
        any_of(model, day_vars(work, person, day, shifts), f"worked[{person},{day}]", exclusive=True)
        for day in range(days)
    ]


def any_of(model: cp_model.CpModel, lits: Sequence[Lit], name: str, exclusive: bool = False) -> Lit:
    """One literal for "any of `lits` holds": False for none, the literal itself for one, else a new
    Boolean named `name`, linked as their sum when at most one of them can hold (`exclusive`)."""
    lits = [lit for lit in lits if lit is not False]
    if not lits:
        return False
    if len(lits) == 1:
        return lits[0]
    w = model.new_bool_var(name)
    if exclusive:
        model.add(w == sum(lits))
    else:
        for lit in lits:
            model.add_implication(lit, w)
        model.add_bool_or(lits).only_enforce_if(w)
    return w


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
