"""The library calls behind the CLI and notebooks: load, solve, write, in one place."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from rich.console import Console

from allocate.demand import default_horizon
from allocate.domain import Dataset, Horizon
from allocate.io.load import load_dataset, load_roster
from allocate.output import write_result
from allocate.policy import Policy, load_policy
from allocate.result import Result
from allocate.solve import solve


def horizon_for(dataset: Dataset, start: dt.date | None, days: int | None) -> Horizon:
    """The horizon a planner means: given values win, the demand's dates fill in the rest."""
    base = default_horizon(dataset)
    if start is None:
        return Horizon(base.start, days or base.days)
    return Horizon(start, days or (base.days if dataset.demand_dates() else 7))


def run_solve(
    data: Path,
    *,
    start: dt.date | None = None,
    days: int | None = None,
    out: Path | None = None,
    time_limit: float = 60.0,
    seed: int = 0,
    workers: int | None = None,
    published: Path | None = None,
    policy: Policy | None = None,
    console: Console | None = None,
    solver_params: dict | None = None,
) -> tuple[Result, Path | None]:
    """Load, solve, verify and (if `out`) write: what `allocate solve` does."""
    dataset = load_dataset(data)
    policy = policy or load_policy(Path(data))
    horizon = horizon_for(dataset, start, days)
    pub = load_roster(published) if published else ()
    kwargs = dict(time_limit=time_limit, seed=seed, workers=workers, published=pub, **(solver_params or {}))
    if console is not None:
        from allocate.progress import RichProgress

        with RichProgress(console) as progress:
            result = solve(dataset, horizon, policy, callbacks=progress, **kwargs)
    else:
        result = solve(dataset, horizon, policy, **kwargs)
    folder = write_result(result, out) if out is not None else None
    return result, folder
