"""What ``python -m geo evaluate|lowland|catalog|import-boundaries`` do with the files they are
given (issue 10): outputs never overwrite inputs, GeoPackage layers and Excel sheets can be
named, and a file whose rows were all rejected stops with its validation report written."""

from __future__ import annotations

import os
import shutil

import geopandas as gpd
import pandas as pd
import pytest
from shapely.geometry import box

from geo._errors import DataImportError
from geo.cli import main
from geo.landuse.pipeline import (
    NoUsableRowsError,
    PartChoiceError,
    layer_names,
    load_inputs,
    sheet_names,
)
from geo.zones.catalog import DATA_DIR

MU = 10000 / 15
CODES = ("91330200MA2AAAAA0X", "91330200MA2BBBBB1Y", "91330200MA2CCCCC2W")


def _parcels(catalog, ids: list[str], *, sub: str = "Z01-01") -> gpd.GeoDataFrame:
    """Squares of 10 亩 side by side around a point of one 分片, areas stated to match."""
    centre = catalog["subzone"].set_index("id").to_crs(4549).loc[sub].geometry
    centre = centre.representative_point()
    side = (10 * MU) ** 0.5
    shapes = [box(centre.x + i * 200, centre.y, centre.x + i * 200 + side, centre.y + side)
              for i in range(len(ids))]
    return gpd.GeoDataFrame({"宗地编号": ids, "用地面积（亩）": [10] * len(ids),
                             "用地性质": ["工业用地"] * len(ids), "生产状态": ["正常"] * len(ids)},
                            geometry=shapes, crs=4549).to_crs(4326)


def _enterprises(parcel_ids: list[str]) -> pd.DataFrame:
    return pd.DataFrame({"统一社会信用代码": list(CODES[:len(parcel_ids)]),
                         "企业名称": [f"企业{i}" for i in range(len(parcel_ids))],
                         "宗地编号": parcel_ids, "是否规上": ["是"] * len(parcel_ids),
                         "税收（万元）": [30.0] * len(parcel_ids)})


@pytest.fixture
def files(catalog, tmp_path):
    """宗地.gpkg (one layer, P1–P3 in 分片 Z01-01) and 企业.csv (three enterprises)."""
    ppath = tmp_path / "宗地.gpkg"
    _parcels(catalog, ["P1", "P2", "P3"]).to_file(ppath, layer="宗地", driver="GPKG")
    epath = tmp_path / "企业.csv"
    _enterprises(["P1", "P2", "P3"]).to_csv(epath, index=False, encoding="utf-8")
    return ppath, epath


def _one_line(capsys) -> str:
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1, err
    return err[0]


# --------------------------------------------------------------------------- outputs vs inputs


@pytest.mark.parametrize("command", [["lowland"], ["evaluate", "--level", "zone"]])
@pytest.mark.parametrize("spelling", ["same", "dotted", "relative", "symlink", "hardlink"])
def test_out_that_is_the_parcels_file_is_refused(files, tmp_path, monkeypatch, capsys,
                                                 command, spelling):
    ppath, epath = files
    before = ppath.read_bytes()
    (tmp_path / "sub").mkdir()
    out = {"same": ppath, "dotted": tmp_path / "sub" / ".." / ppath.name,
           "relative": ppath.name, "symlink": tmp_path / "链接.gpkg",
           "hardlink": tmp_path / "硬链接.gpkg"}[spelling]
    if spelling == "symlink":
        os.symlink(ppath, out)
    if spelling == "hardlink":
        os.link(ppath, out)
    monkeypatch.chdir(tmp_path)
    code = main([*command, "--parcels", str(ppath), "--enterprises", str(epath),
                 "--out", str(out)])
    line = _one_line(capsys)
    assert code == 2
    assert "会覆盖" in line
    assert "--parcels" in line
    assert "请用 --out 另选" in line
    assert str(out) in line  # names the file
    assert ppath.read_bytes() == before
    assert not (tmp_path / "宗地_校验报告.csv").exists()


