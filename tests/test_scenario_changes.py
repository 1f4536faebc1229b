"""Each kind of scenario change: the changed data is exactly what the change says, nothing else."""

from __future__ import annotations

import datetime as dt

import pytest

from allocate.demand import expand_posts
from allocate.domain import Absence, DemandRow, Horizon, Request, Station
from allocate.io.errors import InputError
from allocate.scenario import Scenario, scaled
from builders import MONDAY, WEEK, dataset, person

FRI, SAT = MONDAY + dt.timedelta(days=4), MONDAY + dt.timedelta(days=5)
FRI_NUM, SAT_NUM = 4, 5


@pytest.fixture(scope="module")
def base():
    """Two stations; weekday demand with one dated override (S1, Saturday evening)."""
    staff = [
        person("P1"),
        person("P2"),
        person("P3"),
        person("P4", disqualified=True),
        person("A1", "aux_service", skills=frozenset({"traffic"})),
        person("A2", "aux_service", hours_per_week=36.0),
        person("A3", "aux_service", pre_job_trained=False),
        person("C1", "aux_civilian"),
        person("Q1", station="S2"),
        person("Q2", station="S2"),
        person("B1", "aux_service", station="S2"),
    ]
    demand = [
        DemandRow("S1", "evening", "resp", 2, weekday=FRI_NUM),
        DemandRow("S1", "evening", "resp", 1, weekday=SAT_NUM),
        DemandRow("S1", "evening", "patrol", 5, weekday=FRI_NUM),
        DemandRow("S2", "evening", "resp", 3, weekday=FRI_NUM),
        DemandRow("S1", "day", "case", 1, weekday=0),
        DemandRow("S1", "evening", "resp", 4, date=SAT),
    ]
    return dataset(
        staff,
        demand,
        stations=(Station("S1", "One", "D1", 10_000, aux_quota=10), Station("S2", "Two", "D1", 8_000)),
        absences=(Absence("P2", MONDAY + dt.timedelta(days=2), MONDAY + dt.timedelta(days=2), "leave"),),
        requests=(Request("A2", MONDAY + dt.timedelta(days=1), False),),
    )


@pytest.fixture(scope="module")
def sc(base):
    return Scenario.from_dataset(base, WEEK, name="t")


def crews(ds, horizon=WEEK) -> dict[tuple, int]:
    return {
        (p.station_id, p.date, p.shift_id, p.task_id): p.crews_required for p in expand_posts(ds, horizon)
    }


def diff(before: dict, after: dict) -> dict:
    """Posts whose crews differ: key -> (before, after)."""
    return {
        k: (before.get(k, 0), after.get(k, 0))
        for k in before.keys() | after.keys()
        if before.get(k, 0) != after.get(k, 0)
    }


@pytest.mark.parametrize(
    ("n", "factor", "rounding", "expected"),
    [(5, 1.3, "half_up", 7), (1, 1.3, "half_up", 1), (1, 1.3, "up", 2), (3, 0.5, "half_up", 2),
     (3, 0.5, "down", 1), (2, 1.15, "half_up", 2), (4, 0, "half_up", 0), (0, 2, "up", 0)],
)  # fmt: skip
def test_scaled_rounds_half_up_by_default(n, factor, rounding, expected):
    """Scaled crews round per post as documented: half up (decimal, so 5 x 1.3 = 6.5 -> 7), up or down."""
    assert scaled(n, factor, rounding) == expected


def test_scale_weekday_demand_edits_the_rows(sc, base):
    """Without dates, scaling edits the matching weekday rows and the dated rows on those weekdays."""
    after = sc.scale_demand(task="resp", weekdays=["Fri", "Sat"], shifts="evening", factor=1.3).dataset
    assert len(after.demand) == len(base.demand)
    assert [r.crews for r in after.demand] == [3, 1, 5, 4, 1, 5]  # 2.6->3, 1.3->1, -, 3.9->4, -, 5.2->5
    assert [r.date or r.weekday for r in after.demand] == [r.date or r.weekday for r in base.demand]


def test_scale_on_dates_converts_weekday_rows_to_dated_rows(sc, base):
    """With dates, the weekday rows stay and dated rows override them on exactly those dates."""
    after = sc.scale_demand(task="resp", date=FRI, factor=2).dataset
    assert after.demand[: len(base.demand)] == base.demand
    assert after.demand[len(base.demand) :] == (
        DemandRow("S1", "evening", "resp", 4, date=FRI),
        DemandRow("S2", "evening", "resp", 6, date=FRI),
    )
    two_weeks = Horizon(MONDAY, 14)
    assert diff(crews(base, two_weeks), crews(after, two_weeks)) == {
        ("S1", FRI, "evening", "resp"): (2, 4),
        ("S2", FRI, "evening", "resp"): (3, 6),
    }


