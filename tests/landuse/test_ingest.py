"""Importing parcels and enterprises: formats, headers, units, validation report, hostile files.

Every input file is built here in tmp_path; the expected figures are computed by hand.
"""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import geopandas as gpd
import numpy as np
import openpyxl
import pandas as pd
import pytest
from shapely.geometry import Point, Polygon, box

from geo._errors import DataImportError
from geo.gcj02 import gcj02_to_wgs84, geometry_gcj02_to_wgs84
from geo.io.quantities import parse_number, to_canonical
from geo.io.tables import HEADER_SEPARATOR
from geo.landuse.headers import map_headers
from geo.landuse.ingest import REPORT_COLUMNS, import_enterprises, import_parcels, read_source
from geo.landuse.model import ENTERPRISE_FIELDS, PARCEL_FIELDS

MU = 10000.0 / 15.0
CODE_A = "91330200MA2AB1CD3X"
CODE_B = "913302001234567890"


def _square(lon: float, lat: float, d: float = 0.001) -> Polygon:
    return box(lon, lat, lon + d, lat + d)


def _gpkg(path: Path, rows: dict, geoms: list, crs: int = 4326) -> Path:
    gpd.GeoDataFrame(rows, geometry=geoms, crs=crs).to_file(path, engine="pyogrio")
    return path


def _line(result, row: int, column: str | None = None) -> pd.DataFrame:
    rep = result.report
    hit = rep[rep["行号"] == row]
    return hit if column is None else hit[hit["字段"] == column]


# --------------------------------------------------------------------------- units and headers


@pytest.mark.parametrize(("text", "value", "unit"), [
    ("1,234.5", 1234.5, ""), ("１２３４．５", 1234.5, ""), (" 12.5 万元 ", 12.5, "万元"),
    ("3亩", 3.0, "亩"), ("-7", -7.0, ""), ("1.5e3", 1500.0, ""),
])
def test_parse_number_reads_official_spellings(text, value, unit):
    got = parse_number(text)
    assert got.value == pytest.approx(value)
    assert got.unit == unit
    assert got.problem == ""


@pytest.mark.parametrize("text", ["", "—", "-", "--", "无", "N/A", " "])
def test_missing_marks_are_missing_not_errors(text):
    assert parse_number(text) == (None, "", "")


@pytest.mark.parametrize("text", ["1,23", "约3亩", "12..5", "#DIV/0!", "1e999", "abc"])
def test_bad_numbers_give_a_problem_never_a_value(text):
    got = parse_number(text)
    assert got.value is None
    assert got.problem
    assert to_canonical(text, dimension="money")[0] is None


def test_units_from_header_or_cell_by_hand():
    assert to_canonical("3", dimension="area", header_factor=MU)[0] == pytest.approx(2000.0)
    assert to_canonical("2公顷", dimension="area")[0] == pytest.approx(20000.0)
    assert to_canonical("1,234,500", dimension="money", header_factor=1e-4)[0] == \
        pytest.approx(123.45)
    assert to_canonical("1.2亿元", dimension="money")[0] == pytest.approx(12000.0)
    assert to_canonical("12万", dimension="money", header_factor=1e-4)[0] == pytest.approx(12.0)
    assert to_canonical("3万平方米", dimension="area")[0] == pytest.approx(30000.0)
    assert to_canonical("3亩", dimension="money")[1]  # wrong unit for money: a problem


@pytest.mark.parametrize(("kind", "fields"), [("parcel", PARCEL_FIELDS),
                                               ("enterprise", ENTERPRISE_FIELDS)])
def test_every_label_and_name_of_the_model_is_recognised(kind, fields):
    for f in fields:
        for header in (f.name, f.label):
            mapping = map_headers([header], kind=kind)
            assert [c.field for c in mapping.columns] == [f.name], header


