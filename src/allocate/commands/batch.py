"""`allocate batch` and `allocate batch-export`: the weekly roster of every station, stored durably.

Exit codes of `batch`: 0 every selected station solved and verified; 1 a station failed (an error,
the verifier, a dead worker) or the run broke; 2 bad input (a station's bad data alone gives 2
too, the others are still stored); 3 a station proven infeasible; 4 a station without a roster
within its time limit; 5 another batch holds the week's lock in this store (or took it over).
A store that cannot be used is 2 when the URL or file is wrong, 1 when the database fails; no
message ever shows a store password.
"""

from __future__ import annotations

import os
import signal
import traceback
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import click
import typer
from rich.markup import escape

from allocate.commands._common import ForceOption, QuietOption, bad_input, err, print_json, solver_params
from allocate.i18n import _

if TYPE_CHECKING:
    from allocate.batch.store import Store

STATIONS_HELP = "Only these station ids (repeatable or comma-separated)."
STORE_ENV = "ALLOCATE_STORE"
STORE_HELP = (
    "Database URL: sqlite:///allocate.db (the default) or postgresql://user@host[:port]/db. "
    f"Best given by ${STORE_ENV} so that no password is on the command line; PostgreSQL also reads "
    "PGPASSWORD and ~/.pgpass. Passwords are never printed."
)
StoreOption = Annotated[str | None, typer.Option(help=STORE_HELP, envvar=STORE_ENV, show_envvar=True)]


def _open_store(store: str | None, *, read_only: bool = False) -> Store:
    """The store named by --store, else $ALLOCATE_STORE, else the default; an empty value is an error."""
    from allocate.batch.store import DEFAULT_URL, Store
    from allocate.batch.storeurl import StoreURLError

    if store is None and os.environ.get(STORE_ENV) is not None:  # set but empty: click ignores it
        raise StoreURLError(f"${STORE_ENV} is set but empty: give a store URL, or unset it for {DEFAULT_URL}")
    if store is not None and not store.strip():
        raise StoreURLError(f"--store is empty: give a store URL, or leave the option out for {DEFAULT_URL}")
    return Store(store or DEFAULT_URL, read_only=read_only)


@contextmanager
def _store_errors() -> Iterator[dict[str, str]]:
    """Store problems as one clear line on stderr and an exit code, never a traceback or a password.

    Yields a dict in which the caller puts the store's masked URL (``"url"``) once it is known.
    """
    import sqlalchemy as sa

    from allocate.batch.export import NothingStored
    from allocate.batch.lock import LockHeld, LockLost
    from allocate.batch.store import SchemaMismatch, StoreError
    from allocate.batch.storeurl import StoreURLError, redact
    from allocate.io.errors import InputError

    def fail(title: str, text: str, code: int) -> typer.Exit:
        err.print(
            f"[bold red]{escape(redact(title))}[/]: {escape(redact(text))}", highlight=False, soft_wrap=True
        )
        return typer.Exit(code)

    where: dict[str, str] = {}
    try:
        yield where
    except (typer.Exit, click.ClickException, KeyboardInterrupt, InputError, LockHeld, NothingStored):
        raise  # the caller's own messages
    except StoreURLError as exc:
        raise fail(_("Bad store"), str(exc), 2) from None
    except SchemaMismatch as exc:
        raise fail(_("Store"), str(exc), 1) from None
    except StoreError as exc:
        raise fail(_("Store"), str(exc), 2) from None
    except LockLost as exc:
        raise fail(_("Lock lost"), str(exc), 5) from None
    except sa.exc.DBAPIError as exc:  # the driver's own words, first line: connection refused...
        reason = str(exc.orig).strip().splitlines()[0] if str(exc.orig).strip() else type(exc.orig).__name__
        raise fail(_("Cannot use the store %(url)s") % {"url": where.get("url", "")}, reason, 1) from None
    except Exception as exc:  # a bug: say what, without a traceback that could echo a URL
        if os.environ.get("ALLOCATE_DEBUG"):
            err.print(redact(traceback.format_exc()), markup=False, highlight=False, soft_wrap=True)
        raise fail(_("Unexpected error (a bug in allocate)"), f"{type(exc).__name__}: {exc}", 1) from None


def _store_file(store: str | None) -> Path | None:
    """The database file of a SQLite store, which an --out may never replace (None for a server,
    or for a URL that :func:`_open_store` will refuse with its own message)."""
    from allocate.batch.store import DEFAULT_URL
    from allocate.batch.storeurl import StoreURLError, parse_store_url, sqlite_file

    try:
        return sqlite_file(parse_store_url(store or DEFAULT_URL))
    except StoreURLError:
        return None


