"""Property: random small problems with random pins; the roster honours every pin and passes the verifier.

`on` pins are drawn from the rows of a first roster of the same problem (so that some lawful roster
keeps them all), `off` pins from anyone on the other dates of the horizon (on an on pin's date an off
pin could take away the crew partner the on pin needs: then no roster exists, rightly exit 3).
"""

from __future__ import annotations

import dataclasses
import datetime as dt

from hypothesis import given, note
from hypothesis import strategies as st

from allocate.domain import Pin
from allocate.verify import verify_roster
from test_properties import EXAMPLES, Problem, examples, problems, run


@examples(max(3, EXAMPLES // 20))
@given(problem=problems(), data=st.data())
def test_pinned_roster_honours_pins_and_passes_the_verifier(problem: Problem, data: st.DataObject) -> None:
    """Pins are hard: the solve keeps every one of them, and the verifier (rule pin) agrees."""
    first = run(problem)
    rows = list(first.roster.drop_duplicates(["person_id", "date"]).itertuples(index=False))
    picked = (
        data.draw(st.lists(st.sampled_from(rows), max_size=4, unique_by=lambda r: (r.person_id, r.date)))
        if rows
        else []
    )
    pins = []
    for r in picked:
        shift = data.draw(st.sampled_from([None, r.shift_id]))
        task = data.draw(st.sampled_from([None, r.task_id]))
        pins.append(Pin(r.person_id, dt.date.fromisoformat(r.date), True, shift, task))
    on_days = {p.date for p in pins}  # an off pin on such a day could take an on pin's crew partner
    people = [p.person_id for p in problem.dataset.staff]
    for _ in range(data.draw(st.integers(0, 4))):
        pid = data.draw(st.sampled_from(people))
        day = data.draw(st.sampled_from(problem.horizon.dates))
        if day not in on_days:
            shift = data.draw(st.sampled_from([None, *(s.shift_id for s in problem.dataset.shifts)]))
            pins.append(Pin(pid, day, False, shift))
    pinned = dataclasses.replace(problem.dataset, pins=tuple(pins))
    note(f"pins: {pins}")
    result = run(dataclasses.replace(problem, dataset=pinned))
    assert result.status in ("OPTIMAL", "FEASIBLE")
    report = verify_roster(pinned, problem.horizon, problem.policy, result.roster, result.coverage)
    assert report.ok, report.render(limit=30)


@examples(max(3, EXAMPLES // 20))
@given(problem=problems(), data=st.data())
def test_replan_freezes_the_past_and_passes_the_verifier(problem: Problem, data: st.DataObject) -> None:
    """Random problem, a published roster, a sick call and a random cut: the re-plan keeps every row
    that starts before the cut, lists exactly the rosters' difference, and breaks no rule."""
    from allocate.domain import Absence
    from allocate.replan import changes, replan, starts

    first = run(problem)
    published = first.roster.astype({"date": str})
    day = data.draw(st.sampled_from(problem.horizon.dates))
    cut = dt.datetime.combine(day, dt.time(data.draw(st.integers(0, 23))))
    people = [p.person_id for p in problem.dataset.staff]
    sick = data.draw(st.sampled_from(people))
    now = dataclasses.replace(
        problem.dataset, absences=(*problem.dataset.absences, Absence(sick, day, problem.horizon.end, "sick"))
    )
    note(f"cut {cut}, sick {sick}")
    result = replan(now, published, problem.horizon, problem.policy, cut, time_limit=2, seed=0, workers=1)
    assert result.verification.ok, result.verification.render(limit=30)
    frozen = published[(starts(now, published) < cut).to_numpy()].reset_index(drop=True)
    kept = result.roster[(starts(now, result.roster) < cut).to_numpy()].reset_index(drop=True)
    key = list(frozen.columns)
    assert sorted(map(tuple, kept[key].to_numpy())) == sorted(map(tuple, frozen.to_numpy()))
    assert result.changes.equals(changes(published, result.roster))
