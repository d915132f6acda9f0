"""A raster surface on the map (layers.raster): one ImageOverlay whose PNG is in the page itself.

Real grids near Ningbo on EPSG:4549, real reprojection, the PNG decoded here with zlib: nodata
is transparent, the colours are the legend's, the bounds are the grid's, large grids are
reduced, the legend is escaped, class edges never repeat, classes keep their colours.
"""

from __future__ import annotations

import base64
import math
import re
import struct
import zlib

import folium
import numpy as np
import pytest
from affine import Affine
from pyproj import Transformer

from geo._errors import DataImportError
from geo.crs import NINGBO_BOUNDS
from geo.raster.safe import RasterError
from geo.raster.surface import DEFAULT_NODATA, write_cog
from layers.map import blank_map, finish_map
from layers.raster import (
    OverlayInfo,
    add_raster_overlay,
    raster_legend_html,
    raster_overlay,
    read_overlay_source,
)

CELL = 100.0
HOSTILE = "{{7*7}}<script>"
_TO_4549 = Transformer.from_crs("EPSG:4326", "EPSG:4549", always_xy=True)
_4549_TO_LL = Transformer.from_crs("EPSG:4549", "EPSG:4326", always_xy=True)
_LL_TO_MERC = Transformer.from_crs("EPSG:4326", "EPSG:3857", always_xy=True)


@pytest.fixture(scope="module")
def origin() -> tuple[float, float]:
    """Upper-left corner of the test grids: 121.55°E 29.87°N (Ningbo) in EPSG:4549, snapped."""
    x, y = _TO_4549.transform(121.55, 29.87)
    assert 600_000 < x < 700_000  # false easting 500 000 m, no zone number, CM 120°E
    return math.floor(x / CELL) * CELL, math.floor(y / CELL) * CELL


@pytest.fixture
def grid(origin) -> tuple[np.ndarray, Affine]:
    """4 × 4 亩均税收 cells with two nodata cells and one NaN."""
    a = np.array([[1.0, 2.0, 3.0, 4.0],
                  [5.0, 6.0, 7.0, 8.0],
                  [9.0, 10.0, 11.0, 12.0],
                  [13.0, 14.0, 15.0, 16.0]])
    a[0, 0] = DEFAULT_NODATA
    a[2, 3] = DEFAULT_NODATA
    a[3, 1] = np.nan
    return a, Affine(CELL, 0.0, origin[0], 0.0, -CELL, origin[1])


