"""Input errors that name the file, line, column, the value and what was expected."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from allocate.i18n import L_, N_, Text, _, localize

if TYPE_CHECKING:
    from pydantic import ValidationError

# pydantic's own error types, by what they expected; the values come from the error's `ctx`.
# The English stays pydantic's wording; the msgid here is what the other languages show.
_PYDANTIC_TYPES = {
    "literal_error": N_("one of %(expected)s"),
    "enum": N_("one of %(expected)s"),
    "greater_than_equal": N_("greater than or equal to %(ge)s"),
    "greater_than": N_("greater than %(gt)s"),
    "less_than_equal": N_("less than or equal to %(le)s"),
    "less_than": N_("less than %(lt)s"),
    "multiple_of": N_("a multiple of %(multiple_of)s"),
    "int_parsing": N_("a whole number"), "int_type": N_("a whole number"),
    "int_from_float": N_("a whole number"), "int_parsing_size": N_("a whole number"),
    "float_parsing": N_("a number"), "float_type": N_("a number"), "finite_number": N_("a finite number"),
    "bool_parsing": N_("true or false"), "bool_type": N_("true or false"),
    "string_type": N_("a text"),
    "string_too_short": N_("a text of at least %(min_length)s character(s)"),
    "string_too_long": N_("a text of at most %(max_length)s character(s)"),
    "too_short": N_("at least %(min_length)s item(s)"),
    "too_long": N_("at most %(max_length)s item(s)"),
    "date_parsing": N_("a date as YYYY-MM-DD"), "date_type": N_("a date as YYYY-MM-DD"),
    "date_from_datetime_parsing": N_("a date as YYYY-MM-DD"),
    "date_from_datetime_inexact": N_("a date as YYYY-MM-DD"),
    "datetime_parsing": N_("a date and time as YYYY-MM-DDTHH:MM"),
    "datetime_type": N_("a date and time as YYYY-MM-DDTHH:MM"),
    "datetime_from_date_parsing": N_("a date and time as YYYY-MM-DDTHH:MM"),
    "list_type": N_("a list"), "tuple_type": N_("a list"), "set_type": N_("a list"),
    "iterable_type": N_("a list"), "dict_type": N_("a table of keys"), "model_type": N_("a table of keys"),
    "model_attributes_type": N_("a table of keys"),
}  # fmt: skip


def options(expected: str) -> str:
    """pydantic's list of literals ``'a', 'b' or 'c'``, with its last "or" translatable."""
    first, sep, last = expected.rpartition(" or ")
    return L_("%(first)s or %(last)s", first=first, last=last) if sep else expected


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
        value = self.value.isoformat() if isinstance(self.value, dt.date) else self.value
        got = "" if value is None else _(": got %(value)s") % {"value": repr(value)}
        expected = localize(self.expected)
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
    """What a pydantic error says was expected, in the words of the other messages.

    Our own validators raise ``ValueError(L_(...))`` or ``ValueError(N_(...))``: that text is kept
    as made (so it can be translated); pydantic's built-in errors are looked up by `type`.
    """
    kind = err["type"]
    ctx = err.get("ctx") or {}
    if kind == "value_error" and isinstance(ctx.get("error"), ValueError):
        arg = ctx["error"].args[0] if ctx["error"].args else ""
        if isinstance(arg, str) and arg:
            return arg
    msg = err["msg"].removeprefix("Value error, ")
    if kind == "extra_forbidden":
        return L_("a known key (this one is not)")
    if kind == "missing":
        return L_("a value (this is required)")
    english = msg.removeprefix("Input should be ")
    msgid = _PYDANTIC_TYPES.get(kind)
    if msgid is None:
        return english
    params = {k: ctx[k] for k in re.findall(r"%\((\w+)\)s", msgid) if k in ctx}
    if len(params) != msgid.count("%("):
        return english
    if "expected" in params:
        params["expected"] = options(str(params["expected"]))
        english = "one of " + english
    return Text(english, msgid, params)


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
