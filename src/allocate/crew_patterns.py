"""Parsing crew strings such as ``1S+2A|2S`` into :class:`CrewPattern` alternatives."""

from __future__ import annotations

import re

from allocate.domain import CrewPattern
from allocate.i18n import L_

_TERM = re.compile(r"^(\d*)\s*([SA])$", re.IGNORECASE)


def parse_crews(text: str) -> tuple[CrewPattern, ...]:
    """Parse ``alt|alt|...`` where each alternative is ``nS+mA`` terms in any order.

    A bare ``S`` means ``1S``. Raises ``ValueError`` with a planner-readable reason.
    """
    text = text.strip()
    if not text:
        raise ValueError(L_("an empty crews string"))
    patterns: list[CrewPattern] = []
    for alt in text.split("|"):
        sworn = aux = 0
        terms = [t.strip() for t in alt.split("+")]
        if not alt.strip() or any(not t for t in terms):
            raise ValueError(L_("an empty term in %(alt)r", alt=alt.strip()))
        for term in terms:
            m = _TERM.match(term)
            if not m:
                raise ValueError(L_("%(term)r is not a count followed by S or A", term=term))
            count = int(m.group(1)) if m.group(1) else 1
            if m.group(2).upper() == "S":
                sworn += count
            else:
                aux += count
        if sworn + aux == 0:
            raise ValueError(L_("the alternative %(alt)r has no slot", alt=alt.strip()))
        pattern = CrewPattern(sworn, aux)
        if pattern not in patterns:
            patterns.append(pattern)
    return tuple(patterns)
