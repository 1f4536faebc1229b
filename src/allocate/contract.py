"""The column names of the data contract and the output contract (DESIGN.md), in their order.

One place for the names that planners' spreadsheets, the writers, the reports and the verifier
all rely on; reading the tables may be shared, checking them may not.
"""

from __future__ import annotations

TABLE_COLUMNS: dict[str, tuple[str, ...]] = {
    "stations": ("station_id", "name", "district", "population", "area_km2", "aux_quota"),
    "shifts": ("shift_id", "start", "hours", "rest_after"),
    "tasks": ("task_id", "name", "duty_class", "crews", "skill", "priority"),
    "staff": (
        "person_id", "name", "station_id", "role", "grade", "skills", "hours_per_week",
        "pre_job_trained", "training_valid_until", "disqualified",
    ),
    "demand": ("station_id", "date", "weekday", "shift_id", "task_id", "crews"),
    "absences": ("person_id", "date_from", "date_to", "kind"),
    "requests": ("person_id", "date", "shift_id", "want", "weight"),
    "holidays": ("date", "name", "kind"),
    "pins": ("person_id", "date", "shift_id", "task_id", "pin"),
}  # fmt: skip

EXTRA_COLUMNS: dict[str, tuple[str, ...]] = {"stations": ("urban",), "tasks": ("incident_types",)}
"""Optional columns after the core ones, read by `allocate demand` (which stations are urban, which
task answers which incidents)."""

ROSTER_COLUMNS: tuple[str, ...] = (
    "date", "station_id", "shift_id", "task_id", "crew_id", "person_id", "role", "slot", "lead_id",
)  # fmt: skip
COVERAGE_COLUMNS: tuple[str, ...] = (
    "date", "station_id", "shift_id", "task_id", "crews_required", "crews_staffed", "shortfall",
)  # fmt: skip
TABLE_COLUMNS["history"] = ROSTER_COLUMNS
