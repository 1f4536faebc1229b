"""The Lagrangian core: the cells a better roster can use, from column generation's prices.

With prices ``pi`` on the cover (clipped to ``[-over, under]``), every roster's objective is at
least ``sum pi[c] * required[c] + sum over people of (cost_e - pi . roster_e)`` (the Lagrangian
argument of :mod:`allocate.nrp.columns`), and each person's term is at least that person's
least reduced cost ``lb_e``. So a roster in which person e works the cell (e, day, shift) is
worth at least ``L + excess``, where `L` is the Lagrangian bound and `excess` the least reduced
cost of e's lawful rosters working that cell less ``lb_e``: one forward and one backward pass of
the exact programme per person (:meth:`allocate.nrp.lawful.ExactProgramme.through`). Where the
programme relaxes a maximum, ``lb_e`` and the least through a cell are both lower bounds under
the same surcharges (their value less the surcharges times the maxima), and the argument holds.

Two uses (:mod:`allocate.nrp.solve`):

* **proof**: a cell whose excess is above ``incumbent - 1 - L`` is in no better roster. The whole
  model over the other cells, capped at ``incumbent - 1``, holds every better roster: if it has
  none, the incumbent is optimal (instance 5: 1,143 proven in 17 s over 519 of 676 cells);
* **search**: the cells of small excess are where the LP's optimum lies; the whole model over
  them finds rosters the whole model and the search do not (instance 7: 1,056, the optimum, in
  4 s over 613 of 1,248 cells, where the search plateaued at 1,057-1,060; 6: 1,950 and its
  proof in 6 s, where the search ended at 1,951-1,953).
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from allocate.nrp.pricing import SCALE, cover_value

if TYPE_CHECKING:
    from allocate.nrp.columns import ColumnGeneration
    from allocate.nrp.model import Key


@dataclass(frozen=True)
class Core:
    """The Lagrangian bound and each lawful cell's excess over it, both scaled by `SCALE`
    (integers: the proof compares them exactly)."""

    total: int  # SCALE * L: the prices' value of the cover plus every person's least reduced cost
    excess: dict[Key, int]  # cells no lawful roster works are left out

    def within(self, room: float) -> set[Key]:
        """The cells of excess at most `room` (scaled)."""
        return {key for key, x in self.excess.items() if x <= room}

    def room(self, objective: int) -> int:
        """The most excess (scaled) a cell of a roster worth at most `objective` can have."""
        return SCALE * objective - self.total

    def better(self, objective: int) -> set[Key]:
        """The cells that hold every roster worth at most `objective`: no other cell is in one."""
        return self.within(self.room(objective))


def lagrangian_core(columns: ColumnGeneration, workers: int) -> Core | None:
    """The core at the prices of column generation's best bound; None before a bound, or where
    the exact programme cannot serve everybody (its `through` is the whole computation)."""
    prices = columns.center
    if prices is None or not all(p.programme.ready for p in columns.pricers):
        return None

    def person(e: int) -> tuple[int, dict[Key, int]] | None:
        pricer = columns.pricers[e]
        met = pricer.surcharged(prices)  # its least reduced cost (a lower bound, surcharged)
        if met is None:
            return None
        programme = pricer.programme
        through = programme.through(pricer.costs(prices, met.surcharge))
        # the programme's least value under those surcharges, as `met.bound` counts it
        least = (
            met.bound
            - SCALE * pricer.fixed
            + sum(met.surcharge[s] * cap for s, cap in programme.relaxed.items())
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
    total = cover_value(columns.instance, prices)
    excess: dict[Key, int] = {}
    for answer in answers:
        assert answer is not None
        total += answer[0]
        excess.update(answer[1])
    return Core(total, excess)
