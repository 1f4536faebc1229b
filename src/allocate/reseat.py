"""Re-seating people with the crews kept: a large neighbourhood search for the soft goals of a
station with a real shortage.

Step 1 (coverage alone) leaves the soft goals wherever its search put them: at the generated
city's shortage stations its settled roster costs 6,000-12,000, nine tenths of it overtime (88-136
hours at 50 each), while the people on the week could staff the same crews at a few hundred.
CP-SAT's own rounds of the whole objective from that roster improved it by less than 1 % at 24 of
25 stations: with one worker CP-SAT has no neighbourhood search, and its LP-guided dive with the
crews kept reaches the soft goals' least at some stations but finds nothing at all at the others
(a lottery by seed: 12 of 48 dives of 0.6 deterministic seconds at 8 stations).

A move here keeps what step 1 decided (which crews are staffed, with which pattern) and everyone's
lines of work but a few people's: up to `GIVERS` with a cost of their own (overtime first, who
should give shifts away; then fairness deviations and unmet requests) and `TAKERS` with room to
take shifts (the fewest minutes worked). CP-SAT re-seats those people alone, from the roster so
far: a small model, so a move costs a few hundredths of a deterministic second (and ~0.1 s of CPU,
mostly loading the model). With overtime alone freed, city seed 1, 8 shortage stations, 0.15 det
each: soft goals 6,797 -> 240 (S138), 8,122 -> 205 (S170), 11,592 -> 657 (S120), 7 of 8 below 700;
with the fairness and request costs freed too, 0 at S170 and demo S01 (proven there: nothing is
below 0), 16 at S138. A move is a search too, and a heavy-tailed one: where it finds nothing
better, the next frees fewer people (`FEW`: S002 5,383 -> 807 in one move of 30 takers, nothing in
two of 80) and searches the other way (`LP_GUIDED`).

The moves are deterministic (seeded), and what they find is only a roster: the bound of a move's
restricted model is not a bound of the station's. Soft goals of 0 are proven all the same.
"""

from __future__ import annotations

import random
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ortools.sat.python import cp_model

from allocate.model.params import ROSTER_PARAMS, set_hint, solver_for

if TYPE_CHECKING:
    from allocate.model.builder import RosterModel
    from allocate.stages import StopRule

# Deterministic seconds per move, at most: S103's first move needed 0.053 to find its better roster.
MOVE_WORK = 0.1
GIVERS = 60  # people with a cost of their own freed in a move, at most (overtime first)
TAKERS = 80  # and people with room to take their shifts
FEW = 30  # people with a cost and takers each, at most, after a move that found nothing
# A move's model is mostly fixed: CP-SAT's presolve and its full linearisation cost more there
# than they find (S170: 0.07 CPU s a move instead of 0.2, the same rosters within a few units).
MOVE_PARAMS: dict[str, Any] = {"cp_model_presolve": False, "linearization_level": 1}
# Moves search by turns with CP-SAT's LP-guided branching and its default search: each finds the
# better roster where the other finds nothing within a move's work, station by station (S002: the
# LP-guided search nothing in two moves, the default 5,380 -> 311; S103 the other way round), and
# LP-guided alone did a little better over four (soft goals 244, 142, 73, 99 against 218, 170, 115,
# 117 at S103, S138, S170, S001).
LP_GUIDED: dict[str, Any] = {"search_branching": cp_model.LP_SEARCH}
STALL_MOVES = 3  # stop after this many moves in a row without a better roster


@dataclass(frozen=True)
class Reseated:
    """The best roster the moves found (`solver` holds it; None: no move improved on the start),
    its objective value, the moves made, the deterministic work they spent, and what stopped them:
    the roster meeting the least ("proof"), moves finding nothing ("no progress"), the work or the
    wall clock."""

    solver: cp_model.CpSolver | None
    value: float
    moves: int
    work: float
    stopped_by: StopRule


