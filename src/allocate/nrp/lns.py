"""Large-neighbourhood search by people and by weeks, around CP-SAT.

CP-SAT's own neighbourhoods are generic (random variables, constraint graph). Rosters have a
natural structure: re-planning a few people over the whole horizon, or everybody over a few
weeks, while the rest of the roster stays as it is. Each such sub-problem is small enough for
one CP-SAT worker to solve to optimality in a second or so, so the search walks from roster to
better roster. One neighbourhood per worker is solved at a time, in threads (CP-SAT releases
the GIL), and the best gain is kept. The neighbourhood grows while sub-problems are solved to
optimality and shrinks while they time out.
"""

from __future__ import annotations

import random
import time
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING

from ortools.sat.python import cp_model

from allocate.model.params import solver_for

if TYPE_CHECKING:
    from allocate.nrp.model import NrpModel

Key = tuple[int, int, str]
SUB_LIMIT = 1.0  # seconds per neighbourhood, at the smallest


class _Search:
    def __init__(self, m: NrpModel, seed: int, params: dict) -> None:
        self.m, self.params = m, params
        self.rng = random.Random(seed)
        self.share = 0.15  # of the people (or of the weeks) set free

    @property
    def limit(self) -> float:
        """Seconds per neighbourhood: a wider one gets longer."""
        return SUB_LIMIT * (1 + 4 * self.share)

    def neighbourhood(self, values: dict[Key, int]) -> set[Key]:
        """The x variables kept at their value: all but some people, some weeks, or both."""
        m, rng = self.m, self.rng
        people, weeks = len(m.instance.staff), m.instance.days // 7
        kind = rng.randrange(3) if weeks > 1 else 0
        if kind == 0:  # some people, the whole horizon
            free = set(rng.sample(range(people), max(2, min(people, round(self.share * people)))))
            return {key for key in m.work if key[0] not in free}
        span = max(1, min(weeks, round(self.share * weeks * (2 if kind == 1 else 4))))
        short = self.uncovered(values)
        if short and rng.random() < 0.7:  # a window around a cover left short, where gains are
            day = rng.choice(short)
            first = 7 * rng.randrange(max(0, day // 7 - span + 1), min(weeks - span, day // 7) + 1)
        else:
            first = 7 * rng.randrange(weeks - span + 1)
        if kind == 1:  # everybody, some weeks
            return {key for key in m.work if not first <= key[1] < first + 7 * span}
        # twice the people over twice the weeks
        free = set(rng.sample(range(people), max(2, min(people, round(2 * self.share * people)))))
        return {key for key in m.work if key[0] not in free or not first <= key[1] < first + 7 * span}

    def uncovered(self, values: dict[Key, int]) -> list[int]:
        """The days of the covers staffed below their requirement."""
        staffed: dict[tuple[int, str], int] = {}
        for (_, day, shift), v in values.items():
            if v:
                staffed[day, shift] = staffed.get((day, shift), 0) + 1
        return [c.day for c in self.m.instance.cover if staffed.get((c.day, c.shift_id), 0) < c.required]

    def solve(
        self, keep: set[Key], values: dict[Key, int], limit: float, seed: int
    ) -> tuple[int, int | None, dict]:
        """(CP-SAT status, objective or None, values) of the best roster around `values`."""
        sub = self.m.model.clone()
        sub.clear_hints()
        for key, xs in self.m.work.items():
            var = sub.get_bool_var_from_proto_index(xs[0].index)
            if key in keep:
                sub.add(var == values[key])
            sub.add_hint(var, values[key])
        solver = solver_for(limit, seed, 1, self.params)
        status = solver.solve(sub)
        if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            return status, None, {}
        found = {
            key: solver.value(sub.get_bool_var_from_proto_index(xs[0].index))
            for key, xs in self.m.work.items()
        }
        return status, round(solver.objective_value), found


def improve(
    m: NrpModel,
    values: dict[Key, int],
    objective: int,
    deadline: float,
    workers: int,
    seed: int,
    params: dict,
) -> tuple[dict[Key, int], int, int]:
    """(best values of the x variables, their objective, neighbourhoods tried) until `deadline`."""
    search = _Search(m, seed, params)
    tries = 0
    with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
        while (left := deadline - time.perf_counter()) > 0.3:
            jobs = [
                pool.submit(
                    search.solve,
                    search.neighbourhood(values),
                    values,
                    min(left, search.limit),
                    search.rng.randrange(1 << 30),
                )
                for _ in range(max(1, workers))
            ]
            tries += len(jobs)
            outcomes = [job.result() for job in jobs]
            gained = False
            for _, value, found in outcomes:
                if value is not None and value < objective:
                    values, objective, gained = found, value, True
                elif value == objective and not gained:
                    values = found  # another roster as good: move along the plateau
            if gained:
                continue
            if all(status == cp_model.OPTIMAL for status, _, _ in outcomes):
                search.share = min(0.7, search.share * 1.2)
            elif not any(status == cp_model.OPTIMAL for status, _, _ in outcomes):
                search.share = max(0.05, search.share / 1.1)
    return values, objective, tries
