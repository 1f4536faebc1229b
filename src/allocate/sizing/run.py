"""Sizing a dataset: minimum auxiliary headcount per station and kind, the sworn shortfall, the
marginal-coverage curve and the division of a district quota (rule 9)."""

from __future__ import annotations

import datetime as dt
import math
import multiprocessing
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from allocate.callbacks import SolveCallbacks
from allocate.demand import default_horizon
from allocate.domain import Dataset, Horizon, Post
from allocate.machine import cores
from allocate.policy import Policy
from allocate.sizing.budget import Budget
from allocate.sizing.candidates import KINDS, WEEK, repeated_demand
from allocate.sizing.model import HEAD_WEIGHT, HeadFloor, SizingModel, Solved
from allocate.sizing.quota import divide_quota
from allocate.stages import Status

if TYPE_CHECKING:
    from collections.abc import Callable

    from allocate.stages import Source

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

# The least time of a coverage curve, per point: demo S04's points (its 83-person week under a cap)
# are proven in 0.4 to 1.6 deterministic seconds, 0.8 to 3.2 nominal ones.
CURVE_POINT_SECONDS = 2.0
# of the time the minimum took: since the floors stop the minimum's search early, a quarter left
# S01's curve (6 points of its 88-person week) two points without a roster; 0.4 finds all six.
CURVE_SHARE = 0.4

QUALITY = {
    Status.OPTIMAL: "proven minimum",
    Status.FEASIBLE: "upper bound (CP-SAT, not proven)",
}
GREEDY_QUALITY = "upper bound (greedy roster only: raise --time-limit)"


