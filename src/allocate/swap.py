"""Swapping two people's duties in a published roster, judged by the independent verifier.

Person A's duty on DATE_A goes to B and B's duty on DATE_B goes to A: they take each other's places
in the crews (slot kept), and whoever led or commanded from that place hands it over. The swapped
roster is then checked like any other; every rule it breaks that the published one did not is the
answer, with the person it concerns.
"""

from __future__ import annotations

import json
import shutil
from typing import TYPE_CHECKING

from allocate.i18n import L_
from allocate.io.errors import InputError
from allocate.output import atomic_folder, write_json
from allocate.replan import changes
from allocate.verify import verify_roster

if TYPE_CHECKING:
    import datetime as dt
    from pathlib import Path

    import pandas as pd

    from allocate.domain import Dataset, Horizon
    from allocate.policy import Policy
    from allocate.verify.report import Violation


def swapped(
    dataset: Dataset, roster: pd.DataFrame, a: str, day_a: dt.date, b: str, day_b: dt.date
) -> pd.DataFrame:
    """The roster with A's duty on `day_a` and B's on `day_b` exchanged."""
    for pid, arg in ((a, "PERSON_A"), (b, "PERSON_B")):
        if pid not in dataset.person_by_id:
            raise InputError.single(arg, None, None, pid, L_("a person_id of staff.csv"))
    if a == b:
        raise InputError.single("PERSON_B", None, None, b, L_("a person other than PERSON_A"))
    roster = roster.astype(str).reset_index(drop=True)
    rows_a = _duty(roster, a, day_a, "PERSON_A DATE_A")
    rows_b = _duty(roster, b, day_b, "PERSON_B DATE_B")
    new = roster.copy()
    for rows, old, other in ((rows_a, a, b), (rows_b, b, a)):
        first = roster.loc[rows].iloc[0]
        new.loc[rows, ["person_id", "role"]] = [other, dataset.person_by_id[other].role]
        place = (roster["date"] == first["date"]) & (roster["station_id"] == first["station_id"])
        place &= (roster["shift_id"] == first["shift_id"]) & (roster["lead_id"] == old)
        new.loc[place, "lead_id"] = other
    return new


def _duty(roster: pd.DataFrame, pid: str, day: dt.date, what: str) -> pd.Index:
    rows = roster.index[(roster["person_id"] == pid) & (roster["date"] == day.isoformat())]
    if rows.empty:
        raise InputError.single(
            what, None, None, f"{pid} {day}", L_("a person with a duty on that date in roster.csv")
        )
    return rows


def swap_violations(
    dataset: Dataset, horizon: Horizon, policy: Policy, before: pd.DataFrame, after: pd.DataFrame,
    coverage: pd.DataFrame | None = None,
) -> list[Violation]:  # fmt: skip
    """Every violation of the swapped roster that the published roster did not already have."""
    known = {
        (v.rule, v.message) for v in verify_roster(dataset, horizon, policy, before, coverage).violations
    }
    report = verify_roster(dataset, horizon, policy, after, coverage)
    return [v for v in report.violations if (v.rule, v.message) not in known]


def write_swapped(published: Path, after: pd.DataFrame, before: pd.DataFrame, out: Path, note: dict) -> Path:
    """The published folder with the swapped roster, its changes.csv and a rebuilt report."""
    from allocate.report import write_report

    def write(folder: Path) -> None:
        for f in published.iterdir():
            if f.is_file() and f.name not in ("report.html", "roster.xlsx", "changes.csv"):
                shutil.copy2(f, folder / f.name)
        after.to_csv(folder / "roster.csv", index=False)
        changes(before, after).to_csv(folder / "changes.csv", index=False)
        summary = json.loads((published / "summary.json").read_text(encoding="utf-8"))
        summary["swap"] = note
        write_json(folder / "summary.json", summary)
        write_report(folder, summary.get("dataset") or None)

    return atomic_folder(out, write)
