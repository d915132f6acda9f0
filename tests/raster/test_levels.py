"""zonal_table by level: analytic answers, ids aligned, headers by language, notes, refusals."""

from __future__ import annotations

import math
import re

import geopandas as gpd
import numpy as np
import pytest
import rasterio
from rasterio.crs import CRS
from rasterio.transform import from_origin
from shapely.geometry import Point, box

from geo._errors import DataImportError
from geo.labels import (
    COLUMNS,
    QUALITY,
    ROW_NUMBER,
    SCHEMATIC_NOTICE,
    ZONAL_CLASS_SHARE,
    ZONAL_COLUMNS,
    ZONAL_LEVEL_LABELS,
)
from geo.landuse.model import SAMPLE_LABEL
from geo.raster.levels import (
    ZONAL_LEVELS,
    level_polygons,
    parse_classes,
    parse_stats,
    zonal_table,
)
from geo.raster.safe import RasterError
from geo.raster.surface import write_cog

CRS_4549 = CRS.from_epsg(4549)
#: Top-left corner of the 4 × 4 grid of 100 m cells (in Ningbo, EPSG:4549).
X0, Y0 = 649_700.0, 3_307_100.0
_CJK = re.compile(r"[\u4e00-\u9fff]")


def cell(row: int, col: int):
    """The box of cell (row, col) of the 4 × 4 grid (row 0 at the top)."""
    left, top = X0 + 100 * col, Y0 - 100 * row
    return box(left, top - 100, left + 100, top)


@pytest.fixture(scope="module")
def ones(tmp_path_factory, catalog):
    """Ones on a 1 km grid covering every district (and one more cell each side)."""
    left, bottom, right, top = catalog["district"].to_crs(4549).total_bounds
    left, top = math.floor(left / 1000) * 1000 - 1000, math.ceil(top / 1000) * 1000 + 1000
    width = math.ceil((right - left) / 1000) + 1
    height = math.ceil((top - bottom) / 1000) + 1
    path = tmp_path_factory.mktemp("ones") / "ones.tif"
    return write_cog(path, np.ones((height, width)), from_origin(left, top, 1000, 1000),
                     CRS_4549, unit="个", nature=SAMPLE_LABEL, year=2024)


@pytest.fixture
def grid(tmp_path):
    """Values 1…16 row by row on the 4 × 4 grid; tags UNIT, DATA_NATURE and YEAR."""
    array = np.arange(1, 17, dtype="float32").reshape(4, 4)
    return write_cog(tmp_path / "grid.tif", array, from_origin(X0, Y0, 100, 100), CRS_4549,
                     unit="万元/亩", nature="测试栅格", year=2023)


@pytest.fixture
def classes(tmp_path):
    """Classes 1–4 in columns (column c holds class c + 1), a CLASSES tag, no other tags."""
    array = np.tile(np.arange(1, 5, dtype="uint8"), (4, 1))
    path = tmp_path / "classes.tif"
    with rasterio.open(path, "w", driver="GTiff", width=4, height=4, count=1, dtype="uint8",
                       crs=CRS_4549, transform=from_origin(X0, Y0, 100, 100), nodata=0) as dst:
        dst.write(array, 1)
        dst.update_tags(CLASSES="1=A;2=B;3=C;4=D")
    return path


def test_ones_over_districts_sum_to_their_area_in_cells(ones, catalog):
    table, _ = zonal_table(ones, "district", catalog=catalog, lang="en")
    area = catalog["district"].to_crs(4549).set_index("id").area / 1e6  # km² = 1 km cells
    for _, row in table.iterrows():
        assert row["sum"] == pytest.approx(area[row["id"]], rel=1e-3)
        assert row["count"] == pytest.approx(area[row["id"]], rel=1e-3)
        assert row["mean"] == pytest.approx(1.0)
    assert list(table["id"]) == list(catalog["district"]["id"])


def test_rows_follow_ids_when_the_catalogue_is_shuffled(ones, catalog):
    shuffled = dict(catalog)
    shuffled["district"] = catalog["district"].sample(frac=1.0, random_state=7)
    table, _ = zonal_table(ones, "district", catalog=shuffled, stats="sum", lang="en")
    area = catalog["district"].to_crs(4549).set_index("id").area / 1e6
    assert list(table["id"]) == list(shuffled["district"]["id"])
    names = catalog["district"].set_index("id")["name"]
    for _, row in table.iterrows():
        assert row["name"] == names[row["id"]]
        assert row["sum"] == pytest.approx(area[row["id"]], rel=1e-3)


