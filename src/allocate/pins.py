"""Pins: a planner's decisions that every solve must keep (pins.csv).

A pin `on` says the person works that date (that shift, that task, when given); `off` says they
do not. Pins are hard, so a pin the law forbids is bad input, refused before any model is built:
the pinned person must be able to serve (rules 1, 4, 5), be present, be past the rest owed for their
last shift, and a post must exist for them to serve. Each refusal names pins.csv's row and column.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import TYPE_CHECKING

from allocate.demand import expand_posts
from allocate.i18n import L_
from allocate.io.errors import InputError, InputIssue
from allocate.model.eligibility import can_serve_task, may_work_at
from allocate.rules.labour import free_from

if TYPE_CHECKING:
    from collections.abc import Iterable

    from allocate.domain import Assignment, Dataset, Horizon, Person, Pin, Post
    from allocate.policy import Policy


def check_pins(dataset: Dataset, horizon: Horizon, policy: Policy, past: Iterable[Assignment] = ()) -> None:
    """Raise :class:`InputError` naming every pin that no lawful roster can keep.

    `past` is worked time besides the history (a re-plan's frozen assignments): pins may not
    fall inside the rest it leaves owed.
    """
    if not dataset.pins:
        return
    issues: list[InputIssue] = []
    posts = expand_posts(dataset, horizon)
    worked = _last_ends(dataset, policy, (*dataset.history, *past))
    for pin in dataset.pins:
        if pin.date not in horizon:
            issues.append(
                _issue(
                    pin,
                    "date",
                    pin.date,
                    L_(
                        "a date within the horizon %(first)s .. %(last)s",
                        first=horizon.start,
                        last=horizon.end,
                    ),
                )
            )
            continue
        if pin.on:
            problem = _unlawful(dataset, policy, pin, posts, worked)
            if problem:
                issues.append(_issue(pin, *problem))
    issues += _clashes(dataset, policy, [p for p in dataset.pins if p.date in horizon])
    if issues:
        raise InputError(issues)


def _issue(pin: Pin, column: str, value: object, expected: str) -> InputIssue:
    text = value.isoformat() if isinstance(value, dt.date) else value
    return InputIssue(pin.file, pin.line, column, text, expected)


def _unlawful(
    dataset: Dataset,
    policy: Policy,
    pin: Pin,
    posts: list[Post],
    worked: dict[str, list[tuple[dt.datetime, dt.datetime]]],
) -> tuple[str, object, str] | None:
    """(column, value, what was expected) for an `on` pin the law forbids, or None."""
    person = dataset.person_by_id[pin.person_id]
    if person.disqualified:
        return (
            "person_id",
            pin.person_id,
            L_("a person who may be assigned (this one is disqualified, rule 5)"),
        )
    if not person.is_sworn and not person.pre_job_trained:
        return (
            "person_id",
            pin.person_id,
            L_("a person who may be assigned (this auxiliary has no pre-job training)"),
        )
    if dataset.is_absent(pin.person_id, pin.date):
        return (
            "date",
            pin.date,
            L_("a date on which %(person)s is not absent (absences.csv)", person=pin.person_id),
        )
    if pin.task_id is not None:
        task = dataset.task_by_id[pin.task_id]
        if not can_serve_task(person, task, pin.date):
            return (
                "task_id",
                pin.task_id,
                L_(
                    "a task %(person)s (%(role)s) may serve; %(task)s is %(duty)s%(skill)s",
                    person=pin.person_id,
                    role=person.role,
                    task=task.task_id,
                    duty=task.duty_class,
                    skill=L_(" and needs skill %(skill)s", skill=task.skill) if task.skill else "",
                ),
            )
    shifts = [dataset.shift_by_id[pin.shift_id]] if pin.shift_id else list(dataset.shifts)
    owed = worked.get(pin.person_id, ())
    if owed and all(any(a < s.starts_at(pin.date) < b for a, b in owed) for s in shifts):
        return (
            "date",
            pin.date,
            L_(
                "a start outside the rest %(person)s is owed after a shift already worked",
                person=pin.person_id,
            ),
        )
    if not any(_serves(dataset, policy, person, pin, post) for post in posts):
        what = " ".join(x for x in (pin.shift_id, pin.task_id) if x) or L_("any")
        expected = L_(
            "a date with a post (%(what)s) in the demand that %(person)s may serve",
            what=what,
            person=pin.person_id,
        )
        return "date", pin.date, expected
    return None


def _serves(dataset: Dataset, policy: Policy, person: Person, pin: Pin, post: Post) -> bool:
    if not pin.matches(post.date, post.shift_id, post.task_id) or post.crews_required < 1:
        return False
    station, home = dataset.station_by_id[post.station_id], dataset.station_by_id[person.station_id]
    task = dataset.task_by_id[post.task_id]
    return may_work_at(person, station, home, policy.lending) and can_serve_task(person, task, post.date)


def _last_ends(
    dataset: Dataset, policy: Policy, rows: Iterable[Assignment]
) -> dict[str, list[tuple[dt.datetime, dt.datetime]]]:
    """Per person, (start, end of the rest owed) of each worked shift."""
    out: dict[str, list[tuple[dt.datetime, dt.datetime]]] = defaultdict(list)
    for row in rows:
        person = dataset.person_by_id.get(row.person_id)
        shift = dataset.shift_by_id.get(row.shift_id)
        if person is None or shift is None:
            continue
        start = shift.starts_at(row.date)
        out[row.person_id].append((start, free_from(start, shift, policy.rules_for(person.role))))
    return out


def _clashes(dataset: Dataset, policy: Policy, pins: list[Pin]) -> list[InputIssue]:
    """Pins of one person that no roster can keep together: on and off at once, two shifts a day,
    or two pinned shifts without the rest between them."""
    by_person: dict[str, list[Pin]] = defaultdict(list)
    for pin in pins:
        by_person[pin.person_id].append(pin)
    issues = []
    for person_id, mine in by_person.items():
        rules = policy.rules_for(dataset.person_by_id[person_id].role)
        for k, b in enumerate(mine):
            for a in mine[:k]:
                why = _clash(dataset, rules, a, b)
                if why:
                    issues.append(
                        _issue(
                            b,
                            "pin",
                            "on" if b.on else "off",
                            L_("a pin that agrees with line %(line)s (%(why)s)", line=a.line, why=why),
                        )
                    )
                    break
    return issues


def _clash(dataset: Dataset, rules, a: Pin, b: Pin) -> str | None:
    if a.date == b.date:
        if a.on != b.on:
            on, off = (a, b) if a.on else (b, a)
            shifts = off.shift_id is None or off.shift_id == on.shift_id
            tasks = off.task_id is None or off.task_id == on.task_id
            return L_("it rules out all the other allows") if shifts and tasks else None
        if a.on and a.shift_id and b.shift_id and a.shift_id != b.shift_id:
            return L_("one shift start a day")
        if a.on and a.task_id and b.task_id and a.task_id != b.task_id:
            return L_("one shift start a day, one post a shift")
        return None
    if a.on and b.on and a.shift_id and b.shift_id:
        first, second = (a, b) if a.date < b.date else (b, a)
        s1, s2 = dataset.shift_by_id[first.shift_id], dataset.shift_by_id[second.shift_id]
        if s2.starts_at(second.date) < free_from(s1.starts_at(first.date), s1, rules):
            return L_("not enough rest between the two shifts")
    return None