def _split(values: list[str] | None) -> list[str] | None:
    if not values:
        return None
    return [v.strip() for item in values for v in item.split(",") if v.strip()]


def _terminate(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def batch(
    data: Annotated[Path, typer.Argument(help="Dataset: a folder of CSV files or an .xlsx workbook.")],
    week: Annotated[str, typer.Option(help="ISO week to roster, e.g. 2026-W49 (Monday to Sunday).")],
    store: StoreOption = None,
    stations: Annotated[
        list[str] | None,
        typer.Option(
            help=f"{STATIONS_HELP} With lending = true in policy.toml their whole districts are solved "
            "(a district is one unit)."
        ),
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
        float,
        typer.Option(
            min=0.1,
            help="Seconds per station, model build included (a ceiling: a station ends by proof or by its "
            "work limit, a quarter of this in CP-SAT deterministic seconds, which gives the same roster on "
            "any machine). With lending = true a district is one unit with its stations' seconds added up "
            "(and so its work limit).",
        ),
    ] = 10.0,
    seed: Annotated[int, typer.Option(help="Random seed of every station's solve.")] = 0,
    param: Annotated[
        list[str] | None, typer.Option(help="A raw CP-SAT parameter KEY=VALUE (repeatable).")
    ] = None,
    force_unlock: Annotated[
        bool, typer.Option("--force-unlock", help="Take the week's lock even if its holder looks alive.")
    ] = False,
    stale_after: Annotated[
        float,
        typer.Option(
            min=1.0,
            help="Seconds without heartbeat after which a lock is taken over (never less than 60; a "
            "batch whose process is gone from this machine loses its lock at once).",
        ),
    ] = 120.0,
    retry_failed: Annotated[
        bool, typer.Option(help="Solve again the stations stored as failed for this week.")
    ] = True,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print the batch summary as JSON on stdout.")
    ] = False,
    quiet: QuietOption = False,
    replan: Annotated[
        bool,
        typer.Option(
            "--replan",
            help="Re-plan the stored week from --from (the past frozen, fewest changes); the replaced "
            "roster is kept as a version, with an audit row (when, why, how many changes).",
        ),
    ] = False,
    start: Annotated[
        str | None, typer.Option("--from", help="With --replan: YYYY-MM-DD or YYYY-MM-DDTHH:MM.")
    ] = None,
    reason: Annotated[str, typer.Option(help="With --replan: why, for the audit trail.")] = "",
) -> None:
    """Roster one ISO week for every station, with last week's stored roster as history; store it.

    Restartable: stations already stored for the week are skipped (run it again after a kill).
    With lending = true in policy.toml each district is solved as one unit (auxiliaries lent within
    it); its stations are still stored, counted and reported one by one.
    One batch per week and store at a time: exit 5 otherwise. With --replan --from, the stored
    week is re-planned instead (exit 1 if a station's re-plan failed; it keeps its roster).
    """
    from contextlib import nullcontext

    from allocate.batch import BatchSettings, LockHeld, Week, run_batch
    from allocate.batch.engines import ENGINES
    from allocate.batch.progress import BatchProgress, print_report
    from allocate.io.errors import InputError

    try:
        Week.parse(week)
    except ValueError as exc:
        raise typer.BadParameter(str(exc), param_hint="--week") from None
    if engine not in ENGINES:
        raise typer.BadParameter(
            _("%(engine)r is not one of %(engines)s") % {"engine": engine, "engines": ", ".join(ENGINES)},
            param_hint="--engine",
        )
    if scheduler and engine != "dask":
        raise typer.BadParameter(_("--scheduler needs --engine dask"), param_hint="--scheduler")
    settings = BatchSettings(
        time_limit=time_limit, seed=seed, engine=engine, scheduler=scheduler, jobs=jobs, workers=workers,
        solver_params=solver_params(param or []), stale_after=stale_after, force_unlock=force_unlock,
        retry_failed=retry_failed,
    )  # fmt: skip
    signal.signal(signal.SIGTERM, _terminate)
    if replan or start is not None:
        _replan(data, week, store, start, reason, _split(stations), settings, as_json)
    show = not (quiet or as_json)
    try:
        with _store_errors() as where:
            db = _open_store(store)
            where["url"] = db.url
            with db, BatchProgress(err) if show else nullcontext() as progress:
                report = run_batch(
                    data, week, db, stations=_split(stations), settings=settings, callbacks=progress
                )
    except InputError as exc:
        raise bad_input(exc) from None
    except LockHeld as exc:
        raise _locked(exc) from None
    except KeyboardInterrupt:
        err.print(_("interrupted: the stations stored so far are kept; run the same command again to finish"))
        raise typer.Exit(130) from None
    summary = report.summary()
    if as_json:
        print_json(summary)
    elif not quiet:
        print_report(err, summary)
    code = report.exit_code()
    if summary["stations"]["failed"] and not as_json:
        err.print(
            "[bold red]"
            + escape(_("%(n)s station(s) failed") % {"n": summary["stations"]["failed"]})
            + "[/]"
            + escape(
                _(
                    "; the others are stored. Fix and run again: only the failed and missing stations are solved."
                )
            ),
            highlight=False,
        )
    raise typer.Exit(code)


