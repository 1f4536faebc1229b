"""The stage engine: holds and floors last one stage, a fallback stands when CP-SAT finds nothing."""

from __future__ import annotations

import json

from ortools.sat.python import cp_model

from allocate.sizing.run import StationSizing
from allocate.stages import Settings, Stage, Status, run_stage

ONE = Settings(seed=0, workers=1)


def _model() -> tuple[cp_model.CpModel, cp_model.IntVar]:
    m = cp_model.CpModel()
    x = m.new_int_var(0, 10, "x")
    m.add(x >= 2)
    return m, x


def test_a_hold_lasts_one_stage():
    """A held constraint binds its own stage only: the next stage of the same model is free of it."""
    m, x = _model()
    held = run_stage(m, Stage("held", x, work=10, holds=(x >= 7,)), ONE)
    assert held.status == Status.OPTIMAL and held.solver.value(x) == 7
    free = run_stage(m, Stage("free", x, work=10), ONE)
    assert free.status == Status.OPTIMAL and free.solver.value(x) == 2 and free.stopped_by == "proof"
    assert free.step() == ("free", "OPTIMAL", round(free.work, 4))


def test_a_failed_stage_falls_back_and_still_releases_its_hold():
    """An infeasible hold: the fallback roster stands as FEASIBLE from the greedy source, and the hold goes."""
    m, x = _model()
    greedy = run_stage(m, Stage("greedy", x, work=10, holds=(x == 9,)), ONE).solver
    failed = run_stage(m, Stage("impossible", x, work=10, holds=(x <= 1,)), ONE, fallback=greedy)
    assert failed.search_status == Status.INFEASIBLE and not failed.searched
    assert failed.status == Status.FEASIBLE and failed.source == "greedy" and failed.solver.value(x) == 9
    alone = run_stage(m, Stage("alone", x, work=10, holds=(x <= 1,)), ONE)
    assert alone.solver is None and alone.status == Status.INFEASIBLE and alone.source == "none"
    assert run_stage(m, Stage("after", x, work=10), ONE).solver.value(x) == 2


def test_a_stated_floor_is_released_too():
    """A floor above the optimum binds its stage (it is stated to CP-SAT), not the model afterwards."""
    m, x = _model()
    assert run_stage(m, Stage("floored", x, work=10, floor=5), ONE).solver.value(x) == 5
    assert run_stage(m, Stage("after", x, work=10), ONE).solver.value(x) == 2


def test_status_reads_as_its_name():
    """The status type is a str: JSON, CSV and comparisons with CP-SAT's names are unchanged."""
    assert json.dumps({"status": Status.OPTIMAL}) == '{"status": "OPTIMAL"}'
    assert Status.FEASIBLE == "FEASIBLE" and Status.FEASIBLE.found and not Status.UNKNOWN.found


def test_a_greedy_sizing_answer_says_so():
    """A station whose answer is the greedy roster is FEASIBLE from source greedy; its quality says so."""
    kinds = {"aux_service": 1, "aux_civilian": 1}
    greedy = StationSizing("S1", kinds, kinds, False, [], status=Status.FEASIBLE, source="greedy")
    assert greedy.quality() == "upper bound (greedy roster only: raise --time-limit)"
    searched = StationSizing("S1", kinds, kinds, False, [], status=Status.FEASIBLE)
    assert searched.quality() == "upper bound (CP-SAT, not proven)"


def test_a_stage_runs_without_symmetry_detection_unless_the_caller_asks():
    """`ROSTER_PARAMS` hold under the caller's own CP-SAT settings, which win."""
    m, x = _model()
    plain = run_stage(m, Stage("plain", x, work=10), ONE)
    assert plain.search.parameters.symmetry_level == 0
    asked = run_stage(m, Stage("asked", x, work=10), Settings(0, 1, {"symmetry_level": 2}))
    assert asked.search.parameters.symmetry_level == 2 and asked.solver.value(x) == 2
