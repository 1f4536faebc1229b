"""`allocate generate`: a seeded, realistic dataset of a named size for demos, tests and benchmarks."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from allocate.commands._common import bad_input, err
from allocate.outfolder import FORCE_HELP


def generate_command(
    out: Annotated[
        Path,
        typer.Argument(help="Folder to write the CSV tables into (new, empty, or generated before)."),
    ],
    size: Annotated[
        str,
        typer.Option(
            help="tiny (2 stations), demo (8-station district), city (~200 stations, 25 of them core"
            " stations of ~330 people) or region (200 stations of 55 to 220 people)."
        ),
    ] = "demo",
    seed: Annotated[int, typer.Option(help="Random seed: the same seed gives byte-identical files.")] = 1,
    force: Annotated[bool, typer.Option("--force", help=FORCE_HELP)] = False,
) -> None:
    """Write a fictional district's data contract tables (stations, staff, demand, ...)."""
    from allocate.generate import SIZES, generate
    from allocate.io.errors import InputError

    if size not in SIZES:
        err.print(f"[red]Unknown size {size!r}[/]; expected one of {', '.join(SIZES)}")
        raise typer.Exit(2)
    try:
        folder = generate(size, seed, out, force=force)
    except InputError as exc:
        raise bad_input(exc) from None
    err.print(f"wrote the {size} dataset (seed {seed}) to {folder}")


def register(app: typer.Typer) -> None:
    app.command(name="generate")(generate_command)
