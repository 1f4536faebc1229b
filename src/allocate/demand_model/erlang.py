"""Erlang B and C (the M/M/c queue) for reactive police work, numerically stable.

Crews are the servers, incidents the arrivals, the handling time the service time. The offered
load ``a = λ·h`` (arrivals per hour times hours per incident) is in erlangs: the mean number of
crews busy. Erlang B is computed by its recursion ``B(k) = a·B(k-1) / (k + a·B(k-1))``, which
never forms ``a^c / c!`` and so stays exact for loads in the hundreds where the textbook formula
overflows. Erlang C follows from B: ``C = c·B / (c - a·(1 - B))``.

pyworkforce (0.5.1, last released 2023) has the same formulas but refuses an hour without
arrivals, pulls in joblib and works one interval object at a time; these forty lines are all the
demand derivation needs, so we keep them here (see README, "Demand from incidents").
"""

from __future__ import annotations

import math


def erlang_b(servers: int, load: float) -> float:
    """Blocking probability of an M/M/c/c system (Erlang's loss formula)."""
    if servers < 0 or load < 0:
        raise ValueError("servers and load must be non-negative")
    b = 1.0
    for k in range(1, servers + 1):
        b = load * b / (k + load * b)
    return b


def erlang_c(servers: int, load: float) -> float:
    """Probability that an arrival waits (all crews busy) in an M/M/c queue; 1 when unstable."""
    if load <= 0:
        return 0.0
    if servers <= load:
        return 1.0
    b = erlang_b(servers, load)
    return servers * b / (servers - load * (1.0 - b))


def wait_exceeds(servers: int, load: float, handling: float, target: float) -> float:
    """P(wait > target): ``C(c, a) · exp(-(c - a) · target / handling)``; same time unit for both."""
    if load <= 0:
        return 0.0
    if servers <= load:
        return 1.0
    return erlang_c(servers, load) * math.exp(-(servers - load) * target / handling)


def service_level(servers: int, load: float, handling: float, target: float) -> float:
    """Share of arrivals answered within `target`: ``1 - P(wait > target)``."""
    return 1.0 - wait_exceeds(servers, load, handling, target)


def crews_needed(rate: float, handling: float, target: float, level: float, max_occupancy: float) -> int:
    """The fewest crews with P(wait > target) ≤ 1 - level and occupancy ``a / c`` ≤ max_occupancy.

    `rate` is arrivals per unit time and `handling` the mean handling time in the same unit as
    `target`'s (minutes per incident with rate per minute, or hours with per hour). No arrivals
    need no crews. The answer is monotone: more arrivals, longer handling, a shorter target, a
    higher level or a lower occupancy cap never give fewer crews.
    """
    if not (0 < level < 1):
        raise ValueError("level must lie strictly between 0 and 1")
    if not (0 < max_occupancy <= 1):
        raise ValueError("max_occupancy must lie in (0, 1]")
    if rate < 0 or handling < 0 or target < 0:
        raise ValueError("rate, handling and target must be non-negative")
    load = rate * handling
    if load <= 0:
        return 0
    c = max(math.floor(load) + 1, math.ceil(load / max_occupancy - 1e-12))
    while wait_exceeds(c, load, handling, target) > 1.0 - level + 1e-12:
        c += 1
    return c
