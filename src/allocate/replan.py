"""Re-planning a published roster from a moment on: the past frozen, the fewest changes after it.

Everything that starts before the cut has happened (or is under way): it stays exactly as
published, and its rows are copied into the new roster verbatim, crew ids and all. From the cut
on, the solve ranks its goals lexicographically: first the fewest uncovered crews, then the fewest
changes against the published roster (a change is one assignment of a person to a post added or
removed; a move is two), then the usual soft goals with their weights. The frozen assignments stay
in the model as fixed work (:mod:`allocate.model.freeze`), so rest, days in a row and the weekly
hours and nights blocks are kept across the cut.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from pathlib import Path
from typing import Any

import pandas as pd

from allocate.contract import COVERAGE_COLUMNS, ROSTER_COLUMNS
from allocate.diagnose import explain_uncovered
from allocate.domain import Assignment, Dataset, Horizon
from allocate.i18n import L_
from allocate.io.errors import InputError, InputIssue
from allocate.policy import Policy
from allocate.result import Result
from allocate.solve import solve
from allocate.verify import verify_roster

CHANGE_KEY = ("person_id", "date", "station_id", "shift_id", "task_id")
CHANGE_COLUMNS = (*CHANGE_KEY, "change")


def parse_cut(text: str) -> dt.datetime:
    """``YYYY-MM-DD`` (midnight) or ``YYYY-MM-DDTHH:MM``: the moment the re-plan starts."""
    try:
        value = dt.datetime.fromisoformat(text.strip())
    except ValueError:
        raise InputError.single(
            "--from", None, None, text, L_("a date YYYY-MM-DD or YYYY-MM-DDTHH:MM")
        ) from None
    return value.replace(tzinfo=None)


def read_published(folder: str | Path) -> tuple[pd.DataFrame, Horizon, dict[str, Any]]:
    """The published roster.csv (every cell as written), its horizon and its summary.json."""
    folder = Path(folder)
    roster_file, summary_file = folder / "roster.csv", folder / "summary.json"
    for path in (roster_file, summary_file):
        if not path.is_file():
            raise InputError.single(
                str(path), None, None, None, L_("a published output folder (roster.csv, summary.json)")
            )
    roster = pd.read_csv(roster_file, dtype=str, keep_default_na=False)
    missing = [c for c in ROSTER_COLUMNS if c not in roster.columns]
    if missing:
        raise InputError.single(
            str(roster_file), 1, ", ".join(missing), None, L_("the roster columns of the output contract")
        )
    try:
        summary = json.loads(summary_file.read_text(encoding="utf-8"))
        horizon = Horizon(dt.date.fromisoformat(summary["horizon"]["start"]), int(summary["horizon"]["days"]))
    except (ValueError, KeyError, TypeError) as exc:
        raise InputError.single(
            str(summary_file), None, "horizon", None, L_("a summary with its horizon (%(why)s)", why=str(exc))
        ) from None
    return roster.loc[:, list(ROSTER_COLUMNS)], horizon, summary


def assignments(roster: pd.DataFrame, file: str = "roster.csv") -> tuple[Assignment, ...]:
    """Roster rows as domain objects; a bad date is bad input naming its line."""
    out = []
    for line, row in enumerate(roster.itertuples(index=False), start=2):
        try:
            day = dt.date.fromisoformat(str(row.date))
        except ValueError:
            raise InputError.single(file, line, "date", row.date, L_("a date as YYYY-MM-DD")) from None
        out.append(Assignment(day, *(str(getattr(row, c)) for c in ROSTER_COLUMNS[1:])))
    return tuple(out)


def starts(dataset: Dataset, frame: pd.DataFrame) -> pd.Series:
    """When each row's shift starts (NaT for an unknown shift)."""
    minutes = frame["shift_id"].map({s.shift_id: s.start_min for s in dataset.shifts})
    return pd.to_datetime(frame["date"], format="%Y-%m-%d", errors="coerce") + pd.to_timedelta(
        minutes, unit="m"
    )


