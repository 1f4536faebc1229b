"""Chinese output: `--lang zh` or ALLOCATE_LANG=zh for the report, workbook, summary and input errors."""

from __future__ import annotations

import datetime as dt
import gettext
import importlib
import json
import os
import pickle
import pkgutil
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Literal

import pandas as pd
import pytest
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po
from openpyxl import load_workbook
from rich.console import Console
from typer.testing import CliRunner

from allocate.cli import app
from allocate.i18n import L_, LOCALE_DIR, localize, resolve, set_language
from allocate.io.errors import InputIssue, issues_from_pydantic
from batch_helpers import W1
from batch_helpers import tiny as batch_tiny
from demand_helpers import MONDAY, TINY, incident, tiny_with_types, write_log

if TYPE_CHECKING:
    from click.testing import Result

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


# --- every command family under --lang zh (in-process, on the tiny dataset) -----------------------


def literal(message: str) -> str:
    """The longest piece of a message between its %(name)s placeholders: what output must show."""
    return max(re.split(r"%\(\w+\)[sr]", message), key=len).strip(" ,.:;()")


def assert_chinese(output: str, *msgids: str) -> None:
    """Each message shows its Chinese text, never its English one."""
    zh = gettext.translation("allocate", localedir=LOCALE_DIR, languages=["zh"])
    for msgid in msgids:
        text = zh.gettext(msgid)
        assert text != msgid, f"no translation for {msgid!r}"
        assert literal(text) in output, (literal(text), output)
        assert literal(msgid) not in output, (literal(msgid), output)


@pytest.fixture(autouse=True)
def wide_consoles(monkeypatch):
    """Rich consoles of the CLI as wide as a log line, so that no message wraps inside a table."""
    import allocate.cli
    import allocate.commands

    for info in pkgutil.iter_modules(allocate.commands.__path__):
        module = importlib.import_module(f"allocate.commands.{info.name}")
        for name in ("err", "out"):
            if isinstance(getattr(module, name, None), Console):
                monkeypatch.setattr(getattr(module, name), "width", 250)
    monkeypatch.setattr(allocate.cli.err, "width", 250)


def zh(*args: object) -> Result:
    """`allocate --lang zh ARGS` in this process."""
    return CliRunner().invoke(app, ["--lang", "zh", *map(str, args)])


@pytest.fixture(scope="module")
def published(tmp_path_factory) -> Path:
    """The tiny dataset's week solved once, in English, for the commands that read an output folder."""
    out = tmp_path_factory.mktemp("i18n") / "pub"
    result = CliRunner().invoke(
        app,
        [
            "solve",
            str(TINY),
            "--start",
            "2026-12-07",
            "--out",
            str(out),
            "--time-limit",
            "10",
            "-q",
        ],
    )
    assert result.exit_code == 0, result.output
    return out


def test_validate_and_verify_in_chinese(tiny_folder, published):
    """`validate` counts the tables and `verify` gives its verdict in Chinese."""
    res = zh("validate", tiny_folder)
    assert res.exit_code == 0, res.output
    assert_chinese(
        res.output,
        "%(stations)s stations, %(people)s people, %(tasks)s tasks, %(shifts)s shifts, %(demand)s demand "
        "rows, %(absences)s absences, %(requests)s requests, %(history)s history rows; horizon %(start)s "
        "+ %(days)s days",
    )
    res = zh("verify", tiny_folder, published)
    assert res.exit_code == 0, res.output
    assert_chinese(
        res.output, "Verification passed: no violation (%(checked)s checked).", "crews", "history rows"
    )


