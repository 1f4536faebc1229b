"""The weekly batch on SQLite: carry-over between weeks, restart, failing stations, store and export."""

from __future__ import annotations

import datetime as dt
import importlib

import pandas as pd
import pytest

import allocate.batch.task as task_module
from allocate.batch import BatchSettings, Store, Week, export_week, run_batch
from allocate.batch.data import split_by_station
from allocate.batch.engines import ProcessEngine
from allocate.batch.task import StationTask, solve_station
from allocate.io.errors import InputError
from allocate.io.load import load_dataset
from allocate.policy import Policy
from allocate.verify import VerificationReport, Violation
from batch_helpers import W1, W2, append_rows, crash_on_c01s01, free_from, replicated, starts_at, tiny

solve_module = importlib.import_module("allocate.solve")  # `allocate.solve` is also the function

SERIAL = BatchSettings(engine="serial", workers=1, time_limit=10)


@pytest.fixture
def store(tmp_path):
    with Store(f"sqlite:///{tmp_path / 'batch.db'}") as s:
        yield s


def test_iso_week_parsing():
    """ISO weeks parse to their Monday; neighbours cross the year; nonsense names the expected form."""
    w = Week.parse("2026-W49")
    assert w.monday == dt.date(2026, 11, 30) and w.horizon.days == 7
    assert str(w.previous()) == "2026-W48" and str(Week.parse("2027-W01").previous()) == "2026-W53"
    assert str(Week.parse("2026w53").next()) == "2027-W01"
    with pytest.raises(ValueError, match="ISO week like"):
        Week.parse("2026-12-07")
    with pytest.raises(ValueError, match="no ISO week 53"):
        Week.parse("2025-W53")


def test_carry_over_rests_last_weeks_late_workers(tmp_path, store):
    """Who worked late on week 1's last day is rested at week 2's start, because week 1's stored
    roster is week 2's history; the same week 2 solved without that history breaks the rest rule."""
    data = tiny(tmp_path / "tiny")
    first = run_batch(data, W1, store, settings=SERIAL)
    assert first.exit_code() == 0, first.summary()["failed"]
    week2_start = dt.datetime.combine(Week.parse(W2).monday, dt.time())
    owed: dict[str, dt.datetime] = {}  # person -> when week 1 lets them work again, if inside week 2
    for row in store.roster(W1).itertuples():
        until = free_from(row.date, row.shift_id)
        if until > week2_start:
            owed[row.person_id] = max(until, owed.get(row.person_id, until))
    assert owed, "week 1 should end with people who are owed rest into week 2"
    # Everyone owed rest asks to work on week 2's Monday: tempting, and unlawful for them.
    monday = Week.parse(W2).monday.isoformat()
    append_rows(
        data / "requests.csv",
        [{"person_id": p, "date": monday, "shift_id": "", "want": "on", "weight": "50"} for p in owed],
    )

    def too_early(roster: pd.DataFrame) -> list[str]:
        return [
            f"{r.person_id} {r.date} {r.shift_id}"
            for r in roster.itertuples()
            if r.person_id in owed and starts_at(r.date, r.shift_id) < owed[r.person_id]
        ]

    with Store(f"sqlite:///{tmp_path / 'no-history.db'}") as blank:
        without = run_batch(data, W2, blank, settings=SERIAL)
        assert without.exit_code() == 0
        assert too_early(blank.roster(W2)), "without last week's roster the requests win: no carry-over test"

    second = run_batch(data, W2, store, settings=SERIAL)
    assert second.exit_code() == 0, second.summary()["failed"]
    assert too_early(store.roster(W2)) == []
    table = store.station_weeks(W2)
    assert set(table["history_source"]) == {f"store {W1}"}
    assert table["verified"].all()  # the verifier checked week 2 against week 1 as its history


