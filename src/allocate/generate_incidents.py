"""A seeded, realistic incident log for a generated district (`incidents.csv`).

Arrivals are Poisson per station, day and hour with:
- a daily cycle (quiet before dawn, an evening peak) and a weekly one (busier Friday and Saturday);
- busier weekend nights: Friday and Saturday from 20:00 to 03:00 the next morning;
- more incidents per resident where the population is denser;
- the National Day holiday (1-7 October) and a three-day festival (the Harbour Lantern Festival,
  Friday to Sunday three weeks before the log's last weekend) at the urban stations, whose days are
  written to ``policy.toml`` as ``[demand] event_days`` so that `allocate demand` keeps them apart.
Handling times are log-normal by type, a quarter longer at rural stations (travel). The log's
own random stream is drawn from ``(seed, 16)``, so adding it leaves every other table unchanged.
"""

from __future__ import annotations

import csv
import datetime as dt
from dataclasses import dataclass
from operator import itemgetter
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from pathlib import Path

# Share of each hour in an ordinary day's incidents (sums to 1): low at 03-06, peak at 19-22.
HOUR_SHAPE = np.array(
    [3.2, 2.6, 2.0, 1.5, 1.2, 1.2, 1.6, 2.6, 3.8, 4.6, 5.0, 5.2,
     5.4, 5.2, 5.2, 5.4, 5.8, 6.2, 6.6, 7.0, 7.0, 6.4, 5.2, 4.2]
)  # fmt: skip
HOUR_SHAPE = HOUR_SHAPE / HOUR_SHAPE.sum()
WEEKDAY_FACTOR = (1.0, 0.97, 0.98, 1.0, 1.1, 1.15, 1.05)
WEEKEND_NIGHT = 1.45  # Friday and Saturday 20:00-03:00
REACTIVE_PER_1000 = 0.22  # response incidents per 1,000 residents a day at a density of 1,000/km²
DISPUTES_PER_1000 = 0.03  # neighbour disputes per 1,000 residents a day (daytime and evening)
FESTIVAL_FACTOR = 1.9  # evening and night arrivals at urban stations during the festival
HOLIDAY_FACTOR = 1.25  # daytime arrivals during the National Day holiday
RURAL_TRAVEL = 1.25
URBAN_DENSITY = 1000.0
WEEKS = {"tiny": 4, "demo": 13, "city": 1, "region": 1}


@dataclass(frozen=True)
class IncidentType:
    name: str
    share: float
    handling: float  # mean minutes
    priority: int
    night_weight: float = 1.0  # relative weight from 21:00 to 03:00
    two_units: float = 0.0  # probability that two crews are sent


RESPONSE_TYPES = (
    IncidentType("theft", 0.25, 40, 2),
    IncidentType("disturbance", 0.18, 30, 2, night_weight=2.2),
    IncidentType("traffic_accident", 0.2, 45, 1),
    IncidentType("domestic", 0.1, 50, 1, night_weight=1.5),
    IncidentType("assault", 0.09, 55, 1, night_weight=2.5, two_units=0.4),
    IncidentType("alarm", 0.18, 20, 3),
)
DISPUTE = IncidentType("dispute", 1.0, 60, 3)
# The 110 response crew answers every type (a dispute is then handed to mediation, whose scheduled
# sessions stay as planned in demand.csv).
TASK_INCIDENT_TYPES = {"response_110": ";".join(t.name for t in (*RESPONSE_TYPES, DISPUTE))}
COLUMNS = ("incident_id", "station_id", "received_at", "type", "handling_minutes", "units", "priority")


def event_days(first: dt.date, last: dt.date, start: dt.date) -> tuple[list[dt.date], list[dt.date]]:
    """(National Day holiday days, festival days) that fall between `first` and `last`."""
    holidays = []
    for year in range(first.year, last.year + 1):
        holidays += [dt.date(year, 10, d) for d in range(1, 8)]
    friday = start - dt.timedelta(days=(start.weekday() - 4) % 7 + 7 * 3)
    festival = [friday + dt.timedelta(days=k) for k in range(3)]
    inside = [d for d in holidays if first <= d <= last]
    return inside, [d for d in festival if first <= d <= last]