def test_replan_swap_and_cover_in_chinese(tiny_folder, published, tmp_path):
    """`replan` sums up its changes, `swap` judges the exchange and `cover` lists people, in Chinese."""
    res = zh("replan", tiny_folder, "--published", published, "--from", "2026-12-09", "--out", tmp_path / "new",
             "--time-limit", "10", "-q")  # fmt: skip
    assert res.exit_code == 0, res.output
    assert_chinese(
        res.output,
        "re-planned from %(from)s: %(frozen_assignments)s assignments frozen, %(changes)s changes (%(added)s "
        "added, %(removed)s removed)",
        "allocate: summary",
    )
    roster = pd.read_csv(published / "roster.csv", dtype=str)
    a, b = roster.iloc[0], roster[roster["person_id"] != roster.iloc[0]["person_id"]].iloc[-1]
    res = zh("swap", tiny_folder, published, a.person_id, a.date, b.person_id, b.date)
    assert res.exit_code in (0, 1), res.output
    if res.exit_code:
        assert_chinese(res.output, "Not lawful", "the swap breaks %(n)s rule(s):")
    else:
        assert_chinese(
            res.output, "%(a)s takes %(b)s's duty on %(date_b)s, %(b)s takes %(a)s's on %(date_a)s."
        )
    res = zh("cover", tiny_folder, published, "--post", "T1,2026-12-08,day,case")
    assert res.exit_code == 0, res.output
    assert_chinese(
        res.output, "Who can cover %(post)s (%(n)s eligible and free)", "Left out (%(n)s)", "rest before h"
    )
    # the rule that leaves an auxiliary out, and the roles, in Chinese (the details stay the verifier's)
    assert_chinese(res.output, "no auxiliary on a police_only task (rule 1)")
    assert "│ 民警" in res.output


def test_size_and_compare_in_chinese(tiny_folder, tmp_path):
    """`size` prints its table and district line, `compare` its measures, in Chinese."""
    res = zh("size", tiny_folder, "--out", tmp_path / "sizing", "--weeks", "1", "--time-limit", "10")
    assert res.exit_code == 0, res.output
    assert_chinese(
        res.output,
        "auxiliary sizing over %(weeks)s week(s) (%(seconds)s s)",
        "binding reason",
        "district: current %(district_current)s, minimum %(district_minimum)s, quota %(quota)s",
    )
    assert "勤务辅警" in res.output
    toml = tmp_path / "tiny.toml"
    toml.write_text(f'dataset = "{tiny_folder.resolve()}"\n[horizon]\nstart = 2026-12-07\ndays = 7\n')
    res = zh("compare", toml, "--time-limit", "5")
    assert res.exit_code == 0, res.output
    assert_chinese(res.output, "allocate: scenarios compared", "crews demanded over the horizon")
    assert "(crews_required)" in res.output  # the measure's id stays, for the CSV and JSON


def test_demand_in_chinese(tmp_path):
    """`allocate demand` titles its comparison in Chinese."""
    data = tiny_with_types(tmp_path / "data")
    rows = [incident(k, MONDAY + dt.timedelta(days=k % 14, hours=8 + k % 12), 30 + k % 20) for k in range(60)]
    write_log(data / "incidents.csv", rows)
    res = zh("demand", data, "--out", tmp_path / "out")
    assert res.exit_code == 0, res.output
    assert_chinese(res.output, "written to", "warning")
    assert "每周勤务组数" in res.output and "crews a week" not in res.output
    assert "有警情的小时不在该任务的任何班次内" in res.output  # a derivation warning


def test_batch_in_chinese_with_the_spread_over_the_window(tmp_path):
    """`allocate batch --lang zh`: the summary table in Chinese, with the heavy-shift spread over the window."""
    data = batch_tiny(tmp_path / "tiny")
    url = f"sqlite:///{tmp_path / 'zh.db'}"
    res = zh("batch", data, "--week", W1, "--store", url, "--engine", "serial", "--time-limit", "5")
    assert res.exit_code == 0, res.output
    assert_chinese(res.output, "allocate batch: week %(week)s", "fairness over the window", "stations solved")
    assert "夜班/周末/节假日班次差距：最大" in res.output
    res = zh("batch", data, "--week", W1, "--store", url, "--engine", "serial", "--time-limit", "5")
    assert res.exit_code == 0, res.output
    assert_chinese(
        res.output,
        "already stored",
        "week %(week)s: %(selected)s stations%(already)s, "
        "%(todo)s to solve on %(engine)s, %(workers)s CP-SAT worker(s) each",
    )


