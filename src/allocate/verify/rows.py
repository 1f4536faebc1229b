"""Row-level sanity: every id exists, every date is real and inside the horizon, roles agree.

These come first because every other rule reads the dataset's facts through these ids and dates;
a row that fails here is reported once and left out of the checks that need what it lacks.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from allocate.verify.frames import Context, records, rows_where
from allocate.verify.words import person_words, row_violation

if TYPE_CHECKING:
    from allocate.verify.report import Violation

_ID_TABLES = (
    ("person_id", "known_person", "person", "staff"),
    ("task_id", "known_task", "task", "tasks"),
    ("shift_id", "known_shift", "shift", "shifts"),
    ("station_id", "known_station", "station", "stations"),
)


def check_ids(ctx: Context) -> list[Violation]:
    """unknown_id: a roster that names people or posts the dataset lacks cannot be trusted."""
    out: list[Violation] = []
    for column, flag, noun, table in _ID_TABLES:
        for row in rows_where(ctx.rows, ~ctx.rows[flag]):
            value = getattr(row, column)
            message = (
                f"Crew {row.crew_id} on {row.date or row.raw_date} names {noun} {value!r}, "
                f"which is not in the {table} table"
            )
            out.append(row_violation("unknown_id", message, row))
    return out


def check_horizon(ctx: Context) -> list[Violation]:
    """horizon: a crew on a date that is not a date, or outside the horizon, is not this plan's."""
    h = ctx.horizon
    outside = ~ctx.inside(ctx.rows)
    if not outside.any():
        return []
    bad = ctx.rows[outside].drop_duplicates(["crew_id", "raw_date"])
    out = []
    for row in records(bad):
        if row.date is None:
            message = f"Crew {row.crew_id} has date {row.raw_date!r}, which is not a date (YYYY-MM-DD)"
        else:
            message = f"Crew {row.crew_id} is on {row.date}, outside the horizon {h.start} to {h.end}"
        out.append(row_violation("horizon", message, row, person_id=""))
    return out


def check_roles(ctx: Context) -> list[Violation]:
    """role_mismatch: the roster's role column must say what the staff table says."""
    rows = ctx.rows
    bad = rows["known_person"] & (rows["role"] != rows["staff_role"])
    return [
        row_violation(
            "role_mismatch",
            f"{person_words(row.person_id, row.staff_role)} is listed as {row.role!r} "
            f"in crew {row.crew_id} on {row.date or row.raw_date}; the staff table says "
            f"{row.staff_role!r}",
            row,
        )
        for row in rows_where(rows, bad)
    ]
