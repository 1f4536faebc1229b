"""The independent verifier: a lawful hand-made week passes; each single break is named exactly."""

from __future__ import annotations

import datetime as dt
import json
from typing import TYPE_CHECKING

import pandas as pd
import pytest

from allocate.domain import Absence, CrewPattern, DemandRow, Horizon, Task
from allocate.io.write import write_dataset
from allocate.policy import LabourRules, Policy
from allocate.verify import VerificationReport, Violation, verify_output, verify_roster
from allocate.verify.coverage import coverage_differences, post_truth, tells_the_truth
from allocate.verify.frames import build_context
from allocate.verify.posts import demand_posts
from verify_fixtures import (
    MONDAY,
    Case,
    add_crew,
    day,
    history_days,
    lawful_case,
    set_cell,
    set_coverage,
    set_lead,
    swap_person,
)

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path


def verify(case: Case) -> VerificationReport:
    return verify_roster(case.dataset, case.horizon, case.policy, case.roster, case.coverage)


def with_roster(change: Callable[[pd.DataFrame], pd.DataFrame]) -> Callable[[Case], Case]:
    return lambda case: case.replace(roster=change(case.roster))


def with_policy(**rules: object) -> Callable[[Case], Case]:
    return lambda case: case.replace(policy=Policy().merged(rules))


def then(*steps: Callable[[Case], Case]) -> Callable[[Case], Case]:
    def apply(case: Case) -> Case:
        for step in steps:
            case = step(case)
        return case

    return apply


def with_history(*offsets_and_shift: tuple[str, str, range]) -> Callable[[Case], Case]:
    rows = tuple(
        a for person, shift, offsets in offsets_and_shift for a in history_days(person, shift, offsets)
    )
    return lambda case: case.replace(dataset=case.dataset.replace(history=rows))


def police_only_with_a_slot(case: Case) -> Case:
    """Bad data the loader refuses: a police_only task that allows an A slot."""
    tasks = tuple(
        Task(t.task_id, t.name, t.duty_class, (CrewPattern(1, 1), CrewPattern(2, 0)))
        if t.task_id == "investigate"
        else t
        for t in case.dataset.tasks
    )
    return case.replace(dataset=case.dataset.replace(tasks=tasks))


# --- the lawful week ----------------------------------------------------------------------------


def test_lawful_roster_passes() -> None:
    """The hand-made lawful week has no violation, and the report says what it checked."""
    report = verify(lawful_case())
    assert report.ok, report.render()
    assert report.violations == ()
    assert report.checked == {
        "rows": 21,
        "crews": 17,
        "people": 11,
        "posts": 18,
        "history_rows": 1,
        "coverage_rows": 18,
    }
    assert report.render().startswith("Verification passed")


def test_demand_posts_apply_weekday_rows_and_dated_overrides() -> None:
    """Weekday rows repeat, a dated row overrides them, 0 crews and dates outside make no post."""
    case = lawful_case()
    posts = demand_posts(case.dataset, case.horizon)
    assert len(posts) == 18
    monday_reception = posts[(posts["date"] == day(0)) & (posts["shift_id"] == "morning")]
    assert dict(zip(monday_reception["task_id"], monday_reception["crews_required"], strict=True)) == {
        "intake": 1,
        "reception": 1,
    }
    assert not (posts["date"] == day(6)).any()  # Sunday night reception: 0 crews
    zeroed = case.dataset.replace(
        demand=(*case.dataset.demand, DemandRow("S01", "night", "reception", 0, date=MONDAY))
    )
    assert len(demand_posts(zeroed, case.horizon)) == 17


LAWFUL_VARIATIONS: dict[str, Callable[[Case], Case]] = {
    "support crew commanded by an officer on duty": with_roster(lambda r: set_lead(r, "K02", "P3")),
    "lending an auxiliary within the district": then(
        with_roster(lambda r: swap_person(r, "K03", "A7", "A9")), with_policy(lending=True)
    ),
    "dates as date objects, counts as text": lambda case: case.replace(
        roster=case.roster.assign(date=[dt.date.fromisoformat(d) for d in case.roster["date"]]),
        coverage=case.coverage.astype(str),
    ),
    "dates as Timestamps": lambda case: case.replace(
        roster=case.roster.assign(date=pd.to_datetime(case.roster["date"])),
        coverage=case.coverage.assign(date=pd.to_datetime(case.coverage["date"])),
    ),
    "six days in a row with history": with_history(("P3", "morning", range(-5, 0))),
    "empty roster, every post short": lambda case: case.replace(
        roster=case.roster.iloc[0:0],
        coverage=case.coverage.assign(crews_staffed=0, shortfall=case.coverage["crews_required"]),
    ),
}


