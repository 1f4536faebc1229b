"""Who may fill which slot of a post: rules 1 (sworn-only), 4 (auxiliary kinds), 5 (fitness),
6 (home station) and absences. Everything here is decided before the model is built, so the
CP-SAT model only holds variables for lawful person x post pairs (a sparse model)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import datetime as dt

    from allocate.domain import Dataset, Person, Post, Station, Task


def can_serve_task(person: Person, task: Task, day: dt.date) -> bool:
    """Whether the person may be a member of a crew of this task on this day (any slot)."""
    if person.disqualified:
        return False
    if task.skill and task.skill not in person.skills:
        return False
    if person.is_sworn:
        return True
    if not person.pre_job_trained:
        return False
    if task.duty_class == "police_only":
        return False
    if task.duty_class == "support":
        return True
    if person.role == "aux_civilian":
        return False
    lapsed = person.training_valid_until is not None and person.training_valid_until < day
    return not lapsed


def may_work_at(person: Person, station: Station, home: Station, lending: bool) -> bool:
    """Home station only, unless lending is on: auxiliaries then work anywhere in their district."""
    if person.station_id == station.station_id:
        return True
    return lending and not person.is_sworn and home.district == station.district


def eligible(dataset: Dataset, person: Person, post: Post, lending: bool) -> bool:
    """All per-person rules that do not depend on the rest of the roster."""
    station = dataset.station_by_id[post.station_id]
    home = dataset.station_by_id[person.station_id]
    return (
        may_work_at(person, station, home, lending)
        and can_serve_task(person, dataset.task_by_id[post.task_id], post.date)
        and not dataset.is_absent(person.person_id, post.date)
    )
