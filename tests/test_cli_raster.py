"""``python -m geo surface`` and ``python -m geo zonal``: files written, tags, notes, refusals."""

from __future__ import annotations

import re

import geopandas as gpd
import numpy as np
import openpyxl
import pandas as pd
import pytest
import rasterio
from rasterio.crs import CRS
from rasterio.transform import from_origin
from shapely.geometry import box

from geo.cli import main
from geo.labels import COLUMNS, SCHEMATIC_NOTICE, ZONAL_COLUMNS, ZONAL_NOTE_KEY
from geo.landuse.model import SAMPLE_LABEL
from geo.landuse.pipeline import analyse, load_inputs
from geo.landuse.scoring import load_profile
from geo.raster.surface import DEFAULT_NODATA, write_cog
from tests.support.files import three_parcels
from tests.support.paths import ROOT

SAMPLE = ROOT / "data" / "sample"
_CJK = re.compile(r"[\u4e00-\u9fff]")
#: Top-left corner of a 4 × 4 grid of 100 m cells in Ningbo (EPSG:4549).
X0, Y0 = 649_700.0, 3_307_100.0



def _error_line(capsys) -> str:
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 1, lines
    return lines[0]


@pytest.fixture
def files(catalog, tmp_path):
    """P1 30 亩 and P2 10 亩 in 分片 Z01-01, P3 20 亩 in Z02-01; one enterprise on each."""
    return three_parcels(catalog, tmp_path)


@pytest.fixture
def grid(tmp_path):
    """Values 1…16 row by row on a 4 × 4 grid of 100 m cells, with its tags."""
    array = np.arange(1, 17, dtype="float32").reshape(4, 4)
    return write_cog(tmp_path / "grid.tif", array, from_origin(X0, Y0, 100, 100),
                     CRS.from_epsg(4549), unit="万元/亩", nature=SAMPLE_LABEL, year=2024)


def test_surface_over_the_sample_is_a_tagged_cog_within_the_parcels_range(tmp_path, capsys,
                                                                           catalog):
    out = tmp_path / "亩均税收.tif"
    assert main(["surface", "--parcels", str(SAMPLE / "parcels.gpkg"), "--enterprises",
                 str(SAMPLE / "enterprises.csv"), "--metric", "tax_per_mu", "--res", "1000",
                 "--out", str(out)]) == 0
    said = capsys.readouterr().out
    assert "像元" in said
    assert "有数据的像元" in said
    with rasterio.open(out) as src:
        tags = src.tags()
        array = src.read(1)
        assert src.crs.to_epsg() == 4549
        assert src.res == (1000.0, 1000.0)
        assert src.tags(ns="IMAGE_STRUCTURE").get("LAYOUT") == "COG"
    assert tags["UNIT"] == "万元/亩"
    assert tags["DATA_NATURE"] == SAMPLE_LABEL
    assert "示例数据" in tags["DATA_NATURE"]
    assert tags["YEAR"] == "2025"
    inputs = load_inputs(SAMPLE / "parcels.gpkg", SAMPLE / "enterprises.csv")
    analysis = analyse(inputs.parcels, inputs.enterprises, catalog, load_profile(None),
                       data_label=inputs.data_label, year=inputs.year)
    figures = analysis.parcels["tax_per_mu"].dropna()
    values = array[array != DEFAULT_NODATA]
    assert len(values) > 0
    assert values.min() >= figures.min() - 1e-3
    assert values.max() <= figures.max() + 1e-3
    assert (tmp_path / "亩均税收_校验报告.csv").exists()


