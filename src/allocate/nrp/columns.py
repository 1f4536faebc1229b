"""Column generation: a lower bound, and rosters from a master over whole per-person rosters.

The published optima of this benchmark come from branch-and-price. Its root is this: a master
linear programme over columns, each column one person's whole lawful roster, choosing (a convex
mix of) one column per person and paying the cover's under and over slack,

    min  sum cost[j] * lam[j] + sum under[c] * u[c] + over[c] * o[c]
    s.t. sum over columns working (d, s) of lam[j] + u[c] - o[c] = required[c]   (price pi[c])
         sum over person e's columns of lam[j] = 1                               (price mu[e])

and a pricing problem per person (:mod:`allocate.nrp.pricing`) that returns the column of least
reduced cost ``cost - sum pi[c]`` under all of that person's hard rules. Every hard rule binds one
person, so the master has only the soft cover to couple people, and its LP is much tighter than
the whole CP-SAT model's (instance 4: 1570 from CP-SAT in a minute, the optimum is 1716).

The bound printed is the Lagrangian bound of each round, valid whatever the duals:
``sum pi[c] * required[c] + sum over people of min (cost - pi . column)``, the minimum taken
from the pricing solver's own lower bound, with the duals rounded to the pricing grid and clipped
to ``[-over, under]`` first. At convergence it equals the LP value. From the LP, a dive (fix the
people whose LP column is whole, price the others again, repeat) makes a roster; the cells its
LP works (its columns of positive share) are where the whole model then seeks a better one
(:mod:`allocate.nrp.solve`).
"""

from __future__ import annotations

import math
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING

from ortools.linear_solver import pywraplp

from allocate.nrp.pricing import SCALE, Pricer, cover_value

if TYPE_CHECKING:
    from collections.abc import Collection

    from allocate.nrp.instance import Cover, Instance
    from allocate.nrp.model import Key
    from allocate.nrp.pricing import Priced

