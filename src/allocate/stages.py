"""One CP-SAT stage: the step every phased solve is made of (the roster's phases, sizing's phases).

A phased solve runs several stages on one model, each minimising its own objective. A stage may
*hold* constraints for its own run only (the coverage a stage before it reached, a ranked goal) and
*state a floor* (a proven lower bound of its objective: CP-SAT then stops, proven, as soon as a
solution reaches it). It runs under a deterministic work limit (CP-SAT's ``max_deterministic_time``,
which decides with one worker and a fixed seed whatever the machine's load) and a wall-clock
ceiling. Its holds and floor are released however it ends, so the model can be solved again
(what-if reuse, the sizing curve).

Every phased solve reads its stages in one vocabulary: a `Status` (CP-SAT's names, those of the
output contract), the `Source` of the roster (CP-SAT's, or the greedy roster when CP-SAT found none
in time) and the `StopRule` that ended the search.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING, Any, Literal, Protocol

from allocate.model.params import ROSTER_PARAMS, hint_from, solver_for

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Mapping, Sequence

    from ortools.sat.python import cp_model

Source = Literal["cp-sat", "cp-sat coverage only", "greedy", "none"]
StopRule = Literal["proof", "gap", "no progress", "work limit", "time limit", "no solution"]


class Status(StrEnum):
    """The status of a stage, a unit, a solve or a sizing: CP-SAT's status names.

    OPTIMAL and FEASIBLE hold a roster (its `Source` says whose); UNKNOWN found none within the
    limits, INFEASIBLE proved there is none. A ``str``: it compares, prints and serialises as its name.
    """

    OPTIMAL = "OPTIMAL"
    FEASIBLE = "FEASIBLE"
    UNKNOWN = "UNKNOWN"
    INFEASIBLE = "INFEASIBLE"
    MODEL_INVALID = "MODEL_INVALID"

    @classmethod
    def of(cls, solver: cp_model.CpSolver, status: Any) -> Status:
        """The status `solver.solve` answered."""
        return cls(solver.status_name(status))

    @property
    def found(self) -> bool:
        """Whether a roster stands."""
        return self in (Status.OPTIMAL, Status.FEASIBLE)


class Watch(Protocol):
    """A solution callback that may also follow the bound and stop the search by a gap rule."""

    stopped_on_gap: bool

    def on_bound(self, bound: float) -> None: ...


@dataclass(frozen=True)
class Settings:
    """What every stage of one solve shares: CP-SAT's seed, workers and the user's parameters."""

    seed: int
    workers: int
    params: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Stage:
    """One solve of `objective`: its holds, its stated floor and its limits.

    `work` is deterministic time (the user's own ``max_deterministic_time`` wins); the wall clock
    stops the stage after `wall` seconds or at `deadline` (a ``time.perf_counter()`` value),
    whichever comes first, both counted when the search starts.
    """

    name: str
    objective: Any
    work: float
    wall: float = math.inf
    deadline: float = math.inf
    holds: Sequence[Any] = ()  # bounded linear expressions, held for this stage only
    floor: float | None = None  # a proven lower bound of the objective, stated to CP-SAT


@dataclass(frozen=True)
class StageResult:
    """What a stage found: the roster's solver (None: no roster), its status and whence it came.

    `search` is the stage's own CP-SAT solver (its bound, its work) and `search_status` its
    status, even when the roster is the fallback's.
    """

    name: str
    solver: cp_model.CpSolver | None
    status: Status
    source: Source
    search: cp_model.CpSolver
    search_status: Status
    stopped_by: StopRule
    on_gap: bool = False

    @property
    def work(self) -> float:
        """The deterministic time the stage spent."""
        return self.search.deterministic_time

    @property
    def searched(self) -> bool:
        """Whether CP-SAT itself found the roster (not a fallback)."""
        return self.solver is self.search

    def step(self) -> tuple[str, str, float]:
        """(stage, CP-SAT's status, work): a line of a solve's log."""
        return self.name, str(self.search_status), round(self.work, 4)


def run_stage(
    model: cp_model.CpModel,
    stage: Stage,
    settings: Settings,
    *,
    watch: Callable[[cp_model.CpSolver], Watch] | None = None,
    prepare: Callable[[], cp_model.CpSolver | None] | None = None,
    fallback: cp_model.CpSolver | None = None,
    fallback_source: Source = "greedy",
    warm_start: bool = False,
) -> StageResult:
    """Minimise `stage.objective` under its holds and floor, then release them.

    `watch` makes the stage's solution callback from its solver (progress, a gap rule).
    `fallback` holds a roster (the greedy one) that stands, as FEASIBLE from `fallback_source`, when
    CP-SAT finds none. `prepare` runs once the objective, holds and floor are in place (completing
    a partial hint under them); a solver it returns is the fallback. `warm_start` hints the model
    with the stage's roster for the next stage.
    """
    model.minimize(stage.objective)
    added = [model.add(hold) for hold in stage.holds]
    if stage.floor is not None:
        added.append(model.add(stage.objective >= stage.floor))
    try:
        if prepare is not None and (prepared := prepare()) is not None:
            fallback = prepared
        wall = min(stage.wall, stage.deadline - time.perf_counter())
        solver = solver_for(wall, settings.seed, settings.workers, {**ROSTER_PARAMS, **settings.params})
        limit = settings.params.get("max_deterministic_time", max(0.001, stage.work))
        solver.parameters.max_deterministic_time = float(limit)
        callback = watch(solver) if watch is not None else None
        if callback is not None:
            solver.best_bound_callback = callback.on_bound
        status = Status.of(solver, solver.solve(model, callback))
    finally:
        release(added)
    on_gap = callback is not None and callback.stopped_on_gap
    stopped = stop_rule(status, on_gap, solver)
    if status.found:
        if warm_start:
            hint_from(model, solver)
        return StageResult(stage.name, solver, status, "cp-sat", solver, status, stopped, on_gap)
    if fallback is not None:
        return StageResult(
            stage.name, fallback, Status.FEASIBLE, fallback_source, solver, status, stopped, on_gap
        )
    return StageResult(stage.name, None, status, "none", solver, status, stopped, on_gap)


def stop_rule(status: Status, on_gap: bool, solver: cp_model.CpSolver, exhausted: bool = False) -> StopRule:
    """What ended a search: its proof (of optimality, or that no roster exists under its holds), the
    gap rule, its work limit (or the solve's budget of work, `exhausted`) or else the wall clock."""
    if status in (Status.OPTIMAL, Status.INFEASIBLE):
        return "proof"
    if on_gap:
        return "gap"
    if exhausted or solver.deterministic_time >= solver.parameters.max_deterministic_time:
        return "work limit"
    return "time limit"


def release(holds: Iterable[cp_model.Constraint]) -> None:
    """Drop constraints added for a while: the model object may be solved again (what-if reuse)."""
    for hold in holds:
        hold.proto.clear_linear()
