"""Input errors that name the file, line, column, the value and what was expected."""

from __future__ import annotations

from dataclasses import dataclass

from pydantic import ValidationError


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
            where += f" line {self.line}"
        if self.column:
            where += f", column {self.column}"
        got = "" if self.value is None else f": got {self.value!r}"
        return f"{where}{got}; expected {self.expected}"


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
        lines = [f"{len(self.issues)} problem(s) in the input:"]
        lines += [f"  - {issue}" for issue in self.issues[:limit]]
        if len(self.issues) > limit:
            lines.append(f"  ... and {len(self.issues) - limit} more")
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
