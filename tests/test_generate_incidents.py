"""The generated incident log: seeded, loadable, and shaped like a real station's workload."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import pytest

from allocate.generate import generate
from allocate.io.incidents import load_incidents
from allocate.io.load import load_dataset
from allocate.policy import load_policy

DEMO = Path(__file__).parents[1] / "data" / "demo"


@pytest.fixture(scope="module")
def demo_log() -> pd.DataFrame:
    return load_incidents(load_dataset(DEMO), None, DEMO).frame


def test_same_seed_same_log_and_other_tables_unchanged(tmp_path: Path) -> None:
    """The log is byte-identical for a seed, and drawing it leaves the other tables as they were."""
    a, b = generate("tiny", 5, tmp_path / "a"), generate("tiny", 5, tmp_path / "b")
    assert (a / "incidents.csv").read_bytes() == (b / "incidents.csv").read_bytes()
    assert (a / "policy.toml").read_bytes() == (b / "policy.toml").read_bytes()
    c = generate("tiny", 6, tmp_path / "c")
    assert (a / "incidents.csv").read_bytes() != (c / "incidents.csv").read_bytes()


def test_generated_log_loads_with_its_event_days(tmp_path: Path) -> None:
    """A generated tiny dataset's log loads; its festival days are in policy.toml's [demand]."""
    folder = generate("tiny", 1, tmp_path / "t")
    log = load_incidents(load_dataset(folder), None, folder)
    days = load_policy(folder).demand.event_days
    assert len(log.frame) > 100
    assert days and all(log.frame["received_at"].min().date() <= d <= dt.date(2026, 12, 6) for d in days)
    assert log.task_types["response_110"]


def test_weekend_nights_are_busier(demo_log: pd.DataFrame) -> None:
    """Friday and Saturday 20:00-24:00 get more incidents than the same hours Monday to Thursday."""
    t = demo_log["received_at"]
    late = t.dt.hour >= 20
    weekend = demo_log[late & t.dt.day_of_week.isin([4, 5])]
    weekday = demo_log[late & t.dt.day_of_week.isin([0, 1, 2, 3])]
    assert len(weekend) / 2 > 1.3 * len(weekday) / 4


def test_daily_cycle_peaks_in_the_evening(demo_log: pd.DataFrame) -> None:
    """19:00-21:00 is at least three times as busy as 03:00-05:00."""
    hours = demo_log["received_at"].dt.hour
    assert hours.isin([19, 20]).sum() > 3 * hours.isin([3, 4]).sum()


def test_denser_places_have_more_incidents_per_resident(demo_log: pd.DataFrame) -> None:
    """The core station (12,000 people per km²) has more incidents per resident than a township (60)."""
    stations = {s.station_id: s.population for s in load_dataset(DEMO).stations}
    per_resident = demo_log.groupby("station_id").size() / pd.Series(stations)
    assert per_resident["S01"] > 1.3 * per_resident["S07"]


def test_festival_nights_stand_out(demo_log: pd.DataFrame) -> None:
    """The festival Saturday evening at the core station is busier than any ordinary Saturday's."""
    s01 = demo_log[(demo_log["station_id"] == "S01") & (demo_log["received_at"].dt.hour >= 17)]
    saturdays = s01[s01["received_at"].dt.day_of_week == 5].groupby(s01["received_at"].dt.date).size()
    festival = saturdays.pop(dt.date(2026, 11, 14))
    assert festival > saturdays.max()
