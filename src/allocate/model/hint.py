"""A greedy roster used as CP-SAT's solution hint.

On a core station (~20k variables) CP-SAT's first solutions leave most crews empty and the LNS
needs many seconds to fill them. Filling posts greedily in time order, under the same hard rules,
gives it a nearly complete roster to start from; the solver then only improves it.
The greedy never decides anything on its own: it is a hint, checked by the model like any guess.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from allocate.domain import is_heavy
from allocate.fairness import history_heavy
from allocate.model.params import ROSTER_PARAMS, hint_from, set_hint
from allocate.model.workdays import history_workdays
from allocate.rules.labour import (
    block_of,
    contract_minutes,
    free_from,
    weekly_cap_minutes,
    workday_windows,
)

if TYPE_CHECKING:
    from ortools.sat.python import cp_model

    from allocate.domain import Shift
    from allocate.model.builder import RosterModel
    from allocate.model.handles import PostVars
    from allocate.policy import LabourRules

CLASS_ORDER = {"police_only": 0, "led": 1, "support": 2, "independent": 3}


@dataclass
class _State:
    """What a person has been given so far (chronologically), plus last week's carry-over, and the
    person's limits (from the rules, read once per person rather than at every post they may fill)."""

    rules: LabourRules
    contract: int  # contract minutes per 7-day block (above: overtime)
    cap: int  # the most minutes per 7-day block
    windows: tuple[tuple[int, int], ...]  # (window, most days worked in it)
    days: set[int] = field(default_factory=set)  # day indexes with a shift start (negative: history)
    free_from: int = -(10**9)  # minute (from horizon start) when the next shift may start
    minutes: dict[int, int] = field(default_factory=dict)  # per 7-day block
    nights: dict[int, int] = field(default_factory=dict)
    heavy: int = 0  # night and weekend shifts, which fairness spreads evenly
    # (day, shift id) -> whether the person may take it now. Only `_take` changes what a person may
    # take, so it clears this; a person is asked about the same shift once per post they may fill.
    fits: dict[tuple[int, str], bool] = field(default_factory=dict)


def _start_minute(day: int, start_min: int) -> int:
    return day * 1440 + start_min


@dataclass(frozen=True)
class PostTarget:
    """A plan for one post of a pooled model (see :mod:`allocate.counting`)."""

    crews: tuple[int, ...]  # crews per pattern
    people: dict[str, int]  # per group: "sworn" and each auxiliary kind


@dataclass
class _Fill:
    """The greedy's choice at one post."""

    people: list[int] = field(default_factory=list)
    pooled: dict[str, int] = field(default_factory=dict)  # people per group (model.pools)
    counts: dict[int, int] = field(default_factory=dict)  # pattern index -> crews
    sworn_in_a: int = 0


def build_hint(m: RosterModel) -> dict[int, _Fill]:
    """Post index -> the greedy's people and crews, a lawful roster."""
    states = _initial_states(m)
    candidates = _candidates(m)
    flexibility: dict[tuple[int, int, str], int] = defaultdict(int)  # posts a person may fill
    for q, (sworn, aux) in candidates.items():
        post = m.post_vars[q].post
        day = m.horizon.index(post.date)
        for i in (*sworn, *aux):
            flexibility[i, day, post.shift_id] += 1
    on_duty: set[tuple[str, int, str]] = set()  # (station, day, shift) with a sworn officer
    chosen: dict[int, _Fill] = {}
    order = sorted(
        range(len(m.post_vars)),
        key=lambda q: (
            m.horizon.index(m.post_vars[q].post.date),
            m.shifts[m.post_vars[q].post.shift_id].start_min,
            CLASS_ORDER[m.dataset.task_by_id[m.post_vars[q].post.task_id].duty_class],
            -m.dataset.task_by_id[m.post_vars[q].post.task_id].priority,
            q,
        ),
    )
    # Each person's load for the shift of the posts being filled (None: may not take it), kept from
    # post to post of one day and shift: only the people a crew takes change state, and they may
    # take nothing else that day.
    loads: dict[int, tuple | None] = {}
    shift: tuple[int, str] | None = None
    for q in order:
        pv = m.post_vars[q]
        target = m.targets.get(q)
        if target is not None and pv.pooled:  # a pooled post: the plan's counts are the hint
            chosen[q] = _Fill(counts=dict(enumerate(target.crews)), pooled=dict(target.people))
            loads.clear()
            continue
        if shift != (m.horizon.index(pv.post.date), pv.post.shift_id):
            shift = m.horizon.index(pv.post.date), pv.post.shift_id
            loads.clear()
        chosen[q] = _fill_post(m, pv, candidates[q], flexibility, states, on_duty, loads)
    return chosen


