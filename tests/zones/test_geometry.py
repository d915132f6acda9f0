"""Geometry rules: valid, EPSG:4326, inside the real districts, no overlaps, areas agree."""

from __future__ import annotations

import itertools

import pytest
import shapely
from pyproj import CRS

from geo.crs import AREA_CRS, area_km2

ONE_M2 = 1.0


def test_layers_are_wgs84_and_valid(catalog):
    for level, gdf in catalog.items():
        assert CRS.from_user_input(gdf.crs).to_epsg() == 4326, level
        assert gdf.geometry.is_valid.all(), level
        assert not gdf.geometry.is_empty.any(), level


def test_drawn_geometry_is_labelled_schematic(catalog):
    for level in ("zone", "subzone", "town", "branch", "base"):
        assert set(catalog[level]["geometry_quality"]) == {"schematic"}, level
    assert set(catalog["district"]["geometry_quality"]) == {"reference"}


@pytest.mark.parametrize("level", ["subzone", "town", "branch", "base"])
def test_inside_its_real_district(catalog, level):
    districts = catalog["district"].to_crs(AREA_CRS).set_index("name").geometry
    gdf = catalog[level].to_crs(AREA_CRS)
    for _, row in gdf.iterrows():
        outside = row.geometry.difference(districts[row["district"]])
        assert outside.area < ONE_M2, (
            f"{row['name']} leaves {row['district']} by {outside.area:.0f} m²")
        assert row.geometry.intersects(districts[row["district"]]), (
            f"{row['name']} does not meet {row['district']}")


def test_zones_touch_only_their_districts(catalog):
    districts = catalog["district"].to_crs(AREA_CRS).set_index("name").geometry
    for _, row in catalog["zone"].to_crs(AREA_CRS).iterrows():
        allowed = shapely.union_all([districts[d] for d in row["districts"].split("、")])
        assert row.geometry.difference(allowed).area < ONE_M2, row["name"]


def test_everything_is_on_land(catalog):
    """The district polygons are land (高德 'land' layer): shapes stay inside the city's land."""
    land = shapely.union_all(list(catalog["district"].to_crs(AREA_CRS).geometry))
    for level in ("zone", "subzone", "branch"):
        for _, row in catalog[level].to_crs(AREA_CRS).iterrows():
            assert row.geometry.difference(land).area < ONE_M2, row["name"]


def test_subzones_of_different_zones_do_not_overlap(catalog):
    subs = catalog["subzone"].to_crs(AREA_CRS)
    tree = shapely.STRtree(list(subs.geometry))
    for i, j in zip(*tree.query(list(subs.geometry), predicate="intersects"), strict=True):
        if i < j and subs.iloc[i]["zone_id"] != subs.iloc[j]["zone_id"]:
            overlap = subs.iloc[i].geometry.intersection(subs.iloc[j].geometry).area
            assert overlap < ONE_M2, (subs.iloc[i]["name"], subs.iloc[j]["name"], overlap)


def test_zones_do_not_overlap(catalog):
    zones = catalog["zone"].to_crs(AREA_CRS)
    for (_, a), (_, b) in itertools.combinations(zones.iterrows(), 2):
        assert a.geometry.intersection(b.geometry).area < ONE_M2, (a["name"], b["name"])


def test_zone_is_union_of_its_subzones(catalog):
    subs = catalog["subzone"].to_crs(AREA_CRS)
    for _, zone in catalog["zone"].to_crs(AREA_CRS).iterrows():
        union = shapely.union_all(list(subs.loc[subs["zone_id"] == zone["id"], "geometry"]))
        assert zone.geometry.symmetric_difference(union).area < ONE_M2, zone["name"]


def test_branch_areas_agree_with_planned_areas(catalog):
    branches = catalog["branch"]
    measured = area_km2(branches)
    planned = branches["planned_area_km2"].astype(float)
    assert ((measured - planned).abs() / planned < 0.05).all()
    assert (branches["area_km2"] - measured).abs().max() < 1e-3


def test_stored_areas_are_measured_in_gauss_kruger(catalog):
    for level in ("zone", "subzone", "branch"):
        gdf = catalog[level]
        assert ((gdf["area_km2"] - area_km2(gdf)).abs() < 1e-3).all(), level
        assert ((gdf["area_mu"] - gdf["area_km2"] * 1500).abs() < 1.0).all(), level


def test_schematic_data_rebuilds_identically(catalog):
    """The committed layers are exactly what scripts/build_catalog.py makes from the sources."""
    from geo.zones.build import build_layers

    rebuilt = build_layers(districts=catalog["district"])
    for level, gdf in rebuilt.items():
        ours = catalog[level].set_index("id")
        new = gdf.set_index("id")
        assert list(new.index) == list(ours.index), level
        diff = new.geometry.to_crs(AREA_CRS).symmetric_difference(
            ours.geometry.to_crs(AREA_CRS), align=True)
        assert (diff.area < ONE_M2).all(), level
