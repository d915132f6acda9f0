"""rasterize_parcels (area-weighted per cell) and write_cog (tags, overviews, COG) (issue 13)."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pytest
import rasterio
from shapely.geometry import box

from geo._errors import DataImportError
from geo.raster.surface import DEFAULT_NODATA, rasterize_parcels, write_cog

#: A corner of a 100 m cell in Ningbo, EPSG:4549.
X0, Y0 = 649_700.0, 3_306_700.0


@pytest.fixture
def two_squares():
    """Parcel A (10) over x 0–150 m, parcel B (30) over x 150–300 m, both y 0–100 m.

    On a 100 m grid starting at X0: cell 0 is A only (10), cell 1 is half A and half B
    ((10·50 + 30·50) / 100 = 20), cell 2 is B only (30); a fourth parcel C (40) covers half of
    a cell alone (x 350–400): its covered part gives 40, the empty half does not dilute it.
    """
    geoms = [box(X0, Y0, X0 + 150, Y0 + 100), box(X0 + 150, Y0, X0 + 300, Y0 + 100),
             box(X0 + 350, Y0, X0 + 400, Y0 + 100)]
    return gpd.GeoDataFrame({"亩均税收": [10.0, 30.0, 40.0]}, geometry=geoms, crs="EPSG:4549")


def test_cells_get_the_area_weighted_value(two_squares):
    bounds = (X0, Y0 - 100, X0 + 500, Y0 + 100)
    array, transform, crs = rasterize_parcels(two_squares, "亩均税收", bounds=bounds)
    assert crs.to_epsg() == 4549
    assert transform.a == 100
    assert transform.e == -100
    assert (transform.c, transform.f) == (X0, Y0 + 100)
    assert array.shape == (2, 5)
    np.testing.assert_allclose(array[0, :4], [10.0, 20.0, 30.0, 40.0])
    assert array[0, 4] == DEFAULT_NODATA  # nothing there
    assert (array[1] == DEFAULT_NODATA).all()  # the row below: nodata outside the parcels


def test_an_unaligned_split_is_weighted_by_area():
    # B moved to start at x = 130 (A then covers 0–130): cell 1 is 30 % A and 70 % B = 24
    geoms = [box(X0, Y0, X0 + 130, Y0 + 100), box(X0 + 130, Y0, X0 + 300, Y0 + 100)]
    parcels = gpd.GeoDataFrame({"v": [10.0, 30.0]}, geometry=geoms, crs="EPSG:4549")
    array, _, _ = rasterize_parcels(parcels, "v", bounds=(X0, Y0, X0 + 300, Y0 + 100))
    np.testing.assert_allclose(array[0], [10.0, 24.0, 30.0])


def test_a_single_parcel_in_degrees_reproduces_its_figure():
    parcel = gpd.GeoDataFrame({"v": [55.5]}, geometry=[box(121.50, 29.85, 121.52, 29.87)],
                              crs="EPSG:4326")
    array, _, crs = rasterize_parcels(parcel, "v", resolution_m=100)
    covered = array[array != DEFAULT_NODATA]
    assert covered.size > 300
    np.testing.assert_allclose(covered, 55.5)
    assert crs.to_epsg() == 4549


def test_the_grid_is_snapped_to_the_resolution(two_squares):
    _, transform, _ = rasterize_parcels(two_squares, "亩均税收", resolution_m=250)
    assert transform.c % 250 == 0
    assert transform.f % 250 == 0


def test_a_missing_column_is_refused(two_squares):
    with pytest.raises(DataImportError) as err:
        rasterize_parcels(two_squares, "亩均增加值")
    assert err.value.zh is not None


@pytest.fixture
def cog(tmp_path):
    rng = np.random.default_rng(13)
    array = rng.uniform(0, 100, size=(600, 700))
    array[:50, :50] = DEFAULT_NODATA
    transform = rasterio.transform.from_origin(X0, Y0, 100, 100)
    path = write_cog(tmp_path / "surface.tif", array, transform, rasterio.crs.CRS.from_epsg(4549),
                     unit="万元/亩", nature="示例数据", year=2024)
    return path, array


def test_the_cog_has_its_tags(cog):
    path, _ = cog
    with rasterio.open(path) as src:
        tags = src.tags()
    assert tags["UNIT"] == "万元/亩"
    assert tags["DATA_NATURE"] == "示例数据"
    assert tags["YEAR"] == "2024"


def test_the_cog_has_internal_overviews_and_a_cog_layout(cog):
    path, array = cog
    with rasterio.open(path) as src:
        assert src.driver == "GTiff"
        assert src.overviews(1) == [2, 4]
        assert src.profile["tiled"]
        assert src.block_shapes[0] == (256, 256)
        assert src.compression is not None
        assert src.compression.value == "DEFLATE"
        assert src.tags(ns="IMAGE_STRUCTURE").get("LAYOUT") == "COG"
        assert src.nodata == DEFAULT_NODATA
        assert src.crs.to_epsg() == 4549
        np.testing.assert_allclose(src.read(1), array.astype("float32"))
    assert not list(path.parent.glob(".surface.tif.*"))  # no temporary file left


def test_a_small_surface_still_gets_an_overview(tmp_path, two_squares):
    array, transform, crs = rasterize_parcels(two_squares, "亩均税收")
    path = write_cog(tmp_path / "small.tif", array, transform, crs, unit="万元/亩",
                     nature="宁波 2024 宗地", year="2024")
    with rasterio.open(path) as src:
        assert src.overviews(1) == [2]
        assert src.tags()["DATA_NATURE"] == "宁波 2024 宗地"


def test_a_failed_write_leaves_the_old_file(tmp_path, cog):
    path, _ = cog
    before = path.read_bytes()
    with pytest.raises(TypeError):  # the writer fails half-way: no such data type
        write_cog(path, np.zeros((2, 2)), rasterio.transform.from_origin(X0, Y0, 1, 1),
                  rasterio.crs.CRS.from_epsg(4549), unit="x", nature="y", year=1,
                  dtype="no-such-type")
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == [path.name]


# --- surfaces of analysed parcels: class by majority, flag as a share ----------------------

def _analysed(classes, flags):
    """Three parcels as in ``two_squares`` (A 0–150 m, B 150–300 m, C 350–400 m)."""
    geoms = [box(X0, Y0, X0 + 150, Y0 + 100), box(X0 + 150, Y0, X0 + 300, Y0 + 100),
             box(X0 + 350, Y0, X0 + 400, Y0 + 100)]
    return gpd.GeoDataFrame({"enterprise_classes": classes, "low_efficiency": flags,
                             "tax_per_mu": [10.0, 30.0, np.nan]},
                            geometry=geoms, crs="EPSG:4549")


def test_class_surface_takes_the_class_covering_most_of_a_cell():
    from geo.raster.surface import CLASS_CODES, metric_values, parcel_surface

    parcels = _analysed(["A", "B、D", ""], [False, True, False])
    assert list(metric_values(parcels, "class").fillna(0)) == [1.0, 4.0, 0.0]  # worst class
    array, _, _, spec = parcel_surface(parcels, "class")
    # cell 0 A only; cell 1 half A half D → tie goes to the worse class; cell 2 D; C unclassed
    np.testing.assert_array_equal(array[0, :3], [CLASS_CODES["A"], CLASS_CODES["D"],
                                                 CLASS_CODES["D"]])
    assert array.shape == (1, 3)  # C has no class: the grid covers A and B only
    assert spec.classes[4.0] == "D"
    assert spec.how == "majority"


def test_unaligned_class_split_goes_to_the_larger_part():
    from geo.raster.surface import rasterize_parcels as rp

    geoms = [box(X0, Y0, X0 + 130, Y0 + 100), box(X0 + 130, Y0, X0 + 300, Y0 + 100)]
    parcels = gpd.GeoDataFrame({"v": [4.0, 1.0]}, geometry=geoms, crs="EPSG:4549")
    array, _, _ = rp(parcels, "v", bounds=(X0, Y0, X0 + 300, Y0 + 100), how="majority")
    np.testing.assert_array_equal(array[0], [4.0, 1.0, 1.0])  # cell 1: 30 % D, 70 % A


def test_flag_surface_is_the_flagged_share_of_the_covered_land():
    from geo.raster.surface import parcel_surface

    array, _, _, spec = parcel_surface(_analysed(["A", "D", ""], [False, True, True]),
                                       "low_efficiency")
    np.testing.assert_allclose(array[0, :4], [0.0, 0.5, 1.0, 1.0])
    assert "比例" in spec.unit


def test_unknown_metric_and_aggregation_are_refused(two_squares):
    from geo.raster.surface import metric_values

    with pytest.raises(DataImportError) as err:
        metric_values(two_squares, "亩均能耗")
    assert "未知的曲面指标" in err.value.zh[0]
    with pytest.raises(DataImportError):
        rasterize_parcels(two_squares, "亩均税收", how="median")


def test_far_apart_parcels_are_computed_in_windows_with_the_same_result():
    """Two parcels 30 km apart: only the windows around them are computed; each is exact."""
    geoms = [box(X0, Y0, X0 + 150, Y0 + 100), box(X0 + 30_000, Y0 - 20_000,
                                                  X0 + 30_100, Y0 - 19_900)]
    parcels = gpd.GeoDataFrame({"v": [10.0, 30.0]}, geometry=geoms, crs="EPSG:4549")
    array, _, _ = rasterize_parcels(parcels, "v")
    assert array.shape == (201, 301)
    covered = array[array != DEFAULT_NODATA]
    np.testing.assert_allclose(np.sort(covered), [10.0, 10.0, 30.0])


def test_overlapping_parcels_later_row_wins_in_every_window():
    geoms = [box(X0, Y0, X0 + 100, Y0 + 100), box(X0, Y0, X0 + 100, Y0 + 100)]
    parcels = gpd.GeoDataFrame({"v": [10.0, 30.0]}, geometry=geoms, crs="EPSG:4549")
    array, _, _ = rasterize_parcels(parcels, "v")
    np.testing.assert_allclose(array, [[30.0]])
