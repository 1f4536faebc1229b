"""CP-SAT solver settings shared by every solve of a roster model (roster, sizing, batch)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ortools.sat.python import cp_model

if TYPE_CHECKING:
    from collections.abc import Iterable

# The default work budget (CP-SAT's deterministic time) per second of a time limit. Below what one
# core does in a second on a quiet machine, so that the work limit, which gives the same answer
# whatever the load, binds before the wall-clock ceiling.
WORK_PER_SECOND = 0.5
# CP-SAT settings of every solve of a roster model, under the caller's own (which win). CP-SAT's
# symmetry detection builds a graph of the model three times in each presolve (0.01-0.02 s each at
# 330-350 people, a station's greedy-roster completion included); what it finds (the orbits of
# interchangeable people) changed no roster: city seed 1's 200 stations at the batch's budget, one
# process by turns: the same 199 coverage and 180 full proofs, 152 uncovered crews and soft goals
# at every station, 244.8 -> 235.1 CPU seconds (55.9 -> 56.3 det; two stations' search paths
# differ, S091 and S139 +0.3 det each); the greedy roster's completion the same at 100 of 100.
ROSTER_PARAMS: dict[str, Any] = {"symmetry_level": 0}

# CP-SAT's LP-guided branching: a search for a roster that meets a bound the LP gives already.
# Where each search uses it, and what it was measured to gain there: allocate.phases (the hold at
# the coverage floor, the soft goals' rounds), allocate.sizing.model (every search but the curve's).
LP_SEARCH_PARAMS: dict[str, Any] = {"search_branching": cp_model.LP_SEARCH}


def solver_for(
    time_limit: float, seed: int, workers: int, solver_params: dict[str, Any]
) -> cp_model.CpSolver:
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = max(0.05, time_limit)
    solver.parameters.random_seed = seed
    solver.parameters.num_workers = workers
    # The objective's LP bound is only tight at linearization level 2 ("max_lp"); CP-SAT's
    # 2-worker portfolio has no such worker, so the bound (and the proof of optimality) stalls.
    if workers == 1:
        solver.parameters.linearization_level = 2
    elif workers == 2:
        solver.parameters.subsolvers.extend(["max_lp", "default_lp"])
    # Following a complete hint conflict by conflict cost more than it found: the hint is still the
    # first solution, and the search starts from it at once (4-7x less work on 50-90 people).
    solver.parameters.hint_conflict_limit = 0
    for key, value in solver_params.items():
        setattr(solver.parameters, key, value)
    return solver


def hint_from(model: cp_model.CpModel, solver: cp_model.CpSolver) -> None:
    """Warm-start the next solve of `model` from `solver`'s solution (every variable)."""
    solution = solver.response_proto.solution
    set_hint(model, range(len(solution)), solution)


def set_hint(model: cp_model.CpModel, variables: Iterable[int], values: Iterable[int]) -> None:
    """Replace `model`'s hint by these variable indexes and values, in bulk: one ``add_hint`` per
    variable cost a station's solve a tenth of its Python time."""
    model.clear_hints()
    hint = model.proto.solution_hint
    hint.vars.extend(variables)
    hint.values.extend(values)
