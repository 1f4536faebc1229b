"""`allocate batch --replan --from`: a stored week re-planned, the old roster kept as a version,
an audit row per station (when, why, how many changes), pins honoured in a batch."""

from __future__ import annotations

import json

import pandas as pd
from typer.testing import CliRunner

from allocate.batch import BatchSettings, Store, run_batch
from allocate.batch.replan import replan_batch
from allocate.batch.week import Week
from allocate.cli import app
from allocate.replan import changes, parse_cut
from batch_helpers import W1, tiny


def test_replan_a_stored_week_keeps_the_previous_version_and_an_audit(tmp_path):
    """A sick call from Thursday: the stored week is re-planned, Mon-Wed unchanged, the old roster kept."""
    data = tiny(tmp_path / "tiny")
    url = f"sqlite:///{tmp_path / 'store.db'}"
    settings = BatchSettings(engine="serial", time_limit=10)
    with Store(url) as store:
        run_batch(data, W1, store, settings=settings)
        before = store.roster(W1)
    thursday = (Week.parse(W1).monday + pd.Timedelta(days=3)).isoformat()
    sick = before.loc[(before["date"] == thursday) & (before["station_id"] == "S01"), "person_id"].iloc[0]
    with (data / "absences.csv").open("a") as f:
        f.write(f"{sick},{thursday},{(Week.parse(W1).monday + pd.Timedelta(days=6)).isoformat()},sick\n")
    res = CliRunner().invoke(
        app,
        ["batch", str(data), "--week", W1, "--store", url, "--replan", "--from", thursday,
         "--reason", "sick call", "--json", "--time-limit", "10"],
    )  # fmt: skip
    assert res.exit_code == 0, res.output
    rows = {r["station_id"]: r for r in json.loads(res.stdout)["stations"]}
    assert rows["S01"]["ok"] and rows["S01"]["version_replaced"] == 1
    with Store(url) as store:
        after = store.roster(W1)
        audit = store.replans(W1)
        old = store.roster_version(W1, "S01", 1)
    s01_before = before[before["station_id"] == "S01"].reset_index(drop=True)
    assert set(map(tuple, old.to_numpy())) == set(map(tuple, s01_before.to_numpy()))
    assert sick not in set(after.loc[after["date"] >= thursday, "person_id"])
    past = ["date", "person_id", "crew_id", "task_id"]
    early = lambda f: set(map(tuple, f.loc[f["date"] < thursday, past].to_numpy()))  # noqa: E731
    assert early(after) == early(before)
    s01 = audit[audit["station_id"] == "S01"].iloc[0]
    assert s01["reason"] == "sick call" and s01["cut"] == f"{thursday}T00:00"
    assert s01["changes"] == len(changes(s01_before, after[after["station_id"] == "S01"])) > 0


def test_replan_needs_a_stored_week(tmp_path):
    """Re-planning a week with nothing stored is bad input."""
    import pytest

    from allocate.io.errors import InputError

    data = tiny(tmp_path / "tiny")
    with Store(f"sqlite:///{tmp_path / 'empty.db'}") as store, pytest.raises(InputError):
        replan_batch(data, W1, store, parse_cut(Week.parse(W1).monday.isoformat()))


def test_pins_are_hard_in_a_batch(tmp_path):
    """A person pinned off Monday is not rostered on Monday by the batch."""
    data = tiny(tmp_path / "tiny")
    settings = BatchSettings(engine="serial", time_limit=10)
    with Store(f"sqlite:///{tmp_path / 'a.db'}") as store:
        run_batch(data, W1, store, settings=settings)
        first = store.roster(W1)
    monday = Week.parse(W1).monday.isoformat()
    pid = first.loc[first["date"] == monday, "person_id"].iloc[0]
    (data / "pins.csv").write_text(f"person_id,date,shift_id,task_id,pin\n{pid},{monday},,,off\n")
    with Store(f"sqlite:///{tmp_path / 'b.db'}") as store:
        run_batch(data, W1, store, settings=settings)
        second = store.roster(W1)
    assert pid not in set(second.loc[second["date"] == monday, "person_id"])
