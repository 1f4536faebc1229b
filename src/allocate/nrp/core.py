"""The Lagrangian core: the cells a better roster can use, from column generation's prices.

With prices ``pi`` on the cover (clipped to ``[-over, under]``), every roster's objective is at
least ``sum pi[c] * required[c] + sum over people of (cost_e - pi . roster_e)`` (the Lagrangian
argument of :mod:`allocate.nrp.columns`), and each person's term is at least that person's
least reduced cost ``lb_e``. So a roster in which person e works the cell (e, day, shift) is
worth at least ``L + excess``, where `L` is the Lagrangian bound and `excess` the least reduced
cost of e's lawful rosters working that cell less ``lb_e``: one forward and one backward pass of
the exact programme per person (:meth:`allocate.nrp.lawful.ExactProgramme.through`).

Two uses (:mod:`allocate.nrp.solve`):

* **proof**: a cell whose excess is above ``incumbent - 1 - L`` is in no better roster. The whole
  model over the other cells, capped at ``incumbent - 1``, holds every better roster: if it has
  none, the incumbent is optimal (instance 5: 1,143 proven in 16 s over 519 of 896 cells);
* **search**: the cells of small excess are where the LP's optimum lies; the whole model over
  them finds rosters the whole model and the search do not (instance 7: 1,056, the optimum, in
  6 s over 613 of 1,248 cells, where the search plateaued at 1,057-1,060; 6: 1,950, proven, in
  under a second, where the search ended at 1,953).
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from allocate.nrp.pricing import SCALE

if TYPE_CHECKING:
    from allocate.nrp.columns import ColumnGeneration
    from allocate.nrp.model import Key

# penalty points above the Lagrangian bound a cell may cost and stay in the second core searched
# (the first: 0, then twice as many points each step; see :mod:`allocate.nrp.solve`)
CORE_STEP = 0.25


@dataclass(frozen=True)
class Core:
    """The Lagrangian bound and each lawful cell's excess over it, both scaled by `SCALE`."""

    total: int  # SCALE * L: the prices' value of the cover plus every person's least reduced cost
    excess: dict[Key, int]  # cells no lawful roster works are left out

    def cells(self, delta: float) -> set[Key]:
        """The cells of excess at most `delta` penalty points."""
        return {key for key, x in self.excess.items() if x <= delta * SCALE}

    def slack(self, objective: int) -> float:
        """The excess a cell of a roster worth `objective` may have at most, in penalty points."""
        return (SCALE * objective - self.total) / SCALE

    def holds(self, delta: float, objective: int) -> bool:
        """Whether the cells of excess at most `delta` hold every roster worth at most `objective`."""
        return self.slack(objective) <= delta


def lagrangian_core(columns: ColumnGeneration, workers: int) -> Core | None:
    """The core at the prices of column generation's best bound; None before a bound, or where
    the exact programme cannot serve everybody (its `through` is the whole computation)."""
    prices = columns.center
    if prices is None or not all(p.programme.ready for p in columns.pricers):
        return None

    def person(e: int) -> tuple[int, dict[Key, int]] | None:
        pricer = columns.pricers[e]
        met = pricer.surcharged(prices)  # its least reduced cost, at the surcharges it leaves
        if met is None:
            return None
        programme = pricer.programme
        through = programme.through(pricer.costs(prices, pricer.surcharge))
        # the programme's least value, as `met.bound` counts it (its fixed part and surcharges)
        least = (
            met.bound
            - SCALE * pricer.fixed
            + sum(pricer.surcharge[s] * cap for s, cap in programme.relaxed.items())
        )
        excess = {
            (e, d, shift.shift_id): round(value - least)
            for (d, i), value in np.ndenumerate(through)
            if value < np.inf
            for shift in (programme.shifts[i],)
        }
        return met.bound, excess

    with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
        answers = list(pool.map(person, range(len(columns.pricers))))
    if any(a is None for a in answers):
        return None
    total = sum(p * c.required for c in columns.instance.cover if (p := prices[c.day, c.shift_id]))
    excess: dict[Key, int] = {}
    for answer in answers:
        assert answer is not None
        total += answer[0]
        excess.update(answer[1])
    return Core(total, excess)
