"""The fixed catalogues of a generated district: its shifts, its tasks and how posts spread over a week."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from allocate.crew_patterns import parse_crews
from allocate.domain import CrewPattern, Shift, Task
from allocate.generate_incidents import TASK_INCIDENT_TYPES

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

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

SHIFTS: tuple[Shift, ...] = (
    Shift("day", 8 * 60, 8),
    Shift("evening", 16 * 60, 8),
    Shift("night", 0, 8),
    Shift("office", 9 * 60, 8),
    Shift("duty24", 8 * 60, 24, rest_after=24),
)
SHIFT_IDS = tuple(s.shift_id for s in SHIFTS)
SHIFT_HOURS = np.array([s.hours for s in SHIFTS], dtype=float)
SHIFT_INDEX = {sid: i for i, sid in enumerate(SHIFT_IDS)}


def _task(
    task_id: str, name: str, duty_class: str, crews: str, skill: str | None = None, priority: int = 3
) -> Task:
    """A task of the catalogue; the incident types it answers come from the incident log's catalogue."""
    types = tuple(t for t in TASK_INCIDENT_TYPES.get(task_id, "").split(";") if t)
    return Task(task_id, name, duty_class, parse_crews(crews), skill, priority, types)  # type: ignore[arg-type]


TASKS: tuple[Task, ...] = (
    _task("response_110", "110 emergency response", "led", "1S+2A|2S", priority=5),
    _task("case_handling", "Case handling and investigation", "police_only", "2S", priority=5),
    _task("questioning", "Questioning of suspects", "police_only", "2S", priority=4),
    _task("duty_desk", "24-hour duty desk", "police_only", "1S", priority=4),
    _task("detention_watch", "Detention-room watch", "led", "1S+1A", "detention", 4),
    _task("night_highway", "Night highway patrol", "led", "3S|2S+2A", "traffic", 4),
    _task("traffic_post", "Traffic post", "led", "2S|1S+2A", "traffic", 3),
    _task("intake", "Intake, mediation and information collection", "led", "1S+2A", priority=3),
    _task("patrol", "Street patrol", "independent", "2A|1S+1A", priority=3),
    _task("mediation", "Dispute mediation", "independent", "2A|1S+1A", priority=2),
    _task("window", "Reception window and household registration", "support", "1A", priority=2),
    _task("call_taking", "Call-taking and data entry", "support", "1A", priority=1),
)
TASK_BY_ID = {t.task_id: t for t in TASKS}
SUPPORT_SPLIT = (("window", 0.4), ("call_taking", 0.6))
"""How a station's support posts divide between the two support tasks."""


def min_sworn(task: Task) -> int:
    """The officers every crew of `task` needs."""
    return min(c.sworn for c in task.crews)


def preferred(task: Task) -> CrewPattern:
    """The alternative a station prefers: fewest officers, then fewest people."""
    return min(task.crews, key=lambda c: (c.sworn, c.size))


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
    :func:`allocate.generate.demand.station_demand`), with at least `minimum[s]` (readiness posts
    that exist whatever the headcount). A `fixed` post takes the rounded shape itself as its crews.
    Non-empty `cells` (weekday index, shift id) keep the post to those cells only.
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
            shift_vec[SHIFT_INDEX[sid]] = factor
        out = np.outer(np.asarray(self.weekdays, dtype=float), shift_vec) * self.weight
        out[[SAT, SUN], SHIFT_INDEX["night"]] *= self.fri_sat_night
        if self.cells:
            keep = np.zeros_like(out, dtype=bool)
            for w, sid in self.cells:
                keep[w, SHIFT_INDEX[sid]] = True
            out = np.where(keep, out, 0.0)
        return out

    def floor(self) -> np.ndarray:
        """The readiness minimum per (weekday, shift), where the post has any shape."""
        out = np.zeros((7, len(SHIFTS)))
        for sid, count in self.minimum.items():
            out[:, SHIFT_INDEX[sid]] = count
        return np.where(self.shape() > 0, out, 0)
