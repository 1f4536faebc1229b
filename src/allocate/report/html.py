"""report.html: one self-contained page (inline CSS, SVG and a few lines of script, nothing fetched)."""

from __future__ import annotations

import json
from collections import defaultdict
from typing import Any

import pandas as pd
from jinja2 import Environment, PackageLoader, StrictUndefined

from allocate.contract import ROSTER_COLUMNS
from allocate.i18n import _, language, localize, ngettext
from allocate.report import charts
from allocate.report.data import ROLE_LABEL, ROLE_NAME, ROLE_ORDER, ROLE_SHORT, ReportData
from allocate.stages import Status

UNCOVERED_ROWS_SHOWN = 500


def _environment() -> Environment:
    env = Environment(
        loader=PackageLoader("allocate.report", "templates"),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.add_extension("jinja2.ext.i18n")
    env.install_gettext_callables(_, ngettext, newstyle=True)  # type: ignore[attr-defined]
    env.filters["day"] = fmt_day
    env.filters["num"] = fmt_number
    return env


_WEEKDAYS_ZH = "一二三四五六日"


def fmt_day(day: Any) -> str:
    """A date as planners read it: ``Mon 07 Dec 2026``, or ``2026年12月7日 周一`` in Chinese."""
    if language() == "zh":
        return f"{day.year}年{day.month}月{day.day}日 周{_WEEKDAYS_ZH[day.weekday()]}"
    return day.strftime("%a %d %b %Y")


def fmt_number(value: Any) -> str:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return "–"
    if isinstance(value, float):
        return f"{value:,.1f}".rstrip("0").rstrip(".") if value != int(value) else f"{int(value):,}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def fmt_gap(gap: float | None) -> str:
    return "–" if gap is None else f"{gap:.2%}"


def fmt_seconds(seconds: float | None) -> str:
    return "–" if seconds is None else f"{seconds:.1f} s"


def fmt_hours(hours: float | None) -> str:
    return "–" if hours is None else f"{hours:g} h"


def kpis(summary: dict[str, Any]) -> list[dict[str, Any]]:
    """The headline figures, each with a stable element id and its raw value from summary.json."""
    counts = summary.get("counts", {})
    status = summary.get("status", Status.UNKNOWN)
    verifier = summary.get("verifier")
    uncovered = int(summary.get("uncovered_crews", 0))
    flagged = len({f["person_id"] for f in summary.get("flagged_people", [])})
    soft_gap = summary.get("soft_gap")
    proven = summary.get("uncovered_proven_minimal")
    out = [
        dict(
            id="kpi-status",
            label=_("Solver status"),
            value=status,
            text=status,
            tone="ok" if status == Status.OPTIMAL else "info" if status == Status.FEASIBLE else "bad",
            note=_("proven optimal")
            if status == Status.OPTIMAL
            else _("a lawful roster, not proven optimal")
            if status == Status.FEASIBLE
            else _("no roster for some stations"),
        ),
        dict(
            id="kpi-uncovered",
            label=_("Uncovered crews"),
            value=uncovered,
            text=f"{uncovered:,}",
            tone="ok" if uncovered == 0 else "bad",
            note=_("of %(n)s required; ") % {"n": f"{counts.get('crews_required', 0):,}"}
            + (_("proven minimal") if proven else _("not proven minimal")),
        ),
        dict(
            id="kpi-coverage-proven",
            label=_("Coverage"),
            value=bool(proven),
            text=_("proven minimal") if proven else _("not proven"),
            tone="ok" if proven else "warn",
            note=_("no roster can staff more crews") if proven else _("a roster may staff more crews"),
        ),
        dict(
            id="kpi-crews-staffed",
            label=_("Crews staffed"),
            value=counts.get("crews_staffed", 0),
            text=f"{counts.get('crews_staffed', 0):,}",
            tone="neutral",
            note=_("%(n)s assignments") % {"n": f"{counts.get('assignments', 0):,}"},
        ),
        dict(
            id="kpi-overtime",
            label=_("Overtime"),
            value=summary.get("overtime_hours", 0),
            text=fmt_hours(summary.get("overtime_hours", 0)),
            tone="ok" if not summary.get("overtime_hours") else "warn",
            note=_("hours above contract"),
        ),
        dict(
            id="kpi-verifier",
            label=_("Independent verifier"),
            value=None if verifier is None else verifier.get("violations", 0),
            text=_("not run")
            if verifier is None
            else _("0 violations")
            if verifier.get("ok")
            else _("%(n)s violations") % {"n": f"{verifier.get('violations', 0):,}"},
            tone="warn" if verifier is None else "ok" if verifier.get("ok") else "bad",
            note=_("every hard rule re-checked") if verifier is not None else _("roster not re-checked"),
        ),
        dict(
            id="kpi-people-assigned",
            label=_("People on duty"),
            value=counts.get("people_assigned", 0),
            text=f"{counts.get('people_assigned', 0):,}",
            tone="neutral",
            note=_("of %(n)s staff") % {"n": f"{counts.get('people', 0):,}"},
        ),
        dict(
            id="kpi-flagged",
            label=_("People flagged"),
            value=flagged,
            text=f"{flagged:,}",
            tone="ok" if flagged == 0 else "warn",
            note=_("unfit or limited (rule 5)"),
        ),
        dict(
            id="kpi-wall-seconds",
            label=_("Solve time"),
            value=summary.get("wall_seconds"),
            text=fmt_seconds(summary.get("wall_seconds")),
            tone="neutral",
            note=_("%(n)s model(s)") % {"n": counts.get("units", 0)},
        ),
        dict(
            id="kpi-soft-gap",
            label=_("Soft-goal gap"),
            value=soft_gap,
            text=fmt_gap(soft_gap),
            tone="ok" if soft_gap is not None and soft_gap <= 0.01 else "info",
            note=_("overtime, cost, fairness, requests vs their bound")
            if soft_gap is not None
            else _("unknown while coverage is not proven"),
        ),
    ]
    for k in out:
        k["json"] = json.dumps(k["value"])
    return out


def _found(summary: dict[str, Any]) -> bool:
    """Whether a run's or a unit's summary holds a roster."""
    return summary.get("status") in (Status.OPTIMAL, Status.FEASIBLE)


def attention(data: ReportData) -> list[tuple[str, str]]:
    """What a planner should look at first, most serious first: (tone, sentence)."""
    s = data.summary
    items: list[tuple[str, str]] = []
    v = s.get("verifier")
    if v is not None and not v.get("ok", True):
        rules = ", ".join(f"{r} {n}" for r, n in v.get("by_rule", {}).items())
        items.append(
            ("bad", f"The verifier found {v.get('violations')} violation(s) ({rules}): do not publish.")
        )
    if not _found(s):
        bad = [u["name"] for u in s.get("units", []) if not _found(u)]
        items.append(("bad", f"No roster found for {len(bad)} unit(s): {', '.join(bad[:10])}."))
    by_st = s.get("uncovered_by_station_task", [])
    if by_st:
        worst = sorted(by_st, key=lambda r: -r["uncovered"])[:3]
        named = "; ".join(
            f"{data.station_name(r['station_id'])} / {data.task_name(r['task_id'])}: {r['uncovered']}"
            for r in worst
        )
        items.append(
            (
                "bad",
                _("%(n)s crew(s) left uncovered. Most at %(named)s.")
                % {"n": s.get("uncovered_crews", 0), "named": named},
            )
        )
    if s.get("overtime_hours"):
        items.append(("warn", _("%(n)s hours of overtime rostered.") % {"n": f"{s['overtime_hours']:g}"}))
    flagged = s.get("flagged_people", [])
    if flagged:
        never = len({f["person_id"] for f in flagged if "never assigned" in f["reason"]})
        items.append(
            (
                "warn",
                _("%(n)s people flagged (%(never)s never assigned).")
                % {"n": len({f["person_id"] for f in flagged}), "never": never},
            )
        )
    for w in s.get("warnings", []):
        items.append(("warn", localize(w)))
    if data.dataset_note:
        items.append(("info", data.dataset_note))
    if not items:
        items.append(("ok", _("Every crew is staffed, no overtime, no one flagged, the verifier agrees.")))
    return items


def uncovered_rows(data: ReportData) -> list[dict[str, Any]]:
    u = data.uncovered.sort_values(["station_id", "date", "shift_id", "task_id"])
    return [
        dict(
            date=r.date,
            station=data.station_name(r.station_id),
            station_id=r.station_id,
            shift=data.shift_by_id[r.shift_id].label if r.shift_id in data.shift_by_id else r.shift_id,
            task=data.task_name(r.task_id),
            shortfall=int(r.shortfall),
            reason=r.reason,
            detail=r.detail,
        )
        for r in u.head(UNCOVERED_ROWS_SHOWN).itertuples(index=False)
    ]


def duty_sheets(data: ReportData) -> list[dict[str, Any]]:
    """Per station and day, every crew: shift, task, who leads and whom (值班表)."""
    r = data.roster
    order = {s.shift_id: i for i, s in enumerate(data.shifts)}
    crews: dict[str, dict[str, Any]] = {}
    for day, st, sh, task, crew_id, pid, role, _slot, lead in zip(
        *(r[c] for c in ROSTER_COLUMNS), strict=True
    ):
        crew = crews.get(crew_id)
        if crew is None:
            crew = crews[crew_id] = dict(
                date=day,
                station_id=st,
                shift_id=sh,
                task_id=task,
                crew_id=crew_id,
                lead=lead,
                lead_name=data.person_name(lead) if lead else "",
                lead_member=None,
                members=[],
                shift=data.shift_by_id[sh].label if sh in data.shift_by_id else sh,
                task=data.task_name(task),
            )
        member = dict(
            pid=pid, name=data.person_name(pid), role=ROLE_SHORT.get(role, role), sworn=role == "sworn"
        )
        if pid == lead and crew["lead_member"] is None:
            crew["lead_member"] = member
        else:
            crew["members"].append(member)
    per_day: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
    for crew in crews.values():
        crew["members"].sort(key=lambda m: (not m["sworn"], m["pid"]))
        crew["lead_kind"] = "leads" if crew["lead_member"] else "commands" if crew["lead"] else ""
        per_day[(crew["station_id"], crew["date"])].append(crew)
    short = data.coverage.groupby("station_id")["shortfall"].sum().to_dict()
    out = []
    for st in data.station_ids:
        days = []
        for day in data.dates:
            rows = per_day.get((st, day.isoformat()), [])
            if not rows:
                continue
            rows.sort(
                key=lambda c: (
                    order.get(c["shift_id"], 99),
                    -data.task_priority.get(c["task_id"], 0),
                    c["task_id"],
                    c["crew_id"],
                )
            )
            people = sum(len(c["members"]) + (c["lead_member"] is not None) for c in rows)
            days.append(dict(date=day, crews=rows, people=people, calendar=data.calendar_days.get(day)))
        out.append(
            dict(
                station_id=st,
                name=data.station_name(st),
                days=days,
                crews=sum(len(d["crews"]) for d in days),
                short=int(short.get(st, 0)),
            )
        )
    return out


def fairness_table(data: ReportData) -> list[dict[str, Any]]:
    """Per station and role: the spread of hours, nights and weekend shifts."""
    h = data.hours
    rows = []
    for st in data.station_ids:
        for role in ROLE_ORDER:
            g = h[(h["station_id"] == st) & (h["role"] == role)]
            if g.empty:
                continue
            rows.append(
                dict(
                    station_id=st,
                    station=data.station_name(st),
                    role=ROLE_LABEL.get(role, role),
                    people=len(g),
                    on_duty=int((g["shifts"] > 0).sum()),
                    hours_min=g["hours"].min(),
                    hours_mean=g["hours"].mean(),
                    hours_max=g["hours"].max(),
                    contract=g["contract_hours"].mean(),
                    above=int((g["hours"] > g["contract_hours"] + 1e-9).sum()),
                    nights=f"{g['nights'].min()}–{g['nights'].max()}",
                    weekends=f"{g['weekends'].min()}–{g['weekends'].max()}",
                )
            )
    return rows


def people_by_station(data: ReportData) -> list[dict[str, Any]]:
    h = data.hours.copy()
    h["role_rank"] = h["role"].map({r: i for i, r in enumerate(ROLE_ORDER)}).fillna(9)
    h = h.sort_values(["station_id", "role_rank", "person_id"])
    out = []
    for st, g in h.groupby("station_id", sort=True):
        people = [
            dict(
                pid=r.person_id,
                name=r.name,
                role=ROLE_SHORT.get(r.role, r.role),
                shifts=r.shifts,
                hours=r.hours,
                contract=r.contract_hours,
                delta=None if pd.isna(r.hours) or pd.isna(r.contract_hours) else r.hours - r.contract_hours,
                nights=r.nights,
                weekends=r.weekends,
            )
            for r in g.itertuples(index=False)
        ]
        out.append(dict(station_id=st, name=data.station_name(st), people=people))
    return out


def flagged_rows(data: ReportData) -> list[dict[str, Any]]:
    assigned = set(data.roster["person_id"])
    return [
        dict(
            pid=f["person_id"],
            name=data.person_name(f["person_id"]),
            station=data.station_name(f["station_id"]),
            role=ROLE_NAME.get(f["role"], f["role"]),
            reason=f["reason"],
            assigned="yes" if f["person_id"] in assigned else "no",
        )
        for f in data.summary.get("flagged_people", [])
    ]


def goal_rows(summary: dict[str, Any]) -> list[dict[str, Any]]:
    weights = (summary.get("policy") or {}).get("weights", {})
    total = sum(float(g.get("cost", 0)) for g in summary.get("goals", {}).values()) or 1.0
    return [
        dict(
            name=name,
            amount=g.get("amount", 0),
            unit=g.get("unit", ""),
            weight=weights.get(name),
            cost=g.get("cost", 0),
            share=float(g.get("cost", 0)) / total,
        )
        for name, g in summary.get("goals", {}).items()
    ]


def render_html(data: ReportData) -> str:
    from allocate.report.changes import change_notices

    s = data.summary
    horizon = s.get("horizon", {})
    first, last = (data.dates[0], data.dates[-1]) if data.dates else (None, None)
    weights = (s.get("policy") or {}).get("weights", {})
    context = dict(
        s=s,
        title=_("Roster %(first)s") % {"first": first.isoformat() if first else ""}
        + (_(" to %(last)s") % {"last": last.isoformat()} if last and last != first else ""),
        lang=language(),
        first=first,
        last=last,
        days=horizon.get("days", len(data.dates)),
        dataset=s.get("dataset") or "",
        kpis=kpis(s),
        attention=attention(data),
        heatmap=charts.coverage_heatmap(data),
        uncovered_by_st=[
            dict(
                station=data.station_name(r["station_id"]),
                station_id=r["station_id"],
                task=data.task_name(r["task_id"]),
                uncovered=r["uncovered"],
            )
            for r in sorted(s.get("uncovered_by_station_task", []), key=lambda r: -r["uncovered"])
        ],
        uncovered=uncovered_rows(data),
        uncovered_total_rows=len(data.uncovered),
        uncovered_cap=UNCOVERED_ROWS_SHOWN,
        sheets=duty_sheets(data),
        hours_chart=charts.hours_profile(data.hours),
        nights_chart=charts.count_histogram(data.hours, "nights", _("night shifts"), "nights-chart"),
        weekends_chart=charts.count_histogram(
            data.hours, "weekends", _("weekend and holiday shifts"), "weekends-chart"
        ),
        fairness=fairness_table(data),
        people=people_by_station(data),
        goals=goal_rows(s),
        goals_chart=charts.goal_bars(s.get("goals", {}), weights),
        flagged=flagged_rows(data),
        changes=change_notices(data),
        verifier=s.get("verifier"),
        units=s.get("units", []),
        fmt_gap=fmt_gap,
        fmt_seconds=fmt_seconds,
        one_station=len(data.station_ids) == 1,
        has_names=data.has_names,
    )
    return _environment().get_template("report.html.j2").render(**context)
