"""Seeded datasets in the data contract: a fictional district (or city) of police stations.

Tests, the demo, the notebooks and the benchmarks all need data of a known shape at several
sizes, so it is generated rather than drawn by hand: ``generate("demo", seed=1, out)`` writes the
CSV tables of the data contract, byte-identical for the same size and seed.

The data is built in the order a real station is: people first, then the work they can carry.
Headcount, roles, skills and fitness are drawn; the week's absences follow; the weekly demand is
then *computed from the people who can actually serve*, so that every size is consistent: sworn-only
slots stay well below sworn capacity and all slots come to roughly 85% of everyone's contract hours
(the evening peak and the Friday/Saturday nights are the tight spots, as on a real roster). One
shortage is designed in: the core station's weekend drink-driving checkpoints ask for slightly more
traffic-trained people than it has, so a solved demo shows a few uncovered crews for the report
and the sizing analysis to explain. An incident log of the weeks before the roster week
(:mod:`allocate.generate_incidents`, its own random stream) feeds `allocate demand`.

The draw builds a :class:`~allocate.domain.Dataset` (:func:`draw`), which
:func:`allocate.io.write.write_dataset` writes like any other: :mod:`.catalogue` holds the shifts,
tasks and post shapes, :mod:`.kinds` the kinds of station and the sizes, :mod:`.people` the
stations, people, absences and requests, :mod:`.demand` the demand computed from them.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np

from allocate.domain import Dataset
from allocate.generate import people
from allocate.generate.catalogue import SHIFTS, TASKS
from allocate.generate.demand import demand
from allocate.generate.kinds import SIZE_SPECS
from allocate.generate_incidents import WEEKS as INCIDENT_WEEKS
from allocate.generate_incidents import incident_log, write_incidents
from allocate.io.write import write_dataset
from allocate.outfolder import check_out
from allocate.output import atomic_folder

SIZES = ("tiny", "demo", "city", "region")

DEFAULT_START = dt.date(2026, 12, 7)
"""A fixed Monday, so that no generated file depends on the day it was generated."""


def generate(
    size: str = "demo",
    seed: int = 1,
    out: Path | str | None = None,
    start: dt.date | None = None,
    *,
    force: bool = False,
) -> Path:
    """Write a seeded dataset of the given size into folder `out` and return its path.

    `out` defaults to ``data/<size>``. Same `size` and `seed` give byte-identical files; `start`
    (default the Monday 2026-12-07) only dates the week of absences, requests and training
    validity: the weekly demand is in the `weekday` form and fits any horizon.

    The folder is written atomically with allocate's marker (size, seed and start only, so the
    bytes stay the same); an existing folder is replaced only if it is empty or holds that
    marker, or with `force` (:func:`allocate.outfolder.check_out`).
    """
    _check_size(size)
    start = DEFAULT_START if start is None else start
    folder = Path("data") / size if out is None else Path(out)
    check_out(folder, force=force, option="OUT")  # before the (city: seconds of) drawing
    dataset = draw(size, seed, start)
    log, events = incident_log(
        [(s.station_id, s.population, s.area_km2) for s in dataset.stations],
        seed,
        start,
        INCIDENT_WEEKS[size],
    )

    def write(folder: Path) -> None:
        write_dataset(dataset, folder)
        write_incidents(folder, log, events)

    marker = {"command": "generate", "size": size, "seed": seed, "start": start.isoformat()}
    return atomic_folder(folder, write, force=force, marker=marker)


def draw(size: str = "demo", seed: int = 1, start: dt.date = DEFAULT_START) -> Dataset:
    """The seeded dataset of the given size, in memory: what :func:`generate` writes."""
    _check_size(size)
    rng = np.random.default_rng(seed)
    spec = SIZE_SPECS[size]
    stations, kind_of = people.stations(rng, spec)
    staff = people.staff(rng, stations, kind_of, spec.headcount_scale)
    staff = people.with_fitness(rng, staff, start)
    staff = people.with_skills(rng, stations, kind_of, staff, start)
    stations = people.with_quotas(rng, stations, staff)
    absences, days_absent = people.absences(rng, staff, start)
    rows = demand(stations, kind_of, staff, days_absent, start)
    requests = people.requests(rng, staff, absences, kind_of, start)
    return Dataset(
        stations=tuple(stations), shifts=SHIFTS, tasks=TASKS, staff=tuple(staff), demand=tuple(rows),
        absences=tuple(absences), requests=tuple(requests), source=f"generated {size} seed {seed}",
    )  # fmt: skip


def _check_size(size: str) -> None:
    if size not in SIZE_SPECS:
        raise ValueError(f"unknown size {size!r}: expected one of {', '.join(SIZES)}")