@pytest.mark.parametrize(("header", "field", "factor"), [
    ("宗地编号", "parcel_id", 1.0), ("地块编号", "parcel_id", 1.0), ("Parcel ID", "parcel_id", 1.0),
    ("用地面积(亩)", "land_area_m2", MU), ("用地面积（平方米）", "land_area_m2", 1.0),
    ("用地面积【公顷】", "land_area_m2", 10000.0), ("area_mu", "land_area_m2", MU),
    ("Area (ha)", "land_area_m2", 10000.0), ("用地亩数", "land_area_m2", MU),
    ("税收(万元)", "tax_wan", 1.0), ("实缴税金（元）", "tax_wan", 1e-4),
    ("税收亿元", "tax_wan", 1e4),
    ("2023年税收(万元)", "tax_wan", 1.0), ("工业增加值", "value_added_wan", 1.0),
    ("营业收入（万元）", "revenue_wan", 1.0), ("综合能耗(吨标煤)", "energy_tce", 1.0),
    ("从业人员", "employees", 1.0), ("统一社会信用代码", "credit_code", 1.0),
    ("企业名称", "name", 1.0), ("规模/是否规上", "scale", 1.0), ("是否规上", "scale", 1.0),
    ("行业", "industry", 1.0), ("年份", "year", 1.0), ("经度", "lon", 1.0), ("lat", "lat", 1.0),
    ("X", "lon", 1.0), ("R&D经费(万元)", "rd_wan", 1.0), ("研发经费", "rd_wan", 1.0),
    ("用电量(千瓦时)", "power_10k_kwh", 1e-4), ("排放", "emission_t", 1.0),
    ("TAX", "tax_wan", 1.0), ("value_added", "value_added_wan", 1.0),
    ("revenue", "revenue_wan", 1.0),
    ("energy", "energy_tce", 1.0), ("employees", "employees", 1.0),
    (f"税收{HEADER_SEPARATOR}金额(万元)", "tax_wan", 1.0),
    ("用地 面积 （ 亩 ）", "land_area_m2", MU),
    ("ＴＡＸ（元）", "tax_wan", 1e-4), ("面积(㎡)", "land_area_m2", 1.0),
    ("面积m2", "land_area_m2", 1.0),
    ("营业收入(亿元)", "revenue_wan", 1e4), ("综合能耗（万吨标准煤）", "energy_tce", 1e4),
])
def test_enterprise_header_aliases(header, field, factor):
    mapping = map_headers([header], kind="enterprise")
    assert len(mapping.columns) == 1, mapping.ignored
    col = mapping.columns[0]
    assert (col.field, col.factor) == (field, pytest.approx(factor))


@pytest.mark.parametrize("header", ["容积率", "建筑面积", "生产状态", "状态", "生产状态/状态",
                                    "年度", "用地性质"])
def test_parcel_header_aliases(header):
    assert len(map_headers([header], kind="parcel").columns) == 1


@pytest.mark.parametrize("header", [f"税收{HEADER_SEPARATOR}增长率", "税收(%)", "亩均税收(万元/亩)",
                                    "税收(亩)", "联系人"])
def test_rates_wrong_units_and_unknown_headers_are_not_mapped(header):
    mapping = map_headers([header], kind="enterprise")
    assert mapping.columns == ()
    assert mapping.unrecognised == (header,)


def test_second_header_for_a_field_is_listed_not_used():
    mapping = map_headers(["税收(万元)", "实缴税金(元)"], kind="enterprise")
    assert mapping.column_for("tax_wan").source == "税收(万元)"
    assert mapping.unrecognised == ("实缴税金(元)",)
    assert "只用第一列" in mapping.to_frame().iloc[-1]["说明"]


# --------------------------------------------------------------------------- formats


