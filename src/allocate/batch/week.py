"""ISO weeks: the batch's unit of planning (``2026-W49`` is Monday 2026-11-30 to Sunday 2026-12-06)."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from allocate.domain import Horizon

_WEEK = re.compile(r"^(\d{4})-?W(\d{2})$", re.IGNORECASE)


@dataclass(frozen=True, order=True)
class Week:
    """One ISO week."""

    year: int
    number: int

    @classmethod
    def parse(cls, text: str) -> Week:
        """``2026-W49`` (or ``2026W49``); raises ValueError naming the expected form."""
        match = _WEEK.match(text.strip())
        if not match:
            raise ValueError(f"{text!r} is not an ISO week like 2026-W49")
        year, number = int(match.group(1)), int(match.group(2))
        try:
            dt.date.fromisocalendar(year, number, 1)
        except ValueError:
            raise ValueError(f"{text!r}: {year} has no ISO week {number}") from None
        return cls(year, number)

    @classmethod
    def of(cls, day: dt.date) -> Week:
        year, number, _ = day.isocalendar()
        return cls(year, number)

    @property
    def monday(self) -> dt.date:
        return dt.date.fromisocalendar(self.year, self.number, 1)

    @property
    def horizon(self) -> Horizon:
        return Horizon(self.monday, 7)

    def previous(self) -> Week:
        return Week.of(self.monday - dt.timedelta(days=7))

    def next(self) -> Week:
        return Week.of(self.monday + dt.timedelta(days=7))

    def __str__(self) -> str:
        return f"{self.year}-W{self.number:02d}"
