"""A scenario: a dataset, a horizon, a policy, solver settings and changes, as one immutable value.

``Scenario`` applies its changes when it is made, so a change that does not fit the data fails at
once, naming the change (and, for a file, the line). Every ``with_*`` method and every change
method returns a new scenario; nothing is mutated::

    sc = load_scenario("scenarios/baseline.toml")
    busy = sc.scale_demand(task="response_110", factor=1.3, weekdays=["Fri", "Sat"], shifts="evening")
    result = busy.solve(time_limit=30)
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import pandas as pd
from pydantic import TypeAdapter, ValidationError

from allocate.demand import expand_posts
from allocate.domain import Dataset, Horizon
from allocate.i18n import L_
from allocate.io.errors import InputError, InputIssue, expected_of
from allocate.policy import Policy
from allocate.scenario.changes import ChangeError, Context, apply_change
from allocate.scenario.lines import line_of
from allocate.scenario.schema import Change, SolverSpec

if TYPE_CHECKING:
    from allocate.result import Result

ALIASES = {
    "stations": "station",
    "tasks": "task",
    "shifts": "shift",
    "weekdays": "weekday",
    "dates": "date",
    "person_ids": "person_id",
}
_CHANGE = TypeAdapter(Change)


@dataclass(frozen=True)
class Origin:
    """Where a scenario came from: the file as named by the user and its key lines."""

    file: str
    lines: dict[tuple[str, ...], int]
    changes_in_file: int


def change_path(index: int, loc: tuple[Any, ...] = ()) -> tuple[str, ...]:
    """The key path of the `index`-th change (0-based) as the file numbers it (from 1)."""
    return ("changes", str(index + 1), *(str(p + 1) if isinstance(p, int) else str(p) for p in loc))


def key_text(path: tuple[str, ...]) -> str:
    """``("changes", "2", "factor")`` -> ``changes[2].factor``."""
    out = ""
    for part in path:
        out += f"[{part}]" if part.isdigit() else (f".{part}" if out else part)
    return out


@dataclass(frozen=True, repr=False)
class Scenario:
    """A what-if: `base` data with `changes` applied over `horizon`, solved under `policy`.

    `dataset` and `policy` are the results of applying the changes (lending is a policy change).
    The seed of `solver` also draws the people of ``count``-based changes, unless a change has
    its own `seed`; ``solve(seed=...)`` changes the solver's seed only.
    """

    base: Dataset
    horizon: Horizon
    base_policy: Policy = field(default_factory=Policy)
    changes: tuple[Change, ...] = ()
    solver: SolverSpec = field(default_factory=SolverSpec)
    name: str = "scenario"
    description: str = ""
    focus: tuple[str, ...] | None = None
    origin: Origin | None = field(default=None, repr=False, compare=False)
    dataset: Dataset = field(init=False, repr=False, compare=False)
    policy: Policy = field(init=False, repr=False, compare=False)
    effects: tuple[str, ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        ds, policy = self.base, self.base_policy
        ctx = Context(self.horizon, self.solver.seed)
        effects, issues = [], []
        for i, change in enumerate(self.changes):  # a change that fails is skipped: report them all
            try:
                new_ds, new_policy = apply_change(ds, policy, change, ctx)
            except ChangeError as exc:
                issues += [self._issue(change_path(i, (p.field,)), p.value, p.expected) for p in exc.problems]
                continue
            effects.append(_effect(change, ds, new_ds, policy, new_policy, self.horizon))
            ds, policy = new_ds, new_policy
        if issues:
            raise InputError(issues)
        if self.focus is not None:
            ds = _focus(ds, self.focus, self._issue)
        object.__setattr__(self, "dataset", ds)
        object.__setattr__(self, "policy", policy)
        object.__setattr__(self, "effects", tuple(effects))

    def __repr__(self) -> str:
        focus = f", only={list(self.focus)}" if self.focus else ""
        return (
            f"Scenario({self.name!r}, dataset={self.base.source!r}, horizon={self.horizon.start} +{self.horizon.days}d, "
            f"changes={[c.kind for c in self.changes]}{focus})"
        )

    # --- construction -------------------------------------------------------------------------

    @classmethod
    def from_dataset(
        cls,
        dataset: Dataset,
        horizon: Horizon,
        policy: Policy | None = None,
        *,
        name: str = "scenario",
        **solver: Any,
    ) -> Scenario:
        """A scenario without a file: ``Scenario.from_dataset(ds, Horizon(date(2026, 12, 7), 7))``."""
        return cls(dataset, horizon, policy or Policy(), (), SolverSpec(**solver), name)

    def _issue(self, path: tuple[str, ...], value: object, expected: str) -> InputIssue:
        origin = self.origin
        in_file = origin is not None and (path[0] != "changes" or int(path[1]) <= origin.changes_in_file)
        if origin is not None and in_file:
            return InputIssue(
                origin.file, line_of(origin.lines, path, ALIASES), key_text(path), value, expected
            )
        return InputIssue(f"scenario {self.name!r} (in code)", None, key_text(path), value, expected)

    def _replace(self, **changes: Any) -> Scenario:
        return dataclasses.replace(self, **changes)

    def with_changes(self, *changes: Change | dict[str, Any]) -> Scenario:
        """A copy with more changes at the end; a dict is read like a ``[[changes]]`` table."""
        parsed = []
        for k, change in enumerate(changes, start=len(self.changes)):
            if isinstance(change, dict):
                try:
                    change = _CHANGE.validate_python(change)
                except ValidationError as exc:
                    issues = [
                        self._issue(change_path(k, loc), value, expected)
                        for loc, value, expected in map(translate, exc.errors())
                    ]
                    raise InputError(issues) from None
            parsed.append(change)
        return self._replace(changes=(*self.changes, *parsed))

    def without_changes(self) -> Scenario:
        """The same scenario with no change: the baseline of its data."""
        return self._replace(changes=())

    def with_horizon(self, start: dt.date | str | None = None, days: int | None = None) -> Scenario:
        """A copy over another horizon (the changes are applied again over it)."""
        start = dt.date.fromisoformat(start) if isinstance(start, str) else start
        return self._replace(horizon=Horizon(start or self.horizon.start, days or self.horizon.days))

    def with_policy(self, overrides: dict[str, Any] | None = None, **more: Any) -> Scenario:
        """A copy with policy overrides: ``with_policy(lending=True)``, ``with_policy({"sworn": {...}})``."""
        return self._replace(base_policy=self.base_policy.merged({**(overrides or {}), **more}))

    def with_solver(self, **settings: Any) -> Scenario:
        """A copy with other solver settings (time_limit, seed, workers, params)."""
        return self._replace(solver=self.solver.model_copy(update=settings))

    def only(self, *station_ids: str) -> Scenario:
        """A copy that solves only these stations (after the changes, so random draws stay the same).

        Without lending, stations are independent problems: a station's roster does not depend on
        the others', so this is a quick way to iterate on one station. ``only()`` is all stations.
        """
        return self._replace(focus=tuple(station_ids) or None)

    def renamed(self, name: str, description: str | None = None) -> Scenario:
        return self._replace(name=name, description=self.description if description is None else description)

    # --- the changes of the file format, in code ------------------------------------------------

    def scale_demand(self, **fields: Any) -> Scenario:
        """Multiply crews: ``scale_demand(task="patrol", factor=1.3, weekdays=["Fri"], shifts="night")``."""
        return self.with_changes({"kind": "scale_demand", **fields})

    def add_crews(self, **fields: Any) -> Scenario:
        """Add crews (new posts too): ``add_crews(station="S03", task="traffic_post", shift="day", crews=1)``."""
        return self.with_changes({"kind": "add_crews", **fields})

    def remove_crews(self, **fields: Any) -> Scenario:
        """Remove crews: ``remove_crews(task="mediation", crews=1)``."""
        return self.with_changes({"kind": "remove_crews", **fields})

    def absence(self, **fields: Any) -> Scenario:
        """People away: ``absence(count=15, role="sworn", date_from=..., date_to=...)`` or ``person_ids=``."""
        return self.with_changes({"kind": "absence", **fields})

    def headcount(self, **fields: Any) -> Scenario:
        """``headcount(station="S01", role="aux_service", add=4)`` or ``remove=4``."""
        return self.with_changes({"kind": "headcount", **fields})

    def quota(self, **fields: Any) -> Scenario:
        """``quota(station="S02", set=40)`` or ``quota(scale=0.9)``."""
        return self.with_changes({"kind": "quota", **fields})

    def lending(self, enabled: bool = True) -> Scenario:
        """Lending of auxiliaries within a district on (or off)."""
        return self.with_changes({"kind": "lending", "enabled": enabled})

    # --- use ------------------------------------------------------------------------------------

    def describe(self) -> pd.DataFrame:
        """What each change did to the data: one row per change."""
        return pd.DataFrame(
            {
                "change": range(1, len(self.changes) + 1),
                "kind": [c.kind for c in self.changes],
                "effect": list(self.effects),
            }
        )

    def solve(
        self,
        *,
        time_limit: float | None = None,
        seed: int | None = None,
        workers: int | None = None,
        **options: Any,
    ) -> Result:
        """Solve the changed data. Keyword arguments override the scenario's solver settings;
        others go to :func:`allocate.solve` (callbacks, published, verify, CP-SAT parameters)."""
        from allocate.solve import solve

        options = {**self.solver.params, **options}
        result = solve(
            self.dataset,
            self.horizon,
            self.policy,
            time_limit=self.solver.time_limit if time_limit is None else time_limit,
            seed=self.solver.seed if seed is None else seed,
            workers=workers or self.solver.workers,
            **options,
        )
        result.settings["scenario"] = self.label
        return result

    @property
    def label(self) -> str:
        """``festival (scenarios/festival.toml, 2 changes)``."""
        where = f"{self.origin.file}, " if self.origin else ""
        return f"{self.name} ({where}{len(self.changes)} change{'s' * (len(self.changes) != 1)})"


def translate(error: Any) -> tuple[tuple[Any, ...], object, str]:
    """A pydantic error as (location, value, expected), in a planner's words."""
    loc, value = _strip_tag(tuple(error["loc"])), error.get("input")
    if error["type"] in ("union_tag_invalid", "union_tag_not_found"):
        loc, value = (*loc, "kind"), value.get("kind") if isinstance(value, dict) else None
    if error["type"] == "missing" or isinstance(value, dict | list):
        value = None
    return loc, value, _expected(error)