def test_out_that_is_the_enterprise_file_is_refused(files, capsys):
    ppath, epath = files
    before = epath.read_bytes()
    assert main(["lowland", "--parcels", str(ppath), "--enterprises", str(epath),
                 "--out", str(epath)]) == 2
    assert "--enterprises" in _one_line(capsys)
    assert epath.read_bytes() == before


def test_validation_report_path_that_is_an_input_is_refused(files, tmp_path, capsys):
    ppath, epath = files
    named = tmp_path / "结果_校验报告.csv"
    shutil.copy(epath, named)
    before = named.read_bytes()
    out = tmp_path / "结果.xlsx"
    assert main(["evaluate", "--parcels", str(ppath), "--enterprises", str(named),
                 "--level", "zone", "--out", str(out)]) == 2
    line = _one_line(capsys)
    assert "校验报告" in line
    assert "--enterprises" in line
    assert "--out" in line
    assert named.read_bytes() == before
    assert not out.exists()


def test_refusal_in_english_with_lang_en(files, capsys):
    ppath, epath = files
    assert main(["lowland", "--parcels", str(ppath), "--enterprises", str(epath),
                 "--out", str(ppath), "--lang", "en"]) == 2
    line = _one_line(capsys)
    assert "error:" in line
    assert "overwrite" in line
    assert "Fix: choose another --out" in line
    assert not any("\u4e00" <= ch <= "\u9fff" for ch in line.replace(ppath.name, ""))


def test_catalog_out_inside_the_catalogue_folder_is_refused(data_copy, tmp_path, capsys):
    layer = data_copy / "zones.geojson"
    before = layer.read_bytes()
    assert main(["catalog", "--level", "zone", "--out", str(layer),
                 "--data-dir", str(data_copy)]) == 2
    line = _one_line(capsys)
    assert str(layer) in line
    assert "--out" in line
    assert layer.read_bytes() == before
    stray = DATA_DIR / "导出_probe.csv"
    try:
        assert main(["catalog", "--level", "zone", "--out", str(stray)]) == 2  # default folder
        assert "--out" in _one_line(capsys)
        assert not stray.exists()
    finally:
        stray.unlink(missing_ok=True)  # never leave a file in the real catalogue
    assert main(["catalog", "--level", "zone", "--out", str(tmp_path / "z.csv"),
                 "--data-dir", str(data_copy)]) == 0  # elsewhere is fine


def test_import_boundaries_out_that_is_the_file_is_refused(data_copy, tmp_path, capsys):
    source = tmp_path / "正式边界.geojson"
    shutil.copy(data_copy / "zones.geojson", source)
    before = source.read_bytes()
    assert main(["import-boundaries", "--level", "zone", "--file", str(source), "--out",
                 str(tmp_path / "." / source.name), "--data-dir", str(data_copy)]) == 2
    line = _one_line(capsys)
    assert "--file" in line
    assert "--out" in line
    assert "会覆盖" in line
    assert source.read_bytes() == before
    own = data_copy / "zones.geojson"  # the layer itself given as the boundary file
    before = own.read_bytes()
    assert main(["import-boundaries", "--level", "zone", "--file", str(own),
                 "--data-dir", str(data_copy)]) == 2
    assert "--file" in _one_line(capsys)
    assert own.read_bytes() == before
    other = data_copy / "towns.geojson"  # another layer of the catalogue
    before = other.read_bytes()
    assert main(["import-boundaries", "--level", "zone", "--file", str(source), "--out",
                 str(other), "--data-dir", str(data_copy), "--lang", "en"]) == 2
    assert "catalogue folder" in _one_line(capsys)
    assert other.read_bytes() == before


# --------------------------------------------------------------------------- layers and sheets


