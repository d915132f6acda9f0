"""数据导入 through AppTest (issue 10): a GeoPackage of several layers offers its layers, an
Excel file of several sheets its sheets, and a file whose rows were all rejected says so and
shows the validation report instead of a traceback."""

from __future__ import annotations

import io

import geopandas as gpd
import pandas as pd
import pytest
from shapely.geometry import box
from streamlit.testing.v1 import AppTest

from tests.support.apptest import open_page

MU = 10000 / 15


pytestmark = pytest.mark.usefixtures("work")  # the shared fixture of tests/app/conftest.py


def _parcels(catalog, ids: list[str], sub: str) -> gpd.GeoDataFrame:
    centre = catalog["subzone"].set_index("id").to_crs(4549).loc[sub].geometry
    centre = centre.representative_point()
    side = (10 * MU) ** 0.5
    return gpd.GeoDataFrame(
        {"宗地编号": ids, "用地面积（亩）": [10] * len(ids), "用地性质": ["工业用地"] * len(ids)},
        geometry=[box(centre.x + i * 200, centre.y, centre.x + i * 200 + side, centre.y + side)
                  for i in range(len(ids))], crs=4549).to_crs(4326)


def _page(name: str, data: bytes) -> AppTest:
    at = open_page("app_pages/data_import.py")
    at.file_uploader(key="up_parcels").set_value((name, data, "application/octet-stream"))
    at.run()
    assert not at.exception, at.exception
    return at


def test_geopackage_of_several_layers_offers_its_layers(catalog, tmp_path):
    path = tmp_path / "宗地.gpkg"
    _parcels(catalog, ["P1", "P2"], "Z01-01").to_file(path, layer="宗地2023", driver="GPKG")
    _parcels(catalog, ["P3"], "Z02-01").to_file(path, layer="宗地2024", driver="GPKG")
    at = _page(path.name, path.read_bytes())
    assert not at.error, [e.value for e in at.error]
    choice = at.selectbox(key="up_parcels_part")
    assert list(choice.options) == ["宗地2023", "宗地2024"]
    choice.set_value("宗地2024").run()
    at.button(key="up_go").click().run()
    assert not at.exception, at.exception
    assert not at.error, [e.value for e in at.error]
    assert any("完成：1 宗宗地" in s.label for s in at.status)
    assert any(e.value.startswith("当前分析所用数据：用户导入：宗地.gpkg") for e in at.info)


def test_excel_of_several_sheets_offers_its_sheets(catalog):
    parcels = _parcels(catalog, ["P1", "P2"], "Z01-01")
    table = pd.DataFrame(parcels.drop(columns="geometry")).assign(WKT=parcels.geometry.to_wkt())
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer) as book:
        pd.DataFrame({"说明": ["填报说明"]}).to_excel(book, sheet_name="说明", index=False)
        table.to_excel(book, sheet_name="宗地", index=False)
    at = _page("宗地.xlsx", buffer.getvalue())
    choice = at.selectbox(key="up_parcels_part")
    assert list(choice.options) == ["说明", "宗地"]
    choice.set_value("宗地").run()
    assert "宗地编号" in at.dataframe[0].value.to_csv()  # the header preview reads that sheet
    at.button(key="up_go").click().run()
    assert not at.exception, at.exception
    assert any("完成：2 宗宗地" in s.label for s in at.status)


def test_all_rows_rejected_says_so_and_shows_the_report(catalog, tmp_path):
    parcels = _parcels(catalog, ["", ""], "Z01-01")
    path = tmp_path / "无编号.geojson"
    parcels.to_file(path, driver="GeoJSON")
    at = _page(path.name, path.read_bytes())
    at.button(key="up_go").click().run()
    assert not at.exception, at.exception
    assert any("没有可用的行" in e.value and "无编号.geojson" in e.value for e in at.error), \
        [e.value for e in at.error]
    report = at.dataframe[-1].value
    assert set(report["文件"]) == {"无编号.geojson"}
    assert len(report) == 2  # why each row was refused
    assert any(e.value.startswith("当前分析所用数据：示例数据") for e in at.info)
