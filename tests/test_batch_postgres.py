"""The batch on a real PostgreSQL server, started by the project's own script (or $ALLOCATE_TEST_PG_URL).

The server binaries come with the machine image; ``scripts/pg-test-server.sh`` initialises a cluster in
``.pg/``, listens on 127.0.0.1 only, and is stopped at the end of the session. Each test gets its own
fresh database, dropped afterwards.
"""

from __future__ import annotations

import csv
import os
import socket
import subprocess
import threading
import uuid
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd
import pytest
import sqlalchemy as sa

from allocate.batch import BatchSettings, LockHeld, Store, WeekLock, export_week, run_batch
from batch_helpers import (
    SHORT,
    W1,
    W2,
    allocate_cmd,
    assert_stored_once,
    kill_and_resume,
    lending_city,
    replicated,
    tiny,
)

if TYPE_CHECKING:
    from collections.abc import Iterator

SCRIPT = Path(__file__).resolve().parents[1] / "scripts" / "pg-test-server.sh"


@pytest.fixture(scope="session")
def pg_server() -> Iterator[str]:
    """The URL of a running PostgreSQL server, started for the session unless one is given."""
    given = os.environ.get("ALLOCATE_TEST_PG_URL")
    if given:
        yield given
        return
    env = {**os.environ}
    env.setdefault("PGTEST_PORT", str(_free_port()))  # never collide with another server on the machine
    was_running = subprocess.run(["bash", SCRIPT, "status"], capture_output=True, env=env).returncode == 0
    started = subprocess.run(["bash", SCRIPT, "start"], capture_output=True, text=True, timeout=900, env=env)
    assert started.returncode == 0, f"could not start PostgreSQL:\n{started.stderr}"
    yield started.stdout.strip().splitlines()[-1]
    if not was_running:
        subprocess.run(["bash", SCRIPT, "stop"], capture_output=True, timeout=120, env=env)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def pg_url(pg_server: str) -> Iterator[str]:
    """A fresh database for one test."""
    admin = sa.create_engine(pg_server, isolation_level="AUTOCOMMIT")
    name = f"t_{uuid.uuid4().hex[:12]}"
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    yield sa.make_url(pg_server).set(database=name).render_as_string(hide_password=False)
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def test_two_weeks_on_postgres(tmp_path, pg_url):
    """Week 2 reads week 1's roster from PostgreSQL as its history; both weeks verified; export works."""
    data = tiny(tmp_path / "tiny")
    settings = BatchSettings(time_limit=5)  # the spawn-based process pool
    with Store(pg_url) as store:
        assert run_batch(data, W1, store, settings=settings).exit_code() == 0
        second = run_batch(data, W2, store, settings=settings)
        assert second.exit_code() == 0
        table = store.station_weeks(W2)
        assert set(table["history_source"]) == {f"store {W1}"} and table["verified"].all()
        assert store.engine.dialect.name == "postgresql"
        folder, counts = export_week(store, W2, tmp_path / "out", "parquet")
        assert len(pd.read_parquet(folder / "roster.parquet")) == counts["roster"] > 0


def test_kill_and_resume_on_postgres(tmp_path, pg_url):
    """SIGKILL mid-run and rerun on PostgreSQL: every station stored exactly once."""
    data = replicated(tmp_path / "rep", 6)
    killed_at, summary = kill_and_resume(data, pg_url, 12)
    assert summary["stations"]["already_stored"] == killed_at and summary["stations"]["solved"] == 12
    assert_stored_once(pg_url, 12)