def test_scale_on_a_date_with_a_dated_row_edits_that_row(sc, base):
    """A date that already has a dated row (the loader's override) scales that row in place."""
    after = sc.scale_demand(task="resp", station="S1", date_from=SAT, date_to=SAT, factor=0.5).dataset
    assert len(after.demand) == len(base.demand)
    assert diff(crews(base), crews(after)) == {("S1", SAT, "evening", "resp"): (4, 2)}


def test_add_crews_adds_and_creates_posts(sc, base):
    """add_crews adds to existing posts and creates a post where there was no demand."""
    after = sc.add_crews(station="S1", task="resp", shift="evening", weekday="Fri", crews=1)
    after = after.add_crews(station="S2", task="patrol", shift="night", weekday="Sat", crews=2).dataset
    assert diff(crews(base), crews(after)) == {
        ("S1", FRI, "evening", "resp"): (2, 3),
        ("S2", SAT, "night", "patrol"): (0, 2),
    }
    assert after.demand[-1] == DemandRow("S2", "night", "patrol", 2, weekday=SAT_NUM)


def test_add_crews_on_a_date_creates_a_dated_row(sc, base):
    """A new post on one date is one dated row."""
    after = sc.add_crews(station="S2", task="traffic", shift="day", date=FRI, crews=1).dataset
    assert after.demand[-1] == DemandRow("S2", "day", "traffic", 1, date=FRI)
    assert diff(crews(base), crews(after)) == {("S2", FRI, "day", "traffic"): (0, 1)}


def test_add_crews_needs_tasks_and_shifts(sc):
    """add_crews may create posts, so it must say which tasks and shifts."""
    with pytest.raises(InputError, match=r"changes\[1\].*tasks and shifts"):
        sc.add_crews(station="S1", crews=1)


def test_remove_crews_never_goes_below_zero(sc, base):
    """Removing more crews than a post has leaves it at 0, and the post disappears."""
    after = sc.remove_crews(task="patrol", crews=7).dataset
    assert diff(crews(base), crews(after)) == {("S1", FRI, "evening", "patrol"): (5, 0)}
    assert [r.crews for r in after.demand if r.task_id == "patrol"] == [0]


def test_absence_for_listed_people(sc, base):
    """Listed people get exactly one absence each, with the given dates and kind."""
    after = sc.absence(person_ids=["P1", "Q1"], date_from=FRI, date_to=SAT, absence_kind="sick").dataset
    assert after.absences == (
        *base.absences,
        Absence("P1", FRI, SAT, "sick"),
        Absence("Q1", FRI, SAT, "sick"),
    )


def test_absence_count_draws_only_people_who_could_work(sc):
    """count draws among the role at the station who are fit and not already away."""
    wed, thu = MONDAY + dt.timedelta(days=2), MONDAY + dt.timedelta(days=3)
    after = sc.absence(count=2, role="sworn", station="S1", date_from=wed, date_to=thu).dataset
    new = after.absences[1:]
    assert sorted(a.person_id for a in new) == ["P1", "P3"]  # P2 is away on Wednesday, P4 disqualified
    assert {(a.date_from, a.date_to, a.kind) for a in new} == {(wed, thu, "training")}
    with pytest.raises(InputError, match=r"changes\[1\]\.count.*at most 2"):
        sc.absence(count=3, role="sworn", station="S1", date_from=wed, date_to=thu)


def test_absence_count_is_seeded(sc, base):
    """The same seed draws the same people; the change's own seed overrides the scenario's."""
    big = Scenario.from_dataset(base, WEEK, seed=0)
    pick = [
        big.absence(count=1, role="sworn", date_from=FRI, seed=s).dataset.absences[-1].person_id
        for s in range(12)
    ]
    again = [
        big.absence(count=1, role="sworn", date_from=FRI, seed=s).dataset.absences[-1].person_id
        for s in range(12)
    ]
    assert pick == again
    assert len(set(pick)) > 1
    assert (
        big.with_solver(seed=5).absence(count=1, role="sworn", date_from=FRI).dataset.absences[-1].person_id
        == pick[5]
    )


def test_headcount_add_copies_fit_colleagues(sc, base):
    """Added people: new ids, the role and station, trained, skills and hours copied from fit colleagues."""
    after = sc.headcount(station="S1", role="aux_service", add=3).dataset
    new = after.staff[len(base.staff) :]
    assert [p.person_id for p in new] == ["S1-NA001", "S1-NA002", "S1-NA003"]
    assert {
        (p.station_id, p.role, p.pre_job_trained, p.training_valid_until, p.disqualified) for p in new
    } == {("S1", "aux_service", True, None, False)}
    profiles = {(p.skills, p.hours_per_week) for p in new}
    assert profiles == {(frozenset({"traffic"}), 40.0), (frozenset(), 36.0)}  # A1 and A2; A3 is untrained
    assert after.staff[: len(base.staff)] == base.staff


