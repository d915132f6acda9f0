"""Shapes of the files officials send (issue 10: figures an official can sign).

An enterprise list without 统一社会信用代码 (keyed by 企业名称), headers not recognised before
(土地使用权面积, 所在乡镇 …), and a validation report whose lines name the record (记录).
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
from shapely.geometry import box

from geo._errors import DataImportError
from geo.cli import main
from geo.labels import REPORT_COLUMNS, REPORT_COLUMNS_EN
from geo.landuse.headers import map_headers
from geo.landuse.ingest import import_enterprises, import_parcels

MU = 10000 / 15
CODE_A, CODE_B = "91330200MA2AAAAA0X", "91330200MA2BBBBB1Y"


def _square(centre, mu: float, dx: float = 0.0):
    side = (mu * MU) ** 0.5
    x, y = centre.x + dx, centre.y
    return box(x - side / 2, y - side / 2, x + side / 2, y + side / 2)


@pytest.fixture
def parcel_file(catalog, tmp_path) -> Path:
    """P1 30 亩 and P2 10 亩 in 分片 Z01-01, P3 20 亩 in Z02-01."""
    sub = catalog["subzone"].set_index("id").to_crs(4549)
    c1 = sub.loc["Z01-01"].geometry.representative_point()
    c2 = sub.loc["Z02-01"].geometry.representative_point()
    parcels = gpd.GeoDataFrame(
        {"宗地编号": ["P1", "P2", "P3"], "用地面积（亩）": [30, 10, 20],
         "用地性质": ["工业用地"] * 3, "生产状态": ["正常"] * 3},
        geometry=[_square(c1, 30), _square(c1, 10, dx=400), _square(c2, 20)], crs=4549,
    ).to_crs(4326)
    path = tmp_path / "宗地.geojson"
    parcels.to_file(path, driver="GeoJSON")
    return path


def _name_keyed_csv(tmp_path: Path) -> Path:
    """Three enterprises by name only; row 5 repeats row 2's name in other widths and spaces."""
    path = tmp_path / "企业.csv"
    pd.DataFrame({
        "企业名称": ["宁波甲（集团）有限公司", "乙公司", "丙公司", "宁波甲 (集团)有限公司"],
        "宗地编号": ["P1", "P2", "P3", "P3"], "是否规上": ["是"] * 4,
        "税收（万元）": [900, 40, 100, 7], "工业增加值（万元）": [3000, 200, 400, 9],
    }).to_csv(path, index=False, encoding="utf-8-sig")
    return path


# --------------------------------------------------------------------------- keyed by name


def test_name_keyed_list_is_evaluated_end_to_end(parcel_file, tmp_path):
    epath = _name_keyed_csv(tmp_path)
    out = tmp_path / "企业评价.csv"
    assert main(["evaluate", "--parcels", str(parcel_file), "--enterprises", str(epath),
                 "--level", "enterprise", "--out", str(out)]) == 0
    rows = pd.read_csv(out, encoding="utf-8-sig")
    name_col = next(c for c in rows.columns if rows[c].astype(str).eq("乙公司").any())
    got = rows.set_index(name_col)["亩均税收（万元/亩）"]
    assert len(got) == 3  # the repeated name is one enterprise, counted once
    assert got["宁波甲（集团）有限公司"] == pytest.approx(900 / 30)
    assert got["乙公司"] == pytest.approx(40 / 10)
    assert got["丙公司"] == pytest.approx(100 / 20)  # P3 not shared with the dropped row
    report = pd.read_csv(tmp_path / "企业评价_校验报告.csv", encoding="utf-8-sig", dtype=str,
                         keep_default_na=False)
    first = report.iloc[0]
    assert first["级别"] == "提示"
    assert "没有统一社会信用代码" in first["问题"]
    assert "企业名称" in first["处理"]
    dup = report[report["问题"].str.contains("重复")]
    assert dup["行号"].tolist() == ["5"]
    assert "企业名称重复" in dup["问题"].iloc[0]
    assert "第 2 行" in dup["问题"].iloc[0]
    assert dup["记录"].iloc[0] == "宁波甲 (集团)有限公司"


def test_name_keyed_import_keys_by_the_normalised_name(tmp_path):
    res = import_enterprises(_name_keyed_csv(tmp_path))
    assert res.data["enterprise_key"].tolist() == ["宁波甲(集团)有限公司", "乙公司", "丙公司"]
    assert res.data["credit_code"].isna().all()
    assert res.data["name"].tolist()[0] == "宁波甲（集团）有限公司"  # the name as written
    dropped = res.report[res.report["处理"] == "未导入该行"]
    assert dropped["行号"].tolist() == [5]
    assert "与第 2 行相同" in dropped["问题"].iloc[0]
    infos = res.report[res.report["问题"].str.contains("没有统一社会信用代码")]
    assert len(infos) == 1
    assert infos.index[0] == 0