@pytest.mark.parametrize("change", LAWFUL_VARIATIONS.values(), ids=LAWFUL_VARIATIONS.keys())
def test_lawful_variations_pass(change: Callable[[Case], Case]) -> None:
    """Lawful variations of the week (commanders, lending, other cell types, history) still pass."""
    report = verify(change(lawful_case()))
    assert report.ok, report.render()


# --- mutations: one break, one rule --------------------------------------------------------------

MUTATIONS: dict[str, tuple[Callable[[Case], Case], set[str]]] = {
    # rule 2-3: crews and their leads
    "lead is an auxiliary of the crew": (with_roster(lambda r: set_lead(r, "K01", "A1")), {"lead"}),
    "auxiliary crew commander not on duty": (with_roster(lambda r: set_lead(r, "K03", "P2")), {"lead"}),
    "auxiliary crew without commander": (with_roster(lambda r: set_lead(r, "K03", "")), {"lead"}),
    "commander of another station": (with_roster(lambda r: set_lead(r, "K03", "P9")), {"lead"}),
    "support crew names an absent commander": (with_roster(lambda r: set_lead(r, "K02", "P2")), {"lead"}),
    "crew below its pattern": (
        with_roster(lambda r: r[~((r.crew_id == "K01") & (r.person_id == "A1"))]),
        {"crew_composition"},
    ),
    "person twice in a crew": (
        with_roster(lambda r: swap_person(r, "K03", "A7", "A6")),
        {"crew_composition"},
    ),
    "auxiliary in the S slot": (
        with_roster(lambda r: set_cell(set_cell(r, "K01", "P3", "slot", "A"), "K01", "A1", "slot", "S")),
        {"slot_role"},
    ),
    "slot neither S nor A": (with_roster(lambda r: set_cell(r, "K01", "A1", "slot", "X")), {"slot_role"}),
    "role column disagrees with staff": (
        with_roster(lambda r: set_cell(r, "K01", "A1", "role", "sworn")),
        {"role_mismatch"},
    ),
    "crew rows disagree on lead": (
        with_roster(lambda r: set_cell(r, "K01", "A1", "lead_id", "")),
        {"crew_consistency"},
    ),
    "unknown person": (with_roster(lambda r: swap_person(r, "K03", "A7", "X99")), {"unknown_id"}),
    # rule 1: an auxiliary on a police_only task (lawful data: only S slots, so also slot_role)
    "auxiliary on police_only task": (
        with_roster(lambda r: swap_person(r, "K05", "P2", "A1")),
        {"sworn_only", "slot_role"},
    ),
    "auxiliary in a police_only A slot (bad data)": (
        then(
            police_only_with_a_slot,
            with_roster(lambda r: set_cell(swap_person(r, "K05", "P2", "A1"), "K05", "A1", "slot", "A")),
        ),
        {"sworn_only"},
    ),
    # rules 4-6: who may fill the post
    "civilian on patrol": (
        with_roster(lambda r: swap_person(r, "K03", "A7", "C2")),
        {"civilian_support_only"},
    ),
    "disqualified auxiliary": (with_roster(lambda r: swap_person(r, "K03", "A7", "A4")), {"disqualified"}),
    "untrained auxiliary": (with_roster(lambda r: swap_person(r, "K03", "A7", "A5")), {"untrained"}),
    "lapsed training on patrol": (
        with_roster(lambda r: swap_person(r, "K03", "A7", "A8")),
        {"training_lapsed"},
    ),
    "member without the task's skill": (with_roster(lambda r: swap_person(r, "K06", "A1", "A7")), {"skill"}),
    "auxiliary of another station": (
        with_roster(lambda r: swap_person(r, "K03", "A7", "A9")),
        {"home_station"},
    ),
    "lent across districts": (
        then(with_roster(lambda r: swap_person(r, "K03", "A7", "A10")), with_policy(lending=True)),
        {"home_station"},
    ),
    "sworn officer lent": (
        then(
            with_roster(lambda r: set_lead(swap_person(r, "K01", "P3", "P9"), "K01", "P9")),
            with_policy(lending=True),
        ),
        {"home_station"},
    ),
    # rule 7: occupational protection
    "two crews on one day": (with_roster(lambda r: swap_person(r, "K02", "C1", "A1")), {"one_shift_per_day"}),
    "work during an absence": (
        lambda case: case.replace(
            dataset=case.dataset.replace(absences=(Absence("C1", MONDAY, MONDAY, "sick"),))
        ),
        {"absence"},
    ),
    "evening then morning 8 h later": (with_roster(lambda r: swap_person(r, "K05", "P2", "P4")), {"rest"}),
    "night 15 h after a 24 h duty": (
        with_roster(lambda r: set_lead(swap_person(r, "K14", "C1", "P2"), "K14", "P2")),
        {"rest"},
    ),
    "history evening then Monday morning": (with_history(("P3", "evening", range(-1, 0))), {"rest"}),
    "7th consecutive day using history": (
        with_history(("P3", "morning", range(-6, 0))),
        {"consecutive_days", "day_off_in_7"},  # with the defaults (6 days, window 7) both say so
    ),
    "7th consecutive day, window of 8": (
        then(with_history(("P3", "morning", range(-6, 0))), with_policy(sworn={"days_off_window": 8})),
        {"consecutive_days"},
    ),
    "no day off in 7, up to 7 in a row": (
        then(with_history(("P3", "morning", range(-6, 0))), with_policy(sworn={"max_consecutive_days": 7})),
        {"day_off_in_7"},
    ),
    "60 hours in a week": (with_roster(lambda r: swap_person(r, "K24", "C2", "A2")), {"weekly_hours"}),
    "5 nights in a week": (with_roster(lambda r: swap_person(r, "K14", "C1", "A3")), {"nights"}),
    # coverage
    "coverage.csv staffed count wrong": (
        lambda case: case.replace(
            coverage=set_coverage(case.coverage, 0, "evening", "patrol", crews_staffed=0, shortfall=1)
        ),
        {"coverage"},
    ),
    "coverage.csv row missing": (lambda case: case.replace(coverage=case.coverage.iloc[1:]), {"coverage"}),
    "coverage.csv extra row": (
        lambda case: case.replace(
            coverage=pd.concat([case.coverage, case.coverage.iloc[[0]].assign(task_id="traffic")])
        ),
        {"coverage"},
    ),
    "coverage.csv required wrong": (
        lambda case: case.replace(
            coverage=set_coverage(case.coverage, 5, "evening", "patrol", crews_required=2, shortfall=2)
        ),
        {"coverage"},
    ),
    "crew where there is no demand": (
        with_roster(lambda r: add_crew(r, 5, "morning", "reception", "K99", [("C2", "A")], "")),
        {"coverage"},
    ),
    "more crews than required": (
        lambda case: case.replace(
            roster=add_crew(case.roster, 0, "morning", "reception", "K98", [("C2", "A")], ""),
            coverage=set_coverage(case.coverage, 0, "morning", "reception", crews_staffed=2, shortfall=-1),
        ),
        {"coverage"},
    ),
    "crew outside the horizon": (
        lambda case: case.replace(
            roster=case.roster.assign(
                date=case.roster["date"].where(case.roster["crew_id"] != "K02", day(7))
            ),
            coverage=set_coverage(case.coverage, 0, "morning", "reception", crews_staffed=0, shortfall=1),
        ),
        {"horizon"},
    ),
}


