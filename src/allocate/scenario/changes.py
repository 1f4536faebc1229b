"""One pure function per kind of change: each takes a Dataset and returns a new one (or a Policy).

Nothing is mutated. Row order is kept: edited rows stay in place, new rows go at the end in
sorted order, so the same change on the same data always gives the same dataset.

Rounding of scaled crews is per post: ``half_up`` by default (1.3 x 5 = 6.5 -> 7), or ``up``
(ceil) or ``down`` (floor), never below 0, computed in decimal so that 5 x 1.3 is exactly 6.5.
So +30% leaves a 1-crew post at 1 crew under ``half_up`` (1.3 -> 1) and raises it to 2 under ``up``.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import random
from dataclasses import dataclass
from decimal import ROUND_CEILING, ROUND_FLOOR, ROUND_HALF_UP, Decimal
from itertools import product
from typing import TYPE_CHECKING

from allocate.domain import WEEKDAYS, Absence, Dataset, DemandRow, Horizon, Person
from allocate.io.schemas import MAX_CREWS
from allocate.scenario.schema import (
    AbsenceChange,
    AddCrews,
    Change,
    DemandSelection,
    Headcount,
    Lending,
    Quota,
    RemoveCrews,
    ScaleDemand,
)

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable

    from allocate.policy import Policy

_ROUNDING = {"half_up": ROUND_HALF_UP, "up": ROUND_CEILING, "down": ROUND_FLOOR}
_ROLE_CODE = {"sworn": "S", "aux_service": "A", "aux_civilian": "C"}
_ROLE_LABEL = {"sworn": "officer", "aux_service": "service auxiliary", "aux_civilian": "civilian auxiliary"}


@dataclass(frozen=True)
class Problem:
    """What is wrong with a change: the field, the value, and what was expected."""

    field: str
    value: object
    expected: str


class ChangeError(ValueError):
    """A change that does not fit the data (an unknown id, a date outside the horizon, ...)."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("; ".join(f"{p.field}: {p.value!r}, expected {p.expected}" for p in problems))


@dataclass(frozen=True)
class Context:
    """What a change may depend on besides the data: the horizon and the seed of random draws."""

    horizon: Horizon
    seed: int = 0


def scaled(crews: int, factor: float, rounding: str = "half_up") -> int:
    """`crews` x `factor` rounded as documented above, never below 0."""
    value = Decimal(crews) * Decimal(str(factor))
    return max(0, int(value.quantize(Decimal(1), rounding=_ROUNDING[rounding])))


# --- checks shared by the changes ------------------------------------------------------------


def _check_ids(field: str, values: Iterable[str] | None, known: Iterable[str], what: str) -> list[Problem]:
    known = set(known)
    return [Problem(field, v, f"a {what} that exists in the dataset") for v in values or () if v not in known]


def _check_selection(ds: Dataset, sel: DemandSelection, horizon: Horizon) -> list[Problem]:
    problems = _check_ids("stations", sel.stations, ds.station_by_id, "station_id")
    problems += _check_ids("tasks", sel.tasks, ds.task_by_id, "task_id")
    problems += _check_ids("shifts", sel.shifts, ds.shift_by_id, "shift_id")
    inside = f"a date within the horizon {horizon.start} .. {horizon.end}"
    problems += [Problem("dates", d.isoformat(), inside) for d in sel.dates or () if d not in horizon]
    for name in ("date_from", "date_to"):
        day = getattr(sel, name)
        if day is not None and day not in horizon:
            problems.append(Problem(name, day.isoformat(), inside))
    return problems


def _raise(problems: list[Problem]) -> None:
    if problems:
        raise ChangeError(problems)


# --- demand ------------------------------------------------------------------------------------


def _selected_dates(sel: DemandSelection, horizon: Horizon) -> list[dt.date]:
    days = set(sel.weekdays or WEEKDAYS)
    return [
        d
        for d in horizon.dates
        if (sel.dates is None or d in sel.dates)
        and (sel.date_from is None or d >= sel.date_from)
        and (sel.date_to is None or d <= sel.date_to)
        and WEEKDAYS[d.weekday()] in days
    ]


