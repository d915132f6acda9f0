"""A raster surface on the map: one Leaflet ImageOverlay, its PNG embedded in the page.

A grid — a parcel figure per 100 m cell from :func:`geo.raster.surface.rasterize_parcels`
(EPSG:4549), or a user's GeoTIFF opened by :func:`read_overlay_source` — is drawn as one
``L.imageOverlay`` whose image is a ``data:image/png;base64,…`` URL inside the folium HTML:
nothing is fetched from another port, origin or CDN, so it works on intranets and offline.

How the image is made (:func:`raster_overlay`):

1. **Valid cells.** A cell equal to ``nodata``, NaN or ±inf is nodata; it is fully transparent
   (alpha 0) in the PNG, every other drawn pixel is opaque (alpha 255; ``opacity`` is applied
   by Leaflet to the whole layer).
2. **Reduction.** When the larger side of the grid exceeds ``max_pixels``, the grid is first
   reduced by an integer factor f (blocks of f × f cells, the last ones padded with nodata):
   a numeric block shows the **mean of its valid cells** (nodata does not dilute it, as in
   :mod:`geo.raster.surface`; it is a plain cell mean, for display only, not an area-weighted
   亩均 ratio), a categorical block (``classes`` given) its **mode**, the most frequent valid
   class (ties: the class listed first in ``classes``), so a class is never averaged into a
   value that means nothing. ``OverlayInfo.downsampled`` is then True and the legend states
   the displayed resolution beside the original one.
3. **Reprojection.** Leaflet stretches an ImageOverlay linearly between its corners in Web
   Mercator, so the grid is reprojected with :func:`rasterio.warp.reproject` onto an
   axis-aligned EPSG:3857 grid — exactly the image drawn — and the overlay's bounds are that
   grid's corners converted to EPSG:4326. Resampling is **nearest** for categorical *and*
   numeric grids: every pixel shows a real (or, after step 2, block-mean) value of the grid,
   never an interpolated one. The Mercator pixel is at most half a cell (``oversample``,
   within ``max_pixels``), so the slight rotation between the Gauss-Krüger and the Mercator
   grid neither drops nor doubles cells visibly.
4. **Colours.** Numeric: class edges are ``breaks`` if given, else quantiles of the valid
   (displayed) values; at most 6 classes; edges that are equal, or that would read the same
   in the legend ("3.0 – 3.0"), are merged; a sequential palette (ColorBrewer YlGnBu).
   Values outside given breaks take the end classes and the legend says "＜"/"≥". Categorical:
   one colour per class value, in the order of ``classes``; a value of the grid that
   ``classes`` does not name is refused (no cell is silently hidden).
5. **PNG.** RGBA, 8 bits, filter 0, zlib level 6, encoded here with :mod:`zlib` and
   :mod:`struct` (:func:`encode_png`): no imaging library is in ``requirements.txt`` (Pillow
   only comes with Streamlit), and folium's own writer compresses at level 9, ten times
   slower on a 2048² image for 7 % less.

:func:`raster_legend_html` builds the legend (title, unit, nature of the data, class rows with
the image's colours, "无数据（透明）", resolution); every data string passes through
:func:`layers.text.esc`. :func:`add_raster_overlay` adds both to a map, the legend as the same
control as the overview map's (:class:`layers.map.Legend`).

Failure behaviour: a grid that is not 2-D, has no CRS, has no valid cell, or holds class
values that ``classes`` does not name raises :class:`geo._errors.DataImportError` with its
Chinese ``zh=(problem, fix)``; wrong arguments of the caller (opacity outside 0–1,
``max_pixels`` < 1, unreadable colours, more than 6 classes of breaks) raise ``ValueError``.
:func:`read_overlay_source` raises :class:`geo.raster.safe.RasterError` for a file the guarded
opening refuses.
"""

from __future__ import annotations

import base64
import colorsys
import math
import os
import re
import struct
import zlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import folium
import geopandas as gpd
import numpy as np
from affine import Affine
from pyproj import Geod, Transformer
from rasterio.crs import CRS
from rasterio.enums import Resampling
from rasterio.warp import reproject, transform_bounds

from geo._errors import DataImportError
from geo.labels import RASTER_LEGEND_LABELS
from geo.raster.safe import open_user_raster

