"""The human side of an output folder: report.html (a self-contained page) and roster.xlsx.

Both are built from the files of the output contract alone (roster.csv, coverage.csv, summary.json,
uncovered.csv, hours.csv), so ``allocate report OUT`` rebuilds them at any time; the dataset, when
found, only adds names, shift times and absences.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

from allocate.report.data import ReportData, load_report_data

if TYPE_CHECKING:
    from collections.abc import Callable

    from allocate.domain import Dataset
    from allocate.result import Result

__all__ = ["ReportData", "load_report_data", "report_writer", "write_report"]

HTML_NAME = "report.html"
WORKBOOK_NAME = "roster.xlsx"


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _atomic(path: Path, write: Callable[[Path], None]) -> None:
    """Write through a temporary file in the same folder, then rename it into place."""
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    try:
        write(Path(tmp))
        os.chmod(tmp, 0o666 & ~_umask())
        with open(tmp, "rb") as handle:
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_report(
    out_folder: str | Path,
    data_path: str | Path | None = None,
    *,
    summary: dict[str, Any] | None = None,
    dataset: Dataset | None = None,
) -> tuple[Path, Path]:
    """Write report.html and roster.xlsx into `out_folder`, from the files found there.

    `data_path` names the dataset (for names); by default the one recorded in summary.json is
    used if it can be found. A solve in progress hands in its `summary` (summary.json is written
    last) and its `dataset`. Returns the paths of the page and the workbook.
    """
    from allocate.report.html import render_html
    from allocate.report.workbook import write_workbook

    folder = Path(out_folder)
    if not folder.is_dir():
        raise FileNotFoundError(f"{folder} is not a folder")
    data = load_report_data(
        folder, Path(data_path) if data_path is not None else None, summary=summary, dataset=dataset
    )
    html_path, xlsx_path = folder / HTML_NAME, folder / WORKBOOK_NAME
    page = render_html(data)
    _atomic(html_path, lambda p: p.write_text(page, encoding="utf-8"))
    _atomic(xlsx_path, lambda p: write_workbook(data, p))
    return html_path, xlsx_path


def report_writer(result: Result) -> Callable[[Path], None]:
    """A writer for :func:`allocate.output.write_result`: the report of `result`, in its staging folder."""

    def write(folder: Path) -> None:
        write_report(folder, summary=result.summary(), dataset=result.dataset)

    return write
