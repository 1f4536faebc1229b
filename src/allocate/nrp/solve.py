"""Solve one benchmark instance with the engine's solver settings, and write its roster.csv.

Three steps share the time limit. (1) Any lawful roster, the objective cleared: on the largest
instances CP-SAT with the objective may find none in time, while the same model without it finds
one quickly; this step stops at its first solution, a fraction of a second on small instances.
(2) The whole model from that roster as a hint, for a share of the time: small instances are
solved to optimality here, and this step's bound is the bound reported. (3) If not proven
optimal, a large-neighbourhood search by people and by weeks (:mod:`allocate.nrp.lns`) improves
the roster until the time is up.
"""

from __future__ import annotations

import csv
import math
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from ortools.sat.python import cp_model

from allocate.model.params import hint_from, solver_for
from allocate.nrp import lns
from allocate.nrp.model import NrpModel
from allocate.output import atomic_folder

if TYPE_CHECKING:
    from pathlib import Path

    from allocate.nrp.instance import Instance

ROSTER_COLUMNS = ("employee", "day", "shift")
FULL_SHARE = 0.5  # of the time left after step 1, for the whole model (step 2)
# Above this many shift variables (instances 20-24), copying the model for each neighbourhood
# costs more than it gains: the whole model gets all the time.
LNS_MAX_VARIABLES = 30_000


@dataclass
class NrpResult:
    status: str
    objective: int | None  # the solver's objective (the evaluator recomputes it from the roster)
    bound: float | None
    seconds: float
    assignments: list[tuple[int, int, str]] = field(default_factory=list)  # (employee, day, shift)
    neighbourhoods: int = 0
    build_seconds: float = 0.0

    @property
    def has_solution(self) -> bool:
        return self.status in ("OPTIMAL", "FEASIBLE")


def solve_instance(
    instance: Instance, time_limit: float = 60.0, workers: int = 2, seed: int = 0, **solver_params: object
) -> NrpResult:
    started = time.perf_counter()
    m = NrpModel(instance)
    build = time.perf_counter() - started
    deadline = started + build + time_limit  # the limit is the search's, after the build
    params = dict(solver_params)

    m.model.clear_objective()
    large = len(m.work) > LNS_MAX_VARIABLES  # finding any roster is the hard part there
    first = solver_for((0.8 if large else 0.5) * (deadline - time.perf_counter()), seed, workers, params)
    first.parameters.stop_after_first_solution = True
    first_status = first.solve(m.model)
    values = None
    if first_status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        hint_from(m.model, first)
        values = _values(m, first)
    m.model.minimize(m.penalty)
    left = deadline - time.perf_counter()
    lns_on = values is not None and len(m.work) <= LNS_MAX_VARIABLES
    solver = solver_for(left * FULL_SHARE if lns_on else left, seed, workers, params)
    status = solver.solve(m.model)
    result = NrpResult(solver.status_name(status), None, None, 0.0, build_seconds=build)
    if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        values, objective = _values(m, solver), round(solver.objective_value)
        result.bound = max(0.0, solver.best_objective_bound)  # every penalty is >= 0
    elif values is not None:
        objective = round(first.value(m.penalty))
    else:
        result.status = "INFEASIBLE" if cp_model.INFEASIBLE in (status, first_status) else "UNKNOWN"
        result.seconds = time.perf_counter() - started
        return result
    if status != cp_model.OPTIMAL and lns_on:
        values, objective, result.neighbourhoods = lns.improve(
            m, values, objective, deadline, workers, seed, params
        )
        proven = result.bound is not None and objective <= math.ceil(result.bound - 1e-6)
        result.status = "OPTIMAL" if proven else "FEASIBLE"
    result.objective = objective
    result.assignments = sorted(key for key, v in values.items() if v)
    result.seconds = time.perf_counter() - started
    return result


def _values(m: NrpModel, solver: cp_model.CpSolver) -> dict[tuple[int, int, str], int]:
    return {key: int(solver.value(xs[0])) for key, xs in m.work.items()}


def write_roster(instance: Instance, result: NrpResult, out: Path) -> Path:
    """DIR/roster.csv: employee id, 0-based day, shift id; one row per assignment (atomic)."""

    def write(folder: Path) -> None:
        with open(folder / "roster.csv", "w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerow(ROSTER_COLUMNS)
            for e, d, s in result.assignments:
                writer.writerow((instance.staff[e].employee_id, d, s))

    return atomic_folder(out, write)
