"""Sizing over several weeks: the cyclic week, the weeks rolled with history, proofs by week floors."""

from __future__ import annotations

import pytest
from ortools.sat.python import cp_model

from allocate.domain import Absence, Horizon
from allocate.policy import LabourRules, Policy
from allocate.sizing import size_dataset
from allocate.sizing.candidates import make_candidates, repeated_demand, station_posts
from allocate.sizing.model import SizingModel
from allocate.solve import solve
from builders import MONDAY, WEEK, dataset, day, need, person

STATIONS_ONE = dataset([], []).stations[:1]
TWO_WEEKS = Horizon(MONDAY, 14)


def _feasible_with(sm: SizingModel, forced: list[tuple[int, str]], who: str | None = None) -> bool:
    """Whether `who` (by default the first recruit) may work every (day, shift) of `forced`."""
    r = sm.roster
    i = next(
        k for k, p in enumerate(r.people) if p.person_id == who or (who is None and p.person_id in sm.hire)
    )
    m = r.model
    pins = [m.add(r.work[i, d, s][0] == 1) for d, s in forced]
    status = cp_model.CpSolver().solve(m)
    for pin in pins:
        pin.proto.clear_linear()
    return status in (cp_model.OPTIMAL, cp_model.FEASIBLE)


def _patrols(shifts: list[tuple[int, str]]):
    """A 2A|1S+1A patrol on each (day, shift), and one officer (rule 3: someone on duty to lead)."""
    return dataset([person("P0")], [need("patrol", d, s) for d, s in shifts], stations=STATIONS_ONE)


def test_cyclic_week_keeps_rest_across_the_seam():
    """Sunday evening then Monday day is 8 h of rest: lawful in one week, not in a week that repeats."""
    forced = [(6, "evening"), (0, "day")]
    sm = SizingModel(_patrols([*forced, (6, "day")]), "S1", WEEK, Policy())
    assert _feasible_with(sm, forced)
    sm.make_cyclic()
    assert not _feasible_with(sm, forced)
    assert _feasible_with(sm, [(6, "day"), (0, "day")])  # 24 h apart: lawful around the seam too
    least = sm.min_uncovered(10, workers=1).uncovered_cost
    assert sm.min_headcount(least, 10, workers=1).status == "OPTIMAL"
    assert sm.proven_floor is None  # a cyclic week's minimum bounds no horizon


def test_a_cyclic_week_wraps_its_officers_too():
    """The officers' week repeats too: the weeks after it start from it (see `seed_from`)."""
    forced = [(6, "evening"), (0, "day")]
    sm = SizingModel(_patrols(forced), "S1", WEEK, Policy())
    assert _feasible_with(sm, forced, "P0")
    sm.make_cyclic()
    assert not _feasible_with(sm, forced, "P0")


def test_the_week_after_a_cycle_starts_from_its_roster_whole():
    """Seeded from a cyclic week, the next week's hint is completed before its search: a lawful
    roster that staffs every crew, which CP-SAT takes as it is (the lines alone it searched from)."""
    ds = response_weeks(0)
    week = SizingModel(ds, "S1", WEEK, Policy())
    week.make_cyclic()
    least = week.min_uncovered(10, workers=1).uncovered_cost
    hired = week.min_headcount(least, 10, workers=1).headcount
    assert least == 0
    after = ds.replace(history=tuple(week.worked()))
    following = SizingModel(after, "S1", Horizon(day(7), 7), Policy(), week.bounds)
    following.seed_from(week)
    following.set_kinds({}, hired)
    got = following.min_uncovered(0.0001, workers=1)
    assert got.uncovered == 0 and got.headcount == hired
    assert following.checkpoint().solution_info() == "complete_hint"  # CP-SAT took the hint whole


def test_every_sizing_search_but_the_curves_is_guided_by_the_lp(monkeypatch):
    """Phases 1 and 2 search with CP-SAT's LP-guided branching; a curve point (under a cap) with
    its default search."""
    from allocate.model.params import LP_SEARCH_PARAMS
    from allocate.sizing import model as sizing_model

    seen: list[bool] = []
    real = sizing_model.run_stage

    def recording(model, stage, settings, **kwargs):
        guided = settings.params.get("search_branching") == LP_SEARCH_PARAMS["search_branching"]
        seen.append(guided)
        return real(model, stage, settings, **kwargs)

    monkeypatch.setattr(sizing_model, "run_stage", recording)
    sm = SizingModel(response_weeks(0), "S1", WEEK, Policy())
    least = sm.min_uncovered(10, workers=1).uncovered_cost
    sm.min_headcount(least, 10, workers=1)
    sm.set_cap(1)
    sm.min_uncovered(10, workers=1)
    assert seen == [True, True, False]  # phase 1, phase 2, the curve's point


