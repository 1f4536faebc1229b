"""Sizing a dataset: minimum auxiliary headcount per station and kind, the sworn shortfall, the
marginal-coverage curve and the division of a district quota (rule 9)."""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from allocate.callbacks import SolveCallbacks
from allocate.demand import default_horizon
from allocate.domain import Dataset, Horizon
from allocate.policy import Policy
from allocate.sizing.candidates import KINDS, repeated_demand
from allocate.sizing.model import SizingModel, Solved
from allocate.sizing.quota import divide_quota

SIZING_COLUMNS = [
    "station_id",
    "kind",
    "current",
    "minimum",
    "recommended",
    "cap",
    "binding_reason",
    "quality",
]

QUALITY = {
    "OPTIMAL": "proven minimum",
    "FEASIBLE": "upper bound (CP-SAT, not proven)",
    "GREEDY": "upper bound (greedy roster only: raise --time-limit)",
}


@dataclass
class StationSizing:
    station_id: str
    current: dict[str, int]
    minimum: dict[str, int]
    minimum_proven: bool
    sworn_shortfall: list[dict[str, Any]]
    curve: list[dict[str, Any]] = field(default_factory=list)
    cap: int | None = None
    seconds: float = 0.0
    status: str = "UNKNOWN"  # of the headcount phase: OPTIMAL, FEASIBLE, GREEDY or UNKNOWN


@dataclass
class SizingReport:
    horizon: Horizon
    stations: list[StationSizing]
    quota: int | None
    division: dict[str, int] | None
    seconds: float

    def sizing(self) -> pd.DataFrame:
        rows = []
        for st in self.stations:
            shares = self._recommended(st)
            for kind in KINDS:
                if st.minimum[kind] < 0:
                    rows.append(
                        (
                            st.station_id,
                            kind,
                            st.current[kind],
                            None,
                            None,
                            st.cap,
                            "no roster found in the time limit: raise --time-limit",
                        )
                    )
                    continue
                reason = "demand: every crew staffed at this headcount"
                if st.sworn_shortfall:
                    reason = "demand; some crews need sworn officers (see sworn_shortfall.csv)"
                if st.cap is not None and sum(st.minimum.values()) > st.cap:
                    reason = f"policy cap of {st.cap} auxiliaries"
                if self.division is not None and self.division.get(st.station_id, 0) < sum(
                    st.minimum.values()
                ):
                    reason = "district quota"
                quality = QUALITY["OPTIMAL"] if st.minimum_proven else QUALITY.get(st.status, st.status)
                rows.append(
                    (
                        st.station_id,
                        kind,
                        st.current[kind],
                        st.minimum[kind],
                        shares[kind],
                        st.cap,
                        reason,
                        quality,
                    )
                )
        return pd.DataFrame(rows, columns=SIZING_COLUMNS)

    def _recommended(self, st: StationSizing) -> dict[str, int]:
        """Per kind: the minimum, or the curve point chosen by the quota division / cap."""
        target = sum(st.minimum.values())
        if st.cap is not None:
            target = min(target, st.cap)
        if self.division is not None:
            target = min(target, self.division.get(st.station_id, target))
        if target >= sum(st.minimum.values()):
            return dict(st.minimum)
        point = min(
            (p for p in st.curve if p["headcount"] <= target), key=lambda p: -p["headcount"], default=None
        )
        if point is None:
            return {k: 0 for k in KINDS}
        return {k: point[k] for k in KINDS}

    def curve(self) -> pd.DataFrame:
        return pd.DataFrame([{"station_id": s.station_id, **p} for s in self.stations for p in s.curve])

    def sworn_shortfall(self) -> pd.DataFrame:
        cols = ["station_id", "date", "shift_id", "task_id", "uncovered"]
        return pd.DataFrame([r for s in self.stations for r in s.sworn_shortfall], columns=cols)

    def summary(self) -> dict[str, Any]:
        sizing = self.sizing()
        known = sizing[sizing["minimum"] >= 0]
        by_kind = known.groupby("kind")[["current", "minimum", "recommended"]].sum()
        return {
            "horizon": {"start": self.horizon.start.isoformat(), "days": self.horizon.days},
            "seconds": round(self.seconds, 1),
            "quota": self.quota,
            "totals": {k: {c: int(v) for c, v in row.items()} for k, row in by_kind.iterrows()},
            "district_minimum": int(known["minimum"].sum()),
            "stations_without_answer": sorted(set(sizing.loc[sizing["minimum"] < 0, "station_id"])),
            "district_current": int(sizing["current"].sum()),
            "stations": [
                {
                    "station_id": s.station_id,
                    "current": s.current,
                    "minimum": s.minimum,
                    "minimum_proven": s.minimum_proven,
                    "sworn_shortfall_crews": sum(r["uncovered"] for r in s.sworn_shortfall),
                    "seconds": round(s.seconds, 1),
                }
                for s in self.stations
            ],
            "division": self.division,
        }


def _cap(dataset: Dataset, station_id: str, policy: Policy) -> int | None:
    station = dataset.station_by_id[station_id]
    caps = []
    if policy.max_aux_per_sworn is not None:
        sworn = sum(1 for p in dataset.staff if p.station_id == station_id and p.is_sworn)
        caps.append(math.floor(policy.max_aux_per_sworn * sworn))
    if policy.max_aux_per_10k_population is not None:
        caps.append(math.floor(policy.max_aux_per_10k_population * station.population / 10_000))
    return min(caps) if caps else None