def test_geopackage_parcels_area_from_geometry_when_not_stated(tmp_path):
    path = _gpkg(tmp_path / "parcels.gpkg",
                 {"宗地编号": ["001", "002", "0003"], "用地面积(亩)": ["3", "", "4.5"],
                  "生产状态": ["正常生产", "闲置", "部分停产"]},
                 [_square(121.50, 29.80, 0.0005), _square(121.51, 29.80),
                  _square(121.52, 29.80, 0.00053)])
    res = import_parcels(path)
    data = res.data
    assert data.crs.to_epsg() == 4326
    assert len(data) == 3
    assert data["parcel_id"].tolist() == ["001", "002", "0003"]
    assert data["land_area_m2"].iloc[0] == pytest.approx(2000.0)  # 3 亩
    assert data["land_area_m2"].iloc[2] == pytest.approx(3000.0)  # 4.5 亩
    assert data["land_area_m2"].iloc[1] == pytest.approx(data["land_area_geom_m2"].iloc[1])
    assert data["land_area_geom_m2"].iloc[1] == pytest.approx(111_000 * 96_400 * 1e-6, rel=0.02)
    assert data["land_area_source"].tolist() == ["填报", "图形测算", "填报"]
    assert data["status"].tolist() == ["正常", "闲置", "半停产"]
    info = _line(res, 2, "用地面积(亩)")
    assert info["级别"].tolist() == ["提示"]
    assert "图形面积" in info["处理"].iloc[0]
    assert list(res.report.columns) == list(REPORT_COLUMNS)
    assert not np.isinf(data.select_dtypes("float").to_numpy()).any()
    assert "导入 3 宗" in res.summary()


def test_zipped_shapefile_gbk_without_cpg_in_cgcs2000(tmp_path):
    # squares of about 3 and 4.5 亩, as stated (a stated area far from its polygon is set aside)
    wgs = gpd.GeoSeries([_square(121.55, 29.87, 0.00043), _square(121.56, 29.87, 0.00053)],
                        crs=4326)
    gdf = gpd.GeoDataFrame({"宗地编号": ["001", "002"], "用途": ["工业用地", "仓储用地"],
                            "状态": ["闲置", "正常"], "用地亩数": [3.0, 4.5]},
                           geometry=wgs.to_crs(4549).values, crs=4549)
    folder = tmp_path / "shp"
    folder.mkdir()
    gdf.to_file(folder / "宗地.shp", encoding="GBK", engine="pyogrio")
    (folder / "宗地.cpg").unlink()
    dbf = bytearray((folder / "宗地.dbf").read_bytes())
    dbf[29] = 0  # no language driver id either, as older Chinese tools write
    (folder / "宗地.dbf").write_bytes(bytes(dbf))
    prj = (folder / "宗地.prj").read_text()
    assert "4549" in prj or "Gauss" in prj
    zpath = tmp_path / "parcels.zip"
    with zipfile.ZipFile(zpath, "w", zipfile.ZIP_DEFLATED) as zf:
        for part in folder.iterdir():
            zf.write(part, f"数据/{part.name}")

    table, meta = read_source(zpath)
    assert meta.encoding == "GBK"
    assert meta.crs == "EPSG:4549"
    assert meta.format == "shapefile"
    res = import_parcels(zpath)
    data = res.data
    assert data["parcel_id"].tolist() == ["001", "002"]
    assert data["land_use"].tolist() == ["工业用地", "仓储用地"]
    assert data["status"].tolist() == ["闲置", "正常"]
    assert data["land_area_m2"].tolist() == pytest.approx([2000.0, 3000.0])
    assert data.crs.to_epsg() == 4326
    minx, miny, _, _ = data.total_bounds
    assert minx == pytest.approx(121.55, abs=1e-6)
    assert miny == pytest.approx(29.87, abs=1e-6)


