"""Export a stored week: roster, coverage and the station table, as CSV or Parquet, atomically."""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

from allocate.output import atomic_folder, write_json

if TYPE_CHECKING:
    from collections.abc import Iterable
    from pathlib import Path

    import pandas as pd

    from allocate.batch.store import Store

Format = Literal["csv", "parquet"]


class NothingStored(LookupError):
    """The store holds nothing for the week (or stations) asked for."""


def export_week(
    store: Store,
    week: str,
    out: Path,
    fmt: Format = "csv",
    stations: Iterable[str] | None = None,
    *,
    force: bool = False,
    store_file: Path | None = None,
) -> tuple[Path, dict[str, int]]:
    """Write ``roster``, ``coverage`` and ``stations`` (one row per stored station-week) into `out`.

    Only solved stations have roster rows. Returns the folder and the row count of each table.
    Raises :class:`NothingStored` when nothing is stored for the week. `out` never replaces the
    folder of `store_file` (a SQLite store's database) and replaces other content only with `force`.
    """
    selected = None if stations is None else list(stations)
    table = store.station_weeks(week, selected)
    if table.empty:
        raise NothingStored(f"nothing is stored for week {week} in {store.url}")
    frames = {
        "roster": store.roster(week, selected),
        "coverage": store.coverage(week, selected),
        "stations": table.assign(stored_at=table["stored_at"].astype(str)),
    }

    def write(folder: Path) -> None:
        for name, frame in frames.items():
            _write(frame, folder / f"{name}.{fmt}", fmt)
        write_json(
            folder / "export.json",
            {
                "week": week,
                "store": store.url,
                "format": fmt,
                "rows": {name: len(frame) for name, frame in frames.items()},
                "stations_solved": int((table["state"] == "solved").sum()),
                "stations_failed": int((table["state"] == "failed").sum()),
            },
        )

    folder = atomic_folder(out, write, command="batch-export", force=force, store=store_file)
    return folder, {name: len(frame) for name, frame in frames.items()}


def _write(frame: pd.DataFrame, path: Path, fmt: Format) -> None:
    if fmt == "parquet":
        frame.to_parquet(path, index=False)
    else:
        frame.to_csv(path, index=False)
