"""Forbidden successions: shift A on one day, shift B on the next (a late then an early).

Each (day, A) start and the forbidden starts of the next day form a clique (one start a day),
so one ``at most one`` per (person, day, A) replaces a constraint per pair. The horizon's edges
are not checked: the days before and after it count as days off.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from allocate.model.days import WorkVars, day_vars

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence

    from ortools.sat.python import cp_model

    from allocate.model.builder import RosterModel


def followers(pairs: Iterable[tuple[str, str]]) -> dict[str, list[str]]:
    """Shift id -> the shift ids that may not start on the next day."""
    out: dict[str, list[str]] = {}
    for first, second in pairs:
        if second not in out.setdefault(first, []):
            out[first].append(second)
    return out


def add_forbidden_successions(
    model: cp_model.CpModel,
    work: WorkVars,
    person: int,
    days: int,
    forbidden: dict[str, Sequence[str]],
) -> None:
    for day in range(days - 1):
        for first, seconds in forbidden.items():
            before = work.get((person, day, first), ())
            after = day_vars(work, person, day + 1, seconds) if before else []
            if after:
                model.add_at_most_one([*before, *after])


def add_police_successions(m: RosterModel) -> None:
    """The policy's `forbidden_successions` per role family."""
    for i, person in enumerate(m.people):
        pairs = m.policy.rules_for(person.role).forbidden_successions
        if pairs:
            add_forbidden_successions(m.model, m.work, i, m.horizon.days, followers(pairs))
