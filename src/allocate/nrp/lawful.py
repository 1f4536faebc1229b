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

:class:`ExactProgramme` is the exact counterpart for column generation's pricing: every shift
type, every rule, the resources (weekends, minutes, the maxima that can bind) in the state, a
forward pass and a walk back; milliseconds a person on instances 1-19, where its state fits.
With a backward pass too, it gives the least cost of a roster working each cell at once
(:meth:`ExactProgramme.through`, for the Lagrangian core of :mod:`allocate.nrp.core`).
"""

from __future__ import annotations

import functools
import math
import threading
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from allocate.nrp import compiled

if TYPE_CHECKING:
    from collections.abc import Callable

    from allocate.nrp.instance import Instance

Key = tuple[int, int, str]
INF = np.inf
# a cost per (day, shift index): the pricer's arrays (`allocate.nrp.pricing.Pricer.costs`) or lists
Costs = np.ndarray | list[list[float]]
_SCRATCH = threading.local()  # each thread's arrays for the forward pass (see `_scratch`)
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


class ExactProgramme:
    """One person's cheapest roster under every hard rule: a dynamic programme over days.

    Column generation prices each person once a round; CP-SAT takes up to seconds per person
    (instance 8: 30 people), this takes milliseconds. A state after a day is the run (the shift
    worked that day and the length of the run of work, or the length of the run of days off, up
    to its minimum), and the resources spent: weekends worked, minutes (in units of the shift
    lengths' greatest common divisor), and the shifts of each type whose maximum can bind. The
    run in the state keeps successions, runs and days off exactly, including the exemptions at
    the horizon's edges (a run touching either edge is exempt from its minimum; the horizon
    starts after days off without end); the resources keep the maxima and the window of minutes.

    A binding maximum of a type costs a dimension of its maximum + 1. When the state would pass
    `ELEMENTS` (kept over every day for the walk back), the largest of them are relaxed: the
    value is then a lower bound only, and the roster exact when it keeps them anyway
    (:attr:`Cheapest.exact`). Without room even for those relaxed (`ROOM`), no programme
    (`ready` False).
    """

    # floats kept over the horizon for the walk back (24 MB) with the binding maxima counted;
    # more is slower (instance 8 at 8 M: a pricing of everybody 4.5 times slower)
    ELEMENTS = 3_000_000
    ROOM = 8_000_000  # the same with every binding maximum relaxed: everybody of 1-19 (19: 7.0 M)

    def __init__(self, instance: Instance, e: int) -> None:
        emp = instance.staff[e]
        self.e, self.days = e, instance.days
        self.shifts = [s for s in instance.shifts if emp.max_shifts[s.shift_id] > 0]
        ids = [s.shift_id for s in self.shifts]
        banned = {(s.shift_id, b) for s in instance.shifts for b in s.not_followed_by}
        self.preds = [[i for i, a in enumerate(ids) if (a, b) not in banned] for b in ids]
        self.open = [(e, d) not in instance.days_off for d in range(instance.days)]
        self.unit = math.gcd(*(s.minutes for s in self.shifts)) if self.shifts else 1
        self.steps = [s.minutes // self.unit for s in self.shifts]
        self.low = -(-emp.min_minutes // self.unit)
        self.max_run, self.min_run = max(1, emp.max_consecutive), max(1, emp.min_consecutive)
        self.min_off = max(1, emp.min_days_off)
        self.weekend = len(instance.weekends) > emp.max_weekends  # a maximum of weekends that binds
        workable = sum(self.open)
        binding = [
            i
            for i, s in enumerate(self.shifts)
            if emp.max_shifts[s.shift_id] < workable
            and (emp.max_shifts[s.shift_id] + 1) * s.minutes <= emp.max_minutes
        ]
        base = [emp.max_weekends + 1 if self.weekend else 1, emp.max_minutes // self.unit + 1]
        per_day = (2 * len(self.shifts) + 1) * max(self.max_run, self.min_off)
        self.counted: list[int] = []  # the binding maxima kept in the state, by shift index
        self.relaxed: dict[str, int] = {}  # the binding maxima left out: checked on the roster
        for i in sorted(binding, key=lambda i: emp.max_shifts[ids[i]]):
            extra = emp.max_shifts[ids[i]] + 1
            if self.days * per_day * math.prod(base) * extra <= self.ELEMENTS:
                self.counted.append(i)
                base.append(extra)
            else:
                self.relaxed[ids[i]] = emp.max_shifts[ids[i]]
        self.shape = tuple(base)
        self._moves: dict[tuple[int, int, int], tuple[tuple, tuple] | None] = {}
        self.ready = bool(self.shifts) and self.days * per_day * math.prod(base) <= max(
            self.ELEMENTS, self.ROOM
        )

    def _delta(self, i: int, weekend: int) -> tuple[int, ...]:
        """The resources shift `i` spends (`weekend`: 1 when it makes a new weekend worked)."""
        counts = tuple(1 if j == i else 0 for j in self.counted)
        return (weekend if self.weekend else 0, self.steps[i], *counts)

    def _move(self, i: int, weekend: int, lead: int) -> tuple[tuple, tuple] | None:
        """The slices of working shift `i`: (into, from) over `lead` leading axes and the
        resources; None when it spends more than the state holds. Cached: a pricing takes
        thousands of these."""
        key = (i, weekend, lead)
        if key not in self._moves:
            delta = self._delta(i, weekend)
            if any(n <= dl for n, dl in zip(self.shape, delta, strict=True)):
                self._moves[key] = None
            else:
                into = (slice(None),) * lead + tuple(slice(dl, None) for dl in delta)
                take = (slice(None),) * lead + tuple(
                    slice(0, n - dl) for n, dl in zip(self.shape, delta, strict=True)
                )
                self._moves[key] = (into, take)
        return self._moves[key]

    def cheapest(self, cost: Costs) -> Cheapest | None:
        """The roster of least ``sum cost[day][shift index]`` worked; None when none is lawful."""
        return self._walk_back(self._forward(cost), cost)

    @functools.cached_property
    def plan(self) -> tuple[np.ndarray, ...]:
        """What :func:`allocate.nrp.compiled.forward` needs of this person beyond the costs:
        the open days; the sets of predecessors (members, sizes) and each shift's (-1: none);
        the moves over the flattened resources as segments (source start, target start,
        length: a move is a block of the resources, rows of it contiguous) and each (shift,
        weekend)'s range of them."""
        shifts = len(self.shifts)
        index = np.arange(math.prod(self.shape)).reshape(self.shape)
        segments = []
        moves = np.zeros((shifts, 2, 2), dtype=np.int64)
        count = 0
        for i in range(shifts):
            for weekend in (0, 1):
                moves[i, weekend, 0] = count
                move = self._move(i, weekend, 0)
                if move is not None:
                    into, take = move
                    segments.append(_segments(index[take].ravel(), index[into].ravel()))
                    count += len(segments[-1])
                moves[i, weekend, 1] = count
        # smallest first: a set's least runs are those of the largest set before it within it
        # (its parent), and its other members' (instance 13: 14 runs read a day, not 48)
        sets = sorted({tuple(p) for p in self.preds if p}, key=lambda preds: (len(preds), preds))
        members = np.zeros((max(1, len(sets)), shifts), dtype=np.int64)
        sizes = np.zeros(max(1, len(sets)), dtype=np.int64)
        parents = np.full(max(1, len(sets)), -1, dtype=np.int64)
        for g, preds in enumerate(sets):
            within = [h for h in range(g) if set(sets[h]) < set(preds)]
            parent = max(within, key=lambda h: len(sets[h]), default=-1)
            rest = sorted(set(preds) - set(sets[parent])) if parent >= 0 else list(preds)
            members[g, : len(rest)] = rest
            sizes[g] = len(rest)
            parents[g] = parent
        group_of = np.array([sets.index(tuple(p)) if p else -1 for p in self.preds], dtype=np.int64)
        return (
            np.array(self.open, dtype=np.bool_),
            members,
            sizes,
            parents,
            group_of,
            np.concatenate(segments) if segments else np.zeros((0, 3), dtype=np.int64),
            moves,
        )

    def _forward(self, cost: Costs) -> list[tuple[np.ndarray, np.ndarray, np.ndarray]]:
        """Per day, the least cost of reaching each state after the days before it: the arrays
        (work runs, the run from day 0, days off) over the run and the resources.

        Each state is reached by work from one kind of state only (a shift after days off, or
        after its predecessors' runs), so each region of a day's arrays is written once. The
        pass itself is compiled (:mod:`allocate.nrp.compiled`): in numpy it was hundreds of small
        calls a day, the interpreter's overhead, under its lock. The arrays are this thread's
        scratch (`_scratch`), valid until its next pass: fresh ones each call (26 MB a person on
        instance 19) cost as much in page faults as the pass itself."""
        S, K, O = len(self.shifts), self.max_run, self.min_off  # noqa: E741
        days, size = self.days, math.prod(self.shape)
        flat = _scratch((days + 1) * (S * K + S + O) * size)
        cut = [(days + 1) * S * K * size, (days + 1) * (S * K + S) * size]
        ws, xs, os = (
            flat[: cut[0]].reshape(days + 1, S, K, size),
            flat[cut[0] : cut[1]].reshape(days + 1, S, size),
            flat[cut[1] :].reshape(days + 1, O, size),
        )
        open_days, members, sizes, parents, group_of, segments, moves = self.plan
        compiled.forward(
            ws,
            xs,
            os,
            np.asarray(cost, dtype=np.float64),
            open_days,
            self.min_run,
            members,
            sizes,
            parents,
            group_of,
            segments,
            moves,
        )
        ws, xs, os = (
            ws.reshape(days + 1, S, K, *self.shape),
            xs.reshape(days + 1, S, *self.shape),
            os.reshape(days + 1, O, *self.shape),
        )
        return [(ws[d], xs[d], os[d]) for d in range(days + 1)]

    def through(self, cost: Costs) -> np.ndarray:
        """``out[day, shift index]``: the least cost of a roster working that shift that day
        (`INF`: none lawful); a lower bound only where a relaxed maximum binds.

        The forward pass's least cost to each state after a day plus a backward pass's least
        cost from it to the horizon's end: two passes for every cell, where forcing each cell
        into :meth:`cheapest` takes one pass a cell (instance 12: 19 s for everybody).
        The backward pass is the forward one transposed: each move from state a to state b
        at cost c becomes ``back[a] = min(back[a], c + back[b])``."""
        forward = self._forward(cost)
        S, K, O = len(self.shifts), self.max_run, self.min_off  # noqa: E741
        days = self.days
        end = (slice(None), slice(self.low, None))  # weekends, then enough minutes at the end
        bw, bx, bo = (
            np.full((S, K, *self.shape), INF),
            np.full((S, *self.shape), INF),
            np.full((O, *self.shape), INF),
        )
        bw[(slice(None), slice(None), *end)] = 0.0
        bx[(slice(None), *end)] = 0.0
        bo[(slice(None), *end)] = 0.0
        out = np.full((days, S), INF)
        for d in range(days - 1, -1, -1):
            w, x, _ = forward[d + 1]
            out[d] = np.minimum((w + bw).reshape(S, -1).min(axis=1), (x + bx).reshape(S, -1).min(axis=1))
            pw, px, po = np.full_like(bw, INF), np.full_like(bx, INF), np.full_like(bo, INF)
            # the day off after a run (or after days off, with no minimum to keep)
            np.minimum(pw[:, self.min_run - 1 :], bo[0], out=pw[:, self.min_run - 1 :])
            if d <= K:
                np.minimum(px, bo[0], out=px)
            if O > 1:
                po[:-1] = bo[1:]
                np.minimum(po[O - 1], bo[O - 1], out=po[O - 1])
            else:
                np.minimum(po[0], bo[0], out=po[0])
            if self.open[d]:
                after_off = 1 if d % 7 in (5, 6) else 0
                after_work = 1 if d % 7 == 5 else 0
                for i in range(S):
                    c = cost[d][i]
                    if d == 0:
                        _back_add(po[O - 1], bx[i], self._move(i, after_off, 0), c)
                        continue
                    _back_add(po[O - 1], bw[i, 0], self._move(i, after_off, 0), c)
                    for p in self.preds[i]:
                        if K > 1:
                            _back_add(pw[p, : K - 1], bw[i, 1:], self._move(i, after_work, 1), c)
                        if d < K:
                            _back_add(px[p], bx[i], self._move(i, after_work, 0), c)
            bw, bx, bo = pw, px, po
        return out

    def _walk_back(self, kept: list, cost: Costs) -> Cheapest | None:
        """The roster of the best end state, day by day back to the start."""
        w, x, o = kept[-1]
        best: tuple[float, str, tuple[int, ...]] | None = None
        for a, kind, lead in ((w, "w", 2), (x, "x", 1), (o, "o", 1)):
            sub = a[(slice(None),) * (lead + 1) + (slice(self.low, None),)]  # enough minutes at the end
            if sub.size and (v := float(sub.min())) < INF and (best is None or v < best[0]):
                idx = list(np.unravel_index(int(np.argmin(sub)), sub.shape))
                idx[lead + 1] += self.low
                best = (v, kind, tuple(int(i) for i in idx))
        if best is None:
            return None
        value, kind, idx = best
        state: tuple = (kind, *idx)
        roster: set[Key] = set()
        for d in range(self.days - 1, -1, -1):
            state, shift = self._back(kept[d], state, d, value, cost)
            if shift is not None:
                roster.add((self.e, d, self.shifts[shift].shift_id))
                value -= cost[d][shift]
        used = {s: sum(1 for k in roster if k[2] == s) for s in self.relaxed}
        return Cheapest(frozenset(roster), best[0], all(used[s] <= cap for s, cap in self.relaxed.items()))

    def _back(self, before: tuple, state: tuple, d: int, value: float, cost: Costs) -> tuple:
        """The state after day ``d - 1`` that `state` after day `d` comes from, and the shift of day `d`."""
        w, x, o = before
        O, kind = self.min_off, state[0]  # noqa: E741
        if kind == "o":
            j, r = state[1], tuple(state[2:])
            options = []
            if j == 0:
                options += [
                    ("w", s, k, *r)
                    for s in range(len(self.shifts))
                    for k in range(self.min_run - 1, self.max_run)
                ]
                options += [("x", s, *r) for s in range(len(self.shifts))]
            if j > 0 or O == 1:
                options.append(("o", j - 1 if j > 0 else 0, *r))
            if j == O - 1 and O > 1:
                options.append(("o", O - 1, *r))
            arrays = {"w": w, "x": x, "o": o}
            for option in options:
                if arrays[option[0]][option[1:]] == value:
                    return option, None
            raise AssertionError("no state before")  # pragma: no cover - the forward pass made one
        i = state[1]
        c = cost[d][i]
        after_off = 1 if d % 7 in (5, 6) else 0
        after_work = 1 if d % 7 == 5 else 0
        if (kind == "w" and state[2] == 0) or (kind == "x" and d == 0):
            r = _minus(state[3:] if kind == "w" else state[2:], self._delta(i, after_off))
            return ("o", O - 1, *r), i
        r = _minus(state[3:] if kind == "w" else state[2:], self._delta(i, after_work))
        for s in self.preds[i]:
            option = ("w", s, state[2] - 1, *r) if kind == "w" else ("x", s, *r)
            arr = w if kind == "w" else x
            if arr[option[1:]] + c == value:
                return option, i
        raise AssertionError("no state before")  # pragma: no cover - the forward pass made one


