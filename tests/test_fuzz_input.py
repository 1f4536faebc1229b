"""Fuzzing the input side: whatever bytes, tables, workbooks or scenarios arrive, `allocate validate`
answers with exit 0 or with exit 2 and a message, never a traceback (exit 1).

Each property writes a dataset (random bytes in one table, random tables built from the
contract's column names and hostile cell values, a random workbook, a random scenario) and runs
the CLI in-process. The budget is bounded for CI (``ALLOCATE_FUZZ_EXAMPLES``, default 40 per
property); the ``ci`` hypothesis profile (when ``CI`` is set) derandomizes it.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from allocate.cli import app
from allocate.contract import TABLE_COLUMNS

DATA = Path(__file__).parent / "data" / "tiny"
EXAMPLES = int(os.environ.get("ALLOCATE_FUZZ_EXAMPLES", "40"))
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
runner = CliRunner()

# Cells a careless or hostile planner types: numbers out of range, special floats, odd dates and
# weekdays, separators, quotes, control characters, line separators, formulas, long text.
HOSTILE = st.sampled_from(
    [
        "",
        " ",
        "0",
        "1",
        "-1",
        "1.5",
        "1e18",
        "1e400",
        "inf",
        "-inf",
        "nan",
        "NaN",
        "1_000",
        "9" * 50,
        "true",
        "false",
        "yes",
        "maybe",
        "Mon",
        "monday",
        "Monday-ish",
        "Sun ",
        "2026-12-07",
        "2026-02-30",
        "0001-01-01",
        "9999-12-31",
        "2026-12-07T10:00",
        "20261207",
        "08:00",
        "24:00",
        "7:5",
        "sworn",
        "aux_service",
        "aux_civilian",
        "police_only",
        "led",
        "independent",
        "support",
        "1S+2A|2S",
        "2A",
        "0S",
        "1S+1A|",
        "T1",
        "P1",
        "day",
        "night",
        "case",
        "resp",
        "patrol",
        "window",
        "on",
        "off",
        '"',
        '""',
        "a,b",
        "a;b",
        "\x00",
        "x\x00y",
        "\u2028",
        "\x85",
        "\r",
        "\n",
        "\t",
        "=1+1",
        "=HYPERLINK(1)",
        "\ufeffT1",
        "é",
        "中文",
        "x" * 300,
    ]
)
CELL = st.one_of(HOSTILE, st.text(max_size=12))
TABLE_NAMES = st.sampled_from(sorted(TABLE_COLUMNS))


def run_validate(target: Path) -> None:
    """The property: exit 0, or exit 2 with a message; anything else fails with the output."""
    result = runner.invoke(app, ["validate", str(target)])
    output = result.output + (result.stderr if result.stderr_bytes else "")
    crashed = result.exception is not None and not isinstance(result.exception, SystemExit)
    assert not crashed, f"traceback: {result.exception!r}\n{output}"
    assert result.exit_code in (0, 2), f"exit {result.exit_code}\n{output}"
    if result.exit_code == 2:
        assert "expected" in output or "Usage" in output or "Error" in output, output


def dataset(tmp: Path) -> Path:
    folder = tmp / "ds"
    shutil.copytree(DATA, folder)
    return folder


@FUZZ
@given(table=TABLE_NAMES, content=st.binary(max_size=400))
def test_random_bytes_in_a_table(table, content):
    """Any bytes as one table of an otherwise good dataset."""
    with tempfile.TemporaryDirectory() as tmp:
        folder = dataset(Path(tmp))
        (folder / f"{table}.csv").write_bytes(content)
        run_validate(folder)


@st.composite
def tables(draw):
    """A table with a header from the contract's columns (some repeated, some odd) and random rows."""
    name = draw(TABLE_NAMES)
    known = list(TABLE_COLUMNS[name])
    header = draw(
        st.lists(st.one_of(st.sampled_from(known), HOSTILE, st.sampled_from(["Name", " role ", "disqualifed"])),
                 min_size=1, max_size=len(known) + 2)
    )  # fmt: skip
    rows = draw(st.lists(st.lists(CELL, min_size=0, max_size=len(header) + 1), max_size=6))
    return name, header, rows


def _csv_text(header: list[str], rows: list[list[str]], quote: bool) -> str:
    import csv
    import io

    out = io.StringIO()
    if quote:
        csv.writer(out, lineterminator="\n").writerows([header, *rows])
        return out.getvalue()
    return "\n".join(",".join(r) for r in [header, *rows]) + "\n"