def _edit_demand(
    ds: Dataset, sel: DemandSelection, ctx: Context, new_crews: Callable[[int], int], creates: bool
) -> Dataset:
    """Apply `new_crews` to the effective demand of the selected posts (see DemandSelection)."""
    _raise(_check_selection(ds, sel, ctx.horizon))
    stations = sel.stations or [s.station_id for s in ds.stations]
    tasks = sel.tasks or [t.task_id for t in ds.tasks]
    shifts = sel.shifts or [s.shift_id for s in ds.shifts]
    weekdays = [WEEKDAYS.index(w) for w in sel.weekdays or WEEKDAYS]

    def hit(row: DemandRow) -> bool:
        return row.station_id in stations and row.task_id in tasks and row.shift_id in shifts

    rows = list(ds.demand)
    added: list[DemandRow] = []
    if not sel.by_date:
        present = set()
        for i, row in enumerate(rows):
            if not hit(row):
                continue
            day = row.weekday if row.weekday is not None else row.date.weekday()  # type: ignore[union-attr]
            if day in weekdays:
                rows[i] = dataclasses.replace(row, crews=new_crews(row.crews))
            if row.weekday is not None:
                present.add((row.station_id, row.shift_id, row.task_id, row.weekday))
        if creates:
            for st, sh, t, day in product(sorted(stations), sorted(shifts), sorted(tasks), weekdays):
                if (st, sh, t, day) not in present:
                    added.append(DemandRow(st, sh, t, new_crews(0), weekday=day))
        return ds.replace(demand=(*rows, *added))

    dated = {(r.station_id, r.date, r.shift_id, r.task_id): i for i, r in enumerate(rows) if r.date}
    weekly = {(r.station_id, r.weekday, r.shift_id, r.task_id): r for r in rows if r.weekday is not None}
    keys = {(r.station_id, r.shift_id, r.task_id) for r in rows if hit(r)}
    if creates:
        keys = set(product(stations, shifts, tasks))
    for day in _selected_dates(sel, ctx.horizon):
        for st, sh, t in sorted(keys):
            i = dated.get((st, day, sh, t))
            if i is not None:
                rows[i] = dataclasses.replace(rows[i], crews=new_crews(rows[i].crews))
                continue
            weekday_row = weekly.get((st, day.weekday(), sh, t))
            if weekday_row is None and not creates:
                continue
            before = weekday_row.crews if weekday_row is not None else 0
            after = new_crews(before)
            if after != before or weekday_row is None:
                added.append(DemandRow(st, sh, t, after, date=day))
    return ds.replace(demand=(*rows, *added))


def _capped(new_crews: Callable[[int], int], field: str, value: object) -> Callable[[int], int]:
    """`new_crews`, refusing a post above the contract's most crews (the model could not take it)."""

    def crews(n: int) -> int:
        out = new_crews(n)
        if out > MAX_CREWS:
            _raise(
                [
                    Problem(
                        field, value, f"a change that leaves at most {MAX_CREWS} crews per post (got {out})"
                    )
                ]
            )
        return out

    return crews


def scale_demand(ds: Dataset, change: ScaleDemand, ctx: Context) -> Dataset:
    """Multiply the crews of the selected posts by `factor` (rounded per post)."""
    new = _capped(lambda n: scaled(n, change.factor, change.rounding), "factor", change.factor)
    return _edit_demand(ds, change, ctx, new, False)


def add_crews(ds: Dataset, change: AddCrews, ctx: Context) -> Dataset:
    """Add `crews` to every selected post; a post without demand gets `crews`."""
    return _edit_demand(ds, change, ctx, _capped(lambda n: n + change.crews, "crews", change.crews), True)


def remove_crews(ds: Dataset, change: RemoveCrews, ctx: Context) -> Dataset:
    """Take `crews` from every selected post, never below 0."""
    return _edit_demand(ds, change, ctx, lambda n: max(0, n - change.crews), False)


# --- people ------------------------------------------------------------------------------------


def _rng(ctx: Context, seed: int | None, salt: str) -> random.Random:
    return random.Random(f"allocate.scenario:{ctx.seed if seed is None else seed}:{salt}")


def _could_work(p: Person) -> bool:
    return not p.disqualified and (p.is_sworn or p.pre_job_trained)


def absence(ds: Dataset, change: AbsenceChange, ctx: Context) -> Dataset:
    """Add absences for the listed people, or for `count` people of `role` drawn at random."""
    first, last = change.date_from, change.last_day
    problems = []
    if last < ctx.horizon.start or first > ctx.horizon.end:
        problems.append(
            Problem("date_from", first.isoformat(), f"dates that overlap the horizon {ctx.horizon.start} ..")
        )
    problems += _check_ids("person_ids", change.person_ids, ds.person_by_id, "person_id")
    problems += _check_ids("stations", change.stations, ds.station_by_id, "station_id")
    _raise(problems)
    if change.person_ids is not None:
        chosen = list(dict.fromkeys(change.person_ids))
    else:
        days = [first + dt.timedelta(days=i) for i in range((last - first).days + 1)]
        candidates = sorted(
            p.person_id
            for p in ds.staff
            if p.role == change.role
            and (change.stations is None or p.station_id in change.stations)
            and _could_work(p)
            and not any(ds.is_absent(p.person_id, d) for d in days)
        )
        if change.count > len(candidates):  # type: ignore[operator]
            where = ", ".join(change.stations) if change.stations else "all stations"
            _raise([Problem("count", change.count, f"at most {len(candidates)} ({change.role} at {where} "
                            f"who could work and are not already away)")])  # fmt: skip
        salt = f"absence:{change.role}:{first}:{last}:{','.join(change.stations or [])}"
        chosen = sorted(_rng(ctx, change.seed, salt).sample(candidates, change.count))  # type: ignore[arg-type]
    new = tuple(Absence(pid, first, last, change.absence_kind) for pid in chosen)
    return ds.replace(absences=(*ds.absences, *new))