@pytest.mark.parametrize(("mutate", "expected"), MUTATIONS.values(), ids=MUTATIONS.keys())
def test_mutation_is_named_exactly(mutate: Callable[[Case], Case], expected: set[str]) -> None:
    """Breaking the lawful week in one way makes the verifier name exactly that rule."""
    report = verify(mutate(lawful_case()))
    assert report.rules() == expected, report.render()
    assert all(v.message for v in report.violations)


def test_violation_locates_the_break() -> None:
    """A violation carries the date, station, shift, task, crew and person a planner looks for."""
    case = with_roster(lambda r: swap_person(r, "K03", "A7", "C2"))(lawful_case())
    (violation,) = verify(case).violations
    assert violation == Violation(
        rule="civilian_support_only",
        message=(
            "Auxiliary C2 (aux_civilian) is on patrol (independent) at S01 on 2026-12-07 evening, "
            "crew K03: civilian auxiliaries fill support posts only"
        ),
        date="2026-12-07",
        station_id="S01",
        shift_id="evening",
        task_id="patrol",
        crew_id="K03",
        person_id="C2",
    )


def test_rest_message_names_hours() -> None:
    """The rest violation says how much rest there was and how much the rule requires."""
    case = with_roster(lambda r: swap_person(r, "K05", "P2", "P4"))(lawful_case())
    (violation,) = verify(case).violations
    assert "rests 8 h" in violation.message and "at least 11 h" in violation.message
    assert (violation.date, violation.person_id) == ("2026-12-08", "P4")


