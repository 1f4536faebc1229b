"""One batch per week and store, enforced by the database itself.

The lock is a row of ``batch_locks`` whose primary key is the week, inserted in its own transaction:
the database's unique key decides who wins, on SQLite and PostgreSQL alike, whichever machine the
batches run on. The holder refreshes a heartbeat every :data:`HEARTBEAT_SECONDS`. A lock is taken
over only when its holder is provably gone:

- its holder ran on this machine (same host name, boot and PID namespace) and its process no longer
  exists, or that PID now belongs to a process started later (killed: no need to wait), or
- its heartbeat is older than `stale_after` seconds, which is never less than
  :data:`MIN_STALE_AFTER` (several heartbeats), so that no setting takes over a live batch, or
- the operator says so (``--force-unlock``).

Heartbeats are stamped and aged with the database server's clock on PostgreSQL, so that batches on
machines whose clocks disagree still judge a heartbeat's age alike.

Takeover is a compare-and-swap on the owner token, so two batches racing for a stale lock cannot
both win. A holder whose lock was taken over notices at its next heartbeat (:attr:`WeekLock.lost`)
and stores nothing more.
"""

from __future__ import annotations

import hashlib
import os
import socket
import threading
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import sqlalchemy as sa

from allocate.batch.store import Store, locks

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection

DEFAULT_STALE_AFTER = 120.0
HEARTBEAT_SECONDS = 10.0  # every holder beats at least this often, whatever its stale_after
MIN_STALE_AFTER = 6 * HEARTBEAT_SECONDS  # a missed beat or two (a busy database) never frees a lock


@dataclass(frozen=True)
class Holder:
    """Who holds a week's lock; `seen_at` is the database clock when the row was read."""

    week: str
    owner: str
    run_id: int | None
    host: str
    pid: int
    acquired_at: float
    heartbeat_at: float
    seen_at: float

    @property
    def age(self) -> float:
        """Seconds since the holder's last heartbeat."""
        return self.seen_at - self.heartbeat_at

    def describe(self) -> str:
        since = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(self.acquired_at))
        run = f"run {self.run_id}, " if self.run_id is not None else ""
        return f"{run}pid {self.pid} on {self.host}, since {since}, last heartbeat {self.age:.0f}s ago"


class LockHeld(RuntimeError):
    """Another batch holds the week's lock in this store."""

    def __init__(self, holder: Holder, store_url: str, stale_after: float) -> None:
        self.holder = holder
        super().__init__(
            f"another batch is running week {holder.week} on store {store_url} "
            f"({holder.describe()}). Wait for it to finish; its lock is taken over automatically once "
            f"its process is gone from this machine or its heartbeat is older than {stale_after:.0f}s, "
            "or pass --force-unlock if you are sure that batch is dead."
        )


class LockLost(RuntimeError):
    """This batch's lock was taken over by another batch: it must stop storing."""


def _machine() -> str | None:
    """This machine and PID namespace (host name, boot id, namespace), hashed; None where unknown.

    Two PIDs can be compared only within one boot of one kernel and one PID namespace: two containers
    with the same host name are two machines here.
    """
    try:
        boot = Path("/proc/sys/kernel/random/boot_id").read_text().strip()
        namespace = os.readlink("/proc/self/ns/pid")
    except OSError:
        return None
    return hashlib.sha256(f"{socket.gethostname()}|{boot}|{namespace}".encode()).hexdigest()[:16]


MACHINE = _machine()


def process_start(pid: int) -> tuple[str, str] | None:
    """(state, start time in clock ticks since boot) of process `pid`, None if unreadable."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return fields[0], fields[19]
    except (OSError, IndexError):
        return None


def pid_alive(pid: int) -> bool:
    """Whether process `pid` exists on this host and is not a zombie."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    stat = process_start(pid)
    return stat is None or stat[0] != "Z"


def owner_token() -> str:
    """A unique owner token that also says which machine and process start the holder is."""
    stat = process_start(os.getpid())
    if MACHINE is None or stat is None:
        return uuid.uuid4().hex
    return f"{uuid.uuid4().hex[:24]}.{MACHINE}.{stat[1]}"


def holder_gone(holder: Holder) -> bool:
    """Whether `holder`'s process provably no longer runs: same machine, and its PID is dead or reused."""
    parts = holder.owner.split(".")
    if MACHINE is None or len(parts) != 3 or parts[1] != MACHINE or holder.pid == os.getpid():
        return False
    if not pid_alive(holder.pid):
        return True
    stat = process_start(holder.pid)
    return stat is not None and stat[1] != parts[2]  # the PID now belongs to a later process


def db_now(conn: Connection) -> float:
    """Epoch seconds by the database's clock (PostgreSQL), else by this machine's."""
    if conn.dialect.name == "postgresql":
        return float(conn.scalar(sa.text("SELECT extract(epoch FROM clock_timestamp())")))
    return time.time()


