"""`allocate cover`: the eligible, free people for a gap, ranked by cost; everyone else with a rule."""

from __future__ import annotations

import json

import pandas as pd
from typer.testing import CliRunner

from allocate.cli import app
from allocate.contract import ROSTER_COLUMNS
from allocate.cover import who_can_cover
from allocate.domain import Absence, Post, Request
from allocate.policy import Policy
from builders import WEEK, dataset, day, need, person


def test_call_in_list_ranks_and_excludes():
    """Busy, absent and civilian people are excluded by name of rule; the free rank by overtime and requests."""
    staff = [person("P1"), person("P2"), person("P3"), person("P4"), person("C1", "aux_civilian"),
             person("P5", hours_per_week=8)]  # fmt: skip
    ds = dataset(
        staff,
        [need("desk", 0), need("desk", 1)],
        absences=(Absence("P3", day(0), day(0)),),
        requests=(Request("P4", day(0), False),),
    )
    roster = pd.DataFrame(
        [(day(0).isoformat(), "S1", "day", "desk", "c1", "P2", "sworn", "S", "P2"),
         (day(1).isoformat(), "S1", "day", "desk", "c2", "P5", "sworn", "S", "P5")],
        columns=list(ROSTER_COLUMNS),
    )  # fmt: skip
    ranked, excluded = who_can_cover(ds, WEEK, Policy(), roster, Post("S1", day(0), "day", "desk", 1))
    assert [c.person_id for c in ranked] == ["P1", "P4", "P5"]
    assert ranked[1].request == "off requested" and ranked[2].overtime_hours == 8
    rules = {e.person_id: e.rule for e in excluded}
    assert rules == {"P2": "one_shift_per_day", "P3": "absence", "C1": "sworn_only"}


def test_cover_command_json_and_bad_post(tiny_folder, tiny_published):
    """The command prints JSON lists; an unknown task in --post is exit 2."""
    out = tiny_published
    run = CliRunner().invoke
    res = run(app, ["cover", str(tiny_folder), str(out), "--post", "T1,2026-12-08,day,case", "--json"])
    assert res.exit_code == 0, res.output
    payload = json.loads(res.stdout)
    tried = {c["person_id"] for c in payload["candidates"]} | {e["person_id"] for e in payload["excluded"]}
    assert {"P1", "P2", "P3", "A1"} <= tried
    assert {e["person_id"]: e["rule"] for e in payload["excluded"]}.get("A1") == "sworn_only"
    res = run(app, ["cover", str(tiny_folder), str(out), "--post", "T1,2026-12-08,day,nope"])
    assert res.exit_code == 2
