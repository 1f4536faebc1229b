"""Validate a raw table column by column: each distinct value is parsed once, then every row.

A demand table of a million rows holds a few hundred distinct stations, dates, shifts, tasks and
crew counts. Parsing each distinct value once with the field's pydantic type (the same
:mod:`allocate.io.schemas` rules) and spreading the verdict over the rows with numpy keeps
validation fast and its memory close to the size of the file, instead of one pydantic object
(and one dict) per row.
"""

from __future__ import annotations

import difflib
from collections import namedtuple
from dataclasses import dataclass, field
from functools import cache
from typing import TYPE_CHECKING, Annotated, Any

import numpy as np
import pandas as pd
from pydantic import TypeAdapter, ValidationError

from allocate.i18n import L_
from allocate.io.errors import InputIssue, expected_of
from allocate.io.schemas import REQUIRED_COLUMNS, SCHEMAS

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

    from allocate.io.tables import RawTable

# A column that is wrong on every row says so a few times, then counts the rest.
MAX_ISSUES_PER_COLUMN = 50
_MISSING = object()


@dataclass
class ValidTable:
    """The rows of a table that passed, with their file lines, stored like a :class:`RawTable`.

    Each field keeps its distinct parsed values once (`values`) and one index per good row
    (`codes`); rows are made on iteration, a chunk at a time. `usable` is False when the table
    could not be read as a whole (a required column missing, or no rows): other tables'
    references to it are then not checked, so one mistake gives one message, not one per row.
    """

    name: str
    file: str
    lines: np.ndarray
    values: dict[str, np.ndarray]
    codes: dict[str, np.ndarray]
    usable: bool
    ids: dict[str, set[str]] = field(default_factory=dict)

    CHUNK = 65536

    def __len__(self) -> int:
        return len(self.lines)

    def __iter__(self) -> Iterator[tuple[int, Any]]:
        """(line, row) with the row's fields as attributes."""
        cls = row_type(self.name)
        for start in range(0, len(self), self.CHUNK):
            end = start + self.CHUNK
            cols = [self.values[f][self.codes[f][start:end]].tolist() for f in cls._fields]
            yield from zip(
                self.lines[start:end].tolist(), map(cls._make, zip(*cols, strict=True)), strict=True
            )

    def column(self, name: str) -> list[Any]:
        """Every good row's parsed value of field `name`."""
        return self.values[name][self.codes[name]].tolist()

    def key_codes(self, fields: tuple[str, ...]) -> np.ndarray:
        """One integer per row that is equal exactly when the rows' parsed `fields` are equal."""
        canonical = self.canonical
        key = np.zeros(len(self), dtype=np.int64)
        for f in fields:
            codes = canonical[f][self.codes[f]]
            # Mixed radix, then renumbered densely so that the next step cannot overflow.
            key, _ = pd.factorize(key * (int(codes.max(initial=0)) + 1) + codes)
        return key

    @property
    def canonical(self) -> dict[str, np.ndarray]:
        """Per field, each distinct text's index of the first distinct text with an equal value."""
        out = {}
        for f, values in self.values.items():
            first: dict[Any, int] = {}
            out[f] = np.array([first.setdefault(v, i) for i, v in enumerate(values)], dtype=np.int64)
        return out


@cache
def row_type(name: str) -> type:
    return namedtuple(f"{name.title()}Row", list(SCHEMAS[name].model_fields))  # type: ignore[misc]


@cache
def _adapter(name: str, field_name: str) -> TypeAdapter:
    info = SCHEMAS[name].model_fields[field_name]
    if not info.metadata:
        return TypeAdapter(info.annotation)
    return TypeAdapter(Annotated[info.annotation, *info.metadata])  # type: ignore[name-defined]


def _parse(name: str, field_name: str, text: str) -> tuple[Any, str | None]:
    """(value, None) or (None, what was expected) for one distinct cell text."""
    info = SCHEMAS[name].model_fields[field_name]
    if text == "":
        if info.is_required():
            return None, L_("a value (this is required)")
        return info.get_default(call_default_factory=True), None
    try:
        return _adapter(name, field_name).validate_python(text), None
    except ValidationError as exc:
        return None, expected_of(exc.errors()[0])


