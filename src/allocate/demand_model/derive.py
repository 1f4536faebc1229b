"""From an incident log to crews: arrival profiles, Erlang C per hour, crews per shift, proactive posts.

Reactive work (the tasks whose `incident_types` the log mentions) follows PCAM (Chaiken & Dormont
1978): per station, weekday and hour, the arrival rate is the mean over the observed weeks, the
handling time the mean of the incidents of that hour, and the crews the fewest with
P(wait > target) ≤ 1 - service level and occupancy ≤ the cap (:mod:`.erlang`). A shift gets its
busiest hour's crews, or a percentile of its hours. Proactive work (patrol) comes from policy rules
per 10,000 residents and per km². Holidays and marked event days (``[demand] event_days``) are kept
out of the weekday means and reported apart, so a festival does not inflate every Saturday.
"""

from __future__ import annotations

import datetime as dt
import functools
import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from allocate.demand_model.erlang import crews_needed
from allocate.domain import WEEKDAYS, Dataset, DemandRow, Shift, Station
from allocate.i18n import L_

if TYPE_CHECKING:
    from allocate.io.incidents import IncidentLog
    from allocate.policy import DemandPolicy

HOURS = 24
WEEK_HOURS = 7 * HOURS


@dataclass(frozen=True)
class DerivedDemand:
    """Everything `allocate demand` derives: the new demand rows and the tables behind them."""

    demand: tuple[DemandRow, ...]
    hourly: (
        pd.DataFrame
    )  # station_id, task_id, weekday, hour, arrivals_per_hour, handling_minutes, load, target_minutes, crews
    shifts: pd.DataFrame  # station_id, task_id, weekday, shift_id, crews, busiest_load, source
    events: pd.DataFrame  # date, station_id, arrivals, usual, ratio
    drivers: pd.DataFrame  # one row per station
    derived: frozenset[tuple[str, str]]
    first_day: dt.date
    last_day: dt.date
    normal_days: int
    warnings: tuple[str, ...] = field(default=())

    def dataset(self, base: Dataset) -> Dataset:
        """`base` with its demand replaced by the derived one (tasks not derived keep their rows)."""
        return base.replace(demand=self.demand)


def is_urban(station: Station, log: IncidentLog, policy: DemandPolicy) -> bool:
    """The station column `urban` if given, else population density; no area counts as urban."""
    if station.station_id in log.urban:
        return log.urban[station.station_id]
    if not station.area_km2:
        return True
    return station.population / station.area_km2 >= policy.urban_density


def _ceil(x: float) -> int:
    return max(0, math.ceil(x - 1e-9))


def proactive_crews(x: float) -> int:
    """A rule's crews: the nearest whole number (halves up), and at least one when the rule gives any."""
    return 0 if x <= 0 else max(1, math.floor(x + 0.5))


def slot_owners(dataset: Dataset, shift_ids: list[str]) -> dict[int, tuple[int, str]]:
    """Hour slot of the week -> shift instance; see :func:`_owners` (cached per dataset's shifts)."""
    shifts = tuple(dataset.shift_by_id[sid] for sid in sorted(set(shift_ids)))
    return _owners(shifts)


@functools.lru_cache(maxsize=64)
def _owners(shifts: tuple[Shift, ...]) -> dict[int, tuple[int, str]]:
    """Hour slot of the week (0 = Monday 00:00) -> the shift instance (weekday, shift) holding it.

    A slot belongs to a shift whose time covers the slot's midpoint; among several, the one that
    started last (then the shorter), so a 24-hour duty and a day shift do not both count an hour.
    A shift belongs to the weekday on which it starts; Sunday's night runs into Monday.
    """
    best: dict[int, tuple[float, float, int, str]] = {}
    for shift in shifts:
        sid = shift.shift_id
        for w in range(7):
            start = w * 1440 + shift.start_min
            for h in range(WEEK_HOURS * 2):
                mid = h * 60 + 30
                if start <= mid < start + shift.minutes:
                    slot = h % WEEK_HOURS
                    key = (start - mid, -shift.minutes, w, sid)  # started last, then shortest
                    if slot not in best or key[:2] > best[slot][:2]:
                        best[slot] = key
    return {slot: (k[2], k[3]) for slot, k in best.items()}


def _day_counts(first: dt.date, last: dt.date, events: set[dt.date]) -> np.ndarray:
    counts = np.zeros(7)
    day = first
    while day <= last:
        if day not in events:
            counts[day.weekday()] += 1
        day += dt.timedelta(days=1)
    return counts


