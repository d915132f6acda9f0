"""Damaged and hostile files: each is built for real in tmp_path, and each ends in a refusal or
a report line that names the file, the part or row, and the fix — never a traceback, and never
a silent partial import."""

from __future__ import annotations

import datetime as dt
import json
import re
import zipfile
from pathlib import Path

import geopandas as gpd
import openpyxl
import pytest
from shapely.geometry import box

from geo._errors import DataImportError, ProfileError
from geo.landuse.ingest import import_enterprises, import_parcels, read_source
from geo.landuse.scoring import load_profile

CODE_A = "91330200MA2AB1CD3X"
CODE_B = "913302001234567890"
CLASSES = "[classes]\nA = 0.2\nB = 0.8\nC = 0.95\nD = 1.0\n"
INDICATOR = '[tracks."规上".indicators.tax_per_mu]\nweight = 30\n'


def _lines(result, row: int):
    rep = result.report
    return rep[rep["行号"] == row]


def _parcels_shapefile(folder: Path, n: int = 10, **to_file) -> Path:
    """Write ``n`` square parcels near Ningbo as a Shapefile; return the .shp."""
    folder.mkdir()
    gdf = gpd.GeoDataFrame({"parcel_id": [f"P{i}" for i in range(n)]},
                           geometry=[box(121.5 + i * 0.01, 29.8, 121.505 + i * 0.01, 29.805)
                                     for i in range(n)], crs=4326)
    gdf.to_file(folder / "parcels.shp", engine="pyogrio", **to_file)
    return folder / "parcels.shp"


def _zip_parts(shp: Path, zpath: Path, *, cut: dict[str, float] | None = None) -> Path:
    """Zip the parts of a Shapefile, cutting each part named in ``cut`` to that share."""
    with zipfile.ZipFile(zpath, "w") as zf:
        for part in sorted(shp.parent.iterdir()):
            data = part.read_bytes()
            share = (cut or {}).get(part.suffix)
            zf.writestr(part.name, data[:int(len(data) * share)] if share else data)
    return zpath


# --------------------------------------------------------------------------- 1. truncated .shp


@pytest.mark.parametrize("share", [0.5, 0.97])
def test_a_zipped_shapefile_whose_shp_is_cut_is_refused_as_damaged(tmp_path, share):
    shp = _parcels_shapefile(tmp_path / "shp")
    zpath = _zip_parts(shp, tmp_path / "parcels.zip", cut={".shp": share})
    with pytest.raises(DataImportError, match="损坏") as err:
        import_parcels(zpath)
    assert err.value.file == "parcels.zip"
    assert err.value.feature == "parcels.shp"
    assert "不完整" in err.value.problem
    assert "截断" in err.value.problem
    assert "重新导出" in err.value.fix
    assert "重新压缩" in err.value.fix


def test_a_plain_shp_cut_short_is_refused_before_gdal_reads_it(tmp_path):
    shp = _parcels_shapefile(tmp_path / "shp")
    shp.write_bytes(shp.read_bytes()[:300])
    with pytest.raises(DataImportError, match="损坏") as err:
        import_parcels(shp)
    assert err.value.feature == "parcels.shp"
    # a 100-byte header and squares of 136 bytes: the first shape is whole, the second cut
    assert "有 9 个（从第 2 个起）" in err.value.problem


def test_a_shp_cut_short_without_its_shx_is_refused_by_its_header_length(tmp_path):
    shp = _parcels_shapefile(tmp_path / "shp")
    shp.with_suffix(".shx").unlink()
    shp.write_bytes(shp.read_bytes()[:300])
    with pytest.raises(DataImportError, match="损坏") as err:
        import_parcels(shp)
    assert "文件头记录的长度为 1460 字节" in err.value.problem  # 100 + 10 × 136


def test_a_dbf_from_another_export_is_refused(tmp_path):
    shp = _parcels_shapefile(tmp_path / "shp")
    other = _parcels_shapefile(tmp_path / "other", n=7)
    other.with_suffix(".dbf").replace(shp.with_suffix(".dbf"))
    with pytest.raises(DataImportError, match="不一致") as err:
        import_parcels(_zip_parts(shp, tmp_path / "parcels.zip"))
    assert err.value.feature == "parcels.dbf"
    assert "7 条记录" in err.value.problem
    assert "10 个" in err.value.problem


def test_an_intact_shapefile_with_a_feature_without_geometry_still_reads(tmp_path):
    folder = tmp_path / "shp"
    folder.mkdir()
    gpd.GeoDataFrame({"parcel_id": ["A", "B", "C"]},
                     geometry=[box(121.5, 29.8, 121.505, 29.805), None,
                               box(121.51, 29.8, 121.515, 29.805)],
                     crs=4326).to_file(folder / "parcels.shp", engine="pyogrio")
    res = import_parcels(_zip_parts(folder / "parcels.shp", tmp_path / "parcels.zip"))
    assert res.data["parcel_id"].tolist() == ["A", "C"]
    assert _lines(res, 2).iloc[0]["问题"] == "无图形"


# --------------------------------------------------------------------------- 2. unclosed rings


