"""What an output folder may replace: nothing that allocate did not write.

Every folder allocate writes (a solve's output, a sizing report, a batch export, a generated
dataset) holds a small marker file, ``.allocate-output``. An existing folder is replaced only
when it holds that marker, when it is empty, or when the user passes ``--force``. Some folders
are never replaced, not even with ``--force``: an input (the dataset, a scenario, a published
roster), the store database, the current folder, the home folder, or any folder holding one of
them. All of this is checked before the (long) solve, together with whether the folder can be
written at all, so a mistake costs an exit 2 at once instead of a lost dataset or a traceback.

A killed run can leave its staging folder (``.NAME.<tag>.partial``) or the previous output it
had just moved aside (``.NAME.old-<tag>``) next to the target; :func:`clean_stale` removes the
first and puts the second back, but only for names of allocate's own making whose process is
gone.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import re
import shutil
import socket
import tempfile
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from allocate.i18n import L_
from allocate.io.errors import InputError, InputIssue

if TYPE_CHECKING:
    from collections.abc import Iterable

MARKER = ".allocate-output"
"""The file that says "allocate wrote this folder" (a small JSON object, tool = allocate)."""

FORCE_HELP = (
    "Replace an existing output folder even if allocate did not write it (never an input, the "
    "store's folder or the current folder)."
)

DATA_SUFFIXES = (".csv", ".tsv", ".txt", ".xlsx", ".xlsm", ".xls", ".toml", ".json")
"""Names a dataset folder may read: an output folder by such a name inside one would shadow a table."""

STALE_AFTER = 24 * 3600.0
"""Seconds after which a staging folder is stale even if its process id is alive again (reuse)."""

_RAND = r"[a-z0-9_]{8}"  # what tempfile.mkdtemp puts between prefix and suffix
_in_flight: set[Path] = set()  # this process's staging folders, never stale while it runs


class OutputRefused(InputError):
    """An output path that would destroy what allocate did not write, or cannot be written.

    A kind of bad input: the CLI exits 2 and nothing is written.
    """

    def __init__(self, option: str, path: Path | str, expected: str):
        self.option, self.path = option, Path(path)
        super().__init__([InputIssue(option, None, None, str(path), expected)])


def _resolve(path: Path | str) -> Path:
    """The absolute path the kernel would use: symlinks followed before ``..``, no ``~`` expansion
    (the shell expands it; a path that still holds one names a folder called ``~``)."""
    return Path(path).resolve()


def _home() -> Path | None:
    try:
        return _resolve(Path.home())
    except (RuntimeError, KeyError, OSError):
        return None


def has_marker(folder: Path) -> bool:
    """Does `folder` hold allocate's marker (a regular file naming allocate as its tool)?"""
    marker = folder / MARKER
    if marker.is_symlink() or not marker.is_file():
        return False
    try:
        with marker.open("rb") as handle:
            data = json.loads(handle.read(65536))
    except (OSError, ValueError):
        return False
    return isinstance(data, dict) and data.get("tool") == "allocate"


