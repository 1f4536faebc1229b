"""Sparse assignment variables: one Boolean per lawful (person, post) pair."""

from __future__ import annotations

from typing import TYPE_CHECKING

from allocate.model.eligibility import eligible
from allocate.model.handles import PostVars
from allocate.model.rest import history_blocked

if TYPE_CHECKING:
    from allocate.domain import Dataset, Person
    from allocate.model.builder import RosterModel


def pool(dataset: Dataset, station_ids: tuple[str, ...], lending: bool) -> list[Person]:
    """The people who may work in this unit: its stations' staff (rule 6)."""
    wanted = set(station_ids)
    return sorted((p for p in dataset.staff if p.station_id in wanted), key=lambda p: p.person_id)


def frozen_members(m: RosterModel) -> dict[tuple, set[str]] | None:
    """A re-plan's frozen posts (starting before the cut) and their published people."""
    if m.freeze_before is None:
        return None
    out: dict[tuple, set[str]] = {}
    for post in m.posts:
        if m.shifts[post.shift_id].starts_at(post.date) < m.freeze_before:
            out[post.key] = set()
    for a in m.published:
        key = (a.station_id, a.date, a.shift_id, a.task_id)
        if key in out:
            out[key].add(a.person_id)
    return out


def add_assignments(m: RosterModel) -> None:
    """Create x[person, post] only where every per-person rule allows it, and the crew counts."""
    blocked = history_blocked(m)
    frozen = frozen_members(m)
    for q, post in enumerate(m.posts):
        task = m.dataset.task_by_id[post.task_id]
        k = post.crews_required
        patterns = task.crews
        crew_vars = [m.model.new_int_var(0, k, f"n[{q},{c}]") for c in patterns]
        pv = PostVars(post, patterns, crew_vars)
        day = m.horizon.index(post.date)
        for i, person in enumerate(m.people):
            if m.use_lines or person.person_id in m.pooled:
                continue  # a line of work, counted per post: see allocate.model.lines and .pools
            if (i, day, post.shift_id) in blocked or not eligible(m.dataset, person, post, m.policy.lending):
                continue
            if frozen is not None and post.key in frozen and person.person_id not in frozen[post.key]:
                continue  # a re-plan's frozen post keeps its published people only (model.freeze)
            x = m.model.new_bool_var(f"x[{person.person_id},{q}]")
            m.x[i, q] = x
            (pv.sworn if person.is_sworn else pv.aux).append((i, x))
            m.work[i, day, post.shift_id].append(x)
        m.post_vars.append(pv)
