"""The greedy roster that seeds CP-SAT (and stands in when CP-SAT finds nothing in time) is lawful."""

from __future__ import annotations

import pandas as pd
import pytest
from ortools.sat.python import cp_model

from allocate.contract import COVERAGE_COLUMNS, ROSTER_COLUMNS
from allocate.demand import expand_posts
from allocate.domain import Horizon, is_heavy
from allocate.generate import DEFAULT_START, generate
from allocate.io.load import load_dataset
from allocate.model.builder import RosterModel
from allocate.model.hint import complete_hints, roster_variables, settle
from allocate.model.params import solver_for
from allocate.policy import Policy
from allocate.solve import extract_rows
from allocate.verify import verify_roster
from builders import WEEK, dataset, need, person


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


def test_settle_puts_a_coverage_rosters_soft_goals_at_their_least():
    """A stage that minimises coverage alone leaves the soft goals' accounting anywhere (here, pushed
    to its worst: the fair band far from everyone's count). Settled, the same roster counts the
    heavy shifts outside the best band, as counted here by hand from its people's shifts."""
    staff = [person(f"P{k}") for k in range(4)]
    demand = [need("desk", d, s) for d in range(7) for s in ("day", "night")]
    ds = dataset(staff, demand)
    m = RosterModel(ds, WEEK, Policy(), ("S1",), expand_posts(ds, WEEK))
    terms = {t.name: t for t in m.terms}
    full = sum(t.cost for t in m.terms)
    m.model.minimize(1000 * terms["uncovered"].cost - terms["fairness"].amount)
    worst = solver_for(30, 0, 1, {})
    assert worst.solve(m.model) == cp_model.OPTIMAL

    settled = settle(m, worst, full, 30)
    assert settled is not None
    assert [settled.value(v) for v in roster_variables(m)] == [worst.value(v) for v in roster_variables(m)]
    heavy = {i: 0 for i in range(len(m.people))}
    for (i, q), x in m.x.items():
        post = m.posts[q]
        heavy[i] += settled.value(x) * is_heavy(ds.shift_by_id[post.shift_id], post.date, ds.calendar)
    outside = min(sum(max(0, c - band - 1) + max(0, band - c) for c in heavy.values()) for band in range(15))
    assert settled.value(terms["fairness"].amount) == outside
    assert worst.value(terms["fairness"].amount) > outside + 10
    assert settled.value(full) < worst.value(full)


@pytest.mark.parametrize("use_lines", [True, False])
def test_the_greedy_hint_covers_exactly_the_roster_variables(tiny, use_lines):
    """`settle` fixes `roster_variables` and lets everything else follow; the greedy hint names the
    same variables, so the two lists cannot drift apart (a variable missing from one would be a
    roster choice left free, or accounting fixed)."""
    horizon = Horizon(DEFAULT_START, 7)
    station = tiny.stations[0].station_id
    posts = [p for p in expand_posts(tiny, horizon) if p.station_id == station]
    m = RosterModel(tiny, horizon, Policy(), (station,), posts, use_lines=use_lines)
    assert set(m.model.proto.solution_hint.vars) == {v.index for v in roster_variables(m)}
