"""What a batch (or a batch re-plan) has to solve: one task per station, or with lending one per district.

Both the weekly batch (:mod:`.runner`) and the batch re-plan (:mod:`.replan`) build their tasks here:
each station's own small dataset, with its people's history over the fairness window (the store's
solved rosters, else the dataset's history.csv), and the stations whose own data is bad as outcomes
known without solving.
"""

from __future__ import annotations

from collections import defaultdict
from typing import TYPE_CHECKING

from allocate.batch.data import history_by_person, split_by_station
from allocate.batch.outcome import StationOutcome, failed
from allocate.batch.task import DistrictTask, StationTask
from allocate.i18n import _

if TYPE_CHECKING:
    from allocate.batch.runner import BatchSettings
    from allocate.batch.store import Store
    from allocate.batch.week import Week
    from allocate.domain import Assignment, Dataset
    from allocate.policy import Policy


def station_tasks(
    dataset: Dataset,
    bad: dict[str, list[str]],
    week: Week,
    todo: list[str],
    store: Store,
    policy: Policy,
    settings: BatchSettings,
    workers: int,
) -> tuple[list[StationTask], list[StationOutcome]]:
    """The station tasks, biggest first, and the outcomes known without solving (bad data)."""
    horizon = week.horizon
    previous = str(week.previous())
    # Last week carries rest and consecutive days; the weeks before it, fairness (its window).
    earlier = [week.previous()]
    while len(earlier) < max(1, policy.fairness_weeks - 1):
        earlier.append(earlier[-1].previous())
    stored = {str(w): store.history(str(w)) for w in earlier}
    prev_states = stored[previous][0]
    fallback = history_by_person(dataset.history, horizon)
    subsets = split_by_station(dataset, horizon)
    tasks, early = [], []
    for sid in todo:
        if sid in bad:
            message = _("bad data for this station:") + "\n" + "\n".join(bad[sid])
            early.append(failed(str(week), sid, "bad_data", message, history_source="none"))
            continue
        sub = subsets[sid]
        people = [p.person_id for p in sub.staff]
        history = _window_history(sid, people, earlier, stored, fallback)
        if prev_states.get(sid) == "solved":
            source = f"store {previous}"
        else:
            source = "dataset history.csv" if history else "none"
        # A shift that has since left shifts.csv cannot carry rest over: its rows are dropped.
        history = [r for r in history if r.shift_id in dataset.shift_by_id]
        tasks.append(
            StationTask(
                week=str(week),
                station_id=sid,
                dataset=sub.replace(history=tuple(history)),
                policy=policy,
                history_source=source,
                time_limit=settings.time_limit,
                seed=settings.seed,
                workers=workers,
                solver_params=dict(settings.solver_params),
            )
        )
    tasks.sort(key=lambda t: (-t.size, t.station_id))
    return tasks, early


def district_tasks(dataset: Dataset, tasks: list[StationTask]) -> list[DistrictTask]:
    """The station tasks grouped by district, biggest first: one CP-SAT unit per district, as `solve`
    does with lending. The budget is per station: a district of n stations gets n station time
    limits (its work limit follows, as in `solve`), so the week's total budget does not change.

    Only the stations in `tasks` make the unit: a station already stored for the week keeps its
    roster, and its people are not lent to the stations solved now.
    """
    district_of = {s.station_id: s.district for s in dataset.stations}
    by_district: dict[str, list[StationTask]] = defaultdict(list)
    for task in tasks:
        by_district[district_of[task.station_id]].append(task)
    out = []
    for district, members in by_district.items():
        members.sort(key=lambda t: t.station_id)
        first = members[0]
        out.append(
            DistrictTask(
                week=first.week,
                district=district,
                stations=tuple(members),
                dataset=merge_datasets([t.dataset for t in members]),
                policy=first.policy,
                time_limit=sum(t.time_limit for t in members),
                seed=first.seed,
                workers=first.workers,
                solver_params=dict(first.solver_params),
            )
        )
    out.sort(key=lambda t: (-t.size, t.district))
    return out


def merge_datasets(parts: list[Dataset]) -> Dataset:
    """One dataset of several stations' own datasets (they share shifts, tasks and calendar)."""
    first = parts[0]

    def joined(name: str) -> tuple:
        return tuple(row for part in parts for row in getattr(part, name))

    return first.replace(
        **{
            name: joined(name)
            for name in ("stations", "staff", "demand", "absences", "requests", "history", "pins")
        },
        extras={"warnings": [w for part in parts for w in part.extras.get("warnings", [])]},
    )


def districts_of(dataset: Dataset, stations: list[str]) -> list[str]:
    """`stations` with every other station of their districts added (sorted; unknown ids kept)."""
    district_of = {s.station_id: s.district for s in dataset.stations}
    wanted = {district_of[s] for s in stations if s in district_of}
    return sorted(set(stations) | {s for s, d in district_of.items() if d in wanted})


def _window_history(
    sid: str,
    people: list[str],
    weeks: list[Week],
    stored: dict[str, tuple[dict[str, str], dict[str, list[Assignment]]]],
    fallback: dict[str, list[Assignment]],
) -> list[Assignment]:
    """The station's people's shifts in the weeks before this one, week by week.

    A week the store holds a solved roster of this station for comes from the store (with lending,
    the shifts its people were lent out for are in it too: the store keeps every row by person); any
    other week from the dataset's history.csv (its rows dated in that week).
    """
    rows: list[Assignment] = []
    for w in weeks:
        states, by_person = stored[str(w)]
        span = w.horizon
        if states.get(sid) == "solved":
            rows += [r for pid in people for r in by_person.get(pid, ())]
        else:
            rows += [r for pid in people for r in fallback.get(pid, ()) if r.date in span]
    return rows
