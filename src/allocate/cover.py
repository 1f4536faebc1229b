"""Who can fill a gap: the call-in list a duty officer works down.

For one post of a published roster, every person of its station (and, when the policy lends
auxiliaries, of its district) is tried on it by the independent verifier: their own roster rows plus
one more at the post. Those whose rows break no rule of their own are eligible and free; they are
ranked by what calling them in costs (overtime, fairness, requests, rest left). Everyone else is
listed with the rule that excludes them, in the verifier's words.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING

import pandas as pd

from allocate.contract import ROSTER_COLUMNS
from allocate.domain import Dataset, Horizon, Person, Post, is_heavy
from allocate.i18n import L_
from allocate.io.errors import InputError
from allocate.verify import verify_roster

if TYPE_CHECKING:
    from allocate.policy import Policy

# The verifier's rules about one person's own rows (crew-shape and coverage rules are not theirs).
PERSON_RULES = (
    "sworn_only", "civilian_support_only", "disqualified", "untrained", "training_lapsed", "skill",
    "home_station", "absence", "one_shift_per_day", "rest", "consecutive_days", "day_off_in_7",
    "weekly_hours", "nights", "pin",
)  # fmt: skip


@dataclass(frozen=True)
class Candidate:
    """An eligible, free person and what calling them in costs."""

    rank: int
    person_id: str
    name: str
    role: str
    overtime_hours: float  # hours above contract in the post's 7-day block, after the call-in
    block_hours: float  # hours in that block, after the call-in
    heavy_shifts: int  # night/weekend shifts they already work (fairness)
    request: str  # "off requested", "on requested" or ""
    rest_before_hours: float | None  # from the end of their previous shift to the post's start
    rest_after_hours: float | None  # from the post's end to their next shift


@dataclass(frozen=True)
class Excluded:
    person_id: str
    name: str
    role: str
    rule: str
    reason: str


def parse_post(text: str) -> tuple[str, dt.date, str, str]:
    """``STATION,DATE,SHIFT,TASK`` as its four parts."""
    parts = [p.strip() for p in text.split(",")]
    try:
        station, day, shift, task = parts
        return station, dt.date.fromisoformat(day), shift, task
    except ValueError:
        raise InputError.single(
            "--post", None, None, text, L_("STATION,DATE,SHIFT,TASK with DATE as YYYY-MM-DD")
        ) from None


def find_post(dataset: Dataset, horizon: Horizon, key: tuple[str, dt.date, str, str]) -> Post:
    """The post named by `key`: its ids must exist and its date lie in the horizon."""
    station, day, shift, task = key
    for value, known, what in (
        (station, dataset.station_by_id, L_("a station_id of stations.csv")),
        (shift, dataset.shift_by_id, L_("a shift_id of shifts.csv")),
        (task, dataset.task_by_id, L_("a task_id of tasks.csv")),
    ):
        if value not in known:
            raise InputError.single("--post", None, None, value, what)
    if day not in horizon:
        raise InputError.single(
            "--post",
            None,
            None,
            day.isoformat(),
            L_("a date within %(first)s .. %(last)s", first=horizon.start, last=horizon.end),
        )
    return Post(station, day, shift, task, 1)


def who_can_cover(
    dataset: Dataset, horizon: Horizon, policy: Policy, roster: pd.DataFrame, post: Post
) -> tuple[list[Candidate], list[Excluded]]:
    """The ranked call-in list for `post` and, for everyone else tried, the rule that excludes them."""
    people = _tried(dataset, policy, post)
    roster = roster.loc[:, list(ROSTER_COLUMNS)].astype(str)
    mine = roster[roster["person_id"].isin([p.person_id for p in people])]
    extra = pd.DataFrame(
        [
            (post.date.isoformat(), post.station_id, post.shift_id, post.task_id, f"CALL-IN-{p.person_id}",
             p.person_id, p.role, "S" if p.is_sworn else "A", p.person_id)
            for p in people
        ],
        columns=list(ROSTER_COLUMNS),
    )  # fmt: skip
    report = verify_roster(dataset, horizon, policy, pd.concat([mine, extra], ignore_index=True))
    reasons: dict[str, tuple[str, str]] = {}
    for v in report.violations:
        if v.rule in PERSON_RULES and v.person_id and v.person_id not in reasons:
            reasons[v.person_id] = (v.rule, v.message)
    excluded = [
        Excluded(p.person_id, p.name, p.role, *reasons[p.person_id]) for p in people if p.person_id in reasons
    ]
    free = [p for p in people if p.person_id not in reasons]
    costs = sorted((_cost(dataset, horizon, mine, post, p) for p in free), key=_rank_key)
    ranked = [Candidate(rank=k, **c) for k, c in enumerate(costs, start=1)]
    return ranked, excluded


def _tried(dataset: Dataset, policy: Policy, post: Post) -> list[Person]:
    """The post's station's people, and the district's auxiliaries when the policy lends them."""
    district = dataset.station_by_id[post.station_id].district
    out = []
    for p in dataset.staff:
        home = dataset.station_by_id[p.station_id]
        if p.station_id == post.station_id or (
            policy.lending and not p.is_sworn and home.district == district
        ):
            out.append(p)
    return sorted(out, key=lambda p: p.person_id)


def _rank_key(c: dict) -> tuple:
    request = {"off requested": 1, "": 0, "on requested": -1}[c["request"]]
    rest = min(h for h in (c["rest_before_hours"], c["rest_after_hours"], 1e9) if h is not None)
    return (c["overtime_hours"], request, c["heavy_shifts"], -rest, c["block_hours"], c["person_id"])


def _cost(dataset: Dataset, horizon: Horizon, rows: pd.DataFrame, post: Post, p: Person) -> dict:
    shifts = dataset.shift_by_id
    shift = shifts[post.shift_id]
    mine = rows[rows["person_id"] == p.person_id].drop_duplicates(["date", "shift_id"])
    block = horizon.index(post.date) // 7
    hours = shift.hours
    heavy = 0
    before: float | None = None
    after: float | None = None
    start, end = shift.starts_at(post.date), shift.ends_at(post.date)
    for r in mine.itertuples(index=False):
        day, s = dt.date.fromisoformat(r.date), shifts[r.shift_id]
        if day in horizon and horizon.index(day) // 7 == block:
            hours += s.hours
        heavy += is_heavy(s, day)
        if s.ends_at(day) <= start:
            gap = (start - s.ends_at(day)).total_seconds() / 3600
            before = gap if before is None else min(before, gap)
        elif s.starts_at(day) >= end:
            gap = (s.starts_at(day) - end).total_seconds() / 3600
            after = gap if after is None else min(after, gap)
    contract = p.hours_per_week  # per 7-day block, as the model and the verifier count it
    request = ""
    for r in dataset.requests:
        if r.person_id == p.person_id and r.date == post.date and r.shift_id in (None, post.shift_id):
            request = "on requested" if r.want_on else "off requested"
    return {
        "person_id": p.person_id,
        "name": p.name,
        "role": p.role,
        "overtime_hours": round(max(0.0, hours - contract), 2),
        "block_hours": round(hours, 2),
        "heavy_shifts": heavy,
        "request": request,
        "rest_before_hours": None if before is None else round(before, 2),
        "rest_after_hours": None if after is None else round(after, 2),
    }


def as_records(items: list) -> list[dict]:
    return [asdict(x) for x in items]
