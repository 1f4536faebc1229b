"""The benchmark's hard rules and objective, recomputed from assignments alone (no model code).

Reads only the instance and a list of (employee, day, shift) assignments, e.g. a roster.csv, and
shares the day-pattern checks with the police verifier (:mod:`allocate.verify.patterns`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from allocate.verify.patterns import long_runs, shift_counts, short_runs, successions, worked_weekends

if TYPE_CHECKING:
    from allocate.nrp.instance import Instance


@dataclass
class NrpEvaluation:
    objective: int = 0
    violations: list[str] = field(default_factory=list)
    parts: dict[str, int] = field(default_factory=dict)  # objective by source

    @property
    def ok(self) -> bool:
        return not self.violations


def evaluate(instance: Instance, assignments: list[tuple[int, int, str]]) -> NrpEvaluation:
    """Every hard rule (a violation named per break) and the objective, exactly."""
    result = NrpEvaluation()
    bad = result.violations
    days, staff = instance.days, instance.staff
    lengths = {s.shift_id: s.minutes for s in instance.shifts}
    timelines: list[list[str | None]] = [[None] * days for _ in staff]
    for e, d, s in assignments:
        if not (0 <= e < len(staff) and 0 <= d < days and s in lengths):
            bad.append(f"assignment ({e}, {d}, {s}) names no employee, day or shift of the instance")
        elif timelines[e][d] is not None:
            bad.append(f"{staff[e].employee_id} works two shifts on day {d}")
        else:
            timelines[e][d] = s
    pairs = [(s.shift_id, b) for s in instance.shifts for b in s.not_followed_by]
    for e, emp in enumerate(staff):
        who, line = emp.employee_id, timelines[e]
        flags = [s is not None for s in line]
        bad += [f"{who} works {a} on day {d} then {b}" for d, a, b in successions(line, pairs)]
        for s, n in shift_counts(line).items():
            if n > emp.max_shifts[s]:
                bad.append(f"{who} works {n} {s} shifts; at most {emp.max_shifts[s]}")
        total = sum(lengths[s] for s in line if s is not None)
        if not emp.min_minutes <= total <= emp.max_minutes:
            bad.append(f"{who} works {total} minutes; between {emp.min_minutes} and {emp.max_minutes}")
        bad += [
            f"{who} works {r.length} days in a row from day {r.first}"
            for r in long_runs(flags, emp.max_consecutive)
        ]
        bad += [
            f"{who} works a run of {r.length} from day {r.first}"
            for r in short_runs(flags, emp.min_consecutive)
        ]
        bad += [
            f"{who} has {r.length} day(s) off from day {r.first}"
            for r in short_runs(flags, emp.min_days_off, False)
        ]
        if (n := sum(worked_weekends(flags, instance.weekends))) > emp.max_weekends:
            bad.append(f"{who} works {n} weekends; at most {emp.max_weekends}")
    bad += [
        f"{staff[e].employee_id} works on day {d}, a day off"
        for e, d in sorted(instance.days_off)
        if timelines[e][d]
    ]
    on = sum(r.weight for r in instance.on_requests if timelines[r.employee][r.day] != r.shift_id)
    off = sum(r.weight for r in instance.off_requests if timelines[r.employee][r.day] == r.shift_id)
    cover = 0
    for c in instance.cover:
        n = sum(1 for line in timelines if line[c.day] == c.shift_id)
        cover += c.under * max(0, c.required - n) + c.over * max(0, n - c.required)
    result.parts = {"on_requests": on, "off_requests": off, "cover": cover}
    result.objective = on + off + cover
    return result