# seconds for one person's pricing problem on CP-SAT, at most: it proves most in a tenth (8,
# 10); where it does not, 2 s a person starved the generation (18: 9 rounds in 30 s, not 56 in 14)
PRICE_LIMIT = 0.25
TOLERANCE = 1e-6  # a column enters when its reduced cost is below -TOLERANCE
# a bound this far below the LP's value: the LP is too rough to dive from (instance 19 at 60 s,
# once: LP 14,801, bound 0, a dive spent 20 s for 5,421 where the search alone reached
# 4,206-4,254; with the pricing compiled it stops at 24 s with a gap of 2-27 %, and a dive by
# cells (`DIVE_CELLS`) from there gives 3,173-3,281, median 3,185 over eight runs, where at 0.15
# it was not dived from: 4,241-4,308).
# Within it, the dive goes ahead even when the generation is not nearly solved (`divable`):
# instance 14 stops at a gap of 9.7-9.9 % (LP 1,322-1,325), and its dive's LP cells then give
# 1,287-1,295 in three runs of 60 s (best known 1,278), where the restricted master over the
# columns (SCIP, 2,944) and the search from it ended at 1,367-1,412; instance 15 (13.2 %, LP
# 4,149): 4,600-4,817 in three runs, against 4,948-5,481 in two.
FAR = 0.35
# a generation whose Lagrangian value is within this share of its LP's is nearly solved: a dive
# from its LP goes ahead (instance 17: at 40 % of a minute, round 34, LP 5746 = the best known,
# Lagrangian 5742.6; the exact LP takes rounds more, and without it there was no dive)
NEAR_GAP = 0.01
# past its checkpoint, a generation goes on while its gap (the LP's value less the Lagrangian's)
# would fall to `NEAR_GAP` of the LP's before its deadline at the rate it fell over its last
# `WINDOW` rounds, a straight line: the gap falls ever faster in log terms (instance 17:
# halved every 2 rounds from 0.7), and a geometric rate stopped 17 at round 10 that nears at 26.
# It replaces a fixed 50 rounds at the pace so far, which stopped instance 12 whatever its gap
# once a round took more than about 0.44 s (a loaded machine): 4507, bound 4017, where it
# converges in 42 rounds. A generation that stalls (instance 14: 0.1 to 0.05 over 15 rounds, LP
# at 1303 over the columns its inexact pricing finds) stops where the line passes the deadline.
WINDOW = 5
# a generation nearly solved (`NEAR_GAP`) whose gap fell by less than this share over the last
# `WINDOW` rounds has tailed off: it stops past its checkpoint, so the dive gets the time
# (instance 15, its pricing inexact where it relaxes a maximum: within 1 % by round 50 at 17 s,
# its LP then 0.5 lower in 20 rounds, 7 s, and the dive it left was cut; 17 and the others
# whose pricing is proven halve their gap every round or two to the LP's optimum)
TAIL = 0.5
# a dive's step stops pricing, where the pricing was not proven, when its LP fell by less than
# this share of its value over the last `WINDOW` rounds: the same tail, with people fixed
# (instance 15: its first step, nobody fixed yet, priced on for 12.6 s of the 13 the dive had,
# and the dive was cut). Not where it was: instance 8's dives, every round proven, gave 1,520
# and 1,320 with it, 1,409 and 1,304 without
DIVE_TAIL = 1e-4
# a generation stopped short whose LP fell by less than this share of its value over its last
# `WINDOW` rounds has stalled (`stalled`): its solution is near the optimum's though its bound
# lags far behind, a start worth taking (:func:`allocate.nrp.guide.lp_start`). Instance 13 on a
# busy machine stopped off pace at round 10: LP 1,350 (1,364.5 five rounds before; its optimum,
# 1,348.0, from round 12 on), bound 966. Forced to stop there (at 60 s, CLI defaults), the
# priced start gave 1,685; the LP's solution, 1,484-1,494 alone and 1,384-1,391 with its holes
# as the target (see `allocate.nrp.solve`). At 1 %, that run would not have counted as stalled
STALL = 0.02
# no whole column: the people whose largest LP share is above this are fixed together, not
# only the largest (instance 8's dive: 1312 in 13 s, not 1406 in 24; 12: 5861, not 10324, both cut)
DIVE_MOST = 0.5
# a dive whose roster ends this far above the root's LP fixed too much at once: the caller dives
# again, one person at a time (whole columns together), from the root (instance 7: root 1054, the
# first dive 1465 in 1.7 s, the second 1062 in 4.5 s)
REDIVE_RISE = 0.05
# a dive from a generation stopped short of nearly solved goes by cells, not whole columns (see
# `dive`): each step forces on each person the cells of their largest column that the LP works
# at least this much. Instance 19 (40 people, 84 days), its generation stopped at a gap of 2-5 %:
# by people, one or two fixed a step, 120 s did not end it; by cells, 1,100-1,300 of its cells
# forced in the first step with the LP still at 3,148-3,166 (best known 3,149). At 0.6 or 0.5
# the forced cells clash: 4,500-6,284
DIVE_CELLS = 0.8
# pricing rounds of a step of a dive by cells, at most (a step after the first stops sooner once
# its LP is back at the last step's value): the LP jumps at each step's forcing and falls back
# over 10-17 rounds. Instance 19 from a generation of 18-22 s, 3 rounds: 4,279 in 6 s; 5:
# 3,373-3,425 in 16-25 s; 8: 3,178-3,319 in 18-34 s. From its generation stopped at round 31,
# 34, 37 or 41 (deterministic; then CP-SAT over the dive's LP cells, 15 s at most), 8 rounds:
# 3,287 at 34 (the dive's LP ended at 3,523), 3,176 at 37; 16 (with the hand-over of the last
# near LP's cells, see `dive`): 3,153-3,166 in dives of 18-27 s
DIVE_ROUNDS = 16
# the same for a dive's first step, which forces nothing yet: its rounds go on with the root's
# generation, which had its own time. Instance 19 warmed up (`allocate.nrp.solve.WARM_DAYS`), its
# generation stopped at a gap of 1-2 %: with 16, the first step took 10-12 s, the dive settled or
# was cut at 45-48 s, and CP-SAT over its cells, with 12 s left, ended at 3,266-3,768 in three runs
# of nine; with 8, settled at 34-40 s, 3,158 in three runs of three (its cells' optimum each time)
DIVE_FIRST_ROUNDS = 8
# a generation stopped short of nearly solved still dives by people (whole columns) where the
# time left holds this many of its rounds a person (`people_fit`), else by cells. Instance 15
# stops short at seeds 1, 3, 4 and 5 (gap 1.0-3.8 %, rounds of 0.21 s, 45 people, 30-33 s left:
# 3.5 a person); by people (a dive of 25-33 s, then CP-SAT over its LP's cells) against by cells:
# seed 1, 3,860 in four runs against 3,862-4,061 in five; 3, 4,069 twice against 3,965; 4, 3,850
# against 3,857; 5, 3,861 against 3,958 (best known 3,828; 3 % is 3,942). Instance 19 (gap 2-3 %,
# rounds of 0.52 s, 40 people, 26 s left: 1.2 a person) needs the cells: by people, one or two
# fixed a step, 120 s did not end it
PEOPLE_ROUNDS = 2
# a dive by cells hands over to CP-SAT once at most this share of the cells its LP works are
# fractional: the whole model over them (:mod:`allocate.nrp.solve`, `NEAR_SHARE`) completes it
# better than more steps (instance 19: at 907 of 2,489 cells, 3,176, its restricted optimum, in
# 3 s; the dive's own end: 3,178-3,306; runs of 60 s: 3,173-3,281, median 3,185, against 3,346
# without the hand-over)
DIVE_SETTLED = 0.4
DIVE_WHOLE = 0.01  # an LP share this close to 1 counts as whole when diving
# a cut dive's LP cells are kept (`near`) only while its value is within this share of the root's:
# above, they hold no roster near the optimum (instance 8: over the cells of its dive's LP at
# 1306 or 1334, against a root of 1297, the best is 1406; the search alone reaches 1410-1415)
NEAR_RISE = 0.01
SMOOTHING = 0.7  # weight of the best-bound prices in the prices of a round
# A quick generation (`ColumnGeneration(quick=True)`, for a start: `allocate.nrp.guide.lp_start`)
# ends a person's pricing in a round's inexact pass at the first lawful roster whose reduced cost
# is below minus `IMPROVING` points (`Pricer.surcharged`'s cutoff), not after every surcharge
# run. Instance 13's generation to its LP's optimum, standalone, one run each on two workers: 47
# s as it was (46 rounds); cutoff 0: 47 s (63 rounds); 10: 40-42 s (50 rounds); 30: 40 s; 100: 45
# s. In the solve at 120 s its LP start came at 46 s, not 58 s, but its LP's solution (the same
# value, another vertex) is more often a worse start: 1,371 once, 1,468 and 1,473, where the
# full one's gives 1,371 in every run; so only where the full one does not fit (see
# `allocate.nrp.guide.QUICK_LP_SECONDS`). GLOP without its presolve too: 35-38 s standalone,
# 1,475 and 1,477 at 120 s. Not for the dives, which follow their LP's solution (14 at 60 s with
# this cutoff and no presolve for every generation: 1,399 against 1,282, 19: 3,865 against
# 3,160; without the presolve alone 14 gave 1,381)
IMPROVING = 10
# A warm-up (`warm_up`) prices everybody at `WARM_ROUNDS` subgradient iterates of the cover's
# prices, from zero, before the generation's first LP: the columns of a roster short everywhere,
# then of ever more work where the cover is short, a pool the LP's first duals can use. Instance
# 13, one run each on two workers, standalone: 57 s to its LP's optimum without (47 rounds);
# with 20 iterates, 6.6 s of warm-up and 15 rounds, 18.3 s in all (15 iterates: 19.8 s; 10:
# 28.8 s). Polyak's step, ``WARM_STEP * (incumbent - value) / |short - over|^2``, halved after
# `WARM_PATIENCE` iterates without a better value: at 2, 27.6 s; at 1, 25.6 s; at 0.25, 18.4 s.
# From a share of the under weights, not zero, the pool is worse: at 0.1 of it, 33-36 s; at 0.3,
# 46 s (the priced start's prices, see `allocate.nrp.guide`)
WARM_ROUNDS = 20
WARM_STEP = 0.5
WARM_PATIENCE = 3


