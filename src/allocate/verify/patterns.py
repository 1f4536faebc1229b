"""The optional day-pattern rule families, re-derived from a person's days (no model code).

The rules are plain functions over one person's timeline (the shift started on each day of the
horizon, or None), so the same checks serve police rosters (:func:`check_patterns`, from the
policy) and the shift scheduling benchmark (:mod:`allocate.verify.nrp`, from the instance).
Edges follow the rules' definition: a run touching the first or last day is exempt from a
minimum, a succession needs both days inside the horizon, and weekends are counted from dates.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import pandas as pd

from allocate.domain import ROLES
from allocate.verify.report import Violation
from allocate.verify.words import person_words

if TYPE_CHECKING:
    from allocate.verify.frames import Context

Timeline = Sequence[str | None]  # the shift id started on each day, None for a day off


@dataclass(frozen=True)
class Run:
    first: int
    last: int

    @property
    def length(self) -> int:
        return self.last - self.first + 1


def runs_of(flags: Sequence[bool], value: bool = True) -> list[Run]:
    """Maximal runs of days whose flag equals `value`."""
    out: list[Run] = []
    start = None
    for day, flag in enumerate([*flags, not value]):
        if flag == value and start is None:
            start = day
        elif flag != value and start is not None:
            out.append(Run(start, day - 1))
            start = None
    return out


def short_runs(flags: Sequence[bool], shortest: int, value: bool = True) -> list[Run]:
    """Runs shorter than `shortest` that touch neither edge of the horizon."""
    last = len(flags) - 1
    return [r for r in runs_of(flags, value) if r.length < shortest and r.first > 0 and r.last < last]


def long_runs(flags: Sequence[bool], longest: int) -> list[Run]:
    return [r for r in runs_of(flags) if r.length > longest]


def successions(timeline: Timeline, pairs: Iterable[tuple[str, str]]) -> list[tuple[int, str, str]]:
    """(day, A, B): A on `day` and B on the next day, a forbidden pair."""
    banned = set(pairs)
    return [
        (day, timeline[day], timeline[day + 1])  # type: ignore[misc]
        for day in range(len(timeline) - 1)
        if (timeline[day], timeline[day + 1]) in banned
    ]


def worked_weekends(flags: Sequence[bool], weekends: Sequence[Sequence[int]]) -> list[bool]:
    return [any(flags[d] for d in days) for days in weekends]


def weekend_excess(worked: Sequence[bool], limit: int, window: int | None = None) -> list[tuple[int, int]]:
    """(first weekend index, worked count) of each window of weekends holding more than `limit`."""
    size = len(worked) if window is None else min(window, len(worked))
    return [
        (first, n)
        for first in range(len(worked) - size + 1)
        if (n := sum(worked[first : first + size])) > limit
    ]


def shift_counts(timeline: Timeline) -> dict[str, int]:
    counts: dict[str, int] = {}
    for shift in timeline:
        if shift is not None:
            counts[shift] = counts.get(shift, 0) + 1
    return counts


def calendar_weekends(dates: Sequence[pd.Timestamp]) -> list[list[int]]:
    """Day indexes of each weekend (a Saturday and the Sunday after it) within the dates."""
    groups: dict[pd.Timestamp, list[int]] = {}
    for day, date in enumerate(dates):
        if date.weekday() >= 5:
            groups.setdefault(date - pd.Timedelta(days=date.weekday()), []).append(day)
    return [groups[k] for k in sorted(groups)]


# --- police rosters: the policy's options per role family ---------------------------------------


def check_patterns(ctx: Context) -> list[Violation]:
    """The optional rule families (all off by default) for every person fit to serve."""
    if not any(_active(ctx.policy.rules_for(role)) for role in ROLES):
        return []  # the common case: nothing to look at
    dates = list(pd.date_range(ctx.horizon_start, ctx.horizon_end, freq="D"))
    weekends = calendar_weekends(dates)
    minutes = {s.shift_id: s.minutes for s in ctx.dataset.shifts}
    rows = ctx.in_horizon.sort_values(["person_id", "day", "shift_id"], kind="stable")
    starts: dict[str, dict[int, str]] = {}
    for person_id, day, shift_id in zip(rows["person_id"], rows["day"], rows["shift_id"], strict=True):
        starts.setdefault(person_id, {}).setdefault((day - ctx.horizon_start).days, shift_id)
    out: list[Violation] = []
    for person in ctx.dataset.staff:
        rules = ctx.policy.rules_for(person.role)
        mine = starts.get(person.person_id, {})
        timeline = [mine.get(d) for d in range(len(dates))]
        who = person_words(person.person_id, person.role)
        out += _person(ctx, rules, who, person.person_id, timeline, dates, weekends, minutes)
        fit = not person.disqualified and person.pre_job_trained
        total = sum(minutes[s] for s in timeline if s is not None)
        if fit and rules.min_total_minutes is not None and total < rules.min_total_minutes:
            message = f"{who} works {total} minutes in the horizon; at least {rules.min_total_minutes}"
            out.append(Violation("min_total_minutes", message, person_id=person.person_id))
    return out


def _active(rules) -> bool:
    """Whether any optional rule family is on for a role family."""
    return bool(
        rules.forbidden_successions
        or rules.min_consecutive_days > 1
        or rules.min_consecutive_days_off > 1
        or rules.max_weekends_per_4_weeks is not None
        or rules.max_weekends is not None
        or rules.max_shifts_per_type
        or rules.min_total_minutes is not None
        or rules.max_total_minutes is not None
    )


def _person(ctx, rules, who, person_id, timeline, dates, weekends, minutes) -> list[Violation]:
    out: list[Violation] = []
    flags = [s is not None for s in timeline]

    def add(rule: str, message: str, day: int | None) -> None:
        date = None if day is None else f"{dates[day]:%Y-%m-%d}"
        out.append(Violation(rule, message, date=date, person_id=person_id))

    for day, a, b in successions(timeline, rules.forbidden_successions):
        add(
            "forbidden_succession", f"{who} works {a} on {dates[day]:%Y-%m-%d} then {b} the next day", day + 1
        )
    for run in short_runs(flags, rules.min_consecutive_days):
        add("min_consecutive_days", f"{who} works a run of {run.length} day(s) from {dates[run.first]:%Y-%m-%d}; "
            f"at least {rules.min_consecutive_days}", run.first)  # fmt: skip
    for run in short_runs(flags, rules.min_consecutive_days_off, value=False):
        add("min_consecutive_days_off", f"{who} has {run.length} day(s) off from {dates[run.first]:%Y-%m-%d}; "
            f"at least {rules.min_consecutive_days_off} together", run.first)  # fmt: skip
    worked = worked_weekends(flags, weekends)
    limits = (
        ("max_weekends_per_4_weeks", rules.max_weekends_per_4_weeks, 4),
        ("max_weekends", rules.max_weekends, None),
    )
    for name, limit, window in limits:
        if limit is None:
            continue
        for first, n in weekend_excess(worked, limit, window):
            span = "any 4 consecutive weekends" if window else "the horizon"
            add(name, f"{who} works {n} weekends from {dates[weekends[first][0]]:%Y-%m-%d}; at most {limit} in {span}",
                weekends[first][0])  # fmt: skip
    counts = shift_counts(timeline)
    for shift_id, limit in rules.max_shifts_per_type:
        if counts.get(shift_id, 0) > limit:
            add(
                "max_shifts_per_type",
                f"{who} works {counts[shift_id]} {shift_id} shifts; at most {limit}",
                None,
            )
    total = sum(minutes[s] for s in timeline if s is not None)
    if rules.max_total_minutes is not None and total > rules.max_total_minutes:
        add(
            "max_total_minutes",
            f"{who} works {total} minutes in the horizon; at most {rules.max_total_minutes}",
            None,
        )
    return out