from .efficiency import district_outlines
from .map import Legend, blank_map, finish_map
from .text import esc

__all__ = ["CATEGORY_PALETTE", "MAX_CLASSES", "NUMERIC_PALETTE", "OverlayInfo",
           "add_raster_overlay", "encode_png", "raster_legend_html", "raster_overlay",
           "read_overlay_source"]

#: Most classes of a numeric surface.
MAX_CLASSES = 6
#: Sequential palette of numeric classes, light to dark (ColorBrewer YlGnBu 6, colour-blind safe).
NUMERIC_PALETTE = ("#ffffcc", "#c7e9b4", "#7fcdbb", "#41b6c4", "#2c7fb8", "#253494")
#: Qualitative palette of categorical classes (Tableau 10); further classes get spread hues.
CATEGORY_PALETTE = ("#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948",
                    "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac")

_HEX = re.compile(r"^#?([0-9a-fA-F]{6})$")
_GEOD = Geod(ellps="WGS84")
_TO_LONLAT = Transformer.from_crs("EPSG:3857", "EPSG:4326", always_xy=True)
_MERCATOR = CRS.from_epsg(3857)


@dataclass(frozen=True)
class OverlayInfo:
    """What was drawn: bounds, PNG size, reduction, class edges and colours.

    ``bounds`` are ((south, west), (north, east)) in EPSG:4326, the corners of the EPSG:3857
    grid of the image; ``cell_m`` is the ground size of a displayed cell, ``source_cell_m``
    that of the input grid; ``colors`` the colour of each legend row as drawn (numeric classes
    low to high, or the classes in ``class_values`` order); ``value_range`` the (min, max) of
    the displayed valid values.
    """

    bounds: tuple[tuple[float, float], tuple[float, float]]
    width: int
    height: int
    source_shape: tuple[int, int]
    downsampled: bool
    cell_m: float
    breaks: tuple[float, ...]
    png_bytes: int
    source_cell_m: float = math.nan
    colors: tuple[str, ...] = ()
    class_values: tuple[float, ...] = ()
    value_range: tuple[float, float] = (math.nan, math.nan)


# ----------------------------------------------------------------------------- colours


def _hex(colour: str) -> str:
    """``#rrggbb`` in lower case; ValueError for anything else (it reaches HTML and pixels)."""
    found = _HEX.match(str(colour).strip())
    if not found:
        raise ValueError(f"颜色 {colour!r} 不是 #rrggbb 形式的十六进制颜色 "
                         f"(colour {colour!r} is not #rrggbb)")
    return "#" + found.group(1).lower()


def _spread_hue(i: int) -> str:
    """Return a distinct colour for the i-th class beyond the palette (golden-angle hues)."""
    rgb = colorsys.hsv_to_rgb((i * 0.381966) % 1.0, 0.65, 0.85)
    return "#" + "".join(f"{round(c * 255):02x}" for c in rgb)


def _numeric_colors(n: int, colors: Sequence[str] | None) -> tuple[str, ...]:
    """``n`` colours for numeric classes: the given ones (first n) or spread over the palette."""
    if colors is not None:
        given = [_hex(c) for c in colors]
        if len(given) < n:
            raise ValueError(f"需要 {n} 种颜色，只给了 {len(given)} 种 "
                             f"(need {n} colours, got {len(given)})")
        return tuple(given[:n])
    if n == 1:
        return (NUMERIC_PALETTE[-2],)
    picks = np.linspace(0, len(NUMERIC_PALETTE) - 1, n).round().astype(int)
    return tuple(NUMERIC_PALETTE[i] for i in picks)


def _class_colors(n: int, colors: Sequence[str] | None) -> tuple[str, ...]:
    """One colour per categorical class: the given ones, else the palette then spread hues."""
    if colors is not None:
        return _numeric_colors(n, colors)
    return tuple(CATEGORY_PALETTE[i] if i < len(CATEGORY_PALETTE) else _spread_hue(i)
                 for i in range(n))


def _rgba_table(colors: Sequence[str]) -> np.ndarray:
    """(n + 1, 4) uint8 colours, the last row fully transparent (nodata)."""
    rows = [[int(c[i:i + 2], 16) for i in (1, 3, 5)] + [255] for c in colors]
    return np.array([*rows, [0, 0, 0, 0]], dtype="uint8")