@dataclass(frozen=True)
class Cheapest:
    """A roster of least cost in the programme; `exact` when it keeps every maximum (the relaxed too)."""

    roster: frozenset[Key]
    value: float  # its cost, the least over every lawful roster when `exact`, else a lower bound
    exact: bool


def _back_add(out: np.ndarray, src: np.ndarray, move: tuple[tuple, tuple] | None, cost: float) -> None:
    """``out[take] = min(out[take], src[into] + cost)``: a shift worked (its resources spent,
    :meth:`ExactProgramme._move`), read backwards from the state it leads to."""
    if move is not None:
        into, take = move
        np.minimum(out[take], src[into] + cost, out=out[take])


def _minus(r: tuple, delta: tuple[int, ...]) -> tuple[int, ...]:
    return tuple(int(a) - b for a, b in zip(r, delta, strict=True))


def _scratch(n: int) -> np.ndarray:
    """This thread's scratch array of `n` floats, uninitialised: grown, never shrunk, so a
    pricing thread touches its memory once, not once a pass."""
    flat = getattr(_SCRATCH, "flat", None)
    if flat is None or flat.size < n:
        flat = _SCRATCH.flat = np.empty(n)
    return flat[:n]


def _segments(src: np.ndarray, dst: np.ndarray) -> np.ndarray:
    """The runs of a move's (source, target) index pairs where both go up by one: rows of
    (source start, target start, length), so the compiled pass copies rows, not indexes."""
    if not src.size:
        return np.zeros((0, 3), dtype=np.int64)
    starts = np.flatnonzero(np.r_[True, (np.diff(src) != 1) | (np.diff(dst) != 1)])
    lengths = np.diff(np.r_[starts, src.size])
    return np.stack([src[starts], dst[starts], lengths], axis=1).astype(np.int64)
