"""What this process may use of the machine: the default for work run side by side, and how
Python's garbage collector is paced while a solve runs."""

from __future__ import annotations

import gc
import os
import threading
from contextlib import contextmanager
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Iterator

# A solve allocates hundreds of thousands of small objects that live until it ends (the model's
# variables and expressions, the greedy roster, the verifier's frames); at Python's default pace (a
# collection every 700 allocations, a full one every 100 of those) the collector walks them over and
# over. Paced at these thresholds while a solve runs: 1.7 and 2.2 % less CPU over every fourth
# station of city seed 1 (two halves, by turns in one process), the same rosters.
SOLVE_GC_THRESHOLDS = (100_000, 50, 100)
_pacing = threading.Lock()
_paced: list[tuple[int, ...]] = []  # the thresholds before, once per solve running (threads)


def cores() -> int:
    """Cores this process may use (the affinity mask, not the machine's count)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not on Linux
        return os.cpu_count() or 1


@contextmanager
def paced_collection() -> Iterator[None]:
    """Python's cyclic garbage collector at `SOLVE_GC_THRESHOLDS` within, as it was once the last
    solve running ends (also a decorator; solves may run in threads). Only when and how often it
    runs changes: nothing a solve finds depends on it."""
    with _pacing:
        _paced.append(gc.get_threshold() if not _paced else _paced[0])
        gc.set_threshold(*SOLVE_GC_THRESHOLDS)
    try:
        yield
    finally:
        with _pacing:
            before = _paced.pop()
            if not _paced:
                gc.set_threshold(*before)