def test_the_lock_on_postgres_has_one_winner(pg_url):
    """Eight batches racing for the same week: exactly one gets the lock, the others a clear error."""
    with Store(pg_url) as store:
        store.create()
        barrier = threading.Barrier(8)
        won, refused = [], []

        def contend() -> None:
            lock = WeekLock(store, W1)
            barrier.wait()
            try:
                won.append(lock.acquire())
            except LockHeld as exc:
                refused.append(str(exc))

        threads = [threading.Thread(target=contend) for _ in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert len(won) == 1 and len(refused) == 7
        assert all(f"another batch is running week {W1}" in text for text in refused)
        won[0].release()
        WeekLock(store, W1).acquire().release()


def test_a_failing_station_on_postgres(tmp_path, pg_url):
    """One station's bad data on PostgreSQL: that station is stored as failed, the other solved."""
    data = tiny(tmp_path / "tiny")
    text = (data / "staff.csv").read_text().replace(",S02,sworn,", ",S02,warden,", 1)
    (data / "staff.csv").write_text(text)
    with Store(pg_url) as store:
        report = run_batch(data, W1, store, settings=BatchSettings(engine="serial", workers=1, time_limit=5))
        assert report.exit_code() == 2
        assert store.states(W1) == {"S01": "solved", "S02": "failed"}
        assert "column role" in store.station_weeks(W1).set_index("station_id").loc["S02", "error"]


def _rename_station(data: Path, old: str, new: str) -> None:
    """Rename station `old` to `new` in every station_id column of the dataset."""
    for path in data.glob("*.csv"):
        with path.open(newline="", encoding="utf-8") as handle:
            reader = csv.DictReader(handle)
            fields, rows = reader.fieldnames or [], list(reader)
        if "station_id" not in fields:
            continue
        for row in rows:
            if row["station_id"] == old:
                row["station_id"] = new
        with path.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.DictWriter(handle, fieldnames=fields)
            writer.writeheader()
            writer.writerows(rows)


LONG_ID = "S" * 10 + "-" + "x" * 63  # 74 characters: more than the varchar(64) of earlier stores


def test_a_74_character_station_id_on_postgres(tmp_path, pg_url):
    """A station id longer than 64 characters is stored and exported on PostgreSQL; an earlier store
    with varchar(64) id columns refuses it before solving, with a message saying what to do."""
    data = tiny(tmp_path / "tiny")
    _rename_station(data, "S01", LONG_ID)
    settings = BatchSettings(engine="serial", workers=1, time_limit=5)
    with Store(pg_url) as store:
        assert run_batch(data, W1, store, settings=settings).exit_code() == 0
        assert store.states(W1) == {LONG_ID: "solved", "S02": "solved"}
        folder, _ = export_week(store, W1, tmp_path / "out", "csv")
        assert LONG_ID in set(pd.read_csv(folder / "roster.csv")["station_id"])
        with store.engine.begin() as conn:  # the store as an earlier allocate made it
            for table in ("batch_roster", "batch_coverage", "batch_station_weeks"):
                conn.execute(sa.text(f"DELETE FROM {table}"))
                conn.execute(sa.text(f"ALTER TABLE {table} ALTER COLUMN station_id TYPE varchar(64)"))
    p = subprocess.run(
        allocate_cmd("batch", data, "--week", W1, "--store", pg_url, "-q"), capture_output=True, text=True
    )
    assert p.returncode == 2, p.stderr
    assert "Traceback" not in p.stderr
    assert f"station_id '{LONG_ID[:40]}...' (74 characters; at most 64)" in p.stderr
    assert "varchar(64)" in p.stderr and "ALTER TABLE" in p.stderr
    with Store(pg_url) as store:
        assert store.states(W1) == {}


def test_a_postgres_error_never_shows_the_password(tmp_path, pg_server):
    """A real server's refusal (no such database) is printed without the password of the URL."""
    secret = "pw-" + uuid.uuid4().hex
    url = sa.make_url(pg_server).set(password=secret, database="no_such_database")
    p = subprocess.run(
        allocate_cmd("batch", tiny(tmp_path / "tiny"), "--week", W1, "-q"),
        capture_output=True,
        text=True,
        env={**os.environ, "ALLOCATE_STORE": url.render_as_string(hide_password=False)},
    )
    assert p.returncode == 1
    assert "no_such_database" in p.stderr and "***" in p.stderr
    assert secret not in p.stdout + p.stderr and "Traceback" not in p.stderr


def test_lending_districts_on_postgres(tmp_path, pg_url):
    """With lending, two weeks on PostgreSQL: each district's stations stored together, week 2's
    history from week 1 includes the shifts people were lent out for."""
    data = lending_city(tmp_path / "lend")
    settings = BatchSettings(time_limit=5)
    with Store(pg_url) as store:
        first = run_batch(data, W1, store, settings=settings)
        assert first.exit_code() == 0 and first.summary()["proof"]["units"]["solved"] == 2
        second = run_batch(data, W2, store, settings=settings)
        assert second.exit_code() == 0
        assert set(store.station_weeks(W2)["history_source"]) == {f"store {W1}"}
        assert int(store.coverage(W1, [SHORT])["crews_staffed"].sum()) > 0
