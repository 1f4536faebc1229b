"""Seeded datasets in the data contract: a fictional district (or city) of police stations.

Tests, the demo, the notebooks and the benchmarks all need data of a known shape at several
sizes, so it is generated rather than drawn by hand: ``generate("demo", seed=1, out)`` writes the
CSV tables of the data contract, byte-identical for the same size and seed.

The data is built in the order a real station is: people first, then the work they can carry.
Headcount, roles, skills and fitness are drawn; the week's absences follow; the weekly demand is
then *computed from the people who can actually serve*, so that every size is consistent: sworn-only
slots stay well below sworn capacity and all slots come to roughly 85% of everyone's contract hours
(the evening peak and the Friday/Saturday nights are the tight spots, as on a real roster). One
shortage is designed in: the core station's weekend drink-driving checkpoints ask for slightly more
traffic-trained people than it has, so a solved demo shows a few uncovered crews for the report
and the sizing analysis to explain. An incident log of the weeks before the roster week
(:mod:`allocate.generate_incidents`, its own random stream) feeds `allocate demand`.
"""

from __future__ import annotations

import csv
import datetime as dt
import heapq
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from allocate.contract import TABLE_COLUMNS
from allocate.crews import parse_crews
from allocate.domain import WEEKDAYS, CrewPattern
from allocate.generate_incidents import TASK_INCIDENT_TYPES, incident_log, write_incidents
from allocate.generate_incidents import WEEKS as INCIDENT_WEEKS
from allocate.outfolder import check_out
from allocate.output import atomic_folder

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

SIZES = ("tiny", "demo", "city")

DEFAULT_START = dt.date(2026, 12, 7)
"""A fixed Monday, so that no generated file depends on the day it was generated."""

HOURS_PER_WEEK = 40
SHIFTS_PER_WEEK = 5
"""A person's contract week in standard 8-hour shifts: the unit of capacity below."""

TARGET_SWORN_ONLY = 0.65
"""Share of sworn capacity that S slots may take: the rest lets officers fill A slots at peaks."""
TARGET_FIELD = 0.85
"""Share of sworn + service-auxiliary capacity that all field slots may take."""
TARGET_SUPPORT = 0.85
"""Share of support-only capacity (civilians, lapsed auxiliaries) that support posts take."""
TARGET_SKILL_SWORN = 0.6
TARGET_SKILL_ALL = 0.7
"""Skilled posts take at most these shares of the skilled people's capacity."""


# --------------------------------------------------------------------------- fixed catalogues


@dataclass(frozen=True)
class ShiftSpec:
    shift_id: str
    start: str
    hours: int
    rest_after: int | None = None


SHIFTS: tuple[ShiftSpec, ...] = (
    ShiftSpec("day", "08:00", 8),
    ShiftSpec("evening", "16:00", 8),
    ShiftSpec("night", "00:00", 8),
    ShiftSpec("office", "09:00", 8),
    ShiftSpec("duty24", "08:00", 24, rest_after=24),
)
SHIFT_IDS = tuple(s.shift_id for s in SHIFTS)
SHIFT_HOURS = np.array([s.hours for s in SHIFTS], dtype=float)
_S = {sid: i for i, sid in enumerate(SHIFT_IDS)}


@dataclass(frozen=True)
class TaskSpec:
    task_id: str
    name: str
    duty_class: str
    crews: str
    skill: str = ""
    priority: int = 3

    @property
    def incident_types(self) -> str:
        """The incident types this task answers (tasks.csv `incident_types`), from the log's catalogue."""
        return TASK_INCIDENT_TYPES.get(self.task_id, "")


TASKS: tuple[TaskSpec, ...] = (
    TaskSpec("response_110", "110 emergency response", "led", "1S+2A|2S", priority=5),
    TaskSpec("case_handling", "Case handling and investigation", "police_only", "2S", priority=5),
    TaskSpec("questioning", "Questioning of suspects", "police_only", "2S", priority=4),
    TaskSpec("duty_desk", "24-hour duty desk", "police_only", "1S", priority=4),
    TaskSpec("detention_watch", "Detention-room watch", "led", "1S+1A", "detention", 4),
    TaskSpec("night_highway", "Night highway patrol", "led", "3S|2S+2A", "traffic", 4),
    TaskSpec("traffic_post", "Traffic post", "led", "2S|1S+2A", "traffic", 3),
    TaskSpec("intake", "Intake, mediation and information collection", "led", "1S+2A", priority=3),
    TaskSpec("patrol", "Street patrol", "independent", "2A|1S+1A", priority=3),
    TaskSpec("mediation", "Dispute mediation", "independent", "2A|1S+1A", priority=2),
    TaskSpec("window", "Reception window and household registration", "support", "1A", priority=2),
    TaskSpec("call_taking", "Call-taking and data entry", "support", "1A", priority=1),
)
TASK_BY_ID = {t.task_id: t for t in TASKS}
SUPPORT_SPLIT = (("window", 0.4), ("call_taking", 0.6))
"""How a station's support posts divide between the two support tasks."""