def test_gbk_csv_enterprises_by_hand(tmp_path):
    text = ("统一社会信用代码,企业名称,宗地编号,用地面积(亩),实缴税金(元),规模,年度,备注\n"
            f'{CODE_B},宁波甲（集团）有限公司,007,3,"1,234,500",是,2023,\n'
            f"{CODE_A},宁波乙公司,0008,１２．５,１２．５万元,规模以下,2023年,新开工\n")
    path = tmp_path / "企业.csv"
    path.write_bytes(text.encode("gbk"))
    table, meta = read_source(path)
    assert meta.encoding == "GBK"
    assert table.index.tolist() == [2, 3]
    res = import_enterprises(path)
    data = res.data.set_index("credit_code")
    assert data.index.tolist() == [CODE_B, CODE_A]  # 18-digit code kept exactly, as text
    assert data.at[CODE_B, "land_area_m2"] == pytest.approx(2000.0)        # 3 亩
    assert data.at[CODE_B, "tax_wan"] == pytest.approx(123.45)            # 1,234,500 元
    assert data.at[CODE_A, "land_area_m2"] == pytest.approx(12.5 * MU)    # full-width 12.5 亩
    assert data.at[CODE_A, "tax_wan"] == pytest.approx(12.5)              # "12.5万元" in the cell
    assert data["parcel_id"].tolist() == ["007", "0008"]
    assert data.at[CODE_B, "name"] == "宁波甲（集团）有限公司"  # full-width brackets kept
    assert data["scale"].tolist() == ["规上", "规下"]
    assert data["year"].tolist() == [2023, 2023]
    assert "备注" in res.mapping.unrecognised
    assert isinstance(res.data, pd.DataFrame)
    assert not isinstance(res.data, gpd.GeoDataFrame)


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig"])
def test_utf8_csv_with_or_without_bom(tmp_path, encoding):
    path = tmp_path / "e.csv"
    path.write_text(f"统一社会信用代码,税收(万元)\n{CODE_A},10\n", encoding=encoding)
    table, meta = read_source(path)
    assert meta.encoding == ("UTF-8-BOM" if encoding == "utf-8-sig" else "UTF-8")
    assert list(table.columns) == ["统一社会信用代码", "税收(万元)"]
    assert import_enterprises(path).data["tax_wan"].tolist() == [10.0]


