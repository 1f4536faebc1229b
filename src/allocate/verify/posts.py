"""Posts with demand: where, when and how many crews the dataset asks for in the horizon.

Derived here from `dataset.demand` by the data contract's words alone, so that coverage is checked
against the verifier's own reading of the demand, not the model builder's.
"""

from __future__ import annotations

from collections import defaultdict
from typing import TYPE_CHECKING

import pandas as pd

if TYPE_CHECKING:
    from allocate.domain import Dataset, Horizon

POST_KEY: list[str] = ["station_id", "date", "shift_id", "task_id"]


def demand_posts(dataset: Dataset, horizon: Horizon) -> pd.DataFrame:
    """One row per post with demand in the horizon: station, date, shift, task, crews_required.

    A weekday row applies on every horizon date with that weekday; a dated row applies on its date
    and overrides the weekday rows of the same post; a post of 0 crews is no post.
    """
    weekly: dict[tuple[str, str, str, str], int] = defaultdict(int)
    dated: dict[tuple[str, str, str, str], int] = defaultdict(int)
    dates_of_weekday = defaultdict(list)
    for day in horizon.dates:
        dates_of_weekday[day.weekday()].append(day)
    for row in dataset.demand:
        if row.date is not None:
            if row.date in horizon:
                dated[(row.station_id, row.date.isoformat(), row.shift_id, row.task_id)] += row.crews
        elif row.weekday is not None:
            for day in dates_of_weekday[row.weekday]:
                weekly[(row.station_id, day.isoformat(), row.shift_id, row.task_id)] += row.crews
    required = {**weekly, **dated}
    posts = [(*key, crews) for key, crews in sorted(required.items()) if crews > 0]
    return pd.DataFrame.from_records(posts, columns=[*POST_KEY, "crews_required"]).astype(
        dict.fromkeys(POST_KEY, object) | {"crews_required": int}
    )
