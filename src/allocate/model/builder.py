"""The CP-SAT roster model of one planning unit (a station, or a district when lending is on).

The wiring only: variables are created sparsely for lawful person x post pairs, then each rule
family adds its constraints from its own module, in a fixed order, and the objective is the
weighted sum of the soft-goal terms. No OR-Tools object leaves this package except through
:class:`RosterModel`, which :mod:`allocate.solve` reads back.
"""

from __future__ import annotations

from collections import defaultdict
from typing import TYPE_CHECKING

from ortools.sat.python import cp_model

from allocate.model import (
    crews,
    daily,
    freeze,
    hint,
    hours,
    lines,
    objective,
    pins,
    pools,
    rest,
    runs,
    successions,
    totals,
    variables,
    weekends,
    workdays,
)

if TYPE_CHECKING:
    import datetime as dt

    from allocate.domain import Assignment, Dataset, Horizon, Person, Post, Shift
    from allocate.model.handles import PostVars, Term
    from allocate.policy import Policy


class RosterModel:
    """Builds and holds the CP-SAT model of one planning unit."""

    def __init__(
        self,
        dataset: Dataset,
        horizon: Horizon,
        policy: Policy,
        station_ids: tuple[str, ...],
        posts: list[Post],
        published: tuple[Assignment, ...] = (),
        targets: dict[int, hint.PostTarget] | None = None,
        pooled: frozenset[str] = frozenset(),
        use_lines: bool = False,
        freeze_before: dt.datetime | None = None,
    ) -> None:
        self.dataset = dataset
        self.horizon = horizon
        self.policy = policy
        self.station_ids = station_ids
        self.posts = posts
        self.published = published
        # A re-plan: posts starting before this keep the published people (model.freeze).
        self.freeze_before = freeze_before if published else None
        self.targets = targets or {}  # post index -> a plan for the hint of a pooled post
        self.pooled = pooled  # interchangeable recruits, given lines of work (model.pools)
        # Everyone else gets lines of work counted per class (model.lines) instead of a Boolean per
        # post; not with a published roster, whose stability goal counts changes per post.
        self.use_lines = use_lines and not published
        self.classes: list[lines.PeopleClass] = []
        self.model = cp_model.CpModel()
        self.people: list[Person] = variables.pool(dataset, station_ids, policy.lending)
        self.shifts: dict[str, Shift] = dataset.shift_by_id
        self.post_vars: list[PostVars] = []
        # (person index, day index, shift id) -> x variables of that person's posts in that shift
        self.work: dict[tuple[int, int, str], list[cp_model.IntVar]] = defaultdict(list)
        self.x: dict[tuple[int, int], cp_model.IntVar] = {}  # (person index, post index) -> x
        self.terms: list[Term] = []
        self.overtime_hours: list[cp_model.IntVar] = []
        self._build()

    def _build(self) -> None:
        variables.add_assignments(self)  # sparse x: rules 1, 4, 5, 6, absences, history rest
        freeze.add_freeze(self)  # a re-plan: what started before the cut stays as published
        if self.use_lines:
            lines.add_lines(self)  # lines of work and counts per class of interchangeable people
        pools.add_pools(self)  # sizing's recruits: lines of work and counts per post
        pins.add_pins(self)  # planners' pins (pins.csv): hard on/off
        crews.add_crew_composition(self)  # rule 2: explicit crews from the allowed patterns
        crews.add_command(self)  # rule 3: aux-only crews need a sworn officer on duty
        daily.add_one_shift_start_per_day(self)  # rule 7
        rest.add_min_rest(self)  # rule 7
        workdays.add_consecutive_days(self)  # rule 7, with history
        hours.add_weekly_hours(self)  # rule 7: contract + capped overtime
        hours.add_nights_per_week(self)  # rule 7
        successions.add_police_successions(self)  # policy: forbidden_successions
        runs.add_police_runs(self)  # policy: min_consecutive_days, min_consecutive_days_off
        weekends.add_police_weekends(self)  # policy: max_weekends_per_4_weeks, max_weekends
        totals.add_police_totals(self)  # policy: max_shifts_per_type, min/max_total_minutes
        objective.add_objective(self)  # rule 8
        hint.add_hints(self)  # a greedy lawful roster to start the search from

    # Helpers shared by the rule modules -------------------------------------------------------

    def day_vars(self, person: int, day: int) -> list[cp_model.IntVar]:
        return [v for s in self.shifts for v in self.work.get((person, day, s), ())]

    @property
    def num_variables(self) -> int:
        return len(self.model.proto.variables)

    @property
    def num_constraints(self) -> int:
        return len(self.model.proto.constraints)
