"""`allocate demand`: derive demand.csv from an incident log (Erlang C per hour, crews per shift)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from allocate.commands._common import bad_input, err, print_warnings
from allocate.i18n import N_, _
from allocate.outfolder import FORCE_HELP

IncidentsOpt = Annotated[
    Path | None,
    typer.Option(
        help="Incident log: a CSV file, a workbook with an incidents sheet, or a folder "
        "(default: incidents.csv or sheet in DATA)."
    ),
]


def derive_from_files(data: Path, incidents: Path | None, growth: float = 1.0):
    """Load the dataset, its policy and the log, and derive: (dataset, policy, derived).

    Shared by `allocate demand` and `allocate size --incidents`; raises InputError on bad input.
    """
    from allocate.demand_model import derive_demand
    from allocate.io.incidents import load_incidents
    from allocate.io.load import load_dataset
    from allocate.policy import load_policy

    dataset = load_dataset(data)
    policy = load_policy(data)
    log = load_incidents(dataset, incidents, data)
    return dataset, policy, derive_demand(dataset, log, policy.demand, growth=growth)


def demand_command(
    data: Annotated[Path, typer.Argument(help="Dataset folder or .xlsx workbook.")],
    incidents: IncidentsOpt = None,
    out: Annotated[Path, typer.Option(help="Output folder (replaced atomically).")] = Path("out/demand"),
    growth: Annotated[
        float, typer.Option(min=0.01, help="Multiply arrival rates (1.15: incidents +15 %).")
    ] = 1.0,
    force: Annotated[bool, typer.Option("--force", help=FORCE_HELP)] = False,
) -> None:
    """Derive demand from incidents: DIR/demand.csv (weekday form) and DIR/demand_report.html.

    Reactive tasks (tasks.csv `incident_types`) get the fewest crews per hour that meet the response
    target (Erlang C) and the occupancy cap; proactive tasks come from [demand.proactive] rules.
    Tasks not derived keep their rows from the dataset's demand.csv.
    """
    from allocate.demand_model import comparison
    from allocate.demand_model.report import write_demand
    from allocate.io.errors import InputError
    from allocate.outfolder import check_out

    inputs = [data, incidents]
    try:
        check_out(out, protect=inputs, force=force)  # before the derivation, not after it
        dataset, policy, derived = derive_from_files(data, incidents, growth)
        command = " ".join(["allocate", *sys.argv[1:]])
        folder = write_demand(
            dataset, derived, policy.demand, out, command=command, force=force, protect=inputs
        )
    except InputError as exc:
        raise bad_input(exc) from None
    print_warnings(derived.warnings)
    compare = comparison(dataset, derived)
    by_task = compare.groupby("task_id", as_index=False)[["current", "derived"]].sum()
    table = Table(title=_("crews a week: current demand.csv against derived"), title_justify="left")
    for col in (N_("task"), N_("current"), N_("derived"), N_("change")):
        table.add_column(_(col))
    for row in by_task.itertuples(index=False):
        table.add_row(row.task_id, str(row.current), str(row.derived), f"{row.derived - row.current:+d}")
    err.print(table)
    err.print(_("written to") + f" {folder}", markup=False, highlight=False)


def register(app: typer.Typer) -> None:
    app.command(name="demand")(demand_command)
