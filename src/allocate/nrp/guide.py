"""Weekend holes weigh more while the search starts: a way off the plateau of a tight weekend.

On instance 13 the roster's holes are all on weekends, and they come from people who work one day
of a weekend only. Its people may work 250 weekends (their `MaxWeekends`), 500 weekend days, for a
weekend cover of 482: each person working a single day of a weekend wastes one of the 18 spare
days, so a roster with 37 such weekends has 19 holes (a 60 s roster of 2,393: 19 holes, 37 single
days, every weekend allowed worked). The LP's optimum has 11 holes. Making a single day whole
takes a day's minutes from a weekday, where somebody with minutes to spare can then fill it: two
moves, the first of which only moves a hole from a weekend to a weekday. Under the benchmark's
weights that move gains nothing, so neither the walk nor the sweep takes it on purpose; with the
weekend's under weight doubled it gains, and the holes drift to weekdays, where they are filled.

So the search runs first on a copy of the instance whose weekend cover rows weigh `FACTOR` times
their under weight (`weighted`), for `SHARE` of the time, then on the instance itself. The guided
search keeps its own incumbent (:class:`Shadow`), scored on the copy; every roster it takes is
scored exactly and offered to the real incumbent, so the progress line and the result only ever
see the benchmark's objective. Instance 13 at 60 s (`allocate nrp`, CLI defaults), five pairs one
after another: 1,807-1,955 (median 1,922), every pair better than without the guide (2,001-2,387,
median 2,196). A factor of 1.25 to 3 and 30 to 50 s of guidance gave 1,742-1,998 in scratch runs:
they matter less than the run-to-run spread.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from allocate.nrp import lns

if TYPE_CHECKING:
    from allocate.nrp.instance import Instance
    from allocate.nrp.model import Key

FACTOR = 2  # a weekend's under weight, times, while guided
SHARE = 2 / 3  # of the time, the guided search (the rest: the instance's own weights)


def weighted(instance: Instance, factor: int = FACTOR) -> Instance | None:
    """A copy of `instance` whose weekend cover rows weigh `factor` times their under weight;
    None when it has no weekend day (nothing to guide)."""
    weekend = {d for days in instance.weekends for d in days}
    if not weekend:
        return None
    cover = [
        dataclasses.replace(c, under=c.under * factor) if c.day in weekend else c for c in instance.cover
    ]
    return dataclasses.replace(instance, cover=cover)


@dataclass
class Shadow(lns.Incumbent):
    """The guided search's incumbent (objective: the weighted copy's); each roster it takes is
    offered to `truth`, the real incumbent, at its exact objective on `instance`."""

    truth: lns.Incumbent | None = None
    instance: Instance | None = field(default=None, repr=False)

    @classmethod
    def of(cls, truth: lns.Incumbent, instance: Instance, guided: Instance) -> Shadow:
        """A shadow of `truth` on `guided`, from its roster."""
        with truth.lock:
            roster = truth.roster
        return cls(roster, lns.score(guided, roster), truth=truth, instance=instance, started=truth.started)

    def adopt(self, based_on: frozenset[Key] | None, roster: frozenset[Key], objective: int) -> bool:
        taken = super().adopt(based_on, roster, objective)
        if taken and self.truth is not None and self.instance is not None:
            self.truth.offer(roster, lns.score(self.instance, roster))
        return taken
