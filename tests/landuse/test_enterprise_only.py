"""Enterprise lists evaluated without parcels, and enterprises placed by the parcel holder."""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
import pytest
from shapely.geometry import box

from geo.cli import main
from geo.landuse.pipeline import analyse, load_inputs
from geo.landuse.scoring import load_profile
from geo.zones.catalog import load_catalog

#: 规上 only, 亩均税收 alone against a fixed benchmark: score = 100 × (亩均税收 / 10); four
#: enterprises ranked best first are A, B, C, D.
PROFILE = """
[meta]
name = "测试方案"

[classes]
A = 0.25
B = 0.50
C = 0.75
D = 1.00

[tracks."规上".indicators.tax_per_mu]
weight = 100
benchmark = 10
"""

ENTERPRISES = """企业名称,规模,用地面积（亩）,税收（万元）,经度,纬度
甲公司,规上,10,300,121.85,29.93
乙公司,规上,20,100,,
丙公司,规上,5,200,,
丁公司,规上,40,80,,
"""


@pytest.fixture(scope="module")
def catalog():
    return load_catalog()


def _profile(tmp_path):
    path = tmp_path / "方案.toml"
    path.write_text(PROFILE, encoding="utf-8")
    return path


def test_enterprise_list_alone_is_evaluated_and_ranked(tmp_path, capsys):
    ent = tmp_path / "企业.csv"
    ent.write_text(ENTERPRISES, encoding="utf-8-sig")
    out = tmp_path / "评价.csv"
    code = main(["evaluate", "--enterprises", str(ent), "--profile", str(_profile(tmp_path)),
                 "--level", "enterprise", "--out", str(out)])
    assert code == 0, capsys.readouterr().err
    table = pd.read_csv(out, encoding="utf-8-sig").set_index("名称")
    # 亩均税收 = 税收 / 用地亩数, hand-computed
    assert table["亩均税收（万元/亩）"].to_dict() == pytest.approx(
        {"甲公司": 30.0, "乙公司": 5.0, "丙公司": 40.0, "丁公司": 2.0})
    assert table["综合得分"].to_dict() == pytest.approx(
        {"甲公司": 300.0, "乙公司": 50.0, "丙公司": 400.0, "丁公司": 20.0})
    assert table["评价类别"].to_dict() == {"丙公司": "A", "甲公司": "B", "乙公司": "C",
                                       "丁公司": "D"}
    assert (table["用地面积（亩）"].to_dict()
            == {"甲公司": 10.0, "乙公司": 20.0, "丙公司": 5.0, "丁公司": 40.0})
    assert set(table["数据性质"]) == {"用户导入：企业.csv"}
    # placed by its own point (北仑区); the others stay listed without units or a point
    assert table.loc["甲公司", "定位方式"] == "坐标"
    assert table.loc["甲公司", "所在区县（市）"] == "北仑区"
    unplaced = ["乙公司", "丙公司", "丁公司"]
    assert set(table.loc[unplaced, "定位方式"]) == {"未定位"}
    assert table.loc[unplaced, "所在区县（市）"].isna().all()
    assert table.loc[unplaced, "中心点经度（WGS84）"].isna().all()
    assert table.loc[unplaced, "定位说明"].str.contains("未定位").all()
    assert "未定位：3 家企业" in capsys.readouterr().out


def test_level_tables_of_an_enterprise_list_alone(tmp_path, capsys):
    ent = tmp_path / "企业.csv"
    ent.write_text(ENTERPRISES, encoding="utf-8-sig")
    out = tmp_path / "区县.csv"
    code = main(["evaluate", "--enterprises", str(ent), "--profile", str(_profile(tmp_path)),
                 "--level", "district", "--out", str(out)])
    assert code == 0, capsys.readouterr().err
    table = pd.read_csv(out, encoding="utf-8-sig").set_index("单元编号")
    assert len(table) > 1
    counts = table.filter(like="企业数").iloc[:, 0]
    assert counts.loc["北仑区"] == 1
    assert counts.drop("北仑区").eq(0).all()  # units without data: zero counts


def test_load_inputs_without_parcels(tmp_path):
    ent = tmp_path / "企业.csv"
    ent.write_text(ENTERPRISES, encoding="utf-8-sig")
    inputs = load_inputs(None, ent)
    assert len(inputs.parcels) == 0
    assert inputs.parcels.crs is not None
    assert len(inputs.enterprises) == 4
    assert inputs.data_label == "用户导入：企业.csv"


@pytest.mark.parametrize(("argv", "said"), [
    (["evaluate", "--level", "enterprise"], "--enterprises"),
    (["lowland"], "--parcels"),
])
def test_refusal_without_the_files_needed(tmp_path, capsys, argv, said):
    code = main([*argv, "--out", str(tmp_path / "x.csv")])
    err = capsys.readouterr().err
    assert code == 2
    assert "错误" in err
    assert said in err
    assert not (tmp_path / "x.csv").exists()


