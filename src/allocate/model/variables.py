"""The model's variables, created here and only read by the rule modules.

One Boolean per lawful (person, post) pair (sparse: the eligibility rules hold by the pairs that
are missing), the crew counts, each post's shortfall and sworn officers in A slots, and each
person's overtime hours per 7-day block. The other forms of a person's work (lines of work,
:mod:`allocate.model.lines`; sizing's recruits, :mod:`allocate.model.pools`) create theirs in
their own modules, before any rule reads ``m.work``. Helper variables that one rule alone reads
(fairness bands, worked weekends) stay in that rule's module.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from allocate.model.eligibility import eligible
from allocate.model.handles import PostVars
from allocate.model.rest import history_blocked
from allocate.rules.labour import contract_minutes, weekly_cap_minutes

if TYPE_CHECKING:
    import datetime as dt

    from allocate.domain import Dataset, Person
    from allocate.model.builder import RosterModel


def people_of_unit(dataset: Dataset, station_ids: tuple[str, ...], lending: bool) -> list[Person]:
    """The people who may work in this unit: its stations' staff (home station, docs/RULES.md 6).

    With lending on, a unit is a whole district, so its stations' staff are all its people.
    """
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


def add_post_slack(m: RosterModel) -> None:
    """Per post: the crews it lacks (``pv.shortfall``) and the sworn officers in its A slots.

    Made once every form of work (names, lines, recruits) has counted its people at the post,
    since the room for sworn officers in A slots depends on them. An explicit shortfall variable
    with domain [0, k] gives CP-SAT a zero objective bound from the domains alone; as an
    expression (k - sum n) its LP bound stayed far below 0.
    """
    for q, pv in enumerate(m.post_vars):
        k = pv.post.crews_required
        pv.shortfall = m.model.new_int_var(0, k, f"short[{q}]")
        max_a = k * max(p.aux for p in pv.patterns)
        _, sworn_room = pv.people(sworn=True)
        if max_a and sworn_room:
            pv.sworn_in_a = m.model.new_int_var(0, min(max_a, sworn_room), f"z[{q}]")


def block_vars(m: RosterModel, i: int, block: tuple[dt.date, ...]) -> list[tuple[str, object]]:
    """(shift id, variable) of every shift the person may start in a 7-day block."""
    days = [m.horizon.index(date) for date in block]
    return [
        (shift_id, x) for day in days for shift_id in m.shifts for x in m.work.get((i, day, shift_id), ())
    ]


def add_overtime(m: RosterModel) -> None:
    """Overtime hours per (person, 7-day block), where the block's shifts can exceed the contract.

    Its top is the hours between the contract and the weekly cap (or the block's shifts).
    """
    length = {s: shift.minutes for s, shift in m.shifts.items()}
    for i, person in enumerate(m.people):
        contract = contract_minutes(person)
        cap = weekly_cap_minutes(person, m.policy.rules_for(person.role))
        for b, block in enumerate(m.horizon.blocks()):
            most = sum(length[s] for s, _ in block_vars(m, i, block))
            if most > contract:
                top = -(-(min(most, cap) - contract) // 60)
                m.overtime[i, b] = m.model.new_int_var(0, top, f"ot[{person.person_id},{b}]")