class WeekLock:
    """The lock of one week in one store, with a heartbeat thread while held."""

    def __init__(
        self,
        store: Store,
        week: str,
        *,
        stale_after: float = DEFAULT_STALE_AFTER,
        heartbeat: float | None = None,
        force: bool = False,
    ) -> None:
        self.store = store
        self.week = week
        self.stale_after = max(stale_after, MIN_STALE_AFTER)
        self.heartbeat = min(heartbeat or HEARTBEAT_SECONDS, HEARTBEAT_SECONDS)
        self.force = force
        self.owner = owner_token()
        self.host = socket.gethostname()
        self.pid = os.getpid()
        self.taken_over: Holder | None = None  # the stale holder we replaced, if any
        self.takeover_reason: str | None = None  # why it was stale: forced, heartbeat, process gone
        self.lost = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    # -- acquire and release ------------------------------------------------------------------

    def acquire(self) -> WeekLock:
        """Take the lock or raise :class:`LockHeld` naming the holder."""
        for _ in range(5):
            if self._insert():
                break
            holder = self.holder()
            if holder is None:
                continue  # released between our insert and our read: try again
            reason = self._stale(holder)
            if reason is None:
                raise LockHeld(holder, self.store.url, self.stale_after)
            if self._take_over(holder):
                self.taken_over, self.takeover_reason = holder, reason
                break
        else:
            raise RuntimeError(f"could not acquire the lock of week {self.week}: too much contention")
        self._thread = threading.Thread(target=self._beat, name=f"lock-{self.week}", daemon=True)
        self._thread.start()
        return self

    def stop_heartbeat(self) -> None:
        """Stop beating but keep the row, as a hung or cut-off holder would."""
        self._stop.set()

    def release(self) -> None:
        """Stop the heartbeat and delete the lock row (if it is still ours)."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=10)
            self._thread = None
        with self.store.engine.begin() as conn:
            conn.execute(locks.delete().where(locks.c.week == self.week, locks.c.owner == self.owner))

    def __enter__(self) -> WeekLock:
        return self.acquire()

    def __exit__(self, *exc: object) -> None:
        self.release()

    def set_run(self, run_id: int) -> None:
        with self.store.engine.begin() as conn:
            conn.execute(
                locks.update()
                .where(locks.c.week == self.week, locks.c.owner == self.owner)
                .values(run_id=run_id)
            )

    def check(self) -> None:
        """Raise :class:`LockLost` if another batch took this lock over."""
        if self.lost.is_set():
            raise LockLost(f"the lock of week {self.week} was taken over by another batch; stopping")

    def holder(self) -> Holder | None:
        with self.store.engine.connect() as conn:
            row = conn.execute(sa.select(locks).where(locks.c.week == self.week)).first()
            # `_mapping` is SQLAlchemy's public Row API (underscored only to keep clear of column names)
            return None if row is None else Holder(**row._mapping, seen_at=db_now(conn))  # noqa: SLF001

    # -- internals ----------------------------------------------------------------------------

    def _insert(self) -> bool:
        try:
            with self.store.engine.begin() as conn:
                stamp = db_now(conn)
                conn.execute(
                    locks.insert().values(
                        week=self.week,
                        owner=self.owner,
                        host=self.host,
                        pid=self.pid,
                        acquired_at=stamp,
                        heartbeat_at=stamp,
                    )
                )
        except sa.exc.IntegrityError:
            return False
        return True

    def _stale(self, holder: Holder) -> str | None:
        if self.force:
            return "forced"
        if holder.age > self.stale_after:
            return f"no heartbeat for {holder.age:.0f}s"
        if holder_gone(holder):
            return "its process is gone from this machine"
        return None

    def _take_over(self, holder: Holder) -> bool:
        with self.store.engine.begin() as conn:
            stamp = db_now(conn)
            result = conn.execute(
                locks.update()
                .where(locks.c.week == self.week, locks.c.owner == holder.owner)
                .values(
                    owner=self.owner,
                    run_id=None,
                    host=self.host,
                    pid=self.pid,
                    acquired_at=stamp,
                    heartbeat_at=stamp,
                )
            )
        return result.rowcount == 1

    def _beat(self) -> None:
        while not self._stop.wait(self.heartbeat):
            try:
                with self.store.engine.begin() as conn:
                    result = conn.execute(
                        locks.update()
                        .where(locks.c.week == self.week, locks.c.owner == self.owner)
                        .values(heartbeat_at=db_now(conn))
                    )
                if result.rowcount == 0:
                    self.lost.set()
                    return
            except sa.exc.SQLAlchemyError:
                continue  # the database is busy or briefly away: try again at the next beat
