"""The batch on a terminal: a Rich progress bar over stations (counts, ETA) and a final table, on stderr."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rich.markup import escape
from rich.progress import TextColumn, TimeRemainingColumn
from rich.table import Table

from allocate.batch.runner import BatchCallbacks
from allocate.i18n import N_, _, localize
from allocate.progress import Bar
from allocate.report.data import role_shown

if TYPE_CHECKING:
    from rich.console import Console

    from allocate.batch.outcome import StationOutcome


class BatchProgress(Bar, BatchCallbacks):
    """A bar over the stations still to solve; failures are printed above it as they happen."""

    def __init__(self, console: Console) -> None:
        super().__init__(console, "counts", TextColumn("ETA"), TimeRemainingColumn())
        self.counts = {"optimal": 0, "feasible": 0, "failed": 0}

    def _counts(self) -> str:
        c = self.counts
        failed = escape(_("%(n)s failed") % {"n": c["failed"]})
        if c["failed"]:
            failed = f"[red]{failed}[/]"
        return escape(_("%(optimal)s optimal, %(feasible)s feasible, ") % c) + failed

    def on_message(self, text: str) -> None:
        self.progress.console.print(
            "[yellow]" + escape(_("note")) + f"[/] {escape(localize(text))}", highlight=False
        )

    def on_start(self, week: str, selected: int, skipped: int, todo: int, engine: str, workers: int) -> None:
        already = _(", %(n)s already stored") % {"n": skipped} if skipped else ""
        words = _(
            "week %(week)s: %(selected)s stations%(already)s, %(todo)s to solve on %(engine)s, "
            "%(workers)s CP-SAT worker(s) each"
        ) % {
            "week": week, "selected": selected, "already": already, "todo": todo, "engine": localize(engine),
            "workers": workers,
        }  # fmt: skip
        self.progress.console.print(words, highlight=False, markup=False)
        self.task = self.progress.add_task(
            escape(_("week %(week)s") % {"week": week}), total=todo, counts=self._counts()
        )

    def on_station(self, outcome: StationOutcome, stored: bool) -> None:
        if outcome.state == "failed":
            self.counts["failed"] += 1
            first = (outcome.error or "").splitlines()[0] if outcome.error else ""
            self.progress.console.print(
                "[bold red]"
                + escape(_("FAILED"))
                + f"[/] {escape(f'{outcome.station_id} ({outcome.failure}): {first}')}",
                highlight=False,
                markup=True,
            )
        elif outcome.optimal:
            self.counts["optimal"] += 1
        else:
            self.counts["feasible"] += 1
        if self.task is not None:
            self.progress.update(self.task, advance=1, counts=self._counts())


def print_report(console: Console, summary: dict[str, Any]) -> None:
    """The final table: stations solved, optimal, uncovered crews, gaps, the fairness spread over the
    window and the slowest stations."""
    s = summary["stations"]
    title = _("allocate batch: week %(week)s") % {"week": summary["week"]}
    table = Table(title=title, show_header=False, title_justify="left")
    table.add_column(style="bold")
    table.add_column()
    table.add_row(_("store"), escape(summary["store"]))
    table.add_row(_("run"), f"{summary['run_id']} ({summary['status']})")
    table.add_row(
        _("engine"),
        _(
            "%(engine)s: %(stations_at_once)s at once x %(cpsat_workers_per_station)s CP-SAT worker(s), "
            "%(seconds)ss per station"
        )
        % {**summary, "seconds": f"{summary['time_limit_per_station']:g}"},
    )
    if summary.get("lending"):
        table.add_row(_("lending"), _("on: one CP-SAT unit per district, its stations' seconds added up"))
    table.add_row(_("wall time"), f"{summary['wall_seconds']:.1f} s")
    table.add_row(_("stations selected"), str(s["selected"]))
    if s["already_stored"]:
        table.add_row(_("already stored"), str(s["already_stored"]))
    table.add_row(_("stations solved"), _("%(solved)s (%(verified)s verified)") % s)
    table.add_row(_("optimal"), str(s["optimal"]))
    failed = str(s["failed"])
    if s["failed"]:
        failed = f"[bold red]{s['failed']}[/] " + ", ".join(
            f"{escape(str(k))} {n}" for k, n in s["failed_by_kind"].items()
        )
    table.add_row(_("failed"), failed)
    if s["not_stored"]:
        table.add_row(_("not stored"), f"[red]{len(s['not_stored'])}[/]")
    table.add_row(
        _("crews staffed"),
        _("%(staffed)s of %(required)s")
        % {"staffed": summary["crews_staffed"], "required": summary["crews_required"]},
    )
    table.add_row(_("uncovered crews"), str(summary["uncovered_crews"]))
    proof = summary.get("proof")
    if proof:
        table.add_row(
            _("proven"),
            _(
                "coverage %(coverage_proven)s of %(stations)s, fully %(fully_proven)s; greedy fallbacks "
                "%(greedy_fallbacks)s, cut by the wall clock %(stopped_by_time_limit)s"
            )
            % proof,
        )
        units = proof.get("units")
        if units and units["solved"] != proof["stations"]:
            table.add_row(
                _("proven (units)"),
                _(
                    "%(solved)s solved: coverage %(coverage_proven)s, fully %(fully_proven)s, "
                    "greedy fallbacks %(greedy_fallbacks)s"
                )
                % units,
            )
        soft = proof["soft_gap"]
        if soft["median"] is not None:
            table.add_row(_("soft gap median / worst"), f"{soft['median']:.2%} / {soft['worst']:.2%}")
    per = summary["seconds_per_station"]
    if per["mean"] is not None:
        table.add_row(
            _("seconds per station"),
            _("mean %(mean)s, median %(median)s, max %(max)s")
            % {k: f"{per[k]:.2f}" for k in ("mean", "median", "max")},
        )
    spread = _widest_spread(summary.get("fairness_window", []))
    if spread is not None:
        table.add_row(_("fairness over the window"), spread)
    console.print(table)
    if summary["slowest"]:
        slow = Table(title=_("slowest stations"), title_justify="left")
        for col in SLOW_COLUMNS:
            slow.add_column(_(col))
        for row in summary["slowest"]:
            gap_text = "-" if row["gap"] is None else f"{row['gap']:.2%}"
            slow.add_row(
                row["station_id"], f"{row['wall_seconds']:.2f}", f"{row['build_seconds']:.2f}", str(row["people"]),
                f"{row['variables']:,}", str(row["solver_status"]), gap_text,
            )  # fmt: skip
        console.print(slow)
    for row in summary["failed"][:20]:
        console.print(
            "[bold red]"
            + escape(_("failed"))
            + f"[/] {escape(str(row['station_id']))} ({escape(str(row['failure']))}):",
            highlight=False,
        )
        console.print(f"  {row['error']}", markup=False, highlight=False, soft_wrap=True)


SLOW_COLUMNS = (
    N_("station"),
    N_("seconds"),
    N_("build s"),
    N_("people"),
    N_("variables"),
    N_("status"),
    N_("gap"),
)


def _widest_spread(rows: list[dict[str, Any]]) -> str | None:
    """The widest heavy-shift spread (nights, weekends, holidays over the fairness window) of any
    station and role, and the median over them: the batch's fairness in one line."""
    if not rows:
        return None
    widest = max(rows, key=lambda r: (r["spread"], r["station_id"], r["role"]))
    spreads = sorted(r["spread"] for r in rows)
    return _(
        "heavy-shift spread: widest %(spread)s (%(station)s, %(role)s: %(min)s to %(max)s), median %(median)s"
    ) % {
        "spread": widest["spread"], "station": escape(str(widest["station_id"])),
        "role": role_shown(widest["role"]), "min": widest["min"], "max": widest["max"],
        "median": spreads[len(spreads) // 2],
    }  # fmt: skip
