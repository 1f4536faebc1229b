"""Properties of the derived demand (hypothesis): the crews answer the workload monotonically."""

from __future__ import annotations

import tempfile
from pathlib import Path

from hypothesis import example, given, settings
from hypothesis import strategies as st

from allocate.demand_model import crews_needed, derive_demand
from allocate.io.errors import InputError
from allocate.io.incidents import INCIDENT_COLUMNS, load_incidents
from allocate.policy import DemandPolicy
from demand_helpers import memory_log, tiny_dataset, tiny_with_types, write_log

POLICY = DemandPolicy(proactive={})
DATASET = tiny_dataset()
events = st.lists(
    st.tuples(st.integers(0, 13), st.integers(0, 23), st.floats(1.0, 240.0)), min_size=0, max_size=40
)
rates = st.floats(0.0, 2.0)
handlings = st.floats(0.5, 300.0)
targets = st.floats(0.0, 60.0)
levels = st.floats(0.5, 0.99)
caps = st.floats(0.3, 1.0)


def _shift_crews(log_events, policy=POLICY, scale: float = 1.0) -> dict:
    log = memory_log([(d, h, m * scale) for d, h, m in log_events])
    derived = derive_demand(DATASET, log, policy)
    return {(r.weekday, r.shift_id): r.crews for r in derived.demand if r.task_id == "resp"}


def _never_fewer(before: dict, after: dict) -> None:
    for key, n in before.items():
        assert after.get(key, 0) >= n, key


@settings(max_examples=300, deadline=None)
@given(rates, st.floats(0.0, 2.0), handlings, targets, levels, caps)
def test_crews_never_fall_with_more_arrivals(rate, extra, handling, target, level, cap) -> None:
    """More arrivals an hour never need fewer crews (Erlang C per hour)."""
    assert crews_needed(rate + extra, handling, target, level, cap) >= crews_needed(
        rate, handling, target, level, cap
    )


@settings(max_examples=300, deadline=None)
@given(rates, handlings, st.floats(1.0, 5.0), targets, levels, caps)
def test_crews_never_fall_with_longer_handling(rate, handling, factor, target, level, cap) -> None:
    """Longer handling never needs fewer crews."""
    assert crews_needed(rate, handling * factor, target, level, cap) >= crews_needed(
        rate, handling, target, level, cap
    )


@settings(max_examples=300, deadline=None)
@given(rates, handlings, targets, st.floats(0.0, 1.0), levels, caps)
def test_crews_never_fall_with_a_stricter_target(rate, handling, target, cut, level, cap) -> None:
    """A shorter response target (or a higher service level) never needs fewer crews."""
    loose = crews_needed(rate, handling, target, level, cap)
    assert crews_needed(rate, handling, target * cut, level, cap) >= loose
    assert crews_needed(rate, handling, target, min(0.999, level + 0.005), cap) >= loose


@settings(max_examples=300, deadline=None)
@given(st.floats(0.001, 2.0), handlings, targets, levels, caps)
def test_crews_exceed_the_offered_load(rate, handling, target, level, cap) -> None:
    """An hour with work gets more crews than its offered load (a stable queue) and keeps the cap."""
    n = crews_needed(rate, handling, target, level, cap)
    load = rate * handling
    assert n > load
    assert load / n <= cap + 1e-9


@settings(max_examples=25, deadline=None)
@given(events, events)
@example(log=[(0, 0, 132.0)], more=[(0, 0, 1.0)])
def test_more_incidents_never_give_fewer_shift_crews(log, more) -> None:
    """Adding incidents at least as long as any in the log (same weeks observed) never lowers a
    shift's crews. A shorter one can: it lowers the mean handling time, and Erlang C then meets the
    same response target with fewer crews (hypothesis found a 132-minute call plus a 1-minute one
    giving 3 night crews instead of 4), so the added incidents are lengthened to the log's longest."""
    longest = max((m for _, _, m in log), default=0.0)
    more = [(d, h, max(m, longest)) for d, h, m in more]
    _never_fewer(_shift_crews(log), _shift_crews(log + more))


@settings(max_examples=25, deadline=None)
@given(events, st.floats(1.0, 4.0))
def test_longer_handling_never_gives_fewer_shift_crews(log, factor) -> None:
    """Every incident taking longer never lowers a shift's crews."""
    _never_fewer(_shift_crews(log), _shift_crews(log, scale=factor))


@settings(max_examples=25, deadline=None)
@given(events, st.floats(0.5, 30.0), st.floats(0.0, 1.0))
def test_stricter_target_never_gives_fewer_shift_crews(log, target, cut) -> None:
    """A shorter response target never lowers a shift's crews."""
    loose = DemandPolicy(proactive={}, target_minutes_urban=target, target_minutes_rural=target)
    strict = DemandPolicy(
        proactive={},
        target_minutes_urban=max(target * cut, 0.01),
        target_minutes_rural=max(target * cut, 0.01),
    )
    _never_fewer(_shift_crews(log, loose), _shift_crews(log, strict))


@settings(max_examples=25, deadline=None)
@given(events)
def test_a_shift_exceeds_its_busiest_hours_offered_load(log) -> None:
    """Every shift with work gets more crews than the offered load of its busiest hour."""
    derived = derive_demand(DATASET, memory_log(log), POLICY)
    busy = derived.shifts[derived.shifts["busiest_load"] > 0]
    assert (busy["crews"] > busy["busiest_load"]).all()
    assert len(busy) > 0


CELLS = st.one_of(
    st.text(max_size=12),
    st.sampled_from(
        ["T1", "ZZ", "theft", "0", "45", "2", "-3", "nan", "1e9", "2026-11-02T10:00", "2026-02-30 10:00"]
    ),
)


@settings(max_examples=40, deadline=None)
@given(st.lists(st.fixed_dictionaries({c: CELLS for c in INCIDENT_COLUMNS}), min_size=1, max_size=6))
def test_hostile_logs_load_or_are_named(rows) -> None:
    """Any cells give either a log that derives or an InputError naming incidents.csv: never a crash."""
    with tempfile.TemporaryDirectory() as tmp:
        data = tiny_with_types(Path(tmp) / "data")
        log = write_log(Path(tmp) / "incidents.csv", rows)
        try:
            loaded = load_incidents(DATASET, log, data)
        except InputError as exc:
            assert all(
                i.file.startswith("incidents.csv") or i.file.startswith("tasks.csv") for i in exc.issues
            )
            return
        derive_demand(DATASET, loaded, POLICY)
