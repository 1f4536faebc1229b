"""Each person's line re-planned exactly given the others: a descent, between the search's steps.

Every hard rule of the benchmark binds one person, and the cover penalty of a (day, shift) is
convex in the number staffed. So with everybody else fixed, what one person adds to the
objective is a sum over the shifts the person works: working shift s on day d changes the cover
penalty by ``-under`` when the others leave it short and by ``+over`` when they meet it, and the
person's requests count as they are. The person's best line under these per-day prices is column
generation's pricing problem, which the dynamic programme solves exactly in milliseconds
(:meth:`allocate.nrp.pricing.Pricer.line`), where CP-SAT takes a fraction of a second to
seconds. Re-planning each person in turn until nobody gains is a descent (Gauss-Seidel) to a
roster that no one person can improve (:meth:`Lines.descend`): instance 17's first roster, 10,719,
falls to 7,471 in a second of one core.

It is no search by itself: a ruin-and-recreate search on it (empty a few people's lines, re-plan
them in turn with shaken prices, descend, keep when no worse) ends well behind CP-SAT's
neighbourhoods from the same roster (20 s of one core: instance 19, 6,930 against 5,263; 12,
5,939 against 5,147). So it polishes: after the first roster, and between the neighbourhoods of
one of the search's threads, within a share of its time (:class:`Polish`).
"""

from __future__ import annotations

import random
import time
from collections import Counter
from typing import TYPE_CHECKING

from allocate.nrp.lawful import ExactProgramme
from allocate.nrp.pricing import SCALE, Pricer

if TYPE_CHECKING:
    import threading
    from collections.abc import Collection

    from allocate.nrp.instance import Instance
    from allocate.nrp.lns import Incumbent
    from allocate.nrp.model import Key

LINE_LIMIT = 0.5  # seconds of CP-SAT for one person's line, when the programme cannot serve
POLISH_SHARE = 0.25  # of a search thread's time, at most, for descents
NOISE = SCALE * 3 // 10  # a walk's shake of each price: below a point, so it only breaks ties
# seconds without a better roster after which a walk beside a sweep gives its thread to a second
# sweep (:mod:`allocate.nrp.solve`): on instance 13's plateau the walk gains nothing where a sweep
# goes on (from a 60 s roster of 1,544, 40 s of one core: the walk 0, a sweep 29). 13 at 60 s,
# CLI defaults, nine pairs one after another: 1,518-1,636 (median 1,547) against 1,519-1,650
# (median 1,623); the runs fall at 11 holes (1,518-1,553) or 12 (1,623-1,650), six of nine at
# 11 against four of nine: better in four pairs by 102-128, worse in five by 2-97. Small at most
WALK_STALL = 5.0


def serves(instance: Instance) -> bool:
    """Whether the programme serves every person (instances 1-19), so a pass is cheap: else
    each line would be CP-SAT's, seconds a person on long horizons."""
    return all(ExactProgramme(instance, e).ready for e in range(len(instance.staff)))


