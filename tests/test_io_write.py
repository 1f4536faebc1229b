"""write_dataset: the contract's CSV tables, read back by load_dataset as the very same tables."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from allocate.domain import Absence, Dataset, DemandRow, Request, Station
from allocate.generate import generate
from allocate.io.errors import InputError
from allocate.io.load import load_dataset
from allocate.io.write import write_dataset
from builders import WEEK, dataset, day, need, person, worked
from verify_fixtures import lawful_case

if TYPE_CHECKING:
    from collections.abc import Callable

TABLES = ("stations", "shifts", "tasks", "staff", "demand", "absences", "requests", "history")


def assert_same_tables(loaded: Dataset, original: Dataset) -> None:
    for name in TABLES:
        assert getattr(loaded, name) == getattr(original, name), name
    assert loaded.replace(source=original.source) == original


def builders_full() -> Dataset:
    """A builders dataset with every table and every optional field filled."""
    staff = [
        person("P1", skills=frozenset({"traffic", "driving"}), grade="inspector"),
        person("P2", hours_per_week=37.5),
        person("A1", "aux_service", skills=frozenset({"traffic"}), training_valid_until=day(3)),
        person("A2", "aux_service", pre_job_trained=False),
        person("A3", "aux_service", disqualified=True),
        person("C1", "aux_civilian", station="S2"),
    ]
    demand = [
        need("case"),
        need("traffic", 1, "evening", crews=2),
        need("window", 2, "duty24", station="S2"),
        DemandRow("S1", "night", "resp", 1, weekday=4),
        DemandRow("S1", "day", "patrol", 0, weekday=6),
    ]
    return dataset(
        staff,
        demand,
        stations=(
            Station("S1", "One, the first", "D1", 10_000, area_km2=12.5, aux_quota=3),
            Station("S2", 'Two "quoted"', "D2", 0),
        ),
        absences=(Absence("P2", day(1), day(2), "sick"), Absence("A1", day(0), day(0))),
        requests=(
            Request("P1", day(3), want_on=False),
            Request("A1", day(4), want_on=True, shift_id="night", weight=3),
        ),
        history=(worked("P1", -1, "evening"), worked("P2", -2, "duty24")),
    )


CASES: dict[str, Callable[[], Dataset]] = {
    "builders minimal": lambda: dataset([person("P1")], [need("desk")]),
    "builders full": builders_full,
    "verify fixtures": lambda: lawful_case().dataset,
    "verify fixtures with absence": lambda: lawful_case().dataset.replace(
        absences=(Absence("C1", WEEK.start, WEEK.end, "training"),)
    ),
    "tiny": lambda: load_dataset(Path(__file__).parent / "data" / "tiny"),
}


@pytest.mark.parametrize("make", CASES.values(), ids=CASES.keys())
def test_round_trip(make: Callable[[], Dataset], tmp_path: Path) -> None:
    """load_dataset(write_dataset(ds)) gives back the same tables."""
    original = make()
    folder = write_dataset(original, tmp_path / "data")
    assert folder == tmp_path / "data"
    assert_same_tables(load_dataset(folder), original)


def demand_model_columns() -> Dataset:
    """The optional columns `allocate demand` reads: stations' `urban`, tasks' `incident_types`."""
    base = dataset([person("P1")], [DemandRow("S1", "day", "resp", 1, weekday=0)])
    resp = base.task_by_id["resp"]
    return base.replace(
        stations=(
            base.stations[0],
            Station("S2", "Two", "D1", 0, urban=False),
            Station("S3", "Three", "D1", 5, urban=True),
        ),
        tasks=(
            *[t for t in base.tasks if t is not resp],
            dataclasses.replace(resp, incident_types=("theft", "alarm")),
        ),
    )


def test_demand_model_columns_round_trip(tmp_path: Path) -> None:
    """`urban` and `incident_types` are written (types in their order) and read back."""
    original = demand_model_columns()
    write_dataset(original, tmp_path)
    assert (tmp_path / "stations.csv").read_text().splitlines()[1:] == [
        "S1,One,D1,10000,,,",
        "S2,Two,D1,0,,,false",
        "S3,Three,D1,5,,,true",
    ]
    tasks = (tmp_path / "tasks.csv").read_text().splitlines()
    assert tasks[0].endswith(",priority,incident_types") and tasks[-1].endswith(",4,theft;alarm")
    assert_same_tables(load_dataset(tmp_path), original)


def test_bad_urban_is_bad_input(tmp_path: Path) -> None:
    """`urban` is read as true/false when the dataset loads: another word names file, line and column."""
    write_dataset(demand_model_columns(), tmp_path)
    path = tmp_path / "stations.csv"
    path.write_text(path.read_text().replace(",true", ",maybe"))
    with pytest.raises(InputError) as err:
        load_dataset(tmp_path)
    [issue] = err.value.issues
    assert (Path(issue.file).name, issue.line, issue.column, issue.value) == (
        "stations.csv",
        4,
        "urban",
        "maybe",
    )


def test_unfilled_optional_columns_are_left_out(tmp_path: Path) -> None:
    """Weekly demand has no date column; no urban or incident_types column when no row has one."""
    write_dataset(demand_model_columns().replace(stations=(Station("S1", "One", "D1", 1),)), tmp_path)
    assert (tmp_path / "demand.csv").read_text().splitlines() == [
        "station_id,weekday,shift_id,task_id,crews",
        "S1,Mon,day,resp,1",
    ]
    assert (tmp_path / "stations.csv").read_text().splitlines()[0].endswith(",aux_quota")
    write_dataset(dataset([person("P1")], [need("desk")]), tmp_path)
    assert (tmp_path / "tasks.csv").read_text().splitlines()[0].endswith(",priority")


def test_generated_dataset_written_again_is_the_same(tmp_path: Path) -> None:
    """Loading and writing a generated dataset gives its very files back: nothing is lost."""
    generated = generate("tiny", 5, tmp_path / "gen")
    written = write_dataset(load_dataset(generated), tmp_path / "again")
    tables = sorted(p.name for p in written.glob("*.csv"))
    assert tables == sorted(p.name for p in generated.glob("*.csv") if p.name != "incidents.csv")
    for name in tables:
        assert (written / name).read_bytes() == (generated / name).read_bytes(), name


def test_optional_tables_only_when_non_empty(tmp_path: Path) -> None:
    """Empty absences/requests/history write no file, and a stale one from before is removed."""
    write_dataset(builders_full(), tmp_path)
    assert {p.name for p in tmp_path.glob("*.csv")} == {f"{t}.csv" for t in TABLES}
    minimal = dataset([person("P1")], [need("desk")])
    write_dataset(minimal, tmp_path)
    assert {p.name for p in tmp_path.glob("*.csv")} == {f"{t}.csv" for t in TABLES[:5]}
    assert_same_tables(load_dataset(tmp_path), minimal)


def test_contract_formats(tmp_path: Path) -> None:
    """Cells use ISO dates, HH:MM, true/false, ;-lists, crews text and weekday names Mon..Sun."""
    write_dataset(builders_full(), tmp_path)
    shifts = (tmp_path / "shifts.csv").read_text().splitlines()
    assert shifts[0] == "shift_id,start,hours,rest_after"
    assert "night,00:00,8," in shifts and "duty24,08:00,24,24" in shifts
    tasks = (tmp_path / "tasks.csv").read_text().splitlines()
    assert "resp,110 response,led,1S+2A|2S,,4" in tasks
    staff = (tmp_path / "staff.csv").read_text().splitlines()
    assert staff[1] == "P1,P1,S1,sworn,inspector,driving;traffic,40,true,,false"
    assert "A1,A1,S1,aux_service,,traffic,40,true,2026-12-10,false" in staff
    assert "P2,P2,S1,sworn,,,37.5,true,,false" in staff
    demand = (tmp_path / "demand.csv").read_text().splitlines()
    assert demand[0] == "station_id,date,weekday,shift_id,task_id,crews"
    assert demand[1] == "S1,2026-12-07,,day,case,1"
    assert demand[4:] == ["S1,,Fri,night,resp,1", "S1,,Sun,day,patrol,0"]
    stations = (tmp_path / "stations.csv").read_text().splitlines()
    assert stations[1:] == ['S1,"One, the first",D1,10000,12.5,3', 'S2,"Two ""quoted""",D2,0,,']
    requests = (tmp_path / "requests.csv").read_text().splitlines()
    assert requests[1:] == ["P1,2026-12-10,,off,1", "A1,2026-12-11,night,on,3"]


def test_deterministic_bytes(tmp_path: Path) -> None:
    """The same dataset always gives byte-identical files, whatever the set order of skills."""
    a = write_dataset(builders_full(), tmp_path / "a")
    b = write_dataset(builders_full(), tmp_path / "b")
    for path in sorted(a.glob("*.csv")):
        assert path.read_bytes() == (b / path.name).read_bytes(), path.name


def test_unwritable_skill_is_refused(tmp_path: Path) -> None:
    """A skill holding the list separator could not be read back: ValueError naming it."""
    ds = dataset([person("P1", skills=frozenset({"a;b"}))], [need("desk")])
    with pytest.raises(ValueError, match="'a;b'"):
        write_dataset(ds, tmp_path)


def test_no_temporary_files_left(tmp_path: Path) -> None:
    """Tables are written through temporary files that never stay behind."""
    write_dataset(builders_full(), tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(f"{t}.csv" for t in TABLES)
