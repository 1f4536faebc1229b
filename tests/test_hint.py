"""The greedy roster that seeds CP-SAT (and stands in when CP-SAT finds nothing in time) is lawful."""

from __future__ import annotations

import pandas as pd
import pytest

from allocate.contract import COVERAGE_COLUMNS, ROSTER_COLUMNS
from allocate.demand import expand_posts
from allocate.domain import Horizon
from allocate.generate import DEFAULT_START, generate
from allocate.io.load import load_dataset
from allocate.model.builder import RosterModel
from allocate.model.hint import complete_hints
from allocate.policy import Policy
from allocate.solve import extract_rows
from allocate.verify import verify_roster


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    return load_dataset(generate("tiny", 3, tmp_path_factory.mktemp("tiny")))


def test_greedy_roster_passes_the_verifier(tiny):
    """The completed greedy roster of every station covers crews and breaks no hard rule."""
    horizon = Horizon(DEFAULT_START, 7)
    policy = Policy()
    rows, cov = [], []
    for station in tiny.stations:
        posts = [p for p in expand_posts(tiny, horizon) if p.station_id == station.station_id]
        m = RosterModel(tiny, horizon, policy, (station.station_id,), posts)
        greedy = complete_hints(m, 10)
        assert greedy is not None
        r, c = extract_rows(m, greedy)
        rows += r
        cov += c
    roster, coverage = pd.DataFrame(rows, columns=ROSTER_COLUMNS), pd.DataFrame(cov, columns=COVERAGE_COLUMNS)
    assert coverage["crews_staffed"].sum() > 0.5 * coverage["crews_required"].sum()
    report = verify_roster(tiny, horizon, policy, roster, coverage)
    assert report.ok, report.render()
