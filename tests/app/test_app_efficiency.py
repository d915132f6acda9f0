"""The 亩均论英雄 pages through AppTest: 亩均效益, 低效用地 (register saved with its audit log),
数据导入 (upload → header preview → analysis of the user's data → validation report)."""

from __future__ import annotations

import io
from pathlib import Path

import openpyxl
import pytest
from streamlit.testing.v1 import AppTest

from geo.labels import column_label
from geo.landuse.model import SAMPLE_LABEL
from geo.landuse.register import load_register
from tests.support.apptest import download, open_page
from tests.support.paths import APP

_open = open_page


def _texts(at) -> str:
    return " ".join(str(e.value) for kind in ("warning", "info", "caption", "markdown")
                    for e in getattr(at, kind))


@pytest.mark.usefixtures("work")
def test_efficiency_page_labels_sample_and_exports_it():
    at = _open("app_pages/efficiency.py")
    assert at.title[0].value == "亩均效益"
    assert SAMPLE_LABEL in at.warning[0].value
    ranking = at.dataframe[0].value
    assert {column_label(c) for c in ("unit_name", "tax_per_mu", "enterprise_count",
                                      "coverage_share")} <= set(ranking.columns)
    assert len(ranking) == 57  # one row per 分片, units without data included
    at.selectbox(key="e_level").set_value("district").run()
    assert not at.exception, at.exception
    districts = at.dataframe[0].value
    assert len(districts) == 10
    assert districts["亩均税收（万元/亩）"].notna().any()
    listed = next(df.value for df in at.dataframe if "统一社会信用代码" in df.value)
    assert len(listed) > 0
    assert set(listed[column_label("class")]) == {"D"}  # the D list by default
    at.multiselect(key="e_classes").set_value(["A"]).run()
    listed = next(df.value for df in at.dataframe if "统一社会信用代码" in df.value)
    assert set(listed[column_label("class")]) == {"A"}
    for _, track in listed.groupby(column_label("track")):
        assert track[column_label("score")].is_monotonic_decreasing  # best first per track
    assert not any("所列企业" in b.proto.label for b in at.get("download_button"))  # on demand
    at.button(key="e_ent_dl_prepare").click().run()
    book = openpyxl.load_workbook(io.BytesIO(download(next(
        b for b in at.get("download_button") if "所列企业" in b.proto.label))))
    assert book.worksheets[0].max_row == len(listed) + 1
    # one vocabulary: every header the page shows is a header of its download (issue 9)
    downloaded = {c.value for c in book.worksheets[0][1]}
    assert set(listed.columns) <= downloaded, set(listed.columns) - downloaded
    xlsx = download(next(b for b in at.get("download_button") if "XLSX" in b.proto.label))
    book = openpyxl.load_workbook(io.BytesIO(xlsx))
    values = {str(c.value) for ws in book.worksheets for row in ws.iter_rows() for c in row}
    assert SAMPLE_LABEL in values  # the sample label travels with the export
    level_headers = {c.value for c in book.worksheets[0][1]}
    assert set(districts.columns) <= level_headers, set(districts.columns) - level_headers


@pytest.mark.usefixtures("work")
def test_lowland_list_headers_are_its_downloads_headers():
    at = _open("app_pages/lowland.py")
    listed = next(df.value for df in at.dataframe if column_label("reasons") in df.value)
    book = openpyxl.load_workbook(io.BytesIO(download(next(
        b for b in at.get("download_button") if "低效宗地" in b.proto.label))))
    downloaded = {c.value for c in book.worksheets[0][1]}
    assert set(listed.columns) <= downloaded, set(listed.columns) - downloaded
    notes = {str(r[0].value): str(r[1].value) for r in book["说明"].iter_rows(min_row=2)}
    assert notes["数据性质"] == SAMPLE_LABEL
    assert "十四五" not in notes["数据来源"]


