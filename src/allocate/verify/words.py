"""Phrases for violation messages, so every rule speaks of people, posts and crews the same way."""

from __future__ import annotations

from typing import Any

from allocate.verify.report import Violation


def person_words(person_id: str, role: object) -> str:
    """``Officer P1 (sworn)`` or ``Auxiliary A-017 (aux_civilian)``; ``Person X`` if unknown."""
    if role == "sworn":
        return f"Officer {person_id} (sworn)"
    if isinstance(role, str) and role.startswith("aux"):
        return f"Auxiliary {person_id} ({role})"
    return f"Person {person_id}"


def row_person(row: Any) -> str:
    """The person of a roster row, by the staff table's role (the roster's own if unknown)."""
    role = row.staff_role if isinstance(row.staff_role, str) else row.role
    return person_words(row.person_id, role)


def task_words(task_id: str, duty_class: object) -> str:
    return f"{task_id} ({duty_class})" if isinstance(duty_class, str) else task_id


def post_words(station_id: str, date: object, shift_id: str) -> str:
    """``at S01 on 2026-12-08 evening``."""
    return f"at {station_id} on {date} {shift_id}"


def row_place(row: Any) -> str:
    """``at S01 on 2026-12-08 evening, crew C0042``."""
    return f"{post_words(row.station_id, row.date or row.raw_date, row.shift_id)}, crew {row.crew_id}"


def hours_words(hours: float) -> str:
    return f"{round(float(hours), 2):g} h"


def row_violation(rule: str, message: str, row: Any, person_id: str | None = None) -> Violation:
    """A violation located at a roster row (or a crew summary with the same columns)."""
    return Violation(
        rule=rule,
        message=message,
        date=row.date or row.raw_date or None,
        station_id=row.station_id or None,
        shift_id=row.shift_id or None,
        task_id=row.task_id or None,
        crew_id=row.crew_id or None,
        person_id=(person_id if person_id is not None else getattr(row, "person_id", "")) or None,
    )