def new_person_ids(ds: Dataset, station_id: str, role: str, n: int) -> list[str]:
    """`n` fresh ids ``<station>-N<S|A|C><nnn>`` not used in the dataset."""
    taken = set(ds.person_by_id)
    out, k = [], 0
    while len(out) < n:
        k += 1
        pid = f"{station_id}-N{_ROLE_CODE[role]}{k:03d}"
        if pid not in taken:
            out.append(pid)
    return out


def headcount(ds: Dataset, change: Headcount, ctx: Context) -> Dataset:
    """Add people (copying a colleague's skills and hours unless given) or remove people at random."""
    _raise(_check_ids("station", [change.station], ds.station_by_id, "station_id"))
    same = sorted(
        (p for p in ds.staff if p.station_id == change.station and p.role == change.role),
        key=lambda p: p.person_id,
    )
    rng = _rng(ctx, change.seed, f"headcount:{change.station}:{change.role}")
    if change.remove is not None:
        if change.remove > len(same):
            _raise(
                [Problem("remove", change.remove, f"at most {len(same)} ({change.role} at {change.station})")]
            )
        gone = {p.person_id for p in rng.sample(same, change.remove)}
        return ds.replace(
            staff=tuple(p for p in ds.staff if p.person_id not in gone),
            absences=tuple(a for a in ds.absences if a.person_id not in gone),
            requests=tuple(r for r in ds.requests if r.person_id not in gone),
            history=tuple(h for h in ds.history if h.person_id not in gone),
        )
    models = [p for p in same if _could_work(p)]
    rng.shuffle(models)
    n = change.add or 0
    added = []
    for k, pid in enumerate(new_person_ids(ds, change.station, change.role, n)):
        model = models[k % len(models)] if models else None
        skills = change.skills if change.skills is not None else (model.skills if model else ())
        hours = change.hours_per_week or (model.hours_per_week if model else 40.0)
        added.append(
            Person(
                person_id=pid,
                name=f"New {_ROLE_LABEL[change.role]} {pid.rsplit('-', 1)[-1]}",
                station_id=change.station,
                role=change.role,
                grade=None,
                skills=frozenset(skills),
                hours_per_week=hours,
                pre_job_trained=True,
                training_valid_until=None,
                disqualified=False,
            )
        )
    return ds.replace(staff=(*ds.staff, *added))


# --- stations and policy -------------------------------------------------------------------------


def quota(ds: Dataset, change: Quota, ctx: Context) -> Dataset:
    """Set or scale the stations' aux_quota."""
    _raise(_check_ids("stations", change.stations, ds.station_by_id, "station_id"))
    ids = set(change.stations or ds.station_by_id)
    if change.scale is not None:
        missing = sorted(s.station_id for s in ds.stations if s.station_id in ids and s.aux_quota is None)
        _raise([Problem("scale", s, "a station with an aux_quota to scale") for s in missing])
    stations = []
    for s in ds.stations:
        if s.station_id in ids:
            new = change.set if change.set is not None else scaled(s.aux_quota or 0, change.scale or 0)
            s = dataclasses.replace(s, aux_quota=new)
        stations.append(s)
    return ds.replace(stations=tuple(stations))


def lending(policy: Policy, change: Lending) -> Policy:
    """Lending on or off: a policy switch, so this change returns a Policy."""
    return policy.merged({"lending": change.enabled})


_DATA_CHANGES: dict[str, Callable[[Dataset, object, Context], Dataset]] = {
    "scale_demand": scale_demand,  # type: ignore[dict-item]
    "add_crews": add_crews,  # type: ignore[dict-item]
    "remove_crews": remove_crews,  # type: ignore[dict-item]
    "absence": absence,  # type: ignore[dict-item]
    "headcount": headcount,  # type: ignore[dict-item]
    "quota": quota,  # type: ignore[dict-item]
}


def apply_change(ds: Dataset, policy: Policy, change: Change, ctx: Context) -> tuple[Dataset, Policy]:
    """Apply one change of any kind. Raises :class:`ChangeError` when it does not fit the data."""
    if isinstance(change, Lending):
        return ds, lending(policy, change)
    return _DATA_CHANGES[change.kind](ds, change, ctx), policy
