"""`allocate generate`: a seeded, realistic dataset of a named size for demos, tests and benchmarks."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

err = Console(stderr=True)


def generate_command(
    out: Annotated[Path, typer.Argument(help="Folder to write the CSV tables into.")],
    size: Annotated[
        str, typer.Option(help="tiny (2 stations), demo (8-station district) or city (~200 stations).")
    ] = "demo",
    seed: Annotated[int, typer.Option(help="Random seed: the same seed gives byte-identical files.")] = 1,
) -> None:
    """Write a fictional district's data contract tables (stations, staff, demand, ...)."""
    from allocate.generate import SIZES, generate

    if size not in SIZES:
        err.print(f"[red]Unknown size {size!r}[/]; expected one of {', '.join(SIZES)}")
        raise typer.Exit(2)
    folder = generate(size, seed, out)
    err.print(f"wrote the {size} dataset (seed {seed}) to {folder}")


def register(app: typer.Typer) -> None:
    app.command(name="generate")(generate_command)