def _minimum(
    dataset: Dataset,
    station_id: str,
    horizon: Horizon,
    policy: Policy,
    time_limit: float,
    seed: int,
    workers: int,
    week: SizingModel | None = None,
    floor: int = 0,
) -> tuple[SizingModel, Solved, Solved]:
    """Phases 1 and 2 (fewest uncovered, then fewest heads), widening the recruit pool if it bit."""
    extra: dict[str, int] | None = None
    while True:
        sm = SizingModel(dataset, station_id, horizon, policy, extra)
        if week is not None:
            sm.seed_from_week(week)
        first = sm.min_uncovered(time_limit / 2, seed, workers)
        if first.uncovered_cost < 0:  # no roster at all within the limit: report, do not guess
            return sm, first, first
        best = sm.min_headcount(first.uncovered_cost, time_limit / 2, seed, workers, floor)
        if best.uncovered < 0:
            best = first
        full = [k for k in KINDS if best.headcount[k] >= sm.bounds[k] > 0]
        if not full or (extra is not None and max(extra.values()) > 4 * max(sm.bounds.values())):
            return sm, first, best
        extra = {k: sm.bounds[k] * (2 if k in full else 1) for k in KINDS}


def size_station(
    dataset: Dataset,
    station_id: str,
    horizon: Horizon,
    policy: Policy,
    *,
    time_limit: float = 30.0,
    curve_points: int = 6,
    seed: int = 0,
    workers: int = 2,
) -> StationSizing:
    """Minimum headcount per kind, sworn shortfall and the coverage curve of one station."""
    started = time.perf_counter()
    week: SizingModel | None = None
    floor = 0
    if horizon.days > 7:  # the first week's minimum bounds the horizon's, and seeds its search
        week_limit = time_limit * 0.25
        week = _minimum(dataset, station_id, Horizon(horizon.start, 7), policy, week_limit, seed, workers)[0]
        time_limit -= time.perf_counter() - started
        floor = week.proven_floor
    sm, first, best = _minimum(
        dataset, station_id, horizon, policy, time_limit * 0.6, seed, workers, week, floor
    )
    phase = time_limit * 0.4 / max(curve_points, 1)
    shortfall = [
        {
            "station_id": station_id,
            "date": p.date.isoformat(),
            "shift_id": p.shift_id,
            "task_id": p.task_id,
            "uncovered": n,
        }
        for p, n in sm.shortfall_by_post()
    ]
    result = StationSizing(
        station_id,
        dict(sm.current),
        {k: max(v, -1) for k, v in best.headcount.items()},
        best.status == "OPTIMAL" and first.status == "OPTIMAL",
        shortfall,
        cap=_cap(dataset, station_id, policy),
        status=best.status,
    )
    # From the current pool up to the minimum; when the pool is already above the minimum, from
    # half the minimum up to it: what cutting below the minimum would cost (the quota needs it).
    hi = sum(best.headcount.values())
    current = sum(sm.current.values())
    lo = current if current < hi else hi // 2
    points = sorted({round(float(h)) for h in np.linspace(lo, hi, curve_points)})
    for h in points:
        sm.set_cap(h)
        solved = (
            sm.min_uncovered(phase, seed, workers) if h < hi or hi != sum(best.headcount.values()) else best
        )
        result.curve.append(
            {
                "headcount": h,
                "uncovered": solved.uncovered,
                "weighted": solved.uncovered_cost,
                "status": solved.status,
                **{k: solved.headcount[k] for k in KINDS},
            }
        )
    result.seconds = time.perf_counter() - started
    return result


def size_dataset(
    dataset: Dataset,
    horizon: Horizon | None = None,
    policy: Policy | None = None,
    *,
    weeks: int = 4,
    time_limit: float = 30.0,
    quota: int | None = None,
    curve_points: int = 6,
    seed: int = 0,
    workers: int = 2,
    stations: list[str] | None = None,
    callbacks: SolveCallbacks | None = None,
) -> SizingReport:
    """Size every station (or `stations`) over `weeks` repeated weeks of the demand pattern.

    `time_limit` is per station. `quota` defaults to the sum of the stations' `aux_quota` when
    every station has one; a quota below the district's minimum is divided to cover the most.
    """
    started = time.perf_counter()
    policy = policy or Policy()
    base = horizon or default_horizon(dataset)
    horizon = Horizon(base.start, 7 * weeks)
    data = repeated_demand(dataset, base.start)
    ids = stations or [s.station_id for s in sorted(dataset.stations, key=lambda s: s.station_id)]
    callbacks = callbacks or SolveCallbacks()
    callbacks.on_start(len(ids), 0)
    sized = []
    for k, sid in enumerate(ids):
        callbacks.on_unit_start(k, sid, time_limit)
        st = size_station(
            data,
            sid,
            horizon,
            policy,
            time_limit=time_limit,
            curve_points=curve_points,
            seed=seed,
            workers=workers,
        )
        sized.append(st)
        callbacks.on_unit_end(k, sid, "OPTIMAL" if st.minimum_proven else "FEASIBLE", 0.0, st.seconds)
    if quota is None and all(dataset.station_by_id[s].aux_quota is not None for s in ids):
        quota = sum(dataset.station_by_id[s].aux_quota or 0 for s in ids)
    division = None
    need = sum(sum(s.minimum.values()) for s in sized)
    if quota is not None and quota < need:
        curves = {
            s.station_id: [(p["headcount"], p["weighted"]) for p in s.curve if p["weighted"] >= 0]
            for s in sized
        }
        division = divide_quota(curves, quota)
    return SizingReport(horizon, sized, quota, division, time.perf_counter() - started)