@pytest.fixture
def two_layers(catalog, tmp_path):
    """A GeoPackage of two parcel layers (2023: P1, P2; 2024: P3) and enterprises in two."""
    ppath = tmp_path / "宗地两层.gpkg"
    _parcels(catalog, ["P1", "P2"]).to_file(ppath, layer="宗地2023", driver="GPKG")
    _parcels(catalog, ["P3"], sub="Z02-01").to_file(ppath, layer="宗地2024", driver="GPKG")
    epath = tmp_path / "企业两层.gpkg"
    for name, ids in (("企业甲", ["P3"]), ("企业乙", ["P1", "P2"])):
        ent = _enterprises(ids)
        parcels = gpd.read_file(ppath, layer="宗地2024" if ids == ["P3"] else "宗地2023")
        points = parcels.set_index("宗地编号").loc[ids].geometry.representative_point()
        gpd.GeoDataFrame(ent, geometry=list(points), crs=4326).to_file(epath, layer=name,
                                                                      driver="GPKG")
    return ppath, epath


def test_several_layers_without_layer_name_the_option(two_layers, tmp_path, capsys):
    ppath, epath = two_layers
    out = tmp_path / "低效.csv"
    assert main(["lowland", "--parcels", str(ppath), "--out", str(out)]) == 2
    line = _one_line(capsys)
    assert "--layer" in line
    assert "宗地2023" in line
    assert "宗地2024" in line
    assert ppath.name in line
    assert "图层" in line
    assert main(["lowland", "--parcels", str(ppath), "--layer", "宗地2024", "--enterprises",
                 str(epath), "--out", str(out)]) == 2
    assert "--enterprise-layer" in _one_line(capsys)
    assert main(["lowland", "--parcels", str(ppath), "--layer", "宗地2025", "--out",
                 str(out), "--lang", "en"]) == 2
    line = _one_line(capsys)
    assert "has no layer '宗地2025'" in line
    assert "--layer" in line
    assert not out.exists()


def test_layer_options_choose_the_layers(two_layers, tmp_path):
    ppath, epath = two_layers
    out = tmp_path / "企业.csv"
    assert main(["evaluate", "--level", "enterprise", "--parcels", str(ppath),
                 "--layer", "宗地2024", "--enterprises", str(epath),
                 "--enterprise-layer", "企业甲", "--out", str(out)]) == 0
    rows = pd.read_csv(out, encoding="utf-8-sig", dtype=str)
    assert rows["宗地编号"].tolist() == ["P3"]
    inputs = load_inputs(ppath, epath, parcel_layer="宗地2023", enterprise_layer="企业乙")
    assert sorted(inputs.parcels["parcel_id"]) == ["P1", "P2"]
    assert sorted(inputs.enterprises["parcel_id"]) == ["P1", "P2"]
    with pytest.raises(PartChoiceError, match="parcel_layer="):
        load_inputs(ppath)


def test_sheet_options_choose_the_sheets(catalog, tmp_path):
    parcels = _parcels(catalog, ["P1", "P2"])
    table = pd.DataFrame(parcels.drop(columns="geometry")).assign(WKT=parcels.geometry.to_wkt())
    ppath = tmp_path / "宗地.xlsx"
    epath = tmp_path / "企业.xlsx"
    with pd.ExcelWriter(ppath) as book:
        pd.DataFrame({"说明": ["本表为填报说明"]}).to_excel(book, sheet_name="说明", index=False)
        table.to_excel(book, sheet_name="宗地", index=False)
    with pd.ExcelWriter(epath) as book:
        pd.DataFrame({"说明": ["本表为填报说明"]}).to_excel(book, sheet_name="说明", index=False)
        _enterprises(["P1", "P2"]).to_excel(book, sheet_name="企业", index=False)
    assert sheet_names(ppath) == ["说明", "宗地"]
    out = tmp_path / "企业评价.csv"
    assert main(["evaluate", "--level", "enterprise", "--parcels", str(ppath), "--sheet",
                 "宗地", "--enterprises", str(epath), "--enterprise-sheet", "企业",
                 "--out", str(out)]) == 0
    assert sorted(pd.read_csv(out, encoding="utf-8-sig", dtype=str)["宗地编号"]) == ["P1", "P2"]
    inputs = load_inputs(ppath, epath, parcel_sheet="宗地", enterprise_sheet="企业")
    assert len(inputs.parcels) == 2
    assert len(inputs.enterprises) == 2
    with pytest.raises(PartChoiceError, match="enterprise_sheet="):
        load_inputs(ppath, epath, parcel_sheet="宗地", enterprise_sheet="企业表")


