"""The incident log (`incidents.csv` or an ``incidents`` sheet) and what the dataset says about it.

Kept apart from :func:`allocate.io.load.load_dataset`: a log is large, optional and read only by
`allocate demand` (and `size --incidents`), so a roster run never pays for it. Cells go through the
same readers and the same row validation as every other table, so a bad row is named by file,
line and column. Two optional columns of other tables belong to the log and are read here:
`tasks.csv` ``incident_types`` (which task answers which incident types) and `stations.csv`
``urban`` (true/false, overrides the density rule of ``[demand]``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from allocate.i18n import L_
from allocate.io.errors import InputError, InputIssue
from allocate.io.schemas import _parse_bool, _parse_list
from allocate.io.tables import RawTable, read_csv, read_tables
from allocate.io.validate import validate_table
from allocate.io.workbook import read_sheet

if TYPE_CHECKING:
    from allocate.domain import Dataset

INCIDENT_COLUMNS = (
    "incident_id", "station_id", "received_at", "type", "handling_minutes", "units", "priority",
)  # fmt: skip
NAME = "incidents"


@dataclass(frozen=True)
class IncidentLog:
    """Validated incidents (one row each) and the dataset's mapping of incident types to tasks."""

    frame: pd.DataFrame
    task_types: dict[str, frozenset[str]]
    urban: dict[str, bool] = field(default_factory=dict)
    source: str = ""

    @property
    def type_to_task(self) -> dict[str, str]:
        return {t: task for task, types in self.task_types.items() for t in types}

    def scaled_copy(self, frame: pd.DataFrame) -> IncidentLog:
        return IncidentLog(frame, self.task_types, self.urban, self.source)


def _workbook_table(book: Path) -> RawTable | None:
    """The ``incidents`` sheet of a workbook, or its only sheet; None when it has neither."""
    from openpyxl import load_workbook

    try:
        wb = load_workbook(book, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a broken file
        raise InputError.single(
            book.name, None, None, None, L_("a readable .xlsx workbook (%(why)s)", why=str(exc))
        ) from None
    try:
        sheets = {ws.title.strip().lower().removesuffix(".csv"): ws for ws in wb.worksheets}
        if NAME in sheets:
            return read_sheet(book, sheets[NAME])
        if len(wb.worksheets) == 1 and book.stem.lower() == NAME:
            return read_sheet(book, wb.worksheets[0])
        return None
    finally:
        wb.close()


def read_incident_table(path: Path | None, data: Path) -> RawTable:
    """Find the log: `path` (a CSV, a workbook or a folder), else `incidents.csv` or sheet in `data`."""
    candidates = [Path(path)] if path is not None else [Path(data)]
    for where in candidates:
        if not where.exists():
            break
        if where.is_dir():
            if (where / "incidents.csv").is_file():
                return read_csv(where / "incidents.csv")
            for book in sorted(where.glob("*.xls[xm]")):
                if not book.name.startswith("~$") and (table := _workbook_table(book)) is not None:
                    return table
        elif where.suffix.lower() in (".xlsx", ".xlsm"):
            if (table := _workbook_table(where)) is not None:
                return table
        elif where.suffix.lower() == ".csv":
            return read_csv(where)
    shown = str(path) if path is not None else f"{data}/incidents.csv"
    raise InputError.single(
        shown,
        None,
        None,
        None,
        L_("an incident log: a CSV file, a workbook with an incidents sheet, or a folder"),
    )


def _task_types(tasks: RawTable, known: set[str], issues: list[InputIssue]) -> dict[str, frozenset[str]]:
    """`incident_types` of tasks.csv; a type answered by two tasks would be counted twice: refused."""
    out: dict[str, frozenset[str]] = {}
    owner: dict[str, tuple[str, int]] = {}
    for row, line in zip(tasks.rows, tasks.lines, strict=True):
        task_id, text = row.get("task_id", ""), row.get("incident_types", "")
        if not text or task_id not in known:
            continue
        types = _parse_list(text)
        for t in sorted(types):
            if t in owner:
                issues.append(
                    InputIssue(
                        tasks.file,
                        line,
                        "incident_types",
                        t,
                        L_(
                            "an incident type answered by one task only (task %(task)s on line %(line)s)",
                            task=owner[t][0],
                            line=owner[t][1],
                        ),
                    )
                )
            owner.setdefault(t, (task_id, line))
        out[task_id] = types
    return out


def _urban(stations: RawTable, issues: list[InputIssue]) -> dict[str, bool]:
    out = {}
    for row, line in zip(stations.rows, stations.lines, strict=True):
        text = row.get("urban", "")
        if not text:
            continue
        try:
            out[row.get("station_id", "")] = _parse_bool(text)
        except ValueError:
            issues.append(InputIssue(stations.file, line, "urban", text, L_("true or false")))
    return out


def load_incidents(
    dataset: Dataset, path: str | Path | None = None, data: str | Path | None = None
) -> IncidentLog:
    """Read and validate the incident log against `dataset` (whose folder or workbook is `data`).

    Raises :class:`InputError` with every bad row: a missing column, a value of the wrong form,
    an unknown station, a repeated incident_id, an incident type claimed by two tasks.
    """
    data = Path(data if data is not None else dataset.source)
    table = read_incident_table(Path(path) if path is not None else None, data)
    issues: list[InputIssue] = []
    rows = validate_table(NAME, table, issues)
    seen: dict[str, int] = {}
    stations = dataset.station_by_id
    records = []
    for line, r in rows:
        if r.incident_id in seen:
            issues.append(
                InputIssue(
                    table.file,
                    line,
                    "incident_id",
                    r.incident_id,
                    L_(
                        "a unique %(what)s (already on line %(line)s)",
                        what="incident_id",
                        line=seen[r.incident_id],
                    ),
                )
            )
            continue
        seen[r.incident_id] = line
        if r.station_id not in stations:
            issues.append(
                InputIssue(
                    table.file,
                    line,
                    "station_id",
                    r.station_id,
                    L_("a %(column)s that exists in %(what)s", column="station_id", what="stations.csv"),
                )
            )
            continue
        records.append(
            (r.incident_id, r.station_id, r.received_at, r.type, r.handling_minutes, r.units, r.priority)
        )
    raw = read_tables(data)
    task_types = _task_types(raw["tasks"], set(dataset.task_by_id), issues)
    urban = _urban(raw["stations"], issues)
    if issues:
        raise InputError(issues)
    if not records and not len(table):
        raise InputError.single(table.file, None, None, None, L_("at least one incident row"))
    frame = pd.DataFrame.from_records(records, columns=list(INCIDENT_COLUMNS))
    frame["received_at"] = pd.to_datetime(frame["received_at"])
    frame["handling_minutes"] = frame["handling_minutes"].astype(float)
    frame["units"] = frame["units"].astype(int)
    return IncidentLog(frame, task_types, urban, table.file)
