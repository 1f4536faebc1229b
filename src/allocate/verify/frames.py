"""The verifier's own view of a roster: output tables normalised and joined to the dataset's facts.

Built from the domain objects alone, never from the model builder, so that a mistake there cannot
hide here. Every roster row keeps its place even when an id is unknown or a date is garbage: such
rows are reported once (``unknown_id``, ``horizon``) and left out of the checks that need the facts.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, Any

import pandas as pd

from allocate.contract import COVERAGE_COLUMNS, ROSTER_COLUMNS
from allocate.verify.posts import POST_KEY, demand_posts

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator

    from allocate.domain import Assignment, Dataset, Horizon
    from allocate.policy import Policy

_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def require_columns(frame: pd.DataFrame, columns: Iterable[str], source: str) -> None:
    """A missing column is a broken output contract, not a violation: stop with its name."""
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        names = ", ".join(repr(c) for c in missing)
        raise ValueError(f"{source} has no column {names}; expected {', '.join(columns)}")


def records(frame: pd.DataFrame) -> Iterator[Any]:
    """The rows of a frame as named tuples; nothing at all for an empty frame (the common case)."""
    return iter(()) if frame.empty else frame.itertuples(index=False)


def rows_where(frame: pd.DataFrame, mask: pd.Series) -> Iterator[Any]:
    """The rows of `frame` where `mask` holds, as named tuples.

    A lawful roster breaks no rule, so the mask is almost always all False: checking that first
    spares building an empty frame per rule, which is most of a small roster's verification.
    """
    return records(frame[mask]) if mask.any() else iter(())


def text_column(column: pd.Series) -> pd.Series:
    """A column as stripped text (object dtype); empty for None, NaN and NA.

    Built with plain Python strings: pandas' own string methods go through an Arrow array and back,
    which costs more than the strings themselves on the small rosters verified after every solve.
    """
    values = column.to_numpy(dtype=object)
    missing = pd.isna(values)
    text = ["" if gone else str(value).strip() for value, gone in zip(values, missing, strict=True)]
    return pd.Series(text, index=column.index, dtype=object)


def cell_text(value: object) -> str:
    """A cell as stripped text; empty for None, NaN and NA."""
    if value is None or (not isinstance(value, str) and pd.api.types.is_scalar(value) and pd.isna(value)):
        return ""
    return str(value).strip()


def iso_date(value: object) -> str | None:
    """The ISO date of a cell (text, date, datetime or Timestamp), or None if it is not one."""
    if isinstance(value, dt.datetime):  # also pd.Timestamp; NaT fails the isoformat round trip
        return None if pd.isna(value) else value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    text = cell_text(value)
    if len(text) > 10 and text[10] in " T":
        text = text[:10]
    if not _ISO_DATE.match(text):
        return None
    try:
        return dt.date.fromisoformat(text).isoformat()
    except ValueError:
        return None


def _with_dates(frame: pd.DataFrame) -> pd.DataFrame:
    """Keep the raw date for messages, an ISO `date` (None when unparseable) and a `day` timestamp.

    Dates arrive as text (CSV), `datetime.date` or Timestamps (a result frame); all are read via
    their text, whose first ten characters must be YYYY-MM-DD.
    """
    frame["raw_date"] = text_column(frame["date"])
    iso = {text: iso_date(text) for text in pd.unique(frame["raw_date"])}
    frame["date"] = pd.Series([iso[text] for text in frame["raw_date"]], index=frame.index, dtype=object)
    frame["day"] = pd.to_datetime(frame["date"], format="%Y-%m-%d")
    return frame


def normalise_roster(roster: pd.DataFrame, source: str = "roster") -> pd.DataFrame:
    """The roster's contract columns as stripped text, with parsed dates; a fresh frame."""
    require_columns(roster, ROSTER_COLUMNS, source)
    rows = roster.loc[:, list(ROSTER_COLUMNS)].reset_index(drop=True)
    rows = pd.DataFrame({c: text_column(rows[c]) for c in ROSTER_COLUMNS[1:]}).assign(date=rows["date"])
    return _with_dates(rows)


def normalise_coverage(coverage: pd.DataFrame, source: str = "coverage") -> pd.DataFrame:
    """Coverage rows with text keys, parsed dates, and the three counts as numbers (NaN if not)."""
    require_columns(coverage, COVERAGE_COLUMNS, source)
    table = coverage.loc[:, list(COVERAGE_COLUMNS)].reset_index(drop=True)
    out = pd.DataFrame({c: text_column(table[c]) for c in POST_KEY if c != "date"})
    out["date"] = table["date"]
    for column in ("crews_required", "crews_staffed", "shortfall"):
        text = text_column(table[column])
        out[f"{column}_text"] = text
        out[column] = pd.to_numeric(text, errors="coerce")
    return _with_dates(out)


# --- the dataset's facts as lookup tables, joined onto roster and history rows -------------------


