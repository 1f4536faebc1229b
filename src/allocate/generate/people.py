"""The stations and people of a generated district: headcount, roles, fitness, skills, the week's
absences and requests, drawn in that order from one random stream."""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
from collections import Counter
from typing import TYPE_CHECKING

import numpy as np

from allocate.domain import Absence, Person, Request, Station
from allocate.generate.catalogue import (
    SHIFT_IDS,
    SHIFTS_PER_WEEK,
    TARGET_SKILL_SWORN,
    TASK_BY_ID,
    min_sworn,
    preferred,
)
from allocate.generate.kinds import KINDS, SizeSpec, StationKind
from allocate.generate.names import (
    ABSENCE_KINDS,
    AUX_GRADES,
    GIVEN_NAMES,
    PLACE_PREFIXES,
    PLACES,
    SURNAMES,
    SWORN_GRADES,
)

if TYPE_CHECKING:
    from collections.abc import Mapping


def field_fit(p: Person, start: dt.date) -> bool:
    """May fill S/A slots of field posts all week (rule 5)."""
    if p.disqualified:
        return False
    if p.role == "sworn":
        return True
    return (
        p.role == "aux_service"
        and p.pre_job_trained
        and p.training_valid_until is not None
        and p.training_valid_until >= start + dt.timedelta(days=6)
    )


def support_fit(p: Person, start: dt.date) -> bool:
    """May fill support posts only: civilians and auxiliaries whose training has lapsed."""
    return p.role != "sworn" and not p.disqualified and p.pre_job_trained and not field_fit(p, start)


def capacity_shifts(days_absent: int) -> int:
    """Standard shifts a person can work in the week, after absences."""
    return min(SHIFTS_PER_WEEK, 7 - days_absent)


def by_station(staff: list[Person]) -> dict[str, list[Person]]:
    out: dict[str, list[Person]] = {}
    for p in staff:
        out.setdefault(p.station_id, []).append(p)
    return out


def stations(rng: np.random.Generator, spec: SizeSpec) -> tuple[list[Station], dict[str, StationKind]]:
    """Stations in district order, each district holding a share of every kind; and each one's kind."""
    kinds = [kind for kind, n in spec.kinds.items() for _ in range(n)]
    names = _place_names(rng, len(kinds))
    # Deal each kind round-robin over the districts, starting at a random district, so that
    # every district gets the same mix (a core station, urban ones, ...) give or take one.
    districts: list[int] = []
    offset = 0
    for n in spec.kinds.values():
        districts += [(offset + i) % spec.districts for i in range(n)]
        offset = (offset + n) % spec.districts
    order = sorted(range(len(kinds)), key=lambda i: (districts[i], i))
    width = 2 if len(kinds) < 100 else 3
    out, kind_of = [], {}
    for number, i in enumerate(order, start=1):
        kind = KINDS[kinds[i]]
        population = int(rng.integers(*kind.population)) // 100 * 100
        area = float(rng.uniform(*kind.area_km2))
        station_id = f"S{number:0{width}d}"
        out.append(
            Station(
                station_id, f"{names[i]} {kind.label}", f"D{districts[i] + 1:02d}", population, round(area, 1)
            )
        )
        kind_of[station_id] = kind
    return out, kind_of


def _place_names(rng: np.random.Generator, n: int) -> list[str]:
    """`n` distinct fictional place names: the plain ones first, then prefixed variants."""
    plain = [PLACES[i] for i in rng.permutation(len(PLACES))]
    variants = [f"{p} {q}" for p in PLACE_PREFIXES for q in PLACES]
    variants = [variants[i] for i in rng.permutation(len(variants))]
    pool = plain + variants
    if n > len(pool):
        pool += [f"Precinct {i}" for i in range(n - len(pool))]
    return pool[:n]


