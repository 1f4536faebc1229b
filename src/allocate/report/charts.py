"""Static SVG charts for report.html, written by hand: no chart library, nothing fetched at view time.

Each function returns a ``Markup`` string ready to be placed in the page. Every text in a chart is
escaped; every mark carries a ``<title>`` so that hovering tells the exact figure.
"""

from __future__ import annotations

import math
from collections import defaultdict
from typing import TYPE_CHECKING

import pandas as pd
from markupsafe import Markup, escape

from allocate.i18n import _, language
from allocate.report.data import ROLE_LABEL, ROLE_ORDER, ReportData

if TYPE_CHECKING:
    import datetime as dt
    from collections.abc import Iterable

FONT = (
    "font-family:system-ui,-apple-system,'Segoe UI',Roboto,'DejaVu Sans','Noto Sans CJK SC',"
    "'Source Han Sans SC','PingFang SC','Microsoft YaHei',sans-serif"
)
CHAR_W = 6.4  # rough width of a character at 11px
ROLE_COLOUR = {"sworn": "#1f4e79", "aux_service": "#2e86c1", "aux_civilian": "#8e6bbf"}
NO_DEMAND, COVERED = "#eeeeee", "#cfe9d4"
SHORT_LOW, SHORT_HIGH = (253, 212, 158), (179, 0, 0)


def _svg(width: float, height: float, body: Iterable[str], label: str, ident: str = "") -> Markup:
    id_attr = f' id="{escape(ident)}"' if ident else ""
    return Markup(
        f'<svg{id_attr} xmlns="http://www.w3.org/2000/svg" role="img" aria-label="{escape(label)}" '
        f'width="{width:.0f}" height="{height:.0f}" viewBox="0 0 {width:.0f} {height:.0f}" '
        f'style="{FONT};font-size:11px">' + "".join(body) + "</svg>"
    )


def short_day(day: dt.date, wide: bool) -> str:
    """A heatmap column's day: ``Mon 07 Dec`` (``Mon 07`` when narrow), or ``12/7 周一`` in Chinese."""
    if language() == "zh":
        return f"{day.month}/{day.day} 周{'一二三四五六日'[day.weekday()]}"
    return day.strftime("%a %d %b") if wide else day.strftime("%a %d")


def _text(x: float, y: float, text: str, anchor: str = "start", extra: str = "") -> str:
    return f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}"{extra}>{escape(text)}</text>'


def _fit(text: str, width: float) -> str:
    n = max(3, int(width / CHAR_W))
    return text if len(text) <= n else text[: n - 1] + "…"


def shortfall_colour(shortfall: int, worst: int) -> str:
    """Pale orange for one crew short, dark red for the worst cell of the page."""
    if shortfall <= 0:
        return COVERED
    t = 0.0 if worst <= 1 else (shortfall - 1) / (worst - 1)
    rgb = (round(a + (b - a) * t) for a, b in zip(SHORT_LOW, SHORT_HIGH, strict=True))
    return "#{:02x}{:02x}{:02x}".format(*rgb)


