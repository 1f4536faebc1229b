"""Each hard rule alone: a lawful roster both judges accept, and one that breaks exactly that rule,
which the model rejects and the verifier reports under the same rule key (see rule_check.py)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import pytest

from allocate.crew_patterns import parse_crews
from allocate.demand import expand_posts
from allocate.domain import Absence, Dataset, Pin, Task
from allocate.model.builder import RosterModel
from allocate.policy import LabourRules, Policy
from allocate.rules.names import RULES, STRUCTURE
from builders import MONDAY, TASKS, dataset, day, need, person, worked
from rule_check import WEEK, Crew, check, crew


def _rules(**kw) -> Policy:
    """The same labour rules for both role families."""
    rules = LabourRules(**kw)
    return Policy(sworn=rules, auxiliary=rules)


@dataclass(frozen=True)
class Case:
    """A tiny situation, a lawful roster, and a roster that breaks exactly `rule`."""

    rule: str
    data: Dataset
    lawful: list[Crew]
    broken: list[Crew]
    policy: Policy = field(default_factory=Policy)


def _desk(offsets, shift="day", who="P1") -> list[Crew]:
    return [crew(d, shift, "desk", who) for d in offsets]


def _one_officer(demand, **kw) -> Dataset:
    return dataset([person("P1", **kw)], demand)


WEEK_DESKS = [need("desk", d) for d in range(7)]


def _desk_week(rule: str, lawful: list[int], broken: list[int], **rules) -> Case:
    """One officer, a desk every day of the week: he works the desks of the given days."""
    return Case(rule, _one_officer(WEEK_DESKS), _desk(lawful), _desk(broken), _rules(**rules))


AUX = person("A1", "aux_service")
# A police_only task with an A slot, so that an auxiliary in it breaks no crew rule, only this one.
GUARDED = dataset([person("P1"), person("P2"), AUX], [need("guard")]).replace(
    tasks=(*TASKS, Task("guard", "Armed guard", "police_only", parse_crews("1S+1A")))
)
WEEK_DESKS = [need("desk", d) for d in range(7)]
CASES = [
    Case(
        "sworn_only",
        GUARDED,
        [crew(0, "day", "guard", "P1", "P2:A")],  # a sworn officer may fill an A slot
        [crew(0, "day", "guard", "P1", "A1:A")],
    ),
    Case(
        "crew_composition",
        dataset([person("P1"), AUX, person("A2", "aux_service")], [need("resp")]),
        [crew(0, "day", "resp", "P1", "A1:A", "A2:A")],
        [crew(0, "day", "resp", "P1", "A1:A")],  # 1S+1A is not 1S+2A nor 2S
    ),
    Case(
        "lead",
        dataset([person("P1"), AUX, person("A2", "aux_service")], [need("patrol"), need("desk")]),
        [crew(0, "day", "patrol", "A1:A", "A2:A", lead="P1"), crew(0, "day", "desk", "P1")],
        [crew(0, "day", "patrol", "A1:A", "A2:A", lead="P1")],  # no officer on duty to command
    ),
    Case(
        "civilian_support_only",
        dataset(
            [person("P1"), person("C1", "aux_civilian"), person("C2", "aux_civilian")],
            [need("resp"), need("window")],
        ),
        [crew(0, "day", "window", "C1:A")],
        [crew(0, "day", "resp", "P1", "C1:A", "C2:A")],
    ),
    Case(
        "disqualified",
        dataset([person("P1"), person("P2", disqualified=True)], [need("desk")]),
        _desk([0]),
        _desk([0], who="P2"),
    ),
    Case(
        "untrained",
        dataset([person("P1"), AUX, person("A2", "aux_service", pre_job_trained=False)], [need("window")]),
        [crew(0, "day", "window", "A1:A")],
        [crew(0, "day", "window", "A2:A")],
    ),
    Case(
        "training_lapsed",
        dataset(
            [person("P1"), person("A1", "aux_service", training_valid_until=MONDAY - dt.timedelta(days=1))],
            [need("patrol"), need("window")],
        ),
        [crew(0, "day", "window", "A1:A")],  # support posts stay open to him
        [crew(0, "day", "patrol", "P1", "A1:A")],
    ),
    Case(
        "skill",
        dataset(
            [
                person("P1"),
                person("A1", "aux_service", skills=frozenset({"traffic"})),
                person("P2", skills=frozenset({"traffic"})),
            ],
            [need("traffic")],
        ),
        [crew(0, "day", "traffic", "P2", "A1:A")],
        [crew(0, "day", "traffic", "P1", "A1:A")],
    ),
    Case(
        "home_station",
        dataset([person("P1"), person("P2", station="S2")], [need("desk")]),
        _desk([0]),
        _desk([0], who="P2"),
    ),
    Case(
        "absence",
        dataset([person("P1"), person("P2")], [need("desk", 0), need("desk", 1)]).replace(
            absences=(Absence("P1", day(1), day(1), "leave"),)
        ),
        _desk([0]) + _desk([1], who="P2"),
        _desk([0, 1]),
    ),
    Case(
        "one_shift_per_day",
        _one_officer([need("desk", 0, "night"), need("desk", 0, "evening")]),
        _desk([0], "night"),
        _desk([0], "night") + _desk([0], "evening"),
        _rules(min_rest_hours=0),  # 00-08 then 16-24 keeps any rest: only the one start a day
    ),
    Case(
        "rest",
        _one_officer([need("desk", 0, "evening"), need("desk", 1, "day"), need("desk", 1, "evening")]),
        _desk([0, 1], "evening"),
        _desk([0], "evening") + _desk([1], "day"),  # 8 h between 24:00 and 08:00
    ),
    Case(
        "rest",  # across the horizon's start: last Sunday's evening shift
        dataset(
            [person("P1")],
            [need("desk", 0), need("desk", 0, "evening")],
            history=(worked("P1", -1, "evening"),),
        ),
        _desk([0], "evening"),
        _desk([0]),
    ),
    _desk_week("consecutive_days", [0, 1, 2, 4, 5, 6], [0, 1, 2, 3], max_consecutive_days=3),
    _desk_week("day_off_in_7", [0, 1, 2, 4, 5, 6], [0, 1, 2, 3], days_off_window=4),
    Case(
        "weekly_hours",
        _one_officer(WEEK_DESKS, hours_per_week=16),
        _desk([0, 1]),
        _desk([0, 1, 2]),
        _rules(max_overtime_hours_per_week=0),
    ),
    Case(
        "nights",
        _one_officer([need("desk", d, "night") for d in range(3)]),
        _desk([0], "night"),
        _desk([0, 1], "night"),
        _rules(max_nights_per_week=1),
    ),
    Case(
        "forbidden_succession",
        _one_officer([need("desk", 0), need("desk", 1), need("desk", 1, "evening")]),
        _desk([0]) + _desk([1], "evening"),
        _desk([0, 1]),
        _rules(forbidden_successions=[["day", "day"]]),
    ),
    _desk_week("min_consecutive_days", [2, 3], [2], min_consecutive_days=2),
    _desk_week("min_consecutive_days_off", [1, 2, 5], [1, 2, 4, 5], min_consecutive_days_off=2),
    _desk_week("max_weekends", [4], [5], max_weekends=0),
    _desk_week("max_weekends_per_4_weeks", [4], [6], max_weekends_per_4_weeks=0),
    _desk_week("max_shifts_per_type", [0], [0, 2], max_shifts_per_type={"day": 1}),
    _desk_week("max_total_minutes", [0], [0, 2], max_total_minutes=480),
    _desk_week("min_total_minutes", [0, 2], [0], min_total_minutes=960),
    Case(
        "pin",
        _one_officer([need("desk", 0), need("desk", 1)]).replace(pins=(Pin("P1", day(0), on=False),)),
        _desk([1]),
        _desk([0]),
    ),
]


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.rule)
def test_a_lawful_roster_is_accepted(case: Case):
    """Both the model and the verifier accept the lawful roster of the rule's situation."""
    verdict = check(case.data, case.lawful, policy=case.policy)
    assert verdict.model == frozenset()
    assert verdict.verifier == frozenset()


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.rule)
def test_a_roster_breaking_the_rule_is_rejected_under_its_name(case: Case):
    """The model rejects the broken roster under exactly the rule's key, and the verifier says the same."""
    verdict = check(case.data, case.broken, policy=case.policy)
    assert verdict.model == {case.rule}
    assert verdict.verifier == {case.rule}


def test_every_hard_rule_of_a_roster_is_tested_alone():
    """Every rule key about a person's work or a crew has its case above (output-shape keys aside)."""
    shape = {"unknown_id", "horizon", "role_mismatch", "crew_consistency", "slot_role", "coverage"}
    assert set(RULES) - shape == {c.rule for c in CASES}


def test_every_model_constraint_is_filed_under_a_rule_name():
    """The model files each constraint under a rule key or a structure group, none left unnamed."""
    case = next(c for c in CASES if c.rule == "lead")
    m = RosterModel(case.data, WEEK, Policy(), ("S1",), expand_posts(case.data, WEEK))
    filed = {c for name in m.groups for c in m.constraints_of(name)}
    assert filed == set(range(m.num_constraints))
    assert set(m.groups) <= set(RULES) | set(STRUCTURE)
