"""Immutable domain objects: what the data contract means once it has been validated.

Everything downstream (model builder, verifier, reports) reads these objects, never raw rows,
so a value is parsed and checked in exactly one place (:mod:`allocate.io`).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from collections.abc import Iterator

Role = Literal["sworn", "aux_service", "aux_civilian"]
DutyClass = Literal["police_only", "led", "independent", "support"]
Slot = Literal["S", "A"]

ROLES: tuple[Role, ...] = ("sworn", "aux_service", "aux_civilian")
AUX_ROLES: tuple[Role, ...] = ROLES[1:]  # the two kinds of auxiliary police
DUTY_CLASSES: tuple[DutyClass, ...] = ("police_only", "led", "independent", "support")
WEEKDAYS: tuple[str, ...] = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")

NIGHT_START_MIN = 22 * 60
NIGHT_END_MIN = 6 * 60
NIGHT_MIN_MINUTES = 3 * 60


@dataclass(frozen=True, order=True)
class CrewPattern:
    """One allowed crew composition: `sworn` S slots and `aux` A slots.

    An A slot may be filled by an eligible auxiliary or by a sworn officer; an S slot only by a
    sworn officer. A pattern with no S slot is an auxiliary-only crew.
    """

    sworn: int
    aux: int

    @property
    def size(self) -> int:
        return self.sworn + self.aux

    def __str__(self) -> str:
        parts = [f"{self.sworn}S"] if self.sworn else []
        parts += [f"{self.aux}A"] if self.aux else []
        return "+".join(parts)


@dataclass(frozen=True)
class Station:
    station_id: str
    name: str
    district: str
    population: int
    area_km2: float | None = None
    aux_quota: int | None = None
    urban: bool | None = None  # None: urban or not by population density (allocate demand)


@dataclass(frozen=True)
class Shift:
    """A shift template. It belongs to the date on which it starts."""

    shift_id: str
    start_min: int  # minutes after midnight
    hours: float
    rest_after: float | None = None

    @property
    def minutes(self) -> int:
        return round(self.hours * 60)

    @property
    def start_text(self) -> str:
        return f"{self.start_min // 60:02d}:{self.start_min % 60:02d}"

    @cached_property
    def night_minutes(self) -> int:
        """Minutes of the shift between 22:00 and 06:00 (across midnight, over up to two days)."""
        start, end = self.start_min, self.start_min + self.minutes
        total = 0
        for day in (-1, 0, 1):
            lo = day * 1440 + NIGHT_START_MIN
            hi = (day + 1) * 1440 + NIGHT_END_MIN
            total += max(0, min(end, hi) - max(start, lo))
        return total

    @property
    def is_night(self) -> bool:
        return self.night_minutes >= NIGHT_MIN_MINUTES

    def starts_at(self, day: dt.date) -> dt.datetime:
        return dt.datetime.combine(day, dt.time()) + dt.timedelta(minutes=self.start_min)

    def ends_at(self, day: dt.date) -> dt.datetime:
        return self.starts_at(day) + dt.timedelta(minutes=self.minutes)


@dataclass(frozen=True)
class Task:
    task_id: str
    name: str
    duty_class: DutyClass
    crews: tuple[CrewPattern, ...]
    skill: str | None = None
    priority: int = 1
    incident_types: tuple[str, ...] = ()  # the incident types this task answers (allocate demand)

    @property
    def crews_text(self) -> str:
        return "|".join(str(c) for c in self.crews)


@dataclass(frozen=True)
class Person:
    person_id: str
    name: str
    station_id: str
    role: Role
    grade: str | None = None
    skills: frozenset[str] = frozenset()
    hours_per_week: float = 40.0
    pre_job_trained: bool = True
    training_valid_until: dt.date | None = None
    disqualified: bool = False

    @property
    def is_sworn(self) -> bool:
        return self.role == "sworn"


@dataclass(frozen=True, slots=True)  # slots: a big demand table holds a million of these
class DemandRow:
    """A demand line: on one date, or on every matching weekday (0 = Monday) of the horizon."""

    station_id: str
    shift_id: str
    task_id: str
    crews: int
    date: dt.date | None = None
    weekday: int | None = None


@dataclass(frozen=True)
class Absence:
    person_id: str
    date_from: dt.date
    date_to: dt.date
    kind: str = "leave"

    def covers(self, day: dt.date) -> bool:
        return self.date_from <= day <= self.date_to


@dataclass(frozen=True)
class Request:
    person_id: str
    date: dt.date
    want_on: bool
    shift_id: str | None = None
    weight: int = 1


@dataclass(frozen=True)
class Pin:
    """A planner's decision, hard in every solve: the person works (`on`) or not (`off`) that
    date, optionally only that shift and/or task. `file` and `line` name the row for errors."""

    person_id: str
    date: dt.date
    on: bool
    shift_id: str | None = None
    task_id: str | None = None
    file: str = field(default="pins.csv", compare=False)
    line: int | None = field(default=None, compare=False)

    def matches(self, day: dt.date, shift_id: str, task_id: str) -> bool:
        """Whether a (date, shift, task) assignment falls under this pin."""
        return day == self.date and self.shift_id in (None, shift_id) and self.task_id in (None, task_id)


@dataclass(frozen=True)
class Assignment:
    """One row of a roster: a person in a crew. Also the format of `history.csv`."""

    date: dt.date
    station_id: str
    shift_id: str
    task_id: str
    crew_id: str
    person_id: str
    role: str
    slot: str
    lead_id: str


@dataclass(frozen=True)
class Horizon:
    """The planning window: `days` consecutive dates from `start`."""

    start: dt.date
    days: int

    @property
    def end(self) -> dt.date:
        """The last date of the horizon (inclusive)."""
        return self.start + dt.timedelta(days=self.days - 1)

    @cached_property
    def dates(self) -> tuple[dt.date, ...]:
        return tuple(self.start + dt.timedelta(days=i) for i in range(self.days))

    def __contains__(self, day: object) -> bool:
        return isinstance(day, dt.date) and self.start <= day <= self.end

    def index(self, day: dt.date) -> int:
        return (day - self.start).days

    def blocks(self) -> Iterator[tuple[dt.date, ...]]:
        """7-day blocks from the start, in which hours and nights are counted."""
        for i in range(0, self.days, 7):
            yield self.dates[i : i + 7]


WEEKEND = (5, 6)  # Saturday, Sunday
HOLIDAY = 7  # the `weekday` of a demand row marked `Hol`: it applies on public holidays
DayKind = Literal["holiday", "workday"]


@dataclass(frozen=True)
class CalendarDay:
    """A date the calendar marks: a public holiday, or an adjusted working day (调休)."""

    date: dt.date
    name: str
    kind: DayKind


@dataclass(frozen=True)
class Calendar:
    """Public holidays and adjusted working days: the default Chinese calendar plus `holidays.csv`.

    `overrides` (the table's rows) win over the default for their dates. With `default=False`
    only the table counts (a planner's own calendar, or tests that want plain weeks).
    """

    overrides: tuple[CalendarDay, ...] = ()
    default: bool = True

    @cached_property
    def _table(self) -> dict[dt.date, CalendarDay]:
        return {d.date: d for d in self.overrides}

    def day(self, day: dt.date) -> CalendarDay | None:
        """The holiday or adjusted workday on `day`, or None for an ordinary day."""
        if day in self._table:
            return self._table[day]
        return default_calendar_day(day) if self.default else None

    def is_holiday(self, day: dt.date) -> bool:
        found = self.day(day)
        return found is not None and found.kind == "holiday"

    def is_adjusted_workday(self, day: dt.date) -> bool:
        found = self.day(day)
        return found is not None and found.kind == "workday"

    def is_rest_day(self, day: dt.date) -> bool:
        """A holiday, or a weekend day that is not an adjusted working day."""
        found = self.day(day)
        if found is not None:
            return found.kind == "holiday"
        return day.weekday() in WEEKEND

    def covers(self, day: dt.date) -> bool:
        """Whether the default calendar knows `day`'s year (the State Council publishes a year at a time)."""
        return not self.default or default_covers(day.year)


PLAIN_WEEKS = Calendar(default=False)  # weekends only: no public holidays


@lru_cache(maxsize=8192)
def default_calendar_day(day: dt.date) -> CalendarDay | None:
    """The Chinese statutory calendar (the `chinese-calendar` package); None outside its years."""
    import chinese_calendar

    try:
        off, name = chinese_calendar.get_holiday_detail(day)
    except NotImplementedError:
        return None
    if name is None:
        return None
    if off:
        return CalendarDay(day, _HOLIDAY_NAMES.get(name, name), "holiday")
    return CalendarDay(day, _HOLIDAY_NAMES.get(name, name), "workday")


def default_covers(year: int) -> bool:
    """Whether the default calendar has the State Council's schedule for `year`."""
    import chinese_calendar

    try:
        chinese_calendar.get_holiday_detail(dt.date(year, 1, 1))
    except NotImplementedError:
        return False
    return True


# The package's English names; the Chinese ones planners read on the report.
_HOLIDAY_NAMES = {
    "New Year's Day": "元旦",
    "Spring Festival": "春节",
    "Tomb-sweeping Day": "清明节",
    "Labour Day": "劳动节",
    "Dragon Boat Festival": "端午节",
    "National Day": "国庆节",
    "Mid-autumn Festival": "中秋节",
    "Anti-Fascist 70th Day": "抗战胜利70周年纪念日",
}


def is_heavy(shift: Shift, day: dt.date, calendar: Calendar = PLAIN_WEEKS) -> bool:
    """A night shift, or any shift on a rest day (weekend or holiday, not an adjusted workday).

    These are the shifts fairness spreads evenly (rule 8). Pass the dataset's calendar
    (:attr:`Dataset.calendar`); without one only weekends count as rest days.
    """
    return shift.is_night or calendar.is_rest_day(day)


@dataclass(frozen=True)
class Post:
    """Demand at one station, date, shift and task: how many crews are required."""

    station_id: str
    date: dt.date
    shift_id: str
    task_id: str
    crews_required: int

    @property
    def key(self) -> tuple[str, dt.date, str, str]:
        return (self.station_id, self.date, self.shift_id, self.task_id)


@dataclass(frozen=True)
class Dataset:
    """A validated dataset: the tables of the data contract as domain objects."""

    stations: tuple[Station, ...]
    shifts: tuple[Shift, ...]
    tasks: tuple[Task, ...]
    staff: tuple[Person, ...]
    demand: tuple[DemandRow, ...]
    absences: tuple[Absence, ...] = ()
    requests: tuple[Request, ...] = ()
    history: tuple[Assignment, ...] = ()
    calendar: Calendar = Calendar()
    source: str = ""
    extras: dict[str, object] = field(default_factory=dict, compare=False)
    pins: tuple[Pin, ...] = ()  # optional pins.csv: planners' decisions, hard (see allocate.pins)

    def replace(self, **changes: object) -> Dataset:
        """A what-if copy with some tables replaced."""
        return dataclasses.replace(self, **changes)  # type: ignore[arg-type]

    @cached_property
    def station_by_id(self) -> dict[str, Station]:
        return {s.station_id: s for s in self.stations}

    @cached_property
    def shift_by_id(self) -> dict[str, Shift]:
        return {s.shift_id: s for s in self.shifts}

    @cached_property
    def task_by_id(self) -> dict[str, Task]:
        return {t.task_id: t for t in self.tasks}

    @cached_property
    def person_by_id(self) -> dict[str, Person]:
        return {p.person_id: p for p in self.staff}

    @cached_property
    def absences_by_person(self) -> dict[str, tuple[Absence, ...]]:
        out: dict[str, list[Absence]] = {}
        for a in self.absences:
            out.setdefault(a.person_id, []).append(a)
        return {k: tuple(v) for k, v in out.items()}

    def is_absent(self, person_id: str, day: dt.date) -> bool:
        return any(a.covers(day) for a in self.absences_by_person.get(person_id, ()))

    def demand_dates(self) -> tuple[dt.date, ...]:
        return tuple(sorted({d.date for d in self.demand if d.date is not None}))