SAT, SUN = 5, 6
FLAT = (1.0,) * 7
BUSY_WEEKEND = (1.0, 1.0, 1.0, 1.0, 1.1, 1.15, 1.0)
OFFICE_WEEK = (1.0, 1.0, 1.0, 1.0, 1.0, 0.5, 0.4)
COMMUTER_WEEK = (1.0, 1.0, 1.0, 1.0, 1.0, 0.6, 0.5)
LEISURE_WEEK = (1.0, 1.0, 1.0, 1.0, 1.0, 1.2, 1.2)
FRI_SAT_NIGHTS = (0.0, 0.0, 0.0, 0.0, 0.0, 1.0, 1.0)
"""The `night` shift starts at 00:00, so "Friday night" is the night shift dated Saturday."""


@dataclass(frozen=True)
class PostPattern:
    """How one task's demand spreads over a station's week.

    Its shape on weekday w and shift s is ``weight * shifts[s] * weekdays[w]`` (times
    `fri_sat_night` on the night shifts of Friday and Saturday night). A station's crews are
    apportioned in proportion to the shapes of all its posts, as far as its people allow (see
    `_station_demand`), with at least `minimum[s]` (readiness posts that exist whatever the
    headcount). A `fixed` post takes the rounded shape itself as its crews. Non-empty `cells`
    (weekday index, shift id) keep the post to those cells only.
    """

    task_id: str
    weight: float
    shifts: Mapping[str, float]
    weekdays: Sequence[float] = FLAT
    fri_sat_night: float = 1.0
    minimum: Mapping[str, int] = field(default_factory=dict)
    fixed: bool = False
    cells: tuple[tuple[int, str], ...] = ()

    def shape(self) -> np.ndarray:
        """The (7 weekdays x shifts) matrix of relative intensity."""
        shift_vec = np.zeros(len(SHIFTS))
        for sid, factor in self.shifts.items():
            shift_vec[_S[sid]] = factor
        out = np.outer(np.asarray(self.weekdays, dtype=float), shift_vec) * self.weight
        out[[SAT, SUN], _S["night"]] *= self.fri_sat_night
        if self.cells:
            keep = np.zeros_like(out, dtype=bool)
            for w, sid in self.cells:
                keep[w, _S[sid]] = True
            out = np.where(keep, out, 0.0)
        return out

    def floor(self) -> np.ndarray:
        out = np.zeros((7, len(SHIFTS)))
        for sid, count in self.minimum.items():
            out[:, _S[sid]] = count
        return np.where(self.shape() > 0, out, 0)


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


def _checkpoints(crews: int) -> PostPattern:
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


KINDS: dict[str, StationKind] = {
    k.kind: k
    for k in (
        StationKind(
            kind="core",
            label="Core Station",
            sworn=(95, 105),
            aux=(115, 125),
            population=(150_000, 210_000),
            area_km2=(6.0, 14.0),
            skills={"traffic": 0.25, "detention": 0.15, "driving": 0.6},
            posts=(
                _response(1.0),
                _patrol(1.1),
                _casework(0.8, ready=True),
                _questioning(0.3),
                _intake(0.6, ready=True),
                _mediation(0.4),
                _traffic(0.5),
                _detention(2, 2, 1),
            ),
            checkpoints=True,
        ),
        StationKind(
            kind="urban",
            label="Station",
            sworn=(30, 40),
            aux=(40, 60),
            population=(70_000, 120_000),
            area_km2=(12.0, 30.0),
            skills={"traffic": 0.25, "detention": 0.2, "driving": 0.6},
            posts=(
                _response(1.0),
                _patrol(1.0),
                _casework(0.7, ready=True),
                _questioning(0.25),
                _intake(0.5, ready=True),
                _mediation(0.4),
                _traffic(0.4),
                _detention(1, 1, 1),
            ),
        ),
        StationKind(
            kind="suburban",
            label="Station",
            sworn=(15, 25),
            aux=(20, 35),
            population=(40_000, 80_000),
            area_km2=(60.0, 180.0),
            skills={"traffic": 0.35, "driving": 0.7},
            posts=(
                _response(1.0),
                _patrol(0.9),
                _casework(0.6, ready=True),
                _questioning(0.2),
                _intake(0.4),
                _mediation(0.5),
                _traffic(0.3),
                HIGHWAY,
            ),
        ),
        StationKind(
            kind="township",
            label="Township Station",
            sworn=(10, 15),
            aux=(15, 20),
            population=(15_000, 40_000),
            area_km2=(150.0, 450.0),
            skills={"traffic": 0.15, "driving": 0.8},
            posts=(
                _duty_desk(),
                _response(1.0, night=False, minimum={"evening": 1}),
                _patrol(0.8, night=False),
                _casework(0.6, evening=False),
                _intake(0.3, evening=False),
                _mediation(0.5, evening=False),
            ),
        ),
        # The two stations of the "tiny" size: small enough to solve in a blink, yet with a
        # skilled task and a weekend 24-hour desk so that every rule family has something to bite.
        StationKind(
            kind="small_urban",
            label="Station",
            sworn=(6, 7),
            aux=(8, 9),
            population=(30_000, 50_000),
            area_km2=(8.0, 20.0),
            skills={"traffic": 0.5, "driving": 0.6},
            posts=(
                _response(1.0, night=False, minimum={"evening": 1}),
                _patrol(0.8, night=False),
                _casework(0.5, evening=False),
                _traffic(0.3, evening=False),
                _mediation(0.4, evening=False),
            ),
        ),
        StationKind(
            kind="small_township",
            label="Township Station",
            sworn=(6, 7),
            aux=(8, 9),
            population=(10_000, 20_000),
            area_km2=(120.0, 300.0),
            skills={"traffic": 0.2, "driving": 0.8},
            posts=(
                _duty_desk((0, 0, 0, 0, 0, 1, 1)),
                _response(1.0, night=False, minimum={"evening": 1}),
                _patrol(0.8, night=False),
                _casework(0.5, evening=False),
                _mediation(0.4, evening=False),
            ),
        ),
    )
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
}

