"""The phased solve of one roster model: coverage, then the whole objective, with stop rules.

1. **Coverage**: weighted uncovered crews alone, from the greedy roster. When the completed greedy
   roster already staffs every crew, nothing can cover more and the step is skipped (two stations in
   three of the generated city). Otherwise the counting model (`allocate.counting`: counts per day,
   shift and group of interchangeable people, a few thousandths of a deterministic second) proves a
   floor and a plan at it (crews per post); a roster that meets the floor, the greedy one included,
   is proven, and the step's search stops there; it starts from the plan. Else the step's linear
   relaxation is usually tight, so the fewest uncovered crews is proven within a fraction of a
   second. When the first half of its share does not prove it (a real shortage of skilled people),
   the coverage is *held* at the best bound from that roster (any roster found there is proven);
   only where that hold is proven infeasible (the floor below the least) does a search with the
   whole relaxation in CP-SAT's LP from the start (`PROOF_PARAMS`) try to prove more. Coverage is
   also proven when step 2's roster meets the bound step 1 proved.
2. **The whole objective** (coverage weighted far above the soft goals), from the better of the
   greedy roster and step 1's, with the proven coverage as a floor. (Where crews stay uncovered,
   step 2 starts from step 1's roster with its people *re-seated*, its crews kept:
   `allocate.reseat`, a neighbourhood search; with the coverage proven above 0, soft goals
   re-seated to 0 end it, else one short round follows: see `RESEAT_SHARE`; with the coverage
   unproven, the rounds go on from the re-seated roster.) With the lines-of-work model and
   the fair-band fairness term the bound is tight (often known at the root), so this is a search for
   the roster that meets it, in rounds: CP-SAT's LP-guided search and its default search by turns,
   each from the best roster so far, a new seed every two rounds (`ROUND_SHARE`). Once coverage is
   proven, every other round from the second *targets* a value (the proven least first): it holds
   the objective at most that value, a much smaller search, and proves either way (a roster there
   proven optimal is optimal; a target proven infeasible raises the least).
3. **Only if step 2 staffed fewer crews than step 1** (or found nothing): hold step 1's coverage
   and minimise the soft goals alone, from step 1's roster.

A re-plan first runs a step 0 (``ranked``): coverage, then its ranked goals (the fewest changes),
folded into one objective whose weights make the order strict; the ranked goals are then held at the
values found while steps 1 to 3 run (from step 0's roster), and released at the end.

A step stops as soon as its soft goals are within `SOFT_GAP_LIMIT` of their bound; the time limit is
a ceiling, not the usual way a solve ends. Every step runs under a deterministic work limit (CP-SAT's
``max_deterministic_time``) as well as the wall-clock ceiling. With one worker and a fixed seed, a
solve that ends by proof, by the gap rule or by its work limit gives the same roster whatever the
machine's load; only a solve cut off by the wall clock (``stopped_by == "time limit"``) may not.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from ortools.sat.python import cp_model

from allocate.callbacks import SolveCallbacks
from allocate.counting import coverage_floor
from allocate.model.hint import PostTarget, complete_hints, plan_hint, settle
from allocate.model.params import LP_SEARCH_PARAMS, hint_from, set_hint
from allocate.reseat import reseat
from allocate.result import SOFT_GAP_LIMIT, Proof
from allocate.stages import Settings, Stage, StageResult, Status, release, run_stage, stop_rule

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping

    from allocate.model.builder import RosterModel
    from allocate.stages import Source, StopRule

# Of a unit's work budget, at most, for step 1; step 2 gets the rest (and step 3 what step 2 left).
# Only a station with a real shortage spends it (others prove coverage in the first half or skip the
# step), and there coverage is the proof that counts: its two halves need 0.75 + 0.75 det at the
# city's shortage stations (S001 proven in 0.75 + 0.71), while the whole objective is rarely proven
# there at any budget. With the batch's 2.5 det a station, 0.6 keeps those 1.5 det for coverage.
COVERAGE_SHARE = 0.6
# Completing the greedy hint is mostly presolve (a fraction of a second), but it is the roster that
# stands if CP-SAT finds nothing: on a loaded machine it may take up to half the unit's time.
HINT_SHARE = 0.5
# The counting model's coverage floor takes 0.001-0.002 deterministic seconds at the city's
# 330-350-person stations; this is a ceiling (a floor cut by it is still a floor).
FLOOR_WORK = 0.05
RANKED_SHARE = 0.7  # of a unit's work budget, for a re-plan's step 0 (coverage, then fewest changes)
# Step 1's proof (when neither its first half nor the hold at the bound proved it): CP-SAT's
# settings there (the caller's own parameters win). Step 1 is proven by its linear relaxation's
# bound, and CP-SAT adds linear constraints to its LP lazily by default, once violated. At a
# station with a real shortage
# (too few skilled people on the busiest shifts) its bound then stalled below the optimum: city S001
# not proven in 30 deterministic seconds on one worker, S120 and S103 not in 15. With the whole
# relaxation in the LP from the start they were proven in 2.2, 3.3 and 3.9; but that search finds
# rosters more slowly (S120: 13 uncovered crews after 1.5 det instead of 5), hence two halves: the
# default search finds the roster, then this one proves it (S001 at the batch's defaults: proven in
# 0.75 + 0.71 det, not proven in 1.5 by the default search alone).
PROOF_PARAMS: dict[str, Any] = {"add_lp_constraints_lazily": False}
PROOF_SPLIT = 0.5  # of step 1's share, for its first half (the default search)
# When the first half does not meet the proven bound (the counting floor, usually), step 1 goes on
# with the coverage held at that bound, taking this share of the unit's work left: a much smaller
# search, and one whose every roster is proven. At the city's 6 shortage stations whose coverage the
# two halves left unproven (2.5 det each, one worker), it found 4 rosters at the floor with 80 % of
# what was left after them (0.8 det): S036, S053, S087, S103, one crew fewer each; 3 with 50 %.
# Held with the whole LP from the start (`PROOF_PARAMS`) it found none. The proof half before it
# never raised the bound above the floor there (6 of 6), so the hold now comes first, with its
# work: S153 then proven too (120,000, 22,700 less), the other rosters the same. Step 2 has little
# to lose there: from step 1's roster its rounds had improved nothing at any of the 25.
# The hold searches with CP-SAT's LP-guided branching (`LP_SEARCH_PARAMS`): its rosters are those
# whose coverage meets the LP's bound, and that search finds them where the default one wanders.
# Over the 33 stations of five generated cities (seeds 1, 28-31; 2.5 det, one worker) whose first
# search fell short of the floor: coverage proven at 32 instead of 25, the whole objective at 16
# instead of 5, 50.9 det of work instead of 59.9 (unseen seed 30's S103 and S154: 27 and 21
# crews uncovered, unproven, 2.5 det each -> 21 and 15, the floor, proven in 1.5 and 1.3).
HELD_SHARE = 0.8
# Steps 2 and 3 search for the roster whose soft goals meet a bound that is usually known from the
# root (0 at most stations): a search for rosters, not for bounds, and a heavy-tailed one. CP-SAT's
# LP-guided branching finds it in half the work of its default search (city, 59 stations without a
# shortage, 2.5 det each: 64 s of CPU instead of 122 s, all proven; 57 of them within 0.6 det), but
# at S024 it found nothing better than the greedy roster in 2.1 det, where the default search needed
# 0.7; and a station one search leaves unproven after 2.5 det, another proves in 0.2 (region S003,
# S153). Hence rounds: the two searches by turns, each from the best roster so far, a new seed every
# two rounds, each round a share of the work left (region, 40 stations: 39 proven, 38 with one
# LP-guided search and then the default search; the same work in all).
ROUND_SHARE = 0.3  # of the work left, for each round of steps 2 and 3
# Once coverage is proven, what is left is a search for a roster whose soft goals meet a bound
# usually known at the root (0 at most stations). Holding the objective at that bound ("a target")
# turns it into a much smaller search: region S153 found its optimum in 0.27 det with the hold,
# 0.9 without; S004 0.55 against 2.4. Every other round from the second is such a target, the first
# with half the work left (region, the 26 stations not proven within their first round's 0.75 det,
# 2.5 det each: 22 proven in 29.5 det of work, against 20 in 40.0 without targets; 18 in 38.4 when
# the target came third, after a default search, and 17 in 34.9 with it at 30 %).
# Where crews stay uncovered, a round targets only once the rounds proved more than the coverage
# least: a target at the least itself aims at soft goals of 0, which none of the city's 25 shortage
# stations reached (every such target ended UNKNOWN after 0.6-0.75 det: 4-5 CPU seconds at S001),
# while S154's target at its proven 210,018 found and proved its optimum. The same 25 rosters (S087
# better) in 0.2 det less each.
FIRST_TARGET_SHARE = 0.5
# Where crews stay uncovered, the rounds of steps 2 and 3 stop at the first that proved nothing
# more and found no roster better by more than the gap rule's tolerance of its soft goals (1 %).
# There the LP's bound of the whole objective rarely reaches past the coverage cost (soft bound 0
# at 23 of 25), and from step 1's settled roster the first round improves it by a few units (0 to
# 0.6 % of its soft goals: S137 187,676 -> 187,661) and no round after ever did. The city's 25
# shortage stations at 2.5 det, one worker: 42.0 det instead of 48.2 with two rounds in a row
# without a better roster (a strictly better one counting as progress), 32.1 with the tolerance and
# the hold before the proof, the same rosters but S153's (better); an unseen city's 25 (generated,
# seed 21): 47.1 -> 39.4 det (the hold first, one round) -> 29.9, the same 25 rosters. Not
# elsewhere: at S108 (every crew staffed) a sixth round, after four such, found the optimum.
STALL_ROUNDS = 1
MIN_ROUND_WORK = 0.15  # deterministic seconds: below twice this, the last round takes all the rest
# Where crews stay uncovered (coverage proven above 0), step 1's settled roster (or the greedy one
# where it met the counting floor) first has its people re-seated, its crews kept
# (`allocate.reseat`), within this share of the work left (its moves usually stop sooner, at three
# in a row without a better roster). There the rounds of the whole objective had improved step
# 1's roster by less than 1 % at 24 of the city's 25 shortage stations, leaving 6,000-12,000 of
# soft goals (88-136 h of overtime). Soft goals re-seated to 0 are proven (demo S01, city S001,
# S170): step 2 ends there. 0 turns re-seating off. With half the work left, the city's batch at
# its defaults had 6 stations cut by the wall clock (their moves went on improving by a few units:
# S087, S103, S153 at 1.9-2.2 det); with 30 %: 1, and 180 fully proven instead of 181.
RESEAT_SHARE = 0.3
# Otherwise step 2's rounds follow from the re-seated roster, the first one short, for its bound
# (a tight LP proves a small station's roster at once: tests/test_phases.py's one-officer desk).
# At the city's shortage stations a round from there found nothing better at any of 6 (S018, S035,
# S053, S103, S120, S154) in 0.25-0.55 det (1-2.3 CPU s) each, its bound proving nothing of the
# soft goals at 5 (S154: 18 of 21). A better roster is then no reason for another round; only a
# raised least (a target follows) is. At 330-350 people a short round is mostly presolve: with 0.15
# det, at the 19 city stations where it ran (re-seated, soft goals above 0), it proved nothing and
# bettered one roster (S153, by 15 units) for 0.7-0.9 CPU s each; with 0.02 it costs 0.26-0.32 CPU
# s there (2.5 det less in all, the same rosters but S153's), and the small station's still proves.
RESEATED_ROUND_WORK = 0.02
# Deterministic seconds, at most, for one hold of the soft goals below the roster's (its coverage held
# at the proven least) where coverage is proven but the soft goals are not: infeasible, the roster is
# optimal; a roster it finds is not taken (see the end of `solve_phases`).
SOFT_PROOF_WORK = 0.05


@dataclass(frozen=True)
class Budget:
    """A unit's limits: wall-clock seconds (a ceiling) and deterministic work (CP-SAT's units)."""

    seconds: float
    work: float


@dataclass
class PhaseOutcome(Proof):
    """What the phases proved and which solver holds the roster (None: no roster at all)."""

    solver: cp_model.CpSolver | None
    status: Status  # OPTIMAL, FEASIBLE (a roster, not proven), or CP-SAT's status when there is none
    source: Source  # "cp-sat", "cp-sat coverage only" or "greedy" ("none": no roster)
    coverage_proven: bool
    objective: float | None
    bound: float | None  # a bound of the whole objective, when one is known
    soft_objective: float | None  # the objective without the coverage term
    soft_bound: float | None  # a bound of it, known only once coverage is proven
    stopped_by: StopRule
    work: float  # deterministic time spent
    steps: list[tuple[str, str, float]] = field(default_factory=list)  # (step, status, work)


@dataclass
class NoProgress:
    """A stop rule over rounds (PyVRP's ``NoImprovement``, counted in rounds rather than
    iterations): stop once `rounds` in a row neither found a value more than `tolerance` below
    the best so far (`best` to start with: the roster the rounds start from) nor raised the proven
    least. A gain within the tolerance still becomes the best: the next round must beat it."""

    rounds: int
    best: float | None = None
    tolerance: float = 0.0
    still: int = 0  # rounds in a row without progress

    def __call__(self, found: float | None, raised: bool) -> bool:
        """After a round that found `found` (None: nothing) and raised the least or not: stop?"""
        gain = None if found is None else math.inf if self.best is None else self.best - found
        if gain is not None and gain > 0:
            self.best = found
        self.still = 0 if raised or (gain is not None and gain > self.tolerance) else self.still + 1
        return self.still >= self.rounds


@dataclass(frozen=True)
class _Search:
    """The rounds of one step: the stage holding its roster, the stage that ended them, the least
    value of the objective they proved, and the stop rule when comparing the two ended them."""

    best: StageResult
    last: StageResult
    lower: float
    rule: StopRule | None = None


class _Watch(cp_model.CpSolverSolutionCallback):
    """Progress to the callbacks, and the gap rule: stop once the soft goals are close enough.

    `held` is the coverage cost the objective leaves out (step 3), or None when the objective
    holds the coverage term itself (step 1: the soft part is the objective minus `cover`).
    """

    def __init__(
        self,
        solver,
        index: int,
        callbacks: SolveCallbacks,
        cover,
        held: float | None,
        gap_rule: bool,
        floor: float = 0.0,
    ) -> None:
        super().__init__()
        self.solver, self.index, self.callbacks = solver, index, callbacks
        self.cover, self.held, self.gap_rule = cover, held, gap_rule
        self.floor = floor  # a proven lower bound of the objective (the least coverage cost)
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
        bound = max(bound, self.floor)
        if objective - bound <= SOFT_GAP_LIMIT * max(1.0, soft):
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
    ranked: tuple[str, ...] = (),
) -> PhaseOutcome:
    """Solve `m` within `budget`; the model is left as it was found (holds removed).

    `ranked` names terms (each with a known `top`) to minimise right after coverage, in that order
    and strictly, before the weighted objective: a re-plan ranks ``("stability",)``.
    """
    callbacks = callbacks or SolveCallbacks()
    params = dict(solver_params or {})
    settings = Settings(seed, workers, params)
    deadline = time.perf_counter() + budget.seconds
    done: list[StageResult] = []

    counted = 0.0  # work outside the stages: the counting model's coverage floor, settling
    notes: list[tuple[int, tuple[str, str, float]]] = []  # log lines outside the stages, by place

    def note(line: tuple[str, str, float]) -> None:
        """A line of the solve's log for work outside the stages, after the stages so far."""
        notes.append((len(done), line))

    def spent() -> float:
        return counted + sum(stage.work for stage in done)

    def run(
        step: str,
        objective,
        work: float,
        gap_rule: bool = False,
        held: float | None = None,
        floor: float = 0.0,
        holds: tuple = (),
        extra: Mapping[str, Any] | None = None,
        seed_offset: int = 0,
        **options: Any,
    ) -> StageResult:
        """One stage of `objective` from the current hint, reported to the callbacks; `extra` are
        CP-SAT settings of this stage alone (the caller's own parameters win)."""

        def watch(solver: cp_model.CpSolver) -> _Watch:
            return _Watch(solver, index, callbacks, cover.cost, held, gap_rule, floor)

        stage = Stage(step, objective, work, deadline=deadline, holds=holds)
        own = (
            Settings(seed + seed_offset, workers, {**(extra or {}), **params})
            if extra or seed_offset
            else settings
        )
        done.append(run_stage(m.model, stage, own, watch=watch, **options))
        return done[-1]  # fmt: skip

    def search(
        step: str,
        objective,
        floor: float = 0.0,
        start: cp_model.CpSolver | None = None,
        patience: int | None = None,
        aim_at_floor: bool = True,
        proofs_only: bool = False,
        first_work: float | None = None,
        covered_first: bool = False,
        **options: Any,
    ) -> _Search:
        """The rest of the unit's work on `objective`, in rounds (with one worker), each from the
        best roster so far, each taking `ROUND_SHARE` of the work left (the last, all of it), with
        a new seed every two rounds: CP-SAT's LP-guided search and its default search by turns.

        With the gap rule on (coverage proven: the soft goals are what is left to prove), every
        other round is LP-guided and *targets* a value: it holds the objective at most that value
        (`next_target`: first the proven least, usually the optimum), which CP-SAT's propagation
        turns into a much smaller search. A target proves something whatever its outcome: a roster
        within it that CP-SAT proves optimal is optimal (the hold cuts off only worse rosters), and
        a target proven infeasible raises the least to the target + 1. `floor` is a proven lower
        bound of `objective` to start from, `start` the solver of the roster hinted to start from.

        Without `aim_at_floor`, a round targets only once the rounds proved more than `floor`.
        With `patience`, rounds stop once that many in a row neither found a better roster than
        the best so far (than `start`, before the first) nor raised the proven least: "no progress".
        A roster better by at most the gap rule's tolerance of its soft goals (1 %) is no progress;
        with `proofs_only`, no better roster is: only a raised least is. `first_work` caps the
        first round's work. With `covered_first`, the rounds stop ("no progress") after a first
        round whose roster leaves a crew uncovered (a deferred step 1, see `solve_phases`).
        """
        if workers != 1:
            only = run(step, objective, budget.work - spent(), floor=floor, **options)
            return _Search(only, only, max(floor, proven_least(only, None)))
        holds = tuple(options.pop("holds", ()))
        held, targeting = options.get("held"), bool(options.get("gap_rule"))
        best: StageResult | None = None
        lower, aimed, k = floor, None, -1  # aimed: the last target and its round's status
        stall = None
        if patience is not None:
            begin = None if start is None else start.value(objective)
            slack = 0.0 if start is None else SOFT_GAP_LIMIT * max(1.0, start.value(soft_cost))
            slack = math.inf if proofs_only else slack
            stall = NoProgress(patience, begin, slack)
        while True:
            k += 1
            left = budget.work - spent()
            # every other round from the second: a target (unless it could only aim at the floor)
            aiming = targeting and (aim_at_floor or lower > floor)
            aim = aiming and k % 2 == 1
            share = FIRST_TARGET_SHARE if aim and aimed is None else ROUND_SHARE
            work = left if left < 2 * MIN_ROUND_WORK else max(MIN_ROUND_WORK, share * left)
            work = min(work, first_work) if k == 0 and first_work is not None else work
            target = None
            if aim and best is not None:
                target = next_target(lower, round(best.search.objective_value), aimed)
            guided = aim or k == 0 or (not aiming and k % 2 == 0)
            kind = "LP-guided" if guided else "default"
            name = step if k == 0 else f"{step} (round {k + 1}, {kind} search"
            if k:
                name += f", target {target})" if target is not None else ")"
            last = run(
                name, objective, work, floor=lower,
                holds=holds + ((objective <= target,) if target is not None else ()),
                extra=LP_SEARCH_PARAMS if guided else None, seed_offset=k // 2, **options,
            )  # fmt: skip
            proved = proven_least(last, target)
            raised, lower = proved > lower, max(lower, proved)
            if target is not None:
                aimed = (target, last.search_status)
            if last.searched:
                best = last
                options.pop("fallback", None)
            if last.status == Status.OPTIMAL or last.on_gap or last.stopped_by == "time limit":
                # the gap rule stopping a roster at the proven least (the floor) is a proof
                met = last.on_gap and last.searched and meets_bound(round(last.search.objective_value), lower)
                return _Search(best or last, last, lower, "proof" if met else None)
            if best is not None:
                found = round(best.search.objective_value)
                if found <= lower:
                    return _Search(best, last, lower, "proof")
                soft = found if held is not None else found - best.search.value(cover.cost)
                if targeting and found - lower <= SOFT_GAP_LIMIT * max(1.0, soft):
                    return _Search(best, last, lower, "gap")
            if covered_first and k == 0 and (best is None or round(best.search.value(cover.cost)) > 0):
                return _Search(best or last, last, lower, "no progress")
            value = round(last.search.objective_value) if last.searched else None
            if stall is not None and stall(value, raised):
                return _Search(best or last, last, lower, "no progress")
            if spent() >= budget.work * 0.999:
                return _Search(best or last, last, lower, "work limit")
            if best is not None:
                hint_from(m.model, best.search)

    def _settled(stage: StageResult, objective) -> cp_model.CpSolver:
        """`stage`'s roster with its soft goals' accounting at its least for `objective` (its
        own when that fails within what is left of the wall clock): see `settle`."""
        nonlocal counted
        seconds = min(max(1.0, HINT_SHARE * budget.seconds), deadline - time.perf_counter())
        settled = settle(m, stage.search, objective, seconds, params) if seconds > 0 else None
        status = Status.UNKNOWN if settled is None else Status.of(settled, settled.response_proto.status)
        work = 0.0 if settled is None else settled.deterministic_time
        counted += work
        note((f"{stage.name}: its roster's soft goals settled", str(status), round(work, 4)))
        return stage.search if settled is None else settled

    def _reseated(origin: cp_model.CpSolver) -> tuple[cp_model.CpSolver, _Search | None]:
        """Where crews stay uncovered: step 1's roster (settled) with its people re-seated, its
        crews kept (`reseat`), within `RESEAT_SHARE` of the work left; and step 2's end (a
        `_Search`) if that roster meets the least (soft goals 0): proven, no round is needed."""
        nonlocal counted
        moved = reseat(
            m, origin, full, RESEAT_SHARE * (budget.work - spent()), seed=seed, deadline=deadline,
            least=least or 0.0, solver_params=params,
        )  # fmt: skip
        counted += moved.work
        if moved.moves:
            found = Status.FEASIBLE if moved.solver is not None else Status.UNKNOWN
            status = Status.OPTIMAL if moved.stopped_by == "proof" else found
            line = f"people re-seated, step 1's crews kept ({moved.moves} moves)"
            note((line, str(status), round(moved.work, 4)))
        proof = _Search(first, first, float(least or 0), "proof") if moved.stopped_by == "proof" else None
        return moved.solver or origin, proof

    greedy = complete_hints(m, max(1.0, HINT_SHARE * budget.seconds), params)
    kept = _saved_hint(m)  # the completed greedy roster: a second solve of `m` starts from it too
    cover = next(t for t in m.terms if t.name == "uncovered")
    soft_cost = sum(t.cost for t in m.terms if t is not cover)
    full = cover.cost + soft_cost
    holds: list = []
    try:
        zero, holds, ranked_proven = _ranked_step(m, run, cover, ranked, RANKED_SHARE * budget.work)
        # a re-plan falls back on its step 0 roster, not on the hint
        fallback, source = (zero.solver, "cp-sat coverage only") if zero else (greedy, "greedy")

        # 1. Coverage alone, from the greedy roster (the model's hint stays the greedy roster);
        #    moot when that roster staffs every crew (no re-plan: its hint is step 0's roster).
        #    Otherwise the counting model's floor (a few thousandths of a deterministic second)
        #    proves the coverage of any roster that meets it, the greedy one included.
        def step_1(floor: int, plan: dict[int, PostTarget] | None) -> tuple[StageResult, float]:
            """Coverage alone (`coverage_step`) within its share of the work (what is left of it,
            after a deferred step 2); a re-plan's first half starts from step 0's roster, not the
            counting plan."""
            share = min(COVERAGE_SHARE * budget.work - counted, budget.work - spent())
            return coverage_step(
                m, run, cover.cost, share, floor, plan if zero is None else None,
                held=lambda: HELD_SHARE * (budget.work - spent()),
            )  # fmt: skip

        first = _covered_by(greedy, cover.cost) if zero is None else None
        bound1 = 0.0
        deferred = False  # step 1 left to step 2 (see below)
        if first is None:
            floor1, plan = coverage_floor(m.dataset, m.horizon, m.policy, m.posts, m.people, FLOOR_WORK)
            counted = floor1.work
            status = Status.OPTIMAL if floor1.proven else Status.UNKNOWN
            note((f"coverage floor {floor1.value} (counting model)", str(status), round(counted, 4)))
            first = _covered_by(greedy, cover.cost, floor1.value) if zero is None else None
            # not in a re-plan whose step 0 failed: its coverage can be proven by nothing after it
            deferred = first is None and zero is None and ranked_proven and greedy is not None
            deferred = deferred and floor1.proven and floor1.value == 0
            if deferred:
                first = _deferred(greedy)
            elif first is None:
                first, bound1 = step_1(floor1.value, plan)
        coverage_proven, least = _coverage_of(first, bound1, cover.cost, ranked_proven)
        if first.source == "greedy":  # the greedy roster's coverage cost no work of the budget
            note((first.name, str(first.status), 0.0))

        # 2. The whole objective, from the better of the greedy roster and step 1's: at a station
        #    with a real shortage the greedy roster leaves far more crews uncovered (city S001: 61,
        #    5 proven least), and from it the search had first to find step 1's coverage again (48
        #    uncovered after the rest of the unit's work). A proven coverage cost is a floor of this
        #    objective (the soft goals are >= 0), so the gap rule measures the soft goals against it.
        #    (Stating it as a constraint for CP-SAT made the search slower, not faster; so did
        #    holding step 1's coverage, from its roster: demo S01 not proven in 8 det, instead of
        #    2.1.) With no coverage found in step 1, the fallback roster stands if this finds
        #    nothing either.
        while True:  # twice at most: a deferred step 1 whose step 2 gave up runs, then step 2 again
            start = _settled(first, full) if first.searched and first.source != "greedy" else None
            # re-seated from step 1's roster, or from the greedy one where it met the counting floor
            origin = start if start is not None else greedy if first.source == "greedy" else None
            # Also where step 1's coverage stays unproven (its hold at the floor found nothing): its
            # roster's crews are the best found, and without the moves its soft goals stood as step 1
            # left them. City S121 (seed 1): 7,027 (140 hours of overtime) -> 155, the same 7 crews
            # uncovered, the same work; seed 26's S121 9,876 -> 210. Where the moves find nothing they
            # spend work the station left unspent (seed 27's S053: 2.31 -> 2.5 det, the same roster).
            # Soft goals re-seated to 0 prove nothing there: step 2 searches on.
            reseated = (
                origin is not None
                and bool(least)
                and RESEAT_SHARE > 0
                and (coverage_proven or start is not None)
            )
            reseated_proven = reseated and coverage_proven  # its coverage proven: rounds only for a bound
            proven: _Search | None = None
            if reseated:
                start, proven = _reseated(origin)
                proven = proven if coverage_proven else None
                hint_from(m.model, start)
                begin = start
            elif start is not None and (greedy is None or start.value(full) < greedy.value(full)):
                hint_from(m.model, start)
                begin = start
            else:
                set_hint(m.model, *kept)
                begin = greedy
            #    Deferred (the counting floor is 0, the greedy roster short of it), step 2 is searched
            #    as at a station whose every crew is staffed: its roster proves the coverage when it
            #    staffs every crew, as it does wherever the floor is the least (below); a first round
            #    that leaves a crew uncovered ends it, and step 1 runs (below).
            floor = float(least) if coverage_proven and least is not None else 0.0
            usual = deferred or not least  # every crew can be staffed, as far as is known
            #    From a re-seated roster, a round's better roster is no reason for another, and the
            #    first round is short (`RESEATED_ROUND_WORK`): it is there for its bound.
            ended = proven or search(
                "whole", full, gap_rule=coverage_proven or deferred, floor=floor, start=begin,
                patience=None if usual else STALL_ROUNDS, aim_at_floor=usual, proofs_only=reseated_proven,
                first_work=RESEATED_ROUND_WORK if reseated_proven else None, covered_first=deferred,
                fallback=fallback if least is None else None, fallback_source=source,
            )  # fmt: skip
            whole = ended.best
            if not (deferred and ended.rule == "no progress"):
                break
            # Step 2 gave up after its first round (`covered_first`): step 1 now, and step 2 as
            # at any station whose coverage step 1 searched. The rounds had gone on without ever
            # staffing the crew step 1 then staffs in 0.07 det: unseen city seed 28's S127 (130
            # people), 2.5 det for 1 crew uncovered, coverage unproven, soft goals 103; now every
            # crew staffed and proven, soft goals 3; demo S01 with its counting floor hidden, 13
            # crews uncovered, unproven -> 5, proven. The 57 other deferred stations of seeds 1
            # and 28 the same but two, proven as before (S189 1.13 -> 1.10 det, S057 1.09 -> 1.03).
            first, bound1 = step_1(0, plan)
            coverage_proven, least = _coverage_of(first, bound1, cover.cost, ranked_proven)
            deferred = False
        if not coverage_proven and ranked_proven and first.searched and whole.searched:
            # Step 1 may have proven its bound without finding a roster that meets it: step 2's
            # roster meeting that bound proves its coverage minimal all the same.
            reached = round(whole.search.value(cover.cost))
            if meets_bound(reached, bound1):
                coverage_proven, least = True, reached
        if deferred and not coverage_proven:
            # Some crews stay unstaffed after all: step 1 as usual, with the work left, and step 3
            # below if step 2 traded crews for comfort.
            first, bound1 = step_1(0, plan)
            coverage_proven, found = _coverage_of(first, bound1, cover.cost, ranked_proven)
            least = found if found is not None else least
            if first.searched and first.source != "greedy":
                start = _settled(first, full)
        best, held = whole, None
        if reseated and not whole.searched:
            # Its short first round found nothing (its presolve alone may take that work): the
            # re-seated roster stands, as step 3's would (re-seating was that search already).
            cut = ended.last.stopped_by == "time limit"
            best, ended = first, replace(ended, best=first, rule="time limit" if cut else "no progress")
        elif least is not None and (not whole.searched or round(whole.search.value(cover.cost)) > least):
            # 3. The whole objective traded crews for comfort (or found nothing): hold the
            #    coverage step 1 reached, from its roster, and minimise the soft goals alone,
            #    within what is left of the unit's work (the budget is a ceiling: at the batch's
            #    defaults the whole unit then fits in its wall-clock limit and ends by its work
            #    limit, reproducibly).
            origin = start or first.search
            hint_from(m.model, origin)
            goal = soft_cost if coverage_proven else full
            soft_ended = search(
                "soft", goal, gap_rule=True, start=origin,
                patience=STALL_ROUNDS if least else None, aim_at_floor=not least,
                held=least if coverage_proven else None,
                holds=(cover.cost == least if coverage_proven else cover.cost <= least,),
            )  # fmt: skip
            third = soft_ended.best
            if third.searched:
                best, held, ended = third, least if coverage_proven else None, soft_ended
            else:  # step 1's roster stands (settled); the solve stopped where step 3 did, not by proof
                best, ended = first, replace(soft_ended, rule=None)
    finally:
        release(holds)
        m.model.minimize(full)
        set_hint(m.model, *kept)
    work = spent()
    stop = ended.last
    stopped = ended.rule or stop_rule(
        stop.search_status, stop.on_gap, stop.search, work >= budget.work * 0.99
    )

    steps = _log(done, notes)
    if best.solver is None:
        return PhaseOutcome(
            None, best.status, "none", False, None, None, None, None, "no solution", work, steps
        )  # fmt: skip
    # step 1's roster is read from its settled solver: the same roster, its soft goals counted at their least
    solver = start if best is first and start is not None else best.solver
    objective = solver.value(full)
    cost = solver.value(cover.cost)
    soft = objective - cost
    if not best.searched:  # the fallback roster: nothing is proven of it but step 0's order
        proven = ranked_proven if best.source == "cp-sat coverage only" else False
        return PhaseOutcome(
            solver, Status.FEASIBLE, best.source, proven, objective, None, soft, None, stopped, work, steps
        )  # fmt: skip

    # every term is non-negative; a round's target may have proven more than the roster's solver
    raw_bound = max(0.0, solver.best_objective_bound, ended.lower if best is ended.best else 0.0)
    if best is first:
        # a coverage-only roster: nothing is known of its soft goals; a re-seated one's bound is
        # its moves' alone (not the station's), but soft goals of 0 are the least there can be
        soft_bound = soft if reseated and soft == 0 else None
    elif held is not None:
        soft_bound = min(soft, raw_bound)  # step 3's objective is the soft goals alone
    elif coverage_proven and least is not None and round(cost) <= least:
        soft_bound = min(soft, max(0.0, raw_bound - least))  # step 2: whole bound minus least coverage
    else:
        soft_bound = None
    bound = None if least is None or not coverage_proven else least + (soft_bound or 0.0)
    if bound is None and least is not None:  # coverage unproven: its bound, the counting floor's too
        bound = max(0.0, bound1, first.search.best_objective_bound)
    optimal = coverage_proven and soft_bound is not None and soft_bound >= soft
    left = min(SOFT_PROOF_WORK, budget.work - spent())
    if not optimal and coverage_proven and least and not ranked and soft >= 1 and left >= 0.01:
        # Where crews stay uncovered, the whole objective's bound says nothing of the soft goals,
        # yet they often end small: one hold below the roster's value settles it when infeasible
        # (unseen city seed 29: 3 of its 19 such stations, S120, S137, S138, in 0.02 det each;
        # the 16 others UNKNOWN after 0.05 det, ~0.23 CPU s each).
        hint_from(m.model, solver)
        try:
            below = run(
                f"soft goals below {round(soft)}?", soft_cost, left,
                holds=(cover.cost == least, soft_cost <= round(soft) - 1),
            )  # fmt: skip
        finally:
            m.model.minimize(full)
            set_hint(m.model, *kept)
        if below.search_status == Status.INFEASIBLE:
            soft_bound, bound, optimal, stopped = soft, objective, True, "proof"
        work, steps = spent(), _log(done, notes)
    source = (
        "cp-sat"
        if best is not first or reseated
        else "greedy"
        if first.source == "greedy"
        else "cp-sat coverage only"
    )
    return PhaseOutcome(
        solver, Status.OPTIMAL if optimal else Status.FEASIBLE, source, coverage_proven, objective, bound,
        soft, soft_bound, stopped, work, steps,
    )  # fmt: skip


