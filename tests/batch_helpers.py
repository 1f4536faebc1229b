"""Helpers of the batch tests: small multi-station datasets, roster timing, and task functions that
spawned workers can import (they must live in an importable module, not in a test file)."""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import json
import os
import signal
import subprocess
import sys
import time
from typing import TYPE_CHECKING

import sqlalchemy as sa

from allocate.batch.store import Store, roster_rows, station_weeks
from allocate.batch.task import StationTask, solve_station
from allocate.generate import generate

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

    from allocate.batch.outcome import StationOutcome

W1, W2 = "2026-W50", "2026-W51"  # the generated data's own week (Monday 2026-12-07), and the next


def tiny(folder: Path) -> Path:
    """The generated tiny dataset: two small stations S01 and S02 that solve in well under a second."""
    return generate("tiny", seed=1, out=folder)


def replicated(folder: Path, copies: int) -> Path:
    """`copies` renamed copies of the tiny dataset's stations in one dataset (C01S01, C01S02, ...)."""
    source = tiny(folder.with_name(folder.name + "-src"))
    folder.mkdir(parents=True, exist_ok=True)
    for path in sorted(source.glob("*.csv")):
        with path.open(newline="", encoding="utf-8") as handle:
            reader = csv.DictReader(handle)
            fields, rows = reader.fieldnames or [], list(reader)
        if path.stem in ("shifts", "tasks"):
            out_rows = rows
        else:
            out_rows = []
            for k in range(1, copies + 1):
                for row in rows:
                    new = dict(row)
                    for col in ("station_id", "person_id"):
                        if new.get(col):
                            new[col] = f"C{k:02d}{new[col]}"
                    out_rows.append(new)
        with (folder / path.name).open("w", newline="", encoding="utf-8") as handle:
            writer = csv.DictWriter(handle, fieldnames=fields)
            writer.writeheader()
            writer.writerows(out_rows)
    return folder


def append_rows(path: Path, rows: list[dict[str, str]]) -> None:
    with path.open(newline="", encoding="utf-8") as handle:
        fields = csv.DictReader(handle).fieldnames or []
    with path.open("a", newline="", encoding="utf-8") as handle:
        csv.DictWriter(handle, fieldnames=fields).writerows(rows)


SHIFTS = {  # the generated shifts: start minute, minutes, rest after (None: the policy's 11 h)
    "day": (8 * 60, 480, None),
    "evening": (16 * 60, 480, None),
    "night": (0, 480, None),
    "office": (9 * 60, 480, None),
    "duty24": (8 * 60, 1440, 24 * 60),
}


def free_from(date: str, shift_id: str, min_rest_minutes: int = 11 * 60) -> dt.datetime:
    """When a person who works `shift_id` on `date` may start the next shift."""
    start, minutes, rest = SHIFTS[shift_id]
    begin = dt.datetime.combine(dt.date.fromisoformat(date), dt.time()) + dt.timedelta(minutes=start)
    return begin + dt.timedelta(minutes=minutes + (rest if rest is not None else min_rest_minutes))


def starts_at(date: str, shift_id: str) -> dt.datetime:
    day = dt.datetime.combine(dt.date.fromisoformat(date), dt.time())
    return day + dt.timedelta(minutes=SHIFTS[shift_id][0])


def crash_on_c01s01(task: StationTask) -> StationOutcome:
    """A task function whose worker process dies on station C01S01 (a segfault, the OOM killer)."""
    if task.station_id == "C01S01":
        os._exit(9)
    return solve_station(task)


def allocate_cmd(*args: object) -> list[str]:
    return [sys.executable, "-m", "allocate", *map(str, args)]