# fmt: off
PLACES = (
    "Riverside", "Harbour Gate", "Old Town", "East Market", "Northfield", "Westbrook", "Lakeview",
    "Hillcrest", "Maple Ridge", "Stonebridge", "Greenvale", "Pine Hollow", "Cedar Bay", "Kingsway",
    "Millbrook", "Fairview", "Ashford", "Brookside", "Elmwood", "Oakridge", "Silver Lake",
    "Willow Creek", "Redcliff", "Bellhaven", "Foxley", "Granary Row", "Copper Hill", "Thornbury",
    "Mistral Bay", "Larkspur", "Highgate", "Saltmarsh", "Clearwater", "Orchard Vale", "Ironside",
    "Beacon Point", "Rosemead", "Falconer", "Juniper Flats", "Kestrel Downs",
)
PLACE_PREFIXES = ("North", "South", "East", "West", "Upper", "Lower", "New", "Old")
SURNAMES = (
    "Wang", "Li", "Zhang", "Liu", "Chen", "Yang", "Huang", "Zhao", "Wu", "Zhou", "Xu", "Sun", "Ma",
    "Zhu", "Hu", "Guo", "He", "Lin", "Gao", "Luo", "Zheng", "Liang", "Xie", "Song", "Tang", "Han",
    "Feng", "Deng", "Cao", "Peng", "Zeng", "Xiao", "Tian", "Dong", "Pan", "Yuan", "Cai", "Jiang",
)
GIVEN_NAMES = (
    "Wei", "Fang", "Na", "Min", "Jing", "Li", "Qiang", "Lei", "Jun", "Yang", "Yong", "Yan", "Jie",
    "Tao", "Ming", "Chao", "Xiu", "Xia", "Ping", "Gang", "Hui", "Hao", "Bin", "Peng", "Dan", "Rui",
    "Jianguo", "Xiaoming", "Haiyan", "Zhiqiang", "Lina", "Wenjie", "Yuting", "Jiahui", "Zihan",
    "Hongmei", "Guoqing", "Xinyi", "Shufen", "Junjie", "Yifan", "Chenxi",
)
# fmt: on
SWORN_GRADES = (
    ("Officer 2", 0.12),
    ("Officer 1", 0.22),
    ("Sergeant 3", 0.2),
    ("Sergeant 2", 0.16),
    ("Sergeant 1", 0.12),
    ("Inspector 3", 0.1),
    ("Inspector 2", 0.06),
    ("Inspector 1", 0.02),
)
AUX_GRADES = (("Level 1", 0.3), ("Level 2", 0.3), ("Level 3", 0.2), ("Level 4", 0.13), ("Level 5", 0.07))
ABSENCE_KINDS = (("leave", 0.5, (2, 7)), ("sick", 0.3, (1, 3)), ("training", 0.2, (1, 3)))


# --------------------------------------------------------------------------- generated records


@dataclass
class StationRec:
    station_id: str
    name: str
    district: str
    kind: StationKind
    population: int
    area_km2: float
    aux_quota: int = 0


