"""The sizing model: the roster model of one station plus a keep-or-hire decision per auxiliary.

Phase 1 minimises weighted uncovered crews with every candidate available: what stays uncovered
then needs sworn officers (the sworn shortfall). Phase 2 holds that coverage and minimises the
auxiliary headcount (civilians weighted slightly cheaper, so support posts go to civilian
auxiliaries: deploy by category). A cap on headcount turns the same model into the oracle of the
marginal-coverage curve.
"""

from __future__ import annotations

from dataclasses import dataclass

from ortools.sat.python import cp_model

from allocate.domain import Dataset, Horizon
from allocate.model.builder import RosterModel
from allocate.model.hint import complete_hints
from allocate.model.params import hint_from, solver_for
from allocate.policy import Policy
from allocate.sizing.candidates import KINDS, is_candidate, make_candidates, station_posts, upper_bound

HEAD_WEIGHT = {"aux_service": 10, "aux_civilian": 9}


@dataclass(frozen=True)
class Solved:
    status: str
    uncovered: int  # crews
    uncovered_cost: int  # priority-weighted
    headcount: dict[str, int]  # per kind, selected
    wall: float
    bound: float | None = None


class SizingModel:
    def __init__(
        self,
        dataset: Dataset,
        station_id: str,
        horizon: Horizon,
        policy: Policy,
        extra: dict[str, int] | None = None,
    ) -> None:
        posts = station_posts(dataset, station_id, horizon)
        self.station_id = station_id
        self.current = {
            k: sum(1 for p in dataset.staff if p.station_id == station_id and p.role == k) for k in KINDS
        }
        self.bounds = {k: (extra or {}).get(k, upper_bound(dataset, posts, k, station_id)) for k in KINDS}
        staff = [p for p in dataset.staff if not (p.station_id == station_id and is_candidate(p))]
        for kind in KINDS:
            staff += make_candidates(dataset, station_id, kind, self.bounds[kind], posts)
        self.dataset = dataset.replace(staff=tuple(staff))
        self.roster = RosterModel(
            self.dataset,
            horizon,
            policy,
            (station_id,),
            posts,
            hint_last=frozenset(p.person_id for p in staff if is_candidate(p)),
            hint_pack=True,
        )
        m = self.roster.model
        self.selected: dict[str, list[cp_model.IntVar]] = {k: [] for k in KINDS}
        by_person: dict[int, list] = {}
        for (i, _q), x in self.roster.x.items():
            by_person.setdefault(i, []).append(x)
        for i, person in enumerate(self.roster.people):
            if person.role not in KINDS:
                continue
            sel = m.new_bool_var(f"sel[{person.person_id}]")
            for x in by_person.get(i, ()):
                m.add_implication(x, sel)
            self.selected[person.role].append(sel)
            if not by_person.get(i):
                m.add(sel == 0)
        self.total = sum(sum(v) for v in self.selected.values())
        self.cap = m.add(self.total <= sum(len(v) for v in self.selected.values()))
        self.uncovered_cost = next(t.cost for t in self.roster.terms if t.name == "uncovered")
        self.uncovered = next(t.amount for t in self.roster.terms if t.name == "uncovered")
        self.headcount_cost = sum(HEAD_WEIGHT[k] * sum(v) for k, v in self.selected.items())
        self._hinted = False
        self._last: cp_model.CpSolver | None = None
        self._greedy: cp_model.CpSolver | None = None  # the completed greedy roster, a fallback

    def set_cap(self, cap: int | None) -> None:
        """At most `cap` auxiliaries (both kinds) selected; None lifts the cap."""
        top = sum(len(v) for v in self.selected.values()) if cap is None else cap
        domain = self.cap.proto.linear.domain
        domain.clear()
        domain.extend([-(2**62), top])

    def _solve(self, objective, time_limit: float, seed: int, workers: int) -> tuple[cp_model.CpSolver, int]:
        m = self.roster.model
        m.clear_objective()
        m.minimize(objective)
        if not self._hinted:
            self._greedy = complete_hints(self.roster, max(5.0, time_limit / 2))
            self._hinted = True
        solver = solver_for(time_limit, seed, workers, {})
        status = solver.solve(m)
        if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):  # warm-start the next phase from here
            hint_from(m, solver)
        return solver, status

    def shortfall_by_post(self) -> list[tuple[object, int]]:
        """(post, uncovered crews) of the last solution, for the posts left uncovered."""
        solver = self._last
        if solver is None:
            return []
        return [
            (pv.post, int(solver.value(pv.shortfall)))
            for pv in self.roster.post_vars
            if pv.shortfall is not None and solver.value(pv.shortfall) > 0
        ]

    def _result(self, solver: cp_model.CpSolver, status: int) -> Solved:
        ok = status in (cp_model.OPTIMAL, cp_model.FEASIBLE)
        if not ok and self._greedy is not None and self._last is None:
            # CP-SAT found nothing in time on a large horizon: the greedy roster is still a lawful
            # answer (an upper bound on the minimum), better than none.
            solver, ok = self._greedy, True
            status_name = "GREEDY"
        else:
            status_name = solver.status_name(status)
        if ok:
            self._last = solver
        return Solved(
            status_name,
            int(solver.value(self.uncovered)) if ok else -1,
            int(solver.value(self.uncovered_cost)) if ok else -1,
            {k: int(sum(solver.value(s) for s in v)) if ok else -1 for k, v in self.selected.items()},
            solver.wall_time,
            solver.best_objective_bound if ok else None,
        )

    def min_uncovered(self, time_limit: float, seed: int = 0, workers: int = 2) -> Solved:
        """Phase 1 (and the curve's oracle under a cap): fewest weighted uncovered crews."""
        solver, status = self._solve(
            self.uncovered_cost * 1000 + self.headcount_cost, time_limit, seed, workers
        )
        return self._result(solver, status)

    def min_headcount(
        self, uncovered_cost: int, time_limit: float, seed: int = 0, workers: int = 2
    ) -> Solved:
        """Phase 2: fewest auxiliaries that keep weighted uncovered crews at `uncovered_cost`."""
        hold = self.roster.model.add(self.uncovered_cost <= uncovered_cost)
        solver, status = self._solve(self.headcount_cost, time_limit, seed, workers)
        out = self._result(solver, status)
        hold.proto.clear_linear()  # lift the hold: the model is reused for the curve
        return out
