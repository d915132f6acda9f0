"""zonal_stats: coverage-weighted, nodata masked, reprojected, aligned by id (issue 13)."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pytest
from rasterio.crs import CRS
from rasterio.transform import from_origin
from shapely.geometry import box

from geo._errors import DataImportError
from geo.raster.safe import RasterError
from geo.raster.surface import write_cog
from geo.raster.zonal import NUMERIC_COLUMNS, zonal_stats

#: Bottom-left corner of the 4 × 4 grid of 100 m cells, in Ningbo, EPSG:4549.
X0, Y0 = 649_700.0, 3_306_700.0
CRS_4549 = CRS.from_epsg(4549)
TRANSFORM = from_origin(X0, Y0 + 400, 100, 100)


def cell(row: int, col: int, x0: float = 0.0, x1: float = 100.0):
    """The box of cell (row, col) (row 0 at the top), cut to x0–x1 m within the cell."""
    left, top = X0 + 100 * col, Y0 + 400 - 100 * row
    return box(left + x0, top - 100, left + x1, top)


@pytest.fixture
def grid(tmp_path):
    """Values 1…16 row by row (row 0 = 1, 2, 3, 4 at the top); cell (0, 0) is nodata."""
    array = np.arange(1, 17, dtype="float32").reshape(4, 4)
    array[0, 0] = -9999
    return write_cog(tmp_path / "grid.tif", array, TRANSFORM, CRS_4549, unit="1",
                     nature="测试", year=2024)


def zones(geoms, ids, crs="EPSG:4549"):
    return gpd.GeoDataFrame({"id": ids}, geometry=geoms, crs=crs)


def test_two_whole_cells_give_exact_mean_and_sum(grid):
    # cells (1, 1) = 6 and (1, 2) = 7
    out = zonal_stats(grid, zones([cell(1, 1).union(cell(1, 2))], ["A"]))
    assert list(out.columns) == ["id", *NUMERIC_COLUMNS]
    row = out.iloc[0]
    assert row["id"] == "A"
    assert row["mean"] == pytest.approx(6.5)
    assert row["sum"] == pytest.approx(13.0)
    assert (row["min"], row["max"]) == (6.0, 7.0)
    assert row["count"] == pytest.approx(2.0)
    assert row["valid_share"] == pytest.approx(1.0)


def test_half_covered_cell_counts_by_its_fraction(grid):
    # the right half of cell (2, 0) = 9 and all of cell (2, 1) = 10
    poly = cell(2, 0, 50, 100).union(cell(2, 1))
    row = zonal_stats(grid, zones([poly], [1])).iloc[0]
    assert row["count"] == pytest.approx(1.5)
    assert row["sum"] == pytest.approx(0.5 * 9 + 10)            # 14.5
    assert row["mean"] == pytest.approx((0.5 * 9 + 10) / 1.5)   # 9.6667, not 9.5


def test_nodata_cell_is_excluded_and_lowers_valid_share(grid):
    # cell (0, 0) is nodata (−9999), cell (0, 1) = 2
    row = zonal_stats(grid, zones([cell(0, 0).union(cell(0, 1))], [1])).iloc[0]
    assert row["mean"] == pytest.approx(2.0)  # a naive mean would give −4998.5
    assert row["sum"] == pytest.approx(2.0)
    assert row["min"] == 2.0
    assert row["count"] == pytest.approx(1.0)
    assert row["valid_share"] == pytest.approx(0.5)


def test_polygons_in_degrees_are_reprojected(grid):
    # inset by 1 m: the round trip through degrees leaves slivers of ~1e-9 m that would touch
    # the neighbouring cells and change min/max
    poly = cell(1, 1).union(cell(1, 2)).buffer(-1, join_style="mitre")
    metres = zonal_stats(grid, zones([poly], [1]))
    degrees = zones([poly], [1]).to_crs("EPSG:4326")
    out = zonal_stats(grid, degrees)
    np.testing.assert_allclose(out[list(NUMERIC_COLUMNS)].to_numpy(dtype=float),
                               metres[list(NUMERIC_COLUMNS)].to_numpy(dtype=float), rtol=1e-6)


def test_rows_follow_the_ids_when_polygons_are_shuffled(grid):
    far = box(X0 + 10_000, Y0, X0 + 10_100, Y0 + 100)  # outside the raster
    geoms = {"c33": cell(3, 3), "b10": cell(2, 1), "out": far, "a06": cell(1, 1)}
    expected = {"c33": 16.0, "b10": 10.0, "a06": 6.0}
    order = ["out", "a06", "c33", "b10"]
    layer = zones([geoms[k] for k in order], order)
    # the layer's own index is shuffled too: alignment is by id, not position or index
    layer.index = [7, 3, 9, 1]
    out = zonal_stats(grid, layer)
    assert list(out["id"]) == order
    for _, row in out.iterrows():
        if row["id"] == "out":
            assert np.isnan(row[["mean", "sum", "min", "max"]].to_numpy(dtype=float)).all()
            assert list(row[["count", "valid_share"]]) == [0.0, 0.0]
        else:
            assert row["mean"] == pytest.approx(expected[row["id"]])
    # an id column literally named "id" with integers that differ from the positions
    ints = zones([cell(3, 3), cell(1, 1)], [42, 7])
    out = zonal_stats(grid, ints)
    assert list(out["id"]) == [42, 7]
    assert list(out["mean"]) == pytest.approx([16.0, 6.0])


def test_custom_id_column(grid):
    layer = gpd.GeoDataFrame({"宗地编号": ["P2", "P1"]}, geometry=[cell(3, 0), cell(3, 1)],
                             crs="EPSG:4549")
    out = zonal_stats(grid, layer, id_column="宗地编号")
    assert list(out["宗地编号"]) == ["P2", "P1"]
    assert list(out["mean"]) == pytest.approx([13.0, 14.0])


def test_categorical_shares_sum_to_one_with_legend_names(tmp_path):
    classes = np.array([[1, 1, 2, 2],
                        [1, 2, 2, 2],
                        [3, 3, 1, 1],
                        [3, 3, 1, 255]], dtype="uint8")
    path = write_cog(tmp_path / "classes.tif", classes, TRANSFORM, CRS_4549, unit="类别",
                     nature="测试", year=2024, nodata=255, dtype="uint8")
    legend = {1: "建成区", 2: "非建成区", 3: "水域", 4: "耕地"}
    # A: the 2 × 2 top-left block (1, 1, 1, 2); B: left half of (0, 2) = 2 and all of
    # (0, 1) = 1; C: cells (3, 2) = 1 and (3, 3) nodata; D: outside the raster
    geoms = [cell(0, 0).union(cell(0, 1)).union(cell(1, 0)).union(cell(1, 1)),
             cell(0, 1).union(cell(0, 2, 0, 50)),
             cell(3, 2).union(cell(3, 3)),
             box(X0 + 10_000, Y0, X0 + 10_100, Y0 + 100)]
    out = zonal_stats(path, zones(geoms, ["A", "B", "C", "D"]), categorical=True,
                      legend=legend)
    assert list(out.columns) == ["id", "count", "valid_share", "建成区", "非建成区", "水域",
                                 "耕地"]
    out = out.set_index("id")
    names = list(legend.values())
    assert list(out.loc["A", names]) == pytest.approx([0.75, 0.25, 0.0, 0.0])
    assert list(out.loc["B", names]) == pytest.approx([1 / 1.5, 0.5 / 1.5, 0.0, 0.0])
    assert list(out.loc["C", names]) == pytest.approx([1.0, 0.0, 0.0, 0.0])
    assert out.loc["C", "valid_share"] == pytest.approx(0.5)
    for key in "ABC":
        assert out.loc[key, names].sum() == pytest.approx(1.0)
    assert list(out.loc["D", names]) == [0.0, 0.0, 0.0, 0.0]
    assert out.loc["D", "count"] == 0.0


def test_categorical_without_legend_names_columns_by_value(tmp_path):
    classes = np.array([[1, 2, 2, 2]] * 4, dtype="uint8")
    path = write_cog(tmp_path / "c.tif", classes, TRANSFORM, CRS_4549, unit="类别",
                     nature="测试", year=2024, nodata=255, dtype="uint8")
    out = zonal_stats(path, zones([cell(0, 0).union(cell(0, 1))], [1]), categorical=True)
    assert list(out.columns) == ["id", "count", "valid_share", "1", "2"]
    assert list(out.iloc[0][["1", "2"]]) == pytest.approx([0.5, 0.5])


def test_polygons_without_crs_are_refused_in_chinese(grid):
    layer = gpd.GeoDataFrame({"id": [1]}, geometry=[cell(0, 1)])
    with pytest.raises(DataImportError) as info:
        zonal_stats(grid, layer)
    assert info.value.zh is not None
    assert "坐标参考系" in info.value.describe("zh")


def test_missing_or_repeated_ids_are_refused(grid):
    with pytest.raises(DataImportError, match="no id column"):
        zonal_stats(grid, zones([cell(0, 1)], [1]), id_column="宗地编号")
    with pytest.raises(DataImportError, match="repeated"):
        zonal_stats(grid, zones([cell(0, 1), cell(0, 2)], ["P1", "P1"]))


def test_refused_raster_raises_raster_error(tmp_path):
    fake = tmp_path / "fake.tif"
    fake.write_text("<VRTDataset rasterXSize='1' rasterYSize='1'></VRTDataset>")
    with pytest.raises(RasterError):
        zonal_stats(fake, zones([cell(0, 1)], [1]))


def test_a_polygon_half_off_the_raster_has_half_its_area_valid(grid):
    # cells (3, 0) = 13 and the 100 m strip left of the raster: half the polygon is unseen
    poly = box(X0 - 100, Y0, X0 + 100, Y0 + 100)
    row = zonal_stats(grid, zones([poly], ["H"])).iloc[0]
    assert row["count"] == pytest.approx(1.0)
    assert row["mean"] == pytest.approx(13.0)
    assert row["valid_share"] == pytest.approx(0.5)    # not 1.0: the off-raster half counts
