"""People counted per post instead of assigned to posts by name: the sizing model's form.

Within one station, shift and day, who fills which post only matters through skills: an officer
can serve any post whose skill he holds, a trained recruit any post of his kind. So the model
can give each pooled person a line of work (one Boolean per day and shift, under every rule of
occupational protection: the rule modules see a line as a person) and each post a count per group (sworn, and
each auxiliary kind). The counts of a shift add up to the lines working it, and the officers on
a skill's posts are at most the skill's holders on duty (Hall's condition over every set of
skills), which is exactly when the posts of the shift can be filled from its lines by name.

The pooled model has the same rosters as the one with a Boolean per person and post, at a
fraction of its size and without the symmetric post choices that stall the search.
"""

from __future__ import annotations

from collections import defaultdict
from itertools import combinations
from typing import TYPE_CHECKING

from allocate.model.eligibility import eligible
from allocate.model.rest import history_blocked

if TYPE_CHECKING:
    from ortools.sat.python import cp_model

    from allocate.model.builder import RosterModel

Slot = tuple[int, str]  # (day index, shift id)


def add_pools(m: RosterModel) -> None:
    pooled = [(i, p) for i, p in enumerate(m.people) if p.person_id in m.pooled]
    if not pooled:
        return
    blocked = history_blocked(m)
    counts: dict[tuple[int, str, str], list[cp_model.IntVar]] = defaultdict(list)
    serves: dict[tuple[int, str, int], bool] = {}  # (day, shift, person) -> may serve some post
    skill_counts: dict[Slot, dict[str, list[cp_model.IntVar]]] = defaultdict(lambda: defaultdict(list))
    for q, pv in enumerate(m.post_vars):
        post = pv.post
        task = m.dataset.task_by_id[post.task_id]
        day = m.horizon.index(post.date)
        able: dict[str, int] = defaultdict(int)
        for i, person in pooled:
            if (i, day, post.shift_id) not in blocked and eligible(m.dataset, person, post, m.policy.lending):
                able[person.role] += 1
                serves[day, post.shift_id, i] = True
        for group, n in able.items():
            per_crew = max(p.size if group == "sworn" else p.aux for p in pv.patterns)
            top = min(n, post.crews_required * per_crew)
            if top:
                pv.pooled[group] = m.model.new_int_var(0, top, f"a[{q},{group}]")
                counts[day, post.shift_id, group].append(pv.pooled[group])
                if group == "sworn" and task.skill:
                    skill_counts[day, post.shift_id][task.skill].append(pv.pooled[group])
    for i, person in pooled:
        for day, shift_id, group in counts:
            if group == person.role and serves.get((day, shift_id, i)):
                m.work[i, day, shift_id].append(
                    m.model.new_bool_var(f"y[{person.person_id},{day},{shift_id}]")
                )
    for (day, shift_id, group), posts in counts.items():
        lines = [y for i, p in pooled if p.role == group for y in m.work.get((i, day, shift_id), ())]
        m.model.add(sum(lines) == sum(posts))
    for (day, shift_id), by_skill in skill_counts.items():
        _add_hall(m, pooled, day, shift_id, by_skill)


def _add_hall(m: RosterModel, pooled, day: int, shift_id: str, by_skill: dict[str, list]) -> None:
    """For every set of skills: their posts' officers are at most the officers holding one of them."""
    skills = sorted(by_skill)
    for size in range(1, len(skills) + 1):
        for subset in combinations(skills, size):
            holders = [
                y
                for i, p in pooled
                if p.is_sworn and p.skills.intersection(subset)
                for y in m.work.get((i, day, shift_id), ())
            ]
            m.model.add(sum(v for s in subset for v in by_skill[s]) <= sum(holders))
