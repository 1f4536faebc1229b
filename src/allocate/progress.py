"""A Rich progress display for the terminal: one bar over the planning units with the best
objective, bound and elapsed time of the unit being solved. Written to stderr."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any, Self

from rich.markup import escape
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    ProgressColumn,
    TextColumn,
    TimeElapsedColumn,
)

from allocate.callbacks import SolveCallbacks
from allocate.i18n import _

if TYPE_CHECKING:
    from rich.console import Console


class Bar:
    """A bar on the terminal, shown while in a ``with`` block: what it counts, how many of how many,
    its text field `field`, the time elapsed, then any `more` columns."""

    def __init__(self, console: Console, field: str, *more: ProgressColumn) -> None:
        self.console = console
        self.progress = Progress(
            TextColumn("[bold]{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn(f"{{task.fields[{field}]}}"),
            TimeElapsedColumn(),
            *more,
            console=console,
            transient=False,
        )
        self.task: Any = None

    def __enter__(self) -> Self:
        self.progress.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.progress.stop()


class RichProgress(Bar, SolveCallbacks):
    def __init__(self, console: Console) -> None:
        super().__init__(console, "detail")
        self.best: float | None = None
        self.bound: float | None = None
        self.unit_started = time.perf_counter()

    def on_start(self, units: int, variables: int) -> None:
        self.task = self.progress.add_task(
            _("solving"), total=units, detail=_("%(n)s variables") % {"n": f"{variables:,}"}
        )

    def on_unit_start(self, index: int, name: str, time_limit: float) -> None:
        self.best = self.bound = None
        self.unit_started = time.perf_counter()
        self.progress.update(
            self.task,
            description=escape(_("solving %(unit)s") % {"unit": name}),
            detail=_("limit %(seconds)ss") % {"seconds": f"{time_limit:.1f}"},
        )

    def _refresh(self) -> None:
        best = "-" if self.best is None else f"{self.best:,.0f}"
        bound = "-" if self.bound is None else f"{self.bound:,.0f}"
        elapsed = time.perf_counter() - self.unit_started
        detail = _("best %(best)s  bound %(bound)s  %(seconds)ss")
        self.progress.update(
            self.task, detail=detail % {"best": best, "bound": bound, "seconds": f"{elapsed:.1f}"}
        )

    def on_solution(self, index: int, objective: float, bound: float, elapsed: float) -> None:
        self.best, self.bound = objective, bound
        self._refresh()

    def on_bound(self, index: int, bound: float) -> None:
        self.bound = bound
        self._refresh()

    def on_unit_end(self, index: int, name: str, status: str, objective: float, wall: float) -> None:
        self.progress.advance(self.task)
