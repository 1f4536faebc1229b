"""Rule 9 sizing: minimality proven with the roster model, sworn shortfall, curve, quota division."""

from __future__ import annotations

import json

import pytest

from allocate.policy import Policy
from allocate.sizing import divide_quota, size_dataset
from allocate.sizing.candidates import make_candidates, station_posts
from allocate.solve import solve
from builders import WEEK, dataset, need, person

STATIONS_ONE = dataset([], []).stations[:1]


def response_week(aux: int, sworn: int = 2):
    """One 1S+2A|2S response crew every day of a week at S1, with `aux` service auxiliaries."""
    staff = [person(f"P{k}") for k in range(sworn)]
    ds = dataset(staff, [need("resp", d) for d in range(7)], stations=STATIONS_ONE)
    extra = make_candidates(ds, "S1", "aux_service", aux, station_posts(ds, "S1", WEEK))
    return ds.replace(staff=(*ds.staff, *extra))


def uncovered(ds) -> int:
    return int(solve(ds, WEEK, time_limit=20, seed=0, workers=1).coverage["shortfall"].sum())


@pytest.fixture(scope="module")
def sized():
    return size_dataset(response_week(0), WEEK, weeks=1, time_limit=20, workers=1)


def test_minimum_is_computed_per_kind(sized):
    """Two officers cover at most 12 of the week's shifts: the response needs 2 service auxiliaries."""
    row = sized.sizing().set_index("kind").loc["aux_service"]
    assert (row["current"], row["minimum"]) == (0, 2)
    assert sized.sizing().set_index("kind").loc["aux_civilian", "minimum"] == 0
    assert sized.stations[0].minimum_proven
    assert set(sized.sizing()["quality"]) == {"proven minimum"}


def test_minimum_is_minimal_by_the_roster_model(sized):
    """With the minimum the roster leaves nothing uncovered; with one fewer something is uncovered."""
    minimum = int(sized.sizing().set_index("kind").loc["aux_service", "minimum"])
    assert uncovered(response_week(minimum)) == 0
    assert uncovered(response_week(minimum - 1)) > 0


def test_curve_runs_from_current_to_minimum(sized):
    """The curve starts at the current pool (0) with crews uncovered and ends at the minimum with none."""
    curve = sized.curve().sort_values("headcount")
    assert curve["headcount"].iloc[0] == 0 and curve["uncovered"].iloc[0] > 0
    assert curve["headcount"].iloc[-1] == 2 and curve["uncovered"].iloc[-1] == 0
    assert curve["uncovered"].is_monotonic_decreasing


def test_sworn_shortfall_is_reported():
    """A 2S case every day with one officer cannot be covered by any auxiliary: sworn shortfall."""
    ds = dataset([person("P0")], [need("case", d) for d in range(3)], stations=STATIONS_ONE)
    report = size_dataset(ds, WEEK, weeks=1, time_limit=10, workers=1)
    short = report.sworn_shortfall()
    assert int(short["uncovered"].sum()) == 3  # one 2S case a day on three days, one officer
    assert set(short["task_id"]) == {"case"}
    assert report.stations[0].shortfall_proven
    assert "need sworn officers" in report.sizing()["binding_reason"].iloc[0]


def test_policy_cap_binds_the_recommendation():
    """A cap of 0.5 auxiliaries per sworn officer (2 officers -> 1) holds the recommendation under 2.

    One auxiliary alone cannot form a 1S+2A crew, so the best use of the cap is the fewest people
    with the same coverage: none.
    """
    report = size_dataset(
        response_week(0), WEEK, Policy(max_aux_per_sworn=0.5), weeks=1, time_limit=20, workers=1
    )
    row = report.sizing().set_index("kind").loc["aux_service"]
    assert (row["minimum"], row["recommended"], row["cap"]) == (2, 0, 1)
    assert "cap" in row["binding_reason"]


def test_quota_division_is_exact():
    """Three stations, quota 5: the knapsack puts heads where they cut the most weighted uncovered."""
    curves = {
        "A": [(0, 100), (1, 40), (2, 0)],
        "B": [(0, 90), (2, 10), (3, 0)],
        "C": [(0, 30), (1, 0)],
    }
    assert divide_quota(curves, 5) == {"A": 2, "B": 2, "C": 1}
    assert divide_quota(curves, 6) == {"A": 2, "B": 3, "C": 1}
    assert divide_quota({"A": [(2, 5)]}, 1) is None


def test_size_command_writes_outputs(tmp_path, tiny_folder):
    """`allocate size` writes sizing.csv, the curve (CSV and SVG) and a JSON summary."""
    import subprocess
    import sys

    out = tmp_path / "sizing"
    p = subprocess.run(
        [sys.executable, "-m", "allocate", "size", str(tiny_folder), "--out", str(out), "--weeks", "1",
         "--time-limit", "10", "--json"],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert p.returncode == 0, p.stderr
    summary = json.loads(p.stdout)
    assert summary["district_current"] == 4
    for name in ("sizing.csv", "curve.csv", "curve.svg", "sworn_shortfall.csv", "sizing.json"):
        assert (out / name).is_file(), name
    assert (out / "sizing.csv").read_text().splitlines()[0] == (
        "station_id,kind,current,minimum,recommended,cap,binding_reason,quality"
    )


def test_counting_bound_is_a_floor_of_the_pooled_minimum():
    """The counting model never claims more heads than the exact (pooled) model proves necessary."""
    from allocate.sizing.model import HEAD_WEIGHT, HeadFloor, SizingModel

    sm = SizingModel(response_week(0), "S1", WEEK, Policy())
    first = sm.min_uncovered(10, workers=1)
    best = sm.min_headcount(first.uncovered_cost, 10, workers=1)
    assert best.status == "OPTIMAL"
    weighted = sum(HEAD_WEIGHT[k] * n for k, n in best.headcount.items())
    assert 0 < sm.floor_heads.value <= weighted
    assert sm.proven_floor == HeadFloor(first.uncovered_cost, weighted)
