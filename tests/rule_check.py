"""Each rule alone, in the manner of Timefold's ConstraintVerifier: a tiny situation, one roster.

`check(ds, crews)` fixes a candidate roster in the roster model and asks two independent judges:
- the model: which rule keys reject the roster. A person who may not serve a post has no variable
  there (the eligibility rules hold by sparsity), so that post names its barrier, and a crew of no
  allowed pattern names `crew_composition`; otherwise the roster's people, crews and sworn
  officers in A slots are fixed, and a rule rejects it when the fixed model is infeasible with
  all constraints but feasible once that rule's constraint group is dropped (groups that only
  define helper variables, allocate.rules.names.STRUCTURE, are never dropped);
- the verifier: which rule keys it reports on the same roster.
Both speak the rule keys of :mod:`allocate.rules.names`. The model is built in its Boolean-per-post
form (a variable per person and post, as for a re-plan); the lines form that `solve` uses by default
feeds the same rule modules through ``m.work``.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass

import pandas as pd
from ortools.sat.python import cp_model, cp_model_helper

from allocate.demand import expand_posts
from allocate.domain import CrewPattern, Dataset, Horizon
from allocate.model.builder import RosterModel
from allocate.model.eligibility import barrier
from allocate.model.rest import history_blocked
from allocate.policy import Policy
from allocate.rules.names import RULES
from allocate.verify import verify_roster
from builders import MONDAY

WEEK = Horizon(MONDAY, 7)


@dataclass(frozen=True)
class Crew:
    """One crew of a candidate roster: members as (person id, slot S or A), led by `lead`."""

    offset: int  # days after MONDAY
    shift_id: str
    task_id: str
    members: tuple[tuple[str, str], ...]
    lead: str = ""
    station_id: str = "S1"

    @property
    def date(self) -> dt.date:
        return MONDAY + dt.timedelta(days=self.offset)


def crew(offset: int, shift_id: str, task_id: str, *members: str, lead: str = "") -> Crew:
    """A crew from members written "P1:S" or "A1:A" (slot after the colon; S when left out)."""
    pairs = tuple((m.split(":")[0], [*m.split(":"), "S"][1]) for m in members)
    leader = lead or next((p for p, slot in pairs if slot == "S"), "")
    return Crew(offset, shift_id, task_id, pairs, leader)


@dataclass(frozen=True)
class Verdict:
    """What the model and the verifier say of one candidate roster."""

    model: frozenset[str]  # rule keys that make the model reject it (empty: accepted)
    verifier: frozenset[str]  # rule keys the verifier reports (empty: lawful)

    @property
    def accepted(self) -> bool:
        return not self.model and not self.verifier


def roster_frame(ds: Dataset, crews: list[Crew]) -> pd.DataFrame:
    """The candidate as roster.csv rows, as the output contract writes them."""
    role = {p.person_id: p.role for p in ds.staff}
    rows = [
        (
            c.date.isoformat(),
            c.station_id,
            c.shift_id,
            c.task_id,
            f"c{k}",
            pid,
            role.get(pid, ""),
            slot,
            c.lead,
        )
        for k, c in enumerate(crews)
        for pid, slot in c.members
    ]
    columns = ["date", "station_id", "shift_id", "task_id", "crew_id", "person_id", "role", "slot", "lead_id"]
    return pd.DataFrame(rows, columns=columns)


def model_rejects(ds: Dataset, crews: list[Crew], horizon: Horizon, policy: Policy) -> frozenset[str]:
    """The rule keys under which the roster model rejects the candidate (see the module doc)."""
    station_ids = tuple(sorted({s.station_id for s in ds.stations}))
    m = RosterModel(ds, horizon, policy, station_ids, expand_posts(ds, horizon))
    index = {p.person_id: i for i, p in enumerate(m.people)}
    sworn = {p.person_id for p in m.people if p.is_sworn}
    post_index = {pv.post.key: q for q, pv in enumerate(m.post_vars)}
    blocked = history_blocked(m)
    wanted: set[tuple[int, int]] = set()
    sparse: set[str] = set()
    patterns: Counter[tuple[int, CrewPattern]] = Counter()
    sworn_in_a: Counter[int] = Counter()
    for c in crews:
        q = post_index.get((c.station_id, c.date, c.shift_id, c.task_id))
        slots = [slot for _, slot in c.members]
        pattern = CrewPattern(slots.count("S"), slots.count("A"))
        if q is not None and pattern not in m.post_vars[q].patterns:
            sparse.add("crew_composition")
        elif q is not None:
            patterns[q, pattern] += 1
            sworn_in_a[q] += sum(1 for pid, slot in c.members if slot == "A" and pid in sworn)
        for pid, _ in c.members:
            i = index.get(pid)
            if q is None:
                sparse.add("coverage")  # no demand: no post, no crew beyond demand
            elif i is None:
                sparse.add("home_station")  # not a person of this unit
            elif (i, q) in m.x:
                wanted.add((i, q))
            elif (i, m.horizon.index(c.date), c.shift_id) in blocked:
                sparse.add("rest")  # inside the rest owed after a shift of the history
            else:
                sparse.add(barrier(ds, m.people[i], m.post_vars[q].post, policy.lending) or "?")
    if sparse:
        return frozenset(sparse)
    for key, x in m.x.items():
        m.model.add(x == int(key in wanted))
    for q, pv in enumerate(m.post_vars):
        for pattern, n in zip(pv.patterns, pv.crews, strict=True):
            m.model.add(n == patterns[q, pattern])
        if pv.sworn_in_a is not None:
            m.model.add(pv.sworn_in_a == sworn_in_a[q])
    if _feasible(m.model):
        return frozenset()
    return frozenset(name for name in m.groups if name in RULES and _feasible(_without(m, name)))


def _without(m: RosterModel, name: str) -> cp_model.CpModel:
    """A copy of the model with one rule's constraint group dropped."""
    copy = m.model.clone()
    for c in m.constraints_of(name):
        copy.proto.constraints[c].copy_from(cp_model_helper.ConstraintProto())
    return copy


def _feasible(model: cp_model.CpModel) -> bool:
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    solver.parameters.max_time_in_seconds = 10
    model.clear_objective()  # feasibility only: the soft goals do not judge a roster
    return solver.solve(model) in (cp_model.OPTIMAL, cp_model.FEASIBLE)


def check(ds: Dataset, crews: list[Crew], horizon: Horizon = WEEK, policy: Policy | None = None) -> Verdict:
    """The model's and the verifier's rule keys for one candidate roster of a tiny dataset."""
    policy = policy or Policy()
    report = verify_roster(ds, horizon, policy, roster_frame(ds, crews))
    return Verdict(model_rejects(ds, crews, horizon, policy), frozenset(report.rules()))
