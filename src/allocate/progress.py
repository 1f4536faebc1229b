"""A Rich progress display for the terminal: one bar over the planning units with the best
objective, bound and elapsed time of the unit being solved. Written to stderr."""

from __future__ import annotations

import threading
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
    """Solving units (several at once): the bar counts finished units; the detail line shows the unit
    heard from last, its best objective and bound."""

    def __init__(self, console: Console) -> None:
        super().__init__(console, "detail")
        self.running: dict[int, tuple[str, float]] = {}  # index -> (name, started)
        self.best: dict[int, float] = {}
        self.bound: dict[int, float] = {}
        self._lock = threading.Lock()  # units report from their own threads

    def on_start(self, units: int, variables: int) -> None:
        self.task = self.progress.add_task(
            _("solving"), total=units, detail=_("%(n)s variables") % {"n": f"{variables:,}"}
        )

    def _describe(self) -> None:
        names = ", ".join(name for name, _started in self.running.values())
        if names:  # a caller may report ends it never started (sizing: one start for all stations)
            self.progress.update(self.task, description=escape(_("solving %(unit)s") % {"unit": names}))

    def on_unit_start(self, index: int, name: str, time_limit: float) -> None:
        with self._lock:
            self.running[index] = (name, time.perf_counter())
            self._describe()
            self.progress.update(self.task, detail=_("limit %(seconds)ss") % {"seconds": f"{time_limit:.1f}"})

    def _refresh(self, index: int) -> None:
        name, started = self.running.get(index, ("", time.perf_counter()))
        best = "-" if index not in self.best else f"{self.best[index]:,.0f}"
        bound = "-" if index not in self.bound else f"{self.bound[index]:,.0f}"
        detail = _("best %(best)s  bound %(bound)s  %(seconds)ss")
        seconds = f"{time.perf_counter() - started:.1f}"
        self.progress.update(
            self.task, detail=f"{name}: " + detail % {"best": best, "bound": bound, "seconds": seconds}
        )

    def on_solution(self, index: int, objective: float, bound: float, elapsed: float) -> None:
        with self._lock:
            self.best[index], self.bound[index] = objective, bound
            self._refresh(index)

    def on_bound(self, index: int, bound: float) -> None:
        with self._lock:
            self.bound[index] = bound
            self._refresh(index)

    def on_unit_end(self, index: int, name: str, status: str, objective: float, wall: float) -> None:
        with self._lock:
            self.running.pop(index, None)
            self._describe()
            self.progress.advance(self.task)
