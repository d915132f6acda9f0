"""数据导入: the official sets field and unit per column and accepts doubts (issue 10).

Each test imports a real file through the page (AppTest) and checks the figures that result,
computed by hand: parcels of 10 亩 whose tax is 50 万元 give 亩均税收 5 万元/亩.
"""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
import pytest
from shapely.geometry import box
from streamlit.testing.v1 import AppTest

from app_pages.analysis_state import UPLOADED
from tests.support.apptest import open_page

MU = 10000 / 15

pytestmark = pytest.mark.usefixtures("work")


def _squares(catalog, n: int, sub: str = "Z01-01") -> list:
    centre = catalog["subzone"].set_index("id").to_crs(4549).loc[sub].geometry
    centre = centre.representative_point()
    side = (10 * MU) ** 0.5  # 10 亩 each
    return [box(centre.x + i * 200, centre.y, centre.x + i * 200 + side, centre.y + side)
            for i in range(n)]


def _geojson(tmp_path, catalog, columns: dict, name: str = "宗地.geojson") -> tuple[str, bytes]:
    n = len(next(iter(columns.values())))
    frame = gpd.GeoDataFrame(columns, geometry=_squares(catalog, n), crs=4549).to_crs(4326)
    path = tmp_path / name
    frame.to_file(path, driver="GeoJSON")
    return path.name, path.read_bytes()


def _upload(at: AppTest, key: str, name: str, data: bytes) -> AppTest:
    at.file_uploader(key=key).set_value((name, data, "application/octet-stream"))
    at.run()
    assert not at.exception, at.exception
    return at


def _go(at: AppTest) -> AppTest:
    at.button(key="up_go").click().run()
    assert not at.exception, at.exception
    return at


def test_official_maps_unrecognised_columns_with_their_units(catalog, tmp_path):
    name, data = _geojson(tmp_path, catalog, {"宗地编号": ["P1", "P2"], "面积数": [10, 10],
                                              "缴款": [50, 500_000]})
    at = _upload(open_page("app_pages/data_import.py"), "up_parcels", name, data)
    at.multiselect(key="up_map_parcel_cols").set_value(["面积数", "缴款"]).run()
    at.selectbox(key="up_map_parcel_f1").set_value("用地面积").run()
    at.selectbox(key="up_map_parcel_u1").set_value("亩").run()
    at.selectbox(key="up_map_parcel_f2").set_value("税收").run()
    at.selectbox(key="up_map_parcel_u2").set_value("万元").run()
    _go(at)
    units = at.session_state[UPLOADED].enterprises.set_index("parcel_id")
    assert units.loc["P1", "tax_per_mu"] == pytest.approx(5.0)
    assert units.loc["P2", "tax_per_mu"] == pytest.approx(50_000.0)  # stated 万元: never rescaled
    report = at.session_state["up_report"].to_csv()
    assert "按您的选择导入为用地面积（单位：亩）" in report
    assert "按您的选择导入为税收（单位：万元）" in report


def test_without_a_choice_the_unknown_columns_give_no_figures(catalog, tmp_path):
    name, data = _geojson(tmp_path, catalog, {"宗地编号": ["P1"], "缴款": [50]})
    at = _go(_upload(open_page("app_pages/data_import.py"), "up_parcels", name, data))
    assert any("没有算出任何亩均税收" in w.value for w in at.warning)


def test_a_unit_that_does_not_fit_is_refused_in_chinese(catalog, tmp_path):
    name, data = _geojson(tmp_path, catalog, {"宗地编号": ["P1"], "税收（万元）": [50]})
    at = _upload(open_page("app_pages/data_import.py"), "up_parcels", name, data)
    at.multiselect(key="up_map_parcel_cols").set_value(["税收（万元）"]).run()
    at.selectbox(key="up_map_parcel_u1").set_value("亩").run()
    _go(at)
    assert at.error, "no error shown"
    assert "处理办法" in at.error[0].value, [e.value for e in at.error]
    assert "does not fit" not in at.error[0].value  # the Chinese text, not the English
    assert UPLOADED not in at.session_state or at.session_state[UPLOADED] is None


def test_area_doubts_are_set_aside_unless_accepted(catalog, tmp_path):
    name, data = _geojson(tmp_path, catalog, {"宗地编号": ["P1", "P2"],
                                              "用地面积（亩）": [10, 30]})  # P2's polygon: 10 亩
    at = _go(_upload(open_page("app_pages/data_import.py"), "up_parcels", name, data))
    assert sorted(at.session_state[UPLOADED].parcels["parcel_id"]) == ["P1"]
    assert any("未能使用" in w.value for w in at.warning)
    at.checkbox(key="up_accept_area_mismatch").check().run()
    _go(at)
    assert sorted(at.session_state[UPLOADED].parcels["parcel_id"]) == ["P1", "P2"]
    assert "经确认保留填报面积" in at.session_state["up_report"].to_csv()


def test_an_enterprise_list_alone_is_imported(tmp_path):
    path = tmp_path / "亩均评价.csv"
    pd.DataFrame({"企业名称": ["宁波甲公司", "宁波乙公司"], "用地面积（亩）": [10, 20],
                  "税收（万元）": [50, 40]}).to_csv(path, index=False)
    at = _upload(open_page("app_pages/data_import.py"), "up_enterprises", path.name,
                 path.read_bytes())
    _go(at)
    ent = at.session_state[UPLOADED].enterprises.set_index("name")
    assert ent.loc["宁波甲公司", "tax_per_mu"] == pytest.approx(5.0)
    assert ent.loc["宁波乙公司", "tax_per_mu"] == pytest.approx(2.0)
    assert any("完成：0 宗宗地、2 条企业记录" in s.label for s in at.status)