def encode_png(rgba: np.ndarray, *, level: int = 6) -> bytes:
    """Encode an (height, width, 4) uint8 RGBA array as PNG (8-bit RGBA, filter 0).

    Parameters
    ----------
    rgba : numpy.ndarray
        Rows top to bottom.
    level : int, keyword-only
        zlib compression level (default 6).

    Returns
    -------
    bytes
    """
    data = np.ascontiguousarray(rgba, dtype="uint8")
    if data.ndim != 3 or data.shape[2] != 4:
        raise ValueError(f"PNG 编码需要 (高, 宽, 4) 的 RGBA 数组，实际为 {data.shape}")
    height, width = data.shape[:2]
    rows = np.concatenate([np.zeros((height, 1), dtype="uint8"),
                           data.reshape(height, width * 4)], axis=1)  # filter byte 0 per row

    def chunk(tag: bytes, body: bytes) -> bytes:
        return (struct.pack("!I", len(body)) + tag + body
                + struct.pack("!I", zlib.crc32(tag + body) & 0xFFFFFFFF))

    return b"".join([b"\x89PNG\r\n\x1a\n",
                     chunk(b"IHDR", struct.pack("!2I5B", width, height, 8, 6, 0, 0, 0)),
                     chunk(b"IDAT", zlib.compress(rows.tobytes(), level)),
                     chunk(b"IEND", b"")])


# ----------------------------------------------------------------------------- numbers


def _decimals(values: Sequence[float]) -> int:
    """Fewest decimals (0–4) at which the distinct ``values`` read distinctly (4 at most)."""
    spread = max(abs(v) for v in values) if values else 0.0
    start = 0 if spread >= 100 else 1 if spread >= 1 else 2
    for d in range(start, 5):
        if len({f"{v:,.{d}f}" for v in values}) == len(set(values)):
            return d
    return 4


def _fmt(value: float, decimals: int) -> str:
    return f"{value:,.{decimals}f}"


def _merge_edges(edges: Sequence[float]) -> tuple[float, ...]:
    """Sorted distinct edges, dropping any that would read like its neighbour in the legend.

    The lowest and the highest edge stay; one edge is returned when all read alike.
    """
    unique = sorted({float(e) for e in edges})
    if len(unique) < 2:
        return tuple(unique)
    d = _decimals(unique)
    kept = [unique[0]]
    for e in unique[1:]:
        if _fmt(e, d) != _fmt(kept[-1], d):
            kept.append(e)
    if len(kept) == 1:
        return (unique[0],)
    kept[-1] = unique[-1]  # the top edge stays the true top (it read like the one kept)
    return tuple(kept)


def _edges(values: np.ndarray, breaks: Sequence[float] | None) -> tuple[float, ...]:
    """Class edges of the valid ``values``: given ``breaks`` or quantiles, merged."""
    if breaks is not None:
        given = [float(b) for b in breaks]
        if not given or not all(math.isfinite(b) for b in given):
            raise ValueError("分级断点须为有限数值 (breaks must be finite numbers)")
        edges = _merge_edges(given)
        if len(edges) - 1 > MAX_CLASSES:
            raise ValueError(f"分级最多 {MAX_CLASSES} 级，给出的断点分为 {len(edges) - 1} 级 "
                             f"(at most {MAX_CLASSES} classes)")
        if len(edges) < 2:
            raise ValueError("分级断点至少需要两个不同的数值 (need two distinct breaks)")
        return edges
    quantiles = np.quantile(values, np.linspace(0.0, 1.0, MAX_CLASSES + 1))
    return _merge_edges([float(q) for q in quantiles])


def _numeric_index(grid: np.ndarray, valid: np.ndarray, edges: tuple[float, ...]) -> np.ndarray:
    """Class index per cell (0 … n-1), ``n`` for nodata; values outside take the end classes."""
    n = max(len(edges) - 1, 1)
    out = np.full(grid.shape, n, dtype="int32")
    if len(edges) < 2:
        out[valid] = 0
        return out
    idx = np.searchsorted(np.asarray(edges), grid[valid], side="right") - 1
    out[valid] = np.clip(idx, 0, n - 1)
    return out