def _parcels(holders):
    """Small parcels near 北仑 with a stated 10000 m² (15 亩) each, one per holder."""
    geoms = [box(121.85 + 0.002 * i, 29.93, 121.851 + 0.002 * i, 29.931)
             for i in range(len(holders))]
    return gpd.GeoDataFrame(
        {"parcel_id": [f"P{i + 1}" for i in range(len(holders))], "holder": holders,
         "land_area_m2": [10000.0] * len(holders), "land_use": "工业用地", "status": "正常",
         "far": 1.0, "data_label": "用户导入"},
        geometry=geoms, crs="EPSG:4326")


def _enterprises(names):
    return pd.DataFrame({"credit_code": [f"C{i}" for i in range(len(names))], "name": names,
                         "parcel_id": None, "scale": "规上", "tax_wan": 150.0,
                         "data_label": "用户导入"})


def test_enterprise_placed_by_the_one_parcel_its_name_holds(catalog):
    parcels = _parcels(["宁波 甲公司（北仑）", "乙公司", "丙公司"])
    ent = _enterprises(["宁波甲公司(北仑)", "丁公司"])  # normalised names match
    result = analyse(parcels, ent, catalog, load_profile(None), data_label="用户导入")
    e = result.enterprises.set_index("name")
    assert e.loc["宁波甲公司(北仑)", "placement"] == "权利人名称匹配"
    assert e.loc["宁波甲公司(北仑)", "parcel_id"] == "P1"
    # counted on that parcel's land like a 宗地编号 link: 150 万元 / 15 亩
    assert e.loc["宁波甲公司(北仑)", "land_mu"] == pytest.approx(15.0)
    assert e.loc["宁波甲公司(北仑)", "tax_per_mu"] == pytest.approx(10.0)
    assert e.loc["宁波甲公司(北仑)", "district"] == "北仑区"
    assert e.loc["丁公司", "placement"] == "未定位"
    par = result.parcels.set_index("parcel_id")
    assert par.loc["P1", "enterprise_count"] == 1
    # no placement line; only the scheme's lines on the indicators this list lacks (issue 15)
    assert result.report["问题"].str.contains("家参评企业缺少").all()


def test_name_held_by_several_parcels_is_ambiguous_and_reported(catalog):
    parcels = _parcels(["甲公司", "甲 公司", "乙公司"])
    ent = _enterprises(["甲公司"])
    result = analyse(parcels, ent, catalog, load_profile(None), data_label="用户导入")
    row = result.enterprises.iloc[0]
    assert row["placement"] == "未定位"
    assert pd.isna(row["district"])
    assert "P1" in row["placement_note"]
    assert "P2" in row["placement_note"]
    assert len(result.report) == 1
    assert "P1、P2" in result.report.iloc[0].to_dict()["问题"]
    assert (result.parcels["enterprise_count"] == 0).all()


def test_parcel_id_links_are_unchanged_by_holder(catalog):
    parcels = _parcels(["甲公司", "乙公司"])
    ent = _enterprises(["甲公司"]).assign(parcel_id="P2")
    result = analyse(parcels, ent, catalog, load_profile(None), data_label="用户导入")
    row = result.enterprises.iloc[0]
    assert row["placement"] == "宗地编号"
    assert row["parcel_id"] == "P2"


def test_holder_names_in_a_parcel_file_place_enterprises(catalog, tmp_path):
    """权利人 read from a real parcel file links an enterprise that names no parcel."""
    from shapely.geometry import box

    from geo.landuse.pipeline import analyse, load_inputs
    from geo.landuse.scoring import load_profile

    sub = catalog["subzone"].set_index("id").to_crs(4549).loc["Z01-01"].geometry
    c = sub.representative_point()
    side = (15 * 10000 / 15) ** 0.5
    square = gpd.GeoSeries([box(c.x - side / 2, c.y - side / 2, c.x + side / 2, c.y + side / 2)],
                           crs=4549).to_crs(4326)
    parcels = tmp_path / "宗地.gpkg"
    gpd.GeoDataFrame({"宗地编号": ["P1"], "权利人": ["宁波（甲）科技有限公司"]},
                     geometry=square).to_file(parcels, engine="pyogrio")
    enterprises = tmp_path / "企业.csv"
    pd.DataFrame({"统一社会信用代码": ["91330200MA2AAAAA0X"], "企业名称": ["宁波(甲)科技有限公司"],
                  "是否规上": ["是"], "税收（万元）": [150.0]}).to_csv(enterprises, index=False)
    inputs = load_inputs(parcels, enterprises)
    assert inputs.parcels["holder"].tolist() == ["宁波（甲）科技有限公司"]
    result = analyse(inputs.parcels, inputs.enterprises, catalog, load_profile(),
                     data_label=inputs.data_label, year=inputs.year)
    row = result.enterprises.iloc[0]
    assert row["placement"] == "权利人名称匹配"
    assert row["tax_per_mu"] == pytest.approx(10.0)
