"""Policy: the configurable numbers that are ours, not the law's, with documented defaults.

A `policy.toml` beside the dataset (or a scenario's `[policy]` table) overrides any of them.
Labour rules are set per role family: `sworn` and `auxiliary` (both auxiliary kinds).
"""

from __future__ import annotations

import datetime as dt
import tomllib
from typing import TYPE_CHECKING

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from allocate.i18n import L_

if TYPE_CHECKING:
    from pathlib import Path

    from allocate.domain import Role

# Each weight times the largest amount it multiplies (crews of priority 1000, hours, request
# weights of 1000) must keep CP-SAT's objective inside 64-bit integers.
MAX_WEIGHT = 1_000_000


class LabourRules(BaseModel):
    """Occupational protection (rule 7) for one role family."""

    model_config = ConfigDict(frozen=True, extra="forbid", allow_inf_nan=False)

    min_rest_hours: float = Field(
        11.0, ge=0, le=168, description="Hours between the end of one shift and the next start."
    )
    max_consecutive_days: int = Field(6, ge=1, le=366, description="Most days in a row with a shift start.")
    days_off_window: int = Field(
        7, ge=2, le=366, description="Every this many consecutive days hold a day off (Labour Law Art. 38)."
    )
    max_nights_per_week: int = Field(
        4, ge=0, le=7, description="Night shifts per 7-day block from the horizon start."
    )
    max_overtime_hours_per_week: float = Field(
        9.0,
        ge=0,
        le=168,
        description="Hours above contract hours per 7-day block (Art. 41: 3 h a day, 36 h a month).",
    )
    # Optional rule families (the shift scheduling benchmark's rules). Every default is "no rule".
    forbidden_successions: tuple[tuple[str, str], ...] = Field(
        (),
        description="Pairs [A, B]: shift B may not start the day after shift A (e.g. a late, then an early).",
    )
    min_consecutive_days: int = Field(
        1, ge=1, description="Shortest run of working days; a run touching the horizon's edge is exempt."
    )
    min_consecutive_days_off: int = Field(
        1, ge=1, description="Shortest run of days off; a run touching the horizon's edge is exempt."
    )
    max_weekends_per_4_weeks: int | None = Field(
        None, ge=0, description="Worked weekends (a Saturday or Sunday start) in any 4 consecutive weekends."
    )
    max_weekends: int | None = Field(None, ge=0, description="Worked weekends over the whole horizon.")
    max_shifts_per_type: tuple[tuple[str, int], ...] = Field(
        (), description="Shift id -> most shifts of that type over the horizon (TOML: {night = 8})."
    )
    min_total_minutes: int | None = Field(
        None, ge=0, description="Fewest minutes worked over the horizon (hard: keep it reachable)."
    )
    max_total_minutes: int | None = Field(None, ge=0, description="Most minutes worked over the horizon.")

    @field_validator("forbidden_successions", mode="before")
    @classmethod
    def _pairs(cls, value: object) -> object:
        """TOML arrays of two shift ids, kept as tuples so that the rules stay hashable."""
        if isinstance(value, list | tuple):
            return tuple(tuple(pair) if isinstance(pair, list | tuple) else pair for pair in value)
        return value

    @field_validator("max_shifts_per_type", mode="before")
    @classmethod
    def _counts(cls, value: object) -> object:
        """A TOML table {shift = count} (or [shift, count] pairs), sorted into hashable pairs."""
        if isinstance(value, dict):
            value = list(value.items())
        if isinstance(value, list | tuple):
            pairs = [tuple(p) if isinstance(p, list | tuple) else p for p in value]
            return tuple(sorted(pairs, key=str))
        return value

    @field_validator("max_shifts_per_type")
    @classmethod
    def _nonnegative(cls, value: tuple[tuple[str, int], ...]) -> tuple[tuple[str, int], ...]:
        for shift_id, count in value:
            if count < 0:
                raise ValueError(
                    L_("a count >= 0 for shift %(shift)r (got %(count)s)", shift=shift_id, count=count)
                )
        return value


class Weights(BaseModel):
    """Weights of the soft goals (rule 8), in the law's order of importance.

    Uncovered crews dominate: one uncovered crew of priority 1 outweighs any plausible amount of
    the other goals, so coverage is never traded for comfort.
    """

    model_config = ConfigDict(frozen=True, extra="forbid", allow_inf_nan=False)

    uncovered: int = Field(
        10_000, ge=0, le=MAX_WEIGHT, description="Per uncovered crew, times the task priority."
    )
    overtime: int = Field(50, ge=0, le=MAX_WEIGHT, description="Per hour of overtime.")
    cost: int = Field(10, ge=0, le=MAX_WEIGHT, description="Per sworn officer in an A slot.")
    fairness: int = Field(
        5,
        ge=0,
        le=MAX_WEIGHT,
        description="Per night/weekend shift above the lowest of a station's role group.",
    )
    requests: int = Field(
        3, ge=0, le=MAX_WEIGHT, description="Per unit of weight of an unmet personal request."
    )
    stability: int = Field(1, ge=0, le=MAX_WEIGHT, description="Per change against a published roster.")


