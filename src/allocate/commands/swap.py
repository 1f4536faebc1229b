"""`allocate swap DATA OUT PERSON_A DATE_A PERSON_B DATE_B`: is the exchange lawful?"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from allocate.commands._common import bad_input, err, print_json
from allocate.i18n import _


def register(app: typer.Typer) -> None:
    app.command("swap")(swap)


def _date(value: str, name: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise typer.BadParameter(
            _("%(value)r is not a date as YYYY-MM-DD") % {"value": value}, param_hint=name
        ) from None


def swap(
    data: Annotated[Path, typer.Argument(help="The dataset.")],
    folder: Annotated[Path, typer.Argument(metavar="OUT_DIR", help="The published output folder.")],
    person_a: Annotated[str, typer.Argument(help="The first person.")],
    date_a: Annotated[str, typer.Argument(help="The date of A's duty that B takes (YYYY-MM-DD).")],
    person_b: Annotated[str, typer.Argument(help="The second person.")],
    date_b: Annotated[str, typer.Argument(help="The date of B's duty that A takes (YYYY-MM-DD).")],
    apply: Annotated[
        bool, typer.Option("--apply", help="Write the swapped roster (only if lawful).")
    ] = False,
    out: Annotated[Path | None, typer.Option(help="Where --apply writes the new output folder.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the verdict as JSON on stdout.")] = False,
) -> None:
    """Is the exchange lawful? Exit 0 yes (and, with --apply --out, the new roster written), 1 no
    (every rule it would break, for whom; nothing written), 2 bad input."""
    from allocate.contract import COVERAGE_COLUMNS
    from allocate.io.errors import InputError
    from allocate.io.load import load_dataset
    from allocate.policy import load_policy
    from allocate.replan import read_published
    from allocate.swap import swap_violations, swapped, write_swapped
    from allocate.verify.report import explained
    from allocate.verify.verifier import read_output_table

    day_a, day_b = _date(date_a, "DATE_A"), _date(date_b, "DATE_B")
    if apply and out is None:
        raise typer.BadParameter(_("--apply needs --out NEW_DIR"), param_hint="--out")
    try:
        dataset = load_dataset(data)
        roster, horizon, _summary = read_published(folder)
        after = swapped(dataset, roster, person_a, day_a, person_b, day_b)
    except InputError as exc:
        raise bad_input(exc) from None
    cov_file = folder / "coverage.csv"
    coverage = read_output_table(cov_file, COVERAGE_COLUMNS) if cov_file.is_file() else None
    broken = swap_violations(dataset, horizon, load_policy(data), roster, after, coverage)
    verdict = {
        "swap": [person_a, date_a, person_b, date_b],
        "lawful": not broken,
        "violations": [{"rule": v.rule, "person_id": v.person_id, "message": v.message} for v in broken],
    }
    if as_json:
        print_json(verdict)
    elif broken:
        err.print(
            "[bold red]"
            + escape(_("Not lawful"))
            + "[/]: "
            + escape(_("the swap breaks %(n)s rule(s):") % {"n": len(broken)})
        )
        for v in broken:
            err.print(
                f"  - {v.rule} ({v.person_id or '-'}): {explained(v.rule, v.message)}",
                markup=False,
                highlight=False,
            )
    else:
        words = _("%(a)s takes %(b)s's duty on %(date_b)s, %(b)s takes %(a)s's on %(date_a)s.") % {
            "a": person_a, "b": person_b, "date_a": date_a, "date_b": date_b,
        }  # fmt: skip
        err.print("[green]" + escape(_("Lawful")) + f"[/]: {escape(words)}", highlight=False)
    if broken:
        raise typer.Exit(1)
    if apply and out is not None:
        written = write_swapped(folder, after, roster, out, verdict)
        if not as_json:
            err.print("[green]" + escape(_("Wrote")) + f"[/] {escape(str(written))}", highlight=False)
