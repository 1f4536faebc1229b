"""Input errors that name the file, line, column, the value and what was expected."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from allocate.i18n import N_, _

if TYPE_CHECKING:
    from pydantic import ValidationError

# What was expected, for messages built from parts: (pattern of the English text, its msgid).
# A message that is one whole msgid (most of them) is translated as it stands.
_EXPECTED_PATTERNS = (
    (re.compile(r"^one of (?P<options>.+)$"), N_("one of %(options)s")),
    (re.compile(r"^a unique (?P<what>\S+) \(already on line (?P<line>\d+)\)$"), N_("a unique %(what)s (already on line %(line)s)")),
    (re.compile(r"^a (?P<column>\S+) that exists in (?P<what>\S+)$"), N_("a %(column)s that exists in %(what)s")),
    (re.compile(r"^greater than or equal to (?P<n>\S+)$"), N_("greater than or equal to %(n)s")),
    (re.compile(r"^greater than (?P<n>\S+)$"), N_("greater than %(n)s")),
    (re.compile(r"^less than or equal to (?P<n>\S+)$"), N_("less than or equal to %(n)s")),
    (re.compile(r"^the required table (?P<name>\S+) in (?P<where>.+)$"), N_("the required table %(name)s in %(where)s")),
    (re.compile(r"^one row per station, day, shift and task \(same as line (?P<line>\d+)\)$"), N_("one row per station, day, shift and task (same as line %(line)s)")),
)  # fmt: skip

# Whole messages, marked here for extraction (they are written where the check is made).
_EXPECTED_WORDS = (
    N_("this column in the header"), N_("a value (this is required)"), N_("a known key (this one is not)"),
    N_("a date as YYYY-MM-DD"), N_("a time of day as HH:MM (00:00 to 23:59)"), N_("true or false"),
    N_("a whole number"), N_("a number"), N_("a non-empty id"),
    N_("a weekday Mon, Tue, Wed, Thu, Fri, Sat or Sun, or Hol (public holidays)"),
    N_("exactly one of date or weekday"), N_("an existing dataset folder or .xlsx workbook"),
    N_("a folder of CSV files or an .xlsx workbook"),
)  # fmt: skip


def translate_expected(text: str) -> str:
    """What was expected, in the current language: a whole message, or one built from parts."""
    whole = _(text)
    if whole != text:
        return whole
    for pattern, msgid in _EXPECTED_PATTERNS:
        found = pattern.match(text)
        if found:
            parts = found.groupdict()
            if "options" in parts:  # pydantic's list of literals: 'a', 'b' or 'c'
                parts["options"] = parts["options"].replace(" or ", _(" or "))
            return _(msgid) % parts
    return text


@dataclass(frozen=True)
class InputIssue:
    """One bad value. `line` is the 1-based line in a CSV file (header = line 1) or sheet row."""

    file: str
    line: int | None
    column: str | None
    value: object
    expected: str

    def __str__(self) -> str:
        where = self.file
        if self.line is not None:
            where += _(" line %(line)s") % {"line": self.line}
        if self.column:
            where += _(", column %(column)s") % {"column": self.column}
        got = "" if self.value is None else _(": got %(value)s") % {"value": repr(self.value)}
        expected = translate_expected(self.expected)
        return _("%(where)s%(got)s; expected %(expected)s") % {
            "where": where,
            "got": got,
            "expected": expected,
        }


class InputError(ValueError):
    """Bad input: every issue found, not just the first. The CLI exits with code 2."""

    def __init__(self, issues: list[InputIssue]):
        self.issues = list(issues)
        super().__init__(self.render())

    @classmethod
    def single(
        cls, file: str, line: int | None, column: str | None, value: object, expected: str
    ) -> InputError:
        return cls([InputIssue(file, line, column, value, expected)])

    def render(self, limit: int = 200) -> str:
        lines = [_("%(n)s problem(s) in the input:") % {"n": len(self.issues)}]
        lines += [f"  - {issue}" for issue in self.issues[:limit]]
        if len(self.issues) > limit:
            lines.append(_("  ... and %(n)s more") % {"n": len(self.issues) - limit})
        return "\n".join(lines)


def expected_of(err: dict) -> str:
    """What a pydantic error says was expected, in the words of the other messages."""
    msg = err["msg"].removeprefix("Value error, ")
    if err["type"] == "literal_error":
        return "one of " + msg.removeprefix("Input should be ")
    if err["type"] == "extra_forbidden":
        return "a known key (this one is not)"
    if err["type"] == "missing":
        return "a value (this is required)"
    return msg.removeprefix("Input should be ")


def issues_from_pydantic(
    exc: ValidationError, file: str, line_of: dict[int, int] | None = None
) -> list[InputIssue]:
    """Translate pydantic errors; `loc` is (row index, field) for tables, (key, ...) for TOML."""
    out: list[InputIssue] = []
    for err in exc.errors():
        loc = list(err["loc"])
        line = None
        if loc and isinstance(loc[0], int) and line_of is not None:
            line = line_of.get(loc.pop(0))
        column = ".".join(str(p) for p in loc) or None
        value = err.get("input") if err["type"] not in ("missing",) else None
        if isinstance(value, dict):
            value = None
        out.append(InputIssue(file, line, column, value, expected_of(err)))
    return out
