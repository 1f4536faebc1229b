"""`allocate validate`, `solve` and `verify`: the three commands of the everyday loop."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from allocate.commands._common import (
    EXIT_ERROR,
    EXIT_INPUT,
    EXIT_OK,
    STATUS_EXIT,
    DataArg,
    DaysOption,
    ForceOption,
    JobsOption,
    JsonOption,
    QuietOption,
    SeedOption,
    StartOption,
    WorkersOption,
    WorkLimitOption,
    bad_input,
    err,
    os_error,
    parse_date,
    print_json,
    print_summary,
    print_warnings,
    solver_params,
)
from allocate.i18n import _
from allocate.io.errors import InputError
from allocate.io.solver_params import MAX_TIME_LIMIT


def validate(
    data: Annotated[
        Path,
        typer.Argument(help="Dataset (a folder of CSV files or an .xlsx workbook) or a scenario (.toml)."),
    ],
    start: StartOption = None,
    days: DaysOption = None,
) -> None:
    """Check a dataset (or a scenario) as `solve` would; list every problem with file, line and column.

    Runs every check that `solve` runs before it starts: the tables, policy.toml, a scenario's
    settings and changes, and the horizon (dated demand inside it, history before it).
    """
    from allocate.api import load_inputs

    try:
        run = load_inputs(data, start=parse_date(start), days=days)
    except InputError as exc:
        raise bad_input(exc) from None
    ds, h = run.dataset, run.horizon
    counts = _(
        "%(stations)s stations, %(people)s people, %(tasks)s tasks, %(shifts)s shifts, %(demand)s demand "
        "rows, %(absences)s absences, %(requests)s requests, %(history)s history rows; horizon %(start)s "
        "+ %(days)s days"
    ) % {
        "stations": len(ds.stations), "people": len(ds.staff), "tasks": len(ds.tasks), "shifts": len(ds.shifts),
        "demand": len(ds.demand), "absences": len(ds.absences), "requests": len(ds.requests),
        "history": len(ds.history), "start": h.start, "days": h.days,
    }  # fmt: skip
    err.print(f"[green]OK[/] {escape(f'{data}: {counts}')}", highlight=False, soft_wrap=True)
    print_warnings(ds.extras.get("warnings", []))


def solve(
    data: Annotated[
        Path,
        typer.Argument(
            help="Dataset (a folder of CSV files or an .xlsx workbook) or a scenario file (.toml)."
        ),
    ],
    start: StartOption = None,
    days: DaysOption = None,
    out: Annotated[
        Path | None,
        typer.Option(
            help="Output folder, replaced atomically if allocate wrote it (default: out, or out/STEM "
            "for STEM.toml)."
        ),
    ] = None,
    time_limit: Annotated[
        float | None,
        typer.Option(
            min=0.1,
            max=MAX_TIME_LIMIT,
            help="Wall-clock seconds for the whole solve (default: the scenario's, or 60).",
        ),
    ] = None,
    work_limit: WorkLimitOption = None,
    seed: SeedOption = None,
    workers: WorkersOption = None,
    jobs: JobsOption = None,
    published: Annotated[
        Path | None, typer.Option(help="A published roster.csv to stay close to (stability).")
    ] = None,
    as_json: JsonOption = False,
    param: Annotated[
        list[str] | None, typer.Option(help="A raw CP-SAT parameter KEY=VALUE (repeatable).")
    ] = None,
    quiet: QuietOption = False,
    force: ForceOption = False,
) -> None:
    """Solve a roster and write roster.csv, coverage.csv and summary.json into OUT.

    DATA may be a scenario file: its dataset, horizon, policy and changes are used, and the
    options given here override its horizon and solver settings.
    """
    from allocate.api import is_scenario, run_solve

    start_date = parse_date(start)
    if out is None:
        out = Path("out") / data.stem if is_scenario(data) else Path("out")
    try:
        result, folder = run_solve(
            data, start=start_date, days=days, out=out, time_limit=time_limit, work_limit=work_limit, seed=seed,
            workers=workers, jobs=jobs, published=published, console=None if (quiet or as_json) else err,
            solver_params=solver_params(param or []), force=force,
        )  # fmt: skip
    except InputError as exc:
        raise bad_input(exc) from None
    except OSError as exc:
        raise os_error(exc) from None
    summary = result.summary()
    if as_json:
        print_json(summary)
    else:
        if "scenario" in summary["settings"]:
            err.print(
                "[bold]" + escape(_("scenario")) + f"[/] {summary['settings']['scenario']}", highlight=False
            )
        print_summary(summary, folder)
    verdict = summary.get("verifier")
    if verdict is not None and not verdict.get("ok", True):
        bug = _("The verifier found violations in this roster: this is a bug in allocate.")
        err.print(f"[bold red]{escape(bug)}[/]")
        raise typer.Exit(EXIT_ERROR)
    raise typer.Exit(STATUS_EXIT.get(result.status, EXIT_ERROR))


def verify(
    data: DataArg,
    out: Annotated[
        Path, typer.Argument(help="An output folder with roster.csv, coverage.csv, summary.json.")
    ],
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON on stdout.")] = False,
    limit: Annotated[int, typer.Option(min=1, help="Violations to list.")] = 50,
) -> None:
    """Check a roster against every hard rule, independently of the solver. Exit 0 clean, 1 violations."""
    from allocate.verify import verify_output

    try:
        report = verify_output(data, out)
    except InputError as exc:
        raise bad_input(exc) from None
    except (ValueError, FileNotFoundError) as exc:
        err.print("[bold red]" + escape(_("Cannot verify")) + f"[/]: {escape(str(exc))}", highlight=False)
        raise typer.Exit(EXIT_INPUT) from None
    if as_json:
        print_json(report.to_dict(limit=limit))
    else:
        err.print(report.render(limit=limit), highlight=False, markup=False, soft_wrap=True)
    raise typer.Exit(EXIT_OK if report.ok else EXIT_ERROR)


def register(app: typer.Typer) -> None:
    """In this order: the help lists them first, as the steps of a planner's day."""
    app.command()(validate)
    app.command()(solve)
    app.command()(verify)
