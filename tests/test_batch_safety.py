"""The batch store against careless and hostile use (issue 13): secrets, bad store URLs, locks, orphans."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import sqlalchemy as sa

from allocate.batch import LockHeld, Store, WeekLock
from allocate.batch.lock import MACHINE, MIN_STALE_AFTER, process_start
from allocate.batch.store import locks
from batch_helpers import W1, allocate_cmd, replicated, tiny

SECRET = "S3cr3t-Pw"
REFUSED = "127.0.0.1:1"  # nothing listens on port 1: the connection is refused at once


def run(
    *args: object, env: dict[str, str] | None = None, cwd: Path | None = None
) -> subprocess.CompletedProcess:
    return subprocess.run(allocate_cmd(*args), capture_output=True, text=True, timeout=300, env=env, cwd=cwd)


def environ(**values: str) -> dict[str, str]:
    """This process's environment without ALLOCATE_STORE, plus `values`."""
    env = {k: v for k, v in os.environ.items() if k != "ALLOCATE_STORE"}
    return env | values


# -- item 4: secrets ----------------------------------------------------------------------------

LEAKY_URLS = [
    f"postgresql://allocate:{SECRET}@{REFUSED}/roster",  # a server that cannot be reached
    f"postgresql://allocate@{REFUSED}/roster?password={SECRET}",  # the password as a query option
    f"postgresql://allocate:{SECRET}@db@{REFUSED}/roster",  # an unencoded '@' in the password
    f"postgresql://allocate:{SECRET}@{REFUSED[:-2]}:port/roster",  # a port that is not a number
    f"mysql://allocate:{SECRET}@{REFUSED}/roster",  # a database allocate does not support
]


@pytest.mark.parametrize("url", LEAKY_URLS)
def test_a_store_password_is_never_printed(tmp_path, url):
    """Whatever goes wrong with a store URL holding a password, neither `batch` nor `batch-export`
    (URL on the command line or in ALLOCATE_STORE) prints that password or a traceback."""
    data = tiny(tmp_path / "tiny")
    runs = [
        run("batch", data, "--week", W1, "--store", url, "-q", env=environ()),
        run("batch-export", "--week", W1, "--out", tmp_path / "x", env=environ(ALLOCATE_STORE=url)),
    ]
    for p in runs:
        assert p.returncode in (1, 2), p.stderr
        assert SECRET not in p.stdout + p.stderr
        assert "Traceback" not in p.stderr and "store" in p.stderr.lower()
    assert not (tmp_path / "x").exists()


def test_the_store_comes_from_allocate_store_and_the_option_wins(tmp_path):
    """ALLOCATE_STORE names the store when --store is absent; an explicit --store wins over it."""
    data = tiny(tmp_path / "tiny")
    env = environ(ALLOCATE_STORE=f"sqlite:///{tmp_path / 'env.db'}")
    p = run("batch", data, "--week", W1, "--engine", "serial", "--time-limit", "5", "-q", env=env)
    assert p.returncode == 0, p.stderr
    assert Store(f"sqlite:///{tmp_path / 'env.db'}").states(W1) == {"S01": "solved", "S02": "solved"}
    other = tmp_path / "other.db"
    p = run("batch-export", "--week", W1, "--out", tmp_path / "x", "--store", f"sqlite:///{other}", env=env)
    assert p.returncode == 2 and "other.db" in p.stderr and not other.exists()
    p = run("batch-export", "--week", W1, "--out", tmp_path / "y", env=env)
    assert p.returncode == 0, p.stderr
    assert (tmp_path / "y" / "roster.csv").exists()


# -- items 7 and 9: store URLs that cannot be used ----------------------------------------------