class Lines:
    """A whole roster kept as one line per person, with the cover it gives and its objective."""

    def __init__(
        self,
        instance: Instance,
        roster: Collection[Key],
        objective: int,
        seed: int = 0,
        params: dict | None = None,
    ) -> None:
        self.instance = instance
        self.pricers = [Pricer(instance, e) for e in range(len(instance.staff))]
        self.seed, self.params = seed, params or {}
        self.workable = [
            [
                c
                for c in instance.cover
                if (e, c.day) not in instance.days_off and emp.max_shifts[c.shift_id] > 0
            ]
            for e, emp in enumerate(instance.staff)
        ]
        self.lines: list[frozenset[Key]] = []
        self.staffed: Counter[tuple[int, str]] = Counter()
        self.objective = objective
        self.settled: dict[int, dict[tuple[int, str], int]] = {}  # person -> prices of the last re-plan
        self.reset(roster, objective)

    def reset(self, roster: Collection[Key], objective: int) -> None:
        """Start again from a whole roster of that objective (what is known of the people whose
        line is unchanged is kept)."""
        by_person: list[set[Key]] = [set() for _ in self.instance.staff]
        for key in roster:
            by_person[key[0]].add(key)
        lines = [frozenset(keys) for keys in by_person]
        for e in [e for e in self.settled if e >= len(self.lines) or self.lines[e] != lines[e]]:
            del self.settled[e]
        self.lines = lines
        self.staffed = Counter((d, s) for (_, d, s) in roster)
        self.objective = objective

    @property
    def roster(self) -> frozenset[Key]:
        return frozenset().union(*self.lines)

    def prices(self, e: int) -> dict[tuple[int, str], int]:
        """What person `e` working each (day, shift) saves on the cover, the others fixed (scaled);
        only the shifts the person may work (a change elsewhere changes nothing for them)."""
        mine = self.lines[e]
        out = {}
        for c in self.workable[e]:
            others = self.staffed[c.day, c.shift_id] - ((e, c.day, c.shift_id) in mine)
            out[c.day, c.shift_id] = SCALE * c.under if others < c.required else -SCALE * c.over
        return out

    def value(self, e: int, keys: Collection[Key], prices: dict[tuple[int, str], int]) -> int:
        """Person `e`'s part of the objective with line `keys`, up to a constant (scaled)."""
        return SCALE * self.pricers[e].cost(keys) - sum(prices[d, s] for (_, d, s) in keys)

    def place(self, e: int, keys: frozenset[Key], prices: dict[tuple[int, str], int]) -> None:
        """Give person `e` the lawful line `keys` (`prices`: theirs); the objective follows."""
        change = self.value(e, keys, prices) - self.value(e, self.lines[e], prices)
        self.objective += change // SCALE  # every term is a whole number of points
        self.staffed.subtract((d, s) for (_, d, s) in self.lines[e])
        self.staffed.update((d, s) for (_, d, s) in keys)
        self.lines[e] = keys
        self.settled.pop(e, None)

    def replan(self, e: int) -> int:
        """Person `e`'s best line given the others, kept when better; the points gained."""
        prices = self.prices(e)
        if self.still_best(e, prices):
            return 0
        keys = self.pricers[e].line(prices, self.lines[e], LINE_LIMIT, self.seed, self.params)
        if keys is None:  # pragma: no cover - the current line is lawful: CP-SAT finds one
            return 0
        gain = (self.value(e, self.lines[e], prices) - self.value(e, keys, prices)) // SCALE
        if gain > 0:
            self.place(e, keys, prices)
        self.settled[e] = prices  # a person's prices do not depend on the person's own line
        return max(gain, 0)

    def still_best(self, e: int, prices: dict[tuple[int, str], int]) -> bool:
        """Whether person `e`'s line, the best at the prices of its last re-plan, is still the
        best at `prices`: so when no price fell on a shift it works, and none rose on one it
        does not (every other line lost at least what it did). Most re-plans are saved so."""
        before = self.settled.get(e)
        if before is None:
            return False
        mine = {(d, s) for (_, d, s) in self.lines[e]}
        return all(
            (now >= before[cell]) if cell in mine else (now <= before[cell]) for cell, now in prices.items()
        )

    def wander(self, e: int, rng: random.Random) -> bool:
        """Person `e`'s best line at prices shaken by less than `NOISE` each, kept when no worse
        at the true prices: a step of a walk on the plateau (whether taken).

        Most such lines tie: a move from a cover met exactly to one left short changes nothing,
        but it leaves the first short, and someone else's re-plan may then fill it from a cover
        that was over, or from spare minutes. A descent stops at the first tie; the walk chains them.
        """
        prices = self.prices(e)
        shaken = {cell: price + rng.randrange(NOISE) for cell, price in prices.items()}
        keys = self.pricers[e].line(shaken, self.lines[e], LINE_LIMIT, self.seed, self.params)
        if keys is None or keys == self.lines[e]:
            return False
        if self.value(e, keys, prices) > self.value(e, self.lines[e], prices):
            return False
        self.place(e, keys, prices)
        return True

    def descend(self, rng: random.Random, deadline: float) -> int:
        """Re-plan each person in a random order until a whole pass gains nothing (or `deadline`);
        the points gained."""
        order = list(range(len(self.lines)))
        total = 0
        while time.perf_counter() < deadline:
            rng.shuffle(order)
            gained = 0
            for e in order:
                if time.perf_counter() >= deadline:
                    break
                gained += self.replan(e)
            total += gained
            if not gained:
                break
        return total


