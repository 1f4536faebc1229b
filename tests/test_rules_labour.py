"""The labour arithmetic shared by the model, hint, diagnosis and sizing (allocate.rules.labour)."""

from __future__ import annotations

import datetime as dt

from allocate.domain import Person, Shift
from allocate.policy import LabourRules
from allocate.rules.labour import (
    day_pair_cliques,
    free_from,
    longest_run,
    rest_cliques,
    rest_minutes,
    too_soon,
    weekly_cap_minutes,
    workday_windows,
)

EVENING, DAY, DUTY = (
    Shift("evening", 16 * 60, 8),
    Shift("day", 8 * 60, 8),
    Shift("duty24", 8 * 60, 24, rest_after=24),
)


def test_rest_is_the_shifts_own_or_the_roles_minimum():
    """A 24-hour duty owes its own 24 h; an ordinary shift the role's minimum rest."""
    rules = LabourRules(min_rest_hours=11)
    assert rest_minutes(DUTY, rules) == 24 * 60
    assert rest_minutes(EVENING, rules) == 11 * 60


def test_minutes_and_datetimes_agree_on_too_soon():
    """Evening then next day's 08:00 is 8 h of rest: too soon as minutes and as datetimes alike."""
    rules, monday = LabourRules(), dt.date(2026, 12, 7)
    assert free_from(EVENING.start_min, EVENING, rules) == (24 + 11) * 60
    assert too_soon(EVENING.start_min, EVENING, 1440 + DAY.start_min, rules)
    assert too_soon(EVENING.starts_at(monday), EVENING, DAY.starts_at(monday + dt.timedelta(days=1)), rules)
    assert not too_soon(EVENING.start_min, EVENING, 1440 + EVENING.start_min, rules)


def test_rest_cliques_forbid_the_next_mornings_day_shift_only():
    """Over two days, the evening forbids Tuesday's day shift and nothing else; the day shift nothing."""
    cliques = rest_cliques([DAY, EVENING], LabourRules(), 2)
    assert cliques == [(0, "evening", [(1, "day")])]


def test_day_pair_cliques_hold_one_start_a_person():
    """Friday's office, day and evening and Saturday's night: every two of them too close for one
    person, so a group holds at most its headcount of them (what the sizing floor counts)."""
    night, office = Shift("night", 0, 8), Shift("office", 9 * 60, 8)
    shifts, rules = [DAY, EVENING, night, office], LabourRules(min_rest_hours=11)
    cliques = day_pair_cliques(shifts, rules, 2)
    assert sorted([(0, "day"), (0, "evening"), (0, "office"), (1, "night")]) in [sorted(c) for c in cliques]
    by_id = {s.shift_id: s for s in shifts}
    for clique in cliques:
        for a in clique:
            for b in clique:
                if a[0] < b[0]:  # a later day: too soon after the earlier shift
                    start = 1440 * b[0] + by_id[b[1]].start_min
                    assert too_soon(by_id[a[1]].start_min, by_id[a[1]], start, rules)
    assert not any(set(c) < set(d) for c in cliques for d in cliques)  # none inside another


def test_weekly_cap_is_contract_plus_overtime():
    """A 40-hour contract with 9 h overtime: 49 h a block, in minutes."""
    person = Person("P1", "P1", "S1", "sworn", hours_per_week=40)
    assert weekly_cap_minutes(person, LabourRules(max_overtime_hours_per_week=9)) == 49 * 60


def test_windows_of_consecutive_days():
    """Six days at most in a row and a day off in every 7 are one window; other numbers, two."""
    assert workday_windows(LabourRules()) == ((7, 6),)
    rules = LabourRules(max_consecutive_days=3, days_off_window=7)
    assert workday_windows(rules) == ((4, 3), (7, 6))
    assert longest_run(rules) == 3
