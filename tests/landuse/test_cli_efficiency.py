"""``python -m geo evaluate`` and ``python -m geo lowland`` on small hand-built files."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import geopandas as gpd
import openpyxl
import pandas as pd
import pytest

from geo.cli import main
from geo.landuse.model import SAMPLE_LABEL
from tests.support.files import MU, three_parcels
from tests.support.paths import ROOT


@pytest.fixture
def files(catalog, tmp_path):
    """P1 30 亩 and P2 10 亩 in 分片 Z01-01, P3 20 亩 in Z02-01; one enterprise on each."""
    return three_parcels(catalog, tmp_path, third_name="=HYPERLINK(\"x\")", encoding="gbk")


def test_evaluate_zone_figures_are_ratios_of_sums(files, tmp_path, capsys):
    ppath, epath = files
    out = tmp_path / "zones.csv"
    assert main(["evaluate", "--parcels", str(ppath), "--enterprises", str(epath),
                 "--level", "zone", "--out", str(out)]) == 0
    text = out.read_text(encoding="utf-8-sig")
    assert "用户导入：宗地.geojson、企业.csv" in text
    rows = pd.read_csv(out, encoding="utf-8-sig")
    tax_col, va_col = "亩均税收（万元/亩）", "亩均增加值（万元/亩）"
    z01 = rows.loc[rows["单元编号"] == "Z01"].iloc[0]
    z02 = rows.loc[rows["单元编号"] == "Z02"].iloc[0]
    assert z01[tax_col] == pytest.approx((900 + 40) / 40)  # Σ税收 / Σ亩, not mean of ratios
    assert z01[va_col] == pytest.approx((3000 + 200) / 40)
    assert z02[tax_col] == pytest.approx(100 / 20)
    assert rows[tax_col].isna().sum() == len(rows) - 2  # zones without data stay empty, not 0
    report = tmp_path / "zones_校验报告.csv"
    assert report.read_bytes().startswith(b"\xef\xbb\xbf")
    lines = pd.read_csv(report, encoding="utf-8-sig")
    # every row was usable: the only lines say which indicators the file lacks and how the
    # profile scored them (issue 15), never a row set aside
    assert set(lines["级别"]) <= {"警告"}
    assert lines["行号"].isna().all()
    assert lines["问题"].str.contains("家参评企业缺少").all()
    assert "已写出 20 个重点工业集聚区" in capsys.readouterr().out  # Chinese by default


def test_lowland_flags_low_tax_parcel_in_every_format(files, tmp_path):
    ppath, epath = files
    for suffix in (".csv", ".xlsx", ".geojson", ".gpkg"):
        out = tmp_path / f"low{suffix}"
        assert main(["lowland", "--parcels", str(ppath), "--enterprises", str(epath),
                     "--out", str(out)]) == 0, suffix
        if suffix in (".geojson", ".gpkg"):
            got = gpd.read_file(out)
            id_col = next(c for c in got.columns if got[c].astype(str).eq("P2").any())
            assert got.crs.to_epsg() == 4326
            flagged = got.set_index(id_col)
        elif suffix == ".xlsx":
            book = openpyxl.load_workbook(out)
            values = {str(c.value) for ws in book.worksheets for r in ws.iter_rows() for c in r}
            assert any("亩均税收低于5.0万元/亩" in v for v in values)
            continue
        else:
            got = pd.read_csv(out, encoding="utf-8-sig")
            id_col = next(c for c in got.columns if got[c].astype(str).eq("P2").any())
            flagged = got.set_index(id_col)
        assert "P2" in flagged.index  # 40 万元 / 10 亩 = 4.0 < 5.0
        reasons = next(c for c in flagged.columns if "LOW_TAX" in str(flagged.at["P2", c]))
        assert "P1" not in flagged.index or "LOW_TAX" not in str(flagged.at["P1", reasons])


def test_lang_en_and_sample_label(tmp_path):
    out = tmp_path / "districts.csv"
    sample = ROOT / "data" / "sample"
    assert main(["evaluate", "--parcels", str(sample / "parcels.gpkg"), "--enterprises",
                 str(sample / "enterprises.csv"), "--level", "district", "--out", str(out),
                 "--lang", "en"]) == 0
    text = out.read_text(encoding="utf-8-sig")
    assert SAMPLE_LABEL in text  # synthetic data say so in every export
    rows = pd.read_csv(out, encoding="utf-8-sig")
    assert len(rows) == 10
    assert set(rows["data_nature"]) == {SAMPLE_LABEL}
    figures = rows[["tax_per_mu", "va_per_mu", "coverage_share"]]
    assert figures.notna().all().all()
    assert ((figures * 10000).round(6) % 1 == 0).all().all()  # at most 4 decimals
    report = pd.read_csv(tmp_path / "districts_validation_report.csv", encoding="utf-8-sig")
    assert list(report.columns) == ["file", "row", "record", "field", "value", "problem",
                                    "action", "severity"]


@pytest.mark.parametrize(("args", "expected"), [
    (["evaluate", "--parcels", "nope.gpkg", "--level", "zone", "--out", "x.csv"], "nope.gpkg"),
    (["evaluate", "--parcels", "p.gpkg", "--level", "zone", "--out", "x.pdf"], "x.pdf"),
    (["evaluate", "--parcels", "p.gpkg", "--level", "street", "--out", "x.csv"], "street"),
    (["lowland", "--out", "x.csv"], "--parcels"),
    # the output folder is checked before the (here unreadable) inputs are read
    (["evaluate", "--parcels", "p.gpkg", "--level", "zone", "--out", "no_such/x.csv"],
     "no_such"),
])
def test_bad_arguments_exit_2_with_one_line(args, expected, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "p.gpkg").write_bytes(b"")
    proc = subprocess.run([sys.executable, "-m", "geo", *args], capture_output=True, text=True,
                          cwd=tmp_path, env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"})
    assert proc.returncode == 2
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    assert expected in lines[0], proc.stderr
    assert not (tmp_path / "x.csv").exists()


def test_outputs_never_carry_nan_or_inf_text(files, tmp_path):
    ppath, epath = files
    for suffix in (".csv", ".geojson"):
        out = tmp_path / f"zones{suffix}"
        assert main(["evaluate", "--parcels", str(ppath), "--enterprises", str(epath),
                     "--level", "zone", "--out", str(out)]) == 0
        text = out.read_text(encoding="utf-8-sig")
        for bad in ("NaN", "nan,", "Infinity", "inf,"):
            assert bad not in text, (suffix, bad)
    assert gpd.read_file(tmp_path / "zones.geojson")["亩均税收（万元/亩）"].isna().sum() == 18


def test_evaluate_enterprise_list_places_each_on_its_parcel(files, tmp_path):
    ppath, epath = files
    out = tmp_path / "企业评价.gpkg"
    assert main(["evaluate", "--parcels", str(ppath), "--enterprises", str(epath),
                 "--level", "enterprise", "--out", str(out)]) == 0
    got = gpd.read_file(out)
    parcels = gpd.read_file(ppath).set_index("宗地编号")
    assert len(got) == 3
    assert set(got["评价类别"]) <= set("ABCD")
    for row in got.itertuples():
        assert parcels.geometry[row.宗地编号].contains(row.geometry)
    p2 = got.set_index("宗地编号").loc["P2"]
    assert p2["亩均税收（万元/亩）"] == pytest.approx(4.0)
    assert (got["综合得分"].diff().dropna() <= 0).all()  # best first within the 规上 track
    csv = tmp_path / "企业评价.csv"
    assert main(["evaluate", "--parcels", str(ppath), "--enterprises", str(epath),
                 "--level", "enterprise", "--out", str(csv)]) == 0
    assert "'=HYPERLINK" in csv.read_text(encoding="utf-8-sig")  # formula neutralised


def test_parcels_alone_and_an_empty_enterprise_file_work(files, tmp_path):
    ppath, _ = files
    out = tmp_path / "alone.csv"
    assert main(["lowland", "--parcels", str(ppath), "--out", str(out)]) == 0
    assert main(["evaluate", "--parcels", str(ppath), "--level", "zone",
                 "--out", str(tmp_path / "z.csv")]) == 0
    empty = tmp_path / "企业.csv"
    empty.write_text("统一社会信用代码,企业名称,宗地编号,税收（万元）\n", encoding="utf-8")
    assert main(["evaluate", "--parcels", str(ppath), "--enterprises", str(empty),
                 "--level", "enterprise", "--out", str(tmp_path / "e.csv")]) == 0


def test_data_label_follows_the_rows_not_the_folder(tmp_path):
    import shutil

    from geo.landuse.pipeline import load_inputs

    sample = ROOT / "data" / "sample"
    for name in ("parcels.gpkg", "enterprises.csv"):
        shutil.copy(sample / name, tmp_path / name)
    copied = load_inputs(tmp_path / "parcels.gpkg", tmp_path / "enterprises.csv")
    assert copied.data_label == SAMPLE_LABEL  # a copy of the sample is still the sample
    own = tmp_path / "own.csv"
    own.write_text("统一社会信用代码,宗地编号,税收（万元）\n91330200MA2AAAAA0X,33020300001,5\n",
                   encoding="utf-8")
    mixed = load_inputs(tmp_path / "parcels.gpkg", own)
    assert mixed.data_label.startswith("用户导入（含示例数据，请核实）")


def test_units_come_from_the_first_parcel_that_exists(files, tmp_path):
    ppath, _ = files
    ent = tmp_path / "e.csv"
    ent.write_text("统一社会信用代码,宗地编号,税收（万元）\n91330200MA2AAAAA0X,PX;P3,100\n",
                   encoding="utf-8")
    out = tmp_path / "e_out.csv"
    assert main(["evaluate", "--parcels", str(ppath), "--enterprises", str(ent),
                 "--level", "enterprise", "--out", str(out)]) == 0
    row = pd.read_csv(out, encoding="utf-8-sig", dtype=str).iloc[0]
    assert row["所属集聚区编号"] == "Z02"  # from P3, although PX comes first


def test_hostile_profile_name_is_inert_in_the_excel_notes(files, tmp_path):
    ppath, epath = files
    body = (ROOT / "data" / "profiles" / "default.toml").read_text(encoding="utf-8")
    start = body.index("name = ")
    end = body.index("\n", start)
    profile = tmp_path / "p.toml"
    profile.write_text(body[:start] + 'name = "=HYPERLINK(\\"http://evil\\")"' + body[end:],
                       encoding="utf-8")
    out = tmp_path / "z.xlsx"
    assert main(["evaluate", "--parcels", str(ppath), "--enterprises", str(epath),
                 "--profile", str(profile), "--level", "zone", "--out", str(out)]) == 0
    book = openpyxl.load_workbook(out)
    cells = [c for ws in book.worksheets for r in ws.iter_rows() for c in r]
    assert not any(c.data_type == "f" for c in cells)
    assert any(str(c.value).startswith("'=HYPERLINK") for c in cells)


def test_several_years_are_never_summed(files, tmp_path, capsys):
    ppath, _ = files
    ent = tmp_path / "三年.csv"
    ent.write_text(
        "统一社会信用代码,宗地编号,年度,是否规上,税收（万元）\n"
        "91330200MA2AAAAA0X,P1,2023,是,600\n"
        "91330200MA2AAAAA0X,P1,2024,是,900\n"
        "91330200MA2BBBBB1Y,P2,2024,是,40\n"
        "91330200MA2CCCCC2W,P3,,是,100\n", encoding="utf-8")
    out = tmp_path / "zones.csv"
    assert main(["evaluate", "--parcels", str(ppath), "--enterprises", str(ent),
                 "--level", "zone", "--out", str(out)]) == 0
    assert "2024 年度" in capsys.readouterr().out
    rows = pd.read_csv(out, encoding="utf-8-sig").set_index("单元编号")
    assert rows.at["Z01", "亩均税收（万元/亩）"] == pytest.approx((900 + 40) / 40)  # 2024 only
    assert rows.at["Z01", "企业数"] == 2
    assert set(rows["数据年度"]) == {2024}
    report = pd.read_csv(tmp_path / "zones_校验报告.csv", encoding="utf-8-sig")
    assert report["处理"].str.contains("2023 年 1 行未参与").any()
    assert report["问题"].str.contains("1 行未填年度").any()
    assert main(["evaluate", "--parcels", str(ppath), "--enterprises", str(ent),
                 "--level", "zone", "--year", "2023", "--out", str(out)]) == 0
    rows = pd.read_csv(out, encoding="utf-8-sig").set_index("单元编号")
    assert rows.at["Z01", "亩均税收（万元/亩）"] == pytest.approx(600 / 30)
    assert main(["evaluate", "--parcels", str(ppath), "--enterprises", str(ent),
                 "--level", "zone", "--year", "2019", "--out", str(out)]) == 2
    assert "2023、2024" in capsys.readouterr().err


def test_a_parcel_listed_for_several_years_is_counted_once():
    from geo.landuse.pipeline import select_year

    parcels = gpd.GeoDataFrame({
        "parcel_id": ["A", "A", "B", "C", "C"], "year": [2023, 2024, None, 2022, 2023],
        "land_area_m2": [1.0, 2.0, 3.0, 4.0, 5.0],
        "status": ["停产", "正常", "正常", "闲置", "正常"]},
        geometry=[None] * 5, crs=4326)
    parcels["year"] = parcels["year"].astype("Int64")
    ent = pd.DataFrame({"credit_code": ["E"], "parcel_id": ["A"], "year": [2024]})
    par, _, year, lines = select_year(parcels, ent)
    assert year == 2024
    kept = par.set_index("parcel_id")
    assert kept.at["A", "status"] == "正常"   # its 2024 row
    assert kept.at["B", "land_area_m2"] == 3.0  # undated
    assert kept.at["C", "land_area_m2"] == 5.0  # latest of its years
    assert len(par) == 3
    assert "2 行为同一宗地其他年度的记录" in lines["问题"].tolist()


def test_year_choices_are_stated_and_duplicates_across_years_counted_once():
    from geo.landuse.pipeline import select_year

    parcels = gpd.GeoDataFrame({"parcel_id": ["P1"], "year": pd.array([2024], dtype="Int64"),
                                "land_area_m2": [1.0]}, geometry=[None], crs=4326)
    ent = pd.DataFrame({"credit_code": ["A", "A", "B"], "year": pd.array([2024, None, None],
                                                                        dtype="Int64"),
                        "tax_wan": [100.0, 90.0, 5.0], "source_row": [2, 3, 4]})
    _, kept, year, lines = select_year(parcels, ent)
    assert year == 2024
    assert kept["tax_wan"].tolist() == [100.0, 5.0]  # A once, its dated row
    dropped = lines[lines["级别"] == "警告"].iloc[0]
    assert dropped["行号"] == 3
    assert "同一企业另有 2024 年记录" in dropped["问题"]
    # enterprises without any year take the parcels' year, and say so
    _, _, year, lines = select_year(parcels, ent.assign(year=pd.NA), files=("宗地.csv", "企业.csv"))
    assert year == 2024
    assert "按宗地.csv中的 2024 年计" in lines["处理"].tolist()
    # no year anywhere: a year the user gives is labelled as given, not found
    undated = parcels.assign(year=pd.NA)
    _, _, year, lines = select_year(undated, ent.assign(year=pd.NA), year=2019)
    assert year == 2019
    assert lines["处理"].str.contains("按用户指定的 2019 年标注").any()
    with pytest.raises(ValueError, match="宗地.csv holds 2024, 企业.csv holds 2024"):
        select_year(parcels, ent, year=2019, files=("宗地.csv", "企业.csv"))


def test_analyse_refuses_a_parcel_listed_twice(catalog):
    from geo.landuse.pipeline import analyse, empty_enterprises
    from geo.landuse.scoring import load_profile

    sub = catalog["subzone"].iloc[0].geometry.representative_point()
    twice = gpd.GeoDataFrame({"parcel_id": ["P1", "P1"], "land_area_m2": [1.0, 2.0]},
                             geometry=[sub, sub], crs=4326)
    with pytest.raises(ValueError, match="'P1' appears 2 times.*select_year"):
        analyse(twice, empty_enterprises(), catalog, load_profile(), data_label="x")


def test_a_parcel_named_twice_by_one_enterprise_counts_once(tmp_path, files):
    from geo.landuse.ingest import import_enterprises
    from geo.landuse.metrics import enterprise_land

    ppath, _ = files
    parcels = gpd.read_file(ppath).rename(columns={"宗地编号": "parcel_id"})
    parcels["land_area_m2"] = parcels["用地面积（亩）"] * MU
    ent = tmp_path / "e.csv"
    ent.write_text("统一社会信用代码,宗地编号,税收（万元）\n"
                   "91330200MA2AAAAA0X,P1;P1,100\n91330200MA2BBBBB1Y,P1,50\n", encoding="utf-8")
    res = import_enterprises(ent, parcels=parcels)
    assert res.data["parcel_id"].tolist() == ["P1", "P1"]
    assert res.report["问题"].str.contains("同一宗地编号重复列出").any()
    land = enterprise_land(pd.DataFrame({"credit_code": ["A", "B"], "parcel_id": ["P1;P1", "P1"]}),
                           parcels)
    assert land["land_mu"].tolist() == pytest.approx([15.0, 15.0])  # 30 亩 shared by two


# --- each export states its own data nature, units and sources (issue 9) ---------------------

def _notes(path: Path) -> dict[str, str]:
    sheet = openpyxl.load_workbook(path)["说明"]
    return {str(r[0].value): str(r[1].value) for r in sheet.iter_rows(min_row=2)}


@pytest.mark.parametrize(("command", "level"), [("evaluate", "enterprise"),
                                                ("evaluate", "district"),
                                                ("evaluate", "subzone"), ("lowland", None)])
def test_a_muju_export_states_its_own_nature_units_and_sources(files, tmp_path, command, level):
    from geo.labels import QUALITY_NOTES, SCHEMATIC_NOTICE

    ppath, epath = files
    out = tmp_path / f"{command}_{level}.xlsx"
    args = [command, "--parcels", str(ppath), "--enterprises", str(epath), "--out", str(out)]
    assert main([*args, *(["--level", level] if level else [])]) == 0
    notes = _notes(out)
    assert notes["数据性质"] == "用户导入：宗地.geojson、企业.csv"
    assert "平方公里" not in notes["单位"]
    assert "万元" in notes["单位"]
    assert "亩" in notes["单位"]
    assert "十四五" not in notes["数据来源"]
    assert "宗地.geojson" in notes["数据来源"]
    assert "评价方案" in notes["数据来源"]
    # the geometry line says what this file's geometry is, not what the catalogue's is
    if level == "subzone":  # 分片 outlines are schematic, and it says so
        assert notes["几何说明"] == SCHEMATIC_NOTICE
    elif level == "district":  # real district boundaries
        assert notes["几何说明"] == QUALITY_NOTES["reference"]
    else:  # parcels imported from the user's file
        assert notes["几何说明"] == QUALITY_NOTES["imported"]


def test_a_catalogue_export_keeps_the_catalogue_notes(tmp_path):
    from geo.labels import SCHEMATIC_NOTICE

    out = tmp_path / "zones.xlsx"
    assert main(["catalog", "--level", "zone", "--out", str(out)]) == 0
    notes = _notes(out)
    assert notes["几何说明"] == SCHEMATIC_NOTICE
    assert "平方公里" in notes["单位"]
    assert "十四五" in notes["数据来源"]


def test_the_writer_knows_no_domain():
    import inspect

    import geo.export as export

    text = inspect.getsource(export)
    for word in ("十四五", "示意范围", "cnmaps", "亩均"):
        assert word not in text, word
    with pytest.raises(TypeError, match="notes"):
        export.export_bytes(gpd.GeoDataFrame({"geometry_quality": []}, geometry=[]), "csv")


@pytest.mark.parametrize("suffix", [".geojson", ".gpkg"])
def test_vector_exports_carry_the_notes_too(files, tmp_path, suffix):
    import json

    import pyogrio

    ppath, epath = files
    out = tmp_path / f"low{suffix}"
    assert main(["lowland", "--parcels", str(ppath), "--enterprises", str(epath),
                 "--out", str(out)]) == 0
    if suffix == ".geojson":
        notes = json.loads(out.read_text(encoding="utf-8"))["metadata"]
    else:
        table = pyogrio.read_dataframe(out, layer="说明")
        notes = dict(zip(table["项目"], table["内容"], strict=True))
    assert notes["数据性质"] == "用户导入：宗地.geojson、企业.csv"
    assert "万元" in notes["单位"]
    assert len(gpd.read_file(out, layer="selection" if suffix == ".gpkg" else None)) == 1