@pytest.mark.usefixtures("work")
def test_lowland_progress_and_scenario():
    at = _open("app_pages/lowland.py")
    tables = [df.value for df in at.dataframe]
    targets = next(t for t in tables if "目标（万元/亩）" in t)
    assert {60.0, 200.0} <= set(targets["目标（万元/亩）"].dropna())  # seed 001 line 741
    # the 示例数据 hold 2021: the base is computed from it (issue 15), shown and editable
    from geo.landuse.scoring import load_profile
    from geo.landuse.years import analyses_by_year, base_year_figures, sample_all_years
    from geo.zones.catalog import load_catalog

    parcels, enterprises, label = sample_all_years()
    base = base_year_figures(analyses_by_year(parcels, enterprises, load_catalog(),
                                              load_profile(), data_label=label, years=[2021]))
    assert at.number_input(key="t_base_tax").value == pytest.approx(base["tax_per_mu"])
    assert any(abs(t - 1.4 * base["tax_per_mu"]) < 1e-6
               for t in targets["目标（万元/亩）"].dropna())  # 2021 base × (1 + 40 %)
    assert (targets["说明"] == "需输入 2021 年基数").sum() == 0
    at.number_input(key="t_base_tax").set_value(40.0).run()
    targets = next(df.value for df in at.dataframe if "目标（万元/亩）" in df.value)
    assert 56.0 in set(targets["目标（万元/亩）"].round(6))  # 40 × 1.4
    scen = next(df.value for df in at.dataframe if "亩均税收·情景" in df.value)
    assert (scen["亩均税收·情景"] >= scen["亩均税收·现状"] - 1e-9).all()
    assert "宁波国家高新区" in set(scen["单元"])  # zones by name, not by id
    at.radio(key="s_mode").set_value("clear").run()
    scen = next(df.value for df in at.dataframe if "宗地面积·情景（亩）" in df.value)
    assert (scen["宗地面积·情景（亩）"] <= scen["宗地面积·现状（亩）"] + 1e-9).all()
    assert (scen["宗地面积·情景（亩）"] < scen["宗地面积·现状（亩）"]).any()


PARCELS_CSV = (
    "地块编号,用地面积（亩）,用地性质,容积率,生产状态,WKT\n"
    "001,30,工业用地,0.5,正常,\"POLYGON((121.80 29.93,121.8014 29.93,121.8014 29.9313,"
    "121.80 29.9313,121.80 29.93))\"\n"  # about 30 亩, as stated
    "002,-5,工业用地,1.2,正常,\"POLYGON((121.82 29.93,121.83 29.93,121.83 29.94,121.82 29.94,"
    "121.82 29.93))\"\n"
)
ENTERPRISES_CSV = (
    "统一社会信用代码,企业名称,宗地编号,是否规上,实缴税金(元),工业增加值(万元)\n"
    "91330200MA2AAAAA0X,=cmd|' /C calc'!A0,001,是,\"1,500,000\",600\n"
    "91330200MA2BBBBB1Y,乙公司,999,否,100000,50\n"
)


def _import_page(parcels: tuple[str, bytes], enterprises: tuple[str, bytes]) -> AppTest:
    """The 数据导入 page with both files chosen (not yet imported)."""
    at = _open("app_pages/data_import.py")
    at.file_uploader(key="up_parcels").set_value((*parcels, "text/csv"))
    at.file_uploader(key="up_enterprises").set_value((*enterprises, "text/csv"))
    return at


