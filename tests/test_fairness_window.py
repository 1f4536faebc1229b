"""Fairness over a rolling window of weeks: carried across batch weeks, and a monthly horizon."""

from __future__ import annotations

import datetime as dt
from collections import Counter

import pytest

from allocate.batch import BatchSettings, Store, run_batch
from allocate.batch.data import split_by_station
from allocate.domain import Horizon, is_heavy
from allocate.io.load import load_dataset
from allocate.policy import Policy
from allocate.solve import solve
from batch_helpers import W1, W2, tiny

SERIAL = BatchSettings(engine="serial", workers=1, time_limit=10)


def _heavy(store: Store, week: str, ds) -> Counter:
    """Person -> heavy shifts of a stored week."""
    r = store.roster(week)
    seen = set(zip(r["person_id"], r["date"], r["shift_id"], strict=True))
    return Counter(
        pid
        for pid, day, sid in seen
        if is_heavy(ds.shift_by_id[sid], dt.date.fromisoformat(day), ds.calendar)
    )


def _sworn_spread(ds, counts: Counter) -> dict[str, int]:
    """Station -> max - min heavy shifts among its sworn officers."""
    out = {}
    for st in ds.stations:
        values = [counts[p.person_id] for p in ds.staff if p.station_id == st.station_id and p.is_sworn]
        out[st.station_id] = max(values) - min(values)
    return out


def test_second_weeks_heavy_shifts_go_to_who_had_fewer(tmp_path):
    """Week 2 gives its nights and weekends to the sworn officers with fewer in week 1: over both
    weeks the spread is no wider than without the window, and the summary reports it."""
    data = tiny(tmp_path / "tiny")
    ds = load_dataset(data)
    spread, second = {}, {}
    for weeks in (1, 4):
        with Store(f"sqlite:///{tmp_path / f'w{weeks}.db'}") as store:
            policy = Policy(fairness_weeks=weeks)
            assert run_batch(data, W1, store, settings=SERIAL, policy=policy).exit_code() == 0
            report = run_batch(data, W2, store, settings=SERIAL, policy=policy)
            assert report.exit_code() == 0
            first, later = _heavy(store, W1, ds), _heavy(store, W2, ds)
            spread[weeks] = _sworn_spread(ds, first + later)
            second[weeks] = (first, later)
            rows = report.summary()["fairness_window"]
    assert all(spread[4][st] <= spread[1][st] for st in spread[4])
    assert all(value <= 1 for value in spread[4].values())  # T or T + 1 over the two weeks
    first, later = second[4]
    for st in ds.stations:
        sworn = [p.person_id for p in ds.staff if p.station_id == st.station_id and p.is_sworn]
        most = max(first[p] for p in sworn)
        least = min(first[p] for p in sworn)
        assert max(later[p] for p in sworn if first[p] == most) <= min(
            later[p] for p in sworn if first[p] == least
        )
    window = {(r["station_id"], r["role"]): r for r in rows}
    assert {st: window[st, "sworn"]["spread"] for st in ("S01", "S02")} == spread[4]


@pytest.mark.slow
def test_a_28_day_horizon_solves_like_four_weeks(tmp_path):
    """A monthly horizon of a small station is solved to proven optimality and verified, in about
    the time per day that a week takes."""
    ds = load_dataset(tiny(tmp_path / "tiny"))
    results = {}
    for days in (7, 28):
        horizon = Horizon(dt.date(2026, 12, 7), days)
        results[days] = solve(split_by_station(ds, horizon)["S01"], horizon, time_limit=60, workers=1)
    week, month = results[7], results[28]
    assert month.status == "OPTIMAL" and month.verification.ok
    assert month.summary()["counts"]["crews_required"] == 4 * week.summary()["counts"]["crews_required"]
    assert month.summary()["uncovered_crews"] == 0 == week.summary()["uncovered_crews"]
    assert month.units[0].fully_proven
    assert month.wall_seconds / 28 <= 3 * max(week.wall_seconds / 7, 0.05)
