"""The sizing budget: stages share deterministic work, so the answer does not follow the clock."""

from __future__ import annotations

import math

import pytest

from allocate.model.params import WORK_PER_SECOND
from allocate.sizing import size_dataset
from allocate.sizing.budget import Budget
from builders import WEEK, dataset, need, person


def test_a_part_is_charged_to_the_root_and_shrinks_its_parent():
    """Work spent inside a part counts against every budget it was cut from."""
    root = Budget(100)
    root.deadline = math.inf  # the work alone decides here (a busy machine's clock made this flaky)
    part = root.part(0.5)
    assert part.left() == pytest.approx(50)
    part.charge(10 * WORK_PER_SECOND)  # ten nominal seconds of work
    assert part.used() == pytest.approx(10)
    assert part.left() == pytest.approx(40)
    assert root.left() == pytest.approx(90)
    inner = part.part(0.25)
    assert inner.left() == pytest.approx(10)
    root.charge(1000)  # overspent: a solve still gets a glance, never a negative limit
    assert inner.left() == pytest.approx(0.05) and root.left() == pytest.approx(0.05)


def test_the_wall_ceiling_is_the_root_time_limit():
    """A part's wall-clock ceiling is the station's, not its own share."""
    root = Budget(30)
    assert 29 < root.part(0.01).wall_left() <= 30


def test_sizing_is_the_same_twice():
    """Same input and seed, one worker: the same minimum, curve and quality (work, not the clock, shares the stages)."""
    staff = [person("P0"), person("P1")]
    ds = dataset(staff, [need("resp", d) for d in range(7)])
    runs = [size_dataset(ds, WEEK, weeks=2, time_limit=20, curve_points=3, workers=1) for _ in range(2)]
    a, b = (r.summary() for r in runs)
    for s in (a, b):
        s.pop("seconds")
        for st in s["stations"]:
            st.pop("seconds")
    assert a == b
    assert runs[0].curve().equals(runs[1].curve())