def _class_index(grid: np.ndarray, valid: np.ndarray,
                 values: tuple[float, ...]) -> np.ndarray:
    """Index of each cell's class in ``values``, ``len(values)`` for nodata."""
    out = np.full(grid.shape, len(values), dtype="int32")
    for i, v in enumerate(values):
        out[valid & (grid == v)] = i
    return out


# ----------------------------------------------------------------------------- the grid


def _valid(array: np.ndarray, nodata: float | None) -> tuple[np.ndarray, np.ndarray]:
    """Return the grid as float64 with NaN for nodata, and the mask of valid cells."""
    grid = np.array(array, dtype="float64", copy=True)
    valid = np.isfinite(grid)
    if nodata is not None and not math.isnan(float(nodata)):
        valid &= grid != float(nodata)
    grid[~valid] = np.nan
    return grid, valid


def _blocks(grid: np.ndarray, f: int) -> np.ndarray:
    """(rows/f, cols/f, f*f) blocks of ``grid``, padded with NaN to multiples of ``f``."""
    rows, cols = grid.shape
    pr, pc = -rows % f, -cols % f
    padded = np.pad(grid, ((0, pr), (0, pc)), constant_values=np.nan)
    r, c = padded.shape[0] // f, padded.shape[1] // f
    return padded.reshape(r, f, c, f).transpose(0, 2, 1, 3).reshape(r, c, f * f)


def _reduce(grid: np.ndarray, f: int, classes: tuple[float, ...] | None) -> np.ndarray:
    """Reduce by ``f``: mean of the valid cells (numeric) or their mode (categorical)."""
    blocks = _blocks(grid, f)
    if classes is None:
        valid = np.isfinite(blocks)
        count = valid.sum(axis=2)
        total = np.where(valid, blocks, 0.0).sum(axis=2)
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(count > 0, total / np.maximum(count, 1), np.nan)
    best = np.zeros(blocks.shape[:2], dtype="int64")
    out = np.full(blocks.shape[:2], np.nan)
    for value in classes:  # first listed wins a tie: only a larger count replaces it
        n = (blocks == value).sum(axis=2)
        better = n > best
        out[better] = value
        best[better] = n[better]
    return out


def _corners(transform: Affine, shape: tuple[int, int]) -> tuple[float, float, float, float]:
    """(left, bottom, right, top) of the grid in its CRS (also for a rotated transform)."""
    rows, cols = shape
    xs, ys = zip(*(transform @ (c, r) for c in (0, cols) for r in (0, rows)), strict=True)
    return min(xs), min(ys), max(xs), max(ys)


def _cell_m(transform: Affine, shape: tuple[int, int], crs: CRS) -> float:
    """Ground size (m, geodesic) of the cell at the centre of the grid: √(width × height)."""
    r, c = shape[0] // 2, shape[1] // 2
    pts = [transform @ (c + dc, r + dr) for dc, dr in ((0, 0), (1, 0), (0, 1))]
    to_ll = Transformer.from_crs(crs.to_wkt(), "EPSG:4326", always_xy=True)
    (x0, y0), (x1, y1), (x2, y2) = (to_ll.transform(x, y) for x, y in pts)
    width = _GEOD.inv(x0, y0, x1, y1)[2]
    height = _GEOD.inv(x0, y0, x2, y2)[2]
    return float(math.sqrt(width * height))


def _mercator_grid(transform: Affine, shape: tuple[int, int], crs: CRS, *, max_pixels: int,
                   oversample: int) -> tuple[Affine, int, int]:
    """Axis-aligned EPSG:3857 grid covering the input, its side at most ``max_pixels``.

    The pixel is the Mercator size of the centre cell divided by ``oversample``, made coarser
    when the grid would exceed ``max_pixels``. (Not ``calculate_default_transform``: it needs
    GDAL's VRT driver, which :mod:`geo.raster.safe` turns off.)
    """
    left, bottom, right, top = _corners(transform, shape)
    x0, y0, x1, y1 = transform_bounds(crs, _MERCATOR, left, bottom, right, top, densify_pts=21)
    r, c = shape[0] // 2, shape[1] // 2
    pts = [transform @ (c + dc, r + dr) for dc, dr in ((0, 0), (1, 0), (0, 1))]
    to_merc = Transformer.from_crs(crs.to_wkt(), "EPSG:3857", always_xy=True)
    (ax, ay), (bx, by), (cx, cy) = (to_merc.transform(x, y) for x, y in pts)
    cell = math.sqrt(math.hypot(bx - ax, by - ay) * math.hypot(cx - ax, cy - ay))
    res = max(cell / max(int(oversample), 1), max(x1 - x0, y1 - y0) / max_pixels)
    width = max(1, min(max_pixels, math.ceil((x1 - x0) / res - 1e-9)))
    height = max(1, min(max_pixels, math.ceil((y1 - y0) / res - 1e-9)))
    return Affine(res, 0.0, x0, 0.0, -res, y1), width, height


