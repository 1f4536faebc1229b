"""Crews (rules 2-3): one consistent crew, an allowed pattern, sworn slots for sworn officers, a lead.

A crew is the unit the law talks about: auxiliaries assist "inside a crew led by a sworn officer of
the same station, on the same date, shift and task", or work under the command of an officer on duty.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import pandas as pd

from allocate.domain import CrewPattern
from allocate.verify.frames import Context, records, rows_where
from allocate.verify.words import person_words, row_person, row_violation, task_words

if TYPE_CHECKING:
    from collections.abc import Iterable

    from allocate.verify.report import Violation

# The columns all rows of one crew must share.
CREW_KEY = ["raw_date", "station_id", "shift_id", "task_id", "lead_id"]
# The columns a crew summary takes from its rows.
CREW_POST = ("date", "raw_date", "station_id", "shift_id", "task_id", "lead_id", "duty_class")
SLOTS = ("S", "A")


def check_crews(ctx: Context) -> list[Violation]:
    """crew_consistency, crew_composition, slot_role and lead, from one summary of the crews."""
    crews = summarise_crews(ctx.rows)
    judged = list(records(checkable(ctx, crews)))  # read once for patterns and leads
    return [
        *crew_consistency(ctx.rows, crews),
        *slot_roles(ctx.rows),
        *repeated_members(ctx.rows),
        *crew_patterns(ctx, judged),
        *crew_leads(ctx, judged),
    ]


@dataclass
class _Crew:
    """What one crew's rows say, gathered in one pass (`post` holds each column's first known value)."""

    post: dict[str, Any]
    keys: list[set[Any]]  # the distinct values of each CREW_KEY column
    slots: Counter[str] = field(default_factory=Counter)
    sworn_members: set[str] = field(default_factory=set)


def summarise_crews(rows: pd.DataFrame) -> pd.DataFrame:
    """One row per crew_id (in order of appearance): its post and lead, slot counts, sworn members
    and consistency.

    One pass in plain Python: a roster has few rows per crew, and grouping them with pandas cost a
    dozen frame operations per summary. A post column takes its first value that is not missing,
    as pandas' `first` would (missing throughout: None, or NaN for `duty_class`); text is never
    missing, and asking pandas about each cell cost a fifth of the summary.
    """
    crews: dict[str, _Crew] = {}
    post = {c: rows[c].tolist() for c in CREW_POST}
    key = {c: rows[c].tolist() for c in CREW_KEY}
    people = zip(rows["crew_id"], rows["slot"], rows["staff_role"], rows["person_id"], strict=True)
    for i, (crew_id, slot, role, person) in enumerate(people):
        crew = crews.get(crew_id)
        if crew is None:
            crew = crews[crew_id] = _Crew(dict.fromkeys(CREW_POST), [set() for _ in CREW_KEY])
        for column, values in post.items():
            if crew.post[column] is None and (isinstance(values[i], str) or not pd.isna(values[i])):
                crew.post[column] = values[i]
        for seen, values in zip(crew.keys, key.values(), strict=True):
            seen.add(values[i])
        crew.slots[slot if slot in SLOTS else ""] += 1
        if role == "sworn":
            crew.sworn_members.add(person)
    summary = list(crews.values())
    table = {"crew_id": pd.Series(list(crews), dtype=object)}
    for column in CREW_POST:
        table[column] = pd.Series(
            [c.post[column] for c in summary], dtype="str" if column == "duty_class" else object
        )
    for column, slot in (("n_sworn_slots", "S"), ("n_aux_slots", "A"), ("n_bad_slots", "")):
        table[column] = pd.Series([c.slots[slot] for c in summary], dtype="int64")
    table["consistent"] = pd.Series([all(len(s) <= 1 for s in c.keys) for c in summary], dtype=bool)
    table["sworn_members"] = pd.Series([frozenset(c.sworn_members) for c in summary], dtype=object)
    return pd.DataFrame(table)


def crew_words(crew: Any) -> str:
    """``Crew K2 (patrol (independent) at S01 on 2026-12-07 evening)``."""
    task = task_words(crew.task_id, crew.duty_class)
    return (
        f"Crew {crew.crew_id} ({task} at {crew.station_id} on {crew.date or crew.raw_date} {crew.shift_id})"
    )


def crew_consistency(rows: pd.DataFrame, crews: pd.DataFrame) -> list[Violation]:
    """crew_consistency: rows sharing a crew_id must describe one crew, or nothing else holds."""
    out = []
    for crew in rows_where(crews, ~crews["consistent"]):
        members = rows[rows["crew_id"] == crew.crew_id]
        differing = [
            f"{column.removeprefix('raw_')} ({', '.join(repr(v) for v in pd.unique(members[column]))})"
            for column in CREW_KEY
            if members[column].nunique(dropna=False) > 1
        ]
        message = f"Crew {crew.crew_id} is not one crew: its rows differ in {'; '.join(differing)}"
        out.append(row_violation("crew_consistency", message, crew, person_id=""))
    return out


def slot_roles(rows: pd.DataFrame) -> list[Violation]:
    """slot_role: slots are S or A, and only a sworn officer fills an S slot."""
    out = []
    for row in rows_where(rows, ~rows["slot"].isin(SLOTS)):
        message = f"{row_person(row)} has slot {row.slot!r} in crew {row.crew_id}; a slot is S or A"
        out.append(row_violation("slot_role", message, row))
    aux_in_s = rows["slot"].eq("S") & rows["known_person"] & rows["staff_role"].ne("sworn")
    for row in rows_where(rows, aux_in_s):
        message = (
            f"{row_person(row)} fills an S slot of crew {row.crew_id} on {row.date or row.raw_date}: "
            "S slots are for sworn officers (rule 2)"
        )
        out.append(row_violation("slot_role", message, row))
    return out


def repeated_members(rows: pd.DataFrame) -> list[Violation]:
    """crew_composition: a person counts once in a crew; listing them twice fakes a slot."""
    repeated = rows.duplicated(["crew_id", "person_id"], keep="first")
    if not repeated.any():
        return []
    return [
        row_violation(
            "crew_composition",
            f"{row_person(row)} appears more than once in crew {row.crew_id} on {row.date or row.raw_date}",
            row,
        )
        for row in records(rows[repeated].drop_duplicates(["crew_id", "person_id"]))
    ]


def checkable(ctx: Context, crews: pd.DataFrame) -> pd.DataFrame:
    """Consistent crews of a known task: the only ones whose pattern and lead mean anything."""
    return crews[crews["consistent"] & crews["task_id"].isin(list(ctx.dataset.task_by_id))]


def crew_patterns(ctx: Context, crews: Iterable[Any]) -> list[Violation]:
    """crew_composition: a crew is exactly one allowed pattern; a led or police_only crew has a sworn.

    `crews` are the :func:`checkable` crews' summaries."""
    out = []
    for crew in crews:
        if crew.n_bad_slots:
            continue  # already a slot_role violation; its counts mean nothing
        task = ctx.dataset.task_by_id[crew.task_id]
        pattern = CrewPattern(int(crew.n_sworn_slots), int(crew.n_aux_slots))
        if pattern not in task.crews:
            message = (
                f"{crew_words(crew)} is {pattern.sworn}S+{pattern.aux}A; "
                f"the task allows {task.crews_text} (rule 2)"
            )
        elif task.duty_class in ("led", "police_only") and not crew.sworn_members:
            message = f"{crew_words(crew)} has no sworn officer; a {task.duty_class} crew is led by one"
        else:
            continue
        out.append(row_violation("crew_composition", message, crew, person_id=""))
    return out


