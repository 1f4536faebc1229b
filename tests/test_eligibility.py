"""Eligibility decided in bulk (`eligible_among`) agrees with asking post by post (`eligible`)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from allocate.demand import expand_posts
from allocate.domain import Horizon
from allocate.io.load import load_dataset
from allocate.model.eligibility import eligible, eligible_among

DEMO = Path(__file__).parents[1] / "data" / "demo"


@pytest.mark.parametrize("lending", [False, True])
def test_bulk_eligibility_is_the_pairwise_answer(lending):
    """Every demo person (officers, both kinds of auxiliaries, absent ones) over a week of every station's posts."""
    ds = load_dataset(DEMO)
    posts = expand_posts(ds, Horizon(dt.date(2026, 12, 7), 7))
    people = ds.staff[::7]  # a spread of stations, roles, skills and absences
    found = abroad = 0
    for person in people:
        expected = [k for k, post in enumerate(posts) if eligible(ds, person, post, lending)]
        assert eligible_among(ds, person, posts, lending) == expected
        found += len(expected)
        abroad += sum(posts[k].station_id != person.station_id for k in expected)
    assert found > 0
    assert (abroad > 0) == lending  # lent auxiliaries reach the district's other stations
