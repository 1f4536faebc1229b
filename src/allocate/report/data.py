"""What a report shows, read from an output folder (and, for names, from the dataset if at hand).

The report is rebuilt from the files of the output contract alone: roster.csv, coverage.csv,
summary.json, and the uncovered.csv and hours.csv written beside them. The dataset only adds
names (stations, tasks, people), shift times and absences; without it the report shows ids.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from allocate.contract import COVERAGE_COLUMNS, ROSTER_COLUMNS
from allocate.domain import Calendar, CalendarDay, Dataset
from allocate.i18n import N_, _, language
from allocate.rules.labour import contract_hours

UNCOVERED_COLUMNS = ["date", "station_id", "shift_id", "task_id", "shortfall", "reason", "detail"]
HOURS_COLUMNS = ["person_id", "station_id", "role", "contract_hours", "shifts", "hours", "nights"]
ROLE_ORDER = ("sworn", "aux_service", "aux_civilian")


class _Translated(dict):
    """Role words in English (the keys' defaults), shown in the current language when read."""

    def __getitem__(self, key: str) -> str:
        return _(super().__getitem__(key))

    def get(self, key: str, default: Any = None) -> Any:  # type: ignore[override]
        found = super().get(key)
        return default if found is None else _(found)


ROLE_LABEL = _Translated(
    {
        "sworn": N_("Sworn officers"),
        "aux_service": N_("Service auxiliaries"),
        "aux_civilian": N_("Civilian auxiliaries"),
    }
)
ROLE_NAME = _Translated(
    {
        "sworn": N_("sworn officer"),
        "aux_service": N_("service auxiliary"),
        "aux_civilian": N_("civilian auxiliary"),
    }
)
ROLE_SHORT = {"sworn": "S", "aux_service": "A", "aux_civilian": "C"}


def role_shown(role: str) -> str:
    """A role in a CLI table: its contract id in English (as the CSV files have it), the Opinions'
    word (民警, 勤务辅警, 文职辅警) in another language."""
    return role if language() == "en" else ROLE_NAME.get(role, role)


@dataclass(frozen=True)
class ShiftInfo:
    shift_id: str
    start: str  # HH:MM, or "" when unknown
    hours: float | None
    night: bool | None

    @property
    def label(self) -> str:
        return f"{self.shift_id} {self.start}" if self.start else self.shift_id


@dataclass
class ReportData:
    """The tables and names behind report.html and roster.xlsx."""

    folder: Path
    summary: dict[str, Any]
    roster: pd.DataFrame
    coverage: pd.DataFrame
    uncovered: pd.DataFrame
    hours: pd.DataFrame  # one row per person, with shifts on rest days (weekends, holidays) added
    dates: list[dt.date]
    station_ids: list[str]
    shifts: list[ShiftInfo]
    station_names: dict[str, str] = field(default_factory=dict)
    task_names: dict[str, str] = field(default_factory=dict)
    task_priority: dict[str, int] = field(default_factory=dict)
    person_names: dict[str, str] = field(default_factory=dict)
    absences: dict[tuple[str, dt.date], str] = field(default_factory=dict)  # (person, date) -> kind
    # holidays and adjusted working days (调休) of the horizon, from the dataset's calendar
    calendar_days: dict[dt.date, CalendarDay] = field(default_factory=dict)
    rest_days: set[dt.date] = field(default_factory=set)  # weekends and holidays, not adjusted workdays
    dataset_note: str = ""  # why names are missing, when they are

    @property
    def has_names(self) -> bool:
        return bool(self.person_names)

    def station_name(self, station_id: str) -> str:
        return self.station_names.get(station_id, station_id)

    def task_name(self, task_id: str) -> str:
        return self.task_names.get(task_id, task_id)

    def person_name(self, person_id: str) -> str:
        return self.person_names.get(person_id, person_id)

    @property
    def shift_by_id(self) -> dict[str, ShiftInfo]:
        return {s.shift_id: s for s in self.shifts}


def _read_csv(path: Path, columns: list[str], required: bool = True) -> pd.DataFrame:
    if not path.exists():
        if required:
            raise FileNotFoundError(f"{path} is missing: is this an allocate output folder?")
        return pd.DataFrame({c: pd.Series(dtype="str") for c in columns})
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise ValueError(f"{path} lacks column(s) {', '.join(missing)}")
    return frame


def _ints(frame: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    for c in columns:
        frame[c] = pd.to_numeric(frame[c], errors="coerce").fillna(0).astype(int)
    return frame


def _resolve_dataset(folder: Path, summary: dict[str, Any], data_path: Path | None) -> Path | None:
    if data_path is not None:
        return Path(data_path)
    recorded = summary.get("dataset")
    if not recorded:
        return None
    path = Path(recorded)
    if path.is_absolute():
        return path if path.exists() else None
    # Recorded relative to where `allocate solve` ran: try there, then beside the output folder.
    for base in (Path.cwd(), folder.parent, folder.parent.parent):
        if (base / path).exists():
            return base / path
    return None


def load_report_data(
    folder: Path,
    data_path: Path | None = None,
    *,
    summary: dict[str, Any] | None = None,
    dataset: Dataset | None = None,
) -> ReportData:
    """Read an output folder. `summary` and `dataset` may be handed in by a solve in progress.

    An explicit `data_path` that cannot be loaded raises; the dataset recorded in summary.json
    is only a best effort (a report without names is better than none).
    """
    folder = Path(folder)
    if summary is None:
        path = folder / "summary.json"
        if not path.exists():
            raise FileNotFoundError(f"{path} is missing: is this an allocate output folder?")
        summary = json.loads(path.read_text(encoding="utf-8"))
    roster = _read_csv(folder / "roster.csv", ROSTER_COLUMNS)
    coverage = _ints(_read_csv(folder / "coverage.csv", COVERAGE_COLUMNS), COVERAGE_COLUMNS[4:])
    uncovered = _ints(_read_csv(folder / "uncovered.csv", UNCOVERED_COLUMNS, required=False), ["shortfall"])
    hours = _read_csv(folder / "hours.csv", HOURS_COLUMNS, required=False)

    note = ""
    if dataset is None:
        source = _resolve_dataset(folder, summary, data_path)
        if source is None:
            note = f"dataset {summary.get('dataset')!r} not found: ids are shown instead of names"
        else:
            from allocate.io.load import load_dataset

            try:
                dataset = load_dataset(source)
            except (ValueError, OSError) as exc:
                if data_path is not None:
                    raise
                note = f"dataset {str(source)!r} could not be read ({type(exc).__name__}): ids shown"

    horizon = summary.get("horizon") or {}
    if horizon.get("start"):
        start = dt.date.fromisoformat(horizon["start"])
        dates = [start + dt.timedelta(days=i) for i in range(int(horizon.get("days", 1)))]
    else:
        seen = sorted(set(coverage["date"]) | set(roster["date"]))
        dates = [dt.date.fromisoformat(d) for d in seen]

    station_ids = sorted(
        set(coverage["station_id"]) | set(roster["station_id"]) | set(hours.get("station_id", []))
    )
    used_shifts = list(dict.fromkeys([*coverage["shift_id"], *roster["shift_id"]]))
    data = ReportData(
        folder=folder,
        summary=summary,
        roster=roster,
        coverage=coverage,
        uncovered=uncovered,
        hours=hours,
        dates=dates,
        station_ids=station_ids,
        shifts=[ShiftInfo(s, "", None, None) for s in used_shifts],
        dataset_note=note,
    )
    if dataset is not None:
        _add_names(data, dataset, used_shifts)
    calendar = dataset.calendar if dataset is not None else Calendar()
    data.calendar_days = {day: found for day in dates if (found := calendar.day(day)) is not None}
    data.rest_days = {day for day in dates if calendar.is_rest_day(day)}
    data.hours = _hours(data, dataset)
    return data


def _add_names(data: ReportData, dataset: Dataset, used_shifts: list[str]) -> None:
    data.station_names = {s.station_id: s.name for s in dataset.stations}
    data.task_names = {t.task_id: t.name for t in dataset.tasks}
    data.task_priority = {t.task_id: t.priority for t in dataset.tasks}
    data.person_names = {p.person_id: p.name for p in dataset.staff}
    known = dataset.shift_by_id
    infos = [
        ShiftInfo(s, known[s].start_text, known[s].hours, known[s].is_night)
        if s in known
        else ShiftInfo(s, "", None, None)
        for s in used_shifts
    ]
    data.shifts = sorted(infos, key=lambda s: (s.start or "99", s.shift_id))
    first, last = data.dates[0], data.dates[-1]
    for a in dataset.absences:
        day = max(a.date_from, first)
        while day <= min(a.date_to, last):
            data.absences[(a.person_id, day)] = a.kind
            day += dt.timedelta(days=1)


def _hours(data: ReportData, dataset: Dataset | None) -> pd.DataFrame:
    """hours.csv (or a stand-in built from the roster) with rest-day shifts per person added.

    Rest days are weekends and public holidays, not adjusted working days: the days fairness counts.
    """
    hours = data.hours
    if hours.empty and dataset is not None:
        days = len(data.dates)
        hours = pd.DataFrame(
            {
                "person_id": [p.person_id for p in dataset.staff],
                "station_id": [p.station_id for p in dataset.staff],
                "role": [p.role for p in dataset.staff],
                "contract_hours": [contract_hours(p, days) for p in dataset.staff],
            }
        )
        shifts = data.shift_by_id
        r = data.roster.assign(
            h=data.roster["shift_id"].map(lambda s: shifts[s].hours or 0.0),
            n=data.roster["shift_id"].map(lambda s: bool(shifts[s].night)),
        )
        per = r.groupby("person_id").agg(shifts=("h", "size"), hours=("h", "sum"), nights=("n", "sum"))
        hours = hours.merge(per, on="person_id", how="left")
    elif hours.empty:
        first = data.roster.drop_duplicates("person_id")
        per = data.roster.groupby("person_id").size().rename("shifts")
        hours = first[["person_id", "station_id", "role"]].merge(per, on="person_id")
        hours = hours.assign(contract_hours=float("nan"), hours=float("nan"), nights=0)
    hours = hours.copy()
    for c in ("contract_hours", "hours"):
        hours[c] = pd.to_numeric(hours[c], errors="coerce")
    for c in ("shifts", "nights"):
        hours[c] = pd.to_numeric(hours[c], errors="coerce").fillna(0).astype(int)
    rest = {day.isoformat() for day in data.rest_days}
    weekend_rows = data.roster.loc[data.roster["date"].isin(rest).to_numpy(dtype=bool)]
    weekends = weekend_rows.groupby("person_id").size()
    hours["weekends"] = hours["person_id"].map(weekends).fillna(0).astype(int)
    hours["name"] = hours["person_id"].map(data.person_name)
    return hours.reset_index(drop=True)
