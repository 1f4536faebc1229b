"""Tables as sheets of an ``.xlsx`` workbook (sheet ``staff`` or ``staff.csv``).

Every cell becomes text in the contract's formats (ISO dates, ``HH:MM``, ``true/false``), so a
planner's workbook and a CSV export go through the very same validation. A cell that cannot be
read as a value is an error naming it (``disqualified (cell staff!J5)``), never an empty cell
that would take its column's default: a formula that Excel never calculated (no saved result)
and an Excel error such as ``#N/A``. Two sheets that name one table are an error.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from allocate.i18n import L_
from allocate.io.errors import InputError, InputIssue
from allocate.io.rawtable import CONTROL, Builder, RawTable, check_header
from allocate.io.tables import TABLES

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator, Sequence
    from pathlib import Path


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


_NO_VALUE = L_(
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
                problems.append(
                    (col, value, L_("a value, not an Excel error (fix the formula or the value)"))
                )
                value = None
            elif value is None and _is_formula(raw, col):
                problems.append((col, None, _NO_VALUE))
            text = _cell_text(value)
            bad = CONTROL.search(text)
            if bad:
                code = f"U+{ord(bad.group()):04X}"
                problems.append(
                    (col, text, L_("text without control characters (found %(code)s)", code=code))
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
    builder: Builder | None = None
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
                InputIssue(
                    file,
                    number,
                    L_("%(name)s (cell %(cell)s)", name=name, cell=cell) if name else cell,
                    value,
                    expected,
                )
            )
        if builder is None:
            builder = Builder(file, check_header(file, cells, number), number)
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
        raise InputError.single(
            path.name, None, None, None, L_("a readable .xlsx workbook (%(why)s)", why=str(exc))
        ) from None


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
                        L_(
                            "one sheet per table: sheets %(first)r and %(second)r both map to "
                            "table %(table)s (rename or delete one)",
                            first=chosen[name],
                            second=ws.title,
                            table=name,
                        ),
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
        raise InputError.single(
            path.name, None, None, None, L_("a readable .xlsx workbook (%(why)s)", why=str(exc))
        ) from None
    finally:
        values.close()
        formulas.close()


def _formula_sheet(book, title: str):
    try:
        return book[title]
    except KeyError:
        return None
