"""report.html in a real headless Chromium, roster.xlsx read back, and `allocate report` rebuilding both."""

from __future__ import annotations

import base64
import datetime as dt
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import load_workbook

from allocate.domain import Horizon
from allocate.io.load import load_dataset
from allocate.outfolder import MARKER
from allocate.output import write_result
from allocate.report import report_writer, write_report
from allocate.report.workbook import sheet_names
from allocate.solve import solve

CHROMIUM, CHROMEDRIVER = Path("/usr/bin/chromium"), Path("/usr/bin/chromedriver")
IN_CI = os.environ.get("CI", "").lower() not in ("", "0", "false")
KPI_IDS = {
    "kpi-status": lambda s: s["status"],
    "kpi-uncovered": lambda s: s["uncovered_crews"],
    "kpi-crews-staffed": lambda s: s["counts"]["crews_staffed"],
    "kpi-overtime": lambda s: s["overtime_hours"],
    "kpi-verifier": lambda s: s["verifier"]["violations"],
    "kpi-people-assigned": lambda s: s["counts"]["people_assigned"],
    "kpi-flagged": lambda s: len({f["person_id"] for f in s["flagged_people"]}),
    "kpi-wall-seconds": lambda s: s["wall_seconds"],
    "kpi-soft-gap": lambda s: s["soft_gap"],
    "kpi-coverage-proven": lambda s: s["uncovered_proven_minimal"],
}
STRESS = {
    # A name that must be escaped, two people held back by rule 5, more crews than the station can staff.
    "stations.csv": 'station_id,name,district,population,area_km2,aux_quota\nT1,"Tiny <One> & ""Co""",D1,20000,12.5,4\n',
    "staff.csv+": "X1,Bad Apple,T1,aux_service,,,40,true,2027-12-31,true\nX2,New Hire,T1,aux_service,,,40,false,,false\n",
    "demand.csv+": "T1,Sat,night,resp,4\n",
}


def _solve_and_write(data: Path, out: Path, *, with_report: bool) -> Path:
    dataset = load_dataset(data)
    result = solve(dataset, Horizon(dt.date(2026, 12, 7), 7), time_limit=20, workers=1, seed=0)
    extra = {"report": report_writer(result)} if with_report else None
    return write_result(result, out, extra=extra)


@pytest.fixture(scope="session")
def tiny_out(tmp_path_factory, tiny_folder) -> Path:
    """The tiny dataset solved for real, report written by the solve's own writer."""
    return _solve_and_write(tiny_folder, tmp_path_factory.mktemp("tiny") / "out", with_report=True)


@pytest.fixture(scope="session")
def stressed_out(tmp_path_factory, tiny_folder) -> Path:
    """Tiny plus uncovered crews, flagged people and an HTML-hostile name; report rebuilt from files."""
    base = tmp_path_factory.mktemp("stressed")
    data = base / "data"
    shutil.copytree(tiny_folder, data)
    for name, text in STRESS.items():
        path = data / name.rstrip("+")
        if name.endswith("+"):
            path.write_text(path.read_text() + text)
        else:
            path.write_text(text)
    out = _solve_and_write(data, base / "out", with_report=False)
    write_report(out)
    return out


@pytest.fixture(params=["tiny", "stressed"])
def out_folder(request) -> Path:
    return request.getfixturevalue(f"{request.param}_out")


def _summary(out: Path) -> dict:
    return json.loads((out / "summary.json").read_text())


def _roster(out: Path) -> pd.DataFrame:
    return pd.read_csv(out / "roster.csv", dtype=str, keep_default_na=False)


@pytest.fixture(scope="module")
def browser():
    """A real headless Chromium driven by selenium (skipped only off CI when Chromium is absent)."""
    if not (CHROMIUM.exists() and CHROMEDRIVER.exists()):
        if IN_CI:
            pytest.fail(
                "Chromium is missing in CI: `make test` runs scripts/ensure-chromium.sh to install it"
            )
        pytest.skip("no /usr/bin/chromium or /usr/bin/chromedriver: run scripts/ensure-chromium.sh")
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    os.environ.setdefault("SE_OFFLINE", "true")  # never let Selenium Manager fetch a browser
    profile = tempfile.mkdtemp(prefix="allocate-chromium-")
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in (
        "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        f"--user-data-dir={profile}", "--window-size=1366,900",
    ):  # fmt: skip
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=options)
    try:
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


def test_solve_writes_report_and_workbook(tiny_out):
    """A solve with the report writer leaves report.html and roster.xlsx beside the contract, no temp files."""
    assert (tiny_out / "report.html").stat().st_size > 1000
    assert (tiny_out / "roster.xlsx").stat().st_size > 1000
    assert [p.name for p in tiny_out.iterdir() if p.name.startswith(".")] == [MARKER]
    assert not list(tiny_out.parent.glob(".*partial"))


