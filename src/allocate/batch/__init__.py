"""The weekly roster batch: every station of a bureau or a city, one ISO week at a time.

    from allocate.batch import BatchSettings, run_batch
    report = run_batch("data/city", "2026-W49", "sqlite:///allocate.db", settings=BatchSettings(time_limit=5))
    report.summary(), report.exit_code()

Stations are solved independently (on a spawn-based process pool or Dask distributed), verified, and
stored durably per station-week in SQLite or PostgreSQL; a rerun finishes what a killed run left.

Names are imported lazily, so that a worker process that only needs :mod:`allocate.batch.task`
does not import SQLAlchemy and the rest of the batch.
"""

from __future__ import annotations

import importlib
from typing import Any

_WHERE = {
    "DaskEngine": "engines",
    "Engine": "engines",
    "ProcessEngine": "engines",
    "SerialEngine": "engines",
    "make_engine": "engines",
    "export_week": "export",
    "LockHeld": "lock",
    "LockLost": "lock",
    "WeekLock": "lock",
    "StationOutcome": "outcome",
    "BatchCallbacks": "runner",
    "BatchReport": "runner",
    "BatchSettings": "runner",
    "run_batch": "runner",
    "DEFAULT_URL": "store",
    "Store": "store",
    "StationTask": "task",
    "solve_station": "task",
    "Week": "week",
}

__all__ = sorted(_WHERE)


def __getattr__(name: str) -> Any:
    if name not in _WHERE:
        raise AttributeError(f"module 'allocate.batch' has no attribute {name!r}")
    value = getattr(importlib.import_module(f"allocate.batch.{_WHERE[name]}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_WHERE))
