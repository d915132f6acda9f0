"""Invalid parcel polygons are repaired only when the official accepts it, and located errors
are said in Chinese by default (issue 10)."""

from __future__ import annotations

import json

import pytest

from geo._errors import DataImportError
from geo.cli import main
from geo.landuse.ingest.parcels import ACCEPTABLE, import_parcels

#: A self-intersecting "bow-tie" ring inside Ningbo (invalid: Self-intersection).
BOWTIE = [[121.5, 29.8], [121.501, 29.801], [121.501, 29.8], [121.5, 29.801], [121.5, 29.8]]
SQUARE = [[121.51, 29.8], [121.511, 29.8], [121.511, 29.801], [121.51, 29.801], [121.51, 29.8]]


def _parcels_geojson(path):
    """A GeoJSON of one good square (row 1, "OK") and one bow-tie (row 2, "BOW")."""
    features = [{"type": "Feature", "properties": {"宗地编号": pid},
                 "geometry": {"type": "Polygon", "coordinates": [ring]}}
                for pid, ring in (("OK", SQUARE), ("BOW", BOWTIE))]
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}),
                    encoding="utf-8")
    return path


def _geometry_lines(res, row):
    report = res.report
    return report[(report["行号"] == row) & (report["字段"] == "geometry")]


# ----------------------------------------------------------------------- task 1: make_valid


def test_an_invalid_polygon_is_an_error_that_keeps_the_parcel_out(tmp_path):
    res = import_parcels(_parcels_geojson(tmp_path / "宗地.geojson"))
    assert res.data["parcel_id"].tolist() == ["OK"]
    lines = _geometry_lines(res, 2)
    assert len(lines) == 1
    line = lines.iloc[0]
    assert line["级别"] == "错误"
    assert line["问题"].startswith("图形无效（")
    assert line["处理"] == "未导入该行（核实后可选择接受修复）"
    assert line["记录"] == "BOW"


def test_an_accepted_repair_keeps_the_repaired_polygon_with_a_warning(tmp_path):
    assert "make_valid" in ACCEPTABLE
    res = import_parcels(_parcels_geojson(tmp_path / "宗地.geojson"), accept={"make_valid"})
    assert res.data["parcel_id"].tolist() == ["OK", "BOW"]
    repaired = res.data.set_index("parcel_id").geometry["BOW"]
    assert repaired.is_valid
    assert repaired.geom_type in ("Polygon", "MultiPolygon")
    assert repaired.area > 0
    lines = _geometry_lines(res, 2)
    assert len(lines) == 1
    line = lines.iloc[0]
    assert line["级别"] == "警告"
    assert line["处理"] == "已用 make_valid 修复（已确认）"
    assert line["问题"].startswith("图形无效（")


# -------------------------------------------------------------- task 2: the message's frame


def test_a_located_error_describes_itself_in_chinese_and_keeps_its_english_str():
    err = DataImportError("no usable id", file="宗地.csv", feature="3", field="宗地编号",
                          fix="fill the id")
    assert err.describe() == ("文件 宗地.csv，记录 3，字段“宗地编号”：no usable id。"
                              "处理办法：fill the id")
    assert err.describe("zh") == err.describe()
    assert err.describe("en") == ("file 宗地.csv, feature 3, field '宗地编号': no usable id. "
                                  "Fix: fill the id")
    assert str(err) == err.describe("en")
    bare = DataImportError("未填用地面积。", fix="补填")
    assert bare.describe() == "未填用地面积。处理办法：补填"


def test_the_cli_says_a_data_error_in_chinese_by_default_and_in_english_on_request(
        tmp_path, capsys):
    fake = tmp_path / "伪装.geojson"  # a GDAL virtual dataset saved under a GeoJSON name
    fake.write_text('<OGRVRTDataSource><OGRVRTLayer name="x"><SrcDataSource>/etc/passwd'
                    "</SrcDataSource></OGRVRTLayer></OGRVRTDataSource>", encoding="utf-8")
    args = ["evaluate", "--parcels", str(fake), "--level", "city",
            "--out", str(tmp_path / "结果.csv")]

    assert main(args) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert "错误：文件 伪装.geojson：是 GDAL 虚拟数据集（VRT）" in err
    assert "处理办法：" in err
    assert "error:" not in err
    assert "Fix:" not in err
    assert "file 伪装.geojson" not in err

    assert main([*args, "--lang", "en"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert "error: file 伪装.geojson: " in err
    assert ". Fix: " in err
    assert "处理办法" not in err


@pytest.mark.parametrize("command", [["lowland"], ["evaluate", "--level", "enterprise"]])
def test_every_efficiency_command_frames_the_error_in_chinese(tmp_path, capsys, command):
    fake = tmp_path / "伪装.geojson"
    fake.write_text("<OGRVRTDataSource></OGRVRTDataSource>", encoding="utf-8")
    assert main([*command, "--parcels", str(fake), "--out", str(tmp_path / "out.csv")]) == 2
    err = capsys.readouterr().err
    assert "文件 伪装.geojson：" in err
    assert "处理办法：" in err
