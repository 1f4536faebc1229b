"""The scenario file (TOML) as pydantic models: unknown keys and bad values are errors.

A scenario names a dataset, a horizon, policy overrides, solver settings and a list of
changes applied to the data in order::

    name = "Festival week"
    dataset = "../data/demo"          # relative to this file
    [horizon]
    start = 2026-12-07                # a TOML date
    days = 7
    [policy]                          # the keys of allocate.policy.Policy
    lending = false
    [solver]
    time_limit = 60
    seed = 0
    workers = 2
    [incidents]                       # optional: demand derived from a log (allocate demand)
    file = "../data/demo/incidents.csv"
    growth = 1.15
    [[changes]]
    kind = "scale_demand"
    tasks = ["response_110", "patrol"]
    weekdays = ["Fri", "Sat"]
    shifts = ["evening"]
    factor = 1.3

Every list field also takes its singular key and a single value (``task = "patrol"``).
Errors name ``changes[N]`` counting the ``[[changes]]`` tables from 1.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    AliasChoices,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    field_validator,
    model_validator,
)

from allocate.domain import WEEKDAYS, Role
from allocate.i18n import L_
from allocate.io.schemas import MAX_CREWS, MAX_QUOTA, parse_weekday, planning_date
from allocate.io.solver_params import MAX_SEED, MAX_TIME_LIMIT, MAX_WORKERS, solver_param_problems

Rounding = Literal["half_up", "up", "down"]
MAX_FACTOR = 1_000  # scale factors of demand and quotas
MAX_PEOPLE = 100_000  # people added, removed or sent away by one change


def _as_list(value: object) -> object:
    return [value] if isinstance(value, str | dt.date | int | float) else value


def _weekday(value: object) -> object:
    day = parse_weekday(value)
    if day >= len(WEEKDAYS):
        raise ValueError(L_("a weekday Mon, Tue, Wed, Thu, Fri, Sat or Sun"))
    return WEEKDAYS[day]


Ids = Annotated[list[str] | None, BeforeValidator(_as_list)]
Weekdays = Annotated[list[Annotated[str, BeforeValidator(_weekday)]] | None, BeforeValidator(_as_list)]
Dates = Annotated[list[dt.date] | None, BeforeValidator(_as_list)]


def _field(plural: str, singular: str, description: str) -> Any:
    return Field(None, validation_alias=AliasChoices(plural, singular), description=description)


class _Strict(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True, allow_inf_nan=False)


class DemandSelection(_Strict):
    """Which demand a change touches. A field left out means "all"; given fields must all match.

    Without `dates`, `date_from` or `date_to` the change edits the demand rows themselves (every
    matching weekday of any horizon). With them it edits the selected dates of the horizon only:
    a weekday row is then copied to a dated row for each selected date, which overrides it there.
    """

    stations: Ids = _field("stations", "station", "Station ids.")
    tasks: Ids = _field("tasks", "task", "Task ids.")
    shifts: Ids = _field("shifts", "shift", "Shift ids.")
    weekdays: Weekdays = _field("weekdays", "weekday", "Mon .. Sun.")
    dates: Dates = _field("dates", "date", "Dates within the horizon.")
    date_from: dt.date | None = Field(None, description="First selected date (inclusive).")
    date_to: dt.date | None = Field(None, description="Last selected date (inclusive).")

    @property
    def by_date(self) -> bool:
        return self.dates is not None or self.date_from is not None or self.date_to is not None

    @model_validator(mode="after")
    def _range(self) -> DemandSelection:
        if self.date_from and self.date_to and self.date_to < self.date_from:
            raise ValueError(f"date_to on or after date_from {self.date_from}")
        return self


class ScaleDemand(DemandSelection):
    """Multiply the crews of the selected posts by `factor`, rounded per post (never below 0)."""

    kind: Literal["scale_demand"] = "scale_demand"
    factor: float = Field(ge=0, le=MAX_FACTOR, description="1.3 is +30%; 0 removes the demand.")
    rounding: Rounding = Field("half_up", description="half_up (2.5 -> 3), up (ceil) or down (floor).")


class AddCrews(DemandSelection):
    """Add `crews` to every selected post, creating the post where there was no demand."""

    kind: Literal["add_crews"] = "add_crews"
    crews: int = Field(ge=1, le=MAX_CREWS)

    @model_validator(mode="after")
    def _explicit(self) -> AddCrews:
        if not self.tasks or not self.shifts:
            raise ValueError(L_("tasks and shifts (add_crews may create posts, so say which)"))
        return self


class RemoveCrews(DemandSelection):
    """Remove `crews` from every selected post (never below 0)."""

    kind: Literal["remove_crews"] = "remove_crews"
    crews: int = Field(ge=1, le=MAX_CREWS)


class AbsenceChange(_Strict):
    """People away from `date_from` to `date_to`: the listed `person_ids`, or `count` people of `role`.

    With `count`, the people are drawn at random (seeded: the change's `seed`, else the scenario's
    solver seed) among those of `role` at `stations` (all stations when left out) who could work
    otherwise: not disqualified, auxiliaries with pre-job training, and not already absent on
    any of the dates.
    """

    kind: Literal["absence"] = "absence"
    person_ids: Ids = _field("person_ids", "person_id", "People away.")
    count: int | None = Field(None, ge=1, le=MAX_PEOPLE, description="How many people of `role` are away.")
    role: Role | None = None
    stations: Ids = _field("stations", "station", "Where the `count` people come from.")
    date_from: dt.date
    date_to: dt.date | None = Field(None, description="Last day away (inclusive); default date_from.")
    absence_kind: str = Field("training", min_length=1, description="leave, training, sick, ...")
    seed: int | None = None

    @property
    def last_day(self) -> dt.date:
        return self.date_to or self.date_from

    @model_validator(mode="after")
    def _who(self) -> AbsenceChange:
        if (self.person_ids is None) == (self.count is None):
            raise ValueError(L_("either person_ids or count (with role), not both"))
        if self.count is not None and self.role is None:
            raise ValueError(L_("a role with count (sworn, aux_service or aux_civilian)"))
        if self.person_ids is not None and (self.role is not None or self.stations is not None):
            raise ValueError(L_("role and stations only with count"))
        if self.last_day < self.date_from:
            raise ValueError(f"date_to on or after date_from {self.date_from}")
        return self


class Headcount(_Strict):
    """Add or remove people of one role at one station.

    Added people get ids ``<station>-N<S|A|C><nnn>``, pre-job training and no training expiry
    (fresh recruits). Unless `skills` and `hours_per_week` are given, each copies them from a
    fit colleague of the same role at the station, taken in a seeded round robin, so the pool
    keeps its mix of skills (adding traffic-trained people is ``skills = ["traffic"]``). Removed
    people are drawn at random (seeded) among the role at the station; their absences,
    requests and history go with them.
    """

    kind: Literal["headcount"] = "headcount"
    station: str
    role: Role = "aux_service"
    add: int | None = Field(None, ge=1, le=MAX_PEOPLE)
    remove: int | None = Field(None, ge=1, le=MAX_PEOPLE)
    skills: Ids = Field(None, description="Skills of every added person (default: copied).")
    hours_per_week: float | None = Field(None, gt=0, le=168)
    seed: int | None = None

    @model_validator(mode="after")
    def _one(self) -> Headcount:
        if (self.add is None) == (self.remove is None):
            raise ValueError(L_("either add or remove, not both"))
        if self.remove is not None and (self.skills is not None or self.hours_per_week is not None):
            raise ValueError(L_("skills and hours_per_week only with add"))
        return self


class Quota(_Strict):
    """Set or scale the approved auxiliary quota (aux_quota) of stations (all when left out).

    The roster model does not read quotas: they bound the sizing analysis (``allocate size``).
    Pair a quota cut with a ``headcount`` change to take people away.
    """

    kind: Literal["quota"] = "quota"
    stations: Ids = _field("stations", "station", "Station ids.")
    set: int | None = Field(None, ge=0, le=MAX_QUOTA, description="The new quota.")
    scale: float | None = Field(
        None, ge=0, le=MAX_FACTOR, description="Multiply the quota (rounded half up)."
    )

    @model_validator(mode="after")
    def _one(self) -> Quota:
        if (self.set is None) == (self.scale is None):
            raise ValueError(L_("either set or scale, not both"))
        return self


class Lending(_Strict):
    """Switch lending of auxiliaries within a district on or off (rule 6, a policy switch)."""

    kind: Literal["lending"] = "lending"
    enabled: bool


Change = Annotated[
    ScaleDemand | AddCrews | RemoveCrews | AbsenceChange | Headcount | Quota | Lending,
    Field(discriminator="kind"),
]
CHANGE_KINDS: tuple[str, ...] = (
    "scale_demand",
    "add_crews",
    "remove_crews",
    "absence",
    "headcount",
    "quota",
    "lending",
)


class HorizonSpec(_Strict):
    start: Annotated[dt.date, AfterValidator(planning_date)]
    days: int = Field(7, ge=1, le=366)


class SolverSpec(_Strict):
    """Solver settings; ``[solver.params]`` holds raw CP-SAT parameters (``relative_gap_limit``)."""

    time_limit: float = Field(
        60.0, gt=0, le=MAX_TIME_LIMIT, description="Wall-clock seconds for the whole solve."
    )
    seed: int = Field(
        0, ge=0, le=MAX_SEED, description="Solver seed; also draws the people of count-based changes."
    )
    workers: int | None = Field(
        None, ge=1, le=MAX_WORKERS, description="CP-SAT workers (default: all cores)."
    )
    params: dict[str, bool | int | float | str] = Field(default_factory=dict)

    @field_validator("params")
    @classmethod
    def _known(cls, params: dict[str, bool | int | float | str]) -> dict[str, bool | int | float | str]:
        problems = solver_param_problems(params, "[solver]")
        if problems:
            raise ValueError("; ".join(problems))
        return params


class IncidentsSpec(_Strict):
    """``[incidents]``: derive the demand from an incident log before the changes apply."""

    file: str = Field(
        min_length=1, description="Incident log (CSV, workbook or folder), relative to the file."
    )
    growth: float = Field(1.0, gt=0, description="Arrival rates times this: 1.15 for incidents +15 %.")


class ScenarioFile(_Strict):
    """The whole file."""

    name: str | None = None
    description: str = ""
    dataset: str = Field(min_length=1, description="Dataset folder or .xlsx, relative to the file.")
    horizon: HorizonSpec
    policy: dict[str, Any] = Field(default_factory=dict, description="Overrides of the dataset policy.")
    solver: SolverSpec = SolverSpec()
    incidents: IncidentsSpec | None = None
    changes: list[Change] = Field(default_factory=list)