def test_class_and_low_efficiency_surfaces_hold_codes(files, tmp_path, catalog):
    ppath, epath = files
    inputs = load_inputs(ppath, epath)
    analysis = analyse(inputs.parcels, inputs.enterprises, catalog, load_profile(None),
                       data_label=inputs.data_label, year=inputs.year)
    codes = {"A": 1, "B": 2, "C": 3, "D": 4}
    expected = {codes[c] for c in analysis.parcels["enterprise_classes"]}
    out = tmp_path / "class.tif"
    assert main(["surface", "--parcels", str(ppath), "--enterprises", str(epath),
                 "--metric", "class", "--res", "100", "--out", str(out)]) == 0
    with rasterio.open(out) as src:
        assert src.tags()["CLASSES"] == "1=A;2=B;3=C;4=D"
        assert src.tags()["DATA_NATURE"] == inputs.data_label
        assert src.tags(ns="IMAGE_STRUCTURE").get("LAYOUT") == "COG"
        array = src.read(1)
    values = set(np.unique(array[array != DEFAULT_NODATA]).tolist())
    assert values == expected  # whole codes only: a cell takes its largest class
    low = tmp_path / "low.tif"
    assert main(["surface", "--parcels", str(ppath), "--enterprises", str(epath),
                 "--metric", "low_efficiency", "--res", "200", "--out", str(low)]) == 0
    with rasterio.open(low) as src:
        flags = src.read(1)
    assert set(np.unique(flags[flags != DEFAULT_NODATA]).tolist()) <= {0.0, 1.0}
    assert any(analysis.parcels["low_efficiency"]) == (1.0 in flags)


def test_surface_without_parcels_or_figures_is_refused(files, tmp_path, capsys):
    ppath, _ = files
    assert main(["surface", "--metric", "tax_per_mu", "--out", str(tmp_path / "a.tif")]) == 2
    line = _error_line(capsys)
    assert "--parcels" in line
    assert _CJK.search(line)
    assert main(["surface", "--parcels", str(ppath), "--metric", "tax_per_mu",
                 "--out", str(tmp_path / "b.tif")]) == 2  # no enterprises, no 税收
    assert "--enterprises" in _error_line(capsys)
    assert main(["surface", "--parcels", str(ppath), "--metric", "tax_per_mu",
                 "--res", "0", "--out", str(tmp_path / "c.tif")]) == 2
    assert "--res" in _error_line(capsys)
    assert not list(tmp_path.glob("*.tif"))


def test_zonal_by_district_writes_excel_with_notes(grid, tmp_path, capsys):
    out = tmp_path / "区县.xlsx"
    assert main(["zonal", "--raster", str(grid), "--level", "district", "--stats",
                 "mean,sum,count", "--out", str(out)]) == 0
    assert "区县" in capsys.readouterr().out
    book = openpyxl.load_workbook(out)
    data, notes = book["数据"], book["说明"]
    headers = [c.value for c in next(data.iter_rows(max_row=1))]
    assert headers[:5] == [COLUMNS["id"], COLUMNS["name"], ZONAL_COLUMNS["mean"],
                           ZONAL_COLUMNS["sum"], ZONAL_COLUMNS["count"]]
    lines = {str(r[0].value): str(r[1].value) for r in notes.iter_rows(min_row=2)}
    assert lines[COLUMNS["data_nature"]] == SAMPLE_LABEL
    assert "万元/亩" in lines["单位"]
    assert any(k.startswith(ZONAL_NOTE_KEY) and "2024" in v for k, v in lines.items())


def test_zonal_by_zone_says_the_outlines_are_schematic(grid, tmp_path, capsys):
    out = tmp_path / "zones.csv"
    assert main(["zonal", "--raster", str(grid), "--level", "zone", "--out", str(out),
                 "--lang", "en"]) == 0
    assert SCHEMATIC_NOTICE in capsys.readouterr().out
    rows = pd.read_csv(out, encoding="utf-8-sig")
    assert len(rows) == 20
    assert set(rows["geometry_quality"]) == {"schematic"}
    assert set(rows["geometry_note"]) == {SCHEMATIC_NOTICE}
    assert {"id", "name", "mean", "sum", "count", "data_nature"} <= set(rows.columns)
    xlsx = tmp_path / "zones.xlsx"
    assert main(["zonal", "--raster", str(grid), "--level", "zone", "--out", str(xlsx)]) == 0
    values = {str(c.value) for r in openpyxl.load_workbook(xlsx)["说明"].iter_rows() for c in r}
    assert SCHEMATIC_NOTICE in values


