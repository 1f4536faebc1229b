"""The library calls behind the CLI and notebooks: load, solve, write, in one place."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from allocate.demand import default_horizon
from allocate.domain import Dataset, Horizon
from allocate.i18n import L_
from allocate.io.load import check_horizon, load_dataset, load_roster
from allocate.outfolder import check_out
from allocate.output import write_result
from allocate.policy import Policy, check_shift_ids, load_policy
from allocate.report import report_writer
from allocate.solve import solve

if TYPE_CHECKING:
    import datetime as dt

    from rich.console import Console

    from allocate.result import Result


def horizon_for(dataset: Dataset, start: dt.date | None, days: int | None) -> Horizon:
    """The horizon a planner means: given values win, the demand's dates fill in the rest."""
    base = default_horizon(dataset)
    if start is None:
        return Horizon(base.start, days or base.days)
    return Horizon(start, days or (base.days if dataset.demand_dates() else 7))


def is_scenario(data: str | Path) -> bool:
    """A scenario file (TOML) rather than a dataset."""
    return Path(data).suffix.lower() == ".toml"


@dataclass(frozen=True)
class Inputs:
    """What a solve reads before it starts: the data, horizon, policy, and a scenario's extras."""

    dataset: Dataset
    horizon: Horizon
    policy: Policy
    label: str | None = None
    solver: Any = None  # a scenario's SolverSpec
    base_source: str = ""  # a scenario's dataset: an input that --out may not replace


def load_inputs(
    data: Path, *, start: dt.date | None = None, days: int | None = None, policy: Policy | None = None
) -> Inputs:
    """Read and check everything `run_solve` reads: `allocate validate` calls this too, so that
    validate passes exactly when solve would start (dataset, policy.toml, scenario and its
    changes, the horizon). Raises :class:`InputError`."""
    if is_scenario(data):
        from allocate.scenario import load_scenario

        sc = load_scenario(data)
        if start is not None or days is not None:
            sc = sc.with_horizon(start, days)
        inputs = Inputs(sc.dataset, sc.horizon, policy or sc.policy, sc.label, sc.solver, sc.base.source)
    else:
        dataset = load_dataset(data)
        inputs = Inputs(dataset, horizon_for(dataset, start, days), policy or load_policy(Path(data)))
    check_horizon(inputs.dataset, inputs.horizon)
    check_shift_ids(inputs.policy, {s.shift_id for s in inputs.dataset.shifts})
    _warn_uncovered_years(inputs.dataset, inputs.horizon)
    return inputs


def _warn_uncovered_years(dataset: Dataset, horizon: Horizon) -> None:
    """Say when the default holiday calendar does not know a year of the horizon: its public
    holidays would silently count as ordinary days (the State Council publishes a year at a time)."""
    years = sorted({d.year for d in horizon.dates if not dataset.calendar.covers(d)})
    if not years:
        return
    warnings = dataset.extras.setdefault("warnings", [])
    text = L_(
        "the default holiday calendar (the chinese-calendar package) has no public holidays for "
        "%(years)s: list them in holidays.csv, or update the package once they are published",
        years=", ".join(map(str, years)),
    )
    if text not in warnings:
        warnings.append(text)


def run_solve(
    data: Path,
    *,
    start: dt.date | None = None,
    days: int | None = None,
    out: Path | None = None,
    time_limit: float | None = None,
    work_limit: float | None = None,
    seed: int | None = None,
    workers: int | None = None,
    jobs: int | None = None,
    published: Path | None = None,
    policy: Policy | None = None,
    console: Console | None = None,
    solver_params: dict | None = None,
    force: bool = False,
) -> tuple[Result, Path | None]:
    """Load, solve, verify and (if `out`) write: what `allocate solve` does.

    `data` is a dataset (folder or .xlsx) or a scenario file (.toml). For a scenario, the values
    given here (not None) override the scenario's horizon and solver settings; for a dataset the
    defaults are a 60 s time limit and seed 0. `out` is checked before the solve (see
    :func:`allocate.outfolder.check_out`): it may not be or hold an input, and an existing folder
    of other content is replaced only with `force`.
    """
    run = load_inputs(data, start=start, days=days, policy=policy)
    dataset, horizon, policy, label = run.dataset, run.horizon, run.policy, run.label
    inputs: list[Path | str | None] = [data, published]
    if run.solver is not None:
        time_limit = run.solver.time_limit if time_limit is None else time_limit
        seed = run.solver.seed if seed is None else seed
        workers = workers or run.solver.workers
        solver_params = {**run.solver.params, **(solver_params or {})}
        inputs.append(run.base_source or None)
    if out is not None:
        check_out(out, protect=inputs, force=force)  # before the solve, not after it
    pub = load_roster(published) if published else ()
    kwargs = dict(
        time_limit=60.0 if time_limit is None else time_limit,
        work_limit=work_limit,
        seed=seed or 0,
        workers=workers,
        jobs=jobs,
        published=pub,
        **(solver_params or {}),
    )
    if console is not None:
        from allocate.progress import RichProgress

        with RichProgress(console) as progress:
            result = solve(dataset, horizon, policy, callbacks=progress, **kwargs)
    else:
        result = solve(dataset, horizon, policy, **kwargs)
    if label is not None:
        result.settings["scenario"] = label
    folder = None
    if out is not None:
        extra = {"report": report_writer(result)}
        folder = write_result(result, out, extra, force=force, protect=inputs)
    return result, folder


def run_replan(
    data: Path,
    published: Path,
    start: str | dt.datetime,
    *,
    out: Path | None = None,
    time_limit: float = 60.0,
    work_limit: float | None = None,
    seed: int = 0,
    workers: int | None = None,
    jobs: int | None = None,
    policy: Policy | None = None,
    console: Console | None = None,
    solver_params: dict | None = None,
) -> tuple[Result, Path | None]:
    """Load, re-plan a published output folder from `start`, verify and (if `out`) write."""
    from allocate.replan import parse_cut, read_published, replan

    cut = parse_cut(start) if isinstance(start, str) else start
    dataset = load_dataset(data)
    policy = policy or load_policy(Path(data))
    roster, horizon, _ = read_published(published)
    kwargs = dict(
        time_limit=time_limit, work_limit=work_limit, seed=seed, workers=workers, jobs=jobs,
        **(solver_params or {}),
    )  # fmt: skip
    if console is not None:
        from allocate.progress import RichProgress

        with RichProgress(console) as progress:
            result = replan(dataset, roster, horizon, policy, cut, callbacks=progress, **kwargs)
    else:
        result = replan(dataset, roster, horizon, policy, cut, **kwargs)
    result.settings["replan"]["published"] = str(published)
    folder = write_result(result, out, extra={"report": report_writer(result)}) if out is not None else None
    return result, folder
