"""Pricing for column generation: one person's best roster under prices on the cover.

A column of the master problem (:mod:`allocate.nrp.columns`) is one person's whole roster. Given
a price per (day, shift) from the master's duals, the best new column of person `e` is the roster
that minimises its request penalty minus the prices of the shifts it works, under every hard
rule of that person. That is the one-person model the rest of the solver uses
(:class:`allocate.nrp.model.NrpModel` with ``people=(e,)``), built once; each round only its
objective changes. CP-SAT needs integer coefficients, so prices are in units of ``1 / SCALE``
(the master rounds its duals to that grid, and the Lagrangian bound it reports is computed with
the rounded prices, so it stays a valid bound).
"""

from __future__ import annotations

import functools
import math
from collections import Counter
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
from ortools.sat.python import cp_model

from allocate.model.params import solver_for
from allocate.nrp.lawful import ExactProgramme
from allocate.nrp.model import Key, NrpModel

if TYPE_CHECKING:
    from collections.abc import Collection

    from allocate.nrp.instance import Instance

SCALE = 1000  # prices in thousandths of a penalty point
PENALTY_ROUNDS = 16  # programme runs that price up a relaxed maximum the roster breaks
SURCHARGE = 8 * SCALE  # the first surcharge on a type whose relaxed maximum the roster breaks
# the bonus (scaled) of a cell a dive forced (`Pricer.forced`): more than every other cost of a
# roster together, so the least roster works every forced cell it lawfully can; small enough
# that a horizon of them stays exact in floating point (364 days: 3.6e11, below 2 ** 53)
FORCE = 10**9


def cover_value(instance: Instance, prices: dict[tuple[int, str], int]) -> int:
    """``sum prices[c] * required[c]`` over the cover (scaled): the first term of every Lagrangian
    value (column generation's bound, its warm-up, the core's total)."""
    return sum(p * c.required for c in instance.cover if (p := prices[c.day, c.shift_id]))


@dataclass(frozen=True)
class Surcharged:
    """The programme's answer under surcharges (:meth:`Pricer.surcharged`), values scaled."""

    found: list[frozenset[Key]]  # the lawful rosters met, the best last
    bound: int  # the Lagrangian bound: no lawful roster is worth less
    proven: bool  # the best of `found` meets `bound`
    surcharge: dict[str, int]  # the surcharges of `bound` (none on a maximum kept exactly)


@dataclass(frozen=True)
class Priced:
    """A pricing answer: the rosters met on the way (the last the best) and a lower bound (scaled)."""

    found: list[frozenset[Key]]  # every improving roster the solver met, the best last
    bound: int | None  # a lower bound on the scaled value over all lawful rosters; None: unknown
    exact: bool = False  # the last of `found` is proven the best


class _Collect(cp_model.CpSolverSolutionCallback):
    """Keeps every roster the solver meets: the master gains several columns per solve."""

    def __init__(self, m: NrpModel) -> None:
        super().__init__()
        self.m = m
        self.found: list[frozenset[Key]] = []

    def on_solution_callback(self) -> None:
        self.found.append(frozenset(self.m.assigned(self)))