def _feature(pid: str, ring: list[list[float]]) -> dict:
    return {"type": "Feature", "properties": {"宗地编号": pid},
            "geometry": {"type": "Polygon", "coordinates": [ring]}}


def test_an_unclosed_ring_is_reported_for_its_feature_not_a_traceback(tmp_path):
    a, b, c, d = [121.5, 29.8], [121.51, 29.8], [121.51, 29.81], [121.5, 29.81]
    path = tmp_path / "宗地.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": [
        _feature("A", [a, b, c, d]),   # last point is not the first
        _feature("B", [a, b, c]),      # unclosed and three points
        _feature("C", [a, b, c, d, a]),
    ]}), encoding="utf-8")
    with pytest.warns(RuntimeWarning, match="Non closed ring"):  # GDAL's own warning
        res = import_parcels(path)
    assert res.data["parcel_id"].tolist() == ["C"]
    first = _lines(res, 1)
    assert first["问题"].str.contains("图形无效：环未闭合").any()
    assert "未导入该行" in first["处理"].tolist()
    second = _lines(res, 2)
    assert second["问题"].str.contains("图形无效：环").any()
    assert "未导入该行" in second["处理"].tolist()
    assert _lines(res, 3).empty


# --------------------------------------------------------------------------- 3. formula cells


def _tax_workbook(path: Path, n: int = 2) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "企业"
    ws.append(["统一社会信用代码", "企业名称", "基数", "税收（万元）"])
    for i in range(n):
        ws.append([(CODE_A, CODE_B)[i % 2], f"企业{i}", 10 * (i + 1), f"=C{i + 2}*2"])
    wb.save(path)
    return path


def test_formula_cells_never_calculated_are_refused_naming_the_cells(tmp_path):
    path = _tax_workbook(tmp_path / "企业.xlsx")
    with pytest.raises(DataImportError, match="公式") as err:
        import_enterprises(path)
    assert err.value.file == "企业.xlsx"
    assert "D2、D3" in err.value.problem
    assert "企业" in err.value.feature
    assert "Excel" in err.value.fix
    assert "保存" in err.value.fix


def test_many_formula_cells_are_counted_not_all_listed(tmp_path):
    path = _tax_workbook(tmp_path / "企业.xlsx", n=12)
    with pytest.raises(DataImportError, match=re.escape("D2、D3、D4、D5、D6 等 12 个")):
        import_enterprises(path)


def test_formula_cells_with_results_saved_by_excel_are_read(tmp_path):
    """As Excel saves them: the result in <v>, and an empty <v> for a result of "" (t="str")."""
    made = _tax_workbook(tmp_path / "made.xlsx")
    saved = tmp_path / "saved.xlsx"
    with zipfile.ZipFile(made) as src, zipfile.ZipFile(saved, "w") as out:
        for info in src.infolist():
            data = src.read(info)
            if info.filename == "xl/worksheets/sheet1.xml":
                data = data.replace(b'<c r="D2"><f>C2*2</f><v /></c>',
                                    b'<c r="D2"><f>C2*2</f><v>20</v></c>')
                data = data.replace(b'<c r="D3"><f>C3*2</f><v /></c>',
                                    b'<c r="D3" t="str"><f>""</f><v></v></c>')
                assert b"<v>20</v>" in data
                assert b"<v></v>" in data
            out.writestr(info, data)
    res = import_enterprises(saved)
    assert res.data["tax_wan"].tolist()[0] == 20.0
    assert res.data["tax_wan"].isna().tolist() == [False, True]


# --------------------------------------------------------------------------- 4. ids as dates

WKT = "POLYGON(({x} 29.8, {x1} 29.8, {x1} 29.81, {x} 29.8))"


def test_ids_excel_turned_into_dates_are_refused_text_ids_kept(tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["宗地编号", "WKT"])
    for i, pid in enumerate([dt.datetime(2024, 3, 12), "2024-03-12", "2024-03-12A",
                             "P-2024-03", dt.datetime(2024, 3, 12, 9, 30), dt.date(2023, 1, 5)]):
        x = 121.5 + i * 0.02
        ws.append([pid, WKT.format(x=x, x1=x + 0.01)])
    path = tmp_path / "宗地.xlsx"
    wb.save(path)
    res = import_parcels(path)
    assert res.data["parcel_id"].tolist() == ["2024-03-12", "2024-03-12A", "P-2024-03"]
    for row, shown in ((2, "2024-03-12"), (6, "2024-03-12 09:30:00"), (7, "2023-01-05")):
        line = _lines(res, row).iloc[0]
        assert line["问题"] == (f"编号像是被 Excel 转成了日期（{shown}）："
                              "请把该列设为文本后重新录入")
        assert line["处理"] == "未导入该行"
        assert line["级别"] == "错误"
        assert line["字段"] == "宗地编号"


def test_a_credit_code_turned_into_a_date_says_so(tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["统一社会信用代码", "企业名称"])
    ws.append([dt.datetime(2024, 3, 12), "被转成日期"])
    ws.append([CODE_A, "正常"])
    path = tmp_path / "企业.xlsx"
    wb.save(path)
    res = import_enterprises(path)
    assert res.data["name"].tolist() == ["正常"]
    assert "统一社会信用代码像是被 Excel 转成了日期（2024-03-12）" in _lines(res, 2).iloc[0]["问题"]


