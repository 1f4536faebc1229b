"""A first roster person by person, then a large-neighbourhood search by people and by days.

Every hard rule of the benchmark binds one person; only the soft cover links people. So a lawful
roster is built one person at a time, each person's best given the cover the people before gave
(:func:`construct`, a fraction of a second each up to 12 weeks), or, on long horizons, a lawful
roster of each person by dynamic programming, steered by the cover still short (:func:`lawful`).
The search then re-plans a few
people over a window of days, the rest of the roster fixed. Such a sub-problem is modelled alone
(:class:`allocate.nrp.model.NrpModel` with ``people`` and ``window``), so it costs what its few
people cost, not what the instance costs, and one CP-SAT worker solves it in a fixed amount of
deterministic time. A step is kept when it is no worse (ties walk the plateau). The
neighbourhood grows while steps are solved to optimality and shrinks while they are not. Half of
the steps free people around a cover that is short or over, where the gains are; the others are
random.
"""

from __future__ import annotations

import random
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from ortools.sat.python import cp_model

from allocate.callbacks import SolveCallbacks
from allocate.model.params import solver_for
from allocate.nrp.lawful import person_roster
from allocate.nrp.model import Key, NrpModel

if TYPE_CHECKING:
    from collections.abc import Callable, Collection, Sequence

    from allocate.nrp.instance import Instance

STEP_LIMIT = 2.0  # seconds per neighbourhood, at most
# CP-SAT's deterministic time per neighbourhood (about 0.4 s of one idle core): on a loaded
# machine a wall-clock limit would shrink the neighbourhoods to nothing.
STEP_WORK = 0.1
START_LIMIT = 1.0  # seconds per person of the first roster, at most
LAWFUL_LIMIT = 2.0  # seconds for one person's lawful roster past the first roster's share
SHORTEST = 0.15  # seconds per person of the first roster, at least, for the best of each
SPANS = (7, 14, 28)  # days of a neighbourhood's window, besides the whole horizon
LONG_HORIZON = 84  # days; beyond, the first roster is any lawful one per person (see solve)
MOST = 0.4  # of the roster, in a neighbourhood: beyond, a step is the whole problem again
GROW, SHRINK = 1.05, 1.1  # the neighbourhood's size after a step solved to optimality, or not


@dataclass
class Incumbent:
    """The best roster so far, shared by the search and the whole-model solve (thread-safe).

    Each better roster or bound is told to `callbacks` (unit 0: a benchmark instance is one
    unit), outside the lock: a minute's solve shows its progress as it goes."""

    roster: frozenset[Key]
    objective: int
    bound: float | None = None
    lock: threading.Lock = field(default_factory=threading.Lock)
    callbacks: SolveCallbacks = field(default_factory=SolveCallbacks)
    started: float = field(default_factory=time.perf_counter)

    def offer(self, roster: frozenset[Key], objective: int) -> bool:
        """Take `roster` if it is better than the incumbent (told to the callbacks)."""
        return self.adopt(None, roster, objective)

    def adopt(self, based_on: frozenset[Key] | None, roster: frozenset[Key], objective: int) -> bool:
        """Take `roster`, a neighbour of `based_on` no worse than it, while the incumbent is still
        `based_on` (a tie walks the plateau) or if it is better than the incumbent now (another
        thread moved it meanwhile; None: only then); whether taken. A better value is told to
        the callbacks."""
        with self.lock:
            if self.roster is not based_on and objective >= self.objective:
                return False
            better = objective < self.objective
            self.roster, self.objective = roster, objective
            bound = self.bound
        if better:
            self.callbacks.on_solution(0, objective, bound or 0.0, time.perf_counter() - self.started)
        return True

    def raise_bound(self, value: float) -> None:
        """Keep the better of the bound so far and `value` (every bound found holds)."""
        with self.lock:
            before, self.bound = self.bound, max(self.bound or 0.0, float(value))
            bound = self.bound
        if before is None or bound > before:
            self.callbacks.on_bound(0, bound)

    @property
    def proven(self) -> bool:
        return self.bound is not None and self.objective <= self.bound + 1e-6


def construct(
    instance: Instance, deadline: float, seed: int, params: dict
) -> tuple[str, frozenset[Key], int | None]:
    """(status, roster, objective): each person's best roster given the people before."""
    roster: set[Key] = set()
    people = len(instance.staff)
    for e in range(people):
        share = (deadline - time.perf_counter()) / (people - e)
        if share >= SHORTEST:  # else time is short: any lawful roster of the rest, fast
            m = NrpModel(instance, [e], roster)
            solver = solver_for(min(START_LIMIT, share), seed, 1, params)
            status = solver.solve(m.model)
            if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
                roster |= m.assigned(solver)
                continue
        late = max(deadline, time.perf_counter() + LAWFUL_LIMIT)  # a roster late beats none
        status_name, keys = _lawful(instance, e, roster, late, seed, params)
        if keys is None:
            return status_name, frozenset(), None
        roster |= keys
    return "FEASIBLE", frozenset(roster), score(instance, roster)


