"""Where the batch's tasks run: a spawn-based process pool (default), Dask distributed, or in-process.

Every engine takes picklable tasks (a station, or a lending district) and a top-level function, and
yields ``(task, outcome)`` as the tasks finish, in completion order, so that the batch stores each
station as soon as it is done. A task whose worker dies is reported as failed stations
(:meth:`StationTask.failed`), never silently lost.
"""

from __future__ import annotations

import ctypes
import multiprocessing
import os
import signal
import sys
import threading
import time
from collections.abc import Callable, Generator, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from typing import Any

from allocate.batch.outcome import StationOutcome
from allocate.batch.task import Task
from allocate.i18n import L_, _, language, set_language
from allocate.machine import cores

Outcome = StationOutcome | tuple[StationOutcome, ...]  # a station's, or each station's of a district
TaskFn = Callable[[Task], Outcome]
ENGINES = ("process", "dask", "serial")


class Engine:
    """Runs station or district tasks; `slots` is how many run at once."""

    name = "engine"
    slots = 1

    def run(self, fn: TaskFn, tasks: Sequence[Task]) -> Iterator[tuple[Task, Outcome]]:
        raise NotImplementedError

    def describe(self) -> str:
        return L_("%(name)s (%(slots)s at once)", name=self.name, slots=self.slots)

    def close(self) -> None:
        """Release workers; pending tasks are cancelled."""

    def __enter__(self) -> Engine:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class SerialEngine(Engine):
    """One task after the other in this process: for debugging and for the smallest runs."""

    name = "serial"

    def run(self, fn: TaskFn, tasks: Sequence[Task]) -> Iterator[tuple[Task, Outcome]]:
        for task in tasks:
            yield task, fn(task)


PR_SET_PDEATHSIG = 1  # from <linux/prctl.h>
WATCHDOG_SECONDS = 1.0


def _init_worker(parent: int, lang: str = "en") -> None:
    """Every pool worker: leave Ctrl-C to the batch (it cancels the workers cleanly), and die with it.

    A batch killed with SIGKILL cannot stop its workers, so each worker watches its parent itself:
    on Linux the kernel sends it SIGKILL the moment the parent dies (``PR_SET_PDEATHSIG``), and
    everywhere a watchdog thread exits the worker once it has been handed to another parent. With the
    workers gone, the pool's resource tracker sees its last pipe close and exits too. The worker
    speaks the batch's language (`lang`): its messages about bad station data are shown as made.
    """
    set_language(lang)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if sys.platform.startswith("linux"):
        try:
            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        except (OSError, AttributeError):  # pragma: no cover - a libc without prctl
            pass
    threading.Thread(target=_watch_parent, args=(parent,), name="parent-watchdog", daemon=True).start()


def _watch_parent(parent: int) -> None:
    """Exit this worker as soon as `parent` is no longer its parent (the batch died)."""
    while os.getppid() == parent:
        time.sleep(WATCHDOG_SECONDS)
    os._exit(1)


