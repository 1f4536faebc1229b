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

A hole on a weekday comes first (`Aim`, shared by a search's sweeps): the windows holding its
day, at every offset, each once for the roster's holes as they are. The guided search
(:mod:`allocate.nrp.guide`) moves holes off the weekends so that they can be filled on a
weekday, and filling one takes a day's minutes from somebody over the days around it, which
only some windows hold; a sweep of the horizon takes longer than instance 13's last third. Its
12-hole rosters at 60 s had one of two faults: a weekend day too many worked alone (12 weekend
holes, 30 single days where the LP's optimum has 29), or 11 weekend holes and one on a weekday
that the sweep did not reach in time. Of the second, a roster of 1,491 with a hole on day 24
went to 1,391 in 1.4 s over days 21-24 and to 1,389 in 3.0 s over 24-27, the sweep's last
window (22-25 gave 1,488; 20-23 and 23-26 nothing), and one of 1,482 with a hole on day 22 to
1,379-1,383 over any window holding day 22.

Then, while the roster has more holes than the LP's solution (`target`), two weekends with the
day after each (Saturday, Sunday, Monday, twice), for the first fault: filling its hole changes
who works which of two weekends, which no window of consecutive days holds with little else.
Of seven such rosters, windows of five days around a weekend filled it in one (1,484 to 1,382
over days 2-6) and none in six; every day of the four weekends together, nothing in the one
tried; two weekends with their Mondays, in each of the four tried, in 5-12 s of one core (1,504
to 1,410, 1,520 to 1,423, 1,519 to 1,419, 1,483 to 1,382-1,384), the first weekend always one
of the two; a fifth, later, in none (15 s each). Those were solved without a work limit; within
`SWEEP_WORK`, as here, 1,483 went to 1,391 in 4.5 s. They run only while the roster has holes past the LP's, on 13 some 100 above the
3 % line: the time they take from the sliding windows (whose gains are requests, a few points)
is a roster's that misses that line anyway.

Where the LP was solved (13), a window works only the cells of the LP's solution (`cells`: 5,630
of 13's 60,480), the roster's, and every cell of a cover row the roster leaves short (anybody
may fill a hole): each model is a fraction of the size, so the windows start six days wide
(`CELLS_SWEEP_DAYS`), and the requests the LP meets in blocks are met more often. From two
saved LP starts of 13 (the rest of a 60 s run replayed from each, scratch), the final rosters'
requests and over came to 270-272 in four runs from the first (three at 11 holes, the LP's),
against 283-298 in four over four days with every cell free (three at 11), and to 302-316 from
the second against 312-320. Over four days the restriction kept as few requests but more holes
(12-14 against 11-12): a hole moved over four days needs cells the LP does not work. Six days
with every cell free: fewer than half the windows, 11-14 holes. The aimed pairs of weekends
keep every cell (see `Sweep.step`).
"""

from __future__ import annotations

import itertools
import random
import threading
import time
from collections import Counter
from typing import TYPE_CHECKING

from ortools.sat.python import cp_model

from allocate.nrp.columns import shortfalls
from allocate.nrp.lns import replan

if TYPE_CHECKING:
    from collections.abc import Collection

    from allocate.nrp.instance import Instance
    from allocate.nrp.lns import Incumbent
    from allocate.nrp.model import Key

SWEEP_DAYS = 4  # the first window's days
CELLS_SWEEP_DAYS = 6  # the same over an LP's cells (`Sweep.cells`), whose models are smaller
NARROWEST = 2  # days: a window never narrows below
# CP-SAT's deterministic time per window, at most (about 5 s of one core on instance 13): a
# wall-clock limit would narrow the windows on a loaded machine
SWEEP_WORK = 4.0
SWEEP_LIMIT = 8.0  # seconds per window, at most
# the same for two weekends (`Aim.pairs`), rarer and larger: from a 12-hole roster of 13, at 4.0
# none of its six pairs gained (4.4-4.8 s each, unsolved); at 6.0, one, 1,475 to 1,375 in 5.3 s; at
# 9.0, two, in 6.0 and 10.3 s (solved). In the solve, 13's guided search was then done at 31-34 s
# in three runs, not 34-40 s
PAIR_WORK, PAIR_LIMIT = 9.0, 12.0
# conflicts CP-SAT may spend completing the hint: it names the shifts only, and over everybody
# its auxiliaries (runs, weekends, shortfalls) are not all fixed by presolve, so with none the
# incumbent was not even the first solution (instance 13: 2,761 and 3,166 from 2,701)
HINT_CONFLICTS = 1000


class Aim:
    """The days aimed at (see the module), shared by a search's sweeps: each set of days is solved
    once for a roster's holes, by whichever sweep asks first."""

    def __init__(self, instance: Instance, target: int | None = None) -> None:
        self.instance = instance
        self.target = target  # holes a roster may keep before weekend pairs are aimed at (the LP's)
        self.weekend = instance.weekend_days
        # each weekend with the day after it (if in the horizon), two by two
        around = [frozenset(days) | ({max(days) + 1} - {instance.days}) for days in instance.weekends]
        self.pairs = [a | b for a, b in itertools.combinations(around, 2)]
        self.lock = threading.Lock()
        self.aimed: set[frozenset[int]] = set()  # the days aimed at from a roster with `holes`
        self.holes: frozenset[tuple[int, str, int]] = frozenset()  # (day, shift, shifts short)
        self.tries: Counter[frozenset[int]] = Counter()  # each window's offers, over every roster

    def next(self, roster: frozenset[Key], width: int) -> frozenset[int] | None:
        """The days of a window not solved from a roster with `roster`'s holes yet, or None: first
        one of `width` days holding a weekday hole (the holes' days in order, each at every
        offset); then, while the roster has more holes than `target`, two weekends with the day
        after each (`pairs`, those tried least often first, then those with the most holes).

        Once for the holes, not for each roster: the walk's plateau moves and the sliding
        windows' gains change the roster, not its holes, and the same pairs were solved again
        while the others waited (instance 13, seed 1: the two pairs with the most holes twice
        each, none gaining, in the guided search's last 13 s, the other four never, one of
        which filled a hole of the final roster, 1,533 to 1,434)."""
        short: Counter[int] = Counter()
        holes = set()
        for c, n in shortfalls(self.instance, dict.fromkeys(roster, 1.0)).items():
            short[c.day] += round(n)
            holes.add((c.day, c.shift_id, round(n)))
        last = self.instance.days - width
        windows = [
            frozenset(range(first, first + width))
            for day in sorted(d for d, n in short.items() if n and d not in self.weekend)
            for first in (min(max(0, day - offset), last) for offset in range(width))
        ]
        paired = self.target is not None and short.total() > self.target
        with self.lock:
            if paired:
                windows += sorted(
                    self.pairs, key=lambda days: (self.tries[days], -sum(short[d] for d in days))
                )
            if holes != self.holes:
                self.aimed, self.holes = set(), frozenset(holes)
            for days in windows:
                if days not in self.aimed:
                    self.aimed.add(days)
                    self.tries[days] += 1
                    return days
        return None


class Sweep:
    """Windows of everybody over consecutive days, each solved from the incumbent."""

    def __init__(
        self,
        instance: Instance,
        best: Incumbent,
        seed: int,
        params: dict,
        first: int = 0,
        aim: Aim | None = None,
        cells: frozenset[Key] | None = None,
    ) -> None:
        self.instance, self.best, self.params = instance, best, params
        self.rng = random.Random(seed)
        self.cells = cells  # an LP's cells: the only ones a window may work besides (see `allowed`)
        self.width = min(instance.days, SWEEP_DAYS if cells is None else CELLS_SWEEP_DAYS)
        self.first = first  # the first window's first day (a second sweep starts mid-horizon)
        self.gained = False  # a better roster in the sweep so far
        self.steps = 0
        self.aim = aim  # the days aimed at holes, solved before the sliding window (see `Aim`)

    @property
    def window(self) -> tuple[int, int]:
        return self.first, min(self.instance.days, self.first + self.width)

    def step(self, left: float) -> None:
        """Solve a window from the incumbent within `left` seconds, keep a better roster: days
        aimed at a hole (`Aim`), else the current window, and then move on."""
        with self.best.lock:
            roster, objective = self.best.roster, self.best.objective
        aimed = self.aim.next(roster, self.width) if self.aim is not None else None
        seed = self.rng.randrange(1 << 30)
        # two weekends get every cell: a single weekend day made whole moves minutes between
        # people over cells the LP's solution does not work (two 12-hole rosters of 13: over
        # its cells no pair gained, in 0.3-0.5 s each; over every cell two of six pairs filled
        # a hole of one of them, 1,570 to 1,475 and 1,479, in 4.3 s)
        free = self.aim is not None and aimed in self.aim.pairs
        part = replan(
            self.instance,
            roster,
            None,
            None if aimed else self.window,
            min(left, PAIR_LIMIT if free else SWEEP_LIMIT),
            seed,
            self.params,
            PAIR_WORK if free else SWEEP_WORK,
            HINT_CONFLICTS,
            aimed,
            None if free else self.allowed(roster, aimed or range(*self.window)),
        )
        self.steps += 1
        if part.roster is not None and part.objective < objective:
            gained = self.best.adopt(roster, part.roster, part.objective)
            self.gained |= gained and aimed is None
        if aimed is not None:
            return
        last = self.window[1]
        if part.status != cp_model.OPTIMAL:
            self.width = max(min(NARROWEST, self.instance.days), self.width - 1)
        if last < self.instance.days:
            self.first += max(1, self.width // 2)
            return
        if not self.gained:
            self.width = min(self.instance.days, self.width + 1)
        self.first, self.gained = 0, False

    def allowed(self, roster: frozenset[Key], days: Collection[int]) -> set[Key] | None:
        """The cells a window over `days` may work besides `roster`'s: with `cells` (an LP's),
        those and every cell of a cover row the roster leaves short; else None (any)."""
        if self.cells is None:
            return None
        inside = set(days)
        short = [c for c in shortfalls(self.instance, dict.fromkeys(roster, 1.0)) if c.day in inside]
        people = range(len(self.instance.staff))
        return {key for key in self.cells if key[1] in inside} | {
            (e, c.day, c.shift_id) for e in people for c in short
        }

    def run(self, deadline: float, stop: threading.Event) -> int:
        """Windows until `deadline`, `stop` or the incumbent's proof; the number solved."""
        while (left := deadline - time.perf_counter()) > 0.05 and not stop.is_set() and not self.best.proven:
            self.step(left)
        return self.steps
