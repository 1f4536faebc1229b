"""`allocate nrp`: the benchmark format, the shared rule modules on it, and the evaluators."""

from __future__ import annotations

import csv
import dataclasses
import itertools
import math
import random
import re
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path

import pytest
from ortools.sat.python import cp_model

from allocate.callbacks import SolveCallbacks
from allocate.io.errors import InputError
from allocate.nrp import columns as columns_module
from allocate.nrp import descent, guide, lns, pattern
from allocate.nrp import solve as solve_module
from allocate.nrp import sweep as sweep_module
from allocate.nrp.bounds import cover_bound
from allocate.nrp.columns import WINDOW, ColumnGeneration, falls_less, gap_closes, gap_stalls, holes
from allocate.nrp.core import Core, lagrangian_core
from allocate.nrp.instance import Instance, parse_instance, read_instance
from allocate.nrp.lawful import ExactProgramme, person_roster
from allocate.nrp.model import Key, NrpModel
from allocate.nrp.pricing import SCALE, Pricer
from allocate.nrp.solve import Whole, columns_and_dives, core_ladder, solve_instance
from allocate.nrp.sweep import Aim, Sweep
from allocate.verify.nrp import evaluate

DATA = Path(__file__).parent / "data" / "nrp"
TINY = DATA / "tiny.txt"
INSTANCE1 = DATA / "Instance1.txt"  # Curtois & Qu Instance 1, unchanged: 8 people, 14 days, optimum 607
INSTANCE1_LP = 558  # its master LP's optimum (the column generation's bound)
INSTANCE6 = DATA / "Instance6.txt"  # Instance 6, unchanged: 18 people, 28 days, 3 shift types, optimum 1950
REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "benchmarks"))
from nrp import best_known, numbers, over_seeds  # noqa: E402
from nrp_evaluate import evaluate as independent  # noqa: E402

# The optimum of tiny.txt, by hand (and by enumerating its 1,350 lawful rosters):
# A: N on day 0 (its on-request), off days 1-3, D on days 4-6 (breaks its off-request: 3);
# B: D on days 0-3. Every D is covered; N is short on days 3 and 4 (2 x 100): A cannot take both
# without a third N or an N followed by a D, and B may not work N. Objective 203.
TINY_OPTIMUM = 203
TINY_ROSTER = [
    (0, 0, "N"),
    (0, 4, "D"),
    (0, 5, "D"),
    (0, 6, "D"),
    (1, 0, "D"),
    (1, 1, "D"),
    (1, 2, "D"),
    (1, 3, "D"),
]


def allocate(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "allocate", *args], capture_output=True, text=True, check=False
    )


def test_reads_lf_and_crlf_alike() -> None:
    """The official files have CRLF line ends, the git copies LF: both read the same."""
    text = TINY.read_text(encoding="utf-8")
    lf, crlf = parse_instance(text, "lf"), parse_instance(text.replace("\n", "\r\n"), "crlf")
    assert (lf.days, lf.shifts, lf.staff, lf.cover) == (crlf.days, crlf.shifts, crlf.staff, crlf.cover)
    assert lf.days_off == {(0, 2), (1, 5), (1, 6)}
    assert lf.shifts[1].not_followed_by == ("D",)
    assert lf.weekends == [[5, 6]]


def test_hand_checked_optimum_is_reached_and_evaluated_alike() -> None:
    """The solver proves 203; both evaluators agree on the hand-made optimum and on the solver's."""
    inst = read_instance(TINY)
    assert evaluate(inst, TINY_ROSTER).objective == TINY_OPTIMUM
    result = solve_instance(inst, time_limit=20, workers=1)
    assert result.status == "OPTIMAL"
    assert result.objective == TINY_OPTIMUM
    check = evaluate(inst, result.assignments)
    assert check.ok and check.objective == TINY_OPTIMUM


@pytest.mark.parametrize(
    ("roster", "words"),
    [
        ([(0, 0, "N"), (0, 1, "D")], "N on day 0 then D"),
        ([(0, 4, "D")], "A works a run of 1"),
        ([(0, 3, "D"), (0, 4, "D"), (0, 6, "D")], "1 day(s) off"),
        ([(0, 3, "D"), (0, 4, "D"), (0, 5, "D"), (0, 6, "D")], "A works 4 days in a row"),
        ([(1, 5, "D")], "a day off"),
        ([(0, 0, "N"), (0, 3, "N"), (0, 4, "N")], "3 N shifts"),
        ([(1, 0, "D")], "minutes"),
    ],
)
def test_evaluator_names_each_break(roster, words) -> None:
    """Each hard rule of the benchmark, broken alone, is named by the allocate-side evaluator."""
    inst = read_instance(TINY)
    found = evaluate(inst, roster).violations
    assert any(words in v for v in found), found


def test_cli_writes_the_roster_and_prints_objective_and_bound(tmp_path: Path) -> None:
    """`allocate nrp` writes employee, day, shift rows; the independent evaluator recomputes 203."""
    out = tmp_path / "out"
    done = allocate("nrp", str(TINY), "--time-limit", "20", "--out", str(out))
    assert done.returncode == 0, done.stderr
    assert "objective: 203" in done.stdout and "bound: 203" in done.stdout
    assert "tiny.txt: best 203" in done.stderr  # the progress line, on stderr
    with open(out / "roster.csv", newline="", encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    assert rows[0] == ["employee", "day", "shift"]
    assert len(rows) - 1 == len(TINY_ROSTER)
    objective, errors = independent(TINY, out / "roster.csv")
    assert (objective, errors) == (TINY_OPTIMUM, [])


def test_quiet_cli_shows_no_progress(tmp_path: Path) -> None:
    done = allocate("nrp", str(TINY), "--time-limit", "20", "--out", str(tmp_path / "out"), "--quiet")
    assert done.returncode == 0, done.stderr
    assert "objective: 203" in done.stdout and done.stderr == ""


class _Heard(SolveCallbacks):
    """What a solve tells its callbacks, in order."""

    def __init__(self) -> None:
        self.events: list[tuple] = []

    def on_start(self, units: int, variables: int) -> None:
        self.events.append(("start", units))

    def on_unit_start(self, index: int, name: str, time_limit: float) -> None:
        self.events.append(("unit", index, name))

    def on_solution(self, index: int, objective: float, bound: float, elapsed: float) -> None:
        self.events.append(("solution", objective, bound))

    def on_bound(self, index: int, bound: float) -> None:
        self.events.append(("bound", bound))

    def on_unit_end(self, index: int, name: str, status: str, objective: float, wall: float) -> None:
        self.events.append(("end", status, objective))


def test_a_solve_tells_its_callbacks_each_better_roster_and_bound() -> None:
    """Instance 1: the first roster, then ever better ones down to the result; bounds only rise,
    up to the result's; one start and one end, with the result's status and objective."""
    heard = _Heard()
    result = solve_instance(read_instance(INSTANCE1), time_limit=20, workers=1, seed=0, callbacks=heard)
    events = heard.events
    assert events[:2] == [("start", 1), ("unit", 0, "Instance1.txt")]
    assert events[-1] == ("end", result.status, result.objective)
    found = [e[1] for e in events if e[0] == "solution"]
    bounds = [e[1] for e in events if e[0] == "bound"]
    assert len(found) >= 2 and found == sorted(found, reverse=True) and len(set(found)) == len(found)
    assert found[-1] == result.objective
    assert bounds == sorted(bounds) and bounds[-1] == result.bound


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (lambda t: t[: t.index("SECTION_COVER")], "SECTION_COVER section"),
        (lambda t: t[: t.index("3,N,1,100,1")], "7 x 2"),
        (lambda t: t[: t.index("3,N,1,100,1") + 4], "line 39"),
        (lambda t: t.replace("A,D=7|N=2", "A,D=7|X=2"), "MaxShifts"),
        (lambda t: t.replace("N,600,D", "N,six hundred,D"), "Length in mins"),
        (lambda t: t.replace("A,4,D,3", "Z,4,D,3"), "EmployeeID"),
        (lambda t: t.replace("B,5,6", "B,5,7"), "DayIndexes"),
        (lambda t: t.replace("\n7\n", "\n9\n"), "whole number of weeks"),
        (lambda t: t.replace("SECTION_DAYS_OFF", "SECTION_HOLIDAYS"), "a known section"),
    ],
)
def test_bad_files_are_named_errors(tmp_path: Path, change, expected: str) -> None:
    """A truncated or garbled file: exit 2, the problem named, nothing written."""
    bad = tmp_path / "bad.txt"
    bad.write_text(change(TINY.read_text(encoding="utf-8")), encoding="utf-8")
    with pytest.raises(InputError, match=None) as caught:
        read_instance(bad)
    assert expected in str(caught.value)
    done = allocate("nrp", str(bad), "--out", str(tmp_path / "out"))
    assert done.returncode == 2
    assert "bad.txt" in done.stderr
    assert not (tmp_path / "out").exists()


def test_best_known_values_from_the_readme_table(tmp_path: Path) -> None:
    """The benchmark script reads the smaller of the README's two 'best' columns per instance."""
    readme = tmp_path / "README.md"
    readme.write_text(
        "| Inst | days | weeks | staff | shift types | days-off | on+off req | A: LB | A: best | B: LB | B: best | s |\n"
        "|---|---|---|---|---|---|---|---|---|---|---|---|\n"
        "| 1 | 14 | 2 | 8 | 1 | 8 | 26 | 607 | 607 | 607 | 607 | optimal |\n"
        "| 15 | 42 | 6 | 45 | 6 | 180 | 490 | 3829 | 3831 | 3828 | 3828 | open |\n",
        encoding="utf-8",
    )
    assert best_known(readme) == {1: 607, 15: 3828}


def test_benchmark_seeds_are_judged_by_their_median_and_worst_run() -> None:
    """Several seeds of one instance in a line: medians and the worst gap over the runs the
    evaluator passed; a run that broke a rule is counted out, not ranked."""
    assert numbers(["0-2", "5"]) == [0, 1, 2, 5]
    assert numbers(["1-3,7"]) == [1, 2, 3, 7]
    with pytest.raises(SystemExit, match="not a number"):
        numbers(["x"])
    runs = [
        {"instance": "Instance13", "objective": 1384, "gap %": 2.67, "check": "ok"},
        {"instance": "Instance13", "objective": 1519, "gap %": 12.69, "check": "ok"},
        {"instance": "Instance13", "objective": 1495, "gap %": 10.91, "check": "ok"},
        {"instance": "Instance13", "objective": 1300, "gap %": -3.56, "check": "2 hard-rule violation(s): x"},
    ]
    assert over_seeds(runs) == (
        "Instance13 over 4 seeds: 3 checked ok, median objective 1495, median gap 10.91 %, worst 12.69 %"
    )
    failed = {"instance": "Instance9", "check": "no roster (exit 1)"}
    assert over_seeds([failed, failed]) == "Instance9 over 2 seeds: 0 checked ok"


# A lawful roster that is over on day 4 (A and B both on D) and short on N on days 3 and 4.
OVER_ROSTER = [(0, 0, "N"), (0, 4, "D"), (0, 5, "D"), (0, 6, "D"), (1, 3, "D"), (1, 4, "D")]


def test_a_model_over_any_days_keeps_every_other_day_of_the_roster() -> None:
    """Everybody free on days 1 and 3 only, not a window: the optimum keeps the roster's other
    days, fills the hole of day 1, and is lawful with the evaluator's objective."""
    inst = read_instance(TINY)
    m = NrpModel(inst, None, set(OVER_ROSTER), days={1, 3})
    solver = cp_model.CpSolver()
    assert solver.solve(m.model) == cp_model.OPTIMAL
    got = m.assigned(solver)
    assert {k for k in got if k[1] not in (1, 3)} == {k for k in OVER_ROSTER if k[1] not in (1, 3)}
    check = evaluate(inst, sorted(got))
    assert check.ok and check.objective == round(solver.objective_value)
    assert check.objective < evaluate(inst, OVER_ROSTER).objective


def test_a_model_over_allowed_cells_has_a_variable_for_those_and_the_roster_s_only() -> None:
    """Free on every day, but allowed only the day-0 night and day 1's shifts: the model's cells
    are those and the roster's, its optimum keeps within them, lawful, scored exactly."""
    inst = read_instance(TINY)
    allowed = {(1, 0, "N"), (0, 1, "D"), (1, 1, "D"), (0, 1, "N")}
    m = NrpModel(inst, None, set(OVER_ROSTER), allowed=allowed)
    assert set(m.work) == set(NrpModel(inst).work) & (allowed | set(OVER_ROSTER))
    solver = cp_model.CpSolver()
    assert solver.solve(m.model) == cp_model.OPTIMAL
    got = m.assigned(solver)
    check = evaluate(inst, sorted(got))
    assert got <= allowed | set(OVER_ROSTER) and check.ok and check.objective == round(solver.objective_value)


