"""Occupational protection (rule 7): one shift a day, rest, days in a row, hours and nights.

Work is counted per person over last week's roster (history) followed by this roster, because the
law does not restart on Monday: a night on Sunday still needs its rest before Monday's morning.
Only what this roster decides is reported: a pair or run that ends inside the horizon.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import TYPE_CHECKING

import pandas as pd

from allocate.domain import ROLES
from allocate.verify.report import Violation
from allocate.verify.words import hours_words, person_words

if TYPE_CHECKING:
    from allocate.verify.frames import Context

WORK_COLUMNS = ["person_id", "date", "day", "shift_id", "station_id", "task_id", "crew_id", "staff_role"]


def check_labour(ctx: Context) -> list[Violation]:
    """Every rule-7 family, over the shifts each person works (history included)."""
    worked = worked_shifts(ctx)
    if worked.empty:
        return []
    totals = block_totals(ctx, worked)
    return [
        *one_shift_per_day(ctx),
        *rest(ctx, worked),
        *consecutive_days(ctx, worked),
        *weekly_hours(ctx, totals),
        *nights(ctx, totals),
    ]


def worked_shifts(ctx: Context) -> pd.DataFrame:
    """One row per person, date and shift worked, history then horizon, with start and end times.

    A person in two crews of the same shift is one shift worked (and a `one_shift_per_day`
    violation), so double-booking is not also counted as double hours or zero rest.
    """
    columns = [*WORK_COLUMNS, "start_min", "minutes", "hours", "rest_after", "is_night"]
    roster = ctx.in_horizon[columns].assign(in_horizon=True)
    # The usual first week has no history: no frame of last week's rows to filter and join.
    history = ctx.history[columns].assign(in_horizon=False) if len(ctx.history_rows) else roster.iloc[:0]
    parts = [part for part in (history, roster) if not part.empty]
    if not parts:
        return roster  # nobody works: check_labour returns early on an empty frame
    worked = parts[0] if len(parts) == 1 else pd.concat(parts, ignore_index=True)
    worked = worked.drop_duplicates(["person_id", "day", "shift_id"])
    worked["start"] = worked["day"] + pd.to_timedelta(worked["start_min"].astype(float), unit="min")
    worked["end"] = worked["start"] + pd.to_timedelta(worked["minutes"].astype(float), unit="min")
    return worked.sort_values(["person_id", "start"], kind="stable").reset_index(drop=True)


def role_rule(ctx: Context, role: str, name: str) -> float:
    """A number of a role family (sworn or auxiliary) from the policy, e.g. min_rest_hours."""
    return float(getattr(ctx.policy.rules_for(role), name))


def labour_rule(ctx: Context, roles: pd.Series, name: str) -> pd.Series:
    """:func:`role_rule` of each row's role."""
    value_of = {role: role_rule(ctx, role, name) for role in ROLES}
    return roles.map(value_of).astype(float)


def one_shift_per_day(ctx: Context) -> list[Violation]:
    """one_shift_per_day: a person is in at most one crew per date."""
    rows = ctx.in_horizon
    crews = rows.drop_duplicates(["person_id", "date", "crew_id"])
    days = list(zip(crews["person_id"], crews["date"], strict=True))
    crews_per_day = Counter(days)
    if max(crews_per_day.values(), default=0) <= 1:
        return []
    twice = pd.Series([crews_per_day[day] > 1 for day in days], index=crews.index, dtype=bool)
    out = []
    for (person_id, date), group in crews[twice].groupby(["person_id", "date"], sort=False):
        first = group.iloc[0]
        listed = ", ".join(
            f"{r.crew_id} ({r.task_id} {r.shift_id} at {r.station_id})" for r in group.itertuples()
        )
        message = (
            f"{person_words(person_id, first.staff_role)} works {len(group)} crews on {date}: {listed}; "
            "at most one shift a day (rule 7)"
        )
        out.append(
            Violation(
                "one_shift_per_day", message, date=date, station_id=first.station_id, person_id=person_id
            )
        )
    return out