def test_uploaded_cells_keep_their_ids_in_any_order(grid):
    cells = [(r, c) for r in range(4) for c in range(4)]
    rng = np.random.default_rng(3)
    order = rng.permutation(len(cells))
    ids = [f"Q{100 - i}" for i in order]  # ids unrelated to position
    layer = gpd.GeoDataFrame({"编号": ids, "name": [f"格{i}" for i in order]},
                             geometry=[cell(*cells[i]) for i in order], crs=4549)
    table, notes = zonal_table(grid, "polygons", polygons=layer, stats="mean,min,max,sum",
                               lang="en")
    assert list(table["编号"]) == ids
    for i, (_, row) in zip(order, table.iterrows(), strict=True):
        value = cells[i][0] * 4 + cells[i][1] + 1
        assert (row["mean"], row["min"], row["max"]) == pytest.approx((value,) * 3)
        assert row["sum"] == pytest.approx(value)
        assert row["name"] == f"格{i}"
    assert any("编号" in line and "自动识别" in line for line in notes)


def test_half_a_cell_counts_by_its_covered_fraction(grid):
    left, top = X0 + 100, Y0 - 100  # cell (1, 1) = 6, its left half
    layer = gpd.GeoDataFrame({"id": ["H"]}, geometry=[box(left, top - 100, left + 50, top)],
                             crs=4549)
    row = zonal_table(grid, "polygons", polygons=layer, stats="count,sum,mean",
                      lang="en")[0].iloc[0]
    assert row["count"] == pytest.approx(0.5)
    assert row["sum"] == pytest.approx(3.0)
    assert row["mean"] == pytest.approx(6.0)


def test_chinese_headers_by_default_and_snake_case_in_english(grid):
    layer = gpd.GeoDataFrame({"id": ["A"]}, geometry=[cell(0, 0)], crs=4549)
    zh, _ = zonal_table(grid, "polygons", polygons=layer)
    assert list(zh.columns) == [COLUMNS["id"], ZONAL_COLUMNS["mean"], ZONAL_COLUMNS["sum"],
                                ZONAL_COLUMNS["count"], ZONAL_COLUMNS["raster_unit"],
                                COLUMNS["data_nature"], COLUMNS["data_year"]]
    assert ZONAL_COLUMNS["mean"] == "平均值"
    assert ZONAL_COLUMNS["count"] == "有效像元数（按覆盖比例）"
    en, _ = zonal_table(grid, "polygons", polygons=layer, stats=["valid_share", "max"],
                        lang="en")
    assert list(en.columns) == ["id", "valid_share", "max", "raster_unit", "data_nature",
                                "data_year"]
    assert en.iloc[0][["raster_unit", "data_nature", "data_year"]].tolist() == [
        "万元/亩", "测试栅格", "2023"]


def test_zones_are_labelled_schematic_in_rows_and_notes(ones, catalog):
    table, notes = zonal_table(ones, "zone", catalog=catalog)
    assert set(table[COLUMNS["geometry_quality"]]) == {QUALITY["schematic"]}
    assert set(table[COLUMNS["geometry_note"]]) == {SCHEMATIC_NOTICE}
    assert any(SCHEMATIC_NOTICE in line for line in notes)
    sub, sub_notes = zonal_table(ones, "subzone", catalog=catalog, lang="en")
    assert {"zone_id", "zone_name"} <= set(sub.columns)
    assert set(sub["geometry_quality"]) == {"schematic"}
    assert any(SCHEMATIC_NOTICE in line for line in sub_notes)
    _, district_notes = zonal_table(ones, "district", catalog=catalog)
    assert not any(SCHEMATIC_NOTICE in line for line in district_notes)


def test_notes_carry_the_raster_tags_and_the_level(grid):
    layer = gpd.GeoDataFrame({"id": ["A"]}, geometry=[cell(0, 0)], crs=4549)
    _, notes = zonal_table(grid, "polygons", polygons=layer)
    text = "\n".join(notes)
    for said in ("万元/亩", "测试栅格", "2023", "grid.tif", ZONAL_LEVEL_LABELS["polygons"]):
        assert said in text


def test_missing_tags_are_said_to_be_missing(classes):
    layer = gpd.GeoDataFrame({"id": ["A"]}, geometry=[cell(0, 0)], crs=4549)
    table, notes = zonal_table(classes, "polygons", polygons=layer, lang="en")
    assert table.iloc[0]["data_nature"] == "未注明"
    assert any("UNIT" in line and "未注明" in line for line in notes)


def test_categorical_shares_sum_to_one_and_use_the_classes_tag(classes):
    whole = box(X0, Y0 - 400, X0 + 400, Y0)
    left_half = box(X0, Y0 - 400, X0 + 150, Y0)  # column 0 and half of column 1
    layer = gpd.GeoDataFrame({"id": ["all", "left"]}, geometry=[whole, left_half], crs=4549)
    table, notes = zonal_table(classes, "polygons", polygons=layer, categorical=True,
                               lang="en")
    shares = [ZONAL_CLASS_SHARE["en"].format(name=n) for n in "ABCD"]
    assert list(table.columns[1:7]) == ["count", "valid_share", *shares]
    np.testing.assert_allclose(table[shares].sum(axis=1), 1.0)
    np.testing.assert_allclose(table.loc[0, shares].astype(float), [0.25] * 4)
    np.testing.assert_allclose(table.loc[1, shares].astype(float), [2 / 3, 1 / 3, 0, 0])
    assert any("1=A;2=B;3=C;4=D" in line for line in notes)
    zh, _ = zonal_table(classes, "polygons", polygons=layer, categorical=True)
    assert ZONAL_CLASS_SHARE["zh"].format(name="A") in zh.columns


