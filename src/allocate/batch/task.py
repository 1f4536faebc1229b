"""One station's weekly roster: the unit of work that the engines ship to their workers.

A task is plain, picklable data (the station's own small :class:`Dataset` with its history, the
policy, the settings); the CP-SAT model is built and solved inside the worker, never shipped.
Whatever happens inside, the task returns a :class:`StationOutcome`: an exception becomes a failed
station with its traceback, so one bad station never takes the batch down.
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

if TYPE_CHECKING:
    from allocate.domain import Dataset
    from allocate.policy import Policy


@dataclass(frozen=True)
class StationTask:
    week: str
    station_id: str
    dataset: Dataset  # this station only, history included
    policy: Policy
    history_source: str
    time_limit: float
    seed: int = 0
    workers: int = 1
    solver_params: dict[str, Any] = field(default_factory=dict)

    @property
    def size(self) -> int:
        """A rough size, to start the biggest stations first (shortest makespan)."""
        return len(self.dataset.staff) * max(1, len(self.dataset.demand))


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
    started = time.perf_counter()
    try:
        return _solve(task, started)
    except Exception as exc:
        tb = traceback.format_exc(limit=20)
        return failed(
            task.week, task.station_id, "error", f"{type(exc).__name__}: {exc}\n{tb}",
            wall_seconds=time.perf_counter() - started, history_source=task.history_source,
            worker=worker_name(),
        )  # fmt: skip


def _solve(task: StationTask, started: float) -> StationOutcome:
    result = solve(
        task.dataset,
        Week.parse(task.week).horizon,
        task.policy,
        time_limit=task.time_limit,
        seed=task.seed,
        workers=task.workers,
        verify=True,
        **task.solver_params,
    )
    summary = _plain(result.summary())
    unit = result.units[0] if result.units else None
    cov = result.coverage
    report = result.verification
    common: dict[str, Any] = dict(
        solver_status=result.status,
        objective=result.objective,
        bound=result.bound,
        gap=result.gap,
        build_seconds=sum(u.build_seconds for u in result.units),
        solve_seconds=sum(u.wall_seconds for u in result.units),
        wall_seconds=time.perf_counter() - started,
        people=len(task.dataset.staff),
        variables=sum(u.variables for u in result.units),
        crews_required=int(cov["crews_required"].sum()),
        crews_staffed=int(cov["crews_staffed"].sum()),
        uncovered_crews=int(cov["shortfall"].sum()),
        verified=None if report is None else bool(report.ok),
        violations=0 if report is None else len(report.violations),
        history_source=task.history_source,
        worker=worker_name(),
        summary=summary,
        fairness=tuple(summary.get("fairness_window", {}).get("heavy_shifts", ())),
        coverage=tuple(cov.itertuples(index=False, name=None)),
    )
    if unit is not None and not all(u.has_solution for u in result.units):
        kind = "infeasible" if result.status == "INFEASIBLE" else "no_solution"
        error = _("no roster: the solver stopped with status %(status)s within %(seconds)ss") % {
            "status": result.status, "seconds": format(task.time_limit, "g"),
        }  # fmt: skip
        return failed(task.week, task.station_id, kind, error, **common)
    if report is not None and not report.ok:
        shown = "; ".join(str(v) for v in report.violations[:5])
        more = (
            _(" (and %(n)s more)") % {"n": len(report.violations) - 5} if len(report.violations) > 5 else ""
        )
        error = _("the verifier rejected this roster: %(n)s violation(s): %(shown)s%(more)s") % {
            "n": len(report.violations), "shown": shown, "more": more,
        }  # fmt: skip
        return failed(task.week, task.station_id, "verifier", error, **common)
    roster = tuple(result.roster.itertuples(index=False, name=None))
    return StationOutcome(task.week, task.station_id, "solved", roster=roster, **common)
