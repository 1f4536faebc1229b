"""The soft goals (rule 8 of docs/RULES.md) as named terms of one weighted objective.

Each term keeps its raw amount and its weighted cost, so the result can show a planner what the
roster traded (the per-goal breakdown). Default weights keep the law's order: uncovered crews
first, then overtime, cost, fairness, personal requests and stability.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from allocate.domain import is_heavy
from allocate.fairness import history_heavy
from allocate.model.handles import Term
from allocate.model.requests import unmet as unmet_request

if TYPE_CHECKING:
    from allocate.model.builder import RosterModel


def add_objective(m: RosterModel) -> None:
    w = m.policy.weights
    _uncovered(m, w.uncovered)
    m.terms.append(Term.weighted("overtime", sum(m.overtime.values()), w.overtime, "hours"))
    sworn_in_a = sum(pv.sworn_in_a for pv in m.post_vars if pv.sworn_in_a is not None)
    m.terms.append(Term.weighted("cost", sworn_in_a, w.cost, "sworn in A slots"))
    _fairness(m, w.fairness)
    _requests(m, w.requests)
    _stability(m, w.stability)
    m.model.minimize(sum(t.cost for t in m.terms))


def uncovered_weight(priority: float, weight: int) -> int:
    """Per uncovered crew: the task's priority times the weight, and never free."""
    return max(1, round(priority * weight))


def _uncovered(m: RosterModel, weight: int) -> None:
    count = sum(pv.uncovered for pv in m.post_vars)
    cost = sum(
        uncovered_weight(m.dataset.task_by_id[pv.post.task_id].priority, weight) * pv.uncovered
        for pv in m.post_vars
    )
    m.terms.append(Term("uncovered", count, cost, "crews"))


def _fairness(m: RosterModel, weight: int) -> None:
    """Heavy shifts (nights, rest days: weekends and holidays) outside each group's fair band.

    A group's shifts are spread fairly when everyone works either T or T + 1 of them (an integer
    load cannot be split more evenly). The cost is how many shifts lie outside the band [T, T + 1]
    for the best T: above it, or below it for someone who was available (a person away for part of
    the horizon is not owed more than the heavy days they could work). Unlike the spread max - min,
    this sum of deviations has a tight linear relaxation, so CP-SAT can prove the fairest roster.

    A person's count covers the fairness window: the heavy shifts of the history in the weeks
    before the horizon (a constant) plus this horizon's. Someone who worked the festival nights
    starts higher, so the band puts the next ones on the others.
    """
    past = history_heavy(m.dataset, m.horizon, m.policy.fairness_weeks)
    heavy: dict[int, list] = {}
    heavy_days: dict[int, set[int]] = {}
    heavy_shift = {
        (day, shift_id): is_heavy(shift, date, m.dataset.calendar)
        for day, date in enumerate(m.horizon.dates)
        for shift_id, shift in m.shifts.items()
    }  # asked once per day and shift, not once per person
    for (i, day, shift_id), xs in m.work.items():
        if xs and heavy_shift[day, shift_id]:
            heavy.setdefault(i, []).extend(xs)
            heavy_days.setdefault(i, set()).add(day)
    groups: dict[tuple[str, str], list[int]] = {}
    for i in heavy:
        p = m.people[i]
        groups.setdefault((p.station_id, p.role), []).append(i)
    deviations = []
    for (station, role), members in sorted(groups.items()):
        if len(members) < 2:
            continue
        before = {i: past.get(m.people[i].person_id, 0) for i in members}
        top = max(before[i] + len(heavy_days[i]) for i in members)
        band = m.model.new_int_var(0, top, f"fair_band[{station},{role}]")
        for i in members:
            count = before[i] + sum(heavy[i])
            reach = before[i] + len(heavy_days[i])
            above = m.model.new_int_var(0, top, f"fair_above[{i}]")
            m.model.add(above >= count - band - 1)
            below = m.model.new_int_var(0, top, f"fair_below[{i}]")
            if reach >= top:
                m.model.add(below >= band - count)
            else:
                owed = m.model.new_int_var(0, reach, f"fair_owed[{i}]")
                m.model.add_min_equality(owed, [band, reach])
                m.model.add(below >= owed - count)
            deviations += [above, below]
            m.soft_by_person[i] += [above, below]
    m.terms.append(
        Term.weighted(
            "fairness", sum(deviations), weight, "night/weekend/holiday shifts outside the fair band"
        )
    )


def _requests(m: RosterModel, weight: int) -> None:
    """Unmet on/off requests, weighted by their own weight."""
    index = {p.person_id: i for i, p in enumerate(m.people)}
    unmet = []
    for r in m.dataset.requests:
        i = index.get(r.person_id)
        if i is None or r.date not in m.horizon:
            continue
        day = m.horizon.index(r.date)
        shifts = [r.shift_id] if r.shift_id else list(m.shifts)
        xs = [x for s in shifts for x in m.work.get((i, day, s), ())]
        scale = max(0, round(r.weight))
        unmet.append(scale * unmet_request(xs, r.want_on))
        if scale:
            m.soft_by_person[i].append(unmet_request(xs, r.want_on))
    m.terms.append(Term.weighted("requests", sum(unmet), weight, "unmet request weight"))


def _stability(m: RosterModel, weight: int) -> None:
    """Changes against a published roster: assignments dropped plus assignments added."""
    if not m.published:
        m.terms.append(Term.weighted("stability", 0, weight, "changes"))
        return
    index = {p.person_id: i for i, p in enumerate(m.people)}
    post_index = {pv.post.key: q for q, pv in enumerate(m.post_vars)}
    kept = set()
    dropped = []
    for a in m.published:
        i, q = index.get(a.person_id), post_index.get((a.station_id, a.date, a.shift_id, a.task_id))
        x = m.x.get((i, q)) if i is not None and q is not None else None
        if x is None:
            if a.date in m.horizon and a.station_id in m.station_ids:
                dropped.append(1)
            continue
        kept.add((i, q))
        dropped.append(1 - x)
    added = [x for key, x in m.x.items() if key not in kept]
    top = len(dropped) + len(added)
    m.terms.append(Term.weighted("stability", sum(dropped) + sum(added), weight, "changes", top))