def _header_issues(name: str, table: RawTable) -> tuple[list[InputIssue], bool]:
    """Missing required columns and likely typos of contract columns; (issues, fatal)."""
    issues: list[InputIssue] = []
    fields = list(SCHEMAS[name].model_fields)
    extra = [c for c in table.columns if c not in fields]
    absent = [f for f in fields if f not in table.columns]
    close = {}
    for f in absent:
        match = difflib.get_close_matches(f, extra, n=1, cutoff=0.8)
        if match:
            close[f] = match[0]
    missing = [c for c in REQUIRED_COLUMNS[name] if c not in table.columns]
    if name == "demand" and not {"date", "weekday"} & set(table.columns):
        missing.append("date or weekday")
    hint = _delimiter_hint(table)
    for col in missing:
        if col in close:
            continue
        issues.append(
            InputIssue(
                table.file, table.header_line, col, None, L_("this column in the header%(hint)s", hint=hint)
            )
        )
    for f, col in close.items():
        issues.append(
            InputIssue(
                table.file,
                table.header_line,
                col,
                None,
                L_(
                    "a contract column name: did you mean %(name)s? (an unknown column is ignored, so "
                    "%(name)s would be read as not given)",
                    name=f,
                ),
            )
        )
    return issues, bool(missing)


def _delimiter_hint(table: RawTable) -> str:
    if len(table.columns) == 1:
        for sep, label in ((";", L_("semicolons")), ("\t", L_("tabs"))):
            if sep in table.columns[0]:
                return L_(" (the header is separated by %(label)s: save the file with commas)", label=label)
    return ""


def validate_table(name: str, table: RawTable, issues: list[InputIssue]) -> ValidTable:
    """Check every cell of `table` against the contract's schema for `name`."""
    fields = list(SCHEMAS[name].model_fields)
    none = np.zeros(0, dtype=np.int64)
    empty = ValidTable(
        name,
        table.file,
        none,
        {f: np.zeros(0, dtype=object) for f in fields},
        {f: none for f in fields},
        False,
    )
    if not table.columns and not len(table):
        return empty
    found, fatal = _header_issues(name, table)
    issues += found
    if fatal or not len(table):
        return empty
    good = np.ones(len(table), dtype=bool)
    parsed: dict[str, np.ndarray] = {}
    codes_of: dict[str, np.ndarray] = {}
    lines = np.frombuffer(table.lines, dtype=np.uint32)
    for f in fields:
        codes = table.codes_of(f)
        texts = table.distinct(f)
        values, expected = [], []
        for text in texts:
            value, why = _parse(name, f, text)
            values.append(value)
            expected.append(why)
        parsed[f] = np.empty(len(values), dtype=object)
        parsed[f][:] = values
        codes_of[f] = codes
        bad = np.array([why is not None for why in expected], dtype=bool)
        if bad.any():
            hit = bad[codes]
            good &= ~hit
            report(
                issues, table.file, f, lines, hit,
                lambda i, c=codes, t=texts: t[c[i]] or None,
                lambda i, c=codes, e=expected: e[c[i]],
            )  # fmt: skip
    keep = np.nonzero(good)[0]
    return ValidTable(
        name,
        table.file,
        lines[keep],
        parsed,
        {f: codes_of[f][keep] for f in fields},
        usable=True,
        ids={c: set(table.distinct(c)) - {""} for c in table.columns if c.endswith("_id")},
    )


def report(
    issues: list[InputIssue],
    file: str,
    column: str,
    lines: np.ndarray,
    hit: np.ndarray,
    value_of: Callable[[int], object],
    expected_of: Callable[[int], str],
) -> None:
    """One issue per row where `hit`, up to a cap per column; then one line counting the rest.

    `value_of` and `expected_of` take a row index: only the rows listed are looked at, so a
    column wrong on a million rows costs one vectorised mask, not a million messages.
    """
    rows = np.nonzero(hit)[0]
    issues += [
        InputIssue(file, int(lines[i]), column, value_of(i), expected_of(i))
        for i in rows[:MAX_ISSUES_PER_COLUMN].tolist()
    ]
    if len(rows) > MAX_ISSUES_PER_COLUMN:
        more = len(rows) - MAX_ISSUES_PER_COLUMN
        issues.append(
            InputIssue(
                file,
                None,
                column,
                None,
                L_(
                    "a valid %(column)s (%(n)s more rows with a bad value, not listed)", column=column, n=more
                ),
            )
        )
