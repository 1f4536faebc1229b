"""Several results side by side: one row per scenario, one column per measure."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

from allocate.domain import ROLES
from allocate.i18n import N_

if TYPE_CHECKING:
    from collections.abc import Mapping

    from allocate.result import Result

UNCOVERED_PREFIX = "uncovered:"

MEASURES: dict[str, str] = {
    "status": N_("solver status (the worst unit's)"),
    "people": N_("people in the data after the changes"),
    "crews_required": N_("crews demanded over the horizon"),
    "crews_staffed": N_("crews staffed"),
    "uncovered_crews": N_("crews left uncovered"),
    "uncovered:<task>": N_("uncovered crews of one task (tasks uncovered in some scenario)"),
    "overtime_hours": N_("hours above contract hours"),
    "hours_per_<role>": N_("mean hours per person of a role (idle people count)"),
    "sworn_in_a_slots": N_("the cost goal: sworn officers filling A slots"),
    "fairness_spread": N_("the fairness goal: night/weekend shifts above each group's lowest"),
    "unmet_requests": N_("weight of unmet personal requests"),
    "objective": N_("the weighted objective"),
    "gap": N_("relative gap to the best bound"),
    "solve_seconds": N_("wall-clock seconds of the solve"),
    "violations": N_("hard-rule violations found by the verifier (always 0)"),
}


def _goal(result: Result, name: str) -> float:
    goal = result.goals().get(name)
    return float(goal.amount) if goal is not None else 0.0


def compare(results: Mapping[str, Result]) -> pd.DataFrame:
    """The measures of each result (see :data:`MEASURES`), indexed by scenario name.

    ``compare(...).T`` puts the scenarios side by side, as ``allocate compare`` prints them.
    """
    tasks: list[str] = []
    for result in results.values():
        short = result.coverage[result.coverage["shortfall"] > 0]["task_id"]
        order = [t.task_id for t in result.dataset.tasks]
        tasks += [t for t in order if t in set(short) and t not in tasks]
    rows = []
    for name, result in results.items():
        cov = result.coverage
        by_task = cov.groupby("task_id")["shortfall"].sum()
        hours = result.hours_by_person().groupby("role")["hours"].mean()
        checked = result.verification
        row: dict[str, object] = {
            "scenario": name,
            "status": result.status,
            "people": len(result.dataset.staff),
            "crews_required": int(cov["crews_required"].sum()),
            "crews_staffed": int(cov["crews_staffed"].sum()),
            "uncovered_crews": int(cov["shortfall"].sum()),
        }
        row |= {f"{UNCOVERED_PREFIX}{t}": int(by_task.get(t, 0)) for t in tasks}
        row |= {
            "overtime_hours": _goal(result, "overtime"),
            **{f"hours_per_{role}": round(float(hours.get(role, 0.0)), 1) for role in ROLES},
            "sworn_in_a_slots": _goal(result, "cost"),
            "fairness_spread": _goal(result, "fairness"),
            "unmet_requests": _goal(result, "requests"),
            "objective": result.objective,
            "gap": None if result.gap is None else round(result.gap, 4),
            "solve_seconds": round(result.wall_seconds, 1),
            "violations": None if checked is None else len(checked.violations),
        }
        rows.append(row)
    return pd.DataFrame(rows).set_index("scenario")
