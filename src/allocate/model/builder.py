"""The CP-SAT roster model of one planning unit (a station, or a district when lending is on).

The wiring only: variables are created sparsely for lawful person x post pairs, then each rule
family adds its constraints from its own module, in a fixed order, and the objective is the
weighted sum of the soft-goal terms. No OR-Tools object leaves this package except through
:class:`RosterModel`, which :mod:`allocate.solve` reads back.
"""

from __future__ import annotations

from collections import defaultdict
from contextlib import contextmanager
from typing import TYPE_CHECKING

from ortools.sat.python import cp_model

from allocate.model import (
    crew_rules,
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
from allocate.rules.names import check_names

if TYPE_CHECKING:
    import datetime as dt
    from collections.abc import Iterator

    from allocate.domain import Assignment, Dataset, Horizon, Person, Post, Shift
    from allocate.model.days import Lit
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
        self.people: list[Person] = variables.people_of_unit(dataset, station_ids, policy.lending)
        self.shifts: dict[str, Shift] = dataset.shift_by_id
        self.post_vars: list[PostVars] = []
        # (person index, day index, shift id) -> x variables of that person's posts in that shift
        self.work: dict[tuple[int, int, str], list[cp_model.IntVar]] = defaultdict(list)
        self.x: dict[tuple[int, int], cp_model.IntVar] = {}  # (person index, post index) -> x
        self.terms: list[Term] = []
        # (person index, 7-day block) -> overtime hours there (variables.add_overtime)
        self.overtime: dict[tuple[int, int], cp_model.IntVar] = {}
        # person index -> the person's own amounts of the other soft goals (fairness deviations,
        # unmet requests): whom a neighbourhood search re-seats first (allocate.reseat)
        self.soft_by_person: dict[int, list[cp_model.LinearExprT]] = defaultdict(list)
        # person index -> a literal per day, whether a shift starts (made on demand: model.days)
        self.worked_days: dict[int, list[Lit]] = {}
        # Rule name (allocate.rules.names) -> the index ranges of the constraints filed under it.
        self.groups: dict[str, list[range]] = defaultdict(list)
        self._filing: tuple[tuple[str, ...], int] | None = None  # the open group and its first index
        self._build()

    def _build(self) -> None:
        """Each rule family in a fixed order, its constraints filed under its rule names.

        The rules are named as in :mod:`allocate.rules.names` (numbered in docs/RULES.md). The
        eligibility rules (sworn-only duties, auxiliary kinds, fitness, home station, absences)
        and the rest owed after last week's shifts hold by sparsity: no variable is created for a
        person who may not serve a post.
        """
        variables.add_assignments(self)  # sparse x for lawful (person, post) pairs only
        with self.rule("freeze"):
            freeze.add_freeze(self)  # a re-plan: what started before the cut stays as published
        if self.use_lines:
            with self.rule("lines"):
                lines.add_lines(self)  # lines of work and counts per class of interchangeable people
        with self.rule("pools"):
            pools.add_pools(self)  # sizing's recruits: lines of work and counts per post
        with self.rule("pin"):
            pins.add_pins(self)  # planners' pins (pins.csv): hard on/off
        variables.add_post_slack(self)  # each post's shortfall and sworn officers in A slots
        variables.add_overtime(self)  # overtime hours per person and 7-day block
        with self.rule("crew_composition"):
            crew_rules.add_crew_composition(self)  # whole crews of the task's allowed patterns
        with self.rule("lead"):
            crew_rules.add_command(self)  # auxiliary-only crews need a sworn officer on duty
        with self.rule("one_shift_per_day"):
            daily.add_one_shift_start_per_day(self)
        with self.rule("rest"):
            rest.add_min_rest(self)
        workdays.add_consecutive_days(self)  # consecutive_days, day_off_in_7; with history
        with self.rule("weekly_hours"):
            hours.add_weekly_hours(self)  # contract hours plus capped overtime
        with self.rule("nights"):
            hours.add_nights_per_week(self)
        with self.rule("forbidden_succession"):
            successions.add_police_successions(self)
        runs.add_police_runs(self)  # min_consecutive_days, min_consecutive_days_off
        weekends.add_police_weekends(self)  # max_weekends_per_4_weeks, max_weekends
        totals.add_police_totals(self)  # max_shifts_per_type, min/max_total_minutes
        with self.rule("soft_goals"):
            objective.add_objective(self)  # the weighted soft goals
        hint.add_hints(self)  # a greedy lawful roster to start the search from

    @contextmanager
    def rule(self, *names: str) -> Iterator[None]:
        """File the constraints added inside under these rule names (allocate.rules.names).

        Groups nest: a constraint belongs to the innermost group open when it was added.
        """
        check_names(*names)
        outer = self._filing
        self._file()
        self._filing = (names, len(self.model.proto.constraints))
        try:
            yield
        finally:
            self._file()
            self._filing = None if outer is None else (outer[0], len(self.model.proto.constraints))

    def _file(self) -> None:
        """Record the open group's constraints so far (from its first index to now)."""
        if self._filing is None:
            return
        names, first = self._filing
        span = range(first, len(self.model.proto.constraints))
        if span:
            for name in names:
                spans = self.groups[name]
                if spans and spans[-1].stop == span.start:
                    spans[-1] = range(spans[-1].start, span.stop)
                else:
                    spans.append(span)

    def constraints_of(self, name: str) -> list[int]:
        """The indexes of the constraints filed under a rule name (none: the rule holds by sparsity)."""
        return [c for span in self.groups.get(name, ()) for c in span]

    # Helpers shared by the rule modules -------------------------------------------------------

    def day_vars(self, person: int, day: int) -> list[cp_model.IntVar]:
        return [v for s in self.shifts for v in self.work.get((person, day, s), ())]

    @property
    def num_variables(self) -> int:
        return len(self.model.proto.variables)

    @property
    def num_constraints(self) -> int:
        return len(self.model.proto.constraints)
