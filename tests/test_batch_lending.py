"""The weekly batch with lending: one CP-SAT unit per district, results stored per station."""

from __future__ import annotations

import csv
import datetime as dt
from typing import TYPE_CHECKING

import pytest

from allocate.batch import BatchCallbacks, BatchSettings, DaskEngine, Store, run_batch
from allocate.batch.plan import district_tasks, station_tasks
from allocate.batch.replan import replan_batch
from allocate.batch.runner import BatchReport
from allocate.batch.week import Week
from allocate.io.load import load_dataset
from allocate.policy import Policy, load_policy
from allocate.verify import verify_roster
from batch_helpers import SHORT, W1, lending_city, threaded_dask

if TYPE_CHECKING:
    from pathlib import Path

SERIAL = BatchSettings(engine="serial", workers=1, time_limit=5)


@pytest.fixture(scope="module")
def city(tmp_path_factory) -> Path:
    """Two districts of two stations, lending on, C01S01 without auxiliaries of its own."""
    return lending_city(tmp_path_factory.mktemp("lend") / "city")


def _home(data: Path) -> dict[str, str]:
    with (data / "staff.csv").open(newline="", encoding="utf-8") as handle:
        return {r["person_id"]: r["station_id"] for r in csv.DictReader(handle)}


def test_a_short_station_is_helped_by_its_district_neighbour(city, tmp_path):
    """With lending the batch solves each district as one unit: C01S01's auxiliary posts are staffed
    by C01S02's auxiliaries, every station is verified, and no one crosses into another district."""
    with Store(f"sqlite:///{tmp_path / 'off.db'}") as off:
        alone = run_batch(city, W1, off, settings=SERIAL, policy=Policy())
        assert alone.summary()["lending"] is False
        short_alone = int(off.coverage(W1, [SHORT])["shortfall"].sum())
    assert short_alone > 0, "without lending C01S01 should lack auxiliaries: no lending test"

    with Store(f"sqlite:///{tmp_path / 'on.db'}") as store:
        report = run_batch(city, W1, store, settings=SERIAL)
        summary = report.summary()
        assert report.exit_code() == 0, summary["failed"]
        assert summary["lending"] is True
        assert summary["stations"]["solved"] == summary["stations"]["verified"] == 4
        assert int(store.coverage(W1, [SHORT])["shortfall"].sum()) < short_alone
        roster = store.roster(W1)
        home = _home(city)
        lent = roster[roster["person_id"].map(home) != roster["station_id"]]
        assert set(lent.loc[lent["station_id"] == SHORT, "person_id"].map(home)) == {"C01S02"}
        assert (lent["person_id"].map(home).str[:3] == lent["station_id"].str[:3]).all()  # same district
        assert "sworn" not in set(lent["role"])  # lending is for auxiliaries only
        # Each station's row holds its own posts only; the district's proof is shared and counted once.
        for sid, rows in store.coverage(W1).groupby("station_id"):
            assert int(rows["crews_staffed"].sum()) == int(
                store.station_weeks(W1, [sid])["crews_staffed"].iloc[0]
            )
        proof = summary["proof"]
        assert proof["stations"] == 4 and proof["units"]["solved"] == 2
        assert proof["coverage_proven"] == 2 * proof["units"]["coverage_proven"]


def test_a_rerun_skips_the_stored_stations(city, tmp_path):
    """A second lending batch of the same week solves nothing: every station is stored already."""
    with Store(f"sqlite:///{tmp_path / 'again.db'}") as store:
        assert run_batch(city, W1, store, stations=["C02S01"], settings=SERIAL).exit_code() == 0
        again = run_batch(city, W1, store, settings=SERIAL)
        stations = again.summary()["stations"]
        assert stations["already_stored"] == 2 and stations["solved_this_run"] == 2
        assert sorted(o.station_id for o in again.outcomes) == ["C01S01", "C01S02"]
        third = run_batch(city, W1, store, settings=SERIAL)
        assert third.summary()["stations"]["already_stored"] == 4 and third.outcomes == []


def test_selecting_a_station_solves_its_district(city, tmp_path):
    """--stations C02S01 with lending solves the district D02 whole, and says so."""
    messages: list[str] = []

    class Heard(BatchCallbacks):
        def on_message(self, text: str) -> None:
            messages.append(text)

    with Store(f"sqlite:///{tmp_path / 'one.db'}") as store:
        report = run_batch(city, W1, store, stations=["C02S01"], settings=SERIAL, callbacks=Heard())
        assert report.selected == ["C02S01", "C02S02"]
        assert sorted(store.states(W1)) == ["C02S01", "C02S02"]
    assert any("C02S02" in m and "district" in m for m in messages)


