"""Honest status (issue 10): the import summary is green only when every row was used and some
亩均 figure could be computed; pages say plainly when an indicator has no data at all."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from tests.support.apptest import open_page

PARCEL_HEADER = "地块编号,用地面积（亩）,用地性质,容积率,生产状态,WKT\n"
PARCEL_001 = ("001,30,工业用地,0.5,正常,\"POLYGON((121.80 29.93,121.8014 29.93,121.8014 29.9313,"
              "121.80 29.9313,121.80 29.93))\"\n")  # about 30 亩, as stated
PARCEL_002 = ("002,30,工业用地,1.2,正常,\"POLYGON((121.82 29.93,121.8214 29.93,121.8214 29.9313,"
              "121.82 29.9313,121.82 29.93))\"\n")
NO_SHAPE = "003,10,工业用地,1.0,正常,\n"  # no geometry: the row is set aside
ENTERPRISES_CSV = (
    "统一社会信用代码,企业名称,宗地编号,是否规上,实缴税金(元),工业增加值(万元)\n"
    "91330200MA2AAAAA0X,甲公司,001,是,\"1,500,000\",600\n"
    "91330200MA2BBBBB1Y,乙公司,002,否,100000,50\n"
)
NO_FIGURES_CSV = ("统一社会信用代码,企业名称,宗地编号,是否规上\n"
                  "91330200MA2AAAAA0X,甲公司,001,是\n")  # neither 税收 nor 增加值




_open = open_page


def _imported(parcels: str, enterprises: str | None) -> AppTest:
    """The 数据导入 page after importing the given CSV texts."""
    at = _open("app_pages/data_import.py")
    at.file_uploader(key="up_parcels").set_value(("宗地.csv", parcels.encode("utf-8"),
                                                  "text/csv"))
    if enterprises is not None:
        at.file_uploader(key="up_enterprises").set_value(("企业.csv", enterprises.encode("gbk"),
                                                          "text/csv"))
    at.run()
    at.button(key="up_go").click().run()
    assert not at.exception, at.exception
    return at


def _values(at, kind: str) -> list[str]:
    return [str(e.value) for e in getattr(at, kind)]


def _charts(at) -> int:
    return len(at.get("vega_lite_chart"))


@pytest.mark.usefixtures("work")
def test_enterprises_without_figures_are_an_error_not_a_success():
    at = _imported(PARCEL_HEADER + PARCEL_001 + PARCEL_002, NO_FIGURES_CSV)
    assert not at.success, _values(at, "success")
    errors = _values(at, "error")
    assert any("没有算出任何亩均税收或亩均增加值" in e and "企业文件" in e for e in errors), errors
    assert any("下载校验报告" in b.proto.label for b in at.get("download_button"))


@pytest.mark.usefixtures("work")
def test_parcels_alone_are_not_green_and_pages_say_there_is_no_figure():
    at = _imported(PARCEL_HEADER + PARCEL_001 + PARCEL_002, None)
    assert not at.success, _values(at, "success")
    warnings = _values(at, "warning")
    assert any(w.startswith("没有算出任何亩均税收或亩均增加值") for w in warnings), warnings
    # the pages say the indicator has no data instead of drawing empty charts
    at.switch_page("app_pages/efficiency.py").run()
    assert not at.exception, at.exception
    infos = _values(at, "info")
    assert any(i.startswith("本数据没有可计算的「亩均税收」") for i in infos), infos
    assert any("本数据没有已评价的企业" in i for i in infos), infos
    assert _charts(at) == 0
    assert not at.get("component_instance")  # no empty choropleth
    at.switch_page("app_pages/lowland.py").run()
    assert not at.exception, at.exception
    infos = _values(at, "info")
    assert any(i.startswith("本数据没有可计算的「规上工业亩均税收」") for i in infos), infos


@pytest.mark.usefixtures("work")
def test_a_row_set_aside_gives_a_warning_with_the_counts():
    at = _imported(PARCEL_HEADER + PARCEL_001 + PARCEL_002 + NO_SHAPE, ENTERPRISES_CSV)
    assert not at.success, _values(at, "success")
    assert not at.error, _values(at, "error")
    warnings = _values(at, "warning")
    counts = ("已使用 2 宗宗地、2 条企业记录", "未导入 1 行")
    assert any(all(c in w for c in counts) for w in warnings), warnings
    report = at.dataframe[-1].value
    assert (report["处理"].astype(str).str.startswith("未导入该行")).sum() == 1


@pytest.mark.usefixtures("work")
def test_a_clean_import_is_green():
    at = _imported(PARCEL_HEADER + PARCEL_001 + PARCEL_002, ENTERPRISES_CSV)
    assert not at.error, _values(at, "error")
    assert not at.warning, _values(at, "warning")
    successes = _values(at, "success")
    assert any("导入完成：已使用 2 宗宗地、2 条企业记录" in s for s in successes), successes
    at.switch_page("app_pages/efficiency.py").run()
    assert not at.exception, at.exception
    assert not any(i.startswith("本数据没有可计算的") for i in _values(at, "info"))
    assert _charts(at) >= 2  # ranking and class distribution are drawn
    assert at.get("component_instance")  # and the choropleth
