"""Solve one benchmark instance with the engine's solver settings, and write its roster.csv."""

from __future__ import annotations

import csv
import time
from dataclasses import dataclass, field
from pathlib import Path

from ortools.sat.python import cp_model

from allocate.model.params import solver_for
from allocate.nrp.instance import Instance
from allocate.nrp.model import NrpModel
from allocate.output import atomic_folder

ROSTER_COLUMNS = ("employee", "day", "shift")


@dataclass
class NrpResult:
    status: str
    objective: int | None  # the solver's objective (the evaluator recomputes it from the roster)
    bound: float | None
    seconds: float
    assignments: list[tuple[int, int, str]] = field(default_factory=list)  # (employee, day, shift)

    @property
    def has_solution(self) -> bool:
        return self.status in ("OPTIMAL", "FEASIBLE")


def solve_instance(
    instance: Instance, time_limit: float = 60.0, workers: int = 2, seed: int = 0, **solver_params: object
) -> NrpResult:
    started = time.perf_counter()
    m = NrpModel(instance)
    solver = solver_for(time_limit - (time.perf_counter() - started), seed, workers, dict(solver_params))
    status = solver.solve(m.model)
    name = solver.status_name(status)
    result = NrpResult(name, None, None, 0.0)
    if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        result.objective = round(solver.objective_value)
        result.bound = solver.best_objective_bound
        result.assignments = m.assignments(solver.boolean_value)
    result.seconds = time.perf_counter() - started
    return result


def write_roster(instance: Instance, result: NrpResult, out: Path) -> Path:
    """DIR/roster.csv: employee id, 0-based day, shift id; one row per assignment (atomic)."""

    def write(folder: Path) -> None:
        with open(folder / "roster.csv", "w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerow(ROSTER_COLUMNS)
            for e, d, s in result.assignments:
                writer.writerow((instance.staff[e].employee_id, d, s))

    return atomic_folder(out, write)
