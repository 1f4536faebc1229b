"""roster.xlsx: the planners' workbook (summary, coverage, crews, and one person x date grid per station)."""

from __future__ import annotations

import re
from collections import defaultdict
from typing import TYPE_CHECKING, Any

import pandas as pd
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, Cell
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter

from allocate.i18n import N_, _
from allocate.report.data import ROLE_NAME, ROLE_ORDER, ReportData
from allocate.result import crews_of

if TYPE_CHECKING:
    from pathlib import Path

    from openpyxl.worksheet.worksheet import Worksheet

FIXED_SHEETS = (N_("Summary"), N_("Coverage"), N_("Crews"))
BOLD = Font(bold=True)
TITLE = Font(bold=True, size=13)
HEADER_FILL = PatternFill("solid", fgColor="DCE3EA")
WEEKEND_FILL = PatternFill("solid", fgColor="F3E3C3")
HOLIDAY_FILL = PatternFill("solid", fgColor="F4B6B6")  # public holidays: rest days like weekends
NIGHT_FILL = PatternFill("solid", fgColor="CBD5E8")
SHIFT_FILL = PatternFill("solid", fgColor="E4F1E0")
ABSENT_FILL = PatternFill("solid", fgColor="EEEEEE")
SHORT_FILL = PatternFill("solid", fgColor="FBD3CF")
ABSENT_FONT = Font(italic=True, color="777777")
WRAP = Alignment(wrap_text=True, vertical="top")
THIN = Border(bottom=Side(style="thin", color="BBBBBB"))
LEAD_MARK = " ★"


def sheet_names(station_ids: list[str]) -> dict[str, str]:
    """A valid, unique sheet name per station (Excel: 31 characters, none of []:*?/\\)."""
    taken = {n.lower() for n in FIXED_SHEETS} | {_(n).lower() for n in FIXED_SHEETS}
    out = {}
    for st in station_ids:
        base = re.sub(r"[\[\]:*?/\\]", "_", st).strip("'")[:31] or "station"
        name, i = base, 2
        while name.lower() in taken:
            suffix = f"~{i}"
            name, i = base[: 31 - len(suffix)] + suffix, i + 1
        taken.add(name.lower())
        out[st] = name
    return out


def cell_text(shift_id: str, task: str, lead: bool = False, station: str | None = None) -> str:
    """What a grid cell says: ``shift · task``, a star for the crew's lead, ``@ station`` when lent."""
    text = f"{shift_id} · {task}"
    if station:
        text += f" @ {station}"
    return text + (LEAD_MARK if lead else "")


def put(ws: Worksheet, row: int, column: int, value: Any) -> Cell:
    """Set a cell; text always stays text.

    openpyxl makes any string that starts with ``=`` a formula, so a staff or station name such
    as ``=HYPERLINK(...)`` would become a live formula in the planners' workbook. Text is
    written as a string cell instead (Excel and LibreOffice show it as typed, never evaluate
    it), without prefixing or otherwise changing it; only characters that XML cannot hold
    (control characters other than tab, LF and CR) are replaced by U+FFFD.
    """
    cell = ws.cell(row=row, column=column)
    if isinstance(value, str):
        cell.value = ILLEGAL_CHARACTERS_RE.sub("\ufffd", value)
        cell.data_type = "s"
    else:
        cell.value = value
    return cell


# Column and row names, translated where they are shown (in `_header` and the summary sheet).
HEADER_WORDS = (
    N_("date"), N_("station_id"), N_("station"), N_("shift_id"), N_("task_id"), N_("task"),
    N_("crews_required"), N_("crews_staffed"), N_("shortfall"), N_("reason"), N_("detail"),
    N_("crew_id"), N_("lead_id"), N_("lead"), N_("size"), N_("sworn"), N_("members"),
    N_("person_id"), N_("name"), N_("role"), N_("shifts"), N_("hours"), N_("contract"), N_("nights"),
    N_("rest-day shifts"), N_("item"), N_("value"), N_("goal"), N_("amount"), N_("unit"), N_("weight"),
    N_("cost"), N_("status"), N_("horizon"), N_("dataset"), N_("stations"), N_("people"),
    N_("people on duty"), N_("crews required"), N_("crews staffed"), N_("uncovered crews"),
    N_("overtime hours"), N_("verifier"), N_("solve time (s)"), N_("objective"), N_("best bound"),
    N_("gap"), N_("people flagged"),
)  # fmt: skip


