"""The validator names the file, the feature, the field and the fix."""

from __future__ import annotations

import pytest
import shapely
from shapely.geometry import Polygon

from geo._errors import CatalogValidationError
from geo.zones.catalog import load_catalog, load_layer, validate_catalog, validate_layer


def test_error_is_a_value_error():
    assert issubclass(CatalogValidationError, ValueError)


def _assert_names(exc: CatalogValidationError, *, feature=None, field=None):
    msg = str(exc)
    assert "Fix:" in msg
    if feature:
        assert feature in msg
    if field:
        assert f"field '{field}'" in msg


def test_missing_column(catalog):
    gdf = catalog["zone"].drop(columns=["belt"])
    with pytest.raises(CatalogValidationError, match="missing column") as exc:
        validate_layer(gdf, "zone")
    assert "zones.geojson" in str(exc.value)


def test_duplicate_id(catalog):
    gdf = catalog["town"].copy()
    gdf.loc[gdf.index[1], "id"] = gdf.loc[gdf.index[0], "id"]
    with pytest.raises(CatalogValidationError, match="duplicate id") as exc:
        validate_layer(gdf, "town")
    _assert_names(exc.value, feature="T01", field="id")


def test_invalid_geometry(catalog):
    gdf = catalog["subzone"].copy()
    bowtie = Polygon([(121.5, 29.9), (121.52, 29.92), (121.52, 29.9), (121.5, 29.92)])
    gdf.loc[gdf.index[3], "geometry"] = bowtie
    with pytest.raises(CatalogValidationError, match="invalid geometry") as exc:
        validate_layer(gdf, "subzone")
    _assert_names(exc.value, feature=gdf.iloc[3]["name"], field="geometry")
    assert "make_valid" in str(exc.value)


def test_unknown_geometry_quality(catalog):
    gdf = catalog["zone"].copy()
    gdf.loc[gdf.index[0], "geometry_quality"] = "official"
    with pytest.raises(CatalogValidationError) as exc:
        validate_layer(gdf, "zone")
    _assert_names(exc.value, feature="Z01", field="geometry_quality")


def test_stale_area(catalog):
    gdf = catalog["branch"].copy()
    gdf.loc[gdf.index[0], "area_km2"] = 1.0
    with pytest.raises(CatalogValidationError, match="measures") as exc:
        validate_layer(gdf, "branch")
    _assert_names(exc.value, feature="鄞州分园", field="area_km2")


def test_wrong_crs(catalog):
    with pytest.raises(CatalogValidationError, match="EPSG:4326"):
        validate_layer(catalog["zone"].to_crs(4549), "zone")


def test_outside_ningbo_names_gcj_or_axis_order(catalog):
    gdf = catalog["town"].copy()
    gdf.loc[gdf.index[0], "geometry"] = shapely.Point(29.98, 121.47)  # lat/lon swapped
    with pytest.raises(CatalogValidationError, match="outside Ningbo") as exc:
        validate_layer(gdf, "town")
    assert "coordinate order" in str(exc.value)


def test_broken_parent_link(catalog):
    broken = dict(catalog)
    subs = catalog["subzone"].copy()
    subs.loc[subs.index[0], "zone_id"] = "Z99"
    broken["subzone"] = subs
    with pytest.raises(CatalogValidationError, match="Z99") as exc:
        validate_catalog(broken)
    _assert_names(exc.value, feature=subs.iloc[0]["name"], field="zone_id")


def test_unknown_district(catalog):
    broken = dict(catalog)
    towns = catalog["town"].copy()
    towns.loc[towns.index[0], "district"] = "江东区"
    broken["town"] = towns
    with pytest.raises(CatalogValidationError, match="江东区"):
        validate_catalog(broken)


def test_load_reports_a_malformed_file(data_copy):
    (data_copy / "towns.geojson").write_text('{"type": "FeatureCollection", "features": [',
                                             encoding="utf-8")
    with pytest.raises(CatalogValidationError, match="cannot be read") as exc:
        load_layer("town", data_dir=data_copy)
    assert "towns.geojson" in str(exc.value)
    assert "git checkout" in str(exc.value)


def test_load_reports_a_missing_file(data_copy):
    (data_copy / "zones.geojson").unlink()
    with pytest.raises(CatalogValidationError, match="file not found") as exc:
        load_catalog(data_dir=data_copy)
    assert "build_catalog.py" in str(exc.value)


def test_a_catalogue_folder_is_opened_through_the_guarded_reader(data_copy):
    """NINGBO_PARKS_DIR may point at a user's folder: a VRT named zones.geojson is refused."""
    (data_copy / "zones.geojson").write_text(
        '<OGRVRTDataSource><OGRVRTLayer name="x"><SrcDataSource>/etc/passwd</SrcDataSource>'
        "</OGRVRTLayer></OGRVRTDataSource>", encoding="utf-8")
    with pytest.raises(CatalogValidationError, match="VRT") as err:
        load_layer("zone", data_dir=data_copy)
    assert "root:" not in str(err.value)
