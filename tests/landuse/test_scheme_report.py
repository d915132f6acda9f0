"""The 校验报告 says what the scheme did: missing indicators and the rule applied, refused
免评原因, unreadable 行业代码 — read from real files through the whole pipeline."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from geo.labels import REPORT_COLUMNS
from geo.landuse.pipeline import analyse, load_inputs
from geo.landuse.scoring import load_profile

#: The report's headers by role.
COL = dict(zip(("file", "row", "record", "field", "value", "problem", "action", "level"),
               REPORT_COLUMNS, strict=True))

#: 规下 scored on 亩均税收 (60) and 单位用电税收 (40), as the default profile does; the rule for
#: missing items comes from the [evaluation] section written by each test.
PROFILE = """
[meta]
name = "测试方案"

[classes]
A = 0.25
B = 0.50
C = 0.75
D = 1.00

[tracks."规下".indicators.tax_per_mu]
weight = 60
benchmark = 10

[tracks."规下".indicators.tax_per_power]
weight = 40
benchmark = 1

[exemptions]
reasons = ["政策性搬迁"]

[evaluation]
missing = "{rule}"
"""

#: No 用电量 column at all: 单位用电税收 cannot be computed for anyone.
NO_POWER = """企业名称,统一社会信用代码,规模,用地面积（亩）,税收（万元）,行业代码,免评原因
甲公司,91330200MA0000001A,规下,10,300,C39,
乙公司,91330200MA0000002B,规下,20,100,3911,
丙公司,91330200MA0000003C,规下,5,200,Z99,
丁公司,91330200MA0000004D,规下,40,80,C26,技改停产
"""


def _run(tmp_path, catalog, rule: str, text: str = NO_POWER):
    ent = tmp_path / "企业.csv"
    ent.write_text(text, encoding="utf-8-sig")
    prof = tmp_path / "方案.toml"
    prof.write_text(PROFILE.replace("{rule}", rule), encoding="utf-8")
    inputs = load_inputs(None, ent)
    return analyse(inputs.parcels, inputs.enterprises, catalog, load_profile(prof),
                   data_label="用户导入")


def _lines(analysis, field: str) -> pd.DataFrame:
    report = analysis.report
    return report[report[COL["field"]] == field]


def test_missing_indicator_scored_zero_is_reported_once_per_track(tmp_path, catalog):
    result = _run(tmp_path, catalog, "zero")
    lines = _lines(result, "单位用电税收")
    assert len(lines) == 1
    line = lines.iloc[0]
    assert "规下：4 家参评企业缺少「单位用电税收」" in line[COL["problem"]]
    assert "所有企业均无“用电量（万千瓦时）”（文件中没有该列或该列为空）" in line[COL["problem"]]
    assert "缺项计 0 分" in line[COL["action"]]
    assert line[COL["level"]] == "警告"
    # all four are still classed (on tax alone), and each says so in its own row
    ent = result.enterprises
    assert ent["class"].notna().all()
    assert ent["missing_indicators"].eq("单位用电税收").all()
    assert ent["class_note"].eq("缺单位用电税收（按方案计 0 分）").all()


def test_missing_indicator_unrated_gives_one_line_per_enterprise_set_aside(tmp_path, catalog):
    result = _run(tmp_path, catalog, "unrated")
    lines = _lines(result, "单位用电税收")
    assert sorted(lines[COL["record"]]) == sorted(
        f"{code} {name}" for code, name in (("91330200MA0000001A", "甲公司"),
                                           ("91330200MA0000002B", "乙公司"),
                                           ("91330200MA0000003C", "丙公司"),
                                           ("91330200MA0000004D", "丁公司")))
    assert lines[COL["row"]].tolist() == [2, 3, 4, 5]
    assert lines[COL["action"]].str.contains("缺项企业不参评").all()
    assert result.enterprises["class"].isna().all()


def test_refused_exemption_and_unreadable_industry_code_are_reported(tmp_path, catalog):
    result = _run(tmp_path, catalog, "zero")
    refused = _lines(result, "免评原因")
    assert len(refused) == 1
    assert refused.iloc[0][COL["record"]] == "91330200MA0000004D 丁公司"
    assert "技改停产" in refused.iloc[0][COL["problem"]]
    assert "政策性搬迁" in refused.iloc[0][COL["problem"]]
    ent = result.enterprises.set_index("name")
    assert ent.at["丁公司", "exemption"] == ""  # evaluated as usual
    assert ent.at["丁公司", "class"] in ("A", "B", "C", "D")
    bad = _lines(result, "行业代码")
    assert bad[COL["value"]].tolist() == ["Z99"]
    assert bad.iloc[0][COL["level"]] == "提示"
    assert ent["industry_group"].to_dict() == {"甲公司": "C39", "乙公司": "C39", "丙公司": None,
                                               "丁公司": "C26"}
    assert ent.at["甲公司", "industry_section"] == "C"
    assert ent.at["甲公司", "industry_group_name"] == "计算机、通信和其他电子设备制造业"


def test_complete_data_gives_no_scheme_lines(tmp_path, catalog):
    text = ("企业名称,规模,用地面积（亩）,税收（万元）,用电量（万千瓦时）\n"
            "甲公司,规下,10,300,100\n乙公司,规下,20,100,50\n")
    result = _run(tmp_path, catalog, "item_mean", text)
    assert _lines(result, "单位用电税收").empty
    assert _lines(result, "亩均税收").empty


def test_evaluation_list_filters_by_industry_and_lists_exempt_apart():
    from geo.landuse.tables import EXEMPT, UNCLASSED, filter_enterprises

    table = pd.DataFrame({
        "class": ["A", None, "D", None], "track": ["规上", "规上", "规下", "规下"],
        "district": ["北仑区"] * 4, "exemption": ["", "免评：新设立不满 2 年（2025）", "", ""],
        "industry_group": ["C39", "C26", None, "C39"], "industry_section": ["C", "C", None, "C"]})
    every = ["规上", "规下"]
    assert filter_enterprises(table, classes=[EXEMPT], tracks=every).index.tolist() == [1]
    assert filter_enterprises(table, classes=[UNCLASSED], tracks=every).index.tolist() == [3]
    classes = ["A", "D", EXEMPT, UNCLASSED]
    assert filter_enterprises(table, classes=classes, tracks=every,
                              industries=["C39"]).index.tolist() == [0, 3]
    assert filter_enterprises(table, classes=classes, tracks=every,
                              industries=["C"]).index.tolist() == [0, 1, 3]
    # an enterprise whose industry is unknown is left out only when an industry is chosen
    assert filter_enterprises(table, classes=classes, tracks=every).index.tolist() == [0, 1, 2, 3]


def test_construction_period_exempts_enterprise_and_parcel_alike(tmp_path, catalog):
    """建设期: the enterprise on a parcel supplied within 2 years is 免评, and the parcel is not
    judged by performance rules — from analyse, on the 示例数据 (data year 2025)."""
    from geo.landuse.pipeline import load_sample

    sample = load_sample()
    base = (Path(__file__).resolve().parents[2] / "data" / "profiles" / "default.toml"
            ).read_text(encoding="utf-8")
    prof = tmp_path / "建设期.toml"
    prof.write_text(base + "\n[exemptions]\nconstruction_within_years = 2\n", encoding="utf-8")
    result = analyse(sample.parcels, sample.enterprises, catalog, load_profile(prof),
                     data_label=sample.data_label, year=sample.year)
    par = result.parcels.set_index("parcel_id")
    supply = pd.to_numeric(par["supply_year"], errors="coerce")
    young = par.index[(supply >= 2024) & (supply <= 2025)]
    assert len(young) > 0
    notes = par.loc[young, "data_note"]
    assert notes.str.contains("暂不按效益规则认定").all()  # 在建 by status, or by 供地年份
    by_supply = notes.str.contains("建设期")
    assert by_supply.any()
    assert (par.loc[young[by_supply.to_numpy()], "status"] != "在建").all()
    judged = par.loc[young, "reason_codes"].str.split(";").explode().dropna()
    assert set(judged) <= {"IDLE", ""}  # only the status still applies
    ent = result.enterprises
    first = ent["parcel_id"].astype(str).str.split(";").str[0]
    on_young = first.isin(young.astype(str))
    assert on_young.any()
    assert ent.loc[on_young, "exemption"].str.contains("建设期").all()
    assert ent.loc[on_young, "class"].isna().all()


def test_year_rules_apply_to_a_list_without_a_year_column(tmp_path, catalog):
    """The data year comes from the analysis when the rows carry none (a stored dataset's
    数据年度, or the year chosen on import): 新设立 still exempts."""
    text = ("企业名称,统一社会信用代码,规模,用地面积（亩）,税收（万元）,成立年份\n"
            "甲公司,91330200MA0000001A,规下,10,300,2024\n"
            "乙公司,91330200MA0000002B,规下,20,100,2010\n")
    ent = tmp_path / "企业.csv"
    ent.write_text(text, encoding="utf-8-sig")
    prof = tmp_path / "方案.toml"
    prof.write_text(PROFILE.replace("{rule}", "zero").replace(
        'reasons = ["政策性搬迁"]', 'reasons = ["政策性搬迁"]\nnew_within_years = 2'),
        encoding="utf-8")
    inputs = load_inputs(None, ent)
    assert "year" not in inputs.enterprises or inputs.enterprises["year"].isna().all()
    result = analyse(inputs.parcels, inputs.enterprises, catalog, load_profile(prof),
                     data_label="用户导入", year=2025)
    out = result.enterprises.set_index("name")
    assert out.at["甲公司", "exemption"].startswith("免评：新设立不满 2 年")
    assert pd.isna(out.at["甲公司", "class"])
    assert out.at["乙公司", "exemption"] == ""
    assert out.at["乙公司", "class"] in ("A", "B", "C", "D")


def test_each_rows_line_names_its_file_row_and_record_as_a_single_lookup_did():
    from geo.landuse.scheme_report import _rows_and_records

    ent = pd.DataFrame({"source_row": pd.array([5, None, "12", "x"], dtype=object),
                        "credit_code": [None, "91330200X", " ", "913302001"],
                        "name": ["甲公司", "", "乙公司", None]}, index=[10, 11, 12, 13])
    rows, records = _rows_and_records(ent)
    assert rows == [5, None, 12, None]
    assert records == ["甲公司", "91330200X", "乙公司", "913302001"]
    assert _rows_and_records(ent.drop(columns=["source_row", "credit_code", "name"])) == (
        [None] * 4, [""] * 4)
