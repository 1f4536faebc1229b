"""The benchmark's text format, read into a checked instance.

Sections start with a ``SECTION_<NAME>`` line and end at a blank line; ``#`` starts a comment
line; LF and CRLF line ends are both accepted. Every value is checked (types, ranges, known ids,
one cover row per day and shift), so a truncated or garbled file is an :class:`InputError` that
names the line, never a model of half an instance.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from allocate.io.errors import InputError, InputIssue

if TYPE_CHECKING:
    from collections.abc import Callable

SECTIONS = (
    "SECTION_HORIZON",
    "SECTION_SHIFTS",
    "SECTION_STAFF",
    "SECTION_DAYS_OFF",
    "SECTION_SHIFT_ON_REQUESTS",
    "SECTION_SHIFT_OFF_REQUESTS",
    "SECTION_COVER",
)
REQUIRED = ("SECTION_HORIZON", "SECTION_SHIFTS", "SECTION_STAFF", "SECTION_COVER")
STAFF_FIELDS = (
    "ID",
    "MaxShifts",
    "MaxTotalMinutes",
    "MinTotalMinutes",
    "MaxConsecutiveShifts",
    "MinConsecutiveShifts",
    "MinConsecutiveDaysOff",
    "MaxWeekends",
)


@dataclass(frozen=True)
class Shift:
    shift_id: str
    minutes: int
    not_followed_by: tuple[str, ...]


@dataclass(frozen=True)
class Employee:
    employee_id: str
    max_shifts: dict[str, int]  # shift id -> most shifts of that type (0: never)
    max_minutes: int
    min_minutes: int
    max_consecutive: int
    min_consecutive: int
    min_days_off: int
    max_weekends: int


@dataclass(frozen=True)
class Request:
    employee: int
    day: int
    shift_id: str
    weight: int


@dataclass(frozen=True)
class Cover:
    day: int
    shift_id: str
    required: int
    under: int
    over: int


@dataclass
class Instance:
    name: str
    days: int
    shifts: list[Shift]
    staff: list[Employee]
    days_off: set[tuple[int, int]] = field(default_factory=set)  # (employee, day)
    on_requests: list[Request] = field(default_factory=list)
    off_requests: list[Request] = field(default_factory=list)
    cover: list[Cover] = field(default_factory=list)

    @property
    def shift_ids(self) -> list[str]:
        return [s.shift_id for s in self.shifts]

    @property
    def weekends(self) -> list[list[int]]:
        """Day 0 is a Monday: weekend w is days 7w+5 and 7w+6."""
        return [[d for d in (7 * w + 5, 7 * w + 6) if d < self.days] for w in range((self.days + 1) // 7)]

    @property
    def weekend_days(self) -> set[int]:
        """Every Saturday and Sunday of the horizon (see `weekends`)."""
        return {d for days in self.weekends for d in days}


class _Reader:
    """Collects every issue of a file with its line number, then raises them together."""

    def __init__(self, file: str) -> None:
        self.file = file
        self.issues: list[InputIssue] = []

    def bad(self, line: int | None, column: str | None, value: object, expected: str) -> None:
        self.issues.append(InputIssue(self.file, line, column, value, expected))

    def number(self, line: int, column: str, raw: str, low: int = 0, high: int | None = None) -> int | None:
        text = raw.strip()
        expected = f"an integer >= {low}" + (f" and <= {high}" if high is not None else "")
        try:
            value = int(text)
        except ValueError:
            self.bad(line, column, text, expected)
            return None
        if value < low or (high is not None and value > high):
            self.bad(line, column, value, expected)
            return None
        return value

    def fields(
        self, line: int, text: str, names: tuple[str, ...], extra_ok: bool = False
    ) -> list[str] | None:
        parts = [p.strip() for p in text.split(",")]
        if len(parts) != len(names) and not (extra_ok and len(parts) > len(names)):
            self.bad(line, None, text, f"{len(names)} comma-separated fields: {', '.join(names)}")
            return None
        return parts


def split_sections(text: str, reader: _Reader) -> dict[str, list[tuple[int, str]]]:
    """Section name -> its data lines (line number, text), comments and line ends stripped."""
    sections: dict[str, list[tuple[int, str]]] = {}
    current: str | None = None
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if line.startswith("#"):
            continue
        if not line:
            current = None
            continue
        if line.startswith("SECTION_"):
            if line not in SECTIONS:
                reader.bad(number, None, line, f"a known section ({', '.join(SECTIONS)})")
            elif line in sections:
                reader.bad(number, None, line, "each section once")
            else:
                sections[line] = []
            current = line if line in SECTIONS else None
            continue
        if current is None:
            reader.bad(number, None, line, "a SECTION_ line before data (or a comment starting with #)")
            continue
        sections[current].append((number, line))
    for name in REQUIRED:
        if name not in sections:
            reader.bad(None, None, None, f"a {name} section (the file may be truncated)")
    return sections


def read_instance(path: str | Path) -> Instance:
    """Read and check one instance file; raises InputError naming every bad line."""
    path = Path(path)
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except OSError as exc:
        raise InputError.single(str(path), None, None, None, f"a readable file ({exc.strerror})") from None
    except UnicodeDecodeError:
        raise InputError.single(str(path), None, None, None, "a UTF-8 text file") from None
    return parse_instance(text, path.name)


def parse_instance(text: str, name: str = "instance") -> Instance:
    reader = _Reader(name)
    sections = split_sections(text, reader)
    if reader.issues:
        raise InputError(reader.issues)
    days = _horizon(reader, sections["SECTION_HORIZON"])
    shifts = _shifts(reader, sections["SECTION_SHIFTS"])
    if reader.issues or days is None:
        raise InputError(reader.issues)
    shift_ids = {s.shift_id for s in shifts}
    staff = _staff(reader, sections["SECTION_STAFF"], shift_ids, days)
    if reader.issues:
        raise InputError(reader.issues)
    index = {e.employee_id: i for i, e in enumerate(staff)}
    instance = Instance(name, days, shifts, staff)
    instance.days_off = _days_off(reader, sections.get("SECTION_DAYS_OFF", []), index, days)
    request = _request_reader(reader, index, shift_ids, days)
    instance.on_requests = [
        r for n, t in sections.get("SECTION_SHIFT_ON_REQUESTS", []) if (r := request(n, t))
    ]
    instance.off_requests = [
        r for n, t in sections.get("SECTION_SHIFT_OFF_REQUESTS", []) if (r := request(n, t))
    ]
    instance.cover = _cover(reader, sections["SECTION_COVER"], shifts, days)
    if reader.issues:
        raise InputError(reader.issues)
    return instance


def _horizon(reader: _Reader, lines: list[tuple[int, str]]) -> int | None:
    if len(lines) != 1:
        reader.bad(lines[1][0] if len(lines) > 1 else None, "SECTION_HORIZON", None, "one line: the days")
        return None
    line, text = lines[0]
    days = reader.number(line, "horizon", text, low=1)
    if days is not None and days % 7:
        reader.bad(line, "horizon", days, "a whole number of weeks (days divisible by 7)")
        return None
    return days


def _shifts(reader: _Reader, lines: list[tuple[int, str]]) -> list[Shift]:
    rows: list[tuple[int, str, int | None, list[str]]] = []
    seen: set[str] = set()
    for line, text in lines:
        parts = reader.fields(line, text, ("ShiftID", "Length in mins", "Shifts which cannot follow"))
        if parts is None:
            continue
        shift_id, length, banned = parts
        if not shift_id or shift_id in seen:
            reader.bad(line, "ShiftID", shift_id, "a unique, non-empty shift id")
        seen.add(shift_id)
        rows.append((line, shift_id, reader.number(line, "Length in mins", length, low=1), banned.split("|")))
    if not lines:
        reader.bad(None, "SECTION_SHIFTS", None, "at least one shift")
    shifts = []
    for line, shift_id, minutes, banned in rows:
        follow = tuple(b.strip() for b in banned if b.strip())
        for b in follow:
            if b not in seen:
                reader.bad(line, "Shifts which cannot follow", b, f"a shift id ({', '.join(sorted(seen))})")
        shifts.append(Shift(shift_id, minutes or 0, follow))
    return shifts


def _staff(reader: _Reader, lines: list[tuple[int, str]], shift_ids: set[str], days: int) -> list[Employee]:
    staff: list[Employee] = []
    seen: set[str] = set()
    for line, text in lines:
        parts = reader.fields(line, text, STAFF_FIELDS)
        if parts is None:
            continue
        employee_id = parts[0]
        if not employee_id or employee_id in seen:
            reader.bad(line, "ID", employee_id, "a unique, non-empty employee id")
        seen.add(employee_id)
        max_shifts = _max_shifts(reader, line, parts[1], shift_ids)
        numbers = [
            reader.number(line, name, raw) for name, raw in zip(STAFF_FIELDS[2:], parts[2:], strict=True)
        ]
        if max_shifts is None or any(n is None for n in numbers):
            continue
        max_min, min_min, max_run, min_run, min_off, max_weekends = (int(n) for n in numbers)  # type: ignore[arg-type]
        if max_run < 1:
            reader.bad(line, "MaxConsecutiveShifts", max_run, "an integer >= 1")
        staff.append(
            Employee(employee_id, max_shifts, max_min, min_min, max_run, min_run, min_off, max_weekends)
        )
    if not lines:
        reader.bad(None, "SECTION_STAFF", None, "at least one employee")
    return staff


def _max_shifts(reader: _Reader, line: int, raw: str, shift_ids: set[str]) -> dict[str, int] | None:
    out: dict[str, int] = {}
    for item in raw.split("|"):
        shift_id, sep, count = item.partition("=")
        shift_id = shift_id.strip()
        if not sep or shift_id not in shift_ids or shift_id in out:
            reader.bad(line, "MaxShifts", item, "ShiftID=count for each known shift id, |-separated")
            return None
        value = reader.number(line, "MaxShifts", count)
        if value is None:
            return None
        out[shift_id] = value
    missing = shift_ids - set(out)
    if missing:
        reader.bad(line, "MaxShifts", raw, f"a count for every shift (missing {', '.join(sorted(missing))})")
        return None
    return out


def _employee(reader: _Reader, line: int, index: dict[str, int], raw: str) -> int | None:
    if raw not in index:
        reader.bad(line, "EmployeeID", raw, "an employee id from SECTION_STAFF")
        return None
    return index[raw]


def _days_off(
    reader: _Reader, lines: list[tuple[int, str]], index: dict[str, int], days: int
) -> set[tuple[int, int]]:
    out: set[tuple[int, int]] = set()
    for line, text in lines:
        parts = [p.strip() for p in text.split(",")]
        employee = _employee(reader, line, index, parts[0])
        if len(parts) < 2:
            reader.bad(line, None, text, "EmployeeID, then one or more day indexes")
            continue
        for raw in parts[1:]:
            day = reader.number(line, "DayIndexes", raw, high=days - 1)
            if employee is not None and day is not None:
                out.add((employee, day))
    return out


def _request_reader(
    reader: _Reader, index: dict[str, int], shift_ids: set[str], days: int
) -> Callable[[int, str], Request | None]:
    def read(line: int, text: str) -> Request | None:
        parts = reader.fields(line, text, ("EmployeeID", "Day", "ShiftID", "Weight"))
        if parts is None:
            return None
        employee = _employee(reader, line, index, parts[0])
        day = reader.number(line, "Day", parts[1], high=days - 1)
        if parts[2] not in shift_ids:
            reader.bad(line, "ShiftID", parts[2], "a shift id from SECTION_SHIFTS")
        weight = reader.number(line, "Weight", parts[3])
        if employee is None or day is None or weight is None or parts[2] not in shift_ids:
            return None
        return Request(employee, day, parts[2], weight)

    return read


def _cover(reader: _Reader, lines: list[tuple[int, str]], shifts: list[Shift], days: int) -> list[Cover]:
    ids = {s.shift_id for s in shifts}
    rows: dict[tuple[int, str], Cover] = {}
    names = ("Day", "ShiftID", "Requirement", "Weight for under", "Weight for over")
    for line, text in lines:
        parts = reader.fields(line, text, names)
        if parts is None:
            continue
        day = reader.number(line, "Day", parts[0], high=days - 1)
        if parts[1] not in ids:
            reader.bad(line, "ShiftID", parts[1], "a shift id from SECTION_SHIFTS")
        numbers = [reader.number(line, n, raw) for n, raw in zip(names[2:], parts[2:], strict=True)]
        if day is None or parts[1] not in ids or any(n is None for n in numbers):
            continue
        if (day, parts[1]) in rows:
            reader.bad(line, None, text, "one cover row per (day, shift)")
            continue
        rows[day, parts[1]] = Cover(day, parts[1], *(int(n) for n in numbers))  # type: ignore[arg-type]
    missing = [(d, s.shift_id) for d in range(days) for s in shifts if (d, s.shift_id) not in rows]
    if missing and not reader.issues:
        d, s = missing[0]
        reader.bad(
            lines[-1][0] if lines else None,
            "SECTION_COVER",
            None,
            f"one row for every day and shift ({days} x {len(shifts)}); {len(missing)} missing, "
            f"the first day {d} shift {s} (the file may be truncated)",
        )
    return [rows[d, s.shift_id] for d in range(days) for s in shifts if (d, s.shift_id) in rows]
