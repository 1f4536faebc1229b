"""The batch on a terminal: a Rich progress bar over stations (counts, ETA) and a final table, on stderr."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.table import Table

from allocate.batch.runner import BatchCallbacks

if TYPE_CHECKING:
    from rich.console import Console

    from allocate.batch.outcome import StationOutcome


class BatchProgress(BatchCallbacks):
    """A bar over the stations still to solve; failures are printed above it as they happen."""

    def __init__(self, console: Console) -> None:
        self.console = console
        self.progress = Progress(
            TextColumn("[bold]{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("{task.fields[counts]}"),
            TimeElapsedColumn(),
            TextColumn("ETA"),
            TimeRemainingColumn(),
            console=console,
            transient=False,
        )
        self.task: Any = None
        self.counts = {"optimal": 0, "feasible": 0, "failed": 0}

    def __enter__(self) -> BatchProgress:
        self.progress.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.progress.stop()

    def _counts(self) -> str:
        c = self.counts
        failed = f"[red]{c['failed']} failed[/]" if c["failed"] else "0 failed"
        return f"{c['optimal']} optimal, {c['feasible']} feasible, {failed}"

    def on_message(self, text: str) -> None:
        self.progress.console.print(f"[yellow]note[/] {text}", highlight=False)

    def on_start(self, week: str, selected: int, skipped: int, todo: int, engine: str, workers: int) -> None:
        already = f", {skipped} already stored" if skipped else ""
        self.progress.console.print(
            f"week {week}: {selected} stations{already}, {todo} to solve on {engine}, "
            f"{workers} CP-SAT worker(s) each",
            highlight=False,
        )
        self.task = self.progress.add_task(f"week {week}", total=todo, counts=self._counts())

    def on_station(self, outcome: StationOutcome, stored: bool) -> None:
        if outcome.state == "failed":
            self.counts["failed"] += 1
            first = (outcome.error or "").splitlines()[0] if outcome.error else ""
            self.progress.console.print(
                f"[bold red]FAILED[/] {outcome.station_id} ({outcome.failure}): {first}",
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
    """The final table: stations solved, optimal, uncovered crews, gaps, and the slowest stations."""
    s = summary["stations"]
    table = Table(title=f"allocate batch: week {summary['week']}", show_header=False, title_justify="left")
    table.add_column(style="bold")
    table.add_column()
    table.add_row("store", summary["store"])
    table.add_row("run", f"{summary['run_id']} ({summary['status']})")
    table.add_row(
        "engine",
        f"{summary['engine']}: {summary['stations_at_once']} at once x "
        f"{summary['cpsat_workers_per_station']} CP-SAT worker(s), {summary['time_limit_per_station']:g}s per station",
    )
    table.add_row("wall time", f"{summary['wall_seconds']:.1f} s")
    table.add_row("stations selected", str(s["selected"]))
    if s["already_stored"]:
        table.add_row("already stored", str(s["already_stored"]))
    table.add_row("stations solved", f"{s['solved']} ({s['verified']} verified)")
    table.add_row("optimal", str(s["optimal"]))
    failed = str(s["failed"])
    if s["failed"]:
        failed = f"[bold red]{s['failed']}[/] " + ", ".join(
            f"{k} {n}" for k, n in s["failed_by_kind"].items()
        )
    table.add_row("failed", failed)
    if s["not_stored"]:
        table.add_row("not stored", f"[red]{len(s['not_stored'])}[/]")
    table.add_row("crews staffed", f"{summary['crews_staffed']} of {summary['crews_required']}")
    table.add_row("uncovered crews", str(summary["uncovered_crews"]))
    proof = summary.get("proof")
    if proof:
        table.add_row(
            "proven",
            f"coverage {proof['coverage_proven']} of {proof['stations']}, fully {proof['fully_proven']}; "
            f"greedy fallbacks {proof['greedy_fallbacks']}, cut by the wall clock {proof['stopped_by_time_limit']}",
        )
        soft = proof["soft_gap"]
        if soft["median"] is not None:
            table.add_row("soft gap median / worst", f"{soft['median']:.2%} / {soft['worst']:.2%}")
    per = summary["seconds_per_station"]
    if per["mean"] is not None:
        table.add_row(
            "seconds per station", f"mean {per['mean']:.2f}, median {per['median']:.2f}, max {per['max']:.2f}"
        )
    console.print(table)
    if summary["slowest"]:
        slow = Table(title="slowest stations", title_justify="left")
        for col in ("station", "seconds", "build s", "people", "variables", "status", "gap"):
            slow.add_column(col)
        for row in summary["slowest"]:
            gap_text = "-" if row["gap"] is None else f"{row['gap']:.2%}"
            slow.add_row(
                row["station_id"], f"{row['wall_seconds']:.2f}", f"{row['build_seconds']:.2f}", str(row["people"]),
                f"{row['variables']:,}", str(row["solver_status"]), gap_text,
            )  # fmt: skip
        console.print(slow)
    for row in summary["failed"][:20]:
        console.print(f"[bold red]failed[/] {row['station_id']} ({row['failure']}):", highlight=False)
        console.print(f"  {row['error']}", markup=False, highlight=False, soft_wrap=True)