def rest(ctx: Context, worked: pd.DataFrame) -> list[Violation]:
    """rest: between consecutive shifts, the first shift's `rest_after` or the role's minimum rest."""
    previous = worked.groupby("person_id")[["date", "shift_id", "end", "rest_after"]].shift(1)
    default_rest = labour_rule(ctx, worked["staff_role"], "min_rest_hours")
    required = previous["rest_after"].fillna(default_rest)
    gap = (worked["start"] - previous["end"]).dt.total_seconds() / 3600
    short = worked["in_horizon"] & previous["end"].notna() & (gap < required - 1e-9)
    out = []
    for i in worked.index[short]:
        row, prev = worked.loc[i], previous.loc[i]
        who = person_words(row.person_id, row.staff_role)
        why = f"{prev.shift_id}'s rest_after" if pd.notna(prev.rest_after) else "min_rest_hours"
        between = (
            f"{prev.shift_id} on {prev.date} (ends {prev.end:%Y-%m-%d %H:%M}) and {row.shift_id} on "
            f"{row.date} (starts {row.start:%H:%M})"
        )
        if gap[i] < 0:
            message = f"{who} works overlapping shifts: {between}"
        else:
            message = (
                f"{who} rests {hours_words(gap[i])} between {between}; at least "
                f"{hours_words(required[i])} required ({why}, rule 7)"
            )
        out.append(
            Violation(
                "rest",
                message,
                date=row.date,
                station_id=row.station_id or None,
                shift_id=row.shift_id,
                task_id=row.task_id or None,
                crew_id=row.crew_id or None,
                person_id=row.person_id,
            )
        )
    return out


@dataclass(frozen=True)
class Run:
    """A maximal run of consecutive days with a shift start, and the person's limits."""

    person_id: str
    staff_role: str
    first: pd.Timestamp
    last: pd.Timestamp
    length: int
    max_days: int  # max_consecutive_days
    window: int  # days_off_window


def working_runs(ctx: Context, worked: pd.DataFrame) -> list[Run]:
    """Maximal runs of consecutive days with a shift start, per person, that reach the horizon.

    One pass over each person's days in order: a station's roster has few, and the frame
    operations of a grouped diff cost more than the counting.
    """
    offsets = (worked["day"] - ctx.horizon_start).dt.days.tolist()  # days from the horizon's start
    role_of: dict[tuple[str, int], str] = {}  # (person, day worked) -> role
    for person, day, role in zip(worked["person_id"], offsets, worked["staff_role"], strict=True):
        role_of.setdefault((person, day), role)
    runs: list[list] = []  # [person, role, first, last, length], in (person, first) order
    for (person, day), role in sorted(role_of.items()):
        run = runs[-1] if runs else None
        if run is not None and run[0] == person and day == run[3] + 1:
            run[3], run[4] = day, run[4] + 1
        else:
            runs.append([person, role, day, day, 1])
    date_of = {day: ctx.horizon_start + pd.Timedelta(days=day) for day in set(offsets)}
    return [
        Run(
            person,
            role,
            date_of[first],
            date_of[last],
            length,
            int(role_rule(ctx, role, "max_consecutive_days")),
            int(role_rule(ctx, role, "days_off_window")),
        )
        for person, role, first, last, length in runs
        if last >= 0
    ]