def _header(ws: Worksheet, row: int, values: list[Any]) -> None:
    for col, value in enumerate(values, start=1):
        c = put(ws, row, col, _(value) if isinstance(value, str) else value)
        c.font, c.fill, c.alignment = BOLD, HEADER_FILL, Alignment(vertical="center", wrap_text=True)


def _widths(ws: Worksheet, widths: list[float]) -> None:
    for col, w in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(col)].width = w


def _table(ws: Worksheet, frame: pd.DataFrame, start_row: int = 1, max_width: int = 60) -> None:
    """A plain table with a frozen, filtered header row and widths fitted to the content."""
    _header(ws, start_row, list(frame.columns))
    for r, values in enumerate(frame.itertuples(index=False), start=start_row + 1):
        for c, value in enumerate(values, start=1):
            put(ws, r, c, None if _missing(value) else value)
    widths = []
    for col in frame.columns:
        longest = max([len(str(col)), *(len(str(v)) for v in frame[col].head(2000))])
        widths.append(min(max_width, longest + 2))
    _widths(ws, widths)
    ws.freeze_panes = ws.cell(row=start_row + 1, column=1)
    if len(frame):
        ws.auto_filter.ref = f"A{start_row}:{get_column_letter(len(frame.columns))}{start_row + len(frame)}"


def _missing(value: Any) -> bool:
    return value is None or (isinstance(value, float) and pd.isna(value))


def _summary_sheet(ws: Worksheet, data: ReportData) -> None:
    s = data.summary
    counts = s.get("counts", {})
    v = s.get("verifier")
    first, last = (data.dates[0], data.dates[-1]) if data.dates else (None, None)
    rows: list[tuple[str, Any]] = [
        ("status", s.get("status")),
        (
            "horizon",
            _("%(first)s to %(last)s (%(n)s days)") % {"first": first, "last": last, "n": len(data.dates)}
            if first
            else "",
        ),
        ("dataset", s.get("dataset")),
        ("stations", counts.get("stations")),
        ("people", counts.get("people")),
        ("people on duty", counts.get("people_assigned")),
        ("crews required", counts.get("crews_required")),
        ("crews staffed", counts.get("crews_staffed")),
        ("uncovered crews", s.get("uncovered_crews")),
        ("overtime hours", s.get("overtime_hours")),
        (
            "verifier",
            _("not run")
            if v is None
            else _("0 violations")
            if v.get("ok")
            else _("%(n)s violations") % {"n": v["violations"]},
        ),
        ("solve time (s)", s.get("wall_seconds")),
        ("objective", s.get("objective")),
        ("best bound", s.get("best_bound")),
        ("gap", s.get("gap")),
        ("people flagged", len({f["person_id"] for f in s.get("flagged_people", [])})),
    ]
    _header(ws, 1, ["item", "value"])
    for r, (k, value) in enumerate(rows, start=2):
        put(ws, r, 1, _(k)).font = BOLD
        c = put(ws, r, 2, value)
        if k == "gap" and value is not None:
            c.number_format = "0.00%"
        if k == "uncovered crews" and value:
            c.fill = SHORT_FILL
    r = len(rows) + 3
    put(ws, r, 1, _("Soft goals")).font = TITLE
    weights = (s.get("policy") or {}).get("weights", {})
    _header(ws, r + 1, ["goal", "amount", "unit", "weight", "cost"])
    for i, (name, g) in enumerate(s.get("goals", {}).items(), start=r + 2):
        for col, value in enumerate(
            [name, g.get("amount"), g.get("unit"), weights.get(name), g.get("cost")], 1
        ):
            put(ws, i, col, value)
    r = r + 3 + len(s.get("goals", {}))
    flagged = s.get("flagged_people", [])
    if flagged:
        put(ws, r, 1, _("Flagged people")).font = TITLE
        _header(ws, r + 1, ["person_id", "name", "station_id", "role", "reason"])
        for i, f in enumerate(flagged, start=r + 2):
            values = [
                f["person_id"],
                data.person_name(f["person_id"]),
                f["station_id"],
                f["role"],
                f["reason"],
            ]
            for col, value in enumerate(values, 1):
                put(ws, i, col, value)
    _widths(ws, [22, 34, 16, 14, 70])
    ws.freeze_panes = "A2"


