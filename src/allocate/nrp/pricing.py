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

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ortools.sat.python import cp_model

from allocate.model.params import solver_for
from allocate.nrp.model import Key, NrpModel

if TYPE_CHECKING:
    from collections.abc import Collection

    from allocate.nrp.instance import Instance

SCALE = 1000  # prices in thousandths of a penalty point


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
        self.e = e
        self.m = NrpModel(instance, [e])
        self.keys = list(self.m.work)
        self.index = [xs[0].index for xs in self.m.work.values()]
        self.fixed = 0  # the on-requests' weights: all unmet on a day off
        self.request: dict[Key, int] = {}  # change of the request penalty when the key is worked
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

    def price(
        self,
        prices: dict[tuple[int, str], int],
        limit: float,
        seed: int = 0,
        params: dict | None = None,
        hint: Collection[Key] = (),
    ) -> Priced:
        """The roster minimising ``SCALE * cost - sum of prices[day, shift] worked`` (prices scaled)."""
        self.m.model.clear_objective()
        objective = self.m.model.proto.objective
        objective.offset = SCALE * self.fixed
        objective.scaling_factor = 1.0
        for key, index in zip(self.keys, self.index, strict=True):
            coef = SCALE * self.request.get(key, 0) - prices.get((key[1], key[2]), 0)
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
