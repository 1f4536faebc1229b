"""`allocate batch --replan --from WHEN`: re-plan a stored week, station by station.

Each solved station-week is re-planned against its stored roster (:func:`allocate.replan.replan`:
the past frozen, coverage first, then the fewest changes), under the week's lock. The new roster
replaces the stored one in one transaction that also keeps the replaced roster as a numbered
version and writes an audit row: when, why, from when, how many changes, uncovered before and after.
A station whose re-plan fails the verifier keeps its stored roster and is reported.
"""

from __future__ import annotations

import socket
from pathlib import Path
from typing import TYPE_CHECKING, Any

from allocate.batch.data import load_for_batch
from allocate.batch.lock import WeekLock
from allocate.batch.runner import BatchSettings, _tasks
from allocate.batch.week import Week
from allocate.i18n import L_
from allocate.io.errors import InputError, InputIssue
from allocate.policy import Policy, check_shift_ids, load_policy
from allocate.replan import check_cut, replan

if TYPE_CHECKING:
    import datetime as dt

    from allocate.batch.store import Store


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
        tasks, _ = _tasks(dataset, bad, week, solved, store, policy, settings, settings.workers or 1)
        out = []
        for task in sorted(tasks, key=lambda t: t.station_id):
            lock.check()
            out.append(_replan_station(store, week, task, cut, reason, policy, settings))
        return out
    finally:
        lock.release()


def _replan_station(
    store: Store, week: Week, task, cut: dt.datetime, reason: str, policy: Policy, settings: BatchSettings
) -> dict[str, Any]:
    before = store.roster(str(week), [task.station_id])
    cov_before = store.coverage(str(week), [task.station_id])
    result = replan(
        task.dataset, before, week.horizon, policy, cut, time_limit=settings.time_limit, seed=settings.seed,
        workers=settings.workers or 1, **settings.solver_params,
    )  # fmt: skip
    cov = result.coverage
    audit = {
        "cut": cut.isoformat(timespec="minutes"),
        "reason": reason,
        "changes": len(result.changes),
        "added": int((result.changes["change"] == "added").sum()),
        "removed": int((result.changes["change"] == "removed").sum()),
        "uncovered_before": int(cov_before["shortfall"].sum()),
        "uncovered_after": int(cov["shortfall"].sum()),
        "host": socket.gethostname(),
    }
    row = {
        "station_id": task.station_id,
        **audit,
        "ok": bool(result.verification.ok) and result.status in ("OPTIMAL", "FEASIBLE"),
    }
    if not row["ok"]:
        row["error"] = (
            "; ".join(str(v) for v in result.verification.violations[:5]) or f"status {result.status}"
        )
        return row
    counts = {
        "solver_status": result.status,
        "crews_staffed": int(cov["crews_staffed"].sum()),
        "uncovered_crews": audit["uncovered_after"],
        "verified": True,
        "violations": 0,
    }
    roster = [tuple(str(v) for v in r) for r in result.roster.itertuples(index=False, name=None)]
    coverage = [
        tuple(v.item() if hasattr(v, "item") else v for v in r)
        for r in cov.astype({"date": str}).itertuples(index=False, name=None)
    ]
    row["version_replaced"] = store.save_replan(str(week), task.station_id, roster, coverage, counts, audit)
    return row