def kill_and_resume(data: Path, url: str, stations: int) -> tuple[int, dict]:
    """Start `allocate batch` as a real process, SIGKILL it once some but not all stations are stored,
    run it again to the end; returns (stations stored when killed, the second run's JSON summary)."""
    store = Store(url).create()
    cmd = allocate_cmd("batch", data, "--week", W1, "--store", url, "--jobs", "1", "--workers", "1", "-q")
    proc = subprocess.Popen(cmd, start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 180
        while len(store.states(W1)) < 2:
            assert proc.poll() is None, f"the batch ended before it could be killed: {proc.stderr.read()}"
            assert time.monotonic() < deadline, "no station stored within 180 s"
            time.sleep(0.02)
        os.kill(proc.pid, signal.SIGKILL)  # the batch process itself, mid-run
        assert proc.wait(timeout=30) == -signal.SIGKILL
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)  # its orphaned pool workers, if still there
        proc.wait(timeout=30)
        proc.stderr.close()
    killed_at = len(store.states(W1))
    assert 0 < killed_at < stations, f"{killed_at} of {stations} stored when killed: not mid-run"
    again = subprocess.run([*cmd, "--json"], capture_output=True, text=True, timeout=300)
    assert again.returncode == 0, again.stderr
    store.close()
    return killed_at, json.loads(again.stdout)


def assert_stored_once(url: str, stations: int) -> None:
    """Every station of W1 stored exactly once, solved, its rows not duplicated."""
    with Store(url) as store, store.engine.connect() as conn:
        per_station = conn.execute(
            sa.select(station_weeks.c.station_id, sa.func.count())
            .where(station_weeks.c.week == W1)
            .group_by(station_weeks.c.station_id)
        ).all()
        assert len(per_station) == stations and {n for _, n in per_station} == {1}
        assert set(store.states(W1).values()) == {"solved"}
        dupes = conn.execute(
            sa.select(roster_rows.c.crew_id, roster_rows.c.person_id, sa.func.count())
            .where(roster_rows.c.week == W1)
            .group_by(roster_rows.c.crew_id, roster_rows.c.person_id)
            .having(sa.func.count() > 1)
        ).all()
        assert dupes == []
        orphans = conn.execute(
            sa.select(sa.func.count())
            .select_from(
                roster_rows.outerjoin(station_weeks, roster_rows.c.station_week_id == station_weeks.c.id)
            )
            .where(station_weeks.c.id.is_(None))
        ).scalar()
        assert orphans == 0
        coverage = store.coverage(W1)
        assert not coverage.duplicated(["date", "station_id", "shift_id", "task_id"]).any()
        runs = store.list_runs(W1)
        assert list(runs["status"]) == ["abandoned", "done"]


SHORT = "C01S01"  # in lending_city(): its auxiliaries belong to its district neighbour C01S02


def _rewrite(path: Path, change: Callable[[dict[str, str]], dict[str, str]]) -> None:
    with path.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        fields, rows = reader.fieldnames or [], [change(dict(r)) for r in reader]
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=fields)
        writer.writeheader()
        writer.writerows(rows)


def lending_city(folder: Path) -> Path:
    """Two districts of two stations (D01: C01S01, C01S02; D02: C02S01, C02S02), ``lending = true``;
    C01S01 has no auxiliary of its own: they all belong to C01S02, next door in the same district."""
    data = replicated(folder, 2)
    _rewrite(data / "stations.csv", lambda r: r | {"district": f"D{r['station_id'][1:3]}"})

    def move(row: dict[str, str]) -> dict[str, str]:
        if row["station_id"] == SHORT and row["role"] != "sworn":
            row["station_id"] = "C01S02"
        return row

    _rewrite(data / "staff.csv", move)
    (data / "policy.toml").write_text("lending = true\n", encoding="utf-8")  # replicated() copies CSV only
    return data


@contextlib.contextmanager
def threaded_dask(folder: Path):
    """A two-worker Dask LocalCluster in threads, its client, and a fresh SQLite store in `folder`."""
    import distributed

    with (
        distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=False, dashboard_address=None
        ) as c,
        distributed.Client(c) as client,
        Store(f"sqlite:///{folder / 'dask.db'}") as store,
    ):
        yield client, store
