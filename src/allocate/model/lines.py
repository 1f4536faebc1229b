"""Lines of work: each person works shifts, and posts count people per eligibility class.

Within one station, day and shift, who fills which post only matters through which of that
shift's posts a person may fill (sworn-only duties, auxiliary kinds, fitness, home station, absences) and whether they are sworn. Two
people with the same eligible posts are interchangeable there. So, instead of one Boolean per
person and post, each person gets a line of work (one Boolean per day and shift, which every
labour rule (occupational protection) reads as the person's work) and each post gets, per class of interchangeable
people, a count of how many of that class serve it. A class's counts add up to its lines working
the shift. This is exact: any counts can be turned back into names (:func:`names`), because within a
class anyone can take anyone's place. It is several times smaller than the Boolean-per-post form
and has none of its symmetric post choices, which is what let CP-SAT prove rosters fast.

The Boolean-per-post form (:mod:`allocate.model.variables`) stays for re-planning against a
published roster, whose stability goal counts changes per post and person.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from allocate.model.eligibility import eligibility_key, eligible_among
from allocate.model.pins import task_pinned
from allocate.model.rest import history_blocked

if TYPE_CHECKING:
    from collections.abc import Callable

    from ortools.sat.python import cp_model

    from allocate.model.builder import RosterModel


@dataclass
class PeopleClass:
    """Interchangeable people in one shift: same kind (sworn or not), same eligible posts."""

    day: int
    shift_id: str
    sworn: bool
    members: tuple[int, ...]  # person indexes
    lines: dict[int, cp_model.IntVar] = field(default_factory=dict)  # person -> works this shift
    counts: dict[int, cp_model.IntVar] = field(default_factory=dict)  # post index -> people there


def add_lines(m: RosterModel) -> None:
    """Lines and per-class counts for every person the unit's posts are not given by name."""
    blocked = history_blocked(m)
    shift_of = [(m.horizon.index(pv.post.date), pv.post.shift_id) for pv in m.post_vars]
    people = [(i, p) for i, p in enumerate(m.people) if p.person_id not in m.pooled]
    # Person -> (day, shift) -> the posts there the person may fill, in post order. Asked once per
    # eligibility key (people alike in every way the rules read) over all the unit's posts rather
    # than once per person and shift.
    posts = [pv.post for pv in m.post_vars]
    dates = sorted({post.date for post in posts})
    able_in: dict[int, dict[tuple[int, str], list[int]]] = {}
    by_key: dict[tuple, dict[tuple[int, str], list[int]]] = {}
    for i, person in people:
        key = eligibility_key(m.dataset, person, dates)
        if key not in by_key:
            by_key[key] = defaultdict(list)
            for q in eligible_among(m.dataset, person, posts, m.policy.lending):
                by_key[key][shift_of[q]].append(q)
        able_in[i] = by_key[key]
    alone = task_pinned(m)  # a task pin needs the person counted apart: a class of one
    for day, shift_id in sorted(set(shift_of)):
        classes: dict[tuple[bool, tuple[int, ...], int], list[int]] = defaultdict(list)
        for i, person in people:
            if (i, day, shift_id) in blocked:
                continue
            able = tuple(able_in[i].get((day, shift_id), ()))
            if able:
                classes[person.is_sworn, able, i if (i, day, shift_id) in alone else -1].append(i)
        for (sworn, able, _), members in classes.items():
            _add_class(m, PeopleClass(day, shift_id, sworn, tuple(members)), able)


def _add_class(m: RosterModel, c: PeopleClass, able: tuple[int, ...]) -> None:
    kind = "s" if c.sworn else "a"
    for i in c.members:
        y = m.model.new_bool_var(f"y[{m.people[i].person_id},{c.day},{c.shift_id}]")
        c.lines[i] = y
        m.work[i, c.day, c.shift_id].append(y)
    for q in able:
        pv = m.post_vars[q]
        per_crew = max(p.size if c.sworn else p.aux for p in pv.patterns)
        top = min(len(c.members), pv.post.crews_required * per_crew)
        if top:
            c.counts[q] = m.model.new_int_var(0, top, f"c[{q},{kind}{len(m.classes)}]")
            (pv.counted_sworn if c.sworn else pv.counted_aux).append(c.counts[q])
    m.model.add(sum(c.counts.values()) == sum(c.lines.values()))
    m.classes.append(c)


def names(m: RosterModel, value: Callable[[cp_model.IntVar], int]) -> dict[int, tuple[list[int], list[int]]]:
    """Post index -> (sworn, auxiliary) person indexes, given each variable's `value`.

    A class's working people are dealt to its posts in order, as many as each post counts.
    Raises ``ValueError`` when counts and lines disagree (a model bug, never a roster).
    """
    out: dict[int, tuple[list[int], list[int]]] = defaultdict(lambda: ([], []))
    for c in m.classes:
        queue = [i for i, y in sorted(c.lines.items()) if value(y)]
        for q, count in sorted(c.counts.items()):
            n = value(count)
            if n > len(queue):
                raise ValueError("a class's counts exceed its working lines")
            taken, queue = queue[:n], queue[n:]
            out[q][0 if c.sworn else 1].extend(taken)
        if queue:
            raise ValueError("a class has working lines no post counts")
    return out
