"""`allocate batch --replan --from WHEN`: re-plan a stored week, station by station.

Each solved station-week is re-planned against its stored roster (:func:`allocate.replan.replan`:
the past frozen, coverage first, then the fewest changes), under the week's lock. The new roster
replaces the stored one in one transaction that also keeps the replaced roster as a numbered
version and writes an audit row: when, why, from when, how many changes, uncovered before and after.
A station whose re-plan fails the verifier keeps its stored roster and is reported.

With ``lending = true`` a district's solved stations are re-planned together, as the batch solved
them (a lent auxiliary is in the roster of the station they were lent to, and must not be booked
twice), and stored together in one transaction, each with its own audit row.
"""

from __future__ import annotations

import socket
from pathlib import Path
from typing import TYPE_CHECKING, Any

from allocate.batch.data import load_for_batch
from allocate.batch.lock import WeekLock
from allocate.batch.plan import district_tasks, station_tasks
from allocate.batch.runner import BatchSettings
from allocate.batch.week import Week
from allocate.i18n import L_, _
from allocate.io.errors import InputError, InputIssue
from allocate.policy import Policy, check_shift_ids, load_policy
from allocate.replan import check_cut, replan

if TYPE_CHECKING:
    import datetime as dt

    from allocate.batch.store import Store
    from allocate.batch.task import Task


def replan_batch(
    data: str | Path,
    week: str | Week,
    store: Store,
    cut: dt.datetime,
    *,
    reason: str = "",
    stations: list[str] | None = None,
    settings: BatchSettings | None = None,
    policy: Policy | None = None,
) -> list[dict[str, Any]]:
    """Re-plan the stored `week` from `cut`; one audit dict per station tried (``ok`` says if stored)."""
    settings = settings or BatchSettings()
    week = Week.parse(week) if isinstance(week, str) else week
    horizon = week.horizon
    check_cut(cut, horizon, L_("week %(week)s", week=week))
    dataset, bad = load_for_batch(data)
    policy = policy or load_policy(Path(data))
    check_shift_ids(policy, {s.shift_id for s in dataset.shifts})
    store.create()
    lock = WeekLock(store, str(week), stale_after=settings.stale_after, force=settings.force_unlock)
    lock.acquire()
    try:
        states = store.states(str(week))
        solved = [s for s in (stations or sorted(states)) if states.get(s) == "solved"]
        if not solved:
            raise InputError(
                [
                    InputIssue(
                        "--week",
                        None,
                        None,
                        str(week),
                        L_("a week with solved stations in the store to re-plan"),
                    )
                ]
            )
        singles, _ = station_tasks(dataset, bad, week, solved, store, policy, settings, settings.workers or 1)
        tasks: list[Task] = list(district_tasks(dataset, singles) if policy.lending else singles)
        out = []
        for task in sorted(tasks, key=lambda t: t.station_ids):
            lock.check()
            out += _replan_unit(store, week, task, cut, reason, policy, settings)
        return out
    finally:
        lock.release()


def _replan_unit(
    store: Store,
    week: Week,
    task: Task,
    cut: dt.datetime,
    reason: str,
    policy: Policy,
    settings: BatchSettings,
) -> list[dict[str, Any]]:
    """Re-plan one station, or one lending district, and store it (all its stations or none)."""
    ids = list(task.station_ids)
    before = store.roster(str(week), ids)
    cov_before = store.coverage(str(week), ids)
    result = replan(
        task.dataset, before, week.horizon, policy, cut, time_limit=task.time_limit, seed=settings.seed,
        workers=settings.workers or 1, **settings.solver_params,
    )  # fmt: skip
    ok = bool(result.verification.ok) and result.status.found
    error = "; ".join(str(v) for v in result.verification.violations[:5]) or f"status {result.status}"
    if len(ids) > 1:
        error = _("%(unit)s (%(stations)s), re-planned together: %(error)s") % {
            "unit": task.name, "stations": ", ".join(ids), "error": error,
        }  # fmt: skip
    rows, items = [], []
    for sid in ids:
        changes = result.changes[result.changes["station_id"] == sid]
        cov = result.coverage[result.coverage["station_id"] == sid]
        audit = {
            "cut": cut.isoformat(timespec="minutes"),
            "reason": reason,
            "changes": len(changes),
            "added": int((changes["change"] == "added").sum()),
            "removed": int((changes["change"] == "removed").sum()),
            "uncovered_before": int(cov_before.loc[cov_before["station_id"] == sid, "shortfall"].sum()),
            "uncovered_after": int(cov["shortfall"].sum()),
            "host": socket.gethostname(),
        }
        rows.append({"station_id": sid, **audit, "ok": ok} | ({} if ok else {"error": error}))
        counts = {
            "solver_status": result.status,
            "crews_staffed": int(cov["crews_staffed"].sum()),
            "uncovered_crews": audit["uncovered_after"],
            "verified": True,
            "violations": 0,
        }
        roster = result.roster[result.roster["station_id"] == sid]
        roster_rows = [tuple(str(v) for v in r) for r in roster.itertuples(index=False, name=None)]
        coverage = [
            tuple(v.item() if hasattr(v, "item") else v for v in r)
            for r in cov.astype({"date": str}).itertuples(index=False, name=None)
        ]
        items.append((sid, roster_rows, coverage, counts, audit))
    if ok:
        for row, version in zip(rows, store.save_replans(str(week), items), strict=True):
            row["version_replaced"] = version
    return rows