def _hour_factors(day: dt.date, urban: bool, holidays: set[dt.date], festival: set[dt.date]) -> np.ndarray:
    f = np.full(24, WEEKDAY_FACTOR[day.weekday()])
    if day.weekday() in (4, 5):
        f[20:] *= WEEKEND_NIGHT
    if day.weekday() in (5, 6):
        f[:3] *= WEEKEND_NIGHT
    if day in holidays:
        f[8:20] *= HOLIDAY_FACTOR
    if urban and day in festival:
        f[17:] *= FESTIVAL_FACTOR
    if urban and day - dt.timedelta(days=1) in festival:
        f[:3] *= FESTIVAL_FACTOR
    return f


def incident_log(
    stations: list[tuple[str, int, float]], seed: int, start: dt.date, weeks: int
) -> tuple[list[tuple], list[dt.date]]:
    """Rows of incidents.csv over `weeks` weeks before `start`, and the event days among them.

    `stations` holds (station_id, population, area_km2).
    """
    rng = np.random.default_rng([seed, 16])
    first = start - dt.timedelta(days=7 * weeks)
    last = start - dt.timedelta(days=1)
    holidays, festival = event_days(first, last, start)
    hol, fest = set(holidays), set(festival)
    days = [first + dt.timedelta(days=k) for k in range(7 * weeks)]
    night = np.zeros(24, dtype=bool)
    night[21:] = night[:3] = True
    shares = np.array([t.share for t in RESPONSE_TYPES])
    # The type of each response incident: by day and by night, the cumulative shares that
    # `Generator.choice(p=...)` would build on every call (the same draws, without its checks).
    type_cdf = {}
    for at_night in (False, True):
        weights = shares * np.array([t.night_weight if at_night else 1.0 for t in RESPONSE_TYPES])
        cdf = (weights / weights.sum()).cumsum()
        type_cdf[at_night] = cdf / cdf[-1]
    rows: list[tuple] = []
    for station_id, population, area in stations:
        density = population / area if area else URBAN_DENSITY
        urban = density >= URBAN_DENSITY
        dense = float(np.clip((density / URBAN_DENSITY) ** 0.15, 0.6, 1.5))
        per_day = REACTIVE_PER_1000 * population / 1000 * dense
        disputes = DISPUTES_PER_1000 * population / 1000
        travel = 1.0 if urban else RURAL_TRAVEL
        for day in days:
            factors = _hour_factors(day, urban, hol, fest)
            counts = rng.poisson(per_day * HOUR_SHAPE * factors)
            dispute_counts = rng.poisson(
                disputes * np.where((np.arange(24) >= 8) & (np.arange(24) < 22), 1 / 14, 0.0)
            )
            for hour in range(24):
                picks = type_cdf[bool(night[hour])].searchsorted(rng.random(counts[hour]), side="right")
                kinds = [RESPONSE_TYPES[k] for k in picks] + [DISPUTE] * int(dispute_counts[hour])
                for kind in kinds:
                    second = int(rng.integers(3600))
                    at = dt.datetime.combine(day, dt.time(hour)) + dt.timedelta(seconds=second)
                    minutes = max(3, round(kind.handling * travel * float(rng.lognormal(-0.125, 0.5))))
                    units = 2 if rng.random() < kind.two_units else 1
                    rows.append((at, station_id, kind.name, minutes, units, kind.priority))
    rows.sort(key=itemgetter(0, 1))
    out = [
        (f"I{k + 1:07d}", sid, at.strftime("%Y-%m-%dT%H:%M:%S"), name, minutes, units, priority)
        for k, (at, sid, name, minutes, units, priority) in enumerate(rows)
    ]
    return out, holidays + festival


def write_incidents(folder: Path, rows: list[tuple], events: list[dt.date]) -> None:
    """incidents.csv, and policy.toml's ``[demand] event_days`` naming the holiday and festival."""
    with (folder / "incidents.csv").open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(COLUMNS)
        writer.writerows(rows)
    days = ", ".join(d.isoformat() for d in events)
    (folder / "policy.toml").write_text(
        "# Policy of the generated district (allocate.policy.Policy; defaults for everything else).\n"
        "[demand]\n"
        "# National Day holiday and the Harbour Lantern Festival: kept out of the weekday means.\n"
        f"event_days = [{days}]\n",
        encoding="utf-8",
    )
