"""`--out` never destroys what allocate did not write: inputs, the store, the current folder, files,
other people's folders; a read-only place fails at once; a killed run's leftovers are cleaned up."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from typer.testing import CliRunner

from allocate.cli import app
from allocate.outfolder import MARKER, OutputRefused, check_out, clean_stale, has_marker
from batch_helpers import W1

SOLVE = ("--start", "2026-12-07", "--days", "7", "--time-limit", "5", "--workers", "1", "-q")


def invoke(*args: object):
    return CliRunner().invoke(app, [str(a) for a in args])


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file under `folder` with its bytes: equal snapshots mean nothing was touched."""
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def leftovers(parent: Path) -> list[str]:
    return sorted(p.name for p in parent.iterdir() if p.name.endswith(".partial") or ".old-" in p.name)


@pytest.fixture
def ds(tmp_path, tiny_folder) -> Path:
    """A private copy of the tiny dataset, so that a test may try to destroy it."""
    folder = tmp_path / "ds"
    shutil.copytree(tiny_folder, folder)
    return folder


def dead_pid() -> int:
    """The id of a process that has exited (and been reaped)."""
    p = subprocess.Popen([sys.executable, "-c", "pass"])
    p.wait()
    return p.pid


@pytest.mark.parametrize("force", [False, True])
def test_out_is_the_dataset_exits_2_and_the_dataset_stays(ds, force):
    """`solve DATA --out DATA` (even with --force) exits 2, names the input, leaves every file."""
    before = snapshot(ds)
    r = invoke("solve", ds, "--out", ds, *SOLVE, *(["--force"] if force else []))
    assert r.exit_code == 2, r.output
    assert "the input" in r.output and "nothing was written" in r.output
    assert snapshot(ds) == before


@pytest.mark.parametrize("out", [".", "..", "PARENT"])
def test_out_holding_the_dataset_or_the_current_folder_exits_2(ds, tmp_path, monkeypatch, out):
    """`--out .`, `--out ..` and `--out <parent of DATA>` are refused, even with --force."""
    monkeypatch.chdir(ds)
    target = tmp_path if out == "PARENT" else Path(out)
    before = snapshot(tmp_path)
    for extra in ([], ["--force"]):
        r = invoke("solve", ds, "--out", target, *SOLVE, *extra)
        assert r.exit_code == 2, r.output
        assert "never replaced, even with --force" in r.output
    assert snapshot(tmp_path) == before


def test_out_is_the_current_folder_without_the_dataset_in_it(ds, tmp_path, monkeypatch):
    """The current folder is never replaced, even when the dataset lives elsewhere."""
    work = tmp_path / "work"
    work.mkdir()
    (work / "notes.txt").write_text("mine")
    monkeypatch.chdir(work)
    r = invoke("solve", ds, "--out", ".", *SOLVE, "--force")
    assert r.exit_code == 2, r.output
    assert "the current folder" in r.output
    assert (work / "notes.txt").read_text() == "mine"


def test_out_an_existing_file_exits_2(ds, tmp_path):
    """An `--out` naming a file is refused with or without --force; the file is untouched."""
    f = tmp_path / "roster.txt"
    f.write_text("keep me")
    for extra in ([], ["--force"]):
        r = invoke("solve", ds, "--out", f, *SOLVE, *extra)
        assert r.exit_code == 2, r.output
        assert "not an existing file" in r.output
    assert f.read_text() == "keep me"


def test_a_folder_of_other_content_needs_force(ds, tmp_path):
    """A folder without the marker is kept (exit 2) unless --force; then it becomes an output."""
    other = tmp_path / "reports"
    other.mkdir()
    (other / "thesis.docx").write_text("years of work")
    r = invoke("solve", ds, "--out", other, *SOLVE)
    assert r.exit_code == 2, r.output
    assert "--force" in r.output and MARKER in r.output
    assert snapshot(other) == {"thesis.docx": b"years of work"}
    r = invoke("solve", ds, "--out", other, *SOLVE, "--force")
    assert r.exit_code == 0, r.output
    assert not (other / "thesis.docx").exists()
    assert (other / "roster.csv").exists() and has_marker(other)


def test_resolving_into_a_previous_output_replaces_it(ds, tmp_path):
    """An output folder allocate wrote (or an empty one) is replaced without --force, leaving no staging."""
    out = tmp_path / "out"
    out.mkdir()  # empty: may be used
    assert invoke("solve", ds, "--out", out, *SOLVE).exit_code == 0
    marker = json.loads((out / MARKER).read_text())
    assert marker["tool"] == "allocate" and marker["command"] == "solve"
    assert {"version", "written_at"} <= set(marker)
    (out / "roster.csv").write_text("stale")
    r = invoke("solve", ds, "--out", out, *SOLVE)
    assert r.exit_code == 0, r.output
    assert (out / "roster.csv").read_text().startswith("date,station_id")
    assert leftovers(tmp_path) == []
    mask = os.umask(0o022)
    os.umask(mask)
    assert out.stat().st_mode & 0o777 == 0o777 & ~mask  # the umask's mode, not mkdtemp's private 0700


