"""`allocate swap`: an exchange of duties judged by the verifier; --apply writes it only when lawful."""

from __future__ import annotations

import itertools

import pandas as pd
import pytest
from typer.testing import CliRunner

from allocate.cli import app
from allocate.contract import ROSTER_COLUMNS
from allocate.io.errors import InputError
from allocate.io.load import load_dataset
from allocate.policy import Policy
from allocate.replan import read_published
from allocate.swap import swap_violations, swapped
from builders import WEEK, dataset, day, need, person


def duty(offset: int, pid: str, shift: str = "day") -> tuple:
    return (day(offset).isoformat(), "S1", shift, "desk", f"c{offset}{shift}", pid, "sworn", "S", pid)


DS = dataset(
    [person("P1"), person("P2"), person("C1", "aux_civilian")],
    [need("desk", 0, "evening"), need("desk", 1), need("desk", 2)],
)
ROSTER = pd.DataFrame([duty(0, "P1", "evening"), duty(1, "P2"), duty(2, "P1")], columns=list(ROSTER_COLUMNS))


def test_a_swap_that_breaks_rest_names_the_rule_and_person():
    """P1 taking Tuesday 08:00 after Monday's evening (ends 24:00) leaves 8 h rest: rule rest, for P1."""
    after = swapped(DS, ROSTER, "P1", day(2), "P2", day(1))
    assert set(after.loc[after["date"] == day(1).isoformat(), "person_id"]) == {"P1"}
    broken = swap_violations(DS, WEEK, Policy(), ROSTER, after)
    assert [(v.rule, v.person_id) for v in broken] == [("rest", "P1")]


def test_a_lawful_swap_has_no_violation_and_hands_over_the_lead():
    """P2 takes P1's Monday evening desk, P1 takes P2's Wednesday desk: lawful, and each leads their new crew."""
    roster = pd.DataFrame([duty(0, "P1", "evening"), duty(2, "P2")], columns=list(ROSTER_COLUMNS))
    after = swapped(DS, roster, "P1", day(0), "P2", day(2))
    assert list(after["person_id"]) == ["P2", "P1"] and list(after["lead_id"]) == ["P2", "P1"]
    assert swap_violations(DS, WEEK, Policy(), roster, after) == []


def test_a_civilian_on_a_desk_and_missing_duties():
    """A civilian auxiliary taking a police-only desk breaks sworn_only; a person without a duty is bad input."""
    roster = pd.DataFrame([duty(1, "P2")], columns=list(ROSTER_COLUMNS))
    extra = pd.DataFrame(
        [(day(2).isoformat(), "S1", "day", "window", "w", "C1", "aux_civilian", "A", "C1")],
        columns=list(ROSTER_COLUMNS),
    )
    both = pd.concat([roster, extra], ignore_index=True)
    after = swapped(DS, both, "P2", day(1), "C1", day(2))
    assert "sworn_only" in {v.rule for v in swap_violations(DS, WEEK, Policy(), both, after)}
    with pytest.raises(InputError):
        swapped(DS, roster, "P1", day(1), "P2", day(1))


def test_swap_command_applies_a_lawful_swap(tiny_folder, tiny_published, tmp_path):
    """On the tiny dataset: a lawful swap exits 0 and --apply writes a verified roster and changes.csv."""
    pub, new = tiny_published, tmp_path / "new"
    run = CliRunner().invoke
    ds = load_dataset(tiny_folder)
    roster, horizon, _ = read_published(pub)
    duties = sorted({(r.person_id, r.date) for r in roster.itertuples()})
    lawful = None
    for (a, da), (b, db) in itertools.combinations(duties, 2):
        if a != b and da != db:
            after = swapped(ds, roster, a, pd.Timestamp(da).date(), b, pd.Timestamp(db).date())
            if after.equals(roster):
                continue
            if not swap_violations(ds, horizon, Policy(), roster, after):
                lawful = (a, da, b, db)
                break
    assert lawful is not None
    res = run(app, ["swap", str(tiny_folder), str(pub), *lawful, "--apply", "--out", str(new)])
    assert res.exit_code == 0, res.output
    assert run(app, ["verify", str(tiny_folder), str(new)]).exit_code == 0
    assert len(pd.read_csv(new / "changes.csv")) >= 2