def _to_mercator(grid: np.ndarray, transform: Affine, crs: CRS, dst: Affine,
                 size: tuple[int, int]) -> np.ndarray:
    """``grid`` (NaN = nodata) on the Mercator grid, nearest resampling, NaN outside."""
    out = np.full(size, np.nan, dtype="float64")
    reproject(grid, out, src_transform=transform, src_crs=crs, src_nodata=np.nan,
              dst_transform=dst, dst_crs=_MERCATOR, dst_nodata=np.nan,
              resampling=Resampling.nearest)
    return out


def _lonlat_bounds(dst: Affine, width: int, height: int
                   ) -> tuple[tuple[float, float], tuple[float, float]]:
    """((south, west), (north, east)) of the Mercator grid in EPSG:4326."""
    west, north = _TO_LONLAT.transform(dst.c, dst.f)
    east, south = _TO_LONLAT.transform(dst.c + dst.a * width, dst.f + dst.e * height)
    return (float(south), float(west)), (float(north), float(east))


def _check_grid(array: np.ndarray, crs: object) -> CRS:
    if np.ndim(array) != 2:
        raise DataImportError(
            f"the raster must be one 2-D band, got shape {np.shape(array)}",
            fix="pass one band (rows × columns)",
            zh=(f"栅格须为单波段二维数组，实际形状为 {np.shape(array)}",
                "请只传入一个波段（行 × 列）"))
    if crs is None:
        raise DataImportError(
            "the raster has no CRS", fix="give the CRS of the grid (e.g. EPSG:4549)",
            zh=("栅格没有坐标参考系（CRS）", "请指定栅格的坐标系（如 EPSG:4549）"))
    return CRS.from_user_input(crs)


def _check_args(opacity: float, max_pixels: int) -> None:
    if not 0.0 <= float(opacity) <= 1.0:
        raise ValueError(f"透明度须在 0 到 1 之间，实际为 {opacity} (opacity must be in 0–1)")
    if int(max_pixels) < 1:
        raise ValueError(f"max_pixels 须为正整数，实际为 {max_pixels}")


def _class_values(grid: np.ndarray, valid: np.ndarray,
                  classes: Mapping[float, str]) -> tuple[float, ...]:
    """Return the class values in ``classes`` order; refuse grid values that it does not name."""
    values = tuple(float(k) for k in classes)
    present = np.unique(grid[valid])
    unknown = present[~np.isin(present, np.asarray(values, dtype="float64"))]
    if unknown.size:
        shown = "、".join(f"{v:g}" for v in unknown[:10])
        raise DataImportError(
            f"the raster holds class values not named in the legend: {shown}",
            fix="name every class value, or set the others to nodata",
            zh=(f"栅格中有图例未列出的类别值：{shown}",
                "请为每个类别值给出名称，或把其余的值设为无数据"))
    return values


# ----------------------------------------------------------------------------- public


