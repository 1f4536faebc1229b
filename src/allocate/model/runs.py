"""Runs of days: the longest and the shortest stretch of working days, the shortest of days off.

The shortest stretches are clauses rather than an automaton: a stretch that starts on a day
holds the next ``minimum - 1`` days, one three-literal clause each (days x minimum per person),
which propagate at once and are tight in the LP. A run that touches the first or
the last day of the horizon is exempt from a minimum, because it may continue in the period
before or after (the benchmark's rule and the sensible one for a weekly roster). The longest run
is a sliding window: every ``longest + 1`` consecutive days hold at most ``longest`` worked.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from ortools.sat.python import cp_model

from allocate.model.days import Lit, add_clause, negate, police_worked_days

if TYPE_CHECKING:
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
            add_min_run(m.model, days, rules.min_consecutive_days)
        if rules.min_consecutive_days_off > 1:
            add_min_off_run(m.model, days, rules.min_consecutive_days_off)


def add_run_flow(
    model: cp_model.CpModel, days: Sequence[Lit], shortest: int, longest: int, shortest_off: int, name: str
) -> None:
    """The same three run rules again, as one path through the person's stretches (LP strength).

    The clauses and windows above propagate well but their LP relaxation lets a fractional
    person work half of every day. Here a roster of one person is a path from day 0 to the end,
    made of work stretches (their lengths within the rules) and off stretches (the minimum, then
    one more day at a time); each day's literal equals the work stretches covering it. The path
    polytope is integral, so the LP knows every run rule of each person exactly.
    """
    n = len(days)
    covering: list[list[cp_model.IntVar]] = [[] for _ in range(n)]
    into: dict[tuple[str, int], list] = {}  # node -> arcs entering it; nodes: ("off", t), ("work", t)
    out_of: dict[tuple[str, int], list] = {}

    def arc(tail: tuple[str, int], head: tuple[str, int], label: str) -> cp_model.IntVar:
        var = model.new_bool_var(f"{label}[{name}]")
        out_of.setdefault(tail, []).append(var)
        into.setdefault(head, []).append(var)
        return var

    end = ("end", n)
    for a in range(n):
        # work stretches from a day after a finished off stretch (or the horizon's start)
        for length in range(1, longest + 1):
            b = a + length
            if b > n or days[b - 1] is False:
                break
            if length < shortest and a > 0 and b < n:
                continue  # a short run that touches no edge
            var = arc(("off", a), end if b == n else ("work", b), f"w{a}_{b}")
            for d in range(a, b):
                covering[d].append(var)
        # after a work stretch ending at a: the shortest off stretch (to the end: any length)
        if a > 0:
            arc(("work", a), end if a + shortest_off >= n else ("off", a + shortest_off), f"o{a}")
        arc(("off", a), end if a + 1 == n else ("off", a + 1), f"x{a}")  # one more day off
    for node in set(into) | set(out_of):
        if node == end:
            continue
        supply = 1 if node == ("off", 0) else 0
        model.add(sum(out_of.get(node, [])) - sum(into.get(node, [])) == supply)
    for d, lit in enumerate(days):
        if lit is not False:
            model.add(sum(covering[d]) == lit)