def test_report_renders_in_chromium_with_the_summary_figures(browser, out_folder, tmp_path):
    """report.html renders in headless Chromium without console errors and shows summary.json's figures."""
    from selenium.webdriver.common.by import By

    summary = _summary(out_folder)
    browser.get((out_folder / "report.html").resolve().as_uri())
    errors = [e for e in browser.get_log("browser") if e["level"] == "SEVERE"]
    assert errors == []
    assert browser.execute_script("return document.readyState") == "complete"

    for ident, expected in KPI_IDS.items():
        element = browser.find_element(By.ID, ident)
        assert json.loads(element.get_attribute("data-value")) == expected(summary), ident
    text = {ident: browser.find_element(By.ID, ident).text for ident in KPI_IDS}
    assert text["kpi-status"] == summary["status"]
    assert int(text["kpi-uncovered"].replace(",", "")) == summary["uncovered_crews"]
    assert int(text["kpi-crews-staffed"].replace(",", "")) == summary["counts"]["crews_staffed"]
    assert text["kpi-overtime"] == f"{summary['overtime_hours']:g} h"
    assert text["kpi-verifier"] == "0 violations"
    assert text["kpi-wall-seconds"] == f"{summary['wall_seconds']:.1f} s"

    # The heatmap's cells add up to the uncovered crews; every crew is on a duty sheet.
    cells = browser.find_elements(By.CSS_SELECTOR, "#heatmap rect.cell")
    assert sum(int(c.get_attribute("data-shortfall")) for c in cells) == summary["uncovered_crews"]
    crews = browser.find_elements(By.CSS_SELECTOR, "#duty tr[data-crew]")
    assert {c.get_attribute("data-crew") for c in crews} == set(_roster(out_folder)["crew_id"])
    rows = browser.find_elements(By.CSS_SELECTOR, "#uncovered-posts tbody tr")
    assert len(rows) == len(summary["uncovered_posts"])
    flagged = browser.find_elements(By.CSS_SELECTOR, "#flagged-table tbody tr")
    assert len(flagged) == len(summary["flagged_people"])

    # The script works: collapse and expand every section.
    browser.find_element(By.ID, "collapse-all").click()
    assert browser.execute_script("return document.querySelectorAll('details[open]').length") == 0
    browser.find_element(By.ID, "expand-all").click()
    assert browser.execute_script("return document.querySelectorAll('details:not([open])').length") == 0
    assert [e for e in browser.get_log("browser") if e["level"] == "SEVERE"] == []

    shot = tmp_path / f"report-{out_folder.parent.name}.png"
    assert browser.save_screenshot(str(shot))
    print(f"screenshot: {shot}")
    pdf = tmp_path / "report.pdf"
    pdf.write_bytes(base64.b64decode(browser.print_page()))
    assert pdf.read_bytes().startswith(b"%PDF")
    print(f"printed: {pdf}")


def test_stressed_report_escapes_names_and_lists_reasons(stressed_out):
    """Names are escaped, uncovered crews come with reasons, flagged people with why."""
    summary = _summary(stressed_out)
    assert summary["uncovered_crews"] > 0
    assert {f["person_id"] for f in summary["flagged_people"]} == {"X1", "X2"}
    page = (stressed_out / "report.html").read_text(encoding="utf-8")
    assert "<One>" not in page
    assert "Tiny &lt;One&gt; &amp; &#34;Co&#34;" in page
    reasons = pd.read_csv(stressed_out / "uncovered.csv", keep_default_na=False)
    for reason in set(reasons["reason"]):
        assert reason in page
    assert "disqualified" in page and "no pre-job training" in page