def derive_demand(
    dataset: Dataset, log: IncidentLog, policy: DemandPolicy, growth: float = 1.0
) -> DerivedDemand:
    """The derived demand of `dataset` from `log` under `policy`; `growth` scales the arrival rates."""
    warnings: list[str] = []
    frame = log.frame
    type_to_task = log.type_to_task
    tasks = [t for t in log.task_types if log.task_types[t]]
    frame = frame.assign(task_id=frame["type"].map(type_to_task))
    unmapped = sorted(set(frame.loc[frame["task_id"].isna(), "type"]))
    if unmapped:
        warnings.append(
            L_(
                "incident types no task answers (tasks.csv incident_types), left out: %(types)s",
                types=", ".join(unmapped),
            )
        )
    times = frame["received_at"]
    first, last = times.min().date(), times.max().date()
    events = set(policy.event_days)
    dates = times.dt.date
    on_event = dates.isin(events)
    days = _day_counts(first, last, events)
    if not days.any():
        warnings.append(L_("every observed day is an event day: weekday means use all days"))
        days, on_event = _day_counts(first, last, set()), pd.Series(False, index=frame.index)
    missing = [WEEKDAYS[w] for w in range(7) if days[w] == 0]
    if missing:
        warnings.append(
            L_(
                "the log covers no ordinary %(days)s: their rates are the mean over the other days",
                days=", ".join(missing),
            )
        )
    usual = frame[~on_event & frame["task_id"].notna()]
    slot = (usual["received_at"].dt.day_of_week * HOURS + usual["received_at"].dt.hour).to_numpy()
    rate_growth = growth * policy.growth

    stations_in_log = sorted(set(frame["station_id"]))
    absent = [s.station_id for s in dataset.stations if s.station_id not in set(stations_in_log)]
    if absent and tasks:
        warnings.append(
            L_(
                "stations without incidents in the log keep their reactive demand: %(stations)s",
                stations=", ".join(absent),
            )
        )
    task_shifts = _task_shifts(dataset)
    hourly_rows, shift_rows = [], []
    for sid in stations_in_log:
        station = dataset.station_by_id[sid]
        target = (
            policy.target_minutes_urban if is_urban(station, log, policy) else policy.target_minutes_rural
        )
        for task_id in tasks:
            mask = (usual["station_id"] == sid).to_numpy() & (usual["task_id"] == task_id).to_numpy()
            units = usual["units"].to_numpy()[mask]
            work = units * usual["handling_minutes"].to_numpy()[mask]
            arrivals = np.bincount(slot[mask], weights=units, minlength=WEEK_HOURS)
            minutes = np.bincount(slot[mask], weights=work, minlength=WEEK_HOURS)
            per_day = np.repeat(days, HOURS)
            rate = np.where(per_day > 0, arrivals / np.maximum(per_day, 1), 0.0)
            if missing:
                mean_by_hour = arrivals.reshape(7, HOURS).sum(0) / max(days.sum(), 1)
                rate = np.where(per_day > 0, rate, np.tile(mean_by_hour, 7))
            rate = rate * rate_growth
            handling = np.divide(minutes, arrivals, out=np.zeros(WEEK_HOURS), where=arrivals > 0)
            if missing:
                hour_h = minutes.reshape(7, HOURS).sum(0)
                hour_n = arrivals.reshape(7, HOURS).sum(0)
                fill = np.divide(hour_h, hour_n, out=np.zeros(HOURS), where=hour_n > 0)
                handling = np.where(per_day > 0, handling, np.tile(fill, 7))
            crews = [
                crews_needed(rate[k] / 60.0, handling[k], target, policy.service_level, policy.max_occupancy)
                for k in range(WEEK_HOURS)
            ]
            for k in range(WEEK_HOURS):
                hourly_rows.append(
                    (sid, task_id, WEEKDAYS[k // HOURS], k % HOURS, rate[k], handling[k],
                     rate[k] * handling[k] / 60.0, target, crews[k])
                )  # fmt: skip
            shift_rows += _shift_crews(
                dataset,
                sid,
                task_id,
                task_shifts.get(task_id, []),
                crews,
                rate * handling / 60.0,
                policy,
                warnings,
            )
    hourly = pd.DataFrame(
        hourly_rows,
        columns=["station_id", "task_id", "weekday", "hour", "arrivals_per_hour", "handling_minutes", "load",
                 "target_minutes", "crews"],
    )  # fmt: skip
    shift_rows += _proactive(dataset, policy, warnings)
    shifts = _merge_sources(shift_rows)
    derived = frozenset((s, t) for s in stations_in_log for t in tasks) | frozenset(
        (s.station_id, t) for t in policy.proactive if t in dataset.task_by_id for s in dataset.stations
    )
    demand = _new_demand(dataset, shifts, derived)
    event_table = _events(frame[on_event & frame["task_id"].notna()], usual, days, stations_in_log)
    drivers = _drivers(dataset, log, policy, hourly, shifts, usual, days)
    return DerivedDemand(
        demand=demand,
        hourly=hourly,
        shifts=shifts,
        events=event_table,
        drivers=drivers,
        derived=derived,
        first_day=first,
        last_day=last,
        normal_days=int(days.sum()),
        warnings=tuple(warnings),
    )


def _task_shifts(dataset: Dataset) -> dict[str, list[str]]:
    """The shifts each task is demanded in anywhere in the dataset: where its crews can go."""
    used: dict[str, set[str]] = {}
    for row in dataset.demand:
        used.setdefault(row.task_id, set()).add(row.shift_id)
    return {t: sorted(s) for t, s in used.items()}


def _shift_crews(
    dataset: Dataset,
    station_id: str,
    task_id: str,
    shift_ids: list[str],
    crews: list[int],
    load: np.ndarray,
    policy: DemandPolicy,
    warnings: list[str],
) -> list[tuple]:
    """Crews per (weekday, shift) from the hourly crews: the busiest hour, or the percentile."""
    shift_ids = shift_ids or [s.shift_id for s in dataset.shifts]
    owners = slot_owners(dataset, shift_ids)
    loose = [k for k in range(WEEK_HOURS) if crews[k] > 0 and k not in owners]
    if loose:
        warnings.append(
            L_(
                "%(station)s %(task)s: %(n)s hour(s) with incidents fall in no shift of the task "
                "(%(shifts)s); their crews are not demanded",
                station=station_id,
                task=task_id,
                n=len(loose),
                shifts=", ".join(shift_ids),
            )
        )
    held: dict[tuple[int, str], list[int]] = {}
    for k, inst in owners.items():
        held.setdefault(inst, []).append(k)
    rows = []
    for (w, sid), slots in sorted(held.items()):
        values = [crews[k] for k in slots]
        if policy.shift_percentile is None:
            n = max(values)
        else:
            n = _ceil(float(np.percentile(values, policy.shift_percentile)))
        rows.append((station_id, task_id, w, sid, n, float(max(load[k] for k in slots)), "incidents"))
    return rows


def _proactive(dataset: Dataset, policy: DemandPolicy, warnings: list[str]) -> list[tuple]:
    rows = []
    for task_id, rule in policy.proactive.items():
        if task_id not in dataset.task_by_id:
            warnings.append(
                L_("[demand.proactive] names task %(task)r, which tasks.csv lacks: skipped", task=task_id)
            )
            continue
        unknown = [s for s in rule.shifts if s not in dataset.shift_by_id]
        if unknown:
            warnings.append(
                L_(
                    "[demand.proactive.%(task)s] shifts the dataset lacks, skipped: %(shifts)s",
                    task=task_id,
                    shifts=", ".join(unknown),
                )
            )
        for st in dataset.stations:
            base = rule.per_10k_people * st.population / 10_000 + rule.per_km2 * (st.area_km2 or 0.0)
            for sid, factor in rule.shifts.items():
                if sid in dataset.shift_by_id:
                    for w in range(7):
                        rows.append(
                            (st.station_id, task_id, w, sid, proactive_crews(factor * base), 0.0, "proactive")
                        )
    return rows


def _merge_sources(rows: list[tuple]) -> pd.DataFrame:
    """One row per station, task, weekday and shift: reactive and proactive crews add up."""
    cols = ["station_id", "task_id", "w", "shift_id", "crews", "busiest_load", "source"]
    frame = pd.DataFrame(rows, columns=cols)
    if frame.empty:
        return pd.DataFrame(
            columns=["station_id", "task_id", "weekday", "shift_id", "crews", "busiest_load", "source"]
        )
    frame = (
        frame.groupby(["station_id", "task_id", "w", "shift_id"], as_index=False)
        .agg(
            crews=("crews", "sum"),
            busiest_load=("busiest_load", "max"),
            source=("source", lambda s: "+".join(sorted(set(s)))),
        )
        .sort_values(["station_id", "w", "shift_id", "task_id"])
    )
    frame.insert(2, "weekday", [WEEKDAYS[w] for w in frame["w"]])
    return frame.drop(columns="w").reset_index(drop=True)


def _new_demand(
    dataset: Dataset, shifts: pd.DataFrame, derived: frozenset[tuple[str, str]]
) -> tuple[DemandRow, ...]:
    kept = [r for r in dataset.demand if (r.station_id, r.task_id) not in derived]
    new = [
        DemandRow(r.station_id, r.shift_id, r.task_id, int(r.crews), None, WEEKDAYS.index(r.weekday))
        for r in shifts.itertuples(index=False)
        if r.crews > 0 and (r.station_id, r.task_id) in derived
    ]
    order = {t.task_id: i for i, t in enumerate(dataset.tasks)}
    shift_order = {s.shift_id: i for i, s in enumerate(dataset.shifts)}

    def key(r: DemandRow) -> tuple:
        return (r.station_id, r.date is not None, r.date or dt.date.min, r.weekday if r.weekday is not None else -1,
                shift_order.get(r.shift_id, 0), order.get(r.task_id, 0))  # fmt: skip

    return tuple(sorted(kept + new, key=key))


def _events(
    on_event: pd.DataFrame, usual: pd.DataFrame, days: np.ndarray, stations: list[str]
) -> pd.DataFrame:
    """Arrivals on each event day against the same station's usual day of that weekday."""
    cols = ["date", "station_id", "weekday", "arrivals", "usual", "ratio"]
    if on_event.empty:
        return pd.DataFrame(columns=cols)
    usual_day = (
        usual.assign(w=usual["received_at"].dt.day_of_week)
        .groupby(["station_id", "w"])["units"]
        .sum()
        .to_dict()
    )
    rows = []
    counted = (
        on_event.assign(date=on_event["received_at"].dt.date).groupby(["date", "station_id"])["units"].sum()
    )
    for (day, sid), n in counted.items():
        w = day.weekday()
        mean = usual_day.get((sid, w), 0) / days[w] if days[w] else float("nan")
        rows.append((day, sid, WEEKDAYS[w], int(n), mean, n / mean if mean else float("nan")))
    return pd.DataFrame(rows, columns=cols)


def _drivers(
    dataset: Dataset,
    log: IncidentLog,
    policy: DemandPolicy,
    hourly: pd.DataFrame,
    shifts: pd.DataFrame,
    usual: pd.DataFrame,
    days: np.ndarray,
) -> pd.DataFrame:
    """What drives each station's derived crews: people, area, incidents, handling, peak load."""
    weeks = days.sum() / 7 if days.sum() else float("nan")
    units = usual.groupby("station_id")["units"].sum()
    work = (usual["units"] * usual["handling_minutes"]).groupby(usual["station_id"]).sum()
    peaks = (
        hourly.loc[hourly.groupby("station_id")["load"].idxmax()].set_index("station_id")
        if len(hourly)
        else None
    )
    reactive = shifts[shifts["source"].str.contains("incidents")].groupby("station_id")["crews"].sum()
    proactive = shifts[shifts["source"] == "proactive"].groupby("station_id")["crews"].sum()
    rows = []
    for st in dataset.stations:
        sid = st.station_id
        urban = is_urban(st, log, policy)
        n = float(units.get(sid, 0))
        peak = (
            peaks.loc[sid]
            if peaks is not None and sid in peaks.index and peaks.loc[sid, "load"] > 0
            else None
        )
        rows.append(
            {
                "station_id": sid,
                "population": st.population,
                "area_km2": st.area_km2,
                "density": st.population / st.area_km2 if st.area_km2 else None,
                "urban": urban,
                "target_minutes": policy.target_minutes_urban if urban else policy.target_minutes_rural,
                "incidents_per_week": n / weeks if weeks == weeks else 0.0,
                "mean_handling_minutes": float(work.get(sid, 0.0)) / n if n else 0.0,
                "peak_load": float(peak["load"]) if peak is not None else 0.0,
                "peak_hour": f"{peak['weekday']} {int(peak['hour']):02d}:00" if peak is not None else "",
                "reactive_crews_per_week": int(reactive.get(sid, 0)),
                "proactive_crews_per_week": int(proactive.get(sid, 0)),
            }
        )
    return pd.DataFrame(rows)


def comparison(base: Dataset, derived: DerivedDemand) -> pd.DataFrame:
    """Crews a week per station and task: the dataset's weekday demand against the derived one."""

    def weekly(rows: tuple[DemandRow, ...]) -> pd.Series:
        data = [(r.station_id, r.task_id, r.crews) for r in rows if r.weekday is not None]
        frame = pd.DataFrame(data, columns=["station_id", "task_id", "crews"])
        return frame.groupby(["station_id", "task_id"])["crews"].sum()

    out = pd.concat({"current": weekly(base.demand), "derived": weekly(derived.demand)}, axis=1).fillna(0)
    out = out.astype(int).reset_index()
    out["derived_here"] = [
        (s, t) in derived.derived for s, t in zip(out["station_id"], out["task_id"], strict=True)
    ]
    out["change"] = out["derived"] - out["current"]
    return out
