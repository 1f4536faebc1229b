"""The batch's view of a dataset: loaded once, split into one small dataset per station.

A bad value that belongs to one station (its row in stations.csv, its staff, its demand, its people's
absences, requests or history) fails that station only: the batch reports it with the loader's own
message (file, line, column) and rosters the others. A bad value no station owns (a shift, a task,
a missing column) is bad input for the whole batch.
"""

from __future__ import annotations

import csv
import tempfile
from collections import defaultdict
from pathlib import Path

from allocate.domain import Assignment, Dataset, Horizon
from allocate.io.errors import InputError, InputIssue
from allocate.io.load import load_dataset
from allocate.io.tables import RawTable, read_tables

# Tables whose rows belong to a station directly, and those that belong to one through a person.
_BY_STATION = ("stations", "staff", "demand")
_BY_PERSON = ("absences", "requests", "history")


def load_for_batch(source: str | Path) -> tuple[Dataset, dict[str, list[str]]]:
    """The dataset without the stations whose own rows are bad, and those stations' problems.

    Raises the loader's :class:`InputError` when a problem is not any one station's.
    """
    try:
        return load_dataset(source), {}
    except InputError as exc:
        original = exc
    raw = read_tables(Path(source))
    bad = _attribute(original.issues, raw)
    if bad is None:
        raise original
    with tempfile.TemporaryDirectory(prefix="allocate-batch-") as tmp:
        for name, table in raw.items():
            _write_without(Path(tmp) / f"{name}.csv", table, name, raw, set(bad))
        try:
            dataset = load_dataset(tmp)
        except InputError:
            raise original from None
    return dataset.replace(source=str(source)), bad


def _person_station(raw: dict[str, RawTable]) -> dict[str, str]:
    return {r.get("person_id", ""): r.get("station_id", "") for r in raw["staff"].rows}


def _row_station(name: str, row: dict[str, str], person_station: dict[str, str]) -> str | None:
    if name in _BY_STATION or (name == "history" and row.get("station_id")):
        return row.get("station_id") or None
    if name in _BY_PERSON:
        return person_station.get(row.get("person_id", "")) or None
    return None


def _attribute(issues: list[InputIssue], raw: dict[str, RawTable]) -> dict[str, list[str]] | None:
    """station_id -> its problems, or None when some problem belongs to no known station."""
    by_file = {table.file: (name, table) for name, table in raw.items()}
    person_station = _person_station(raw)
    known = {r.get("station_id") for r in raw["stations"].rows}
    bad: dict[str, list[str]] = defaultdict(list)
    for issue in issues:
        found = by_file.get(issue.file)
        if found is None or issue.line is None:
            return None
        name, table = found
        try:
            row = table.rows[table.lines.index(issue.line)]
        except ValueError:
            return None
        station = _row_station(name, row, person_station)
        if station is None or station not in known:
            return None
        bad[station].append(str(issue))
    return dict(bad)


def _write_without(path: Path, table: RawTable, name: str, raw: dict[str, RawTable], bad: set[str]) -> None:
    person_station = _person_station(raw)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(table.columns), extrasaction="ignore")
        if table.columns:
            writer.writeheader()
        for row in table.rows:
            if _row_station(name, row, person_station) not in bad:
                writer.writerow(row)


def split_by_station(dataset: Dataset, horizon: Horizon) -> dict[str, Dataset]:
    """One dataset per station for `horizon`, without history (the batch adds it).

    Dated demand outside the horizon belongs to other weeks and is left out, as are absences and
    requests that do not touch the horizon.
    """
    station_of = {p.person_id: p.station_id for p in dataset.staff}
    staff, demand, absences, requests, pins = (defaultdict(list) for _ in range(5))
    for p in dataset.staff:
        staff[p.station_id].append(p)
    for d in dataset.demand:
        if d.date is None or d.date in horizon:
            demand[d.station_id].append(d)
    for a in dataset.absences:
        if a.date_to >= horizon.start and a.date_from <= horizon.end and a.person_id in station_of:
            absences[station_of[a.person_id]].append(a)
    for r in dataset.requests:
        if r.date in horizon and r.person_id in station_of:
            requests[station_of[r.person_id]].append(r)
    for pin in dataset.pins:  # planners' pins are hard in a batch too
        if pin.date in horizon and pin.person_id in station_of:
            pins[station_of[pin.person_id]].append(pin)
    return {
        st.station_id: Dataset(
            stations=(st,),
            shifts=dataset.shifts,
            tasks=dataset.tasks,
            staff=tuple(staff[st.station_id]),
            demand=tuple(demand[st.station_id]),
            absences=tuple(absences[st.station_id]),
            requests=tuple(requests[st.station_id]),
            calendar=dataset.calendar,
            source=dataset.source,
            extras={"warnings": []},
            pins=tuple(pins[st.station_id]),
        )
        for st in dataset.stations
    }


def history_by_person(rows: tuple[Assignment, ...], before: Horizon) -> dict[str, list[Assignment]]:
    """The dataset's history rows dated before the horizon, by person."""
    out: dict[str, list[Assignment]] = defaultdict(list)
    for row in rows:
        if row.date < before.start:
            out[row.person_id].append(row)
    return dict(out)
