"""One person's lawful roster by dynamic programming over days, in a fraction of a second.

Every hard rule of the benchmark binds one person, so a lawful roster of the whole instance is
one lawful roster per person. CP-SAT finds one for a year-long horizon in seconds per person
(instance 24: about 3 s each, 150 people), which does not fit in a minute. This programme does
it in milliseconds, on a restricted but exact model:

* only shift types that neither forbid each other nor themselves as a successor, so successions
  hold by construction; types that can never reach their maximum (``max_shifts * minutes >= the
  person's max minutes``, or at least as many as the days the person can work) come first, and a
  maximum that can bind is kept by the forward pass (below);
* weekends: when the person may work fewer weekends than the horizon has, a fixed set of them is
  workable (those with the fewest days off, then an even spread) and the others are days off;
* everything else exactly: days off, the longest and shortest runs of work and of days off (a
  run touching either edge of the horizon is exempt from its minimum), and the window of total
  minutes, tracked in units of the chosen shifts' greatest common length.

A backward pass gives, for each day, run state and minutes so far, the least cost of a lawful
finish (infinite: none), under the caller's costs (e.g. the cover still short); a forward pass
then follows it day by day. So the result is lawful, and the person's cheapest roster in the
restricted model unless a binding maximum bends the walk; None when the restricted model has no
roster (the caller then asks CP-SAT, which is exact on the whole rule set).
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from collections.abc import Callable

    from allocate.nrp.instance import Instance

Key = tuple[int, int, str]
INF = np.inf
CAPPED = 0.5  # extra cost of a shift type whose maximum can bind: below any benchmark weight


def usable_shifts(instance: Instance, e: int) -> tuple[list[str], dict[str, int]]:
    """Shift types person `e` may work here, none banning another or itself as a successor; and
    the maxima that can bind (the others can never be reached: ``max * minutes >= max minutes``,
    or a maximum at least the days the person can work).

    Types that can never reach their maximum come first, one of each length first (so the
    minutes window is easiest to hit), then the rest.
    """
    emp = instance.staff[e]
    workable = instance.days - sum(1 for d in range(instance.days) if (e, d) in instance.days_off)
    banned = {(s.shift_id, b) for s in instance.shifts for b in s.not_followed_by}
    caps = {
        s.shift_id: emp.max_shifts[s.shift_id]
        for s in instance.shifts
        if emp.max_shifts[s.shift_id] < workable and emp.max_shifts[s.shift_id] * s.minutes < emp.max_minutes
    }
    usable = [
        s
        for s in instance.shifts
        if emp.max_shifts[s.shift_id] > 0 and (s.shift_id, s.shift_id) not in banned
    ]
    usable.sort(key=lambda s: s.shift_id in caps)
    chosen: list[str] = []
    lengths: set[int] = set()
    for first_pass in (True, False):
        for s in usable:
            if s.shift_id in chosen or (first_pass and s.minutes in lengths):
                continue
            if all((s.shift_id, c) not in banned and (c, s.shift_id) not in banned for c in chosen):
                chosen.append(s.shift_id)
                lengths.add(s.minutes)
    return chosen, {s: caps[s] for s in chosen if s in caps}


def closed_weekend_days(instance: Instance, e: int, offset: int = 0) -> set[int]:
    """Weekend days closed to person `e`: whole weekends beyond `max_weekends`.

    Weekends with the most days off already are closed first (closing them costs the least
    work), then an even spread (shifted by `offset`).
    """
    emp = instance.staff[e]
    weekends = instance.weekends
    n, k = len(weekends), emp.max_weekends
    if k >= n:
        return set()
    spread = [i for i in range(n) if ((i + offset) % n + 1) * k // n == ((i + offset) % n) * k // n]
    order = sorted(
        range(n), key=lambda i: (-sum((e, d) in instance.days_off for d in weekends[i]), i not in spread)
    )
    return {d for i in order[: n - k] for d in weekends[i]}


class _Tables:
    """The backward pass: ``value[d]`` holds, per run state and minutes so far, the least cost of
    the days after day `d` in a lawful finish (`INF`: none)."""

    def __init__(
        self,
        instance: Instance,
        e: int,
        shifts: list[str],
        closed: set[int],
        price: dict[tuple[int, str], float],
    ) -> None:
        emp = instance.staff[e]
        minutes = {s.shift_id: s.minutes for s in instance.shifts}
        self.unit = math.gcd(*(minutes[s] for s in shifts))
        self.steps = {s: minutes[s] // self.unit for s in shifts}
        self.size = emp.max_minutes // self.unit + 1  # minutes so far, in units: 0 .. size - 1
        self.low = -(-emp.min_minutes // self.unit)
        self.max_run, self.min_run = emp.max_consecutive, max(1, emp.min_consecutive)
        self.min_off = max(1, emp.min_days_off)
        self.open = [(e, d) not in instance.days_off and d not in closed for d in range(instance.days)]
        # per day, the cheapest shift of each length (steps): the backward pass needs no more
        self.cheapest = [
            {
                step: min(price[d, s] for s in shifts if self.steps[s] == step)
                for step in set(self.steps.values())
            }
            for d in range(instance.days)
        ]
        self.value = self._backward(instance.days)

    def _work(self, arr: np.ndarray, d: int) -> np.ndarray:
        """The value of working day `d`: out[..., m] = min over lengths of cost + arr[..., m + step]."""
        out = np.full_like(arr, INF)
        for step, cost in self.cheapest[d].items():
            if step < self.size:
                np.minimum(
                    out[..., : self.size - step], arr[..., step:] + cost, out=out[..., : self.size - step]
                )
        return out

    def _backward(self, days: int) -> list[tuple[np.ndarray, np.ndarray, np.ndarray]]:
        """Per day: (work runs by length, exempt work runs by length, off runs by length), over minutes.

        Index k of a run array is a run of k days ending that day; an exempt run started on day 0
        and may end shorter than the minimum.
        """
        top, off = self.max_run, self.min_off
        end = np.full(self.size, INF)
        end[self.low :] = 0.0
        w = np.tile(end, (top + 2, 1))
        x, o = w.copy(), np.tile(end, (off + 1, 1))
        tables = [(w, x, o)]
        for d in range(days - 1, 0, -1):
            nw, nx, no = np.full_like(w, INF), np.full_like(x, INF), np.full_like(o, INF)
            if self.open[d]:
                nw[1:top] = self._work(w[2 : top + 1], d)
                nx[1:top] = self._work(x[2 : top + 1], d)
                no[off] = self._work(w[1], d)
            nw[self.min_run : top + 1] = np.minimum(nw[self.min_run : top + 1], o[1])
            nx[1 : top + 1] = np.minimum(nx[1 : top + 1], o[1])
            no[1:off] = np.minimum(no[1:off], o[2 : off + 1])
            no[off] = np.minimum(no[off], o[off])
            w, x, o = nw, nx, no
            tables.append((w, x, o))
        tables.reverse()  # tables[d]: the state after day d (d = 0 .. days - 1)
        return tables


def person_roster(
    instance: Instance, e: int, cost: Callable[[int, str], float] | None = None
) -> set[Key] | None:
    """A lawful roster of person `e`, of least cost in the restricted model (see the module).

    `cost(day, shift)` is the cost of working that shift that day (a day off costs 0). None: the
    restricted model (see the module) has no roster for this person.

    The backward pass ignores the maxima that can bind; the forward pass keeps them (a type at
    its maximum is no longer offered) and prices those types a little higher, so they rarely
    bind. If they do, the attempt fails and the next tries without those types, then with other
    weekends closed.
    """
    shifts, caps = usable_shifts(instance, e)
    free = [s for s in shifts if s not in caps]
    attempts = [(shifts, 0), (free, 0), (shifts, 1), (free, 1), (shifts, 2)]
    for chosen, offset in attempts:
        if chosen and (
            roster := _attempt(instance, e, chosen, caps, closed_weekend_days(instance, e, offset), cost)
        ):
            return roster
    return None


def _attempt(
    instance: Instance,
    e: int,
    shifts: list[str],
    caps: dict[str, int],
    closed: set[int],
    cost: Callable[[int, str], float] | None,
) -> set[Key] | None:
    price = {
        (d, s): (cost(d, s) if cost else 0.0) + (CAPPED if s in caps else 0.0)
        for d in range(instance.days)
        for s in shifts
    }
    t = _Tables(instance, e, shifts, closed, price)
    kind, k, m = "o", t.min_off, 0  # before day 0: days off without end
    used = dict.fromkeys(caps, 0)
    roster: set[Key] = set()
    for d in range(instance.days):
        w, x, o = t.value[d]
        moves: list[tuple[float, str, int, str | None, int]] = []  # cost, kind, k, shift, minutes
        if kind == "o":  # a day off
            moves.append((0.0, "o", min(k + 1, t.min_off), None, m))
        elif kind == "x" or k >= t.min_run:
            moves.append((0.0, "o", 1, None, m))
        if t.open[d]:  # a shift
            if kind == "o" and k >= t.min_off:
                nxt = ("x" if d == 0 else "w", 1)
            elif kind in "wx" and k < t.max_run:
                nxt = (kind, k + 1)
            else:
                nxt = None
            if nxt is not None:
                for s in shifts:
                    if s in used and used[s] >= caps[s]:
                        continue
                    moves.append((price[d, s], nxt[0], nxt[1], s, m + t.steps[s]))
        tables = {"w": w, "x": x, "o": o}
        lawful = [
            (c + rest, move)
            for move in moves
            if move[4] < t.size and (rest := tables[move[1]][move[2], move[4]]) < INF
            for c in (move[0],)
        ]
        if not lawful:
            return None
        _, (_, kind, k, s, m) = min(lawful, key=lambda pair: pair[0])
        if s is not None:
            roster.add((e, d, s))
            if s in used:
                used[s] += 1
    return roster
