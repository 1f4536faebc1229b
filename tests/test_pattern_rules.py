"""The optional rule families as police policy: each alone on a tiny case solved by hand.

Each case has an optimum that breaks the rule when the option is off (the verifier names the
break) and keeps it when the option is on (the model obeys, the verifier agrees).
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

import pytest

from allocate.domain import Horizon
from allocate.policy import LabourRules, Policy
from allocate.solve import solve
from allocate.verify import verify_roster
from builders import MONDAY, WEEK, Request, dataset, day, need, person

if TYPE_CHECKING:
    from allocate.result import Result

TWO_WEEKS = Horizon(MONDAY, 14)


def run(ds, horizon=WEEK, **rules) -> Result:
    return solve(ds, horizon, Policy(sworn=LabourRules(**rules)), time_limit=20, seed=1, workers=1)


def shortfall(r: Result) -> int:
    return int(r.coverage["shortfall"].sum())


def broken(r: Result, horizon=WEEK, **rules) -> set[str]:
    """The rules the verifier finds broken in `r`'s roster under the given options."""
    policy = Policy(sworn=LabourRules(**rules))
    return verify_roster(r.dataset, horizon, policy, r.roster, r.coverage).rules()


CASES = [
    # (rule name, options, demand, horizon, crews left uncovered once the option is on)
    ("forbidden_succession", {"forbidden_successions": [["day", "evening"]]},
     [need("desk", 0, "day"), need("desk", 1, "evening")], WEEK, 1),
    ("min_consecutive_days", {"min_consecutive_days": 2}, [need("desk", 2)], WEEK, 1),
    ("min_consecutive_days_off", {"min_consecutive_days_off": 2},
     [need("desk", d) for d in (0, 1, 3, 4)], WEEK, 1),
    ("max_weekends", {"max_weekends": 1}, [need("desk", 5), need("desk", 13)], TWO_WEEKS, 1),
    ("max_weekends_per_4_weeks", {"max_weekends_per_4_weeks": 1},
     [need("desk", 6), need("desk", 12)], TWO_WEEKS, 1),
    ("max_shifts_per_type", {"max_shifts_per_type": {"night": 1}},
     [need("desk", 0, "night"), need("desk", 2, "night"), need("desk", 4, "day")], WEEK, 1),
    ("max_total_minutes", {"max_total_minutes": 960}, [need("desk", d) for d in (0, 2, 4)], WEEK, 1),
]  # fmt: skip


@pytest.mark.parametrize(
    ("rule", "options", "demand", "horizon", "uncovered"), CASES, ids=[c[0] for c in CASES]
)
def test_rule_alone(rule, options, demand, horizon, uncovered) -> None:
    """Off: one officer covers everything, breaking the rule; on: the rule holds, a crew is left."""
    ds = dataset([person("P1")], demand)
    free = run(ds, horizon)
    assert shortfall(free) == 0
    assert rule in broken(free, horizon, **options)
    kept = run(ds, horizon, **options)
    assert shortfall(kept) == uncovered
    assert kept.verification is not None and kept.verification.ok
    assert broken(kept, horizon, **options) == set()


def test_runs_touching_the_edge_are_exempt() -> None:
    """A one-day run on the horizon's first day and a one-day break on its last are lawful."""
    ds = dataset([person("P1")], [need("desk", d) for d in (0, 3, 4, 5)])
    r = run(ds, min_consecutive_days=2, min_consecutive_days_off=2)
    assert shortfall(r) == 0
    inside = dataset([person("P1")], [need("desk", d) for d in (1, 4, 5)])
    assert shortfall(run(inside, min_consecutive_days=2)) == 1  # Tuesday alone is not at an edge


def test_min_total_minutes_spreads_the_work() -> None:
    """P1 asks for Monday and Wednesday off; a 480-minute floor still gives P1 one of them."""
    requests = tuple(Request("P1", day(d), want_on=False) for d in (0, 2))
    ds = dataset([person("P1"), person("P2")], [need("desk", 0), need("desk", 2)], requests=requests)
    free = run(ds)
    assert sorted(free.roster["person_id"]) == ["P2", "P2"]
    assert "min_total_minutes" in broken(free, min_total_minutes=480)
    kept = run(ds, min_total_minutes=480)
    assert sorted(kept.roster["person_id"]) == ["P1", "P2"]
    assert kept.verification is not None and kept.verification.ok


def test_options_parse_from_toml_shapes() -> None:
    """TOML arrays and tables become hashable pairs; negative counts are refused."""
    rules = Policy().merged(
        {"sworn": {"forbidden_successions": [["late", "early"]], "max_shifts_per_type": {"N": 3}}}
    )
    assert rules.sworn.forbidden_successions == (("late", "early"),)
    assert rules.sworn.max_shifts_per_type == (("N", 3),)
    assert hash(rules.sworn)
    with pytest.raises(ValueError, match="count >= 0"):
        Policy().merged({"sworn": {"max_shifts_per_type": {"N": -1}}})


def test_weekends_group_saturday_with_its_sunday() -> None:
    """A horizon from a Sunday: that Sunday is a weekend alone, then each Saturday-Sunday pair."""
    from allocate.model.weekends import calendar_weekends

    start = dt.date(2026, 12, 6)  # a Sunday
    weekdays = [(start + dt.timedelta(days=d)).weekday() for d in range(10)]
    assert calendar_weekends(weekdays) == [[0], [6, 7]]


def test_unknown_shift_in_a_rule_family_is_bad_input(tmp_path, tiny_folder) -> None:
    """A shift id in forbidden_successions that shifts.csv lacks is exit 2, named by its key."""
    import shutil

    from typer.testing import CliRunner

    from allocate.cli import app

    data = tmp_path / "data"
    shutil.copytree(tiny_folder, data)
    (data / "policy.toml").write_text(
        '[sworn]\nforbidden_successions = [["night", "dya"]]\n', encoding="utf-8"
    )
    result = CliRunner().invoke(app, ["validate", str(data)])
    assert result.exit_code == 2
    assert "sworn.forbidden_successions" in result.output and "dya" in result.output
