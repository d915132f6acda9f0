"""Areas are measured in CGCS2000 Gauss-Krüger, never in degrees; 1 亩 = 10000/15 m²."""

from __future__ import annotations

import geopandas as gpd
import pytest
from pyproj import Geod
from shapely.geometry import box

from geo.crs import AREA_CRS, M2_PER_MU, MU_PER_KM2, area_km2, area_mu, to_area_crs


def test_mu_definition():
    assert pytest.approx(666.6667, abs=1e-4) == M2_PER_MU
    assert pytest.approx(1500.0) == MU_PER_KM2


def test_area_crs_is_cgcs2000_gauss_kruger():
    assert AREA_CRS.to_epsg() == 4549
    assert "CGCS2000" in AREA_CRS.name
    assert AREA_CRS.is_projected


def test_projected_area_agrees_with_geodesic_area_in_every_district(catalog):
    geod = Geod(ellps="GRS80")
    districts = catalog["district"]
    for (_, row), km2 in zip(districts.iterrows(), area_km2(districts), strict=True):
        geodesic = abs(geod.geometry_area_perimeter(row.geometry)[0]) / 1e6
        assert abs(km2 - geodesic) / geodesic < 0.001, row["name"]


def test_a_square_kilometre_is_1500_mu():
    # 1 km x 1 km square built in the projected CRS, then stored in WGS84.
    square = gpd.GeoSeries([box(500_000, 3_300_000, 501_000, 3_301_000)], crs=AREA_CRS)
    stored = square.to_crs(4326)
    assert area_km2(stored).iloc[0] == pytest.approx(1.0, rel=1e-6)
    assert area_mu(stored).iloc[0] == pytest.approx(1500.0, rel=1e-6)


def test_no_crs_is_refused_not_guessed():
    with pytest.raises(ValueError, match="no CRS"):
        to_area_crs(gpd.GeoSeries([box(0, 0, 1, 1)]))


def test_shared_projections_project_the_same_geometries_once(monkeypatch):
    import geopandas as gpd
    import pandas as pd
    from shapely.geometry import box

    from geo.crs import AREA_CRS, shared_projections, to_area_crs

    parcels = gpd.GeoDataFrame({"pid": ["a", "b"]}, crs=4326,
                               geometry=[box(121.5, 29.8, 121.51, 29.81),
                                         box(121.6, 29.9, 121.62, 29.91)])
    calls = []
    real = gpd.GeoSeries.to_crs
    monkeypatch.setattr(gpd.GeoSeries, "to_crs",
                        lambda self, *a, **k: calls.append(len(self)) or real(self, *a, **k))
    plain = real(parcels.geometry, AREA_CRS)
    with shared_projections():
        first = to_area_crs(parcels.geometry)
        again = to_area_crs(parcels.set_index("pid").geometry)  # same content, other index
        frame = to_area_crs(parcels)
        moved = to_area_crs(parcels.geometry.translate(xoff=1e-4))
    assert calls == [2, 2]  # the moved copy is other geometry: projected on its own
    assert first.geom_equals_exact(plain, tolerance=0).all()
    assert list(again.index) == ["a", "b"]
    assert again.crs == AREA_CRS
    assert isinstance(frame, gpd.GeoDataFrame)
    assert list(frame.columns) == ["pid", "geometry"]
    assert frame.crs == AREA_CRS
    pd.testing.assert_series_equal(frame.area, plain.area, check_names=False)
    assert not moved.geom_equals_exact(first, tolerance=0).any()
    to_area_crs(parcels.geometry)  # outside the block: nothing is kept
    assert calls == [2, 2, 2]
