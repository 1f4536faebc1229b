"""The benchmark as a CP-SAT model built from the engine's rule-family modules.

The police model's crews, posts and eligibility have no counterpart here (every shift is one
post filled by single people), so this is a thin variable layer: one Boolean per employee, day
and allowed shift, in the same ``work[(person, day, shift)] -> [x]`` shape the police model
hands to its rule modules. Every rule is then added by the module that adds it to police
rosters (successions, runs, weekends, totals, cover, requests): shared rule code, not a copy.

Variables that a rule fixes to 0 are never created: a day off, or a shift type whose maximum is
0. The objective is the benchmark's, exactly, in integers.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ortools.sat.python import cp_model

from allocate.model import cover, runs, successions, totals, weekends
from allocate.model.days import Lit, worked_days
from allocate.model.requests import unmet

if TYPE_CHECKING:
    from allocate.nrp.instance import Instance


class NrpModel:
    """Builds and holds the CP-SAT model of one benchmark instance."""

    def __init__(self, instance: Instance) -> None:
        self.instance = instance
        self.model = cp_model.CpModel()
        self.work: dict[tuple[int, int, str], list[cp_model.IntVar]] = {}
        self.worked: list[list[Lit]] = []
        self.penalty: cp_model.LinearExprT = 0
        self._build()

    def _build(self) -> None:
        inst, model = self.instance, self.model
        shift_ids = inst.shift_ids
        for e, emp in enumerate(inst.staff):
            for d in range(inst.days):
                if (e, d) in inst.days_off:
                    continue
                for s in shift_ids:
                    if emp.max_shifts[s] > 0:
                        self.work[e, d, s] = [model.new_bool_var(f"x[{emp.employee_id},{d},{s}]")]
        forbidden = successions.followers((s.shift_id, b) for s in inst.shifts for b in s.not_followed_by)
        minutes = {s.shift_id: s.minutes for s in inst.shifts}
        for e, emp in enumerate(inst.staff):
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
        self.penalty = sum(self._request_terms()) + sum(self._cover_terms())
        model.minimize(self.penalty)

    def _request_terms(self) -> list[cp_model.LinearExprT]:
        inst = self.instance
        on = [(r, True) for r in inst.on_requests]
        off = [(r, False) for r in inst.off_requests]
        return [
            r.weight * unmet(self.work.get((r.employee, r.day, r.shift_id), []), want) for r, want in on + off
        ]

    def _cover_terms(self) -> list[cp_model.LinearExprT]:
        inst = self.instance
        out = []
        for c in inst.cover:
            xs = [x for e in range(len(inst.staff)) for x in self.work.get((e, c.day, c.shift_id), ())]
            out.append(
                cover.add_soft_cover(self.model, xs, c.required, c.under, c.over, f"{c.day},{c.shift_id}")
            )
        return out
