"""Solve one benchmark instance with the engine's solver settings, and write its roster.csv.

Up to `FULL_MAX_VARIABLES` shift variables and a horizon of `lns.LONG_HORIZON` days (instances
1-12 and 14-19): (1) a lawful roster person by person (:func:`allocate.nrp.lns.construct`; past
`QUICK_DAYS`, by the exact programme, :func:`allocate.nrp.descent.construct`);
(2) column generation from it (:mod:`allocate.nrp.columns`, each person priced by a dynamic
programme in milliseconds; past `WARM_DAYS`, after a warm-up) to the LP's optimum, or
`COLUMNS_SHARE` of the time, or until past `CHECKPOINT_SHARE` its gap shrinks too slowly to near
the LP's in time: its Lagrangian bound (the bound reported when better than CP-SAT's); then,
if the LP is solved or nearly (`columns.NEAR_GAP`), a roster by diving from it (until `DIVE_SHARE`; a dive ending more than
`columns.REDIVE_RISE` above the LP is made again, one person fixed at a time, until `REDIVE_SHARE`); if the dive was cut
short, or its roster ended above `columns.NEAR_RISE` of the root, the whole model over the cells of
its last LP within that rise (`NEAR_SHARE`), then, from an LP solved of whole value, over
the root LP's cells with the objective capped at its bound (`CAPPED_SHARE`); a generation
stopped short but whose bound is not far below its LP's (`columns.FAR`) is dived from by people
where the time left holds enough rounds a person (`columns.PEOPLE_ROUNDS`; past `WARM_DAYS`,
not even from an LP nearly solved), else by cells
(`columns.DIVE_CELLS`: fixing whole columns would not end in time), and handed to the
whole model over its LP's cells once they are nearly whole; then
a descent: each person re-planned by the exact programme given the others until nobody gains
(:mod:`allocate.nrp.descent`, a second); then, after a dive from an LP solved or nearly that was
not cut, the whole model over the Lagrangian core (:mod:`allocate.nrp.core`: the cells whose
least reduced cost is near the bound, a growing core capped below the incumbent; then the cells
that hold every better roster: a proof when that model is solved or holds none); (3) the whole model from the best roster on every
worker for a share of the time left (`WHOLE_SHARE`); (4) if not proven, a large-neighbourhood search by people and days (:mod:`allocate.nrp.lns`),
one thread per worker, until the time is up; with two workers or more, the first thread walks
the incumbent's plateau instead (:class:`allocate.nrp.descent.Walk`), else it descends from each
new incumbent between its steps (a quarter of its time at most); without the LP solved, the whole
model gets `ROUGH_WHOLE_SHARE`. Larger instances (13, 20-24): (1) where the exact programme
serves everybody (13), a roster person by person by it (:func:`allocate.nrp.descent.construct`)
and the descent; else a lawful roster of each person alone (a dynamic programme,
:mod:`allocate.nrp.lawful`, CP-SAT for the few it cannot serve; the hard rules bind one person
each); (4) the search, where the walk runs (13) with everybody over a few days sliding across the
horizon beside it (:mod:`allocate.nrp.sweep`) in place of the few people's neighbourhoods, for
`guide.SHARE` of the time (and the first roster) on a copy whose weekend holes weigh more
(:mod:`allocate.nrp.guide`), from the LP's solution where the time holds a column generation
(`guide.lp_fits`, `guide.lp_start`: 13 from 47 s, from 38 s by a quicker generation; its bound
then the LP's) and until its roster is down to the LP's holes, then on the instance's own
weights; in both, the sweeps' windows aimed at weekday holes first, then at two weekends while
the roster has more holes than the LP's (`sweep.Aim`); in both,
once the LP is solved, each window works only its solution's cells, the roster's and those of
the rows left short (`sweep.Sweep.cells`), six days wide; the
bound reported is the counting one of :mod:`allocate.nrp.bounds` (the whole model's, a minute
in, is near 0 there), as it is wherever the models give none better. If (1) fails in
`LAWFUL_SHARE` of the time, no roster.
"""

from __future__ import annotations

import csv
import math
import threading
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from ortools.sat.python import cp_model