def marker_fields(command: str) -> dict[str, Any]:
    """The marker of a run: tool, version, command and when it was written."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        ver = version("allocate")
    except PackageNotFoundError:
        ver = "unknown"
    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    return {"tool": "allocate", "version": ver, "command": command, "written_at": now.isoformat()}


def write_marker(folder: Path, fields: dict[str, Any]) -> None:
    (folder / MARKER).write_text(
        json.dumps({"tool": "allocate", **fields}, indent=2) + "\n", encoding="utf-8"
    )


def _probe(folder: Path) -> str | None:
    """Why files cannot be created in `folder` (None if they can): tried for real, so it holds
    for root, read-only mounts and ACLs alike."""
    try:
        os.rmdir(tempfile.mkdtemp(prefix=".allocate-probe-", dir=folder))
    except OSError as exc:
        return exc.strerror or str(exc)
    return None


def _existing_ancestor(path: Path) -> Path:
    while not path.exists() and path != path.parent:
        path = path.parent
    return path


def check_out(
    out: Path | str,
    *,
    protect: Iterable[Path | str | None] = (),
    store: Path | str | None = None,
    force: bool = False,
    option: str = "--out",
) -> Path:
    """The resolved folder `out` if writing it may replace what is there; else OutputRefused.

    `protect` are the run's inputs (files or folders): `out` may be none of them and hold none
    of them, with or without `force`; the same holds for `store` (a database file), the current
    folder and the home folder. An existing `out` must be a folder that is empty, holds the
    marker, or `force` must be set. The folder it would be created in must be writable.
    """
    target = _resolve(out)
    guarded: list[tuple[Path, str]] = [(_resolve(p), L_("the input")) for p in protect if p is not None]
    if store is not None:
        guarded.append((_resolve(store), L_("the store database")))
    guarded.append((_resolve(Path.cwd()), L_("the current folder")))
    home = _home()
    if home is not None:
        guarded.append((home, L_("the home folder")))
    for path, what in guarded:
        if what == "the input" and target.parent == path and target.suffix.lower() in DATA_SUFFIXES:
            raise OutputRefused(
                option, out, L_("a folder whose name the input %(path)s would not read as a table", path=path)
            )
        if target == path:
            raise OutputRefused(
                option,
                out,
                L_(
                    "a folder other than %(what)s %(path)s (never replaced, even with --force)",
                    what=what,
                    path=path,
                ),
            )
        if target in path.parents:
            raise OutputRefused(
                option,
                out,
                L_(
                    "a folder that does not hold %(what)s %(path)s (never replaced, even with --force)",
                    what=what,
                    path=path,
                ),
            )
    if target.exists() or target.is_symlink():
        if not target.is_dir():
            raise OutputRefused(option, out, L_("a folder, not an existing file (a file is never replaced)"))
        if not force and any(target.iterdir()) and not has_marker(target):
            raise OutputRefused(
                option,
                out,
                L_(
                    "a new or empty folder, or one written by allocate (it holds files but no %(marker)s "
                    "marker): choose another folder, or pass --force to replace it and everything in it",
                    marker=MARKER,
                ),
            )
        if not os.access(target, os.W_OK | os.X_OK):
            raise OutputRefused(option, out, L_("a folder allocate can write (it is read-only)"))
    base = _existing_ancestor(target.parent)
    if not base.is_dir():
        raise OutputRefused(
            option, out, L_("a path that can be created (%(base)s is a file, not a folder)", base=base)
        )
    why = _probe(base)
    if why is not None:
        raise OutputRefused(
            option,
            out,
            L_("a folder allocate can write (cannot create files in %(base)s: %(why)s)", base=base, why=why),
        )
    return target


def host_id() -> str:
    """This machine in staging-folder names: a short hash of its host name, so no name is written."""
    return hashlib.sha1(socket.gethostname().encode()).hexdigest()[:8]


def _tag() -> str:
    """``PID@HOST``: who made a staging folder, so that a later run can tell a dead one."""
    return f"{os.getpid()}@{host_id()}"


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError, ValueError):
        return True
    return True


def _stale(path: Path, pid: str | None, host: str | None) -> bool:
    """A leftover of a run that is gone: its process is dead on this host, or it is old."""
    if path in _in_flight:
        return False
    try:
        age = time.time() - path.lstat().st_mtime
    except OSError:
        return False
    if age > STALE_AFTER:
        return True
    if pid is None or host is None:  # named by an older allocate: give it an hour
        return age > 3600.0
    if host != host_id():
        return False
    return int(pid) == os.getpid() or not _alive(int(pid))


def clean_stale(out: Path) -> list[Path]:
    """Remove the staging folders of dead runs next to `out`; put a moved-aside output back.

    Only names of allocate's own making are touched: ``.NAME.PID@HOST-XXXXXXXX.partial`` and
    ``.NAME.old-PID@HOST-XXXXXXXX`` (and the older ``.NAME.XXXXXXXX.partial``, ``.NAME.old-PID``).
    Returns the paths removed or restored.
    """
    name = re.escape(out.name)
    tag = r"(?:(?P<pid>\d+)@(?P<host>[0-9a-f]{8})-" + _RAND + ")"
    staging = re.compile(rf"\.{name}\.(?:{tag}|{_RAND})\.partial")
    old = re.compile(rf"\.{name}\.old-(?:{tag}|(?P<legacy>\d+))")
    done: list[Path] = []
    olds: list[Path] = []
    try:
        entries = list(out.parent.iterdir())
    except OSError:
        return done
    for entry in entries:
        for pattern, bucket in ((staging, None), (old, olds)):
            m = pattern.fullmatch(entry.name)
            if m is None or entry.is_symlink() or not entry.is_dir():
                continue
            legacy = m.groupdict().get("legacy")  # an older allocate's .NAME.old-PID, made here
            pid, host = (legacy, host_id()) if legacy else (m.group("pid"), m.group("host"))
            if not _stale(entry, pid, host):
                continue
            if bucket is None:
                shutil.rmtree(entry, ignore_errors=True)
                done.append(entry)
            else:
                bucket.append(entry)
    olds.sort(key=lambda p: p.lstat().st_mtime, reverse=True)
    for entry in olds:  # the newest one is the output a killed swap had just moved aside
        if not out.exists() and not out.is_symlink() and has_marker(entry):
            os.replace(entry, out)
        else:
            shutil.rmtree(entry, ignore_errors=True)
        done.append(entry)
    return done


def staging_folder(out: Path) -> Path:
    """A new hidden staging folder beside `out`, named so that :func:`clean_stale` knows it."""
    path = Path(tempfile.mkdtemp(prefix=f".{out.name}.{_tag()}-", suffix=".partial", dir=out.parent))
    _in_flight.add(path)
    return path


def aside_name(out: Path) -> Path:
    """Where the previous output goes while the new one is swapped in."""
    path = Path(tempfile.mkdtemp(prefix=f".{out.name}.old-{_tag()}-", dir=out.parent))
    _in_flight.add(path)
    return path


def done_with(path: Path) -> None:
    """`path` (from :func:`staging_folder` or :func:`aside_name`) is no longer in use."""
    _in_flight.discard(path)
