"""Pins (pins.csv) as hard constraints: a planner's `on` or `off` for a person's date, shift, task.

A date or shift pin reads the person's work (``m.work``), whatever the form. A task pin needs to
know which post the person serves: in the Boolean form that is their x of the task's posts; in the
lines form the person is given a class of their own for that shift (:mod:`allocate.model.lines`),
so the post's count of that class is exactly whether they serve it. Whether a pin is lawful is
checked before the model is built (:mod:`allocate.pins`); one that still finds nothing to hold on
to is reported as bad input rather than left to make the model infeasible.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from allocate.i18n import L_
from allocate.io.errors import InputError

if TYPE_CHECKING:
    from ortools.sat.python import cp_model

    from allocate.domain import Pin
    from allocate.model.builder import RosterModel


def task_pinned(m: RosterModel) -> set[tuple[int, int, str]]:
    """(person, day, shift) that a task pin names: those people get a class of their own."""
    index = {p.person_id: i for i, p in enumerate(m.people)}
    out = set()
    for pin in m.dataset.pins:
        i = index.get(pin.person_id)
        if i is None or pin.task_id is None or pin.date not in m.horizon:
            continue
        day = m.horizon.index(pin.date)
        out |= {(i, day, s) for s in m.shifts if pin.shift_id in (None, s)}
    return out


def add_pins(m: RosterModel) -> None:
    index = {p.person_id: i for i, p in enumerate(m.people)}
    for pin in m.dataset.pins:
        i = index.get(pin.person_id)
        if i is None or pin.date not in m.horizon:
            continue  # another unit's person, or another horizon
        held = _task_vars(m, i, pin) if pin.task_id else _work_vars(m, i, pin)
        if pin.on:
            if not held:
                raise InputError.single(
                    pin.file,
                    pin.line,
                    "pin",
                    "on",
                    L_("a pin with a post the person may serve in this horizon"),
                )
            m.model.add(sum(held) >= 1)
        else:
            for v in held:
                m.model.add(v == 0)


def _work_vars(m: RosterModel, i: int, pin: Pin) -> list[cp_model.IntVar]:
    day = m.horizon.index(pin.date)
    return [v for s in m.shifts if pin.shift_id in (None, s) for v in m.work.get((i, day, s), ())]


def _task_vars(m: RosterModel, i: int, pin: Pin) -> list[cp_model.IntVar]:
    def fits(q: int) -> bool:
        post = m.post_vars[q].post
        return pin.matches(post.date, post.shift_id, post.task_id)

    held = [x for (j, q), x in m.x.items() if j == i and fits(q)]
    for c in m.classes:
        if c.members == (i,):
            held += [n for q, n in c.counts.items() if fits(q)]
    return held
