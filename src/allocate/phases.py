"""The phased solve of one roster model: the whole objective, then proofs, with stop rules.

1. **The whole objective** (coverage weighted far above the soft goals), from the greedy roster.
   With the lines-of-work model and the fair-band fairness term its linear relaxation is tight, so
   this usually ends proven optimal within a fraction of a second.
2. **Coverage proof.** Weighted uncovered crews alone, started from step 1's roster: the relaxation
   is tight, so proving that no roster staffs more crews takes a root LP, not a search.
3. **Only if step 2 staffed more crews than step 1:** hold that coverage exactly and minimise the soft
   goals alone, from step 2's roster.

A step stops as soon as its soft goals are within `SOFT_GAP_LIMIT` of their bound; the time limit is
a ceiling, not the usual way a solve ends. Every step runs under a deterministic work limit (CP-SAT's
``max_deterministic_time``) as well as the wall-clock ceiling. With one worker and a fixed seed, a
solve that ends by proof, by the gap rule or by its work limit gives the same roster whatever the
machine's load; only a solve cut off by the wall clock (``stopped_by == "time limit"``) may not.
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
WHOLE_SHARE = 0.7  # of a unit's work budget, for step 1; the proofs get the rest
COVERAGE_FLOOR = 0.1  # the coverage proof gets at least this share, even after a long step 1
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
    """Progress to the callbacks, and the gap rule: stop once the soft goals are close enough.

    `held` is the coverage cost the objective leaves out (step 3), or None when the objective
    holds the coverage term itself (step 1: the soft part is the objective minus `cover`).
    """

    def __init__(
        self, solver, index: int, callbacks: SolveCallbacks, cover, held: float | None, gap_rule: bool
    ) -> None:
        super().__init__()
        self.solver, self.index, self.callbacks = solver, index, callbacks
        self.cover, self.held, self.gap_rule = cover, held, gap_rule
        self.stopped_on_gap = False
        self.best: tuple[float, float] | None = None  # (objective, its coverage cost)

    def on_solution_callback(self) -> None:
        covered = self.held if self.held is not None else self.value(self.cover)
        offset = self.held or 0.0
        self.best = (self.objective_value, covered)
        self.callbacks.on_solution(
            self.index, self.objective_value + offset, self.best_objective_bound + offset, self.wall_time
        )
        self.check(self.best_objective_bound)

    def on_bound(self, bound: float) -> None:
        self.callbacks.on_bound(self.index, bound + (self.held or 0.0))
        self.check(bound)

    def check(self, bound: float) -> None:
        if self.best is None or not self.gap_rule:
            return
        objective, covered = self.best
        soft = objective if self.held is not None else objective - covered
        if objective > bound and objective - bound <= SOFT_GAP_LIMIT * max(1.0, soft):
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
    """Solve `m` within `budget`; the model is left as it was found (holds removed)."""
    callbacks = callbacks or SolveCallbacks()
    params = dict(solver_params or {})
    started = time.perf_counter()
    spent = 0.0

    def run(objective, work: float, gap_rule: bool, held: float | None = None):
        """One CP-SAT solve of `objective` from the current hint: (solver, status, watch)."""
        nonlocal spent
        m.model.minimize(objective)
        solver = solver_for(budget.seconds - (time.perf_counter() - started), seed, workers, params)
        solver.parameters.max_deterministic_time = _work(params, max(0.001, work))
        watch = _Watch(solver, index, callbacks, cover.cost, held, gap_rule)
        solver.best_bound_callback = watch.on_bound
        status = solver.solve(m.model, watch)
        spent += solver.deterministic_time
        return solver, status, watch

    greedy = complete_hints(m, max(0.5, HINT_SHARE * budget.seconds), params)
    cover = next(t for t in m.terms if t.name == "uncovered")
    soft_cost = sum(t.cost for t in m.terms if t is not cover)
    full = cover.cost + soft_cost
    found = (cp_model.OPTIMAL, cp_model.FEASIBLE)

    # 1. The whole objective.
    whole, status1, watch1 = run(full, WHOLE_SHARE * budget.work, gap_rule=True)
    if status1 not in found:
        m.model.minimize(full)
        if greedy is None:
            return PhaseOutcome(
                None, whole.status_name(status1), "none", False, None, None, None, None, "no solution", spent
            )
        objective = greedy.value(full)
        stopped = _stopped_by(status1, False, whole, budget, spent)
        cost = greedy.value(cover.cost)
        return PhaseOutcome(
            greedy, "FEASIBLE", "greedy", False, objective, None, objective - cost, None, stopped, spent
        )
    best, best_status, best_watch = whole, status1, watch1
    covered = round(whole.value(cover.cost))

    # 2. Coverage proof, from step 1's roster.
    hint_from(m.model, whole)
    proof, status2, _ = run(
        cover.cost, max(COVERAGE_FLOOR * budget.work, budget.work - spent), gap_rule=False
    )
    coverage_proven = status2 == cp_model.OPTIMAL
    least = round(proof.objective_value) if status2 in found else covered

    held = None
    if least < covered:
        # 3. Step 1 left crews that a roster can staff: hold the better coverage, then the soft goals.
        hint_from(m.model, proof)
        hold = m.model.add(cover.cost == least) if coverage_proven else m.model.add(cover.cost <= least)
        third, status3, watch3 = run(
            soft_cost if coverage_proven else full, budget.work - spent, gap_rule=True, held=least
        )
        hold.proto.clear_linear()  # the model object may be solved again (what-if reuse)
        if status3 in found:
            best, best_status, best_watch, held = third, status3, watch3, least if coverage_proven else None
        else:
            best, best_status, best_watch = (
                proof,
                status2,
                _Watch(proof, index, callbacks, cover.cost, None, False),
            )
    m.model.minimize(full)

    objective = best.value(full)
    cost = best.value(cover.cost)
    soft = objective - cost
    raw_bound = max(0.0, best.best_objective_bound)  # every term is non-negative
    if best is proof:
        soft_bound = None  # a coverage-only roster: nothing is known of its soft goals
    elif held is not None:
        soft_bound = min(soft, raw_bound)  # step 3's objective is the soft goals alone
    elif coverage_proven and cost <= least:
        soft_bound = min(soft, max(0.0, raw_bound - least))  # step 1: whole bound minus least coverage
    else:
        soft_bound = None
    bound = (
        least + soft_bound
        if coverage_proven and soft_bound is not None
        else (least if coverage_proven else None)
    )
    optimal = coverage_proven and soft_bound is not None and soft_bound >= soft
    source = "cp-sat coverage only" if best is proof else "cp-sat"
    stopped = _stopped_by(best_status, best_watch.stopped_on_gap, best, budget, spent)
    return PhaseOutcome(
        best, "OPTIMAL" if optimal else "FEASIBLE", source, coverage_proven, objective, bound, soft,
        soft_bound, stopped, spent,
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