def test_report_summaries() -> None:
    """by_rule counts in rule order, to_dict is JSON-ready, render lists and truncates."""
    case = then(
        with_roster(lambda r: swap_person(r, "K03", "A7", "C2")),
        with_roster(lambda r: swap_person(r, "K03", "A6", "A4")),
    )(lawful_case())
    report = verify(case)
    assert not report.ok
    assert report.by_rule() == {"civilian_support_only": 1, "disqualified": 1}
    data = json.loads(json.dumps(report.to_dict(limit=1)))
    assert data["ok"] is False and data["violations"] == 2 and len(data["first_violations"]) == 1
    text = report.render(limit=1)
    assert text.startswith("Verification FAILED: 2 violation(s)") and "... and 1 more" in text


def test_missing_roster_column_is_an_error() -> None:
    """A roster without a contract column is a broken file: ValueError naming the column."""
    case = lawful_case()
    with pytest.raises(ValueError, match="'lead_id'"):
        verify_roster(case.dataset, case.horizon, case.policy, case.roster.drop(columns="lead_id"))


def test_garbage_date_is_a_horizon_violation() -> None:
    """A date that is not a date is named, and the row is kept out of the date-based rules."""
    case = lawful_case()
    roster = case.roster.assign(date=case.roster["date"].where(case.roster["crew_id"] != "K02", "07/12/2026"))
    coverage = set_coverage(case.coverage, 0, "morning", "reception", crews_staffed=0, shortfall=1)
    report = verify(case.replace(roster=roster, coverage=coverage))
    assert report.rules() == {"horizon"}
    assert "'07/12/2026', which is not a date" in report.violations[0].message


def test_policy_rules_per_role() -> None:
    """Labour limits are read per role family: tighter auxiliary rules do not touch officers."""
    case = lawful_case().replace(policy=Policy(auxiliary=LabourRules(max_nights_per_week=3)))
    report = verify(case)
    assert report.rules() == {"nights"}
    assert {v.person_id for v in report.violations} == {"A3"}


def test_horizon_blocks_count_separately() -> None:
    """Hours are counted per 7-day block from the horizon start, the last block possibly shorter."""
    case = lawful_case()
    shifted = case.replace(horizon=Horizon(MONDAY - dt.timedelta(days=2), 9))
    # Blocks Sat..Fri and Sat..Sun: A2's 48 h still fall in one block; the coverage must be redone.
    report = verify_roster(shifted.dataset, shifted.horizon, shifted.policy, shifted.roster)
    assert report.rules() <= {"coverage"}


# --- verify_output on a folder -------------------------------------------------------------------


def write_output(case: Case, out: Path, summary: bool = True) -> None:
    out.mkdir(parents=True, exist_ok=True)
    case.roster.to_csv(out / "roster.csv", index=False)
    case.coverage.to_csv(out / "coverage.csv", index=False)
    if summary:
        data = {
            "status": "OPTIMAL",
            "horizon": {"start": case.horizon.start.isoformat(), "days": case.horizon.days},
            "policy": case.policy.model_dump(mode="json"),
        }
        (out / "summary.json").write_text(json.dumps(data), encoding="utf-8")


def write_data(case: Case, tmp_path: Path) -> Path:
    """The case's dataset as the data contract's CSV files, read back by the real loader."""
    return write_dataset(case.dataset, tmp_path / "data")


def test_verify_output_passes_a_lawful_folder(tmp_path: Path) -> None:
    """An output folder of the lawful week, read back from CSV with summary.json, passes."""
    case = lawful_case()
    data = write_data(case, tmp_path)
    write_output(case, tmp_path / "out")
    report = verify_output(data, tmp_path / "out")
    assert report.ok, report.render()
    assert report.checked["rows"] == 21


def test_verify_output_uses_summary_policy(tmp_path: Path) -> None:
    """The policy of summary.json is the one checked against (here: 3 nights for auxiliaries)."""
    case = lawful_case().replace(policy=Policy(auxiliary=LabourRules(max_nights_per_week=3)))
    data = write_data(case, tmp_path)
    write_output(case, tmp_path / "out")
    assert verify_output(data, tmp_path / "out").rules() == {"nights"}


def test_verify_output_without_summary_or_coverage(tmp_path: Path) -> None:
    """Without summary.json the horizon spans the tables' dates; a missing coverage.csv is named."""
    case = lawful_case()
    data = write_data(case, tmp_path)
    write_output(case, tmp_path / "out", summary=False)
    (tmp_path / "out" / "coverage.csv").unlink()
    report = verify_output(data, tmp_path / "out")
    assert [v.message for v in report.violations] == [f"coverage.csv is missing from {tmp_path / 'out'}"]


