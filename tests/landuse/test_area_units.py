"""Area units are decided from the polygons, never assumed (issue 10).

A .dbf field name cannot say "(亩)": ``用地面积`` in 亩 used to be read as 平方米 (38,789 万元/亩
where 58.18 is right), a GBK header ``用地面积（亩）`` cut by the format to ``用地面积（`` too,
and an unknown unit (平方度) was read as 平方米.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyogrio
import pytest
from shapely.geometry import box

from geo._errors import DataImportError
from geo.cli import main
from geo.landuse.ingest import import_parcels

MU = 10000 / 15


def _squares(catalog, areas_mu):
    """Squares of the given areas (亩) near the anchor of 分片 Z01-01, in EPSG:4326."""
    centre = catalog["subzone"].set_index("id").to_crs(4549).loc["Z01-01"].geometry
    c = centre.representative_point()
    shapes = []
    for i, mu in enumerate(areas_mu):
        side = (mu * MU) ** 0.5
        x = c.x + i * 300
        shapes.append(box(x - side / 2, c.y - side / 2, x + side / 2, c.y + side / 2))
    return gpd.GeoSeries(shapes, crs=4549).to_crs(4326)


def _zipped_gbk_shapefile(tmp_path: Path, frame: gpd.GeoDataFrame, name: str = "宗地") -> Path:
    folder = tmp_path / "shp"
    folder.mkdir()
    pyogrio.write_dataframe(frame, folder / f"{name}.shp", encoding="GBK")
    (folder / f"{name}.cpg").unlink(missing_ok=True)  # as many offices' files come
    out = tmp_path / f"{name}.zip"
    with zipfile.ZipFile(out, "w") as zf:
        for part in folder.iterdir():
            zf.write(part, part.name)
    return out


@pytest.mark.parametrize("header", ["用地面积", "用地面积（亩）"])
def test_a_gbk_shapefile_area_in_mu_without_a_unit_is_read_as_mu(catalog, tmp_path, header):
    areas = [30.0, 12.5, 4.018]
    frame = gpd.GeoDataFrame({"宗地编号": ["P1", "P2", "P3"], header: areas},
                             geometry=_squares(catalog, areas))
    path = _zipped_gbk_shapefile(tmp_path, frame)
    with zipfile.ZipFile(path) as zf:  # the .dbf really holds a header without its unit
        dbf = next(zf.read(n) for n in zf.namelist() if n.endswith(".dbf"))
    assert "（亩）".encode("gbk") not in dbf
    res = import_parcels(path)
    got = res.data.set_index("parcel_id")["land_area_m2"] / MU
    assert got.to_dict() == pytest.approx({"P1": 30.0, "P2": 12.5, "P3": 4.018}, rel=1e-6)
    line = res.report[res.report["处理"] == "按亩导入"].iloc[0]
    assert "判定单位为亩" in line["问题"]
    assert "3 宗中 100%" in line["问题"]
    assert line["级别"] == "警告"  # a decision the official should see
    if header.endswith("（亩）"):
        assert "截断" in line["问题"]


def test_the_muju_figure_uses_the_decided_unit(catalog, tmp_path):
    frame = gpd.GeoDataFrame({"宗地编号": ["P1"], "用地面积": [30.0]},
                             geometry=_squares(catalog, [30.0]))
    parcels = _zipped_gbk_shapefile(tmp_path, frame)
    enterprises = tmp_path / "企业.csv"
    pd.DataFrame({"统一社会信用代码": ["91330200MA2AAAAA0X"], "企业名称": ["甲"],
                  "宗地编号": ["P1"], "是否规上": ["是"], "税收（万元）": [1745.4]}
                 ).to_csv(enterprises, index=False)
    out = tmp_path / "亩均.csv"
    assert main(["evaluate", "--parcels", str(parcels), "--enterprises", str(enterprises),
                 "--level", "enterprise", "--out", str(out), "--lang", "en"]) == 0
    table = pd.read_csv(out, encoding="utf-8-sig")
    assert table["tax_per_mu"].iloc[0] == pytest.approx(58.18, abs=0.005)


def test_an_unknown_unit_is_decided_from_the_polygons_not_assumed(catalog, tmp_path):
    areas = [20.0, 8.0]
    frame = gpd.GeoDataFrame({"宗地编号": ["A", "B"], "用地面积（平方度）": areas},
                             geometry=_squares(catalog, areas))
    path = tmp_path / "p.gpkg"
    frame.to_file(path, engine="pyogrio")
    res = import_parcels(path)
    assert (res.data["land_area_m2"] / MU).tolist() == pytest.approx(areas, rel=1e-6)
    line = res.report[res.report["处理"] == "按亩导入"].iloc[0]
    assert "平方度" in line["问题"]


def test_a_unit_no_polygon_agrees_with_stops_the_import_and_names_the_candidates(catalog,
                                                                                tmp_path):
    areas = [20.0, 8.0, 5.0]
    frame = gpd.GeoDataFrame({"宗地编号": ["A", "B", "C"],
                              "用地面积": [20.0, 8.0 * MU, 5.0 * MU / 10000]},  # 亩, 平方米, 公顷
                             geometry=_squares(catalog, areas))
    path = tmp_path / "p.gpkg"
    frame.to_file(path, engine="pyogrio")
    with pytest.raises(DataImportError) as err:
        import_parcels(path)
    text = str(err.value)
    for word in ("用地面积", "p.gpkg", "平方米 33%", "亩 33%", "公顷 33%", "用地面积（亩）"):
        assert word in text


def test_a_stated_area_far_from_its_polygon_is_set_aside_unless_accepted(catalog, tmp_path):
    frame = gpd.GeoDataFrame({"宗地编号": ["A", "B"], "用地面积（亩）": [20.0, 80.0]},
                             geometry=_squares(catalog, [20.0, 8.0]))
    path = tmp_path / "p.gpkg"
    frame.to_file(path, engine="pyogrio")
    res = import_parcels(path)
    assert res.data["parcel_id"].tolist() == ["A"]
    line = res.report[res.report["行号"] == 2].iloc[0]
    assert line["级别"] == "错误"
    assert line["处理"].startswith("未导入该行")
    accepted = import_parcels(path, accept={"area_mismatch"})
    assert accepted.data["parcel_id"].tolist() == ["A", "B"]
    assert (accepted.data["land_area_m2"] / MU).tolist() == pytest.approx([20.0, 80.0])
    with pytest.raises(ValueError, match="cannot accept"):
        import_parcels(path, accept={"everything"})


def test_the_official_can_state_the_unit_on_import(catalog, tmp_path):
    frame = gpd.GeoDataFrame({"宗地编号": ["A"], "面积": [2.0]},
                             geometry=_squares(catalog, [30.0]))  # 2 公顷 = 30 亩
    path = tmp_path / "p.gpkg"
    frame.to_file(path, engine="pyogrio")
    res = import_parcels(path, overrides={"面积": "land_area_m2:公顷"})
    assert (res.data["land_area_m2"] / MU).tolist() == pytest.approx([30.0])
    assert "按指定：单位为公顷" in res.mapping.to_frame()["说明"].tolist()
    with pytest.raises(DataImportError, match="does not fit"):
        import_parcels(path, overrides={"面积": "land_area_m2:万元"})


CODES = ["91330200MA2AAAAA0X", "91330200MA2BBBBB1Y"]


@pytest.mark.parametrize(("taxes", "unit", "expected"), [
    ([1_500_000, 400_000], "元", [150.0, 40.0]),
    ([150.0, 40.0], "万元", [150.0, 40.0]),
])
def test_a_money_column_without_a_unit_is_decided_per_mu(tmp_path, taxes, unit, expected):
    from geo.landuse.ingest import import_enterprises

    path = tmp_path / "企业.csv"
    pd.DataFrame({"统一社会信用代码": CODES, "用地面积（亩）": [10, 4], "税收": taxes}
                 ).to_csv(path, index=False)
    res = import_enterprises(path)
    assert res.data["tax_wan"].tolist() == pytest.approx(expected)
    line = res.report[res.report["字段"] == "税收"].iloc[0]
    assert line["处理"] == f"按{unit}导入"
    assert f"判定单位为{unit}" in line["问题"]


def test_money_and_land_without_units_and_nothing_to_compare_stop_and_ask(tmp_path):
    from geo.landuse.ingest import import_enterprises

    path = tmp_path / "企业.csv"
    pd.DataFrame({"统一社会信用代码": CODES, "税收": [150.0, 40.0]}).to_csv(path, index=False)
    with pytest.raises(DataImportError, match="金额单位无法判定.*税收（万元）"):
        import_enterprises(path)
    land = tmp_path / "land.csv"
    pd.DataFrame({"统一社会信用代码": CODES, "用地面积": [10, 4]}).to_csv(land, index=False)
    with pytest.raises(DataImportError, match="用地面积的单位无法判定"):
        import_enterprises(land)


def test_enterprise_land_without_a_unit_is_decided_from_its_parcels(catalog, tmp_path):
    from geo.landuse.ingest import import_enterprises

    areas = [10.0, 4.0]
    parcels = import_parcels(_gpkg_of(catalog, tmp_path, areas))
    path = tmp_path / "企业.csv"
    pd.DataFrame({"统一社会信用代码": CODES, "宗地编号": ["A", "B"], "用地面积": areas}
                 ).to_csv(path, index=False)
    res = import_enterprises(path, parcels=parcels.data)
    assert (res.data["land_area_m2"] / MU).tolist() == pytest.approx(areas)
    assert "所关联宗地的面积" in res.report[res.report["字段"] == "用地面积"].iloc[0]["问题"]


def _gpkg_of(catalog, tmp_path, areas):
    frame = gpd.GeoDataFrame({"宗地编号": ["A", "B"][: len(areas)], "用地面积（亩）": areas},
                             geometry=_squares(catalog, areas))
    path = tmp_path / "parcels.gpkg"
    frame.to_file(path, engine="pyogrio")
    return path


def test_identical_and_overlapping_parcels_count_their_land_once(catalog, tmp_path):
    """Two copies of a 24.1 亩 parcel used to count 48.2 亩 (issue 10)."""
    one = _squares(catalog, [24.1]).iloc[0]
    half = gpd.GeoSeries([one], crs=4326).to_crs(4549).translate(
        xoff=(24.1 * MU) ** 0.5 / 2).to_crs(4326).iloc[0]
    frame = gpd.GeoDataFrame({"宗地编号": ["A", "A2", "H"]}, geometry=[one, one, half], crs=4326)
    path = tmp_path / "p.gpkg"
    frame.to_file(path, engine="pyogrio")
    res = import_parcels(path)
    assert res.data["parcel_id"].tolist() == ["A", "H"]  # the copy is set aside
    total_mu = res.data["land_area_m2"].sum() / MU
    assert total_mu == pytest.approx(24.1 * 1.5, rel=1e-4)  # the half overlap counted once
    problems = " ".join(res.report["问题"])
    assert "图形相同" in problems
    assert "重叠" in problems


def test_the_cli_takes_the_unit_and_the_acceptance_and_says_so(catalog, tmp_path):
    import openpyxl

    frame = gpd.GeoDataFrame({"宗地编号": ["A", "B"], "面积": [2.0, 8.0]},  # 公顷
                             geometry=_squares(catalog, [30.0, 8.0]))  # B: 120 亩 stated, 8 drawn
    path = tmp_path / "p.gpkg"
    frame.to_file(path, engine="pyogrio")
    out = tmp_path / "low.xlsx"
    args = ["lowland", "--parcels", str(path), "--out", str(out), "--map", "面积=land_area_m2:公顷"]
    assert main(args) == 0
    assert main([*args, "--accept", "area_mismatch"]) == 0
    sheet = openpyxl.load_workbook(out)["说明"]
    notes = {str(r[0].value): str(r[1].value) for r in sheet.iter_rows(min_row=2)}
    assert notes["导入选择"] == ("面积 → 用地面积（单位：公顷）；"
                                 "接受：接受登记面积与图形面积不符的宗地（以登记面积为准）")
    assert main(["lowland", "--parcels", str(path), "--out", str(out), "--map", "面积"]) == 2