def test_history_falls_back_to_the_dataset_when_the_store_has_no_previous_week(tmp_path, store):
    """With no stored previous week, the dataset's history.csv is the carry-over; then the store wins."""
    data = tiny(tmp_path / "tiny")
    sunday = (Week.parse(W1).monday - dt.timedelta(days=1)).isoformat()
    (data / "history.csv").write_text(
        "date,station_id,shift_id,task_id,crew_id,person_id,role,slot,lead_id\n"
        f"{sunday},S01,evening,patrol,h1,S01-P0001,sworn,S,S01-P0001\n"
    )
    run_batch(data, W1, store, settings=SERIAL)
    sources = dict(store.station_weeks(W1)[["station_id", "history_source"]].itertuples(index=False))
    assert sources == {"S01": "dataset history.csv", "S02": "none"}
    roster = store.roster(W1)
    monday = roster[
        (roster["person_id"] == "S01-P0001") & (roster["date"] == Week.parse(W1).monday.isoformat())
    ]
    assert not monday["shift_id"].isin(["day", "office", "duty24"]).any()  # rested until Monday 11:00
    run_batch(data, W2, store, settings=SERIAL)
    assert set(store.station_weeks(W2)["history_source"]) == {f"store {W1}"}


def test_a_station_that_raises_fails_alone_and_is_retried(tmp_path, store, monkeypatch):
    """A bug in one station's solve is stored with its traceback; the other station completes;
    the next run solves only the failed one."""
    data = tiny(tmp_path / "tiny")
    real = task_module.solve

    def buggy(dataset, *args, **kwargs):
        if dataset.stations[0].station_id == "S01":
            raise RuntimeError("a bug that only S01 triggers")
        return real(dataset, *args, **kwargs)

    monkeypatch.setattr(task_module, "solve", buggy)
    report = run_batch(data, W1, store, settings=SERIAL)
    assert report.exit_code() == 1
    table = store.station_weeks(W1).set_index("station_id")
    assert table.loc["S01", "state"] == "failed" and table.loc["S01", "failure"] == "error"
    assert "RuntimeError: a bug that only S01 triggers" in table.loc["S01", "error"]
    assert "Traceback" in table.loc["S01", "error"]
    assert table.loc["S02", "state"] == "solved"
    assert set(store.roster(W1)["station_id"]) == {"S02"}

    monkeypatch.setattr(task_module, "solve", real)
    again = run_batch(data, W1, store, settings=SERIAL)
    assert again.exit_code() == 0
    assert again.skipped == ["S02"] and [o.station_id for o in again.outcomes] == ["S01"]
    assert set(store.states(W1).values()) == {"solved"}
    assert (store.station_weeks(W1).groupby("station_id").size() == 1).all()


def test_a_roster_the_verifier_rejects_is_stored_as_failed_without_rows(tmp_path, store, monkeypatch):
    """If the independent verifier finds a violation, the station fails loudly and no roster is kept
    (it must never become next week's history)."""
    data = tiny(tmp_path / "tiny")
    real = solve_module.verify_roster

    def strict(dataset, *args, **kwargs):
        report = real(dataset, *args, **kwargs)
        if dataset.stations[0].station_id == "S02":
            return VerificationReport((Violation("rest", "made-up violation for the test"),))
        return report

    monkeypatch.setattr(solve_module, "verify_roster", strict)
    report = run_batch(data, W1, store, settings=SERIAL)
    assert report.exit_code() == 1
    row = store.station_weeks(W1).set_index("station_id").loc["S02"]
    assert row["state"] == "failed" and row["failure"] == "verifier" and not row["verified"]
    assert "made-up violation" in row["error"]
    assert set(store.roster(W1)["station_id"]) == {"S01"}
    assert set(store.coverage(W1)["station_id"]) == {"S01", "S02"}
    assert store.summary(W1, "S02")["verifier"]["ok"] is False


def test_bad_data_of_one_station_fails_that_station_only(tmp_path, store):
    """A bad value in one station's rows fails that station with file, line and column; the other
    station is rostered; bad input that no station owns stops the batch before anything is stored."""
    data = tiny(tmp_path / "tiny")
    lines = (data / "staff.csv").read_text().splitlines()
    n = next(i for i, line in enumerate(lines) if line.startswith("S02-"))
    lines[n] = lines[n].replace(",sworn,", ",chief,").replace(",aux_service,", ",chief,")
    (data / "staff.csv").write_text("\n".join(lines) + "\n")
    report = run_batch(data, W1, store, settings=SERIAL)
    assert report.exit_code() == 2
    row = store.station_weeks(W1).set_index("station_id").loc["S02"]
    assert row["failure"] == "bad_data"
    assert f"staff.csv line {n + 1}, column role" in row["error"]
    assert store.states(W1)["S01"] == "solved"

    (data / "shifts.csv").write_text("shift_id,start,hours\nday,25:00,8\n")
    with pytest.raises(InputError, match=r"shifts\.csv line 2"):
        run_batch(data, W2, store, settings=SERIAL)
    assert store.states(W2) == {}


