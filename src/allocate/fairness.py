"""Heavy shifts (nights, weekends, holidays) counted over a rolling window of weeks (rule 8).

Fairness is judged over months, not one week: the officer who worked the Spring Festival nights
is not first in line for the next ones. The window is the horizon plus the `fairness_weeks - 1`
weeks before it, whose shifts come from the history (history.csv, or the batch's store).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import TYPE_CHECKING

from allocate.domain import Assignment, Dataset, Horizon, is_heavy

if TYPE_CHECKING:
    from collections.abc import Iterable


def window_start(horizon: Horizon, weeks: int) -> dt.date:
    """The first date of the fairness window: `weeks - 1` whole weeks before the horizon."""
    return horizon.start - dt.timedelta(days=7 * max(0, weeks - 1))


Worked = tuple[str, dt.date, str]  # person, date, shift


def worked(rows: Iterable[Assignment]) -> list[Worked]:
    return [(r.person_id, r.date, r.shift_id) for r in rows]


def heavy_counts(dataset: Dataset, rows: Iterable[Worked], since: dt.date, until: dt.date) -> Counter:
    """Person -> heavy shifts worked from `since` up to (not including) `until`.

    One count per person, date and shift (a roster names a person once per crew).
    """
    seen = {(pid, day, sid) for pid, day, sid in rows if since <= day < until and sid in dataset.shift_by_id}
    return Counter(pid for pid, day, sid in seen if is_heavy(dataset.shift_by_id[sid], day, dataset.calendar))


def history_heavy(dataset: Dataset, horizon: Horizon, weeks: int) -> Counter:
    """Heavy shifts of the history inside the window, before the horizon."""
    return heavy_counts(dataset, worked(dataset.history), window_start(horizon, weeks), horizon.start)


def window_spread(
    dataset: Dataset, horizon: Horizon, weeks: int, roster: Iterable[Worked]
) -> list[dict[str, object]]:
    """Per station and role: the fewest and most heavy shifts anyone has over the window.

    Everyone who may be rostered counts (zero when they worked none), history and roster
    together; the disqualified and those without pre-job training never work (rule 5).
    """
    counts = history_heavy(dataset, horizon, weeks)
    counts.update(heavy_counts(dataset, roster, horizon.start, horizon.end + dt.timedelta(days=1)))
    groups: dict[tuple[str, str], list[int]] = {}
    for p in dataset.staff:
        if not p.disqualified and p.pre_job_trained:
            groups.setdefault((p.station_id, p.role), []).append(counts.get(p.person_id, 0))
    return [
        {
            "station_id": st,
            "role": role,
            "people": len(values),
            "min": min(values),
            "max": max(values),
            "spread": max(values) - min(values),
        }
        for (st, role), values in sorted(groups.items())
    ]
