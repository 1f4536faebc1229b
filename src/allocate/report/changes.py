"""The report's "changes" section after a re-plan: per person, what they must now do.

Read from changes.csv beside the roster (only a re-plan writes it). Each person touched gets a
short notice, ready to send: the duties added and the duties taken off, in date order.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pandas as pd

if TYPE_CHECKING:
    from allocate.report.data import ReportData

CHANGES_FILE = "changes.csv"


def change_notices(data: ReportData) -> list[dict[str, Any]] | None:
    """One notice per person touched, or None when the folder is not a re-plan's."""
    path = data.folder / CHANGES_FILE
    if not path.is_file():
        return None
    table = pd.read_csv(path, dtype=str, keep_default_na=False)
    starts = {s.shift_id: s.label for s in data.shifts}
    notices = []
    for person_id, rows in table.sort_values(["person_id", "date", "change"]).groupby("person_id", sort=True):
        lines = []
        for r in rows.itertuples(index=False):
            verb = "now works" if r.change == "added" else "no longer works"
            lines.append(
                f"{verb} {r.date} {starts.get(r.shift_id, r.shift_id)}: "
                f"{data.task_name(r.task_id)} at {data.station_name(r.station_id)}"
            )
        notices.append({"pid": person_id, "name": data.person_name(person_id), "lines": lines})
    return notices