@pytest.mark.parametrize(
    "url", ["mysql://u@localhost/db", "allocate.db", "garbage://x", "", "  ", "sqlite://"]
)
def test_an_unusable_store_url_exits_2_with_the_supported_forms(tmp_path, url):
    """Another database, a bare file name, an unknown scheme, an empty value, an in-memory SQLite:
    exit 2, the supported forms listed, no traceback, and no default store created instead."""
    data = tiny(tmp_path / "tiny")
    p = run("batch", data, "--week", W1, "--store", url, "-q", env=environ(), cwd=tmp_path)
    assert p.returncode == 2, p.stderr
    assert "Traceback" not in p.stderr
    assert "sqlite:///" in p.stderr and ("postgresql://" in p.stderr or "empty" in p.stderr)
    assert not (tmp_path / "allocate.db").exists()
    if url == "allocate.db":
        assert "sqlite:///allocate.db" in p.stderr  # the fix, spelled out


def test_an_empty_allocate_store_is_an_error_not_the_default(tmp_path):
    """ALLOCATE_STORE set but empty does not fall back to the default store."""
    p = run(
        "batch-export", "--week", W1, "--out", tmp_path / "x", env=environ(ALLOCATE_STORE=""), cwd=tmp_path
    )
    assert p.returncode == 2 and "ALLOCATE_STORE" in p.stderr
    assert not (tmp_path / "allocate.db").exists()


def test_export_from_a_mistyped_or_foreign_sqlite_path_creates_nothing(tmp_path):
    """batch-export on a missing SQLite file exits 2 naming it and creates no database; a file that
    is not a batch store is named as such and left as it was."""
    missing = tmp_path / "alocate.db"
    p = run("batch-export", "--week", W1, "--store", f"sqlite:///{missing}", "--out", tmp_path / "x")
    assert p.returncode == 2 and "alocate.db" in p.stderr and "does not exist" in p.stderr
    assert not missing.exists() and not (tmp_path / "x").exists()

    foreign = tmp_path / "other.db"
    with sa.create_engine(f"sqlite:///{foreign}").begin() as conn:
        conn.execute(sa.text("CREATE TABLE notes (x TEXT)"))
    before = foreign.read_bytes()
    p = run("batch-export", "--week", W1, "--store", f"sqlite:///{foreign}", "--out", tmp_path / "x")
    assert p.returncode == 2 and "not an allocate batch store" in p.stderr
    assert foreign.read_bytes() == before
    with sa.create_engine(f"sqlite:///{foreign}").connect() as conn:
        assert sa.inspect(conn).get_table_names() == ["notes"]


# -- item 5: the week's lock --------------------------------------------------------------------

HOLDER = """
import sys, time
from allocate.batch import Store, WeekLock
lock = WeekLock(Store(sys.argv[1]).create(), sys.argv[2]).acquire()
print("held", flush=True)
time.sleep(600)
"""


