"""A re-plan's freeze: every post that starts before the cut keeps its published people.

The frozen posts stay in the model, their x fixed to the published roster, rather than becoming
history rows: they lie inside the horizon, so the labour rules (occupational protection: rest, days in a row,
hours and nights per 7-day block) read them exactly as they read any other work. The published
crews' patterns are fixed too, so the coverage of a frozen post is what was published.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from typing import TYPE_CHECKING

from allocate.domain import CrewPattern

if TYPE_CHECKING:
    import datetime as dt

    from allocate.model.builder import RosterModel


def is_frozen(m: RosterModel, q: int) -> bool:
    post = m.post_vars[q].post
    return m.freeze_before is not None and m.shifts[post.shift_id].starts_at(post.date) < m.freeze_before


def add_freeze(m: RosterModel) -> None:
    if m.freeze_before is None:
        return
    index = {p.person_id: i for i, p in enumerate(m.people)}
    members: dict[tuple, set[int]] = defaultdict(set)
    crews: dict[tuple, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for a in m.published:
        key = (a.station_id, a.date, a.shift_id, a.task_id)
        if a.person_id in index:
            members[key].add(index[a.person_id])
        crews[key][a.crew_id].append(a.slot)
    for q, pv in enumerate(m.post_vars):
        if not is_frozen(m, q):
            continue
        key = pv.post.key
        wanted = members.get(key, set())
        have = {i for i, _ in (*pv.sworn, *pv.aux)}
        for i, x in (*pv.sworn, *pv.aux):
            m.model.add(x == int(i in wanted))
        patterns = Counter(
            CrewPattern(slots.count("S"), slots.count("A")) for slots in crews.get(key, {}).values()
        )
        lawful = set(patterns) <= set(pv.patterns) and sum(patterns.values()) <= pv.post.crews_required
        if lawful and wanted <= have:
            for p, n in zip(pv.patterns, pv.crews, strict=True):
                m.model.add(n == patterns.get(p, 0))


def freeze_cut(value: dt.datetime | None) -> dt.datetime | None:
    """The cut as a naive datetime (the roster's times are local and naive)."""
    return None if value is None else value.replace(tzinfo=None)
