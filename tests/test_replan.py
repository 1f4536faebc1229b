"""Re-planning a published roster: the past frozen byte for byte, labour rules across the cut,
coverage first and then the fewest changes, changes.csv equal to the difference of the rosters."""

from __future__ import annotations

import datetime as dt
import shutil

import pandas as pd
from typer.testing import CliRunner

from allocate.cli import app
from allocate.contract import ROSTER_COLUMNS
from allocate.domain import Absence
from allocate.policy import LabourRules, Policy
from allocate.replan import changes, replan
from allocate.solve import solve
from builders import WEEK, dataset, day, need, person


def published(ds, policy=None) -> pd.DataFrame:
    r = solve(ds, WEEK, policy, time_limit=20, seed=1, workers=1)
    return r.roster.astype({"date": str})


def row(offset: int, pid: str, shift: str = "day", task: str = "desk") -> tuple:
    crew = f"S1-{day(offset):%Y%m%d}-{shift}-{task}-1"
    return (day(offset).isoformat(), "S1", shift, task, crew, pid, "sworn", "S", pid)


def roster(*rows: tuple) -> pd.DataFrame:
    return pd.DataFrame(list(rows), columns=list(ROSTER_COLUMNS))


def cut(offset: int, hour: int = 0) -> dt.datetime:
    return dt.datetime.combine(day(offset), dt.time(hour))


def test_rest_across_the_cut_is_kept():
    """P1's frozen Monday evening (ends 24:00) leaves 11 h owed: sick P2's Tuesday 08:00 desk stays uncovered."""
    ds = dataset([person("P1"), person("P2")], [need("desk", 0, "evening"), need("desk", 1, "day")])
    pub = roster(row(0, "P1", "evening"), row(1, "P2"))
    sick = ds.replace(absences=(Absence("P2", day(1), day(1)),))
    r = replan(sick, pub, WEEK, Policy(), cut(1), time_limit=20, seed=1)
    assert r.verification.ok, r.verification.violations
    assert list(r.roster["person_id"]) == ["P1"]
    assert int(r.coverage["shortfall"].sum()) == 1
    assert set(map(tuple, r.changes.to_numpy())) == {
        ("P2", day(1).isoformat(), "S1", "day", "desk", "removed")
    }


def test_consecutive_days_across_the_cut_are_kept():
    """At most 2 days in a row: P1 worked Mon and Tue (frozen), so sick P2's Wednesday desk stays open."""
    policy = Policy(sworn=LabourRules(max_consecutive_days=2))
    ds = dataset([person("P1"), person("P2")], [need("desk", k) for k in range(3)])
    pub = roster(row(0, "P1"), row(1, "P1"), row(2, "P2"))
    sick = ds.replace(absences=(Absence("P2", day(2), day(6)),))
    r = replan(sick, pub, WEEK, policy, cut(2), time_limit=20, seed=1)
    assert r.verification.ok
    assert sorted(r.roster["date"]) == [day(0).isoformat(), day(1).isoformat()]
    assert int(r.coverage["shortfall"].sum()) == 1


def test_coverage_first_then_fewest_changes():
    """P2 sick Wednesday: exactly one officer is brought in for that desk and nothing else moves."""
    staff = [person(f"P{k}") for k in range(1, 6)]
    ds = dataset(staff, [need("desk", k) for k in range(7)] + [need("case", k) for k in range(7)])
    pub = published(ds)
    sick_id = pub.loc[pub["date"] == day(2).isoformat(), "person_id"].iloc[0]
    sick = ds.replace(absences=(Absence(sick_id, day(2), day(2)),))
    r = replan(sick, pub, WEEK, Policy(), cut(2), time_limit=20, seed=1)
    assert r.verification.ok
    assert int(r.coverage["shortfall"].sum()) == 0
    assert len(r.changes) == 2  # one removal (the sick officer) and one addition (the cover)
    frozen = pub[pub["date"] < day(2).isoformat()]
    pd.testing.assert_frame_equal(
        r.roster[r.roster["date"] < day(2).isoformat()].reset_index(drop=True), frozen.reset_index(drop=True)
    )


def test_nothing_new_means_no_changes():
    """Re-planning unchanged data from mid-week changes nothing."""
    ds = dataset([person(f"P{k}") for k in range(1, 4)], [need("desk", k) for k in range(7)])
    pub = published(ds)
    r = replan(ds, pub, WEEK, Policy(), cut(3, 12), time_limit=20, seed=1)
    assert r.changes.empty and r.verification.ok