def lawful(
    instance: Instance, deadline: float, seed: int, params: dict, workers: int
) -> tuple[str, frozenset[Key] | None]:
    """(status, roster): any lawful roster, each person's found alone.

    Every hard rule binds one person, so the people's rosters are independent of each other, and
    one person without any makes the instance infeasible. Each person's comes first from the
    dynamic programme (:mod:`allocate.nrp.lawful`, milliseconds), steered by the cover the people
    before left short. Then CP-SAT, `workers` at a time until `deadline`: first for the people the
    programme could not serve (needed), then for the others in turn, replacing their roster: the
    programme keeps to a few shift types that do not forbid each other, so its rosters leave the
    other types' cover short, and the search from them ends far worse (Instance 20: 83,529 against
    34,420 with CP-SAT's). None: someone has no roster in time.
    """
    found: dict[int, set[Key]] = {}
    for e in range(len(instance.staff)):
        if time.perf_counter() > deadline:
            break
        keys = person_roster(instance, e, greedy_costs(instance, e, found))
        if keys is not None:
            found[e] = keys
    people = range(len(instance.staff))
    order = [e for e in people if e not in found] + [e for e in people if e in found]
    with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
        solved = pool.map(lambda e: _lawful(instance, e, set(), deadline, seed, params), order)
        for e, (status, keys) in zip(order, solved, strict=True):
            if keys is not None:
                found[e] = keys
            elif e not in found:
                pool.shutdown(wait=False, cancel_futures=True)
                return ("INFEASIBLE" if status == "INFEASIBLE" else "UNKNOWN"), None
    return "FEASIBLE", frozenset(key for keys in found.values() for key in keys)


def greedy_costs(instance: Instance, e: int, found: dict[int, set[Key]]) -> Callable[[int, str], float]:
    """The cost to person `e` of working a shift on a day, given the rosters `found` so far.

    A cover still short gains its under weight, one already met costs its over weight, and the
    person's own on and off requests count at their weights (a day off costs 0).
    """
    staffed = Counter((d, s) for keys in found.values() for (_, d, s) in keys)
    price = {
        (c.day, c.shift_id): -c.under if staffed[c.day, c.shift_id] < c.required else c.over
        for c in instance.cover
    }
    for r in instance.on_requests:
        if r.employee == e:
            price[r.day, r.shift_id] -= r.weight
    for r in instance.off_requests:
        if r.employee == e:
            price[r.day, r.shift_id] += r.weight
    return lambda d, s: price[d, s]


def _lawful(
    instance: Instance, e: int, roster: set[Key], deadline: float, seed: int, params: dict
) -> tuple[str, set[Key] | None]:
    """Any lawful roster of person `e` (status, assignments or None)."""
    if time.perf_counter() > deadline:
        return "UNKNOWN", None
    m = NrpModel(instance, [e], roster)
    m.model.clear_objective()
    solver = solver_for(deadline - time.perf_counter(), seed, 1, params)
    solver.parameters.stop_after_first_solution = True
    # On long horizons (instances 20-24) the default search may take seconds or more for one
    # person; quick restarts without the LP find one in a fraction of a second.
    solver.parameters.search_branching = cp_model.PORTFOLIO_WITH_QUICK_RESTART_SEARCH
    solver.parameters.linearization_level = 0
    status = solver.solve(m.model)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return solver.status_name(status), None
    return "FEASIBLE", m.assigned(solver)


def score(instance: Instance, roster: frozenset[Key] | set[Key]) -> int:
    """The objective of a whole roster: the model of nobody, everybody's roster as constants."""
    m = NrpModel(instance, [], roster)
    solver = solver_for(1.0, 0, 1, {})
    solver.solve(m.model)
    return round(solver.objective_value)