@dataclass
class StationSizing:
    station_id: str
    current: dict[str, int]
    minimum: dict[str, int]
    minimum_proven: bool
    sworn_shortfall: list[dict[str, Any]]
    curve: list[dict[str, Any]] = field(default_factory=list)
    shortfall_proven: bool = False  # the uncovered crews need officers: none could cover more
    cap: int | None = None
    seconds: float = 0.0
    status: Status = Status.UNKNOWN  # of the headcount phase (UNKNOWN: no roster)
    source: Source = "cp-sat"  # "greedy": CP-SAT found no roster in time, the greedy one stands

    def quality(self) -> str:
        """How far the minimum is to be trusted, in words (the sizing table's quality column)."""
        if self.minimum_proven:
            return QUALITY[Status.OPTIMAL]
        return GREEDY_QUALITY if self.source == "greedy" else QUALITY.get(self.status, self.status)


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
                            "no answer",
                        )
                    )
                    continue
                reason = "demand: every crew staffed at this headcount"
                if st.sworn_shortfall and st.shortfall_proven:
                    reason = "demand; some crews need sworn officers (see sworn_shortfall.csv)"
                elif st.sworn_shortfall:
                    reason = (
                        "demand; crews left uncovered by the best roster found, not proven to need "
                        "sworn officers (raise --time-limit)"
                    )
                if st.cap is not None and sum(st.minimum.values()) > st.cap:
                    reason = f"policy cap of {st.cap} auxiliaries"
                if self.division is not None and self.division.get(st.station_id, 0) < sum(
                    st.minimum.values()
                ):
                    reason = "district quota"
                quality = st.quality()
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
            # A station without an answer has no minimum (None): it is named, not counted.
            "stations_without_answer": sorted(set(sizing.loc[sizing["minimum"].isna(), "station_id"])),
            "district_current": int(sizing["current"].sum()),
            "stations": [
                {
                    "station_id": s.station_id,
                    "current": s.current,
                    "minimum": s.minimum,
                    "minimum_proven": s.minimum_proven,
                    "sworn_shortfall_crews": sum(r["uncovered"] for r in s.sworn_shortfall),
                    "sworn_shortfall_proven": s.shortfall_proven,
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


def _phases(
    sm: SizingModel,
    budget: Budget,
    fraction: float,
    seed: int,
    workers: int,
    floor_uncovered: int = 0,
    floor: HeadFloor | None = None,
    most: int | None = None,
) -> tuple[Solved, Solved]:
    """Phase 1 (fewest uncovered) then phase 2 (fewest heads, at most `most` weighted), in
    `fraction` of what is left."""
    part = budget.part(fraction)
    first = sm.min_uncovered(part.share(0.5), seed, workers, floor_uncovered)
    if first.uncovered_cost < 0:  # no roster at all within the limit: report, do not guess
        return first, first
    best = sm.min_headcount(first.uncovered_cost, part.left(), seed, workers, floor, most)
    return first, best if best.uncovered >= 0 else first


@dataclass(frozen=True)
class _Job:
    """One station to size, over `horizon`, with the solver's seed and workers."""

    dataset: Dataset
    station_id: str
    horizon: Horizon
    policy: Policy
    seed: int
    workers: int
    clock: Budget  # the station's budget: every solve is charged to it

    def model(
        self, first_day: int, days: int, dataset: Dataset | None = None, bounds: dict[str, int] | None = None
    ) -> SizingModel:
        """The sizing model of `days` days from the horizon's day `first_day`."""
        start = self.horizon.start + dt.timedelta(days=first_day)
        return SizingModel(
            dataset or self.dataset, self.station_id, Horizon(start, days), self.policy, bounds, self.clock
        )


def _minimum(job: _Job, days: int, budget: Budget, fraction: float) -> tuple[SizingModel, Solved, Solved]:
    """Phases 1 and 2, widening the recruit pool when phase 2 hired every recruit of a kind."""
    extra: dict[str, int] | None = None
    part = budget.part(fraction)
    while True:
        sm = job.model(0, days, bounds=extra)
        first, best = _phases(sm, part, 1.0, job.seed, job.workers)
        full = [k for k in KINDS if best is not first and best.headcount[k] >= sm.bounds[k] > 0]
        if not full or (extra is not None and max(extra.values()) > 4 * max(sm.bounds.values())):
            return sm, first, best
        extra = {k: sm.bounds[k] * (2 if k in full else 1) for k in KINDS}


@dataclass
class _Sized:
    """The answer of one station, and the oracle of its coverage curve."""

    best: Solved  # over the horizon: uncovered crews summed, heads per kind
    proven: bool
    shortfall: list[tuple[Post, int]]
    current: dict[str, int]
    under_cap: Callable[[int, float], Solved]  # (headcount cap, nominal seconds) -> fewest uncovered
    curve_days: int  # the days the curve's uncovered crews are counted over
    uncovered_proven: bool = False  # the fewest uncovered crews with unlimited recruits is proven


def _weighted(headcount: dict[str, int]) -> int:
    return sum(HEAD_WEIGHT[k] * n for k, n in headcount.items())


def _proven(first: Solved, best: Solved) -> bool:
    return first.status == best.status == Status.OPTIMAL


def _in_one_model(job: _Job, budget: Budget) -> _Sized:
    sm, first, best = _minimum(job, job.horizon.days, budget, 0.6)

    def under_cap(cap: int, seconds: float) -> Solved:
        sm.set_cap(cap)
        return sm.min_uncovered(seconds, job.seed, job.workers)

    proven, shortfall = _proven(first, best), sm.shortfall_by_post()
    covered = first.status == Status.OPTIMAL
    return _Sized(best, proven, shortfall, dict(sm.current), under_cap, job.horizon.days, covered)


@dataclass
class _Weeks:
    """Weeks after the first, each rostered with the weeks before it as history."""

    job: _Job
    first: SizingModel

    def roll(
        self, head: Solved, hire: dict[str, int], budget: Budget
    ) -> tuple[list[SizingModel], list[Solved], dict[str, int]]:
        """Roster the weeks after the first (answered `head`) with at most `hire` recruits per kind.

        A week rostered alone may leave the next one unable to start (its officers' last days
        bind the next week's first): when a week leaves crews uncovered, the week before it is
        rostered again together with it. If that does not help, the week may hire more; the weeks
        before stay lawful (a recruit they did not use is free there). Returns every segment's
        model and answer, the first week's included, and the recruits hired per kind in the end.
        """
        weeks = self.job.horizon.days // WEEK
        done: list[tuple[SizingModel, Solved]] = [(self.first, head)]
        k = 1

        def left(k: int) -> float:  # a fair share of what is left: a solve that proves stops early
            return budget.share(1 / (weeks - k))

        while k < weeks:
            # Half a share each for the week and the pair: a week that cannot be staffed with these
            # recruits runs to its limit, and the week that hires more needs time too.
            model, got = self._segment([m for m, _ in done], k, 1, hire, left(k) / 2)
            if got.uncovered_cost != 0 and done[-1][0].roster.horizon.days == WEEK:
                pair, both = self._segment([m for m, _ in done[:-1]], k - 1, 2, hire, left(k) / 2)
                alone = done[-1][1].uncovered_cost + got.uncovered_cost
                if both.uncovered_cost >= 0 and (got.uncovered_cost < 0 or both.uncovered_cost <= alone):
                    done.pop()  # the pair replaces the week before and this one
                    model, got = pair, both
            if got.uncovered_cost != 0:
                got, hire = self._hire_more(model, got, hire, left(k))
            done.append((model, got))
            if got.uncovered_cost < 0:  # no roster for this week in time: the chain breaks
                break
            k += 1
        return [m for m, _ in done], [a for _, a in done], hire

    def _segment(
        self, before: list[SizingModel], k: int, n: int, hire: dict[str, int], seconds: float
    ) -> tuple[SizingModel, Solved]:
        """Weeks k to k + n - 1 (from 0), with the segments `before` it as history."""
        job = self.job
        history = [*job.dataset.history, *(row for m in before for row in m.worked())]
        model = job.model(WEEK * k, WEEK * n, job.dataset.replace(history=tuple(history)), self.first.bounds)
        model.seed_from(before[-1] if before else self.first)
        model.set_kinds({}, hire)
        return model, model.min_uncovered(seconds, job.seed, job.workers)

    def floors(self, uncovered_cost: int, target: int, budget: Budget) -> list[HeadFloor]:
        """Each later week's own minimum, rostered alone: a relaxation of the horizon cut to it.

        A week other than the first may bind (an officer on leave that week): its minimum bounds
        the horizon's too. Stops once a floor reaches `target`, the heads the chain hired.
        """
        weeks = self.job.horizon.days // WEEK
        found: list[HeadFloor] = []
        for k in range(1, weeks):
            alone = self.job.model(WEEK * k, WEEK, bounds=self.first.bounds)
            _phases(alone, budget, 1 / (weeks - k), self.job.seed, self.job.workers)
            floor = _floor_of(alone)
            if floor is not None:
                found.append(floor)
                if floor.at(uncovered_cost) >= target:
                    break
        return found

    def _hire_more(
        self, week: SizingModel, got: Solved, hire: dict[str, int], seconds: float
    ) -> tuple[Solved, dict[str, int]]:
        """Hire more recruits for `week` when that staffs more crews than `got`, as few as may.

        One solve: fewest uncovered crews, heads breaking ties (the mode of a cap that cannot
        bind), with the recruits hired already free to use.
        """
        week.set_kinds(hire, {})
        week.set_cap(sum(week.bounds.values()))
        more = week.min_uncovered(seconds, self.job.seed, self.job.workers)
        week.set_cap(None)
        if more.uncovered_cost < 0 or 0 <= got.uncovered_cost <= more.uncovered_cost:
            return got, hire
        return more, {k: max(hire[k], more.headcount[k]) for k in KINDS}


def _floor_of(model: SizingModel) -> HeadFloor | None:
    """The model's proven minimum, when no kind hired every recruit it had (then it is the
    minimum with any number of recruits, not only with that many)."""
    floor, last = model.proven_floor, model.hired()
    if floor is None:
        return None
    hired = {k: sum(last.get(p.person_id, 0) for p in model.roster.people if p.role == k) for k in KINDS}
    return None if any(hired[k] >= model.bounds[k] > 0 for k in KINDS) else floor


def _summed(status: Status, weeks: list[Solved], hire: dict[str, int]) -> Solved:
    broken = any(w.uncovered_cost < 0 for w in weeks)
    return Solved(
        Status.UNKNOWN if broken else status,
        -1 if broken else sum(w.uncovered for w in weeks),
        -1 if broken else sum(w.uncovered_cost for w in weeks),
        {k: -1 for k in KINDS} if broken else dict(hire),
        sum(w.wall for w in weeks),
    )


def _over_repeated_weeks(job: _Job, budget: Budget) -> _Sized:
    """The minimum over whole weeks of a repeated pattern, proven through the first week.

    1. The first week alone is a relaxation of the horizon (a roster of the horizon, cut to its
       first week, is a roster of that week), so its proven minima bound the horizon's: first the
       fewest uncovered crews, then the fewest heads at that coverage.
    2. The first week is solved again as a cycle (sizing.cyclic), from that roster and with those
       floors: its week can then follow itself, its officers' as its recruits'.
    3. The weeks after it are rostered one by one, each with the weeks before it as history (as
       the weekly batch does), from the week before's roster and with its recruits. When they
       staff every crew the first week staffs with no more recruits, the horizon's minimum is
       the first week's: proven. A week that needs more hires them: a lawful upper bound.
    """
    seed, workers = job.seed, job.workers
    week, first, best = _minimum(job, WEEK, budget, 0.5)
    if best.uncovered_cost < 0:
        shortfall = week.shortfall_by_post()
        return _Sized(best, False, shortfall, dict(week.current), lambda cap, seconds: best, WEEK)
    floor, floor_uncovered = _floor_of(week), first.uncovered_cost if first.status == Status.OPTIMAL else 0
    plain = week.checkpoint()
    week.make_cyclic()
    if week.keeps_last():  # the week found already follows itself: nothing to solve again
        cycled = best
    else:
        # Only a cycle with no more heads than the plain week is of use: the cap prunes the rest.
        most = _weighted(best.headcount)
        _, cycled = _phases(week, budget, 0.3, seed, workers, floor_uncovered, floor, most)
    if 0 <= cycled.uncovered_cost <= best.uncovered_cost and _weighted(cycled.headcount) <= _weighted(
        best.headcount
    ):
        best = cycled
    else:  # the cycle was not found in time: the weeks after start from the plain week
        week.restore(plain)
    weeks = _Weeks(job, week)
    segments, answers, hire = weeks.roll(best, dict(best.headcount), budget.part(0.5))
    total = _summed(best.status, answers, hire)
    covered = first.status == Status.OPTIMAL and total.uncovered_cost == first.uncovered_cost
    floors = [floor] if floor else []
    if covered and (floor is None or _weighted(hire) > floor.at(total.uncovered_cost)):
        floors += weeks.floors(total.uncovered_cost, _weighted(hire), budget.part(0.6))
    proven = covered and _weighted(hire) <= max((f.at(total.uncovered_cost) for f in floors), default=0)
    status = Status.OPTIMAL if proven else Status.FEASIBLE
    total = replace(total, status=status) if total.uncovered >= 0 else total
    shortfall = [row for model in segments for row in model.shortfall_by_post()]

    def under_cap(cap: int, seconds: float) -> Solved:
        """The first week (as a cycle) under the cap: what each person buys in a week of the
        pattern. Rolling every week per point would cost the whole sizing again per point."""
        week.set_cap(cap)
        return week.min_uncovered(seconds, seed, workers)

    return _Sized(total, proven, shortfall, dict(week.current), under_cap, WEEK, covered)


def size_station(
    dataset: Dataset,
    station_id: str,
    horizon: Horizon,
    policy: Policy,
    *,
    time_limit: float = 30.0,
    curve_points: int = 6,
    seed: int = 0,
    workers: int = 1,
) -> StationSizing:
    """Minimum headcount per kind, sworn shortfall and the coverage curve of one station.

    `time_limit` is the station's wall-clock ceiling; its stages share the same time as
    deterministic work (see sizing.budget), so the answer does not depend on the machine's load.
    """
    started = time.perf_counter()
    budget = Budget(time_limit)
    job = _Job(dataset, station_id, horizon, policy, seed, workers, budget)
    if horizon.days > WEEK and horizon.days % WEEK == 0:
        sized = _over_repeated_weeks(job, budget)
    else:
        sized = _in_one_model(job, budget)
    best = sized.best
    shortfall = [
        {
            "station_id": station_id,
            "date": p.date.isoformat(),
            "shift_id": p.shift_id,
            "task_id": p.task_id,
            "uncovered": n,
        }
        for p, n in sized.shortfall
    ]
    result = StationSizing(
        station_id,
        sized.current,
        {k: max(v, -1) for k, v in best.headcount.items()},
        sized.proven,
        shortfall,
        cap=_cap(dataset, station_id, policy),
        status=best.status,
        source=best.source,
        shortfall_proven=sized.uncovered_proven,
    )
    # From the current pool up to the minimum; when the pool is already above the minimum, from
    # half the minimum up to it: what cutting below the minimum would cost (the quota needs it).
    hi = sum(best.headcount.values())
    current = sum(sized.current.values())
    lo = current if current < hi else hi // 2
    answered = min(best.headcount.values()) >= 0
    points = sorted({round(float(h)) for h in np.linspace(lo, hi, curve_points)}) if answered else []
    # The curve takes a share of the work the minimum took (a large station's points are slow
    # too), within the station's limit.
    least = CURVE_POINT_SECONDS * len(points)
    curve = budget.part(min(1.0, max(least, CURVE_SHARE * budget.used()) / budget.left()))
    for n, h in enumerate(reversed(points)):  # from the minimum down: each point hints the next
        seconds = curve.left() / max(len(points) - n, 1)
        solved = sized.under_cap(h, seconds)
        result.curve.append(
            {
                "headcount": h,
                "days": sized.curve_days,
                "uncovered": solved.uncovered,
                "weighted": solved.uncovered_cost,
                "status": solved.status,
                **{k: solved.headcount[k] for k in KINDS},
            }
        )
    result.curve.reverse()
    result.seconds = time.perf_counter() - started
    return result


def _size_one(job: tuple[Dataset, str, Horizon, Policy, dict[str, Any]]) -> StationSizing:
    """One station in a worker process (top level, so that spawn can pickle it)."""
    dataset, station_id, horizon, policy, options = job
    return size_station(dataset, station_id, horizon, policy, **options)


def _largest_first(dataset: Dataset, ids: list[str]) -> list[str]:
    """Stations by people, largest first: the longest solves start first and end the run sooner."""
    people = {sid: 0 for sid in ids}
    for p in dataset.staff:
        if p.station_id in people:
            people[p.station_id] += 1
    return sorted(ids, key=lambda sid: (-people[sid], sid))


def size_dataset(
    dataset: Dataset,
    horizon: Horizon | None = None,
    policy: Policy | None = None,
    *,
    weeks: int = 4,
    time_limit: float = 120.0,
    quota: int | None = None,
    curve_points: int = 6,
    seed: int = 0,
    workers: int = 1,
    jobs: int | None = None,
    stations: list[str] | None = None,
    callbacks: SolveCallbacks | None = None,
) -> SizingReport:
    """Size every station (or `stations`) over `weeks` repeated weeks of the demand pattern.

    `time_limit` is per station, at most: a station whose minimum is proven early stops early
    (its curve takes 40 % of the time its minimum took). Stations run `jobs` at once (default: one
    per core) with `workers` CP-SAT workers each; one worker per station keeps the answer the
    same from run to run (CP-SAT with several workers is not deterministic). `quota` defaults to
    the sum of the stations' `aux_quota` when every station has one; a quota below the
    district's minimum is divided to cover the most.
    """
    started = time.perf_counter()
    policy = policy or Policy()
    base = horizon or default_horizon(dataset)
    horizon = Horizon(base.start, WEEK * weeks)
    data = repeated_demand(dataset, base.start)
    ids = _largest_first(dataset, stations or [s.station_id for s in dataset.stations])
    callbacks = callbacks or SolveCallbacks()
    callbacks.on_start(len(ids), 0)
    options = dict(time_limit=time_limit, curve_points=curve_points, seed=seed, workers=workers)
    jobs = max(1, min(jobs or cores() // workers, len(ids)))
    by_id: dict[str, StationSizing] = {}

    def finished(k: int, st: StationSizing) -> None:
        by_id[st.station_id] = st
        status = Status.OPTIMAL if st.minimum_proven else st.status
        callbacks.on_unit_end(k, st.station_id, status, sum(st.minimum.values()), st.seconds)

    if jobs == 1:
        for k, sid in enumerate(ids):
            callbacks.on_unit_start(k, sid, time_limit)
            finished(k, _size_one((data, sid, horizon, policy, options)))
    else:
        spawn = multiprocessing.get_context("spawn")  # OR-Tools threads and fork do not mix
        with ProcessPoolExecutor(max_workers=jobs, mp_context=spawn) as pool:
            running = {pool.submit(_size_one, (data, sid, horizon, policy, options)): sid for sid in ids}
            callbacks.on_unit_start(0, f"{len(ids)} stations, {jobs} at once", time_limit)
            for k, future in enumerate(as_completed(running)):
                finished(k, future.result())
    sized = [by_id[sid] for sid in sorted(by_id)]
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
