"""A fast path for big plain CSV files: pandas' C parser, when every line is exactly one record.

The exact reader (:func:`allocate.io.tables.read_csv`) loops over records in Python, which is
slow for a table of a million rows. A file without any quote character cannot have a record
that spans lines, so record ``i`` is on line ``i + 1`` and pandas' parser can read it in chunks,
each chunk's columns turned into codes at once. Anything unusual (a quote, a NUL, a row wider
than the header, bytes that are not UTF-8, a control character in a value, blank lines before the
header) returns None, and the exact reader reads the file and names the problem and its line.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

if TYPE_CHECKING:
    from pathlib import Path

FAST_FROM = 1 << 20  # bytes: smaller files take the exact path (it costs nothing there)
_CHUNK_ROWS = 200_000
_SCAN = 1 << 22


def _plain(path: Path) -> bool:
    """No quote and no NUL anywhere in the file: each physical line is one record."""
    with path.open("rb") as handle:
        while chunk := handle.read(_SCAN):
            if b'"' in chunk or b"\x00" in chunk:
                return False
    return True


def read_plain_csv(path: Path, file: str):  # -> RawTable | None
    """The table, or None when the file needs the exact reader."""
    from allocate.io.rawtable import CONTROL, Builder, check_header

    try:
        if path.stat().st_size < FAST_FROM or not _plain(path):
            return None
        chunks = pd.read_csv(
            path, header=None, dtype="category", keep_default_na=False, na_filter=False, skip_blank_lines=False,
            encoding="utf-8-sig", chunksize=_CHUNK_ROWS, engine="c", sep=",", quoting=3,
        )  # fmt: skip
        builder: Builder | None = None
        record = 0  # index of the chunk's first record; record i is on line i + 1
        for frame in chunks:
            if builder is None:
                first = ["" if pd.isna(v) else str(v) for v in frame.iloc[0]]
                if not "".join(first).strip():
                    return None
                builder = Builder(file, check_header(file, first, 1), 1)
                frame, record = frame.iloc[1:], 1
            if frame.shape[1] != builder.width:
                return None
            _add_chunk(builder, frame, record)
            record += len(frame)
    except (pd.errors.ParserError, UnicodeDecodeError, ValueError, OSError):
        return None
    if builder is None:
        return None
    table = builder.build()
    if any(CONTROL.search(v) for values in table.values.values() for v in values):
        return None
    return table


def _add_chunk(builder, frame: pd.DataFrame, record: int) -> None:
    """Codes of one chunk's columns, merged into the builder's; blank rows dropped."""
    codes, blank = [], np.ones(len(frame), dtype=bool)
    for j in range(builder.width):
        column = frame.iloc[:, j]
        # Read as a categorical: codes per row, each distinct text once; -1 is a missing cell.
        local = column.cat.codes.to_numpy().astype(np.int64)
        uniques = [*map(str, column.cat.categories), ""]
        local[local < 0] = len(uniques) - 1
        blank &= np.array([not str(u).strip() for u in uniques] or [True], dtype=bool)[local]
        codes.append((local, uniques))
    keep = ~blank
    for k, j in enumerate(builder.keep):
        local, uniques = codes[j]
        seen = builder.seen[k]
        to_global = np.array([seen.setdefault(u, len(seen)) for u in uniques] or [0], dtype=np.uint32)
        builder.codes[k].frombytes(to_global[local[keep]].tobytes())
    lines = np.arange(record + 1, record + 1 + len(frame), dtype=np.uint32)[keep]
    builder.lines.frombytes(lines.tobytes())