def _candidates(m: RosterModel) -> dict[int, tuple[list[int], list[int]]]:
    """Post index -> (sworn, auxiliary) people who may serve it, by name or through a class."""
    out = {q: ([i for i, _ in pv.sworn], [i for i, _ in pv.aux]) for q, pv in enumerate(m.post_vars)}
    for c in m.classes:
        for q in c.counts:
            out[q][0 if c.sworn else 1].extend(c.members)
    return out


def _initial_states(m: RosterModel) -> list[_State]:
    states = []
    for person in m.people:
        rules = m.policy.rules_for(person.role)
        limits = contract_minutes(person), weekly_cap_minutes(person, rules), workday_windows(rules)
        states.append(_State(rules, *limits))
    index = {p.person_id: i for i, p in enumerate(m.people)}
    for pid, dates in history_workdays(m).items():
        if pid in index:
            states[index[pid]].days |= {(d - m.horizon.start).days for d in dates}
    for row in m.dataset.history:
        i = index.get(row.person_id)
        if i is None or row.date >= m.horizon.start:
            continue
        shift = m.shifts[row.shift_id]
        start = _start_minute((row.date - m.horizon.start).days, shift.start_min)
        states[i].free_from = max(states[i].free_from, free_from(start, shift, states[i].rules))
    for pid, count in history_heavy(m.dataset, m.horizon, m.policy.fairness_weeks).items():
        if pid in index:
            states[index[pid]].heavy = count  # the fairness window reaches into the history
    return states


def _can_take(m: RosterModel, i: int, day: int, shift_id: str, states: list[_State]) -> bool:
    st = states[i]
    fits = st.fits.get((day, shift_id))
    if fits is None:
        fits = st.fits[day, shift_id] = _fits(st, day, m.shifts[shift_id])
    return fits


def _fits(st: _State, day: int, shift: Shift) -> bool:
    """Whether a person in state `st` may start `shift` on `day` under the hard rules."""
    if day in st.days or _start_minute(day, shift.start_min) < st.free_from:
        return False
    block = block_of(day)
    if st.minutes.get(block, 0) + shift.minutes > st.cap:
        return False
    if shift.is_night and st.nights.get(block, 0) >= st.rules.max_nights_per_week:
        return False
    for window, limit in st.windows:
        # Every window holding `day`, slid across the days around it: one pass, not one per window.
        flags = [d in st.days or d == day for d in range(day - window + 1, day + window)]
        worked = sum(flags[:window])
        if worked > limit:
            return False
        for k in range(window, len(flags)):
            worked += flags[k] - flags[k - window]
            if worked > limit:
                return False
    return True


def _take(m: RosterModel, i: int, day: int, shift_id: str, states: list[_State]) -> None:
    st, shift = states[i], m.shifts[shift_id]
    st.fits.clear()
    st.days.add(day)
    st.free_from = free_from(_start_minute(day, shift.start_min), shift, st.rules)
    block = block_of(day)
    st.minutes[block] = st.minutes.get(block, 0) + shift.minutes
    if shift.is_night:
        st.nights[block] = st.nights.get(block, 0) + 1
    st.heavy += is_heavy(shift, m.horizon.dates[day], m.dataset.calendar)