def test_verify_output_names_missing_column(tmp_path: Path) -> None:
    """roster.csv without a contract column: ValueError naming the file and the column."""
    case = lawful_case()
    data = write_data(case, tmp_path)
    write_output(case.replace(roster=case.roster.drop(columns="slot")), tmp_path / "out")
    with pytest.raises(ValueError, match=r"roster\.csv has no column 'slot'"):
        verify_output(data, tmp_path / "out")


def test_verify_output_with_the_real_loader(tmp_path: Path) -> None:
    """End to end through allocate.io.load: data folder and output folder written as CSV files."""
    case = lawful_case()
    write_dataset(case.dataset, tmp_path / "data")
    write_output(case, tmp_path / "out")
    assert verify_output(tmp_path / "data", tmp_path / "out").ok
    broken = case.replace(roster=swap_person(case.roster, "K03", "A7", "A8"))
    write_output(broken, tmp_path / "out")
    assert verify_output(tmp_path / "data", tmp_path / "out").rules() == {"training_lapsed"}


def test_zero_demand_coverage_rows_are_lawful() -> None:
    """A coverage row for a post with 0 crews required and 0 staffed is listed, not a violation."""
    case = lawful_case()
    first = case.coverage.iloc[0]
    listed = set(zip(case.coverage["shift_id"], case.coverage["task_id"], case.coverage["date"], strict=True))
    shift, task = next(
        (s.shift_id, t.task_id)
        for s in case.dataset.shifts
        for t in case.dataset.tasks
        if (s.shift_id, t.task_id, first["date"]) not in listed
    )
    zero = {**first.to_dict(), "task_id": task, "shift_id": shift}
    zero.update(crews_required=0, crews_staffed=0, shortfall=0)
    report = verify(
        case.replace(coverage=pd.concat([case.coverage, pd.DataFrame([zero])], ignore_index=True))
    )
    assert report.ok, report.render()
    nonzero = {**zero, "crews_required": 1, "shortfall": 1}
    bad = verify(
        case.replace(coverage=pd.concat([case.coverage, pd.DataFrame([nonzero])], ignore_index=True))
    )
    assert {v.rule for v in bad.violations} == {"coverage"}


def test_a_coverage_row_with_a_garbage_date_is_named_by_its_text() -> None:
    """A coverage row whose date is not a date is reported with the text it has (it said "on nan")."""
    case = lawful_case()
    garbage = {**case.coverage.iloc[0].to_dict(), "date": "32/13/2026"}
    report = verify(
        case.replace(coverage=pd.concat([case.coverage, pd.DataFrame([garbage])], ignore_index=True))
    )
    messages = [v.message for v in report.violations if v.rule == "coverage"]
    assert any("on 32/13/2026" in m and "which has no demand" in m for m in messages), messages
    assert not any("nan" in m for m in messages), messages


COVERAGE_CASES: dict[str, Callable[[Case], Case]] = {
    **LAWFUL_VARIATIONS,
    **{name: mutate for name, (mutate, _) in MUTATIONS.items()},
    "a zero row for a post without demand": lambda case: case.replace(
        coverage=pd.concat(
            [
                case.coverage,
                case.coverage.iloc[[0]].assign(
                    task_id="traffic", crews_required=0, crews_staffed=0, shortfall=0
                ),
            ]
        )
    ),
    "a count that is not a number": lambda case: case.replace(
        coverage=case.coverage.astype(str).assign(
            shortfall=["?", *case.coverage["shortfall"].astype(str)[1:]]
        )
    ),
    "a garbage date": lambda case: case.replace(coverage=case.coverage.assign(date="32/13/2026")),
}


@pytest.mark.parametrize("change", COVERAGE_CASES.values(), ids=COVERAGE_CASES.keys())
def test_coverage_truth_agrees_with_the_join(change: Callable[[Case], Case]) -> None:
    """The dictionary shortcut that passes a true coverage.csv says so exactly when the join that
    words the differences finds none (else a wrong table could pass, or the shortcut never serve)."""
    case = change(lawful_case())
    ctx = build_context(case.dataset, case.horizon, case.policy, case.roster, case.coverage)
    assert ctx.coverage is not None
    truth = post_truth(ctx)
    assert tells_the_truth(ctx.coverage, truth) == (coverage_differences(ctx.coverage, truth) == [])