def staff_facts(dataset: Dataset) -> pd.DataFrame:
    districts = {s.station_id: s.district for s in dataset.stations}
    return pd.DataFrame(
        {
            "staff_role": [p.role for p in dataset.staff],
            "home_station": [p.station_id for p in dataset.staff],
            "home_district": [districts.get(p.station_id) for p in dataset.staff],
            "skills": [p.skills for p in dataset.staff],
            "hours_per_week": [float(p.hours_per_week) for p in dataset.staff],
            "pre_job_trained": [bool(p.pre_job_trained) for p in dataset.staff],
            "trained_until": pd.to_datetime([p.training_valid_until for p in dataset.staff]),
            "disqualified": [bool(p.disqualified) for p in dataset.staff],
        },
        index=pd.Index([p.person_id for p in dataset.staff], name="person_id", dtype=object),
    )


def task_facts(dataset: Dataset) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "duty_class": [t.duty_class for t in dataset.tasks],
            "task_skill": [t.skill or "" for t in dataset.tasks],
        },
        index=pd.Index([t.task_id for t in dataset.tasks], name="task_id", dtype=object),
    )


def shift_facts(dataset: Dataset) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "start_min": [s.start_min for s in dataset.shifts],
            "minutes": [s.minutes for s in dataset.shifts],
            "hours": [float(s.hours) for s in dataset.shifts],
            "rest_after": [float("nan") if s.rest_after is None else s.rest_after for s in dataset.shifts],
            "is_night": [s.is_night for s in dataset.shifts],
        },
        index=pd.Index([s.shift_id for s in dataset.shifts], name="shift_id", dtype=object),
    )


def station_facts(dataset: Dataset) -> pd.DataFrame:
    return pd.DataFrame(
        {"station_district": [s.district for s in dataset.stations]},
        index=pd.Index([s.station_id for s in dataset.stations], name="station_id", dtype=object),
    )


def attach_facts(rows: pd.DataFrame, dataset: Dataset) -> pd.DataFrame:
    """Join what the dataset says about each row's person, task, shift and station.

    Unknown ids get NaN facts and a False `known_*` flag; checks use the flags, never the NaNs.
    """
    rows = rows.assign(
        known_person=rows["person_id"].isin(list(dataset.person_by_id)),
        known_task=rows["task_id"].isin(list(dataset.task_by_id)),
        known_shift=rows["shift_id"].isin(list(dataset.shift_by_id)),
        known_station=rows["station_id"].isin(list(dataset.station_by_id)),
    )
    facts = [
        table.reindex(rows[key].to_numpy()).set_axis(rows.index)
        for key, table in (
            ("person_id", staff_facts(dataset)),
            ("task_id", task_facts(dataset)),
            ("shift_id", shift_facts(dataset)),
            ("station_id", station_facts(dataset)),
        )
    ]
    return pd.concat([rows, *facts], axis=1)


def history_frame(history: Iterable[Assignment]) -> pd.DataFrame:
    """Last week's roster in the roster's shape (only date, person and shift matter)."""
    rows = [{c: getattr(a, c) for c in ROSTER_COLUMNS} for a in history]
    frame = pd.DataFrame.from_records(rows, columns=list(ROSTER_COLUMNS))
    return normalise_roster(frame, "history")


@dataclass(frozen=True)
class Context:
    """Everything a check needs: the input, the policy, and the roster joined to the facts."""

    dataset: Dataset
    horizon: Horizon
    policy: Policy
    rows: pd.DataFrame  # every roster row, with facts (NaN where an id is unknown)
    history_rows: pd.DataFrame  # every history row, with facts
    coverage: pd.DataFrame | None  # normalised coverage.csv, or None when not given

    @cached_property
    def horizon_start(self) -> pd.Timestamp:
        return pd.Timestamp(self.horizon.start)

    @cached_property
    def horizon_end(self) -> pd.Timestamp:
        return pd.Timestamp(self.horizon.end)

    def inside(self, frame: pd.DataFrame) -> pd.Series:
        """Rows whose date is a real date inside the horizon."""
        return frame["day"].between(self.horizon_start, self.horizon_end)

    @cached_property
    def posts(self) -> pd.DataFrame:
        """Posts with demand in the horizon (station, date, shift, task, crews_required)."""
        return demand_posts(self.dataset, self.horizon)

    @cached_property
    def known(self) -> pd.DataFrame:
        """Roster rows with a real date whose person, task, shift and station all exist."""
        r = self.rows
        mask = r["known_person"] & r["known_task"] & r["known_shift"] & r["known_station"]
        return r[mask & r["day"].notna()]

    @cached_property
    def in_horizon(self) -> pd.DataFrame:
        """Known rows inside the horizon: what the labour rules and coverage count."""
        return self.known[self.inside(self.known)]

    @cached_property
    def history(self) -> pd.DataFrame:
        """History rows before the horizon whose person and shift exist: carried-over work."""
        h = self.history_rows
        return h[h["known_person"] & h["known_shift"] & (h["day"] < self.horizon_start)]


def build_context(
    dataset: Dataset,
    horizon: Horizon,
    policy: Policy,
    roster: pd.DataFrame,
    coverage: pd.DataFrame | None,
) -> Context:
    rows = attach_facts(normalise_roster(roster), dataset)
    # No history (the usual first week) needs no frame of its own: the roster's, emptied, has its columns.
    history = attach_facts(history_frame(dataset.history), dataset) if dataset.history else rows.iloc[:0]
    table = None if coverage is None else normalise_coverage(coverage)
    return Context(dataset, horizon, policy, rows, history, table)
