"""A lower bound on coverage and on the sizing minimum: the roster model counted per group.

Summing a per-person rule over the people of a group (sworn officers, service auxiliaries,
civilian auxiliaries, and within each the holders of a skill) gives a rule on the group's counts
per day and shift that every roster obeys: at most `H` of a group's `H` people start a shift on one
day, each rest clique of shifts (see :mod:`allocate.model.rest`) holds at most `H`, a 7-day block's
minutes are at most `H` times the hours cap, a day-off window holds at most `(window - 1) * H`
shift starts, and so on. Training, history, requests and the command rule are left out or counted
generously, which only loosens the bound.

So any roster of the full model maps to counts this model accepts, and this model's least
headcount is a lower bound on the true minimum. It is small (counts, not people), so CP-SAT solves
it to optimality in well under a second; when the roster model finds a roster at that headcount,
the minimum is proven. The same model bounds the fewest uncovered crews from below: sizing's
sworn shortfall and each point of its coverage curve, and a roster solve's coverage (a station
short of skilled people is proven by a roster that meets this floor, without a proof search).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ortools.sat.python import cp_model

from allocate.domain import AUX_ROLES as KINDS
from allocate.domain import Dataset, Horizon, Person, Post, Task
from allocate.model.eligibility import can_serve_task
from allocate.model.hint import PostTarget
from allocate.model.objective import uncovered_weight
from allocate.rules.labour import (
    BLOCK_DAYS,
    day_pair_cliques,
    rest_cliques,
    weekly_cap_minutes,
    workday_windows,
)

if TYPE_CHECKING:
    import datetime as dt

    from allocate.policy import LabourRules, Policy

GROUPS = ("sworn", *KINDS)


@dataclass(frozen=True)
class Bound:
    """An optimal answer of the counting model; `proven` is False only if it ran out of time
    (`value` is then the bound CP-SAT proved). `work` is the deterministic time it took."""

    value: int
    proven: bool
    work: float = 0.0


class CountingModel:
    """Counts per (day, shift, group) for one station, with the headcount of each kind a variable.

    `people` are the station's staff, candidates included: auxiliaries bound each kind's
    headcount from above and set its hours cap; sworn officers are fixed and counted per day.
    """

    def __init__(
        self,
        dataset: Dataset,
        horizon: Horizon,
        policy: Policy,
        posts: list[Post],
        people: list[Person],
        head_weight: dict[str, int],
    ) -> None:
        self.model = cp_model.CpModel()
        self._solver: cp_model.CpSolver | None = None
        self.horizon = horizon
        self.shifts = dataset.shift_by_id
        m = self.model
        aux = {k: [p for p in people if p.role == k] for k in KINDS}
        sworn = [p for p in people if p.is_sworn and not p.disqualified]
        self.heads = {k: m.new_int_var(0, len(aux[k]), f"H[{k}]") for k in KINDS}
        # (day, shift, group) -> people of the group starting that shift that day, as expressions
        self.starts: dict[tuple[int, str, str], list[cp_model.LinearExprT]] = {}
        uncovered = []
        self.post_crews: list[list[cp_model.IntVar]] = []
        self.post_people: list[dict[str, cp_model.IntVar]] = []
        for q, post in enumerate(posts):
            task = dataset.task_by_id[post.task_id]
            k = post.crews_required
            crews = [m.new_int_var(0, k, f"n[{q},{j}]") for j in range(len(task.crews))]
            short = m.new_int_var(0, k, f"short[{q}]")
            m.add(sum(crews) + short == k)
            uncovered.append((uncovered_weight(task.priority, policy.weights.uncovered), short))
            s_slots = sum(p.sworn * n for p, n in zip(task.crews, crews, strict=True))
            a_slots = sum(p.aux * n for p, n in zip(task.crews, crews, strict=True))
            day = horizon.index(post.date)
            top = k * max(p.size for p in task.crews)
            filled: dict[str, cp_model.IntVar] = {}
            for group in GROUPS:
                if group == "sworn" or _may_serve(group, task, post.date):
                    filled[group] = m.new_int_var(0, top, f"w[{q},{group}]")
                    self.starts.setdefault((day, post.shift_id, group), []).append(filled[group])
            self.post_crews.append(crews)
            self.post_people.append(filled)
            m.add(sum(filled.values()) == s_slots + a_slots)
            m.add(filled["sworn"] >= s_slots)  # auxiliaries only ever fill A slots
            if task.skill:  # the people of a group holding the skill are a group of their own
                for group, v in filled.items():
                    self.starts.setdefault((day, post.shift_id, f"{group}:{task.skill}"), []).append(v)
        self.uncovered_cost = sum(w * s for w, s in uncovered)
        self.headcount_cost = sum(head_weight[k] * h for k, h in self.heads.items())
        skills = sorted({t.skill for t in dataset.tasks if t.skill})
        self._add_sworn_limits(dataset, policy, sworn)
        for kind in KINDS:
            if aux[kind]:
                heads = self.heads[kind]
                self._add_group_limits(
                    kind,
                    policy.rules_for(kind),
                    _cap_minutes(aux[kind], policy),
                    lambda days, limit, h=heads: limit * h,
                )
        for group, members in [("sworn", sworn), *((k, aux[k]) for k in KINDS)]:
            for skill in skills:
                fit = self._presence(dataset, members, [t for t in dataset.tasks if t.skill == skill])
                holders = [p for p in members if any(fit[p.person_id])]
                self._add_holder_limits(f"{group}:{skill}", group, policy, fit, holders)
        self.cap = m.add(sum(self.heads.values()) <= sum(len(v) for v in aux.values()))

    def _day_starts(self, day: int, group: str) -> list[cp_model.LinearExprT]:
        return [v for s in self.shifts for v in self.starts.get((day, s, group), ())]

    def _add_group_limits(self, group: str, rules: LabourRules, cap_minutes: int, room) -> None:
        """The per-person labour rules (occupational protection) summed over a group.

        `room(days, limit)` is what the group's people can give over `days` when each gives at
        most `limit` shift starts: `limit * H` for auxiliaries (all counted present, which only
        loosens the bound), the sum over officers of their present days (capped) for the sworn.
        """
        m, days = self.model, self.horizon.days
        for d in range(days):
            xs = self._day_starts(d, group)
            if xs:
                m.add(sum(xs) <= room((d,), 1))
        for d, shift_id, later in rest_cliques(list(self.shifts.values()), rules, days):
            earlier = self.starts.get((d, shift_id, group))
            xs = [v for day, s in later for v in self.starts.get((day, s, group), ())]
            if earlier and xs:
                m.add(sum(earlier) + sum(xs) <= room((d, later[0][0]), 1))
        for clique in day_pair_cliques(list(self.shifts.values()), rules, days):
            xs = [v for d, s in clique for v in self.starts.get((d, s, group), ())]
            if xs:
                m.add(sum(xs) <= room((clique[0][0], clique[-1][0]), 1))
        for window, limit in workday_windows(rules):
            for first in range(days - window + 1):
                span = tuple(range(first, first + window))
                xs = [v for d in span for v in self._day_starts(d, group)]
                if xs:
                    m.add(sum(xs) <= room(span, limit))
        for b in range(0, days, BLOCK_DAYS):
            span = tuple(range(b, min(b + BLOCK_DAYS, days)))
            minutes = [
                (self.shifts[s].minutes, v)
                for d in span
                for s in self.shifts
                for v in self.starts.get((d, s, group), ())
            ]
            if minutes:
                m.add(sum(mins * v for mins, v in minutes) <= cap_minutes * room(span, 1))
            nights = [
                v
                for d in span
                for s, shift in self.shifts.items()
                if shift.is_night
                for v in self.starts.get((d, s, group), ())
            ]
            if nights:
                m.add(sum(nights) <= rules.max_nights_per_week * room(span, 1))

    def _presence(
        self, dataset: Dataset, people: list[Person], tasks: list[Task] | None = None
    ) -> dict[str, list[bool]]:
        """Per person and day, whether they can work then: present and, given `tasks`, fit to serve
        one of them (holding its skill, trained, training valid that day)."""
        dates = self.horizon.dates
        return {
            p.person_id: [
                not dataset.is_absent(p.person_id, d)
                and (tasks is None or any(can_serve_task(p, t, d) for t in tasks))
                for d in dates
            ]
            for p in people
        }

    def _add_sworn_limits(self, dataset: Dataset, policy: Policy, sworn: list[Person]) -> None:
        """Officers as a group, each counted on the days they are present."""
        self._add_holder_limits("sworn", "sworn", policy, self._presence(dataset, sworn), sworn)

    def _add_holder_limits(
        self, group: str, role: str, policy: Policy, present: dict[str, list[bool]], holders: list[Person]
    ) -> None:
        """The rules summed over `holders`, the people `group`'s starts can come from.

        Everyone on a skill's posts holds the skill, so those starts obey the rules summed over
        the skill's holders alone, officers and auxiliaries alike: this is what sees that eleven
        Friday-evening traffic posts and ten Saturday-night ones need twenty-one traffic officers,
        not eleven, and that a traffic crew's auxiliaries come from the few who hold the skill.
        """

        def room(days: tuple[int, ...], limit: int) -> int:
            return sum(min(limit, sum(present[p.person_id][d] for d in days)) for p in holders)

        if any(key[2] == group for key in self.starts):
            rules = policy.rules_for(role)
            self._add_group_limits(group, rules, _cap_minutes(holders, policy), room)

    def _solve(self, objective, time_limit: float, work_limit: float | None = None) -> Bound:
        self.model.clear_objective()
        self.model.minimize(objective)
        solver = cp_model.CpSolver()
        solver.parameters.max_time_in_seconds = time_limit
        if work_limit is not None:
            solver.parameters.max_deterministic_time = work_limit
        solver.parameters.num_workers = 1
        status = solver.solve(self.model)
        self._solver = solver if status in (cp_model.OPTIMAL, cp_model.FEASIBLE) else None
        work = solver.deterministic_time
        if status == cp_model.OPTIMAL:
            return Bound(round(solver.objective_value), True, work)
        bound = solver.best_objective_bound
        return Bound(max(0, math.ceil(bound - 1e-6)) if math.isfinite(bound) else 0, False, work)

    def targets(self) -> dict[int, PostTarget]:
        """Per post, the crews and auxiliaries of the last solution: a plan for the greedy hint."""
        solver = self._solver
        if solver is None:
            return {}
        return {
            q: PostTarget(
                tuple(int(solver.value(n)) for n in crews),
                {g: int(solver.value(v)) for g, v in self.post_people[q].items()},
            )
            for q, crews in enumerate(self.post_crews)
        }

    def heads_value(self) -> dict[str, int]:
        """Headcount per kind in the last solution (0 when there is none)."""
        solver = self._solver
        return {k: int(solver.value(h)) if solver else 0 for k, h in self.heads.items()}

    def set_cap(self, cap: int | None) -> None:
        domain = self.cap.proto.linear.domain
        domain.clear()
        domain.extend([-(2**62), 2**62 if cap is None else cap])

    def min_uncovered(self, time_limit: float = 10.0, work_limit: float | None = None) -> Bound:
        """A lower bound on the weighted uncovered crews (under the headcount cap, if set)."""
        return self._solve(self.uncovered_cost, time_limit, work_limit)

    def min_headcount(self, uncovered_cost: int, time_limit: float = 10.0) -> Bound:
        """A lower bound on the weighted headcount that keeps uncovered cost within `uncovered_cost`."""
        hold = self.model.add(self.uncovered_cost <= uncovered_cost)
        try:
            return self._solve(self.headcount_cost, time_limit)
        finally:
            hold.proto.clear_linear()


def _may_serve(kind: str, task, day: dt.date) -> bool:
    """Whether a fully trained auxiliary of `kind` may fill this task's A slots."""
    return can_serve_task(Person("?", "?", "?", kind, skills=frozenset({task.skill or ""})), task, day)


def _cap_minutes(people: list[Person], policy: Policy) -> int:
    """The most minutes any one of `people` may work in a 7-day block (none: no one, no minutes)."""
    return max((weekly_cap_minutes(p, policy.rules_for(p.role)) for p in people), default=0)


def coverage_floor(
    dataset: Dataset, horizon: Horizon, policy: Policy, posts: list[Post], people: list[Person], work: float
) -> tuple[Bound, dict[int, PostTarget]]:
    """A lower bound on a roster's weighted uncovered crews at `posts` staffed from `people`, and
    the counting model's plan at it (per post index: crews per pattern; empty if none was found).

    Under a deterministic work limit alone (its wall clock a generous ceiling), so the same input
    gives the same floor whatever the machine's load; if the limit cuts it, the bound proved so far
    is still a floor.
    """
    counting = CountingModel(dataset, horizon, policy, posts, people, dict.fromkeys(KINDS, 0))
    return counting.min_uncovered(time_limit=60.0, work_limit=work), counting.targets()