def test_excel_title_row_and_two_row_merged_header(tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws["A1"] = "2023年工业企业亩均效益数据"
    ws.merge_cells("A1:E1")
    for col, name in (("A", "统一社会信用代码"), ("B", "企业名称"), ("E", "用地面积（亩）")):
        ws[f"{col}2"] = name
        ws.merge_cells(f"{col}2:{col}3")
    ws["C2"] = "税收"
    ws.merge_cells("C2:D2")
    ws["C3"], ws["D3"] = "金额(万元)", "增长率"
    ws.append([CODE_A, "宁波甲公司", 123.4, 0.05, 30])
    ws.append([CODE_B, "宁波乙公司", "1,000", "5%", "—"])
    path = tmp_path / "企业.xlsx"
    wb.save(path)

    table, meta = read_source(path)
    assert meta.header_rows == (2, 3)
    assert list(table.columns) == ["统一社会信用代码", "企业名称",
                                   f"税收{HEADER_SEPARATOR}金额(万元)",
                                   f"税收{HEADER_SEPARATOR}增长率", "用地面积（亩）"]
    assert table.index.tolist() == [4, 5]
    res = import_enterprises(path)
    assert res.mapping.column_for("tax_wan").source == f"税收{HEADER_SEPARATOR}金额(万元)"
    assert f"税收{HEADER_SEPARATOR}增长率" in res.mapping.unrecognised
    data = res.data.set_index("credit_code")
    assert data.at[CODE_A, "tax_wan"] == pytest.approx(123.4)
    assert data.at[CODE_A, "land_area_m2"] == pytest.approx(20000.0)  # 30 亩
    assert data.at[CODE_B, "tax_wan"] == pytest.approx(1000.0)
    assert np.isnan(data.at[CODE_B, "land_area_m2"])  # "—" is missing, not an error
    assert _line(res, 5).empty
    assert any("标题" in p for p in res.report["问题"])


def test_a_text_only_data_row_is_not_taken_for_a_second_header(tmp_path):
    path = tmp_path / "p.csv"
    path.write_text("宗地编号,用地性质,生产状态\nA-01,工业用地,闲置\n", encoding="utf-8")
    table, meta = read_source(path)
    assert meta.header_rows == (1,)
    assert table.index.tolist() == [2]


def test_csv_two_row_header_without_merges(tmp_path):
    path = tmp_path / "e.csv"
    path.write_text(f"统一社会信用代码,税收,\n,金额(万元),增长率\n{CODE_A},100,5%\n",
                    encoding="utf-8")
    table, meta = read_source(path)
    assert meta.header_rows == (1, 2)
    assert list(table.columns) == ["统一社会信用代码", f"税收{HEADER_SEPARATOR}金额(万元)",
                                   f"税收{HEADER_SEPARATOR}增长率"]
    assert import_enterprises(path).data["tax_wan"].tolist() == [100.0]


def test_gcj02_points_and_polygons_are_converted(tmp_path):
    glon, glat = 121.5540, 29.8770
    path = tmp_path / "e.csv"
    path.write_text(f"统一社会信用代码,经度,纬度\n{CODE_A},{glon},{glat}\n", encoding="utf-8")
    res = import_enterprises(path, gcj02=True)
    wlon, wlat = gcj02_to_wgs84(glon, glat)
    assert res.data["lon"].iloc[0] == pytest.approx(float(wlon), abs=1e-9)
    assert res.data.geometry.iloc[0].y == pytest.approx(float(wlat), abs=1e-9)
    assert abs(res.data["lon"].iloc[0] - glon) > 1e-3  # the shift is real (a few hundred m)

    poly = _square(121.55, 29.87)
    gj = tmp_path / "p.geojson"
    gpd.GeoDataFrame({"parcel_id": ["P1"]}, geometry=[poly], crs=4326).to_file(gj, engine="pyogrio")
    got = import_parcels(gj, gcj02=True).data.geometry.iloc[0]
    assert got.equals_exact(geometry_gcj02_to_wgs84(poly), 1e-9)


def test_parcels_from_a_table_with_wkt(tmp_path):
    path = tmp_path / "p.csv"
    path.write_text("地块编号,WKT,用地面积(公顷)\n"
                    f'A1,"{_square(121.5, 29.8, 0.00043).wkt}",0.2\n'
                    "A2,POLYGON((1 2,,)),1\n"
                    "A3,,1\n", encoding="utf-8")
    res = import_parcels(path)
    assert res.data["parcel_id"].tolist() == ["A1"]
    assert res.data["land_area_m2"].tolist() == pytest.approx([2000.0])  # 0.2 公顷
    assert "WKT 图形无法解析" in _line(res, 3, "WKT").iloc[0]["问题"]
    assert _line(res, 4, "WKT").iloc[0]["问题"] == "无图形"
    bare = tmp_path / "bare.csv"
    bare.write_text("宗地编号,用地面积\nA1,1\n", encoding="utf-8")
    with pytest.raises(DataImportError, match="bare.csv.*no geometry.*WKT"):
        import_parcels(bare)


def test_geopackage_with_several_layers_asks_which(tmp_path):
    path = tmp_path / "p.gpkg"
    for name in ("宗地", "道路"):
        gpd.GeoDataFrame({"宗地编号": ["A"]}, geometry=[_square(121.5, 29.8)], crs=4326).to_file(
            path, layer=name, engine="pyogrio")
    with pytest.raises(DataImportError, match="several layers.*layer="):
        import_parcels(path)
    assert import_parcels(path, layer="宗地").data["parcel_id"].tolist() == ["A"]


def test_enterprise_point_layer_or_wkt_gives_lon_lat(tmp_path):
    path = _gpkg(tmp_path / "e.gpkg", {"credit_code": [CODE_A]}, [Point(121.5, 29.9)])
    table, _ = read_source(path)
    assert map_headers(table.columns, kind="enterprise").column_for("geometry") is not None
    data = import_enterprises(path).data
    assert (data["lon"].iloc[0], data["lat"].iloc[0]) == (121.5, 29.9)
    csv = tmp_path / "e.csv"
    csv.write_text(f"统一社会信用代码,WKT\n{CODE_A},POINT (121.6 29.7)\n{CODE_B},POINT (1\n",
                   encoding="utf-8")
    res = import_enterprises(csv)
    assert res.data["lon"].iloc[0] == 121.6
    assert np.isnan(res.data["lon"].iloc[1])
    assert "WKT 图形无法解析" in _line(res, 3, "WKT").iloc[0]["问题"]


# --------------------------------------------------------------------------- validation report


def test_unparseable_number_becomes_nan_and_a_report_line(tmp_path):
    path = tmp_path / "e.csv"
    path.write_text(f"统一社会信用代码,税收(万元)\n{CODE_A},12..5\n{CODE_B},1e999\n",
                    encoding="utf-8")
    res = import_enterprises(path)
    assert res.data["tax_wan"].isna().all()
    assert len(res.data) == 2
    line = _line(res, 2, "税收(万元)").iloc[0]
    assert line["值"] == "12..5"
    assert "数值无法识别" in line["问题"]
    assert line["处理"] == "置空"
    assert "超出范围" in _line(res, 3, "税收(万元)").iloc[0]["问题"]
    assert "置空 2 个值" in res.summary()


def test_zero_or_negative_area_is_reported(tmp_path):
    path = _gpkg(tmp_path / "p.gpkg", {"宗地编号": ["A", "B"], "用地面积(平方米)": ["0", "-5"]},
                 [_square(121.5, 29.8), _square(121.6, 29.8)])
    res = import_parcels(path)
    for row in (1, 2):
        line = _line(res, row, "用地面积(平方米)").iloc[0]
        assert "面积为零或负数" in line["问题"]
        assert "图形面积" in line["处理"]
    assert (res.data["land_area_source"] == "图形测算").all()

    csv = tmp_path / "e.csv"
    csv.write_text(f"统一社会信用代码,用地面积(亩)\n{CODE_A},0\n", encoding="utf-8")
    ent = import_enterprises(csv)
    assert np.isnan(ent.data["land_area_m2"].iloc[0])
    assert "面积为零或负数" in _line(ent, 2, "用地面积(亩)").iloc[0]["问题"]


def test_duplicate_id_keeps_the_first_and_names_its_row(tmp_path):
    path = _gpkg(tmp_path / "p.gpkg", {"宗地编号": ["001", "002", "001"]},
                 [_square(121.5, 29.8), _square(121.6, 29.8), _square(121.7, 29.8)])
    res = import_parcels(path)
    assert res.data["parcel_id"].tolist() == ["001", "002"]
    line = _line(res, 3, "宗地编号").iloc[0]
    assert "重复" in line["问题"]
    assert "第 1 行" in line["问题"]
    assert line["处理"] == "未导入该行"


def test_feature_without_geometry_is_left_out_and_reported(tmp_path):
    features = [{"type": "Feature", "properties": {"宗地编号": "A"},
                 "geometry": json.loads(gpd.GeoSeries([_square(121.5, 29.8)]).to_json())
                 ["features"][0]["geometry"]},
                {"type": "Feature", "properties": {"宗地编号": "B"}, "geometry": None}]
    path = tmp_path / "p.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}))
    res = import_parcels(path)
    assert res.data["parcel_id"].tolist() == ["A"]
    line = _line(res, 2).iloc[0]
    assert line["问题"] == "无图形"
    assert line["值"] == "B"
    assert line["处理"] == "未导入该行"
    assert "未导入 1 行" in res.summary()


def test_outside_ningbo_and_invalid_geometry(tmp_path):
    bowtie = Polygon([(121.5, 29.8), (121.501, 29.801), (121.501, 29.8), (121.5, 29.801)])
    path = _gpkg(tmp_path / "p.gpkg", {"宗地编号": ["BJ", "BOW"]},
                 [_square(116.4, 39.9), bowtie])
    res = import_parcels(path, accept={"make_valid"})
    line = _line(res, 1).iloc[0]
    assert "超出宁波范围" in line["问题"]
    assert line["字段"] == "geometry"
    repaired = _line(res, 2).iloc[0]
    assert "make_valid" in repaired["处理"]
    assert repaired["级别"] == "警告"
    assert res.data["parcel_id"].tolist() == ["BOW"]
    assert res.data.geometry.iloc[0].is_valid

    csv = tmp_path / "e.csv"
    csv.write_text(f"统一社会信用代码,经度,纬度\n{CODE_A},29.87,121.55\n", encoding="utf-8")
    ent = import_enterprises(csv)
    assert "经度和纬度可能填反了" in _line(ent, 2).iloc[0]["问题"]
    assert ent.data.geometry.iloc[0] is None
    assert len(ent.data) == 1


def test_enterprise_without_matching_parcel_is_reported(tmp_path):
    parcels = pd.DataFrame({"parcel_id": ["007"]})
    path = tmp_path / "e.csv"
    path.write_text(f"统一社会信用代码,宗地编号\n{CODE_A},007\n{CODE_B},007;099\n",
                    encoding="utf-8")
    res = import_enterprises(path, parcels=parcels)
    assert _line(res, 2).empty
    line = _line(res, 3, "宗地编号").iloc[0]
    assert "无对应宗地" in line["问题"]
    assert "099" in line["问题"]
    assert len(res.data) == 2


def test_credit_code_not_18_characters_and_damaged_excel_ids(tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["统一社会信用代码", "企业名称"])
    ws.append(["91330200MA2AB1CD3", "短一位"])
    ws.append([9.13302e17, "被Excel转成数字"])
    ws.append([CODE_A, "正常"])
    ws.append(["合计", ""])
    path = tmp_path / "e.xlsx"
    wb.save(path)
    res = import_enterprises(path)
    assert res.data["name"].tolist() == ["正常"]
    assert "不是18位" in _line(res, 2).iloc[0]["问题"]
    damaged = _line(res, 3).iloc[0]
    assert "科学计数法" in damaged["问题"]
    assert damaged["值"] == "9.13302e+17"
    assert "合计行" in _line(res, 5).iloc[0]["问题"]


def test_unknown_status_and_scale_are_emptied_and_reported(tmp_path):
    path = _gpkg(tmp_path / "p.gpkg", {"宗地编号": ["A"], "状态": ["停产/闲置"]},
                 [_square(121.5, 29.8)])
    res = import_parcels(path)
    assert res.data["status"].isna().all()
    assert "无法对应" in _line(res, 1, "状态").iloc[0]["问题"]
    csv = tmp_path / "e.csv"
    csv.write_text(f"统一社会信用代码,是否规上\n{CODE_A},Y\n{CODE_B},大概\n", encoding="utf-8")
    ent = import_enterprises(csv)
    assert ent.data["scale"].tolist()[0] == "规上"
    assert pd.isna(ent.data["scale"].iloc[1])


def test_missing_key_column_is_refused_with_the_fix(tmp_path):
    path = tmp_path / "e.csv"
    # neither 统一社会信用代码 nor 企业名称 (a list with names only is keyed by the name)
    path.write_text("备注,税收\n甲,1\n", encoding="utf-8")
    with pytest.raises(DataImportError, match="统一社会信用代码.*企业名称.*表头识别与单位"):
        import_enterprises(path)
    res = import_enterprises(path, overrides={"备注": "credit_code"})
    assert res.data.empty
    assert "不是18位" in res.report["问题"].iloc[-1]


# --------------------------------------------------------------------------- hostile files

_VRT = ('<OGRVRTDataSource><OGRVRTLayer name="x"><SrcDataSource>/etc/passwd</SrcDataSource>'
        "</OGRVRTLayer></OGRVRTDataSource>")


@pytest.mark.parametrize("name", ["p.geojson", "p.gpkg", "p.csv"])
def test_vrt_disguised_by_extension_is_refused(tmp_path, name):
    path = tmp_path / name
    path.write_text(_VRT)
    with pytest.raises(DataImportError, match=rf"{name}.*VRT"):
        import_parcels(path)


@pytest.mark.parametrize(("name", "content", "found"), [
    ("p.gpkg", b"parcel_id\n1\n", "plain text"), ("p.geojson", b"<?xml version='1.0'?><a/>", "XML"),
    ("e.csv", b"PK\x03\x04rest", "zip"), ("e.xlsx", b"a,b\n", "plain text"),
])
def test_content_not_matching_extension_is_refused(tmp_path, name, content, found):
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(DataImportError, match=rf"{name}.*{found}.*does not match"):
        read_source(path)


@pytest.mark.parametrize("path", ["/vsizip//tmp/x.zip/a.shp", "/tmp/x.gpkg|layername=a",
                                  "GPKG:/tmp/x.gpkg:a"])
def test_gdal_special_paths_are_refused(path):
    with pytest.raises(DataImportError, match="GDAL special path"):
        read_source(path)


@pytest.mark.parametrize("entry", ["../evil.shp", "/tmp/evil.shp", "a\\..\\..\\evil.shp"])
def test_zip_slip_entries_are_refused(tmp_path, entry):
    path = tmp_path / "p.zip"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr(entry, b"x")
    with pytest.raises(DataImportError, match="zip slip"):
        import_parcels(path)


def test_zip_bomb_by_ratio_and_by_total_size(tmp_path):
    bomb = tmp_path / "bomb.zip"
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("p.shp", bytes(4 * 1024 * 1024))
    with pytest.raises(DataImportError, match="zip bomb"):
        import_parcels(bomb)
    big = tmp_path / "big.zip"
    with zipfile.ZipFile(big, "w", zipfile.ZIP_STORED) as zf:
        zf.writestr("p.shp", bytes(2 * 1024 * 1024))
    with pytest.raises(DataImportError, match="above the limit.*max_unzipped_bytes"):
        import_parcels(big, max_unzipped_bytes=1_000_000)


def test_oversize_file_is_refused(tmp_path):
    path = tmp_path / "e.csv"
    path.write_text(f"统一社会信用代码\n{CODE_A}\n", encoding="utf-8")
    with pytest.raises(DataImportError, match="e.csv.*above the limit.*max_bytes"):
        import_enterprises(path, max_bytes=10)


def test_vrt_inside_a_zip_named_shp_is_refused(tmp_path):
    path = tmp_path / "p.zip"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("p.shp", _VRT)
        zf.writestr("p.shx", b"\x00\x00\x27\x0a")
        zf.writestr("p.dbf", b"\x03")
    with pytest.raises(DataImportError, match="p.zip.*not a Shapefile part.*XML"):
        import_parcels(path)


def test_zip_without_or_with_several_shapefiles(tmp_path):
    none = tmp_path / "none.zip"
    with zipfile.ZipFile(none, "w") as zf:
        zf.writestr("readme.txt", "no layer here")
    with pytest.raises(DataImportError, match="no .shp"):
        import_parcels(none)
    several = tmp_path / "several.zip"
    with zipfile.ZipFile(several, "w") as zf:
        for stem in ("a", "b"):
            for ext in (".shp", ".shx", ".dbf"):
                zf.writestr(stem + ext, b"\x00")
    with pytest.raises(DataImportError, match=r"several Shapefiles \(a.shp, b.shp\).*layer="):
        import_parcels(several)