# --------------------------------------------------------------------------- 5. .dbf encodings


def test_a_gbk_dbf_whose_cpg_says_utf8_is_read_as_gbk_with_a_note(tmp_path):
    folder = tmp_path / "shp"
    folder.mkdir()
    gpd.GeoDataFrame({"宗地编号": ["甲1", "乙2"], "用途": ["工业用地", "仓储用地"]},
                     geometry=[box(121.5, 29.8, 121.505, 29.805),
                               box(121.51, 29.8, 121.515, 29.805)],
                     crs=4326).to_file(folder / "宗地.shp", engine="pyogrio", encoding="GBK")
    (folder / "宗地.cpg").write_text("UTF-8", encoding="ascii")
    zpath = tmp_path / "宗地.zip"
    with zipfile.ZipFile(zpath, "w") as zf:
        for part in folder.iterdir():
            zf.write(part, part.name)
    table, meta = read_source(zpath)
    assert meta.encoding == "GBK"
    res = import_parcels(zpath)
    assert res.data["parcel_id"].tolist() == ["甲1", "乙2"]
    assert res.data["land_use"].tolist() == ["工业用地", "仓储用地"]
    note = "属性表 .cpg 标注为 UTF-8，但内容为 GBK 编码，已按 GBK 读取"
    assert note in res.report["问题"].tolist()


def test_a_field_name_cut_in_the_middle_of_a_character_is_refused_with_the_fix(tmp_path):
    """GDAL cuts "宗地编号" (12 UTF-8 bytes) to the 10 bytes of a .dbf name: half a character."""
    folder = tmp_path / "shp"
    folder.mkdir()
    with pytest.warns(RuntimeWarning):  # GDAL says it laundered the name
        gpd.GeoDataFrame({"宗地编号": ["A"]}, geometry=[box(121.5, 29.8, 121.505, 29.805)],
                         crs=4326).to_file(folder / "宗地.shp", engine="pyogrio")
    zpath = tmp_path / "宗地.zip"
    with zipfile.ZipFile(zpath, "w") as zf:
        for part in folder.iterdir():
            zf.write(part, part.name)
    with pytest.raises(DataImportError, match="无法按") as err:
        import_parcels(zpath)
    assert err.value.file == "宗地.zip"
    assert "半个汉字" in err.value.problem
    assert "GeoPackage" in err.value.fix


# --------------------------------------------------------------------------- 6. profiles


PROFILES = {
    "10000 nested arrays": ("x = " + "[" * 10_000 + "]" * 10_000 + "\n", "(file)"),
    "10000 nested tables": ("x = " + "{a = " * 10_000 + "1" + "}" * 10_000 + "\n", "(file)"),
    "tracks a text": ('tracks = "规上"\n' + CLASSES, "tracks"),
    "indicators a number": (CLASSES + '[tracks."规上"]\nindicators = 5\n',
                            "tracks.规上.indicators"),
    "track a text": (CLASSES + '[tracks]\n"规上" = "x"\n', "tracks.规上"),
    "indicator a number": (CLASSES + '[tracks."规上".indicators]\ntax_per_mu = 3\n',
                           "tracks.规上.indicators.tax_per_mu"),
    "classes a list": ("classes = [1, 2]\n" + INDICATOR, "classes"),
    "meta a text": ('meta = "x"\n' + CLASSES + INDICATOR, "meta"),
    "lowland a number": ("lowland = 5\n" + CLASSES + INDICATOR, "lowland"),
    "weight nan": (CLASSES + '[tracks."规上".indicators.tax_per_mu]\nweight = nan\n',
                   "tracks.规上.indicators.tax_per_mu"),
    "band nan": ("[classes]\nA = nan\nB = 0.8\nC = 0.95\nD = 1.0\n" + INDICATOR, "classes"),
    "threshold inf": (CLASSES + INDICATOR + "[lowland]\nfar_below = inf\n", "lowland.far_below"),
}


@pytest.mark.parametrize(("body", "where"), list(PROFILES.values()), ids=list(PROFILES))
def test_a_malformed_profile_names_the_entry_and_the_fix(tmp_path, body, where):
    path = tmp_path / "我区方案.toml"
    path.write_text(body, encoding="utf-8")
    with pytest.raises(ProfileError) as err:
        load_profile(path)
    assert err.value.field == where
    assert err.value.file == str(path)
    assert err.value.fix
    assert "Fix:" in str(err.value)


def test_a_table_where_a_value_belongs_says_how_to_write_it(tmp_path):
    path = tmp_path / "p.toml"
    path.write_text(CLASSES + '[tracks."规上"]\nindicators = 5\n', encoding="utf-8")
    with pytest.raises(ProfileError) as err:
        load_profile(path)
    assert "实际是数字（5）" in err.value.problem
    assert '[tracks."规上".indicators.tax_per_mu]' in err.value.fix
