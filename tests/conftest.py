"""Shared fixtures: the catalogue and the 示例数据's analysis, each built once per session."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest

from geo.zones.catalog import DATA_DIR, load_catalog


@pytest.fixture(autouse=True)
def _main_module_restored():
    """Put pytest's ``__main__`` back after each test: AppTest leaves the app script there, and
    a process started with "spawn" afterwards would run the whole app before its target."""
    main = sys.modules["__main__"]
    yield
    sys.modules["__main__"] = main


@pytest.fixture(scope="session")
def catalog():
    """The bundled catalogue, validated."""
    return load_catalog()


@pytest.fixture(scope="session")
def sample_analysis(catalog):
    """The bundled 示例数据 analysed with the default profile (shared: never change it in place;
    copy with dataclasses.replace)."""
    from geo.landuse.pipeline import analyse, load_sample
    from geo.landuse.scoring import load_profile

    sample = load_sample()
    return analyse(sample.parcels, sample.enterprises, catalog, load_profile(),
                   data_label=sample.data_label, year=sample.year)


@pytest.fixture
def data_copy(tmp_path: Path) -> Path:
    """A writable copy of data/parks for tests that change files."""
    target = tmp_path / "parks"
    shutil.copytree(DATA_DIR, target)
    return target
