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
