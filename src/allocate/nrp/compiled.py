"""The exact programme's forward pass, compiled (numba), off the interpreter's lock.

:meth:`allocate.nrp.lawful.ExactProgramme.cheapest` prices one person for column generation,
tens of thousands of times a solve. In numpy its forward pass is hundreds of small array calls a
day, so the interpreter's overhead per call, not the arithmetic, set its pace, and the lock it
holds kept the pricing threads from running side by side. Compiled, one call does a whole pass
and releases the lock: instance 17's column generation converged in 5.4 s, not 21.5 s (the same
rounds, the same columns), instance 15's in 2.1 ms a person, not 12.5 ms.

The arrays are the programme's own (:meth:`ExactProgramme._forward`), the resources (weekends,
minutes, counted maxima) flattened to one axis: working shift `i` moves each resource index
``src[t]`` to ``dst[t]`` for `t` in the range ``moves[i, weekend]`` (`weekend`: 1 when the shift
makes a new weekend worked), precomputed once a person (:meth:`ExactProgramme.plan`).
"""

from __future__ import annotations

import numba
import numpy as np

# the arrays hold infinities (no state) but never NaN: min and compare may vectorise
FASTMATH = {"nnan", "nsz"}


@numba.njit(cache=True, nogil=True, fastmath=FASTMATH)
def forward(
    ws: np.ndarray,
    xs: np.ndarray,
    os: np.ndarray,
    cost: np.ndarray,
    open_days: np.ndarray,
    min_run: int,
    members: np.ndarray,
    sizes: np.ndarray,
    parents: np.ndarray,
    group_of: np.ndarray,
    segments: np.ndarray,
    moves: np.ndarray,
) -> None:
    """Fill ``ws, xs, os`` (uninitialised on entry) day by day: ``ws[d]`` by shift, run length - 1
    and resource, ``xs[d]`` the run from day 0 by shift and resource, ``os[d]`` by days off - 1
    (see :meth:`allocate.nrp.lawful.ExactProgramme._forward`). Day 0 starts from days off without
    end, nothing spent; each later day is set to infinity (no state) before the moves write it,
    while its arrays are in cache. Predecessor set `g` is the earlier set ``parents[g]`` (-1:
    none) and the shifts ``members[g, :sizes[g]]``; `group_of[i]` is the set of shift `i` (-1:
    none); working shift `i` moves the resources by the
    segments (source start, target start, length) in the range ``moves[i, weekend]``."""
    days, shifts, top, resources = ws.shape[0] - 1, ws.shape[1], ws.shape[2], ws.shape[3]
    off = os.shape[1]
    groups = members.shape[0]
    best_w = np.empty((groups, top, resources))  # the least run of each predecessor set
    best_x = np.empty((groups, resources))
    ws[0] = np.inf
    xs[0] = np.inf
    os[0] = np.inf
    os[0, off - 1, 0] = 0.0
    # every state of a resource index from `reach` up is out of reach (infinite) after the days
    # so far: the pass reads and moves below it only (early days, few resources spent)
    reach = 1
    for d in range(days):
        w, x, o = ws[d], xs[d], os[d]
        nw, nx, no = ws[d + 1], xs[d + 1], os[d + 1]
        nw[:] = np.inf
        nx[:] = np.inf
        no[:] = np.inf
        # a day off: after a run long enough (or the run from day 0), or after days off
        rest = no[0]
        if off == 1:
            for r in range(reach):
                rest[r] = o[0, r]
        for i in range(shifts):
            for k in range(min_run - 1, top):
                for r in range(reach):
                    if w[i, k, r] < rest[r]:
                        rest[r] = w[i, k, r]
            if d <= top:
                for r in range(reach):
                    if x[i, r] < rest[r]:
                        rest[r] = x[i, r]
        if off > 1:
            for j in range(1, off):
                for r in range(reach):
                    no[j, r] = o[j - 1, r]
            for r in range(reach):
                if o[off - 1, r] < no[off - 1, r]:
                    no[off - 1, r] = o[off - 1, r]
        if not open_days[d]:
            continue
        after_off = 1 if d % 7 == 5 or d % 7 == 6 else 0
        after_work = 1 if d % 7 == 5 else 0
        if d > 0:
            for g in range(groups):
                parent, first = parents[g], members[g, 0]
                for k in range(top - 1):
                    for r in range(reach):
                        best_w[g, k, r] = best_w[parent, k, r] if parent >= 0 else w[first, k, r]
                if d < top:
                    for r in range(reach):
                        best_x[g, r] = best_x[parent, r] if parent >= 0 else x[first, r]
                for q in range(0 if parent >= 0 else 1, sizes[g]):
                    p = members[g, q]
                    for k in range(top - 1):
                        for r in range(reach):
                            a, b = w[p, k, r], best_w[g, k, r]
                            best_w[g, k, r] = a if a < b else b
                    if d < top:
                        for r in range(reach):
                            a, b = x[p, r], best_x[g, r]
                            best_x[g, r] = a if a < b else b
        # each segment moves only its sources below `reach`; the targets they reach bound the next
        ahead = reach
        for i in range(shifts):
            for weekend in range(2):
                for t in range(moves[i, weekend, 0], moves[i, weekend, 1]):
                    n = min(segments[t, 2], reach - segments[t, 0])
                    if n > 0 and segments[t, 1] + n > ahead:
                        ahead = segments[t, 1] + n
        for i in range(shifts):
            c = cost[d, i]
            lo, hi = moves[i, after_off, 0], moves[i, after_off, 1]
            if d == 0:  # the run from day 0
                for t in range(lo, hi):
                    a, b = segments[t, 0], segments[t, 1]
                    for r in range(min(segments[t, 2], reach - a)):
                        nx[i, b + r] = o[off - 1, a + r] + c
                continue
            for t in range(lo, hi):  # a run starts after days off
                a, b = segments[t, 0], segments[t, 1]
                for r in range(min(segments[t, 2], reach - a)):
                    nw[i, 0, b + r] = o[off - 1, a + r] + c
            g = group_of[i]
            if g < 0:
                continue
            lo, hi = moves[i, after_work, 0], moves[i, after_work, 1]
            for k in range(top - 1):  # a run goes on
                for t in range(lo, hi):
                    a, b = segments[t, 0], segments[t, 1]
                    for r in range(min(segments[t, 2], reach - a)):
                        nw[i, k + 1, b + r] = best_w[g, k, a + r] + c
            if d < top:
                for t in range(lo, hi):
                    a, b = segments[t, 0], segments[t, 1]
                    for r in range(min(segments[t, 2], reach - a)):
                        nx[i, b + r] = best_x[g, a + r] + c
        reach = ahead
