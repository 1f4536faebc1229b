"""`allocate compare A.toml B.toml ...`: solve scenarios and put their measures side by side."""

from __future__ import annotations

import math
import os
import re
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.markup import escape
from rich.table import Table

from allocate.commands._common import EXIT_ERROR, STATUS_EXIT, bad_input, err, print_json
from allocate.i18n import L_, _, language
from allocate.outfolder import FORCE_HELP

if TYPE_CHECKING:
    import pandas as pd


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


def folder_name(name: str) -> str:
    """A scenario's name as one folder name: separators and a leading dot cannot climb out of OUT."""
    safe = re.sub(r"[\\/\x00-\x1f]", "_", name).strip()
    return "_" + safe if not safe or safe.startswith(".") else safe


CSV_HEADER = "measure,"
"""How the side-by-side CSV starts: an existing file that starts so was written by compare."""


def check_csv(path: Path, inputs: list, force: bool) -> None:
    """`--csv` may replace a file compare wrote, or any file with --force, but never an input."""
    from allocate.outfolder import OutputRefused

    target = path.resolve()
    for p in inputs:
        if p is not None and (target == Path(p).resolve() or Path(p).resolve() in target.parents):
            raise OutputRefused(
                "--csv", path, L_("a file outside the input %(path)s (inputs are never written)", path=p)
            )
    if target.is_dir():
        raise OutputRefused("--csv", path, L_("a file name, not an existing folder"))
    if target.exists() and not force:
        try:
            with target.open(encoding="utf-8", errors="replace") as handle:
                ours = handle.read(len(CSV_HEADER)) == CSV_HEADER
        except OSError:
            ours = False
        if not ours:
            raise OutputRefused(
                "--csv", path, L_("a new file or one written by compare: pass --force to replace this one")
            )
    base = target.parent
    while not base.exists() and base != base.parent:
        base = base.parent
    if not base.is_dir() or not os.access(base, os.W_OK | os.X_OK):
        raise OutputRefused(
            "--csv", path, L_("a file allocate can write (%(base)s is not a writable folder)", base=base)
        )


def write_csv(frame: pd.DataFrame, path: Path) -> None:
    """Write through a temporary file beside `path`, then rename it into place."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    try:
        frame.to_csv(tmp)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


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
    force: Annotated[bool, typer.Option("--force", help=FORCE_HELP)] = False,
) -> None:
    """Solve each scenario and print a side-by-side table: uncovered crews (in all and by task),
    overtime, hours per role, cost, fairness, solve time. Exit code as for `solve`, the worst one."""
    from allocate.io.errors import InputError
    from allocate.outfolder import check_out
    from allocate.output import write_result
    from allocate.scenario import compare as compare_results
    from allocate.scenario import load_scenario
    from allocate.scenario.compare import UNCOVERED_PREFIX

    try:  # read every file first: a typo in the last one should not wait for the others' solves
        loaded = [load_scenario(path) for path in scenarios]
    except InputError as exc:
        raise bad_input(exc) from None
    names: list[str] = []
    for sc in loaded:
        name, k = sc.name, 1
        while name in names:
            k += 1
            name = f"{sc.name}-{k}"
        names.append(name)
    inputs = [*scenarios, *(sc.base.source or None for sc in loaded)]
    folders: dict[str, Path] = {}
    for name in names if out is not None else []:
        base, k = folder_name(name), 1
        slug = base
        while out / slug in folders.values():
            k += 1
            slug = f"{base}-{k}"
        folders[name] = out / slug
    try:  # and check every place written to before the first solve
        for folder in folders.values():
            check_out(folder, protect=inputs, force=force)
        if csv is not None:
            check_csv(csv, inputs, force)
    except InputError as exc:
        raise bad_input(exc) from None

    results = {}
    for name, sc in zip(names, loaded, strict=True):
        if not quiet:
            err.print(escape(_("solving")) + f" [bold]{escape(sc.label)}[/] ...", highlight=False)
        result = sc.solve(time_limit=time_limit, seed=seed, workers=workers)
        results[name] = result
        if name in folders:
            try:
                write_result(result, folders[name], force=force, protect=inputs, command="compare")
            except InputError as exc:
                raise bad_input(exc) from None
        if not quiet:
            uncovered = int(result.coverage["shortfall"].sum())
            err.print(
                "  "
                + _("%(status)s, %(n)s crews uncovered, %(seconds)s s")
                % {"status": result.status, "n": uncovered, "seconds": f"{result.wall_seconds:.1f}"},
                highlight=False,
            )

    table = compare_results(results)
    if as_json:
        records = [
            {"scenario": name, **{k: _jsonable(v) for k, v in row.items()}}
            for name, row in table.to_dict(orient="index").items()
        ]
        print_json({"scenarios": records})
    side = table.T
    side.index.name = "measure"
    if csv is not None:
        write_csv(side, csv)
    if not as_json:
        rich = Table(title=_("allocate: scenarios compared"), title_justify="left")
        rich.add_column(_("measure"), style="bold")
        for name in side.columns:
            rich.add_column(name, justify="right")
        for measure, row in side.iterrows():
            label = (
                f"  {str(measure).removeprefix(UNCOVERED_PREFIX)}"
                if str(measure).startswith(UNCOVERED_PREFIX)
                else measure_label(str(measure))
            )
            rich.add_row(str(label), *(_cell(v) for v in row))
        err.print(rich)

    if any(r.verification is not None and not r.verification.ok for r in results.values()):
        bug = _("The verifier found violations in a roster: this is a bug in allocate.")
        err.print(f"[bold red]{escape(bug)}[/]")
        raise typer.Exit(EXIT_ERROR)
    raise typer.Exit(max(STATUS_EXIT.get(r.status, EXIT_ERROR) for r in results.values()))


def measure_label(measure: str) -> str:
    """A measure's id (the name in the CSV and JSON), with its meaning when the output is not English."""
    from allocate.scenario.compare import MEASURES

    if language() == "en":
        return measure
    meaning = MEASURES.get("hours_per_<role>" if measure.startswith("hours_per_") else measure)
    return f"{_(meaning)} ({measure})" if meaning else measure


def register(app: typer.Typer) -> None:
    app.command(name="compare")(compare)
