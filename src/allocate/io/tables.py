"""Raw tables: CSV files in a folder or sheets of an ``.xlsx`` workbook, as columns of strings.

Each row keeps the line number that a planner will look for in the file. Tables are stored by
column (:class:`allocate.io.rawtable.RawTable`); workbooks are read by :mod:`allocate.io.workbook`.

Reading refuses what would otherwise be read as something else: a header named twice, a cell
holding a control character, a quote that is never closed (it swallows the lines after it), an
Excel formula without a saved value or an Excel error value, and two files or sheets that both
claim one table.
"""

from __future__ import annotations

import csv
import re
from array import array
from pathlib import Path
from typing import TYPE_CHECKING, Any

from allocate.i18n import L_
from allocate.io.errors import InputError, InputIssue
from allocate.io.rawtable import CONTROL, Builder, RawTable, check_header, control_issue

if TYPE_CHECKING:
    from collections.abc import Sequence

TABLES = (
    "stations",
    "shifts",
    "tasks",
    "staff",
    "demand",
    "absences",
    "requests",
    "history",
    "holidays",
    "pins",
)
REQUIRED_TABLES = ("stations", "shifts", "tasks", "staff", "demand")

_BREAK = re.compile(r"[\r\n]")
_SPECIAL = re.compile(r"[\x00-\x1f\x7f]")


def _parse_records(file: str, reader: Any) -> RawTable:
    """Rows of a CSV reader: header, row width, control characters, runaway quotes.

    The loop is the hot path of reading a big file: it does as little per row as it can.
    """
    builder: Builder | None = None
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
                        L_(
                            "every value on one line (a quote opened on line %(line)s is only closed on "
                            "line %(end)s, or never: is a closing quote missing?)",
                            line=line,
                            end=end,
                        ),
                    )
                )
                break  # everything after a runaway quote is misread: one message, not one per line
            if CONTROL.search(text):
                names = builder.header if builder is not None else []
                issues += [
                    control_issue(file, line, names[i] if i < len(names) else None, cell)
                    for i, cell in enumerate(record)
                    if CONTROL.search(cell)
                ]
                continue
        if not text.strip():
            continue
        if builder is None:
            builder = Builder(file, check_header(file, record, line), line)
            width, chunk, lines = builder.width, builder.chunk, builder.lines
            continue
        if len(record) != width:
            if len(record) > width:
                if "".join(record[width:]).strip():
                    issues.append(
                        InputIssue(
                            file,
                            line,
                            None,
                            ",".join(record),
                            L_("at most %(n)s cells like the header", n=width),
                        )
                    )
                    continue
                record = record[:width]
            else:
                record = record + [""] * (width - len(record))
        chunk.append(record)
        lines.append(line)
        if len(chunk) >= Builder.CHUNK:
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
            file,
            _bad_utf8_line(path),
            None,
            None,
            L_("UTF-8 text (%(why)s; save the file as UTF-8)", why=exc.reason),
        ) from None
    except csv.Error as exc:
        raise InputError.single(
            file, None, None, None, L_("a well-formed CSV file (%(why)s)", why=str(exc))
        ) from None
    except OSError as exc:
        raise InputError.single(
            file, None, None, None, L_("a readable file (%(why)s)", why=exc.strerror or str(exc))
        ) from None


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


def _table_files(folder: Path) -> tuple[dict[str, Path], list[InputIssue]]:
    """table -> its CSV file in `folder`, names matched without regard to case."""
    found: dict[str, Path] = {}
    issues: list[InputIssue] = []
    try:
        entries = sorted(folder.iterdir())
    except OSError as exc:
        raise InputError.single(
            str(folder), None, None, None, L_("a readable folder (%(why)s)", why=exc.strerror)
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
                    L_(
                        "one file per table: %(first)s and %(second)s both hold table %(table)s",
                        first=found[table].name,
                        second=path.name,
                        table=table,
                    ),
                )
            )
        found.setdefault(table, path)
    return found, issues


def read_tables(source: Path) -> dict[str, RawTable]:
    """Find the contract's tables in a folder of CSV files, a folder with a workbook, or a workbook.

    A CSV file wins over a sheet of the same table. Missing optional tables come back empty;
    a missing required table is an error naming it.
    """
    from allocate.io.workbook import read_workbook

    source = Path(source)
    try:
        exists, is_file = source.exists(), source.is_file()
    except (OSError, ValueError) as exc:
        raise InputError.single(
            str(source), None, None, None, L_("a dataset path (%(why)s)", why=str(exc))
        ) from None
    if not exists:
        raise InputError.single(
            str(source), None, None, None, L_("an existing dataset folder or .xlsx workbook")
        )
    tables: dict[str, RawTable] = {}
    issues: list[InputIssue] = []
    if is_file:
        if source.suffix.lower() not in (".xlsx", ".xlsm"):
            raise InputError.single(
                source.name, None, None, None, L_("a folder of CSV files or an .xlsx workbook")
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
            [
                InputIssue(
                    f"{n}.csv",
                    None,
                    None,
                    None,
                    L_("the required table %(name)s in %(where)s", name=n, where=source),
                )
                for n in missing
            ]
        )
    for name in TABLES:
        tables.setdefault(name, RawTable.empty(f"{name}.csv"))
    return tables
