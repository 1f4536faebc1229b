"""Soft cover: people on a shift against a requirement, penalised below and above it.

With n staffed and R required, the penalty is ``under * max(0, R - n) + over * max(0, n - R)``.
Only the shortfall is a variable: the excess is ``n - R + shortfall``, so the cost is
``(under + over) * shortfall + over * (n - R)``, exact at any optimum and one variable per cover.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Sequence

    from ortools.sat.python import cp_model


def add_soft_cover(
    model: cp_model.CpModel,
    xs: Sequence[cp_model.IntVar],
    required: int,
    under: int,
    over: int,
    name: str,
) -> cp_model.LinearExprT:
    """The cover's penalty as a linear expression (adds the shortfall variable it needs)."""
    staffed = sum(xs)
    if required <= 0:
        return over * staffed
    if not xs:
        return under * required
    short = model.new_int_var(0, required, f"short[{name}]")
    model.add(short >= required - staffed)
    return (under + over) * short + over * (staffed - required)
