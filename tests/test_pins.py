"""Pins (pins.csv): hard on/off decisions in solve, refused when unlawful, checked by the verifier."""

from __future__ import annotations

import shutil

import pytest
from typer.testing import CliRunner

from allocate.cli import app
from allocate.domain import Absence, Pin
from allocate.io.errors import InputError
from allocate.io.load import load_dataset
from allocate.solve import solve
from allocate.verify import verify_roster
from builders import WEEK, dataset, day, need, person, worked


def run(ds, **kw):
    return solve(ds, WEEK, time_limit=20, seed=1, workers=1, **kw)


def who(result, offset: int, task: str | None = None) -> set[str]:
    r = result.roster
    rows = r[r["date"] == day(offset).isoformat()]
    if task:
        rows = rows[rows["task_id"] == task]
    return set(rows["person_id"])


def test_task_pin_on_picks_the_pinned_officer():
    """Three interchangeable officers, one desk: the task pin decides who serves it."""
    ds = dataset([person("P1"), person("P2"), person("P3")], [need("desk", 0), need("desk", 1)])
    for pid in ("P1", "P2", "P3"):
        r = run(ds.replace(pins=(Pin(pid, day(0), True, "day", "desk"),)))
        assert who(r, 0, "desk") == {pid}
        assert r.verification.ok


def test_day_pin_off_keeps_the_person_home():
    """An off pin for the whole day: the officer is not rostered that day, even if it costs coverage."""
    ds = dataset([person("P1")], [need("desk", 0), need("desk", 1)])
    r = run(ds.replace(pins=(Pin("P1", day(0), False),)))
    assert who(r, 0) == set() and who(r, 1) == {"P1"}
    assert int(r.coverage["shortfall"].sum()) == 1
    assert r.verification.ok


def test_shift_pin_on_moves_work_to_that_shift():
    """A shift pin: the officer works the evening desk, not the day desk."""
    ds = dataset([person("P1")], [need("desk", 0, "day"), need("desk", 0, "evening")])
    r = run(ds.replace(pins=(Pin("P1", day(0), True, "evening"),)))
    assert set(r.roster["shift_id"]) == {"evening"}


def test_task_pin_off_in_the_published_form():
    """With a published roster (the Boolean form) a task pin off is kept too."""
    ds = dataset([person("P1"), person("P2")], [need("desk", 0)])
    first = run(ds)
    published = tuple(_rows(first))
    served = published[0].person_id
    r = run(ds.replace(pins=(Pin(served, day(0), False, None, "desk"),)), published=published)
    assert who(r, 0, "desk") == {"P1", "P2"} - {served}


def _rows(result):
    from allocate.domain import Assignment

    for row in result.roster.itertuples(index=False):
        yield Assignment(
            day(0).fromisoformat(row.date), row.station_id, row.shift_id, row.task_id, row.crew_id,
            row.person_id, row.role, row.slot, row.lead_id,
        )  # fmt: skip


@pytest.mark.parametrize(
    ("staff", "pin", "column", "extra"),
    [
        (person("C1", "aux_civilian"), Pin("C1", day(0), True, "day", "desk", line=2), "task_id", {}),
        (person("P9", disqualified=True), Pin("P9", day(0), True, line=2), "person_id", {}),
        (
            person("A9", "aux_service", pre_job_trained=False),
            Pin("A9", day(0), True, line=2),
            "person_id",
            {},
        ),
        (person("P9"), Pin("P9", day(9), True, line=2), "date", {}),
        (
            person("P9"),
            Pin("P9", day(0), True, line=2),
            "date",
            {"absences": (Absence("P9", day(0), day(1)),)},
        ),
        (
            person("P9"),
            Pin("P9", day(0), True, "day", line=2),
            "date",
            {"history": (worked("P9", -1, "evening"),)},
        ),
        (person("P9"), Pin("P9", day(0), True, "day", "traffic", line=2), "task_id", {}),
        (person("P9"), Pin("P9", day(2), True, line=2), "date", {}),  # no post that day
    ],
)
def test_unlawful_pins_are_bad_input(staff, pin, column, extra):
    """Civilian on a police-only task, disqualified, untrained, outside horizon, absent, rest owed,
    missing skill, no post: refused naming the pins.csv row and column."""
    ds = dataset([person("P1"), staff], [need("desk", 0), need("desk", 1)], **extra)
    with pytest.raises(InputError) as caught:
        run(ds.replace(pins=(pin,)))
    issue = caught.value.issues[0]
    assert (issue.file, issue.line, issue.column) == ("pins.csv", 2, column)


