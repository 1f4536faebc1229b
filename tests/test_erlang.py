"""Erlang B and C against published values, and the crews rule built on them."""

from __future__ import annotations

import math

import pytest

from allocate.demand_model.erlang import crews_needed, erlang_b, erlang_c, service_level, wait_exceeds


def test_call_centre_worked_example() -> None:
    """The classic worked example: 100 calls per 30 min, AHT 180 s (A = 10 erlangs), target 20 s.

    Source: Call Centre Helper, "Erlang C Formula - Made Simple with an Easy Worked Example"
    (callcentrehelper.com): P(wait) = 68.21 % with 11 agents, and 14 agents are the fewest that
    answer 80 % of calls within 20 seconds (occupancy 71 %). The 12-14 agent P(wait) figures are
    the same formula's values as listed by standard Erlang C calculators (44.94, 28.53, 17.41 %).
    """
    load = 100 / 1800 * 180
    assert load == pytest.approx(10.0)
    for agents, published in ((11, 0.6821), (12, 0.4494), (13, 0.2853), (14, 0.1741)):
        assert erlang_c(agents, load) == pytest.approx(published, abs=5e-5)
    assert service_level(13, load, 180, 20) < 0.8 < service_level(14, load, 180, 20)
    assert service_level(14, load, 180, 20) == pytest.approx(0.888, abs=1e-3)
    assert crews_needed(100 / 1800, 180, 20, 0.8, 1.0) == 14


def test_erlang_b_table_values() -> None:
    """Erlang B tables (e.g. Kleinrock, Queueing Systems I, and every traffic table): 10 lines
    carry 4.46 erlangs at 1 % blocking; B(10 lines, 5 erlangs) = 1.84 %."""
    assert erlang_b(10, 4.461) == pytest.approx(0.01, abs=2e-5)
    assert erlang_b(10, 5.0) == pytest.approx(0.01838, abs=1e-5)


def test_mm1_and_mm2_closed_forms() -> None:
    """Gross & Harris, Fundamentals of Queueing Theory (M/M/1 and M/M/c, c = 2): P(wait) = ρ for
    one server and 2ρ²/(1 + ρ) for two; P(wait > t) = ρ·e^{-(μ-λ)t} for M/M/1."""
    for rho in (0.1, 0.5, 0.9):
        assert erlang_c(1, rho) == pytest.approx(rho)
        assert erlang_c(2, 2 * rho) == pytest.approx(2 * rho**2 / (1 + rho))
    # M/M/1 with λ = 0.5/min and μ = 1/min: P(wait > 2 min) = 0.5·e^{-1}.
    assert wait_exceeds(1, 0.5, 1.0, 2.0) == pytest.approx(0.5 * math.exp(-1.0))


def test_large_loads_stay_finite() -> None:
    """The recursion never forms a^c / c!: 1,000 servers at 950 erlangs give a probability."""
    p = erlang_c(1000, 950.0)
    assert 0 < p < 1
    assert math.isfinite(p)


def test_unstable_and_empty_queues() -> None:
    """No more servers than erlangs: everyone waits; no load: nobody waits and no crew is needed."""
    assert erlang_c(3, 3.0) == 1.0
    assert wait_exceeds(2, 5.0, 30, 5) == 1.0
    assert erlang_c(3, 0.0) == 0.0
    assert crews_needed(0.0, 40, 5, 0.9, 0.6) == 0


def test_occupancy_cap_binds_when_the_target_is_loose() -> None:
    """With an hour-long target the waiting rule is easy; the 60 % occupancy cap sets the crews."""
    rate, handling = 6 / 60, 60.0  # 6 an hour, an hour each: 6 erlangs
    assert crews_needed(rate, handling, 600, 0.5, 0.6) == 10
    assert crews_needed(rate, handling, 600, 0.5, 1.0) == 7


def test_bad_parameters_are_refused() -> None:
    """A service level outside (0, 1), a cap outside (0, 1] or a negative rate is a ValueError."""
    for kwargs in ({"level": 1.0}, {"level": 0.0}, {"max_occupancy": 0.0}, {"rate": -1.0}):
        args = {"rate": 0.1, "handling": 30.0, "target": 5.0, "level": 0.9, "max_occupancy": 0.6} | kwargs
        with pytest.raises(ValueError):
            crews_needed(**args)