def _coverage_sheet(ws: Worksheet, data: ReportData) -> None:
    cov = data.coverage.copy()
    keys = ["date", "station_id", "shift_id", "task_id"]
    reasons = data.uncovered[[*keys, "reason", "detail"]].drop_duplicates(keys)
    cov = cov.merge(reasons, on=keys, how="left")
    cov.insert(2, "station", cov["station_id"].map(data.station_name))
    cov.insert(5, "task", cov["task_id"].map(data.task_name))
    cov = cov.sort_values(keys, kind="stable").reset_index(drop=True)
    cov["reason"] = cov["reason"].fillna("")
    cov["detail"] = cov["detail"].fillna("")
    _table(ws, cov, max_width=80)
    for r, short in enumerate(cov["shortfall"], start=2):
        if short > 0:
            for c in range(1, len(cov.columns) + 1):
                ws.cell(row=r, column=c).fill = SHORT_FILL


def crews_frame(data: ReportData) -> pd.DataFrame:
    """One row per crew: post, lead and members by name."""
    roster = data.roster
    cols = [
        "date",
        "station_id",
        "station",
        "shift_id",
        "task_id",
        "task",
        "crew_id",
        "lead_id",
        "lead",
        "size",
        "sworn",
        "members",
    ]
    if roster.empty:
        return pd.DataFrame(columns=cols)
    out = crews_of(roster, lambda ps: "; ".join(f"{data.person_name(p)} ({p})" for p in ps))
    out["station"] = out["station_id"].map(data.station_name)
    out["task"] = out["task_id"].map(data.task_name)
    out["lead"] = out["lead_id"].map(lambda p: data.person_name(p) if p else "")
    order = {s.shift_id: i for i, s in enumerate(data.shifts)}
    out["_o"] = out["shift_id"].map(order)
    out = out.sort_values(["date", "station_id", "_o", "task_id", "crew_id"], kind="stable")
    return out[cols].reset_index(drop=True)


