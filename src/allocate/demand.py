"""Demand over a horizon: the posts (station, date, shift, task) and how many crews each needs."""

from __future__ import annotations

import datetime as dt

from allocate.domain import HOLIDAY, WEEKEND, Dataset, Horizon, Post

WORKDAY_AS = 0  # an adjusted working day is staffed like a Monday: a full working day


def expand_posts(dataset: Dataset, horizon: Horizon) -> list[Post]:
    """Every post with demand in the horizon, sorted.

    A `weekday` row applies on every matching date; a `Hol` row applies on public holidays
    (of :attr:`Dataset.calendar`) and overrides the weekday rows of the same station, shift and
    task; an adjusted working day (调休, a weekend day worked) takes the rows of a working day
    (:data:`WORKDAY_AS`); a `date` row applies on its date and overrides the rest (a festival night,
    say). Posts needing 0 crews are left out.
    """
    required: dict[tuple[str, dt.date, str, str], int] = {}
    by_weekday: dict[int, list] = {}
    for row in dataset.demand:
        if row.weekday is not None:
            by_weekday.setdefault(row.weekday, []).append(row)
    calendar = dataset.calendar
    for day in horizon.dates:
        weekday = day.weekday()
        if weekday in WEEKEND and calendar.is_adjusted_workday(day):
            weekday = WORKDAY_AS
        rows = list(by_weekday.get(weekday, ()))
        if calendar.is_holiday(day):
            rows += by_weekday.get(HOLIDAY, ())
        for row in rows:
            required[(row.station_id, day, row.shift_id, row.task_id)] = row.crews
    for row in dataset.demand:
        if row.date is not None and row.date in horizon:
            required[(row.station_id, row.date, row.shift_id, row.task_id)] = row.crews
    return [Post(*key, crews) for key, crews in sorted(required.items()) if crews > 0]


def default_horizon(dataset: Dataset, today: dt.date | None = None) -> Horizon:
    """The dated demand's span, else a week from the next Monday: what a planner means by 'next week'."""
    dates = dataset.demand_dates()
    if dates:
        return Horizon(dates[0], (dates[-1] - dates[0]).days + 1)
    today = today or dt.date.today()
    return Horizon(today + dt.timedelta(days=7 - today.weekday()), 7)