def test_zonal_over_uploaded_polygons_keeps_their_ids(grid, tmp_path):
    cells = {"东": (0, 3), "西": (0, 0), "南": (3, 1)}  # values 4, 1, 14
    layer = gpd.GeoDataFrame(
        {"编号": list(cells)},
        geometry=[box(X0 + 100 * c + 1, Y0 - 100 * r - 99, X0 + 100 * c + 99, Y0 - 100 * r - 1)
                  for r, c in cells.values()], crs=4549).to_crs(4326)
    path = tmp_path / "分区.geojson"
    layer.to_file(path, driver="GeoJSON")
    out = tmp_path / "分区统计.csv"
    assert main(["zonal", "--raster", str(grid), "--polygons", str(path), "--stats",
                 "mean,max", "--out", str(out), "--lang", "en"]) == 0
    rows = pd.read_csv(out, encoding="utf-8-sig").set_index("编号")
    assert rows["mean"].to_dict() == pytest.approx({"东": 4.0, "西": 1.0, "南": 14.0})
    assert rows["max"].to_dict() == pytest.approx({"东": 4.0, "西": 1.0, "南": 14.0})


def test_zonal_by_parcel_needs_parcels(grid, tmp_path, capsys):
    out = tmp_path / "p.csv"
    assert main(["zonal", "--raster", str(grid), "--level", "parcel", "--out", str(out)]) == 2
    line = _error_line(capsys)
    assert "--parcels" in line
    assert _CJK.search(line)
    assert "Traceback" not in line
    assert not out.exists()


def test_zonal_by_parcel_reads_the_parcels(grid, files, tmp_path):
    ppath, _ = files
    out = tmp_path / "parcels.csv"
    assert main(["zonal", "--raster", str(grid), "--level", "parcel", "--parcels", str(ppath),
                 "--out", str(out), "--lang", "en"]) == 0
    rows = pd.read_csv(out, encoding="utf-8-sig")
    assert sorted(rows["parcel_id"]) == ["P1", "P2", "P3"]
    assert set(rows["geometry_quality"]) == {"imported"}
    assert (tmp_path / "parcels_validation_report.csv").exists()


def test_zonal_output_equal_to_the_raster_is_refused(grid, capsys):
    before = grid.read_bytes()
    assert main(["zonal", "--raster", str(grid), "--level", "district",
                 "--out", str(grid)]) == 2
    line = _error_line(capsys)
    assert "--raster" in line
    assert "同一个文件" in line
    assert grid.read_bytes() == before


def test_zonal_unknown_statistic_and_bad_raster_in_chinese(grid, tmp_path, capsys):
    assert main(["zonal", "--raster", str(grid), "--level", "district", "--stats",
                 "mean,median", "--out", str(tmp_path / "a.csv")]) == 2
    line = _error_line(capsys)
    assert "median" in line
    assert "无法识别的统计量" in line
    fake = tmp_path / "fake.tif"
    fake.write_bytes(b"PK\x03\x04 not a tiff")
    assert main(["zonal", "--raster", str(fake), "--level", "district",
                 "--out", str(tmp_path / "b.csv")]) == 2
    line = _error_line(capsys)
    assert "GeoTIFF" in line
    assert _CJK.search(line)
    assert main(["zonal", "--raster", str(fake), "--level", "district", "--lang", "en",
                 "--out", str(tmp_path / "c.csv")]) == 2
    assert "not a GeoTIFF" in _error_line(capsys)
    assert not list(tmp_path.glob("*.csv"))