class ProcessEngine(Engine):
    """A ``ProcessPoolExecutor`` over spawned processes (no fork: OR-Tools threads and fork don't mix).

    If a worker process dies (a crash, the out-of-memory killer), the whole pool breaks. The engine
    then runs the tasks that were in flight one at a time, each in a fresh pool, so that the station
    that kills its worker is named and reported as failed ("worker_died"), and runs the rest normally.
    """

    name = "process"

    def __init__(self, slots: int) -> None:
        self.slots = max(1, slots)
        self._pool: ProcessPoolExecutor | None = None
        self._closed = False

    def run(self, fn: TaskFn, tasks: Sequence[Task]) -> Iterator[tuple[Task, Outcome]]:
        todo = list(tasks)
        while todo:
            unfinished = yield from self._run_pool(fn, todo, self.slots)
            # The pool runs tasks in submission order: the first `slots` unfinished ones were in flight.
            suspects, todo = unfinished[: self.slots], unfinished[self.slots :]
            for task in suspects:
                if (yield from self._run_pool(fn, [task], 1)):
                    message = _(
                        "the worker process died while solving this station (a crash or the out-of-memory killer)"
                    )
                    yield task, task.failed("worker_died", message)

    def _run_pool(
        self, fn: TaskFn, tasks: list[Task], slots: int
    ) -> Generator[tuple[Task, Outcome], None, list[Task]]:
        """Run `tasks` on a new pool; return those left unfinished because the pool broke."""
        pool = self._pool = ProcessPoolExecutor(
            max_workers=slots,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=_init_worker,
            initargs=(os.getpid(), language()),
        )
        order = {id(t): i for i, t in enumerate(tasks)}
        futures: dict[Future, Task] = {pool.submit(fn, t): t for t in tasks}
        unfinished: list[Task] = []
        try:
            while futures:
                done, _pending = wait(futures, return_when=FIRST_COMPLETED)
                broken = False
                for future in sorted(done, key=lambda f: order[id(futures[f])]):
                    task = futures.pop(future)
                    try:
                        yield task, future.result()
                    except BrokenProcessPool:
                        broken = True
                        unfinished.append(task)
                    except Exception as exc:  # the task's own errors are caught inside it
                        message = f"{type(exc).__name__}: {exc}"
                        yield task, task.failed("error", message)
                if broken:  # keep what finished before the break; the rest is unfinished
                    for future, task in futures.items():
                        if future.done() and not future.cancelled() and future.exception() is None:
                            yield task, future.result()
                        else:
                            unfinished.append(task)
                    futures.clear()
        finally:
            pool.shutdown(wait=not self._closed, cancel_futures=True)
            self._pool = None
        return sorted(unfinished, key=lambda t: order[id(t)])

    def close(self) -> None:
        self._closed = True
        if self._pool is not None:
            self._pool.shutdown(wait=False, cancel_futures=True)
            processes = getattr(self._pool, "_processes", None) or {}
            for process in list(processes.values()):
                process.terminate()
            self._pool = None


class DaskEngine(Engine):
    """Dask distributed: a scheduler address (``tcp://host:8786``) for a cluster, a ``Client``, or nothing
    for a local cluster of `slots` single-threaded worker processes.

    Each station is one Dask task; Dask reschedules a task whose worker dies, up to its own limit,
    then the station is reported as failed.
    """

    name = "dask"

    def __init__(self, scheduler: Any = None, slots: int | None = None) -> None:
        from distributed import Client, LocalCluster

        self._cluster = None
        self._own_client = True
        if isinstance(scheduler, Client):
            self.client, self._own_client = scheduler, False
        elif scheduler is None:
            self._cluster = LocalCluster(
                n_workers=max(1, slots or cores()), threads_per_worker=1, processes=True,
                dashboard_address=None,
            )  # fmt: skip
            self.client = Client(self._cluster)
        else:
            self.client = Client(scheduler)
        threads = self.client.nthreads()
        self.slots = max(1, sum(threads.values()))
        self.address = self.client.scheduler.address

    def describe(self) -> str:
        return f"dask at {self.address} ({self.slots} worker threads)"

    def run(self, fn: TaskFn, tasks: Sequence[Task]) -> Iterator[tuple[Task, Outcome]]:
        import uuid

        from distributed import as_completed

        if not tasks:
            return
        tag = uuid.uuid4().hex[:8]
        keys = [f"allocate-{t.week}-{t.name}-{tag}" for t in tasks]
        futures = self.client.map(fn, list(tasks), key=keys, pure=False)
        by_key = {f.key: t for f, t in zip(futures, tasks, strict=True)}
        self._futures = futures
        try:
            for future in as_completed(futures):
                task = by_key[future.key]
                try:
                    yield task, future.result()
                except Exception as exc:  # KilledWorker, a lost connection...
                    message = f"{type(exc).__name__}: {exc}"
                    yield task, task.failed("worker_died", message)
                finally:
                    future.release()
        finally:
            self.client.cancel([f for f in futures if not f.done()])

    def close(self) -> None:
        if self._own_client:
            self.client.close()
        if self._cluster is not None:
            self._cluster.close()


def make_engine(name: str, *, slots: int, scheduler: str | None = None) -> Engine:
    if name == "process":
        return ProcessEngine(slots)
    if name == "dask":
        return DaskEngine(scheduler, slots)
    if name == "serial":
        return SerialEngine()
    raise ValueError(f"unknown engine {name!r}: expected one of {', '.join(ENGINES)}")