@pytest.mark.parametrize(
    ("table", "content", "expected"),
    [
        (
            "tasks.csv",
            "task_id,name,duty_class,crews,skill,priority\ncase,Case,police_only,1S+1A,,5\n",
            "tasks.csv 第 2 行，crews 列：实际为 '1S+1A'；应为 police_only 任务只能有 S 席位（仅限民警的勤务，规则 1）",
        ),
        (
            "absences.csv",
            "person_id,date_from,date_to,kind\nP1,2026-12-09,2026-12-08,leave\n",
            "absences.csv 第 2 行，date_to 列：实际为 '2026-12-08'；应为 不早于 date_from 2026-12-09 的日期",
        ),
        (
            "policy.toml",
            "[policy]\nfairness_weeks = 0\n[policy.weights]\novertime = 'lots'\n",
            "policy.toml，fairness_weeks 列：实际为 0；应为 大于或等于 1",
        ),
        (
            "holidays.csv",
            "date,name,kind\n2026-12-09,局庆日,holiday\n2026-12-09,调休,workday\n",
            "holidays.csv 第 3 行，date 列：实际为 '2026-12-09'；应为 唯一的 date（第 2 行已出现）",
        ),
    ],
)
def test_input_errors_in_chinese_per_table_family(tmp_path, tiny_folder, table, content, expected):
    """Crews, dates, policy and holidays: a bad value is named by file, row and column, in Chinese."""
    data = tmp_path / "data"
    shutil.copytree(tiny_folder, data)
    if table == "tasks.csv":
        content += "\n".join((tiny_folder / table).read_text().splitlines()[2:]) + "\n"
    (data / table).write_text(content, encoding="utf-8")
    res = zh("validate", data)
    assert res.exit_code == 2, res.output
    assert expected in res.output
    assert "expected" not in res.output and "line" not in res.output


def test_pydantic_types_map_to_chinese_templates():
    """pydantic's own errors (not our validators) are shown in Chinese with their values; English unchanged."""
    from pydantic import BaseModel, ConfigDict, Field, ValidationError

    class Knobs(BaseModel):
        model_config = ConfigDict(extra="forbid")
        count: int = Field(ge=1)
        share: float = Field(lt=1)
        kind: Literal["holiday", "workday"] = "holiday"

    try:
        Knobs.model_validate({"count": 0, "share": "x", "kind": "vacation", "bogus": 1})
    except ValidationError as exc:
        issues = issues_from_pydantic(exc, "knobs.toml")
    english = [str(i) for i in issues]
    assert english[0] == "knobs.toml, column count: got 0; expected greater than or equal to 1"
    set_language("zh")
    assert [str(i) for i in issues] == [
        "knobs.toml，count 列：实际为 0；应为 大于或等于 1",
        "knobs.toml，share 列：实际为 'x'；应为 数字",
        "knobs.toml，kind 列：实际为 'vacation'；应为 以下之一：'holiday' 或 'workday'",
        "knobs.toml，bogus 列：实际为 1；应为 已知的键（此键未知）",
    ]
    set_language("en")
    assert [str(i) for i in issues] == english


def test_a_made_message_survives_pickling_and_json():
    """An L_ message is English to JSON and code, and comes back whole from a worker process."""
    message = L_("a date within the horizon %(first)s .. %(last)s", first="2026-12-07", last="2026-12-13")
    again = pickle.loads(pickle.dumps(message))
    assert again == message == "a date within the horizon 2026-12-07 .. 2026-12-13"
    assert json.dumps([again]) == '["a date within the horizon 2026-12-07 .. 2026-12-13"]'
    set_language("zh")
    assert localize(again) == "排班期 2026-12-07 至 2026-12-13 内的日期"


def test_the_catalog_template_is_up_to_date(tmp_path):
    """Every marked message of the sources is in allocate.pot, and the zh catalog has the same ids with
    the same placeholders (run `make i18n` after marking new ones)."""
    pot, cfg = tmp_path / "fresh.pot", tmp_path / "babel.cfg"
    root = Path(__file__).resolve().parents[1]
    # babel.cfg's patterns, relative to src/ (walking the whole checkout would walk a .venv too)
    cfg.write_text((root / "babel.cfg").read_text().replace("src/allocate/", "allocate/"))
    babel = Path(sys.executable).with_name("pybabel")
    subprocess.run(
        [babel, "-q", "extract", "-F", str(cfg), "-k", "_", "-k", "N_", "-k", "L_", "-k", "ngettext:1,2",
         "--no-location", "-o", str(pot), str(root / "src")],
        check=True, capture_output=True,
    )  # fmt: skip

    def ids(path: Path) -> set:
        with path.open("rb") as f:
            return {m.id if isinstance(m.id, str) else tuple(m.id) for m in read_po(f) if m.id}

    shipped = ids(LOCALE_DIR / "allocate.pot")
    assert ids(pot) == shipped
    assert ids(CATALOG / "allocate.po") == shipped
    with (CATALOG / "allocate.po").open("rb") as f:
        assert [(m.id, errors) for m, errors in read_po(f).check()] == []
