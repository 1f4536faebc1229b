"""The weekly batch: every station's roster for one ISO week, fanned out, verified and stored.

1. Load the dataset once; a station whose own rows are bad fails alone (:mod:`.data`).
2. Take the week's lock in the store (:mod:`.lock`): one batch per week and store.
3. Skip the stations already solved and stored for the week: a rerun finishes what a killed run left.
4. Give every other station last week's stored roster of its people as history (the dataset's
   history.csv when the store has no solved roster of that station for last week).
5. Fan the stations out on an engine (:mod:`.engines`), biggest first; each task builds, solves and
   verifies its own model with its own CP-SAT worker count. With ``lending = true`` in the policy a
   task is a district (its stations still to solve, one CP-SAT unit, the stations' budgets added up:
   :func:`.plan.district_tasks`), and ``stations`` widens to the selected stations' districts.
6. Store each station-week in one transaction as soon as it is back, solved or failed (a district's
   stations together in one).
"""

from __future__ import annotations

import os
import socket
import statistics
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from allocate.batch.data import load_for_batch
from allocate.batch.engines import Engine, Outcome, make_engine
from allocate.batch.lock import DEFAULT_STALE_AFTER, HEARTBEAT_SECONDS, MIN_STALE_AFTER, WeekLock
from allocate.batch.plan import district_tasks, districts_of, station_tasks
from allocate.batch.store import Store
from allocate.batch.task import BATCH_WORK_PER_SECOND, solve_task
from allocate.batch.week import Week
from allocate.i18n import L_
from allocate.io.errors import InputError, InputIssue
from allocate.machine import cores
from allocate.policy import Policy, check_shift_ids, load_policy
from allocate.stages import Status

if TYPE_CHECKING:
    from allocate.batch.outcome import StationOutcome
    from allocate.batch.task import Task

EXIT_OK, EXIT_ERROR, EXIT_INPUT, EXIT_INFEASIBLE, EXIT_NO_SOLUTION, EXIT_LOCKED = 0, 1, 2, 3, 4, 5


