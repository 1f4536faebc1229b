"""The kinds of station a generated district has (headcount, area, skills, posts) and the sizes."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from allocate.generate.catalogue import (
    BUSY_WEEKEND,
    COMMUTER_WEEK,
    FLAT,
    FRI_SAT_NIGHTS,
    LEISURE_WEEK,
    OFFICE_WEEK,
    PostPattern,
)

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence


def _response(weight: float, night: bool = True, minimum: Mapping[str, int] | None = None) -> PostPattern:
    """110 response: an evening peak, busier Friday/Saturday nights, always one crew ready."""
    shifts = {"day": 1.0, "evening": 1.5} | ({"night": 0.8} if night else {})
    ready = {"day": 1, "evening": 1, "night": 1} if minimum is None else minimum
    return PostPattern("response_110", weight, shifts, BUSY_WEEKEND, 1.6, ready)


def _patrol(weight: float, night: bool = True) -> PostPattern:
    shifts = {"day": 0.8, "evening": 1.4} | ({"night": 1.0} if night else {})
    return PostPattern("patrol", weight, shifts, BUSY_WEEKEND, 1.6)


def _casework(weight: float, evening: bool = True, ready: bool = False) -> PostPattern:
    """Case work is office-hours work; a `ready` station keeps an investigating pair every day."""
    shifts = {"day": 1.0} | ({"evening": 0.35} if evening else {})
    return PostPattern("case_handling", weight, shifts, OFFICE_WEEK, minimum={"day": 1} if ready else {})


def _questioning(weight: float) -> PostPattern:
    return PostPattern("questioning", weight, {"day": 0.5, "evening": 0.5, "night": 0.25})


def _intake(weight: float, evening: bool = True, ready: bool = False) -> PostPattern:
    """Walk-in intake peaks in office hours; a `ready` station keeps the front desk open daily."""
    shifts = {"day": 1.0} | ({"evening": 0.6} if evening else {})
    return PostPattern("intake", weight, shifts, OFFICE_WEEK, minimum={"day": 1} if ready else {})


def _mediation(weight: float, evening: bool = True) -> PostPattern:
    return PostPattern(
        "mediation", weight, {"day": 1.0} | ({"evening": 1.0} if evening else {}), LEISURE_WEEK
    )


def _traffic(weight: float, evening: bool = True) -> PostPattern:
    return PostPattern(
        "traffic_post", weight, {"day": 1.0} | ({"evening": 0.8} if evening else {}), COMMUTER_WEEK
    )


def _detention(day: int, evening: int, night: int) -> PostPattern:
    """A detention room is watched round the clock by a fixed crew."""
    return PostPattern("detention_watch", 1, {"day": day, "evening": evening, "night": night}, fixed=True)


def _duty_desk(weekdays: Sequence[float] = FLAT) -> PostPattern:
    """One officer holds the desk for 24 hours, then rests 24 hours: the township pattern."""
    return PostPattern("duty_desk", 1, {"duty24": 1}, weekdays, fixed=True)


CHECKPOINT_CELLS = ((4, "evening"), (5, "night"), (5, "evening"), (6, "night"))
"""Friday and Saturday evenings and nights: the drink-driving checkpoints of a city centre."""


def checkpoints(crews: int) -> PostPattern:
    """Fixed crews at the checkpoints of a city centre on Friday and Saturday evenings and nights."""
    return PostPattern("traffic_post", crews, {"evening": 1, "night": 1}, fixed=True, cells=CHECKPOINT_CELLS)


HIGHWAY = PostPattern("night_highway", 1, {"night": 1}, FRI_SAT_NIGHTS, fixed=True)


@dataclass(frozen=True)
class StationKind:
    """A type of station: headcount ranges, the area it serves, its skills and its posts."""

    kind: str
    label: str
    sworn: tuple[int, int]
    aux: tuple[int, int]
    population: tuple[int, int]
    area_km2: tuple[float, float]
    skills: Mapping[str, float]
    posts: tuple[PostPattern, ...]
    checkpoints: bool = False
    """Weekend-night drink-driving checkpoints sized just above the traffic-trained people."""


# One row a kind, side by side; the last two are the stations of the "tiny" size: small enough to
# solve in a blink, yet with a skilled task and a weekend 24-hour desk so that every rule family
# has something to bite.
# fmt: off
_HEADCOUNT_AND_AREA = {  # label, sworn, auxiliaries, population, area in km²
    "core":           ("Core Station",     (95, 105), (115, 125), (150_000, 210_000), (6.0, 14.0)),
    "urban":          ("Station",          (30, 40),  (40, 60),   (70_000, 120_000),  (12.0, 30.0)),
    "suburban":       ("Station",          (15, 25),  (20, 35),   (40_000, 80_000),   (60.0, 180.0)),
    "township":       ("Township Station", (10, 15),  (15, 20),   (15_000, 40_000),   (150.0, 450.0)),
    "small_urban":    ("Station",          (6, 7),    (8, 9),     (30_000, 50_000),   (8.0, 20.0)),
    "small_township": ("Township Station", (6, 7),    (8, 9),     (10_000, 20_000),   (120.0, 300.0)),
}
_SKILLS = {  # the share of officers who hold each skill (of auxiliaries: 0.8 times that)
    "core": {"traffic": 0.25, "detention": 0.15, "driving": 0.6},
    "urban": {"traffic": 0.25, "detention": 0.2, "driving": 0.6},
    "suburban": {"traffic": 0.35, "driving": 0.7},
    "township": {"traffic": 0.15, "driving": 0.8},
    "small_urban": {"traffic": 0.5, "driving": 0.6},
    "small_township": {"traffic": 0.2, "driving": 0.8},
}
_POSTS = {
    "core": (
        _response(1.0), _patrol(1.1), _casework(0.8, ready=True), _questioning(0.3),
        _intake(0.6, ready=True), _mediation(0.4), _traffic(0.5), _detention(2, 2, 1),
    ),
    "urban": (
        _response(1.0), _patrol(1.0), _casework(0.7, ready=True), _questioning(0.25),
        _intake(0.5, ready=True), _mediation(0.4), _traffic(0.4), _detention(1, 1, 1),
    ),
    "suburban": (
        _response(1.0), _patrol(0.9), _casework(0.6, ready=True), _questioning(0.2), _intake(0.4),
        _mediation(0.5), _traffic(0.3), HIGHWAY,
    ),
    "township": (
        _duty_desk(), _response(1.0, night=False, minimum={"evening": 1}), _patrol(0.8, night=False),
        _casework(0.6, evening=False), _intake(0.3, evening=False), _mediation(0.5, evening=False),
    ),
    "small_urban": (
        _response(1.0, night=False, minimum={"evening": 1}), _patrol(0.8, night=False),
        _casework(0.5, evening=False), _traffic(0.3, evening=False), _mediation(0.4, evening=False),
    ),
    "small_township": (
        _duty_desk((0, 0, 0, 0, 0, 1, 1)), _response(1.0, night=False, minimum={"evening": 1}),
        _patrol(0.8, night=False), _casework(0.5, evening=False), _mediation(0.4, evening=False),
    ),
}
# fmt: on
KINDS: dict[str, StationKind] = {
    kind: StationKind(kind, *row, _SKILLS[kind], _POSTS[kind], checkpoints=kind == "core")
    for kind, row in _HEADCOUNT_AND_AREA.items()
}


@dataclass(frozen=True)
class SizeSpec:
    """How many stations of each kind, over how many districts, and a headcount multiplier."""

    kinds: Mapping[str, int]
    districts: int
    headcount_scale: float = 1.0


SIZE_SPECS: dict[str, SizeSpec] = {
    "tiny": SizeSpec({"small_urban": 1, "small_township": 1}, 1),
    "demo": SizeSpec({"core": 1, "urban": 3, "suburban": 2, "township": 2}, 1),
    # The demo's mix at 25x, with city stations ~1.5x the size of county ones: ~24,000 people.
    "city": SizeSpec({"core": 25, "urban": 75, "suburban": 50, "township": 50}, 12, 1.53),
    # A city without core stations, ~2.2x county headcounts: 200 stations of 55 to 220 people and
    # ~25,000 in all, the shape of the city the rostering goals were first measured on (stations
    # of 30 to 235 people). Its shortages are not designed in: they are the draw's.
    "region": SizeSpec({"urban": 75, "suburban": 75, "township": 50}, 12, 2.2),
}