def _log(
    done: list[StageResult], notes: list[tuple[int, tuple[str, str, float]]]
) -> list[tuple[str, str, float]]:
    """The solve's log: each stage's line, the lines noted outside the stages in their places."""
    return [line for k, d in enumerate(done) for line in [*_at(notes, k), d.step()]] + _at(notes, len(done))


def _at(notes: list[tuple[int, tuple[str, str, float]]], k: int) -> list[tuple[str, str, float]]:
    """The log lines noted just before stage `k`."""
    return [line for at, line in notes if at == k]


def _ranked_step(
    m: RosterModel, run, cover, ranked: tuple[str, ...], work: float
) -> tuple[StageResult | None, list, bool]:
    """Step 0 of a re-plan: coverage, then each ranked goal, strictly; hold the ranked goals.

    Each goal's weight exceeds the most the goals after it can amount to (their `top` + 1), so the
    one objective is the lexicographic order. Returns the stage holding step 0's roster (None if
    none), the holds, and whether the order was proven (coverage is only proven minimal when step 0
    was: steps 1-3 run under its holds).
    """
    terms = [next(t for t in m.terms if t.name == name) for name in ranked]
    if not terms:
        return None, [], True
    goal = cover.cost
    for term in terms:
        goal = goal * (term.top + 1) + term.amount
    zero = run("ranked", goal, work, warm_start=True)
    if not zero.searched:
        return None, [], False
    holds = [m.model.add(t.amount <= round(zero.search.value(t.amount))) for t in terms]
    return zero, holds, zero.status == Status.OPTIMAL


