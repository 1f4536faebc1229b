"""Scenarios and what-if analysis: a TOML file (or code) says which data, horizon, policy and changes.

    from allocate.scenario import load_scenario, compare
    base = load_scenario("scenarios/baseline.toml")
    busy = base.scale_demand(tasks=["response_110", "patrol"], factor=1.3, weekdays=["Fri", "Sat"])
    table = compare({"baseline": base.solve(), "busy": busy.solve()})

Plots are in :mod:`allocate.scenario.plots` (matplotlib, imported on use).
"""

from allocate.scenario.changes import ChangeError, scaled
from allocate.scenario.compare import MEASURES, compare
from allocate.scenario.core import Scenario
from allocate.scenario.load import load_scenario, read_scenario_file
from allocate.scenario.schema import (
    AbsenceChange,
    AddCrews,
    Change,
    Headcount,
    Lending,
    Quota,
    RemoveCrews,
    ScaleDemand,
    ScenarioFile,
    SolverSpec,
)

__all__ = [
    "MEASURES",
    "AbsenceChange",
    "AddCrews",
    "Change",
    "ChangeError",
    "Headcount",
    "Lending",
    "Quota",
    "RemoveCrews",
    "ScaleDemand",
    "Scenario",
    "ScenarioFile",
    "SolverSpec",
    "compare",
    "load_scenario",
    "read_scenario_file",
    "scaled",
]
