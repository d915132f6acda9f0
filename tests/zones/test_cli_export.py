"""python -m geo catalog: every format reads back with the same rows; bad arguments exit 2."""

from __future__ import annotations

import subprocess
import sys

import geopandas as gpd
import pandas as pd
import pytest

from geo.cli import main
from geo.export import export_layer, neutralise_formula
from geo.zones.catalog import export_notes
from tests.support.paths import ROOT

FORMATS = [".csv", ".xlsx", ".geojson", ".gpkg"]


def _read(path):
    if path.suffix == ".csv":
        return pd.read_csv(path, dtype=str, encoding="utf-8-sig")
    if path.suffix == ".xlsx":
        return pd.read_excel(path, sheet_name=None, dtype=str)
    return gpd.read_file(path)


@pytest.mark.parametrize("suffix", FORMATS)
def test_every_format_reads_back_with_the_same_rows(catalog, tmp_path, suffix):
    out = tmp_path / f"zones{suffix}"
    assert main(["catalog", "--level", "zone", "--belt", "东部临港产业带", "--out", str(out)]) == 0
    expected = catalog["zone"][catalog["zone"]["belt"] == "东部临港产业带"]
    data = _read(out)
    if suffix == ".xlsx":
        meta = data["说明"]
        assert meta["内容"].str.contains("示意范围").any()
        assert "东部临港产业带" in set(meta["内容"])
        data = data["数据"]
    assert list(data["编号"]) == list(expected["id"])
    assert list(data["名称"]) == list(expected["name"])
    assert set(data["几何精度"]) == {"示意（非官方边界）"}
    assert data["几何说明"].str.contains("非官方边界").all()
    if suffix in (".geojson", ".gpkg"):
        assert data.crs.to_epsg() == 4326
        assert data.geometry.is_valid.all()
        assert len(data.geometry) == len(expected)


def test_csv_has_bom_and_english_headers_with_lang_en(tmp_path):
    out = tmp_path / "towns.csv"
    assert main(["catalog", "--level", "town", "--industry", "汽车", "--out", str(out),
                 "--lang", "en"]) == 0
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    table = pd.read_csv(out, dtype=str, encoding="utf-8-sig")
    assert {"id", "name", "leading_industry", "industry_tags", "geometry_quality",
            "geometry_note", "center_lon", "center_lat"} <= set(table.columns)
    assert set(table["geometry_quality"]) == {"schematic"}
    assert "杭州湾汽车智创小镇" in set(table["name"])


def test_excel_header_is_frozen(tmp_path):
    from openpyxl import load_workbook

    out = tmp_path / "b.xlsx"
    assert main(["catalog", "--level", "branch", "--out", str(out)]) == 0
    wb = load_workbook(out)
    assert wb.sheetnames == ["数据", "说明"]
    assert wb["数据"].freeze_panes == "A2"
    assert wb["数据"].max_row == 11


@pytest.mark.parametrize("args", [
    ["catalog", "--level", "park", "--out", "x.csv"],
    ["catalog", "--level", "zone", "--out", "x.txt"],
    ["catalog", "--level", "zone"],
    ["catalog", "--level", "town", "--belt", "东部临港产业带", "--out", "x.csv"],
    ["catalog", "--level", "zone", "--out", "/nonexistent/dir/x.csv"],
])
def test_bad_arguments_one_line_and_exit_2(args, tmp_path):
    proc = subprocess.run([sys.executable, "-m", "geo", *args], cwd=tmp_path,
                          capture_output=True, text=True, env={"PYTHONPATH": str(ROOT)})
    assert proc.returncode == 2, proc.stderr
    assert proc.stdout == ""
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1
    # argparse's usage faults say "error:"; the tool's own refusals say 错误： (Chinese default)
    assert "error:" in lines[0] or "错误：" in lines[0]


@pytest.mark.parametrize("value", ["=HYPERLINK(\"http://x\")", "+A1", "-2+3", "@SUM(A1)",
                                   "\tcmd", "\rcmd"])
def test_formula_injection_is_neutralised(value):
    assert neutralise_formula(value) == "'" + value
    assert neutralise_formula(-5) == -5
    assert neutralise_formula("宁波") == "宁波"


def test_hostile_names_are_inert_in_csv_and_excel(catalog, tmp_path):
    from openpyxl import load_workbook

    hostile = catalog["zone"].head(2).copy()
    hostile.loc[hostile.index[0], "name"] = "=cmd|' /C calc'!A0"
    hostile.loc[hostile.index[1], "name"] = "@SUM(1+1)*cmd"
    csv_path = export_layer(hostile, tmp_path / "h.csv", notes=export_notes())
    xlsx_path = export_layer(hostile, tmp_path / "h.xlsx", notes=export_notes())
    names = pd.read_csv(csv_path, dtype=str, encoding="utf-8-sig")["名称"].tolist()
    assert names == ["'=cmd|' /C calc'!A0", "'@SUM(1+1)*cmd"]
    ws = load_workbook(xlsx_path)["数据"]
    cells = [c.value for c in ws["B"]]
    assert cells[1:] == names
    assert all(c.data_type == "s" for c in ws["B"])


def test_failed_export_keeps_the_previous_file(catalog, tmp_path, monkeypatch):
    import geo.export as export

    out = tmp_path / "z.csv"
    export_layer(catalog["zone"], out, notes=export_notes())
    before = out.read_bytes()

    def boom(*_args, **_kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(export, "export_bytes", boom)
    with pytest.raises(OSError, match="disk full"):
        export_layer(catalog["zone"].head(1), out, notes=export_notes())
    assert out.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["z.csv"]
