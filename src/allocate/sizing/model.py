"""The sizing model: the roster model of one station plus a keep-or-hire decision per auxiliary.

Phase 1 minimises weighted uncovered crews with every candidate available: what stays uncovered
then needs sworn officers (the sworn shortfall). Phase 2 holds that coverage and minimises the
auxiliary headcount (civilians weighted slightly cheaper, so support posts go to civilian
auxiliaries: deploy by category). A cap on headcount turns the same model into the oracle of the
marginal-coverage curve.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ortools.sat.python import cp_model

from allocate.counting import CountingModel
from allocate.domain import Assignment, Dataset, Horizon
from allocate.model.builder import RosterModel
from allocate.model.hint import complete_hints
from allocate.model.hours import block_vars
from allocate.model.params import LP_SEARCH_PARAMS, WORK_PER_SECOND
from allocate.rules.labour import day_pair_cliques, weekly_cap_minutes
from allocate.sizing import cyclic
from allocate.sizing.candidates import KINDS, WEEK, make_candidates, station_posts, upper_bound
from allocate.stages import Settings, Stage, Status, run_stage

if TYPE_CHECKING:
    from allocate.policy import Policy
    from allocate.sizing.budget import Budget
    from allocate.stages import Source, StageResult

HEAD_WEIGHT = {"aux_service": 10, "aux_civilian": 9}

Line = tuple[str, int, str]  # (person id, day index, shift id): one Boolean of a line of work


@dataclass(frozen=True)
class HeadFloor:
    """A proven minimum weighted headcount at weighted uncovered crews `uncovered_cost`.

    Fewer heads never cover more, so it bounds every answer that covers at least as much.
    """

    uncovered_cost: int
    heads: int

    def at(self, uncovered_cost: int) -> int:
        return self.heads if uncovered_cost <= self.uncovered_cost else 0


@dataclass(frozen=True)
class Solved:
    """One sizing answer: its status, uncovered crews and heads per kind (-1: no roster)."""

    status: Status
    uncovered: int  # crews
    uncovered_cost: int  # priority-weighted
    headcount: dict[str, int]  # per kind, selected
    wall: float
    bound: float | None = None
    source: Source = "cp-sat"  # "greedy": CP-SAT found no roster in time, the greedy one stands


class SizingModel:
    def __init__(
        self,
        dataset: Dataset,
        station_id: str,
        horizon: Horizon,
        policy: Policy,
        extra: dict[str, int] | None = None,
        clock: Budget | None = None,
    ) -> None:
        """`clock` is the station's budget: every solve is charged to it and stops at its wall
        ceiling; without one, a solve's time limit is its wall-clock limit too."""
        self.clock = clock
        posts = station_posts(dataset, station_id, horizon)
        self.station_id = station_id
        self.current = {
            k: sum(1 for p in dataset.staff if p.station_id == station_id and p.role == k) for k in KINDS
        }
        # The requirement view: the station's auxiliaries are replaced by interchangeable trained
        # recruits (see model.pools), so the minimum does not depend on who is on the books now.
        generous = {k: upper_bound(dataset, posts, k, station_id) + self.current[k] for k in KINDS}
        staff = [p for p in dataset.staff if not (p.station_id == station_id and p.role in KINDS)]
        station_staff = [p for p in staff if p.station_id == station_id]
        for kind in KINDS:
            station_staff += make_candidates(dataset, station_id, kind, generous[kind], posts)
        # The counting model first: its optimum bounds every answer below, and its plan is the
        # roster model's first hint.
        self.counting = CountingModel(dataset, horizon, policy, posts, station_staff, HEAD_WEIGHT)
        self.floor_uncovered = self.counting.min_uncovered()
        self.floor_heads = self.counting.min_headcount(self.floor_uncovered.value)
        self.bounds = {k: (extra or {}).get(k, generous[k]) for k in KINDS}
        for kind in KINDS:
            staff += make_candidates(dataset, station_id, kind, self.bounds[kind], posts)
        self.dataset = dataset.replace(staff=tuple(staff))
        recruits = frozenset(p.person_id for p in staff if p.station_id == station_id)
        self.roster = RosterModel(
            self.dataset,
            horizon,
            policy,
            (station_id,),
            posts,
            targets=self.counting.targets(),
            pooled=recruits,
        )
        m = self.roster.model
        self.selected: dict[str, list[cp_model.IntVar]] = {k: [] for k in KINDS}
        self.hire: dict[str, cp_model.IntVar] = {}  # person id -> hire decision
        self._link_selection(policy)
        self.total = sum(sum(v) for v in self.selected.values())
        self.cap = m.add(self.total <= sum(len(v) for v in self.selected.values()))
        self.per_kind = {k: m.add(cp_model.LinearExpr.sum(v) <= len(v)) for k, v in self.selected.items()}
        self.uncovered_cost = next(t.cost for t in self.roster.terms if t.name == "uncovered")
        self.uncovered = next(t.amount for t in self.roster.terms if t.name == "uncovered")
        self.headcount_cost = sum(HEAD_WEIGHT[k] * sum(v) for k, v in self.selected.items())
        self._hinted = False  # whether the greedy hint was completed (or another one seeded)
        self._cap_value: int | None = None
        # A proven minimum weighted headcount: a floor for the longer horizon this week starts.
        self.proven_floor: HeadFloor | None = None
        self.cyclic = False  # whether the rules across the week's seam were added
        self._last: cp_model.CpSolver | None = None
        self._greedy: cp_model.CpSolver | None = None  # the completed greedy roster, a fallback

    def _link_selection(self, policy: Policy) -> None:
        """A hire decision per auxiliary, linked to his shifts as tightly as the rules allow.

        `sum(day's shifts) <= sel` and `week's minutes <= cap * sel` (rather than `x => sel`) make
        the LP relaxation count heads: the busiest day and the week's hours each bound the
        headcount from below, which is what lets CP-SAT prove a minimum. Hired recruits of one
        kind are interchangeable, so they are hired in order (`sel[k] >= sel[k+1]`).
        """
        r, m = self.roster, self.roster.model
        previous: dict[str, cp_model.IntVar] = {}
        shifts = list(r.shifts.values())
        cliques_of = {  # they depend on the role's rest rules only: once per kind, not per recruit
            kind: day_pair_cliques(shifts, policy.rules_for(kind), r.horizon.days) for kind in KINDS
        }
        for i, person in enumerate(r.people):
            if person.role not in KINDS:
                continue
            cliques = cliques_of[person.role]
            sel = m.new_bool_var(f"sel[{person.person_id}]")
            self.selected[person.role].append(sel)
            self.hire[person.person_id] = sel
            days = [r.day_vars(i, d) for d in range(r.horizon.days)]
            if not any(days):
                m.add(sel == 0)
            for xs in days:
                if xs:
                    m.add(sum(xs) <= sel)
            for clique in cliques:
                xs = [x for d, s in clique for x in r.work.get((i, d, s), ())]
                if len(xs) > 1:
                    m.add(sum(xs) <= sel)
            cap = weekly_cap_minutes(person, policy.rules_for(person.role))
            for block in r.horizon.blocks():
                items = [(r.shifts[s].minutes, x) for s, x in block_vars(r, i, block)]
                if sum(mins for mins, _ in items) > cap:
                    m.add(sum(mins * x for mins, x in items) <= cap * sel)
            if person.role in previous:  # every auxiliary here is an interchangeable recruit
                m.add(previous[person.role] >= sel)
            previous[person.role] = sel

    def make_cyclic(self) -> None:
        """Keep the rules across the seam of the week for the station's people (see sizing.cyclic).

        The officers too, not only the recruits: the weeks after the first start from its roster
        repeated (see `seed_from`), which then keeps the law across every seam and needs no repair
        but for the officers' dated absences. Demo S04's later weeks, seeded from a week whose
        officers did not wrap, took 2 to 9 deterministic seconds each to staff every crew again;
        from a week that wraps, 0.02.

        A cyclic week is a restriction of the week, not a relaxation of the horizon: its minimum
        bounds nothing, so the proven floor found so far is dropped (the caller keeps it).
        """
        cyclic.add_wrap(
            self.roster, [i for i, p in enumerate(self.roster.people) if p.person_id in self.roster.pooled]
        )
        self.cyclic = True
        self.proven_floor = None

    def keeps_last(self, time_limit: float = 5.0) -> bool:
        """Whether the last roster (the hint) keeps the constraints added since it was found."""
        solver = complete_hints(self.roster, self._ceiling(time_limit))
        if solver is not None:
            self._last = solver
        return solver is not None

    def checkpoint(self) -> cp_model.CpSolver | None:
        """The last roster, to restore after constraints were added (variables are kept)."""
        return self._last

    def restore(self, checkpoint: cp_model.CpSolver | None) -> None:
        self._last = checkpoint

    def lines(self) -> dict[Line, int]:
        """The last roster's lines of work (sworn officers' and recruits')."""
        solver, r = self._last, self.roster
        if solver is None:
            return {}
        return {
            (r.people[i].person_id, day, shift_id): int(solver.value(ys[0]))
            for (i, day, shift_id), ys in r.work.items()
            if r.people[i].person_id in r.pooled and ys
        }

    def hired(self) -> dict[str, int]:
        solver = self._last
        return {} if solver is None else {p: int(solver.value(v)) for p, v in self.hire.items()}

    def worked(self) -> list[Assignment]:
        """The last roster's shift starts, as the history of the week after it."""
        r = self.roster
        role = {p.person_id: p.role for p in r.people}
        return [
            Assignment(r.horizon.dates[day], self.station_id, shift_id, "", "", pid, role[pid], "", "")
            for (pid, day, shift_id), on in self.lines().items()
            if on
        ]

    def seed_from(self, other: SizingModel) -> None:
        """Hint every line of work and hire decision with `other`'s last week, weekday by weekday.

        `other` holds the week before: its roster repeated keeps the law across the seam when
        that week is cyclic, and breaks only on the officers' dated absences. The hint is then
        completed under the stage's holds (`_solve`): from a whole roster CP-SAT repairs the
        crews an absence leaves, where from the lines alone its first roster left hundreds.
        """
        lines, hired, r = other.lines(), other.hired(), self.roster
        last_week = other.roster.horizon.days - WEEK
        m = r.model
        m.clear_hints()
        for (i, day, shift_id), ys in r.work.items():
            pid = r.people[i].person_id
            if pid in r.pooled and ys:
                m.add_hint(ys[0], lines.get((pid, last_week + day % WEEK, shift_id), 0))
        for pid, var in self.hire.items():
            m.add_hint(var, hired.get(pid, 0))
        self._hinted = False  # completed at the solve; when that fails, the partial hint stands

    def set_kinds(self, least: dict[str, int], most: dict[str, int]) -> None:
        """Hire between `least` and `most` recruits of each kind (the weeks before hired `least`)."""
        for kind, constraint in self.per_kind.items():
            domain = constraint.proto.linear.domain
            domain.clear()
            domain.extend([least.get(kind, 0), most.get(kind, len(self.selected[kind]))])

    def set_cap(self, cap: int | None) -> None:
        """At most `cap` auxiliaries (both kinds) selected; None lifts the cap."""
        self._cap_value = cap
        top = sum(len(v) for v in self.selected.values()) if cap is None else cap
        domain = self.cap.proto.linear.domain
        domain.clear()
        domain.extend([-(2**62), top])

    def _ceiling(self, seconds: float) -> float:
        """The wall-clock limit of a solve: the station's ceiling, else `seconds` itself.

        Completing a hint is mostly presolve; cut short by a busy machine's clock it would drop
        the hint, so under a budget it too runs to the ceiling."""
        return self.clock.wall_left() if self.clock is not None else seconds

    def _solve(
        self,
        objective,
        floor: int,
        time_limit: float,
        seed: int,
        workers: int,
        holds: tuple = (),
        linearization: int = 1,
        guided: bool = True,
    ) -> StageResult:
        """Minimise `objective` under `holds`, known to be at least `floor` (the counting model's bound).

        Stating the floor lets CP-SAT stop, proven optimal, as soon as a roster reaches it.
        `time_limit` is nominal seconds of deterministic work (see sizing.budget); the wall clock
        stops the solve only at the station's ceiling. Until a roster is found, the greedy roster
        stands when CP-SAT finds none in time (an upper bound on the minimum, better than none).

        `guided`: CP-SAT's LP-guided branching (`LP_SEARCH_PARAMS`). Each search here but the
        curve's seeks a roster at a bound known already (the counting floor, the plain week's heads
        for its cycle, no crew uncovered in a later week), which is what it finds fastest: the
        demo's 8 stations, one worker, the same answers in 37.6 deterministic seconds instead of
        47.1 (the cycle's heads 3.2 instead of 8.4, the later weeks 2.8 instead of 6.1). The
        curve's points, under a cap, came out worse with it: 23 of 43 proven instead of 33.
        """

        def complete_hint() -> cp_model.CpSolver | None:
            if not self._hinted:
                self._greedy = complete_hints(self.roster, self._ceiling(max(5.0, time_limit / 2)))
                self._hinted = True
            return self._greedy if self._last is None else None

        # The work limit decides; the clock stops a solve only at twice its share (a busy machine)
        # or at the station's ceiling, whichever comes first.
        clock = self.clock
        stage = Stage(
            "sizing", objective, time_limit * WORK_PER_SECOND, wall=2 * time_limit if clock else time_limit,
            deadline=clock.root.deadline if clock else math.inf, holds=holds, floor=floor,
        )  # fmt: skip
        # One worker: the search for fewer heads takes CP-SAT's default linearization (level 1; the
        # roster model's level 2 slows it, and the floor stated above gives the bound), the search
        # for coverage `linearization` (level 2 staffs a later week with the same recruits in a
        # third of the work level 1 takes, or where level 1 does not within its share).
        params = {"linearization_level": linearization} if workers == 1 else {}
        settings = Settings(seed, workers, {**params, **(LP_SEARCH_PARAMS if guided else {})})
        # Each phase is warm-started from the roster of the phase before.
        out = run_stage(self.roster.model, stage, settings, prepare=complete_hint, warm_start=True)
        if clock is not None:
            clock.charge(out.work)
        if out.solver is not None:
            self._last = out.solver
        return out

    def shortfall_by_post(self) -> list[tuple[object, int]]:
        """(post, uncovered crews) of the last solution, for the posts left uncovered."""
        solver = self._last
        if solver is None:
            return []
        return [
            (pv.post, int(solver.value(pv.shortfall)))
            for pv in self.roster.post_vars
            if pv.shortfall is not None and solver.value(pv.shortfall) > 0
        ]

    def _result(self, out: StageResult) -> Solved:
        solver = out.solver
        if solver is None:
            return Solved(
                out.status, -1, -1, {k: -1 for k in self.selected}, out.search.wall_time, None, out.source
            )
        return Solved(
            out.status,
            int(solver.value(self.uncovered)),
            int(solver.value(self.uncovered_cost)),
            {k: int(sum(solver.value(s) for s in v)) for k, v in self.selected.items()},
            solver.wall_time,
            solver.best_objective_bound,
            out.source,
        )

    def min_uncovered(self, time_limit: float, seed: int = 0, workers: int = 2, floor: int = 0) -> Solved:
        """Phase 1 (and the curve's oracle under a cap): fewest weighted uncovered crews.

        Under a cap, heads break ties (scaled below one uncovered unit), so a cap that buys no
        coverage is left unused rather than filled with people who cannot form a crew. Without
        one, phase 2 minimises heads anyway, and the tie-break would only slow phase 1's proof.
        `floor` is a proven minimum of a relaxation (the first week of a longer horizon).
        """
        if self._cap_value is None:  # the counting floor of the build holds: no need to solve it again
            floor = max(floor, self.floor_uncovered.value)
        else:
            self.counting.set_cap(self._cap_value)
            floor = max(floor, self.counting.min_uncovered().value)  # a cap only uncovers more
            self.counting.set_cap(None)
        if self._cap_value is None:
            scale, objective = 1, self.uncovered_cost
        else:
            scale = sum(HEAD_WEIGHT[k] * len(v) for k, v in self.selected.items()) + 1
            objective = self.uncovered_cost * scale + self.headcount_cost
        out = self._solve(
            objective, floor * scale, time_limit, seed, workers, linearization=2, guided=scale == 1
        )
        return self._result(out)

    def min_headcount(
        self,
        uncovered_cost: int,
        time_limit: float,
        seed: int = 0,
        workers: int = 2,
        floor: HeadFloor | None = None,
        most: int | None = None,
    ) -> Solved:
        """Phase 2: fewest auxiliaries that keep weighted uncovered crews at `uncovered_cost`.

        `floor` is proven on a relaxation: the first week of a longer horizon. `most` caps the
        weighted headcount when only an answer within it is of use (the cyclic week, which must
        not hire more than the plain week): the cap prunes the search to such answers, which
        finds them in a fraction of the work.
        """
        floor_heads = (
            self.floor_heads
            if uncovered_cost == self.floor_uncovered.value
            else self.counting.min_headcount(uncovered_cost)
        )
        floor_value = max(floor.at(uncovered_cost) if floor else 0, floor_heads.value)
        # The hold is lifted after the solve: the model is reused for the curve.
        hold = (self.uncovered_cost <= uncovered_cost,)
        if most is not None:
            hold = (*hold, self.headcount_cost <= most)
        out = self._result(self._solve(self.headcount_cost, floor_value, time_limit, seed, workers, hold))
        if out.status == Status.OPTIMAL and not self.cyclic:
            heads = sum(HEAD_WEIGHT[k] * n for k, n in out.headcount.items())
            self.proven_floor = HeadFloor(uncovered_cost, heads)
        return out