def _strip_tag(loc: tuple[Any, ...]) -> tuple[Any, ...]:
    """pydantic puts the union tag first in a tagged union's error location: drop it."""
    from allocate.scenario.schema import CHANGE_KINDS

    if len(loc) >= 2 and loc[0] == "changes" and isinstance(loc[1], int):
        return (*loc[:2], *_strip_tag(loc[2:]))
    return loc[1:] if loc and loc[0] in CHANGE_KINDS else loc


def _expected(error: dict[str, Any]) -> str:
    """pydantic's message in a planner's words, as :func:`issues_from_pydantic` does for tables."""
    from allocate.scenario.schema import CHANGE_KINDS

    if error["type"] in ("union_tag_invalid", "union_tag_not_found"):
        return L_("a kind: %(kinds)s", kinds=", ".join(CHANGE_KINDS))
    return expected_of(error)


# --- what a change did, in words ------------------------------------------------------------------


def _crews(ds: Dataset, horizon: Horizon) -> dict[tuple, int]:
    return {p.key: p.crews_required for p in expand_posts(ds, horizon)}


def _effect(change: Change, before: Dataset, after: Dataset, p0: Policy, p1: Policy, horizon: Horizon) -> str:
    kind = change.kind
    if kind in ("scale_demand", "add_crews", "remove_crews"):
        a, b = _crews(before, horizon), _crews(after, horizon)
        changed = sum(1 for k in a.keys() | b.keys() if a.get(k, 0) != b.get(k, 0))
        n0, n1 = sum(a.values()), sum(b.values())
        return f"crews in the horizon {n0} -> {n1} ({n1 - n0:+d}); {changed} posts changed"
    if kind == "absence":
        new = after.absences[len(before.absences) :]
        ids = ", ".join(a.person_id for a in new)
        return f"{len(new)} away {change.date_from} .. {change.last_day} ({change.absence_kind}): {ids}"  # type: ignore[union-attr]
    if kind == "headcount":
        if len(after.staff) > len(before.staff):
            new = after.staff[len(before.staff) :]
            skills = sorted({";".join(sorted(p.skills)) or "-" for p in new})
            return f"added {len(new)}: {', '.join(p.person_id for p in new)} (skills {', '.join(skills)})"
        gone = sorted(set(before.person_by_id) - set(after.person_by_id))
        return f"removed {len(gone)}: {', '.join(gone)}"
    if kind == "quota":
        old = {s.station_id: s.aux_quota for s in before.stations}
        return (
            "; ".join(
                f"{s.station_id} {old[s.station_id]} -> {s.aux_quota}"
                for s in after.stations
                if old[s.station_id] != s.aux_quota
            )
            or "no quota changed"
        )
    return f"lending {'on' if p1.lending else 'off'} (was {'on' if p0.lending else 'off'})"


def _focus(ds: Dataset, station_ids: tuple[str, ...], issue: Any) -> Dataset:
    """The dataset of some stations only: their stations, staff, demand and the staff's rows."""
    unknown = [s for s in station_ids if s not in ds.station_by_id]
    if unknown:
        raise InputError(
            [issue(("only",), s, L_("a station_id that exists in the dataset")) for s in unknown]
        )
    keep = set(station_ids)
    people = {p.person_id for p in ds.staff if p.station_id in keep}
    return ds.replace(
        stations=tuple(s for s in ds.stations if s.station_id in keep),
        staff=tuple(p for p in ds.staff if p.person_id in people),
        demand=tuple(d for d in ds.demand if d.station_id in keep),
        absences=tuple(a for a in ds.absences if a.person_id in people),
        requests=tuple(r for r in ds.requests if r.person_id in people),
        history=tuple(h for h in ds.history if h.person_id in people),
    )