def consecutive_days(ctx: Context, worked: pd.DataFrame) -> list[Violation]:
    """consecutive_days and day_off_in_7: no run too long, no full window without a day off.

    Only runs that reach into the horizon count: a long run inside last week is not ours to fix.
    """
    out = []
    for run in working_runs(ctx, worked):
        if run.length <= run.max_days and run.length < run.window:
            continue
        who = person_words(run.person_id, run.staff_role)
        span = f"{run.first:%Y-%m-%d} to {run.last:%Y-%m-%d}"
        since = ", history included" if run.first < ctx.horizon_start else ""
        if run.length > run.max_days:
            at = max(run.first + pd.Timedelta(days=run.max_days), ctx.horizon_start)
            message = (
                f"{who} works {run.length} days in a row, {span}{since}; at most {run.max_days} (rule 7)"
            )
            out.append(Violation("consecutive_days", message, date=f"{at:%Y-%m-%d}", person_id=run.person_id))
        if run.length >= run.window:
            at = max(run.first + pd.Timedelta(days=run.window - 1), ctx.horizon_start)
            message = (
                f"{who} has no day off in {run.window} consecutive days "
                f"({span}{since}); one day off in every {run.window} (rule 7)"
            )
            out.append(Violation("day_off_in_7", message, date=f"{at:%Y-%m-%d}", person_id=run.person_id))
    return out


@dataclass(frozen=True)
class BlockTotal:
    """A person's hours and night shifts in one 7-day block, and the caps that apply."""

    person_id: str
    staff_role: str
    block: int  # from the horizon's start
    hours: float
    nights: int
    contract: float  # contract hours
    overtime: float  # max_overtime_hours_per_week
    max_nights: int  # max_nights_per_week


def block_totals(ctx: Context, worked: pd.DataFrame) -> list[BlockTotal]:
    """Hours and night shifts per person and 7-day block from the horizon's start, with the caps,
    in (person, block) order: summed in one pass over the horizon's shifts."""
    inside = worked[worked["in_horizon"]]
    blocks = ((inside["day"] - ctx.horizon_start).dt.days // 7).tolist()
    sums: dict[tuple[str, int], list] = {}  # (person, block) -> [hours, nights, role]
    facts = zip(
        inside["person_id"], blocks, inside["hours"], inside["is_night"], inside["staff_role"], strict=True
    )
    for person, block, hours, night, role in facts:
        total = sums.setdefault((person, block), [0.0, 0, role])
        total[0] += hours
        total[1] += int(night)
    contract = {p.person_id: float(p.hours_per_week) for p in ctx.dataset.staff}
    return [
        BlockTotal(
            person,
            role,
            block,
            hours,
            nights,
            contract[person],
            role_rule(ctx, role, "max_overtime_hours_per_week"),
            int(role_rule(ctx, role, "max_nights_per_week")),
        )
        for (person, block), (hours, nights, role) in sorted(sums.items())
    ]


def block_words(ctx: Context, block: int) -> tuple[str, str]:
    """The first date of a block and its span as text (the last block may be shorter)."""
    first = ctx.horizon_start + pd.Timedelta(days=7 * int(block))
    last = min(first + pd.Timedelta(days=6), ctx.horizon_end)
    return f"{first:%Y-%m-%d}", f"the 7-day block {first:%Y-%m-%d} to {last:%Y-%m-%d}"


def weekly_hours(ctx: Context, totals: list[BlockTotal]) -> list[Violation]:
    """weekly_hours: per block, contract hours plus the role's overtime cap (Labour Law Art. 41)."""
    out = []
    for total in totals:
        if not total.hours > total.contract + total.overtime + 1e-9:
            continue
        first, span = block_words(ctx, total.block)
        message = (
            f"{person_words(total.person_id, total.staff_role)} works {hours_words(total.hours)} "
            f"in {span}; at most {hours_words(total.contract + total.overtime)} "
            f"({hours_words(total.contract)} contract + {hours_words(total.overtime)} overtime, rule 7)"
        )
        out.append(Violation("weekly_hours", message, date=first, person_id=total.person_id))
    return out


def nights(ctx: Context, totals: list[BlockTotal]) -> list[Violation]:
    """nights: per block, at most the role's `max_nights_per_week` night shifts."""
    out = []
    for total in totals:
        if not total.nights > total.max_nights:
            continue
        first, span = block_words(ctx, total.block)
        message = (
            f"{person_words(total.person_id, total.staff_role)} works {int(total.nights)} night "
            f"shifts in {span}; at most {total.max_nights} (rule 7)"
        )
        out.append(Violation("nights", message, date=first, person_id=total.person_id))
    return out
