"""`demand.csv`, `crews_per_hour.csv` and `demand_report.html`: what `allocate demand` writes.

The page is self-contained (inline SVG, no script, nothing fetched), like report.html: the arrival
profile as a heatmap per station, crews per hour against crews per shift, the derived demand
against the dataset's demand.csv, and the drivers of each station.
"""

from __future__ import annotations

import csv
import datetime as dt
from typing import TYPE_CHECKING

from markupsafe import Markup, escape

from allocate.demand_model.derive import HOURS, DerivedDemand, comparison, slot_owners
from allocate.domain import WEEKDAYS, Dataset, DemandRow
from allocate.output import atomic_folder
from allocate.report.charts import _svg, _text

if TYPE_CHECKING:
    from collections.abc import Iterable
    from pathlib import Path

    import pandas as pd

    from allocate.policy import DemandPolicy

MAX_CHARTED = 24  # stations with charts; a city's page stays a few MB
HEAT_LOW, HEAT_HIGH = (255, 247, 236), (153, 52, 4)


def demand_rows(rows: tuple[DemandRow, ...]) -> tuple[list[str], list[list[object]]]:
    """The contract's demand table: weekday form, with a `date` column only when dated rows remain."""
    dated = any(r.date is not None for r in rows)
    header = ["station_id", "date", "weekday", "shift_id", "task_id", "crews"]
    if not dated:
        header.remove("date")
    out = []
    for r in rows:
        day = WEEKDAYS[r.weekday] if r.weekday is not None else ""
        cells: list[object] = [r.station_id, day, r.shift_id, r.task_id, r.crews]
        if dated:
            cells.insert(1, r.date.isoformat() if r.date else "")
        out.append(cells)
    return header, out


def write_demand_csv(path: Path, rows: tuple[DemandRow, ...]) -> None:
    header, body = demand_rows(rows)
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(body)


def write_demand(
    base: Dataset,
    derived: DerivedDemand,
    policy: DemandPolicy,
    out: Path,
    command: str = "",
    *,
    force: bool = False,
    protect: Iterable[Path | str | None] = (),
) -> Path:
    """Write the output folder atomically: demand.csv, crews_per_hour.csv, demand_report.html.

    `out` is checked like every output folder (:func:`allocate.output.atomic_folder`): never one of
    the inputs in `protect`, nor a folder allocate did not write unless `force`.
    """

    def write(folder: Path) -> None:
        write_demand_csv(folder / "demand.csv", derived.demand)
        derived.hourly.round(4).to_csv(folder / "crews_per_hour.csv", index=False)
        (folder / "demand_report.html").write_text(render(base, derived, policy, command), encoding="utf-8")

    return atomic_folder(out, write, command="demand", force=force, protect=protect)


def _heat(value: float, top: float) -> str:
    t = 0.0 if top <= 0 else min(1.0, value / top)
    rgb = (round(a + (b - a) * t) for a, b in zip(HEAT_LOW, HEAT_HIGH, strict=True))
    return "#{:02x}{:02x}{:02x}".format(*rgb)


def arrival_heatmap(hourly: pd.DataFrame, station_id: str) -> Markup:
    """Weekdays down, hours across; each cell's colour the arrivals per hour (all derived tasks)."""
    mine = hourly[hourly["station_id"] == station_id]
    grid = mine.groupby(["weekday", "hour"])["arrivals_per_hour"].sum()
    top = float(grid.max()) if len(grid) else 0.0
    cw, ch, left, topm = 18, 16, 34, 16
    body = [
        _text(left + h * cw + cw / 2, 11, f"{h:02d}", "middle", ' font-size="9"') for h in range(0, HOURS, 3)
    ]
    for w, day in enumerate(WEEKDAYS):
        y = topm + w * ch
        body.append(_text(2, y + 12, day))
        for h in range(HOURS):
            v = float(grid.get((day, h), 0.0))
            body.append(
                f'<rect x="{left + h * cw}" y="{y}" width="{cw - 1}" height="{ch - 1}" fill="{_heat(v, top)}">'
                f"<title>{day} {h:02d}:00 {v:.2f} incidents/h</title></rect>"
            )
    body.append(
        _text(left, topm + 7 * ch + 12, f"darkest: {top:.2f} incidents per hour", extra=' fill="#666"')
    )
    return _svg(left + HOURS * cw + 4, topm + 7 * ch + 18, body, f"Arrivals per hour at {station_id}")