def coverage_heatmap(data: ReportData) -> Markup:
    """Stations down, dates and shifts across; each cell coloured by the crews left uncovered."""
    cov = data.coverage
    if cov.empty:
        return Markup(f'<p class="muted">{escape(_("No demand in the horizon."))}</p>')
    cells: dict[tuple[str, str, str], list[int]] = defaultdict(lambda: [0, 0, 0])
    short_tasks: dict[tuple[str, str, str], list[str]] = defaultdict(list)
    for st, day, sh, task, req, staffed, short in cov[
        ["station_id", "date", "shift_id", "task_id", "crews_required", "crews_staffed", "shortfall"]
    ].itertuples(index=False):
        c = cells[(st, day, sh)]
        c[0] += req
        c[1] += staffed
        c[2] += short
        if short:
            short_tasks[(st, day, sh)].append(f"{data.task_name(task)} {short}")
    demanded = set(cov["shift_id"])
    shifts = [s for s in data.shifts if s.shift_id in demanded]
    worst = max((c[2] for c in cells.values()), default=0)
    per_station = cov.groupby("station_id")["shortfall"].sum().to_dict()

    labels = {s: f"{s} {data.station_name(s)}" if data.station_name(s) != s else s for s in data.station_ids}
    label_w = min(230.0, max(60.0, CHAR_W * max(len(v) for v in labels.values()) + 8))
    columns = len(data.dates) * len(shifts)
    gap, day_gap = 1.0, 5.0
    cw = max(12.0, min(30.0, (1100 - label_w - 70 - len(data.dates) * day_gap) / columns - gap))
    ch = min(cw, 20.0)
    shift_label_h = CHAR_W * max(len(s.shift_id) for s in shifts) + 6
    top = 18 + shift_label_h
    group_w = len(shifts) * (cw + gap) - gap
    grid_w = len(data.dates) * (group_w + day_gap) - day_gap
    total_x = label_w + grid_w + 10
    width = total_x + 60
    height = top + len(data.station_ids) * (ch + gap) + 44

    body: list[str] = []
    for d_i, day in enumerate(data.dates):
        x0 = label_w + d_i * (group_w + day_gap)
        day_text = short_day(day, wide=group_w >= 64)
        weekend = ' font-weight="bold"' if day.weekday() >= 5 else ""
        body.append(_text(x0 + group_w / 2, 12, _fit(day_text, group_w + day_gap), "middle", weekend))
        for s_i, shift in enumerate(shifts):
            x = x0 + s_i * (cw + gap) + cw / 2 + 4
            body.append(
                f'<text transform="translate({x:.1f},{top - 4:.1f}) rotate(-90)" fill="#555">'
                f"{escape(shift.shift_id)}</text>"
            )
    body.append(_text(total_x, top - 4, _("short"), "start", ' fill="#555"'))
    for r_i, st in enumerate(data.station_ids):
        y = top + r_i * (ch + gap)
        body.append(
            f'<text x="{label_w - 6:.1f}" y="{y + ch - 4:.1f}" text-anchor="end">'
            f"<title>{escape(labels[st])}</title>{escape(_fit(labels[st], label_w - 8))}</text>"
        )
        for d_i, day in enumerate(data.dates):
            iso = day.isoformat()
            x0 = label_w + d_i * (group_w + day_gap)
            for s_i, shift in enumerate(shifts):
                x = x0 + s_i * (cw + gap)
                key = (st, iso, shift.shift_id)
                where = f"{labels[st]} · {day.strftime('%a %d %b')} · {shift.label}"
                if key not in cells:
                    body.append(
                        f'<rect x="{x:.1f}" y="{y:.1f}" width="{cw}" height="{ch}" fill="{NO_DEMAND}">'
                        f"<title>{escape(where)}: no demand</title></rect>"
                    )
                    continue
                req, staffed, short = cells[key]
                tip = f"{where}: " + _("%(staffed)s of %(required)s crews staffed") % {
                    "staffed": staffed,
                    "required": req,
                }
                if short:
                    tip += f", {short} uncovered ({', '.join(short_tasks[key])})"
                body.append(
                    f'<rect class="cell" data-shortfall="{short}" x="{x:.1f}" y="{y:.1f}" width="{cw}" '
                    f'height="{ch}" fill="{shortfall_colour(short, worst)}"><title>{escape(tip)}</title></rect>'
                )
        short = int(per_station.get(st, 0))
        colour = ' fill="#b30000" font-weight="bold"' if short else ' fill="#2d7a3e"'
        body.append(_text(total_x, y + ch - 4, str(short), "start", colour))

    # Legend.
    y = top + len(data.station_ids) * (ch + gap) + 14
    items = [(NO_DEMAND, _("no demand")), (COVERED, _("all crews staffed"))]
    if worst:
        items.append((shortfall_colour(1, worst), "1 crew short"))
        if worst > 1:
            items.append((shortfall_colour(worst, worst), _("%(n)s crews short") % {"n": worst}))
    x = label_w
    for colour, text in items:
        body.append(f'<rect x="{x:.1f}" y="{y:.1f}" width="12" height="12" fill="{colour}"/>')
        body.append(_text(x + 16, y + 10, text))
        x += 16 + CHAR_W * len(text) + 18
    return _svg(
        width,
        height,
        body,
        "Coverage heatmap: stations by date and shift, coloured by uncovered crews",
        "heatmap",
    )