def _locked(exc: Exception) -> typer.Exit:
    """Another batch holds the week: say who (its store URL redacted) and exit 5."""
    from allocate.batch.storeurl import redact

    err.print(
        "[bold red]" + escape(_("Locked")) + f"[/]: {escape(redact(str(exc)))}",
        highlight=False,
        soft_wrap=True,
    )
    return typer.Exit(5)


def _replan(data, week, store, start, reason, stations, settings, as_json: bool) -> None:
    """`batch --replan --from`: re-plan the stored week; always ends with typer.Exit."""
    from allocate.batch import LockHeld
    from allocate.batch.replan import replan_batch
    from allocate.io.errors import InputError
    from allocate.replan import parse_cut

    if start is None:
        raise typer.BadParameter(_("--replan needs --from YYYY-MM-DD[THH:MM]"), param_hint="--from")
    try:
        with _store_errors() as where:
            db = _open_store(store)
            where["url"] = db.url
            with db:
                rows = replan_batch(
                    data, week, db, parse_cut(start), reason=reason, stations=stations, settings=settings
                )
    except InputError as exc:
        raise bad_input(exc) from None
    except LockHeld as exc:
        raise _locked(exc) from None
    if as_json:
        print_json({"week": week, "from": start, "stations": rows})
    else:
        for r in rows:
            state = (
                _("version %(v)s kept") % {"v": r["version_replaced"]}
                if r["ok"]
                else _("NOT stored: %(why)s") % {"why": r.get("error")}
            )
            err.print(
                _(
                    "%(station_id)s: %(changes)s changes (%(added)s added, %(removed)s removed), "
                    "uncovered %(uncovered_before)s -> %(uncovered_after)s; %(state)s"
                )
                % {**r, "state": state},
                highlight=False, markup=False,
            )  # fmt: skip
    raise typer.Exit(0 if all(r["ok"] for r in rows) else 1)


def batch_export(
    week: Annotated[str, typer.Option(help="ISO week to export, e.g. 2026-W49.")],
    out: Annotated[Path, typer.Option(help="Output folder (replaced atomically if allocate wrote it).")],
    store: StoreOption = None,
    fmt: Annotated[str, typer.Option("--format", help="csv or parquet.")] = "csv",
    stations: Annotated[list[str] | None, typer.Option(help=STATIONS_HELP)] = None,
    force: ForceOption = False,
) -> None:
    """Export a stored week (roster, coverage, one row per station-week) to CSV or Parquet."""
    from allocate.batch import Week, export_week
    from allocate.batch.export import NothingStored
    from allocate.io.errors import InputError
    from allocate.outfolder import check_out

    try:
        week = str(Week.parse(week))
    except ValueError as exc:
        raise typer.BadParameter(str(exc), param_hint="--week") from None
    if fmt not in ("csv", "parquet"):
        raise typer.BadParameter(_("%(fmt)r is not csv or parquet") % {"fmt": fmt}, param_hint="--format")
    try:
        check_out(out, store=_store_file(store), force=force)  # before the store is even opened
        with _store_errors() as where, _open_store(store, read_only=True) as db:
            where["url"] = db.url
            db.check()
            folder, counts = export_week(
                db,
                week,
                out,
                fmt,  # type: ignore[arg-type]
                _split(stations),
                force=force,
                store_file=_store_file(store),
            )
    except InputError as exc:
        raise bad_input(exc) from None
    except NothingStored as exc:
        err.print("[bold red]" + escape(_("Nothing to export")) + f"[/]: {escape(str(exc))}", highlight=False)
        raise typer.Exit(2) from None
    rows = ", ".join(_("%(n)s %(name)s rows") % {"n": n, "name": name} for name, n in counts.items())
    words = _("week %(week)s to %(folder)s: %(rows)s") % {"week": week, "folder": folder, "rows": rows}
    err.print("[green]" + escape(_("exported")) + f"[/] {escape(words)}", highlight=False)


def register(app: typer.Typer) -> None:
    app.command("batch")(batch)
    app.command("batch-export")(batch_export)