class ProactiveRule(BaseModel):
    """Proactive crews of one task (patrol): per 10,000 residents plus per km² of the station's area.

    Each listed shift gets ``factor · (per_10k_people · population / 10,000 + per_km2 · area)``
    crews on every weekday, rounded to the nearest whole crew and at least one when positive; a
    station without ``area_km2`` counts population only.
    """

    model_config = ConfigDict(frozen=True, extra="forbid", allow_inf_nan=False)

    per_10k_people: float = Field(0.0, ge=0, description="Crews per shift per 10,000 residents.")
    per_km2: float = Field(0.0, ge=0, description="Crews per shift per km² of the station's area.")
    shifts: dict[str, float] = Field(
        default_factory=lambda: {"day": 1.0, "evening": 1.5, "night": 1.0},
        description="Shift id -> factor; shifts the dataset lacks are skipped with a warning.",
    )

    @field_validator("shifts")
    @classmethod
    def _non_negative(cls, shifts: dict[str, float]) -> dict[str, float]:
        bad = [k for k, v in shifts.items() if not v >= 0]
        if bad:
            raise ValueError(L_("factors of 0 or more (not for %(keys)s)", keys=", ".join(bad)))
        return shifts


class DemandPolicy(BaseModel):
    """`[demand]`: how `allocate demand` turns an incident log into crews (Erlang C, M/M/c).

    Reactive tasks (those with `incident_types` in tasks.csv) get, per station, weekday and hour,
    the fewest crews with P(wait > target) ≤ 1 - service_level and occupancy ≤ max_occupancy;
    a shift gets its busiest hour's crews (or the `shift_percentile` of its hours).
    """

    model_config = ConfigDict(frozen=True, extra="forbid", allow_inf_nan=False)

    target_minutes_urban: float = Field(5.0, gt=0, description="Response target of urban stations.")
    target_minutes_rural: float = Field(10.0, gt=0, description="Response target of rural stations.")
    urban_density: float = Field(
        1000.0,
        ge=0,
        description="People per km² from which a station is urban, unless stations.csv has `urban`.",
    )
    service_level: float = Field(0.9, gt=0, lt=1, description="Share of incidents reached in time.")
    max_occupancy: float = Field(
        0.6, gt=0, le=1, description="Busy share of a crew's time at most (patrol obligated time)."
    )
    shift_percentile: float | None = Field(
        None, ge=0, le=100, description="Percentile of a shift's hourly crews (default: its busiest hour)."
    )
    event_days: list[dt.date] = Field(
        default_factory=list,
        description="Holidays and marked event days: kept out of the weekday means, reported apart.",
    )
    growth: float = Field(1.0, gt=0, description="Arrival rates are multiplied by this (+15 %: 1.15).")
    proactive: dict[str, ProactiveRule] = Field(
        default_factory=lambda: {"patrol": ProactiveRule(per_10k_people=0.2, per_km2=0.001)},
        description="Task id -> rule; a task the dataset lacks is skipped with a warning.",
    )


class Policy(BaseModel):
    """All policy switches and defaults of one run."""

    model_config = ConfigDict(frozen=True, extra="forbid", allow_inf_nan=False)

    sworn: LabourRules = LabourRules()
    auxiliary: LabourRules = LabourRules()
    weights: Weights = Weights()
    lending: bool = Field(False, description="Lend auxiliaries within a district (rule 6); off by default.")
    fairness_weeks: int = Field(
        4,
        ge=1,
        le=53,
        description="Weeks over which nights, weekends and holidays are spread fairly: the horizon "
        "and the weeks before it (from the history).",
    )
    max_aux_per_sworn: float | None = Field(
        None, gt=0, le=1000, description="Sizing cap: auxiliaries per sworn officer."
    )
    max_aux_per_10k_population: float | None = Field(
        None, gt=0, le=10_000, description="Sizing cap per 10,000 residents."
    )
    demand: DemandPolicy = DemandPolicy()

    def rules_for(self, role: Role | str) -> LabourRules:
        return self.sworn if role == "sworn" else self.auxiliary

    def merged(self, overrides: dict) -> Policy:
        """A copy with nested overrides applied (a scenario's `[policy]` table)."""
        data = self.model_dump()
        _deep_update(data, overrides)
        return Policy.model_validate(data)


def _deep_update(base: dict, new: dict) -> None:
    for key, value in new.items():
        if isinstance(value, dict) and isinstance(base.get(key), dict):
            _deep_update(base[key], value)
        else:
            base[key] = value


POLICY_FILE = "policy.toml"


def load_policy(folder: Path) -> Policy:
    """The dataset's `policy.toml` if there is one, else the defaults.

    Raises :class:`allocate.io.errors.InputError` naming the key when a value is wrong.
    """
    from allocate.io.errors import InputError, issues_from_pydantic

    path = folder / POLICY_FILE if folder.is_dir() else folder.with_name(POLICY_FILE)
    if not path.is_file():
        return Policy()
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise InputError.single(
            path.name, None, None, None, L_("valid TOML (%(why)s)", why=str(exc))
        ) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError.single(
            path.name, None, None, None, L_("a readable UTF-8 file (%(why)s)", why=str(exc))
        ) from None
    raw = raw.get("policy", raw)
    if not isinstance(raw, dict):
        raise InputError.single(path.name, None, "policy", raw, L_("a table of policy keys"))
    try:
        return Policy().merged(raw)
    except ValidationError as exc:
        raise InputError(issues_from_pydantic(exc, path.name)) from None


def check_shift_ids(policy: Policy, shift_ids: set[str]) -> None:
    """Shift ids named by the optional rule families exist in shifts.csv.

    A typo there would silently switch the rule off, so it is bad input (exit 2), named by key.
    """
    from allocate.io.errors import InputError, InputIssue

    issues = []
    for family in ("sworn", "auxiliary"):
        rules = getattr(policy, family)
        named = [("forbidden_successions", s) for pair in rules.forbidden_successions for s in pair]
        named += [("max_shifts_per_type", s) for s, _ in rules.max_shifts_per_type]
        for key, shift_id in named:
            if shift_id not in shift_ids:
                issues.append(
                    InputIssue(POLICY_FILE, None, f"{family}.{key}", shift_id, L_("a shift_id of shifts.csv"))
                )
    if issues:
        raise InputError(issues)