def on_duty_officers(rows: pd.DataFrame) -> set[tuple[str, str, str, str]]:
    """(person, date, shift, station) of everyone in the roster: who is on duty where and when."""
    return set(zip(rows["person_id"], rows["date"], rows["shift_id"], rows["station_id"], strict=True))


def crew_leads(ctx: Context, crews: Iterable[Any]) -> list[Violation]:
    """lead: a crew with a sworn member is led by one; an auxiliary-only crew is commanded (rule 3).

    `crews` are the :func:`checkable` crews' summaries."""
    on_duty = on_duty_officers(ctx.rows)
    out = []
    for crew in crews:
        if crew.sworn_members:
            problem = leader_problem(crew)
        elif crew.duty_class == "independent" or (crew.duty_class == "support" and crew.lead_id):
            problem = commander_problem(ctx, crew, on_duty)
        else:
            continue  # support without a commander is lawful; led/police_only: crew_composition
        if problem:
            out.append(row_violation("lead", f"{crew_words(crew)} {problem}", crew, person_id=crew.lead_id))
    return out


def leader_problem(crew: Any) -> str | None:
    """Why the named lead is not one of the crew's sworn members, or None when he is."""
    if crew.lead_id in crew.sworn_members:
        return None
    sworn = ", ".join(sorted(crew.sworn_members))
    if not crew.lead_id:
        return f"names no lead; it must be one of its sworn members ({sworn}) (rule 2)"
    return f"names {crew.lead_id} as lead; the lead must be one of its sworn members ({sworn}) (rule 2)"


def commander_problem(ctx: Context, crew: Any, on_duty: set[tuple[str, str, str, str]]) -> str | None:
    """Why an auxiliary-only crew is not under a sworn officer of its station on duty in its shift."""
    lead = crew.lead_id
    if not lead:
        return "has no sworn member and names no officer on duty to command it (rule 3)"
    person = ctx.dataset.person_by_id.get(lead)
    if person is None:
        return f"names {lead!r} as commander, who is not in the staff table"
    who = person_words(lead, person.role)
    if not person.is_sworn:
        return f"names {who} as commander; only a sworn officer commands auxiliaries (rule 3)"
    if person.station_id != crew.station_id:
        return f"names {who} of station {person.station_id} as commander; the commander must be of {crew.station_id} (rule 6)"
    if (lead, crew.date, crew.shift_id, crew.station_id) not in on_duty:
        return (
            f"has no sworn member and names {who} as commander, who is not on duty at "
            f"{crew.station_id} on {crew.date} {crew.shift_id} (rule 3)"
        )
    return None
