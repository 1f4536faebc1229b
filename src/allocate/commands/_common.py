"""What the sub-commands share: the stderr console, exit codes, option types and error output.

The commands (``allocate.commands.*``) import from here and ``allocate.cli`` only assembles the
typer app from them, so no command imports the module that imports it.
"""

from __future__ import annotations

import datetime as dt
import json
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from allocate.i18n import N_, _, localize
from allocate.io.errors import InputError
from allocate.io.solver_params import MAX_SEED, MAX_WORKERS
from allocate.outfolder import FORCE_HELP
from allocate.stages import Status

err = Console(stderr=True)
"""The one console of the commands: progress, summaries and errors go to stderr."""

EXIT_OK, EXIT_ERROR, EXIT_INPUT, EXIT_INFEASIBLE, EXIT_NO_SOLUTION = 0, 1, 2, 3, 4
STATUS_EXIT = {
    Status.OPTIMAL: EXIT_OK,
    Status.FEASIBLE: EXIT_OK,
    Status.INFEASIBLE: EXIT_INFEASIBLE,
    Status.UNKNOWN: EXIT_NO_SOLUTION,
}

DataArg = Annotated[Path, typer.Argument(help="Dataset: a folder of CSV files or an .xlsx workbook.")]
ForceOption = Annotated[bool, typer.Option("--force", help=FORCE_HELP)]
JsonOption = Annotated[bool, typer.Option("--json", help="Print the summary as JSON on stdout.")]
QuietOption = Annotated[bool, typer.Option("--quiet", "-q", help="No progress display.")]
WorkLimitOption = Annotated[
    float | None,
    typer.Option(
        min=0.01,
        help="Deterministic work budget (CP-SAT deterministic seconds; default half the time limit). "
        "A solve that ends by proof or by this limit gives the same roster on any machine.",
    ),
]
SeedOption = Annotated[
    int | None,
    typer.Option(min=0, max=MAX_SEED, help="Random seed; same seed, one worker: same roster (default 0)."),
]
WorkersOption = Annotated[
    int | None,
    typer.Option(
        min=1, max=MAX_WORKERS, help="CP-SAT workers per model (default 1: reproducible; more are not)."
    ),
]
JobsOption = Annotated[
    int | None,
    typer.Option(
        min=1,
        help="Stations (districts with lending) solved at once (default: cores / workers). "
        "The roster does not depend on it.",
    ),
]
StartOption = Annotated[
    str | None,
    typer.Option(help="First date YYYY-MM-DD (default: the scenario's, first demand date, or next Monday)."),
]
DaysOption = Annotated[
    int | None,
    typer.Option(min=1, max=366, help="Days in the horizon (default: the scenario's, demand span, or 7)."),
]


def print_json(value: object) -> None:
    """`value` as indented JSON on stdout (dates and paths as text): what every --json prints."""
    sys.stdout.write(json.dumps(value, indent=2, default=str) + "\n")


def bad_input(exc: InputError) -> typer.Exit:
    """Every input problem on stderr (the first 200), and the exit for bad input (2)."""
    err.print(
        "[bold red]"
        + escape(_("Bad input"))
        + "[/] "
        + escape(_("(%(n)s problem(s)); nothing was written.") % {"n": len(exc.issues)})
    )
    for issue in exc.issues[:200]:
        err.print(f"  - {issue}", markup=False, highlight=False, soft_wrap=True)
    if len(exc.issues) > 200:
        err.print(_("  ... and %(n)s more") % {"n": len(exc.issues) - 200})
    return typer.Exit(EXIT_INPUT)


def os_error(exc: OSError) -> typer.Exit:
    """A file-system failure (disk full, permissions changed mid-run) as one line, exit 1."""
    where = f" {exc.filename}" if exc.filename else ""
    err.print(
        "[bold red]" + escape(_("Cannot read or write")) + f"[/]{escape(f'{where}: {exc.strerror or exc}')}",
        highlight=False,
    )
    return typer.Exit(EXIT_ERROR)


def parse_date(value: str | None) -> dt.date | None:
    """A horizon start from the command line (--start)."""
    from allocate.io.schemas import planning_date

    if value is None:
        return None
    try:
        return planning_date(dt.date.fromisoformat(value.strip()))
    except ValueError as exc:
        raise typer.BadParameter(
            _("%(value)r is not a date as YYYY-MM-DD (%(why)s)") % {"value": value, "why": exc},
            param_hint="--start",
        ) from None


