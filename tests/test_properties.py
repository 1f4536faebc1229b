"""Property-based tests: on random small datasets, the model's roster always passes the verifier.

A hypothesis strategy draws whole problems (stations, staff, shifts, tasks with lawful crews,
demand, absences, requests, a history, policy tweaks); each is solved with one worker and a
fixed seed and checked by the independent verifier, which shares no code with the model.

Environment:
- ``ALLOCATE_PROPERTY_EXAMPLES`` (default 200): examples of the main property; the others run a
  fraction of it. Raise it for a long local hunt: ``ALLOCATE_PROPERTY_EXAMPLES=2000 pytest ...``.
- ``CI`` (or any CI variable hypothesis detects): hypothesis's built-in ``ci`` profile is active,
  so the run is derandomized (the same examples on every run, derived from each test's code) and
  keeps no example database: a CI failure reproduces anywhere with ``CI=1``. Locally the runs are
  random (new examples each time) and a failing example is stored in ``.hypothesis/`` and replayed
  first on the next run; ``--hypothesis-seed=N`` pins a local run.
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass
from typing import TYPE_CHECKING

import pandas as pd
from hypothesis import HealthCheck, given, note, settings
from hypothesis import strategies as st

from allocate.domain import (
    WEEKDAYS,
    Absence,
    Assignment,
    CrewPattern,
    Dataset,
    DemandRow,
    Horizon,
    Person,
    Request,
    Role,
    Shift,
    Station,
    Task,
)
from allocate.policy import LabourRules, Policy
from allocate.solve import solve
from allocate.verify import verify_roster

if TYPE_CHECKING:
    from allocate.result import Result

EXAMPLES = int(os.environ.get("ALLOCATE_PROPERTY_EXAMPLES", "200"))
BASE_MONDAY = dt.date(2026, 3, 2)
SKILLS = ("traffic", "detention", "driving")
ROLE_MIX: tuple[Role, ...] = ("sworn", "sworn", "aux_service", "aux_service", "aux_civilian")


def examples(n: int) -> settings:
    """`n` examples, no deadline (a solve takes what it takes); derandomize and database from the profile."""
    return settings(
        max_examples=max(1, n),
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )


# --- realistic templates -------------------------------------------------------------------------

DAY_SHIFTS = (
    Shift("early", 7 * 60, 8),
    Shift("day", 8 * 60, 8),
    Shift("late", 15 * 60, 9),
    Shift("evening", 16 * 60, 8),
    Shift("day12", 8 * 60, 12),
    Shift("half", 9 * 60, 4.5),
)
NIGHT_SHIFTS = (
    Shift("night", 0, 8),
    Shift("night23", 23 * 60, 8),
    Shift("night22", 22 * 60, 10),
    Shift("night12", 20 * 60, 12),
    Shift("night12r", 20 * 60, 12, rest_after=24),
    Shift("night12s", 19 * 60, 12, rest_after=8),
)
DUTY24 = (
    Shift("duty24", 8 * 60, 24, rest_after=24),
    Shift("duty24", 8 * 60, 24, rest_after=48),
    Shift("duty24", 9 * 60, 24, rest_after=36),
    Shift("duty24", 8 * 60, 24),
)

P = CrewPattern
CREWS: dict[str, tuple[CrewPattern, ...]] = {
    "police_only": (P(1, 0), P(2, 0), P(3, 0)),
    "led": (P(1, 0), P(2, 0), P(1, 1), P(1, 2), P(2, 1), P(2, 2)),
    "independent": (P(0, 1), P(0, 2), P(0, 3), P(1, 1), P(1, 0), P(2, 0), P(1, 2)),
    "support": (P(0, 1), P(0, 2), P(1, 0), P(1, 1)),
}


def rarely(p_true: int = 10) -> st.SearchStrategy[bool]:
    """True about one time in `p_true`; shrinks to False."""
    return st.sampled_from([False] * (p_true - 1) + [True])


# --- the problem strategy ----------------------------------------------------------------------


@dataclass(frozen=True)
class Problem:
    """A drawn problem; its repr lists the tables compactly so a shrunk case is readable."""

    dataset: Dataset
    horizon: Horizon
    policy: Policy

    def __repr__(self) -> str:
        ds = self.dataset
        lines = [f"horizon {self.horizon.start} ({self.horizon.start:%a}) + {self.horizon.days} days"]
        lines.append(f"policy {self.policy.model_dump(exclude={'weights'})}")
        lines += [f"  station {s.station_id} district {s.district}" for s in ds.stations]
        lines += [
            f"  shift {s.shift_id} {s.start_text} {s.hours}h rest_after={s.rest_after}" for s in ds.shifts
        ]
        lines += [f"  task {t.task_id} {t.duty_class} {t.crews_text} skill={t.skill}" for t in ds.tasks]
        for p in ds.staff:
            flags = [
                f"skills={','.join(sorted(p.skills))}" if p.skills else "",
                f"{p.hours_per_week}h",
                "UNTRAINED" if not p.pre_job_trained else "",
                f"trained_until={p.training_valid_until}" if p.training_valid_until else "",
                "DISQUALIFIED" if p.disqualified else "",
            ]
            lines.append(f"  person {p.person_id} {p.station_id} {p.role} {' '.join(f for f in flags if f)}")
        for d in ds.demand:
            when = d.date if d.weekday is None else WEEKDAYS[d.weekday]
            lines.append(f"  demand {d.station_id} {when} {d.shift_id} {d.task_id} x{d.crews}")
        lines += [f"  absence {a.person_id} {a.date_from}..{a.date_to}" for a in ds.absences]
        lines += [
            f"  request {r.person_id} {r.date} {r.shift_id} on={r.want_on} w={r.weight}" for r in ds.requests
        ]
        lines += [f"  history {a.person_id} {a.date} {a.shift_id}" for a in ds.history]
        return "Problem(\n" + "\n".join(lines) + "\n)"

    def _repr_pretty_(self, printer: object, cycle: bool) -> None:
        """Hypothesis prints a falsifying example with its pretty printer: use the compact form."""
        printer.text(repr(self))  # type: ignore[attr-defined]


@st.composite
def labour_rules(draw: st.DrawFn) -> LabourRules:
    return LabourRules(
        min_rest_hours=draw(st.sampled_from([8, 9, 10, 10.5, 11, 12])),
        max_consecutive_days=draw(st.integers(3, 6)),
        days_off_window=draw(st.sampled_from([7, 7, 7, 5, 8])),
        max_nights_per_week=draw(st.integers(1, 4)),
        max_overtime_hours_per_week=draw(st.integers(0, 9)),
    )


@st.composite
def policies(draw: st.DrawFn) -> Policy:
    sworn = draw(labour_rules())
    auxiliary = sworn if draw(st.booleans()) else draw(labour_rules())
    return Policy(sworn=sworn, auxiliary=auxiliary, lending=draw(st.booleans()))


@st.composite
def shift_sets(draw: st.DrawFn) -> tuple[Shift, ...]:
    """2-4 shifts: at least one night shift, sometimes a 24-hour duty with its rest_after."""
    night = draw(
        st.lists(st.sampled_from(NIGHT_SHIFTS), min_size=1, max_size=2, unique_by=lambda s: s.shift_id)
    )
    duty = [draw(st.sampled_from(DUTY24))] if draw(st.booleans()) else []
    room = 4 - len(night) - len(duty)
    days = draw(
        st.lists(
            st.sampled_from(DAY_SHIFTS),
            min_size=max(0, 2 - len(night) - len(duty)),
            max_size=room,
            unique_by=lambda s: s.shift_id,
        )
    )
    return (*days, *night, *duty)


@st.composite
def task_sets(draw: st.DrawFn) -> tuple[Task, ...]:
    """A task of every duty class (sometimes two) with lawful crews, some requiring a skill."""
    tasks = []
    for duty_class, patterns in CREWS.items():
        for k in range(draw(st.integers(1, 2))):
            crews = draw(st.lists(st.sampled_from(patterns), min_size=1, max_size=2, unique=True))
            skill = draw(st.sampled_from(SKILLS)) if draw(rarely(4)) else None
            priority = draw(st.integers(1, 5))
            task_id = f"{duty_class[:3]}{k + 1}"
            tasks.append(Task(task_id, task_id, duty_class, tuple(crews), skill, priority))  # type: ignore[arg-type]
    return tuple(tasks)


@st.composite
def people(draw: st.DrawFn, station_id: str, horizon: Horizon) -> list[Person]:
    """2-10 people of the station, every role possible, some unfit to serve."""
    out = []
    lapse_days = st.integers(-10, horizon.days + 3).map(lambda d: horizon.start + dt.timedelta(days=d))
    for i in range(draw(st.integers(2, 10))):
        role = draw(st.sampled_from(ROLE_MIX))
        out.append(
            Person(
                person_id=f"{station_id}{role[0].upper()}{i}",
                name=f"{station_id}-{i}",
                station_id=station_id,
                role=role,
                skills=frozenset(draw(st.lists(st.sampled_from(SKILLS), max_size=2))),
                hours_per_week=draw(st.sampled_from([40.0, 40.0, 40.0, 20.0, 32.0, 44.0])),
                pre_job_trained=not draw(rarely()),
                training_valid_until=draw(lapse_days) if draw(rarely(3)) else None,
                disqualified=draw(rarely()),
            )
        )
    return out


@st.composite
def demand_rows(
    draw: st.DrawFn, station_id: str, shifts: tuple[Shift, ...], tasks: tuple[Task, ...], horizon: Horizon
) -> list[DemandRow]:
    """Posts of one station: weekday rows (every day or some), dated rows, dated overrides of weekdays."""
    pairs = draw(
        st.lists(
            st.tuples(
                st.sampled_from([s.shift_id for s in shifts]), st.sampled_from([t.task_id for t in tasks])
            ),
            min_size=1,
            max_size=3,
            unique=True,
        )
    )
    rows = []
    for shift, task in pairs:
        crews = draw(st.sampled_from([1, 1, 1, 2]))
        form = draw(st.sampled_from(["daily", "weekdays", "dates"]))
        if form == "daily":
            weekdays = list(range(7))
        elif form == "weekdays":
            weekdays = sorted(draw(st.sets(st.integers(0, 6), min_size=1)))
        else:
            weekdays = []
        rows += [DemandRow(station_id, shift, task, crews, weekday=w) for w in weekdays]
        dates = draw(st.sets(st.sampled_from(horizon.dates), max_size=2 if weekdays else horizon.days))
        rows += [DemandRow(station_id, shift, task, draw(st.integers(0, 3)), date=d) for d in sorted(dates)]
    return rows


def lawful_looking_history(
    days_back: int,
    staff: list[Person],
    shifts: tuple[Shift, ...],
    tasks: tuple[Task, ...],
    horizon: Horizon,
    policy: Policy,
    picks: list[int],
) -> tuple[Assignment, ...]:
    """Last days' work: one shift a day, rested, runs within the limit (as a planner would have had it).

    Each person's `pick` holds one base-12 digit per day back from yesterday: 0 is a day off, any
    other digit picks a shift and a task; a pick of 0 (where hypothesis shrinks to) is no history.
    """
    rows = []
    for person, choice in zip(staff, picks, strict=True):
        rules = policy.rules_for(person.role)
        last_end: dt.datetime | None = None
        last_rest = 0.0
        run = 0
        for back in range(days_back, 0, -1):
            day = horizon.start - dt.timedelta(days=back)
            pick = choice // 12 ** (back - 1) % 12
            if pick == 0 or person.disqualified:
                run = 0
                continue
            shift = shifts[pick % len(shifts)]
            rested = last_end is None or (shift.starts_at(day) - last_end) >= dt.timedelta(hours=last_rest)
            if not rested or run >= rules.max_consecutive_days:
                run = 0
                continue
            run += 1
            last_end = shift.ends_at(day)
            last_rest = shift.rest_after if shift.rest_after is not None else rules.min_rest_hours
            task = tasks[pick % len(tasks)]
            crew = f"H-{person.person_id}-{day:%m%d}"
            slot = "S" if person.is_sworn else "A"
            lead = person.person_id if person.is_sworn else ""
            rows.append(
                Assignment(
                    day,
                    person.station_id,
                    shift.shift_id,
                    task.task_id,
                    crew,
                    person.person_id,
                    person.role,
                    slot,
                    lead,
                )
            )
    return tuple(rows)


@st.composite
def problems(draw: st.DrawFn) -> Problem:
    """A whole small problem: 1-3 stations in 1-2 districts over 3-9 days, with a history."""
    horizon = Horizon(BASE_MONDAY + dt.timedelta(days=draw(st.integers(0, 6))), draw(st.integers(3, 9)))
    policy = draw(policies())
    shifts = draw(shift_sets())
    tasks = draw(task_sets())
    n_stations = draw(st.integers(1, 3))
    districts = draw(st.lists(st.sampled_from(["D1", "D2"]), min_size=n_stations, max_size=n_stations))
    stations = tuple(
        Station(f"S{i + 1}", f"Station {i + 1}", d, 10_000 * (i + 1)) for i, d in enumerate(districts)
    )
    staff = [p for s in stations for p in draw(people(s.station_id, horizon))]
    demand = [d for s in stations for d in draw(demand_rows(s.station_id, shifts, tasks, horizon))]
    ids = [p.person_id for p in staff]
    day_offsets = st.integers(-5, horizon.days)
    absences = [
        Absence(
            pid,
            horizon.start + dt.timedelta(days=first),
            horizon.start + dt.timedelta(days=first + length),
            kind,
        )
        for pid, first, length, kind in draw(
            st.lists(
                st.tuples(
                    st.sampled_from(ids),
                    day_offsets,
                    st.integers(0, 3),
                    st.sampled_from(["leave", "sick", "training"]),
                ),
                max_size=3,
            )
        )
    ]
    requests = [
        Request(pid, day, want_on=want, shift_id=shift, weight=weight)
        for pid, day, want, shift, weight in draw(
            st.lists(
                st.tuples(
                    st.sampled_from(ids),
                    st.sampled_from(horizon.dates),
                    st.booleans(),
                    st.none() | st.sampled_from([s.shift_id for s in shifts]),
                    st.integers(1, 3),
                ),
                max_size=4,
                unique_by=lambda r: (r[0], r[1], r[3]),
            )
        )
    ]
    days_back = draw(st.integers(1, 7))
    picks = [draw(st.integers(0, 12**days_back - 1)) for _ in staff]
    history = lawful_looking_history(days_back, staff, shifts, tasks, horizon, policy, picks)
    dataset = Dataset(
        stations=stations,
        shifts=shifts,
        tasks=tasks,
        staff=tuple(staff),
        demand=tuple(demand),
        absences=tuple(absences),
        requests=tuple(requests),
        history=history,
        source="hypothesis",
    )
    return Problem(dataset, horizon, policy)


def run(problem: Problem, **params: object) -> Result:
    """Solve as the properties do: 2 s, seed 0, one worker; verification is the test's own."""
    return solve(
        problem.dataset,
        problem.horizon,
        problem.policy,
        time_limit=params.pop("time_limit", 2),  # type: ignore[arg-type]
        seed=0,
        workers=1,
        verify=False,
        **params,
    )


