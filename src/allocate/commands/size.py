"""`allocate size`: minimum auxiliary headcount per station and kind (rule 9)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from allocate.commands._common import EXIT_INPUT, bad_input, err, parse_date, print_json
from allocate.i18n import N_, _
from allocate.outfolder import FORCE_HELP


def size(
    data: Annotated[Path, typer.Argument(help="Dataset folder or .xlsx workbook.")],
    out: Annotated[
        Path, typer.Option(help="Output folder (replaced atomically if allocate wrote it).")
    ] = Path("out/sizing"),
    start: Annotated[str | None, typer.Option(help="First date YYYY-MM-DD of the demand pattern.")] = None,
    weeks: Annotated[int, typer.Option(min=1, max=8, help="Weeks of the repeated demand pattern.")] = 4,
    time_limit: Annotated[
        float, typer.Option(min=1, help="Seconds per station at most (a proven minimum stops early).")
    ] = 120.0,
    quota: Annotated[
        int | None, typer.Option(help="District quota to divide (default: sum of aux_quota).")
    ] = None,
    stations: Annotated[str | None, typer.Option(help="Comma-separated station ids (default: all).")] = None,
    curve_points: Annotated[int, typer.Option(min=2, max=20, help="Points of each coverage curve.")] = 6,
    seed: Annotated[int, typer.Option(help="Random seed.")] = 0,
    jobs: Annotated[
        int | None, typer.Option(min=1, help="Stations sized at once (default: cores / workers).")
    ] = None,
    workers: Annotated[
        int,
        typer.Option(
            min=1,
            help="CP-SAT workers per station (1, the default: the same answer every run on a machine "
            "fast enough for the work, and the stations sized side by side, one per core).",
        ),
    ] = 1,
    as_json: Annotated[bool, typer.Option("--json", help="Print the summary as JSON on stdout.")] = False,
    force: Annotated[bool, typer.Option("--force", help=FORCE_HELP)] = False,
    incidents: Annotated[
        Path | None,
        typer.Option(help="Size from the demand derived from this incident log (see `allocate demand`)."),
    ] = None,
    growth: Annotated[
        float, typer.Option(min=0.01, help="With --incidents: multiply arrival rates (1.15: +15 %).")
    ] = 1.0,
) -> None:
    """Size the auxiliary pools: minimum per station and kind, sworn shortfall, curve, quota split."""
    import datetime as dt

    from allocate.api import horizon_for
    from allocate.io.errors import InputError
    from allocate.io.load import load_dataset
    from allocate.outfolder import check_out
    from allocate.policy import load_policy
    from allocate.progress import RichProgress
    from allocate.report.data import role_shown
    from allocate.sizing import size_dataset
    from allocate.sizing.outputs import write_sizing

    try:
        check_out(out, protect=[data, incidents], force=force)  # at once, not after the sizing
        if incidents is not None:
            from allocate.commands.demand import derive_from_files

            base, policy, derived = derive_from_files(data, incidents, growth)
            dataset = derived.dataset(base)
        else:
            dataset = load_dataset(data)
            policy = load_policy(data)
    except InputError as exc:
        raise bad_input(exc) from None
    ids = [s.strip() for s in stations.split(",")] if stations else None
    unknown = [s for s in ids or [] if s not in dataset.station_by_id]
    if unknown:
        err.print("[red]" + escape(_("Unknown station id(s):")) + f"[/] {escape(', '.join(unknown))}")
        raise typer.Exit(EXIT_INPUT)
    start_date: dt.date | None = parse_date(start)
    horizon = horizon_for(dataset, start_date, 7)
    kwargs = dict(
        weeks=weeks,
        time_limit=time_limit,
        quota=quota,
        curve_points=curve_points,
        seed=seed,
        workers=workers,
        jobs=jobs,
        stations=ids,
    )
    if as_json:
        report = size_dataset(dataset, horizon, policy, **kwargs)
    else:
        with RichProgress(err) as progress:
            report = size_dataset(dataset, horizon, policy, callbacks=progress, **kwargs)
    try:
        folder = write_sizing(report, out, force=force, protect=[data, incidents])
    except InputError as exc:
        raise bad_input(exc) from None
    if as_json:
        print_json(report.summary())
        return
    title = _("auxiliary sizing over %(weeks)s week(s) (%(seconds)s s)") % {
        "weeks": weeks, "seconds": f"{report.seconds:.0f}",
    }  # fmt: skip
    table = Table(title=title, title_justify="left")
    for col in SIZING_COLUMNS:
        table.add_column(_(col))
    for row in report.sizing().itertuples(index=False):
        table.add_row(
            row.station_id,
            role_shown(row.kind),
            str(row.current),
            _count(row.minimum),
            _("yes") if row.quality == "proven minimum" else _("no"),
            _count(row.recommended),
            _count(row.cap),
            _reason(row.binding_reason),
        )
    err.print(table)
    s = report.summary()
    err.print(
        _("district: current %(district_current)s, minimum %(district_minimum)s, quota %(quota)s")
        % {**s, "quota": _count(s["quota"])},
        markup=False,
        highlight=False,
    )
    if s["stations_without_answer"]:  # left out of the district's figures: say so
        words = _(
            "no answer within the time limit for %(stations)s (not counted above): raise --time-limit"
        ) % {"stations": ", ".join(s["stations_without_answer"])}
        err.print(f"[yellow]{escape(words)}[/]")
    shortfall = report.sworn_shortfall()
    if not shortfall.empty:
        proven = all(st.shortfall_proven for st in report.stations if st.sworn_shortfall)
        why = _("they need sworn officers") if proven else _("not all proven: raise --time-limit")
        words = _(
            "%(n)s crews stay uncovered even with unlimited auxiliaries (%(why)s): see sworn_shortfall.csv"
        ) % {"n": int(shortfall["uncovered"].sum()), "why": why}
        err.print(f"[yellow]{escape(words)}[/]")
    err.print(_("written to") + f" {folder}", markup=False, highlight=False)


def _count(value: object) -> str:
    """A head count, or "-" where there is none (None or NaN: no cap, or no answer in the time limit)."""
    return "-" if value is None or value != value else str(int(value))  # type: ignore[call-overload]


SIZING_COLUMNS = (
    N_("station"), N_("kind"), N_("current"), N_("minimum"), N_("proven"), N_("recommended"), N_("cap"),
    N_("binding reason"),
)  # fmt: skip
# The sizing's reasons (allocate.sizing.run), shown in the current language.
REASONS = (
    N_("no roster found in the time limit: raise --time-limit"),
    N_("demand: every crew staffed at this headcount"),
    N_("demand; some crews need sworn officers (see sworn_shortfall.csv)"),
    N_(
        "demand; crews left uncovered by the best roster found, not proven to need "
        "sworn officers (raise --time-limit)"
    ),
    N_("district quota"),
)
_CAP = re.compile(r"policy cap of (\d+) auxiliaries")


def _reason(text: str) -> str:
    cap = _CAP.fullmatch(text)
    return _("policy cap of %(n)s auxiliaries") % {"n": cap.group(1)} if cap else _(text)


def register(app: typer.Typer) -> None:
    app.command(name="size")(size)