def replan(
    dataset: Dataset,
    published: pd.DataFrame | Result | str | Path,
    horizon: Horizon | None = None,
    policy: Policy | None = None,
    cut: dt.datetime | dt.date | str | None = None,
    **solve_options: Any,
) -> Result:
    """Re-plan `published` from `cut` on, under the data as it is now.

    `published` is a roster table, a :class:`Result` or a published output folder; the horizon
    (and, for a Result, the policy) default to its own. `cut` is a datetime, a date (midnight) or
    ``YYYY-MM-DD[THH:MM]``. Returns a :class:`Result` whose roster keeps every published row that
    starts before `cut` verbatim and whose ``changes`` lists each assignment added or removed.
    Options go to :func:`allocate.solve.solve` (time_limit, work_limit, seed, workers, ...).
    """
    if isinstance(published, Result):
        horizon, policy = horizon or published.horizon, policy or published.policy
        published = published.roster
    elif isinstance(published, (str, Path)):
        published, own, _ = read_published(published)
        horizon = horizon or own
    if horizon is None:
        raise ValueError("replan needs the published roster's horizon")
    if cut is None:
        raise ValueError("replan needs `cut`: the moment from which the roster may change")
    if isinstance(cut, str):
        cut = parse_cut(cut)
    elif not isinstance(cut, dt.datetime):
        cut = dt.datetime.combine(cut, dt.time())
    return _replan(dataset, published, horizon, policy or Policy(), cut, **solve_options)


def check_cut(cut: dt.datetime, horizon: Horizon, what: str) -> None:
    """`--from` must fall within the horizon re-planned (`what` names it in the message)."""
    if not horizon.start <= cut.date() <= horizon.end:
        raise InputError.single(
            "--from",
            None,
            None,
            cut.isoformat(),
            L_(
                "a moment within %(what)s (%(first)s .. %(last)s)",
                what=what,
                first=horizon.start,
                last=horizon.end,
            ),
        )


def _replan(
    dataset: Dataset,
    published: pd.DataFrame,
    horizon: Horizon,
    policy: Policy,
    cut: dt.datetime,
    **solve_options: Any,
) -> Result:
    check_cut(cut, horizon, L_("the horizon"))
    published = published.loc[:, list(ROSTER_COLUMNS)].astype(str)
    rows = assignments(published)
    frozen_mask = (starts(dataset, published) < pd.Timestamp(cut)).to_numpy()
    frozen = tuple(a for a, f in zip(rows, frozen_mask, strict=True) if f)
    dataset = _what_happened(dataset, frozen)
    _check_frozen_pins(dataset, frozen, cut)
    result = solve(
        dataset, horizon, policy, published=rows, freeze_before=cut, ranked=("stability",), verify=False,
        **solve_options,
    )  # fmt: skip
    new = result.roster.astype({"date": str})
    kept = new[(starts(dataset, new) >= pd.Timestamp(cut)).to_numpy()]
    roster = pd.concat([published[frozen_mask], kept], ignore_index=True)
    roster = roster.sort_values(["station_id", "date"], kind="stable", ignore_index=True)
    result.roster = roster
    result.coverage = _coverage(dataset, result.coverage, published[frozen_mask], cut)
    result.uncovered_reasons = explain_uncovered(dataset, horizon, policy, roster, result.coverage)
    result.changes = changes(published, roster)
    result.settings["replan"] = {
        "from": cut.isoformat(timespec="minutes"),
        "frozen_assignments": int(frozen_mask.sum()),
        "changes": len(result.changes),
        "added": int((result.changes["change"] == "added").sum()),
        "removed": int((result.changes["change"] == "removed").sum()),
        "ranked": ["uncovered", "stability", "weighted soft goals"],
    }
    result.verification = verify_roster(dataset, horizon, policy, roster, result.coverage)
    return result


