"""The crew rules: led enforcement and under command (docs/RULES.md 2 and 3).

Led enforcement (`crew_composition`): the people at a post form whole crews of the task's allowed patterns. With `n_j` crews of
pattern j (S_j sworn slots, A_j auxiliary slots) and `z` sworn officers filling A slots:
``sworn = sum S_j n_j + z`` and ``auxiliaries + z = sum A_j n_j``. Anyone eligible for the post
fills an A slot, so crews can be cut out of the post's members afterwards, each led by a sworn
member (see :mod:`allocate.crew_forming`).

Under command (`lead`): auxiliary-only crews (independent tasks) exist only while a sworn officer of the station
is on duty in that shift to command them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from allocate.model.builder import RosterModel


def add_crew_composition(m: RosterModel) -> None:
    for pv in m.post_vars:
        with m.rule("coverage"):  # no crew beyond demand
            m.model.add(sum(pv.crews) + pv.shortfall == pv.post.crews_required)
        s_slots = sum(p.sworn * n for p, n in zip(pv.patterns, pv.crews, strict=True))
        a_slots = sum(p.aux * n for p, n in zip(pv.patterns, pv.crews, strict=True))
        sworn, sworn_room = pv.people(sworn=True)
        aux, aux_room = pv.people(sworn=False)
        if pv.sworn_in_a is not None:
            m.model.add(sworn == s_slots + pv.sworn_in_a)
            m.model.add(aux + pv.sworn_in_a == a_slots)
        else:
            m.model.add(sworn == s_slots)
            m.model.add(aux == a_slots)
        # A pattern needing more people of a kind than there are eligible is dead: fix it to 0.
        for p, n in zip(pv.patterns, pv.crews, strict=True):
            if p.sworn > sworn_room or p.size > sworn_room + aux_room:
                m.model.add(n == 0)


def add_command(m: RosterModel) -> None:
    for pv in m.post_vars:
        task = m.dataset.task_by_id[pv.post.task_id]
        if task.duty_class != "independent":
            continue
        aux_only = [n for p, n in zip(pv.patterns, pv.crews, strict=True) if p.sworn == 0]
        if not aux_only:
            continue
        day = m.horizon.index(pv.post.date)
        on_duty = [
            x
            for i, person in enumerate(m.people)
            if person.is_sworn and person.station_id == pv.post.station_id
            for x in m.work.get((i, day, pv.post.shift_id), ())
        ]
        if not on_duty:
            for n in aux_only:
                m.model.add(n == 0)
            continue
        m.model.add(sum(aux_only) <= pv.post.crews_required * sum(on_duty))