from allocate.callbacks import SolveCallbacks
from allocate.model.params import solver_for
from allocate.nrp import descent, guide, lns, pattern
from allocate.nrp.bounds import cover_bound
from allocate.nrp.columns import DIVE_CELLS, REDIVE_RISE, TOLERANCE, ColumnGeneration
from allocate.nrp.core import Core, lagrangian_core
from allocate.nrp.model import NrpModel
from allocate.nrp.pricing import SCALE
from allocate.nrp.sweep import Aim, Sweep
from allocate.output import atomic_folder

if TYPE_CHECKING:
    from collections.abc import Collection, Iterator
    from pathlib import Path

    from allocate.nrp.instance import Instance
    from allocate.nrp.model import Key

ROSTER_COLUMNS = ("employee", "day", "shift")
START_SHARE = 0.4  # of the time, at most, for the first roster
# days: on a longer horizon the first roster is the programme's (see `solve_instance`). Within
# it, CP-SAT's costs little and the rest goes better from it: instance 8 (28 days) 1,304, not
# 1,403; 14 (42) 1,281 twice, not 1,286 twice; 16 (56) 3,225 proven at 58.9 s, not 3,229.
# Instance 19 (84): 3,170-3,173 from the programme's, 3,209-3,216 from CP-SAT's (6 s of it)
QUICK_DAYS = 56
# days: on a longer horizon the generation is warmed up (`ColumnGeneration.warm_up`) and, unless
# it converges, dived from by cells. Instance 19's rounds take 0.5-0.8 s and its generation stopped
# at a gap of 21-28 % (LP 3,458-3,602, bound 2,588-2,718; best known 3,149); warmed up (8-9 s), at
# 1-2 % (LP 3,154-3,164, bound 3,104-3,124). 10 iterates: 6 %; 30: 2 %, the warm-up 14 s. Within
# 1 % it would dive by people (see `columns.PEOPLE_ROUNDS`): cut at 48 s, 3,971-4,263 in three
# runs. Shorter horizons are not warmed up: instance 15's dive by people took half as long again
# a round over the warm-up's columns, and five runs ended at 4,040-4,651 (four without:
# 3,850-3,971); 12 and 17 converge sooner with it (2.5 s against 6.1, 5.4 against 9.3), but do
# in time without
WARM_DAYS = QUICK_DAYS
WHOLE_SHARE = 0.5  # of the time left after the first roster, for the whole model
ROUGH_WHOLE_SHARE = 0.1  # the same when the LP was not solved (no dive) and the descent serves
COLUMNS_SHARE = 0.4  # of the time, at most, until column generation stops
CHECKPOINT_SHARE = 0.15  # of the time: column generation stops here if it would not converge in time
# of the time: a dive from the LP stops here; the whole model and the search get the rest. Instance
# 15's dive takes 36 s (431 rounds, its pricing unproven for many): at 0.5 it was cut and the run
# ended at 4,156-4,613; at 0.8, cut again, the cells of its LP then gave 3,855 (best known 3,828); at
# 0.9, whole, 3,856 and 3,953. Instance 14: 1,279 twice (best known 1,278), 1,282-1,287 at 0.5
DIVE_SHARE = 0.8
# a second dive, one person at a time (`columns.REDIVE_RISE`), only until this share, and none
# past it: instance 18's took 17-24 s after a whole first dive of 4,669 (25 s) and ended at
# 6,304-7,004, the run at 4,564; started past it, it returned at once, cut (8,706)
REDIVE_SHARE = 0.5
# of the time, at most, after a dive cut short, for the whole model restricted to the cells its
# LP worked (its fixed people's columns, the others' columns of positive share) and the
# incumbent's: instance 12, 4041 in 12 s from a dive cut at 30 s (36 of 60 people fixed, its roster
# 6567), where the whole model and the search from that roster ended at 4153-4843
NEAR_SHARE = 0.25
# of the time, at most, for the whole model over the root LP's cells capped at its bound, after a
# dive (see `_restrictions`); the restricted model before it then gets half of `NEAR_SHARE`:
# instance 12's once ran all its 15 s to 4047, from which the capped model took 17.6 s to 4040
CAPPED_SHARE = 0.3
# of the time, at most, for the whole model over the Lagrangian cores (see `core_ladder`); the proof
# over the cells that hold every better roster then has the rest
CORE_SHARE = 0.25
# penalty points above the Lagrangian bound a cell may cost in the second core searched (the
# first: 0, then twice as many points each core)
CORE_STEP = 0.25
# a core step whose cells are within this factor of the proof's goes to the proof (instance 5:
# cores of 457 and 475 cells held no better roster; the next, 505, would leave the proof's 519
# cells too little time)
CORE_CLOSE = 1.1
# of the time, the end of the search over who works the one shift type the LP leaves short
# (`pattern`): the proof over the cores has the rest. Instance 8's never ends within the minute
PATTERN_UNTIL = 0.95
FULL_MAX_VARIABLES = 30_000  # employees x days x shift types
LAWFUL_SHARE = 0.8  # of the time, at most, for a long horizon's first roster person by person


