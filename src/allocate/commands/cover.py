"""`allocate cover DATA OUT --post STATION,DATE,SHIFT,TASK`: who can fill a gap, cheapest first."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from allocate.commands._common import bad_input, print_json
from allocate.i18n import N_, _

out = Console() if sys.stdout.isatty() else Console(width=200)

CANDIDATE_COLUMNS = (
    "#", N_("person"), N_("role"), N_("overtime h"), N_("block h"), N_("night/weekend"), N_("request"),
    N_("rest before h"), N_("rest after h"),
)  # fmt: skip
REQUEST_WORDS = (N_("on requested"), N_("off requested"))


def register(app: typer.Typer) -> None:
    app.command("cover")(cover)


def cover(
    data: Annotated[Path, typer.Argument(help="The dataset (folder of CSV files or .xlsx workbook).")],
    folder: Annotated[Path, typer.Argument(metavar="OUT_DIR", help="The published output folder.")],
    post: Annotated[str, typer.Option(help="The gap: STATION,DATE,SHIFT,TASK.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print the lists as JSON on stdout.")] = False,
    limit: Annotated[int, typer.Option(min=1, help="Excluded people to list.")] = 200,
) -> None:
    """List the eligible, free people for a post, ranked by cost (overtime, requests, fairness, rest
    left), and for each person left out the rule that excludes them. Exit 0, or 2 for bad input."""
    from allocate.cover import as_records, find_post, parse_post, who_can_cover
    from allocate.io.errors import InputError
    from allocate.io.load import load_dataset
    from allocate.policy import load_policy
    from allocate.replan import read_published
    from allocate.report.data import role_shown
    from allocate.verify.report import explained

    try:
        dataset = load_dataset(data)
        roster, horizon, _summary = read_published(folder)
        target = find_post(dataset, horizon, parse_post(post))
        ranked, excluded = who_can_cover(dataset, horizon, load_policy(data), roster, target)
    except InputError as exc:
        raise bad_input(exc) from None
    if as_json:
        payload = {"post": post, "candidates": as_records(ranked), "excluded": as_records(excluded)}
        print_json(payload)
        return
    title = _("Who can cover %(post)s (%(n)s eligible and free)") % {"post": post, "n": len(ranked)}
    table = Table(title=title, title_justify="left")
    for col in CANDIDATE_COLUMNS:
        table.add_column(_(col))
    for c in ranked:
        table.add_row(
            str(c.rank), f"{c.name} ({c.person_id})", role_shown(c.role), f"{c.overtime_hours:g}", f"{c.block_hours:g}",
            str(c.heavy_shifts), _(c.request), _hours(c.rest_before_hours), _hours(c.rest_after_hours),
        )  # fmt: skip
    out.print(table)
    left = Table(title=_("Left out (%(n)s)") % {"n": len(excluded)}, title_justify="left")
    for col in (N_("person"), N_("rule"), N_("why")):
        left.add_column(_(col))
    for e in excluded[:limit]:
        left.add_row(f"{e.name} ({e.person_id})", e.rule, explained(e.rule, e.reason))
    out.print(left)


def _hours(value: float | None) -> str:
    return "-" if value is None else f"{value:g}"