class Search:
    """Neighbourhoods of a few people over a window of days, around the incumbent.

    Their size is a number of free (person, day) cells; each step draws a shape for it, from
    many people over one week to a few people over the whole horizon.
    """

    def __init__(self, instance: Instance, best: Incumbent, seed: int, params: dict) -> None:
        self.instance, self.best, self.params = instance, best, params
        self.rng = random.Random(seed)
        self.cells = 3.0 * min(instance.days, 28)
        self.steps = 0

    def neighbourhood(self, roster: frozenset[Key]) -> tuple[list[int], tuple[int, int]]:
        inst, rng = self.instance, self.rng
        staff = len(inst.staff)
        spans = [d for d in SPANS if d < inst.days and 2 * d <= self.cells] + [inst.days]
        span = rng.choice(spans if 2 * inst.days <= self.cells else spans[:-1] or [7])
        k = min(staff, max(2, round(self.cells / span)))
        day = None
        if rng.random() < 0.5:
            day, shift, short = self.bad_cover(roster)
            if day is not None:
                working = {e for (e, d, s) in roster if d == day and s == shift}
                pool = [e for e in range(staff) if (e in working) != short and self.may(e, day, shift)]
                people = rng.sample(pool, min(len(pool), max(1, k // 2)))
                rest = [e for e in range(staff) if e not in people]
                people += rng.sample(rest, min(len(rest), k - len(people)))
        if day is None:
            people = rng.sample(range(staff), k)
            day = rng.randrange(inst.days)
        first = max(0, min(inst.days - span, day - rng.randrange(span)))
        return people, (first, first + span)

    def may(self, e: int, day: int, shift: str) -> bool:
        """Whether person `e` may work `shift` on `day` at all: freeing anybody else for a short
        cover is wasted (instance 13: 18 types, most people barred from a few)."""
        return (e, day) not in self.instance.days_off and self.instance.staff[e].max_shifts[shift] > 0

    def bad_cover(self, roster: frozenset[Key]) -> tuple[int | None, str, bool]:
        """A random (day, shift, short?) whose cover is off its requirement, or (None, '', False)."""
        staffed: dict[tuple[int, str], int] = {}
        for _, d, s in roster:
            staffed[d, s] = staffed.get((d, s), 0) + 1
        off = [c for c in self.instance.cover if staffed.get((c.day, c.shift_id), 0) != c.required]
        if not off:
            return None, "", False
        c = self.rng.choice(off)
        return c.day, c.shift_id, staffed.get((c.day, c.shift_id), 0) < c.required

    def step(self, limit: float) -> None:
        with self.best.lock:  # else a walk's offer between the two reads pairs its roster with the old value
            roster, objective = self.best.roster, self.best.objective
        people, window = self.neighbourhood(roster)
        part = replan(
            self.instance, roster, people, window, limit, self.rng.randrange(1 << 30), self.params, STEP_WORK
        )
        self.steps += 1
        most = MOST * len(self.instance.staff) * self.instance.days
        if part.status == cp_model.OPTIMAL:
            self.cells = min(most, self.cells * GROW)
        else:
            self.cells = max(14.0, self.cells / SHRINK)
        if part.roster is not None and part.objective <= objective:
            self.best.adopt(roster, part.roster, part.objective)


@dataclass(frozen=True)
class Replanned:
    """A sub-problem's answer: CP-SAT's status and, if it found one, the whole roster and its objective."""

    status: int
    roster: frozenset[Key] | None = None
    objective: int = 0


def replan(
    instance: Instance,
    roster: frozenset[Key],
    people: Sequence[int] | None,
    window: tuple[int, int] | None,
    limit: float,
    seed: int,
    params: dict,
    work: float,
    conflicts: int | None = None,
    days: Collection[int] | None = None,
    allowed: Collection[Key] | None = None,
) -> Replanned:
    """`people` (None: everybody) re-planned over `window` (or over `days`) from `roster`, the rest
    fixed, on one CP-SAT worker within `limit` seconds and `work` of deterministic time
    (`conflicts`: those it may spend completing the hint, else the user's setting), working only
    the roster's cells and those `allowed` if given. The search's and the sweep's step."""
    m = NrpModel(instance, people, roster, window, days, allowed)
    m.hint(roster)
    solver = solver_for(limit, seed, 1, params)
    solver.parameters.max_deterministic_time = work
    if conflicts is not None:
        solver.parameters.hint_conflict_limit = conflicts
    status = solver.solve(m.model)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return Replanned(status)
    inside = set(m.people)  # the people modelled: their fixed days are in `assigned` too
    whole = frozenset({key for key in roster if key[0] not in inside} | m.assigned(solver))
    return Replanned(status, whole, round(solver.objective_value))


def improve(
    instance: Instance,
    best: Incumbent,
    deadline: float,
    seed: int,
    params: dict,
    stop: threading.Event,
    polish: Callable[[float], None] | None = None,
) -> int:
    """Improve `best` until `deadline`, `stop`, or its proof; the number of steps. `polish(deadline)`
    after each step: another improver of the incumbent (:class:`allocate.nrp.descent.Polish`)."""
    search = Search(instance, best, seed, params)
    while (left := deadline - time.perf_counter()) > 0.05 and not stop.is_set() and not best.proven:
        search.step(min(left, STEP_LIMIT))
        if polish is not None:
            polish(deadline)
    return search.steps
