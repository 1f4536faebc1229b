"""Writing an output folder atomically.

Everything is written into a hidden staging folder beside the target and swapped in with
renames, so an interrupted run leaves either the previous complete folder or the new complete
folder, never a half-written roster that looks complete.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from allocate.result import Result

Writer = Callable[[Path], None]


def _json_default(value: Any) -> Any:
    if hasattr(value, "item"):  # numpy scalars
        return value.item()
    if hasattr(value, "isoformat"):
        return value.isoformat()
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


def write_json(path: Path, data: dict[str, Any]) -> None:
    path.write_text(
        json.dumps(data, indent=2, ensure_ascii=False, default=_json_default) + "\n", encoding="utf-8"
    )


def atomic_folder(out: Path, write: Writer) -> Path:
    """Run `write(staging)` and then replace `out` by the staging folder in one step."""
    out = Path(out).resolve()
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.", suffix=".partial", dir=out.parent))
    try:
        write(staging)
        for f in staging.iterdir():
            with open(f, "rb") as handle:
                os.fsync(handle.fileno())
        old = None
        if out.exists():
            old = out.with_name(f".{out.name}.old-{os.getpid()}")
            os.replace(out, old)
        os.replace(staging, out)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return out


def write_result(result: Result, out: Path, extra: dict[str, Writer] | None = None) -> Path:
    """The output contract: roster.csv, coverage.csv, summary.json (+ reasons, hours, extras)."""

    def write(folder: Path) -> None:
        result.roster.to_csv(folder / "roster.csv", index=False)
        result.coverage.to_csv(folder / "coverage.csv", index=False)
        result.uncovered_reasons.to_csv(folder / "uncovered.csv", index=False)
        result.hours_by_person().to_csv(folder / "hours.csv", index=False)
        for writer in (extra or {}).values():
            writer(folder)
        write_json(folder / "summary.json", result.summary())

    return atomic_folder(out, write)
