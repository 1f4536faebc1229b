"""Demand from the workload: an incident log turned into crews per shift (Erlang C, PCAM).

`derive_demand` is the library call behind `allocate demand`, `allocate size --incidents` and a
scenario's ``[incidents]`` table; `write_demand` writes ``demand.csv`` and ``demand_report.html``.
"""

from allocate.demand_model.derive import DerivedDemand, comparison, derive_demand
from allocate.demand_model.erlang import crews_needed, erlang_b, erlang_c, service_level, wait_exceeds

__all__ = [
    "DerivedDemand",
    "comparison",
    "crews_needed",
    "derive_demand",
    "erlang_b",
    "erlang_c",
    "service_level",
    "wait_exceeds",
]
