"""Shared fixtures: the catalogue is loaded once per test session."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from geo.zones.catalog import DATA_DIR, load_catalog


@pytest.fixture(scope="session")
def catalog():
    """The bundled catalogue, validated."""
    return load_catalog()


@pytest.fixture
def data_copy(tmp_path: Path) -> Path:
    """A writable copy of data/parks for tests that change files."""
    target = tmp_path / "parks"
    shutil.copytree(DATA_DIR, target)
    return target
