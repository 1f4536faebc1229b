"""Who may fill which slot of a post: sworn-only duties, the two kinds of auxiliaries, fitness to
serve, the home station and absences (rules 1, 4, 5, 6 and 7 of docs/RULES.md). Everything here is decided before the model is built, so the
CP-SAT model only holds variables for lawful person x post pairs (a sparse model)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import datetime as dt
    from collections.abc import Sequence

    from allocate.domain import Dataset, Person, Post, Station, Task


def task_barrier(person: Person, task: Task, day: dt.date) -> str | None:
    """The rule (its key in allocate.rules.names) that keeps the person off this task, or None.

    Checked in the order a planner would fix them: fitness first, then role, then the skill.
    """
    if person.disqualified:
        return "disqualified"
    if not person.is_sworn:
        if not person.pre_job_trained:
            return "untrained"
        if task.duty_class == "police_only":
            return "sworn_only"
        if task.duty_class != "support" and person.role == "aux_civilian":
            return "civilian_support_only"
        lapsed = person.training_valid_until is not None and person.training_valid_until < day
        if lapsed and task.duty_class != "support":
            return "training_lapsed"
    if task.skill and task.skill not in person.skills:
        return "skill"
    return None


def can_serve_task(person: Person, task: Task, day: dt.date) -> bool:
    """Whether the person may be a member of a crew of this task on this day (any slot)."""
    return task_barrier(person, task, day) is None


def may_work_at(person: Person, station: Station, home: Station, lending: bool) -> bool:
    """Home station only, unless lending is on: auxiliaries then work anywhere in their district."""
    if person.station_id == station.station_id:
        return True
    return lending and not person.is_sworn and home.district == station.district


def barrier(dataset: Dataset, person: Person, post: Post, lending: bool) -> str | None:
    """The rule that keeps the person off this post whatever the rest of the roster, or None."""
    station = dataset.station_by_id[post.station_id]
    home = dataset.station_by_id[person.station_id]
    if not may_work_at(person, station, home, lending):
        return "home_station"
    why = task_barrier(person, dataset.task_by_id[post.task_id], post.date)
    if why is None and dataset.is_absent(person.person_id, post.date):
        return "absence"
    return why


def eligible(dataset: Dataset, person: Person, post: Post, lending: bool) -> bool:
    """All per-person rules that do not depend on the rest of the roster."""
    return barrier(dataset, person, post, lending) is None


def eligibility_key(dataset: Dataset, person: Person, dates: Sequence[dt.date]) -> tuple:
    """Everything :func:`eligible` reads of a person, over posts on `dates`: the home station, the
    role, training, fitness, skills, and the days absent. People with the same key are eligible for
    the same posts (a station's interchangeable people), so a unit asks once per key: asking every
    person was a tenth of a station's model build. Any field a rule here reads belongs in it."""
    absent = tuple(day for day in dates if dataset.is_absent(person.person_id, day))
    valid = person.training_valid_until
    lapsed = () if valid is None else tuple(day for day in dates if valid < day)
    return (
        person.station_id, person.role, person.skills, person.pre_job_trained, lapsed,
        person.disqualified, absent,
    )  # fmt: skip


def eligible_among(dataset: Dataset, person: Person, posts: Sequence[Post], lending: bool) -> list[int]:
    """Indexes of the `posts` the person is :func:`eligible` for, in order.

    The same answer as asking post by post (the same three parts as :func:`barrier`: where,
    whether absent, which tasks), but decided once per (station, date, task), whatever the shift,
    and absence once per date: a unit's posts repeat these across shifts, and a district unit
    with lending has thousands of people and posts, so asking every pair was most of its build
    time.
    """
    home = dataset.station_by_id[person.station_id]
    present: dict[dt.date, bool] = {}
    decided: dict[tuple[str, dt.date, str], bool] = {}
    out = []
    for k, post in enumerate(posts):
        key = (post.station_id, post.date, post.task_id)
        ok = decided.get(key)
        if ok is None:
            if post.date not in present:
                present[post.date] = not dataset.is_absent(person.person_id, post.date)
            ok = decided[key] = (
                may_work_at(person, dataset.station_by_id[post.station_id], home, lending)
                and present[post.date]
                and can_serve_task(person, dataset.task_by_id[post.task_id], post.date)
            )
        if ok:
            out.append(k)
    return out
