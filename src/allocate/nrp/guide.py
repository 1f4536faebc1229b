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
their under weight (`weighted`), for `SHARE` of the time at most, then on the instance itself. The guided
search keeps its own incumbent (:class:`Shadow`), scored on the copy; every roster it takes is
scored exactly and offered to the real incumbent, so the progress line and the result only ever
see the benchmark's objective. Instance 13 at 60 s (`allocate nrp`, CLI defaults), five pairs one
after another: 1,807-1,955 (median 1,922), every pair better than without the guide (2,001-2,387,
median 2,196). From the constructed roster, a factor of 1.25 to 3 and 30 to 50 s of guidance gave
1,742-1,998 in scratch runs: they matter less than the run-to-run spread. From the priced start
(below) they do: a factor of 3 (`PRICED_FACTOR`) beats 2 by about 100.

Where the LP was solved, the guided search ends once its roster is down to the LP's holes
(`Shadow.target`): the weights have done their work, and the instance's own weights get the rest
of the time for the requests. Both searches aim their sweeps at weekday holes, then at two
weekends at a time (:class:`allocate.nrp.sweep.Aim`); only the second did before. In seven
traced runs of 13 at 60 s so (2026-12-07), the guided search stalled at 12 holes (30 single
weekend days; the LP's solution has 29) in four, from 36-41 s to its end at 47 s; the second
search filled the hole in two of them, by a pair of weekends at 52 and 56 s; two of the seven
ended at 1,467 and 1,475. With the pairs aimed in the guided search too, six runs of six reached
11 holes (1,371-1,375, and 1,401 where a weekday hole left at the guided search's end cost
requests to fill); ending it at the LP's holes too, six more: 1,372-1,381, the guided search
done at 34-40 s.

Given the time, the guided search starts from the LP's solution (`lp_start`): column generation
(:mod:`allocate.nrp.columns`) from the first roster to the LP's optimum, then each person's
column of largest share in it, a roster lawful person by person whose cover is not kept (18,617
on 13), from which the descent and the guided search go on. 13's LP optimum is 1,348, the best
known: its people's requests come in blocks (five days of one shift in a row), which the LP
meets and the search from the first roster never assembles; that search plateaus near 1,770
(300 s: 1,773, its last gain at 157 s; 150 s: 1,762-1,778), where from the LP's solution it
ends at 1,372-1,373 in 150 s (three runs; bound 1,348). From the first roster alone the
generation took 41-60 s on 13 (46-48 rounds, half of it GLOP's degenerate simplex, half the
pricing); after a warm-up that pools each person's cheapest rosters at subgradient prices
(:meth:`ColumnGeneration.warm_up`, 6-7 s) it takes 15-23 rounds, 18-20 s in all, so the LP
start comes 20 s into the benchmark's minute (13 at 60 s, CLI defaults: 1,380-1,483 in eight
runs, six of them 1,380-1,390, against 1,530-1,551 from the priced start; `--seed 1` to `5`:
1,495-1,617, median 1,519, against 1,645-1,945, median 1,700). It runs only where
`LP_SHARE` of the time is expected to hold it (`lp_fits`, at `LP_SECONDS` a shift variable;
the quick one, where only it fits, at `QUICK_LP_SECONDS`), and
stops early if its rounds do not keep pace (`LP_ROUNDS`). Stopped at half of a minute without
the warm-up (LP 1,808 or 2,033), it gave 1,847 and 1,891, within the spread of the
search alone; stopped with its LP stalled (`columns.STALL`: 13 on a busy machine, at round 10,
LP 1,350), its solution is a start nearly as good as the solved LP's, and its holes the target
(forced to stop there, 1,384-1,391 at 60 s, against 1,371-1,381 solved and 1,685 priced). Where
it does not fit or stops short with its LP still falling, each person's cheapest lawful roster when
every shift worked earns a share of the cover's under weight starts the guided search
(`priced_start`): the requests met in blocks, the work at its most, and the search moves shifts
to the cover (13 at 60 s before the warm-up:
1,630-1,650 in four runs with the weekends weighing twice, 1,526-1,613 in seven at three times,
against 1,821-2,013 from the constructed roster).
"""

from __future__ import annotations

import dataclasses
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from allocate.nrp import lns
from allocate.nrp.columns import PRICE_LIMIT, ColumnGeneration, holes
from allocate.nrp.pricing import SCALE, Pricer

if TYPE_CHECKING:
    from allocate.nrp.instance import Instance
    from allocate.nrp.model import Key

FACTOR = 2  # a weekend's under weight, times, while guided from the LP's start
# the same from the priced start (`priced_start`). Instance 13 at 60 s, CLI defaults: 3,
# 1,526-1,544 in five runs (median 1,537); 2, 1,630-1,650; 4, 1,628, 1,651. Not from the LP's
# start: at 3, 13 at 120 s gave 1,497, where at 2 it gives 1,370-1,373 in every run
PRICED_FACTOR = 3
SHARE = 2 / 3  # of the time, the guided search (the rest: the instance's own weights)
# seconds of column generation per shift variable, on two workers, warm-up included, to its LP's
# optimum: instance 13 (60,480 variables) took 18-20 s standalone (0.3 ms), 18.5 s in the solve;
# half as much again for a busy machine, so 13 from 47 s. Without the warm-up it took 41-60 s
# (the gate was 1.2 ms: 13 from 112 s; at 1 ms and 55 % of 120 s, one run in four stopped short)
LP_SECONDS = 0.0005
# the same for the quick generation (`columns.IMPROVING`: its pricing cut at the first improving
# column), which runs where the full one would not fit (`lp_fits`): 13, 16-17 s standalone after
# the warm-up, so from 38 s (44 s in the solve without it). Its LP's solution is a worse start
# more often: without the warm-up, 13 at 120 s, 1,468 and 1,473 from it where the full one's gave
# 1,371 in every run; at 90 s, 1,474, 1,371 and 1,479 against 1,522-1,525 from the priced start
QUICK_LP_SECONDS = 0.0004
# of the time, at most, for the column generation: where it would need more, the search starts
# from the priced start (instance 13: from 47 s on two workers, the LP; at 40 s, the quick one).
# At 0.6, 13 at 120 s was left to the search: a generation stopped short (one run in four at 1 ms
# and 55 %) had the constructed roster to fall back on (1,904); now it has the priced start. At
# 0.65 and 120 s: 1,372 three times, against 1,607 and 1,613 from the priced start
LP_SHARE = 0.65
# rounds of column generation expected, after the warm-up: one that would not make them in its
# time stops (see `ColumnGeneration.run`; instance 13: 11-23 rounds to its LP's optimum, 0.6-1.4
# s each, the first ten 9-10 s; 46-48 without the warm-up, when this was 50). At 30, 13 at 60 s
# with `--seed 2` stopped at round 10 (judged to need 28 s of the 29 s left; it converges at
# round 17, 15 s in) and fell back to the priced start: 1,965
LP_ROUNDS = 20
# where the LP does not fit, the share of its under weight that each shift worked earns in the
# priced start (`priced_start`): more than any request weighs, so each person works as much as
# the rules allow, the requests met where they let. Instance 13 at 60 s, CLI defaults: 0.3,
# 1,630-1,650 in seven runs (median 1,638); 0.5, 1,527-1,722 (median 1,622 of six); 0.7, 1,527,
# 1,628, 1,640. In scratch runs (the same search, its start priced by the programme alone):
# 0 (each person's least work) 1,777, 1 1,747, a little noise on each cell's price 1,854-2,134
PRICE_SHARE = 0.3


def weighted(instance: Instance, factor: int = FACTOR) -> Instance | None:
    """A copy of `instance` whose weekend cover rows weigh `factor` times their under weight;
    None when it has no weekend day (nothing to guide)."""
    weekend = instance.weekend_days
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
    target: int | None = None  # the holes of the LP's solution, rounded up, where it was solved
    _judged: frozenset[Key] | None = field(default=None, init=False, repr=False)  # `_reached`'s roster
    _reached: bool = field(default=False, init=False, repr=False)

    @classmethod
    def of(
        cls,
        truth: lns.Incumbent,
        instance: Instance,
        guided: Instance,
        start: frozenset[Key] | None = None,
        target: int | None = None,
    ) -> Shadow:
        """A shadow of `truth` on `guided`, from `start` (a roster worse than the truth's may start
        the search: it reaches `truth` only once better), else from the truth's roster; with
        `target`, done once its roster has no more holes than that (see `proven`)."""
        if start is None:
            with truth.lock:
                start = truth.roster
        return cls(
            start,
            lns.score(guided, start),
            truth=truth,
            instance=instance,
            started=truth.started,
            target=target,
        )

    @property
    def proven(self) -> bool:
        """Nothing left for the guided search: the real incumbent's proof (the LP's bound
        reached, see `lp_start`; the shadow has no bound of its own), or, with `target`, a roster
        down to the LP's holes: the weights' work is done, and the rest of the time is the
        instance's own weights' (see the module)."""
        if self.truth is not None and self.truth.proven:
            return True
        if self.target is None or self.instance is None:
            return False
        roster = self.roster
        if roster is not self._judged:  # judged once a roster: the searches ask at every step
            self._reached = holes(self.instance, roster) <= self.target
            self._judged = roster
        return self._reached

    def adopt(self, based_on: frozenset[Key] | None, roster: frozenset[Key], objective: int) -> bool:
        taken = super().adopt(based_on, roster, objective)
        if taken and self.truth is not None and self.instance is not None:
            self.truth.offer(roster, lns.score(self.instance, roster))
        return taken


def priced_start(instance: Instance, workers: int, seed: int, params: dict) -> frozenset[Key] | None:
    """Each person's cheapest lawful roster when every shift worked earns `PRICE_SHARE` of its
    cover row's under weight, as column generation prices it (:meth:`Pricer.price`: the
    programme, CP-SAT for `PRICE_LIMIT` where the programme proves no optimum; instance 13, 0.9
    s of one core, all 120 proven); None when somebody has no lawful roster found.

    Where the LP's solution is out of time's reach, this is its poor man's version: the first
    roster, built person by person against the cover still short, leaves each person's requests
    to chance, and the search from it never assembles the blocks they come in (instance 13:
    five days of one shift); here each person's requests are met in whole blocks, while the
    person works as much as lawful. The cover is far off (instance 13: 110,197, 1,083 cells
    short and 1,289 over, where the constructed roster is 8,721): each person works the types
    their requests and rules favour, and the guided search moves shifts to where they are short.
    The solve takes it for its first roster too. Instance 13 at 60 s, CLI defaults: 1,630-1,650
    from it (four runs; 1,526-1,613 in seven with `PRICED_FACTOR`), 1,821-2,013 from the
    constructed roster.
    """
    prices = {(c.day, c.shift_id): round(PRICE_SHARE * c.under * SCALE) for c in instance.cover}

    def cheapest(e: int) -> frozenset[Key] | None:
        found = Pricer(instance, e).price(prices, PRICE_LIMIT, seed, params).found
        return found[-1] if found else None

    with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
        rosters = list(pool.map(cheapest, range(len(instance.staff))))
    if any(keys is None for keys in rosters):
        return None
    return frozenset().union(*rosters)


def lp_fits(variables: int, time_limit: float, workers: int, quick: bool = False) -> bool:
    """Whether column generation (the `quick` one: `QUICK_LP_SECONDS`) is expected to solve the
    LP of an instance of `variables` shift variables within `LP_SHARE` of `time_limit` (its
    pricing runs one person per worker)."""
    seconds = QUICK_LP_SECONDS if quick else LP_SECONDS
    return variables * seconds * 2 / max(1, min(workers, 2)) <= LP_SHARE * time_limit


def lp_start(
    columns: ColumnGeneration, best: lns.Incumbent, deadline: float, workers: int, seed: int, params: dict
) -> frozenset[Key] | None:
    """`columns` (a generation from `best`'s roster; a quick one where only that fits, see
    `QUICK_LP_SECONDS`), warmed up (:meth:`ColumnGeneration.warm_up`), run until its LP is
    solved or `deadline`; its bound raises `best`'s. With
    it each person's column of largest share in the LP (:meth:`ColumnGeneration.largest`) when
    nearly solved (`columns.NEAR_GAP`), or stopped short with its LP stalled (`columns.STALL`:
    its bound lags, its solution does not), offered to `best` (where the LP is whole it is the
    optimum); None once `best` is proven, or when the generation stopped short with its LP still
    falling: too far from the optimum to start from."""
    columns.warm_up(best.objective, deadline, workers)
    columns.run(deadline, workers, seed, params, target=best.objective, pace=LP_ROUNDS)
    if columns.bound is not None:
        best.raise_bound(columns.bound)
    near = columns.nearly_solved or columns.stalled
    start = columns.largest() if near and not best.proven else None
    if start is not None:
        best.offer(start, lns.score(columns.instance, start))
    return None if best.proven else start