def test_an_uploaded_layer_without_ids_is_numbered_by_row(grid):
    layer = gpd.GeoDataFrame({"编号": ["X", "X"]},  # repeated: not an id
                             geometry=[cell(0, 0), cell(3, 3)], crs=4549)
    table, notes = zonal_table(grid, "polygons", polygons=layer, stats="mean")
    assert list(table[ROW_NUMBER]) == [1, 2]
    assert table[ZONAL_COLUMNS["mean"]].tolist() == pytest.approx([1.0, 16.0])
    assert any("行号" in line for line in notes)
    named = zonal_table(grid, "polygons", polygons=layer.assign(code=["a", "b"]),
                        id_column="code", stats="mean", lang="en")[0]
    assert list(named["code"]) == ["a", "b"]


def test_a_polygon_off_the_raster_keeps_its_row_and_is_noted(grid):
    far = box(X0 + 5000, Y0 - 5000, X0 + 5100, Y0 - 4900)
    layer = gpd.GeoDataFrame({"id": ["in", "out"]}, geometry=[cell(1, 1), far], crs=4549)
    table, notes = zonal_table(grid, "polygons", polygons=layer, lang="en")
    assert table["count"].tolist() == [1.0, 0.0]
    assert math.isnan(table.loc[1, "mean"])
    assert any("没有覆盖有效像元" in line for line in notes)


def test_parcels_are_labelled_sample_or_imported(grid):
    parcels = gpd.GeoDataFrame(
        {"parcel_id": ["P2", "P1", "P3"], "data_label": [SAMPLE_LABEL] * 3},
        geometry=[cell(0, 1), cell(0, 0), Point(X0 + 50, Y0 - 350)], crs=4549)
    units = level_polygons("parcel", parcels=parcels)
    assert units.label == ZONAL_LEVEL_LABELS["parcel"]
    assert len(units.frame) == 2  # the point is left out, and said so
    assert units.notes
    table, _ = zonal_table(grid, "parcel", parcels=parcels, stats="mean", lang="en")
    assert table.set_index("parcel_id")["mean"].to_dict() == {"P2": 2.0, "P1": 1.0}
    assert set(table["geometry_quality"]) == {"sample"}


@pytest.mark.parametrize("stats", ["mean,median", ["sum", "p90"], ""])
def test_an_unknown_statistic_is_refused_in_chinese(grid, stats):
    layer = gpd.GeoDataFrame({"id": ["A"]}, geometry=[cell(0, 0)], crs=4549)
    with pytest.raises(DataImportError) as err:
        zonal_table(grid, "polygons", polygons=layer, stats=stats)
    assert err.value.field == "stats"
    assert err.value.zh is not None
    said = err.value.describe("zh")
    assert _CJK.search(said.split("处理办法")[0])
    assert "处理办法" in said


def test_parse_stats_and_classes():
    assert parse_stats(" Mean,sum，mean ") == ("mean", "sum")
    assert parse_classes("1=A;2=B；x=C;4") == {1.0: "A", 2.0: "B"}


def test_parcel_level_without_parcels_is_refused(grid):
    with pytest.raises(DataImportError) as err:
        zonal_table(grid, "parcel")
    assert "--parcels" in err.value.describe("zh")
    assert _CJK.search(err.value.describe("zh"))


def test_unknown_level_and_points_are_refused():
    with pytest.raises(DataImportError):
        level_polygons("town")
    points = gpd.GeoDataFrame({"id": [1]}, geometry=[Point(X0, Y0)], crs=4549)
    with pytest.raises(DataImportError) as err:
        level_polygons("polygons", polygons=points)
    assert "Point" in err.value.describe("zh")
    with pytest.raises(DataImportError):
        level_polygons("polygons", polygons=points.assign(mean=[1]), id_column="mean")
    assert ZONAL_LEVELS == ("subzone", "zone", "district", "parcel", "polygons")


def test_a_file_that_is_not_a_geotiff_is_refused(tmp_path):
    fake = tmp_path / "fake.tif"
    fake.write_text("<VRTDataset></VRTDataset>", encoding="utf-8")
    layer = gpd.GeoDataFrame({"id": ["A"]}, geometry=[cell(0, 0)], crs=4549)
    with pytest.raises(RasterError) as err:
        zonal_table(fake, "polygons", polygons=layer)
    assert "VRT" in err.value.describe("zh")
