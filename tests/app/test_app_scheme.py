"""The scheme on screen (issue 15): how missing indicators were scored is said on the 亩均效益
page and in the 校验报告 of the import, not only in the exported list; the list filters by
industry; why-this-class and the robustness check answer for the enterprise chosen."""

from __future__ import annotations

import pytest

from geo.labels import column_label
from tests.support.apptest import open_page

#: 规下 enterprises without any 用电量: 单位用电税收 (weight 40 in the default profile) is
#: missing for all of them, and the default rule scores it 0.
NO_POWER = ("统一社会信用代码,企业名称,规模,用地面积（亩）,税收（万元）,行业代码\n"
            "91330200MA0000001A,甲公司,规下,10,300,C39\n"
            "91330200MA0000002B,乙公司,规下,20,100,3911\n"
            "91330200MA0000003C,丙公司,规下,5,200,C26\n")


def _texts(at) -> str:
    return " ".join(str(e.value) for kind in ("warning", "info", "caption", "markdown")
                    for e in getattr(at, kind))


@pytest.fixture
def imported(work):  # noqa: ARG001 - the isolated work folder must exist first
    at = open_page("app_pages/data_import.py")
    at.file_uploader(key="up_enterprises").set_value(("企业.csv", NO_POWER.encode("utf-8"),
                                                      "text/csv"))
    at.run()
    at.button(key="up_go").click().run()
    assert not at.exception, at.exception
    return at


def test_missing_indicator_rule_is_in_the_report_and_on_the_efficiency_page(imported):
    report = imported.dataframe[-1].value
    line = report[report["字段"] == "单位用电税收"]
    assert len(line) == 1
    assert "规下：3 家参评企业缺少「单位用电税收」" in line.iloc[0]["问题"]
    assert "缺项计 0 分" in line.iloc[0]["处理"]
    at = imported
    at.switch_page("app_pages/efficiency.py").run()
    assert not at.exception, at.exception
    texts = _texts(at)
    assert "缺项处理（评价方案）：缺项计 0 分。3 家企业有缺项指标（单位用电税收 3 家）" in texts
    at.multiselect(key="e_classes").set_value(["A", "B", "C", "D"]).run()
    listed = next(df.value for df in at.dataframe if "统一社会信用代码" in df.value)
    assert set(listed[column_label("missing_indicators")]) == {"单位用电税收"}


def test_industry_filter_narrows_the_list(imported):
    at = imported
    at.switch_page("app_pages/efficiency.py").run()
    at.multiselect(key="e_classes").set_value(["A", "B", "C", "D"]).run()
    at.multiselect(key="e_industry").set_value(["C39"]).run()
    assert not at.exception, at.exception
    listed = next(df.value for df in at.dataframe if "统一社会信用代码" in df.value)
    assert sorted(listed[column_label("name")]) == ["乙公司", "甲公司"]


@pytest.mark.usefixtures("work")
def test_why_this_class_and_robustness_answer_on_the_sample():
    at = open_page("app_pages/efficiency.py")
    at.segmented_control(key="e_section").set_value("类别说明与稳健性").run()
    assert not at.exception, at.exception
    assert any("单靠该项升档所需值" in df.value for df in at.dataframe)
    options = at.selectbox(key="e_explain_pick").options
    assert options
    assert not any("（nan，" in o for o in options)  # a missing credit code reads 无代码
    at.toggle(key="e_sensitivity_on").set_value(True).run()
    assert not at.exception, at.exception
    variants = next(df.value for df in at.dataframe if "类别变化企业数" in df.value)
    assert len(variants) == 4 * 8  # ± weight and ± benchmark of each of the 8 indicators
    assert {"已定类企业", "稳健（各情形类别不变）"} <= {m.label for m in at.metric}


@pytest.mark.usefixtures("work")
def test_list_filters_survive_a_visit_to_another_view_and_the_workbook_follows_the_district():
    import io

    import openpyxl

    from tests.support.apptest import download

    at = open_page("app_pages/efficiency.py")
    at.selectbox(key="e_district").set_value("鄞州区").run()
    at.multiselect(key="e_industry").set_value(["C39"]).run()
    listed = next(df.value for df in at.dataframe if "统一社会信用代码" in df.value)
    at.segmented_control(key="e_section").set_value("园区评价").run()
    at.segmented_control(key="e_section").set_value("企业评价清单").run()
    assert not at.exception, at.exception
    assert at.selectbox(key="e_district").value == "鄞州区"
    assert at.multiselect(key="e_industry").value == ["C39"]
    again = next(df.value for df in at.dataframe if "统一社会信用代码" in df.value)
    assert again.equals(listed)
    at.button(key="e_lists_dl_prepare").click().run()
    book = openpyxl.load_workbook(io.BytesIO(download(next(
        b for b in at.get("download_button") if "分类名单" in b.proto.label))))
    districts = set()
    for name in ("A类", "B类", "C类", "D类"):
        rows = list(book[name].iter_rows(values_only=True))
        col = rows[0].index(column_label("district"))
        districts |= {r[col] for r in rows[1:]}
    assert districts == {"鄞州区"}
    notes = {str(r[0].value): str(r[1].value) for r in book["说明"].iter_rows(min_row=2)}
    assert notes["名单范围"].startswith("鄞州区")
