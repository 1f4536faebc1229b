"""Chinese output: `--lang zh` or ALLOCATE_LANG=zh for the report, workbook, summary and input errors."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from typing import TYPE_CHECKING

import pytest
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po
from openpyxl import load_workbook

from allocate.i18n import LOCALE_DIR, resolve, set_language
from allocate.io.errors import InputIssue

if TYPE_CHECKING:
    from pathlib import Path

CATALOG = LOCALE_DIR / "zh" / "LC_MESSAGES"


def run(*args: object, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    """`python -m allocate` in a subprocess, in English unless `env` says otherwise."""
    full = {k: v for k, v in os.environ.items() if k != "ALLOCATE_LANG"}
    full.update({"COLUMNS": "200", **(env or {})})
    return subprocess.run(
        [sys.executable, "-m", "allocate", *map(str, args)],
        capture_output=True,
        text=True,
        env=full,
        timeout=300,
    )


@pytest.fixture
def holiday_data(tmp_path: Path, tiny_folder: Path) -> Path:
    """The tiny dataset with a local holiday on Wednesday 9 December 2026."""
    data = tmp_path / "data"
    shutil.copytree(tiny_folder, data)
    (data / "holidays.csv").write_text("date,name,kind\n2026-12-09,局庆日,holiday\n", encoding="utf-8")
    return data


@pytest.fixture(autouse=True)
def english_after():
    """Each test leaves the process in English, the default."""
    yield
    set_language("en")


def test_solve_in_chinese_writes_a_chinese_summary_report_and_workbook(holiday_data, tmp_path):
    """`allocate solve ... --lang zh`: summary, report and workbook speak Chinese and mark the holiday."""
    out = tmp_path / "out"
    p = run(
        "solve", holiday_data, "--start", "2026-12-07", "--out", out, "--time-limit", "10", "--lang", "zh"
    )
    assert p.returncode == 0, p.stderr
    assert "allocate：摘要" in p.stderr and "未配齐勤务组" in p.stderr and "独立校验" in p.stderr
    assert "uncovered crews" not in p.stderr
    html = (out / "report.html").read_text(encoding="utf-8")
    assert '<html lang="zh">' in html
    for words in (
        "值班表",
        "未配齐勤务组",
        "带班民警",
        "民警",
        "勤务辅警",
        "局庆日",
        "法定节假日",
        "2026年12月9日 周三",
    ):
        assert words in html, words
    assert "Duty sheets" not in html and "Uncovered crews" not in html
    book = load_workbook(out / "roster.xlsx")
    assert book.sheetnames[:3] == ["摘要", "覆盖", "勤务组"]
    assert [c.value for c in book["覆盖"][1]][:3] == ["日期", "派出所编号", "派出所"]
    assert book["摘要"]["A2"].value == "状态"
    station = book[book.sheetnames[3]]
    headers = [c.value for c in station[2]]
    assert headers[:3] == ["人员编号", "姓名", "身份"] and "休息日班次" in headers


def test_english_stays_the_default(holiday_data, tmp_path):
    """Without --lang or ALLOCATE_LANG the output is in English, the holiday still marked."""
    out = tmp_path / "out"
    p = run("solve", holiday_data, "--start", "2026-12-07", "--out", out, "--time-limit", "10")
    assert p.returncode == 0, p.stderr
    assert "allocate: summary" in p.stderr and "摘要" not in p.stderr
    html = (out / "report.html").read_text(encoding="utf-8")
    assert '<html lang="en">' in html and "Duty sheets" in html and "局庆日 · holiday" in html
    assert load_workbook(out / "roster.xlsx").sheetnames[:3] == ["Summary", "Coverage", "Crews"]


def test_input_errors_in_chinese_from_the_environment(holiday_data):
    """ALLOCATE_LANG=zh: a bad holidays.csv row is named in Chinese, exit 2."""
    (holiday_data / "holidays.csv").write_text(
        "date,name,kind\n2026-12-09,局庆日,vacation\n", encoding="utf-8"
    )
    p = run("validate", holiday_data, env={"ALLOCATE_LANG": "zh"})
    assert p.returncode == 2
    assert "输入数据有误" in p.stderr
    assert (
        "holidays.csv 第 2 行，kind 列：实际为 'vacation'；应为 以下之一：'holiday' 或 'workday'" in p.stderr
    )


def test_unknown_language_is_refused(holiday_data):
    """`--lang fr` is a usage error naming the languages there are."""
    p = run("validate", holiday_data, "--lang", "fr")
    assert p.returncode == 2 and "en, zh" in p.stderr


def test_language_names_and_issue_text():
    """zh_CN and zh-CN mean zh; an issue is rendered in the language set, then back in English."""
    assert resolve("zh_CN.UTF-8") == "zh" == resolve("zh-CN") and resolve(None) in ("en", "zh")
    issue = InputIssue("staff.csv", 3, "role", "swron", "a whole number")
    set_language("zh")
    assert str(issue) == "staff.csv 第 3 行，role 列：实际为 'swron'；应为 整数"
    set_language("en")
    assert str(issue) == "staff.csv line 3, column role: got 'swron'; expected a whole number"


def test_catalog_is_complete_and_compiled():
    """Every message has a Chinese translation, none fuzzy, and the shipped .mo matches the .po."""
    with (CATALOG / "allocate.po").open("rb") as f:
        po = read_po(f)
    with (CATALOG / "allocate.mo").open("rb") as f:
        mo = read_mo(f)
    entries = [m for m in po if m.id]
    assert len(entries) > 200
    assert [m.id for m in entries if not m.string or "fuzzy" in m.flags] == []

    def plain(value: object) -> object:
        return tuple(value) if isinstance(value, list | tuple) else value

    compiled = {plain(m.id): plain(m.string) for m in mo if m.id}
    assert {plain(m.id): plain(m.string) for m in entries} == compiled
    roles = {m.id: m.string for m in entries}
    assert (roles["sworn officer"], roles["service auxiliary"], roles["civilian auxiliary"]) == (
        "民警",
        "勤务辅警",
        "文职辅警",
    )
    assert roles["Lead"] == "带班民警"
