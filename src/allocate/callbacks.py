"""Progress hooks of a solve. The no-op base keeps UI code out of the solver: the CLI, notebooks
and the batch subclass it (PyVRP's pattern)."""

from __future__ import annotations


class SolveCallbacks:
    """Override what you need; every method is a no-op here."""

    def on_start(self, units: int, variables: int) -> None:
        """Before the first unit is solved, after all models are built."""

    def on_unit_start(self, index: int, name: str, time_limit: float) -> None:
        """A planning unit (a station, or a district with lending) starts solving."""

    def on_solution(self, index: int, objective: float, bound: float, elapsed: float) -> None:
        """A better solution of the current unit."""

    def on_bound(self, index: int, bound: float) -> None:
        """A better bound of the current unit."""

    def on_unit_end(self, index: int, name: str, status: str, objective: float, wall: float) -> None:
        """A unit is finished."""