@pytest.mark.parametrize("people", [[], [0], [1], [0, 1]])
def test_a_neighbourhood_model_scores_the_whole_roster(people: list[int]) -> None:
    """A sub-model of some people, every day fixed, has the whole roster's objective exactly."""
    inst = read_instance(TINY)
    expected = evaluate(inst, OVER_ROSTER)
    assert expected.ok and expected.parts  # over, short and a broken request all count
    m = NrpModel(inst, people, set(OVER_ROSTER), window=(0, 0))
    solver = cp_model.CpSolver()
    assert solver.solve(m.model) == cp_model.OPTIMAL
    assert round(solver.objective_value) == expected.objective
    assert m.assigned(solver) == {key for key in OVER_ROSTER if key[0] in people}


def test_first_roster_and_search_reach_the_hand_checked_optimum() -> None:
    """The person-by-person roster is lawful and scored exactly; the search from it reaches 203."""
    inst = read_instance(TINY)
    status, roster, objective = lns.construct(inst, time.perf_counter() + 10, 0, {})
    check = evaluate(inst, sorted(roster))
    assert status == "FEASIBLE" and check.ok and check.objective == objective
    best = lns.Incumbent(roster, objective, bound=TINY_OPTIMUM)  # the search stops on reaching it
    lns.improve(inst, best, time.perf_counter() + 20, 0, {}, threading.Event())
    check = evaluate(inst, sorted(best.roster))
    assert check.ok and check.objective == best.objective == TINY_OPTIMUM


def test_an_incumbent_adopts_a_neighbour_of_itself_or_a_better_one_and_tells_only_gains() -> None:
    """A neighbour no worse than the roster it came from is taken while that roster is still the
    incumbent (a tie walks the plateau, told to nobody); once another thread moved the
    incumbent, only a better one is, and its value is told."""
    heard = _Heard()
    start, tie, moved, better = (frozenset({(0, d, "D")}) for d in range(4))
    best = lns.Incumbent(start, 300, bound=200, callbacks=heard)
    assert best.adopt(start, tie, 300) and best.roster is tie and heard.events == []
    assert best.offer(moved, 250)  # another thread's better roster
    assert not best.adopt(tie, better, 250) and best.roster is moved
    assert best.adopt(tie, better, 240) and (best.roster, best.objective) == (better, 240)
    assert [e for e in heard.events if e[1] == 240] == [("solution", 240, 200)]


def test_sweep_solves_windows_of_everybody_widening_after_a_sweep_without_gain() -> None:
    """From the hand-checked optimum nothing is gained: the windows of four days slide over the
    week (overlapping by half) and, the sweep done, the next is a day wider. From a poorer
    lawful roster the sweep reaches the optimum, every roster lawful and scored exactly."""
    inst = read_instance(TINY)
    best = lns.Incumbent(frozenset(TINY_ROSTER), TINY_OPTIMUM)
    sweep = Sweep(inst, best, 0, {})
    windows = []
    for _ in range(3):
        windows.append(sweep.window)
        sweep.step(5.0)
    assert windows == [(0, 4), (2, 6), (4, 7)]
    assert sweep.window == (0, 5) and best.roster == frozenset(TINY_ROSTER)
    poorer = lns.Incumbent(frozenset(OVER_ROSTER), evaluate(inst, OVER_ROSTER).objective, bound=TINY_OPTIMUM)
    steps = Sweep(inst, poorer, 0, {}).run(time.perf_counter() + 20, threading.Event())
    check = evaluate(inst, sorted(poorer.roster))
    assert steps > 0 and check.ok and check.objective == poorer.objective == TINY_OPTIMUM


def test_a_sweep_over_an_lp_s_cells_adds_only_the_roster_s_short_rows_and_starts_wider() -> None:
    """Given cells (as an LP's), a window may work those on its days and every cell of a cover
    row the roster leaves short (the over roster: D on days 0-2, N on days 3 and 4), nothing
    else; its windows start six days wide. From that roster, over the optimum's cells, the
    sweep reaches the optimum, lawful and scored exactly."""
    inst = read_instance(TINY)
    poorer = lns.Incumbent(frozenset(OVER_ROSTER), evaluate(inst, OVER_ROSTER).objective, bound=TINY_OPTIMUM)
    sweep = Sweep(inst, poorer, 0, {}, cells=frozenset(TINY_ROSTER))
    assert sweep.window == (0, 6) and Sweep(inst, poorer, 0, {}).window == (0, 4)
    assert sweep.allowed(poorer.roster, [3, 4]) == {
        (0, 4, "D"),
        (1, 3, "D"),
        (0, 3, "N"),
        (1, 3, "N"),
        (0, 4, "N"),
        (1, 4, "N"),
    }
    assert Sweep(inst, poorer, 0, {}).allowed(poorer.roster, [3, 4]) is None
    steps = sweep.run(time.perf_counter() + 20, threading.Event())
    check = evaluate(inst, sorted(poorer.roster))
    assert steps > 0 and check.ok and check.objective == poorer.objective == TINY_OPTIMUM


def test_an_aimed_sweep_first_solves_each_window_holding_a_weekday_hole_once() -> None:
    """The optimum's holes are on days 3 and 4, weekdays: the aim offers every window of four
    days holding one of them, once while the roster stays (a new roster starts again), and a
    sweep's steps solve those before its sliding windows move; its second sweep, sharing the
    aim, then has none left. Holes on the weekend (days 5 and 6) add no window."""
    inst = read_instance(TINY)
    best = lns.Incumbent(frozenset(TINY_ROSTER), TINY_OPTIMUM)
    holding = [frozenset(range(a, a + 4)) for a in (3, 2, 1, 0)] + [None]
    aim = Aim(inst)
    assert [aim.next(best.roster, 4) for _ in holding] == holding
    weekend_short = best.roster - {(0, 5, "D"), (0, 6, "D")}
    assert [aim.next(weekend_short, 4) for _ in holding] == holding
    shared = Aim(inst)
    stepping = Sweep(inst, best, 0, {}, aim=shared)
    for _ in range(4):
        stepping.step(5.0)
    assert (stepping.steps, stepping.window) == (4, (0, 4))
    stepping.step(5.0)
    assert stepping.window == (2, 6) and best.roster == frozenset(TINY_ROSTER)
    assert shared.next(best.roster, 4) is None


def test_the_aim_then_takes_two_weekends_while_the_roster_has_more_holes_than_its_target() -> None:
    """Instance 1 with nobody working is short every day. The aim offers each window of four days
    holding a weekday hole once, then, with more holes than its target, the two weekends with
    the Monday after the first (the second ends the horizon); at its target, or with none, not."""
    inst = read_instance(INSTANCE1)
    best = lns.Incumbent(frozenset(), lns.score(inst, frozenset()))
    holes = sum(c.required for c in inst.cover)
    weekend = {d for days in inst.weekends for d in days}
    short = {c.day for c in inst.cover if c.required and c.day not in weekend}
    windows = {frozenset(range(a, a + 4)) for a in range(inst.days - 3)}
    holding = {w for w in windows if w & short}
    for target, pair in ((holes - 1, [frozenset({5, 6, 7, 12, 13})]), (holes, []), (None, [])):
        aim = Aim(inst, target)
        aimed = list(iter(lambda aim=aim: aim.next(best.roster, 4), None))
        assert set(aimed[: len(holding)]) == holding and aimed[len(holding) :] == pair


def test_the_aim_solves_each_window_once_for_a_roster_s_holes_and_the_pairs_tried_least_first() -> None:
    """Instance 6 (four weekends: six pairs) with nobody working, its Monday's first cover row
    needing nobody. Past its weekday windows, the aim offers the pair with the most holes; a
    roster with the same holes (somebody on that row) goes on to the next pair, not the windows
    again; one with a hole fewer starts again, windows first, then the pairs never tried."""
    plain = read_instance(INSTANCE6)
    idle = plain.cover[0]
    assert idle.day == 0
    inst = dataclasses.replace(plain, cover=[dataclasses.replace(idle, required=0), *plain.cover[1:]])
    aim = Aim(inst, 0)

    def first_pair(roster: frozenset) -> frozenset[int] | None:
        while (days := aim.next(roster, 4)) is not None and days not in aim.pairs:
            pass
        return days

    empty: frozenset = frozenset()
    most = first_pair(empty)
    short = {c.day: c.required for c in inst.cover}
    assert most is not None and sum(short[d] for d in most) == max(
        sum(short[d] for d in p) for p in aim.pairs
    )
    same_holes = frozenset({(0, 0, idle.shift_id)})
    second = aim.next(same_holes, 4)
    assert second in aim.pairs and second != most
    fewer = frozenset({(0, 1, next(c.shift_id for c in inst.cover if c.day == 1 and c.required))})
    assert aim.next(fewer, 4) not in aim.pairs  # the weekday windows again
    assert first_pair(fewer) not in (most, second)


def test_a_sweep_gives_two_weekends_more_work_than_a_window(monkeypatch: pytest.MonkeyPatch) -> None:
    """Instance 1 with nobody working: the windows of four days, aimed at its weekday holes and
    then sliding, get `SWEEP_WORK` within `SWEEP_LIMIT`; the two weekends, aimed while its holes
    are past the target, `PAIR_WORK` within `PAIR_LIMIT`."""
    inst = read_instance(INSTANCE1)
    best = lns.Incumbent(frozenset(), lns.score(inst, frozenset()))
    given: list[tuple[float, float, frozenset | None]] = []  # each window's limit, work, days

    def recording(*args: object) -> lns.Replanned:
        limit, work, days = args[4], args[7], args[9]
        assert isinstance(limit, float) and isinstance(work, float)
        given.append((limit, work, frozenset(days) if days else None))
        return lns.Replanned(cp_model.UNKNOWN)

    monkeypatch.setattr(sweep_module, "replan", recording)
    aim = Aim(inst, 0)
    sweep = Sweep(inst, best, 0, {}, aim=aim)
    while not given or given[-1][2] is not None:
        sweep.step(100.0)
    pairs = [(limit, work) for limit, work, days in given if days in aim.pairs]
    others = {(limit, work) for limit, work, days in given if days not in aim.pairs}
    assert pairs == [(sweep_module.PAIR_LIMIT, sweep_module.PAIR_WORK)]
    assert others == {(sweep_module.SWEEP_LIMIT, sweep_module.SWEEP_WORK)} and len(given) > 2


def test_sweep_keeps_instance_1_lawful_and_scored_exactly() -> None:
    """Instance 1 from a lawful roster person by person: a second of windows improves it, and
    the incumbent stays lawful with the evaluator's objective."""
    inst = read_instance(INSTANCE1)
    _, roster = lns.lawful(inst, time.perf_counter() + 10, 0, {}, 1)
    assert roster is not None
    before = evaluate(inst, sorted(roster)).objective
    best = lns.Incumbent(roster, before)
    steps = Sweep(inst, best, 0, {}).run(time.perf_counter() + 1.0, threading.Event())
    check = evaluate(inst, sorted(best.roster))
    assert steps > 0 and check.ok and check.objective == best.objective < before


def test_the_guided_copy_weighs_weekend_holes_more_and_only_those() -> None:
    """tiny.txt's weekend is days 5 and 6: only their cover rows weigh `FACTOR` times more short,
    nothing else changes; a horizon without a weekend day has nothing to guide."""
    inst = read_instance(TINY)
    guided = guide.weighted(inst)
    assert guided is not None and len(guided.cover) == len(inst.cover) == 14
    for plain, heavy in zip(inst.cover, guided.cover, strict=True):
        assert heavy.under == plain.under * (guide.FACTOR if plain.day in (5, 6) else 1)
        assert (heavy.day, heavy.shift_id, heavy.required, heavy.over) == (
            plain.day,
            plain.shift_id,
            plain.required,
            plain.over,
        )
    assert guided.on_requests == inst.on_requests and guided.staff == inst.staff
    assert guide.weighted(dataclasses.replace(inst, days=5)) is None


def test_a_shadow_offers_what_it_takes_to_the_real_incumbent_at_its_exact_objective() -> None:
    """The guided search's incumbent is scored on the weighted copy; a roster it takes reaches
    the real incumbent at the benchmark's objective (told to its callbacks), and one it refuses
    reaches nobody; the real incumbent's proof is the shadow's."""
    inst = read_instance(TINY)
    guided = guide.weighted(inst)
    assert guided is not None
    heard = _Heard()
    truth = lns.Incumbent(frozenset(OVER_ROSTER), lns.score(inst, OVER_ROSTER), callbacks=heard)
    shadow = guide.Shadow.of(truth, inst, guided)
    worse = frozenset(TINY_ROSTER[:2])  # its weekend uncovered: it weighs more on the copy
    assert shadow.objective == lns.score(guided, OVER_ROSTER)
    assert lns.score(guided, worse) > lns.score(inst, worse) > truth.objective
    assert not shadow.offer(worse, lns.score(guided, worse)) and truth.roster == frozenset(OVER_ROSTER)
    assert shadow.offer(frozenset(TINY_ROSTER), lns.score(guided, TINY_ROSTER))
    assert (truth.roster, truth.objective) == (frozenset(TINY_ROSTER), TINY_OPTIMUM)
    assert heard.events == [("solution", TINY_OPTIMUM, 0.0)]
    assert not shadow.proven
    truth.raise_bound(TINY_OPTIMUM)  # the truth proven: the guided search has nothing left to do
    assert shadow.proven and shadow.bound is None