def changes(before: pd.DataFrame, after: pd.DataFrame) -> pd.DataFrame:
    """One row per assignment (person, date, station, shift, task) added or removed."""
    old = set(before.loc[:, list(CHANGE_KEY)].astype(str).itertuples(index=False, name=None))
    new = set(after.loc[:, list(CHANGE_KEY)].astype(str).itertuples(index=False, name=None))
    out = [(*k, "removed") for k in old - new] + [(*k, "added") for k in new - old]
    return pd.DataFrame(sorted(out), columns=list(CHANGE_COLUMNS))


def _coverage(
    dataset: Dataset, coverage: pd.DataFrame, frozen: pd.DataFrame, cut: dt.datetime
) -> pd.DataFrame:
    """Frozen posts are staffed by the published crews, whatever the model made of them."""
    coverage = coverage.astype({"date": str}).copy()
    crews = frozen.groupby(["date", "station_id", "shift_id", "task_id"])["crew_id"].nunique()
    past = (starts(dataset, coverage) < pd.Timestamp(cut)).to_numpy()
    if not past.any():
        return coverage.loc[:, list(COVERAGE_COLUMNS)]
    keys = list(
        coverage.loc[past, ["date", "station_id", "shift_id", "task_id"]].itertuples(index=False, name=None)
    )
    staffed = [int(crews.get(k, 0)) for k in keys]
    coverage.loc[past, "crews_staffed"] = staffed
    coverage.loc[past, "shortfall"] = (
        coverage.loc[past, "crews_required"] - coverage.loc[past, "crews_staffed"]
    )
    return coverage.loc[:, list(COVERAGE_COLUMNS)]


def _what_happened(dataset: Dataset, frozen: tuple[Assignment, ...]) -> Dataset:
    """An absence recorded now does not undo a shift already worked: it is cut around that day.

    (A sick call at noon on Wednesday leaves Wednesday morning's frozen shift in place.)
    """
    worked: dict[str, set[dt.date]] = {}
    for a in frozen:
        worked.setdefault(a.person_id, set()).add(a.date)
    absences, warnings = [], []
    for a in dataset.absences:
        hit = sorted(d for d in worked.get(a.person_id, ()) if a.covers(d))
        if not hit:
            absences.append(a)
            continue
        warnings.append(
            L_(
                "absence of %(person)s %(first)s..%(last)s overlaps frozen work on %(days)s: kept as worked",
                person=a.person_id,
                first=a.date_from,
                last=a.date_to,
                days=", ".join(map(str, hit)),
            )
        )
        day = a.date_from
        for d in (*hit, a.date_to + dt.timedelta(days=1)):
            if day < d:
                absences.append(dataclasses.replace(a, date_from=day, date_to=d - dt.timedelta(days=1)))
            day = d + dt.timedelta(days=1)
    if not warnings:
        return dataset
    extras = {**dataset.extras, "warnings": [*dataset.extras.get("warnings", []), *warnings]}
    return dataset.replace(absences=tuple(absences), extras=extras)


def _check_frozen_pins(dataset: Dataset, frozen: tuple[Assignment, ...], cut: dt.datetime) -> None:
    """A pin on the frozen past must agree with what was published: the past cannot be changed."""
    issues = []
    shifts = dataset.shift_by_id
    for pin in dataset.pins:
        pinned = [s for s in shifts.values() if pin.shift_id in (None, s.shift_id)]
        if not all(s.starts_at(pin.date) < cut for s in pinned):
            continue
        hit = any(a.person_id == pin.person_id and pin.matches(a.date, a.shift_id, a.task_id) for a in frozen)
        if hit != pin.on:
            issues.append(
                InputIssue(
                    pin.file,
                    pin.line,
                    "date",
                    pin.date.isoformat(),
                    L_(
                        "a pin after the re-plan's start %(cut)s or one the published roster keeps",
                        cut=cut.strftime("%Y-%m-%d %H:%M"),
                    ),
                )
            )
    if issues:
        raise InputError(issues)
