"""Charts of results for notebooks (matplotlib). Each function returns a new Figure.

The figures are made without pyplot, so nothing is left open in a global registry; in Jupyter a
Figure shows when it is the value of a cell, and ``fig.savefig("x.png")`` writes it anywhere.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from matplotlib.figure import Figure

from allocate.domain import ROLES
from allocate.result import Result

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

ROLE_LABELS = {
    "sworn": "sworn officers",
    "aux_service": "service auxiliaries",
    "aux_civilian": "civilian auxiliaries",
}


def _results(results: Result | Mapping[str, Result]) -> dict[str, Result]:
    return {"result": results} if isinstance(results, Result) else dict(results)


def coverage_heatmap(result: Result, title: str | None = None) -> Figure:
    """Stations x shifts: the share of required crews staffed, with the uncovered count written in."""
    cov = result.coverage
    shifts = sorted(result.dataset.shifts, key=lambda s: (s.start_min, s.shift_id))
    shift_ids = [s.shift_id for s in shifts if s.shift_id in set(cov["shift_id"])]
    station_ids = sorted(set(cov["station_id"]))
    sums = cov.groupby(["station_id", "shift_id"])[["crews_required", "crews_staffed", "shortfall"]].sum()
    share = np.full((len(station_ids), len(shift_ids)), np.nan)
    short = np.zeros_like(share)
    for (st, sh), row in sums.iterrows():
        i, j = station_ids.index(st), shift_ids.index(sh)
        share[i, j] = row["crews_staffed"] / row["crews_required"] if row["crews_required"] else np.nan
        short[i, j] = row["shortfall"]
    fig = Figure(
        figsize=(2.4 + 1.1 * max(1, len(shift_ids)), 1.4 + 0.42 * max(1, len(station_ids))),
        layout="constrained",
    )
    ax = fig.subplots()
    image = ax.imshow(share, cmap="RdYlGn", vmin=min(0.8, np.nanmin(share) if share.size else 0.8), vmax=1.0)
    ax.set_xticks(range(len(shift_ids)), shift_ids, rotation=30, ha="right")
    ax.set_yticks(range(len(station_ids)), station_ids)
    for i in range(len(station_ids)):
        for j in range(len(shift_ids)):
            if np.isnan(share[i, j]):
                continue
            text = f"{share[i, j]:.0%}" + (f"\n-{int(short[i, j])}" if short[i, j] else "")
            ax.text(j, i, text, ha="center", va="center", fontsize=8)
    fig.colorbar(image, ax=ax, label="crews staffed / required", format=lambda x, _: f"{x:.0%}")
    ax.set_title(title or f"Coverage by station and shift ({int(cov['shortfall'].sum())} crews uncovered)")
    return fig


def hours_by_role(result: Result, title: str | None = None) -> Figure:
    """Hours per person over the horizon, one box per role, with the mean contract hours marked."""
    hours = result.hours_by_person()
    roles = [r for r in ROLES if (hours["role"] == r).any()]
    fig = Figure(figsize=(7, 4), layout="constrained")
    ax = fig.subplots()
    data = [hours.loc[hours["role"] == r, "hours"].to_numpy() for r in roles]
    ax.boxplot(data, tick_labels=[ROLE_LABELS[r] for r in roles], showmeans=True)
    for k, r in enumerate(roles, start=1):
        contract = hours.loc[hours["role"] == r, "contract_hours"].mean()
        ax.hlines(contract, k - 0.4, k + 0.4, colors="grey", linestyles="dashed")
    ax.set_ylabel(f"hours in {result.horizon.days} days (dashed: contract)")
    ax.set_title(title or "Hours per person by role")
    return fig


def uncovered_by_task(results: Result | Mapping[str, Result], title: str | None = None) -> Figure:
    """Uncovered crews per task, one bar per scenario (tasks uncovered somewhere)."""
    named = _results(results)
    per = {name: r.coverage.groupby("task_id")["shortfall"].sum() for name, r in named.items()}
    order = [t.task_id for r in named.values() for t in r.dataset.tasks]
    tasks = [t for t in dict.fromkeys(order) if any(s.get(t, 0) > 0 for s in per.values())]
    fig = Figure(figsize=(8, 1.4 + 0.3 * max(1, len(tasks)) * max(1, len(named))), layout="constrained")
    ax = fig.subplots()
    height = 0.8 / max(1, len(named))
    y = np.arange(len(tasks))
    for k, (name, s) in enumerate(per.items()):
        values = [int(s.get(t, 0)) for t in tasks]
        bars = ax.barh(y + k * height, values, height, label=name)
        ax.bar_label(bars, fontsize=8, padding=2)
    ax.set_yticks(y + height * (len(named) - 1) / 2, tasks)
    ax.invert_yaxis()
    ax.set_xlabel("uncovered crews")
    if len(named) > 1:
        ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1), frameon=False)
    ax.set_title(title or "Uncovered crews by task")
    if not tasks:
        ax.text(0.5, 0.5, "every crew is staffed", transform=ax.transAxes, ha="center")
    return fig


def curve(
    xs: Sequence[float],
    ys: Sequence[float],
    xlabel: str,
    ylabel: str,
    title: str = "",
    target: float | None = None,
) -> Figure:
    """A step-by-step what-if as a line (e.g. uncovered crews against auxiliaries added)."""
    fig = Figure(figsize=(6.5, 3.8), layout="constrained")
    ax = fig.subplots()
    ax.plot(xs, ys, marker="o")
    for x, y in zip(xs, ys, strict=True):
        ax.annotate(f"{y:g}", (x, y), textcoords="offset points", xytext=(0, 6), ha="center", fontsize=8)
    if target is not None:
        ax.axhline(target, color="grey", linestyle="dashed", label=f"target {target:g}")
        ax.legend()
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.set_title(title)
    ax.grid(alpha=0.3)
    return fig