class Pricer:
    """The pricing problem of one person, built once and re-priced each round."""

    def __init__(self, instance: Instance, e: int) -> None:
        self.instance, self.e = instance, e
        self.programme = ExactProgramme(instance, e)
        self._m: NrpModel | None = None  # built when first needed: the programme serves most pricings
        self.fixed = 0  # the on-requests' weights: all unmet on a day off
        # the surcharges of the last best Lagrangian bound: the next pricing starts there, as the
        # prices move little from round to round (see `surcharged`)
        self.surcharge: dict[str, int] = dict.fromkeys(self.programme.relaxed, 0)
        self.request: dict[Key, int] = {}  # change of the request penalty when the key is worked
        # the (day, shift) cells a dive forced on this person (:meth:`ColumnGeneration.force`):
        # each priced `FORCE` less, the value counted without it
        self.forced: frozenset[tuple[int, str]] = frozenset()
        # the cells a search barred this person from (:meth:`ColumnGeneration.restrict`): each priced
        # `FORCE` more, so the least roster works none it can lawfully avoid
        self.barred: frozenset[tuple[int, str]] = frozenset()
        for r in instance.on_requests:
            if r.employee == e:
                self.fixed += r.weight
                key = (e, r.day, r.shift_id)
                self.request[key] = self.request.get(key, 0) - r.weight
        for r in instance.off_requests:
            if r.employee == e:
                key = (e, r.day, r.shift_id)
                self.request[key] = self.request.get(key, 0) + r.weight

    def cost(self, keys: Collection[Key]) -> int:
        """The request penalty of a roster of this person (its cost in the master)."""
        return self.fixed + sum(self.request.get(key, 0) for key in keys)

    def bend(self, day: int, shift: str) -> int:
        """What a cell's price is bent by (scaled): `FORCE` less where forced, more where barred."""
        return (FORCE if (day, shift) in self.barred else 0) - (FORCE if (day, shift) in self.forced else 0)

    @property
    def m(self) -> NrpModel:
        """The one-person CP-SAT model: exact on every rule, for what the programme cannot serve."""
        if self._m is None:
            self._m = NrpModel(self.instance, [self.e])
        return self._m

    def price(
        self,
        prices: dict[tuple[int, str], int],
        limit: float,
        seed: int = 0,
        params: dict | None = None,
        hint: Collection[Key] = (),
        exact: bool = True,
        cutoff: int | None = None,
    ) -> Priced:
        """The roster minimising ``SCALE * cost - sum of prices[day, shift] worked`` (prices scaled).

        The dynamic programme first (milliseconds), surcharging the types whose relaxed maximum
        its roster breaks (:meth:`surcharged`). When that proves no optimum: with `exact`, CP-SAT
        (its bound at least the surcharges'); without, the lawful rosters met and the surcharges'
        bound (not proven): a round of column generation needs improving columns, not the best,
        and CP-SAT at 0.25 s a person starved it (instance 15: 40 of 45 people relax a maximum).
        CP-SAT also when the programme has no room for this person's state. Without `exact`, a
        `cutoff` ends the surcharging at the first lawful roster worth less (see :meth:`surcharged`).
        """
        floor = None
        if self.programme.ready:
            met = self.surcharged(prices, None if exact else cutoff)
            if met is not None:
                if met.proven:
                    return Priced(met.found, met.bound, True)
                if not exact:
                    return Priced(met.found, met.bound, False)
                floor, hint = met.bound, met.found[-1] if met.found else hint
        priced = self.by_cp_sat(prices, limit, seed, params, hint)
        if floor is None:
            return priced
        return Priced(
            priced.found, max(floor, priced.bound) if priced.bound is not None else floor, priced.exact
        )

    def surcharged(self, prices: dict[tuple[int, str], int], cutoff: int | None = None) -> Surcharged | None:
        """The programme's lawful rosters under surcharges on the types whose relaxed maximum
        its roster breaks, and their Lagrangian bound; None: the programme finds no roster.

        With a surcharge ``l[s] >= 0`` per relaxed type, the programme's least value less
        ``sum l[s] * max[s]`` bounds every lawful roster's value from below (each pays at most
        ``l[s] * max[s]`` in surcharges). Starting from the surcharges of the last best bound
        (none the first time), a type whose maximum the roster breaks is surcharged up (doubled,
        from `SURCHARGE` at least, then bisected); one kept below its maximum while surcharged,
        down: `PENALTY_ROUNDS` runs of milliseconds at most, fewer when a lawful roster meets the
        bound (proven the least). Fewer runs starve a column generation of columns (instance 15,
        one thread, 30 s of CPU: at 4 runs its LP stalls at 5105, at 8 it reaches 4056, with
        about 4.4 runs a person a round; with the compiled pass, 24 s of a minute: at 8 runs it
        stalls at 4,014, its bound 3,739; at 16, 3,838 and 3,810, the best known being 3,828).

        With a `cutoff` (scaled), the runs also end at the first lawful roster worth less: a round
        of column generation needs an improving column, and the bound of a round far from the
        LP's optimum is far below it anyway (instance 13: its generation from 47 s to 41 s, its
        pricing from 22 s to 15 s; see :data:`allocate.nrp.columns.IMPROVING`). The bound is then
        that of the runs made.
        """
        relaxed = self.programme.relaxed
        surcharge = dict(self.surcharge)
        low = dict.fromkeys(relaxed, 0)
        high: dict[str, int | None] = dict.fromkeys(relaxed, None)
        bound: int | None = None
        met: dict[frozenset[Key], int] = {}  # lawful roster -> its value
        base = self._base(prices)
        for _ in range(PENALTY_ROUNDS):
            cheapest = self.programme.cheapest(base + self._extra(surcharge))
            if cheapest is None:
                return None
            value = SCALE * self.fixed + round(cheapest.value) + FORCE * len(self.forced)
            lagrangian = value - sum(surcharge[s] * cap for s, cap in relaxed.items())
            if bound is None or lagrangian > bound:
                bound, self.surcharge = lagrangian, dict(surcharge)
            used = Counter(s for (_, _, s) in cheapest.roster)
            if cheapest.exact:
                met[cheapest.roster] = value - sum(surcharge[s] * used[s] for s in relaxed)
                if min(met.values()) <= bound or (cutoff is not None and min(met.values()) < cutoff):
                    break
            for s, cap in relaxed.items():
                if used[s] > cap:
                    low[s] = surcharge[s]
                elif used[s] < cap and surcharge[s] > 0:
                    high[s] = surcharge[s]
                else:
                    continue
                top = high[s]
                surcharge[s] = max(2 * low[s], SURCHARGE) if top is None else (low[s] + top) // 2
        assert bound is not None  # PENALTY_ROUNDS >= 1
        found = sorted(met, key=lambda roster: -met[roster])  # the best last
        return Surcharged(found, bound, bool(found) and met[found[-1]] <= bound, dict(self.surcharge))

    def costs(self, prices: dict[tuple[int, str], int], extra: dict[str, int] | None = None) -> np.ndarray:
        """The programme's cost of each (day, shift index): the request change less the price,
        plus `extra` on some shift types (scaled)."""
        return self._base(prices) + self._extra(extra)

    def _base(self, prices: dict[tuple[int, str], int]) -> np.ndarray:
        """`costs` before the surcharges, once a pricing (its runs differ in surcharges only).
        In arrays, not nested lists rebuilt cell by cell on every run under the interpreter's
        lock: instance 13, a pass over its 120 people at random prices took 0.45 s on one
        thread and 0.24-0.26 s on two, now 0.39-0.41 s and 0.22 s. Every term is an integer,
        so the floats are exact (the same costs, the same rosters)."""
        shifts = self.programme.shifts
        priced = np.array(
            [[prices.get((d, s.shift_id), 0) for s in shifts] for d in range(self.instance.days)],
            dtype=np.float64,
        ).reshape(self.instance.days, len(shifts))
        base = self._requests - priced
        for d, shift in self.barred | self.forced:
            if shift in self._column:
                base[d, self._column[shift]] += self.bend(d, shift)
        return base

    def _extra(self, extra: dict[str, int] | None) -> np.ndarray:
        """`extra` by shift index, to add to every day's row."""
        extra = extra or {}
        return np.array([extra.get(s.shift_id, 0) for s in self.programme.shifts], dtype=np.float64)

    @functools.cached_property
    def _column(self) -> dict[str, int]:
        """Each shift type's index among the programme's shifts."""
        return {s.shift_id: i for i, s in enumerate(self.programme.shifts)}

    @functools.cached_property
    def _requests(self) -> np.ndarray:
        """``SCALE *`` the request change of each (day, shift index) worked (fixed per person)."""
        out = np.zeros((self.instance.days, len(self.programme.shifts)))
        for (_, d, shift), change in self.request.items():
            if shift in self._column:
                out[d, self._column[shift]] = SCALE * change
        return out

    def line(
        self,
        prices: dict[tuple[int, str], int],
        hint: Collection[Key],
        limit: float,
        seed: int = 0,
        params: dict | None = None,
    ) -> frozenset[Key] | None:
        """A lawful roster of low ``SCALE * cost - prices worked``, for a local search: the least
        when the programme keeps every maximum (most people, instances 1-19).

        When its roster breaks a maximum it relaxed, the types it broke are priced up by a
        surcharge, doubled until the roster keeps them, then bisected (`PENALTY_ROUNDS` runs in
        all, the cheapest lawful roster kept): milliseconds, not proven the least, where CP-SAT
        takes seconds to prove one (instance 19). Else CP-SAT (`limit` seconds, from `hint`).
        None: nothing lawful found.
        """
        if self.programme.ready:
            met = self.surcharged(prices)
            if met is None:
                return None  # no lawful roster at all
            if met.found:
                return met.found[-1]
        found = self.by_cp_sat(prices, limit, seed, params, hint).found
        return found[-1] if found else None

    def by_cp_sat(
        self,
        prices: dict[tuple[int, str], int],
        limit: float,
        seed: int,
        params: dict | None,
        hint: Collection[Key],
    ) -> Priced:
        """The pricing problem on CP-SAT."""
        self.m.model.clear_objective()
        objective = self.m.model.proto.objective
        objective.offset = SCALE * self.fixed + FORCE * len(self.forced)
        objective.scaling_factor = 1.0
        for key, xs in self.m.work.items():
            index = xs[0].index
            coef = SCALE * self.request.get(key, 0) - prices.get((key[1], key[2]), 0)
            coef += self.bend(key[1], key[2])
            if coef:
                objective.vars.append(index)
                objective.coeffs.append(coef)
        if hint:
            self.m.hint(hint)
        solver = solver_for(limit, seed, 1, params or {})
        solver.parameters.symmetry_level = 0  # one person: nothing to gain, and 30 % faster
        solver.parameters.linearization_level = 1
        solver.parameters.cp_model_presolve = False  # half the time of a solve this small (instance 7)
        collect = _Collect(self.m)
        status = solver.solve(self.m.model, collect)
        if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            return Priced([], None)
        value = round(solver.objective_value)
        bound = value if status == cp_model.OPTIMAL else math.ceil(solver.best_objective_bound - 1e-6)
        return Priced(collect.found, bound, status == cp_model.OPTIMAL)