KILLED_WRITER = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    from allocate.output import atomic_folder

    def write(folder):
        (folder / "roster.csv").write_text("half")
        print("staging", flush=True)
        time.sleep(120)

    atomic_folder(Path(sys.argv[1]), write)
    """
)


def test_a_killed_runs_staging_is_cleaned_up(ds, tmp_path):
    """SIGKILL a write half-way: its `.out.*.partial` stays; the next solve removes it, and only it."""
    out = tmp_path / "out"
    writer = subprocess.Popen(
        [sys.executable, "-c", KILLED_WRITER, str(out)], stdout=subprocess.PIPE, text=True
    )
    try:
        assert writer.stdout.readline().strip() == "staging"
    finally:
        writer.send_signal(signal.SIGKILL)
        writer.wait()
    assert len(leftovers(tmp_path)) == 1 and not out.exists()
    foreign = [tmp_path / ".out.notes", tmp_path / ".other.abcdefgh.partial", tmp_path / ".out.keep.partial"]
    for f in foreign:  # not allocate's naming for this target: never touched
        f.mkdir()
    r = invoke("solve", ds, "--out", out, *SOLVE)
    assert r.exit_code == 0, r.output
    assert leftovers(tmp_path) == sorted(f.name for f in foreign if f.name.endswith(".partial"))
    assert all(f.exists() for f in foreign)


def test_an_output_moved_aside_by_a_killed_swap_comes_back(tmp_path):
    """A dead run's `.out.old-*` is put back when `out` is missing; a live run's staging is left alone."""
    from allocate.outfolder import host_id

    host = host_id()
    out = tmp_path / "out"
    aside = tmp_path / f".out.old-{dead_pid()}@{host}-abcdefgh"
    aside.mkdir()
    (aside / MARKER).write_text('{"tool": "allocate"}')
    (aside / "roster.csv").write_text("previous")
    live = tmp_path / f".out.{os.getppid()}@{host}-abcd1234.partial"  # our parent: alive
    live.mkdir()
    legacy = tmp_path / ".out.k2j4h5g6.partial"  # an older allocate's naming, two hours old
    legacy.mkdir()
    os.utime(legacy, (legacy.stat().st_atime - 7200, legacy.stat().st_mtime - 7200))
    removed = clean_stale(out)
    assert (out / "roster.csv").read_text() == "previous"
    assert live.exists() and not legacy.exists() and not aside.exists()
    assert set(removed) == {aside, legacy}


def _unwritable(folder: Path) -> bool:
    try:
        (folder / ".probe").mkdir()
    except OSError:
        return True
    (folder / ".probe").rmdir()
    return False


def test_a_path_under_a_file_exits_2_before_solving(ds, tmp_path):
    """An `--out` under an existing file cannot be created: exit 2 at once, naming the file."""
    blocker = tmp_path / "file"
    blocker.write_text("x")
    r = invoke("solve", ds, "--out", blocker / "out", *SOLVE)
    assert r.exit_code == 2, r.output
    assert "is a file, not a folder" in r.output and "allocate: summary" not in r.output
    assert blocker.read_text() == "x"


def test_a_read_only_folder_exits_2_before_solving(ds, tmp_path):
    """An `--out` in a read-only folder exits 2 before the solve (chmod 555; as root, where chmod
    does not stop writes, a folder of the read-only /sys instead)."""
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o555)
    try:
        if not _unwritable(locked):
            locked = Path("/sys/fs")
            if not locked.is_dir() or not _unwritable(locked):
                pytest.skip("no read-only folder here: root ignores chmod and /sys is writable")
        r = invoke("solve", ds, "--out", locked / "out", "--start", "2026-12-07", "--time-limit", "60", "-q")
        assert r.exit_code == 2, r.output
        assert "cannot create files" in r.output and "allocate: summary" not in r.output
        assert not (locked / "out").exists()
    finally:
        (tmp_path / "locked").chmod(0o755)


def test_check_out_is_the_library_guard_too(ds, tmp_path):
    """The API refuses the same paths as the CLI (an xlsx input's folder included)."""
    book = tmp_path / "book.xlsx"
    book.write_bytes(b"")
    for bad, protect in ((ds, [ds]), (tmp_path, [book]), (book, [book])):
        with pytest.raises(OutputRefused):
            check_out(bad, protect=protect, force=True)
    (tmp_path / "link").symlink_to(ds)
    with pytest.raises(OutputRefused, match="the input"):
        check_out(tmp_path / "link", protect=[ds], force=True)  # a symlink is followed to what it names
    with pytest.raises(OutputRefused, match="read as a table"):
        check_out(ds / "absences.csv", protect=[ds])  # would become a table of the dataset
    assert check_out(tmp_path / "new", protect=[ds, book]) == (tmp_path / "new").resolve()
    assert check_out(ds / "results", protect=[ds]) == (ds / "results").resolve()


def test_size_refuses_the_dataset_before_sizing(ds):
    """`size --out DATA` exits 2 before any sizing, dataset intact."""
    before = snapshot(ds)
    r = invoke("size", ds, "--out", ds, "--time-limit", "30", "--json")
    assert r.exit_code == 2, r.output
    assert snapshot(ds) == before


def test_batch_export_never_replaces_the_stores_folder(tmp_path, monkeypatch):
    """`batch-export --out .` keeps the default store allocate.db; --force cannot replace its folder."""
    from allocate.batch import BatchSettings, Store, run_batch
    from batch_helpers import tiny

    data = tiny(tmp_path / "data")
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    monkeypatch.delenv("ALLOCATE_STORE", raising=False)
    with Store("sqlite:///allocate.db") as store:
        report = run_batch(data, W1, store.create(), settings=BatchSettings(engine="serial", time_limit=5))
        assert report.exit_code() == 0
    db = (work / "allocate.db").read_bytes()
    for extra in ([], ["--force"]):
        r = invoke("batch-export", "--week", W1, "--out", ".", *extra)
        assert r.exit_code == 2, r.output
        assert "allocate.db" in r.output
    r = invoke("batch-export", "--week", W1, "--out", work, "--store", f"sqlite:///{work / 'allocate.db'}")
    assert r.exit_code == 2 and "the store database" in r.output
    assert (work / "allocate.db").read_bytes() == db
    for _ in range(2):  # a fresh folder, then the same one again: it holds the marker now
        r = invoke("batch-export", "--week", W1, "--out", "export")
        assert r.exit_code == 0, r.output
    assert (work / "export" / "roster.csv").exists() and has_marker(work / "export")


def test_generate_keeps_a_folder_it_did_not_write(tmp_path):
    """`generate OUT` refuses a non-empty folder of other content (unless --force) and a file."""
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "staff.csv").write_text("my real staff")
    r = invoke("generate", mine, "--size", "tiny")
    assert r.exit_code == 2, r.output
    assert (mine / "staff.csv").read_text() == "my real staff"
    assert invoke("generate", tmp_path / "gen", "--size", "tiny").exit_code == 0
    before = snapshot(tmp_path / "gen")
    assert invoke("generate", tmp_path / "gen", "--size", "tiny").exit_code == 0  # its own: replaced
    assert snapshot(tmp_path / "gen") == before  # same seed, same bytes, marker included
    assert invoke("generate", mine, "--size", "tiny", "--force").exit_code == 0
    assert (mine / "staff.csv").read_text() != "my real staff"
    assert invoke("generate", mine / "staff.csv", "--size", "tiny", "--force").exit_code == 2