def raster_overlay(array: np.ndarray, transform: Affine, crs: object, *,
                   nodata: float | None, name: str, unit: str, nature: str,
                   opacity: float = 0.7, breaks: Sequence[float] | None = None,
                   classes: Mapping[float, str] | None = None, max_pixels: int = 2048,
                   colors: Sequence[str] | None = None, oversample: int = 2,
                   ) -> tuple[folium.raster_layers.ImageOverlay, OverlayInfo]:
    """Build the ImageOverlay of a grid, its PNG embedded as a ``data:`` URL.

    Parameters
    ----------
    array : numpy.ndarray
        One band, rows × columns (any numeric dtype).
    transform : affine.Affine
        The grid's transform (rotation allowed).
    crs : rasterio CRS, pyproj CRS or str
        The grid's CRS (e.g. EPSG:4549 for :func:`geo.raster.surface.rasterize_parcels`).
    nodata : float or None, keyword-only
        Value of cells without data (NaN and ±inf are nodata too); transparent.
    name, unit, nature : str, keyword-only
        Layer name (in the layer control, escaped), unit and nature of the data (示例数据 or
        the dataset's name); the last two are for :func:`raster_legend_html`.
    opacity : float, keyword-only
        Opacity of the layer, 0–1 (default 0.7), passed to Leaflet.
    breaks : sequence of float, keyword-only
        Class edges of a numeric grid (default: quantiles); at most 6 classes after merging.
    classes : mapping of value to name, keyword-only
        Makes the grid categorical: one colour per value, in this order.
    max_pixels : int, keyword-only
        Largest side of the input grid drawn without reduction, and of the PNG (default 2048).
    colors : sequence of "#rrggbb", keyword-only
        Colours of the classes (numeric: low to high; categorical: in ``classes`` order).
    oversample : int, keyword-only
        Mercator pixels per cell side when room is left under ``max_pixels`` (default 2).

    Returns
    -------
    (folium.raster_layers.ImageOverlay, OverlayInfo)
        The overlay (not added to a map) and what it shows.

    Raises
    ------
    DataImportError
        Not 2-D, no CRS, no valid cell, or class values not in ``classes`` (Chinese ``zh``).
    ValueError
        ``opacity`` outside 0–1, ``max_pixels`` < 1, bad colours or breaks.
    """
    src_crs = _check_grid(array, crs)
    _check_args(opacity, max_pixels)
    grid, valid = _valid(np.asarray(array), nodata)
    if not valid.any():
        raise DataImportError(
            f"the raster {name!r} has no cell with data (all nodata)",
            fix="check the nodata value and that the grid covers the data",
            zh=(f"栅格“{name}”没有任何有数据的像元（全部为无数据）",
                "请检查无数据值（nodata）的设置，并确认栅格覆盖了有数据的范围"))
    values = _class_values(grid, valid, classes) if classes is not None else None
    source_shape = (int(grid.shape[0]), int(grid.shape[1]))
    source_cell = _cell_m(transform, source_shape, src_crs)
    factor = math.ceil(max(source_shape) / int(max_pixels))
    shown, shown_transform = grid, transform
    if factor > 1:
        shown = _reduce(grid, factor, values)
        shown_transform = transform @ Affine.scale(factor)
    shown_valid = np.isfinite(shown)
    dst, width, height = _mercator_grid(shown_transform, shown.shape, src_crs,
                                        max_pixels=int(max_pixels), oversample=oversample)
    merc = _to_mercator(shown, shown_transform, src_crs, dst, (height, width))
    merc_valid = np.isfinite(merc)
    if values is not None:
        edges: tuple[float, ...] = ()
        row_colors = _class_colors(len(values), colors)
        index = _class_index(merc, merc_valid, values)
    else:
        edges = _edges(shown[shown_valid], breaks)
        row_colors = _numeric_colors(max(len(edges) - 1, 1), colors)
        index = _numeric_index(merc, merc_valid, edges)
    rgba = _rgba_table(row_colors)[index]  # index len(row_colors): nodata, transparent
    png = encode_png(rgba)
    url = "data:image/png;base64," + base64.b64encode(png).decode("ascii")
    bounds = _lonlat_bounds(dst, width, height)
    overlay = folium.raster_layers.ImageOverlay(
        image=url, bounds=[list(bounds[0]), list(bounds[1])], opacity=float(opacity),
        name=esc(name), alt=esc(f"{name}（{unit}）{nature}"), pixelated=True,
        interactive=False)
    info = OverlayInfo(
        bounds=bounds, width=width, height=height, source_shape=source_shape,
        downsampled=factor > 1, cell_m=source_cell * factor, breaks=edges,
        png_bytes=len(png), source_cell_m=source_cell, colors=row_colors,
        class_values=values or (),
        value_range=(float(np.min(shown[shown_valid])), float(np.max(shown[shown_valid]))))
    return overlay, info


def _metres(value: float) -> str:
    label = RASTER_LEGEND_LABELS
    if not math.isfinite(value):
        return ""
    if value >= 1000:
        return label["kilometres"].format(value=f"{value / 1000:,.1f}")
    shown = f"{value:,.1f}".rstrip("0").rstrip(".") if value < 9.95 else f"{value:,.0f}"
    return label["metres"].format(value=shown)


