"""Row schemas of the data contract (pydantic at the edge), one model per table.

Cells arrive as text; an empty cell means "not given" so the contract's defaults apply.
Errors are translated to file/line/column messages by :mod:`allocate.io.load`.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field

from allocate.domain import HOLIDAY, WEEKDAYS
from allocate.i18n import L_, N_

_TIME = re.compile(r"^(\d{1,2}):(\d{2})(?::(\d{2}))?$")
# A date, optionally with a time of day as spreadsheets export it ("2026-12-07 00:00:00").
_DATE = re.compile(r"^(\d{4}-\d{2}-\d{2})(?:[ T]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$")
_TRUE = {"true", "1", "yes", "y", "t"}
_FALSE = {"false", "0", "no", "n", "f"}
_FULL_WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")

# Upper bounds of numbers that enter the CP-SAT model: far above any real station, low enough
# that every objective coefficient times its variable's range stays inside 64-bit integers.
MAX_POPULATION = 1_000_000_000
MAX_AREA_KM2 = 10_000_000
MAX_QUOTA = 1_000_000
MAX_HOURS = 168  # a week: rest after a shift, contract hours per week
MAX_PRIORITY = 1_000
MAX_CREWS = 1_000  # crews of one task on one shift at one station
MAX_REQUEST_WEIGHT = 1_000
MAX_CREW_SIZE = 100  # people in one crew pattern (1S+2A is 3)
MAX_ALTERNATIVES = 20  # crew patterns of one task (1S+2A|2S is 2)


def _parse_date(value: object) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    m = _DATE.match(str(value).strip())
    try:
        if m is None:
            raise ValueError
        return dt.date.fromisoformat(m.group(1))
    except ValueError:
        raise ValueError(N_("a date as YYYY-MM-DD")) from None


def _parse_time(value: object) -> int:
    """Minutes after midnight of ``HH:MM``."""
    m = _TIME.match(str(value).strip())
    if not m or int(m.group(1)) > 23 or int(m.group(2)) > 59 or int(m.group(3) or 0) > 59:
        raise ValueError(N_("a time of day as HH:MM (00:00 to 23:59)"))
    return int(m.group(1)) * 60 + int(m.group(2))


def _parse_bool(value: object) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise ValueError(N_("true or false"))


def _parse_list(value: object) -> frozenset[str]:
    return frozenset(_parse_ordered(value))


def _parse_ordered(value: object) -> tuple[str, ...]:
    """A `;`- (or `,`-) separated list in the order written, each name once."""
    return tuple(dict.fromkeys(p.strip() for p in str(value).replace(",", ";").split(";") if p.strip()))


def parse_weekday(value: object) -> int:
    """``Mon`` .. ``Sun`` (or the full name), or ``Hol`` (public holidays), any case: nothing else,
    so ``Monday-ish`` is refused."""
    text = str(value).strip().lower()
    if text in ("hol", "holiday"):
        return HOLIDAY
    for index, (short, full) in enumerate(zip(WEEKDAYS, _FULL_WEEKDAYS, strict=True)):
        if text in (short.lower(), full):
            return index
    raise ValueError(N_("a weekday Mon, Tue, Wed, Thu, Fri, Sat or Sun, or Hol (public holidays)"))


def _parse_float(value: object) -> float:
    try:
        number = float(str(value).strip())
    except ValueError:
        raise ValueError(N_("a number")) from None
    if not math.isfinite(number):
        raise ValueError(N_("a finite number"))
    return number


def _parse_int(value: object) -> int:
    """Accept ``12`` and ``12.0`` (spreadsheets), refuse ``12.5``, ``inf`` and ``nan``."""
    text = str(value).strip()
    try:
        return int(text)
    except ValueError:
        pass
    try:
        number = float(text)
    except ValueError:
        raise ValueError(N_("a whole number")) from None
    if not number.is_integer():
        raise ValueError(N_("a whole number"))
    return int(number)


# Dates that a horizon is built around: far enough from the calendar's ends that a horizon, and
# the history windows that reach back from it, can be computed.
FIRST_DATE, LAST_DATE = dt.date(1901, 1, 1), dt.date(9998, 12, 31)


def planning_date(value: dt.date) -> dt.date:
    if not FIRST_DATE <= value <= LAST_DATE:
        raise ValueError(L_("a date between %(first)s and %(last)s", first=FIRST_DATE, last=LAST_DATE))
    return value


def _nonblank(value: str) -> str:
    if not value.strip():
        raise ValueError(N_("a non-empty id"))
    return value.strip()


Id = Annotated[str, AfterValidator(_nonblank)]
Date = Annotated[dt.date, BeforeValidator(_parse_date)]
PlanDate = Annotated[dt.date, BeforeValidator(_parse_date), AfterValidator(planning_date)]
TimeOfDay = Annotated[int, BeforeValidator(_parse_time)]
Bool = Annotated[bool, BeforeValidator(_parse_bool)]
Names = Annotated[frozenset[str], BeforeValidator(_parse_list)]
OrderedNames = Annotated[tuple[str, ...], BeforeValidator(_parse_ordered)]
Weekday = Annotated[int, BeforeValidator(parse_weekday)]
Int = Annotated[int, BeforeValidator(_parse_int)]
Float = Annotated[float, BeforeValidator(_parse_float)]
Role = Annotated[
    Literal["sworn", "aux_service", "aux_civilian"], BeforeValidator(lambda v: str(v).strip().lower())
]
DutyClass = Annotated[
    Literal["police_only", "led", "independent", "support"],
    BeforeValidator(lambda v: str(v).strip().lower()),
]
DayKind = Annotated[Literal["holiday", "workday"], BeforeValidator(lambda v: str(v).strip().lower())]
Want = Annotated[Literal["on", "off"], BeforeValidator(lambda v: str(v).strip().lower())]


class Row(BaseModel):
    """Extra columns are allowed by the contract and ignored."""

    model_config = ConfigDict(frozen=True, extra="ignore", str_strip_whitespace=True)


class StationRow(Row):
    station_id: Id
    name: str = ""
    district: str = ""
    population: Int = Field(ge=0, le=MAX_POPULATION)
    area_km2: Float | None = Field(None, gt=0, le=MAX_AREA_KM2)
    aux_quota: Int | None = Field(None, ge=0, le=MAX_QUOTA)
    urban: Bool | None = None


class ShiftRow(Row):
    shift_id: Id
    start: TimeOfDay
    hours: Float = Field(gt=0, le=24)
    rest_after: Float | None = Field(None, ge=0, le=MAX_HOURS)


class TaskRow(Row):
    task_id: Id
    name: str = ""
    duty_class: DutyClass
    crews: Id
    skill: str | None = None
    priority: Float = Field(1.0, ge=0, le=MAX_PRIORITY)
    incident_types: OrderedNames = ()


class StaffRow(Row):
    person_id: Id
    name: str = ""
    station_id: Id
    role: Role
    grade: str | None = None
    skills: Names = frozenset()
    hours_per_week: Float = Field(40.0, gt=0, le=MAX_HOURS)
    pre_job_trained: Bool = True
    training_valid_until: Date | None = None
    disqualified: Bool = False


class DemandRowSchema(Row):
    station_id: Id
    date: PlanDate | None = None
    weekday: Weekday | None = None
    shift_id: Id
    task_id: Id
    crews: Int = Field(ge=0, le=MAX_CREWS)


class AbsenceRow(Row):
    person_id: Id
    date_from: Date
    date_to: Date
    kind: str = "leave"


class RequestRow(Row):
    person_id: Id
    date: Date
    shift_id: str | None = None
    want: Want
    weight: Float = Field(1.0, ge=0, le=MAX_REQUEST_WEIGHT)


class HistoryRow(Row):
    """A previous roster: only date, person and shift are needed to carry rules across."""

    date: PlanDate
    person_id: Id
    shift_id: Id
    station_id: str = ""
    task_id: str = ""
    crew_id: str = ""
    role: str = ""
    slot: str = ""
    lead_id: str = ""


def _parse_datetime(value: object) -> dt.datetime:
    """ISO date-time (``2026-09-07T18:30``, a space also); an offset is dropped: local wall time."""
    if isinstance(value, dt.datetime):
        return value.replace(tzinfo=None)
    text = str(value).strip()
    try:
        return dt.datetime.fromisoformat(text).replace(tzinfo=None)
    except ValueError:
        raise ValueError(N_("an ISO date-time as YYYY-MM-DDTHH:MM[:SS]")) from None


DateTime = Annotated[dt.datetime, BeforeValidator(_parse_datetime)]
WEEK_MINUTES = 7 * 24 * 60


def _parse_minutes(value: object) -> float:
    """A handling time: a finite number of minutes above 0 and at most a week (refuses nan, inf)."""
    try:
        number = float(str(value).strip())
    except ValueError:
        number = float("nan")
    if not 0 < number <= WEEK_MINUTES:  # also false for nan
        raise ValueError(L_("a number of minutes above 0 and at most %(n)s (a week)", n=WEEK_MINUTES))
    return number


Minutes = Annotated[float, BeforeValidator(_parse_minutes)]


class IncidentRow(Row):
    """One incident of the log that `allocate demand` turns into crews (:mod:`allocate.io.incidents`)."""

    incident_id: Id
    station_id: Id
    received_at: DateTime
    type: Id
    handling_minutes: Minutes
    units: Int = Field(1, ge=1, le=100)
    priority: str = ""


class HolidayRow(Row):
    """A public holiday or an adjusted working day (调休) that overrides the default calendar."""

    date: Date
    name: str = ""
    kind: DayKind


class PinRow(Row):
    """A pin: the person works (on) or not (off) that date, shift (optional) and task (optional)."""

    person_id: Id
    date: Date
    shift_id: str | None = None
    task_id: str | None = None
    pin: Want


SCHEMAS: dict[str, type[Row]] = {
    "stations": StationRow,
    "shifts": ShiftRow,
    "tasks": TaskRow,
    "staff": StaffRow,
    "demand": DemandRowSchema,
    "absences": AbsenceRow,
    "requests": RequestRow,
    "history": HistoryRow,
    "incidents": IncidentRow,
    "holidays": HolidayRow,
    "pins": PinRow,
}

# Columns the contract names as mandatory in a present table (the rest have defaults).
REQUIRED_COLUMNS: dict[str, tuple[str, ...]] = {
    "stations": ("station_id", "name", "district", "population"),
    "shifts": ("shift_id", "start", "hours"),
    "tasks": ("task_id", "name", "duty_class", "crews"),
    "staff": ("person_id", "name", "station_id", "role"),
    "demand": ("station_id", "shift_id", "task_id", "crews"),
    "absences": ("person_id", "date_from", "date_to"),
    "requests": ("person_id", "date", "want"),
    "history": ("date", "person_id", "shift_id"),
    "incidents": ("incident_id", "station_id", "received_at", "type", "handling_minutes"),
    "holidays": ("date", "name", "kind"),
    "pins": ("person_id", "date", "pin"),
}