def solver_params(pairs: list[str]) -> dict[str, object]:
    """``KEY=VALUE`` strings as typed CP-SAT parameters, checked as CP-SAT would check them."""
    from allocate.io.solver_params import solver_param_problems

    out: dict[str, object] = {}
    for pair in pairs:
        key, sep, raw = pair.partition("=")
        if not sep:
            raise typer.BadParameter(_("%(pair)r is not KEY=VALUE") % {"pair": pair}, param_hint="--param")
        value: object = raw
        if raw.lower() in ("true", "false"):
            value = raw.lower() == "true"
        else:
            for cast in (int, float):
                try:
                    value = cast(raw)
                    break
                except ValueError:
                    continue
        out[key.strip()] = value
    problems = solver_param_problems(out)
    if problems:
        raise typer.BadParameter(
            "; ".join(_("expected %(what)s") % {"what": p} for p in problems), param_hint="--param"
        )
    return out


def print_warnings(warnings: list[str]) -> None:
    """Loader and model warnings, one a line, in the current language."""
    for warning in warnings:
        err.print("[yellow]" + escape(_("warning")) + f"[/] {escape(localize(warning))}", highlight=False)


# Goal names and units, shown translated in the summary (they come from the model as data).
GOAL_WORDS = (
    N_("uncovered"), N_("overtime"), N_("cost"), N_("fairness"), N_("requests"), N_("stability"),
    N_("crews"), N_("hours"), N_("sworn in A slots"), N_("night/weekend/holiday shifts outside the fair band"),
    N_("unmet request weight"), N_("changes"), N_("station_id"), N_("task_id"),
)  # fmt: skip


def print_summary(summary: dict, folder: Path | None = None) -> None:
    """The summary of a solve or a re-plan as a table on stderr (stdout stays for --json)."""
    c = summary["counts"]
    gap = summary["gap"]
    table = Table(title=_("allocate: summary"), show_header=False, title_justify="left")
    table.add_column(style="bold")
    table.add_column()
    h = summary["horizon"]
    table.add_row(_("status"), summary["status"])
    table.add_row(_("horizon"), _("%(start)s + %(days)s days") % {"start": h["start"], "days": h["days"]})
    table.add_row(
        _("people / stations"),
        _("%(people)s / %(stations)s (%(units)s models)")
        % {"people": c["people"], "stations": c["stations"], "units": c["units"]},
    )
    table.add_row(_("variables / constraints"), f"{c['variables']:,} / {c['constraints']:,}")
    table.add_row(_("wall time"), f"{summary['wall_seconds']:.1f} s")
    table.add_row(_("objective / bound"), f"{summary['objective']} / {summary['best_bound']}")
    table.add_row(_("gap"), "-" if gap is None else f"{gap:.2%}")
    table.add_row(
        _("crews staffed"),
        _("%(staffed)s of %(required)s") % {"staffed": c["crews_staffed"], "required": c["crews_required"]},
    )
    proven = _(" (proven minimal)") if summary.get("uncovered_proven_minimal") else _(" (not proven minimal)")
    table.add_row(_("uncovered crews"), f"{summary['uncovered_crews']}{proven}")
    soft_gap = summary.get("soft_gap")
    table.add_row(
        _("soft goals gap"), _("- (coverage not proven)") if soft_gap is None else f"{soft_gap:.2%}"
    )
    p = summary.get("proof")
    if p:
        table.add_row(
            _("proof"),
            _(
                "%(coverage)s of %(units)s models coverage proven, %(fully)s fully; %(greedy)s greedy fallbacks"
            )
            % {
                "coverage": p["coverage_proven"],
                "units": p["units"],
                "fully": p["fully_proven"],
                "greedy": p["greedy_fallbacks"],
            },
        )
    table.add_row(_("overtime hours"), str(summary["overtime_hours"]))
    for name, g in summary["goals"].items():
        table.add_row(
            _("goal %(name)s") % {"name": _(name)},
            _("%(amount)s %(unit)s (cost %(cost)s)")
            % {"amount": f"{g['amount']:g}", "unit": _(g["unit"]), "cost": f"{g['cost']:g}"},
        )
    if "verifier" in summary:
        v = summary["verifier"]
        table.add_row(
            _("verifier"), _("0 violations") if v["ok"] else _("%(n)s VIOLATIONS") % {"n": v["violations"]}
        )
    if folder is not None:
        table.add_row(_("written to"), str(folder))
    err.print(table)
    if summary["uncovered_by_station_task"]:
        t = Table(title=_("uncovered crews by station and task"), title_justify="left")
        for col in ("station_id", "task_id", "uncovered"):
            t.add_column(_(col))
        for row in summary["uncovered_by_station_task"][:30]:
            t.add_row(str(row["station_id"]), str(row["task_id"]), str(row["uncovered"]))
        err.print(t)