def crews_chart(base: Dataset, derived: DerivedDemand, station_id: str, task_id: str) -> Markup:
    """Over the week's 168 hours: crews each hour needs (bars) and what its shift demands (line)."""
    hours = derived.hourly[
        (derived.hourly["station_id"] == station_id) & (derived.hourly["task_id"] == task_id)
    ]
    if hours.empty:
        return Markup("")
    per_hour = hours["crews"].tolist()
    shifts = derived.shifts[
        (derived.shifts["station_id"] == station_id) & (derived.shifts["task_id"] == task_id)
    ]
    top = max([*per_hour, *shifts["crews"].tolist(), 1])
    bw, height, left, axis = 4, 90, 24, 100
    body = []
    for k, n in enumerate(per_hour):
        h = height * n / top
        body.append(
            f'<rect x="{left + k * bw}" y="{axis - h:.1f}" width="{bw - 0.5}" height="{h:.1f}" fill="#9ecae1">'
            f"<title>{WEEKDAYS[k // HOURS]} {k % HOURS:02d}:00: {n} crew(s) needed</title></rect>"
        )
    for w in range(8):
        body.append(
            f'<line x1="{left + w * HOURS * bw}" y1="{axis - height}" x2="{left + w * HOURS * bw}" y2="{axis}" stroke="#ccc"/>'
        )
        if w < 7:
            body.append(_text(left + (w + 0.5) * HOURS * bw, axis + 12, WEEKDAYS[w], "middle"))
    body.append(_text(2, axis - height + 8, str(top)))
    body.append(_text(2, axis, "0"))
    reactive = shifts[shifts["source"].str.contains("incidents")]
    owners = slot_owners(base, sorted(set(reactive["shift_id"])))
    level = {(r.weekday, r.shift_id): r.crews for r in shifts.itertuples(index=False)}
    for k in range(7 * HOURS):
        inst = owners.get(k)
        if inst is None:
            continue
        n = level.get((WEEKDAYS[inst[0]], inst[1]), 0)
        y = axis - height * n / top
        body.append(
            f'<line x1="{left + k * bw}" y1="{y:.1f}" x2="{left + (k + 1) * bw}" y2="{y:.1f}" stroke="#b30000" stroke-width="2"/>'
        )
    return _svg(
        left + 7 * HOURS * bw + 6, axis + 18, body, f"Crews per hour and per shift, {station_id} {task_id}"
    )


