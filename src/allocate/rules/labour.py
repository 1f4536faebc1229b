"""Occupational protection (docs/RULES.md, "occupational protection"): the arithmetic, once.

The roster model, its greedy hint, the diagnosis of uncovered crews and the sizing models all ask
the same questions: how long must a person rest after a shift, how many minutes may they work in
a 7-day block, which windows of days must hold a day off. Each answer is computed here and only
here, so changing a rule (the minimum rest, the weekly cap) is one edit plus the verifier, which
keeps its own independent reading (:mod:`allocate.verify.labour`).

Times are whole minutes so that 7.5-hour shifts stay exact. A "start" is any minute count (from
the horizon's start, or from midnight of a shift's date) or a datetime: both work the same way.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, TypeVar

if TYPE_CHECKING:
    from allocate.domain import Person, Shift
    from allocate.policy import LabourRules

MINUTES_PER_DAY = 1440
BLOCK_DAYS = 7  # hours and nights are counted per 7-day block from the horizon's start

Start = TypeVar("Start", int, dt.datetime)


# --- rest -------------------------------------------------------------------------------------


def rest_minutes(shift: Shift, rules: LabourRules) -> int:
    """The rest owed after `shift`: its own `rest_after` (a 24-hour duty), else the role's minimum."""
    hours = shift.rest_after if shift.rest_after is not None else rules.min_rest_hours
    return round(hours * 60)


def free_from(start: Start, shift: Shift, rules: LabourRules) -> Start:
    """The earliest start of the next shift after `shift` started at `start`: its end plus its rest."""
    span = shift.minutes + rest_minutes(shift, rules)
    if isinstance(start, dt.datetime):
        return start + dt.timedelta(minutes=span)
    return start + span


def too_soon(first_start: Start, first: Shift, second_start: Start, rules: LabourRules) -> bool:
    """Whether a shift starting at `second_start`, after `first` started, breaks the rest owed."""
    return first_start < second_start < free_from(first_start, first, rules)


def rest_cliques(shifts: list[Shift], rules: LabourRules, days: int) -> list[tuple[int, str, list]]:
    """(day, shift id, the (day, shift id) starts it forbids on one later day), for every pair.

    Shifts of one later day are mutually exclusive already (one start a day), so each earlier
    shift and the conflicting shifts of one later day form a clique: one person holds at most one
    start of it; summed over a group of people, the group holds at most its headcount.
    """
    cliques = []
    for day in range(days):
        for first in shifts:
            until = free_from(first.start_min, first, rules)
            reach = until // MINUTES_PER_DAY + 1
            for gap in range(1, min(reach, days - 1 - day) + 1):
                later = [
                    (day + gap, s.shift_id) for s in shifts if gap * MINUTES_PER_DAY + s.start_min < until
                ]
                if later:
                    cliques.append((day, first.shift_id, later))
    return cliques


def day_pair_cliques(shifts: list[Shift], rules: LabourRules, days: int) -> list[list[tuple[int, str]]]:
    """Starts of two days in a row that one person can hold at most one of, as maximal sets.

    Each day's shifts exclude one another (one start a day) and every one of them, from some
    shift on, forbids the next day's earliest shifts: the shifts of day `d` that end (with their
    rest) no sooner than one shift, with the shifts of day `d + 1` that it forbids, form a clique
    wider than any :func:`rest_cliques` gives (a Friday's office, day and evening shifts and
    Saturday's night shift: whoever works one works none of the others). Summed over a group they
    count its heads: the busiest evening and the night after it need that many people.
    """
    ends = {s.shift_id: free_from(s.start_min, s, rules) for s in shifts}
    found: list[list[tuple[int, str]]] = []
    for day in range(days - 1):
        seen: set[tuple[tuple[int, str], ...]] = set()
        for until in sorted(set(ends.values())):
            later = [(day + 1, s.shift_id) for s in shifts if MINUTES_PER_DAY + s.start_min < until]
            first = [(day, s.shift_id) for s in shifts if ends[s.shift_id] >= until]
            clique = tuple(first + later)
            if later and first and clique not in seen:
                seen.add(clique)
                found.append(list(clique))
    # A clique inside another adds nothing.
    return [c for c in found if not any(set(c) < set(other) for other in found)]


# --- weekly hours -----------------------------------------------------------------------------


def contract_minutes(person: Person) -> int:
    """A person's contract hours per 7-day block, in minutes: above them is overtime."""
    return round(person.hours_per_week * 60)


def contract_hours(person: Person, days: int) -> float:
    """A person's contract hours over `days` days, pro rata (what hours.csv and the report compare with)."""
    return person.hours_per_week * days / 7


def weekly_cap_minutes(person: Person, rules: LabourRules) -> int:
    """The most a person may work in a 7-day block: contract hours plus the role's overtime cap."""
    return contract_minutes(person) + round(rules.max_overtime_hours_per_week * 60)


def block_of(day: int) -> int:
    """The 7-day block (from the horizon's start) of a day index."""
    return day // BLOCK_DAYS


# --- consecutive days and the day off ---------------------------------------------------------


def workday_windows(rules: LabourRules) -> tuple[tuple[int, int], ...]:
    """(window, most days worked in it) for every window of consecutive days the rules limit.

    `max_consecutive_days` forbids a run one day longer; `days_off_window` asks for a day off in
    every window of that many days (Labour Law Art. 38). Shortest window first.
    """
    windows = sorted({rules.max_consecutive_days + 1, rules.days_off_window})
    return tuple((window, window - 1) for window in windows)


def longest_run(rules: LabourRules) -> int:
    """The longest lawful run of consecutive working days (every window above allows it)."""
    return min(limit for _, limit in workday_windows(rules))
