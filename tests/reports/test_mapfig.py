"""Printable maps: PNG/PDF bytes, round scale bars, dates, the CJK font or a located error."""

from __future__ import annotations

import datetime as dt

import geopandas as gpd
import pytest
from shapely.geometry import Point, box

from geo._errors import ExportError
from geo.reports import fonts
from geo.reports.mapfig import Style, map_figure, report_date, scale_length_m, zone_map


def test_scale_bar_lengths_are_round():
    assert scale_length_m(10_000) == 2000
    assert scale_length_m(47_000) == 5000
    assert scale_length_m(1_300) == 250
    assert scale_length_m(10) == 50


def test_report_date_reads_in_chinese():
    assert report_date(dt.date(2026, 3, 5)) == "2026年03月05日"


def test_a_map_of_any_layers_is_a_png(catalog):
    parcels = gpd.GeoDataFrame({"name": ["甲"]}, geometry=[box(121.5, 29.8, 121.51, 29.81)],
                               crs="EPSG:4326")
    pts = gpd.GeoDataFrame({"name": ["乙"]}, geometry=[Point(121.505, 29.805)], crs="EPSG:4326")
    png = map_figure([(catalog["district"], {"facecolor": "#eeeeee"}, "区县"),
                      (parcels, Style(facecolor="red", label_column="name"), "宗地"),
                      (pts, Style(kind="point"), None)],
                     bounds=(121.49, 29.79, 121.52, 29.82), title="导出地图", subtitle="当前视图",
                     notice="示例数据", size_mm=(120, 80), dpi=100)
    assert png[:8] == b"\x89PNG\r\n\x1a\n"


def test_the_zone_map_is_drawn(catalog):
    assert zone_map("Z15", catalog, dpi=80, size_mm=(100, 60))[:4] == b"\x89PNG"


def test_a_missing_cjk_font_names_the_package(monkeypatch):
    monkeypatch.setattr(fonts, "cjk_font_file", lambda: None)
    with pytest.raises(ExportError) as err:
        fonts.require_cjk_font()
    said = err.value.describe("zh")
    assert "apt-get install fonts-noto-cjk" in said
    assert "字体" in said


def test_the_cjk_font_is_installed():
    assert fonts.cjk_font_file()


def test_a_map_can_be_a_pdf():
    pts = gpd.GeoDataFrame({"name": ["乙"]}, geometry=[Point(121.505, 29.805)], crs="EPSG:4326")
    pdf = map_figure([(pts, Style(kind="point"), "点")], title="导出地图", fmt="pdf",
                     size_mm=(80, 60))
    assert pdf[:5] == b"%PDF-"
