"""Solve: build one CP-SAT model per planning unit, solve within a shared time budget, assemble
the roster. Stations are independent problems unless lending is on (then each district is one)."""

from __future__ import annotations

import threading
import time
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Any

import pandas as pd

from allocate.callbacks import SolveCallbacks
from allocate.contract import COVERAGE_COLUMNS, ROSTER_COLUMNS
from allocate.crew_forming import form_crews
from allocate.demand import default_horizon, expand_posts
from allocate.diagnose import explain_uncovered
from allocate.io.load import check_horizon
from allocate.machine import cores, paced_collection
from allocate.model import lines
from allocate.model.builder import RosterModel
from allocate.model.params import WORK_PER_SECOND
from allocate.phases import Budget, solve_phases
from allocate.pins import check_pins
from allocate.policy import Policy
from allocate.result import GoalAmount, Result, UnitResult
from allocate.verify import verify_roster

if TYPE_CHECKING:
    import datetime as dt

    from ortools.sat.python import cp_model

    from allocate.domain import Assignment, Dataset, Horizon, Post


def planning_units(dataset: Dataset, lending: bool) -> list[tuple[str, tuple[str, ...]]]:
    """(name, station ids): one per station, or one per district when auxiliaries may be lent."""
    if not lending:
        return [(s.station_id, (s.station_id,)) for s in sorted(dataset.stations, key=lambda s: s.station_id)]
    districts: dict[str, list[str]] = defaultdict(list)
    for s in dataset.stations:
        districts[s.district].append(s.station_id)
    return [(f"district {d}", tuple(sorted(ids))) for d, ids in sorted(districts.items())]