class ColumnGeneration:
    """The master LP (GLOP) over the columns found so far, its bound, and the pricing rounds."""

    def __init__(self, instance: Instance, roster: Collection[Key] = (), quick: bool = False) -> None:
        self.instance, self.quick = instance, quick
        people = range(len(instance.staff))
        self.pricers = [Pricer(instance, e) for e in people]
        self.columns: list[list[frozenset[Key]]] = [[] for _ in people]
        self.lp = pywraplp.Solver.CreateSolver("GLOP")
        self.rows: dict[tuple[int, str], pywraplp.Constraint] = {}
        objective = self.lp.Objective()
        for c in instance.cover:
            row = self.rows[c.day, c.shift_id] = self.lp.Constraint(c.required, c.required)
            under, over = self.lp.NumVar(0, self.lp.infinity(), ""), self.lp.NumVar(0, self.lp.infinity(), "")
            row.SetCoefficient(under, 1)
            row.SetCoefficient(over, -1)
            objective.SetCoefficient(under, c.under)
            objective.SetCoefficient(over, c.over)
        objective.SetMinimization()
        self.convex = [self.lp.Constraint(1, 1) for _ in people]
        self.bound: int | None = None  # the best Lagrangian bound, rounded up
        self.lp_value: float | None = None  # the root LP's (a dive's LP, with its fixings, is not it)
        self.value = 0.0  # the LP's last value, with a dive's fixings
        self.rounds = 0
        self.round_seconds = 0.0  # the rounds' time in all (see `people_fit`)
        self.converged = False
        self.center: dict[tuple[int, str], int] | None = None  # the prices of the best bound
        self.best_total = 0
        self.exact = False  # every pricing of the last pass proven optimal
        self.lams: list[list[pywraplp.Variable]] = [[] for _ in people]  # aligned with `columns`
        self.fixed: dict[int, int] = {}  # person -> the column a dive fixed (no bound while diving)
        self.forced: dict[int, set[Key]] = {}  # person -> the cells a dive forced (see `force`)
        self.barred: dict[int, set[Key]] = {}  # person -> the cells a search barred (see `restrict`)
        # the last dive reached its deadline, or a dive by cells settled: its people left took
        # their largest share
        self.cut = False
        # the cells (person, day, shift) a cut dive's LP worked, with its fixings, if that LP is
        # within `NEAR_RISE` of the root's (by cells, whatever its value): a roster is sought
        # among them (:mod:`allocate.nrp.solve`)
        self.near: set[Key] = set()
        self.earlier: set[Key] = set()  # a first dive's `near`, when the caller dived again
        # the cells the root LP's solution works once the generation has converged (see `run`)
        self.root: set[Key] = set()
        self.values: list[float] = []  # the root LP's value, round by round (see `stalled`)
        # the last round's Lagrangian bound with cells forced or barred (`restrict`; nobody
        # fixed): no roster that keeps them is worth less. A node of a search whose bound reaches
        # its incumbent's value is pruned without solving its LP to the end (see
        # :mod:`allocate.nrp.pattern`); None: unknown, or the root's (`bound`)
        self.node_bound: int | None = None
        # the people `restrict` left without a column that keeps their restriction (it failed
        # on the first of them): checked again by the next, whether or not theirs changed
        self.unserved: set[int] = set()
        self.add_roster(roster)

    def add_roster(self, roster: Collection[Key]) -> None:
        """Each person's column of a whole roster (a lawful one keeps the master feasible)."""
        for e, keys in enumerate(self._columns_of(roster)):
            self.add(e, keys)

    def twin(self) -> ColumnGeneration:
        """A generation over the same columns, with its own master LP and pricers, and the root
        LP's value and bound: a second search over them on a second core (GLOP and the compiled
        programme run outside the interpreter's lock, so two searches in two threads run side by
        side: instance 8's pattern search, 209 nodes in 30 s against 128 in one thread)."""
        firsts = frozenset().union(*(columns[0] for columns in self.columns))  # lawful each
        twin = ColumnGeneration(self.instance, firsts, self.quick)
        for e, columns in enumerate(self.columns):
            for keys in columns[1:]:
                twin.add(e, keys)
        twin.lp_value, twin.bound, twin.converged = self.lp_value, self.bound, self.converged
        twin.center, twin.best_total, twin.root = self.center, self.best_total, set(self.root)
        return twin

    def presolve(self, on: bool) -> None:
        """GLOP's presolve for the master's solves from now on: on by default, off for a search's
        nodes (:mod:`allocate.nrp.pattern`), each a few rounds from the last node's basis, where
        presolving every solve costs more than it saves. Not for the generation and the dives,
        which follow their LP's solution: without it the vertex differs (instance 14 at 60 s:
        1,381 against 1,282, see `IMPROVING`)."""
        self.lp.SetSolverSpecificParametersAsString(f"use_preprocessing: {str(on).lower()}")

    def add(self, e: int, keys: frozenset[Key]) -> bool:
        """Add person `e`'s column (its roster); False if already there."""
        if keys in self.columns[e]:
            return False
        self.columns[e].append(keys)
        barred = not self.allows(e, keys)
        lam = self.lp.NumVar(0, 0 if barred else self.lp.infinity(), "")
        self.lams[e].append(lam)
        self.lp.Objective().SetCoefficient(lam, self.pricers[e].cost(keys))
        self.convex[e].SetCoefficient(lam, 1)
        for _, d, s in keys:
            self.rows[d, s].SetCoefficient(lam, 1)
        return True

    def allows(self, e: int, keys: frozenset[Key]) -> bool:
        """Whether person `e`'s column `keys` may enter the LP: the person not fixed, the column
        working every cell forced on them and none barred."""
        return (
            e not in self.fixed and self.forced.get(e, set()) <= keys and not keys & self.barred.get(e, set())
        )

    def prices(self) -> tuple[dict[tuple[int, str], int], list[float]] | None:
        """Solve the master LP: the cover's duals on the pricing grid (clipped), the people's duals."""
        if self.lp.Solve() != pywraplp.Solver.OPTIMAL:
            return None
        self.value = self.lp.Objective().Value()
        if not self.diving:
            self.lp_value = self.value
        prices = {}
        for c in self.instance.cover:
            dual = self.rows[c.day, c.shift_id].dual_value()
            prices[c.day, c.shift_id] = max(-c.over * SCALE, min(c.under * SCALE, round(dual * SCALE)))
        return prices, [row.dual_value() for row in self.convex]

    def round(self, deadline: float, workers: int, seed: int, params: dict) -> bool:
        """One round: the LP, every person priced, improving columns added, the bound updated.

        The people are priced at a mix of the LP's duals and the duals of the best bound so far
        (Wentges smoothing: far fewer rounds than pricing at the LP's duals, which swing from
        round to round); when that finds no improving column, again at the LP's duals alone;
        then again with CP-SAT for whom the programme proved no optimum (the LP solved needs
        every pricing proven; an improving column does not).
        False when the LP has no improving column left (converged) or time ran out.
        """
        begun = time.perf_counter()
        solved = self.prices()
        if solved is None:
            return False
        duals, mu = solved
        if not self.diving:
            self.values.append(self.value)
        passes = [(0.0, False), (0.0, True)]
        if self.center and not self.diving:
            passes.insert(0, (SMOOTHING, False))
        for alpha, exact in passes:
            if exact and self.exact:  # the pass before, at the same prices, was proven for everybody
                break
            center = self.center or duals
            prices = {c: round(alpha * center[c] + (1 - alpha) * duals[c]) for c in duals}
            added = self._price(prices, duals, mu, deadline, workers, seed, params, exact)
            if added or time.perf_counter() >= deadline:
                break
        self.rounds += 1
        # no improving column, every pricing proven optimal: the LP is solved over all columns
        if not self.diving:  # a dive's rounds say nothing of the root's LP
            self.converged = added == 0 and self.exact and time.perf_counter() < deadline
        self.round_seconds += time.perf_counter() - begun
        return added > 0

    @property
    def diving(self) -> bool:
        """Some people fixed or cells forced or barred: the LP is a dive's, not the root's."""
        return bool(self.fixed or self.forced or self.barred)

    def force(self, e: int, cells: Collection[Key]) -> None:
        """Person `e` works `cells` from now on (a dive's step): the columns without them barred,
        the pricing bent to them (:attr:`Pricer.forced`). Cells of one lawful column only, so
        the person keeps a lawful roster (see `dive`)."""
        forced = self.forced.setdefault(e, set())
        forced.update(cells)
        self.pricers[e].forced = frozenset((d, s) for (_, d, s) in forced)
        for keys, lam in zip(self.columns[e], self.lams[e], strict=True):
            if not self.allows(e, keys):
                lam.SetBounds(0, 0)

    def restrict(
        self,
        forced: dict[int, set[Key]],
        barred: dict[int, set[Key]],
        seed: int = 0,
        params: dict | None = None,
    ) -> bool:
        """From now on each person works the cells `forced` on them and none `barred` (a node of
        a search, :mod:`allocate.nrp.pattern`): the columns that do not are barred, the pricing
        bent to them (:attr:`Pricer.forced`, :attr:`Pricer.barred`); what was restricted before
        is lifted. Unlike `force`, the cells need not lie in one of the person's columns: one is
        priced for whoever has none left; False if some person has no lawful roster that does
        (the LP then has no solution).

        Only the people whose restriction changed have their columns' bounds set again: a node
        of a search differs from the last in one person's cell (instance 8 at 60 s: 9.5 ms a node
        over every column, a twelfth of a node's time; 3.3 ms so)."""
        forced = {e: set(cells) for e, cells in forced.items() if cells}
        barred = {e: set(cells) for e, cells in barred.items() if cells}
        changed = {
            e
            for e in {*forced, *barred, *self.forced, *self.barred}
            if forced.get(e) != self.forced.get(e) or barred.get(e) != self.barred.get(e)
        }
        self.forced, self.barred = forced, barred
        self.node_bound = None
        for e in changed:
            pricer = self.pricers[e]
            pricer.forced = frozenset((d, s) for (_, d, s) in self.forced.get(e, ()))
            pricer.barred = frozenset((d, s) for (_, d, s) in self.barred.get(e, ()))
            for keys, lam in zip(self.columns[e], self.lams[e], strict=True):
                lam.SetBounds(0, self.lp.infinity() if self.allows(e, keys) else 0)
        check = sorted((changed | self.unserved) & {*self.forced, *self.barred})
        for k, e in enumerate(check):
            if not any(self.allows(e, keys) for keys in self.columns[e]):
                keys = self.pricers[e].line({}, self.columns[e][-1], PRICE_LIMIT, seed, params)
                if keys is None or not self.allows(e, keys):
                    self.unserved = set(check[k:])
                    return False
                self.add(e, keys)
        self.unserved = set()
        return True

    def cell_values(self) -> dict[Key, float]:
        """Each cell's share in the LP's last solution: the sum of its columns' (none added since)."""
        values: dict[Key, float] = {}
        for lams, columns in zip(self.lams, self.columns, strict=True):
            for lam, keys in zip(lams, columns, strict=True):
                if (share := lam.solution_value()) > TOLERANCE:
                    for key in keys:
                        values[key] = values.get(key, 0.0) + share
        return values

    def shortfall(self) -> float:
        """The shifts the LP's last solution leaves short, summed over the cover (its holes, in
        shares): a roster with more holes than this, rounded up, has some to fill."""
        return sum(shortfalls(self.instance, self.cell_values()).values())

    def support(self) -> set[Key]:
        """The cells worked by the columns of the LP's last solution (none added since)."""
        return set(self.cell_values())

    def largest(self) -> frozenset[Key] | None:
        """Each person's column of largest share in the LP over every column found (solved
        again, columns may have come since its last solution); None if it has no optimum.

        Lawful person by person, its cover not kept: a start for a search, often far worse than
        the rosters found (instance 13, from its LP's optimum of 1,348: 18,617, see
        :mod:`allocate.nrp.guide`), the optimum itself where the LP's solution is whole."""
        if self.prices() is None:
            return None
        roster: set[Key] = set()
        for lams, columns in zip(self.lams, self.columns, strict=True):
            shares = [lam.solution_value() for lam in lams]
            roster |= columns[shares.index(max(shares))]
        return frozenset(roster)

    def _price(
        self,
        prices: dict[tuple[int, str], int],
        duals: dict[tuple[int, str], int],
        mu: list[float],
        deadline: float,
        workers: int,
        seed: int,
        params: dict,
        exact: bool = True,
    ) -> int:
        """Price everybody at `prices`; add the columns improving the LP (`duals`, `mu`); the count.
        `exact`: CP-SAT for whom the programme proves no optimum (see :meth:`Pricer.price`)."""

        def price(e: int) -> Priced:
            limit = max(0.05, min(PRICE_LIMIT, deadline - time.perf_counter()))
            # judged at `prices`, where the column is at `duals`: a stop, not a test
            cutoff = round(SCALE * (mu[e] - IMPROVING)) if self.quick else None
            return self.pricers[e].price(prices, limit, seed, params, self.columns[e][-1], exact, cutoff)

        people = [e for e in range(len(self.pricers)) if e not in self.fixed]
        with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
            answers = list(pool.map(price, people))
        self.exact = all(a.exact for a in answers)
        added = 0
        for e, answer in zip(people, answers, strict=True):
            for keys in answer.found:
                reduced = self.pricers[e].cost(keys) - sum(duals[d, s] for (_, d, s) in keys) / SCALE - mu[e]
                if reduced < -TOLERANCE and self.add(e, keys):
                    added += 1
        self.node_bound = None
        if not self.fixed and all(a.bound is not None for a in answers):
            total = cover_value(self.instance, prices)
            total += sum(a.bound for a in answers if a.bound is not None)
            bound = max(0, -(-total // SCALE))  # every penalty is >= 0 and integer
            if self.diving:  # restricted (`restrict`): a bound of its rosters only
                self.node_bound = bound
                return added
            if self.bound is None or total > self.best_total:
                self.best_total, self.center = total, prices
            self.bound = bound if self.bound is None else max(self.bound, bound)
        return added

    def run(
        self,
        deadline: float,
        workers: int,
        seed: int,
        params: dict,
        target: int | None = None,
        checkpoint: float | None = None,
        pace: int | None = None,
    ) -> None:
        """Rounds until converged, `deadline`, or the bound reaches `target` (a known roster's value).

        With every person priced by the dynamic programme a round takes milliseconds per person
        and the generation converges in seconds (instance 8: 55 rounds, 7 s of one core). On a
        loaded machine or a large instance it may not: past `checkpoint`, it stops when its gap
        would not be `NEAR_GAP` of the LP's by `deadline` at the rate it fell over the last rounds (see
        `WINDOW`; a dive needs the LP nearly solved; else the time is better spent on rosters).
        With `pace` (the rounds it is expected to need), from twice `WINDOW` rounds on it also
        stops once that many would not end by `deadline` at the average round's time so far: where
        its gap says nothing yet (instance 13's Lagrangian value stays below 0 for 29 of its 46-48
        rounds), a generation too slow to be solved in time stops early. Not sooner: 13's first
        five rounds take 1.5 s each, the next five 1.0 s (a generation of 60 s in all, which at
        five rounds looked like one of 73 s).
        """
        begun = time.perf_counter()
        # (time, the LP's value less the Lagrangian's) by round: it only falls (the LP's over
        # ever more columns, the best Lagrangian value so far), where the gap relative to the LP's
        # can rise while the Lagrangian value is still stuck below 0 (instance 17, rounds 1-6)
        gaps: list[tuple[float, float]] = []
        while time.perf_counter() < deadline and self.round(deadline, workers, seed, params):
            if target is not None and self.bound is not None and self.bound >= target:
                return
            now = time.perf_counter()
            absolute = self.lagrangian_gap()
            if absolute is not None:
                gaps.append((now, absolute))
            near = NEAR_GAP * (self.lp_value or 0.0)
            past = checkpoint is not None and now > checkpoint
            if past and (not gap_closes(gaps, near, deadline - now) or gap_stalls(gaps, near)):
                return
            if (
                pace is not None
                and self.rounds >= 2 * WINDOW
                and begun + (now - begun) * pace / self.rounds > deadline
            ):
                return
        # Converged, its last round added no column: the LP's solution is that over all the
        # columns. Its cells with the incumbent's, the whole model capped at the LP's bound found
        # instance 12's optimum from a roster near it where a cut dive's LP cells held none
        # (4041 there; 4040 in 7 s, where 15 s without the cap, or over every column's cells, did not).
        if self.converged:
            self.root = self.support()

    def warm_up(self, ceiling: int, deadline: float, workers: int) -> None:
        """Each person's cheapest roster (the programme's, not proven where it relaxes a maximum)
        at `WARM_ROUNDS` iterates of the cover's prices, added as columns: prices from zero, moved by
        a subgradient step toward the cover short (up) or over (down), within ``[-over, under]``
        (see `WARM_ROUNDS`). `ceiling`: a roster's value (the incumbent's), for Polyak's step.

        No LP is solved: an iterate costs a pricing of everybody, a few milliseconds a person,
        where a round of the generation also solves a master that grows with every column (13:
        half of its time). The values of the iterates are Lagrangian bounds, but far below the
        LP's (13: 219, the requests alone at zero prices, against 1,348), so none is kept: the
        generation's own rounds make the bound. Nothing is done where the programme does not
        serve everybody (CP-SAT would take the time)."""
        if not all(p.programme.ready for p in self.pricers):
            return
        cover = self.instance.cover
        prices = {(c.day, c.shift_id): 0.0 for c in cover}
        step, best, since = WARM_STEP, -math.inf, 0
        with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
            for _ in range(WARM_ROUNDS):
                if time.perf_counter() >= deadline:
                    return
                scaled = {cell: round(price * SCALE) for cell, price in prices.items()}
                answers = list(pool.map(lambda p, scaled=scaled: p.surcharged(scaled), self.pricers))
                covered: Counter[tuple[int, str]] = Counter()
                total = cover_value(self.instance, scaled)
                for e, met in enumerate(answers):
                    if met is None:
                        return
                    total += met.bound
                    if met.found:
                        self.add(e, met.found[-1])
                        covered.update((d, s) for (_, d, s) in met.found[-1])
                value = total / SCALE
                if value > best:
                    best, since = value, 0
                elif (since := since + 1) >= WARM_PATIENCE:
                    step, since = step / 2, 0
                short = {(c.day, c.shift_id): c.required - covered[c.day, c.shift_id] for c in cover}
                norm = sum(g * g for g in short.values())
                if norm == 0:  # the cover met exactly: nothing to move
                    return
                move = step * max(1.0, ceiling - value) / norm
                for c in cover:
                    cell = (c.day, c.shift_id)
                    prices[cell] = max(-c.over, min(c.under, prices[cell] + move * short[cell]))

    def lagrangian_gap(self) -> float | None:
        """The LP's value less the best Lagrangian value; None before both.

        The Lagrangian value itself, not the bound reported (clipped at 0): instance 12's is
        negative for 17 rounds, rising fast, before it passes 0 and converges 25 rounds later."""
        if self.lp_value is None or self.center is None:
            return None
        return self.lp_value - self.best_total / SCALE

    def gap(self) -> float | None:
        """`lagrangian_gap` relative to the LP's value; None before both (or an LP of 0)."""
        absolute = self.lagrangian_gap()
        if absolute is None or self.lp_value is None or self.lp_value <= 0:
            return None
        return absolute / self.lp_value

    @property
    def nearly_solved(self) -> bool:
        """The LP solved, or its gap within `NEAR_GAP`: a dive from it makes a good roster."""
        gap = self.gap()
        return self.converged or (gap is not None and gap <= NEAR_GAP)

    @property
    def stalled(self) -> bool:
        """The root LP fell by less than `STALL` of its value over the last `WINDOW` rounds: its
        solution is near the LP's optimum, however far below its bound still is."""
        return falls_less(self.values, STALL)

    def people_fit(self, deadline: float) -> bool:
        """Whether a dive by people fits before `deadline`: the time left holds `PEOPLE_ROUNDS`
        rounds a person at the average round time so far, as measured in this run (so a slower or
        busier machine, whose rounds take longer and whose dive has less time, dives by cells).
        Asked before a dive, when every round so far was the root's."""
        if not self.rounds:
            return False
        left = deadline - time.perf_counter()
        return left >= PEOPLE_ROUNDS * len(self.pricers) * self.round_seconds / self.rounds

    @property
    def divable(self) -> bool:
        """Nearly solved, or its bound at least not `far` below its LP's value: a dive goes ahead
        (its LP's cells then hold a roster near the optimum, see `FAR`)."""
        return self.nearly_solved or not self.far()

    @property
    def whole_value(self) -> bool:
        """The root LP's value is a whole number: its bound may be the optimum itself (instances
        10 and 12; a fractional one, 7, 8, 16, 18, sits below optima above its rounding)."""
        lp = self.lp_value
        return lp is not None and abs(lp - round(lp)) <= 1e-6 * max(1.0, abs(lp))

    def dive(
        self,
        deadline: float,
        workers: int,
        seed: int,
        params: dict,
        most: float = DIVE_MOST,
        cells: float | None = None,
    ) -> tuple[frozenset[Key], int] | None:
        """A roster by diving from the LP: fix each person whose LP column is whole (or else those
        whose largest share is above `most`, or else the person whose largest share is the
        largest) to that column, price the others again, and
        repeat until everybody is fixed. At `deadline`, the people left take their largest
        share's column (every column is lawful, so the roster is too), and the cells of the LP
        with the fixings are `near` if its value stays within `NEAR_RISE` of the root's: the
        caller seeks a better roster among them (instance 12, cut with 36 of 60 people fixed:
        4041 from CP-SAT over those cells, where the restricted master over the columns gave
        6567). A whole dive whose roster ends above `NEAR_RISE` of the root's LP leaves the
        cells of its last LP within it as `near` too (instance 7: root 1054, dive 1465, then
        1153 over those 422 cells in 2 s, 1060 at 60 s where the same run without gave 1158).
        None only if the LP fails.

        With `cells` (a generation stopped short: its people's columns are too mixed to fix
        whole), a step instead forces on each person not fixed the cells of their largest column
        that the LP works at least `cells` (:meth:`force`: every forced cell lies in one lawful
        column, so the person keeps a lawful roster), fixing only the people whose column is
        whole or above `most` (by people as above when nothing new is forced), after at most
        `DIVE_ROUNDS` rounds of pricing, fewer once the LP is back at the last step's value.
        Once the LP is settled (`DIVE_SETTLED`) it ends as if cut; cut or settled, its LP's
        cells are `near`, or, if that LP rose above `NEAR_RISE` of the root's (its last forcing
        clashed), those of the last LP within it: the whole model over them completes the roster.

        The restricted master over the root's columns alone makes poor rosters (instance 8: 2100
        from SCIP in 10 s against an LP of 1297; the dive: 1304): the columns that fit a partial
        roster are generated only once its people are fixed. The bound is left as the root's.
        """
        people = len(self.pricers)
        self.cut, self.near = False, set()
        assert self.lp_value is not None  # the root's LP was solved before any dive
        close: set[Key] = set()  # the cells of the last LP within `NEAR_RISE` of the root's
        try:
            while len(self.fixed) < people:
                values: list[float] = []  # the step's LP values, round by round
                # by cells, a step after the first prices until its LP is back at the last step's
                back = self.value if cells is not None and self.diving else -math.inf
                most_rounds = DIVE_ROUNDS if self.diving else DIVE_FIRST_ROUNDS  # the first forces nothing
                while time.perf_counter() < deadline and self.round(deadline, workers, seed, params):
                    values.append(self.value)
                    if cells is not None and (len(values) >= most_rounds or values[-1] <= back):
                        break
                    if self.exact:  # a proven pricing: its tail ends (instance 8's, 200 rounds)
                        continue
                    if falls_less(values, DIVE_TAIL):
                        break
                if self.lp.Solve() != pywraplp.Solver.OPTIMAL:
                    return None
                near = self.lp.Objective().Value() <= (1 + NEAR_RISE) * self.lp_value + TOLERANCE
                # each cell's LP share, once a step: for `near`, and for a dive by cells
                worked = self.cell_values() if near or cells is not None else {}
                if near:
                    close = set(worked)
                shares = {
                    e: max(range(len(self.lams[e])), key=lambda j, e=e: self.lams[e][j].solution_value())
                    for e in range(people)
                    if e not in self.fixed
                }
                whole = [e for e, j in shares.items() if self.lams[e][j].solution_value() > 1 - DIVE_WHOLE]
                settled = cells is not None and _settled(worked)
                if time.perf_counter() >= deadline or settled:
                    self.cut = True
                    if cells is not None:  # by cells: CP-SAT completes the last LP's cells within
                        # `NEAR_RISE` (this one's, if near), else this one's (see `DIVE_ROUNDS`)
                        self.near = close or set(worked)
                    elif near:
                        self.near = close
                    quick = frozenset(
                        key
                        for e in range(people)
                        for key in self.columns[e][self.fixed.get(e, shares.get(e, 0))]
                    )
                    return quick, self.objective(quick)
                above = [e for e, j in shares.items() if self.lams[e][j].solution_value() > most]
                largest = max(shares, key=lambda e: self.lams[e][shares[e]].solution_value())
                forced = cells is not None and self._force_shares(shares, whole + above, worked, cells)
                chosen = whole + above if forced else whole or above or [largest]
                for e in chosen:
                    self.fixed[e] = shares[e]
                    for j, lam in enumerate(self.lams[e]):
                        lam.SetBounds(1 if j == shares[e] else 0, 1 if j == shares[e] else 0)
            roster = frozenset(key for e, j in self.fixed.items() for key in self.columns[e][j])
            value = self.objective(roster)
            if value > (1 + NEAR_RISE) * self.lp_value:
                self.near = close
            return roster, value
        finally:
            self.unfix()

    def _force_shares(
        self, shares: dict[int, int], whole: Collection[int], values: dict[Key, float], cells: float
    ) -> bool:
        """Force on each person not whole the cells of their largest column whose LP share
        (`values`) is at least `cells`; whether any was new."""
        new = False
        for e, j in shares.items():
            if e in whole:
                continue
            forcing = {key for key in self.columns[e][j] if values.get(key, 0.0) >= cells}
            if not forcing <= self.forced.get(e, set()):
                self.force(e, forcing)
                new = True
        return new

    def unfix(self) -> None:
        """Free every column a dive fixed or barred, and every cell forced or barred."""
        for e in set(self.fixed) | set(self.forced) | set(self.barred):
            for lam in self.lams[e]:
                lam.SetBounds(0, self.lp.infinity())
            self.pricers[e].forced = self.pricers[e].barred = frozenset()
        self.fixed.clear()
        self.forced.clear()
        self.barred.clear()
        self.unserved.clear()

    def far(self) -> bool:
        """Whether the bound is still more than `FAR` below the LP's value (or unknown)."""
        if self.lp_value is None or not self.bound:
            return True
        return self.bound < (1 - FAR) * self.lp_value

    def _columns_of(self, roster: Collection[Key]) -> list[frozenset[Key]]:
        """Each person's column in a whole roster."""
        by_person: list[set[Key]] = [set() for _ in self.instance.staff]
        for key in roster:
            by_person[key[0]].add(key)
        return [frozenset(keys) for keys in by_person]

    def objective(self, roster: Collection[Key]) -> int:
        """The benchmark's objective of a whole roster (requests and cover), in integers."""
        by_person: dict[int, list[Key]] = {}
        for key in roster:
            by_person.setdefault(key[0], []).append(key)
        total = sum(p.cost(by_person.get(e, [])) for e, p in enumerate(self.pricers))
        staffed = Counter((d, s) for (_, d, s) in roster)
        for c in self.instance.cover:
            n = staffed[c.day, c.shift_id]
            total += c.under * max(0, c.required - n) + c.over * max(0, n - c.required)
        return total


def shortfalls(instance: Instance, shares: dict[Key, float]) -> dict[Cover, float]:
    """Each cover row's shifts short in an LP's solution (each cell's `shares`), or in a roster
    (each of its cells at 1: :mod:`allocate.nrp.sweep`), where any are."""
    staffed: Counter[tuple[int, str]] = Counter()
    for (_, d, s), share in shares.items():
        staffed[d, s] += share
    return {
        c: c.required - staffed[c.day, c.shift_id]
        for c in instance.cover
        if staffed[c.day, c.shift_id] < c.required
    }


def holes(instance: Instance, roster: Collection[Key]) -> int:
    """The shifts a roster leaves short, over every cover row."""
    return round(sum(shortfalls(instance, dict.fromkeys(roster, 1.0)).values()))


def falls_less(values: list[float], share: float) -> bool:
    """Whether `values` (an LP's, round by round) fell by less than `share` of the last over
    the last `WINDOW` rounds (False before then): a dive's step tails off, a generation stalls."""
    return len(values) > WINDOW and values[-1 - WINDOW] - values[-1] < share * values[-1]


def gap_stalls(gaps: list[tuple[float, float]], target: float) -> bool:
    """Whether the gap is within `target` and fell by less than `TAIL` of itself over the last
    `WINDOW` rounds: the generation has tailed off (False before `WINDOW` rounds)."""
    if len(gaps) <= WINDOW or gaps[-1][1] > target:
        return False
    return gaps[-1][1] > (1 - TAIL) * gaps[-1 - WINDOW][1]


def gap_closes(gaps: list[tuple[float, float]], target: float, left: float) -> bool:
    """Whether the gap, at the rate it fell over the last `WINDOW` rounds (all of them, if
    fewer), falls to `target` within `left` seconds; True after a single round.

    Fewer rounds are judged too: instance 19's rounds take 2 s, its first ends past the
    checkpoint, and with nothing judged before `WINDOW` rounds it ran 13 s more for a bound of 0."""
    if len(gaps) < 2:
        return True
    (then, before), (now, gap) = gaps[max(0, len(gaps) - 1 - WINDOW)], gaps[-1]
    if gap <= target:
        return True
    if gap >= before:
        return False
    return (now - then) * (gap - target) / (before - gap) <= left


def _settled(values: dict[Key, float]) -> bool:
    """Some but at most `DIVE_SETTLED` of the cells an LP works (`values`: their shares) are
    fractional (a dive by cells; none: its next step fixes everybody)."""
    loose = sum(1 for v in values.values() if v < 1 - DIVE_WHOLE)
    return 0 < loose <= DIVE_SETTLED * len(values)