def _fill_post(
    m: RosterModel,
    pv: PostVars,
    candidates: tuple[list[int], list[int]],
    flexibility: dict[tuple[int, int, str], int],
    states: list[_State],
    on_duty: set[tuple[str, int, str]],
    known: dict[int, tuple | None],
) -> _Fill:
    """The crews of one post, its people chosen by their load; `known` holds the loads of this
    post's day and shift asked so far (see `build_hint`), and learns the rest."""
    post = pv.post
    day = m.horizon.index(post.date)
    task = m.dataset.task_by_id[post.task_id]

    heavy = is_heavy(m.shifts[post.shift_id], post.date, m.dataset.calendar)

    minutes, block = m.shifts[post.shift_id].minutes, block_of(day)

    def load(i: int) -> tuple:
        """Within contract hours first, then the least flexible (scarce skills stay free for their
        posts), then the fewest night and weekend shifts, then the least worked."""
        worked = states[i].minutes.get(block, 0)
        overtime = worked + minutes > states[i].contract
        spread = states[i].heavy if heavy else 0
        return (overtime, flexibility[i, day, post.shift_id], spread, worked, i)

    for i in (*candidates[0], *candidates[1]):
        if i not in known:
            known[i] = load(i) if _can_take(m, i, day, post.shift_id, states) else None
    loads = {i: known[i] for i in (*candidates[0], *candidates[1]) if known[i] is not None}
    sworn = sorted((i for i in candidates[0] if i in loads), key=loads.__getitem__)
    aux = sorted((i for i in candidates[1] if i in loads), key=loads.__getitem__)
    fill = _Fill()
    # Prefer crews that use auxiliaries (cost goal), but only aux-only ones with a commander.
    patterns = sorted(range(len(pv.patterns)), key=lambda j: (pv.patterns[j].sworn, -pv.patterns[j].aux))
    for _ in range(post.crews_required):
        for j in patterns:
            pattern = pv.patterns[j]
            needs_command = pattern.sworn == 0 and task.duty_class == "independent"
            if needs_command and (post.station_id, day, post.shift_id) not in on_duty:
                continue
            if len(sworn) < pattern.sworn or len(sworn) + len(aux) < pattern.size:
                continue
            # A slots: auxiliaries within contract hours, then spare officers within theirs (a
            # sworn officer in an A slot costs less than an overtime shift), then overtime.
            spare = sworn[pattern.sworn :]
            a_slots = sorted(
                [(loads[i][0], 0, k, i) for k, i in enumerate(aux)]
                + [(loads[i][0], 1, k, i) for k, i in enumerate(spare)]
            )[: pattern.aux]
            a_sworn = [i for _, is_sworn, _, i in a_slots if is_sworn]
            a_aux = [i for _, is_sworn, _, i in a_slots if not is_sworn]
            n_sworn = pattern.sworn + len(a_sworn)
            crew = sworn[: pattern.sworn] + a_sworn + a_aux
            for i in crew:
                (sworn if m.people[i].is_sworn else aux).remove(i)
            for i in crew:
                _take(m, i, day, post.shift_id, states)
                known[i] = None
            if n_sworn:
                on_duty.add((post.station_id, day, post.shift_id))
            fill.people += crew
            fill.counts[j] = fill.counts.get(j, 0) + 1
            fill.sworn_in_a += n_sworn - pattern.sworn
            break
        else:
            break
    return fill


def add_hints(m: RosterModel) -> None:
    """Hint every x, crew count and shortfall from the greedy roster (a re-plan: the published one)."""
    if m.freeze_before is not None:
        _hint_published(m)
        return
    chosen = build_hint(m)
    hints: list[tuple[cp_model.IntVar, int]] = []
    for q, pv in enumerate(m.post_vars):
        fill = chosen[q]
        picked = set(fill.people)
        hints += [(x, int(i in picked)) for i, x in [*pv.sworn, *pv.aux]]
        hints += [(n, fill.counts.get(j, 0)) for j, n in enumerate(pv.crews)]
        if pv.sworn_in_a is not None:
            hints.append((pv.sworn_in_a, fill.sworn_in_a))
        hints += [(count, fill.pooled.get(group, 0)) for group, count in pv.pooled.items()]
        if pv.shortfall is not None:
            hints.append((pv.shortfall, pv.post.crews_required - sum(fill.counts.values())))
    for c in m.classes:
        working = set()
        for q, count in c.counts.items():
            serving = set(chosen[q].people).intersection(c.members)
            hints.append((count, len(serving)))
            working |= serving
        hints += [(y, int(i in working)) for i, y in c.lines.items()]
    # In bulk, after what is hinted already: one add_hint per variable cost a tenth of a station's
    # Python time. Every variable here is a model variable of its own (never a negated literal).
    hint = m.model.proto.solution_hint
    hint.vars.extend(var.index for var, _ in hints)
    hint.values.extend(value for _, value in hints)