@paced_collection()
def solve(
    dataset: Dataset,
    horizon: Horizon | None = None,
    policy: Policy | None = None,
    *,
    time_limit: float = 60.0,
    work_limit: float | None = None,
    seed: int = 0,
    workers: int | None = None,
    jobs: int | None = None,
    callbacks: SolveCallbacks | None = None,
    published: tuple[Assignment, ...] = (),
    verify: bool = True,
    freeze_before: dt.datetime | None = None,
    ranked: tuple[str, ...] = (),
    **solver_params: Any,
) -> Result:
    """Roster `dataset` over `horizon` under `policy`.

    `time_limit` is the wall-clock ceiling of the whole solve and `work_limit` its deterministic
    work budget (CP-SAT's deterministic seconds; default half the time limit), shared between units
    by model size. Units (stations, or districts with lending) are solved `jobs` at once (default:
    one per core, with `workers` CP-SAT workers each), the biggest first; a unit stops as soon as it
    is proven. Each unit's work budget is fixed before any is solved, so with one worker (the
    default) and a fixed `seed` the roster is reproducible whatever the machine's load and however
    many units run at once, unless the wall-clock ceiling cut a unit short (``stopped_by``). The
    roster is checked by the independent verifier unless ``verify=False``.
    Extra keyword arguments are CP-SAT parameters (``relative_gap_limit=0.01``).
    Pins (``dataset.pins``) are hard; a pin the law forbids raises :class:`InputError`.
    A re-plan (:mod:`allocate.replan`) passes `freeze_before` (posts starting earlier keep the
    `published` people) and `ranked` (goals minimised in turn right after coverage).
    """
    started = time.perf_counter()
    horizon = horizon or default_horizon(dataset)
    check_horizon(dataset, horizon)
    policy = policy or Policy()
    check_pins(dataset, horizon, policy, _before(published, dataset, freeze_before))
    callbacks = callbacks or SolveCallbacks()
    workers = workers or 1
    jobs = max(1, jobs or cores() // workers)
    posts = expand_posts(dataset, horizon)
    by_station: dict[str, list[Post]] = defaultdict(list)
    for post in posts:
        by_station[post.station_id].append(post)

    built: list[tuple[str, tuple[str, ...], RosterModel, float]] = []
    for name, ids in planning_units(dataset, policy.lending):
        t0 = time.perf_counter()
        unit_posts = [p for sid in ids for p in by_station.get(sid, [])]
        model = RosterModel(
            dataset, horizon, policy, ids, unit_posts, published, use_lines=True, freeze_before=freeze_before
        )
        built.append((name, ids, model, time.perf_counter() - t0))
    callbacks.on_start(len(built), sum(m.num_variables for _, _, m, _ in built))

    work = work_limit if work_limit is not None else time_limit * WORK_PER_SECOND
    clock = _Clock(started + time_limit, [max(1, m.num_variables) for _, _, m, _ in built], jobs)

    def solve_one(index: int) -> tuple[UnitResult, list[tuple], list[tuple]]:
        name, ids, model, build_seconds = built[index]
        budget = Budget(clock.seconds_for(index), max(0.05, work * clock.sizes[index] / clock.total))
        callbacks.on_unit_start(index, name, budget.seconds)
        unit, rows, cov = _solve_unit(
            model, name, ids, budget, seed, workers, index, callbacks, solver_params, ranked
        )
        unit.build_seconds = build_seconds
        callbacks.on_unit_end(index, name, unit.status, unit.objective or 0.0, unit.wall_seconds)
        return unit, rows, cov

    # The biggest units first, `jobs` at once (CP-SAT leaves Python's lock while it searches).
    order = sorted(range(len(built)), key=lambda i: -clock.sizes[i])
    if clock.jobs == 1:
        solved = dict(zip(order, map(solve_one, order), strict=True))
    else:
        with ThreadPoolExecutor(max_workers=clock.jobs) as pool:
            solved = dict(zip(order, pool.map(solve_one, order), strict=True))
    units = [solved[i][0] for i in range(len(built))]
    roster_rows = [row for i in range(len(built)) for row in solved[i][1]]
    coverage_rows = [row for i in range(len(built)) for row in solved[i][2]]

    roster = pd.DataFrame(roster_rows, columns=ROSTER_COLUMNS)
    coverage = pd.DataFrame(coverage_rows, columns=COVERAGE_COLUMNS)
    settings = {
        "time_limit": time_limit, "work_limit": work_limit, "seed": seed, "workers": workers, **solver_params
    }  # fmt: skip
    reasons = explain_uncovered(dataset, horizon, policy, roster, coverage)
    unsolved = {sid for u in units if not u.has_solution for sid in u.station_ids}
    if unsolved:
        hit = reasons["station_id"].isin(unsolved)
        reasons.loc[hit, "reason"] = "no solution within the time limit"
        reasons.loc[hit, "detail"] = "the station's model found no roster in its share of the time limit"
    result = Result(
        dataset, horizon, policy, units, roster, coverage, reasons, settings, time.perf_counter() - started
    )
    if verify:
        result.verification = verify_roster(dataset, horizon, policy, roster, coverage)
        result.wall_seconds = time.perf_counter() - started
    return result


class _Clock:
    """The wall-clock ceilings of units solved `jobs` at once: a unit that starts gets its size's share
    of the time left, over the units not yet started, times the units that run beside it (the whole
    time left at most). Only a ceiling: a unit's work budget is what normally ends it.
    """

    def __init__(self, deadline: float, sizes: list[int], jobs: int) -> None:
        self.deadline, self.sizes, self.total = deadline, sizes, sum(sizes)
        self.jobs = max(1, min(jobs, len(sizes)))
        self._waiting = self.total
        self._lock = threading.Lock()

    def seconds_for(self, index: int) -> float:
        with self._lock:
            share = self.sizes[index] / max(1, self._waiting)
            self._waiting -= self.sizes[index]
            left = self.deadline - time.perf_counter()
        return max(0.05, left * min(1.0, share * self.jobs))


def _before(
    published: tuple[Assignment, ...], dataset: Dataset, cut: dt.datetime | None
) -> tuple[Assignment, ...]:
    """The published assignments a re-plan freezes (they start before the cut)."""
    if cut is None:
        return ()
    shifts = dataset.shift_by_id
    return tuple(a for a in published if a.shift_id in shifts and shifts[a.shift_id].starts_at(a.date) < cut)


def _solve_unit(
    m: RosterModel,
    name: str,
    ids: tuple[str, ...],
    budget: Budget,
    seed: int,
    workers: int,
    index: int,
    callbacks: SolveCallbacks,
    solver_params: dict[str, Any],
    ranked: tuple[str, ...] = (),
) -> tuple[UnitResult, list[tuple], list[tuple]]:
    """The phased solve of one unit (:mod:`allocate.phases`), read back into rows."""
    started = time.perf_counter()
    out = solve_phases(
        m, budget, seed=seed, workers=workers, index=index, callbacks=callbacks, solver_params=solver_params,
        ranked=ranked,
    )  # fmt: skip
    unit = UnitResult(
        name=name,
        station_ids=ids,
        status=out.status,
        objective=out.objective,
        bound=out.bound,
        wall_seconds=time.perf_counter() - started,
        build_seconds=0.0,
        variables=m.num_variables,
        constraints=m.num_constraints,
        people=len(m.people),
        source=out.source,
        coverage_proven=out.coverage_proven,
        soft_objective=out.soft_objective,
        soft_bound=out.soft_bound,
        stopped_by=out.stopped_by,
        work=out.work,
        steps=out.steps,
    )
    if out.solver is None:  # the unit's posts are reported, all unstaffed, under the unit's status
        return unit, [], [_coverage_row(pv.post, 0) for pv in m.post_vars]
    solver = out.solver
    unit.goals = {t.name: GoalAmount(solver.value(t.amount), solver.value(t.cost), t.unit) for t in m.terms}
    return unit, *extract_rows(m, solver)


def extract_rows(m: RosterModel, solver: cp_model.CpSolver) -> tuple[list[tuple], list[tuple]]:
    """Roster rows (crews with leads) and coverage rows from the solver's values."""
    people = m.people
    counted = lines.names(m, solver.value)
    members: list[tuple[list[str], list[str], list[int]]] = []
    on_duty: dict[tuple, list[str]] = defaultdict(list)  # (station, date, shift) -> sworn ids
    for q, pv in enumerate(m.post_vars):
        by_class = counted.get(q, ([], []))
        sworn = [people[i].person_id for i, x in pv.sworn if solver.boolean_value(x)]
        sworn += [people[i].person_id for i in by_class[0]]
        aux = [people[i].person_id for i, x in pv.aux if solver.boolean_value(x)]
        aux += [people[i].person_id for i in by_class[1]]
        counts = [solver.value(n) for n in pv.crews]
        members.append((sworn, aux, counts))
        on_duty[pv.post.station_id, pv.post.date, pv.post.shift_id] += sworn
    roles = {p.person_id: p.role for p in people}
    roster: list[tuple] = []
    coverage: list[tuple] = []
    for pv, (sworn, aux, counts) in zip(m.post_vars, members, strict=True):
        post = pv.post
        commander = None
        if m.dataset.task_by_id[post.task_id].duty_class == "independent":
            commander = min(on_duty[post.station_id, post.date, post.shift_id], default=None)
        crews = form_crews(pv.patterns, counts, sworn, aux, commander)
        stem = f"{post.station_id}-{post.date:%Y%m%d}-{post.shift_id}-{post.task_id}"
        for k, crew in enumerate(crews, start=1):
            for person_id, slot in crew.members:
                roster.append(
                    (post.date.isoformat(), post.station_id, post.shift_id, post.task_id, f"{stem}-{k}",
                     person_id, roles[person_id], slot, crew.lead_id)
                )  # fmt: skip
        coverage.append(_coverage_row(post, len(crews)))
    return roster, coverage


def _coverage_row(post: Post, staffed: int) -> tuple:
    return (
        post.date.isoformat(), post.station_id, post.shift_id, post.task_id,
        post.crews_required, staffed, post.crews_required - staffed,
    )  # fmt: skip
