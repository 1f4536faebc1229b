"""Writing a sizing report: sizing.csv, curve.csv, curve.svg, sworn_shortfall.csv, sizing.json."""

from __future__ import annotations

from typing import TYPE_CHECKING

from allocate.output import atomic_folder, write_json

if TYPE_CHECKING:
    from collections.abc import Iterable
    from pathlib import Path

    from allocate.sizing.run import SizingReport


def plot_curves(report: SizingReport, path: Path) -> None:
    """Uncovered crews against auxiliary headcount, one line per station, current pool marked."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(8, 4.5))
    for st in report.stations:
        if not st.curve:
            continue
        xs = [p["headcount"] for p in st.curve]
        ys = [p["uncovered"] for p in st.curve]
        (line,) = ax.plot(xs, ys, marker="o", label=st.station_id)
        current = sum(st.current.values())
        ax.axvline(current, color=line.get_color(), linestyle=":", linewidth=0.8)
    ax.set_xlabel("auxiliaries (both kinds)")
    ax.set_ylabel("uncovered crews over the horizon")
    ax.set_title("What each extra auxiliary buys (dotted: current pool)")
    ax.grid(alpha=0.3)
    if any(st.curve for st in report.stations):  # no station with a curve: nothing to name
        ax.legend(fontsize="small", ncol=2)
    fig.tight_layout()
    fig.savefig(path, format="svg")
    plt.close(fig)


def write_sizing(
    report: SizingReport, out: Path, *, force: bool = False, protect: Iterable[Path | str | None] = ()
) -> Path:
    """sizing.csv, curve.csv, sworn_shortfall.csv, curve.svg and sizing.json, atomically into `out`."""

    def write(folder: Path) -> None:
        report.sizing().to_csv(folder / "sizing.csv", index=False)
        report.curve().to_csv(folder / "curve.csv", index=False)
        report.sworn_shortfall().to_csv(folder / "sworn_shortfall.csv", index=False)
        plot_curves(report, folder / "curve.svg")
        write_json(folder / "sizing.json", report.summary())

    return atomic_folder(out, write, command="size", force=force, protect=protect)