def proven_least(stage: StageResult, target: int | None) -> float:
    """The least value of the objective `stage` proved, run under a hold at `target` (None: none).

    The hold cuts off only rosters above the target, so CP-SAT's bound holds for the whole model
    up to the target + 1, and a target proven infeasible proves the target + 1. Objectives are
    integers: a bound is rounded up (a hair of tolerance for the LP's floating point).
    """
    if stage.search_status == Status.INFEASIBLE:
        return 0.0 if target is None else float(target + 1)
    if not math.isfinite(stage.search.best_objective_bound):
        return 0.0  # no bound known: nothing proven
    bound = math.ceil(stage.search.best_objective_bound - 1e-6)
    return float(bound if target is None else min(bound, target + 1))


def next_target(lower: float, found: int, aimed: tuple[int, Status] | None) -> int | None:
    """The value a targeted round holds the objective at, from the proven least up to the roster
    found (exclusive): the least itself first (the root bound is usually the optimum), then
    halfway; halfway up from the last target when it gave neither a roster nor a proof (UNKNOWN).
    None when nothing lies between."""
    low, high = math.ceil(lower), found - 1
    if high < low:
        return None
    if aimed is None:
        return low
    target, status = aimed
    if status == Status.UNKNOWN and low <= target < high:
        return target + max(1, (high - target + 1) // 2)
    return low + (high - low) // 2


def _covered_by(greedy: cp_model.CpSolver | None, cost, floor: int = 0) -> StageResult | None:
    """Step 1 without a search, when the completed greedy roster's coverage cost meets `floor`.

    Every coverage cost is at least 0 (and at least a proven `floor`), so a roster that costs that
    much is proven to cover the most; its stage stands for step 1 (`searched`, OPTIMAL, from the
    greedy roster). None when it does not.
    """
    if greedy is None or round(greedy.value(cost)) > floor:
        return None
    why = "staffs every crew" if floor == 0 else "meets the counting floor"
    return StageResult(
        f"coverage (greedy roster {why})", greedy, Status.OPTIMAL, "greedy", greedy, Status.OPTIMAL, "proof"
    )


def _deferred(greedy: cp_model.CpSolver) -> StageResult:
    """Step 1 left to step 2, from the greedy roster (nothing proven of it yet).

    Where the counting model proves a floor of 0 but the greedy roster leaves a few crews unstaffed
    (a fifth of a generated city's full-coverage stations), step 1's search (0.05-0.1 det, with its
    presolve and its roster's settling ~0.5 s of CPU) only found what step 2 then finds anyway: a
    roster that staffs every crew, proven by the floor 0.
    """
    return StageResult(
        "coverage (left to the whole objective: counting floor 0)", greedy, Status.FEASIBLE, "greedy",
        greedy, Status.FEASIBLE, "no progress",
    )  # fmt: skip


def coverage_step(
    m: RosterModel,
    run,
    cost,
    work: float,
    floor: int = 0,
    plan: dict[int, PostTarget] | None = None,
    held: Callable[[], float] | None = None,
) -> tuple[StageResult, float]:
    """Step 1: CP-SAT's default search; unless its roster meets the best bound proven, the
    coverage *held* at that bound; and only where no roster is there, the proof with the whole
    LP. Each part stops as soon as its roster meets the bound (`floor` to start with: the
    counting model's, a proven lower bound of the coverage cost).

    With the counting model's `plan` (crews per pattern at each post, at the floor), the first
    search starts from it rather than from the greedy roster: on the generated city's 25 shortage
    stations (2.5 det each, one worker) 19 were proven instead of 17 and 7 fewer crews left
    uncovered (S153 150,000 instead of 210,000; S103 alone worse, 240,000 instead of its floor).

    The hold (`held()` work, from beyond the step's share; none below `MIN_ROUND_WORK`) searches
    with the coverage cost at most the bound rounded up, from the first search's roster, guided by
    the LP (`LP_SEARCH_PARAMS`, see `HELD_SHARE`): any roster it finds is proven least. A hold
    proven infeasible raises the bound (the floor is below the least), and only then does the
    proof (`PROOF_PARAMS`, the rest of the step's share, from the first search's roster, or from
    the greedy roster when that found none) run: there its bound is what can prove more. At the
    city's stations where the first search fell short of the floor, the proof never raised the
    bound above it (6 of 6), while the hold found the floor's roster (5).

    Returns the stage holding step 1's roster and the best lower bound of the coverage cost proved.
    The model's hint is left as it was found (the greedy roster).
    """
    saved = _saved_hint(m)
    if plan:  # the first search from the counting plan's crews: CP-SAT finds their people
        set_hint(m.model, *plan_hint(m, plan))
    first = run("coverage", cost, PROOF_SPLIT * work, gap_rule=floor > 0, floor=floor)
    bounds = [float(floor)]
    if first.searched:  # a bound is only read from a solve that found a roster
        bounds.append(first.search.best_objective_bound)
    rest = work - first.work  # the step's share left for the proof
    try:
        if first.status == Status.OPTIMAL or first.on_gap:
            return first, max(bounds)
        more = held() if held is not None and first.searched else 0.0
        if more >= MIN_ROUND_WORK:
            target = math.ceil(max(bounds) - 1e-6)
            hint_from(m.model, first.search)
            at = run(
                f"coverage held at {target}",
                cost,
                more,
                holds=(cost <= target,),
                gap_rule=True,
                floor=target,
                extra=LP_SEARCH_PARAMS,
            )  # its first roster is proven: it stops there
            if at.searched:
                return at, float(target)
            if at.search_status != Status.INFEASIBLE:
                return first, max(bounds)
            bounds.append(float(target + 1))
            rest = min(rest, held())  # the hold spent beyond the step's share
            if rest < MIN_ROUND_WORK:
                return first, max(bounds)
        if first.searched:
            hint_from(m.model, first.search)  # its roster is the proof's first solution: never worse
        else:
            set_hint(m.model, *saved)
        least = math.ceil(max(bounds) - 1e-6)
        proof = run("coverage proof", cost, rest, extra=PROOF_PARAMS, gap_rule=least > 0, floor=least)
        bounds.append(proof.search.best_objective_bound)
        return (proof if proof.searched else first), max(bounds)
    finally:
        set_hint(m.model, *saved)


def _saved_hint(m: RosterModel) -> tuple[list[int], list[int]]:
    hint = m.model.proto.solution_hint
    return list(hint.vars), list(hint.values)


def _coverage_of(first: StageResult, bound: float, cost, ranked_proven: bool) -> tuple[bool, int | None]:
    """Whether step 1's roster (`first`) has its coverage cost proven least (OPTIMAL, or meeting
    the best `bound` proved; never where a re-plan's step 0 was not proven), and that cost (None:
    no roster of its own)."""
    least = round(first.search.value(cost)) if first.searched else None
    proven = first.status == Status.OPTIMAL or (least is not None and meets_bound(least, bound))
    return ranked_proven and proven, least


def meets_bound(cost: int, bound: float) -> bool:
    """Whether an integer cost (coverage, or the whole objective) is proven least by a lower bound
    of it (CP-SAT's, a float).

    Every weight is an integer, so no roster costs less than the bound rounded up. A bound that is
    not a number proves nothing.
    """
    return math.isfinite(bound) and cost <= math.ceil(bound - 1e-6)
