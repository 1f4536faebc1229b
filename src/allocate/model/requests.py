"""On/off requests: a person asks to work (on) or not to work (off) a day, or one shift of it.

The unmet amount is ``1 - x`` for an on-request and ``x`` for an off-request, where x is the sum
of the person's variables of that day and shift (at most one start a day keeps it 0 or 1).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Sequence

    from ortools.sat.python import cp_model


def unmet(xs: Sequence[cp_model.IntVar], want_on: bool) -> cp_model.LinearExprT:
    return (1 - sum(xs)) if want_on else sum(xs)
