"""Policy defaults, `policy.toml` beside the data, and the reasons given for uncovered crews."""

from __future__ import annotations

import shutil

import pytest

from allocate.domain import Horizon
from allocate.io.errors import InputError
from allocate.policy import Policy, load_policy
from allocate.solve import solve
from builders import WEEK, dataset, need, person


def test_defaults_follow_the_design():
    """11 h rest, 6 days in a row, 4 nights, 9 h overtime for both role families; lending off."""
    p = Policy()
    for rules in (p.sworn, p.auxiliary):
        assert (rules.min_rest_hours, rules.max_consecutive_days, rules.max_nights_per_week) == (11, 6, 4)
        assert rules.max_overtime_hours_per_week == 9
    assert p.lending is False
    w = p.weights
    assert w.uncovered > w.overtime > w.cost > w.fairness > w.requests > w.stability


def test_policy_toml_overrides_per_role(tmp_path, tiny_folder):
    """A policy.toml beside the data changes one role family and leaves the other at its default."""
    ds = tmp_path / "ds"
    shutil.copytree(tiny_folder, ds)
    (ds / "policy.toml").write_text(
        "lending = true\n[auxiliary]\nmax_nights_per_week = 2\n[weights]\nfairness = 7\n"
    )
    p = load_policy(ds)
    assert p.auxiliary.max_nights_per_week == 2 and p.sworn.max_nights_per_week == 4
    assert p.lending is True and p.weights.fairness == 7


def test_policy_toml_typo_is_an_input_error(tmp_path, tiny_folder):
    """An unknown key in policy.toml is reported with the file and the key."""
    ds = tmp_path / "ds"
    shutil.copytree(tiny_folder, ds)
    (ds / "policy.toml").write_text("[sworn]\nmin_rest_hour = 8\n")
    with pytest.raises(InputError) as info:
        load_policy(ds)
    [issue] = info.value.issues
    assert issue.file == "policy.toml" and issue.column == "sworn.min_rest_hour"


def test_reason_names_a_missing_skill():
    """A traffic post with no traffic-trained officer is uncovered because of the skill."""
    r = solve(
        dataset([person("P1"), person("A1", "aux_service")], [need("traffic")]),
        Horizon(WEEK.start, 1),
        workers=1,
    )
    [row] = r.uncovered_reasons.to_dict(orient="records")
    assert row["reason"] == "no eligible person (lacking the skill)"
    assert "1 lacking the skill" in row["detail"]


def test_reason_names_absence():
    """A desk whose only officer is on leave is uncovered because of the absence."""
    from allocate.domain import Absence

    ds = dataset([person("P1")], [need("desk")], absences=(Absence("P1", WEEK.start, WEEK.start),))
    [row] = solve(ds, Horizon(WEEK.start, 1), workers=1).uncovered_reasons.to_dict(orient="records")
    assert row["reason"] == "no eligible person (absent)"
