"""Fixtures shared by the report tests: the catalogue and the sample analysis, built once."""

from __future__ import annotations

import pytest


@pytest.fixture(scope="session")
def catalog():
    from geo.zones.catalog import load_catalog

    return load_catalog()


@pytest.fixture(scope="session")
def sample_analysis(catalog):
    from geo.landuse.pipeline import analyse, load_sample
    from geo.landuse.scoring import load_profile

    sample = load_sample()
    return analyse(sample.parcels, sample.enterprises, catalog, load_profile(),
                   data_label=sample.data_label, year=sample.year)