def test_each_curve_point_gets_its_least_share_however_fast_the_minimum(monkeypatch):
    """A minimum proven in a blink still leaves each curve point `CURVE_POINT_SECONDS` of work."""
    from allocate.sizing import run as sizing_run

    shares: list[float] = []
    real = SizingModel.min_uncovered

    def recording(self, time_limit, *args, **kwargs):
        if self._cap_value is not None:  # a curve point: a capped solve
            shares.append(time_limit)
        return real(self, time_limit, *args, **kwargs)

    monkeypatch.setattr(SizingModel, "min_uncovered", recording)
    size_dataset(response_weeks(0), WEEK, weeks=1, time_limit=60, workers=1, curve_points=3)
    assert len(shares) == 3 and shares[0] >= 0.99 * sizing_run.CURVE_POINT_SECONDS  # was 5 s for all


def test_cyclic_week_wraps_consecutive_day_windows():
    """At most 3 days in a row: Saturday to Tuesday is 4 days in a row once the week repeats."""
    rules = LabourRules(max_consecutive_days=3)
    forced = [(5, "day"), (6, "day"), (0, "day"), (1, "day")]
    sm = SizingModel(_patrols(forced), "S1", WEEK, Policy(sworn=rules, auxiliary=rules))
    assert _feasible_with(sm, forced)
    sm.make_cyclic()
    assert not _feasible_with(sm, forced)


def test_a_cyclic_week_needs_seven_days():
    sm = SizingModel(_patrols([(0, "day")]), "S1", TWO_WEEKS, Policy())
    with pytest.raises(ValueError, match="7-day"):
        sm.make_cyclic()


def response_weeks(aux: int, absences: tuple[Absence, ...] = ()):
    """One 1S+2A|2S response crew a day, two officers and `aux` recruits, as a weekly pattern."""
    staff = [person("P0"), person("P1")]
    ds = dataset(staff, [need("resp", d) for d in range(7)], stations=STATIONS_ONE, absences=absences)
    ds = repeated_demand(ds, MONDAY)
    extra = make_candidates(ds, "S1", "aux_service", aux, station_posts(ds, "S1", TWO_WEEKS))
    return ds.replace(staff=(*ds.staff, *extra))


def uncovered(ds, horizon: Horizon) -> int:
    return int(solve(ds, horizon, time_limit=30, seed=0, workers=1).coverage["shortfall"].sum())


def test_two_week_minimum_is_proven_and_minimal_by_the_roster_model():
    """The first week's proven minimum holds for both weeks, and the roster model agrees."""
    report = size_dataset(response_weeks(0), WEEK, weeks=2, time_limit=30, workers=1, curve_points=2)
    st = report.stations[0]
    assert st.minimum_proven
    assert st.minimum["aux_service"] == 2
    assert uncovered(response_weeks(2), TWO_WEEKS) == 0
    assert uncovered(response_weeks(1), TWO_WEEKS) > 0
    assert set(report.curve()["days"]) == {7}  # the curve is counted per week of the pattern


def test_a_later_week_can_bind_and_its_own_minimum_proves_it():
    """An officer on leave from Monday to Saturday of week 2 leaves one officer to lead six of
    its 1S+2A crews, and week 2 needs more auxiliaries than week 1. Week 2 rostered alone is a
    relaxation of the fortnight, so its own proven minimum proves the fortnight's."""
    leave = (Absence("P1", day(7), day(12)),)
    one = size_dataset(response_weeks(0, leave), WEEK, weeks=1, time_limit=30, workers=1, curve_points=2)
    two = size_dataset(response_weeks(0, leave), WEEK, weeks=2, time_limit=40, workers=1, curve_points=2)
    first, both = one.stations[0].minimum["aux_service"], two.stations[0].minimum["aux_service"]
    assert both > first
    assert two.stations[0].minimum_proven
    assert uncovered(response_weeks(both, leave), TWO_WEEKS) == 0
    assert uncovered(response_weeks(both - 1, leave), TWO_WEEKS) > 0


def test_stations_sized_in_parallel_give_the_serial_answer():
    """Two stations on a spawned process pool, one worker each: the same minima as one by one."""
    staff = [person("P0"), person("P1"), person("Q0", station="S2"), person("Q1", station="S2")]
    demand = [need("resp", d) for d in range(7)] + [need("resp", d, station="S2") for d in range(5)]
    ds = dataset(staff, demand)
    kwargs = dict(weeks=1, time_limit=20, workers=1, curve_points=2)
    serial = size_dataset(ds, WEEK, jobs=1, **kwargs)
    parallel = size_dataset(ds, WEEK, jobs=2, **kwargs)
    assert [s.station_id for s in parallel.stations] == ["S1", "S2"]
    assert [s.minimum for s in parallel.stations] == [s.minimum for s in serial.stations]
    assert all(s.minimum_proven for s in parallel.stations)
