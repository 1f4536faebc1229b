"""Pins (pins.csv): an `on` pin is kept when the person works a matching row, an `off` pin when no
row of theirs matches. Read from the dataset and the roster alone, like every other check."""

from __future__ import annotations

from collections import defaultdict

from allocate.verify.frames import Context, records
from allocate.verify.report import Violation


def check_pins(ctx: Context) -> list[Violation]:
    """pin: planners' decisions are hard; a roster that drops one is not the one they asked for."""
    pins = [p for p in ctx.dataset.pins if p.date in ctx.horizon]
    if not pins:
        return []
    worked: dict[tuple[str, str], list[tuple[str, str]]] = defaultdict(list)
    for row in records(ctx.rows[ctx.inside(ctx.rows)]):
        worked[row.person_id, row.date].append((row.shift_id, row.task_id))
    out = []
    for pin in pins:
        day = pin.date.isoformat()
        hits = [
            (s, t)
            for s, t in worked.get((pin.person_id, day), ())
            if pin.shift_id in (None, s) and pin.task_id in (None, t)
        ]
        if bool(hits) == pin.on:
            continue
        what = " ".join(x for x in (pin.shift_id, pin.task_id) if x) or "any shift"
        verb = "to work" if pin.on else "not to work"
        did = "does not" if pin.on else "does"
        out.append(
            Violation(
                "pin",
                f"Person {pin.person_id} is pinned {verb} on {day} ({what}, {pin.file} line {pin.line}) "
                f"but {did} in this roster",
                date=day,
                shift_id=pin.shift_id,
                task_id=pin.task_id,
                person_id=pin.person_id,
            )
        )
    return out
