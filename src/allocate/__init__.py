"""allocate: lawful police-station rosters from the data contract.

The notebook API in four names::

    import allocate
    ds = allocate.load("data/demo")
    result = allocate.solve(ds, allocate.Horizon(date(2026, 12, 7), 7), time_limit=30)
    result.roster, result.crews, result.coverage, result.summary()

and, once a roster is published and the week meets reality::

    new = allocate.replan(ds_now, result, cut="2026-12-09")  # the past frozen, fewest changes
    new.changes  # person_id, date, station_id, shift_id, task_id, change (added/removed)
"""

from allocate.demand import expand_posts
from allocate.domain import (
    Absence,
    Assignment,
    CrewPattern,
    Dataset,
    DemandRow,
    Horizon,
    Person,
    Pin,
    Post,
    Request,
    Shift,
    Station,
    Task,
)
from allocate.io.errors import InputError, InputIssue
from allocate.io.load import load_dataset, load_roster
from allocate.output import write_result
from allocate.policy import LabourRules, Policy, Weights, load_policy
from allocate.replan import replan
from allocate.result import Result, UnitResult
from allocate.scenario import Scenario, load_scenario
from allocate.solve import solve

load = load_dataset

__version__ = "0.1.0"

__all__ = [
    "Absence",
    "Assignment",
    "CrewPattern",
    "Dataset",
    "DemandRow",
    "Horizon",
    "InputError",
    "InputIssue",
    "LabourRules",
    "Person",
    "Pin",
    "Policy",
    "Post",
    "Request",
    "Result",
    "Scenario",
    "Shift",
    "Station",
    "Task",
    "UnitResult",
    "Weights",
    "expand_posts",
    "load",
    "load_dataset",
    "load_policy",
    "load_roster",
    "load_scenario",
    "replan",
    "solve",
    "write_result",
]
