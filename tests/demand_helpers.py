"""Small incident logs on the tiny dataset, as files (for the loader and CLI) or in memory."""

from __future__ import annotations

import csv
import datetime as dt
import shutil
from pathlib import Path

import pandas as pd

from allocate.io.incidents import INCIDENT_COLUMNS, IncidentLog
from allocate.io.load import load_dataset

TINY = Path(__file__).parent / "data" / "tiny"
MONDAY = dt.datetime(2026, 11, 2)


def tiny_with_types(folder: Path, types: dict[str, str] | None = None) -> Path:
    """A copy of tests/data/tiny whose tasks.csv names the incident types of `resp`."""
    types = {"resp": "theft;assault"} if types is None else types
    shutil.copytree(TINY, folder)
    with (TINY / "tasks.csv").open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    with (folder / "tasks.csv").open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, [*rows[0].keys(), "incident_types"], lineterminator="\n")
        writer.writeheader()
        for row in rows:
            writer.writerow({**row, "incident_types": types.get(row["task_id"], "")})
    return folder


def write_log(path: Path, rows: list[dict[str, object]], columns: tuple[str, ...] = INCIDENT_COLUMNS) -> Path:
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, list(columns), lineterminator="\n", extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)
    return path


def incident(
    n: int, at: dt.datetime, minutes: float = 40, kind: str = "theft", station: str = "T1", units: int = 1
):
    return {
        "incident_id": f"I{n}",
        "station_id": station,
        "received_at": at.isoformat(timespec="minutes"),
        "type": kind,
        "handling_minutes": minutes,
        "units": units,
        "priority": "",
    }


def memory_log(events: list[tuple[int, int, float]], weeks: int = 2) -> IncidentLog:
    """An in-memory log at T1: (day from MONDAY, hour, handling minutes) per theft, plus one
    incident on the first and last day so that every log spans the same `weeks` weeks."""
    last = 7 * weeks - 1
    stamps = [(0, 0, 1.0), (last, 23, 1.0), *events]
    frame = pd.DataFrame(
        {
            "incident_id": [f"I{k}" for k in range(len(stamps))],
            "station_id": "T1",
            "received_at": [MONDAY + dt.timedelta(days=d, hours=h, minutes=7) for d, h, _ in stamps],
            "type": "theft",
            "handling_minutes": [float(m) for _, _, m in stamps],
            "units": 1,
            "priority": "",
        }
    )
    return IncidentLog(frame, {"resp": frozenset({"theft"})}, {}, "memory")


def tiny_dataset():
    return load_dataset(TINY)