def test_layer_names_lists_spatial_layers_first_and_opens_guarded(catalog, tmp_path):
    path = tmp_path / "两层.gpkg"
    pd.DataFrame({"说明": ["x"]}).pipe(gpd.GeoDataFrame).to_file(path, layer="说明",
                                                                 driver="GPKG")
    _parcels(catalog, ["P1"]).to_file(path, layer="宗地", driver="GPKG")
    assert layer_names(path) == ["宗地", "说明"]
    assert len(load_inputs(path).parcels) == 1  # one spatial layer: read without a name
    fake = tmp_path / "伪装.gpkg"
    fake.write_text('<OGRVRTDataSource><OGRVRTLayer name="x"><SrcDataSource>/etc/passwd'
                    "</SrcDataSource></OGRVRTLayer></OGRVRTDataSource>", encoding="utf-8")
    with pytest.raises(DataImportError):
        layer_names(fake)


# --------------------------------------------------------------------------- no usable rows


@pytest.fixture
def rejected(catalog, tmp_path):
    """Parcels whose every row lacks its 宗地编号, and enterprises whose every row lacks its
    统一社会信用代码."""
    ppath = tmp_path / "无编号.geojson"
    parcels = _parcels(catalog, ["P1", "P2"])
    parcels["宗地编号"] = ["", " "]
    parcels.to_file(ppath, driver="GeoJSON")
    epath = tmp_path / "无代码.csv"
    _enterprises(["P1", "P2"]).assign(统一社会信用代码="").to_csv(epath, index=False)
    return ppath, epath


@pytest.mark.parametrize("command", [["lowland"], ["evaluate", "--level", "zone"],
                                     ["evaluate", "--level", "enterprise"]])
def test_parcels_all_rejected_stop_with_the_report_written(rejected, tmp_path, capsys,
                                                           command):
    ppath, _ = rejected
    out = tmp_path / "结果.gpkg"
    assert main([*command, "--parcels", str(ppath), "--out", str(out)]) == 2
    line = _one_line(capsys)
    assert "没有可用的行" in line
    assert ppath.name in line
    report = tmp_path / "结果_校验报告.csv"
    assert str(report) in line  # points to the report
    assert not out.exists()
    lines = pd.read_csv(report, encoding="utf-8-sig", dtype=str)
    assert set(lines["行号"]) == {"1", "2"}  # every feature, with why
    assert lines["字段"].eq("宗地编号").all()
    assert lines["问题"].str.contains("编号").all()


def test_enterprises_all_rejected_stop_with_the_report_written(files, rejected, tmp_path,
                                                                capsys):
    ppath, _ = files
    _, epath = rejected
    out = tmp_path / "区县.csv"
    assert main(["evaluate", "--level", "district", "--parcels", str(ppath),
                 "--enterprises", str(epath), "--out", str(out), "--lang", "en"]) == 2
    line = _one_line(capsys)
    assert "has no usable rows" in line
    assert epath.name in line
    report = tmp_path / "区县_validation_report.csv"
    assert str(report) in line
    assert not out.exists()
    lines = pd.read_csv(report, encoding="utf-8-sig", dtype=str)
    assert (lines.loc[lines["file"] == epath.name, "row"].tolist()) == ["2", "3"]


def test_load_inputs_says_no_usable_rows_with_the_report(rejected, files):
    ppath, epath = rejected
    with pytest.raises(NoUsableRowsError) as caught:
        load_inputs(ppath, epath)
    assert caught.value.kind == "parcel"
    assert caught.value.rows_read == 2
    assert "没有可用的行" in str(caught.value)
    assert set(caught.value.report["文件"]) == {ppath.name, epath.name}  # both files' reasons
    with pytest.raises(NoUsableRowsError, match="无代码.csv"):
        load_inputs(files[0], epath)