def hours_profile(hours: pd.DataFrame) -> Markup:
    """Per role, every person's hours (sorted) against their contract hours for the horizon."""
    roles = [r for r in ROLE_ORDER if (hours["role"] == r).any()]
    roles += sorted(set(hours["role"]) - set(roles))
    if not roles:
        return Markup(f'<p class="muted">{escape(_("No staff."))}</p>')
    panel_w, panel_h, left, pad = 300.0, 150.0, 34.0, 24.0
    top = 34.0
    ymax = float(pd.concat([hours["hours"], hours["contract_hours"]]).max(skipna=True) or 0) * 1.1 or 1.0
    step = _nice_step(ymax)
    body: list[str] = []
    for i, role in enumerate(roles):
        x0 = left + i * (panel_w + pad + left)
        people = hours[hours["role"] == role].sort_values(["hours", "contract_hours"], ascending=False)
        n = len(people)
        over = int((people["hours"] > people["contract_hours"] + 1e-9).sum())
        idle = int((people["shifts"] == 0).sum())
        body.append(_text(x0, 12, f"{ROLE_LABEL.get(role, role)} ({n})", "start", ' font-weight="bold"'))
        body.append(
            _text(
                x0, 26, _("%(over)s above contract · %(idle)s without a shift") % {"over": over, "idle": idle},
                "start", ' fill="#555"',
            )
        )  # fmt: skip
        tick = 0.0
        while tick <= ymax:
            y = top + panel_h - tick / ymax * panel_h
            body.append(
                f'<line x1="{x0:.1f}" x2="{x0 + panel_w:.1f}" y1="{y:.1f}" y2="{y:.1f}" stroke="#e3e3e3"/>'
            )
            body.append(_text(x0 - 4, y + 4, f"{tick:g}", "end", ' fill="#777"'))
            tick += step
        bw = panel_w / max(n, 1)
        colour = ROLE_COLOUR.get(role, "#666")
        contract_pts = []
        for j, (pid, name, h, c) in enumerate(
            people[["person_id", "name", "hours", "contract_hours"]].itertuples(index=False)
        ):
            x = x0 + j * bw
            hv = 0.0 if pd.isna(h) else float(h)
            bh = hv / ymax * panel_h
            tip = f"{name} ({pid}): {hv:g} h" + ("" if pd.isna(c) else f" of {float(c):g} h contract")
            body.append(
                f'<rect x="{x:.2f}" y="{top + panel_h - bh:.2f}" width="{max(bw - 0.3, 0.6):.2f}" '
                f'height="{bh:.2f}" fill="{colour}"><title>{escape(tip)}</title></rect>'
            )
            if not pd.isna(c):
                contract_pts.append(f"{x:.2f},{top + panel_h - float(c) / ymax * panel_h:.2f}")
                contract_pts.append(f"{x + bw:.2f},{top + panel_h - float(c) / ymax * panel_h:.2f}")
        if contract_pts:
            body.append(
                f'<polyline points="{" ".join(contract_pts)}" fill="none" stroke="#d35400" '
                'stroke-width="1.6" stroke-dasharray="4 2"><title>contract hours</title></polyline>'
            )
        body.append(
            f'<line x1="{x0:.1f}" x2="{x0 + panel_w:.1f}" y1="{top + panel_h:.1f}" '
            f'y2="{top + panel_h:.1f}" stroke="#999"/>'
        )
    width = len(roles) * (panel_w + pad + left)
    y = top + panel_h + 18
    body.append(
        f'<line x1="{left}" x2="{left + 22}" y1="{y - 4}" y2="{y - 4}" stroke="#d35400" '
        'stroke-width="1.6" stroke-dasharray="4 2"/>'
    )
    body.append(
        _text(left + 28, y, _("contract hours over the horizon · bars: hours rostered, one per person"))
    )
    return _svg(width, y + 8, body, "Hours per person by role against contract hours", "hours-chart")