def test_compare_never_writes_over_its_inputs(ds, tmp_path):
    """`compare`: an --out/<name> that is the dataset, or a --csv that is an input, exits 2 before
    any solve; a scenario name cannot climb out of --out."""
    (tmp_path / "s.toml").write_text(
        'name = "ds"\ndataset = "ds"\n[horizon]\nstart = 2026-12-07\ndays = 7\n[solver]\ntime_limit = 5\n'
    )
    (tmp_path / "t.toml").write_text(
        'name = "../../up"\ndataset = "ds"\n[horizon]\nstart = 2026-12-07\ndays = 7\n[solver]\ntime_limit = 5\n'
    )
    before = snapshot(ds)
    r = invoke("compare", tmp_path / "s.toml", tmp_path / "t.toml", "--out", tmp_path, "--force", "-q")
    assert r.exit_code == 2 and "the input" in r.output, r.output
    r = invoke(
        "compare", tmp_path / "s.toml", tmp_path / "t.toml", "--csv", ds / "staff.csv", "--force", "-q"
    )
    assert r.exit_code == 2 and "--csv" in r.output, r.output
    assert snapshot(ds) == before
    out = tmp_path / "cmp"
    r = invoke(
        "compare", tmp_path / "s.toml", tmp_path / "t.toml", "--out", out, "--csv", out / "c.csv", "-q"
    )
    assert r.exit_code == 0, r.output
    assert sorted(p.name for p in out.iterdir()) == ["_.._.._up", "c.csv", "ds"]
    assert not (tmp_path.parent / "up").exists()
    r = invoke(
        "compare", tmp_path / "s.toml", tmp_path / "t.toml", "--out", out, "--csv", out / "c.csv", "-q"
    )
    assert r.exit_code == 0, r.output  # its own folders and its own CSV are replaced