def with_quotas(rng: np.random.Generator, stations: list[Station], staff: list[Person]) -> list[Station]:
    """Each station's auxiliary quota: its auxiliaries, half the time a few more."""
    auxiliaries = Counter(p.station_id for p in staff if p.role != "sworn")  # once, not per station
    out = []
    for st in stations:
        aux = auxiliaries[st.station_id]
        quota = aux + (int(rng.integers(1, max(2, aux // 8) + 1)) if rng.random() < 0.5 else 0)
        out.append(dataclasses.replace(st, aux_quota=quota))
    return out


def staff(
    rng: np.random.Generator, stations: list[Station], kind_of: Mapping[str, StationKind], scale: float
) -> list[Person]:
    """Sworn officers, service auxiliaries and civilian auxiliaries (25-35% of auxiliaries)."""
    out: list[Person] = []
    sworn_grades, sworn_p = zip(*SWORN_GRADES, strict=True)
    aux_grades, aux_p = zip(*AUX_GRADES, strict=True)
    for st in stations:
        kind = kind_of[st.station_id]
        n_sworn = round(int(rng.integers(kind.sworn[0], kind.sworn[1] + 1)) * scale)
        n_aux = round(int(rng.integers(kind.aux[0], kind.aux[1] + 1)) * scale)
        n_civ = round(n_aux * float(rng.uniform(0.25, 0.35)))
        roles = ["sworn"] * n_sworn + ["aux_service"] * (n_aux - n_civ) + ["aux_civilian"] * n_civ
        surnames = rng.integers(len(SURNAMES), size=len(roles))
        given = rng.integers(len(GIVEN_NAMES), size=len(roles))
        grades_s = rng.choice(len(sworn_grades), size=len(roles), p=np.array(sworn_p) / sum(sworn_p))
        grades_a = rng.choice(len(aux_grades), size=len(roles), p=np.array(aux_p) / sum(aux_p))
        for k, role in enumerate(roles):
            grade = sworn_grades[grades_s[k]] if role == "sworn" else aux_grades[grades_a[k]]
            name = f"{SURNAMES[surnames[k]]} {GIVEN_NAMES[given[k]]}"
            out.append(Person(f"{st.station_id}-P{k + 1:04d}", name, st.station_id, role, grade))  # type: ignore[arg-type]
    return out


def with_fitness(rng: np.random.Generator, staff: list[Person], start: dt.date) -> list[Person]:
    """Training dates, and the few auxiliaries that rule 5 keeps off the roster or on support only.

    Counts are fixed shares of the dataset's auxiliaries (at least one each), so even the tiny
    size exercises every fitness rule.
    """
    valid_days = rng.integers(60, 730, size=len(staff))
    staff = [
        dataclasses.replace(p, training_valid_until=start + dt.timedelta(days=int(days)))
        for p, days in zip(staff, valid_days, strict=True)
    ]
    aux = [i for i, p in enumerate(staff) if p.role != "sworn"]
    service = [i for i in aux if staff[i].role == "aux_service"]
    n_untrained = max(1, round(0.015 * len(aux)))
    n_disqualified = max(1, round(0.008 * len(aux)))
    n_lapsed = max(1, round(0.03 * len(service)))
    picked = [int(i) for i in rng.choice(aux, size=n_untrained + n_disqualified, replace=False)]
    for i in picked[:n_untrained]:
        staff[i] = dataclasses.replace(staff[i], pre_job_trained=False, training_valid_until=None)
    for i in picked[n_untrained:]:
        staff[i] = dataclasses.replace(staff[i], disqualified=True)
    taken = set(picked)
    candidates = [i for i in service if i not in taken]
    for i in rng.choice(candidates, size=min(n_lapsed, len(candidates)), replace=False):
        lapsed = start - dt.timedelta(days=int(rng.integers(1, 180)))
        staff[int(i)] = dataclasses.replace(staff[int(i)], training_valid_until=lapsed)
    return staff


def with_skills(
    rng: np.random.Generator,
    stations: list[Station],
    kind_of: Mapping[str, StationKind],
    staff: list[Person],
    start: dt.date,
) -> list[Person]:
    """Skills by the station kind's shares, topped up so that skilled fixed posts can be staffed.

    A skilled task needs the skill in every member of its crew (rule 5), so a detention room
    watched round the clock needs enough detention-trained officers *and* auxiliaries.
    """
    skills: dict[str, set[str]] = {p.person_id: set(p.skills) for p in staff}
    people_of = by_station(staff)
    for st in stations:
        kind = kind_of[st.station_id]
        people = people_of.get(st.station_id, [])
        needs = _fixed_skill_needs(kind)
        for role in ("sworn", "aux_service"):
            group = [p for p in people if p.role == role]
            draws = rng.random((len(group), len(kind.skills)))
            for j, (skill, share) in enumerate(sorted(kind.skills.items())):
                share = share if role == "sworn" else share * 0.8
                for p, u in zip(group, draws[:, j], strict=True):
                    if u < share:
                        skills[p.person_id].add(skill)
                need = needs.get((skill, role), 0)
                fit = [p for p in group if field_fit(p, start)]
                have = sum(skill in skills[p.person_id] for p in fit)
                if need > have:
                    lacking = [p for p in fit if skill not in skills[p.person_id]]
                    extra = rng.choice(len(lacking), size=min(need - have, len(lacking)), replace=False)
                    for k in sorted(int(i) for i in extra):
                        skills[lacking[k].person_id].add(skill)
    return [dataclasses.replace(p, skills=frozenset(skills[p.person_id])) for p in staff]


def _fixed_skill_needs(kind: StationKind) -> dict[tuple[str, str], int]:
    """Skilled people a kind's fixed posts need within the skill targets, plus one for absences."""
    needs: dict[tuple[str, str], int] = {}
    for post in kind.posts:
        task = TASK_BY_ID[post.task_id]
        if not (post.fixed and task.skill):
            continue
        crews = float(np.rint(post.shape()).sum())
        for role, slots in (("sworn", min_sworn(task)), ("aux_service", preferred(task).aux)):
            if slots:
                per_person = SHIFTS_PER_WEEK * TARGET_SKILL_SWORN
                needs[(task.skill, role)] = math.ceil(crews * slots / per_person) + 1
    return needs


def absences(
    rng: np.random.Generator, staff: list[Person], start: dt.date
) -> tuple[list[Absence], dict[str, int]]:
    """About 4% of people away for part of the week (leave, sick or training); days away in the week.

    A few absences began before `start`, so that loaders and models see them clipped.
    """
    n = max(1, round(0.04 * len(staff)))
    who = sorted(int(i) for i in rng.choice(len(staff), size=n, replace=False))
    kinds, probs, spans = zip(*ABSENCE_KINDS, strict=True)
    rows, days_absent = [], {}
    for i in who:
        k = int(rng.choice(len(kinds), p=probs))
        length = int(rng.integers(spans[k][0], spans[k][1] + 1))
        first = start + dt.timedelta(days=int(rng.integers(-2, 7)))
        last = first + dt.timedelta(days=length - 1)
        if last < start:
            first, last = start, start + dt.timedelta(days=length - 1)
        week_end = start + dt.timedelta(days=6)
        days_absent[staff[i].person_id] = (min(last, week_end) - max(first, start)).days + 1
        rows.append(Absence(staff[i].person_id, first, last, kinds[k]))
    return rows, days_absent


def requests(
    rng: np.random.Generator,
    staff: list[Person],
    absences: list[Absence],
    kind_of: Mapping[str, StationKind],
    start: dt.date,
) -> list[Request]:
    """Personal on/off wishes of ~6% of the fit people, one or two each, weights 1-3."""
    away: dict[str, set[dt.date]] = {}
    for a in absences:
        days = (a.date_to - a.date_from).days + 1
        away.setdefault(a.person_id, set()).update(a.date_from + dt.timedelta(days=k) for k in range(days))
    fit = [p for p in staff if field_fit(p, start) or support_fit(p, start)]
    n = max(2, round(0.06 * len(fit)))
    who = sorted(int(i) for i in rng.choice(len(fit), size=min(n, len(fit)), replace=False))
    rows = []
    for i in who:
        p = fit[i]
        days = [
            d for d in (start + dt.timedelta(days=k) for k in range(7)) if d not in away.get(p.person_id, ())
        ]
        count = min(len(days), int(rng.integers(1, 3)))
        for k in sorted(int(j) for j in rng.choice(len(days), size=count, replace=False)):
            want_on = rng.random() < 0.3
            shift = None
            if rng.random() < 0.3:
                options = _shifts_for(p, kind_of[p.station_id], start)
                shift = options[int(rng.integers(len(options)))]
            rows.append(Request(p.person_id, days[k], want_on, shift, int(rng.integers(1, 4))))
    return rows


def _shifts_for(p: Person, kind: StationKind, start: dt.date) -> list[str]:
    """Shifts a person might ask for: the office for support staff, the station's shifts else."""
    if not field_fit(p, start):
        return ["office"]
    used = [sid for sid in SHIFT_IDS if sid != "office" and any(sid in post.shifts for post in kind.posts)]
    if p.role != "sworn":
        used = [sid for sid in used if sid != "duty24"]
    return used