def test_headcount_add_with_given_skills(sc, base):
    """Given skills and hours apply to every added person."""
    after = sc.headcount(station="S2", add=2, skills=["traffic", "driving"], hours_per_week=30).dataset
    new = after.staff[len(base.staff) :]
    assert [(p.person_id, p.skills, p.hours_per_week) for p in new] == [
        ("S2-NA001", frozenset({"traffic", "driving"}), 30.0),
        ("S2-NA002", frozenset({"traffic", "driving"}), 30.0),
    ]


def test_headcount_remove_takes_their_rows_too(sc, base):
    """Removed people leave the staff with their absences and requests."""
    after = sc.headcount(station="S1", role="aux_service", remove=3).dataset
    assert {p.person_id for p in base.staff} - {p.person_id for p in after.staff} == {"A1", "A2", "A3"}
    assert after.requests == ()
    assert after.absences == base.absences
    one = sc.headcount(station="S1", role="sworn", remove=1).dataset
    assert len(one.staff) == len(base.staff) - 1
    with pytest.raises(InputError, match=r"changes\[1\]\.remove.*at most 1"):
        sc.headcount(station="S1", role="aux_civilian", remove=2)


def test_quota_set_and_scale(sc):
    """quota sets or scales aux_quota (rounded half up); a station without a quota cannot be scaled."""
    assert sc.quota(station="S1", set=8).dataset.station_by_id["S1"].aux_quota == 8
    assert sc.quota(station="S1", scale=0.45).dataset.station_by_id["S1"].aux_quota == 5  # 4.5 -> 5
    assert sc.quota(set=3).dataset.station_by_id["S2"].aux_quota == 3
    with pytest.raises(InputError, match=r"changes\[1\]\.scale: got 'S2'"):
        sc.quota(scale=0.5)


def test_lending_is_a_policy_change(sc, base):
    """lending switches the policy and leaves the data alone."""
    on = sc.lending(True)
    assert on.policy.lending and not sc.policy.lending
    assert on.dataset == base
    assert not on.lending(False).policy.lending


def test_unknown_ids_and_dates_outside_the_horizon(sc):
    """Ids not in the data and dates outside the horizon name the change and the key."""
    with pytest.raises(InputError) as info:
        sc.scale_demand(stations=["S1", "S9"], task="nope", dates=["2027-01-01"], factor=2)
    text = str(info.value)
    assert "changes[1].stations: got 'S9'" in text
    assert "changes[1].tasks: got 'nope'" in text
    assert "changes[1].dates: got '2027-01-01'" in text
    assert "scenario 't' (in code)" in text


def test_bad_fields_in_code_are_input_errors(sc):
    """A typo in a change made in code is reported like a typo in a file."""
    with pytest.raises(InputError, match=r"changes\[1\]\.factr.*a known key"):
        sc.scale_demand(task="resp", factr=2)
    with pytest.raises(InputError, match=r"changes\[1\]\.kind.*a kind: scale_demand"):
        sc.with_changes({"kind": "scale"})


def test_changes_are_pure(sc, base):
    """A change returns new data: the base dataset and the scenario it came from are unchanged."""
    before = (base.demand, base.staff, base.absences, base.stations)
    changed = sc.scale_demand(factor=2).headcount(station="S1", add=1).absence(person_id="P1", date_from=FRI)
    changed = changed.quota(station="S1", set=0)
    assert (base.demand, base.staff, base.absences, base.stations) == before
    assert sc.dataset is base and sc.changes == ()
    assert changed.base is base and len(changed.changes) == 4


def test_changes_apply_in_order(sc):
    """Changes apply one after another: adding then scaling differs from scaling then adding."""
    a = sc.add_crews(station="S2", task="resp", shift="evening", weekday="Fri", crews=1).scale_demand(
        factor=2
    )
    b = sc.scale_demand(factor=2).add_crews(
        station="S2", task="resp", shift="evening", weekday="Fri", crews=1
    )
    key = ("S2", FRI, "evening", "resp")
    assert crews(a.dataset)[key] == 8 and crews(b.dataset)[key] == 7


def test_only_keeps_some_stations(sc):
    """only() solves a subset of stations: their people, demand and the people's rows."""
    s2 = sc.only("S2").dataset
    assert [s.station_id for s in s2.stations] == ["S2"]
    assert {p.station_id for p in s2.staff} == {"S2"} and {d.station_id for d in s2.demand} == {"S2"}
    assert s2.absences == () and s2.requests == ()
