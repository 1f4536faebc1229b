"""Raw CP-SAT parameters given by a user (``--param`` or a scenario's ``[solver.params]``).

They are checked before any work starts, the way CP-SAT itself would check them, so a bad one
is bad input (exit 2) and not a crash or a ``MODEL_INVALID`` result after the data was loaded.

The time limit, seed and workers are allocate's own settings (``--time-limit``, ``--seed``,
``--workers`` or ``[solver] time_limit/seed/workers``): allocate shares the time limit between
the stations' models, so a raw ``max_time_in_seconds`` would silently override it for each of
them. Naming one of these parameters is therefore an error that points to the setting to use.
"""

from __future__ import annotations

import math
from typing import Any

MAX_TIME_LIMIT = 1_000_000.0  # seconds (11 days)
MAX_SEED = 2**31 - 1  # CP-SAT's random_seed is a 32-bit integer
MAX_WORKERS = 1_024

# CP-SAT parameter -> the allocate setting that owns it (CLI option, scenario key)
OWNED = {
    "max_time_in_seconds": ("--time-limit", "time_limit"),
    "random_seed": ("--seed", "seed"),
    "num_workers": ("--workers", "workers"),
    "num_search_workers": ("--workers", "workers"),
}


def solver_param_problems(params: dict[str, Any], where: str = "") -> list[str]:
    """What is wrong with `params`, in words; empty when CP-SAT takes them.

    `where` is ``"[solver]"`` for a scenario file (its messages name the key to set there) and
    empty for the command line.
    """
    from ortools.sat import sat_parameters_pb2
    from ortools.sat.python import cp_model

    known = sat_parameters_pb2.SatParameters.DESCRIPTOR.fields_by_name
    solver = cp_model.CpSolver()  # set the values as the solve will: on a solver's parameters
    problems = []
    for key, value in params.items():
        if key not in known:
            problems.append(f"CP-SAT parameter names (unknown: {key})")
        elif key in OWNED:
            option, setting = OWNED[key]
            use = f"{where} {setting}" if where else option
            problems.append(f"{use.strip()} instead of the CP-SAT parameter {key} (allocate owns it)")
        elif isinstance(value, float) and not math.isfinite(value):
            problems.append(f"a finite number for {key} (got {value})")
        else:
            try:
                setattr(solver.parameters, key, value)
            except (TypeError, ValueError, AttributeError, OverflowError):
                problems.append(f"{_kind(known[key])} for CP-SAT parameter {key} (got {value!r})")
    if not problems and params:
        invalid = _cp_sat_verdict(solver)
        if invalid:
            problems.append(f"CP-SAT parameters that CP-SAT accepts ({invalid})")
    return problems


def _cp_sat_verdict(solver: Any) -> str:
    """CP-SAT's own check of the parameters: solve an empty model with them (a millisecond)."""
    from ortools.sat.python import cp_model

    solver.parameters.max_time_in_seconds = 1.0
    solver.parameters.num_workers = 1
    solver.parameters.log_search_progress = False
    status = solver.solve(cp_model.CpModel())
    return solver.solution_info() if status == cp_model.MODEL_INVALID else ""


def _kind(descriptor: Any) -> str:
    """A parameter's type in words, from its protobuf descriptor."""
    if descriptor.enum_type is not None or descriptor.cpp_type == descriptor.CPPTYPE_MESSAGE:
        return "a value that can be set from here (this parameter cannot)"
    return {
        descriptor.CPPTYPE_BOOL: "true or false",
        descriptor.CPPTYPE_DOUBLE: "a number",
        descriptor.CPPTYPE_FLOAT: "a number",
        descriptor.CPPTYPE_STRING: "text",
    }.get(descriptor.cpp_type, "a whole number in range")
