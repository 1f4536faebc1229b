"""`allocate nrp INSTANCE.txt`: a Curtois & Qu shift scheduling benchmark instance on the engine."""

from __future__ import annotations

from contextlib import nullcontext
from pathlib import Path
from typing import Annotated

import typer

from allocate.commands._common import (
    EXIT_ERROR,
    EXIT_INFEASIBLE,
    EXIT_NO_SOLUTION,
    QuietOption,
    bad_input,
    err,
)


def nrp(
    instance: Annotated[Path, typer.Argument(help="A benchmark instance file (InstanceN.txt).")],
    out: Annotated[Path, typer.Option(help="Output folder: roster.csv (employee, day, shift).")],
    time_limit: Annotated[
        float, typer.Option(min=0.1, help="Wall-clock seconds of search, after the model is built.")
    ] = 60.0,
    workers: Annotated[int, typer.Option(min=1, help="CP-SAT workers.")] = 2,
    seed: Annotated[int, typer.Option(help="CP-SAT random seed.")] = 0,
    quiet: QuietOption = False,
) -> None:
    """Solve a benchmark instance; print the objective (as the benchmark counts it) and the bound."""
    from allocate.io.errors import InputError
    from allocate.nrp.instance import read_instance
    from allocate.nrp.solve import solve_instance, write_roster
    from allocate.progress import RichProgress
    from allocate.verify.nrp import evaluate

    try:
        inst = read_instance(instance)
    except InputError as exc:
        raise bad_input(exc) from None
    # the best roster and bound on stderr as they come: a minute is long to wait blind
    with nullcontext() if quiet else RichProgress(err) as progress:
        result = solve_instance(inst, time_limit=time_limit, workers=workers, seed=seed, callbacks=progress)
    if not result.has_solution:
        print(f"status: {result.status}")
        print(f"seconds: {result.seconds:.1f}")
        print("roster: none written (no roster found within the time limit)")
        raise typer.Exit(EXIT_INFEASIBLE if result.status == "INFEASIBLE" else EXIT_NO_SOLUTION)
    check = evaluate(inst, result.assignments)
    folder = write_roster(inst, result, out)
    # every instance has the counting bound (allocate.nrp.bounds); "none" only if that changes
    bound = f"{result.bound:g}" if result.bound is not None else "none"
    print(f"instance: {instance.name}")
    print(f"status: {result.status}")
    print(f"objective: {check.objective}")
    print(f"bound: {bound}")
    print(f"seconds: {result.seconds:.1f}")
    print(f"build_seconds: {result.build_seconds:.1f}")
    lp = ", LP solved" if result.converged else ""
    print(f"pricing_rounds: {result.pricing_rounds}{lp}")
    print(f"roster: {folder / 'roster.csv'}")
    # The solver's value can only overstate a penalty (a slack left above its minimum), never hide one.
    if not check.ok or result.objective is None or check.objective > result.objective:
        err.print(f"[bold red]The evaluator disagrees with the solver[/] (solver {result.objective}):")
        for line in check.violations[:20]:
            err.print(f"  - {line}", markup=False)
        raise typer.Exit(EXIT_ERROR)


def register(app: typer.Typer) -> None:
    app.command(name="nrp")(nrp)
