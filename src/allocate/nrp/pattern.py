"""A search over who works the scarce shift: the one shift type the LP leaves short.

Instance 8 asks for 86 nights (N) where the people able to work them can give 74 at most, so 12
holes on N are forced, and in any roster below 1,400 every such person works their maximum of
nights. Its LP (1,296.57) is highly fractional and every dive from it so far ended at 1,304 or
worse, where the optimum is 1,300. But once each person's nights are fixed (their N cells forced,
every other N cell barred), the generation converges in under a second to an LP that is whole
and exact: 1,300.000 at the nights of the 1,300 roster, 1,304.000 at those of ours. So the whole
difficulty is the pattern of nights, a much smaller space, and it is searched here by branch
and price on the cells of that shift alone (:meth:`ColumnGeneration.restrict`):

- a depth-first tree (a node generates to convergence, is pruned when its LP cannot beat the
  incumbent, and branches on the fractional cell of the shift with the largest share: worked
  first, then barred) over the `FIRST_FREED` people whose cells of the shift the root's LP
  disputes most with the incumbent's, everybody else keeping the incumbent's, for `FIRST_SHARE`
  of the search's time (instance 8: 1,302 at 16-18 s in every run traced, where the pipeline had
  1,304; over everybody, 1,301-1,303 in 7-40 s, and in some runs nothing in 15 s);
- then neighbourhoods: the cells of the shift of `FREED` related people (`related`) are searched
  again by a tree of at most `NODES` nodes, everybody else keeping the incumbent's. Taking
  rosters as good as the incumbent too, to move along its plateau, did worse: 1,302 in seven runs
  of eight and 1,300 in one; taken only after 5 s without a gain, 1,302 in four of four.

The people of a neighbourhood are related, not drawn at random: a better roster's nights move in
a chain, each person who gives up a night on a day making room for one who takes it on that day
or the next. Instance 8's 1,301 roster and the optimum differ in the nights of eight people,
linked so (1 gives up 7, 8 and 14 for 23-25, which 22 gives up for 7, 14 and 15, ...). Freed, those
eight reach 1,300 in 15 nodes (2.9 s); freed with six more, not in 200. From that roster, 60 s of
neighbourhoods of 10 (scratch): drawn at random, 1,301 in three runs of three (100-170
neighbourhoods each); related, 1,300 in four runs of six (at 6, 14, 25 and 39 s).

With two workers, a second search runs neighbourhoods beside the first from the start, over a copy
of the columns (:meth:`ColumnGeneration.twin`), each search pricing on one thread: GLOP and the
compiled programme run outside the interpreter's lock, and one search alone kept 1.1 of the two
cores busy. Instance 8 at 60 s (CLI defaults, seed 0) then reached 1,300 in every run (five, and
three of a variant whose second search drew with another seed: the optimum at 41-54 s), where one
search of related neighbourhoods after the tree ended at 1,301 (the optimum at 101-104 s of 120)
and of random ones at 1,301 in every run. Seeds 1 and 2, whose dives land a hole higher: 1,303-
1,307 and once 1,403, against 1,304-1,313. Related neighbourhoods in place of the first tree
gained nothing from its 1,304 start (1,304 twice): the tree over the disputed people makes the
first steps.

Most nodes are pruned (their LP cannot beat the incumbent), and a node is pruned as soon as a
round's Lagrangian bound reaches the incumbent's value (:attr:`ColumnGeneration.node_bound`),
its LP not solved to the end. Instance 8 at 60 s (CLI defaults): a pruned node took 6.2 rounds
to its LP's optimum where the bound reached the incumbent at 2.4 on average (1-4 in nine of
ten); pruned so, 345-370 nodes were pruned in a run, not 117-135, and the optimum came at 37.5
and 38.5 s, not 45-50 s (nine runs). Not in every run: 1,303 in two runs of ten that day, and
with one core busy (0.4 s a node, not 0.26).

Its LPs are solved without GLOP's presolve (`ColumnGeneration.presolve`): a node's first solve
after its restriction, from the last node's basis, took about 90 ms with it (700 iterations), and
the search's LP time fell from 46 s to 34-37 s a run. Instance 8 at 60 s, CLI defaults, seed 0, in
alternating runs on a slower hour of the machine: 1,300 in seven runs of seven (at 38.1-49.4
s), against three of seven with the presolve (1,303 in the other four, whose neighbourhoods found
1,303 at 29-33 s, not 1,302 and 1,301 at 19-26 s). With that and a node's restriction set again
only for the people whose nights changed (`ColumnGeneration.restrict`): 1,300 in every run of a
later session at seed 0, 22 of them, three with one core taken by a busy loop.

A node whose cells of the shift are all whole usually has a whole LP (its roster is offered);
otherwise a dive (:meth:`ColumnGeneration.dive`) completes it. The search only runs where the
root's LP is solved and its under-cover lies on one shift type: of instances 1-12 and 14, that is
1 (proven before it would run), 8, 9 and 14 (though in two traces of 14 at 60 s it solved no node).
"""

