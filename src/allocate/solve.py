"""Solve: build one CP-SAT model per planning unit, solve within a shared time budget, assemble
the roster. Stations are independent problems unless lending is on (then each district is one)."""

from __future__ import annotations

import os
import time
from collections import defaultdict
from typing import Any

import pandas as pd
from ortools.sat.python import cp_model

from allocate.callbacks import SolveCallbacks
from allocate.contract import COVERAGE_COLUMNS, ROSTER_COLUMNS
from allocate.crewing import form_crews
from allocate.demand import default_horizon, expand_posts
from allocate.diagnose import explain_uncovered
from allocate.domain import Assignment, Dataset, Horizon, Post
from allocate.io.load import check_horizon
from allocate.model.builder import RosterModel
from allocate.model.hint import complete_hints
from allocate.model.params import hint_from, solver_for
from allocate.policy import Policy
from allocate.result import GoalAmount, Result, UnitResult
from allocate.verify import verify_roster


def planning_units(dataset: Dataset, lending: bool) -> list[tuple[str, tuple[str, ...]]]:
    """(name, station ids): one per station, or one per district when auxiliaries may be lent."""
    if not lending:
        return [(s.station_id, (s.station_id,)) for s in sorted(dataset.stations, key=lambda s: s.station_id)]
    districts: dict[str, list[str]] = defaultdict(list)
    for s in dataset.stations:
        districts[s.district].append(s.station_id)
    return [(f"district {d}", tuple(sorted(ids))) for d, ids in sorted(districts.items())]


class _Progress(cp_model.CpSolverSolutionCallback):
    def __init__(self, index: int, callbacks: SolveCallbacks) -> None:
        super().__init__()
        self.index, self.callbacks = index, callbacks

    def on_solution_callback(self) -> None:
        self.callbacks.on_solution(
            self.index, self.objective_value, self.best_objective_bound, self.wall_time
        )


def solve(
    dataset: Dataset,
    horizon: Horizon | None = None,
    policy: Policy | None = None,
    *,
    time_limit: float = 60.0,
    seed: int = 0,
    workers: int | None = None,
    callbacks: SolveCallbacks | None = None,
    published: tuple[Assignment, ...] = (),
    verify: bool = True,
    **solver_params: Any,
) -> Result:
    """Roster `dataset` over `horizon` under `policy`.

    `time_limit` is the wall-clock budget of the whole solve, shared between units by size and
    handed on when a unit finishes early. With ``workers=1`` and a fixed `seed` the roster is
    reproducible. The roster is checked by the independent verifier unless ``verify=False``.
    Extra keyword arguments are CP-SAT parameters (``relative_gap_limit=0.01``).
    """
    started = time.perf_counter()
    horizon = horizon or default_horizon(dataset)
    check_horizon(dataset, horizon)
    policy = policy or Policy()
    callbacks = callbacks or SolveCallbacks()
    workers = workers or max(1, os.cpu_count() or 1)
    posts = expand_posts(dataset, horizon)
    by_station: dict[str, list[Post]] = defaultdict(list)
    for post in posts:
        by_station[post.station_id].append(post)

    built: list[tuple[str, tuple[str, ...], RosterModel, float]] = []
    for name, ids in planning_units(dataset, policy.lending):
        t0 = time.perf_counter()
        unit_posts = [p for sid in ids for p in by_station.get(sid, [])]
        model = RosterModel(dataset, horizon, policy, ids, unit_posts, published)
        built.append((name, ids, model, time.perf_counter() - t0))
    callbacks.on_start(len(built), sum(m.num_variables for _, _, m, _ in built))

    units: list[UnitResult] = []
    roster_rows: list[tuple] = []
    coverage_rows: list[tuple] = []
    deadline = started + time_limit
    remaining_size = sum(max(1, m.num_variables) for _, _, m, _ in built)
    for index, (name, ids, model, build_seconds) in enumerate(built):
        size = max(1, model.num_variables)
        share = max(0.05, (deadline - time.perf_counter()) * size / remaining_size)
        remaining_size -= size
        callbacks.on_unit_start(index, name, share)
        unit, rows, cov = _solve_unit(model, name, ids, share, seed, workers, index, callbacks, solver_params)
        unit.build_seconds = build_seconds
        units.append(unit)
        roster_rows += rows
        coverage_rows += cov
        callbacks.on_unit_end(index, name, unit.status, unit.objective or 0.0, unit.wall_seconds)

    roster = pd.DataFrame(roster_rows, columns=ROSTER_COLUMNS)
    coverage = pd.DataFrame(coverage_rows, columns=COVERAGE_COLUMNS)
    settings = {"time_limit": time_limit, "seed": seed, "workers": workers, **solver_params}
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