def _station_sheet(ws: Worksheet, data: ReportData, station_id: str) -> None:
    hours = data.hours
    roster = data.roster
    here = roster[roster["station_id"] == station_id]
    home = hours[hours["station_id"] == station_id]
    home_ids = set(home["person_id"])
    people = list(home["person_id"])
    people += sorted(set(here["person_id"]) - home_ids)  # lent in from other stations
    role_of = dict(zip(hours["person_id"], hours["role"], strict=False))
    role_of.update(dict(zip(here["person_id"], here["role"], strict=False)))
    rank = {r: i for i, r in enumerate(ROLE_ORDER)}
    people.sort(key=lambda p: (p not in home_ids, rank.get(role_of.get(p, ""), 9), p))

    crew_size = roster.groupby("crew_id").size().to_dict()
    cells: dict[tuple[str, str], list[str]] = defaultdict(list)
    nights: dict[tuple[str, str], bool] = {}
    mine = roster[roster["person_id"].isin(people)]
    shift_by_id = data.shift_by_id
    for day, st, sh, task, crew, pid, lead in mine[
        ["date", "station_id", "shift_id", "task_id", "crew_id", "person_id", "lead_id"]
    ].itertuples(index=False):
        if st != station_id and pid not in home_ids:
            continue
        leads = pid == lead and crew_size.get(crew, 1) > 1
        cells[(pid, day)].append(cell_text(sh, data.task_name(task), leads, None if st == station_id else st))
        nights[(pid, day)] = bool(shift_by_id[sh].night) if sh in shift_by_id else False

    first, last = (data.dates[0], data.dates[-1]) if data.dates else (None, None)
    name = data.station_name(station_id)
    title = station_id if name == station_id else f"{station_id} {name}"
    put(
        ws,
        1,
        1,
        _("%(title)s: roster %(first)s to %(last)s") % {"title": title, "first": first, "last": last},
    ).font = TITLE
    put(ws, 1, 5, _("cell: shift · task;%(mark)s leads the crew; grey: absent") % {"mark": LEAD_MARK})
    fixed = ["person_id", "name", "role"]
    tail = ["shifts", "hours", "contract", "nights", "rest-day shifts"]
    _header(ws, 2, [*fixed, *data.dates, *tail])
    for j, day in enumerate(data.dates):
        c = ws.cell(row=2, column=len(fixed) + 1 + j)
        c.number_format = "ddd d mmm"
        marked = data.calendar_days.get(day)
        if marked is not None and marked.kind == "holiday":
            c.fill = HOLIDAY_FILL
        elif day in data.rest_days:
            c.fill = WEEKEND_FILL
        if marked is not None:
            kind = _("holiday") if marked.kind == "holiday" else _("adjusted workday")
            c.comment = Comment(f"{marked.name} ({kind})", "allocate")
    stat_cols = ["shifts", "hours", "contract_hours", "nights", "weekends"]
    stats = {row[0]: row[1:] for row in hours[["person_id", *stat_cols]].itertuples(index=False, name=None)}
    widths = [14.0, 22.0, 12.0] + [12.0] * len(data.dates) + [8.0, 8.0, 9.0, 8.0, 9.0]
    for i, pid in enumerate(people, start=3):
        put(ws, i, 1, pid)
        put(ws, i, 2, data.person_name(pid))
        put(ws, i, 3, ROLE_NAME.get(role_of.get(pid, ""), role_of.get(pid, "")))
        for j, day in enumerate(data.dates):
            col = len(fixed) + 1 + j
            iso = day.isoformat()
            texts = cells.get((pid, iso))
            if texts:
                value = "\n".join(texts)
                c = put(ws, i, col, value)
                c.fill = NIGHT_FILL if nights.get((pid, iso)) else SHIFT_FILL
                c.alignment = WRAP
                widths[col - 1] = min(26.0, max(widths[col - 1], max(len(t) for t in texts) + 2))
            elif (pid, day) in data.absences:
                c = put(ws, i, col, data.absences[(pid, day)])
                c.fill, c.font = ABSENT_FILL, ABSENT_FONT
        if pid in stats:
            for k, value in enumerate(stats[pid]):
                v = None if _missing(value) else value.item() if hasattr(value, "item") else value
                put(ws, i, len(fixed) + len(data.dates) + 1 + k, v)
    _widths(ws, widths)
    ws.row_dimensions[2].height = 30
    ws.freeze_panes = ws.cell(row=3, column=len(fixed) + 1)
    ws.sheet_view.zoomScale = 90
    ws.print_title_rows = "1:2"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True


def write_workbook(data: ReportData, path: Path) -> None:
    """Write the workbook to `path` (the caller makes the write atomic)."""
    wb = Workbook()
    ws = wb.active
    ws.title = _("Summary")
    _summary_sheet(ws, data)
    _coverage_sheet(wb.create_sheet(_("Coverage")), data)
    crews = crews_frame(data)
    ws = wb.create_sheet(_("Crews"))
    _table(ws, crews, max_width=50)
    ws.column_dimensions[get_column_letter(len(crews.columns))].width = 90
    names = sheet_names(data.station_ids)
    for st in data.station_ids:
        _station_sheet(wb.create_sheet(names[st]), data, st)
    wb.properties.creator = "allocate"
    wb.save(path)
