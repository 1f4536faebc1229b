"""What one station's task sends back to the batch: plain data only (rows as tuples, a JSON summary),
so that it crosses process and machine boundaries and goes into the store as it is."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any, Literal

from allocate.stages import Status

StationState = Literal["solved", "failed"]
FailureKind = Literal["bad_data", "error", "verifier", "no_solution", "infeasible", "worker_died"]


@dataclass(frozen=True)
class StationOutcome:
    """One station-week: a verified roster (`state` "solved") or the reason there is none ("failed").

    A failed station stores no roster rows: a roster the verifier rejects, or no roster at all, must
    never become next week's history. Its coverage rows (all posts, with their shortfall) are kept.
    """

    week: str
    station_id: str
    state: StationState
    failure: FailureKind | None = None
    error: str | None = None
    solver_status: Status | None = None
    objective: float | None = None
    bound: float | None = None
    gap: float | None = None
    build_seconds: float = 0.0
    solve_seconds: float = 0.0
    wall_seconds: float = 0.0
    people: int = 0
    variables: int = 0
    crews_required: int = 0
    crews_staffed: int = 0
    uncovered_crews: int = 0
    verified: bool | None = None
    violations: int = 0
    history_source: str = ""
    worker: str = ""
    summary: dict[str, Any] = field(default_factory=dict)
    # per role: fewest and most heavy shifts over the fairness window (allocate.fairness)
    fairness: tuple[dict[str, Any], ...] = ()
    roster: tuple[tuple, ...] = ()
    coverage: tuple[tuple, ...] = ()

    @property
    def optimal(self) -> bool:
        return self.state == "solved" and self.solver_status == Status.OPTIMAL

    def without_rows(self) -> StationOutcome:
        """The same outcome without its roster and coverage rows (what a report keeps in memory)."""
        return replace(self, roster=(), coverage=(), summary={})

    def headline(self) -> dict[str, Any]:
        """The JSON line of this station in a batch summary."""
        return {
            "station_id": self.station_id,
            "state": self.state,
            "failure": self.failure,
            "error": self.error,
            "solver_status": self.solver_status,
            "objective": self.objective,
            "best_bound": self.bound,
            "gap": self.gap,
            "wall_seconds": round(self.wall_seconds, 3),
            "build_seconds": round(self.build_seconds, 3),
            "solve_seconds": round(self.solve_seconds, 3),
            "people": self.people,
            "variables": self.variables,
            "crews_required": self.crews_required,
            "crews_staffed": self.crews_staffed,
            "uncovered_crews": self.uncovered_crews,
            "verified": self.verified,
            "violations": self.violations,
            "history_source": self.history_source,
        }


def failed(week: str, station_id: str, failure: FailureKind, error: str, **more: Any) -> StationOutcome:
    return StationOutcome(week, station_id, "failed", failure=failure, error=error, **more)
