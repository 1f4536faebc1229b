"""Who may fill which post (rules 1, 4, 5, 6 and absences): per-row facts about person and task.

Each rule is a mask over the known roster rows plus the words that explain it, so adding a rule is
adding one small function; the facts come from the staff and task tables, never from the roster's
own `role` column (a wrong role there is `role_mismatch`, not a licence).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from allocate.verify.frames import Context, rows_where
from allocate.verify.words import row_person, row_place, row_violation, task_words

if TYPE_CHECKING:
    from collections.abc import Callable

    from allocate.domain import Absence
    from allocate.verify.report import Violation


def check_eligibility(ctx: Context) -> list[Violation]:
    """Every per-row eligibility rule, in the order of the law."""
    rows = ctx.known
    return [
        *sworn_only(rows),
        *civilian_support_only(rows),
        *disqualified(rows),
        *untrained(rows),
        *training_lapsed(rows),
        *skill(rows),
        *home_station(ctx, rows),
        *absence(ctx, rows),
    ]


def flag(rows: pd.DataFrame, mask: pd.Series, rule: str, explain: Callable[[Any], str]) -> list[Violation]:
    """One violation per row where `mask` holds, worded as `<person> <explain(row)>`."""
    return [row_violation(rule, f"{row_person(row)} {explain(row)}", row) for row in rows_where(rows, mask)]


def is_auxiliary(rows: pd.DataFrame) -> pd.Series:
    return rows["staff_role"].isin(["aux_service", "aux_civilian"])


def on_task(row: Any) -> str:
    return f"is on {task_words(row.task_id, row.duty_class)} {row_place(row)}"


def sworn_only(rows: pd.DataFrame) -> list[Violation]:
    """sworn_only (rule 1): enforcement powers are never exercised by an auxiliary."""
    mask = is_auxiliary(rows) & rows["duty_class"].eq("police_only")
    return flag(
        rows, mask, "sworn_only", lambda r: f"{on_task(r)}: police_only duties are for sworn officers"
    )


def civilian_support_only(rows: pd.DataFrame) -> list[Violation]:
    """civilian_support_only (rule 4): civilian auxiliaries are hired for desk work only."""
    mask = rows["staff_role"].eq("aux_civilian") & rows["duty_class"].ne("support")
    return flag(
        rows,
        mask,
        "civilian_support_only",
        lambda r: f"{on_task(r)}: civilian auxiliaries fill support posts only",
    )


def disqualified(rows: pd.DataFrame) -> list[Violation]:
    """disqualified (rule 5): a punishment or bad-credit record bars a person from any post."""
    mask = rows["disqualified"].eq(True)
    return flag(rows, mask, "disqualified", lambda r: f"{on_task(r)} but is disqualified and never assigned")


def untrained(rows: pd.DataFrame) -> list[Violation]:
    """untrained (rule 5): no auxiliary serves before pre-job training."""
    mask = is_auxiliary(rows) & rows["pre_job_trained"].eq(False)
    return flag(rows, mask, "untrained", lambda r: f"{on_task(r)} without pre-job training")


def training_lapsed(rows: pd.DataFrame) -> list[Violation]:
    """training_lapsed (rule 5): lapsed periodic training restricts an auxiliary to support posts."""
    lapsed = rows["trained_until"].notna() & (rows["trained_until"] < rows["day"])
    mask = is_auxiliary(rows) & lapsed & rows["duty_class"].ne("support")
    return flag(
        rows,
        mask,
        "training_lapsed",
        lambda r: f"{on_task(r)} but training lapsed on {r.trained_until:%Y-%m-%d}: support posts only",
    )


def skill(rows: pd.DataFrame) -> list[Violation]:
    """skill (rule 5): every member of a crew holds the skill its task requires."""
    lacks = [
        bool(needed) and needed not in held
        for needed, held in zip(rows["task_skill"], rows["skills"], strict=True)
    ]
    mask = pd.Series(lacks, index=rows.index, dtype=bool)
    return flag(rows, mask, "skill", lambda r: f"{on_task(r)} without the skill {r.task_skill!r} it requires")


def home_station(ctx: Context, rows: pd.DataFrame) -> list[Violation]:
    """home_station (rule 6): people work where they belong; lending is the policy's exception."""
    away = rows["home_station"].ne(rows["station_id"])
    if ctx.policy.lending:
        lent = is_auxiliary(rows) & rows["home_district"].eq(rows["station_district"])
        away &= ~lent
    why = (
        "lending is for auxiliaries within their district"
        if ctx.policy.lending
        else "lending between stations is off"
    )
    return flag(
        rows, away, "home_station", lambda r: f"of station {r.home_station} {on_task(r)}: {why} (rule 6)"
    )


def absence(ctx: Context, rows: pd.DataFrame) -> list[Violation]:
    """absence: leave, training and sickness are respected; nobody works while absent.

    Each rostered day of a person with absences is compared with their absences in the dataset's
    order (the first that holds it is named): a station has a few absences, and joining the two
    tables cost more than comparing them.
    """
    spells: dict[str, list[tuple[pd.Timestamp, pd.Timestamp, Absence]]] = {}
    for a in ctx.dataset.absences:
        spells.setdefault(a.person_id, []).append((pd.Timestamp(a.date_from), pd.Timestamp(a.date_to), a))
    rostered = rows["person_id"].isin(list(spells))
    if not rostered.any():
        return []
    hit_rows, hit_spells = [], []
    candidates = rows[rostered]
    for k, person, day in zip(
        np.flatnonzero(rostered), candidates["person_id"], candidates["day"], strict=True
    ):
        for first, last, a in spells[person]:
            if first <= day <= last:
                hit_rows.append(k)
                hit_spells.append(a)
    if not hit_rows:
        return []
    hits = rows.iloc[hit_rows].reset_index(drop=True)
    hits["absent_from"] = pd.to_datetime([a.date_from for a in hit_spells])
    hits["absent_to"] = pd.to_datetime([a.date_to for a in hit_spells])
    hits["absence_kind"] = [a.kind for a in hit_spells]
    hits = hits.drop_duplicates(["crew_id", "person_id", "date"])
    return flag(
        hits,
        pd.Series(True, index=hits.index),
        "absence",
        lambda r: (
            f"{on_task(r)} during {r.absence_kind} from {r.absent_from:%Y-%m-%d} to {r.absent_to:%Y-%m-%d}"
        ),
    )