def test_changes_are_the_difference_of_the_rosters():
    """changes() lists a move as one removal and one addition."""
    before = roster(row(0, "P1"), row(1, "P1"))
    after = roster(row(0, "P1"), row(1, "P2"))
    got = changes(before, after)
    assert list(got.columns) == ["person_id", "date", "station_id", "shift_id", "task_id", "change"]
    assert list(got["change"]) == ["removed", "added"] or sorted(got["change"]) == ["added", "removed"]
    assert set(got["person_id"]) == {"P1", "P2"}


def test_cli_replan_writes_frozen_rows_verbatim(tiny_folder, tmp_path):
    """The command: frozen rows are the published lines byte for byte, changes.csv is the rosters' difference."""
    pub, new, data = tmp_path / "pub", tmp_path / "new", tmp_path / "data"
    shutil.copytree(tiny_folder, data)
    run = CliRunner().invoke
    res = run(app, ["solve", str(data), "--start", "2026-12-07", "--days", "7", "--out", str(pub), "-q"])
    assert res.exit_code == 0, res.output
    lines = (pub / "roster.csv").read_text().splitlines()
    sick = next(ln.split(",")[5] for ln in lines[1:] if ln.startswith("2026-12-08"))
    with (data / "absences.csv").open("w") as f:
        f.write(f"person_id,date_from,date_to,kind\n{sick},2026-12-08,2026-12-13,sick\n")
    args = [
        "replan",
        str(data),
        "--published",
        str(pub),
        "--from",
        "2026-12-08T06:00",
        "--out",
        str(new),
        "-q",
    ]
    res = run(app, args)
    assert res.exit_code == 0, res.output
    new_lines = (new / "roster.csv").read_text().splitlines()
    frozen = [ln for ln in lines[1:] if ln < "2026-12-08"]
    assert frozen and [ln for ln in new_lines[1:] if ln < "2026-12-08"] == frozen
    a, b = pd.read_csv(pub / "roster.csv", dtype=str), pd.read_csv(new / "roster.csv", dtype=str)
    pd.testing.assert_frame_equal(pd.read_csv(new / "changes.csv", dtype=str), changes(a, b))
    assert "removed" in set(pd.read_csv(new / "changes.csv")["change"])
    assert run(app, ["verify", str(data), str(new)]).exit_code == 0
    assert 'id="changes"' in (new / "report.html").read_text()


def test_cli_replan_bad_from_is_exit_2(tiny_folder, tiny_published, tmp_path):
    """A --from outside the published horizon, or not a date, is bad input: exit 2, nothing written."""
    pub, new = tiny_published, tmp_path / "new"
    run = CliRunner().invoke
    for when in ("2027-01-01", "Wednesday"):
        res = run(
            app, ["replan", str(tiny_folder), "--published", str(pub), "--from", when, "--out", str(new)]
        )
        assert res.exit_code == 2, res.output
        assert not new.exists()


def test_python_api_replans_a_result():
    """allocate.replan takes a Result and a date; Result.changes lists the added and removed duties."""
    import allocate

    ds = dataset([person("P1"), person("P2"), person("P3")], [need("desk", k) for k in range(7)])
    first = solve(ds, WEEK, time_limit=20, seed=1, workers=1)
    sick_id = first.roster.loc[first.roster["date"] == day(4).isoformat(), "person_id"].iloc[0]
    now = ds.replace(absences=(Absence(sick_id, day(4), day(6)),))
    new = allocate.replan(now, first, cut=day(4), time_limit=20, seed=1)
    assert new.verification.ok and int(new.coverage["shortfall"].sum()) == 0
    assert ("removed" in set(new.changes["change"])) and sick_id not in set(
        new.roster.loc[new.roster["date"] >= day(4).isoformat(), "person_id"]
    )
    assert new.summary()["settings"]["replan"]["changes"] == len(new.changes)


def test_a_pin_inside_rest_owed_from_frozen_work_is_bad_input():
    """Pinning P1 on Tuesday 08:00 after a frozen Monday evening (rest owed until 11:00) is refused."""
    import pytest

    from allocate.domain import Pin
    from allocate.io.errors import InputError

    ds = dataset([person("P1"), person("P2")], [need("desk", 0, "evening"), need("desk", 1, "day")])
    pub = roster(row(0, "P1", "evening"), row(1, "P2"))
    pinned = ds.replace(pins=(Pin("P1", day(1), True, "day", line=2),))
    with pytest.raises(InputError) as caught:
        replan(pinned, pub, WEEK, Policy(), cut(1), time_limit=20, seed=1)
    assert (caught.value.issues[0].line, caught.value.issues[0].column) == (2, "date")
