"""栅格分析 through AppTest: the surface of the sample, zonal statistics of the sample raster
with its 说明, an uploaded polygon layer, and the built-up evidence reaching 低效用地."""

from __future__ import annotations

import io
import re

import geopandas as gpd
import openpyxl
import pytest
from shapely.geometry import box

from geo.labels import COLUMNS, EVIDENCE_NOTE, ZONAL_COLUMNS
from geo.landuse.model import SAMPLE_LABEL
from tests.support.apptest import download, open_page

pytestmark = pytest.mark.usefixtures("work")


def _texts(at) -> str:
    return " ".join(str(e.value) for kind in ("warning", "info", "caption", "markdown",
                                                "success", "error")
                    for e in getattr(at, kind))


def _notes_sheet(button) -> str:
    """All text of the 说明 sheet (the last) of the Excel behind a download button."""
    book = openpyxl.load_workbook(io.BytesIO(download(button)))
    return " ".join(str(c.value) for row in book[book.sheetnames[-1]].iter_rows()
                    for c in row if c.value is not None)


def _view(at, view: str):
    at.session_state["raster_view"] = view
    at.run()
    assert not at.exception, at.exception
    return at


def test_surface_of_the_sample_is_drawn_and_labelled():
    at = open_page("app_pages/raster.py")
    assert at.title[0].value == "栅格分析"
    assert SAMPLE_LABEL in at.warning[0].value
    text = _texts(at)
    assert "格网 935 × 1,226（100 米，EPSG:4549）" in text
    assert "按面积加权" in text
    at.selectbox(key="rs_metric").set_value("class").run()
    assert not at.exception, at.exception
    assert "面积最大者的类别" in _texts(at)


def test_zonal_statistics_of_the_sample_raster_by_subzone_with_its_notes():
    at = _view(open_page("app_pages/raster.py"), "zonal")
    table = at.dataframe[0].value
    assert len(table) == 57
    assert {ZONAL_COLUMNS["mean"], ZONAL_COLUMNS["sum"], ZONAL_COLUMNS["count"]} <= set(
        table.columns)
    assert (table[ZONAL_COLUMNS["mean"]].between(0, 100)).all()   # percent
    text = _texts(at)
    assert "示意" in text                       # schematic 分片 outlines said so
    xlsx = next(b for b in at.get("download_button") if "Excel" in b.proto.label)
    notes = _notes_sheet(xlsx)
    assert SAMPLE_LABEL in notes
    assert "%" in notes


def test_uploaded_polygons_are_summarised_by_their_ids(tmp_path, catalog):
    sub = catalog["subzone"].set_index("id").to_crs(4549)
    a, b = sub.loc["Z01-01"].geometry.centroid, sub.loc["Z02-01"].geometry.centroid
    # 乙区 first in the file, far from any parcel (off the raster's data: all nodata)
    layer = gpd.GeoDataFrame({"编号": ["乙区", "甲区"], "名称": ["北片", "南片"]},
                             geometry=[box(b.x - 600, b.y - 600, b.x + 600, b.y + 600),
                                       a.buffer(800)], crs=4549)
    path = tmp_path / "片区.geojson"
    layer.to_crs(4326).to_file(path, driver="GeoJSON")
    at = _view(open_page("app_pages/raster.py"), "zonal")
    at.selectbox(key="rz_level").set_value("polygons").run()
    assert "请上传要统计的面图层" in _texts(at)
    at.file_uploader(key="rz_polygons").set_value(
        ("我的{{片区}}.geojson", path.read_bytes(), "application/geo+json")).run()
    assert not at.exception, at.exception
    table = at.dataframe[0].value
    assert list(table.iloc[:, 0]) == ["乙区", "甲区"]           # the file's order and ids
    assert table[ZONAL_COLUMNS["count"]].iloc[1] > 0
    assert not re.search(r"[0-9a-f]{64}", _texts(at))           # never the stored name
    xlsx = next(b for b in at.get("download_button") if "Excel" in b.proto.label)
    notes = _notes_sheet(xlsx)
    assert "上传的面图层（我的{{片区}}.geojson）" in notes
    assert not re.search(r"[0-9a-f]{64}", notes)


