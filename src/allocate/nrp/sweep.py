"""Everybody over a few consecutive days, the window sliding across the horizon.

The cover couples people only day by day. On instance 13 (120 people, 18 shift types, a cover
that needs more minutes than its people may work: 941,160 against 939,000) the roster's holes
sit on weekends, where neither one person re-planned alone (the walk,
:class:`allocate.nrp.descent.Walk`) nor a few people over a week or more
(:class:`allocate.nrp.lns.Search`) can fill them: in a 60 s trace every improvement was the
walk's, none CP-SAT's. Everybody over four days (up to 8,640 shift variables, the rest of the
roster fixed) is a model CP-SAT solves to optimality in one or two seconds of one core (0.8-2.0 s
for four windows of a roster of 2,701), and it moves a day's whole cover at once. Beside the walk, on a large instance, it takes the second
core in place of :class:`~allocate.nrp.lns.Search` (:mod:`allocate.nrp.solve`).

The windows overlap by half. One not solved within `SWEEP_WORK` narrows the next by a day (the
first days of 13 are the hardest: days 0-3 of that roster were not solved in 10 s); a whole
sweep without a gain widens it by one.
"""

from __future__ import annotations

import random
import time
from typing import TYPE_CHECKING

from ortools.sat.python import cp_model

from allocate.nrp.lns import replan

if TYPE_CHECKING:
    import threading

    from allocate.nrp.instance import Instance
    from allocate.nrp.lns import Incumbent

SWEEP_DAYS = 4  # the first window's days
NARROWEST = 2  # days: a window never narrows below
# CP-SAT's deterministic time per window, at most (about 5 s of one core on instance 13): a
# wall-clock limit would narrow the windows on a loaded machine
SWEEP_WORK = 4.0
SWEEP_LIMIT = 8.0  # seconds per window, at most
# conflicts CP-SAT may spend completing the hint: it names the shifts only, and over everybody
# its auxiliaries (runs, weekends, shortfalls) are not all fixed by presolve, so with none the
# incumbent was not even the first solution (instance 13: 2,761 and 3,166 from 2,701)
HINT_CONFLICTS = 1000


class Sweep:
    """Windows of everybody over consecutive days, each solved from the incumbent."""

    def __init__(self, instance: Instance, best: Incumbent, seed: int, params: dict, first: int = 0) -> None:
        self.instance, self.best, self.params = instance, best, params
        self.rng = random.Random(seed)
        self.width = min(instance.days, SWEEP_DAYS)
        self.first = first  # the first window's first day (a second sweep starts mid-horizon)
        self.gained = False  # a better roster in the sweep so far
        self.steps = 0

    @property
    def window(self) -> tuple[int, int]:
        return self.first, min(self.instance.days, self.first + self.width)

    def step(self, limit: float) -> None:
        """Solve the current window from the incumbent, keep a better roster, move on."""
        with self.best.lock:
            roster, objective = self.best.roster, self.best.objective
        last = self.window[1]
        seed = self.rng.randrange(1 << 30)
        part = replan(
            self.instance, roster, None, self.window, limit, seed, self.params, SWEEP_WORK, HINT_CONFLICTS
        )
        self.steps += 1
        if part.roster is not None and part.objective < objective:
            self.gained |= self.best.adopt(roster, part.roster, part.objective)
        if part.status != cp_model.OPTIMAL:
            self.width = max(min(NARROWEST, self.instance.days), self.width - 1)
        if last < self.instance.days:
            self.first += max(1, self.width // 2)
            return
        if not self.gained:
            self.width = min(self.instance.days, self.width + 1)
        self.first, self.gained = 0, False

    def run(self, deadline: float, stop: threading.Event) -> int:
        """Windows until `deadline`, `stop` or the incumbent's proof; the number solved."""
        while (left := deadline - time.perf_counter()) > 0.05 and not stop.is_set() and not self.best.proven:
            self.step(min(left, SWEEP_LIMIT))
        return self.steps
