"""A table as read, before validation: a header and columns of stripped cell texts.

A table is stored by column: each column keeps its distinct values once and one small integer
code per row. A demand table of a million rows repeats a few hundred station, date and task
values, so it takes a few bytes per cell instead of a Python object per row (and validation can
check each distinct value once, see :mod:`allocate.io.validate`). The readers of CSV files
(:mod:`allocate.io.tables`, :mod:`allocate.io.fastcsv`) and workbooks (:mod:`allocate.io.workbook`)
all build one through :class:`Builder` and check its header with :func:`check_header`.
"""

from __future__ import annotations

import re
from array import array
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from allocate.i18n import L_
from allocate.io.errors import InputError, InputIssue

if TYPE_CHECKING:
    from collections.abc import Sequence

# Characters that no name, id or value of the contract holds, and that break the outputs
# (an .xlsx cannot store them, PostgreSQL refuses NUL): C0 controls except tab, and DEL.
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


@dataclass
class RawTable:
    """A table as read: display name (``staff.csv`` or ``book.xlsx[staff]``), header and columns.

    ``lines[i]`` is the file line (or sheet row) of row ``i``; the header is on ``header_line``.
    Cells are stripped of surrounding whitespace.
    """

    file: str
    columns: tuple[str, ...]
    values: dict[str, list[str]]  # column -> its distinct values
    codes: dict[str, np.ndarray]  # column -> for each row, the index of its value
    lines: array
    header_line: int = 1
    _rows: tuple[dict[str, str], ...] | None = field(default=None, repr=False, compare=False)

    @classmethod
    def empty(cls, file: str) -> RawTable:
        return cls(file, (), {}, {}, array("I"))

    def __len__(self) -> int:
        return len(self.lines)

    def codes_of(self, column: str) -> np.ndarray:
        """The column's codes (all pointing at "" for a column not in the header)."""
        return self.codes.get(column, np.zeros(len(self), dtype=np.uint32))

    def distinct(self, column: str) -> list[str]:
        return self.values.get(column, [""])

    def column(self, column: str) -> list[str]:
        """Every row's text in `column` ("" when the header lacks it)."""
        values = np.empty(len(self.distinct(column)), dtype=object)
        values[:] = self.distinct(column)
        return values[self.codes_of(column)].tolist()

    @property
    def rows(self) -> tuple[dict[str, str], ...]:
        """The rows as dicts: convenient for small tables, costly for big ones."""
        if self._rows is None:
            cols = [self.column(c) for c in self.columns]
            self._rows = tuple(
                dict(zip(self.columns, cells, strict=True)) for cells in zip(*cols, strict=True)
            )
        return self._rows


class Builder:
    """Collects rows into a :class:`RawTable`.

    Rows are gathered in chunks and turned into columns of codes: a repeated value is held once
    however many rows repeat it, and each cell costs four bytes.
    """

    CHUNK = 8192

    def __init__(self, file: str, header: list[str], header_line: int) -> None:
        self.file, self.header, self.header_line = file, header, header_line
        self.width = len(header)
        self.keep = [i for i, h in enumerate(header) if h]
        self.seen: list[dict[str, int]] = [{} for _ in self.keep]
        self.codes = [array("I") for _ in self.keep]
        self.chunk: list[Sequence[str]] = []
        self.lines = array("I")

    def add(self, cells: Sequence[str], line: int) -> None:
        """Add a row of exactly `width` cells."""
        self.chunk.append(cells)
        self.lines.append(line)
        if len(self.chunk) >= self.CHUNK:
            self.flush()

    def flush(self) -> None:
        if not self.chunk:
            return
        columns = list(zip(*self.chunk, strict=True))
        for k, i in enumerate(self.keep):
            seen, column = self.seen[k], columns[i]
            for value in set(column).difference(seen):
                seen[value] = len(seen)
            self.codes[k].extend(map(seen.__getitem__, column))
        self.chunk = []  # a new list: the reader's loop holds the old one

    def build(self) -> RawTable:
        self.flush()
        values: dict[str, list[str]] = {}
        codes: dict[str, np.ndarray] = {}
        for k, i in enumerate(self.keep):
            name = self.header[i]
            # Cells are stripped here, once per distinct value; values equal once stripped merge.
            merge, stripped = pd.factorize(np.array([v.strip() for v in self.seen[k]] or [""], dtype=object))
            raw = np.frombuffer(self.codes[k], dtype=np.uint32) if len(self.lines) else np.zeros(0, np.uint32)
            codes[name] = merge.astype(np.uint32)[raw]
            values[name] = list(stripped)
            self.codes[k] = array("I")
        names = tuple(self.header[i] for i in self.keep)
        return RawTable(self.file, names, values, codes, self.lines, header_line=self.header_line)


def normalise_header(name: object) -> str:
    """A header cell as a contract column name: case, spaces and a BOM do not matter."""
    if name is None:
        return ""
    text = str(name).replace("\ufeff", "").strip().lower()
    return re.sub(r"[\s\-]+", "_", text)


def check_header(file: str, raw: Sequence[object], line: int) -> list[str]:
    """Normalised header; a column named twice or a control character is an error."""
    header = [normalise_header(c) for c in raw]
    issues: list[InputIssue] = []
    first: dict[str, int] = {}
    for i, name in enumerate(header):
        if CONTROL.search(name):
            issues.append(InputIssue(file, line, None, name, L_("a header without control characters")))
        elif name and name in first:
            issues.append(
                InputIssue(
                    file,
                    line,
                    name,
                    None,
                    L_(
                        "each column once in the header (column %(name)s is both column %(first)s and column %(second)s)",
                        name=name,
                        first=first[name] + 1,
                        second=i + 1,
                    ),
                )
            )
        first.setdefault(name, i)
    if issues:
        raise InputError(issues)
    return header


def control_issue(file: str, line: int, column: str | None, value: str) -> InputIssue:
    bad = CONTROL.search(value)
    code = f"U+{ord(bad.group()):04X}" if bad else "?"
    return InputIssue(
        file, line, column, value, L_("text without control characters (found %(code)s)", code=code)
    )