def test_built_up_evidence_reaches_lowland():
    at = open_page("app_pages/lowland.py")
    before = at.metric[0].value
    at.switch_page("app_pages/raster.py").run()
    _view(at, "evidence")
    assert "取自栅格 UNIT 标签" in at.radio(key="re_unit").label
    at.button(key="re_use").click().run()
    assert not at.exception, at.exception
    assert "正在使用" in _texts(at)
    at.switch_page("app_pages/lowland.py").run()
    assert not at.exception, at.exception
    after = at.metric[0].value
    assert int(after.split()[0].replace(",", "")) > int(before.split()[0].replace(",", ""))
    assert "已按建成比例栅格" in _texts(at)
    listed = at.dataframe[0].value
    assert listed[COLUMNS["reasons"]].str.contains("建成比例低于20%（遥感）").any()
    xlsx = next(b for b in at.get("download_button") if "低效宗地" in b.proto.label)
    notes = _notes_sheet(xlsx)
    assert EVIDENCE_NOTE in notes
    assert "示例建成比例栅格；百分比（0–100）" in notes


def test_synthetic_evidence_is_never_applied_to_real_data(catalog):
    import dataclasses

    from app_pages.analysis_state import UPLOADED, UPLOADED_KEY
    from app_pages.raster_state import EVIDENCE, SAMPLE_RASTER
    from geo.landuse.pipeline import analyse, load_sample
    from geo.landuse.scoring import load_profile

    sample = load_sample()
    real = analyse(sample.parcels, sample.enterprises, catalog, load_profile(),
                   data_label="北仑区 2024 年亩均数据.xlsx", year=2024)
    assert not real.is_sample
    at = open_page("app_pages/lowland.py")
    at.session_state[UPLOADED] = dataclasses.replace(real)
    at.session_state[UPLOADED_KEY] = "real-1"
    at.session_state[EVIDENCE] = (str(SAMPLE_RASTER), "percent", "sample", "示例建成比例栅格",
                                  "real-1")
    at.run()
    assert not at.exception, at.exception
    assert any("不用于真实数据的低效认定" in w.value for w in at.warning)
    listed = at.dataframe[0].value
    assert not listed[COLUMNS["reasons"]].str.contains("建成比例").any()


def _untagged_percent_tif(tmp_path):
    import numpy as np
    import rasterio
    from rasterio.crs import CRS
    from rasterio.transform import from_origin

    path = tmp_path / "plain.tif"
    # over the sample's first parcels (Ningbo): 56 % everywhere, no UNIT tag
    with rasterio.open(path, "w", driver="GTiff", width=4000, height=5000, count=1,
                       dtype="uint8", crs=CRS.from_epsg(4549), nodata=255,
                       transform=from_origin(599_550, 3_358_200, 30, 30)) as dst:
        dst.write(np.full((5000, 4000), 56, dtype="uint8"), 1)
    return path


def test_a_raster_that_cannot_serve_is_refused_on_the_click_not_on_lowland(tmp_path):
    path = _untagged_percent_tif(tmp_path)
    at = _view(open_page("app_pages/raster.py"), "evidence")
    at.radio(key="r_evidence_source").set_value("upload").run()
    at.file_uploader(key="r_evidence_upload").set_value(
        ("我的建成比例.tif", path.read_bytes(), "image/tiff")).run()
    assert not at.exception, at.exception
    assert "栅格未注明" in at.radio(key="re_unit").label
    at.radio(key="re_unit").set_value("share").run()
    at.button(key="re_use").click().run()
    assert not at.exception, at.exception
    errors = " ".join(e.value for e in at.error)
    assert "超出" in errors
    assert "我的建成比例.tif" in errors or "百分比" in errors
    assert not re.search(r"[0-9a-f]{64}|/tmp/", errors)      # no stored name, no server path
    assert "正在使用" not in _texts(at)
    at.switch_page("app_pages/lowland.py").run()
    assert not at.exception, at.exception


def test_a_damaged_geotiff_is_said_plainly(tmp_path):
    import numpy as np
    from rasterio.crs import CRS
    from rasterio.transform import from_origin

    from geo.raster.surface import write_cog

    good = write_cog(tmp_path / "ok.tif", np.random.default_rng(1).random((600, 600)),
                     from_origin(649_700, 3_307_100, 10, 10), CRS.from_epsg(4549), unit="1",
                     nature="测试", year=2024)
    data = bytearray(good.read_bytes())
    data[len(data) // 2:] = b"\x00\xff" * ((len(data) - len(data) // 2) // 2) + (
        b"\x00" if (len(data) - len(data) // 2) % 2 else b"")
    at = _view(open_page("app_pages/raster.py"), "map")
    at.radio(key="r_map_source").set_value("upload").run()
    at.file_uploader(key="r_map_upload").set_value(("坏.tif", bytes(data), "image/tiff")).run()
    assert not at.exception, at.exception
    errors = " ".join(e.value for e in at.error)
    assert "无法读取" in errors or "栅格" in errors
    assert "Traceback" not in errors
