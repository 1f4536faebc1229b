"""The `allocate` command line: thin wrappers over the library calls.

Exit codes: 0 solved, 1 unexpected error (a verifier violation is one), 2 bad input,
3 proven infeasible, 4 no solution within the time limit.
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

from allocate.i18n import ENV_VAR, N_, _, localize, set_language
from allocate.io.errors import InputError
from allocate.io.solver_params import MAX_SEED, MAX_TIME_LIMIT, MAX_WORKERS
from allocate.outfolder import FORCE_HELP

app = typer.Typer(
    help="Lawful police-station rosters: sworn officers lead auxiliaries, labour law kept, "
    "uncovered crews reported.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
err = Console(stderr=True)

EXIT_OK, EXIT_ERROR, EXIT_INPUT, EXIT_INFEASIBLE, EXIT_NO_SOLUTION = 0, 1, 2, 3, 4
STATUS_EXIT = {
    "OPTIMAL": EXIT_OK,
    "FEASIBLE": EXIT_OK,
    "INFEASIBLE": EXIT_INFEASIBLE,
    "UNKNOWN": EXIT_NO_SOLUTION,
}


@app.callback()
def _options(
    lang: Annotated[
        str | None,
        typer.Option(
            "--lang",
            envvar=ENV_VAR,
            help="Language of the report, workbook, summary and input errors: en (default) or zh.",
        ),
    ] = None,
) -> None:
    """Lawful police-station rosters: sworn officers lead auxiliaries, labour law kept."""
    try:
        set_language(lang)
    except ValueError as exc:
        raise typer.BadParameter(str(exc), param_hint=f"--lang (or ${ENV_VAR})") from None


DataArg = Annotated[Path, typer.Argument(help="Dataset: a folder of CSV files or an .xlsx workbook.")]


def _bad_input(exc: InputError) -> typer.Exit:
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


def _os_error(exc: OSError) -> typer.Exit:
    """A file-system failure (disk full, permissions changed mid-run) as one line, exit 1."""
    where = f" {exc.filename}" if exc.filename else ""
    err.print(
        "[bold red]" + escape(_("Cannot read or write")) + f"[/]{escape(f'{where}: {exc.strerror or exc}')}",
        highlight=False,
    )
    return typer.Exit(EXIT_ERROR)


def _parse_date(value: str | None) -> dt.date | None:
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


def _solver_params(pairs: list[str]) -> dict[str, object]:
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


StartOption = Annotated[
    str | None,
    typer.Option(help="First date YYYY-MM-DD (default: the scenario's, first demand date, or next Monday)."),
]
DaysOption = Annotated[
    int | None,
    typer.Option(min=1, max=366, help="Days in the horizon (default: the scenario's, demand span, or 7)."),
]


@app.command()
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
        run = load_inputs(data, start=_parse_date(start), days=days)
    except InputError as exc:
        raise _bad_input(exc) from None
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


def print_warnings(warnings: list[str]) -> None:
    """Loader and model warnings, one a line, in the current language."""
    for warning in warnings:
        err.print("[yellow]" + escape(_("warning")) + f"[/] {escape(localize(warning))}", highlight=False)


@app.command()
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
    work_limit: Annotated[
        float | None,
        typer.Option(
            min=0.01,
            help="Deterministic work budget (CP-SAT deterministic seconds; default half the time limit). "
            "A solve that ends by proof or by this limit gives the same roster on any machine.",
        ),
    ] = None,
    seed: Annotated[
        int | None,
        typer.Option(
            min=0, max=MAX_SEED, help="Random seed; same seed, one worker: same roster (default 0)."
        ),
    ] = None,
    workers: Annotated[
        int | None,
        typer.Option(
            min=1, max=MAX_WORKERS, help="CP-SAT workers per model (default 1: reproducible; more are not)."
        ),
    ] = None,
    published: Annotated[
        Path | None, typer.Option(help="A published roster.csv to stay close to (stability).")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the summary as JSON on stdout.")] = False,
    param: Annotated[
        list[str] | None, typer.Option(help="A raw CP-SAT parameter KEY=VALUE (repeatable).")
    ] = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress display.")] = False,
    force: Annotated[bool, typer.Option("--force", help=FORCE_HELP)] = False,
) -> None:
    """Solve a roster and write roster.csv, coverage.csv and summary.json into OUT.

    DATA may be a scenario file: its dataset, horizon, policy and changes are used, and the
    options given here override its horizon and solver settings.
    """
    from allocate.api import is_scenario, run_solve

    start_date = _parse_date(start)
    if out is None:
        out = Path("out") / data.stem if is_scenario(data) else Path("out")
    try:
        result, folder = run_solve(
            data, start=start_date, days=days, out=out, time_limit=time_limit, work_limit=work_limit, seed=seed,
            workers=workers, published=published, console=None if (quiet or as_json) else err,
            solver_params=_solver_params(param or []), force=force,
        )  # fmt: skip
    except InputError as exc:
        raise _bad_input(exc) from None
    except OSError as exc:
        raise _os_error(exc) from None
    summary = result.summary()
    if as_json:
        sys.stdout.write(json.dumps(summary, indent=2, default=str) + "\n")
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


@app.command()
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
        raise _bad_input(exc) from None
    except (ValueError, FileNotFoundError) as exc:
        err.print("[bold red]" + escape(_("Cannot verify")) + f"[/]: {escape(str(exc))}", highlight=False)
        raise typer.Exit(EXIT_INPUT) from None
    if as_json:
        sys.stdout.write(json.dumps(report.to_dict(limit=limit), indent=2, default=str) + "\n")
    else:
        err.print(report.render(limit=limit), highlight=False, markup=False, soft_wrap=True)
    raise typer.Exit(EXIT_OK if report.ok else EXIT_ERROR)


# Goal names and units, shown translated in the summary (they come from the model as data).
GOAL_WORDS = (
    N_("uncovered"), N_("overtime"), N_("cost"), N_("fairness"), N_("requests"), N_("stability"),
    N_("crews"), N_("hours"), N_("sworn in A slots"), N_("night/weekend/holiday shifts outside the fair band"),
    N_("unmet request weight"), N_("changes"), N_("station_id"), N_("task_id"),
)  # fmt: skip


def print_summary(summary: dict, folder: Path | None = None) -> None:
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


def _register_commands() -> None:
    """Attach the sub-commands kept in their own modules (allocate.commands.*)."""
    import importlib
    import pkgutil

    import allocate.commands as commands

    for info in sorted(pkgutil.iter_modules(commands.__path__), key=lambda i: i.name):
        module = importlib.import_module(f"allocate.commands.{info.name}")
        register = getattr(module, "register", None)
        if register is not None:
            register(app)


_register_commands()


def hoist_lang(argv: list[str]) -> list[str]:
    """``--lang X`` may follow the sub-command (``allocate solve data --lang zh``): move it to the
    front, where the app's callback reads it. Nothing after ``--`` is touched."""
    stop = argv.index("--") if "--" in argv else len(argv)
    for i, arg in enumerate(argv[:stop]):
        if arg.startswith("--lang="):
            return [arg, *argv[:i], *argv[i + 1 :]]
        if arg == "--lang" and i + 1 < stop:
            return [arg, argv[i + 1], *argv[:i], *argv[i + 2 :]]
    return argv


def main() -> None:
    """Console-script entry point: unexpected errors exit with code 1 and a short message."""
    try:
        app(args=hoist_lang(sys.argv[1:]))
    except SystemExit:
        raise
    except KeyboardInterrupt:
        err.print("interrupted; nothing was written")
        sys.exit(130)