def _decode_png(data: bytes) -> np.ndarray:
    """(height, width, 4) uint8 of an 8-bit RGBA PNG whose rows use filter 0."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, idat, header = 8, b"", None
    while pos < len(data):
        (length,) = struct.unpack("!I", data[pos:pos + 4])
        tag, body = data[pos + 4:pos + 8], data[pos + 8:pos + 8 + length]
        (crc,) = struct.unpack("!I", data[pos + 8 + length:pos + 12 + length])
        assert crc == zlib.crc32(tag + body) & 0xFFFFFFFF, tag
        if tag == b"IHDR":
            header = struct.unpack("!2I5B", body)
        elif tag == b"IDAT":
            idat += body
        pos += 12 + length
    assert header is not None
    width, height, depth, colour_type = header[:4]
    assert (depth, colour_type) == (8, 6)  # 8-bit RGBA
    raw = np.frombuffer(zlib.decompress(idat), dtype="uint8").reshape(height, 1 + width * 4)
    assert (raw[:, 0] == 0).all()  # filter 0 on every row
    return raw[:, 1:].reshape(height, width, 4)


def _png_of(overlay: folium.raster_layers.ImageOverlay) -> np.ndarray:
    assert overlay.url.startswith("data:image/png;base64,")
    return _decode_png(base64.b64decode(overlay.url.split(",", 1)[1]))


def _pixel(info: OverlayInfo, lon: float, lat: float) -> tuple[int, int]:
    """(row, col) of the PNG pixel that Leaflet draws at lon/lat (linear in Web Mercator)."""
    (south, west), (north, east) = info.bounds
    x0, y0 = _LL_TO_MERC.transform(west, south)
    x1, y1 = _LL_TO_MERC.transform(east, north)
    x, y = _LL_TO_MERC.transform(lon, lat)
    col = int((x - x0) / (x1 - x0) * info.width)
    row = int((y1 - y) / (y1 - y0) * info.height)
    return row, col


def _cell_centre(transform: Affine, row: int, col: int) -> tuple[float, float]:
    x, y = transform @ (col + 0.5, row + 0.5)
    return _4549_TO_LL.transform(x, y)


def _hex(rgba: np.ndarray) -> str:
    return "#" + "".join(f"{int(v):02x}" for v in rgba[:3])


def _decoded(html: str) -> str:
    """The rendered HTML with JSON escapes (\\uXXXX) decoded, as a browser reads it."""
    return re.sub(r"\\u([0-9a-fA-F]{4})", lambda g: chr(int(g.group(1), 16)), html)


def _urls(html: str) -> set[str]:
    return set(re.findall(r"https?://[^\s\"'<>)]+", html))


# ----------------------------------------------------------------------------- embedding


def test_the_overlay_is_a_data_url_in_the_page_and_fetches_nothing(grid):
    array, transform = grid
    plain = blank_map("/app/static/vendor/leaflet").get_root().render()
    m = blank_map("/app/static/vendor/leaflet")
    info = add_raster_overlay(m, array, transform, "EPSG:4549", nodata=DEFAULT_NODATA,
                              name="亩均税收", unit="万元/亩", nature="示例数据", opacity=0.55)
    html = m.get_root().render()
    call = re.search(r"L\.imageOverlay\(\s*\"([^\"]*)\",\s*(\[\[.*?\]\])", html, re.S)
    assert call, "no ImageOverlay in the page"
    url = call.group(1)
    assert url.startswith("data:image/png;base64,")
    assert "http" not in url
    assert base64.b64decode(url.split(",", 1)[1])[:8] == b"\x89PNG\r\n\x1a\n"
    assert len(base64.b64decode(url.split(",", 1)[1])) == info.png_bytes
    assert _urls(html) == _urls(plain)  # the overlay adds no URL of another origin
    assert '"opacity": 0.55' in html
    assert "np-legend" in html
    assert "无数据（透明）" in _decoded(html)


# ----------------------------------------------------------------------------- pixels


def test_nodata_is_transparent_and_valid_cells_opaque_in_the_legend_colours(grid):
    array, transform = grid
    overlay, info = raster_overlay(array, transform, "EPSG:4549", nodata=DEFAULT_NODATA,
                                   name="亩均税收", unit="万元/亩", nature="示例数据")
    png = _png_of(overlay)
    assert png.shape == (info.height, info.width, 4)
    assert set(np.unique(png[:, :, 3])) <= {0, 255}
    edges = np.asarray(info.breaks)
    for r in range(4):
        for c in range(4):
            alpha_rgba = png[_pixel(info, *_cell_centre(transform, r, c))]
            value = array[r, c]
            if value == DEFAULT_NODATA or np.isnan(value):
                assert alpha_rgba[3] == 0, (r, c)
                continue
            assert alpha_rgba[3] == 255, (r, c)
            k = min(max(int(np.searchsorted(edges, value, side="right")) - 1, 0),
                    len(edges) - 2)
            assert _hex(alpha_rgba) == info.colors[k], (r, c, value)
    legend = raster_legend_html(info, name="亩均税收", unit="万元/亩", nature="示例数据")
    for colour in info.colors:
        assert f"background:{colour}" in legend
    assert "无数据（透明）" in legend
    assert "示例数据" in legend
    assert "分辨率约 100 米" in legend


def test_bounds_are_in_ningbo_and_match_the_grid_corners_within_a_cell(grid):
    array, transform = grid
    _overlay, info = raster_overlay(array, transform, "EPSG:4549", nodata=DEFAULT_NODATA,
                                    name="亩均税收", unit="万元/亩", nature="示例数据")
    (south, west), (north, east) = info.bounds
    lon0, lat0, lon1, lat1 = NINGBO_BOUNDS
    assert lon0 < west < east < lon1
    assert lat0 < south < north < lat1
    corners = [_4549_TO_LL.transform(*(transform @ (c, r))) for c in (0, 4) for r in (0, 4)]
    lons, lats = zip(*corners, strict=True)
    dlat = CELL / 111_320
    dlon = CELL / (111_320 * math.cos(math.radians(29.87)))
    assert abs(west - min(lons)) < dlon
    assert abs(east - max(lons)) < dlon
    assert abs(south - min(lats)) < dlat
    assert abs(north - max(lats)) < dlat
    assert west <= min(lons) + 1e-9
    assert east >= max(lons) - 1e-9
    assert info.source_shape == (4, 4)
    assert not info.downsampled
    assert info.cell_m == pytest.approx(CELL, rel=0.01)


# ----------------------------------------------------------------------------- reduction


@pytest.mark.parametrize("shape", [(5000, 3), (3, 5000)])
def test_a_long_grid_is_reduced_to_max_pixels(origin, shape):
    array = np.ones(shape)
    transform = Affine(10.0, 0.0, origin[0], 0.0, -10.0, origin[1])
    overlay, info = raster_overlay(array, transform, "EPSG:4549", nodata=None, name="建成比例",
                                   unit="%", nature="示例数据", max_pixels=1000)
    assert info.downsampled
    assert info.width <= 1000
    assert info.height <= 1000
    assert _png_of(overlay).shape[:2] == (info.height, info.width)
    assert info.source_shape == shape
    assert info.cell_m == pytest.approx(50.0, rel=0.01)  # factor 5 on 10 m cells
    assert info.source_cell_m == pytest.approx(10.0, rel=0.01)
    legend = raster_legend_html(info, name="建成比例", unit="%", nature="示例数据")
    assert "显示分辨率约 50 米（原始 10 米）" in legend


def test_reduction_averages_the_valid_cells_only(origin):
    """Columns hold 0 1 2 3 nodata, repeated: every block of 5 shows (0+1+2+3)/4 = 1.5."""
    array = np.tile(np.array([0.0, 1.0, 2.0, 3.0, DEFAULT_NODATA]), (3, 1000))
    transform = Affine(10.0, 0.0, origin[0], 0.0, -10.0, origin[1])
    _overlay, info = raster_overlay(array, transform, "EPSG:4549", nodata=DEFAULT_NODATA,
                                    name="亩均税收", unit="万元/亩", nature="示例数据",
                                    max_pixels=1000)
    assert info.downsampled
    assert info.value_range == (1.5, 1.5)


def test_reduction_keeps_the_most_frequent_class(origin):
    classes = {1: "A类", 2: "B类", 3: "C类"}
    array = np.tile(np.array([1.0, 2.0, 1.0, 3.0, 1.0]), (3, 1000))
    transform = Affine(10.0, 0.0, origin[0], 0.0, -10.0, origin[1])
    overlay, info = raster_overlay(array, transform, "EPSG:4549", nodata=None, name="评价分类",
                                   unit="", nature="示例数据", classes=classes, max_pixels=1000)
    png = _png_of(overlay)
    drawn = {_hex(p) for p in png[png[:, :, 3] == 255]}
    assert drawn == {info.colors[0]}  # only A类: a class is never averaged


# ----------------------------------------------------------------------------- legend


def test_a_hostile_name_is_escaped_in_legend_and_layer_control(grid):
    array, transform = grid
    m = blank_map("/app/static/vendor/leaflet")
    add_raster_overlay(m, array, transform, "EPSG:4549", nodata=DEFAULT_NODATA, name=HOSTILE,
                       unit=HOSTILE, nature=HOSTILE)
    html = _decoded(finish_map(m, prefix="rs").get_root().render())
    legend = re.search(r"div\.innerHTML = \"(.*?)\";", html, re.S)
    assert legend
    text = legend.group(1)
    assert "&#123;&#123;7*7&#125;&#125;&lt;script&gt;" in text
    visible = re.sub(r"<[^>]*>", "", text)  # what the legend reads (colours aside)
    assert "49" not in visible
    assert "<script>" not in text
    assert "{{" not in text
    assert "{{7*7}}" not in html
    assert "49&lt;script" not in html
    assert html.count("&#123;&#123;7*7&#125;&#125;&lt;script&gt;") >= 3  # title, nature, layer


def test_breaks_never_repeat_nor_read_alike(origin):
    values = np.zeros((10, 10))
    values[0, :5] = [3.0, 3.001, 3.004, 3.02, 9.0]
    transform = Affine(CELL, 0.0, origin[0], 0.0, -CELL, origin[1])
    _overlay, info = raster_overlay(values, transform, "EPSG:4549", nodata=None, name="亩均税收",
                                    unit="万元/亩", nature="示例数据")
    assert len(info.breaks) >= 2
    assert all(a < b for a, b in zip(info.breaks, info.breaks[1:], strict=False))
    assert len(info.breaks) - 1 <= 6
    legend = raster_legend_html(info, name="亩均税收", unit="万元/亩", nature="示例数据")
    rows = re.findall(r"</span>([^<]*?) – ([^<]*?)</div>", legend)
    assert rows
    assert all(a != b for a, b in rows)
    assert len({a for a, _ in rows}) == len(rows)


def test_given_breaks_are_merged_and_capped(grid):
    array, transform = grid
    kw = {"nodata": DEFAULT_NODATA, "name": "亩均税收", "unit": "万元/亩", "nature": "示例数据"}
    _overlay, info = raster_overlay(array, transform, "EPSG:4549", breaks=[0, 5, 5, 10, 10, 20],
                                    **kw)
    assert info.breaks == (0.0, 5.0, 10.0, 20.0)
    with pytest.raises(ValueError, match="最多 6 级"):
        raster_overlay(array, transform, "EPSG:4549", breaks=list(range(9)), **kw)
    _overlay, info = raster_overlay(array, transform, "EPSG:4549", breaks=[4, 8, 12], **kw)
    legend = raster_legend_html(info, name="亩均税收", unit="万元/亩", nature="示例数据")
    assert "＜ 8" in legend
    assert "≥ 8" in legend


def test_a_constant_grid_has_one_class_not_a_collapsed_range(grid):
    array, transform = grid
    const = np.where(np.isfinite(array) & (array != DEFAULT_NODATA), 3.0, DEFAULT_NODATA)
    _overlay, info = raster_overlay(const, transform, "EPSG:4549", nodata=DEFAULT_NODATA,
                                    name="亩均税收", unit="万元/亩", nature="示例数据")
    assert info.breaks == (3.0,)
    legend = raster_legend_html(info, name="亩均税收", unit="万元/亩", nature="示例数据")
    assert "3.0 – 3.0" not in legend
    assert "全部像元同值" in legend


def test_categorical_classes_get_one_colour_each(grid):
    array, transform = grid
    codes = np.array([[1, 2, 3, 4], [4, 3, 2, 1], [1, 1, 2, 2], [0, 0, 3, 4]], dtype="int16")
    classes = {1: "A类", 2: "B类", 3: "C类", 4: "D类<b>"}
    overlay, info = raster_overlay(codes, transform, "EPSG:4549", nodata=0, name="评价分类",
                                   unit="", nature="示例数据", classes=classes)
    assert info.breaks == ()
    assert info.class_values == (1.0, 2.0, 3.0, 4.0)
    assert len(set(info.colors)) == 4
    png = _png_of(overlay)
    for r in range(4):
        for c in range(4):
            px = png[_pixel(info, *_cell_centre(transform, r, c))]
            if codes[r, c] == 0:
                assert px[3] == 0
            else:
                assert px[3] == 255, (r, c)
                assert _hex(px) == info.colors[codes[r, c] - 1], (r, c)
    legend = raster_legend_html(info, name="评价分类", unit="", nature="示例数据",
                                classes=classes)
    for colour, label in zip(info.colors, ["A类", "B类", "C类", "D类&lt;b&gt;"], strict=True):
        assert f"background:{colour};margin-right:4px'></span>{label}</div>" in legend


def test_given_colours_are_used_in_image_and_legend(grid):
    array, transform = grid
    codes = np.where(np.isnan(array), 0, np.where(array > 8, 2, 1)).astype("int16")
    colors = ["#FF0000", "#00ff00"]
    overlay, info = raster_overlay(codes, transform, "EPSG:4549", nodata=0, name="分区",
                                   unit="", nature="示例数据", classes={1: "甲", 2: "乙"},
                                   colors=colors)
    png = _png_of(overlay)
    assert {_hex(p) for p in png[png[:, :, 3] == 255]} == {"#ff0000", "#00ff00"}
    legend = raster_legend_html(info, name="分区", unit="", nature="示例数据",
                                classes={1: "甲", 2: "乙"}, colors=colors)
    assert "background:#ff0000" in legend
    assert "background:#00ff00" in legend


# ----------------------------------------------------------------------------- failures


def test_failures_are_located_and_chinese(grid):
    array, transform = grid
    kw = {"name": "亩均税收", "unit": "万元/亩", "nature": "示例数据"}
    with pytest.raises(DataImportError) as err:
        raster_overlay(np.full((3, 3), DEFAULT_NODATA), transform, "EPSG:4549",
                       nodata=DEFAULT_NODATA, **kw)
    assert "全部为无数据" in err.value.describe("zh")
    with pytest.raises(DataImportError) as err:
        raster_overlay(np.array([[1, 5]]), transform, "EPSG:4549", nodata=None,
                       classes={1: "A类"}, **kw)
    assert "图例未列出的类别值：5" in err.value.describe("zh")
    with pytest.raises(DataImportError, match="CRS"):
        raster_overlay(array, transform, None, nodata=DEFAULT_NODATA, **kw)
    with pytest.raises(ValueError, match="透明度"):
        raster_overlay(array, transform, "EPSG:4549", nodata=DEFAULT_NODATA, opacity=1.5, **kw)
    with pytest.raises(ValueError, match="#rrggbb"):
        raster_overlay(array, transform, "EPSG:4549", nodata=DEFAULT_NODATA,
                       colors=["red; background:url(x)"] * 6, **kw)


# ----------------------------------------------------------------------------- files


def test_a_cog_written_by_the_surface_module_reads_back_through_the_guard(tmp_path, grid):
    array, transform = grid
    path = tmp_path / "surface.tif"
    write_cog(path, array, transform, "EPSG:4549", unit="万元/亩", nature="示例数据", year=2024)
    band, tr, crs, nodata, tags = read_overlay_source(path)
    assert band.shape == (4, 4)
    assert tr == transform
    assert crs.to_epsg() == 4549
    assert nodata == DEFAULT_NODATA
    assert tags["UNIT"] == "万元/亩"
    assert tags["DATA_NATURE"] == "示例数据"
    m = blank_map("/app/static/vendor/leaflet")
    info = add_raster_overlay(m, band, tr, crs, nodata=nodata, name="亩均税收",
                              unit=tags["UNIT"], nature=tags["DATA_NATURE"])
    assert info.source_shape == (4, 4)


def test_a_file_that_is_not_a_geotiff_is_refused(tmp_path):
    fake = tmp_path / "surface.tif"
    fake.write_text("<VRTDataset><VRTRasterBand/></VRTDataset>", encoding="utf-8")
    with pytest.raises(RasterError):
        read_overlay_source(fake)