def count_histogram(hours: pd.DataFrame, column: str, what: str, ident: str) -> Markup:
    """How many people of each role worked 0, 1, 2, … `what` (nights, weekend shifts)."""
    roles = [r for r in ROLE_ORDER if (hours["role"] == r).any()]
    if not roles or hours.empty:
        return Markup(f'<p class="muted">{escape(_("No staff."))}</p>')
    top_value = int(hours[column].max())
    values = list(range(top_value + 1))
    counts = {r: hours[hours["role"] == r][column].value_counts().to_dict() for r in roles}
    cmax = max((max(c.values(), default=0) for c in counts.values()), default=1) or 1
    left, top, plot_h = 40.0, 28.0, 130.0
    group_w = max(18.0, min(60.0, 420.0 / len(values)))
    bar_w = (group_w - 4) / len(roles)
    width = left + len(values) * group_w + 10
    body: list[str] = []
    x = left
    for role in roles:
        body.append(
            f'<rect x="{x:.1f}" y="4" width="10" height="10" fill="{ROLE_COLOUR.get(role, "#666")}"/>'
        )
        label = ROLE_LABEL.get(role, role)
        body.append(_text(x + 14, 13, label))
        x += 14 + CHAR_W * len(label) + 14
    width = max(width, x)
    step = _nice_step(cmax * 1.1)
    tick = 0.0
    while tick <= cmax * 1.1:
        y = top + plot_h - tick / (cmax * 1.1) * plot_h
        body.append(f'<line x1="{left}" x2="{width - 10}" y1="{y:.1f}" y2="{y:.1f}" stroke="#e3e3e3"/>')
        body.append(_text(left - 4, y + 4, f"{tick:g}", "end", ' fill="#777"'))
        tick += step
    for v in values:
        gx = left + v * group_w + 2
        for k, role in enumerate(roles):
            n = int(counts[role].get(v, 0))
            bh = n / (cmax * 1.1) * plot_h
            tip = f"{ROLE_LABEL.get(role, role)}: {n} people with {v} {what}"
            body.append(
                f'<rect x="{gx + k * bar_w:.1f}" y="{top + plot_h - bh:.1f}" width="{bar_w:.1f}" '
                f'height="{bh:.1f}" fill="{ROLE_COLOUR.get(role, "#666")}"><title>{escape(tip)}</title></rect>'
            )
        body.append(_text(left + v * group_w + group_w / 2, top + plot_h + 14, str(v), "middle"))
    body.append(
        _text(
            left + len(values) * group_w / 2,
            top + plot_h + 30,
            _("%(what)s per person") % {"what": what},
            "middle",
            ' fill="#555"',
        )
    )
    return _svg(width, top + plot_h + 36, body, f"People by number of {what}, per role", ident)


def goal_bars(goals: dict[str, dict], weights: dict[str, float]) -> Markup:
    """The objective split by soft goal: weighted cost of each, as a share of the total."""
    if not goals:
        return Markup(f'<p class="muted">{escape(_("No soft goals reported."))}</p>')
    total = sum(float(g.get("cost", 0)) for g in goals.values()) or 1.0
    label_w, bar_w, row_h = 90.0, 320.0, 22.0
    body: list[str] = []
    for i, (name, g) in enumerate(goals.items()):
        y = 6 + i * row_h
        cost = float(g.get("cost", 0))
        share = cost / total
        w = max(share * bar_w, 1.0 if cost else 0.0)
        body.append(_text(label_w - 6, y + 13, name, "end"))
        body.append(f'<rect x="{label_w}" y="{y}" width="{bar_w}" height="16" fill="#f2f2f2"/>')
        tip = (
            f"{name}: {g.get('amount', 0):g} {g.get('unit', '')} × weight {weights.get(name, '?')} = {cost:g}"
        )
        body.append(
            f'<rect x="{label_w}" y="{y}" width="{w:.1f}" height="16" fill="#5d6d7e">'
            f"<title>{escape(tip)}</title></rect>"
        )
        body.append(_text(label_w + bar_w + 6, y + 13, f"{cost:g} ({share:.1%})"))
    height = 6 + len(goals) * row_h + 4
    return _svg(label_w + bar_w + 120, height, body, "Objective by soft goal", "goals-chart")


def _nice_step(span: float) -> float:
    """A round tick step giving about four ticks over `span`."""
    if span <= 0:
        return 1.0
    raw = span / 4
    mag = 10 ** math.floor(math.log10(raw))
    for m in (1, 2, 2.5, 5, 10):
        if raw <= m * mag:
            return m * mag
    return 10 * mag
