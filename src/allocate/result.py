"""Small result objects: what a solve produced, as DataFrames and a JSON-ready summary."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import pandas as pd

from allocate.contract import ROSTER_COLUMNS
from allocate.fairness import window_spread, window_start
from allocate.rules.labour import contract_hours
from allocate.stages import Status

if TYPE_CHECKING:
    from collections.abc import Callable

    from allocate.domain import Dataset, Horizon
    from allocate.policy import Policy
    from allocate.stages import Source

SOFT_GAP_LIMIT = 0.01  # a soft-goal gap of at most 1 % counts as proven


def soft_gap(soft: float | None, bound: float | None) -> float | None:
    """The soft goals' own gap (0 to 1): coverage is judged apart, never mixed into it."""
    if soft is None or bound is None:
        return None
    return max(0.0, soft - bound) / max(1.0, soft)


def relative_gap(objective: float | None, bound: float | None) -> float | None:
    """The whole objective's gap to its bound (0 to 1), coverage and soft goals together."""
    if objective is None or bound is None:
        return None
    return abs(objective - bound) / max(1.0, abs(objective))


def fully_proven(coverage_proven: bool, gap: float | None) -> bool:
    """Coverage proven minimal and the soft goals within `SOFT_GAP_LIMIT` of their bound."""
    return coverage_proven and gap is not None and gap <= SOFT_GAP_LIMIT


# Best first: the status of a run is the worst status of its units.
STATUS_ORDER = tuple(Status)


class Proof:
    """What a phased solve proved, read from its coverage proof and its soft goals' bound."""

    coverage_proven: bool
    soft_objective: float | None
    soft_bound: float | None

    @property
    def soft_gap(self) -> float | None:
        return soft_gap(self.soft_objective, self.soft_bound)

    @property
    def fully_proven(self) -> bool:
        return fully_proven(self.coverage_proven, self.soft_gap)


def crews_of(roster: pd.DataFrame, members: Callable[[pd.Series], str] = ";".join) -> pd.DataFrame:
    """One row per crew of a roster: its post, lead, size, sworn officers and `members` (joined ids)."""
    if roster.empty:
        return pd.DataFrame(columns=[*ROSTER_COLUMNS[:5], "lead_id", "size", "sworn", "members"])
    return (
        roster.groupby("crew_id", sort=False)
        .agg(
            date=("date", "first"),
            station_id=("station_id", "first"),
            shift_id=("shift_id", "first"),
            task_id=("task_id", "first"),
            lead_id=("lead_id", "first"),
            size=("person_id", "size"),
            sworn=("role", lambda r: int((r == "sworn").sum())),
            members=("person_id", members),
        )
        .reset_index()
    )


@dataclass(frozen=True)
class GoalAmount:
    """One soft goal of the solution: raw amount and weighted cost in the objective."""

    amount: float
    cost: float
    unit: str


@dataclass
class UnitResult(Proof):
    """The solve of one planning unit (a station, or a district when lending is on)."""

    name: str
    station_ids: tuple[str, ...]
    status: Status
    objective: float | None
    bound: float | None
    wall_seconds: float
    build_seconds: float
    variables: int
    constraints: int
    people: int
    goals: dict[str, GoalAmount] = field(default_factory=dict)
    source: Source = "cp-sat"  # "greedy" when CP-SAT found nothing in time and the greedy roster stands
    coverage_proven: bool = False  # phase 1 proved the fewest weighted uncovered crews
    soft_objective: float | None = None  # the objective without the coverage term
    soft_bound: float | None = None  # its bound, known once coverage is proven
    stopped_by: str = ""  # proof, gap, no progress, work limit, time limit, no solution
    work: float = 0.0  # CP-SAT deterministic time spent
    steps: list[tuple[str, str, float]] = field(default_factory=list)  # (stage, CP-SAT status, work)

    @property
    def gap(self) -> float | None:
        return relative_gap(self.objective, self.bound)

    @property
    def has_solution(self) -> bool:
        return Status(self.status).found


