"""A Rich progress display for the terminal: one bar over the planning units with the best
objective, bound and elapsed time of the unit being solved. Written to stderr."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from allocate.callbacks import SolveCallbacks

if TYPE_CHECKING:
    from rich.console import Console


class RichProgress(SolveCallbacks):
    def __init__(self, console: Console) -> None:
        self.console = console
        self.progress = Progress(
            TextColumn("[bold]{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("{task.fields[detail]}"),
            TimeElapsedColumn(),
            console=console,
            transient=False,
        )
        self.task = None
        self.best: float | None = None
        self.bound: float | None = None
        self.unit_started = time.perf_counter()

    def __enter__(self) -> RichProgress:
        self.progress.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.progress.stop()

    def on_start(self, units: int, variables: int) -> None:
        self.task = self.progress.add_task("solving", total=units, detail=f"{variables:,} variables")

    def on_unit_start(self, index: int, name: str, time_limit: float) -> None:
        self.best = self.bound = None
        self.unit_started = time.perf_counter()
        self.progress.update(self.task, description=f"solving {name}", detail=f"limit {time_limit:.1f}s")

    def _refresh(self) -> None:
        best = "-" if self.best is None else f"{self.best:,.0f}"
        bound = "-" if self.bound is None else f"{self.bound:,.0f}"
        elapsed = time.perf_counter() - self.unit_started
        self.progress.update(self.task, detail=f"best {best}  bound {bound}  {elapsed:.1f}s")

    def on_solution(self, index: int, objective: float, bound: float, elapsed: float) -> None:
        self.best, self.bound = objective, bound
        self._refresh()

    def on_bound(self, index: int, bound: float) -> None:
        self.bound = bound
        self._refresh()

    def on_unit_end(self, index: int, name: str, status: str, objective: float, wall: float) -> None:
        self.progress.advance(self.task)
