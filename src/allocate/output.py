"""Writing an output folder atomically.

Everything is written into a hidden staging folder beside the target and swapped in with
renames, so an interrupted run leaves either the previous complete folder or the new complete
folder, never a half-written roster that looks complete. What may be replaced at all is decided
in :mod:`allocate.outfolder`.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from allocate.outfolder import (
    aside_name,
    check_out,
    clean_stale,
    done_with,
    marker_fields,
    staging_folder,
    write_marker,
)

if TYPE_CHECKING:
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


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _fsync_dir(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        with contextlib.suppress(OSError):
            os.fsync(fd)
    finally:
        os.close(fd)


def atomic_folder(
    out: Path,
    write: Writer,
    *,
    command: str = "write",
    force: bool = False,
    protect: Iterable[Path | str | None] = (),
    store: Path | str | None = None,
    marker: dict[str, Any] | None = None,
) -> Path:
    """Run `write(staging)` and then replace `out` by the staging folder in one step.

    `out` is checked first (:func:`allocate.outfolder.check_out`: never an input, the store's or
    the current folder, nor a folder of other content unless `force`); the staging folder gets
    allocate's marker (`marker`, default: tool, version, `command`, time), so a later run may
    replace it. Leftovers of killed runs beside `out` are cleaned up first.
    """
    out = check_out(out, protect=protect, store=store, force=force)
    out.parent.mkdir(parents=True, exist_ok=True)
    clean_stale(out)
    staging = staging_folder(out)
    old = None
    try:
        write(staging)
        write_marker(staging, marker if marker is not None else marker_fields(command))
        for f in staging.iterdir():
            if f.is_file():
                with open(f, "rb") as handle:
                    os.fsync(handle.fileno())
        os.chmod(staging, 0o777 & ~_umask())  # mkdtemp made it private; an output folder is not
        _fsync_dir(staging)
        if out.exists():
            old = aside_name(out)
            os.replace(out, old)
        os.replace(staging, out)
        _fsync_dir(out.parent)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        if old is not None and old.exists():
            if not out.exists():
                os.replace(old, out)  # the swap failed half-way: the previous output comes back
            else:
                with contextlib.suppress(OSError):
                    os.rmdir(old)  # still the empty placeholder: the output was never moved
        raise
    finally:
        done_with(staging)
        if old is not None:
            done_with(old)
    return out


def write_result(
    result: Result,
    out: Path,
    extra: dict[str, Writer] | None = None,
    *,
    force: bool = False,
    protect: Iterable[Path | str | None] = (),
    command: str = "solve",
) -> Path:
    """The output contract: roster.csv, coverage.csv, summary.json (+ reasons, hours, extras).

    The dataset the result was solved from is always protected; see :func:`atomic_folder`.
    """

    def write(folder: Path) -> None:
        result.roster.to_csv(folder / "roster.csv", index=False)
        result.coverage.to_csv(folder / "coverage.csv", index=False)
        result.uncovered_reasons.to_csv(folder / "uncovered.csv", index=False)
        result.hours_by_person().to_csv(folder / "hours.csv", index=False)
        if result.changes is not None:  # a re-plan: what it added and removed (allocate.replan)
            result.changes.to_csv(folder / "changes.csv", index=False)
        for writer in (extra or {}).values():
            writer(folder)
        write_json(folder / "summary.json", result.summary())

    inputs = [*protect, result.dataset.source or None]
    return atomic_folder(out, write, command=command, force=force, protect=inputs)