@dataclass(frozen=True)
class BatchSettings:
    """How to run a batch. `time_limit` is per station (model build included)."""

    time_limit: float = 10.0
    seed: int = 0
    engine: str = "process"
    scheduler: str | None = None
    jobs: int | None = None  # stations solved at once (process engine; Dask uses its worker threads)
    workers: int | None = None  # CP-SAT workers per station
    solver_params: dict[str, Any] = field(default_factory=dict)
    stale_after: float = DEFAULT_STALE_AFTER
    force_unlock: bool = False
    retry_failed: bool = True

    def parallelism(self) -> tuple[int, int]:
        """(stations at once, CP-SAT workers per station) so that their product fits the cores."""
        n = cores()
        if self.engine == "serial":
            return 1, self.workers or n
        if self.jobs is None and self.workers is None:
            return n, 1
        if self.jobs is None:
            return max(1, n // self.workers), self.workers  # type: ignore[operator]
        if self.workers is None:
            return self.jobs, max(1, n // self.jobs)
        return self.jobs, self.workers


class BatchCallbacks:
    """Progress hooks of a batch; every method is a no-op here (the CLI's Rich display overrides them)."""

    def on_message(self, text: str) -> None:
        """Something the operator should know (a stale lock taken over, oversubscription...)."""

    def on_start(self, week: str, selected: int, skipped: int, todo: int, engine: str, workers: int) -> None:
        """The lock is held and `todo` stations are about to be solved."""

    def on_station(self, outcome: StationOutcome, stored: bool) -> None:
        """A station is back and stored (`stored` False: it was stored already by someone else)."""


@dataclass
class BatchReport:
    """What a batch did; :meth:`summary` is the JSON the CLI prints."""

    week: str
    store: str
    run_id: int | None
    engine: str
    slots: int
    workers: int
    settings: BatchSettings
    selected: list[str]
    skipped: list[str]
    lending: bool = False  # one task per district (the policy's lending)
    outcomes: list[StationOutcome] = field(default_factory=list)
    stored: dict[str, dict[str, Any]] = field(default_factory=dict)  # station -> stored headline
    proofs: dict[str, dict[str, Any]] = field(default_factory=dict)  # station -> what it proved
    status: str = "running"
    wall_seconds: float = 0.0

    @property
    def failed(self) -> list[dict[str, Any]]:
        return [row for row in self.stored.values() if row["state"] == "failed"]

    def exit_code(self) -> int:
        """0 all selected stations solved and verified; 1 a station failed (error, verifier, dead
        worker); 2 only bad data; 3 a proven infeasible station; 4 a station without a roster in
        its time limit."""
        kinds = {row["failure"] for row in self.failed}
        missing = [s for s in self.selected if s not in self.stored]
        if kinds & {"error", "verifier", "worker_died"} or missing:
            return EXIT_ERROR
        if "bad_data" in kinds:
            return EXIT_INPUT
        if "infeasible" in kinds:
            return EXIT_INFEASIBLE
        if "no_solution" in kinds:
            return EXIT_NO_SOLUTION
        return EXIT_OK

    def proof_counts(self, solved: list[dict[str, Any]]) -> dict[str, Any]:
        """Stations whose coverage was proven minimal, fully proven, left with the greedy roster,
        and the soft goals' gap (coverage is judged apart, never mixed into this gap).

        A station counts as proven when every unit it was solved in proved it; with lending a
        district's stations share their district's proof. `units` counts the CP-SAT units behind
        them (a district once, however many stations it has)."""
        proofs = [self.proofs.get(r["station_id"], {}) for r in solved]
        counts = [p.get("proof") or {} for p in proofs]
        units = [c for c in counts if c.get("units")]
        soft = [p["soft_gap"] for p in proofs if p.get("soft_gap") is not None]
        by_unit = {p["unit"]: p.get("proof") or {} for p in proofs if p.get("unit")}
        solved_units = [c for c in by_unit.values() if c.get("units")]
        return {
            "stations": len(solved),
            "coverage_proven": sum(c["coverage_proven"] == c["units"] for c in units),
            "fully_proven": sum(c["fully_proven"] == c["units"] for c in units),
            "greedy_fallbacks": sum(c.get("greedy_fallbacks", 0) > 0 for c in units),
            "stopped_by_time_limit": sum(c.get("stopped_by_time_limit", 0) > 0 for c in units),
            "soft_gap": {
                "median": statistics.median(soft) if soft else None,
                "worst": max(soft) if soft else None,
            },
            "units": {
                "solved": len(solved_units),
                "coverage_proven": sum(c["coverage_proven"] == c["units"] for c in solved_units),
                "fully_proven": sum(c["fully_proven"] == c["units"] for c in solved_units),
                "greedy_fallbacks": sum(c.get("greedy_fallbacks", 0) > 0 for c in solved_units),
            },
        }

    def summary(self) -> dict[str, Any]:
        rows = [self.stored[s] for s in self.selected if s in self.stored]
        solved = [r for r in rows if r["state"] == "solved"]
        gaps = [r["gap"] for r in solved if r["gap"] is not None]
        ran = sorted(self.outcomes, key=lambda o: -o.wall_seconds)
        kinds: dict[str, int] = {}
        for r in self.failed:
            kinds[r["failure"] or "error"] = kinds.get(r["failure"] or "error", 0) + 1
        walls = [o.wall_seconds for o in self.outcomes]
        return {
            "week": self.week,
            "store": self.store,
            "run_id": self.run_id,
            "status": self.status,
            "exit_code": self.exit_code(),
            "engine": self.engine,
            "stations_at_once": self.slots,
            "cpsat_workers_per_station": self.workers,
            "time_limit_per_station": self.settings.time_limit,
            "lending": self.lending,
            "wall_seconds": round(self.wall_seconds, 3),
            "stations": {
                "selected": len(self.selected),
                "already_stored": len(self.skipped),
                "solved_this_run": sum(o.state == "solved" for o in self.outcomes),
                "solved": len(solved),
                "optimal": sum(r["solver_status"] == Status.OPTIMAL for r in solved),
                "verified": sum(bool(r["verified"]) for r in solved),
                "failed": len(self.failed),
                "failed_by_kind": kinds,
                "not_stored": [s for s in self.selected if s not in self.stored],
            },
            "crews_required": sum(r["crews_required"] for r in rows),
            "crews_staffed": sum(r["crews_staffed"] for r in rows),
            "uncovered_crews": sum(r["uncovered_crews"] for r in rows),
            "gap": {
                "median": statistics.median(gaps) if gaps else None,
                "worst": max(gaps) if gaps else None,
            },
            "proof": self.proof_counts(solved),
            "seconds_per_station": {
                "mean": statistics.fmean(walls) if walls else None,
                "median": statistics.median(walls) if walls else None,
                "max": max(walls) if walls else None,
            },
            "slowest": [
                {
                    "station_id": o.station_id,
                    "wall_seconds": round(o.wall_seconds, 3),
                    "build_seconds": round(o.build_seconds, 3),
                    "people": o.people,
                    "variables": o.variables,
                    "solver_status": o.solver_status,
                    "gap": o.gap,
                }
                for o in ran[:5]
            ],
            "failed": [
                {"station_id": r["station_id"], "failure": r["failure"], "error": r["error"]}
                for r in self.failed
            ],
            "fairness_window": [row for o in self.outcomes for row in o.fairness],
            "stations_this_run": [o.headline() for o in sorted(self.outcomes, key=lambda o: o.station_id)],
        }


def run_batch(
    data: str | Path,
    week: str | Week,
    store: str | Store,
    *,
    stations: list[str] | None = None,
    settings: BatchSettings | None = None,
    callbacks: BatchCallbacks | None = None,
    engine: Engine | None = None,
    policy: Policy | None = None,
) -> BatchReport:
    """Roster `week` for every station of `data` (or `stations`) and store the results.

    Raises :class:`InputError` for bad input no single station owns, :class:`~.lock.LockHeld` when
    another batch holds the week. A station's own failure is stored and reported, never raised.
    """
    started = time.perf_counter()
    settings = settings or BatchSettings()
    callbacks = callbacks or BatchCallbacks()
    week = Week.parse(week) if isinstance(week, str) else week
    store = Store(store) if isinstance(store, str) else store

    dataset, bad = load_for_batch(data)
    policy = policy or load_policy(Path(data))
    check_shift_ids(policy, {s.shift_id for s in dataset.shifts})
    everything = sorted({s.station_id for s in dataset.stations} | set(bad))
    selected = everything if not stations else list(dict.fromkeys(stations))
    unknown = [s for s in selected if s not in everything]
    if unknown:
        raise InputError(
            [InputIssue("--stations", None, None, s, L_("a station_id of stations.csv")) for s in unknown]
        )
    if policy.lending and stations:  # a district is one unit: its neighbours come along
        widened = districts_of(dataset, selected)
        if len(widened) > len(selected):
            added = [s for s in widened if s not in selected]
            callbacks.on_message(
                L_(
                    "lending: the selected stations' districts are solved whole, adding %(added)s",
                    added=", ".join(added),
                )
            )
            selected = widened
    store.create()  # only once the input is known to be good: bad input leaves no new store behind
    store.check_ids(
        {
            "station_id": selected,
            "person_id": [p.person_id for p in dataset.staff],
            "shift_id": list(dataset.shift_by_id),
            "task_id": list(dataset.task_by_id),
        }
    )

    if engine is not None:
        slots, workers = engine.slots, settings.workers or 1
    else:
        slots, workers = settings.parallelism()
    if engine is None and settings.engine != "dask" and slots * workers > cores():
        callbacks.on_message(
            L_(
                "%(slots)s stations at once x %(workers)s CP-SAT workers = %(threads)s threads on "
                "%(cores)s cores: the stations will slow each other down",
                slots=slots,
                workers=workers,
                threads=slots * workers,
                cores=cores(),
            )
        )

    lock = WeekLock(store, str(week), stale_after=settings.stale_after, force=settings.force_unlock)
    if lock.stale_after > settings.stale_after:
        callbacks.on_message(
            L_(
                "a lock is taken over after %(after)ss without heartbeat at the soonest "
                "(%(beats)s heartbeats), not %(asked)ss",
                after=round(lock.stale_after),
                beats=round(MIN_STALE_AFTER / HEARTBEAT_SECONDS),
                asked=format(settings.stale_after, "g"),
            )
        )
    lock.acquire()
    report = BatchReport(
        str(week), store.url, None, settings.engine, slots, workers, settings, selected, [], policy.lending
    )
    try:
        if lock.taken_over is not None:
            callbacks.on_message(
                L_(
                    "took over the lock of week %(week)s (%(reason)s): %(holder)s",
                    week=week,
                    reason=lock.takeover_reason,
                    holder=lock.taken_over.describe(),
                )
            )
            if lock.taken_over.run_id is not None:
                store.abandon_run(lock.taken_over.run_id)
        states = store.states(str(week))
        done = {"solved"} if settings.retry_failed else {"solved", "failed"}
        report.skipped = [s for s in selected if states.get(s) in done]
        todo = [s for s in selected if s not in report.skipped]
        report.run_id = store.start_run(
            str(week), host=socket.gethostname(), pid=os.getpid(), engine=settings.engine,
            dataset=str(data), settings=_settings_json(settings, slots, workers) | {"lending": policy.lending},
        )  # fmt: skip
        lock.set_run(report.run_id)
        singles, early = station_tasks(dataset, bad, week, todo, store, policy, settings, workers)
        tasks: list[Task] = list(district_tasks(dataset, singles) if policy.lending else singles)
        if engine is None:
            engine = make_engine(settings.engine, slots=slots, scheduler=settings.scheduler)
            report.slots = engine.slots
        callbacks.on_start(
            str(week), len(selected), len(report.skipped), len(todo), engine.describe(), workers
        )
        for outcome in early:
            _store(store, lock, report, outcome, callbacks)
        with engine:
            for _task, outcome in engine.run(solve_task, tasks):
                _store(store, lock, report, outcome, callbacks)
        report.status = "done"
    except KeyboardInterrupt:
        report.status = "interrupted"
        raise
    except BaseException:
        report.status = "error"
        raise
    finally:
        report.wall_seconds = time.perf_counter() - started
        try:
            if report.run_id is not None:
                stored = store.station_weeks(str(week), selected)
                stored = stored.astype(object).where(stored.notna(), None)  # no NaN in the JSON
                report.stored = {r["station_id"]: r for r in stored.to_dict(orient="records")}
                report.proofs = store.proofs(str(week), report.stored)
                store.finish_run(
                    report.run_id, report.status, stations_selected=len(selected),
                    stations_skipped=len(report.skipped),
                    stations_solved=sum(o.state == "solved" for o in report.outcomes),
                    stations_failed=sum(o.state == "failed" for o in report.outcomes),
                )  # fmt: skip
        finally:
            lock.release()
    return report


def _store(
    store: Store, lock: WeekLock, report: BatchReport, outcome: Outcome, callbacks: BatchCallbacks
) -> None:
    """A task's stations, in one transaction (a district's stations share one roster)."""
    lock.check()
    outcomes = outcome if isinstance(outcome, tuple) else (outcome,)
    stored = store.save_stations(report.run_id, outcomes)  # type: ignore[arg-type]
    for one, was_stored in zip(outcomes, stored, strict=True):
        light = one.without_rows()
        report.outcomes.append(light)
        callbacks.on_station(light, was_stored)


def _settings_json(settings: BatchSettings, slots: int, workers: int) -> dict[str, Any]:
    return {
        "time_limit": settings.time_limit,
        "work_limit": settings.time_limit * BATCH_WORK_PER_SECOND,
        "seed": settings.seed,
        "engine": settings.engine,
        "scheduler": settings.scheduler,
        "stations_at_once": slots,
        "cpsat_workers": workers,
        "solver_params": settings.solver_params,
        "retry_failed": settings.retry_failed,
    }
