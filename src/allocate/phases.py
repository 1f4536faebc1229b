"""The phased solve of one roster model: coverage first, then the soft goals, with stop rules.

Phase 1 minimises weighted uncovered crews alone. Its linear relaxation is tight, so the fewest
uncovered crews is usually proven within a second. Phase 2 holds that coverage and minimises the
whole objective; it stops as soon as the soft goals (everything but coverage) are proven optimal or
within `soft_gap_limit` of their bound. The time limit is a ceiling, not the usual way a solve ends.

Each phase runs under a deterministic work limit (CP-SAT's ``max_deterministic_time``) as well as
the wall-clock ceiling. With one worker and a fixed seed, a solve that ends by proof, by the gap rule
or by its work limit gives the same roster whatever the machine's load; only a solve cut off by the
wall clock (``stopped_by == "time limit"``) may not.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from ortools.sat.python import cp_model

from allocate.callbacks import SolveCallbacks
from allocate.model.builder import RosterModel
from allocate.model.hint import complete_hints
from allocate.model.params import hint_from, solver_for

SOFT_GAP_LIMIT = 0.01  # a soft gap of at most 1 % counts as proven (the standard)
COVERAGE_SHARE = 0.6  # of a unit's work budget, for phase 1; phase 2 also gets what phase 1 left
HINT_SHARE = 0.1  # completing the greedy hint: presolve does most of it


@dataclass(frozen=True)
class Budget:
    """A unit's limits: wall-clock seconds (a ceiling) and deterministic work (CP-SAT's units)."""

    seconds: float
    work: float


@dataclass
class PhaseOutcome:
    """What the phases proved and which solver holds the roster (None: no roster at all)."""

    solver: cp_model.CpSolver | None
    status: str  # OPTIMAL, FEASIBLE (a roster, not proven), or CP-SAT's status when there is none
    source: str  # "cp-sat", "cp-sat coverage only" or "greedy"
    coverage_proven: bool
    objective: float | None
    bound: float | None  # a bound of the whole objective, when one is known
    soft_objective: float | None  # the objective without the coverage term
    soft_bound: float | None  # a bound of it, known only once coverage is proven
    stopped_by: str  # "proof", "gap", "work limit", "time limit" or "no solution"
    work: float  # deterministic time spent

    @property
    def soft_gap(self) -> float | None:
        if self.soft_objective is None or self.soft_bound is None:
            return None
        return max(0.0, self.soft_objective - self.soft_bound) / max(1.0, self.soft_objective)

    @property
    def fully_proven(self) -> bool:
        gap = self.soft_gap
        return self.coverage_proven and gap is not None and gap <= SOFT_GAP_LIMIT


class _Watch(cp_model.CpSolverSolutionCallback):
    """Progress to the callbacks, and the gap rule: stop once the soft goals are close enough."""

    def __init__(
        self, solver, index: int, callbacks: SolveCallbacks, gap_rule: bool = False, offset: float = 0.0
    ) -> None:
        super().__init__()
        self.solver, self.index, self.callbacks, self.gap_rule = solver, index, callbacks, gap_rule
        self.offset = offset  # the held coverage cost, so that progress shows the whole objective
        self.stopped_on_gap = False
        self.best: float | None = None

    def on_solution_callback(self) -> None:
        self.best = self.objective_value
        shown = self.best + self.offset, self.best_objective_bound + self.offset
        self.callbacks.on_solution(self.index, *shown, self.wall_time)
        self.check(self.best, self.best_objective_bound)

    def on_bound(self, bound: float) -> None:
        self.callbacks.on_bound(self.index, bound + self.offset)
        if self.best is not None:
            self.check(self.best, bound)

    def check(self, objective: float, bound: float) -> None:
        """The objective is the soft goals alone (phase 2 once coverage is proven)."""
        if not self.gap_rule or objective <= bound:
            return
        if objective - max(0.0, bound) <= SOFT_GAP_LIMIT * max(1.0, objective):
            self.stopped_on_gap = True
            self.solver.stop_search()


def solve_phases(
    m: RosterModel,
    budget: Budget,
    *,
    seed: int,
    workers: int,
    index: int = 0,
    callbacks: SolveCallbacks | None = None,
    solver_params: dict[str, Any] | None = None,
) -> PhaseOutcome:
    """Solve `m` in two phases within `budget`; the model is left as it was found (holds removed)."""
    callbacks = callbacks or SolveCallbacks()
    params = dict(solver_params or {})
    started = time.perf_counter()

    def seconds_left() -> float:
        return budget.seconds - (time.perf_counter() - started)

    greedy = complete_hints(m, max(0.5, HINT_SHARE * budget.seconds), params)
    cover = next(t for t in m.terms if t.name == "uncovered")
    full = sum(t.cost for t in m.terms)
    spent = 0.0

    m.model.minimize(cover.cost)
    first = solver_for(seconds_left(), seed, workers, params)
    first.parameters.max_deterministic_time = _work(params, COVERAGE_SHARE * budget.work)
    watch1 = _Watch(first, index, callbacks)
    first.best_bound_callback = watch1.on_bound
    status1 = first.solve(m.model, watch1)
    spent += first.deterministic_time
    ok1 = status1 in (cp_model.OPTIMAL, cp_model.FEASIBLE)
    coverage_proven = status1 == cp_model.OPTIMAL
    held = round(first.objective_value) if ok1 else None
    hold = None
    if ok1:
        hint_from(m.model, first)
    if coverage_proven:
        # Coverage is settled: hold it exactly and minimise the soft goals alone, so that the bound
        # CP-SAT reports is the soft goals' own bound from the first node.
        hold = m.model.add(cover.cost == held)
        m.model.minimize(sum(t.cost for t in m.terms if t is not cover))
    else:
        # Coverage not proven: phase 2 may still improve it, so it keeps the whole objective.
        if ok1:
            hold = m.model.add(cover.cost <= held)
        m.model.minimize(full)
    second = solver_for(seconds_left(), seed, workers, params)
    second.parameters.max_deterministic_time = _work(params, max(0.05, budget.work - spent))
    watch2 = _Watch(second, index, callbacks, coverage_proven, held if coverage_proven else 0.0)
    second.best_bound_callback = watch2.on_bound
    status2 = second.solve(m.model, watch2)
    spent += second.deterministic_time
    if hold is not None:
        hold.proto.clear_linear()  # the model object may be solved again (what-if reuse)
    m.model.minimize(full)

    if status2 in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        objective = second.value(full)
        soft = objective - second.value(cover.cost)
        if coverage_proven:
            soft_bound = min(soft, max(0.0, second.best_objective_bound))  # every term is >= 0
            bound = held + soft_bound
        else:
            soft_bound = None
            bound = max(0.0, first.best_objective_bound) if ok1 else 0.0
        stopped = _stopped_by(status2, watch2.stopped_on_gap, second, budget, spent)
        status = "OPTIMAL" if status2 == cp_model.OPTIMAL and coverage_proven else "FEASIBLE"
        return PhaseOutcome(
            second, status, "cp-sat", coverage_proven, objective, bound, soft, soft_bound, stopped, spent
        )
    fallback, source = (first, "cp-sat coverage only") if ok1 else (greedy, "greedy")
    if fallback is None:
        return PhaseOutcome(
            None, second.status_name(status2), "none", False, None, None, None, None, "no solution", spent
        )
    objective = fallback.value(full)
    return PhaseOutcome(
        fallback, "FEASIBLE", source, coverage_proven, objective,
        max(0.0, first.best_objective_bound) if ok1 else None,
        objective - fallback.value(cover.cost), None,
        _stopped_by(status2, False, second, budget, spent), spent,
    )  # fmt: skip


def _work(params: dict[str, Any], work: float) -> float:
    """The user's own ``max_deterministic_time`` wins over the unit's share."""
    return float(params.get("max_deterministic_time", work))


def _stopped_by(status, on_gap: bool, solver, budget: Budget, work: float) -> str:
    if status == cp_model.OPTIMAL:
        return "proof"
    if on_gap:
        return "gap"
    if work >= budget.work * 0.99 or solver.deterministic_time >= solver.parameters.max_deterministic_time:
        return "work limit"
    return "time limit"
