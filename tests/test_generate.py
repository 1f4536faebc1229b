"""Tests of the seeded dataset generator (`allocate.generate`)."""

from __future__ import annotations

import csv
import datetime as dt
from collections import Counter, defaultdict
from typing import TYPE_CHECKING

import pytest

from allocate.crew_patterns import parse_crews
from allocate.domain import WEEKDAYS
from allocate.generate import DEFAULT_START, SIZES, generate

if TYPE_CHECKING:
    from pathlib import Path

TABLES = {
    "stations.csv": ["station_id", "name", "district", "population", "area_km2", "aux_quota"],
    "shifts.csv": ["shift_id", "start", "hours", "rest_after"],
    "tasks.csv": ["task_id", "name", "duty_class", "crews", "skill", "priority", "incident_types"],
    "staff.csv": [
        "person_id",
        "name",
        "station_id",
        "role",
        "grade",
        "skills",
        "hours_per_week",
        "pre_job_trained",
        "training_valid_until",
        "disqualified",
    ],
    "demand.csv": ["station_id", "weekday", "shift_id", "task_id", "crews"],
    "absences.csv": ["person_id", "date_from", "date_to", "kind"],
    "requests.csv": ["person_id", "date", "shift_id", "want", "weight"],
}


def read(folder: Path, name: str) -> list[dict[str, str]]:
    with (folder / name).open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def header(folder: Path, name: str) -> list[str]:
    with (folder / name).open(encoding="utf-8", newline="") as fh:
        return next(csv.reader(fh))


