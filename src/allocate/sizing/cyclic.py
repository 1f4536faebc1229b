"""The week as a cycle: a week whose roster can follow itself (the labour rules across the seam).

Sizing over several weeks of a repeated demand pattern rosters the weeks one after the other,
each with the weeks before it as history. A week's roster chosen without a thought for the next
week can leave its people unable to start it (a Sunday evening shift, then Monday's day shift
is too soon), and the next week then needs more recruits, or a long search to staff its crews
again. A week can follow itself exactly when it keeps the rules across the seam from its last
days into its first: rest from Sunday's shifts into Monday's, and every window of consecutive
days that wraps around. Hours and nights are counted per 7-day block from the horizon's start,
the same in every week. A recruit has no history, no dated absence and no request, so his cyclic
week repeats as it is; an officer's repeats but for his dated absences.
"""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING

from allocate.rules.labour import rest_cliques, workday_windows
from allocate.sizing.candidates import WEEK

if TYPE_CHECKING:
    from allocate.model.builder import RosterModel


def add_wrap(m: RosterModel, people: list[int]) -> None:
    """Rest and consecutive-day windows across the seam, for `people` of a one-week model."""
    if m.horizon.days != WEEK:
        raise ValueError(f"a cyclic week needs a {WEEK}-day horizon, not {m.horizon.days} days")
    shifts = list(m.shifts.values())
    for i in people:
        rules = m.policy.rules_for(m.people[i].role)
        with m.rule("rest"):
            _wrap_rest(m, i, rest_cliques(shifts, rules, 2 * WEEK))
        for window, limit in workday_windows(rules):
            with m.rule("consecutive_days", "day_off_in_7"):
                _wrap_windows(m, i, window, limit)


def _wrap_rest(m: RosterModel, i: int, cliques: list[tuple[int, str, list]]) -> None:
    """Each rest clique from a shift of the week into a day of the next week, folded back."""
    for day, shift_id, later in cliques:
        if day >= WEEK or later[0][0] < WEEK:  # not from this week, or inside it already
            continue
        earlier = m.work.get((i, day, shift_id))
        xs = [x for d, s in later for x in m.work.get((i, d - WEEK, s), ())]
        if earlier and xs:
            m.model.add_at_most_one([*earlier, *xs])


def _wrap_windows(m: RosterModel, i: int, window: int, limit: int) -> None:
    """At most `limit` days worked in every `window` consecutive days around the cycle.

    A window longer than the week holds some weekdays more than once: they count as often.
    """
    for first in range(WEEK):
        if first + window <= WEEK:
            continue  # a window inside the week: the roster model has it
        times = Counter(d % WEEK for d in range(first, first + window))
        terms = [(n, x) for d, n in times.items() for x in m.day_vars(i, d)]
        if sum(n for n, _ in terms) > limit:
            m.model.add(sum(n * x for n, x in terms) <= limit)