def test_a_district_task_adds_up_its_stations_budgets(city, tmp_path):
    """A district of n stations gets n station time limits; stored stations are not part of it."""
    dataset = load_dataset(city)
    week = Week.parse(W1)
    with Store(f"sqlite:///{tmp_path / 'plan.db'}") as store:
        store.create()
        singles, early = station_tasks(
            dataset, {}, week, ["C01S01", "C01S02", "C02S01"], store, load_policy(city), SERIAL, 1
        )
    districts = {t.district: t for t in district_tasks(dataset, singles)}
    assert early == [] and sorted(districts) == ["D01", "D02"]
    assert districts["D01"].time_limit == 2 * SERIAL.time_limit
    assert districts["D01"].station_ids == ("C01S01", "C01S02")
    assert districts["D02"].station_ids == ("C02S01",) and districts["D02"].time_limit == SERIAL.time_limit
    assert {p.station_id for p in districts["D01"].dataset.staff} == {"C01S01", "C01S02"}
    failed = districts["D01"].failed("worker_died", "boom")
    assert [o.station_id for o in failed] == ["C01S01", "C01S02"]
    assert all(o.failure == "worker_died" and "district D01" in o.error for o in failed)


def test_proofs_count_a_district_once():
    """The summary's unit counts take a district's stations as one unit, stations one each."""
    report = BatchReport("2026-W50", "x", 1, "serial", 1, 1, SERIAL, ["A", "B", "C"], [], lending=True)
    shared = {"units": 1, "coverage_proven": 1, "fully_proven": 0, "greedy_fallbacks": 0}
    report.proofs = {
        "A": {"proof": shared, "soft_gap": 0.5, "unit": "district D1: A,B"},
        "B": {"proof": shared, "soft_gap": 0.5, "unit": "district D1: A,B"},
        "C": {"proof": shared | {"fully_proven": 1}, "soft_gap": 0.0, "unit": "district D2: C"},
    }
    counts = report.proof_counts([{"station_id": s} for s in "ABC"])
    assert counts["coverage_proven"] == 3 and counts["fully_proven"] == 1
    assert counts["units"] == {"solved": 2, "coverage_proven": 2, "fully_proven": 1, "greedy_fallbacks": 0}


def test_lending_districts_on_dask(city, tmp_path):
    """On the Dask engine too a district is one task: its stations come back together, stored."""
    settings = BatchSettings(engine="dask", workers=1, time_limit=5)
    with threaded_dask(tmp_path) as (client, store):
        report = run_batch(city, W1, store, settings=settings, engine=DaskEngine(client))
        assert report.exit_code() == 0, report.summary()["failed"]
        assert report.summary()["proof"]["units"]["solved"] == 2
        assert sorted(store.states(W1)) == ["C01S01", "C01S02", "C02S01", "C02S02"]


def test_a_lending_week_is_replanned_by_district(tmp_path):
    """A lent auxiliary calls in sick from Thursday: the district is re-planned together, so that the
    whole week's roster still passes the verifier (no one booked twice across its stations)."""
    data = lending_city(tmp_path / "city")
    with Store(f"sqlite:///{tmp_path / 'replan.db'}") as store:
        assert run_batch(data, W1, store, settings=SERIAL).exit_code() == 0
        before = store.roster(W1)
        monday = Week.parse(W1).monday
        thursday, sunday = monday + dt.timedelta(days=3), monday + dt.timedelta(days=6)
        home = _home(data)
        lent = before[
            (before["person_id"].map(home) != before["station_id"]) & (before["date"] >= str(thursday))
        ]
        sick = lent["person_id"].iloc[0]
        with (data / "absences.csv").open("a", encoding="utf-8") as handle:
            handle.write(f"{sick},{thursday},{sunday},sick\n")
        cut = dt.datetime.combine(thursday, dt.time())
        rows = replan_batch(data, W1, store, cut, reason="sick", settings=SERIAL)
        assert sorted(r["station_id"] for r in rows) == ["C01S01", "C01S02", "C02S01", "C02S02"]
        assert all(r["ok"] for r in rows), rows
        after = store.roster(W1)
        assert after[(after["person_id"] == sick) & (after["date"] >= str(thursday))].empty
        report = verify_roster(load_dataset(data), Week.parse(W1).horizon, load_policy(data), after)
        assert report.ok, report.violations[:3]