def test_import_page_analyses_user_files_with_a_report(work):
    at = _import_page(("宗地.csv", PARCELS_CSV.encode("utf-8")),
                      ("企业.csv", ENTERPRISES_CSV.encode("gbk")))
    at.run()
    assert not at.exception, at.exception
    preview = at.dataframe[0].value
    assert len(preview) >= 5  # one row per header with its mapping
    at.button(key="up_go").click().run()
    assert not at.exception, at.exception
    report = at.dataframe[-1].value
    by_row = {(r["文件"], str(r["行号"])): r for _, r in report.iterrows()}
    negative = by_row[("宗地.csv", "3")]  # parcel 002, file line 3
    assert negative["字段"] == "用地面积（亩）"
    assert "负数" in negative["问题"]
    assert "图形面积" in negative["处理"]  # not zero-filled, not silently dropped
    orphan = by_row[("企业.csv", "3")]
    assert orphan["值"] == "999"
    assert "无对应宗地" in orphan["问题"]
    assert any(e.value.startswith("当前分析所用数据：用户导入：宗地.csv") for e in at.info)
    csv = download(next(b for b in at.get("download_button") if "校验报告" in b.proto.label))
    assert csv.startswith(b"\xef\xbb\xbf")
    # the analysis now rests on the user's files, and every page says so
    at.switch_page("app_pages/efficiency.py").run()
    assert not at.exception, at.exception
    assert not any("示例" in w.value for w in at.warning)
    assert any("用户导入：宗地.csv、企业.csv" in e.value for e in at.info)
    at.switch_page("app_pages/lowland.py").run()
    assert not at.exception, at.exception
    assert load_register(work / "clearance_register.csv").empty  # a fresh register
    assert any("用户导入" in e.value for e in at.info)
    at.switch_page("app_pages/data_import.py").run()
    at.button(key="up_reset").click().run()
    at.switch_page("app_pages/efficiency.py").run()
    assert SAMPLE_LABEL in at.warning[0].value


def test_upload_limit_of_the_server_matches_the_importer():
    import tomllib

    from geo.io.safefile import MAX_BYTES

    config = tomllib.loads((Path(APP).parent / ".streamlit" / "config.toml").read_text())
    assert config["server"]["maxUploadSize"] * 2**20 == MAX_BYTES


def test_unreadable_register_is_reported_and_left_alone(work):
    work.mkdir(parents=True)
    bad = work / "sample_clearance_register.csv"
    bad.write_text("宗地编号,状态,面积（亩）\nA,完成了,3\n", encoding="utf-8")
    at = _open("app_pages/lowland.py")
    assert any("整治台账文件无法读取" in e.value and "第 2 行" in e.value and "状态" in e.value
               for e in at.error), [e.value for e in at.error]
    assert at.dataframe  # the rest of the page still works
    assert bad.read_text(encoding="utf-8") == "宗地编号,状态,面积（亩）\nA,完成了,3\n"


@pytest.mark.usefixtures("work")
def test_uploads_with_the_same_name_do_not_overwrite_each_other():
    at = _import_page(("数据.csv", PARCELS_CSV.encode("utf-8")),
                      ("数据.csv", ENTERPRISES_CSV.encode("utf-8")))
    at.run()
    at.button(key="up_go").click().run()
    assert not at.exception, at.exception
    assert not at.error, [e.value for e in at.error]
    # the enterprise without land (parcel 999 does not exist) is listed as 未参评, by name
    at.switch_page("app_pages/efficiency.py").run()
    at.multiselect(key="e_classes").set_value(["未参评"]).run()
    assert not at.exception, at.exception
    listed = next(df.value for df in at.dataframe if "统一社会信用代码" in df.value)
    assert listed[column_label("name")].tolist() == ["乙公司"]
    assert listed[column_label("class")].isna().all()
    assert listed[column_label("class_note")].iloc[0] == "无用地数据，未参评"


@pytest.mark.usefixtures("work")
def test_failed_import_names_the_years_and_keeps_the_data_line():
    dated = "统一社会信用代码,宗地编号,年度,税收（万元）\n91330200MA2AAAAA0X,001,2024,10\n"
    at = _import_page(("宗地.csv", PARCELS_CSV.encode("utf-8")),
                      ("企业.csv", dated.encode("utf-8")))
    at.number_input(key="up_year").set_value(2019)
    at.run()
    at.button(key="up_go").click().run()
    assert not at.exception, at.exception
    assert any("2019" in e.value and "企业.csv" in e.value and "2024" in e.value for e in at.error)
    assert any(e.value.startswith("当前分析所用数据：示例数据") for e in at.info)