def expected_posts(problem: Problem) -> dict[tuple[str, str, str, str], int]:
    """The posts with demand, derived here from the contract: weekday rows, dated rows override, 0 is none."""
    required: dict[tuple[str, str, str, str], int] = {}
    ds, horizon = problem.dataset, problem.horizon
    for day in horizon.dates:
        for row in ds.demand:
            if row.weekday == day.weekday():
                required[row.station_id, day.isoformat(), row.shift_id, row.task_id] = row.crews
    for row in ds.demand:
        if row.date is not None and row.date in horizon:
            required[row.station_id, row.date.isoformat(), row.shift_id, row.task_id] = row.crews
    return {key: crews for key, crews in required.items() if crews > 0}


# --- the properties ----------------------------------------------------------------------------


@examples(EXAMPLES)
@given(problem=problems())
def test_solved_roster_passes_the_verifier(problem: Problem) -> None:
    """Whatever the data, the model's roster and coverage break no hard rule the verifier checks."""
    result = run(problem)
    report = verify_roster(problem.dataset, problem.horizon, problem.policy, result.roster, result.coverage)
    if not report.ok:
        note(result.roster.to_string())
    assert report.ok, report.render(limit=50)


@examples(EXAMPLES // 8)
@given(problem=problems())
def test_same_seed_same_roster(problem: Problem) -> None:
    """One worker and a fixed seed reproduce the roster exactly (a deterministic, not a wall-clock, limit)."""
    params: dict[str, object] = {"time_limit": 30, "max_deterministic_time": 2.0}
    first, second = run(problem, **dict(params)), run(problem, **dict(params))
    pd.testing.assert_frame_equal(first.roster, second.roster)
    pd.testing.assert_frame_equal(first.coverage, second.coverage)


@examples(EXAMPLES // 4)
@given(problem=problems())
def test_coverage_has_one_row_per_post(problem: Problem) -> None:
    """Coverage lists every post once; staffed + shortfall = required; staffed counts the roster's crews."""
    result = run(problem)
    cov = result.coverage
    keys = list(zip(cov["station_id"], cov["date"].astype(str), cov["shift_id"], cov["task_id"], strict=True))
    assert len(keys) == len(set(keys)), "a post appears twice in coverage"
    assert dict(zip(keys, cov["crews_required"], strict=True)) == expected_posts(problem)
    assert (cov["crews_staffed"] + cov["shortfall"] == cov["crews_required"]).all()
    assert cov["crews_staffed"].between(0, cov["crews_required"]).all()
    roster = result.roster
    crews = roster.groupby(["station_id", roster["date"].astype(str), "shift_id", "task_id"])[
        "crew_id"
    ].nunique()
    staffed = dict(zip(keys, cov["crews_staffed"], strict=True))
    assert {k: n for k, n in staffed.items() if n} == crews.to_dict()