def _solve_unit(
    m: RosterModel,
    name: str,
    ids: tuple[str, ...],
    time_limit: float,
    seed: int,
    workers: int,
    index: int,
    callbacks: SolveCallbacks,
    solver_params: dict[str, Any],
) -> tuple[UnitResult, list[tuple], list[tuple]]:
    """Coverage first, then the rest (lexicographic), from the completed greedy roster.

    Phase 1 minimises weighted uncovered crews alone: its LP bound is tight, so the fewest
    uncovered crews is usually proven within seconds. Phase 2 holds that coverage and minimises
    the whole objective (overtime, cost, fairness, requests, stability). When CP-SAT finds nothing
    in time, the completed greedy roster (lawful: the model checked it) is the answer, labelled.
    """
    started = time.perf_counter()
    greedy = complete_hints(m, min(5.0, max(1.0, 0.2 * time_limit)), solver_params)

    def left() -> float:
        return time_limit - (time.perf_counter() - started)

    cover = next(t for t in m.terms if t.name == "uncovered")
    full = sum(t.cost for t in m.terms)
    progress = _Progress(index, callbacks)
    m.model.minimize(cover.cost)
    first = solver_for(0.7 * left(), seed, workers, solver_params)  # phase 2 starts from a good hint
    first.best_bound_callback = lambda bound: callbacks.on_bound(index, bound)
    status1 = first.solve(m.model, progress)
    ok1 = status1 in (cp_model.OPTIMAL, cp_model.FEASIBLE)
    coverage_proven = status1 == cp_model.OPTIMAL
    cover_bound = first.best_objective_bound if ok1 else 0.0
    hold = None
    if ok1:
        hint_from(m.model, first)
        hold = m.model.add(cover.cost <= round(first.objective_value))
    m.model.minimize(full)
    solver = solver_for(left(), seed, workers, solver_params)
    solver.best_bound_callback = lambda bound: callbacks.on_bound(index, bound)
    status = solver.solve(m.model, progress)
    if hold is not None:
        hold.proto.clear_linear()  # the model object may be solved again (what-if reuse)
    status_name = solver.status_name(status)
    has_solution = status in (cp_model.OPTIMAL, cp_model.FEASIBLE)
    source = "cp-sat"
    # Phase 2's bound holds for rosters at phase 1's coverage; it is a bound of the whole problem
    # only once that coverage is proven minimal. Otherwise phase 1's bound is what is known.
    bound = None
    if has_solution:
        bound = max(solver.best_objective_bound, cover_bound) if coverage_proven else cover_bound
        bound = max(0.0, bound)  # every term is non-negative; CP-SAT's LP bound can dip below 0
    fallback = first if ok1 else greedy
    if not has_solution and fallback is not None:
        # Phase 2 found nothing in time: phase 1's roster (coverage-optimal) or else the greedy.
        solver, has_solution, bound = fallback, True, None
        status_name, source = "FEASIBLE", ("cp-sat coverage only" if ok1 else "greedy")
    unit = UnitResult(
        name=name,
        station_ids=ids,
        status=status_name,
        objective=solver.value(full) if has_solution else None,
        bound=bound,
        wall_seconds=time.perf_counter() - started,
        build_seconds=0.0,
        variables=m.num_variables,
        constraints=m.num_constraints,
        people=len(m.people),
        source=source,
        coverage_proven=coverage_proven,
    )
    if not has_solution:  # the unit's posts are reported, all unstaffed, under the unit's status
        return unit, [], [_coverage_row(pv.post, 0) for pv in m.post_vars]
    unit.goals = {t.name: GoalAmount(solver.value(t.amount), solver.value(t.cost), t.unit) for t in m.terms}
    return unit, *_extract(m, solver)


def _extract(m: RosterModel, solver: cp_model.CpSolver) -> tuple[list[tuple], list[tuple]]:
    """Roster rows (crews with leads) and coverage rows from the solver's values."""
    people = m.people
    members: list[tuple[list[str], list[str], list[int]]] = []
    on_duty: dict[tuple, list[str]] = defaultdict(list)  # (station, date, shift) -> sworn ids
    for pv in m.post_vars:
        sworn = [people[i].person_id for i, x in pv.sworn if solver.boolean_value(x)]
        aux = [people[i].person_id for i, x in pv.aux if solver.boolean_value(x)]
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