@pytest.fixture(scope="module")
def tiny(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return generate("tiny", 1, tmp_path_factory.mktemp("tiny"))


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return generate("demo", 1, tmp_path_factory.mktemp("demo"))


@pytest.fixture(scope="module", params=["tiny", "demo"])
def dataset(request: pytest.FixtureRequest) -> Path:
    return request.getfixturevalue(request.param)


def min_sworn(crews: str) -> int:
    return min(c.sworn for c in parse_crews(crews))


def smallest(crews: str):
    """The alternative with the fewest officers, then the fewest people."""
    return min(parse_crews(crews), key=lambda c: (c.sworn, c.size))


# ----------------------------------------------------------------------------- determinism


@pytest.mark.parametrize("size", ["tiny", "demo"])
def test_same_seed_gives_byte_identical_files(size: str, tmp_path: Path) -> None:
    """Two runs with the same size and seed write exactly the same bytes."""
    a, b = generate(size, 7, tmp_path / "a"), generate(size, 7, tmp_path / "b")
    for name in TABLES:
        assert (a / name).read_bytes() == (b / name).read_bytes(), name


def test_different_seed_gives_different_data(tmp_path: Path) -> None:
    """Another seed draws other people and other demand."""
    a, b = generate("demo", 1, tmp_path / "a"), generate("demo", 2, tmp_path / "b")
    assert (a / "staff.csv").read_bytes() != (b / "staff.csv").read_bytes()
    assert (a / "demand.csv").read_bytes() != (b / "demand.csv").read_bytes()


def test_start_only_moves_dates(tmp_path: Path) -> None:
    """`start` dates absences, requests and training; stations, staff roles and demand stay."""
    a = generate("tiny", 3, tmp_path / "a")
    b = generate("tiny", 3, tmp_path / "b", start=DEFAULT_START + dt.timedelta(days=28))
    for name in ("stations.csv", "shifts.csv", "tasks.csv", "demand.csv"):
        assert (a / name).read_bytes() == (b / name).read_bytes(), name
    shifted = [dt.date.fromisoformat(r["date_from"]) + dt.timedelta(days=28) for r in read(a, "absences.csv")]
    assert shifted == [dt.date.fromisoformat(r["date_from"]) for r in read(b, "absences.csv")]


def test_default_start_is_a_monday() -> None:
    """The default week starts on a Monday, so weekday demand lines up with the horizon."""
    assert DEFAULT_START.weekday() == 0


def test_unknown_size_is_refused(tmp_path: Path) -> None:
    """A size outside SIZES is a ValueError naming the known sizes."""
    with pytest.raises(ValueError, match="tiny"):
        generate("huge", 1, tmp_path)
    assert SIZES == ("tiny", "demo", "city", "region")


# ----------------------------------------------------------------------------- contract shape


def test_every_table_has_the_contract_columns(dataset: Path) -> None:
    """Each CSV has exactly the contract's column names, in a fixed order."""
    for name, columns in TABLES.items():
        assert header(dataset, name) == columns, name


def test_values_use_the_contract_formats(dataset: Path) -> None:
    """Dates are ISO, times HH:MM, booleans true/false, lists `;`-separated."""
    for row in read(dataset, "shifts.csv"):
        dt.datetime.strptime(row["start"], "%H:%M")
        assert 0 < float(row["hours"]) <= 24
    for row in read(dataset, "staff.csv"):
        assert row["pre_job_trained"] in ("true", "false")
        assert row["disqualified"] in ("true", "false")
        if row["training_valid_until"]:
            dt.date.fromisoformat(row["training_valid_until"])
        assert all(s and s == s.strip() for s in row["skills"].split(";") if row["skills"])
    for row in read(dataset, "absences.csv"):
        assert dt.date.fromisoformat(row["date_from"]) <= dt.date.fromisoformat(row["date_to"])


def test_ids_are_unique_and_people_carry_their_station(dataset: Path) -> None:
    """Station, shift, task and person ids are unique; a person id starts with the station id."""
    for name, key in (
        ("stations.csv", "station_id"),
        ("shifts.csv", "shift_id"),
        ("tasks.csv", "task_id"),
        ("staff.csv", "person_id"),
    ):
        ids = [r[key] for r in read(dataset, name)]
        assert len(ids) == len(set(ids)), name
    for person in read(dataset, "staff.csv"):
        assert person["person_id"].startswith(person["station_id"] + "-P")


def test_demand_references_existing_rows(dataset: Path) -> None:
    """Every demand row names a known station, shift and task, a weekday and a positive count."""
    stations = {r["station_id"] for r in read(dataset, "stations.csv")}
    shifts = {r["shift_id"] for r in read(dataset, "shifts.csv")}
    tasks = {r["task_id"] for r in read(dataset, "tasks.csv")}
    keys = set()
    for row in read(dataset, "demand.csv"):
        assert row["station_id"] in stations
        assert row["shift_id"] in shifts
        assert row["task_id"] in tasks
        assert row["weekday"] in WEEKDAYS
        assert int(row["crews"]) > 0
        keys.add((row["station_id"], row["weekday"], row["shift_id"], row["task_id"]))
    assert len(keys) == len(read(dataset, "demand.csv")), "one row per station, day, shift, task"


def test_absences_and_requests_refer_to_staff_in_the_week(dataset: Path) -> None:
    """Absences touch the generated week; requests fall in it, with known shifts and weights 1-3."""
    people = {r["person_id"] for r in read(dataset, "staff.csv")}
    shifts = {r["shift_id"] for r in read(dataset, "shifts.csv")}
    week = [DEFAULT_START + dt.timedelta(days=k) for k in range(7)]
    absences = read(dataset, "absences.csv")
    assert absences
    for row in absences:
        assert row["person_id"] in people
        assert dt.date.fromisoformat(row["date_to"]) >= week[0]
        assert dt.date.fromisoformat(row["date_from"]) <= week[-1]
        assert row["kind"] in ("leave", "sick", "training")
    requests = read(dataset, "requests.csv")
    assert requests
    for row in requests:
        assert row["person_id"] in people
        assert dt.date.fromisoformat(row["date"]) in week
        assert row["shift_id"] in shifts | {""}
        assert row["want"] in ("on", "off")
        assert 1 <= int(row["weight"]) <= 3


# ----------------------------------------------------------------------------- tasks and the law


def test_task_crews_parse_and_respect_the_duty_class(dataset: Path) -> None:
    """Crews parse; led tasks have an S in every alternative; police_only tasks have no A."""
    for task in read(dataset, "tasks.csv"):
        crews = parse_crews(task["crews"])
        assert 1 <= int(task["priority"]) <= 5
        if task["duty_class"] == "led":
            assert all(c.sworn >= 1 for c in crews), task["task_id"]
        elif task["duty_class"] == "police_only":
            assert all(c.aux == 0 for c in crews), task["task_id"]
        elif task["duty_class"] == "independent":
            assert any(c.sworn == 0 for c in crews), task["task_id"]
        else:
            assert task["duty_class"] == "support"


def test_catalogue_holds_the_procedure_rule_crews(demo: Path) -> None:
    """The Ministry's crew minimums appear exactly as the brief states them."""
    tasks = {t["task_id"]: t for t in read(demo, "tasks.csv")}
    brief = """
        response_110     led          1S+2A|2S
        patrol           independent  2A|1S+1A
        case_handling    police_only  2S
        questioning      police_only  2S
        intake           led          1S+2A
        mediation        independent  2A|1S+1A
        traffic_post     led          2S|1S+2A  traffic
        night_highway    led          3S|2S+2A  traffic
        detention_watch  led          1S+1A     detention
        duty_desk        police_only  1S
        window           support      1A
        call_taking      support      1A
    """
    expected = {
        task: (duty, crews, *skill)
        for task, duty, crews, *skill in map(str.split, brief.strip().splitlines())
    }
    assert {k: (t["duty_class"], t["crews"], *t["skill"].split()) for k, t in tasks.items()} == expected
    assert max(int(t["priority"]) for t in tasks.values()) == int(tasks["response_110"]["priority"])
    assert tasks["case_handling"]["priority"] == tasks["response_110"]["priority"]


def test_duty24_is_the_township_desk(demo: Path) -> None:
    """The 24-hour shift rests 24 h after and serves only the duty desk, at township stations."""
    shift = {s["shift_id"]: s for s in read(demo, "shifts.csv")}["duty24"]
    assert (shift["start"], float(shift["hours"]), float(shift["rest_after"])) == ("08:00", 24, 24)
    names = {s["station_id"]: s["name"] for s in read(demo, "stations.csv")}
    rows = [r for r in read(demo, "demand.csv") if r["shift_id"] == "duty24"]
    assert rows and all(r["task_id"] == "duty_desk" for r in rows)
    assert {names[r["station_id"]].endswith("Township Station") for r in rows} == {True}


def test_auxiliary_only_crews_always_have_an_officer_on_shift(dataset: Path) -> None:
    """Rule 3: wherever an independent task is demanded, the same shift has an officer's post."""
    tasks = {t["task_id"]: t for t in read(dataset, "tasks.csv")}
    led_cells, indep_cells = set(), set()
    for row in read(dataset, "demand.csv"):
        cell = (row["station_id"], row["weekday"], row["shift_id"])
        task = tasks[row["task_id"]]
        if task["duty_class"] == "independent":
            indep_cells.add(cell)
        elif min_sworn(task["crews"]) > 0:
            led_cells.add(cell)
    assert indep_cells and indep_cells <= led_cells


def test_support_posts_only_on_weekday_office_shifts(dataset: Path) -> None:
    """Window and call-taking are office-hours work from Monday to Friday."""
    tasks = {t["task_id"]: t for t in read(dataset, "tasks.csv")}
    support = [r for r in read(dataset, "demand.csv") if tasks[r["task_id"]]["duty_class"] == "support"]
    assert support
    assert {r["shift_id"] for r in support} == {"office"}
    assert {r["weekday"] for r in support} <= set(WEEKDAYS[:5])


# ----------------------------------------------------------------------------- people and sizing


def test_demo_has_the_stated_stations_and_headcounts(demo: Path) -> None:
    """8 stations of one district: 1 core, 3 urban, 2 suburban, 2 township, in stated ranges."""
    stations = read(demo, "stations.csv")
    assert len(stations) == 8
    assert {s["district"] for s in stations} == {"D01"}
    assert len({s["name"] for s in stations}) == 8
    counts: dict[str, Counter] = defaultdict(Counter)
    for person in read(demo, "staff.csv"):
        counts[person["station_id"]][person["role"]] += 1
    ranges = {  # station -> (sworn, auxiliaries)
        "S01": ((90, 110), (110, 130)),
        **{f"S0{i}": ((30, 40), (40, 60)) for i in (2, 3, 4)},
        **{f"S0{i}": ((15, 25), (20, 35)) for i in (5, 6)},
        **{f"S0{i}": ((5, 15), (15, 20)) for i in (7, 8)},
    }
    for station in stations:
        sid = station["station_id"]
        (s_lo, s_hi), (a_lo, a_hi) = ranges[sid]
        c = counts[sid]
        aux = c["aux_service"] + c["aux_civilian"]
        assert s_lo <= c["sworn"] <= s_hi, sid
        assert a_lo <= aux <= a_hi, sid
        assert 0.2 <= c["aux_civilian"] / aux <= 0.4, sid
        assert aux <= int(station["aux_quota"]) <= aux * 1.2, sid
        assert int(station["population"]) > 0 and float(station["area_km2"]) > 0
    assert stations[0]["name"].endswith("Core Station")
    assert all(s["name"].endswith("Township Station") for s in stations[-2:])


def test_every_fitness_rule_has_a_case(dataset: Path) -> None:
    """Some auxiliaries are disqualified, untrained or lapsed; all sworn are trained and fit."""
    staff = read(dataset, "staff.csv")
    aux = [p for p in staff if p["role"] != "sworn"]
    assert any(p["disqualified"] == "true" for p in aux)
    assert any(p["pre_job_trained"] == "false" for p in aux)
    start = DEFAULT_START.isoformat()
    assert any(p["training_valid_until"] and p["training_valid_until"] < start for p in aux)
    for p in staff:
        if p["role"] == "sworn":
            assert (p["disqualified"], p["pre_job_trained"]) == ("false", "true")
            assert p["training_valid_until"] > start
    assert sum(p["disqualified"] == "true" for p in staff) <= max(1, 0.03 * len(aux))


def test_skilled_posts_have_skilled_people(dataset: Path) -> None:
    """Each skilled crew demanded can find that many skilled, fit officers at its station."""
    tasks = {t["task_id"]: t for t in read(dataset, "tasks.csv")}
    skilled: dict[tuple[str, str], int] = Counter()
    for p in read(dataset, "staff.csv"):
        if p["role"] == "sworn" and p["skills"]:
            for skill in p["skills"].split(";"):
                skilled[(p["station_id"], skill)] += 1
    for row in read(dataset, "demand.csv"):
        skill = tasks[row["task_id"]]["skill"]
        if skill:
            need = int(row["crews"]) * min_sworn(tasks[row["task_id"]]["crews"])
            assert skilled[(row["station_id"], skill)] >= need, row


def _weekly_hours(folder: Path) -> dict[str, dict[str, float]]:
    """Per station: S-slot hours and all-slot hours demanded (crews of the fewest officers),
    and the contract hours of sworn and of all fit people."""
    tasks = {t["task_id"]: t for t in read(folder, "tasks.csv")}
    hours = {s["shift_id"]: float(s["hours"]) for s in read(folder, "shifts.csv")}
    out: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    for row in read(folder, "demand.csv"):
        crews, h = int(row["crews"]), hours[row["shift_id"]]
        task = tasks[row["task_id"]]
        out[row["station_id"]]["sworn_slots"] += crews * h * min_sworn(task["crews"])
        out[row["station_id"]]["all_slots"] += crews * h * smallest(task["crews"]).size
    for p in read(folder, "staff.csv"):
        fit = p["disqualified"] == "false" and p["pre_job_trained"] == "true"
        if fit:
            out[p["station_id"]]["all_capacity"] += float(p["hours_per_week"])
            if p["role"] == "sworn":
                out[p["station_id"]]["sworn_capacity"] += float(p["hours_per_week"])
    return out


def test_demand_fits_the_people(dataset: Path) -> None:
    """S slots stay well below sworn hours; all slots come to about 75-90% of everyone's hours."""
    for sid, h in _weekly_hours(dataset).items():
        assert h["sworn_slots"] <= 0.66 * h["sworn_capacity"], sid
        assert 0.7 <= h["all_slots"] / h["all_capacity"] <= 0.9, sid


def test_demand_has_an_evening_peak_and_busy_weekend_nights(demo: Path) -> None:
    """110 and patrol crews peak in the evening; Friday/Saturday nights outnumber weekday nights."""
    crews: Counter = Counter()
    for row in read(demo, "demand.csv"):
        if row["task_id"] in ("response_110", "patrol"):
            crews[(row["station_id"], row["weekday"], row["shift_id"])] += int(row["crews"])
    core = "S01"
    for day in WEEKDAYS:
        assert crews[(core, day, "evening")] > crews[(core, day, "day")], day
    # The night shift starts at 00:00: Friday night is the shift dated Saturday.
    assert crews[(core, "Sat", "night")] > crews[(core, "Wed", "night")]
    assert crews[(core, "Sun", "night")] > crews[(core, "Wed", "night")]


def test_tiny_is_two_small_stations(tiny: Path) -> None:
    """The tiny size has two stations of about 6 officers and 8 auxiliaries each."""
    staff = read(tiny, "staff.csv")
    assert len(read(tiny, "stations.csv")) == 2
    per_station = Counter((p["station_id"], p["role"] == "sworn") for p in staff)
    for (_, sworn), n in per_station.items():
        assert (5 <= n <= 8) if sworn else (7 <= n <= 10)


@pytest.mark.slow
def test_city_is_about_24000_people(tmp_path: Path) -> None:
    """The city size: ~200 stations over 12 districts, ~24,000 people. (How long it takes is a
    benchmark's figure, not a test's: `benchmarks/city_batch.py` prints `generate_seconds`.)"""
    folder = generate("city", 1, tmp_path)
    stations = read(folder, "stations.csv")
    assert 190 <= len(stations) <= 210
    assert len({s["district"] for s in stations}) == 12
    assert len({s["name"] for s in stations}) == len(stations)
    assert 22_000 <= len(read(folder, "staff.csv")) <= 26_000


# ----------------------------------------------------------------------------- the loader


def test_generated_datasets_load(dataset: Path) -> None:
    """The loader accepts a generated dataset without a single issue."""
    from allocate.io.load import load_dataset

    data = load_dataset(dataset)
    assert len(data.stations) == len(read(dataset, "stations.csv"))
    assert len(data.staff) == len(read(dataset, "staff.csv"))
    assert len(data.demand) == len(read(dataset, "demand.csv"))
    assert all(d.weekday is not None and d.date is None for d in data.demand)
    assert data.shift_by_id["night"].is_night and data.shift_by_id["duty24"].is_night
    assert not data.shift_by_id["evening"].is_night


def test_draw_is_what_generate_writes(tiny: Path) -> None:
    """draw() holds in memory the very dataset that generate() writes and the loader reads back."""
    from allocate.generate import draw
    from allocate.io.load import load_dataset

    drawn, loaded = draw("tiny", 1), load_dataset(tiny)
    assert loaded.replace(source=drawn.source) == drawn
    assert drawn.task_by_id["response_110"].incident_types
