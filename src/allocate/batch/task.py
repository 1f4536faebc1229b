"""The units of work that the engines ship to their workers: one station's week, or with lending
one district's week (all its stations in one CP-SAT unit, so that auxiliaries may be lent).

A task is plain, picklable data (the unit's own small :class:`Dataset` with its history, the
policy, the settings); the CP-SAT model is built and solved inside the worker, never shipped.
Whatever happens inside, a task returns its stations' :class:`StationOutcome`: an exception becomes
failed stations with the traceback, so one bad unit never takes the batch down.
"""

from __future__ import annotations

import json
import os
import socket
import time
import traceback
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from allocate.batch.outcome import StationOutcome, failed
from allocate.batch.week import Week
from allocate.i18n import _
from allocate.solve import solve
from allocate.stages import Status

# The batch's work budget (CP-SAT deterministic seconds) per second of a station's time limit. A
# station with a real shortage spends its whole budget, and CP-SAT does only 0.3 to 0.45 deterministic
# seconds per CPU second on these models (the LP at linearization level 2 dominates), 0.25 in a busy
# batch: at `solve`'s default (0.5, 5 det for 10 s) the 25 shortage stations of the generated city
# were all cut by the wall clock after 2.5 to 4 det, so their rosters depended on the machine's load.
# 2.5 det for 10 s takes them 7.6 to 10.0 CPU seconds, build and verification included (one at a time
# on a loaded machine, load 6 to 10): they end by their work limit, and as many have coverage proven
# (11 of 25) as under the wall clock. The 175 other stations are all proven within 2.02 det (S005; the
# next 1.52). 2 det a second would have cost S005 its proof for no other change.
BATCH_WORK_PER_SECOND = 0.25

if TYPE_CHECKING:
    from allocate.batch.outcome import FailureKind
    from allocate.domain import Dataset
    from allocate.policy import Policy
    from allocate.result import Result


@dataclass(frozen=True, kw_only=True)
class _WeekTask:
    """What every task of a batch week carries: its data, policy, budget and solver settings."""

    week: str
    dataset: Dataset  # history included
    policy: Policy
    time_limit: float
    seed: int = 0
    workers: int = 1
    solver_params: dict[str, Any] = field(default_factory=dict)

    @property
    def size(self) -> int:
        """A rough size, to start the biggest tasks first (shortest makespan)."""
        return len(self.dataset.staff) * max(1, len(self.dataset.demand))


@dataclass(frozen=True, kw_only=True)
class StationTask(_WeekTask):
    """One station's week (its `dataset` holds this station only)."""

    station_id: str
    history_source: str

    @property
    def name(self) -> str:
        return self.station_id

    @property
    def station_ids(self) -> tuple[str, ...]:
        return (self.station_id,)

    @property
    def stations(self) -> tuple[StationTask, ...]:
        """The stations of this task: itself (a district task has several)."""
        return (self,)

    def failed(self, kind: FailureKind, error: str, **more: Any) -> StationOutcome:
        """This station failed without an outcome of its own (its worker died, the engine broke)."""
        return failed(self.week, self.station_id, kind, error, history_source=self.history_source, **more)


@dataclass(frozen=True, kw_only=True)
class DistrictTask(_WeekTask):
    """A lending district's week: its stations still to solve, as ONE planning unit (`solve` with
    ``lending = true`` does the same), with their budgets added up (`time_limit` is the sum); its
    `dataset` is the stations' datasets merged."""

    district: str
    stations: tuple[StationTask, ...]  # each with its own dataset and history source

    @property
    def name(self) -> str:
        return f"district {self.district}"

    @property
    def station_ids(self) -> tuple[str, ...]:
        return tuple(t.station_id for t in self.stations)

    def failed(self, kind: FailureKind, error: str, **more: Any) -> tuple[StationOutcome, ...]:
        """Every station of the district failed together (they share one roster)."""
        return tuple(t.failed(kind, f"{self.name}: {error}", **more) for t in self.stations)


Task = StationTask | DistrictTask


def _plain(value: Any) -> Any:
    """JSON-ready: numpy scalars and dates turned into Python values."""

    def default(v: Any) -> Any:
        if hasattr(v, "item"):
            return v.item()
        if hasattr(v, "isoformat"):
            return v.isoformat()
        return str(v)

    return json.loads(json.dumps(value, default=default))


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def solve_station(task: StationTask) -> StationOutcome:
    """Build, solve and verify one station's week. Never raises."""
    return _run(task)[0]


