"""The pricing programme against CP-SAT on random one-person instances (hypothesis).

The compiled forward pass shares work between shifts whose predecessor sets nest, and moves
only the resource indexes reached so far: shortcuts that the benchmark's instances exercise
unevenly (Instance 1 and tiny.txt have one or two shift types). Here every rule of the format is
drawn at random, shifts with forbidden successions among up to five types, and the programme's
least value must be CP-SAT's proven optimum, or a lower bound of it where it left a maximum out.
"""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from allocate.nrp.instance import Instance, parse_instance
from allocate.nrp.lawful import ExactProgramme
from allocate.nrp.pricing import SCALE, Pricer
from allocate.verify.nrp import evaluate

DAYS = 14
MINUTES = (240, 360, 480, 600, 720)


@st.composite
def one_person(draw: st.DrawFn) -> tuple[Instance, dict[tuple[int, str], int]]:
    """A one-person instance in the benchmark's format, and prices on its cover."""
    count = draw(st.integers(2, 5))
    ids = [f"S{i}" for i in range(count)]
    lines = ["SECTION_HORIZON", str(DAYS), "", "SECTION_SHIFTS"]
    for s in ids:
        banned = draw(st.lists(st.sampled_from(ids), unique=True, max_size=count - 1))
        lines.append(f"{s},{draw(st.sampled_from(MINUTES))},{'|'.join(banned)}")
    maxima = "|".join(f"{s}={draw(st.integers(0, DAYS))}" for s in ids)
    top = draw(st.integers(2, 6))
    low = draw(st.integers(1, top))
    most = draw(st.integers(1200, 6000))
    least = draw(st.integers(0, most))
    off = draw(st.integers(1, 3))
    weekends = draw(st.integers(0, 2))
    days_off = draw(st.lists(st.integers(0, DAYS - 1), unique=True, min_size=1, max_size=3))
    lines += ["", "SECTION_STAFF", f"A,{maxima},{most},{least},{top},{low},{off},{weekends}", ""]
    lines += ["SECTION_DAYS_OFF", "A," + ",".join(map(str, sorted(days_off))), ""]
    lines += ["SECTION_SHIFT_ON_REQUESTS"]
    for day in draw(st.lists(st.integers(0, DAYS - 1), unique=True, max_size=3)):
        lines.append(f"A,{day},{draw(st.sampled_from(ids))},{draw(st.integers(1, 3))}")
    lines += ["", "SECTION_SHIFT_OFF_REQUESTS"]
    for day in draw(st.lists(st.integers(0, DAYS - 1), unique=True, max_size=3)):
        lines.append(f"A,{day},{draw(st.sampled_from(ids))},{draw(st.integers(1, 3))}")
    lines += ["", "SECTION_COVER"]
    lines += [f"{d},{s},1,100,1" for d in range(DAYS) for s in ids]
    instance = parse_instance("\n".join(lines) + "\n", "random")
    prices = {(d, s): draw(st.integers(-20_000, 60_000)) for d in range(DAYS) for s in ids}
    return instance, prices


class _Relaxing(ExactProgramme):
    """The programme with room for no counted maximum: every binding one is left out."""

    ELEMENTS = 1


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(one_person())
def test_the_programme_is_cp_sats_optimum_or_a_bound_below_it(case) -> None:
    instance, prices = case
    pricer = Pricer(instance, 0)
    slow = pricer.by_cp_sat(prices, 10.0, 0, {}, ())
    for programme in (pricer.programme, _Relaxing(instance, 0)):
        if not programme.ready:
            continue
        assert [s.shift_id for s in programme.shifts] == [s.shift_id for s in pricer.programme.shifts]
        fast = programme.cheapest(pricer.costs(prices))
        if not slow.exact:  # no lawful roster: the programme finds none, or one breaking a maximum
            assert fast is None or not fast.exact
            continue
        assert fast is not None
        value = SCALE * pricer.fixed + round(fast.value)
        assert value <= slow.bound  # a lower bound always
        if fast.exact:  # a lawful roster: the optimum, and worth what it says
            assert value == slow.bound
            assert value == SCALE * pricer.cost(fast.roster) - sum(prices[d, s] for (_, d, s) in fast.roster)
            assert evaluate(instance, sorted(fast.roster)).ok