def test_workbook_matches_roster(out_folder):
    """Every roster row sits in its station sheet's person x date cell; crews and coverage sheets match."""
    roster = _roster(out_folder)
    coverage = pd.read_csv(out_folder / "coverage.csv", dtype={"date": str, "station_id": str})
    dataset = load_dataset(_summary(out_folder)["dataset"])
    tasks = {t.task_id: t.name for t in dataset.tasks}
    wb = load_workbook(out_folder / "roster.xlsx")
    assert wb.sheetnames[:3] == ["Summary", "Coverage", "Crews"]

    names = sheet_names(sorted(set(coverage["station_id"]) | set(roster["station_id"])))
    grids = {}
    for station, sheet in names.items():
        ws = wb[sheet]
        assert ws.freeze_panes == "D3"
        header = [c.value for c in ws[2]]
        cols = {v.date().isoformat(): i + 1 for i, v in enumerate(header) if isinstance(v, dt.datetime)}
        rows = {ws.cell(row=r, column=1).value: r for r in range(3, ws.max_row + 1)}
        grids[station] = (ws, cols, rows)
    for r in roster.itertuples(index=False):
        ws, cols, rows = grids[r.station_id]
        cell = ws.cell(row=rows[r.person_id], column=cols[r.date]).value
        assert cell is not None and f"{r.shift_id} · {tasks[r.task_id]}" in cell.splitlines()[0], (r, cell)
    filled = sum(
        1
        for ws, cols, rows in grids.values()
        for row in rows.values()
        for col in cols.values()
        if (v := ws.cell(row=row, column=col).value) and " · " in v
    )
    assert filled == len(roster)  # one shift a day: one cell per roster row, none invented

    crews = pd.DataFrame(wb["Crews"].values)
    crews = crews.rename(columns=crews.iloc[0]).iloc[1:]
    assert len(crews) == roster["crew_id"].nunique()
    assert set(crews["crew_id"]) == set(roster["crew_id"])
    assert wb["Crews"].freeze_panes == "A2"

    cov = pd.DataFrame(wb["Coverage"].values)
    cov = cov.rename(columns=cov.iloc[0]).iloc[1:]
    assert len(cov) == len(coverage)
    keys = ["date", "station_id", "shift_id", "task_id"]
    merged = coverage.merge(cov, on=keys, suffixes=("", "_xlsx"))
    assert len(merged) == len(coverage)
    for col in ("crews_required", "crews_staffed", "shortfall"):
        assert (merged[col] == merged[f"{col}_xlsx"].astype(int)).all(), col

    summary = dict(
        (k, v) for k, v, *_ in wb["Summary"].iter_rows(min_row=2, max_col=2, values_only=True) if k
    )
    assert summary["uncovered crews"] == _summary(out_folder)["uncovered_crews"]
    assert summary["status"] == _summary(out_folder)["status"]


def test_report_command_rebuilds_both(tiny_out, tmp_path):
    """`allocate report OUT` rebuilds report.html and roster.xlsx from the folder's files."""
    out = tmp_path / "out"
    shutil.copytree(tiny_out, out)
    (out / "report.html").unlink()
    (out / "roster.xlsx").unlink()
    p = subprocess.run(
        [sys.executable, "-m", "allocate", "report", str(out)], capture_output=True, text=True, timeout=120
    )
    assert p.returncode == 0, p.stderr
    assert (out / "report.html").exists() and (out / "roster.xlsx").exists()
    # The same folder gives the same page.
    assert (out / "report.html").read_text() == (tiny_out / "report.html").read_text()


def test_report_command_bad_folder_exits_2(tmp_path, tiny_out):
    """A folder that is not an output folder, or a dataset that does not load, exits 2."""
    from typer.testing import CliRunner

    from allocate.cli import app

    runner = CliRunner()
    p = runner.invoke(app, ["report", str(tmp_path)])
    # the console wraps a long temporary path anywhere, the file name included
    assert p.exit_code == 2 and "summary.json" in p.output.replace("\n", "")
    out = tmp_path / "out"
    shutil.copytree(tiny_out, out)
    p = runner.invoke(app, ["report", str(out), "--data", str(tmp_path / "nope")])
    assert p.exit_code == 2, p.output


def test_report_without_the_dataset_shows_ids(tiny_out, tmp_path):
    """When the recorded dataset is gone, the report is still written, with ids and a note."""
    out = tmp_path / "out"
    shutil.copytree(tiny_out, out)
    summary = _summary(out)
    summary["dataset"] = str(tmp_path / "moved-away")
    (out / "summary.json").write_text(json.dumps(summary))
    html, xlsx = write_report(out)
    page = html.read_text()
    assert "not found: ids are shown instead of names" in page
    assert "Officer One" not in page
    assert load_workbook(xlsx)["T1"].cell(row=3, column=2).value == "P1"  # the name column falls back to ids


def test_failed_write_keeps_the_previous_report(tiny_out, tmp_path, monkeypatch):
    """A workbook write that fails half-way leaves the previous roster.xlsx and no temp file behind."""
    import allocate.report.workbook as workbook

    out = tmp_path / "out"
    shutil.copytree(tiny_out, out)
    before = (out / "roster.xlsx").read_bytes()

    def broken(data, path):
        Path(path).write_bytes(b"half")
        raise OSError("disk full")

    monkeypatch.setattr(workbook, "write_workbook", broken)
    with pytest.raises(OSError, match="disk full"):
        write_report(out)
    assert (out / "roster.xlsx").read_bytes() == before
    assert [p.name for p in out.iterdir() if p.name.startswith(".")] == [MARKER]