from __future__ import annotations

import math
import random
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING

from allocate.nrp.columns import TOLERANCE, shortfalls

if TYPE_CHECKING:
    from allocate.nrp.columns import ColumnGeneration
    from allocate.nrp.instance import Instance
    from allocate.nrp.lns import Incumbent
    from allocate.nrp.model import Key

FIRST_SHARE = 0.25  # of the search's time, the first tree (the disputed people); then the neighbourhoods
FIRST_FREED = 13  # people freed in the first tree: those the root's LP disputes most
FREED = 10  # people whose cells of the shift a neighbourhood frees (instance 8: 5 freed gain nothing)
# a person's weight in a neighbourhood's draw, per cell of the shift they work on a day, or next to
# a day, that somebody drawn works it (`related`); 1 besides. Instance 8 from its 1,301 roster, 60 s
# of neighbourhoods, the optimum found in 4 runs of 6 at 3, 3 of 4 counting the same day only, 2
# of 4 at 10
RELATED = 3
NODES = 30  # nodes of a neighbourhood's tree
DIVE_SECONDS = 10.0  # at most, a dive completing a node whose shift is whole but its LP is not
SCARCE = 0.99  # the share of the LP's under-cover weight on one shift type that makes it scarce


def scarce_shift(instance: Instance, shares: dict[Key, float]) -> str | None:
    """The shift type carrying (`SCARCE`) all of the weight an LP's solution (each cell's
    `shares`) leaves short; None when nothing is short or the shortfall is spread over types."""
    short: Counter[str] = Counter()
    for c, missing in shortfalls(instance, shares).items():
        short[c.shift_id] += c.under * missing
    total = sum(short.values())
    if total <= TOLERANCE:
        return None
    shift, weight = short.most_common(1)[0]
    return shift if weight >= SCARCE * total else None


