"""The machine's facts and the garbage collector's pace during a solve."""

from __future__ import annotations

import gc
import threading

from allocate.machine import SOLVE_GC_THRESHOLDS, cores, paced_collection


def test_cores_is_at_least_one():
    assert cores() >= 1


def test_the_collector_is_paced_within_a_solve_and_restored_after_the_last():
    """Nested and threaded solves: paced while any runs, the caller's own thresholds after."""
    own = (500, 7, 9)
    before = gc.get_threshold()
    gc.set_threshold(*own)
    try:
        inside: list[tuple[int, ...]] = []
        started, release = threading.Event(), threading.Event()

        def other() -> None:
            with paced_collection():
                started.set()
                release.wait(5)
                inside.append(gc.get_threshold())

        with paced_collection():
            thread = threading.Thread(target=other)
            thread.start()
            started.wait(5)
            inside.append(gc.get_threshold())
        inside.append(gc.get_threshold())  # the thread's solve still runs
        release.set()
        thread.join(5)
        assert inside == [SOLVE_GC_THRESHOLDS] * 3
        assert gc.get_threshold() == own
    finally:
        gc.set_threshold(*before)
