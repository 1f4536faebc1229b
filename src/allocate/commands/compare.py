"""`allocate compare A.toml B.toml ...`: solve scenarios and put their measures side by side."""

from __future__ import annotations

import json
import math
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

err = Console(stderr=True)


def _cell(value: object) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "-"
    if isinstance(value, float):
        return f"{value:,.4g}" if abs(value) < 1 else f"{value:,.1f}".removesuffix(".0")
    return str(value)


def _jsonable(value: object) -> object:
    if hasattr(value, "item"):  # numpy scalars
        value = value.item()
    if isinstance(value, float) and math.isnan(value):
        return None
    return value


def compare(
    scenarios: Annotated[list[Path], typer.Argument(help="Scenario files (.toml), two or more.")],
    time_limit: Annotated[
        float | None, typer.Option(min=0.1, help="Seconds per scenario (default: each scenario's own).")
    ] = None,
    seed: Annotated[int | None, typer.Option(help="Solver seed for all (default: each scenario's).")] = None,
    workers: Annotated[
        int | None, typer.Option(min=1, help="CP-SAT workers (default: each's, or all cores).")
    ] = None,
    out: Annotated[
        Path | None, typer.Option(help="Also write each scenario's output folder under OUT/<name>.")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the measures as JSON on stdout.")] = False,
    csv: Annotated[
        Path | None, typer.Option(help="Write the side-by-side table as CSV to this file.")
    ] = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress lines.")] = False,
) -> None:
    """Solve each scenario and print a side-by-side table: uncovered crews (in all and by task),
    overtime, hours per role, cost, fairness, solve time. Exit code as for `solve`, the worst one."""
    from allocate.cli import EXIT_ERROR, STATUS_EXIT, _bad_input
    from allocate.io.errors import InputError
    from allocate.output import write_result
    from allocate.scenario import compare as compare_results
    from allocate.scenario import load_scenario
    from allocate.scenario.compare import UNCOVERED_PREFIX

    try:  # read every file first: a typo in the last one should not wait for the others' solves
        loaded = [load_scenario(path) for path in scenarios]
    except InputError as exc:
        raise _bad_input(exc) from None
    names: list[str] = []
    for sc in loaded:
        name, k = sc.name, 1
        while name in names:
            k += 1
            name = f"{sc.name}-{k}"
        names.append(name)

    results = {}
    for name, sc in zip(names, loaded, strict=True):
        if not quiet:
            err.print(f"solving [bold]{sc.label}[/] ...", highlight=False)
        result = sc.solve(time_limit=time_limit, seed=seed, workers=workers)
        results[name] = result
        if out is not None:
            write_result(result, out / name)
        if not quiet:
            uncovered = int(result.coverage["shortfall"].sum())
            err.print(
                f"  {result.status}, {uncovered} crews uncovered, {result.wall_seconds:.1f} s",
                highlight=False,
            )

    table = compare_results(results)
    if as_json:
        records = [
            {"scenario": name, **{k: _jsonable(v) for k, v in row.items()}}
            for name, row in table.to_dict(orient="index").items()
        ]
        sys.stdout.write(json.dumps({"scenarios": records}, indent=2) + "\n")
    side = table.T
    side.index.name = "measure"
    if csv is not None:
        csv.parent.mkdir(parents=True, exist_ok=True)
        side.to_csv(csv)
    if not as_json:
        rich = Table(title="allocate: scenarios compared", title_justify="left")
        rich.add_column("measure", style="bold")
        for name in side.columns:
            rich.add_column(name, justify="right")
        for measure, row in side.iterrows():
            label = (
                f"  {str(measure).removeprefix(UNCOVERED_PREFIX)}"
                if str(measure).startswith(UNCOVERED_PREFIX)
                else measure
            )
            rich.add_row(str(label), *(_cell(v) for v in row))
        err.print(rich)

    if any(r.verification is not None and not r.verification.ok for r in results.values()):
        err.print("[bold red]The verifier found violations in a roster: this is a bug in allocate.[/]")
        raise typer.Exit(EXIT_ERROR)
    raise typer.Exit(max(STATUS_EXIT.get(r.status, EXIT_ERROR) for r in results.values()))


def register(app: typer.Typer) -> None:
    app.command(name="compare")(compare)
