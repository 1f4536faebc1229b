"""Rules 1-6 on tiny cases whose optimum is known by hand (one worker, fixed seed)."""

from __future__ import annotations

from allocate.domain import Horizon
from allocate.policy import Policy
from allocate.solve import solve
from builders import WEEK, Absence, dataset, day, need, person

ONE_DAY = Horizon(WEEK.start, 1)


def run(ds, horizon=ONE_DAY, policy=None):
    return solve(ds, horizon, policy, time_limit=10, seed=1, workers=1)


def members(result, task):
    return sorted(result.roster.loc[result.roster["task_id"] == task, "person_id"])


def test_police_only_task_never_takes_an_auxiliary():
    """Rule 1: a 2S case crew with one officer and free auxiliaries stays uncovered."""
    r = run(dataset([person("P1"), person("A1", "aux_service"), person("A2", "aux_service")], [need("case")]))
    assert r.status == "OPTIMAL"
    assert r.coverage["shortfall"].sum() == 1
    assert r.roster.empty


def test_led_task_needs_a_sworn_lead():
    """Rule 2: 1S+2A response with three auxiliaries and no officer is uncovered."""
    staff = [person(f"A{i}", "aux_service") for i in range(3)]
    r = run(dataset(staff, [need("resp")]))
    assert r.coverage["shortfall"].sum() == 1


def test_led_crew_names_its_sworn_member_as_lead():
    """Rule 2: one officer and two auxiliaries form 1S+2A led by the officer."""
    staff = [person("P1"), person("A1", "aux_service"), person("A2", "aux_service")]
    r = run(dataset(staff, [need("resp")]))
    assert r.coverage["shortfall"].sum() == 0
    assert set(r.roster["lead_id"]) == {"P1"}
    assert r.roster.set_index("person_id").loc["P1", "slot"] == "S"


def test_sworn_fills_a_slots_when_auxiliaries_are_short():
    """Rule 2: two officers and no auxiliary pick the 2S alternative of 1S+2A|2S."""
    r = run(dataset([person("P1"), person("P2")], [need("resp")]))
    assert r.coverage["shortfall"].sum() == 0
    assert sorted(r.roster["slot"]) == ["S", "S"]


def test_auxiliary_patrol_needs_an_officer_on_duty():
    """Rule 3: a 2A patrol without any officer on duty in that shift is uncovered."""
    staff = [person("A1", "aux_service"), person("A2", "aux_service"), person("P1")]
    absent = (Absence("P1", day(0), day(0), "leave"),)
    r = run(dataset(staff, [need("patrol")], absences=absent))
    assert r.coverage["shortfall"].sum() == 1


def test_auxiliary_patrol_is_commanded_by_the_officer_on_duty():
    """Rule 3: with an officer on the desk in the same shift, the 2A patrol runs under his command."""
    staff = [person("A1", "aux_service"), person("A2", "aux_service"), person("P1")]
    r = run(dataset(staff, [need("patrol"), need("desk")]))
    assert r.coverage["shortfall"].sum() == 0
    patrol = r.roster[r.roster["task_id"] == "patrol"]
    assert set(patrol["person_id"]) == {"A1", "A2"}
    assert set(patrol["lead_id"]) == {"P1"}


def test_civilian_auxiliary_fills_support_only():
    """Rule 4: a civilian auxiliary staffs the window but never a response crew."""
    staff = [person("P1"), person("C1", "aux_civilian"), person("C2", "aux_civilian")]
    r = run(dataset(staff, [need("resp"), need("window")]))
    assert members(r, "window") in (["C1"], ["C2"])
    assert r.coverage.set_index("task_id").loc["resp", "shortfall"] == 1


def test_unfit_people_are_never_assigned():
    """Rule 5: disqualified or untrained people are never rostered, even on support posts."""
    staff = [
        person("A1", "aux_service", disqualified=True),
        person("A2", "aux_service", pre_job_trained=False),
        person("P1", disqualified=True),
    ]
    r = run(dataset(staff, [need("window", crews=3)]))
    assert r.roster.empty
    assert r.coverage["shortfall"].sum() == 3


def test_lapsed_training_means_support_only():
    """Rule 5: an auxiliary whose training lapsed staffs the window, not a patrol."""
    lapsed = day(-1)
    staff = [
        person("A1", "aux_service", training_valid_until=lapsed),
        person("A2", "aux_service"),
        person("A3", "aux_service"),
        person("P1"),
    ]
    r = run(dataset(staff, [need("window"), need("patrol", shift="day"), need("desk")]))
    assert r.coverage["shortfall"].sum() == 0  # A2 and A3 patrol, so only A1 can take the window
    assert members(r, "window") == ["A1"]
    patrol = r.roster[r.roster["task_id"] == "patrol"]
    assert "A1" not in set(patrol["person_id"])


def test_skill_is_required_of_every_member():
    """Rule 5: a traffic post needs the skill of both members."""
    staff = [person("P1", skills=frozenset({"traffic"})), person("A1", "aux_service"), person("P2")]
    r = run(dataset(staff, [need("traffic")]))
    assert r.coverage["shortfall"].sum() == 1
    staff.append(person("A2", "aux_service", skills=frozenset({"traffic"})))
    r = run(dataset(staff, [need("traffic")]))
    assert members(r, "traffic") == ["A2", "P1"]


def test_people_work_at_their_home_station():
    """Rule 6: an officer of S2 never staffs an S1 post."""
    staff = [person("P1"), person("P2", station="S2")]
    r = run(dataset(staff, [need("case")]))
    assert r.coverage["shortfall"].sum() == 1


def test_lending_lets_an_auxiliary_help_in_the_district():
    """Rule 6: with lending on, an S2 auxiliary joins an S1 response led by an S1 officer."""
    staff = [person("P1"), person("A1", "aux_service"), person("A2", "aux_service", station="S2")]
    ds = dataset(staff, [need("resp")])
    assert run(ds).coverage["shortfall"].sum() == 1
    r = run(ds, policy=Policy(lending=True))
    assert r.coverage["shortfall"].sum() == 0
    assert set(r.roster["station_id"]) == {"S1"}
    assert set(r.roster["lead_id"]) == {"P1"}


def test_one_shift_start_per_day():
    """Rule 7: one officer cannot take both the day desk and the evening desk."""
    r = run(dataset([person("P1")], [need("desk"), need("desk", shift="evening")]))
    assert r.coverage["shortfall"].sum() == 1
    assert len(r.roster) == 1


def test_absence_is_respected():
    """An officer on leave is not rostered; the post stays uncovered."""
    absent = (Absence("P1", day(0), day(2), "leave"),)
    r = run(dataset([person("P1")], [need("desk")], absences=absent))
    assert r.roster.empty


def test_priority_decides_which_crew_goes_uncovered():
    """Rule 8: two officers staff a case (priority 5) rather than a desk (3); two desks (6) win over it."""
    staff = [person("P1"), person("P2")]
    cov = run(dataset(staff, [need("case"), need("desk")])).coverage.set_index("task_id")
    assert (cov.loc["case", "shortfall"], cov.loc["desk", "shortfall"]) == (0, 1)
    cov = run(dataset(staff, [need("case"), need("desk", crews=2)])).coverage.set_index("task_id")
    assert (cov.loc["case", "shortfall"], cov.loc["desk", "shortfall"]) == (1, 0)
