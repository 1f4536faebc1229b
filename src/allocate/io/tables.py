"""Raw tables: CSV files in a folder or sheets of an ``.xlsx`` workbook, as rows of strings.

Every cell becomes text in the contract's formats (ISO dates, ``HH:MM``, ``true/false``) so that a
planner's workbook and a CSV export go through the very same validation, and each row keeps the
line number that a planner will look for in the file.
"""

from __future__ import annotations

import csv
import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from allocate.io.errors import InputError, InputIssue

TABLES = ("stations", "shifts", "tasks", "staff", "demand", "absences", "requests", "history", "holidays")
REQUIRED_TABLES = ("stations", "shifts", "tasks", "staff", "demand")


@dataclass(frozen=True)
class RawTable:
    """A table as read: display name (``staff.csv`` or ``book.xlsx[staff]``), header, rows, lines."""

    file: str
    columns: tuple[str, ...]
    rows: tuple[dict[str, str], ...]
    lines: tuple[int, ...]

    @classmethod
    def empty(cls, file: str) -> RawTable:
        return cls(file, (), (), ())


def _clean_header(name: object) -> str:
    return str(name).strip().lstrip("\ufeff").strip() if name is not None else ""


def read_csv(path: Path) -> RawTable:
    """Read a CSV file; blank lines are skipped, cells stripped, BOM tolerated."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError.single(path.name, None, None, None, f"UTF-8 text ({exc.reason})") from None
    reader = csv.reader(text.splitlines())
    header: list[str] | None = None
    rows: list[dict[str, str]] = []
    lines: list[int] = []
    issues: list[InputIssue] = []
    for record in reader:
        line = reader.line_num
        if header is None:
            if not any(cell.strip() for cell in record):
                continue
            header = [_clean_header(c) for c in record]
            continue
        if not any(cell.strip() for cell in record):
            continue
        if len(record) > len(header) and any(c.strip() for c in record[len(header) :]):
            issues.append(
                InputIssue(
                    path.name, line, None, ",".join(record), f"at most {len(header)} cells like the header"
                )
            )
            continue
        cells = [c.strip() for c in record] + [""] * (len(header) - len(record))
        rows.append({h: cells[i] for i, h in enumerate(header) if h})
        lines.append(line)
    if issues:
        raise InputError(issues)
    return RawTable(path.name, tuple(h for h in (header or []) if h), tuple(rows), tuple(lines))


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


def read_sheet(book_path: Path, sheet) -> RawTable:
    """Read one worksheet; row numbers are the sheet's own row numbers."""
    file = f"{book_path.name}[{sheet.title}]"
    header: list[str] | None = None
    rows: list[dict[str, str]] = []
    lines: list[int] = []
    for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
        cells = [_cell_text(v) for v in values]
        if not any(cells):
            continue
        if header is None:
            header = [_clean_header(c) for c in cells]
            continue
        cells += [""] * (len(header) - len(cells))
        rows.append({h: cells[i] for i, h in enumerate(header) if h})
        lines.append(number)
    return RawTable(file, tuple(h for h in (header or []) if h), tuple(rows), tuple(lines))


def _sheet_name(title: str) -> str:
    name = title.strip().lower()
    return name.removesuffix(".csv")


def read_workbook(path: Path) -> dict[str, RawTable]:
    """All contract tables found as sheets of one workbook (sheet ``staff`` or ``staff.csv``)."""
    from openpyxl import load_workbook

    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a broken file
        raise InputError.single(path.name, None, None, None, f"a readable .xlsx workbook ({exc})") from None
    try:
        return {
            _sheet_name(ws.title): read_sheet(path, ws)
            for ws in book.worksheets
            if _sheet_name(ws.title) in TABLES
        }
    finally:
        book.close()


def read_tables(source: Path) -> dict[str, RawTable]:
    """Find the contract's tables in a folder of CSV files, a folder with a workbook, or a workbook.

    A CSV file wins over a sheet of the same table. Missing optional tables come back empty;
    a missing required table is an error naming it.
    """
    source = Path(source)
    if not source.exists():
        raise InputError.single(str(source), None, None, None, "an existing dataset folder or .xlsx workbook")
    tables: dict[str, RawTable] = {}
    if source.is_file():
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
            if stem in TABLES:
                sheets = read_workbook(book)
                first = next(iter(sheets.values()), None) if stem not in sheets else sheets[stem]
                if first is None:
                    first = _first_sheet(book)
                tables[stem] = first
            else:
                for name, table in read_workbook(book).items():
                    tables.setdefault(name, table)
        for name in TABLES:
            path = source / f"{name}.csv"
            if path.is_file():
                tables[name] = read_csv(path)
    missing = [n for n in REQUIRED_TABLES if n not in tables]
    if missing:
        raise InputError(
            [InputIssue(f"{n}.csv", None, None, None, f"the required table {n} in {source}") for n in missing]
        )
    for name in TABLES:
        tables.setdefault(name, RawTable.empty(f"{name}.csv"))
    return tables


def _first_sheet(book: Path) -> RawTable:
    from openpyxl import load_workbook

    wb = load_workbook(book, read_only=True, data_only=True)
    try:
        return read_sheet(book, wb.worksheets[0])
    finally:
        wb.close()
