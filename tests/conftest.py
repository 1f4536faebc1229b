"""Shared fixtures: the bundled tiny dataset folder and a fast solve with one worker."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

DATA = Path(__file__).parent / "data"


@pytest.fixture(scope="session")
def tiny_folder() -> Path:
    return DATA / "tiny"


@pytest.fixture(scope="session")
def tiny_published(tiny_folder: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The tiny dataset's week solved once by `allocate solve`: a published roster to read, never to change."""
    from typer.testing import CliRunner

    from allocate.cli import app

    out = tmp_path_factory.mktemp("published") / "out"
    args = ["solve", str(tiny_folder), "--start", "2026-12-07", "--days", "7", "--out", str(out), "-q"]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    return out
