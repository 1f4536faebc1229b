"""Runs of days: the longest and the shortest stretch of working days, the shortest of days off.

The shortest stretches are clauses rather than an automaton: a stretch that starts on a day
holds the next ``minimum - 1`` days, one three-literal clause each (days x minimum per person),
which propagate at once and are tight in the LP. A run that touches the first or
the last day of the horizon is exempt from a minimum, because it may continue in the period
before or after (the benchmark's rule and the sensible one for a weekly roster). The longest run
is a sliding window: every ``longest + 1`` consecutive days hold at most ``longest`` worked.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from allocate.model.days import Lit, add_clause, negate, police_worked_days

if TYPE_CHECKING:
    from collections.abc import Sequence

    from ortools.sat.python import cp_model

    from allocate.model.builder import RosterModel


def add_max_run(model: cp_model.CpModel, days: Sequence[Lit], longest: int) -> None:
    """No more than `longest` consecutive days with a True literal."""
    window = longest + 1
    for first in range(len(days) - window + 1):
        lits = [lit for lit in days[first : first + window] if lit is not False]
        if len(lits) == window:
            model.add(sum(lits) <= longest)


def add_min_run(model: cp_model.CpModel, days: Sequence[Lit], shortest: int) -> None:
    """Every run of True literals not touching an end of the horizon lasts at least `shortest`.

    A run that starts on day d (d worked, d - 1 not) holds day d + j for every j < `shortest`:
    one three-literal clause each. A run cut short at day d + l is off there, and a run that
    reaches the horizon's end before d + j is exempt because day d + j does not exist. The
    clauses are tighter in the LP than forbidding each short pattern whole.
    """
    n = len(days)
    for first in range(1, n):
        for j in range(1, shortest):
            if first + j > n - 1:
                break
            add_clause(model, [days[first - 1], negate(days[first]), days[first + j]])


def add_min_off_run(model: cp_model.CpModel, days: Sequence[Lit], shortest: int) -> None:
    """Every run of days off not touching an end of the horizon lasts at least `shortest`."""
    add_min_run(model, [negate(lit) for lit in days], shortest)


def add_police_runs(m: RosterModel) -> None:
    """The policy's `min_consecutive_days` and `min_consecutive_days_off` (1 = no rule)."""
    for i, person in enumerate(m.people):
        rules = m.policy.rules_for(person.role)
        if rules.min_consecutive_days <= 1 and rules.min_consecutive_days_off <= 1:
            continue
        days = police_worked_days(m, i)
        if rules.min_consecutive_days > 1:
            with m.rule("min_consecutive_days"):
                add_min_run(m.model, days, rules.min_consecutive_days)
        if rules.min_consecutive_days_off > 1:
            with m.rule("min_consecutive_days_off"):
                add_min_off_run(m.model, days, rules.min_consecutive_days_off)