class PatternSearch:
    """Branch and price on the cells of one shift type, offering each roster found to `best`."""

    def __init__(
        self,
        columns: ColumnGeneration,
        best: Incumbent,
        shift: str,
        workers: int,
        seed: int,
        params: dict,
    ) -> None:
        self.columns, self.best, self.shift = columns, best, shift
        self.workers, self.seed, self.params = workers, seed, params
        self.rng = random.Random(seed)
        instance = columns.instance
        self.able = [e for e, emp in enumerate(instance.staff) if emp.max_shifts.get(shift, 0) > 0]
        self.cells = {
            e: {(e, d, shift) for d in range(instance.days) if (e, d) not in instance.days_off}
            for e in self.able
        }
        self.forced: dict[int, set[Key]] = {}
        self.barred: dict[int, set[Key]] = {}
        self.nodes = 0

    def run(self, deadline: float, root: dict[Key, float]) -> int:
        """The tree over the people the root's LP (each cell's share, `root`) disputes most, then
        neighbourhoods, until `deadline` or the proof; beside it from the start, on each further
        worker, neighbourhoods over a copy of the columns (:meth:`ColumnGeneration.twin`), each
        search pricing on one thread, every LP without GLOP's presolve. The nodes solved. Every
        restriction is lifted at the end, and the presolve restored."""
        cut, near = self.columns.cut, self.columns.near  # a dive's here are not the pipeline's
        twins = [
            PatternSearch(self.columns.twin(), self.best, self.shift, 1, self.seed + k, self.params)
            for k in range(1, self.workers)
        ]
        self.workers = 1 if twins else self.workers
        for search in (self, *twins):
            search.columns.presolve(False)
        stop = threading.Event()
        try:
            with ThreadPoolExecutor(max_workers=max(1, len(twins))) as pool:
                beside = [pool.submit(twin.neighbourhoods, deadline, stop) for twin in twins]
                try:
                    first = time.perf_counter() + FIRST_SHARE * (deadline - time.perf_counter())
                    disputed = self._disputed(root)
                    self._neighbourhood(disputed)
                    self._tree(math.inf, first)
                    # a whole tree over everybody: no neighbourhood holds more
                    if len(disputed) < len(self.able) or time.perf_counter() >= first:
                        self.neighbourhoods(deadline, stop)
                finally:
                    stop.set()
                for done in beside:
                    done.result()
        finally:
            self.columns.unfix()
            self.columns.presolve(True)
            self.columns.cut, self.columns.near = cut, near
        return self.nodes + sum(twin.nodes for twin in twins)

    def neighbourhoods(self, deadline: float, stop: threading.Event) -> None:
        """Related people's cells of the shift freed (`related`), a tree of at most `NODES` nodes
        each, until `deadline`, `stop` or the proof."""
        while time.perf_counter() < deadline and not stop.is_set() and not self.best.proven:
            self._neighbourhood(related(self.worked(), FREED, self.rng))
            self._tree(self.nodes + NODES, deadline)

    def _disputed(self, root: dict[Key, float]) -> set[int]:
        """The `FIRST_FREED` people whose cells of the shift in the root's LP (`root`) differ most
        from the incumbent's (the sum of the differences of their shares)."""
        roster = self.best.roster
        differ = {e: sum(abs(root.get(k, 0.0) - (k in roster)) for k in self.cells[e]) for e in self.able}
        return set(sorted(self.able, key=lambda e: (-differ[e], e))[:FIRST_FREED])

    def worked(self) -> dict[int, set[int]]:
        """The days each person able to work the shift works it in the incumbent."""
        days: dict[int, set[int]] = {e: set() for e in self.able}
        for e, d, s in self.best.roster:
            if s == self.shift:
                days[e].add(d)
        return days

    def _neighbourhood(self, freed: set[int]) -> None:
        """The people `freed` keep nothing of the shift; everybody else able to work it works the
        incumbent's cells of it, and no other."""
        with self.best.lock:
            roster = self.best.roster
        self.columns.add_roster(roster)  # its columns keep the restricted LP feasible
        self.forced = {e: {k for k in roster if k[0] == e and k[2] == self.shift} for e in self.able}
        self.barred = {e: self.cells[e] - self.forced[e] for e in self.able}
        for e in freed:
            self.forced[e], self.barred[e] = set(), set()

    def _tree(self, budget: float, deadline: float) -> None:
        """Depth first from the current restrictions, until `budget` nodes in all or `deadline`."""
        if time.perf_counter() >= deadline or self.nodes >= budget or self.best.proven:
            return
        self.nodes += 1
        value = self._solve(deadline)
        if value is None or math.ceil(value - TOLERANCE) >= self.best.objective:
            return
        shares = self.columns.cell_values()
        loose = {k: v for k, v in shares.items() if k[2] == self.shift and TOLERANCE < v < 1 - TOLERANCE}
        if not loose:
            self._complete(shares, deadline)
            return
        key = max(loose, key=lambda k: (loose[k], k))
        for side in (self.forced, self.barred):
            side.setdefault(key[0], set()).add(key)
            self._tree(budget, deadline)
            side[key[0]].discard(key)

    def _solve(self, deadline: float) -> float | None:
        """The node's LP, generated to convergence, or its Lagrangian bound once that reaches the
        incumbent's value (`ColumnGeneration.node_bound`: the node is pruned either way, and most
        nodes are); None when it has no solution (or time ran out)."""
        columns = self.columns
        if not columns.restrict(self.forced, self.barred, self.seed, self.params):
            return None
        while time.perf_counter() < deadline:
            more = columns.round(deadline, self.workers, self.seed, self.params)
            if columns.node_bound is not None and columns.node_bound >= self.best.objective:
                return columns.node_bound
            if not more:
                break
        if time.perf_counter() >= deadline or columns.prices() is None:
            return None
        return columns.value

    def _complete(self, shares: dict[Key, float], deadline: float) -> None:
        """A node whose cells of the shift are whole: its roster if its LP is whole, else a dive's."""
        if all(v > 1 - TOLERANCE for v in shares.values()):
            found: tuple[frozenset[Key], int] | None = (frozenset(shares), self.columns.objective(shares))
        else:
            deadline = min(deadline, time.perf_counter() + DIVE_SECONDS)
            found = self.columns.dive(deadline, self.workers, self.seed, self.params)
        if found is not None:
            self.best.offer(*found)


def related(worked: dict[int, set[int]], size: int, rng: random.Random) -> set[int]:
    """`size` of the people of `worked` (each person's days of the shift): the first drawn at
    random, each next with weight 1 + `RELATED` times their days on, or next to, a day somebody
    drawn works (see the module: the nights of a better roster move in chains of such people)."""
    pool = sorted(worked)
    drawn = {rng.choice(pool)} if pool else set()
    while len(drawn) < min(size, len(pool)):
        days = set().union(*(worked[e] for e in drawn))
        near = days | {d + 1 for d in days} | {d - 1 for d in days}
        left = [e for e in pool if e not in drawn]
        drawn.add(rng.choices(left, [1 + RELATED * len(worked[e] & near) for e in left])[0])
    return drawn


def search(
    columns: ColumnGeneration,
    best: Incumbent,
    deadline: float,
    workers: int,
    seed: int,
    params: dict,
) -> int:
    """The pattern search where the root's LP is solved and leaves one shift type short (see the
    module); the nodes solved (0: it does not apply)."""
    if not columns.converged or best.proven or columns.prices() is None:
        return 0
    root = columns.cell_values()  # the LP solved again: its solution over every column
    shift = scarce_shift(columns.instance, root)
    if shift is None:
        return 0
    return PatternSearch(columns, best, shift, workers, seed, params).run(deadline, root)