def test_a_shadow_with_a_target_is_done_once_its_roster_has_no_more_holes_than_it() -> None:
    """Given the LP's holes, the guided search is done once its roster has no more: the rest of
    the time goes to the instance's own weights. The real incumbent is not proven by it."""
    inst = read_instance(TINY)
    guided = guide.weighted(inst)
    assert guided is not None
    worse = frozenset(TINY_ROSTER[:2])
    truth = lns.Incumbent(worse, lns.score(inst, worse))
    assert holes(inst, worse) > holes(inst, TINY_ROSTER) == 2  # N short on days 3 and 4
    shadow = guide.Shadow.of(truth, inst, guided, target=2)
    untargeted = guide.Shadow.of(truth, inst, guided)
    assert not shadow.proven and not untargeted.proven
    assert shadow.offer(frozenset(TINY_ROSTER), lns.score(guided, TINY_ROSTER))
    assert shadow.proven and not truth.proven and truth.roster == frozenset(TINY_ROSTER)
    assert guide.Shadow.of(truth, inst, guided, target=2).proven  # from the truth's roster
    assert not guide.Shadow.of(truth, inst, guided, target=1).proven
    assert not guide.Shadow.of(truth, inst, guided).proven


def test_the_lp_start_is_each_persons_largest_column_and_raises_the_bound() -> None:
    """From a poor lawful roster of Instance 1, the column generation solves its LP, raises the
    incumbent's bound to it, and the start it gives is each person's LP column of largest share,
    lawful, offered to the incumbent (which takes it, being better)."""
    inst = read_instance(INSTANCE1)
    roster = frozenset(lns.lawful(inst, time.perf_counter() + 10, 0, {}, 2)[1] or ())
    best = lns.Incumbent(roster, lns.score(inst, roster))
    columns = ColumnGeneration(inst, roster)
    start = guide.lp_start(columns, best, time.perf_counter() + 30, 2, 0, {})
    assert columns.converged and columns.bound == INSTANCE1_LP and best.bound == INSTANCE1_LP
    assert start is not None and evaluate(inst, sorted(start)).ok
    for e in range(len(inst.staff)):
        assert frozenset(key for key in start if key[0] == e) in columns.columns[e]
    assert lns.score(inst, start) < lns.score(inst, roster)
    assert (best.roster, best.objective) == (start, lns.score(inst, start))