@dataclass
class NrpResult:
    status: str
    objective: int | None  # the solver's objective (the evaluator recomputes it from the roster)
    bound: float | None
    seconds: float
    assignments: list[tuple[int, int, str]] = field(default_factory=list)  # (employee, day, shift)
    neighbourhoods: int = 0
    build_seconds: float = 0.0
    pricing_rounds: int = 0  # column generation's rounds
    converged: bool = False  # column generation's LP solved: its bound is the LP's value

    @property
    def has_solution(self) -> bool:
        return self.status in ("OPTIMAL", "FEASIBLE")


class Whole:
    """The whole model, feeding its rosters and bound to the incumbent as they come.

    With `cells`, every other (person, day, shift) is barred: a roster near a dive's LP (see
    `NEAR_SHARE`). Its bound and optimum are then the restricted model's, so none is reported.
    With `cap`, only rosters worth at most that are sought (a restricted model may have none).
    """

    def __init__(
        self,
        instance: Instance,
        best: lns.Incumbent | None,
        workers: int,
        seed: int,
        params: dict,
        cells: Collection[Key] | None = None,
        cap: int | None = None,
    ) -> None:
        started = time.perf_counter()
        self.m = NrpModel(instance)
        if cells is not None:
            for key, xs in self.m.work.items():
                if key not in cells:
                    self.m.model.add(xs[0] == 0)
        if cap is not None:
            self.m.model.add(self.m.penalty <= cap)
        self.restricted = cells is not None
        self.build_seconds = time.perf_counter() - started
        if best is not None:
            self.m.hint(best.roster)
        self.best, self.workers, self.seed, self.params = best, workers, seed, params
        self.status: int | None = None
        self.solver: cp_model.CpSolver | None = None

    def run(self, limit: float) -> None:
        solver = self.solver = solver_for(limit, self.seed, self.workers, self.params)
        best = self.best
        assert best is not None

        def bound(value: float) -> None:
            # integer objective; every penalty >= 0; the column generation's bound may be better
            best.raise_bound(math.ceil(value - 1e-6))
            if best.proven:
                solver.stop_search()

        if not self.restricted:
            solver.best_bound_callback = bound
        self.status = solver.solve(self.m.model, _Offer(self.m, best))
        if self.restricted:
            return
        if self.status == cp_model.OPTIMAL:
            bound(solver.objective_value)
        elif self.status == cp_model.FEASIBLE:
            bound(solver.best_objective_bound)


class _Offer(cp_model.CpSolverSolutionCallback):
    def __init__(self, m: NrpModel, best: lns.Incumbent) -> None:
        super().__init__()
        self.m, self.best = m, best

    def on_solution_callback(self) -> None:
        value = round(self.objective_value)
        if value < self.best.objective:
            self.best.offer(frozenset(self.m.assigned(self)), value)


def solve_instance(
    instance: Instance,
    time_limit: float = 60.0,
    workers: int = 2,
    seed: int = 0,
    callbacks: SolveCallbacks | None = None,
    **solver_params: object,
) -> NrpResult:
    """The best roster found within `time_limit` seconds (see the module's docstring), each
    better roster and bound told to `callbacks` as it comes (the instance is unit 0)."""
    callbacks = callbacks or SolveCallbacks()
    callbacks.on_start(1, _variables(instance))
    callbacks.on_unit_start(0, instance.name, time_limit)
    result = _solve(instance, time_limit, workers, seed, callbacks, dict(solver_params))
    callbacks.on_unit_end(0, instance.name, result.status, result.objective or 0, result.seconds)
    return result


def _variables(instance: Instance) -> int:
    """The whole model's shift variables, at most: employees x days x shift types."""
    return len(instance.staff) * instance.days * len(instance.shifts)


