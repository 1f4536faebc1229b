"""One batch per week and store, enforced by the database itself.

The lock is a row of ``batch_locks`` whose primary key is the week, inserted in its own transaction:
the database's unique key decides who wins, on SQLite and PostgreSQL alike, whichever machine the
batches run on. The holder refreshes a heartbeat; a lock is stale (and may be taken over) when

- its heartbeat is older than `stale_after` seconds (the holder died or lost the database), or
- its holder ran on this host and its process no longer exists (killed: no need to wait), or
- the operator says so (``--force-unlock``).

Takeover is a compare-and-swap on the owner token, so two batches racing for a stale lock cannot
both win. A holder whose lock was taken over notices at its next heartbeat (:attr:`WeekLock.lost`)
and stores nothing more.
"""

from __future__ import annotations

import os
import socket
import threading
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa

from allocate.batch.store import Store, locks

DEFAULT_STALE_AFTER = 120.0


@dataclass(frozen=True)
class Holder:
    """Who holds a week's lock."""

    week: str
    owner: str
    run_id: int | None
    host: str
    pid: int
    acquired_at: float
    heartbeat_at: float

    def describe(self) -> str:
        age = time.time() - self.heartbeat_at
        since = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(self.acquired_at))
        run = f"run {self.run_id}, " if self.run_id is not None else ""
        return f"{run}pid {self.pid} on {self.host}, since {since}, last heartbeat {age:.0f}s ago"


class LockHeld(RuntimeError):
    """Another batch holds the week's lock in this store."""

    def __init__(self, holder: Holder, store_url: str, stale_after: float) -> None:
        self.holder = holder
        super().__init__(
            f"another batch is running week {holder.week} on store {store_url} "
            f"({holder.describe()}). Wait for it to finish; a lock whose heartbeat is older than "
            f"{stale_after:.0f}s is taken over automatically, or pass --force-unlock if you are sure "
            "that batch is dead."
        )


class LockLost(RuntimeError):
    """This batch's lock was taken over by another batch: it must stop storing."""


def pid_alive(pid: int) -> bool:
    """Whether process `pid` exists on this host and is not a zombie."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    stat = Path(f"/proc/{pid}/stat")
    try:
        return stat.read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except (OSError, IndexError):
        return True


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
        self.stale_after = stale_after
        self.heartbeat = heartbeat if heartbeat is not None else max(0.5, stale_after / 4)
        self.force = force
        self.owner = uuid.uuid4().hex
        self.host = socket.gethostname()
        self.pid = os.getpid()
        self.taken_over: Holder | None = None  # the stale holder we replaced, if any
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
                self.taken_over = holder
                break
        else:
            raise RuntimeError(f"could not acquire the lock of week {self.week}: too much contention")
        self._thread = threading.Thread(target=self._beat, name=f"lock-{self.week}", daemon=True)
        self._thread.start()
        return self

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
        return None if row is None else Holder(**row._mapping)

    # -- internals ----------------------------------------------------------------------------

    def _insert(self) -> bool:
        stamp = time.time()
        try:
            with self.store.engine.begin() as conn:
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
        if time.time() - holder.heartbeat_at > self.stale_after:
            return "heartbeat"
        if holder.host == self.host and holder.pid != self.pid and not pid_alive(holder.pid):
            return "dead process"
        return None

    def _take_over(self, holder: Holder) -> bool:
        stamp = time.time()
        with self.store.engine.begin() as conn:
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
                        .values(heartbeat_at=time.time())
                    )
                if result.rowcount == 0:
                    self.lost.set()
                    return
            except sa.exc.SQLAlchemyError:
                continue  # the database is busy or briefly away: try again at the next beat
