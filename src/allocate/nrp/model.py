"""The benchmark as a CP-SAT model built from the engine's rule-family modules.

The police model's crews, posts and eligibility have no counterpart here (every shift is one
post filled by single people), so this is a thin variable layer: one Boolean per employee, day
and allowed shift, in the same ``work[(person, day, shift)] -> [x]`` shape the police model
hands to its rule modules. Every rule is then added by the module that adds it to police
rosters (successions, runs, weekends, totals, cover, requests): shared rule code, not a copy.

Variables that a rule fixes to 0 are never created: a day off, or a shift type whose maximum is
0. The objective is the benchmark's, exactly, in integers.

The same class builds the sub-problems of the search (:mod:`allocate.nrp.lns`): a few people
(``people``), the others' roster as fixed cover counts, and their days outside a ``window`` fixed.
Every hard rule of the benchmark is about one person, so the others only enter through cover,
and the sub-model stays small however large the instance. Its objective is still the whole
roster's, exactly: the fixed people's requests and the cover they give enter as constants.
"""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING

from ortools.sat.python import cp_model

from allocate.model import cover, runs, successions, totals, weekends
from allocate.model.days import Lit, worked_days
from allocate.model.requests import unmet

if TYPE_CHECKING:
    from collections.abc import Collection, Sequence

    from allocate.nrp.instance import Instance

Key = tuple[int, int, str]  # (employee index, day, shift id)


class NrpModel:
    """Builds and holds the CP-SAT model of one benchmark instance, or of some of its people."""

    def __init__(
        self,
        instance: Instance,
        people: Sequence[int] | None = None,
        roster: Collection[Key] = (),
        window: tuple[int, int] | None = None,
        days: Collection[int] | None = None,
        allowed: Collection[Key] | None = None,
    ) -> None:
        """`people`: the employees modelled (None: all). `roster`: the assignments of a whole
        roster, for the people left out (their cover and requests) and, outside the days
        ``window[0] <= day < window[1]``, for the people in (None: every day free); or outside
        `days`, any days, in place of a window (:mod:`allocate.nrp.sweep`'s weekend pairs).
        `allowed`: on the free days, the only cells that may be worked besides the roster's
        (None: any); the others get no variable (:mod:`allocate.nrp.sweep`'s LP cells)."""
        self.instance = instance
        self.people = list(range(len(instance.staff))) if people is None else list(people)
        self.model = cp_model.CpModel()
        self.work: dict[Key, list[cp_model.IntVar]] = {}
        self.worked: list[list[Lit]] = []
        self.penalty: cp_model.LinearExprT = 0
        free = set(days) if days is not None else set(range(*(window or (0, instance.days))))
        self._build(roster if isinstance(roster, (set, frozenset)) else set(roster), free, allowed)

    def _build(self, roster: set[Key], days: set[int], allowed: Collection[Key] | None) -> None:
        inst, model = self.instance, self.model
        shift_ids = inst.shift_ids
        for e in self.people:
            emp = inst.staff[e]
            for d in range(inst.days):
                if (e, d) in inst.days_off:
                    continue
                free = d in days
                for s in shift_ids:
                    held = (e, d, s) in roster
                    if emp.max_shifts[s] > 0 and (
                        held or (free and (allowed is None or (e, d, s) in allowed))
                    ):
                        x = model.new_bool_var(f"x[{emp.employee_id},{d},{s}]")
                        if not free:
                            model.add(x == 1)
                        self.work[e, d, s] = [x]
        forbidden = successions.followers((s.shift_id, b) for s in inst.shifts for b in s.not_followed_by)
        minutes = {s.shift_id: s.minutes for s in inst.shifts}
        for e in self.people:
            emp = inst.staff[e]
            days = worked_days(model, self.work, e, inst.days, shift_ids)  # one shift a day
            self.worked.append(days)
            successions.add_forbidden_successions(model, self.work, e, inst.days, forbidden)
            for s, limit in emp.max_shifts.items():
                totals.add_max_shifts_of_type(model, self.work, e, inst.days, s, limit)
            totals.add_total_minutes(
                model, self.work, e, inst.days, minutes, emp.min_minutes, emp.max_minutes
            )
            runs.add_max_run(model, days, emp.max_consecutive)
            runs.add_min_run(model, days, emp.min_consecutive)
            runs.add_min_off_run(model, days, emp.min_days_off)
            lits = weekends.weekend_lits(model, days, inst.weekends, emp.employee_id)
            weekends.add_max_weekends(model, lits, emp.max_weekends)
        inside = set(self.people)
        outside = {key for key in roster if key[0] not in inside}
        self.penalty = sum(self._request_terms(inside, outside)) + sum(self._cover_terms(outside))
        model.minimize(self.penalty)

    def _request_terms(self, inside: set[int], outside: set[Key]) -> list[cp_model.LinearExprT]:
        """Each request's unmet weight; a left-out person's is a constant from the roster."""
        inst = self.instance
        out: list[cp_model.LinearExprT] = []
        for requests, want in ((inst.on_requests, True), (inst.off_requests, False)):
            for r in requests:
                key = (r.employee, r.day, r.shift_id)
                if r.employee in inside:
                    out.append(r.weight * unmet(self.work.get(key, []), want))
                elif (key in outside) != want:
                    out.append(r.weight)
        return out

    def _cover_terms(self, outside: set[Key]) -> list[cp_model.LinearExprT]:
        """Each cover's penalty, with the left-out people's count as a fixed part of the staff.

        With f left out and n modelled on a shift, ``max(0, R - f - n)`` and ``max(0, f + n - R)``
        are the cover rule on the requirement ``R - f``; below 0 the excess has a constant part.
        When ``R - f`` is at most 0 or at least the number who can work it, one of the two terms
        is always 0 and the other linear: no shortfall variable (most covers of a small
        neighbourhood, and every cover of a one-person model).
        """
        inst = self.instance
        given = Counter((d, s) for (_, d, s) in outside)
        out = []
        for c in inst.cover:
            xs = [x for e in self.people for x in self.work.get((e, c.day, c.shift_id), ())]
            need = c.required - given[c.day, c.shift_id]
            if need <= 0:  # over at once: linear, no shortfall variable
                out.append(c.over * (sum(xs) - need))
            elif need >= len(xs):  # never over: linear
                out.append(c.under * (need - sum(xs)))
            else:
                name = f"{c.day},{c.shift_id}"
                out.append(cover.add_soft_cover(self.model, xs, need, c.under, c.over, name))
        return out

    def assigned(self, solver: cp_model.CpSolver | cp_model.CpSolverSolutionCallback) -> set[Key]:
        """The modelled assignments in `solver`'s (last) solution."""
        return {key for key, xs in self.work.items() if solver.value(xs[0])}

    def hint(self, roster: Collection[Key]) -> None:
        """Start the search from `roster` (a whole roster; only the modelled keys are read)."""
        self.model.clear_hints()
        for key, xs in self.work.items():
            self.model.add_hint(xs[0], key in roster)