def _hint_published(m: RosterModel) -> None:
    """A re-plan starts from the published roster: each post keeps its published people when all of
    them may still serve it, else it is hinted empty (the solver then refills it). Only the x are
    hinted; :func:`complete_hints` derives the crews, and a subset of a lawful roster stays lawful."""
    index = {p.person_id: i for i, p in enumerate(m.people)}
    members: dict[tuple, set[int | None]] = {}
    for a in m.published:
        members.setdefault((a.station_id, a.date, a.shift_id, a.task_id), set()).add(index.get(a.person_id))
    for pv in m.post_vars:
        wanted = members.get(pv.post.key, set())
        xs = dict([*pv.sworn, *pv.aux])
        keep = wanted <= set(xs)
        for i, x in xs.items():
            m.model.add_hint(x, keep and i in wanted)


def complete_hints(
    m: RosterModel, time_limit: float, solver_params: dict | None = None
) -> cp_model.CpSolver | None:
    """Turn the partial hint into a complete solution (every auxiliary variable too).

    CP-SAT drops a partial hint it cannot complete within a few conflicts, which on a large
    station throws the greedy roster away. Solving once with the hinted values fixed completes it
    cheaply (presolve does most of the work); the full assignment is then hinted instead.
    Returns the solver holding the completed greedy roster (a lawful solution in its own right),
    or None (hints unchanged) when completion fails within `time_limit`.
    """
    from ortools.sat.python import cp_model

    solver = cp_model.CpSolver()
    solver.parameters.fix_variables_to_their_hinted_value = True
    solver.parameters.num_workers = 1
    solver.parameters.max_time_in_seconds = time_limit
    for key, value in {**ROSTER_PARAMS, **(solver_params or {})}.items():  # the user's hold here too
        if key not in ("num_workers", "max_time_in_seconds"):
            setattr(solver.parameters, key, value)
    status = solver.solve(m.model)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return None
    hint_from(m.model, solver)
    return solver


def roster_variables(m: RosterModel) -> list[cp_model.IntVar]:
    """The variables a roster is made of: who serves at each post, its crews per pattern, sworn
    officers in A slots, recruits and shortfall, and each class's counts and lines of work (the
    variables :func:`add_hints` hints). Every other variable (days, runs, hours) follows from them,
    and so does the least each soft goal's accounting can be (overtime, the fair band)."""
    found: list[cp_model.IntVar] = []
    for pv in m.post_vars:
        found += [x for _, x in [*pv.sworn, *pv.aux]]
        found += [*pv.crews, *pv.pooled.values()]
        found += [v for v in (pv.sworn_in_a, pv.shortfall) if v is not None]
    for c in m.classes:
        found += [*c.counts.values(), *c.lines.values()]
    return found


def settle(
    m: RosterModel, solver: cp_model.CpSolver, objective, time_limit: float, solver_params: dict | None = None
) -> cp_model.CpSolver | None:
    """`solver`'s roster (its :func:`roster_variables` fixed) with every other variable at its
    least for `objective`; the model then minimises `objective` and is hinted with it. None (the
    hint then holds the roster variables alone) when that fails within `time_limit`.

    A stage that minimised coverage alone leaves the soft goals' accounting wherever its search
    put it: city S001's coverage roster set the fair band at 7 heavy shifts where its people work
    0 to 5, so 1,476 shifts counted outside the band instead of 80, and the search that follows
    never moved the band (no neighbourhood frees it with all its deviations). Settled, the same
    roster's soft goals cost 6,361 instead of 13,371, in 0.003 deterministic seconds.
    """
    variables = roster_variables(m)
    set_hint(m.model, [v.index for v in variables], [solver.value(v) for v in variables])
    m.model.minimize(objective)
    return complete_hints(m, time_limit, solver_params)


def plan_hint(m: RosterModel, plan: dict[int, PostTarget]) -> tuple[list[int], list[int]]:
    """A hint (variable indexes, values) of every post's crews per pattern and shortfall from a
    counting plan, and of nothing else.

    At a real shortage the greedy roster spends scarce skill holders early in the week and leaves
    several times the least uncovered (city S153: 580,000 against 120,000); the counting plan says
    which crews to staff and how. Hinted at the posts alone, CP-SAT finds the people: S153, S121 and
    S001 met their floor within 1.5 deterministic seconds of a coverage search from it, none of them
    from the greedy roster. (The greedy roster's people added to this hint changed nothing.)
    """
    values: dict[int, int] = {}
    for q, target in plan.items():
        pv = m.post_vars[q]
        values.update((n.index, c) for n, c in zip(pv.crews, target.crews, strict=True))
        if pv.shortfall is not None:
            values[pv.shortfall.index] = pv.post.crews_required - sum(target.crews)
    return list(values), list(values.values())
