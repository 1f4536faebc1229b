"""An evaluator of Curtois & Qu benchmark rosters that shares nothing with `allocate`.

It reads the instance with its own few lines of parsing and a roster.csv (employee, day, shift),
counts every broken hard rule and recomputes the objective, following the benchmark's text
(schedulingbenchmarks.org, instances1_24.html). Usable as a script:

    python benchmarks/nrp_evaluate.py Instance1.txt out/roster.csv
"""

from __future__ import annotations

import csv
import sys
from pathlib import Path


def read_sections(path: Path) -> dict[str, list[list[str]]]:
    sections: dict[str, list[list[str]]] = {}
    name = None
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line:
            name = None
        elif line.startswith("#"):
            continue
        elif line.startswith("SECTION_"):
            name = line
            sections[name] = []
        elif name is not None:
            sections[name].append(line.split(","))
    return sections


def evaluate(instance: Path, roster: Path) -> tuple[int, list[str]]:
    """(objective, hard-rule violations) of the roster."""
    sec = read_sections(instance)
    horizon = int(sec["SECTION_HORIZON"][0][0])
    length = {r[0]: int(r[1]) for r in sec["SECTION_SHIFTS"]}
    banned = {(r[0], b) for r in sec["SECTION_SHIFTS"] for b in r[2].split("|") if b}
    staff = {r[0]: r for r in sec["SECTION_STAFF"]}
    plan = {e: [None] * horizon for e in staff}
    errors: list[str] = []
    with open(roster, newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    for row in rows:
        e, d, s = row["employee"], int(row["day"]), row["shift"]
        if e not in plan or not 0 <= d < horizon or s not in length:
            errors.append(f"unknown assignment {row}")
        elif plan[e][d] is not None:
            errors.append(f"{e} has two shifts on day {d}")
        else:
            plan[e][d] = s
    for e, r in staff.items():
        days = plan[e]
        maxima = dict(item.split("=") for item in r[1].split("|"))
        for s in length:
            if sum(x == s for x in days) > int(maxima.get(s, 0)):
                errors.append(f"{e}: too many {s}")
        minutes = sum(length[x] for x in days if x)
        if not int(r[3]) <= minutes <= int(r[2]):
            errors.append(f"{e}: {minutes} minutes outside [{r[3]}, {r[2]}]")
        for d in range(horizon - 1):
            if (days[d], days[d + 1]) in banned:
                errors.append(f"{e}: {days[d]} then {days[d + 1]} on day {d}")
        # runs: pad with a day off on each side for the maximum; minimums skip edge runs
        stretch, start = [], 0
        for d in range(1, horizon + 1):
            if d == horizon or (days[d] is None) != (days[start] is None):
                stretch.append((start, d - 1, days[start] is not None))
                start = d
        for first, last, working in stretch:
            n = last - first + 1
            if working and n > int(r[4]):
                errors.append(f"{e}: {n} shifts in a row from day {first}")
            inner = first > 0 and last < horizon - 1
            if inner and working and n < int(r[5]):
                errors.append(f"{e}: only {n} shifts in a row from day {first}")
            if inner and not working and n < int(r[6]):
                errors.append(f"{e}: only {n} days off in a row from day {first}")
        weekends = sum(1 for w in range(horizon // 7) if days[7 * w + 5] or days[7 * w + 6])
        if weekends > int(r[7]):
            errors.append(f"{e}: {weekends} weekends worked")
    for r in sec.get("SECTION_DAYS_OFF", []):
        for d in r[1:]:
            if plan[r[0]][int(d)]:
                errors.append(f"{r[0]} works on day off {d}")
    penalty = 0
    for e, d, s, w in sec.get("SECTION_SHIFT_ON_REQUESTS", []):
        penalty += int(w) * (plan[e][int(d)] != s)
    for e, d, s, w in sec.get("SECTION_SHIFT_OFF_REQUESTS", []):
        penalty += int(w) * (plan[e][int(d)] == s)
    for d, s, need, under, over in sec["SECTION_COVER"]:
        n = sum(plan[e][int(d)] == s for e in plan)
        penalty += int(under) * max(0, int(need) - n) + int(over) * max(0, n - int(need))
    return penalty, errors


if __name__ == "__main__":
    objective, errors = evaluate(Path(sys.argv[1]), Path(sys.argv[2]))
    print(f"objective {objective}, {len(errors)} hard-rule violation(s)")
    for line in errors[:20]:
        print("  -", line)
    sys.exit(1 if errors else 0)