class Polish:
    """Descents from the incumbent between a search's steps, within `POLISH_SHARE` of its time.

    A descent starts from the incumbent when it changed since the last one; the people whose
    line did not change and whose prices did not move against it are not re-planned, so a
    descent after a neighbourhood of a few people costs a few programmes.
    """

    def __init__(self, instance: Instance, best: Incumbent, seed: int, params: dict) -> None:
        with best.lock:
            self.lines = Lines(instance, best.roster, best.objective, seed=seed, params=params)
        self.best, self.rng = best, random.Random(seed)
        self.seen: frozenset[Key] | None = None  # the incumbent of the last descent
        self.begun, self.spent = time.perf_counter(), 0.0

    def __call__(self, deadline: float) -> None:
        now = time.perf_counter()
        if self.best.roster is self.seen or self.spent > POLISH_SHARE * (now - self.begun):
            return
        with self.best.lock:
            roster, objective = self.best.roster, self.best.objective
        self.lines.reset(roster, objective)
        self.seen = roster
        if self.lines.descend(self.rng, deadline):
            better = self.lines.roster
            if self.best.offer(better, self.lines.objective):
                self.seen = better
        self.spent += time.perf_counter() - now


class Walk:
    """A walk on the plateau of the incumbent (:meth:`Lines.wander`), one search thread's work.

    From a descended roster it gains faster than CP-SAT's neighbourhoods (one core, same start:
    instance 13, 7,583 to 3,839 in 30 s against 4,250 in 36 s; 19, 5,108 against 5,288; 18,
    5,616 against 5,877), and the two share the incumbent: the walk offers each better roster,
    and starts again from the incumbent when the other thread found a better one.
    """

    def __init__(self, instance: Instance, best: Incumbent, seed: int, params: dict) -> None:
        with best.lock:
            self.lines = Lines(instance, best.roster, best.objective, seed=seed, params=params)
        self.best, self.rng = best, random.Random(seed)

    def run(self, deadline: float, stop: threading.Event, stall: float | None = None) -> int:
        """Walk until `deadline`, `stop` or the incumbent's proof, or, with `stall`, until the
        incumbent has not gained for that many seconds (see `WALK_STALL`); the moves taken."""
        lines, best = self.lines, self.best
        people, moves = len(lines.lines), 0
        gained, last = time.perf_counter(), best.objective
        while time.perf_counter() < deadline and not stop.is_set() and not best.proven:
            self.follow()
            moves += lines.wander(self.rng.randrange(people), self.rng)
            if lines.objective < best.objective:
                best.offer(lines.roster, lines.objective)
            if best.objective < last:
                gained, last = time.perf_counter(), best.objective
            elif stall is not None and time.perf_counter() - gained > stall:
                break
        return moves

    def follow(self) -> None:
        """Start again from the incumbent when it is better than the walk's roster."""
        if self.best.objective < self.lines.objective:
            with self.best.lock:
                roster, objective = self.best.roster, self.best.objective
            self.lines.reset(roster, objective)


def construct(instance: Instance, empty: int, seed: int, params: dict) -> Lines | None:
    """A first roster person by person, each the best line given the people before, as
    :func:`allocate.nrp.lns.construct` makes it but by the programme: milliseconds a person, not
    a tenth of a second to seconds. `empty`: the objective of the empty roster. None: someone
    has no lawful line found (the caller asks CP-SAT)."""
    lines = Lines(instance, (), empty, seed=seed, params=params)
    for e in range(len(instance.staff)):
        prices = lines.prices(e)
        keys = lines.pricers[e].line(prices, (), LINE_LIMIT, seed, params)
        if keys is None:
            return None
        lines.place(e, keys, prices)
    return lines


def descend(instance: Instance, best: Incumbent, deadline: float, seed: int, params: dict) -> None:
    """One descent from `best`, offered to it."""
    lines = Lines(instance, best.roster, best.objective, seed=seed, params=params)
    if lines.descend(random.Random(seed), deadline):
        best.offer(lines.roster, lines.objective)