def test_a_start_at_the_lps_bound_proves_the_incumbent_and_ends_the_solve(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """tiny.txt taken for a large instance: its LP is whole (203, the optimum), so the start is
    the optimal roster, offered and proven, and the solve returns it without searching."""
    monkeypatch.setattr(solve_module, "FULL_MAX_VARIABLES", 0)
    result = solve_instance(read_instance(TINY), time_limit=30, workers=2, seed=0)
    assert result.status == "OPTIMAL" and result.objective == result.bound == TINY_OPTIMUM
    assert result.converged and result.neighbourhoods == 0 and result.seconds < 15


@pytest.mark.parametrize("path", [TINY, INSTANCE1])
def test_the_priced_start_is_each_persons_cheapest_lawful_roster_at_a_price_on_every_shift(
    path: Path,
) -> None:
    """Every shift worked earns `PRICE_SHARE` of its row's under weight: each person's roster in
    the start is lawful and worth exactly the least that the one-person CP-SAT model proves at
    those prices (so the person works as much as the rules let, the requests met where they
    can be); the same start every time."""
    inst = read_instance(path)
    start = guide.priced_start(inst, 2, 0, {})
    assert start is not None and evaluate(inst, sorted(start)).ok
    assert start == guide.priced_start(inst, 1, 0, {})
    prices = {(c.day, c.shift_id): round(guide.PRICE_SHARE * c.under * SCALE) for c in inst.cover}
    for e in range(len(inst.staff)):
        pricer = Pricer(inst, e)
        keys = [key for key in start if key[0] == e]
        least = pricer.by_cp_sat(prices, 10.0, 0, {}, ())
        assert least.exact
        assert SCALE * pricer.cost(keys) - sum(prices[d, s] for (_, d, s) in keys) == least.bound


def test_no_priced_start_when_somebody_has_no_lawful_roster() -> None:
    """B must work 5 shifts in days 0-4 but at most 4 in a row: nothing to start from."""
    text = TINY.read_text(encoding="utf-8").replace("B,D=7|N=0,2400,960", "B,D=7|N=0,2400,2400")
    assert guide.priced_start(parse_instance(text, "no-b"), 2, 0, {}) is None


def test_the_lp_start_is_left_when_its_generation_would_not_fit_the_time() -> None:
    """Instance 13's size (60,480 shift variables) at 0.5 ms each, 30 s: within 65 % of a minute
    (the benchmark's) on two workers, not on one, nor within 65 % of 45 s; the quick
    generation's, at 0.4 ms each (24 s), within 65 % of 40 s but not of 36 s."""
    assert guide.lp_fits(60_480, 60, 2)
    assert not guide.lp_fits(60_480, 60, 1)
    assert not guide.lp_fits(60_480, 45, 2)
    assert guide.lp_fits(60_480, 40, 2, quick=True)
    assert not guide.lp_fits(60_480, 36, 2, quick=True)
    assert not guide.lp_fits(60_480, 40, 1, quick=True)


def test_a_generation_stopped_short_gives_no_start() -> None:
    """A column generation given no time is not nearly solved: the search starts from the
    incumbent, and nothing is offered to it."""
    inst = read_instance(INSTANCE1)
    roster = frozenset(lns.lawful(inst, time.perf_counter() + 10, 0, {}, 2)[1] or ())
    best = lns.Incumbent(roster, lns.score(inst, roster))
    columns = ColumnGeneration(inst, roster)
    start = guide.lp_start(columns, best, time.perf_counter(), 2, 0, {})
    assert start is None and not columns.nearly_solved and best.roster == roster


def test_a_generation_that_would_not_keep_its_pace_stops_after_its_window(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Expected to need a million rounds within a minute, the generation stops as soon as it has
    twice `WINDOW` rounds to judge its pace by (a window of 2 here: Instance 1 converges in 9);
    expected to need one, it goes on to the LP's optimum."""
    monkeypatch.setattr(columns_module, "WINDOW", 2)
    inst = read_instance(INSTANCE1)
    roster = frozenset(lns.lawful(inst, time.perf_counter() + 10, 0, {}, 2)[1] or ())
    slow = ColumnGeneration(inst, roster)
    slow.run(time.perf_counter() + 60, 2, 0, {}, pace=1_000_000)
    assert slow.rounds == 4 and not slow.converged
    paced = ColumnGeneration(inst, roster)
    paced.run(time.perf_counter() + 60, 2, 0, {}, pace=1)
    assert paced.converged and paced.rounds > 4 and paced.bound == INSTANCE1_LP


def _record_shadows(
    monkeypatch: pytest.MonkeyPatch,
) -> list[tuple[guide.Shadow, frozenset | None, Instance]]:
    """Each shadow the solve makes, with the start and the weighted copy it was given."""
    shadows: list[tuple[guide.Shadow, frozenset | None, Instance]] = []
    of = guide.Shadow.of

    def recording(
        truth: lns.Incumbent,
        instance: Instance,
        guided: Instance,
        start: frozenset | None = None,
        target: int | None = None,
    ) -> guide.Shadow:
        shadows.append((of(truth, instance, guided, start, target), start, guided))
        return shadows[-1][0]

    monkeypatch.setattr(guide.Shadow, "of", staticmethod(recording))
    return shadows


@pytest.mark.parametrize("start", ["lp", "quick", "priced"])
def test_a_large_instance_searches_guided_first_and_reports_the_exact_objective(
    monkeypatch: pytest.MonkeyPatch, start: str
) -> None:
    """Instance 1 taken for a large one (the walk and the sweep, as on instance 13): the guided
    search runs first, from its LP's solution where the time allows the column generation (the
    quick one where only that fits; the LP's bound then reported), else from the priced start;
    every roster told and the result are lawful rosters at the benchmark's objective, ever better."""
    shadows = _record_shadows(monkeypatch)
    aims: list[tuple[Instance, int | None]] = []  # each search's aim: its instance, its target holes

    class Recorded(Aim):
        def __init__(self, instance: Instance, target: int | None = None) -> None:
            super().__init__(instance, target)
            aims.append((instance, target))

    monkeypatch.setattr(solve_module, "Aim", Recorded)
    monkeypatch.setattr(solve_module, "FULL_MAX_VARIABLES", 0)
    if start == "priced":
        monkeypatch.setattr(guide, "LP_SHARE", 0.0)
    if start == "quick":
        monkeypatch.setattr(guide, "LP_SECONDS", 1_000.0)
    generations: list[bool] = []
    lp_start = guide.lp_start

    def recording(columns: ColumnGeneration, *args: object) -> frozenset | None:
        generations.append(columns.quick)
        return lp_start(columns, *args)

    monkeypatch.setattr(guide, "lp_start", recording)
    lp = start != "priced"
    inst = read_instance(INSTANCE1)
    heard = _Heard()
    result = solve_instance(inst, time_limit=6, workers=2, seed=0, callbacks=heard)
    assert generations == ([start == "quick"] if lp else [])
    assert len(shadows) == 1
    shadow, begin, guided = shadows[0]
    assert shadow.truth is not None and shadow.instance is inst and begin is not None
    assert guided == guide.weighted(inst, guide.FACTOR if lp else guide.PRICED_FACTOR)
    if lp:
        assert result.converged and result.pricing_rounds > 0 and result.bound == INSTANCE1_LP
        # both searches aimed at the LP's holes, the guided one done there (see guide.Shadow)
        assert shadow.target is not None and aims == [(guided, shadow.target), (inst, shadow.target)]
    else:
        assert begin == guide.priced_start(inst, 2, 0, {}) and result.pricing_rounds == 0
        assert aims == [(guided, None), (inst, None)] and shadow.target is None
    check = evaluate(inst, sorted(result.assignments))
    found = [e[1] for e in heard.events if e[0] == "solution"]
    if not lp:  # the priced start is the first roster too
        assert found[0] == lns.score(inst, begin)
    assert check.ok and check.objective == result.objective == found[-1]
    assert found == sorted(found, reverse=True) and len(set(found)) == len(found)


@pytest.mark.parametrize("stalled", [False, True])
def test_a_generation_stopped_short_hands_the_guided_search_the_priced_start_unless_its_lp_stalled(
    monkeypatch: pytest.MonkeyPatch, stalled: bool
) -> None:
    """Instance 1 taken for a large one, its generation expected to need a million rounds: it
    stops off pace after twice its window (2 here). With its LP still falling (`STALL` 0: no
    fall is small enough) the guided search starts from the priced start and aims at no holes;
    stalled (`STALL` 1: any fall is), from the LP's solution (each person's column of largest
    share, as `largest` gives it), both searches aimed at that solution's holes. The result is
    lawful at the benchmark's objective. Without the warm-up: after it, Instance 1's generation
    converges in two rounds."""
    shadows = _record_shadows(monkeypatch)
    aims: list[int | None] = []
    largest: list[frozenset | None] = []

    class Recorded(Aim):
        def __init__(self, instance: Instance, target: int | None = None) -> None:
            super().__init__(instance, target)
            aims.append(target)

    class Generation(ColumnGeneration):
        def largest(self) -> frozenset | None:
            largest.append(super().largest())
            return largest[-1]

    monkeypatch.setattr(solve_module, "Aim", Recorded)
    monkeypatch.setattr(solve_module, "ColumnGeneration", Generation)
    monkeypatch.setattr(columns_module, "WARM_ROUNDS", 0)
    monkeypatch.setattr(solve_module, "FULL_MAX_VARIABLES", 0)
    monkeypatch.setattr(columns_module, "WINDOW", 2)
    monkeypatch.setattr(columns_module, "STALL", 1.0 if stalled else 0.0)
    monkeypatch.setattr(guide, "LP_ROUNDS", 1_000_000)
    inst = read_instance(INSTANCE1)
    result = solve_instance(inst, time_limit=6, workers=2, seed=0)
    assert result.pricing_rounds == 4 and not result.converged
    if stalled:
        assert len(largest) == 1 and largest[0] is not None
        assert [start for _, start, _ in shadows] == largest
        assert aims[0] is not None and aims == [aims[0]] * 2 and shadows[0][0].target == aims[0]
    else:
        assert largest == [] and aims == [None, None]
        assert [start for _, start, _ in shadows] == [guide.priced_start(inst, 2, 0, {})]
    check = evaluate(inst, sorted(result.assignments))
    assert check.ok and check.objective == result.objective


def test_an_lp_falls_less_than_a_share_over_its_window_only_once_it_has_one() -> None:
    """`falls_less` judges the last `WINDOW` rounds (one value more), the fall against the last
    value: 1 % of 1,000 is 10, so a fall of 9 is less and a fall of 10 is not; too few values,
    never."""
    flat = [1_000.0] * WINDOW
    assert not falls_less(flat, 0.01)  # WINDOW values: no window yet
    assert falls_less([1_009.0, *flat], 0.01)
    assert not falls_less([1_010.0, *flat], 0.01)
    assert falls_less([5_000.0, 1_009.0, *flat], 0.01)  # only the last window counts
    assert not falls_less([1_000.0, *flat], 0.0)  # no fall is less than none


def test_lawful_roster_person_by_person() -> None:
    """Each person's lawful roster found alone, in parallel, makes a lawful roster."""
    inst = read_instance(TINY)
    status, roster = lns.lawful(inst, time.perf_counter() + 10, 0, {}, 2)
    assert status == "FEASIBLE" and roster is not None and evaluate(inst, sorted(roster)).ok


def test_a_person_without_any_lawful_roster_makes_the_instance_infeasible() -> None:
    """B must work 5 shifts (2400 min) in days 0-4 but at most 4 in a row: no roster at all."""
    text = TINY.read_text(encoding="utf-8").replace("B,D=7|N=0,2400,960", "B,D=7|N=0,2400,2400")
    inst = parse_instance(text, "no-b")
    assert lns.lawful(inst, time.perf_counter() + 10, 0, {}, 2) == ("INFEASIBLE", None)
    assert solve_instance(inst, time_limit=10).status == "INFEASIBLE"


@pytest.mark.parametrize("path", [TINY, INSTANCE1])
def test_dynamic_programme_gives_each_person_a_lawful_roster(path: Path) -> None:
    """Each person's roster from the dynamic programme breaks no hard rule (independent evaluator)."""
    inst = read_instance(path)
    roster = set()
    for e in range(len(inst.staff)):
        keys = person_roster(inst, e, lns.greedy_costs(inst, e, {}))
        assert keys is not None and all(k[0] == e for k in keys)
        roster |= keys
    assert evaluate(inst, sorted(roster)).ok


def test_dynamic_programme_keeps_a_binding_shift_maximum() -> None:
    """A shift type priced far below the others is still worked at most its maximum (A: 2 N)."""
    inst = parse_instance(TINY.read_text(encoding="utf-8").replace("N,600,D", "N,600,"), "no-ban")
    keys = person_roster(inst, 0, lambda d, s: -1000.0 if s == "N" else 0.0)
    assert keys is not None
    keys |= person_roster(inst, 1) or set()
    assert evaluate(inst, sorted(keys)).ok
    assert sum(s == "N" for (e, _, s) in keys if e == 0) == 2


def test_dynamic_programme_says_none_when_no_roster_exists() -> None:
    """B must work 2400 minutes in days 0-4 but at most 4 in a row: no roster, None (not a bad one)."""
    text = TINY.read_text(encoding="utf-8").replace("B,D=7|N=0,2400,960", "B,D=7|N=0,2400,2400")
    assert person_roster(parse_instance(text, "no-b"), 1) is None


def _random_prices(inst: Instance, rng: random.Random) -> dict[tuple[int, str], int]:
    """Prices on the cover: high, mixed-sign or none, as the master's duals swing."""
    high = rng.random() < 0.5
    return {
        (c.day, c.shift_id): rng.randint(-1000, 100_000) if high else rng.randint(-50_000, 50_000)
        for c in inst.cover
    }


@pytest.mark.parametrize("path", [TINY, INSTANCE1])
def test_pricing_programme_agrees_with_cp_sat(path: Path) -> None:
    """On random prices, the dynamic programme's least reduced cost is CP-SAT's proven optimum,
    and its roster is lawful and worth exactly that."""
    inst = read_instance(path)
    rng = random.Random(7)
    for e in range(len(inst.staff)):
        pricer = Pricer(inst, e)
        assert pricer.programme.ready
        for _ in range(6):
            prices = _random_prices(inst, rng)
            fast = pricer.price(prices, 10.0)
            slow = pricer.by_cp_sat(prices, 10.0, 0, {}, ())
            assert fast.exact and slow.exact and fast.bound == slow.bound
            keys = fast.found[-1]
            assert fast.bound == SCALE * pricer.cost(keys) - sum(prices.get((d, s), 0) for (_, d, s) in keys)
            others = {k for k in TINY_ROSTER if k[0] != e} if path == TINY else set()
            assert path != TINY or evaluate(inst, sorted(others | keys)).ok


def test_pricing_works_the_cells_a_dive_forced_and_values_them_without_the_bonus() -> None:
    """Cells forced on a person (a dive's, from one of their lawful rosters): the programme's and
    CP-SAT's least rosters both work them, at one value: the roster's own, with no `FORCE` bonus
    left in it, and no less than the least roster's without them."""
    inst = read_instance(INSTANCE1)
    _, roster, _ = lns.construct(inst, time.perf_counter() + 10, 0, {})
    rng = random.Random(3)
    bent = 0
    for e in range(len(inst.staff)):
        pricer = Pricer(inst, e)
        prices = _random_prices(inst, rng)
        free = pricer.price(prices, 10.0)
        forcing = [key for key in sorted(roster) if key[0] == e and key not in free.found[-1]][:3]
        pricer.forced = frozenset((d, s) for (_, d, s) in forcing)
        fast = pricer.price(prices, 10.0)
        slow = pricer.by_cp_sat(prices, 10.0, 0, {}, ())
        keys = fast.found[-1]
        assert set(forcing) <= keys and set(forcing) <= slow.found[-1]
        assert fast.exact and slow.exact and free.bound is not None
        assert fast.bound == slow.bound >= free.bound
        assert fast.bound == SCALE * pricer.cost(keys) - sum(prices.get((d, s), 0) for (_, d, s) in keys)
        bent += fast.bound > free.bound
    assert bent  # the forcing changed some person's least roster


def test_pricing_programme_counts_binding_maxima_as_cp_sat_does() -> None:
    """The compiled forward pass over every resource at once (weekends worked, minutes, and a
    counted maximum: instance 6's person A capped at 8 E of the 16 shifts or more A works)
    against CP-SAT's proven optimum on random prices; the roster keeps the maximum."""
    text = INSTANCE6.read_text().replace("A,E=28|D=28|L=0,", "A,E=8|D=28|L=0,")
    inst = parse_instance(text, str(INSTANCE6))
    pricer = Pricer(inst, 0)
    programme = pricer.programme
    assert [programme.shifts[i].shift_id for i in programme.counted] == ["E"]
    assert programme.weekend and not programme.relaxed
    rng = random.Random(11)
    for _ in range(8):
        prices = _random_prices(inst, rng)
        fast = pricer.price(prices, 10.0)
        slow = pricer.by_cp_sat(prices, 10.0, 0, {}, ())
        assert fast.exact and slow.exact and fast.bound == slow.bound
        assert Counter(s for (_, _, s) in fast.found[-1])["E"] <= 8


@pytest.mark.parametrize("path", [TINY, INSTANCE1, INSTANCE6])
def test_through_is_the_least_roster_working_each_cell(path: Path) -> None:
    """On random costs, `through` (a forward and a backward pass) is, for every day and shift,
    the least the programme's rosters working that cell cost: the cell forced into `cheapest`
    by a cost far below any other; infinite where no lawful roster works it."""
    inst = read_instance(path)
    rng = random.Random(5)
    far = 1e9
    infinite = 0
    for e in range(len(inst.staff)):
        programme = ExactProgramme(inst, e)
        cost = [[float(rng.randint(-3000, 2000)) for _ in programme.shifts] for _ in range(inst.days)]
        through = programme.through(cost)
        for d in range(inst.days):
            for i in range(len(programme.shifts)):
                forced = [row[:] for row in cost]
                forced[d][i] -= far
                least = programme.cheapest(forced)
                if least is None or least.value > -far / 2:
                    assert through[d, i] == float("inf")
                    infinite += 1
                else:
                    assert through[d, i] == least.value + far
    assert infinite > 0  # days off and unworkable types are among the cells


@pytest.mark.parametrize("path", [INSTANCE1, INSTANCE6])
def test_the_costs_are_each_cells_request_change_less_its_price_plus_surcharge_and_bend(path: Path) -> None:
    """Cell by cell, the pricer's cost table is ``SCALE *`` the request change of working it,
    less its price, plus its type's surcharge, plus `FORCE` where barred and less where forced:
    the table is built in arrays, once a pricing, and must stay the sum it stands for."""
    inst = read_instance(path)
    rng = random.Random(3)
    for e in range(len(inst.staff)):
        pricer = Pricer(inst, e)
        ids = [s.shift_id for s in pricer.programme.shifts]
        cells = [(d, s) for d in range(inst.days) for s in inst.shift_ids]
        pricer.forced = frozenset(rng.sample(cells, 3))
        pricer.barred = frozenset(rng.sample(cells, 3))
        prices = {(c.day, c.shift_id): rng.randint(-5_000, 9_000) for c in inst.cover}
        extra = {s: rng.randint(1, 500) for s in ids[:2]}
        table = pricer.costs(prices, extra)
        assert table.shape == (inst.days, len(ids))
        for d in range(inst.days):
            for i, s in enumerate(ids):
                change = SCALE * pricer.request.get((e, d, s), 0) - prices.get((d, s), 0)
                assert table[d][i] == change + extra.get(s, 0) + pricer.bend(d, s)
        assert any(pricer.bend(d, s) for d, s in pricer.forced | pricer.barred if s in ids)


def test_through_bounds_the_cells_of_a_relaxed_maximum_from_below(monkeypatch: pytest.MonkeyPatch) -> None:
    """Without room for A's count of N (at most 2), `through` is at most CP-SAT's least roster
    working each cell (the cell forced on), and below it somewhere (3 N are cheaper than 2)."""
    inst = read_instance(TINY)
    monkeypatch.setattr(ExactProgramme, "ELEMENTS", 3_000)
    pricer = Pricer(inst, 0)
    assert pricer.programme.relaxed == {"N": 2}
    prices = {(c.day, c.shift_id): 100_000 if c.shift_id == "N" else 0 for c in inst.cover}
    through = pricer.programme.through(pricer.costs(prices))
    below = 0
    for _, d, s in list(pricer.m.work):
        forced = Pricer(inst, 0)  # its one-person model, with the cell worked
        forced.m.model.add(forced.m.work[0, d, s][0] == 1)
        exact = forced.by_cp_sat(prices, 10.0, 0, {}, ())
        i = [shift.shift_id for shift in pricer.programme.shifts].index(s)
        assert exact.exact and exact.bound is not None
        assert through[d, i] + SCALE * pricer.fixed <= exact.bound
        below += through[d, i] + SCALE * pricer.fixed < exact.bound
    assert below > 0


@pytest.mark.slow
def test_lagrangian_core_holds_every_better_roster() -> None:
    """Instance 6 after column generation: the Lagrangian bound is the LP's, 1949. The cells
    that may hold a roster worth 1950 (excess at most 1) leave some out, and the whole model
    over them, capped at 1950, finds the optimum; capped at 1949, over the cells that may hold
    a roster worth that (excess 0), none."""
    inst = read_instance(INSTANCE6)
    _, roster, _ = lns.construct(inst, time.perf_counter() + 10, 0, {})
    columns = ColumnGeneration(inst, roster)
    columns.run(time.perf_counter() + 60, 2, 0, {})
    assert columns.converged
    core = lagrangian_core(columns, 2)
    assert core is not None and core.total == pytest.approx(SCALE * 1949, abs=SCALE / 100)
    assert core.room(1950) == pytest.approx(SCALE, abs=SCALE / 100)  # prices on the grid: a little off
    every = set(NrpModel(inst).work)
    assert set(core.excess) <= every and min(core.excess.values()) == 0
    assert core.better(1949) < core.better(1950) < every  # some cells fall out
    assert core.better(1950) == core.within(core.room(1950)) and core.within(-1) == set()
    for cap, found in ((1950, 1950), (1949, None)):
        best = lns.Incumbent(roster, lns.score(inst, roster))
        whole = Whole(inst, best, 2, 0, {}, core.better(cap), cap)
        whole.run(60)
        if found is None:
            assert whole.status == cp_model.INFEASIBLE
        else:
            assert whole.status == cp_model.OPTIMAL and best.objective == found


@pytest.mark.slow
def test_the_core_ladder_goes_to_the_proof_for_the_rest_of_the_time() -> None:
    """Cores of excess 0 then 0.25 points, each capped one below the incumbent; the first left
    unsolved sends the ladder to the cells that hold every better roster (excess up to the
    incumbent less 1 less the bound), with no time limit of its own, and then it stops."""
    excess = {(0, d, "D"): points for d, points in enumerate([0, 0, 250, 1_000, 4_000, 9_000])}
    core = Core(total=100 * SCALE, excess=excess)  # L = 100
    best = lns.Incumbent(frozenset(), 105)
    ladder = core_ladder(core, best, 60.0)
    first = next(ladder)
    assert (first.cells, first.cap, first.exact) == ({(0, 0, "D"), (0, 1, "D")}, 104, False)
    first.status = cp_model.INFEASIBLE  # solved: the next core
    second = next(ladder)
    assert len(second.cells) == 3 and not second.exact and second.seconds <= 0.25 * 60.0
    second.status = cp_model.UNKNOWN  # unsolved: the proof, over excess <= 4 points
    proof = next(ladder)
    assert proof.exact and proof.seconds == math.inf and proof.cap == 104
    assert proof.cells == {key for key, points in excess.items() if points <= 4_000}
    proof.status = cp_model.UNKNOWN
    assert next(ladder, None) is None


def test_the_lagrangian_core_proves_instance_6_optimal() -> None:
    """Instance 6: the search alone ended 2-4 above its optimum 1950 in a minute; over the
    Lagrangian core the whole model finds 1950 and, over the cells that hold every better
    roster, proves that there is none (6 s of the limit here; a loaded machine gets more)."""
    inst = read_instance(INSTANCE6)
    result = solve_instance(inst, time_limit=120, workers=2, seed=0)
    assert result.objective == 1950 and result.status == "OPTIMAL" and result.bound == 1950
    assert evaluate(inst, result.assignments).objective == 1950


def test_pricing_falls_back_to_cp_sat_when_a_relaxed_maximum_breaks(monkeypatch: pytest.MonkeyPatch) -> None:
    """Without room for A's count of N (at most 2), the programme relaxes it; at a high price on N
    its roster works 3 N, so CP-SAT prices A: exact, the same optimum as the full programme."""
    inst = read_instance(TINY)
    prices = {(c.day, c.shift_id): 100_000 if c.shift_id == "N" else 0 for c in inst.cover}
    full = Pricer(inst, 0).price(prices, 10.0)
    monkeypatch.setattr(ExactProgramme, "ELEMENTS", 3_000)
    pricer = Pricer(inst, 0)
    assert pricer.programme.ready and pricer.programme.relaxed == {"N": 2}
    relaxed = pricer.programme.cheapest([[0.0, -100_000.0]] * inst.days)
    assert relaxed is not None and not relaxed.exact
    priced = pricer.price(prices, 10.0)
    assert priced.exact and priced.bound == full.bound
    assert sum(s == "N" for (_, _, s) in priced.found[-1]) == 2


def test_line_keeps_a_relaxed_maximum_by_pricing_it_up(monkeypatch: pytest.MonkeyPatch) -> None:
    """Without room for A's count of N (at most 2), a high price on N makes the programme work 3
    N; the line prices N up until it keeps the maximum, without CP-SAT: lawful, and with
    `PENALTY_ROUNDS` runs its bisection reaches the surcharge that gives 2 N, the optimum (8 runs
    did not: below it 3 N, above none)."""
    inst = read_instance(TINY)
    prices = {(c.day, c.shift_id): 100_000 if c.shift_id == "N" else 0 for c in inst.cover}
    full = Pricer(inst, 0).price(prices, 10.0)
    monkeypatch.setattr(ExactProgramme, "ELEMENTS", 3_000)
    pricer = Pricer(inst, 0)
    assert pricer.programme.relaxed == {"N": 2}
    monkeypatch.setattr(Pricer, "by_cp_sat", lambda *args: pytest.fail("CP-SAT was asked"))
    keys = pricer.line(prices, (), 1.0)
    assert keys is not None and sum(s == "N" for (_, _, s) in keys) <= 2
    assert evaluate(inst, sorted(keys | {k for k in TINY_ROSTER if k[0] == 1})).ok
    assert full.bound is not None
    assert SCALE * pricer.cost(keys) - sum(prices[d, s] for (_, d, s) in keys) == full.bound


def test_surcharges_bound_a_relaxed_pricing_from_below(monkeypatch: pytest.MonkeyPatch) -> None:
    """Without room for A's count of N (at most 2): on random prices the surcharged programme's
    bound is at most CP-SAT's optimum, every roster it meets keeps the maximum and is worth at
    least that optimum, a proven one is worth it exactly (each pricing starting from the last's
    surcharges); and a pricing that need not be exact asks no CP-SAT (a high price on N: the
    programme alone breaks the maximum, and no surcharge gives the optimum's 2 N)."""
    inst = read_instance(TINY)
    monkeypatch.setattr(ExactProgramme, "ELEMENTS", 3_000)
    pricer = Pricer(inst, 0)
    assert pricer.programme.relaxed == {"N": 2}

    def value(keys: frozenset, prices: dict) -> int:
        return SCALE * pricer.cost(keys) - sum(prices.get((d, s), 0) for (_, d, s) in keys)

    rng = random.Random(3)
    cases = [{(c.day, c.shift_id): 100_000 if c.shift_id == "N" else 0 for c in inst.cover}]
    cases += [_random_prices(inst, rng) for _ in range(12)]
    proven = 0
    optima = [pricer.by_cp_sat(prices, 10.0, 0, {}, ()).bound for prices in cases]
    for prices, optimum in zip(cases, optima, strict=True):
        met = pricer.surcharged(prices)
        assert met is not None and optimum is not None and met.bound <= optimum
        assert met.found and all(sum(s == "N" for (_, _, s) in keys) <= 2 for keys in met.found)
        assert all(value(keys, prices) >= optimum for keys in met.found)
        assert met.found[-1] == min(met.found, key=lambda keys: value(keys, prices))
        if met.proven:
            proven += 1
            assert value(met.found[-1], prices) == optimum
    assert 0 < proven < len(cases)
    monkeypatch.setattr(Pricer, "by_cp_sat", lambda *args: pytest.fail("CP-SAT was asked"))
    quick = pricer.price(cases[0], 1.0, exact=False)
    assert not quick.exact and quick.found and quick.bound is not None and optima[0] is not None
    assert quick.bound <= optima[0] < value(quick.found[-1], cases[0])


def test_a_cutoff_ends_the_surcharges_at_the_first_lawful_roster_worth_less(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Without room for A's count of N (at most 2), on random prices: with a cutoff no roster
    reaches, the surcharging is as without one; with one every roster reaches, it ends at the
    first lawful roster met, in no more programme runs; an exact pricing ignores the cutoff."""
    inst = read_instance(TINY)
    monkeypatch.setattr(ExactProgramme, "ELEMENTS", 3_000)
    pricer = Pricer(inst, 0)
    assert pricer.programme.relaxed == {"N": 2}
    runs = []
    cheapest = pricer.programme.cheapest

    def counted(cost: list[list[float]]) -> object:
        runs.append(1)
        return cheapest(cost)

    monkeypatch.setattr(pricer.programme, "cheapest", counted)

    def surcharged(prices: dict, cutoff: int | None) -> tuple[object, int]:
        pricer.surcharge = dict.fromkeys(pricer.programme.relaxed, 0)  # each from no surcharge
        runs.clear()
        return pricer.surcharged(prices, cutoff), len(runs)

    rng = random.Random(4)
    cases = [{(c.day, c.shift_id): 100_000 if c.shift_id == "N" else 0 for c in inst.cover}]
    cases += [_random_prices(inst, rng) for _ in range(12)]
    shorter = 0
    for prices in cases:
        full, full_runs = surcharged(prices, None)
        assert full is not None
        assert surcharged(prices, -(10**12))[0] == full
        quick, quick_runs = surcharged(prices, 10**12)
        assert quick is not None and len(quick.found) == 1 and quick_runs <= full_runs
        assert sum(s == "N" for (_, _, s) in quick.found[0]) <= 2
        shorter += quick_runs < full_runs
        exact = []
        for cutoff in (10**12, None):  # the same programme runs, then the same proven optimum
            pricer.surcharge = dict.fromkeys(pricer.programme.relaxed, 0)
            runs.clear()
            exact.append((pricer.price(prices, 10.0, cutoff=cutoff), len(runs)))
        (cut, cut_runs), (plain, plain_runs) = exact
        assert cut_runs == plain_runs == full_runs and cut.exact and cut.bound == plain.bound
    assert shorter > 0


@pytest.mark.parametrize("path", [TINY, INSTANCE1])
def test_descent_tracks_the_objective_and_leaves_each_person_at_their_best(path: Path) -> None:
    """From a poor lawful roster, the descent's objective is the evaluator's, lower than at the
    start, and CP-SAT finds no better line for any one person with the others fixed."""
    inst = read_instance(path)
    if path == TINY:
        start = set(OVER_ROSTER)
    else:
        _, roster = lns.lawful(inst, time.perf_counter() + 10, 0, {}, 1)
        assert roster is not None
        start = set(roster)
    before = evaluate(inst, sorted(start)).objective
    lines = descent.Lines(inst, start, before)
    gained = lines.descend(random.Random(0), time.perf_counter() + 30)
    check = evaluate(inst, sorted(lines.roster))
    assert check.ok and check.objective == lines.objective == before - gained < before
    for e in range(len(inst.staff)):
        m = NrpModel(inst, [e], lines.roster)
        solver = cp_model.CpSolver()
        assert solver.solve(m.model) == cp_model.OPTIMAL
        assert round(solver.objective_value) == lines.objective


@pytest.mark.parametrize("path", [TINY, INSTANCE1])
def test_construct_by_the_programme_is_lawful_and_scored_exactly(path: Path) -> None:
    """The roster person by person from the empty one's objective: lawful, its objective the evaluator's."""
    inst = read_instance(path)
    lines = descent.construct(inst, lns.score(inst, frozenset()), 0, {})
    assert lines is not None
    check = evaluate(inst, sorted(lines.roster))
    assert check.ok and check.objective == lines.objective


def test_polish_descends_from_a_new_incumbent_once() -> None:
    """Between the search's steps, a poorer incumbent is descended and improved; the same one
    twice is not descended again (nothing to gain, the time is the search's)."""
    inst = read_instance(TINY)
    best = lns.Incumbent(frozenset(OVER_ROSTER), evaluate(inst, OVER_ROSTER).objective)
    polish = descent.Polish(inst, best, 0, {})
    polish(time.perf_counter() + 10)
    first = best.roster
    check = evaluate(inst, sorted(first))
    assert check.ok and check.objective == best.objective < evaluate(inst, OVER_ROSTER).objective
    polish.spent = 0.0
    polish.lines.settled.clear()  # a second descent would re-plan everybody: it must not start
    polish(time.perf_counter() + 10)
    assert not polish.lines.settled and best.roster is first


def test_walk_offers_lawful_rosters_scored_exactly_and_follows_a_better_incumbent() -> None:
    """Instance 1 from a lawful roster: the walk's rosters are lawful, the incumbent's objective
    is the evaluator's and lower than at the start; a better incumbent found elsewhere is taken up."""
    inst = read_instance(INSTANCE1)
    _, roster = lns.lawful(inst, time.perf_counter() + 10, 0, {}, 1)
    assert roster is not None
    before = evaluate(inst, sorted(roster)).objective
    best = lns.Incumbent(roster, before)
    walk = descent.Walk(inst, best, 0, {})
    moves = walk.run(time.perf_counter() + 1.0, threading.Event())
    check = evaluate(inst, sorted(best.roster))
    assert moves > 0 and check.ok and check.objective == best.objective < before
    poorer = lns.Incumbent(roster, before)
    walk = descent.Walk(inst, poorer, 0, {})
    poorer.roster, poorer.objective = best.roster, best.objective  # as another thread would
    walk.follow()
    assert walk.lines.roster == best.roster and walk.lines.objective == best.objective


def test_a_walk_with_a_stall_stops_once_the_incumbent_has_not_gained_for_that_long() -> None:
    """Tiny from its optimum, no bound known: nothing better to find, so a walk told to stop after
    0.3 s without a gain returns long before its deadline; without, it walks to the deadline."""
    inst = read_instance(TINY)
    assert evaluate(inst, TINY_ROSTER).objective == TINY_OPTIMUM
    best = lns.Incumbent(frozenset(TINY_ROSTER), TINY_OPTIMUM)
    begun = time.perf_counter()
    descent.Walk(inst, best, 0, {}).run(begun + 20.0, threading.Event(), stall=0.3)
    assert 0.3 <= time.perf_counter() - begun < 10.0
    begun = time.perf_counter()
    descent.Walk(inst, best, 0, {}).run(begun + 1.0, threading.Event())
    assert time.perf_counter() - begun >= 1.0 and best.objective == TINY_OPTIMUM


def test_column_generation_bound_is_the_lp_and_never_above_the_optimum() -> None:
    """Tiny: the generation converges to a bound of 203, its optimum."""
    inst = read_instance(TINY)
    _, roster = lns.lawful(inst, time.perf_counter() + 10, 0, {}, 1)
    assert roster is not None
    columns = ColumnGeneration(inst, roster)
    columns.run(time.perf_counter() + 30, 1, 0, {})
    assert columns.converged and columns.bound == TINY_OPTIMUM


def test_the_warm_up_pools_lawful_columns_and_the_generation_reaches_the_same_lp() -> None:
    """Instance 1: the warm-up adds each person's cheapest roster at zero prices (the requests
    alone) and more at the subgradient's later prices, every one lawful, the same ones every
    time; the generation from that pool converges to the LP's optimum, as without it."""
    inst = read_instance(INSTANCE1)
    _, roster, objective = lns.construct(inst, time.perf_counter() + 10, 0, {})
    assert objective is not None

    def warmed() -> ColumnGeneration:
        columns = ColumnGeneration(inst, roster)
        columns.warm_up(objective, time.perf_counter() + 30, 2)
        return columns

    columns = warmed()
    zero = dict.fromkeys(((c.day, c.shift_id) for c in inst.cover), 0)
    for e, pricer in enumerate(Pricer(inst, e) for e in range(len(inst.staff))):
        met = pricer.surcharged(zero)
        assert met is not None and met.found[-1] in columns.columns[e]
    assert sum(map(len, columns.columns)) > 2 * len(inst.staff)  # the prices moved on from zero
    for j in range(max(map(len, columns.columns))):
        mixed = set().union(*(cols[min(j, len(cols) - 1)] for cols in columns.columns))
        assert evaluate(inst, sorted(mixed)).ok
    assert warmed().columns == columns.columns
    columns.run(time.perf_counter() + 30, 2, 0, {})
    assert columns.converged and columns.bound == INSTANCE1_LP


def test_no_warm_up_past_its_deadline_or_without_the_programme(monkeypatch: pytest.MonkeyPatch) -> None:
    """A warm-up whose deadline has passed adds nothing; nor does one where the programme has
    no room for somebody (CP-SAT would price them: the time is the generation's)."""
    inst = read_instance(INSTANCE1)
    _, roster, objective = lns.construct(inst, time.perf_counter() + 10, 0, {})
    assert objective is not None
    late = ColumnGeneration(inst, roster)
    late.warm_up(objective, time.perf_counter() - 1, 2)
    assert all(len(cols) == 1 for cols in late.columns)
    monkeypatch.setattr(ExactProgramme, "ROOM", 0)
    monkeypatch.setattr(ExactProgramme, "ELEMENTS", 0)
    unready = ColumnGeneration(inst, roster)
    assert not all(p.programme.ready for p in unready.pricers)
    unready.warm_up(objective, time.perf_counter() + 30, 2)
    assert all(len(cols) == 1 for cols in unready.columns)


def test_a_quick_generation_converges_to_the_same_lp(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tiny with A's count of N relaxed (no room for it): the quick generation (its inexact
    pricings cut at the first improving column) converges to the same LP as the full one, whose
    bound is the optimum 203."""
    monkeypatch.setattr(ExactProgramme, "ELEMENTS", 3_000)
    inst = read_instance(TINY)
    _, roster = lns.lawful(inst, time.perf_counter() + 10, 0, {}, 1)
    assert roster is not None
    columns = ColumnGeneration(inst, roster, quick=True)
    columns.run(time.perf_counter() + 30, 1, 0, {})
    assert columns.quick and columns.converged and columns.bound == TINY_OPTIMUM
    assert Pricer(inst, 0).programme.relaxed == {"N": 2}
    full = ColumnGeneration(inst, roster)
    full.run(time.perf_counter() + 30, 1, 0, {})
    assert not full.quick and full.converged and full.bound == columns.bound


def test_nearly_solved_once_the_gap_is_within_near_gap(monkeypatch: pytest.MonkeyPatch) -> None:
    """Instance 1 after three rounds: not converged, its gap some share of its LP's value; nearly
    solved (a dive goes ahead) exactly when that share is within `NEAR_GAP`."""
    inst = read_instance(INSTANCE1)
    _, roster, _ = lns.construct(inst, time.perf_counter() + 10, 0, {})
    columns = ColumnGeneration(inst, roster)
    assert columns.gap() is None and not columns.nearly_solved  # no LP, no bound yet
    for _ in range(3):
        columns.round(time.perf_counter() + 30, 1, 0, {})
    gap = columns.gap()
    assert not columns.converged and gap is not None and gap > 0
    monkeypatch.setattr(columns_module, "NEAR_GAP", gap)
    assert columns.nearly_solved
    monkeypatch.setattr(columns_module, "NEAR_GAP", gap / 2)
    assert not columns.nearly_solved
    # not nearly solved, a dive still goes ahead while its bound is within `FAR` of its LP's value
    assert columns.bound and columns.lp_value
    below = 1 - columns.bound / columns.lp_value  # the bound's share below the LP's value
    monkeypatch.setattr(columns_module, "FAR", below + 0.01)
    assert not columns.far() and columns.divable
    monkeypatch.setattr(columns_module, "FAR", below - 0.01)
    assert columns.far() and not columns.divable
    columns.run(time.perf_counter() + 30, 1, 0, {})
    assert columns.converged and columns.nearly_solved and columns.gap() == pytest.approx(0, abs=1e-3)


def test_column_generation_on_instance_1(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Instance 1: the LP bound is 558 (<= the optimum 607); a dive's roster is lawful, of the same value by both evaluators."""
    inst = read_instance(INSTANCE1)
    _, roster, _ = lns.construct(inst, time.perf_counter() + 10, 0, {})
    columns = ColumnGeneration(inst, roster)
    columns.run(time.perf_counter() + 30, 1, 0, {})
    assert columns.converged and columns.bound == 558 and columns.lp_value == pytest.approx(558)
    # the root LP's cells once converged: those of its columns of positive share
    every = {key for cols in columns.columns for keys in cols for key in keys}
    assert columns.root and columns.root == columns.support() and columns.root <= every
    assert columns.whole_value  # 558: a roster capped at the bound is sought after a cut dive
    dived = columns.dive(time.perf_counter() + 30, 1, 0, {})
    assert dived is not None and evaluate(inst, sorted(dived[0])).objective == dived[1] >= 607
    assert not columns.fixed and columns.bound == 558  # the root's bound stays, the columns are freed
    assert columns.lp_value == pytest.approx(558)  # the root's, not the LP with the dive's fixings
    # a whole dive whose roster ends above `NEAR_RISE` of the root: the cells of its last LP within it
    cells = {key for cols in columns.columns for keys in cols for key in keys}
    assert not columns.cut and columns.near and columns.near <= cells and dived[1] > 1.01 * 558
    late = columns.dive(time.perf_counter() - 1, 1, 0, {})  # out of time: each person's largest share
    assert late is not None and evaluate(inst, sorted(late[0])).objective == late[1] >= 607
    assert columns.cut and columns.converged  # the root's LP stays solved
    # the cells of the LP's columns: each person's largest share among them
    assert late[0] <= columns.near <= {key for cols in columns.columns for keys in cols for key in keys}
    monkeypatch.setattr(columns_module, "NEAR_RISE", -0.5)  # an LP this far above the root's: no cells
    assert columns.dive(time.perf_counter() - 1, 1, 0, {}) is not None and not columns.near
    out = tmp_path / "roster.csv"
    with open(out, "w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows(
            [("employee", "day", "shift")]
            + [(inst.staff[e].employee_id, d, s) for e, d, s in sorted(dived[0])]
        )
    assert independent(INSTANCE1, out) == (dived[1], [])
    columns.lp_value = 558.5  # a fractional LP (instance 18's 4417.3): no capped model
    assert not columns.whole_value


def test_a_cell_dive_forces_its_lp_cells_and_frees_them_after(monkeypatch: pytest.MonkeyPatch) -> None:
    """Instance 1: forcing cells bars the person's columns without them; a dive by cells (each
    person's cells of LP share `cells` or more in their largest column) forces some, ends with a
    lawful roster working every cell it forced, and leaves the root's LP as it was."""
    inst = read_instance(INSTANCE1)
    _, roster, _ = lns.construct(inst, time.perf_counter() + 10, 0, {})
    columns = ColumnGeneration(inst, roster)
    columns.run(time.perf_counter() + 30, 1, 0, {})
    assert columns.converged and not columns.diving
    forcing = set(sorted(columns.columns[0][-1])[:3])
    columns.force(0, forcing)
    assert columns.diving and columns.pricers[0].forced == {(d, s) for (_, d, s) in forcing}
    barred = [lam.ub() == 0 for lam in columns.lams[0]]
    assert barred == [not forcing <= keys for keys in columns.columns[0]] and any(barred)
    columns.unfix()
    assert not columns.diving and not columns.pricers[0].forced
    assert all(lam.ub() > 1 for lams in columns.lams for lam in lams)
    forced: list[tuple[int, set]] = []
    real = ColumnGeneration.force

    def recording(self, e, cells):
        forced.append((e, set(cells)))
        real(self, e, cells)

    monkeypatch.setattr(ColumnGeneration, "force", recording)
    monkeypatch.setattr(columns_module, "DIVE_SETTLED", 0.0)  # no hand-over: the dive ends by itself
    dived = columns.dive(time.perf_counter() + 30, 1, 0, {}, cells=0.8)
    assert forced and dived is not None
    assert evaluate(inst, sorted(dived[0])).objective == dived[1] >= 607
    assert all(cells <= dived[0] for _, cells in forced)
    assert not columns.diving and not any(p.forced for p in columns.pricers)
    assert columns.lp_value == pytest.approx(558) and columns.bound == 558
    assert not columns.cut  # whole: every person has a column
    # settled at once (`DIVE_SETTLED`): handed over as if cut, the LP's cells near, whatever its value
    monkeypatch.setattr(columns_module, "DIVE_SETTLED", 1.0)
    handed = columns.dive(time.perf_counter() + 30, 1, 0, {}, cells=0.8)
    assert handed is not None and columns.cut and handed[0] <= columns.near
    assert evaluate(inst, sorted(handed[0])).objective == handed[1]


def test_a_cell_dive_hands_over_the_last_near_cells_and_steps_until_its_lp_is_back(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Instance 6: a dive by cells whose second step's LP ends 10 % above the root's and settles
    hands over the cells of the first step's LP, the last within `NEAR_RISE` of the root's (a
    clashing last forcing does not choose them). Each step after the first prices until its LP
    is back at the last step's value, no column improves, or `DIVE_ROUNDS` rounds, whichever
    comes first: a dive that runs to its end here stops a step on being back at least once."""
    inst = read_instance(INSTANCE6)
    _, roster, _ = lns.construct(inst, time.perf_counter() + 10, 0, {})
    columns = ColumnGeneration(inst, roster)
    columns.run(time.perf_counter() + 60, 1, 0, {})
    assert columns.converged and columns.lp_value is not None
    steps: list[list[tuple[float, bool, bool]]] = []  # each step's rounds: LP value, added, exact
    ends: list[tuple[float, dict]] = []  # each step's last LP value and cells
    forcings = [-1]
    real_round, real_cells = ColumnGeneration.round, ColumnGeneration.cell_values

    def round_(self, deadline, workers, seed, params):
        forced = sum(map(len, self.forced.values())) + len(self.fixed)
        if forced != forcings[0]:
            steps.append([])
            forcings[0] = forced
        added = real_round(self, deadline, workers, seed, params)
        steps[-1].append((self.value, added, self.exact))
        return added

    def cell_values(self):
        values = real_cells(self)
        ends.append((self.lp.Objective().Value(), values))
        return values

    monkeypatch.setattr(ColumnGeneration, "round", round_)
    monkeypatch.setattr(ColumnGeneration, "cell_values", cell_values)
    dived = columns.dive(time.perf_counter() + 60, 1, 0, {}, cells=columns_module.DIVE_CELLS)
    assert dived is not None and evaluate(inst, sorted(dived[0])).objective == dived[1]
    rise = (1 + columns_module.NEAR_RISE) * columns.lp_value
    assert columns.cut and len(ends) >= 2 and ends[-1][0] > rise  # settled; the last forcing clashed
    within = [cells for value, cells in ends if value <= rise]
    assert within and columns.near == set(within[-1]) != set(ends[-1][1])

    monkeypatch.setattr(columns_module, "DIVE_SETTLED", 0.0)  # no hand-over: the dive ends by itself
    steps.clear()
    ends.clear()
    forcings[0] = -1
    dived = columns.dive(time.perf_counter() + 60, 1, 0, {}, cells=columns_module.DIVE_CELLS)
    assert dived is not None and not columns.cut and len(steps) >= 3
    backs = 0
    for before, step in zip(ends[:-1], steps[1:], strict=True):
        assert all(exact for _, _, exact in step)  # no stop on a tail (`DIVE_TAIL`): proven pricing
        stops = [
            i
            for i, (value, added, _) in enumerate(step)
            if value <= before[0] or not added or i + 1 == columns_module.DIVE_ROUNDS
        ]
        assert len(step) == stops[0] + 1
        backs += step[-1][1] and step[-1][0] <= before[0]  # back, though columns still improved
    assert backs


def test_a_cell_dives_first_step_prices_at_most_dive_first_rounds(monkeypatch: pytest.MonkeyPatch) -> None:
    """Instance 6 from a generation stopped after three rounds (its columns still improve): the
    first step of a dive by cells, which forces nothing yet, prices `DIVE_FIRST_ROUNDS` rounds,
    not `DIVE_ROUNDS`: it would only go on with the root's generation."""
    inst = read_instance(INSTANCE6)
    _, roster, _ = lns.construct(inst, time.perf_counter() + 10, 0, {})
    columns = ColumnGeneration(inst, roster)
    for _ in range(3):
        assert columns.round(time.perf_counter() + 60, 1, 0, {})  # improving columns each round
    firsts: list[bool] = []  # each round of the dive: whether nothing was forced yet
    real_round = ColumnGeneration.round

    def round_(self, deadline, workers, seed, params):
        firsts.append(not self.diving)
        return real_round(self, deadline, workers, seed, params)

    monkeypatch.setattr(ColumnGeneration, "round", round_)
    monkeypatch.setattr(columns_module, "DIVE_FIRST_ROUNDS", 2)
    monkeypatch.setattr(columns_module, "DIVE_ROUNDS", 10)
    dived = columns.dive(time.perf_counter() + 60, 1, 0, {}, cells=columns_module.DIVE_CELLS)
    assert dived is not None and evaluate(inst, sorted(dived[0])).objective == dived[1]
    assert firsts[:3] == [True, True, False]  # two rounds, then the first forcing


@pytest.mark.parametrize("warm", [False, True])
def test_a_long_horizon_is_warmed_up_and_dived_from_by_cells_unless_solved(
    monkeypatch: pytest.MonkeyPatch, warm: bool
) -> None:
    """Past `WARM_DAYS` the generation is warmed up, and a generation stopped short dives by
    cells even within `NEAR_GAP` (instance 19's LP, too mixed for a dive by people); within the
    days, by people as before. Instance 1 (14 days) with `WARM_DAYS` below or above its horizon,
    its generation made to look stopped short (`converged` cleared after it runs)."""
    warmed: list[bool] = []
    by_cells: list[float | None] = []
    real_warm, real_run, real_dive = ColumnGeneration.warm_up, ColumnGeneration.run, ColumnGeneration.dive

    def warm_up(self, ceiling, deadline, workers):
        warmed.append(True)
        real_warm(self, ceiling, deadline, workers)

    def run(self, *args, **kwargs):
        real_run(self, *args, **kwargs)
        assert self.nearly_solved
        self.converged = False

    def dive(self, deadline, workers, seed, params, most=columns_module.DIVE_MOST, cells=None):
        by_cells.append(cells)
        return real_dive(self, deadline, workers, seed, params, most, cells)

    monkeypatch.setattr(ColumnGeneration, "warm_up", warm_up)
    monkeypatch.setattr(ColumnGeneration, "run", run)
    monkeypatch.setattr(ColumnGeneration, "dive", dive)
    monkeypatch.setattr(solve_module, "WARM_DAYS", 13 if warm else 14)
    inst = read_instance(INSTANCE1)
    _, roster, objective = lns.construct(inst, time.perf_counter() + 10, 0, {})
    assert objective is not None
    best = lns.Incumbent(roster, objective, 0.0)
    columns_and_dives(inst, best, time.perf_counter(), 20, 1, 0, {})
    assert warmed == ([True] if warm else [])
    assert by_cells[0] == (columns_module.DIVE_CELLS if warm else None)
    assert evaluate(inst, sorted(best.roster)).objective == best.objective


def test_a_dive_far_above_the_root_is_made_again_one_person_at_a_time(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Instance 1: the first dive (people fixed together) ends at 608, more than `REDIVE_RISE`
    above the root's LP of 558; the second fixes one person at a time and ends at the optimum."""
    dives: list[tuple[float, int | None]] = []
    by_cells: list[float | None] = []  # each dive's `cells` (None: by people)
    real = ColumnGeneration.dive

    def recording(self, deadline, workers, seed, params, most=columns_module.DIVE_MOST, cells=None):
        found = real(self, deadline, workers, seed, params, most, cells)
        dives.append((most, found and found[1]))
        by_cells.append(cells)
        return found

    monkeypatch.setattr(ColumnGeneration, "dive", recording)
    result = solve_instance(read_instance(INSTANCE1), time_limit=20, workers=1, seed=0)
    assert dives == [(columns_module.DIVE_MOST, 608), (1.0, 607)]
    assert (1 + columns_module.REDIVE_RISE) * 558 < 608
    assert result.objective == 607 and result.status == "OPTIMAL"
    # past `REDIVE_SHARE` of the time, no second dive (instance 18's started after half the
    # time and returned at once, cut, 8,706)
    dives.clear()
    monkeypatch.setattr(solve_module, "REDIVE_SHARE", 0.0)
    solve_instance(read_instance(INSTANCE1), time_limit=20, workers=1, seed=0)
    assert dives == [(columns_module.DIVE_MOST, 608)]
    # both dives by people: the generation was solved. Stopped short of it, the first is by
    # people still where the time left holds `PEOPLE_ROUNDS` of its rounds a person, else by cells
    assert by_cells == [None, None, None]
    monkeypatch.setattr(ColumnGeneration, "nearly_solved", property(lambda self: False))
    by_cells.clear()
    solve_instance(read_instance(INSTANCE1), time_limit=20, workers=1, seed=0)
    assert by_cells[0] is None
    monkeypatch.setattr(columns_module, "PEOPLE_ROUNDS", 10**6)
    by_cells.clear()
    solve_instance(read_instance(INSTANCE1), time_limit=20, workers=1, seed=0)
    assert by_cells[0] == columns_module.DIVE_CELLS


def test_past_quick_days_the_first_roster_is_the_programmes(monkeypatch: pytest.MonkeyPatch) -> None:
    """A horizon past `QUICK_DAYS` (instances 18, 19): the first roster comes from the exact
    programme, person by person, not CP-SAT's (seconds there), and the solve goes on from it."""
    made: list[int] = []
    real = descent.construct

    def construct(instance, empty, seed, params):
        lines = real(instance, empty, seed, params)
        made.append(lines.objective)
        return lines

    def cp_sat(*args, **kwargs):
        raise AssertionError("CP-SAT's first roster")

    monkeypatch.setattr(descent, "construct", construct)
    monkeypatch.setattr(lns, "construct", cp_sat)
    monkeypatch.setattr(solve_module, "QUICK_DAYS", 13)  # instance 1 has 14 days
    result = solve_instance(read_instance(INSTANCE1), time_limit=20, workers=1, seed=0)
    assert len(made) == 1 and made[0] > 607
    assert result.objective == 607 and result.status == "OPTIMAL"
    monkeypatch.setattr(solve_module, "QUICK_DAYS", 14)
    with pytest.raises(AssertionError, match="CP-SAT's first roster"):
        solve_instance(read_instance(INSTANCE1), time_limit=20, workers=1, seed=0)


def test_a_bound_raised_while_diving_reaches_the_incumbent(monkeypatch: pytest.MonkeyPatch) -> None:
    """A dive's first round prices before anybody is fixed, so it may raise the generation's
    bound (instance 17 cut short: 5,736, then its optimum 5,746): the incumbent gets it."""
    inst = read_instance(INSTANCE1)
    real = ColumnGeneration.dive

    def dive(self, deadline, workers, seed, params, most=columns_module.DIVE_MOST, cells=None):
        found = real(self, deadline, workers, seed, params, most, cells)
        self.bound = 600  # as that first round would (the root's LP is 558)
        return found

    monkeypatch.setattr(ColumnGeneration, "dive", dive)
    _, roster, objective = lns.construct(inst, time.perf_counter() + 10, 0, {})
    assert objective is not None
    best = lns.Incumbent(roster, objective, 0.0)
    columns = columns_and_dives(inst, best, time.perf_counter(), 20, 1, 0, {})
    assert columns.bound == 600 and best.bound == 600


def test_a_generation_nearly_solved_tails_off_when_its_gap_stops_halving() -> None:
    """Instance 15's gaps past 1 % of its LP (3,842), round by round: 10.6 points falling by a
    fifth in five rounds has tailed off; falling by half or more (17's), or above the target,
    or fewer than `WINDOW` rounds judged, it goes on."""
    tail = [(0.4 * r, gap) for r, gap in enumerate([40.9, 40.0, 39.4, 38.8, 37.9, 33.0])]
    assert len(tail) == WINDOW + 1
    assert gap_stalls(tail, 38.4)
    assert not gap_stalls(tail, 30.0)  # not yet near: gap_closes judges it
    assert not gap_stalls(tail[1:], 38.4)  # five rounds: too few to judge
    halving = [(0.4 * r, gap) for r, gap in enumerate([84.0, 60.0, 41.6, 30.0, 20.0, 11.6])]
    assert not gap_stalls(halving, 57.5)


def test_generation_goes_on_while_its_gap_closes_in_time() -> None:
    """Instance 17's gaps (LP less the Lagrangian value) by round: past its checkpoint a
    generation whose gap falls fast goes on even at a slow pace; a stalled one (14's) stops."""
    falling = [(0.6 * r, gap) for r, gap in enumerate([12261, 12000, 10500, 9232, 8000, 6900])]
    assert len(falling) == WINDOW + 1
    # 5361 in 3 s: 6840 left to a target of 60 in about 3.8 s
    assert gap_closes(falling, 60, 4.0)
    assert not gap_closes(falling, 60, 3.0)
    stalled = [(0.4 * r, gap) for r, gap in enumerate([130, 129, 127, 126, 125, 124])]
    assert not gap_closes(stalled, 13, 8.0)
    assert not gap_closes([*falling[:-1], (3.0, 12261)], 60, 60.0)  # no fall: no convergence in view
    assert gap_closes(falling[:1], 60, 0.0)  # a single round: nothing to judge
    assert not gap_closes(falling[:4], 60, 3.0)  # fewer rounds are judged: 3029 in 1.8 s, 9172 left
    assert gap_closes([*falling[:-1], (3.0, 60)], 60, 0.0)  # near enough


@pytest.mark.parametrize("barred", [set(), {(0, 0, "N")}])
def test_whole_model_over_some_cells_keeps_to_them_and_reports_no_bound(barred: set) -> None:
    """Over the optimum's cells, the restricted model finds the optimum; without one of them it
    cannot, and its own optimum is no bound on the instance's (none is reported)."""
    inst = read_instance(TINY)
    best = lns.Incumbent(frozenset(), 10**9)
    cells = set(TINY_ROSTER) - barred
    near = Whole(inst, best, 1, 0, {}, cells)
    near.run(10)
    assert near.status == cp_model.OPTIMAL and best.bound is None and best.roster <= cells
    assert evaluate(inst, sorted(best.roster)).objective == best.objective
    assert (best.objective == TINY_OPTIMUM) == (not barred)


@pytest.mark.parametrize("cap", [TINY_OPTIMUM, TINY_OPTIMUM - 1])
def test_whole_model_capped_finds_a_roster_at_the_cap_or_none(cap: int) -> None:
    """Capped at the optimum, the restricted model finds it; capped below, it has no roster and
    the incumbent stays as it was."""
    inst = read_instance(TINY)
    best = lns.Incumbent(frozenset(), 10**9)
    capped = Whole(inst, best, 1, 0, {}, set(TINY_ROSTER), cap)
    capped.run(10)
    if cap == TINY_OPTIMUM:
        assert capped.status == cp_model.OPTIMAL and best.objective == TINY_OPTIMUM
    else:
        assert capped.status == cp_model.INFEASIBLE and best.objective == 10**9 and not best.roster


def test_cli_proves_instance_1_optimal(tmp_path: Path) -> None:
    """`allocate nrp Instance1.txt` prints 607 and the bound 607; the independent evaluator agrees."""
    out = tmp_path / "out"
    done = allocate("nrp", str(INSTANCE1), "--time-limit", "30", "--out", str(out))
    assert done.returncode == 0, done.stderr
    assert (
        "status: OPTIMAL" in done.stdout and "objective: 607" in done.stdout and "bound: 607" in done.stdout
    )
    assert independent(INSTANCE1, out / "roster.csv") == (607, [])


def test_counting_bound_by_hand() -> None:
    """tiny.txt: N is required on days 0, 3 and 4, and only A may work N, at most 2: one N short
    whatever the roster (100); D and the horizon's counts leave nothing. 100 <= the optimum 203."""
    assert cover_bound(read_instance(TINY)) == 100


def test_counting_bound_of_a_cover_below_the_minimum_minutes() -> None:
    """Nobody required on days 1-6: A must work 3 shifts (1440 minutes, 600 at most each) and B
    2, against 2 required (day 0): 3 shifts over, at 1 each."""
    text = re.sub(r"^([1-6],[DN]),1,", r"\1,0,", TINY.read_text(encoding="utf-8"), flags=re.M)
    inst = parse_instance(text, "quiet")
    assert sum(c.required for c in inst.cover) == 2
    assert cover_bound(inst) == 3


def test_counting_bound_is_below_the_best_known() -> None:
    """Instance 1 (optimum 607): every count is a lower bound."""
    assert 0 <= cover_bound(read_instance(DATA / "Instance1.txt")) <= 607


def _instance1_generation() -> tuple[Instance, ColumnGeneration, lns.Incumbent]:
    """Instance 1's generation run to its LP's optimum from the constructed roster."""
    inst = read_instance(INSTANCE1)
    _, roster, objective = lns.construct(inst, time.perf_counter() + 10, 0, {})
    columns = ColumnGeneration(inst, roster)
    columns.run(time.perf_counter() + 20, 1, 0, {})
    assert columns.converged and round(columns.lp_value) == INSTANCE1_LP
    return inst, columns, lns.Incumbent(roster, objective)


def test_the_scarce_shift_is_the_one_type_the_lp_leaves_short(monkeypatch: pytest.MonkeyPatch) -> None:
    """Instance 1's LP leaves only D short (550 of its 558): D is scarce; with the share needed
    above all of it, none is."""
    inst, columns, _ = _instance1_generation()
    assert columns.prices() is not None
    root = columns.cell_values()
    assert pattern.scarce_shift(inst, root) == "D"
    monkeypatch.setattr(pattern, "SCARCE", 1.01)
    assert pattern.scarce_shift(inst, root) is None


def test_restricted_cells_are_worked_or_never_worked_until_lifted() -> None:
    """A node of the pattern search: the cells forced on a person are in each of their columns the
    LP uses, those barred in none, and new columns keep to it; `unfix` lifts it all."""
    inst, columns, _ = _instance1_generation()
    day_shifts = [(d, "D") for d in range(inst.days) if (0, d) not in inst.days_off]
    worked = {k for k, share in columns.cell_values().items() if k[0] == 0 and share > 0.5}
    forced = next((0, d, s) for d, s in day_shifts if (0, d, s) not in worked)
    barred = {min(worked)}
    assert columns.restrict({0: {forced}}, {0: barred})
    while columns.round(time.perf_counter() + 10, 1, 0, {}):
        pass
    assert columns.prices() is not None and columns.diving
    shares = columns.cell_values()
    assert shares[forced] == pytest.approx(1.0) and not barred & set(shares)
    assert all(forced in keys and not keys & barred for keys in columns.columns[0][-1:])
    # a person who may work no day at all has no lawful roster: the node has no LP
    assert not columns.restrict({}, {0: {(0, d, s) for d, s in day_shifts}})
    columns.unfix()
    assert not columns.diving and not columns.pricers[0].forced and not columns.pricers[0].barred
    assert all(lam.ub() > 1 for lam in columns.lams[0])


def test_a_restriction_sets_again_only_whom_it_changes_and_agrees_with_one_set_from_scratch() -> None:
    """`restrict` re-bounds only the people whose restriction changed. Walked through a tree's
    nodes (a cell forced or barred at a time, then lifted), every column's bounds and every
    pricer's cells are those its restriction allows, as if set from scratch. A restriction that
    fails on one person leaves the next one's unchecked: the one after must still serve them
    (a column priced for them), though their own restriction did not change."""
    inst, columns, _ = _instance1_generation()
    cells = [(e, d, "D") for e in (0, 1, 2) for d in range(inst.days) if (e, d) not in inst.days_off]
    rng = random.Random(3)
    forced: dict[int, set[Key]] = {}
    barred: dict[int, set[Key]] = {}
    solved = 0
    for _ in range(12):
        key = rng.choice(cells)
        side, other = (forced, barred) if rng.random() < 0.5 else (barred, forced)
        if key in other.get(key[0], set()):
            other[key[0]].discard(key)
        else:
            side.setdefault(key[0], set()).add(key)
        if not columns.restrict(forced, barred):
            continue
        solved += 1
        for e, (pricer, lams) in enumerate(zip(columns.pricers, columns.lams, strict=True)):
            assert pricer.forced == {(d, s) for _, d, s in forced.get(e, ())}
            assert pricer.barred == {(d, s) for _, d, s in barred.get(e, ())}
            for keys, lam in zip(columns.columns[e], lams, strict=True):
                assert lam.ub() == (math.inf if columns.allows(e, keys) else 0)
    assert solved >= 6
    columns.unfix()
    # cells of person 1 that no column of theirs works together, but some lawful roster does
    mine = [k for k in cells if k[0] == 1]
    need = next(
        set(pair)
        for pair in itertools.combinations(mine, 2)
        if not any(set(pair) <= keys for keys in columns.columns[1])
        and columns.twin().restrict({1: set(pair)}, {})
    )
    nobody = {k for k in cells if k[0] == 0}
    assert not columns.restrict({1: need}, {0: nobody})  # person 0 has no roster, and fails first
    assert not any(columns.allows(1, keys) for keys in columns.columns[1])
    assert columns.restrict({1: need}, {})  # 1's restriction is unchanged, but served now
    assert any(columns.allows(1, keys) for keys in columns.columns[1])
    assert columns.prices() is not None


@pytest.mark.parametrize("workers", [1, 2])
def test_the_pattern_search_reaches_the_optimum_with_lawful_rosters(
    monkeypatch: pytest.MonkeyPatch, workers: int
) -> None:
    """Instance 1 from its constructed roster: the search over who works D finds the optimum,
    and every roster it offers keeps the rules (the independent evaluator's count); on two
    workers too, a second search beside the first over a copy of the columns. Every search's
    LPs are solved without GLOP's presolve, and the columns' own get it back at the end."""
    presolves: list[tuple[int, bool]] = []
    presolve = ColumnGeneration.presolve

    def recording(self: ColumnGeneration, on: bool) -> None:
        presolves.append((id(self), on))
        presolve(self, on)

    monkeypatch.setattr(ColumnGeneration, "presolve", recording)
    inst, columns, best = _instance1_generation()
    start = best.objective
    best.raise_bound(607)  # so it stops there
    offered: list[tuple[frozenset, int]] = []
    real = best.offer

    def recording(roster, objective):
        offered.append((roster, objective))
        return real(roster, objective)

    best.offer = recording  # type: ignore[method-assign]
    search = pattern.PatternSearch(columns, best, "D", workers, 0, {})
    assert columns.prices() is not None
    search.run(time.perf_counter() + 10, columns.cell_values())
    assert start > 607 and best.objective == 607 and search.nodes > 0
    assert offered and not columns.diving  # every restriction lifted
    assert [on for _, on in presolves] == [False] * workers + [True]  # each search's, then back
    assert presolves[0][0] == presolves[-1][0] == id(columns)
    assert len({lp for lp, _ in presolves}) == workers  # the twin's own columns
    for roster, objective in offered:
        checked = evaluate(inst, sorted(roster))
        assert not checked.violations and checked.objective == objective


def test_a_nodes_lagrangian_bound_holds_its_rosters_and_leaves_the_roots_alone() -> None:
    """Under a restriction (a cell forced on person 0, one barred), each round gives the node's
    Lagrangian bound: never above its LP's value once solved (every roster that keeps the
    restriction is worth at least the LP's), while the root's bound stays the root's; lifted,
    the rounds give none."""
    inst, columns, _ = _instance1_generation()
    worked = {k for k, share in columns.cell_values().items() if k[0] == 0 and share > 0.5}
    forced = next(
        (0, d, "D") for d in range(inst.days) if (0, d) not in inst.days_off and (0, d, "D") not in worked
    )
    assert columns.restrict({0: {forced}}, {0: {min(worked)}}) and columns.node_bound is None
    bounds = []
    while columns.round(time.perf_counter() + 10, 1, 0, {}):
        bounds.append(columns.node_bound)
    bounds.append(columns.node_bound)
    assert columns.prices() is not None and None not in bounds
    assert max(b for b in bounds if b is not None) <= math.ceil(columns.value - 1e-6)
    assert columns.bound == INSTANCE1_LP  # the root's, untouched by the node's rounds
    columns.unfix()
    columns.round(time.perf_counter() + 10, 1, 0, {})
    assert columns.node_bound is None


def test_the_pattern_search_prunes_a_node_once_its_bound_reaches_the_incumbent(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """From Instance 1's optimum (607; its bound left at the LP's, so not proven), no node holds
    a better roster: each is pruned, some as soon as a round's Lagrangian bound reaches 607,
    with columns still coming (their LP not solved to the end), and nothing is offered."""
    inst, columns, _ = _instance1_generation()
    optimum = solve_instance(inst, time_limit=30, workers=2, seed=0)
    assert optimum.objective == 607
    best = lns.Incumbent(frozenset(optimum.assignments), 607, INSTANCE1_LP)
    nodes: list[list[tuple[bool, int | None]]] = []  # each node's rounds: columns added, its bound
    real_round, real_restrict = columns.round, columns.restrict

    def restricting(*args: object) -> bool:
        nodes.append([])
        return real_restrict(*args)

    def recording(*args: object) -> bool:
        more = real_round(*args)
        nodes[-1].append((more, columns.node_bound))
        return more

    monkeypatch.setattr(columns, "restrict", restricting)
    monkeypatch.setattr(columns, "round", recording)
    search = pattern.PatternSearch(columns, best, "D", 1, 0, {})
    assert columns.prices() is not None
    search.run(time.perf_counter() + 3, columns.cell_values())
    assert search.nodes > 0 and best.objective == 607
    reached = [[bound is not None and bound >= 607 for _, bound in rounds] for rounds in nodes]
    assert all(True not in hit[:-1] for hit in reached)  # pruned at the first round that reached it
    assert any(
        rounds and rounds[-1][0] and hit[-1] for rounds, hit in zip(nodes, reached, strict=True)
    )  # early


def test_a_neighbourhood_draws_the_people_whose_shifts_neighbour_those_drawn() -> None:
    """`related`: distinct people, all of them when asked for more; a person whose days of the
    shift touch the drawn ones' (on the day or the next) is drawn with them more often than one
    whose days are far: from 0 (days 0-1), 1 (days 1-2: two days near) before 3 (days 2-3: one)
    before 2 (days 20-21: none)."""
    worked = {0: {0, 1}, 1: {1, 2}, 2: {20, 21}, 3: {2, 3}}
    rng = random.Random(0)
    assert pattern.related(worked, 9, rng) == {0, 1, 2, 3}
    assert pattern.related({}, 3, rng) == set()
    pairs: Counter[frozenset[int]] = Counter()
    for _ in range(3000):
        drawn = pattern.related(worked, 2, rng)
        assert len(drawn) == 2 and drawn <= set(worked)
        pairs[frozenset(drawn)] += 1
    assert pairs[frozenset({0, 1})] > pairs[frozenset({0, 3})] > pairs[frozenset({0, 2})]


def test_a_twin_generation_has_the_same_columns_and_lp_but_its_own_master() -> None:
    """`ColumnGeneration.twin`: every column and the root LP's value again; a restriction on
    the twin leaves the original's LP as it was (a second search's, on another thread)."""
    _, columns, _ = _instance1_generation()
    twin = columns.twin()
    assert twin.columns == columns.columns and twin.lp_value == columns.lp_value
    assert twin.prices() is not None and twin.value == pytest.approx(columns.lp_value)
    worked = {k for k, share in columns.cell_values().items() if k[0] == 0 and share > 0.5}
    assert twin.restrict({}, {0: {min(worked)}})
    assert twin.prices() is not None and twin.diving and not columns.diving
    assert columns.prices() is not None and columns.value == pytest.approx(columns.lp_value)
