"""`allocate batch` as a real process on SQLite: kill and resume, the week's lock, exit codes, export."""

from __future__ import annotations

import json
import subprocess
import time

import pandas as pd
import pytest

from allocate.batch import BatchSettings, LockHeld, LockLost, Store, WeekLock, run_batch
from allocate.batch.store import locks
from batch_helpers import W1, W2, allocate_cmd, assert_stored_once, kill_and_resume, replicated, tiny


def run(*args: object) -> subprocess.CompletedProcess:
    return subprocess.run(allocate_cmd(*args), capture_output=True, text=True, timeout=300)


def test_kill_and_resume_stores_every_station_exactly_once(tmp_path):
    """SIGKILL the batch process mid-run, run it again: the rest is solved, nothing twice, the dead
    run's lock is taken over at once (its process is gone) and that run is marked abandoned."""
    data = replicated(tmp_path / "rep", 6)  # 12 stations, solved one at a time
    url = f"sqlite:///{tmp_path / 'kill.db'}"
    killed_at, summary = kill_and_resume(data, url, 12)
    assert summary["stations"]["already_stored"] == killed_at
    assert summary["stations"]["solved_this_run"] == 12 - killed_at
    assert summary["stations"]["solved"] == 12 and summary["exit_code"] == 0
    assert_stored_once(url, 12)


def test_a_second_batch_for_the_same_week_and_store_is_refused(tmp_path):
    """While a batch holds the week, another exits 5 naming the holder; other weeks are not blocked."""
    data = tiny(tmp_path / "tiny")
    url = f"sqlite:///{tmp_path / 'lock.db'}"
    with Store(url) as store, WeekLock(store.create(), W1):
        p = run("batch", data, "--week", W1, "--store", url, "-q")
        assert p.returncode == 5, p.stderr
        assert f"another batch is running week {W1}" in p.stderr
        assert "--force-unlock" in p.stderr
        assert store.states(W1) == {}
        other = run_batch(data, W2, store, settings=BatchSettings(engine="serial", workers=1, time_limit=5))
        assert other.exit_code() == 0


def test_lock_takeover_rules(tmp_path):
    """A live lock refuses; a stale heartbeat or --force-unlock takes it over; the old holder notices."""
    with Store(f"sqlite:///{tmp_path / 'locks.db'}") as store:
        store.create()
        first = WeekLock(store, W1, heartbeat=0.1).acquire()
        with pytest.raises(LockHeld, match="pid"):
            WeekLock(store, W1).acquire()
        forced = WeekLock(store, W1, force=True).acquire()
        assert forced.taken_over is not None and forced.taken_over.owner == first.owner
        deadline = time.monotonic() + 10
        while not first.lost.is_set() and time.monotonic() < deadline:
            time.sleep(0.05)
        with pytest.raises(LockLost):
            first.check()
        first.release()  # releasing a lock that is no longer ours leaves the new holder's row alone
        assert forced.holder().owner == forced.owner
        forced.release()
        assert forced.holder() is None

        stale = WeekLock(store, W1).acquire()
        stale.stop_heartbeat()  # a holder that stopped beating (hung, or cut off from the database)
        with store.engine.begin() as conn:
            conn.execute(locks.update().values(heartbeat_at=time.time() - 1000))
        taker = WeekLock(store, W1, stale_after=60).acquire()
        assert taker.taken_over is not None and taker.taken_over.owner == stale.owner
        taker.release()


def test_cli_json_summary_bad_station_and_export(tmp_path):
    """Through the CLI on the process pool: one station's bad data gives exit 2 and the other is
    stored; --json prints the summary on stdout; batch-export writes the stored week."""
    data = tiny(tmp_path / "tiny")
    lines = (data / "demand.csv").read_text().splitlines()
    n = next(i for i, line in enumerate(lines) if line.startswith("S02,"))
    lines[n] = lines[n].rsplit(",", 1)[0] + ",-3"
    (data / "demand.csv").write_text("\n".join(lines) + "\n")
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    p = run("batch", data, "--week", W1, "--store", url, "--json", "--time-limit", "5")
    assert p.returncode == 2, p.stderr
    summary = json.loads(p.stdout)
    assert summary["stations"]["solved"] == 1 and summary["stations"]["failed_by_kind"] == {"bad_data": 1}
    assert summary["failed"][0]["station_id"] == "S02"
    assert f"demand.csv line {n + 1}, column crews" in summary["failed"][0]["error"]
    assert summary["stations_this_run"][0]["verified"] is True

    out = tmp_path / "export"
    e = run("batch-export", "--week", W1, "--store", url, "--out", out, "--format", "csv")
    assert e.returncode == 0, e.stderr
    assert set(pd.read_csv(out / "roster.csv")["station_id"]) == {"S01"}
    assert run("batch-export", "--week", W2, "--store", url, "--out", out).returncode == 2
    assert run("batch", data, "--week", "2026-12-07", "--store", url).returncode == 2
