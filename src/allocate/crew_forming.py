"""Cutting a post's members into explicit crews and naming who leads each (rules 2 and 3).

The model decides how many crews of each pattern a post gets and who works there; this module
turns that into crews: S slots from the sworn members, A slots from the auxiliaries and then the
remaining sworn. The lead is the crew's first sworn member; an auxiliary-only crew of an
`independent` task names the commanding sworn officer on duty in that shift at that station.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from allocate.domain import CrewPattern


@dataclass(frozen=True)
class Crew:
    pattern: CrewPattern
    members: tuple[tuple[str, str], ...]  # (person_id, slot)
    lead_id: str


def form_crews(
    patterns: tuple[CrewPattern, ...],
    counts: list[int],
    sworn: list[str],
    aux: list[str],
    commander: str | None = None,
) -> list[Crew]:
    """Crews for one post. Raises ``ValueError`` when members do not fit the counts (a model bug)."""
    sworn_q, aux_q = deque(sorted(sworn)), deque(sorted(aux))
    slots: list[tuple[CrewPattern, list[tuple[str, str]]]] = []
    try:
        for pattern, count in zip(patterns, counts, strict=True):
            for _ in range(count):
                slots.append((pattern, [(sworn_q.popleft(), "S") for _ in range(pattern.sworn)]))
        # Auxiliary-only patterns get the spare sworn officers first, so they lead their crew.
        for pattern, members in sorted(slots, key=lambda item: item[0].sworn):
            for _ in range(pattern.aux):
                members.append((aux_q.popleft(), "A") if aux_q else (sworn_q.popleft(), "A"))
    except IndexError:
        raise ValueError("post members do not fit the crew counts") from None
    if sworn_q or aux_q:
        raise ValueError("post has members left over after forming crews")
    sworn_set = set(sworn)
    crews = []
    for pattern, members in slots:
        leads = [pid for pid, _ in members if pid in sworn_set]
        crews.append(Crew(pattern, tuple(members), leads[0] if leads else (commander or "")))
    return crews
