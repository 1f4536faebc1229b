"""Rule 7 (occupational protection) and rule 8 (soft goals) on tiny cases with known optima."""

from __future__ import annotations

from typing import TYPE_CHECKING

from allocate.domain import Assignment, Horizon
from allocate.policy import LabourRules, Policy
from allocate.solve import solve
from builders import WEEK, Request, dataset, day, need, person, worked

if TYPE_CHECKING:
    from allocate.result import Result


def run(ds, horizon=WEEK, policy=None, **kw) -> Result:
    return solve(ds, horizon, policy, time_limit=20, seed=1, workers=1, **kw)


def shortfall(r: Result) -> int:
    return int(r.coverage["shortfall"].sum())


def dates_of(r: Result, pid: str) -> list[str]:
    return sorted(r.roster.loc[r.roster["person_id"] == pid, "date"])


def test_min_rest_forbids_evening_then_morning():
    """11 h rest: an evening desk (ends 24:00) and next day's 08:00 desk cannot both go to one officer."""
    ds = dataset([person("P1")], [need("desk", 0, "evening"), need("desk", 1, "day")])
    assert shortfall(run(ds)) == 1


def test_min_rest_is_a_policy_per_role():
    """With min_rest_hours 8 for sworn officers, the same officer covers both desks."""
    ds = dataset([person("P1")], [need("desk", 0, "evening"), need("desk", 1, "day")])
    policy = Policy(sworn=LabourRules(min_rest_hours=8))
    assert shortfall(run(ds, policy=policy)) == 0


def test_rest_after_a_24_hour_duty():
    """A 24-hour duty (rest_after 24) from Mon 08:00 blocks Tue evening but not Wed day."""
    demand = [need("desk", 0, "duty24"), need("desk", 1, "evening"), need("desk", 2, "day")]
    r = run(dataset([person("P1")], demand))
    assert shortfall(r) == 1
    assert dates_of(r, "P1") == [day(0).isoformat(), day(2).isoformat()]


def test_history_rest_carries_across_the_horizon_start():
    """Worked last Sunday's evening: the Monday 08:00 desk is 8 h later, so it stays uncovered."""
    demand = [need("desk", 0, "day"), need("desk", 0, "evening")]
    r = run(dataset([person("P1")], demand, history=(worked("P1", -1, "evening"),)), Horizon(day(0), 1))
    assert r.roster["shift_id"].tolist() == ["evening"]
    assert shortfall(r) == 1


def test_max_consecutive_days():
    """One officer, a desk every day of a week: six days worked, one day off."""
    r = run(dataset([person("P1")], [need("desk", d) for d in range(7)]))
    assert shortfall(r) == 1
    assert len(dates_of(r, "P1")) == 6


def test_day_off_in_seven_carries_from_history():
    """Worked the last six days of last week: Monday must be off, Tuesday may be worked."""
    history = tuple(worked("P1", d, "day") for d in range(-6, 0))
    r = run(dataset([person("P1")], [need("desk", 0), need("desk", 1)], history=history), Horizon(day(0), 2))
    assert dates_of(r, "P1") == [day(1).isoformat()]


def test_weekly_hours_cap_with_overtime():
    """Contract 20 h + 9 h overtime: three 8-hour desks (24 h) fit, a fourth (32 h) does not."""
    r = run(dataset([person("P1", hours_per_week=20)], [need("desk", d) for d in range(4)]))
    assert shortfall(r) == 1
    assert r.goals()["overtime"].amount == 4


def test_auxiliary_overtime_cap_is_separate_from_sworn():
    """An auxiliary overtime cap of 0 keeps a 20-hour auxiliary at 2 window shifts (16 h)."""
    policy = Policy(auxiliary=LabourRules(max_overtime_hours_per_week=0))
    ds = dataset([person("A1", "aux_service", hours_per_week=20)], [need("window", d) for d in range(4)])
    assert shortfall(run(ds, policy=policy)) == 2


def test_nights_per_week():
    """A night desk every day: at most four nights for one officer."""
    r = run(dataset([person("P1")], [need("desk", d, "night") for d in range(7)]))
    assert len(dates_of(r, "P1")) == 4


def test_overtime_is_avoided_when_work_can_be_shared():
    """Six 8-hour desks over two officers: split 3 + 3, no overtime."""
    r = run(dataset([person("P1"), person("P2")], [need("desk", d) for d in range(6)]))
    assert shortfall(r) == 0
    assert r.goals()["overtime"].amount == 0


def test_night_shifts_are_spread_fairly():
    """Two night desks and two officers: one night each (spread 0)."""
    r = run(dataset([person("P1"), person("P2")], [need("desk", 0, "night"), need("desk", 2, "night")]))
    assert sorted(r.roster["person_id"]) == ["P1", "P2"]
    assert r.goals()["fairness"].amount == 0


def test_off_request_is_honoured_when_free():
    """P1 asks Monday off: P2 takes the Monday desk."""
    req = (Request("P1", day(0), want_on=False, weight=2),)
    r = run(dataset([person("P1"), person("P2")], [need("desk", 0)], requests=req), Horizon(day(0), 1))
    assert r.roster["person_id"].tolist() == ["P2"]
    assert r.goals()["requests"].amount == 0


def test_on_request_is_honoured():
    """P2 asks to work Monday: P2 takes the desk."""
    req = (Request("P2", day(0), want_on=True),)
    r = run(dataset([person("P1"), person("P2")], [need("desk", 0)], requests=req), Horizon(day(0), 1))
    assert r.roster["person_id"].tolist() == ["P2"]


def test_stability_keeps_the_published_roster():
    """Re-planning with a published roster that put P2 on the desk keeps P2 there."""
    ds = dataset([person("P1"), person("P2")], [need("desk", 0)])
    first = run(ds, Horizon(day(0), 1))
    other = "P2" if first.roster["person_id"].tolist() == ["P1"] else "P1"
    published = (Assignment(day(0), "S1", "day", "desk", "c1", other, "sworn", "S", other),)
    r = run(ds, Horizon(day(0), 1), published=published)
    assert r.roster["person_id"].tolist() == [other]
    assert r.goals()["stability"].amount == 0


def test_labour_rules_are_never_broken_to_cover_a_crew():
    """A priority-5 case needing 2 officers after their night shift stays uncovered, with a reason."""
    demand = [need("case", 0, "night"), need("case", 0, "day")]
    r = run(dataset([person("P1"), person("P2")], demand), Horizon(day(0), 1))
    assert shortfall(r) == 1
    reasons = r.uncovered_reasons
    assert len(reasons) == 1
    assert reasons.iloc[0]["reason"] in ("everyone eligible is busy", "rest rule")