def test_a_live_batch_keeps_its_lock_and_a_killed_one_loses_it_at_once(tmp_path):
    """A live holder in another process is never taken over, even with --stale-after 1 and its
    heartbeat older than that; once it is killed, its lock is taken over at once."""
    data = tiny(tmp_path / "tiny")
    url = f"sqlite:///{tmp_path / 'lock.db'}"
    holder = subprocess.Popen([sys.executable, "-c", HOLDER, url, W1], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        time.sleep(2.5)  # the holder's heartbeat is now older than 1 s
        p = run("batch", data, "--week", W1, "--store", url, "--stale-after", "1", "-q")
        assert p.returncode == 5, p.stderr
        assert f"pid {holder.pid}" in p.stderr
        with Store(url) as store:
            assert store.states(W1) == {}
            os.kill(holder.pid, signal.SIGKILL)
            holder.wait(timeout=30)
            taker = WeekLock(store, W1).acquire()
            assert taker.taken_over is not None and taker.taken_over.pid == holder.pid
            assert taker.takeover_reason == "its process is gone from this machine"
            taker.release()
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.kill(holder.pid, signal.SIGKILL)
        holder.wait(timeout=30)


def _plant(store: Store, owner: str, pid: int, age: float) -> None:
    """A lock row of another batch, whose last heartbeat was `age` seconds ago."""
    stamp = time.time() - age
    with store.engine.begin() as conn:
        conn.execute(locks.delete())
        conn.execute(
            locks.insert().values(
                week=W1, owner=owner, host="elsewhere", pid=pid, acquired_at=stamp, heartbeat_at=stamp
            )
        )


def test_a_holder_on_another_machine_is_judged_by_a_floored_heartbeat_age(tmp_path):
    """A holder elsewhere whose heartbeat is a few beats old keeps the lock, whatever stale_after
    says; one silent for longer than the floor is taken over."""
    with Store(f"sqlite:///{tmp_path / 'locks.db'}") as store:
        store.create()
        foreign = f"{'f' * 24}.0123456789abcdef.12345"
        _plant(store, foreign, 4242, age=MIN_STALE_AFTER / 2)
        lock = WeekLock(store, W1, stale_after=1)
        assert lock.stale_after == MIN_STALE_AFTER
        with pytest.raises(LockHeld, match="pid 4242 on elsewhere"):
            lock.acquire()
        _plant(store, foreign, 4242, age=MIN_STALE_AFTER + 5)
        taker = WeekLock(store, W1, stale_after=1).acquire()
        assert taker.taken_over.owner == foreign and taker.takeover_reason.startswith("no heartbeat")
        taker.release()


@pytest.mark.skipif(MACHINE is None, reason="needs /proc (Linux)")
def test_a_reused_pid_does_not_keep_a_dead_holders_lock(tmp_path):
    """A holder of this machine whose PID now belongs to a process started later is gone; the same
    PID with its own start time is alive."""
    parent = os.getppid()
    start = process_start(parent)[1]
    with Store(f"sqlite:///{tmp_path / 'locks.db'}") as store:
        store.create()
        _plant(store, f"{'a' * 24}.{MACHINE}.{start}", parent, age=0)
        with pytest.raises(LockHeld):
            WeekLock(store, W1, stale_after=1).acquire()
        _plant(store, f"{'b' * 24}.{MACHINE}.{int(start) - 1}", parent, age=0)
        taker = WeekLock(store, W1).acquire()
        assert taker.takeover_reason == "its process is gone from this machine"
        taker.release()


# -- item 8: no orphans -------------------------------------------------------------------------


def _descendants(pid: int) -> dict[int, str]:
    """pid -> start time of every process below `pid`, from /proc."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with contextlib.suppress(OSError, IndexError, ValueError):
                ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
                children.setdefault(ppid, []).append(int(entry.name))
    found: dict[int, str] = {}
    todo = [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            stat = process_start(child)
            if stat is not None and child not in found:
                found[child] = stat[1]
                todo.append(child)
    return found


def _running(pid: int, start: str) -> bool:
    stat = process_start(pid)
    return stat is not None and stat[1] == start and stat[0] != "Z"


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_pool_workers_die_with_a_killed_batch(tmp_path):
    """kill -9 of a batch mid-run: its pool workers and their resource tracker are gone in seconds."""
    data = replicated(tmp_path / "rep", 6)
    url = f"sqlite:///{tmp_path / 'orphans.db'}"
    cmd = allocate_cmd("batch", data, "--week", W1, "--store", url, "--jobs", "1", "--workers", "1", "-q")
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    tree: dict[int, str] = {}

    def stored(store: Store) -> int:
        try:
            return len(store.states(W1))
        except sa.exc.OperationalError:  # no tables yet
            return 0

    try:
        with Store(url) as store:
            deadline = time.monotonic() + 180
            while not (tree and stored(store)):
                assert proc.poll() is None and time.monotonic() < deadline, "the batch never got going"
                time.sleep(0.05)
                tree = _descendants(proc.pid)
        assert len(tree) >= 2  # a pool worker and its resource tracker, at least
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
        deadline = time.monotonic() + 10
        while any(_running(pid, start) for pid, start in tree.items()) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert [pid for pid, start in tree.items() if _running(pid, start)] == []
    finally:
        for pid, start in tree.items():
            if _running(pid, start):
                os.kill(pid, signal.SIGKILL)
        with contextlib.suppress(ProcessLookupError):
            os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
