"""Parcels given by 经度/纬度 only, and enterprises placed by their 乡镇（街道） (issue 10).

A parcel table with the figures on each row but points instead of polygons used to fail
("parcels need their polygons", in English). Each row is now one reporting unit placed by
its coordinates, its land the 用地面积 stated on the row. An enterprise list whose only place
is its 乡镇（街道） counts in that district: by the district's name in the cell, or by the
official's own 乡镇（街道）→ 区县（市） table (none is bundled: the seeds name no such list).
Figures are computed by hand below.
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest

from geo.cli import main
from geo.labels import REPORT_COLUMNS
from geo.landuse.pipeline import PLACEMENTS, analyse, load_inputs
from geo.landuse.scoring import load_profile
from geo.landuse.tables import level_table
from geo.landuse.townships import read_townships

LAND_MU = {"P1": 20.0, "P2": 10.0, "P3": 5.0}
TAX_WAN = {"P1": 600.0, "P2": 30.0, "P3": 100.0}
SUBZONE = {"P1": "Z01-01", "P2": "Z01-01", "P3": "Z01-02"}
_PROBLEM = REPORT_COLUMNS[5]


def _points(catalog) -> dict[str, tuple[float, float]]:
    subzones = catalog["subzone"].set_index("id")
    out = {}
    for pid, sub in SUBZONE.items():
        p = subzones.loc[sub].geometry.representative_point()
        out[pid] = (round(p.x, 6), round(p.y, 6))
    return out


def _point_table(catalog, tmp_path: Path) -> Path:
    pts = _points(catalog)
    path = tmp_path / "宗地点位.csv"
    pd.DataFrame({"宗地编号": list(LAND_MU), "权利人": ["甲公司", "乙公司", "丙公司"],
                  "用地面积（亩）": list(LAND_MU.values()), "税收（万元）": list(TAX_WAN.values()),
                  "经度": [pts[p][0] for p in LAND_MU], "纬度": [pts[p][1] for p in LAND_MU]}
                 ).to_csv(path, index=False)
    return path


def _by_hand() -> dict[str, float]:
    return {sub: sum(TAX_WAN[p] for p in SUBZONE if SUBZONE[p] == sub)
            / sum(LAND_MU[p] for p in SUBZONE if SUBZONE[p] == sub)
            for sub in sorted(set(SUBZONE.values()))}


def _analyse(catalog, inputs, townships=None):
    return analyse(inputs.parcels, inputs.enterprises, catalog, load_profile(None),
                   data_label=inputs.data_label, year=inputs.year, townships=townships)


def test_a_parcel_table_of_points_is_evaluated_per_subzone(catalog, tmp_path):
    inputs = load_inputs(_point_table(catalog, tmp_path))
    assert len(inputs.parcels) == 0  # no polygon: nothing to draw or judge as 低效用地
    analysis = _analyse(catalog, inputs)
    units = analysis.enterprises.set_index("parcel_id")
    assert units["placement"].eq(PLACEMENTS[1]).all()  # 坐标
    assert units["land_mu"].to_dict() == pytest.approx(LAND_MU)
    assert units["name"].tolist() == ["甲公司", "乙公司", "丙公司"]
    table = level_table(analysis, catalog, level="subzone").set_index("unit")
    assert table.loc[list(_by_hand()), "tax_per_mu"].to_dict() == pytest.approx(_by_hand())
    said = inputs.report[_PROBLEM].tolist()
    assert "宗地文件没有多边形图形，只有点位（经度/纬度）" in said
    assert "表头未识别" not in said  # 权利人 is read as each unit's name


def test_a_point_layer_given_as_parcels_is_read_the_same_way(catalog, tmp_path):
    pts = _points(catalog)
    path = tmp_path / "宗地点.gpkg"
    gpd.GeoDataFrame({"宗地编号": list(LAND_MU), "用地面积（亩）": list(LAND_MU.values()),
                      "税收（万元）": list(TAX_WAN.values())},
                     geometry=gpd.points_from_xy(*zip(*[pts[p] for p in LAND_MU], strict=True)),
                     crs=4326).to_file(path)
    analysis = _analyse(catalog, load_inputs(path))
    table = level_table(analysis, catalog, level="subzone").set_index("unit")
    assert table.loc[list(_by_hand()), "tax_per_mu"].to_dict() == pytest.approx(_by_hand())


def test_points_without_a_unit_for_their_land_ask_for_it(catalog, tmp_path):
    path = _point_table(catalog, tmp_path)
    frame = pd.read_csv(path).rename(columns={"用地面积（亩）": "用地面积"})
    frame.to_csv(path, index=False)
    with pytest.raises(ValueError, match="用地面积") as err:
        load_inputs(path)
    assert "单位" in err.value.describe("zh")


DISTRICTS = ["海曙区", "江北区", "北仑区", "镇海区", "鄞州区", "奉化区", "象山县", "宁海县",
             "余姚市", "慈溪市"]


def _towns(tmp_path: Path, rows: str) -> Path:
    path = tmp_path / "乡镇对照.csv"
    path.write_text("乡镇（街道）,区县（市）\n" + rows, encoding="utf-8")
    return path


def _enterprises(tmp_path: Path) -> Path:
    path = tmp_path / "亩均评价.csv"
    pd.DataFrame({"企业名称": ["甲公司", "乙公司", "丙公司", "丁公司"],
                  "乡镇（街道）": ["北仑区小港街道", "姜山镇", "不明镇", "北仑大碶街道"],
                  "用地面积（亩）": [10, 20, 5, 30], "税收（万元）": [50, 40, 5, 250]}
                 ).to_csv(path, index=False)
    return path


def test_enterprises_count_in_the_district_their_township_lies_in(catalog, tmp_path):
    towns = read_townships(_towns(tmp_path, "姜山镇,鄞州\n"), DISTRICTS)
    analysis = _analyse(catalog, load_inputs(None, _enterprises(tmp_path)), towns)
    ent = analysis.enterprises.set_index("name")
    assert ent.loc[["甲公司", "乙公司", "丁公司"], "placement"].eq(PLACEMENTS[3]).all()
    assert ent.loc["丙公司", "placement"] == PLACEMENTS[-1]
    assert ent.loc["乙公司", "district"] == "鄞州区"
    assert ent.loc[["甲公司", "乙公司"], "subzone_id"].isna().all()  # never a 分片 or zone
    table = level_table(analysis, catalog, level="district").set_index("unit")
    assert table.loc["北仑区", "tax_per_mu"] == pytest.approx((50 + 250) / (10 + 30))
    assert table.loc["鄞州区", "tax_per_mu"] == pytest.approx(40 / 20)
    city = level_table(analysis, catalog, level="city").iloc[0]
    assert city["tax_per_mu"] == pytest.approx(345 / 65)  # the unplaced one counts in the city
    assert "按乡镇（街道）归入区县" in analysis.export_notes("enterprises").extra["企业位置"]


def test_without_a_table_only_township_cells_naming_their_district_place(catalog, tmp_path):
    analysis = _analyse(catalog, load_inputs(None, _enterprises(tmp_path)))
    placed = analysis.enterprises.set_index("name")["placement"]
    assert placed[["甲公司", "丁公司"]].eq(PLACEMENTS[3]).all()
    assert placed[["乙公司", "丙公司"]].eq(PLACEMENTS[-1]).all()


def test_a_township_table_reports_rows_it_cannot_use(tmp_path):
    towns = read_townships(_towns(tmp_path, "姜山镇,鄞州区\n某镇,上海市\n横溪镇,鄞州区\n"
                                            "横溪镇,奉化区\n"), DISTRICTS)
    assert towns.districts == {"姜山镇": "鄞州区"}
    lines = towns.report
    assert lines[REPORT_COLUMNS[2]].tolist() == ["某镇", "横溪镇"]  # 记录 names the township
    assert lines[REPORT_COLUMNS[1]].tolist() == [3, 5]  # the rows the official sees
    assert "不是宁波的区县" in lines[_PROBLEM].iloc[0]
    assert (lines[REPORT_COLUMNS[7]] == "错误").all()


def test_a_township_table_without_its_columns_is_refused_in_chinese(tmp_path):
    path = tmp_path / "表.csv"
    path.write_text("名称,区县\n姜山镇,鄞州区\n", encoding="utf-8")
    with pytest.raises(ValueError, match="township table") as err:
        read_townships(path, DISTRICTS)
    said = err.value.describe("zh")
    assert "乡镇（街道）" in said
    assert "处理办法" in said


def test_the_cli_takes_a_township_table(tmp_path):
    out = tmp_path / "区县.csv"
    assert main(["evaluate", "--enterprises", str(_enterprises(tmp_path)), "--townships",
                 str(_towns(tmp_path, "姜山镇,鄞州区\n")), "--level", "district",
                 "--out", str(out)]) == 0
    table = pd.read_csv(out, encoding="utf-8-sig").set_index("单元编号")
    assert table.loc["鄞州区", "亩均税收（万元/亩）"] == pytest.approx(2.0)
    assert main(["evaluate", "--enterprises", str(_enterprises(tmp_path)), "--townships",
                 str(tmp_path / "乡镇对照.csv"), "--level", "district",
                 "--out", str(tmp_path / "乡镇对照.csv")]) == 2  # never over an input


# --- what a reviewer trying the import as an official found (issue 10 review) -----------

def test_a_choice_for_a_header_the_file_lacks_is_refused(catalog, tmp_path, capsys):
    path = _point_table(catalog, tmp_path)
    out = tmp_path / "o.csv"
    assert main(["evaluate", "--parcels", str(path), "--map", "缴款=tax_wan:元",
                 "--level", "subzone", "--out", str(out)]) == 2
    said = capsys.readouterr().err
    assert "所指定的表头“缴款”不在文件中" in said
    assert not out.exists()


def test_a_figure_choice_on_a_parcel_file_reaches_the_figures(catalog, tmp_path):
    path = _point_table(catalog, tmp_path)
    frame = pd.read_csv(path).rename(columns={"税收（万元）": "缴款"})
    frame.to_csv(path, index=False)
    out = tmp_path / "o.csv"
    assert main(["evaluate", "--parcels", str(path), "--map", "缴款=tax_wan:万元",
                 "--level", "subzone", "--out", str(out)]) == 0
    table = pd.read_csv(out, encoding="utf-8-sig").set_index("单元编号")
    got = table.loc[list(_by_hand()), "亩均税收（万元/亩）"].to_dict()
    assert got == pytest.approx(_by_hand())
    assert main(["evaluate", "--parcels", str(path), "--map", "缴款=tax_wan:亩",
                 "--level", "subzone", "--out", str(tmp_path / "p.csv")]) == 2  # not money


def test_lowland_on_points_says_it_cannot_judge(catalog, tmp_path, capsys):
    out = tmp_path / "低效.csv"
    assert main(["lowland", "--parcels", str(_point_table(catalog, tmp_path)),
                 "--out", str(out)]) == 2
    assert "没有宗地多边形" in capsys.readouterr().err
    assert not out.exists()  # never "0 宗低效用地" as if it had been checked


def test_an_unknown_township_is_a_report_line(catalog, tmp_path):
    towns = read_townships(_towns(tmp_path, "姜山镇,鄞州区\n"), DISTRICTS)
    analysis = _analyse(catalog, load_inputs(None, _enterprises(tmp_path)), towns)
    lines = analysis.report[analysis.report[REPORT_COLUMNS[3]] == "乡镇（街道）"]
    assert lines[REPORT_COLUMNS[2]].tolist() == ["丙公司"]
    assert lines[REPORT_COLUMNS[1]].tolist() == [4]
    assert "不明镇" in lines[_PROBLEM].iloc[0]
    assert "--townships" in lines[REPORT_COLUMNS[6]].iloc[0]


def test_a_list_without_scale_says_why_nobody_is_classed(catalog, tmp_path):
    analysis = _analyse(catalog, load_inputs(None, _enterprises(tmp_path)))
    assert analysis.enterprises["class"].isna().all()
    said = analysis.report[_PROBLEM].tolist()
    assert any("没有任何企业填写“规模”" in p for p in said)