@dataclass
class Result:
    """A roster and everything a planner needs to judge it."""

    dataset: Dataset
    horizon: Horizon
    policy: Policy
    units: list[UnitResult]
    roster: pd.DataFrame
    coverage: pd.DataFrame
    uncovered_reasons: pd.DataFrame
    settings: dict[str, Any]
    wall_seconds: float
    verification: Any = None  # allocate.verify.VerificationReport once checked
    changes: pd.DataFrame | None = None  # a re-plan's assignments added/removed (allocate.replan)

    @property
    def status(self) -> Status:
        if not self.units:
            return Status.OPTIMAL
        return max((u.status for u in self.units), key=STATUS_ORDER.index)

    @property
    def crews(self) -> pd.DataFrame:
        """One row per crew: post, pattern, lead and members."""
        return crews_of(self.roster)

    @property
    def objective(self) -> float | None:
        values = [u.objective for u in self.units if u.objective is not None]
        return sum(values) if len(values) == len(self.units) else None

    @property
    def bound(self) -> float | None:
        values = [u.bound for u in self.units if u.bound is not None]
        return sum(values) if len(values) == len(self.units) else None

    @property
    def gap(self) -> float | None:
        return relative_gap(self.objective, self.bound)

    @property
    def soft_gap(self) -> float | None:
        """The soft goals' gap over all units, once every unit's coverage is proven."""
        objs = [u.soft_objective for u in self.units]
        bounds = [u.soft_bound for u in self.units]
        if not self.units or any(v is None for v in (*objs, *bounds)):
            return None
        return soft_gap(sum(objs), sum(bounds))

    def proof_counts(self) -> dict[str, int]:
        """Units with coverage proven, fully proven, and those left with the greedy roster."""
        return {
            "units": len(self.units),
            "coverage_proven": sum(u.coverage_proven for u in self.units),
            "fully_proven": sum(u.fully_proven for u in self.units),
            "greedy_fallbacks": sum(u.source == "greedy" for u in self.units),
            "stopped_by_time_limit": sum(u.stopped_by == "time limit" for u in self.units),
        }

    def goals(self) -> dict[str, GoalAmount]:
        """The per-goal breakdown over all units."""
        total: dict[str, GoalAmount] = {}
        for unit in self.units:
            for name, g in unit.goals.items():
                t = total.get(name)
                total[name] = g if t is None else GoalAmount(t.amount + g.amount, t.cost + g.cost, g.unit)
        return total

    def uncovered_by_station_task(self) -> pd.DataFrame:
        short = self.coverage[self.coverage["shortfall"] > 0]
        return (
            short.groupby(["station_id", "task_id"], as_index=False)["shortfall"]
            .sum()
            .rename(columns={"shortfall": "uncovered"})
        )

    def hours_by_person(self) -> pd.DataFrame:
        """Hours, shifts and nights per person over the horizon (zero rows for the idle)."""
        shifts = self.dataset.shift_by_id
        staff = pd.DataFrame(
            {
                "person_id": [p.person_id for p in self.dataset.staff],
                "station_id": [p.station_id for p in self.dataset.staff],
                "role": [p.role for p in self.dataset.staff],
                "contract_hours": [contract_hours(p, self.horizon.days) for p in self.dataset.staff],
            }
        )
        r = self.roster.assign(
            hours=self.roster["shift_id"].map(lambda s: shifts[s].hours),
            night=self.roster["shift_id"].map(lambda s: shifts[s].is_night),
        )
        per = r.groupby("person_id").agg(
            shifts=("shift_id", "size"), hours=("hours", "sum"), nights=("night", "sum")
        )
        out = staff.merge(per, on="person_id", how="left").fillna({"shifts": 0, "hours": 0.0, "nights": 0})
        return out.astype({"shifts": int, "nights": int})

    def worked(self) -> list[tuple[str, dt.date, str]]:
        """(person, date, shift) of every roster row."""
        r = self.roster
        days = [d if isinstance(d, dt.date) else dt.date.fromisoformat(str(d)[:10]) for d in r["date"]]
        return list(zip(r["person_id"], days, r["shift_id"], strict=True))

    def summary(self) -> dict[str, Any]:
        """The JSON summary of the output contract."""
        cov = self.coverage
        by_st = self.uncovered_by_station_task()
        goals = self.goals()
        flagged = [
            {"person_id": p.person_id, "station_id": p.station_id, "role": p.role, "reason": reason}
            for p in self.dataset.staff
            for reason in _flags(p, self.horizon)
        ]
        out: dict[str, Any] = {
            "status": self.status,
            "objective": self.objective,
            "best_bound": self.bound,
            "gap": self.gap,
            "soft_gap": self.soft_gap,
            "proof": self.proof_counts(),
            "wall_seconds": round(self.wall_seconds, 3),
            "horizon": {"start": self.horizon.start.isoformat(), "days": self.horizon.days},
            "counts": {
                "stations": len(self.dataset.stations),
                "people": len(self.dataset.staff),
                "posts": len(cov),
                "crews_required": int(cov["crews_required"].sum()),
                "crews_staffed": int(cov["crews_staffed"].sum()),
                "uncovered_crews": int(cov["shortfall"].sum()),
                "assignments": len(self.roster),
                "people_assigned": int(self.roster["person_id"].nunique()),
                "variables": sum(u.variables for u in self.units),
                "constraints": sum(u.constraints for u in self.units),
                "units": len(self.units),
            },
            "uncovered_crews": int(cov["shortfall"].sum()),
            "uncovered_proven_minimal": all(u.coverage_proven for u in self.units),
            "uncovered_by_station_task": by_st.to_dict(orient="records"),
            "uncovered_posts": self.uncovered_reasons.to_dict(orient="records"),
            "overtime_hours": goals["overtime"].amount if "overtime" in goals else 0,
            "goals": {k: {"amount": v.amount, "cost": v.cost, "unit": v.unit} for k, v in goals.items()},
            "units": [
                {
                    "name": u.name,
                    "stations": list(u.station_ids),
                    "status": u.status,
                    "objective": u.objective,
                    "best_bound": u.bound,
                    "gap": u.gap,
                    "wall_seconds": round(u.wall_seconds, 3),
                    "build_seconds": round(u.build_seconds, 3),
                    "variables": u.variables,
                    "constraints": u.constraints,
                    "people": u.people,
                    "source": u.source,
                    "coverage_proven": u.coverage_proven,
                    "soft_objective": u.soft_objective,
                    "soft_bound": u.soft_bound,
                    "soft_gap": u.soft_gap,
                    "fully_proven": u.fully_proven,
                    "stopped_by": u.stopped_by,
                    "work": round(u.work, 3),
                    "steps": [
                        {"step": name, "status": status, "work": work} for name, status, work in u.steps
                    ],
                }
                for u in self.units
            ],
            "fairness_window": {
                "weeks": self.policy.fairness_weeks,
                "start": window_start(self.horizon, self.policy.fairness_weeks).isoformat(),
                "heavy_shifts": window_spread(
                    self.dataset, self.horizon, self.policy.fairness_weeks, self.worked()
                ),
            },
            "flagged_people": flagged,
            "warnings": list(self.dataset.extras.get("warnings", [])),
            "settings": self.settings,
            "policy": self.policy.model_dump(mode="json"),
            "dataset": self.dataset.source,
        }
        if self.verification is not None:
            out["verifier"] = self.verification.to_dict()
        return out


def _flags(person, horizon: Horizon) -> list[str]:
    """Why a person is held back from some or all posts (rule 5), in a planner's words."""
    reasons = []
    if person.disqualified:
        reasons.append("disqualified (criminal/administrative punishment or bad credit): never assigned")
    if not person.is_sworn and not person.pre_job_trained:
        reasons.append("no pre-job training: never assigned")
    lapsed = person.training_valid_until
    if not person.is_sworn and lapsed is not None and lapsed < horizon.end:
        when = "before" if lapsed < horizon.start else "during"
        reasons.append(f"periodic training lapsed {when} the horizon ({lapsed}): support posts only")
    return reasons
