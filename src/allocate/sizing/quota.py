"""Dividing a district's approved quota (员额) across its stations.

Each station's marginal-coverage curve gives weighted uncovered crews at a few headcounts; the
division picks one point per station so that the headcounts fit the quota and the total weighted
uncovered is least. This is a multiple-choice knapsack, solved exactly by dynamic programming
over the quota (small: a district has tens of stations and a quota of hundreds).
"""

from __future__ import annotations


def divide_quota(curves: dict[str, list[tuple[int, int]]], quota: int) -> dict[str, int] | None:
    """`curves`: station -> [(headcount, weighted uncovered)]. Returns station -> headcount.

    Returns None when even the lowest point of every curve exceeds the quota.
    """
    stations = sorted(curves)
    inf = float("inf")
    best = [0.0] + [inf] * quota  # best[q]: least cost using exactly q so far (or less)
    choice: list[list[int | None]] = []
    for station in stations:
        new = [inf] * (quota + 1)
        pick: list[int | None] = [None] * (quota + 1)
        for used, cost in enumerate(best):
            if cost == inf:
                continue
            for k, (head, uncovered) in enumerate(curves[station]):
                total = used + head
                if total <= quota and cost + uncovered < new[total]:
                    new[total], pick[total] = cost + uncovered, k
        best = new
        choice.append(pick)
    end = min(range(quota + 1), key=lambda q: (best[q], q))
    if best[end] == inf:
        return None
    out: dict[str, int] = {}
    for station, pick in zip(reversed(stations), reversed(choice), strict=True):
        k = pick[end]
        assert k is not None
        head = curves[station][k][0]
        out[station] = head
        end -= head
    return out