def _swatch(colour: str, text: str) -> str:
    """One legend row; ``colour`` is a checked #rrggbb, ``text`` already escaped."""
    return (f"<div><span style='display:inline-block;width:14px;height:10px;"
            f"background:{esc(colour)};margin-right:4px'></span>{text}</div>")


def _numeric_rows(info: OverlayInfo, colors: tuple[str, ...]) -> list[str]:
    edges = info.breaks
    low, high = info.value_range
    if len(edges) < 2:
        only = edges[0] if edges else low
        d = _decimals([only])
        return [_swatch(colors[0], esc(RASTER_LEGEND_LABELS["only"].format(
            value=_fmt(only, d))))]
    d = _decimals(list(edges))
    rows = []
    for i in range(len(edges) - 1):
        a, b = _fmt(edges[i], d), _fmt(edges[i + 1], d)
        text = f"{a} – {b}"
        if i == 0 and low < edges[0]:
            text = RASTER_LEGEND_LABELS["below"].format(value=b)
        if i == len(edges) - 2 and high > edges[-1]:
            text = RASTER_LEGEND_LABELS["at_least"].format(value=a)
        rows.append(_swatch(colors[i], esc(text)))
    return rows


def raster_legend_html(info: OverlayInfo, *, name: str, unit: str, nature: str,
                       classes: Mapping[float, str] | None = None,
                       colors: Sequence[str] | None = None) -> str:
    """Return the legend of an overlay: title, classes with the image's colours, nodata, scale.

    Parameters
    ----------
    info : OverlayInfo
        From :func:`raster_overlay`.
    name, unit, nature : str, keyword-only
        Title, unit and the nature of the data (示例数据 or the dataset's name); escaped.
    classes : mapping of value to name, keyword-only
        Names of the categorical classes (escaped); a value without a name shows as itself.
    colors : sequence of "#rrggbb", keyword-only
        The ``colors`` given to :func:`raster_overlay`, if any (default: ``info.colors``, the
        colours drawn).

    Returns
    -------
    str
        HTML for :class:`layers.map.Legend`; every data string passes through
        :func:`layers.text.esc`.
    """
    categorical = bool(info.class_values) or classes is not None
    n = len(info.class_values) if categorical else max(len(info.breaks) - 1, 1)
    if colors is not None:
        row_colors = (_class_colors if categorical else _numeric_colors)(n, colors)
    else:
        row_colors = info.colors or (_class_colors if categorical else _numeric_colors)(n, None)
    if categorical:
        names = {float(k): str(v) for k, v in (classes or {}).items()}
        values = info.class_values or tuple(names)
        rows = [_swatch(c, esc(names.get(v, f"{v:g}")))
                for v, c in zip(values, row_colors, strict=False)]
    else:
        rows = _numeric_rows(info, row_colors)
    rows.append("<div><span style='display:inline-block;width:12px;height:8px;"
                "border:1px dashed #999;margin-right:4px'></span>"
                f"{esc(RASTER_LEGEND_LABELS['nodata'])}</div>")
    if info.downsampled:
        scale = RASTER_LEGEND_LABELS["downsampled"].format(
            cell=_metres(info.cell_m), source=_metres(info.source_cell_m))
    else:
        scale = RASTER_LEGEND_LABELS["resolution"].format(cell=_metres(info.cell_m))
    title = f"{name}（{unit}）" if unit else name
    return ("<div style='background:rgba(255,255,255,.92);padding:6px 8px;border-radius:4px;"
            f"font-size:12px;line-height:1.5'><b>{esc(title)}</b>{''.join(rows)}"
            f"<div style='color:#555'>{esc(scale)}</div>"
            f"<div style='color:#b45309;max-width:220px'>{esc(nature)}</div></div>")