def _table(frame: pd.DataFrame, floats: int = 2) -> Markup:
    head = "".join(f"<th>{escape(c)}</th>" for c in frame.columns)
    rows = []
    for rec in frame.itertuples(index=False):
        cells = []
        for v in rec:
            if isinstance(v, float):
                text = "" if v != v else f"{v:,.{floats}f}"
                cells.append(f'<td class="num">{text}</td>')
            elif isinstance(v, int | bool) and not isinstance(v, bool):
                cells.append(f'<td class="num">{v:,}</td>')
            else:
                cells.append(f"<td>{escape(v if v is not None else '')}</td>")
        rows.append("<tr>" + "".join(cells) + "</tr>")
    return Markup(f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>")


STYLE = """
body { font-family: system-ui, -apple-system, 'Segoe UI', Roboto, 'DejaVu Sans', sans-serif; margin: 24px; color: #222; }
h1 { font-size: 22px; } h2 { font-size: 18px; margin-top: 28px; } h3 { font-size: 15px; }
table { border-collapse: collapse; font-size: 12px; margin: 8px 0; }
th, td { border: 1px solid #ddd; padding: 3px 7px; } th { background: #f4f4f4; text-align: left; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
.muted { color: #666; } .warn { color: #8a5300; }
.grid { display: flex; flex-wrap: wrap; gap: 18px; }
"""


def render(base: Dataset, derived: DerivedDemand, policy: DemandPolicy, command: str = "") -> str:
    """The whole page as one string."""
    compare = comparison(base, derived)
    by_task = compare.groupby("task_id", as_index=False)[["current", "derived"]].sum()
    by_task["change"] = by_task["derived"] - by_task["current"]
    order = {t.task_id: i for i, t in enumerate(base.tasks)}
    by_task = by_task.sort_values("task_id", key=lambda s: s.map(order)).reset_index(drop=True)
    hourly_tasks, hourly_stations = set(derived.hourly["task_id"]), set(derived.hourly["station_id"])
    reactive = sorted({t for _, t in derived.derived if t in hourly_tasks}, key=order.get)
    stations = [s.station_id for s in base.stations if s.station_id in hourly_stations]
    charted = stations
    if len(stations) > MAX_CHARTED:  # a city: the busiest stations' charts, the tables for all
        busiest = derived.drivers.nlargest(MAX_CHARTED, "incidents_per_week")["station_id"]
        charted = [s for s in stations if s in set(busiest)]
    parts = [
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>",
        "<title>allocate: demand from incidents</title>",
        f"<style>{STYLE}</style></head><body>",
        "<h1>Demand from incidents</h1>",
        f"<p>Incident log {escape(derived.first_day.isoformat())} to {escape(derived.last_day.isoformat())}: "
        f"{derived.normal_days} ordinary days in the weekday means, {len(policy.event_days)} event day(s) kept apart. "
        f"Erlang C (M/M/c) per station, weekday and hour: P(wait &gt; target) ≤ {1 - policy.service_level:.0%}, "
        f"occupancy ≤ {policy.max_occupancy:.0%}; target {policy.target_minutes_urban:g} min urban, "
        f"{policy.target_minutes_rural:g} min rural; a shift takes "
        + (
            "its busiest hour's crews"
            if policy.shift_percentile is None
            else f"the {policy.shift_percentile:g}th percentile of its hours' crews"
        )
        + (f"; arrival rates × {policy.growth:g}" if policy.growth != 1 else "")
        + ".</p>",
    ]
    if command:
        parts.append(f"<p class='muted'>{escape(command)}</p>")
    if derived.warnings:
        parts.append(
            "<ul>" + "".join(f"<li class='warn'>{escape(w)}</li>" for w in derived.warnings) + "</ul>"
        )
    parts += ["<h2>Derived against current demand (crews a week)</h2>", _table(by_task)]
    parts += ["<h2>What drives each station</h2>", _table(derived.drivers.drop(columns=[]), 1)]
    if charted != stations:
        parts.append(
            f"<p class='muted'>Charts of the {len(charted)} busiest of {len(stations)} stations.</p>"
        )
    parts.append("<h2>Arrival profile (incidents per hour, ordinary days)</h2><div class='grid'>")
    for sid in charted:
        parts.append(
            f"<div><h3>{escape(sid)} {escape(base.station_by_id[sid].name)}</h3>{arrival_heatmap(derived.hourly, sid)}</div>"
        )
    parts.append("</div><h2>Crews per hour (bars) against crews per shift (red line)</h2>")
    for task in reactive:
        for sid in charted:
            parts.append(f"<h3>{escape(sid)} · {escape(task)}</h3>{crews_chart(base, derived, sid, task)}")
    if not derived.events.empty:
        parts += ["<h2>Event days, kept out of the weekday means</h2>", _table(derived.events)]
    parts += ["<h2>Per station and task</h2>", _table(compare)]
    parts.append(
        f"<p class='muted'>Written {escape(dt.date.today().isoformat())} by allocate demand.</p></body></html>"
    )
    return "".join(str(p) for p in parts)
