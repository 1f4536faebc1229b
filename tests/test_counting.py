"""The counting model's coverage floor: never above the fewest uncovered crews a roster can reach.

The phased solve calls a roster's coverage proven as soon as it meets this floor, so a floor one
crew too high would call an unproven roster optimal. The roster model minimising coverage alone
(proven OPTIMAL on these small stations) is the reference.
"""

from __future__ import annotations

from hypothesis import given, note
from ortools.sat.python import cp_model

from allocate.counting import coverage_floor
from allocate.demand import expand_posts
from allocate.model.builder import RosterModel
from allocate.model.hint import plan_hint
from allocate.policy import Policy
from allocate.solve import planning_units
from builders import WEEK, dataset, need, person, traffic_shortage
from test_properties import EXAMPLES, Problem, examples, problems


def _least_and_floor(ds, horizon, policy: Policy, ids: tuple[str, ...]) -> tuple[int | None, int]:
    """A unit's proven fewest weighted uncovered crews (None unless proven) and its floor."""
    posts = [p for p in expand_posts(ds, horizon) if p.station_id in ids]
    m = RosterModel(ds, horizon, policy, ids, posts, use_lines=True)
    cover = next(t for t in m.terms if t.name == "uncovered")
    floor, _ = coverage_floor(m.dataset, m.horizon, m.policy, m.posts, m.people, work=1.0)
    m.model.minimize(cover.cost)
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = 20
    solver.parameters.num_workers = 1
    status = solver.solve(m.model)
    least = round(solver.objective_value) if status == cp_model.OPTIMAL else None
    return least, floor.value


def test_aux_without_the_skill_cannot_fill_a_skill_post():
    """Two traffic crews (1S+1A, every member trained for traffic) need four traffic holders; with
    two sworn and one auxiliary holding it, one crew is short whatever the other auxiliaries do.
    Counting auxiliaries without the skill would give a floor of 0 and prove nothing."""
    ds = traffic_shortage(officers=3)
    least, floor = _least_and_floor(ds, WEEK, Policy(), ("S1",))
    assert least is not None and least > 0
    assert floor == least


def test_a_fully_staffable_station_has_floor_zero():
    ds = dataset([person(f"P{k}") for k in range(6)], [need("desk", d) for d in range(7)])
    assert _least_and_floor(ds, WEEK, Policy(), ("S1",)) == (0, 0)


@examples(EXAMPLES // 8)
@given(problem=problems())
def test_floor_never_exceeds_the_proven_least_coverage(problem: Problem) -> None:
    """On random small problems (absences, training, disqualification, skills, labour rules), the
    floor is at most the fewest weighted uncovered crews the roster model proves reachable."""
    for name, ids in planning_units(problem.dataset, problem.policy.lending):
        least, floor = _least_and_floor(problem.dataset, problem.horizon, problem.policy, ids)
        note(f"{name}: least {least}, floor {floor}")
        assert floor >= 0
        if least is not None:
            assert floor <= least


def test_the_counting_plan_hints_every_posts_crews_and_shortfall():
    """The plan (crews per pattern at each post, at the floor) becomes a hint of the roster
    model's crew counts and shortfalls, and of nothing else: people are left to CP-SAT."""
    ds = traffic_shortage(officers=1, extra_demand=(need("desk", 1),))
    posts = expand_posts(ds, WEEK)
    m = RosterModel(ds, WEEK, Policy(), ("S1",), posts, use_lines=True)
    floor, plan = coverage_floor(m.dataset, m.horizon, m.policy, m.posts, m.people, work=1.0)
    assert floor.value > 0 and set(plan) == set(range(len(posts)))
    variables, values = plan_hint(m, plan)
    hinted = dict(zip(variables, values, strict=True))
    posts_vars = {n.index for pv in m.post_vars for n in (*pv.crews, pv.shortfall)}
    assert set(hinted) == posts_vars
    for q, pv in enumerate(m.post_vars):
        assert [hinted[n.index] for n in pv.crews] == list(plan[q].crews)
        assert hinted[pv.shortfall.index] == pv.post.crews_required - sum(plan[q].crews)
    traffic = next(q for q, pv in enumerate(m.post_vars) if pv.post.task_id == "traffic")
    assert sum(plan[traffic].crews) == 1  # three traffic holders: one crew of two
