"""`allocate batch` and `allocate batch-export`: the weekly roster of every station, stored durably.

Exit codes of `batch`: 0 every selected station solved and verified; 1 a station failed (an error,
the verifier, a dead worker) or the run broke; 2 bad input (a station's bad data alone gives 2
too, the others are still stored); 3 a station proven infeasible; 4 a station without a roster
within its time limit; 5 another batch holds the week's lock in this store.
"""

from __future__ import annotations

import json
import os
import signal
import sys
from pathlib import Path
from typing import Annotated

import typer

STORE_HELP = "Database URL: sqlite:///allocate.db (default, or $ALLOCATE_STORE), postgresql://user@host/db."


def _store_url(store: str | None) -> str:
    from allocate.batch.store import DEFAULT_URL

    return store or os.environ.get("ALLOCATE_STORE") or DEFAULT_URL


def _split(values: list[str] | None) -> list[str] | None:
    if not values:
        return None
    return [v.strip() for item in values for v in item.split(",") if v.strip()]


def _terminate(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def batch(
    data: Annotated[Path, typer.Argument(help="Dataset: a folder of CSV files or an .xlsx workbook.")],
    week: Annotated[str, typer.Option(help="ISO week to roster, e.g. 2026-W49 (Monday to Sunday).")],
    store: Annotated[str | None, typer.Option(help=STORE_HELP)] = None,
    stations: Annotated[
        list[str] | None, typer.Option(help="Only these station ids (repeatable or comma-separated).")
    ] = None,
    engine: Annotated[str, typer.Option(help="process (default), dask or serial.")] = "process",
    scheduler: Annotated[
        str | None, typer.Option(help="Dask scheduler address tcp://HOST:PORT (default: a local cluster).")
    ] = None,
    jobs: Annotated[
        int | None, typer.Option(min=1, help="Stations solved at once (default: cores / workers).")
    ] = None,
    workers: Annotated[
        int | None, typer.Option(min=1, help="CP-SAT workers per station (default: cores / jobs, else 1).")
    ] = None,
    time_limit: Annotated[
        float, typer.Option(min=0.1, help="Seconds per station, model build included.")
    ] = 10.0,
    seed: Annotated[int, typer.Option(help="Random seed of every station's solve.")] = 0,
    param: Annotated[
        list[str] | None, typer.Option(help="A raw CP-SAT parameter KEY=VALUE (repeatable).")
    ] = None,
    force_unlock: Annotated[
        bool, typer.Option("--force-unlock", help="Take the week's lock even if its holder looks alive.")
    ] = False,
    stale_after: Annotated[
        float, typer.Option(min=1.0, help="Seconds without heartbeat after which a lock is taken over.")
    ] = 120.0,
    retry_failed: Annotated[
        bool, typer.Option(help="Solve again the stations stored as failed for this week.")
    ] = True,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print the batch summary as JSON on stdout.")
    ] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress display.")] = False,
) -> None:
    """Roster one ISO week for every station, with last week's stored roster as history; store it.

    Restartable: stations already stored for the week are skipped (run it again after a kill).
    One batch per week and store at a time: exit 5 otherwise.
    """
    import sqlalchemy as sa

    from allocate.batch import BatchSettings, LockHeld, Week, run_batch
    from allocate.batch.engines import ENGINES
    from allocate.batch.progress import BatchProgress, print_report
    from allocate.batch.store import SchemaMismatch
    from allocate.cli import _bad_input, _solver_params, err
    from allocate.io.errors import InputError

    try:
        Week.parse(week)
    except ValueError as exc:
        raise typer.BadParameter(str(exc), param_hint="--week") from None
    if engine not in ENGINES:
        raise typer.BadParameter(f"{engine!r} is not one of {', '.join(ENGINES)}", param_hint="--engine")
    if scheduler and engine != "dask":
        raise typer.BadParameter("--scheduler needs --engine dask", param_hint="--scheduler")
    settings = BatchSettings(
        time_limit=time_limit, seed=seed, engine=engine, scheduler=scheduler, jobs=jobs, workers=workers,
        solver_params=_solver_params(param or []), stale_after=stale_after, force_unlock=force_unlock,
        retry_failed=retry_failed,
    )  # fmt: skip
    signal.signal(signal.SIGTERM, _terminate)
    show = not (quiet or as_json)
    try:
        if show:
            with BatchProgress(err) as progress:
                report = run_batch(
                    data,
                    week,
                    _store_url(store),
                    stations=_split(stations),
                    settings=settings,
                    callbacks=progress,
                )
        else:
            report = run_batch(data, week, _store_url(store), stations=_split(stations), settings=settings)
    except InputError as exc:
        raise _bad_input(exc) from None
    except LockHeld as exc:
        err.print(f"[bold red]Locked[/]: {exc}", highlight=False, soft_wrap=True)
        raise typer.Exit(5) from None
    except SchemaMismatch as exc:
        err.print(f"[bold red]Store[/]: {exc}", highlight=False)
        raise typer.Exit(1) from None
    except sa.exc.OperationalError as exc:
        err.print(f"[bold red]Cannot use the store[/] {_store_url(store)}: {exc.orig}", highlight=False)
        raise typer.Exit(1) from None
    except KeyboardInterrupt:
        err.print("interrupted: the stations stored so far are kept; run the same command again to finish")
        raise typer.Exit(130) from None
    summary = report.summary()
    if as_json:
        sys.stdout.write(json.dumps(summary, indent=2, default=str) + "\n")
    elif not quiet:
        print_report(err, summary)
    code = report.exit_code()
    if summary["stations"]["failed"] and not as_json:
        err.print(
            f"[bold red]{summary['stations']['failed']} station(s) failed[/]; the others are stored. "
            "Fix and run again: only the failed and missing stations are solved.",
            highlight=False,
        )
    raise typer.Exit(code)


def batch_export(
    week: Annotated[str, typer.Option(help="ISO week to export, e.g. 2026-W49.")],
    out: Annotated[Path, typer.Option(help="Output folder (replaced atomically).")],
    store: Annotated[str | None, typer.Option(help=STORE_HELP)] = None,
    fmt: Annotated[str, typer.Option("--format", help="csv or parquet.")] = "csv",
    stations: Annotated[
        list[str] | None, typer.Option(help="Only these station ids (repeatable or comma-separated).")
    ] = None,
) -> None:
    """Export a stored week (roster, coverage, one row per station-week) to CSV or Parquet."""
    import sqlalchemy as sa

    from allocate.batch import Store, Week, export_week
    from allocate.cli import err

    try:
        week = str(Week.parse(week))
    except ValueError as exc:
        raise typer.BadParameter(str(exc), param_hint="--week") from None
    if fmt not in ("csv", "parquet"):
        raise typer.BadParameter(f"{fmt!r} is not csv or parquet", param_hint="--format")
    try:
        with Store(_store_url(store)) as db:
            db.create()
            folder, counts = export_week(db, week, out, fmt, _split(stations))  # type: ignore[arg-type]
    except LookupError as exc:
        err.print(f"[bold red]Nothing to export[/]: {exc}", highlight=False)
        raise typer.Exit(2) from None
    except sa.exc.OperationalError as exc:
        err.print(f"[bold red]Cannot use the store[/] {_store_url(store)}: {exc.orig}", highlight=False)
        raise typer.Exit(1) from None
    rows = ", ".join(f"{n} {name} rows" for name, n in counts.items())
    err.print(f"[green]exported[/] week {week} to {folder}: {rows}", highlight=False)


def register(app: typer.Typer) -> None:
    app.command("batch")(batch)
    app.command("batch-export")(batch_export)