def test_report_of_a_run_without_a_roster(tiny_out, tmp_path):
    """A run that found no roster (time limit, infeasible) still gets a report showing every crew short."""
    out = tmp_path / "out"
    shutil.copytree(tiny_out, out)
    header = (out / "roster.csv").read_text().splitlines()[0]
    (out / "roster.csv").write_text(header + "\n")
    cov = pd.read_csv(out / "coverage.csv", dtype=str)
    cov["crews_staffed"], cov["shortfall"] = "0", cov["crews_required"]
    cov.to_csv(out / "coverage.csv", index=False)
    summary = _summary(out)
    summary.update(status="UNKNOWN", objective=None, best_bound=None, gap=None)
    summary["uncovered_crews"] = int(cov["shortfall"].astype(int).sum())
    (out / "summary.json").write_text(json.dumps(summary))
    html, xlsx = write_report(out)
    page = html.read_text()
    assert 'id="kpi-status" data-value="&#34;UNKNOWN&#34;"' in page
    assert f'data-shortfall="{cov["shortfall"].astype(int).max()}"' in page
    wb = load_workbook(xlsx)
    assert wb["Crews"].max_row == 1
    assert wb["Coverage"].max_row == len(cov) + 1


@pytest.fixture(scope="module")
def zh_out(tmp_path_factory, tiny_folder) -> Path:
    """The tiny dataset with a local holiday, its report and workbook written in Chinese."""
    from allocate.i18n import set_language

    base = tmp_path_factory.mktemp("zh")
    data = base / "data"
    shutil.copytree(tiny_folder, data)
    (data / "holidays.csv").write_text("date,name,kind\n2026-12-09,局庆日,holiday\n", encoding="utf-8")
    set_language("zh")
    try:
        return _solve_and_write(data, base / "out", with_report=True)
    finally:
        set_language("en")


# Draws each character with the page's own font stack and returns its pixels: with a CJK font the
# three characters differ; without one each is the same empty box (tofu) or nothing at all.
GLYPHS_JS = """
const family = getComputedStyle(document.querySelector('#duty h2')).fontFamily;
function pixels(ch) {
  const c = document.createElement('canvas'); c.width = 48; c.height = 48;
  const g = c.getContext('2d'); g.font = '40px ' + family; g.fillText(ch, 2, 40);
  const data = g.getImageData(0, 0, 48, 48).data;
  let inked = 0; for (let i = 3; i < data.length; i += 4) { if (data[i] > 0) inked++; }
  return [Array.from(data).join(','), inked];
}
return ['勤', '务', '表', String.fromCodePoint(0x10FFFD)].map(pixels);
"""


def test_chinese_report_renders_its_text_in_chromium(browser, zh_out, tmp_path):
    """The zh report renders in Chromium with real CJK glyphs (not tofu boxes) and Chinese headings."""
    from selenium.webdriver.common.by import By

    browser.get((zh_out / "report.html").resolve().as_uri())
    assert [e for e in browser.get_log("browser") if e["level"] == "SEVERE"] == []
    assert browser.execute_script("return document.documentElement.lang") == "zh"
    assert browser.find_element(By.CSS_SELECTOR, "#duty h2").text == "值班表"
    assert browser.find_element(By.CSS_SELECTOR, "#uncovered h2").text.startswith("未配齐勤务组")
    badges = [b.text for b in browser.find_elements(By.CSS_SELECTOR, "#duty .badge.holiday")]
    assert badges and all(b == "局庆日 · 法定节假日" for b in badges)
    (qin, inked_qin), (wu, inked_wu), (biao, inked_biao), (tofu, _) = browser.execute_script(GLYPHS_JS)
    assert min(inked_qin, inked_wu, inked_biao) > 40, "CJK characters drew no ink: no CJK font"
    assert len({qin, wu, biao, tofu}) == 4, "CJK characters drew the same box: install fonts-noto-cjk"
    # A CJK glyph is about as wide as it is tall; a missing one falls back to a narrow box.
    width = browser.execute_script(
        "const s = document.createElement('span'); s.textContent = '勤务表勤务表';"
        "document.querySelector('#duty h2').appendChild(s); const w = s.getBoundingClientRect();"
        "s.remove(); return [w.width, w.height];"
    )
    assert width[0] > 4 * width[1] * 0.8
    shot = tmp_path / "report-zh.png"
    assert browser.save_screenshot(str(shot))
    print(f"screenshot: {shot}")
