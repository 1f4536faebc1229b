"""A station's sizing budget: deterministic work shared out stage by stage, under a wall-clock ceiling.

Sizing runs many solves (the first week's two phases, the cycle, the later weeks, their floors, the
curve), each given a share of what the stages before it left. Shares measured in wall-clock
seconds made the answer depend on the machine's load: on a busy machine every stage got less
search, a later week was not staffed in its share, more recruits were hired and the minimum was no
longer proven. Shares are measured in CP-SAT's deterministic work instead, so that with one worker
and a fixed seed the same input gives the same sizing whatever the load. The station's time limit
stays a ceiling on the wall clock: only a station cut off by it may differ from run to run.

Work is counted in "nominal seconds": seconds of the time limit times `WORK_PER_SECOND`, the same
conversion `allocate solve` uses for its default work limit. A solve given a share of `s` nominal
seconds may spend `s * WORK_PER_SECOND` work and at most `2 s` wall-clock seconds: on a machine
that does at least half of `WORK_PER_SECOND` work a second the work limit binds first.
"""

from __future__ import annotations

import time

from allocate.model.params import WORK_PER_SECOND


class Budget:
    """Work to spend (nominal seconds), a share of a root budget that holds the wall ceiling.

    Every solve charges the root; a part measures what was spent since it was cut from its parent.
    """

    def __init__(self, seconds: float, *, parent: Budget | None = None) -> None:
        self.root: Budget = parent.root if parent is not None else self
        if parent is None:
            self.deadline = time.perf_counter() + seconds
            self.spent = 0.0  # work charged to the root, in CP-SAT's deterministic units
        self.start = self.root.spent
        self.work = max(0.0, seconds) * WORK_PER_SECOND

    def used(self) -> float:
        """Nominal seconds spent since this budget was cut."""
        return (self.root.spent - self.start) / WORK_PER_SECOND

    def left(self) -> float:
        """Nominal seconds of work left (never quite zero: a solve still gets a glance).

        Never more than the wall-clock seconds left: on a machine fast enough for the work
        (the usual case) the work decides, and the answer is reproducible; on a busy one the
        ceiling would otherwise cut the first stages off and leave no answer at all, so the
        stages share the time that is left instead, as a clock-bound solve must.
        """
        return max(0.05, min(self.work / WORK_PER_SECOND - self.used(), self.wall_left()))

    def share(self, fraction: float) -> float:
        return self.left() * fraction

    def part(self, fraction: float) -> Budget:
        """A budget of `fraction` of what is left, charged to the same root."""
        return Budget(self.share(fraction), parent=self)

    def wall_left(self) -> float:
        """Seconds to the station's wall-clock ceiling."""
        return max(0.05, self.root.deadline - time.perf_counter())

    def charge(self, work: float) -> None:
        self.root.spent += work
