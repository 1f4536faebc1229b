"""`allocate replan DATA --published OUT --from WHEN --out NEW`: re-plan a published week."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from allocate.commands._common import (
    EXIT_ERROR,
    STATUS_EXIT,
    JobsOption,
    JsonOption,
    QuietOption,
    SeedOption,
    WorkersOption,
    WorkLimitOption,
    bad_input,
    err,
    print_json,
    print_summary,
)
from allocate.i18n import _


def register(app: typer.Typer) -> None:
    app.command("replan")(replan)


def replan(
    data: Annotated[
        Path, typer.Argument(help="The dataset as it is now (new absences, changed demand, pins).")
    ],
    published: Annotated[Path, typer.Option(help="The published output folder (roster.csv, summary.json).")],
    start: Annotated[
        str,
        typer.Option(
            "--from", help="YYYY-MM-DD or YYYY-MM-DDTHH:MM: shifts starting earlier stay as published."
        ),
    ],
    out: Annotated[
        Path, typer.Option(help="The new output folder (the full output contract plus changes.csv).")
    ],
    time_limit: Annotated[
        float, typer.Option(min=0.1, help="Wall-clock seconds for the whole solve.")
    ] = 60.0,
    work_limit: WorkLimitOption = None,
    seed: SeedOption = 0,
    workers: WorkersOption = None,
    jobs: JobsOption = None,
    as_json: JsonOption = False,
    quiet: QuietOption = False,
) -> None:
    """Re-plan a published roster: the past frozen, coverage first, then the fewest changes.

    Writes NEW with roster.csv (frozen rows byte for byte as published), coverage.csv, summary.json,
    the report and changes.csv (person_id, date, station_id, shift_id, task_id, change). Exit codes
    as for `solve`; 2 for bad input (nothing written).
    """
    from allocate.api import run_replan
    from allocate.io.errors import InputError
    from allocate.verify.report import explained

    try:
        result, folder = run_replan(
            data, published, start, out=out, time_limit=time_limit, work_limit=work_limit, seed=seed,
            workers=workers, jobs=jobs, console=None if (quiet or as_json) else err,
        )  # fmt: skip
    except InputError as exc:
        raise bad_input(exc) from None
    summary = result.summary()
    if as_json:
        print_json(summary)
    else:
        print_summary(summary, folder)
        r = summary["settings"]["replan"]
        err.print(
            _(
                "re-planned from %(from)s: %(frozen_assignments)s assignments frozen, "
                "%(changes)s changes (%(added)s added, %(removed)s removed)"
            )
            % r,
            highlight=False,
            markup=False,
        )
    if not summary.get("verifier", {}).get("ok", True):
        err.print("[bold red]" + escape(_("The verifier found violations in this roster.")) + "[/]")
        for v in result.verification.violations[:20]:
            err.print(f"  - {v.rule}: {explained(v.rule, v.message)}", markup=False, highlight=False)
        raise typer.Exit(EXIT_ERROR)
    raise typer.Exit(STATUS_EXIT.get(result.status, EXIT_ERROR))