@dataclass
class PersonRec:
    person_id: str
    name: str
    station_id: str
    role: str
    grade: str
    skills: set[str] = field(default_factory=set)
    pre_job_trained: bool = True
    training_valid_until: dt.date | None = None
    disqualified: bool = False
    days_absent: int = 0

    def field_fit(self, start: dt.date) -> bool:
        """May fill S/A slots of field posts all week (rule 5)."""
        if self.disqualified:
            return False
        if self.role == "sworn":
            return True
        return (
            self.role == "aux_service"
            and self.pre_job_trained
            and self.training_valid_until is not None
            and self.training_valid_until >= start + dt.timedelta(days=6)
        )

    def support_fit(self, start: dt.date) -> bool:
        """May fill support posts only: civilians and auxiliaries whose training has lapsed."""
        return (
            self.role != "sworn"
            and not self.disqualified
            and self.pre_job_trained
            and not self.field_fit(start)
        )

    @property
    def capacity_shifts(self) -> int:
        """Standard shifts this person can work in the week, after absences."""
        return min(SHIFTS_PER_WEEK, 7 - self.days_absent)


# --------------------------------------------------------------------------- public API


def generate(
    size: str = "demo",
    seed: int = 1,
    out: Path | str | None = None,
    start: dt.date | None = None,
    *,
    force: bool = False,
) -> Path:
    """Write a seeded dataset of the given size into folder `out` and return its path.

    `out` defaults to ``data/<size>``. Same `size` and `seed` give byte-identical files; `start`
    (default the Monday 2026-12-07) only dates the week of absences, requests and training
    validity: the weekly demand is in the `weekday` form and fits any horizon.

    The folder is written atomically with allocate's marker (size, seed and start only, so the
    bytes stay the same); an existing folder is replaced only if it is empty or holds that
    marker, or with `force` (:func:`allocate.outfolder.check_out`).
    """
    if size not in SIZE_SPECS:
        raise ValueError(f"unknown size {size!r}: expected one of {', '.join(SIZES)}")
    start = DEFAULT_START if start is None else start
    folder = Path("data") / size if out is None else Path(out)
    check_out(folder, force=force, option="OUT")  # before the (city: seconds of) drawing
    rng = np.random.default_rng(seed)
    spec = SIZE_SPECS[size]

    stations = _stations(rng, spec)
    staff = _staff(rng, stations, spec.headcount_scale)
    _fitness(rng, staff, start)
    _skills(rng, stations, staff, start)
    for st in stations:
        aux = sum(p.role != "sworn" for p in staff if p.station_id == st.station_id)
        st.aux_quota = aux + (int(rng.integers(1, max(2, aux // 8) + 1)) if rng.random() < 0.5 else 0)
    absences = _absences(rng, staff, start)
    demand = _demand(stations, staff, start)
    requests = _requests(rng, staff, absences, stations, start)
    log, events = incident_log(
        [(s.station_id, s.population, round(s.area_km2, 1)) for s in stations],
        seed,
        start,
        INCIDENT_WEEKS[size],
    )

    def write(folder: Path) -> None:
        _write(
            folder / "stations.csv",
            TABLE_COLUMNS["stations"],
            [
                (s.station_id, s.name, s.district, s.population, f"{s.area_km2:.1f}", s.aux_quota)
                for s in stations
            ],
        )
        _write(
            folder / "shifts.csv",
            TABLE_COLUMNS["shifts"],
            [(s.shift_id, s.start, s.hours, "" if s.rest_after is None else s.rest_after) for s in SHIFTS],
        )
        _write(
            folder / "tasks.csv",
            (*TABLE_COLUMNS["tasks"], "incident_types"),
            [
                (t.task_id, t.name, t.duty_class, t.crews, t.skill, t.priority, t.incident_types)
                for t in TASKS
            ],
        )
        _write(
            folder / "staff.csv",
            TABLE_COLUMNS["staff"],
            [
                (
                    p.person_id,
                    p.name,
                    p.station_id,
                    p.role,
                    p.grade,
                    ";".join(sorted(p.skills)),
                    HOURS_PER_WEEK,
                    _bool(p.pre_job_trained),
                    p.training_valid_until.isoformat() if p.training_valid_until else "",
                    _bool(p.disqualified),
                )
                for p in staff
            ],
        )
        _write(folder / "demand.csv", ("station_id", "weekday", "shift_id", "task_id", "crews"), demand)
        _write(folder / "absences.csv", TABLE_COLUMNS["absences"], absences)
        _write(folder / "requests.csv", TABLE_COLUMNS["requests"], requests)
        write_incidents(folder, log, events)

    marker = {"command": "generate", "size": size, "seed": seed, "start": start.isoformat()}
    return atomic_folder(folder, write, force=force, marker=marker)


# --------------------------------------------------------------------------- stations and people


def _stations(rng: np.random.Generator, spec: SizeSpec) -> list[StationRec]:
    """Stations in district order, each district holding a share of every kind."""
    kinds = [kind for kind, n in spec.kinds.items() for _ in range(n)]
    names = _place_names(rng, len(kinds))
    # Deal each kind round-robin over the districts, starting at a random district, so that
    # every district gets the same mix (a core station, urban ones, ...) give or take one.
    districts: list[int] = []
    offset = 0
    for n in spec.kinds.values():
        districts += [(offset + i) % spec.districts for i in range(n)]
        offset = (offset + n) % spec.districts
    order = sorted(range(len(kinds)), key=lambda i: (districts[i], i))
    width = 2 if len(kinds) < 100 else 3
    out = []
    for number, i in enumerate(order, start=1):
        kind = KINDS[kinds[i]]
        population = int(rng.integers(*kind.population)) // 100 * 100
        area = float(rng.uniform(*kind.area_km2))
        out.append(
            StationRec(
                f"S{number:0{width}d}",
                f"{names[i]} {kind.label}",
                f"D{districts[i] + 1:02d}",
                kind,
                population,
                area,
            )
        )
    return out


def _place_names(rng: np.random.Generator, n: int) -> list[str]:
    """`n` distinct fictional place names: the plain ones first, then prefixed variants."""
    plain = [PLACES[i] for i in rng.permutation(len(PLACES))]
    variants = [f"{p} {q}" for p in PLACE_PREFIXES for q in PLACES]
    variants = [variants[i] for i in rng.permutation(len(variants))]
    pool = plain + variants
    if n > len(pool):
        pool += [f"Precinct {i}" for i in range(n - len(pool))]
    return pool[:n]


def _staff(rng: np.random.Generator, stations: list[StationRec], scale: float) -> list[PersonRec]:
    """Sworn officers, service auxiliaries and civilian auxiliaries (25-35% of auxiliaries)."""
    out: list[PersonRec] = []
    sworn_grades, sworn_p = zip(*SWORN_GRADES, strict=True)
    aux_grades, aux_p = zip(*AUX_GRADES, strict=True)
    for st in stations:
        n_sworn = round(int(rng.integers(st.kind.sworn[0], st.kind.sworn[1] + 1)) * scale)
        n_aux = round(int(rng.integers(st.kind.aux[0], st.kind.aux[1] + 1)) * scale)
        n_civ = round(n_aux * float(rng.uniform(0.25, 0.35)))
        roles = ["sworn"] * n_sworn + ["aux_service"] * (n_aux - n_civ) + ["aux_civilian"] * n_civ
        surnames = rng.integers(len(SURNAMES), size=len(roles))
        given = rng.integers(len(GIVEN_NAMES), size=len(roles))
        grades_s = rng.choice(len(sworn_grades), size=len(roles), p=np.array(sworn_p) / sum(sworn_p))
        grades_a = rng.choice(len(aux_grades), size=len(roles), p=np.array(aux_p) / sum(aux_p))
        for k, role in enumerate(roles):
            grade = sworn_grades[grades_s[k]] if role == "sworn" else aux_grades[grades_a[k]]
            out.append(
                PersonRec(
                    f"{st.station_id}-P{k + 1:04d}",
                    f"{SURNAMES[surnames[k]]} {GIVEN_NAMES[given[k]]}",
                    st.station_id,
                    role,
                    grade,
                )
            )
    return out


def _fitness(rng: np.random.Generator, staff: list[PersonRec], start: dt.date) -> None:
    """Training dates, and the few auxiliaries that rule 5 keeps off the roster or on support only.

    Counts are fixed shares of the dataset's auxiliaries (at least one each), so even the tiny
    size exercises every fitness rule.
    """
    valid_days = rng.integers(60, 730, size=len(staff))
    for p, days in zip(staff, valid_days, strict=True):
        p.training_valid_until = start + dt.timedelta(days=int(days))
    aux = [i for i, p in enumerate(staff) if p.role != "sworn"]
    service = [i for i in aux if staff[i].role == "aux_service"]
    n_untrained = max(1, round(0.015 * len(aux)))
    n_disqualified = max(1, round(0.008 * len(aux)))
    n_lapsed = max(1, round(0.03 * len(service)))
    picked = [int(i) for i in rng.choice(aux, size=n_untrained + n_disqualified, replace=False)]
    for i in picked[:n_untrained]:
        staff[i].pre_job_trained = False
        staff[i].training_valid_until = None
    for i in picked[n_untrained:]:
        staff[i].disqualified = True
    taken = set(picked)
    candidates = [i for i in service if i not in taken]
    for i in rng.choice(candidates, size=min(n_lapsed, len(candidates)), replace=False):
        staff[int(i)].training_valid_until = start - dt.timedelta(days=int(rng.integers(1, 180)))


def _skills(
    rng: np.random.Generator, stations: list[StationRec], staff: list[PersonRec], start: dt.date
) -> None:
    """Skills by the station kind's shares, topped up so that skilled fixed posts can be staffed.

    A skilled task needs the skill in every member of its crew (rule 5), so a detention room
    watched round the clock needs enough detention-trained officers *and* auxiliaries.
    """
    by_station: dict[str, list[PersonRec]] = {}
    for p in staff:
        by_station.setdefault(p.station_id, []).append(p)
    for st in stations:
        people = by_station.get(st.station_id, [])
        needs = _fixed_skill_needs(st.kind)
        for role in ("sworn", "aux_service"):
            group = [p for p in people if p.role == role]
            draws = rng.random((len(group), len(st.kind.skills)))
            for j, (skill, share) in enumerate(sorted(st.kind.skills.items())):
                share = share if role == "sworn" else share * 0.8
                for p, u in zip(group, draws[:, j], strict=True):
                    if u < share:
                        p.skills.add(skill)
                need = needs.get((skill, role), 0)
                fit = [p for p in group if p.field_fit(start)]
                have = sum(skill in p.skills for p in fit)
                if need > have:
                    lacking = [p for p in fit if skill not in p.skills]
                    extra = rng.choice(len(lacking), size=min(need - have, len(lacking)), replace=False)
                    for k in sorted(int(i) for i in extra):
                        lacking[k].skills.add(skill)


def _fixed_skill_needs(kind: StationKind) -> dict[tuple[str, str], int]:
    """Skilled people a kind's fixed posts need within the skill targets, plus one for absences."""
    needs: dict[tuple[str, str], int] = {}
    for post in kind.posts:
        task = TASK_BY_ID[post.task_id]
        if not (post.fixed and task.skill):
            continue
        crews = float(np.rint(post.shape()).sum())
        pattern = _preferred(task.crews)
        for role, slots in (("sworn", _min_sworn(task.crews)), ("aux_service", pattern.aux)):
            if slots:
                per_person = SHIFTS_PER_WEEK * TARGET_SKILL_SWORN
                needs[(task.skill, role)] = math.ceil(crews * slots / per_person) + 1
    return needs


def _absences(
    rng: np.random.Generator, staff: list[PersonRec], start: dt.date
) -> list[tuple[str, str, str, str]]:
    """About 4% of people away for part of the week: leave, sick or training.

    A few absences began before `start`, so that loaders and models see them clipped.
    """
    n = max(1, round(0.04 * len(staff)))
    who = sorted(int(i) for i in rng.choice(len(staff), size=n, replace=False))
    kinds, probs, spans = zip(*ABSENCE_KINDS, strict=True)
    rows = []
    for i in who:
        k = int(rng.choice(len(kinds), p=probs))
        length = int(rng.integers(spans[k][0], spans[k][1] + 1))
        first = start + dt.timedelta(days=int(rng.integers(-2, 7)))
        last = first + dt.timedelta(days=length - 1)
        if last < start:
            first, last = start, start + dt.timedelta(days=length - 1)
        week_end = start + dt.timedelta(days=6)
        staff[i].days_absent = (min(last, week_end) - max(first, start)).days + 1
        rows.append((staff[i].person_id, first.isoformat(), last.isoformat(), kinds[k]))
    return rows


def _requests(
    rng: np.random.Generator,
    staff: list[PersonRec],
    absences: list[tuple[str, str, str, str]],
    stations: list[StationRec],
    start: dt.date,
) -> list[tuple[str, str, str, str, int]]:
    """Personal on/off wishes of ~6% of the fit people, one or two each, weights 1-3."""
    away: dict[str, set[dt.date]] = {}
    for pid, first, last, _ in absences:
        d0, d1 = dt.date.fromisoformat(first), dt.date.fromisoformat(last)
        away.setdefault(pid, set()).update(d0 + dt.timedelta(days=k) for k in range((d1 - d0).days + 1))
    kind_of = {s.station_id: s.kind for s in stations}
    fit = [p for p in staff if p.field_fit(start) or p.support_fit(start)]
    n = max(2, round(0.06 * len(fit)))
    who = sorted(int(i) for i in rng.choice(len(fit), size=min(n, len(fit)), replace=False))
    rows = []
    for i in who:
        p = fit[i]
        days = [
            d for d in (start + dt.timedelta(days=k) for k in range(7)) if d not in away.get(p.person_id, ())
        ]
        count = min(len(days), int(rng.integers(1, 3)))
        for k in sorted(int(j) for j in rng.choice(len(days), size=count, replace=False)):
            want = "on" if rng.random() < 0.3 else "off"
            shift = ""
            if rng.random() < 0.3:
                options = _shifts_for(p, kind_of[p.station_id], start)
                shift = options[int(rng.integers(len(options)))]
            rows.append((p.person_id, days[k].isoformat(), shift, want, int(rng.integers(1, 4))))
    return rows


def _shifts_for(p: PersonRec, kind: StationKind, start: dt.date) -> list[str]:
    """Shifts a person might ask for: the office for support staff, the station's shifts else."""
    if not p.field_fit(start):
        return ["office"]
    used = [sid for sid in SHIFT_IDS if sid != "office" and any(sid in post.shifts for post in kind.posts)]
    if p.role != "sworn":
        used = [sid for sid in used if sid != "duty24"]
    return used


# --------------------------------------------------------------------------- demand


def _min_sworn(crews: str) -> int:
    return min(c.sworn for c in parse_crews(crews))


def _preferred(crews: str) -> CrewPattern:
    """The alternative a station prefers: fewest officers, then fewest people."""
    return min(parse_crews(crews), key=lambda c: (c.sworn, c.size))


@dataclass(frozen=True)
class _Capacity:
    """A station's weekly capacity in person-hours, by who can fill what."""

    sworn: float
    service: float
    support: float
    skill_sworn: Mapping[str, float]
    skill_service: Mapping[str, float]


def _capacity(people: list[PersonRec], start: dt.date) -> _Capacity:
    hours = HOURS_PER_WEEK / SHIFTS_PER_WEEK
    sworn = [p for p in people if p.role == "sworn" and p.field_fit(start)]
    service = [p for p in people if p.role == "aux_service" and p.field_fit(start)]
    support = [p for p in people if p.support_fit(start)]
    skills = sorted({s for p in people for s in p.skills})
    return _Capacity(
        sworn=hours * sum(p.capacity_shifts for p in sworn),
        service=hours * sum(p.capacity_shifts for p in service),
        support=hours * sum(p.capacity_shifts for p in support),
        skill_sworn={s: hours * sum(p.capacity_shifts for p in sworn if s in p.skills) for s in skills},
        skill_service={s: hours * sum(p.capacity_shifts for p in service if s in p.skills) for s in skills},
    )


def _demand(
    stations: list[StationRec], staff: list[PersonRec], start: dt.date
) -> list[tuple[str, str, str, str, int]]:
    """Weekly demand rows (weekday form) of every station, computed from who can serve."""
    by_station: dict[str, list[PersonRec]] = {}
    for p in staff:
        by_station.setdefault(p.station_id, []).append(p)
    rows = []
    task_order = {t.task_id: i for i, t in enumerate(TASKS)}
    for st in stations:
        cap = _capacity(by_station.get(st.station_id, []), start)
        posts = st.kind.posts
        if st.kind.checkpoints:
            posts += (_checkpoints(_checkpoint_crews(cap)),)
        counts = _station_demand(posts, cap)
        counts.update(_support_demand(cap))
        for (task_id, w, s), n in sorted(
            counts.items(), key=lambda kv: (kv[0][1], kv[0][2], task_order[kv[0][0]])
        ):
            if n > 0:
                rows.append((st.station_id, WEEKDAYS[w], SHIFT_IDS[s], task_id, n))
    return rows


def _checkpoint_crews(cap: _Capacity) -> int:
    """Checkpoint crews per Friday/Saturday evening and night: the demo's designed-in shortage.

    Friday's evening shift, Saturday's night shift (00:00) and Saturday's day shift exclude each
    other for one person (one start a day, 11 h rest), so each traffic-trained person serves at
    most one of them. With S officers and A auxiliaries holding the skill, those three shifts
    can staff about (S + A/2) / 2 crews of ``2S|1S+2A`` in all. Checkpoints take half of that in
    each of the evening and the night, so with the weekday traffic posts on top, a few crews are
    left uncovered: the shortage a planner should see, and the sizing analysis should explain.
    """
    sworn = cap.skill_sworn.get("traffic", 0.0) / HOURS_PER_WEEK
    aux = cap.skill_service.get("traffic", 0.0) / HOURS_PER_WEEK
    return max(1, round((sworn + aux / 2) / 4))


def _support_demand(cap: _Capacity) -> dict[tuple[str, int, int], int]:
    """Support posts on weekday office shifts, sized to the support-only people."""
    per_day = math.floor(TARGET_SUPPORT * cap.support / HOURS_PER_WEEK)
    out = {}
    left = per_day
    for k, (task_id, share) in enumerate(SUPPORT_SPLIT):
        n = left if k == len(SUPPORT_SPLIT) - 1 else round(per_day * share)
        left -= n
        for w in range(5):
            out[(task_id, w, _S["office"])] = n
    return out


def _station_demand(posts: Sequence[PostPattern], cap: _Capacity) -> dict[tuple[str, int, int], int]:
    """Crews per (task, weekday, shift) of a station's field posts, filled up to its capacity.

    Fixed posts and readiness minimums come first. Then crews are handed out one at a time, each
    to the cell whose shape most deserves another crew (D'Hondt apportionment: crews end up
    proportional to the shapes), until no crew fits the targets: S slots within a share of
    sworn capacity, all slots within a share of everyone's, skilled slots within the skilled
    people's. A cell that does not fit is dropped for good, since usage only grows; so when the
    officers run out, auxiliary-only posts keep growing into the auxiliaries' capacity.
    """
    shapes = np.stack([p.shape() for p in posts])  # (posts, 7 weekdays, shifts)
    fixed = np.array([p.fixed for p in posts])[:, None, None]
    tasks = [TASK_BY_ID[p.task_id] for p in posts]
    independent = np.array([t.duty_class == "independent" for t in tasks])
    leads = np.array([_min_sworn(t.crews) > 0 for t in tasks])
    skills = sorted({t.skill for t in tasks if t.skill})

    # Resource use of one crew-hour of each post, against the limits of the station:
    # [S slots, all slots, then per skill: its S slots, all its slots].
    use = np.array(
        [
            [_min_sworn(t.crews), _preferred(t.crews).size]
            + [
                x
                for k in skills
                for x in ((_min_sworn(t.crews), _preferred(t.crews).size) if t.skill == k else (0, 0))
            ]
            for t in tasks
        ],
        dtype=float,
    )
    limits = np.array(
        [TARGET_SWORN_ONLY * cap.sworn, TARGET_FIELD * (cap.sworn + cap.service)]
        + [
            x
            for k in skills
            for x in (
                TARGET_SKILL_SWORN * cap.skill_sworn.get(k, 0.0),
                TARGET_SKILL_ALL * (cap.skill_sworn.get(k, 0.0) + cap.skill_service.get(k, 0.0)),
            )
        ]
    )
    counts = np.where(fixed, np.rint(shapes), np.stack([p.floor() for p in posts]))
    counts = np.where(shapes > 0, counts, 0.0)
    usage = np.einsum("pws,s,pr->r", counts, SHIFT_HOURS, use)

    def fill(allowed: np.ndarray) -> None:
        # Plain floats in the loop: it runs once per crew, and numpy's per-call cost dominates.
        shape, count, used = shapes.tolist(), counts.tolist(), usage.tolist()
        cap_left = limits.tolist()
        per_crew = [[[u * h for u in row] for h in SHIFT_HOURS.tolist()] for row in use.tolist()]
        heap = [
            (-shape[p][w][s] / (count[p][w][s] + 1), p, w, s)
            for p, w, s in zip(*np.nonzero(allowed), strict=True)
        ]
        heapq.heapify(heap)
        while heap:
            _, p, w, s = heapq.heappop(heap)
            need = per_crew[p][s]
            if all(n == 0 or u + n <= c + 1e-9 for n, u, c in zip(need, used, cap_left, strict=True)):
                used[:] = [u + n for u, n in zip(used, need, strict=True)]
                count[p][w][s] += 1
                heapq.heappush(heap, (-shape[p][w][s] / (count[p][w][s] + 1), p, w, s))
        counts[...] = count
        usage[...] = used

    scalable = (shapes > 0) & ~fixed
    fill(scalable)
    # Rule 3: an auxiliary-only crew needs an officer on duty in the same shift to command it,
    # so independent posts stay only where the station has an officer's post in that shift;
    # the capacity freed by dropping the others is filled again.
    commanded = (counts * leads[:, None, None]).sum(axis=0) > 0
    orphans = np.where(independent[:, None, None] & ~commanded, counts, 0.0)
    usage -= np.einsum("pws,s,pr->r", orphans, SHIFT_HOURS, use)
    counts -= orphans
    fill(scalable & (~independent[:, None, None] | commanded))

    out: dict[tuple[str, int, int], int] = {}
    for p, w, s in zip(*np.nonzero(counts), strict=True):
        key = (posts[p].task_id, int(w), int(s))
        out[key] = out.get(key, 0) + int(counts[p, w, s])
    return out


# --------------------------------------------------------------------------- writing


def _bool(value: bool) -> str:
    return "true" if value else "false"


def _write(path: Path, header: Sequence[str], rows: Sequence[Sequence[object]]) -> None:
    """A CSV file with `\\n` line ends on every platform, so files are byte-identical everywhere."""
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)