@FUZZ
@given(table=tables(), quote=st.booleans())
def test_random_tables(table, quote):
    """Random headers and hostile values, written by a CSV writer or naively joined with commas."""
    name, header, rows = table
    with tempfile.TemporaryDirectory() as tmp:
        folder = dataset(Path(tmp))
        (folder / f"{name}.csv").write_text(_csv_text(header, rows, quote), encoding="utf-8")
        run_validate(folder)


WORKBOOK_VALUE = st.one_of(
    CELL.filter(lambda s: not any(ord(c) < 32 for c in s)),
    st.integers(min_value=-(2**40), max_value=2**40),
    st.floats(allow_nan=False, allow_infinity=False),
    st.booleans(),
    st.dates(),
    st.times(),
    st.none(),
    st.sampled_from(["=1+1", "=A1", "=1/0", "=SUM(A:A)"]),
)


@FUZZ
@given(
    sheets=st.lists(
        st.tuples(
            st.sampled_from([*TABLE_COLUMNS, "Staff.csv", "STAFF", "notes"]),
            st.lists(st.lists(WORKBOOK_VALUE, max_size=8), max_size=5),
        ),
        min_size=1,
        max_size=6,
    ),
    use_header=st.booleans(),
)
def test_random_workbooks(sheets, use_header):
    """Random sheets (contract names, clashing names, typed cells, formulas never calculated)."""
    from openpyxl import Workbook

    book = Workbook()
    book.remove(book.active)
    for title, rows in sheets:
        if title in book.sheetnames:
            continue
        ws = book.create_sheet(title)
        base = title.lower().removesuffix(".csv")
        if use_header and base in TABLE_COLUMNS:
            ws.append(list(TABLE_COLUMNS[base]))
        for row in rows:
            ws.append(row)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "book.xlsx"
        book.save(path)
        run_validate(path)


SCENARIO_VALUE = st.one_of(
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(),
    st.sampled_from(
        ['"Mon"', '"Monday-ish"', '"T1"', '"case"', '"day"', "2026-12-07", "9999-12-31", "[]", '["x"]']
    ),
)
CHANGE = st.fixed_dictionaries(
    {"kind": st.sampled_from(['"scale_demand"', '"add_crews"', '"remove_crews"', '"absence"', '"headcount"',
                              '"quota"', '"lending"', '"nonsense"'])},
    optional={
        k: SCENARIO_VALUE
        for k in ("factor", "crews", "count", "add", "remove", "set", "scale", "station", "tasks", "shifts",
                  "weekdays", "date_from", "date_to", "enabled", "role", "person_ids")
    },
)  # fmt: skip


def _toml_value(value: object) -> str:
    if isinstance(value, float):
        return (
            "nan"
            if value != value
            else ("inf" if value == float("inf") else "-inf" if value == float("-inf") else repr(value))
        )
    return str(value)


@FUZZ
@given(
    start=st.sampled_from(["2026-12-07", "1900-01-01", "9999-12-31", "0001-01-01"]),
    days=SCENARIO_VALUE,
    solver=st.dictionaries(st.sampled_from(["time_limit", "seed", "workers"]), SCENARIO_VALUE, max_size=3),
    params=st.dictionaries(st.sampled_from(["relative_gap_limit", "max_time_in_seconds", "num_workers",
                                            "log_search_progress", "no_such_param"]), SCENARIO_VALUE, max_size=2),
    policy=st.dictionaries(st.sampled_from(["lending", "weights.uncovered", "sworn.min_rest_hours"]),
                           SCENARIO_VALUE, max_size=2),
    changes=st.lists(CHANGE, max_size=3),
    dataset_path=st.sampled_from(["ds", "missing", "ds/staff.csv", "../../../../etc", "\\u0000"]),
)  # fmt: skip
def test_random_scenarios(start, days, solver, params, policy, changes, dataset_path):
    """Random scenario files: any keys, huge or special numbers, odd dates and paths."""
    lines = [f'dataset = "{dataset_path}"', "[horizon]", f"start = {start}", f"days = {_toml_value(days)}"]
    if policy:
        lines.append("[policy]")
        lines += [f"{k} = {_toml_value(v)}" for k, v in policy.items()]
    lines.append("[solver]")
    lines += [f"{k} = {_toml_value(v)}" for k, v in solver.items()]
    if params:
        lines.append("[solver.params]")
        lines += [f"{k} = {_toml_value(v)}" for k, v in params.items()]
    for change in changes:
        lines.append("[[changes]]")
        lines += [f"{k} = {_toml_value(v)}" for k, v in change.items()]
    with tempfile.TemporaryDirectory() as tmp:
        dataset(Path(tmp))
        toml = Path(tmp) / "what.toml"
        toml.write_text("\n".join(lines) + "\n", encoding="utf-8")
        run_validate(toml)