def solve_district(task: DistrictTask) -> tuple[StationOutcome, ...]:
    """Build, solve and verify one lending district's week: one outcome per station. Never raises."""
    return _run(task)


def solve_task(task: Task) -> StationOutcome | tuple[StationOutcome, ...]:
    """Either kind of task, as the batch's engines run them."""
    return solve_district(task) if isinstance(task, DistrictTask) else solve_station(task)


def _run(task: Task) -> tuple[StationOutcome, ...]:
    started = time.perf_counter()
    try:
        return _solve(task, started)
    except Exception as exc:
        tb = traceback.format_exc(limit=20)
        error = f"{type(exc).__name__}: {exc}\n{tb}"
        wall = time.perf_counter() - started
        return tuple(t.failed("error", error, wall_seconds=wall, worker=worker_name()) for t in task.stations)


def _solve(task: Task, started: float) -> tuple[StationOutcome, ...]:
    result = solve(
        task.dataset,
        Week.parse(task.week).horizon,
        task.policy,
        time_limit=task.time_limit,
        work_limit=task.time_limit * BATCH_WORK_PER_SECOND,
        seed=task.seed,
        workers=task.workers,
        verify=True,
        **task.solver_params,
    )
    summary = _plain(result.summary())
    wall = time.perf_counter() - started
    return tuple(_outcome(task, t, result, summary, wall) for t in task.stations)


def _own(summary: dict[str, Any], station_id: str) -> dict[str, Any]:
    """The unit's summary with its per-station lists cut down to `station_id`'s rows."""

    def cut(value: Any) -> Any:
        if (
            isinstance(value, list)
            and value
            and all(isinstance(v, dict) and "station_id" in v for v in value)
        ):
            return [v for v in value if v["station_id"] == station_id]
        if isinstance(value, dict):
            return {k: cut(v) for k, v in value.items()}
        return value

    return cut(summary)


def _outcome(
    task: Task, station: StationTask, result: Result, summary: dict[str, Any], wall: float
) -> StationOutcome:
    """One station's outcome of its unit's solve: its own posts, crews and people; the unit's
    status, bounds, proof and verdict (a district's stations share one roster and one proof)."""
    sid = station.station_id
    cov = result.coverage[result.coverage["station_id"] == sid]
    own = _own(summary, sid)
    report = result.verification
    common: dict[str, Any] = dict(
        solver_status=result.status,
        objective=result.objective,
        bound=result.bound,
        gap=result.gap,
        build_seconds=sum(u.build_seconds for u in result.units),
        solve_seconds=sum(u.wall_seconds for u in result.units),
        wall_seconds=wall,
        people=len(station.dataset.staff),
        variables=sum(u.variables for u in result.units),
        crews_required=int(cov["crews_required"].sum()),
        crews_staffed=int(cov["crews_staffed"].sum()),
        uncovered_crews=int(cov["shortfall"].sum()),
        verified=None if report is None else bool(report.ok),
        violations=0 if report is None else len(report.violations),
        history_source=station.history_source,
        worker=worker_name(),
        summary=own,
        fairness=tuple(own.get("fairness_window", {}).get("heavy_shifts", ())),
        coverage=tuple(cov.itertuples(index=False, name=None)),
    )
    where = "" if isinstance(task, StationTask) else f"{task.name} ({', '.join(task.station_ids)}): "
    if result.units and not all(u.has_solution for u in result.units):
        kind: FailureKind = "infeasible" if result.status == Status.INFEASIBLE else "no_solution"
        error = where + _("no roster: the solver stopped with status %(status)s within %(seconds)ss") % {
            "status": result.status, "seconds": format(task.time_limit, "g"),
        }  # fmt: skip
        return failed(task.week, sid, kind, error, **common)
    if report is not None and not report.ok:
        shown = "; ".join(str(v) for v in report.violations[:5])
        more = (
            _(" (and %(n)s more)") % {"n": len(report.violations) - 5} if len(report.violations) > 5 else ""
        )
        error = where + _("the verifier rejected this roster: %(n)s violation(s): %(shown)s%(more)s") % {
            "n": len(report.violations), "shown": shown, "more": more,
        }  # fmt: skip
        return failed(task.week, sid, "verifier", error, **common)
    roster = result.roster[result.roster["station_id"] == sid]
    return StationOutcome(
        task.week, sid, "solved", roster=tuple(roster.itertuples(index=False, name=None)), **common
    )