def add_raster_overlay(m: folium.Map, array: np.ndarray, transform: Affine, crs: object, *,
                       nodata: float | None, name: str, unit: str, nature: str,
                       opacity: float = 0.7, breaks: Sequence[float] | None = None,
                       classes: Mapping[float, str] | None = None, max_pixels: int = 2048,
                       colors: Sequence[str] | None = None, oversample: int = 2,
                       ) -> OverlayInfo:
    """Add the overlay of a grid and its legend (a fixed control) to ``m``.

    Parameters
    ----------
    m : folium.Map
        The map (e.g. from :func:`layers.map.blank_map`).
    array, transform, crs
        The grid, as for :func:`raster_overlay`.
    nodata, name, unit, nature, opacity, breaks, classes, max_pixels, colors, oversample
        As for :func:`raster_overlay`; the legend is :func:`raster_legend_html` of the result.

    Returns
    -------
    OverlayInfo

    Raises
    ------
    DataImportError, ValueError
        As :func:`raster_overlay`; nothing is added to ``m`` then.
    """
    overlay, info = raster_overlay(
        array, transform, crs, nodata=nodata, name=name, unit=unit, nature=nature,
        opacity=opacity, breaks=breaks, classes=classes, max_pixels=max_pixels, colors=colors,
        oversample=oversample)
    overlay.add_to(m)
    Legend(raster_legend_html(info, name=name, unit=unit, nature=nature, classes=classes,
                              colors=colors)).add_to(m)
    return info


def read_overlay_source(path: str | os.PathLike[str], *, max_side: int = 2048,
                        categorical: bool = False
                        ) -> tuple[np.ndarray, Affine, CRS, float | None, dict[str, str]]:
    """Read band 1 of a user's GeoTIFF through :func:`geo.raster.safe.open_user_raster`.

    Parameters
    ----------
    path : path-like
        A GeoTIFF on disk (e.g. one written by :func:`geo.raster.surface.write_cog`, whose
        tags ``UNIT``, ``DATA_NATURE`` and ``YEAR`` give the legend's unit and nature).

    max_side : int
        Largest side read, in cells: a larger raster is read decimated (GDAL uses the COG's
        overviews; ``average`` of valid cells, or ``nearest`` when ``categorical``), so a
        city-wide 10 m raster costs a few MB, not GB. The transform returned is the read one.
    categorical : bool
        Classes: decimate by nearest (never an average of class codes).

    Returns
    -------
    (numpy.ndarray, affine.Affine, rasterio.crs.CRS, float or None, dict of str)
        Band 1, its transform, CRS, nodata value and the dataset's tags (newlines in tag
        values collapsed to spaces). When the file has no nodata value but an internal
        mask, the band is returned as float64 with NaN in the masked cells.

    Raises
    ------
    RasterError
        When the guarded opening refuses the file (see :mod:`geo.raster.safe`).
    """
    with open_user_raster(path) as src:
        factor = max(1, math.ceil(max(src.width, src.height) / max_side))
        shape = (max(1, math.ceil(src.height / factor)), max(1, math.ceil(src.width / factor)))
        band = src.read(1, masked=True, out_shape=shape,
                        resampling=Resampling.nearest if categorical or factor == 1
                        else Resampling.average)
        transform = src.transform @ Affine.scale(src.width / shape[1], src.height / shape[0])
        nodata = None if src.nodata is None else float(src.nodata)
        mask = np.ma.getmaskarray(band)
        if nodata is None and mask.any():
            array = band.astype("float64").filled(np.nan)
        else:
            array = np.ma.getdata(band)
        tags = {str(k): " ".join(str(v).split()) for k, v in src.tags().items()}
        return np.asarray(array), transform, src.crs, nodata, tags


def build_raster_map(array: np.ndarray, transform: Affine, crs: object, *, nodata: float | None,
                     name: str, unit: str, nature: str, opacity: float = 0.75,
                     classes: Mapping[float, str] | None = None,
                     breaks: Sequence[float] | None = None,
                     districts: gpd.GeoDataFrame | None = None,
                     asset_base: str = "/app/static/vendor/leaflet",
                     max_pixels: int = 2048) -> tuple[folium.Map, OverlayInfo]:
    """Map one grid: district outlines, the overlay and its legend, fitted to the grid.

    Leaflet comes from the app's own static folder and the image is embedded in the page, so
    nothing is fetched from another origin. Raises as :func:`raster_overlay`.
    """
    m = blank_map(asset_base)
    district_outlines(m, districts)
    info = add_raster_overlay(m, array, transform, crs, nodata=nodata, name=name, unit=unit,
                              nature=nature, opacity=opacity, classes=classes,
                              breaks=breaks, max_pixels=max_pixels)
    return finish_map(m, prefix="rs", bounds=info.bounds), info