def test_clashing_pins_are_bad_input():
    """On and off for the same shift, or two shifts pinned on one day, cannot both be kept."""
    ds = dataset([person("P1")], [need("desk", 0, "day"), need("desk", 0, "evening")])
    for other in (Pin("P1", day(0), False, "day", line=3), Pin("P1", day(0), True, "evening", line=3)):
        with pytest.raises(InputError) as caught:
            run(ds.replace(pins=(Pin("P1", day(0), True, "day", line=2), other)))
        assert caught.value.issues[0].line == 3
    two_posts = (Pin("P1", day(0), True, None, "desk", line=2), Pin("P1", day(0), True, None, "case", line=3))
    both = dataset([person("P1")], [need("desk", 0), need("case", 0, "evening")])
    with pytest.raises(InputError) as caught:
        run(both.replace(pins=two_posts))
    assert [(i.line, i.column) for i in caught.value.issues] == [(3, "pin")]


def test_verifier_names_a_broken_pin():
    """A roster that ignores a pin fails the independent check with rule `pin`."""
    ds = dataset([person("P1"), person("P2")], [need("desk", 0)])
    r = run(ds.replace(pins=(Pin("P1", day(0), True, line=2),)))
    assert who(r, 0) == {"P1"}
    swapped = r.roster.assign(person_id="P2", lead_id="P2")
    report = verify_roster(ds.replace(pins=(Pin("P1", day(0), True, line=2),)), WEEK, r.policy, swapped)
    assert [v.rule for v in report.violations] == ["pin"]


def test_pins_csv_loads_and_bad_rows_exit_2(tiny_folder, tmp_path):
    """pins.csv is read with the loader; an unknown person is refused with file, line and column."""
    data = tmp_path / "data"
    shutil.copytree(tiny_folder, data)
    (data / "pins.csv").write_text("person_id,date,shift_id,task_id,pin\nP1,2026-12-07,day,case,on\n")
    ds = load_dataset(data)
    assert ds.pins == (Pin("P1", day(0), True, "day", "case"),)
    (data / "pins.csv").write_text(
        "person_id,date,shift_id,task_id,pin\nP1,2026-12-07,,,maybe\nZZ,2026-12-07,,,on\n"
    )
    out = tmp_path / "out"
    res = CliRunner().invoke(
        app, ["solve", str(data), "--start", "2026-12-07", "--days", "7", "--out", str(out)]
    )
    assert res.exit_code == 2
    assert "pins.csv line 2, column pin" in res.output and "pins.csv line 3, column person_id" in res.output
    assert not out.exists()


def test_unlawful_pin_in_a_folder_exits_2(tiny_folder, tmp_path):
    """A civilian-free dataset: an auxiliary pinned on the police-only case task is exit 2, nothing written."""
    data = tmp_path / "data"
    shutil.copytree(tiny_folder, data)
    (data / "pins.csv").write_text("person_id,date,shift_id,task_id,pin\nA1,2026-12-07,day,case,on\n")
    out = tmp_path / "out"
    res = CliRunner().invoke(
        app, ["solve", str(data), "--start", "2026-12-07", "--days", "7", "--out", str(out)]
    )
    assert res.exit_code == 2, res.output
    assert "pins.csv line 2, column task_id" in res.output
    assert not out.exists()