def _solve(
    instance: Instance, time_limit: float, workers: int, seed: int, callbacks: SolveCallbacks, params: dict
) -> NrpResult:
    started = time.perf_counter()
    deadline = started + time_limit
    size = _variables(instance)
    whole = columns = None
    serves = descent.serves(instance)
    counted = float(cover_bound(instance))  # a bound always, where no model gives one
    large = instance.days > lns.LONG_HORIZON or size > FULL_MAX_VARIABLES
    # the first roster person by person by the programme where it serves everybody, on a large
    # instance or a horizon past `QUICK_DAYS`: instance 13, 10,014 (7 s), not 79,598 (5 s); 19,
    # 20,426 in 0.8 s where CP-SAT's 15,187 took 6 s, and the columns pass both in a round or two
    quick = serves and (large or instance.days > QUICK_DAYS)
    # where the walk searches (13), it starts guided by weekend holes weighing more (see guide)
    guided = guide.weighted(instance) if serves and large else None
    guided_steps = 0
    target = None  # the holes of the LP's solution, rounded up, where it was solved
    cells = None  # the cells its solution works, there: the sweeps' (see sweep.Sweep.cells)
    # it starts from the LP's solution given the time, else from each person's cheapest roster
    # at a price on every shift, which is then the first roster too (see guide)
    lp = guided is not None and guide.lp_fits(size, time_limit, workers)
    # else, where the quick generation fits, that one (see guide.QUICK_LP_SECONDS)
    quick_lp = guided is not None and not lp and guide.lp_fits(size, time_limit, workers, quick=True)
    lp = lp or quick_lp
    priced = guide.priced_start(instance, workers, seed, params) if guided is not None and not lp else None
    if priced is not None:  # the weekends weigh more from there (see guide)
        guided = guide.weighted(instance, guide.PRICED_FACTOR)
    first = guided or instance  # the first roster too, on the copy (so the guide was measured)
    lines = None
    if quick and priced is None:
        lines = descent.construct(first, lns.score(first, frozenset()), seed, params)

    def incumbent(roster: frozenset[Key], objective: int, bound: float) -> lns.Incumbent:
        """The first roster, told to `callbacks` as the better ones will be."""
        callbacks.on_solution(0, objective, bound, time.perf_counter() - started)
        return lns.Incumbent(roster, objective, bound, callbacks=callbacks, started=started)

    roster = lines.roster if lines is not None else priced
    best = incumbent(roster, lns.score(instance, roster), counted) if roster is not None else None
    if large:
        if best is None:
            status, roster = lns.lawful(instance, started + LAWFUL_SHARE * time_limit, seed, params, workers)
            if roster is None:
                return NrpResult(status, None, None, time.perf_counter() - started)
            best = incumbent(roster, lns.score(instance, roster), counted)
        if guided is not None:
            begun, start = started, priced
            if lp:
                lp_deadline = started + guide.LP_SHARE * time_limit
                columns = ColumnGeneration(instance, best.roster, quick=quick_lp)
                start = guide.lp_start(columns, best, lp_deadline, workers, seed, params)
                # the holes past the LP's are the ones to fill (see sweep); a stalled LP's too:
                # instance 13 forced to stop at round 10 (see `columns.STALL`), 1,384-1,391 at
                # 60 s with them, 1,484-1,494 from its start alone (its holes: 11, as solved)
                if columns.converged or columns.stalled:
                    target = math.ceil(columns.shortfall() - TOLERANCE)
                    cells = frozenset(columns.support())
                if best.proven:  # the first roster, or the LP's own, at the LP's bound
                    return _result(best, None, started, 0, columns)
                begun = time.perf_counter()
                if start is None:  # stopped short: the LP's poor man's version (see guide)
                    start = guide.priced_start(instance, workers, seed, params)
            shadow = guide.Shadow.of(best, instance, guided, start, target)
            until = begun + guide.SHARE * (deadline - begun)
            descent.descend(guided, shadow, until, seed, params)
            guided_steps = _search(
                guided,
                shadow,
                until,
                workers,
                seed,
                params,
                serves=True,
                large=True,
                aim=Aim(guided, target),
                cells=cells,
            )
        if serves:
            descent.descend(instance, best, deadline, seed, params)
    else:
        if best is None:
            status, roster, objective = lns.construct(
                instance, started + START_SHARE * time_limit, seed, params
            )
            if objective is None:
                return NrpResult(status, None, None, time.perf_counter() - started)
            best = incumbent(roster, objective, counted)
        columns = columns_and_dives(instance, best, started, time_limit, workers, seed, params)
        if best.proven:
            return _result(best, None, started, 0, columns)
        if _restricted(
            instance, best, _restrictions(columns, best, time_limit), deadline, workers, seed, params
        ):
            return _result(best, None, started, 0, columns)
        # After the columns: from the descended roster, instance 8's dive ended worse (60 s, load
        # 4: 1507 against 1407). Without a dive, a second to a roster nobody alone improves
        # (instance 17: 10,719 to 7,471).
        if serves:
            descent.descend(instance, best, deadline, seed, params)
        # where the LP leaves a single shift type short, a search over who works it (instance 8)
        pattern.search(columns, best, started + PATTERN_UNTIL * time_limit, workers, seed, params)
        if best.proven:
            return _result(best, None, started, 0, columns)
        # the Lagrangian cores, after a dive that was not cut (cut: an instance too large for
        # them; 12's core of excess 0 holds 5,686 of 10,446 cells, and 15 s found no better
        # roster there, where the cut dive's LP cells gave 4041 in 2 s)
        core = lagrangian_core(columns, workers) if columns.nearly_solved and not columns.cut else None
        if core is not None:
            # its bound may pass the generation's: the surcharges are optimised again
            best.raise_bound(-(-core.total // SCALE))
            if best.proven or _restricted(
                instance, best, core_ladder(core, best, time_limit), deadline, workers, seed, params
            ):
                return _result(best, None, started, 0, columns)
        if time.perf_counter() >= deadline:  # the proof over the cores had the rest
            return _result(best, None, started, 0, columns)
        # the whole model: often a better roster
        whole = Whole(instance, best, workers, seed, params)
        share = WHOLE_SHARE if columns.divable or not serves else ROUGH_WHOLE_SHARE
        whole.run(share * (deadline - time.perf_counter()))
        if whole.status == cp_model.OPTIMAL or best.proven:
            return _result(best, whole, started, 0, columns)
    steps = _search(
        instance,
        best,
        deadline,
        workers,
        seed,
        params,
        serves=serves,
        large=large,
        aim=Aim(instance, target) if guided is not None else None,
        cells=cells,
    )
    return _result(best, whole, started, guided_steps + steps, columns)


def _search(
    instance: Instance,
    best: lns.Incumbent,
    deadline: float,
    workers: int,
    seed: int,
    params: dict,
    *,
    serves: bool,
    large: bool,
    aim: Aim | None = None,
    cells: frozenset[Key] | None = None,
) -> int:
    """Step (4), one thread per worker, until `deadline`: the walk beside CP-SAT's neighbourhoods
    where the programme `serves` everybody, the sweep in place of the neighbourhoods on a `large`
    instance, and there a second sweep once the walk stalls (`descent.WALK_STALL`), the two
    sharing `aim` (the days they solve first, see :class:`allocate.nrp.sweep.Aim`); the steps of
    the neighbourhoods and sweeps."""
    stop = threading.Event()
    steps = [0] * max(1, workers)

    def search(k: int) -> None:
        if k == 0 and serves and workers > 1:  # the walk beside CP-SAT's neighbourhoods
            walk = descent.Walk(instance, best, seed, params)
            walk.run(deadline, stop, descent.WALK_STALL if large else None)
            if large:  # stalled: a second sweep, from the middle of the horizon
                sweep = Sweep(
                    instance, best, seed + workers, params, first=instance.days // 2, aim=aim, cells=cells
                )
                steps[k] = sweep.run(deadline, stop)
            return
        if k == 1 and serves and large:  # everybody over a few days beside the walk (13)
            steps[k] = Sweep(instance, best, seed + k, params, aim=aim, cells=cells).run(deadline, stop)
            return
        polish = descent.Polish(instance, best, seed, params) if k == 0 and serves else None
        steps[k] = lns.improve(instance, best, deadline, seed + k, params, stop, polish)

    threads = [threading.Thread(target=search, args=(k,)) for k in range(1, workers)]
    for thread in threads:
        thread.start()
    try:
        search(0)
    finally:
        stop.set()
        for thread in threads:
            thread.join()
    return sum(steps)


def columns_and_dives(
    instance: Instance,
    best: lns.Incumbent,
    started: float,
    time_limit: float,
    workers: int,
    seed: int,
    params: dict,
) -> ColumnGeneration:
    """Column generation from the incumbent to the LP's optimum: its bound; then, unless its
    bound is far below its LP's (`columns.FAR`), a roster by diving from the LP."""
    columns = ColumnGeneration(instance, best.roster)
    deadline, checkpoint = started + COLUMNS_SHARE * time_limit, started + CHECKPOINT_SHARE * time_limit
    warm = instance.days > WARM_DAYS
    if warm:
        columns.warm_up(best.objective, deadline, workers)
    columns.run(deadline, workers, seed, params, target=best.objective, checkpoint=checkpoint)
    if columns.bound is not None:
        best.raise_bound(columns.bound)
    # No master over all the columns (SCIP): after a dive it gave the dive's roster again
    # (instance 8: 1508 in 6 s; 18, after a dive cut short: 6 s for nothing), and in place of one
    # far worse (instance 14: 2,944, where the dive's cells gave 1,290). A cut dive, or one ending
    # above `NEAR_RISE`, leaves cells to the caller (`NEAR_SHARE`).
    if columns.divable and not best.proven:
        dive_deadline = started + DIVE_SHARE * time_limit
        people = columns.nearly_solved or columns.people_fit(dive_deadline)
        # past `WARM_DAYS`, by people only from an LP solved: else too mixed to fix in time
        cells = None if (columns.converged if warm else people) else DIVE_CELLS
        dived = columns.dive(dive_deadline, workers, seed, params, cells=cells)
        if dived is not None:
            best.offer(*dived)
            assert columns.lp_value is not None  # a dive starts from the root's LP
            redive = started + REDIVE_SHARE * time_limit
            if (
                not columns.cut
                and dived[1] > (1 + REDIVE_RISE) * columns.lp_value
                and time.perf_counter() < redive
            ):
                first = columns.near
                again = columns.dive(redive, workers, seed, params, most=1.0, cells=None)
                if again is not None:
                    best.offer(*again)
                columns.earlier = first
        # a dive's first round prices before fixing anybody, so it may raise the root's bound
        # (instance 17 with its generation cut at 40 % of 52 s: 5,736, then 5,746, its optimum,
        # which the roster found next reaches)
        if columns.bound is not None:
            best.raise_bound(columns.bound)
    return columns


@dataclass
class Restriction:
    """The whole model over some cells (the incumbent's too), its objective capped or not, for
    some seconds at most; `exact` when its cells hold every roster better than the incumbent (the
    Lagrangian core's, :mod:`allocate.nrp.core`): solved or found empty, the best is optimal."""

    cells: set[Key]
    cap: int | None
    seconds: float
    exact: bool = False
    status: int | None = None  # CP-SAT's, once run


def _restricted(
    instance: Instance,
    best: lns.Incumbent,
    restrictions: Iterator[Restriction],
    deadline: float,
    workers: int,
    seed: int,
    params: dict,
) -> bool:
    """Run the whole model over each restriction in turn, from the incumbent; whether it is
    proven optimal (the LP's bound reached, or an exact restriction solved or found empty)."""
    for restriction in restrictions:
        near = Whole(instance, best, workers, seed, params, restriction.cells | best.roster, restriction.cap)
        near.run(min(restriction.seconds, deadline - time.perf_counter()))
        restriction.status = near.status
        if restriction.exact and near.status in (cp_model.OPTIMAL, cp_model.INFEASIBLE):
            # its cells hold every roster better than the incumbent it started from: the best
            # of them is now the incumbent (OPTIMAL), or there is none (INFEASIBLE)
            best.raise_bound(best.objective)
        if best.proven:
            return True
    return False


def core_ladder(core: Core, best: lns.Incumbent, time_limit: float) -> Iterator[Restriction]:
    """The whole model over the Lagrangian core's cells of excess at most 0, `CORE_STEP`, then
    twice as many points each time a core is solved, each capped one below the incumbent: only
    better rosters are sought. At the first core left unsolved, once `CORE_SHARE` of the time is
    spent, or once the next core would be nearly as large (`CORE_CLOSE`), the ladder goes to the
    cells that hold every better roster, for the rest of the time: solved, or holding no roster,
    the best is optimal; else it is the whole model over the only cells a better roster can
    use. Each is yielded when the one before has run (its status set). Small cores solve fast,
    large ones hold the optimum (instance 7 from the dive's 1,062: at 0, 513 cells, none better
    in 0.2 s; at 0.25, 613 cells, 1,056 in 4 s; at 0.5 at once, 686 cells, 1,056-1,058 in 15 s,
    unsolved). The proof took instance 5 17-22 s (519 cells), more than the 21 s it once had."""
    until, level = time.perf_counter() + CORE_SHARE * time_limit, 0  # level: the excess, scaled
    while not best.proven:
        room = core.room(best.objective - 1)
        exact = level >= room  # the core holds every better roster
        seconds = math.inf if exact else until - time.perf_counter()
        if seconds <= 0:
            level = room  # the ladder's share spent: the proof
            continue
        step = Restriction(core.within(min(level, room)), best.objective - 1, seconds, exact)
        yield step
        if exact:
            break
        if step.status not in (cp_model.OPTIMAL, cp_model.INFEASIBLE):
            level = room  # unsolved: a larger core would be too; the proof
            continue
        level = 2 * level if level else round(CORE_STEP * SCALE)
        room = core.room(best.objective - 1)
        if len(core.within(room)) <= CORE_CLOSE * len(core.within(level)):
            level = room  # the proof's cells are hardly more: straight to the proof


def _restrictions(columns: ColumnGeneration, best: lns.Incumbent, time_limit: float) -> Iterator[Restriction]:
    """The restricted whole models after a dive, in turn (each yielded when the one before
    has run, so each sees the incumbent it left):

    1. the cells of a cut dive's LP, or of its last LP within `columns.NEAR_RISE` (`NEAR_SHARE`);
    2. if the LP was solved and its value is whole, those of the root LP's solution and the
       dive's, capped at the LP's bound (`CAPPED_SHARE`): any roster found is optimal (instance
       12: the dive's cells gave 4041, or none when its LP had risen; capped over the root's 2399
       cells and that roster's, 4040 in 7 s, where without the cap 15 s did not improve it; from
       the first roster, 8692, not in 15 s. Instance 10, after a whole dive to 4635: 4631 in 0.9
       s). Not when the LP's value is fractional: a roster at the bound is then above the LP's
       (instance 18: LP 4417.3, best known 4459, 18 s for nothing; 7: 1054.x, 5 s to prove the
       capped model has no roster); instance 6's whole 1949 (best known 1950) took 0.2 s to
       prove it."""
    capped = bool(columns.root) and columns.whole_value
    # after a second dive, its cells and then the first's, each with half the share (instance 5:
    # its first dive 1246, the second 1148, and 1143, the best known, over the first's cells in
    # 8 s; with the second's cells alone it ended at 1146)
    nears = [cells for cells in (columns.near, columns.earlier) if cells]
    for cells in nears:
        yield Restriction(cells, None, (NEAR_SHARE / 2 if capped else NEAR_SHARE) / len(nears) * time_limit)
    if capped and best.bound is not None and not best.proven:
        yield Restriction(
            columns.root | columns.near, math.ceil(best.bound - 1e-6), CAPPED_SHARE * time_limit
        )


def _result(
    best: lns.Incumbent, whole: Whole | None, started: float, steps: int, columns: ColumnGeneration | None
) -> NrpResult:
    optimal = (whole is not None and whole.status == cp_model.OPTIMAL) or best.proven
    return NrpResult(
        "OPTIMAL" if optimal else "FEASIBLE",
        best.objective,
        best.bound,
        time.perf_counter() - started,
        sorted(best.roster),
        steps,
        whole.build_seconds if whole is not None else 0.0,
        columns.rounds if columns is not None else 0,
        columns.converged if columns is not None else False,
    )


def write_roster(instance: Instance, result: NrpResult, out: Path) -> Path:
    """DIR/roster.csv: employee id, 0-based day, shift id; one row per assignment (atomic)."""

    def write(folder: Path) -> None:
        with open(folder / "roster.csv", "w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerow(ROSTER_COLUMNS)
            for e, d, s in result.assignments:
                writer.writerow((instance.staff[e].employee_id, d, s))

    return atomic_folder(out, write)