def test_stations_option_and_unknown_station(tmp_path, store):
    """--stations limits the batch; an unknown station id is bad input."""
    data = tiny(tmp_path / "tiny")
    report = run_batch(data, W1, store, stations=["S02"], settings=SERIAL)
    assert report.exit_code() == 0 and list(store.states(W1)) == ["S02"]
    with pytest.raises(InputError, match="S09"):
        run_batch(data, W1, store, stations=["S09"], settings=SERIAL)


def station_tasks(data, week=W1) -> list[StationTask]:
    subsets = split_by_station(load_dataset(data), Week.parse(week).horizon)
    return [
        StationTask(
            week=week, station_id=sid, dataset=ds, policy=Policy(), history_source="none", time_limit=5
        )
        for sid, ds in sorted(subsets.items())
    ]


def test_save_station_stores_a_station_week_once(tmp_path, store):
    """The store keeps one row per station and week: a solved station is never stored twice."""
    data = tiny(tmp_path / "tiny")
    run_batch(data, W1, store, settings=SERIAL)
    rows = len(store.roster(W1))
    outcome = solve_station(station_tasks(data)[0])
    assert outcome.state == "solved"
    assert store.save_station(1, outcome) is False
    assert len(store.roster(W1)) == rows
    assert len(store.station_weeks(W1)) == 2


def test_a_station_solves_under_a_work_limit_it_can_reach_within_its_time_limit(tmp_path):
    """A station's deterministic work budget is a quarter of its seconds (not solve's half, which
    CP-SAT at 0.3-0.45 det per CPU second never reached in 10 s): its roster then does not depend
    on the machine's load."""
    task = station_tasks(tiny(tmp_path / "tiny"))[0]
    outcome = solve_station(task)
    assert outcome.state == "solved"
    settings = outcome.summary["settings"]
    assert settings["work_limit"] == task.time_limit * task_module.BATCH_WORK_PER_SECOND == 1.25
    assert all(u["work"] <= settings["work_limit"] + 1e-6 for u in outcome.summary["units"])


@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_export_a_stored_week(tmp_path, store, fmt):
    """The stored week exports to CSV or Parquet with the output contract's columns."""
    data = tiny(tmp_path / "tiny")
    run_batch(data, W1, store, settings=SERIAL)
    folder, counts = export_week(store, W1, tmp_path / "export", fmt)
    read = pd.read_csv if fmt == "csv" else pd.read_parquet
    roster = read(folder / f"roster.{fmt}")
    assert list(roster.columns) == [
        "date", "station_id", "shift_id", "task_id", "crew_id", "person_id", "role", "slot", "lead_id",
    ]  # fmt: skip
    assert len(roster) == counts["roster"] == len(store.roster(W1))
    coverage = read(folder / f"coverage.{fmt}")
    assert coverage["shortfall"].sum() == store.coverage(W1)["shortfall"].sum()
    assert set(read(folder / f"stations.{fmt}")["state"]) == {"solved"}
    with pytest.raises(LookupError):
        export_week(store, W2, tmp_path / "nothing", fmt)


def test_process_engine_survives_a_dying_worker(tmp_path):
    """A station whose worker process dies is reported as failed; the others are solved anyway."""
    tasks = station_tasks(replicated(tmp_path / "rep", 1))
    with ProcessEngine(2) as engine:
        outcomes = {o.station_id: o for _, o in engine.run(crash_on_c01s01, tasks)}
    assert sorted(outcomes) == [t.station_id for t in tasks]
    assert outcomes["C01S01"].failure == "worker_died"
    assert all(o.state == "solved" for sid, o in outcomes.items() if sid != "C01S01")