def reseat(
    m: RosterModel,
    start: cp_model.CpSolver,
    objective,
    work: float,
    *,
    seed: int,
    deadline: float,
    least: float = 0.0,
    solver_params: dict[str, Any] | None = None,
) -> Reseated:
    """Moves from `start`'s roster on `objective` (its crews and shortfalls kept) until `work` is
    spent, `STALL_MOVES` moves in a row find nothing better, the wall clock reaches `deadline`
    (a ``time.perf_counter()`` value) or the roster meets `least` (a proven lower bound)."""
    m.model.minimize(objective)
    values = list(start.response_proto.solution)
    base = m.model.clone()
    _fix_values(base, _kept_variables(m), values)
    lines, minutes = _work_by_person(m)
    rng = random.Random(seed)
    best, value = None, start.value(objective)
    spent, moves, still = 0.0, 0, 0
    stopped: StopRule = "work limit"
    while spent + 0.001 < work:
        seconds = deadline - time.perf_counter()
        if value <= least or still >= STALL_MOVES or seconds <= 0:
            stopped = "proof" if value <= least else "no progress" if still >= STALL_MOVES else "time limit"
            break
        # after a move that found nothing, a smaller neighbourhood: an easier search
        free = _free(m, best or start, values, minutes, rng, moves, small=still > 0)
        sub = base.clone()
        for i, xs in lines.items():
            if i not in free:
                _fix_values(sub, xs, values)
        set_hint(sub, range(len(values)), values)
        own = {
            **ROSTER_PARAMS,
            **MOVE_PARAMS,
            **(LP_GUIDED if moves % 2 == 0 else {}),
            **(solver_params or {}),
        }
        solver = solver_for(seconds, seed + moves, 1, own)
        solver.parameters.max_deterministic_time = min(MOVE_WORK, work - spent)
        status = solver.solve(sub)
        spent += solver.deterministic_time
        moves += 1
        found = status in (cp_model.OPTIMAL, cp_model.FEASIBLE)
        if found and solver.objective_value < value - 0.5:
            best, value = solver, solver.objective_value
            values = list(solver.response_proto.solution)
            still = 0
        else:
            still += 1
    if value <= least:
        stopped = "proof"
    return Reseated(best, value, moves, spent, stopped)


def _kept_variables(m: RosterModel) -> list[cp_model.IntVar]:
    """What step 1 decided and the moves keep: each post's crews per pattern, its shortfall and its
    recruits (sizing's pools)."""
    kept: list[cp_model.IntVar] = []
    for pv in m.post_vars:
        kept += [*pv.crews, *pv.pooled.values()]
        if pv.shortfall is not None:
            kept.append(pv.shortfall)
    return kept


def _work_by_person(
    m: RosterModel,
) -> tuple[dict[int, list[cp_model.IntVar]], dict[int, list[tuple[int, cp_model.IntVar]]]]:
    """Each person's work variables (lines of work, or the per-post Booleans of a re-plan), and
    each with its shift's minutes."""
    lines: dict[int, list[cp_model.IntVar]] = {}
    minutes: dict[int, list[tuple[int, cp_model.IntVar]]] = {}
    for (i, _, shift_id), xs in m.work.items():
        lines.setdefault(i, []).extend(xs)
        minutes.setdefault(i, []).extend((m.shifts[shift_id].minutes, x) for x in xs)
    return lines, minutes


def _fix_values(model: cp_model.CpModel, variables: list[cp_model.IntVar], values: list[int]) -> None:
    """Fix `variables` at `values` (by index) in `model`'s own domains: a held constraint per
    variable would be left behind, emptied, in a model solved again and again."""
    proto = model.proto.variables
    for v in variables:
        domain = proto[v.index].domain
        domain.clear()
        domain.extend([values[v.index], values[v.index]])


def _free(
    m: RosterModel,
    current: cp_model.CpSolver,
    values: list[int],
    minutes: dict[int, list[tuple[int, cp_model.IntVar]]],
    rng: random.Random,
    turn: int,
    small: bool,
) -> set[int]:
    """The people the `turn`-th move re-seats: `GIVERS` with a soft goal's cost of their own in
    `current`'s roster (`values`), those with overtime first, then those with fairness deviations
    or unmet requests; and `TAKERS` people with room to take shifts: those working the fewest
    minutes first, then by turns drawn from everyone else and from twice as many of those working
    the fewest minutes. A `small` move (after one that found nothing) frees `FEW` of each."""
    over = sorted({i for (i, _), v in m.overtime.items() if values[v.index] > 0})
    costly = sorted(
        {i for i, amounts in m.soft_by_person.items() if any(current.value(a) > 0 for a in amounts)}
        - set(over)
    )
    worked = {i: sum(length * values[x.index] for length, x in xs) for i, xs in minutes.items()}
    most = FEW if small else GIVERS
    givers = rng.sample(over, most) if len(over) > most else over
    givers += rng.sample(costly, min(len(costly), most - len(givers)))
    room = sorted((i for i in worked if i not in givers), key=lambda i: (worked[i], i))
    count = FEW if small else TAKERS
    if turn == 0:
        takers = room[:count]
    else:
        pool = room[: 2 * count] if turn % 2 == 0 else room
        takers = rng.sample(pool, min(count, len(pool)))
    return set(givers) | set(takers)
