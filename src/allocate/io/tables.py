"""Raw tables: CSV files in a folder or sheets of an ``.xlsx`` workbook, as columns of strings.

Every cell becomes text in the contract's formats (ISO dates, ``HH:MM``, ``true/false``) so that a
planner's workbook and a CSV export go through the very same validation, and each row keeps the
line number that a planner will look for in the file.

A table is stored by column: each column keeps its distinct values once and one small integer
code per row. A demand table of a million rows repeats a few hundred station, date and task
values, so it takes a few bytes per cell instead of a Python object per row (and validation can
check each distinct value once, see :mod:`allocate.io.validate`).

Reading refuses what would otherwise be read as something else: a header named twice, a cell
holding a control character, a quote that is never closed (it swallows the lines after it), an
Excel formula without a saved value or an Excel error value, and two files or sheets that both
claim one table.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
from array import array
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from allocate.io.errors import InputError, InputIssue

TABLES = ("stations", "shifts", "tasks", "staff", "demand", "absences", "requests", "history")
REQUIRED_TABLES = ("stations", "shifts", "tasks", "staff", "demand")

# Characters that no name, id or value of the contract holds, and that break the outputs
# (an .xlsx cannot store them, PostgreSQL refuses NUL): C0 controls except tab, and DEL.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_BREAK = re.compile(r"[\r\n]")
_SPECIAL = re.compile(r"[\x00-\x1f\x7f]")


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


class _Builder:
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


def _check_header(file: str, raw: Sequence[object], line: int) -> list[str]:
    """Normalised header; a column named twice or a control character is an error."""
    header = [normalise_header(c) for c in raw]
    issues: list[InputIssue] = []
    first: dict[str, int] = {}
    for i, name in enumerate(header):
        if _CONTROL.search(name):
            issues.append(InputIssue(file, line, None, name, "a header without control characters"))
        elif name and name in first:
            issues.append(
                InputIssue(
                    file,
                    line,
                    name,
                    None,
                    f"each column once in the header (column {name} is both column "
                    f"{first[name] + 1} and column {i + 1})",
                )
            )
        first.setdefault(name, i)
    if issues:
        raise InputError(issues)
    return header


def _control_issue(file: str, line: int, column: str | None, value: str) -> InputIssue:
    bad = _CONTROL.search(value)
    code = f"U+{ord(bad.group()):04X}" if bad else "?"
    return InputIssue(file, line, column, value, f"text without control characters (found {code})")


def _parse_records(file: str, reader: Any) -> RawTable:
    """Rows of a CSV reader: header, row width, control characters, runaway quotes.

    The loop is the hot path of reading a big file: it does as little per row as it can.
    """
    builder: _Builder | None = None
    issues: list[InputIssue] = []
    start = 1
    chunk: list[Sequence[str]] = []
    lines = array("I")
    for record in reader:
        end = reader.line_num
        line, start = start, end + 1
        text = "".join(record)
        if _SPECIAL.search(text):
            if _BREAK.search(text):
                issues.append(
                    InputIssue(
                        file,
                        line,
                        None,
                        None,
                        f"every value on one line (a quote opened on line {line} is only closed on "
                        f"line {end}, or never: is a closing quote missing?)",
                    )
                )
                break  # everything after a runaway quote is misread: one message, not one per line
            if _CONTROL.search(text):
                names = builder.header if builder is not None else []
                issues += [
                    _control_issue(file, line, names[i] if i < len(names) else None, cell)
                    for i, cell in enumerate(record)
                    if _CONTROL.search(cell)
                ]
                continue
        if not text.strip():
            continue
        if builder is None:
            builder = _Builder(file, _check_header(file, record, line), line)
            width, chunk, lines = builder.width, builder.chunk, builder.lines
            continue
        if len(record) != width:
            if len(record) > width:
                if "".join(record[width:]).strip():
                    issues.append(
                        InputIssue(
                            file, line, None, ",".join(record), f"at most {width} cells like the header"
                        )
                    )
                    continue
                record = record[:width]
            else:
                record = record + [""] * (width - len(record))
        chunk.append(record)
        lines.append(line)
        if len(chunk) >= _Builder.CHUNK:
            builder.flush()
            chunk = builder.chunk
    if issues:
        raise InputError(issues)
    return builder.build() if builder is not None else RawTable.empty(file)


def read_csv(path: Path, file: str | None = None) -> RawTable:
    """Read a CSV file, streaming; blank lines are skipped, cells stripped, a BOM tolerated.

    Lines end only at CR/LF (a U+2028 or U+0085 inside a quoted name is part of the name). A big
    file without quotes is read by :mod:`allocate.io.fastcsv` (same result, much faster).
    """
    from allocate.io.fastcsv import read_plain_csv

    file = file or path.name
    try:
        fast = read_plain_csv(path, file)
        if fast is not None:
            return fast
        with path.open(encoding="utf-8-sig", newline="") as handle:
            return _parse_records(file, csv.reader(handle))
    except UnicodeDecodeError as exc:
        raise InputError.single(
            file, _bad_utf8_line(path), None, None, f"UTF-8 text ({exc.reason}; save the file as UTF-8)"
        ) from None
    except csv.Error as exc:
        raise InputError.single(file, None, None, None, f"a well-formed CSV file ({exc})") from None
    except OSError as exc:
        raise InputError.single(file, None, None, None, f"a readable file ({exc.strerror or exc})") from None


def _bad_utf8_line(path: Path) -> int | None:
    """The first line that is not UTF-8 (only computed on the error path)."""
    try:
        with path.open("rb") as handle:
            for number, raw in enumerate(handle, start=1):
                try:
                    raw.decode("utf-8")
                except UnicodeDecodeError:
                    return number
    except OSError:
        return None
    return None


def _cell_text(value: object) -> str:
    """An Excel cell as contract text: dates ISO, times HH:MM, whole floats without ``.0``."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0) and value.year > 1900:
            return value.date().isoformat()
        if value.year <= 1900:  # a time typed into Excel comes back on 1899-12-30/31
            return value.strftime("%H:%M")
        return value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dt.time):
        return value.strftime("%H:%M")
    if isinstance(value, dt.timedelta):
        minutes = round(value.total_seconds() / 60)
        return f"{minutes // 60:02d}:{minutes % 60:02d}"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _cell_name(sheet: str, row: int, col: int) -> str:
    from openpyxl.utils import get_column_letter

    return f"{sheet}!{get_column_letter(col)}{row}"


