"""`allocate report OUT`: rebuild report.html and roster.xlsx from an output folder."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from allocate.commands._common import err
from allocate.i18n import _


def register(app: typer.Typer) -> None:
    app.command("report")(report)


def report(
    out: Annotated[
        Path,
        typer.Argument(help="An output folder of `allocate solve` (roster.csv, coverage.csv, summary.json)."),
    ],
    data: Annotated[
        Path | None,
        typer.Option(help="The dataset, for names (default: the one recorded in summary.json, if found)."),
    ] = None,
) -> None:
    """Rebuild report.html and roster.xlsx from an output folder. Exit 0 written, 2 bad folder or dataset."""
    from allocate.io.errors import InputError
    from allocate.report import write_report

    try:
        html, xlsx = write_report(out, data)
    except InputError as exc:
        words = _("%(data)s: %(n)s problem(s); nothing was written.") % {"data": data, "n": len(exc.issues)}
        err.print("[bold red]" + escape(_("Bad dataset")) + f"[/] {escape(words)}")
        for issue in exc.issues[:20]:
            err.print(f"  - {issue}", markup=False, highlight=False, soft_wrap=True)
        raise typer.Exit(2) from None
    except (FileNotFoundError, ValueError) as exc:
        err.print("[bold red]" + escape(_("Cannot report")) + f"[/]: {escape(str(exc))}", highlight=False)
        raise typer.Exit(2) from None
    except OSError as exc:  # a read-only folder: say so instead of a traceback
        err.print(
            "[bold red]"
            + escape(_("Cannot write"))
            + "[/] "
            + escape(_("into %(out)s: %(why)s") % {"out": out, "why": exc.strerror or exc}),
            highlight=False,
        )
        raise typer.Exit(2) from None
    wrote = escape(_("Wrote"))
    err.print(
        f"[green]{wrote}[/] {escape(str(html))}\n[green]{wrote}[/] {escape(str(xlsx))}", highlight=False
    )