def test_name_keyed_xlsx_with_official_headers(tmp_path):
    path = tmp_path / "企业.xlsx"
    pd.DataFrame({
        "单位名称": ["甲公司", "乙公司", "甲 公司"],
        "所在乡镇": ["骆驼街道", "庄市街道", "骆驼街道"],
        "土地使用权面积（亩）": [15, 3, 1], "实缴税金（元）": [1500000, 90000, 1],
        "增加值万元": [600, 50, 1],
    }).to_excel(path, index=False)
    res = import_enterprises(path)
    data = res.data.set_index("enterprise_key")
    assert list(data.index) == ["甲公司", "乙公司"]
    assert data.at["甲公司", "township"] == "骆驼街道"
    assert data.at["甲公司", "land_area_m2"] == pytest.approx(15 * MU)
    assert data.at["甲公司", "tax_wan"] == pytest.approx(150.0)
    assert data.at["乙公司", "value_added_wan"] == pytest.approx(50.0)
    assert res.report["问题"].str.contains("企业名称重复").sum() == 1


def test_name_and_code_missing_is_refused_naming_both(tmp_path):
    path = tmp_path / "e.csv"
    path.write_text("所在乡镇,税收（万元）\n骆驼街道,1\n", encoding="utf-8")
    with pytest.raises(DataImportError, match="统一社会信用代码.*企业名称"):
        import_enterprises(path)


def test_files_with_codes_keep_the_code_as_key(tmp_path):
    path = tmp_path / "e.csv"
    path.write_text(f"统一社会信用代码,企业名称,乡镇（街道）,税收（万元）\n{CODE_A},甲,骆驼街道,5\n"
                    f"{CODE_B},甲,庄市街道,6\n", encoding="utf-8")
    res = import_enterprises(path)
    assert res.data["enterprise_key"].tolist() == [CODE_A, CODE_B]  # same name, two codes
    assert res.data["credit_code"].tolist() == [CODE_A, CODE_B]
    assert res.data["township"].tolist() == ["骆驼街道", "庄市街道"]
    assert not res.report["问题"].str.contains("没有统一社会信用代码").any()


# --------------------------------------------------------------------------- headers


@pytest.mark.parametrize("kind", ["parcel", "enterprise"])
@pytest.mark.parametrize(("header", "factor"), [
    ("土地使用权面积", 1.0), ("使用权面积", 1.0), ("土地使用权面积（亩）", MU),
    ("使用权面积(平方米)", 1.0)])
def test_use_right_area_is_land_area(kind, header, factor):
    cols = map_headers([header], kind=kind).columns
    assert [(c.field, c.factor) for c in cols] == [("land_area_m2", pytest.approx(factor))]


@pytest.mark.parametrize("header", ["乡镇（街道）", "所在乡镇", "街道", "镇街", "乡镇/街道"])
def test_township_headers(header):
    assert [c.field for c in map_headers([header], kind="enterprise").columns] == ["township"]


# --------------------------------------------------------------------------- 记录


def test_report_has_a_record_column(tmp_path):
    assert REPORT_COLUMNS[1:3] == ("行号", "记录")
    assert REPORT_COLUMNS_EN["记录"] == "record"
    path = tmp_path / "e.csv"
    path.write_text(f"统一社会信用代码,企业名称,税收（万元）,从业人员（人）\n"
                    f"{CODE_A},甲公司,5,很多\n12345,乙公司,6,3\n{CODE_A},甲公司,7,4\n",
                    encoding="utf-8")
    rep = import_enterprises(path).report.set_index("行号")
    assert list(rep.columns) == [c for c in REPORT_COLUMNS if c != "行号"]
    assert rep.at[2, "记录"] == f"{CODE_A} 甲公司"  # a value emptied
    assert rep.at[3, "记录"] == "12345 乙公司"  # a bad code: the raw text
    assert rep.at[4, "记录"] == f"{CODE_A} 甲公司"  # a duplicate


def test_parcel_report_names_the_parcel(catalog, tmp_path):
    sub = catalog["subzone"].set_index("id").to_crs(4549)
    c1 = sub.loc["Z01-01"].geometry.representative_point()
    parcels = gpd.GeoDataFrame(
        {"宗地编号": ["P07", "1.23E+15", "P09"], "容积率": ["abc", "1", "1"]},
        geometry=[_square(c1, 10), _square(c1, 10, dx=400), _square(c1, 10, dx=800)],
        crs=4549).to_crs(4326)
    path = tmp_path / "宗地.geojson"
    parcels.to_file(path, driver="GeoJSON")
    rep = import_parcels(path).report
    rows = rep[rep["行号"].notna()].set_index("行号")
    assert rows.at[1, "记录"] == "P07"  # features are numbered from 1
    assert rows.at[2, "记录"] == "1.23E+15"  # a damaged id: the raw text