_NO_VALUE = (
    "a value: this cell is a formula without a saved result (open the workbook in Excel and save "
    "it, or type the value instead of the formula)"
)


def _sheet_rows(sheet, formulas) -> Iterator[tuple[int, list[str], list[tuple[int, object, str]]]]:
    """(row number, cell texts, problems as (column number, value, expected)) of a sheet.

    `formulas` is the same sheet read with its formulas: a cell read as empty that holds a formula
    has no saved result, and must not pass for an empty cell (its column's default would apply).
    """
    formula_rows: Iterable = formulas.iter_rows() if formulas is not None else iter(())
    for number, (cells, raw) in enumerate(zip(sheet.iter_rows(), _pad(formula_rows), strict=False), start=1):
        texts: list[str] = []
        problems: list[tuple[int, object, str]] = []
        for col, cell in enumerate(cells, start=1):
            value = getattr(cell, "value", None)
            if getattr(cell, "data_type", None) == "e":
                problems.append((col, value, "a value, not an Excel error (fix the formula or the value)"))
                value = None
            elif value is None and _is_formula(raw, col):
                problems.append((col, None, _NO_VALUE))
            text = _cell_text(value)
            bad = _CONTROL.search(text)
            if bad:
                problems.append(
                    (col, text, f"text without control characters (found U+{ord(bad.group()):04X})")
                )
            texts.append(text)
        yield number, texts, problems


def _is_formula(row: Sequence | None, col: int) -> bool:
    return row is not None and col <= len(row) and getattr(row[col - 1], "data_type", None) == "f"


def _pad(rows: Iterable) -> Iterator:
    yield from rows
    while True:
        yield None


def read_sheet(book_path: Path, sheet, formulas=None) -> RawTable:
    """Read one worksheet; row numbers are the sheet's own row numbers.

    A problem cell is named like ``disqualified (cell staff!J5)``; cells right of the header are
    in no column the contract reads and are not checked.
    """
    file = f"{book_path.name}[{sheet.title}]"
    builder: _Builder | None = None
    issues: list[InputIssue] = []
    for number, cells, problems in _sheet_rows(sheet, formulas):
        if not any(cells) and not problems:
            continue
        header = builder.header if builder is not None else []
        for col, value, expected in problems:
            if builder is not None and col > builder.width:
                continue
            cell = _cell_name(sheet.title, number, col)
            name = header[col - 1] if col <= len(header) and header[col - 1] else None
            issues.append(
                InputIssue(file, number, f"{name} (cell {cell})" if name else cell, value, expected)
            )
        if builder is None:
            builder = _Builder(file, _check_header(file, cells, number), number)
            continue
        width = builder.width
        builder.add((cells + [""] * width)[:width], number)
    if issues:
        raise InputError(issues)
    return builder.build() if builder is not None else RawTable.empty(file)


def _sheet_name(title: str) -> str:
    name = title.strip().lower()
    return name.removesuffix(".csv").strip()


