"""Eligibility decided in bulk (`eligible_among`) agrees with asking post by post (`eligible`)."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from pathlib import Path

import pytest

from allocate.demand import expand_posts
from allocate.domain import Horizon
from allocate.io.load import load_dataset
from allocate.model.eligibility import eligibility_key, eligible, eligible_among

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


def test_people_with_one_eligibility_key_are_eligible_for_the_same_posts():
    """The model asks once per key (`eligibility_key`): every demo person whose key another shares
    must have that person's posts, and the key must tell apart whatever changes them: a lapse of
    training within the week, an absence, another skill."""
    ds = load_dataset(DEMO)
    horizon = Horizon(dt.date(2026, 12, 7), 7)
    posts = expand_posts(ds, horizon)
    seen: dict[tuple, list[int]] = {}
    shared = 0
    for person in ds.staff:
        key = eligibility_key(ds, person, horizon.dates)
        found = eligible_among(ds, person, posts, lending=False)
        if key in seen:
            assert seen[key] == found, person.person_id
            shared += 1
        seen[key] = found
    assert shared > len(ds.staff) // 2  # most people are alike: the reason for the key

    aux = next(p for p in ds.staff if p.role == "aux_service" and p.pre_job_trained and not p.disqualified)
    lapsing = replace(aux, training_valid_until=horizon.start + dt.timedelta(days=2))
    later = replace(aux, training_valid_until=horizon.start + dt.timedelta(days=400))
    assert eligibility_key(ds, later, horizon.dates) != eligibility_key(ds, lapsing, horizon.dates)
    assert eligible_among(ds, later, posts, False) != eligible_among(ds, lapsing, posts, False)
    assert eligibility_key(ds, later, horizon.dates) == eligibility_key(ds, aux, horizon.dates)
    skilled = replace(aux, skills=aux.skills | {"traffic"})
    assert eligibility_key(ds, skilled, horizon.dates) != eligibility_key(ds, aux, horizon.dates)
    absent = next(p for p in ds.staff if any(ds.is_absent(p.person_id, d) for d in horizon.dates))
    present = replace(absent, person_id="somebody-else")
    assert eligibility_key(ds, present, horizon.dates) != eligibility_key(ds, absent, horizon.dates)