def _open_book(path: Path, data_only: bool):
    from openpyxl import load_workbook

    try:
        return load_workbook(path, read_only=True, data_only=data_only)
    except Exception as exc:  # openpyxl raises many kinds for a broken file
        raise InputError.single(path.name, None, None, None, f"a readable .xlsx workbook ({exc})") from None


def read_workbook(path: Path, only: str | None = None) -> dict[str, RawTable]:
    """The contract tables found as sheets of one workbook (sheet ``staff`` or ``staff.csv``).

    Two sheets that name one table are an error. `only` reads that one table (or, when no sheet
    names it, the first sheet) and nothing else.
    """
    values, formulas = _open_book(path, True), _open_book(path, False)
    try:
        chosen: dict[str, str] = {}
        issues: list[InputIssue] = []
        for ws in values.worksheets:
            name = _sheet_name(ws.title)
            if name not in TABLES or (only is not None and name != only):
                continue
            if name in chosen:
                issues.append(
                    InputIssue(
                        path.name,
                        None,
                        None,
                        None,
                        f"one sheet per table: sheets {chosen[name]!r} and {ws.title!r} both map to "
                        f"table {name} (rename or delete one)",
                    )
                )
            chosen.setdefault(name, ws.title)
        if issues:
            raise InputError(issues)
        if only is not None and not chosen and values.worksheets:
            chosen[only] = values.worksheets[0].title
        out: dict[str, RawTable] = {}
        for name, title in chosen.items():
            try:
                out[name] = read_sheet(path, values[title], _formula_sheet(formulas, title))
            except InputError as exc:
                issues += exc.issues
        if issues:
            raise InputError(issues)
        return out
    except InputError:
        raise
    except Exception as exc:  # a corrupt part of the file found while reading it
        raise InputError.single(path.name, None, None, None, f"a readable .xlsx workbook ({exc})") from None
    finally:
        values.close()
        formulas.close()


def _formula_sheet(book, title: str):
    try:
        return book[title]
    except KeyError:
        return None


def _table_files(folder: Path) -> tuple[dict[str, Path], list[InputIssue]]:
    """table -> its CSV file in `folder`, names matched without regard to case."""
    found: dict[str, Path] = {}
    issues: list[InputIssue] = []
    try:
        entries = sorted(folder.iterdir())
    except OSError as exc:
        raise InputError.single(
            str(folder), None, None, None, f"a readable folder ({exc.strerror})"
        ) from None
    for path in entries:
        name = path.name.lower()
        if not name.endswith(".csv") or name.removesuffix(".csv") not in TABLES or not path.is_file():
            continue
        table = name.removesuffix(".csv")
        if table in found:
            issues.append(
                InputIssue(
                    path.name,
                    None,
                    None,
                    None,
                    f"one file per table: {found[table].name} and {path.name} both hold table {table}",
                )
            )
        found.setdefault(table, path)
    return found, issues


def read_tables(source: Path) -> dict[str, RawTable]:
    """Find the contract's tables in a folder of CSV files, a folder with a workbook, or a workbook.

    A CSV file wins over a sheet of the same table. Missing optional tables come back empty;
    a missing required table is an error naming it.
    """
    source = Path(source)
    try:
        exists, is_file = source.exists(), source.is_file()
    except (OSError, ValueError) as exc:
        raise InputError.single(str(source), None, None, None, f"a dataset path ({exc})") from None
    if not exists:
        raise InputError.single(str(source), None, None, None, "an existing dataset folder or .xlsx workbook")
    tables: dict[str, RawTable] = {}
    issues: list[InputIssue] = []
    if is_file:
        if source.suffix.lower() not in (".xlsx", ".xlsm"):
            raise InputError.single(
                source.name, None, None, None, "a folder of CSV files or an .xlsx workbook"
            )
        tables.update(read_workbook(source))
    else:
        for book in sorted(source.glob("*.xls[xm]")):
            if book.name.startswith("~$"):
                continue  # Excel's lock file
            stem = book.stem.lower()
            try:
                if stem in TABLES:
                    tables.update(read_workbook(book, only=stem))
                else:
                    for name, table in read_workbook(book).items():
                        tables.setdefault(name, table)
            except InputError as exc:
                issues += exc.issues
        files, clashes = _table_files(source)
        issues += clashes
        for name, path in files.items():
            try:
                tables[name] = read_csv(path)
            except InputError as exc:
                issues += exc.issues
    if issues:
        raise InputError(issues)
    missing = [n for n in REQUIRED_TABLES if n not in tables]
    if missing:
        raise InputError(
            [InputIssue(f"{n}.csv", None, None, None, f"the required table {n} in {source}") for n in missing]
        )
    for name in TABLES:
        tables.setdefault(name, RawTable.empty(f"{name}.csv"))
    return tables
