"""Printable maps drawn by geopandas/matplotlib (Agg, no browser) with a CJK font.

:func:`map_figure` draws any list of layers in metres (EPSG:4549 by default, so the scale bar is
true) with a legend whose symbols are built from the same styles the layers are drawn with, a
round scale bar in 公里, a north arrow, title, subtitle, date (YYYY年MM月DD日) and the data notice.
:func:`zone_map` is the map of one 重点工业集聚区 with its 分片, the 特色小镇, 高新区分园 and bases
around it and the districts. The app's “导出地图” uses :func:`map_figure` with the view's bounds.
"""

from __future__ import annotations

import datetime as dt
import io
import math
import textwrap
from collections.abc import Iterable, Mapping, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, cast

import geopandas as gpd
import numpy as np
import pandas as pd
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from pyproj import CRS
from shapely.geometry import box

from geo.crs import AREA_CRS, NINGBO_VIEW
from geo.labels import (
    DISTRICT_BOUNDARY_SOURCE,
    MAP_LAYERS,
    RASTER_LEGEND_LABELS,
    REPORT_SCHEMATIC_NOTICE,
    REPORT_TEXTS,
)
from geo.reports.fonts import CJK_FAMILY, require_cjk_font

if TYPE_CHECKING:
    from matplotlib.artist import Artist
    from matplotlib.axes import Axes
    from shapely.geometry import Polygon

__all__ = ["Style", "Layer", "map_figure", "zone_map", "zone_layers", "report_date",
           "scale_length_m", "selection_map", "MM_PER_INCH"]
# matplotlib draws off-screen (Agg), never through pyplot: safe in the app's threads.

MM_PER_INCH = 25.4
_PT_MM = 25.4 / 72.0
#: Nice scale-bar lengths (metres).
_NICE_M = (50, 100, 200, 250, 500, 1000, 2000, 2500, 5000, 10000, 20000, 25000, 50000, 100000)


@dataclass(frozen=True)
class Style:
    """How one layer is drawn (and, identically, its legend symbol).

    ``kind`` is ``polygon``, ``line`` or ``point``; ``markersize`` is a diameter in points;
    ``label_column`` names the column whose text is written on the map (clutter is skipped).
    """

    kind: str = "polygon"
    facecolor: str = "none"
    edgecolor: str = "#333333"
    linewidth: float = 0.8
    linestyle: str = "-"
    alpha: float = 1.0
    marker: str = "o"
    markersize: float = 5.0
    zorder: int = 2
    label_column: str | None = None
    label_size: float = 6.0
    label_color: str = "#1f2937"


#: A layer to draw: its features, its style (a Style or a mapping of Style fields), its legend
#: text (None: not in the legend).
Layer = tuple[gpd.GeoDataFrame, "Style | Mapping[str, Any]", "str | None"]


def report_date(day: dt.date | None = None) -> str:
    """Return ``day`` (default today) as YYYY年MM月DD日."""
    day = day or dt.date.today()
    return REPORT_TEXTS["date"].format(year=day.year, month=day.month, day=day.day)


def scale_length_m(width_m: float) -> int:
    """Return a round scale-bar length (metres) of at most a fifth of ``width_m``."""
    target = width_m / 5.0
    fits = [n for n in _NICE_M if n <= target]
    return fits[-1] if fits else _NICE_M[0]


def _style(style: Style | Mapping[str, Any]) -> Style:
    return style if isinstance(style, Style) else Style(**dict(style))


def _projected_bounds(bounds: Sequence[float], crs: CRS) -> tuple[float, float, float, float]:
    shape = gpd.GeoSeries([box(*bounds)], crs="EPSG:4326").to_crs(crs)
    x0, y0, x1, y1 = shape.total_bounds
    return float(x0), float(y0), float(x1), float(y1)


def _fit(bounds: tuple[float, float, float, float], aspect: float
         ) -> tuple[float, float, float, float]:
    """Widen ``bounds`` so that width / height equals ``aspect`` (the axes' own)."""
    x0, y0, x1, y1 = bounds
    w, h = max(x1 - x0, 1.0), max(y1 - y0, 1.0)
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
    if w / h < aspect:
        w = h * aspect
    else:
        h = w / aspect
    return cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2


class _Canvas(FigureCanvasAgg):
    """An Agg canvas drawn once, when saved (geopandas asks for a redraw after every layer)."""

    def draw_idle(self, *args: object, **kwargs: object) -> None:
        """Do nothing: the figure is drawn when it is saved."""


def _legend(ax: Axes, handles: list, loc: str, size_pt: float) -> None:
    if handles:
        ax.legend(handles=handles, loc=cast(Any, loc),
                  prop={"family": CJK_FAMILY, "size": size_pt - 0.5}, framealpha=0.92,
                  borderpad=0.5, handlelength=1.8, edgecolor="#9ca3af").set_zorder(40)


def _view(bounds: Sequence[float] | None, drawn: list[tuple[gpd.GeoDataFrame, Style, Any]],
          crs: CRS) -> tuple[float, float, float, float]:
    """Return the area to show in ``crs``: ``bounds``, else all layers with a margin."""
    if bounds is not None:
        return _projected_bounds(bounds, crs)
    if not drawn:
        return _projected_bounds(NINGBO_VIEW, crs)
    tb = np.array([f.total_bounds for f, _, _ in drawn])
    x0, y0, x1, y1 = tb[:, 0].min(), tb[:, 1].min(), tb[:, 2].max(), tb[:, 3].max()
    pad = max(x1 - x0, y1 - y0) * 0.05 + 200
    return float(x0 - pad), float(y0 - pad), float(x1 + pad), float(y1 + pad)


def _header(fig: Figure, title: str, subtitle: str, h_mm: float, size_pt: float) -> None:
    y = 1 - 1.0 / h_mm
    if title:
        fig.text(0.5, y, title, ha="center", va="top", fontsize=size_pt + 4.5,
                 fontweight="bold", fontfamily=CJK_FAMILY)
        y -= 7.0 / h_mm
    if subtitle:
        fig.text(0.5, y, subtitle, ha="center", va="top", fontsize=size_pt,
                 fontfamily=CJK_FAMILY, color="#374151")


def _legend_handle(style: Style, label: str) -> Artist:
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    if style.kind == "point":
        return Line2D([], [], marker=style.marker, linestyle="none",
                      markersize=style.markersize, markerfacecolor=style.facecolor,
                      markeredgecolor=style.edgecolor, markeredgewidth=style.linewidth,
                      alpha=style.alpha, label=label)
    if style.kind == "line":
        return Line2D([], [], color=style.edgecolor, linewidth=style.linewidth,
                      linestyle=cast(Any, style.linestyle), alpha=style.alpha, label=label)
    return Patch(facecolor=style.facecolor, edgecolor=style.edgecolor,
                 linewidth=style.linewidth, linestyle=cast(Any, style.linestyle), alpha=style.alpha,
                 label=label)


def _draw(ax: Axes, frame: gpd.GeoDataFrame, style: Style) -> None:
    if style.kind == "point":
        frame.plot(ax=ax, marker=style.marker, markersize=style.markersize ** 2,
                   facecolor=style.facecolor, edgecolor=style.edgecolor,
                   linewidth=style.linewidth, alpha=style.alpha, zorder=style.zorder)
    elif style.kind == "line":
        frame.boundary.plot(ax=ax, color=style.edgecolor, linewidth=style.linewidth,
                            linestyle=style.linestyle, alpha=style.alpha, zorder=style.zorder)
    else:
        frame.plot(ax=ax, facecolor=style.facecolor, edgecolor=style.edgecolor,
                   linewidth=style.linewidth, linestyle=style.linestyle, alpha=style.alpha,
                   zorder=style.zorder)


def _labels(ax: Axes, frame: gpd.GeoDataFrame, style: Style, view: Polygon, placed: list,
            min_gap: float) -> None:
    """Write ``style.label_column`` at each feature's point in view, skipping crowded ones."""
    from matplotlib import patheffects

    col = style.label_column
    if not col or col not in frame.columns:
        return
    points = frame.geometry.representative_point()
    for text, pt in zip(frame[col], points, strict=True):
        if pt is None or pt.is_empty or not view.contains(pt) or not str(text or ""):
            continue
        if any(math.hypot(pt.x - x, pt.y - y) < min_gap for x, y in placed):
            continue
        placed.append((pt.x, pt.y))
        dy = style.markersize * 0.9 if style.kind == "point" else 0.0
        ax.annotate(str(text), (pt.x, pt.y), xytext=(0, dy), textcoords="offset points",
                    ha="center", va="bottom" if dy else "center", fontsize=style.label_size,
                    color=style.label_color, zorder=20, fontfamily=CJK_FAMILY,
                    path_effects=[patheffects.withStroke(linewidth=2.2, foreground="white")])


def _scale_bar(ax: Axes, view: tuple[float, float, float, float], size_pt: float) -> None:
    from matplotlib.patches import Rectangle

    x0, y0, x1, y1 = view
    length = scale_length_m(x1 - x0)
    h = (y1 - y0) * 0.012
    left, bottom = x0 + (x1 - x0) * 0.03, y0 + (y1 - y0) * 0.04
    half = length / 2
    ax.add_patch(Rectangle((left - (x1 - x0) * 0.015, bottom - h * 1.5),
                           length + (x1 - x0) * 0.045, h * 6.5, facecolor="white",
                           edgecolor="none", alpha=0.85, zorder=29))
    for i, colour in enumerate(("#111111", "#ffffff")):
        ax.add_patch(Rectangle((left + i * half, bottom), half, h, facecolor=colour,
                               edgecolor="#111111", linewidth=0.6, zorder=30))
    if length >= 1000:
        km = length / 1000
        text = RASTER_LEGEND_LABELS["kilometres"].format(value=f"{km:g}")
    else:
        text = RASTER_LEGEND_LABELS["metres"].format(value=f"{length:g}")
    for x, t in ((left, "0"), (left + length, text)):
        ax.text(x, bottom + h * 1.6, t, ha="center", va="bottom", fontsize=size_pt,
                fontfamily=CJK_FAMILY, zorder=30)


def _north_arrow(ax: Axes, size_pt: float) -> None:
    ax.annotate("", xy=(0.955, 0.95), xytext=(0.955, 0.84), xycoords="axes fraction",
                arrowprops={"facecolor": "#111111", "edgecolor": "#111111", "width": 2.2,
                            "headwidth": 8, "headlength": 9}, zorder=30)
    ax.text(0.955, 0.955, REPORT_TEXTS["north"], transform=ax.transAxes, ha="center",
            va="bottom", fontsize=size_pt + 1, fontweight="bold", fontfamily=CJK_FAMILY,
            zorder=30)


def map_figure(layers: Iterable[Layer], *, bounds: Sequence[float] | None = None,
               title: str = "", subtitle: str = "", notice: str = "", fmt: str = "png",
               size_mm: tuple[float, float] = (180.0, 120.0), dpi: int = 200,
               crs: CRS | str | int = AREA_CRS, date: dt.date | None = None,
               legend_loc: str = "lower right", simplify_m: float = 0.0) -> bytes:
    """Draw ``layers`` as a printable map and return the image file's bytes.

    Parameters
    ----------
    layers : iterable of (GeoDataFrame, Style or mapping, legend text or None)
        Drawn in order (later above earlier); empty layers are skipped, also in the legend.
    bounds : (west, south, east, north) in lon/lat, optional
        The area to show (widened to the figure's shape); default: all layers.
    title, subtitle : str
        Printed above the map (omitted when empty).
    notice : str
        The data notice (示例数据, 示意范围 …) printed under the map, wrapped.
    fmt : {"png", "pdf"}
    size_mm : (width, height)
        Size of the whole figure in millimetres.
    dpi : int
        Resolution of a PNG.
    crs : CRS, keyword-only
        A metric CRS to draw in (default EPSG:4549, or EPSG:3857 for web views).
    date : date, optional
        Printed as 制图日期 (default today).
    legend_loc : str
        Where the legend sits (matplotlib's names).
    simplify_m : float
        Simplify lines and polygons to this tolerance in metres before drawing (0: as stored).

    Returns
    -------
    bytes
        PNG or PDF.
    """
    require_cjk_font()
    if fmt not in ("png", "pdf"):
        raise ValueError(f"unknown map format {fmt!r}. Fix: use png or pdf")
    drawn = [(f.to_crs(crs), _style(s), lab) for f, s, lab in layers
             if f is not None and len(f) and not f.geometry.is_empty.all()]
    if simplify_m:
        drawn = [(f.set_geometry(f.geometry.simplify(simplify_m)) if s.kind != "point" else f,
                  s, lab) for f, s, lab in drawn]
    w_mm, h_mm = size_mm
    top_mm = (7.0 if title else 0.0) + (4.5 if subtitle else 0.0) + 1.5
    base_pt = max(6.0, min(8.0, w_mm / 26.0))
    chars = max(20, int((w_mm - 8) / (base_pt * _PT_MM * 1.02)))
    lines = [REPORT_TEXTS["drawn_on"].format(date=report_date(date))]
    lines += textwrap.wrap(notice, chars) if notice else []
    foot_mm = 1.5 + len(lines) * base_pt * _PT_MM * 1.45
    fig = Figure(figsize=(w_mm / MM_PER_INCH, h_mm / MM_PER_INCH), dpi=dpi)

    _Canvas(fig)
    fig.patch.set_facecolor("white")
    ax = fig.add_axes((2 / w_mm, foot_mm / h_mm, 1 - 4 / w_mm,
                       1 - (foot_mm + top_mm) / h_mm))
    ax.set_xticks([])
    ax.set_yticks([])
    ax_w = w_mm - 4
    ax_h = h_mm - foot_mm - top_mm
    view = _fit(_view(bounds, drawn, CRS.from_user_input(crs)), ax_w / ax_h)
    view_box = box(*view)
    handles = []
    for frame, style, label in drawn:
        clipped = frame[frame.intersects(view_box)]
        if clipped.empty:
            continue
        _draw(ax, clipped, style)
        if label:
            handles.append(_legend_handle(style, label))
    placed: list[tuple[float, float]] = []
    gap = (view[2] - view[0]) * 0.06
    for frame, style, _ in reversed(drawn):  # upper layers' names first
        _labels(ax, frame[frame.intersects(view_box)], style, view_box, placed, gap)
    ax.set_xlim(view[0], view[2])
    ax.set_ylim(view[1], view[3])
    ax.set_aspect("equal", adjustable="box")
    ax.set_xticks([])
    ax.set_yticks([])
    ax.set_xlabel("")
    ax.set_ylabel("")
    for spine in ax.spines.values():
        spine.set_linewidth(0.6)
        spine.set_color("#555555")
    _legend(ax, handles, legend_loc, base_pt)
    _scale_bar(ax, view, base_pt - 0.5)
    _north_arrow(ax, base_pt)
    _header(fig, title, subtitle, h_mm, base_pt)
    fig.text(2 / w_mm, 0.6 / h_mm, "\n".join(lines), ha="left", va="bottom",
             fontsize=base_pt - 1, fontfamily=CJK_FAMILY, color="#374151", linespacing=1.3)
    buf = io.BytesIO()
    with _pdf_fonts():
        options: dict[str, Any] = {"pil_kwargs": {"compress_level": 1}} if fmt == "png" else {}
        fig.savefig(buf, format=fmt, dpi=dpi, facecolor="white", **options)
    return buf.getvalue()


def _pdf_fonts() -> AbstractContextManager[None]:
    """Embed the CJK glyphs as Type 3 fonts in PDF maps, for this save only.

    Type 42 (TrueType) would embed from the 20 MB font collection and takes ~10× longer.
    """
    import matplotlib

    return matplotlib.rc_context({"pdf.fonttype": 3})


#: Styles of the catalogue's levels on printed maps (point-like layers above polygons).
_STYLES = {
    "district": Style(facecolor="#f5f5f4", edgecolor="#78716c", linewidth=0.7, zorder=1,
                      label_column="name", label_size=6.5, label_color="#57534e"),
    "zone": Style(facecolor="#fdba74", edgecolor="#c2410c", linewidth=1.2, alpha=0.55, zorder=3),
    "other_zone": Style(facecolor="#fed7aa", edgecolor="#fb923c", linewidth=0.6, alpha=0.4,
                        zorder=2),
    "subzone": Style(facecolor="none", edgecolor="#9a3412", linewidth=0.8, linestyle="--",
                     zorder=4, label_column="label", label_size=6.0, label_color="#7c2d12"),
    "branch": Style(facecolor="none", edgecolor="#1d4ed8", linewidth=1.0, linestyle=":",
                    zorder=5),
    "town": Style(kind="point", facecolor="#dc2626", edgecolor="white", linewidth=0.5,
                  marker="o", markersize=5.0, zorder=7, label_column="name", label_size=5.5,
                  label_color="#991b1b"),
    "base": Style(kind="point", facecolor="#7c3aed", edgecolor="white", linewidth=0.5,
                  marker="^", markersize=6.0, zorder=8),
}


def zone_layers(catalog: Mapping[str, gpd.GeoDataFrame], entity_id: str) -> list[Layer]:
    """Return the layers of :func:`zone_map`: districts, zones, 分片, 分园, towns, bases."""
    zones = catalog["zone"]
    me = zones[zones["id"] == entity_id]
    others = zones[zones["id"] != entity_id]
    subzones = catalog["subzone"]
    parts = subzones[subzones["zone_id"] == entity_id].copy()
    parts["label"] = parts["id"].astype(str)
    return [
        (catalog["district"], _STYLES["district"], MAP_LAYERS["district"]),
        (others, _STYLES["other_zone"], REPORT_TEXTS["other_zones"]),
        (me, _STYLES["zone"], MAP_LAYERS["zone"]),
        (parts, _STYLES["subzone"], MAP_LAYERS["subzone"]),
        (catalog["branch"], _STYLES["branch"], MAP_LAYERS["branch"]),
        (catalog["town"], _STYLES["town"], MAP_LAYERS["town"]),
        (catalog["base"], _STYLES["base"], MAP_LAYERS["base"]),
    ]


def zone_map(entity_id: str, catalog: Mapping[str, gpd.GeoDataFrame], *, fmt: str = "png",
             size_mm: tuple[float, float] = (180.0, 100.0), dpi: int = 200, title: str = "",
             subtitle: str = "", notice: str | None = None) -> bytes:
    """Map of zone ``entity_id`` with its 分片, the towns, 分园, bases and districts around it.

    ``notice`` defaults to the schematic notice and the districts' source.
    """
    zones = catalog["zone"]
    me = zones[zones["id"] == entity_id]
    if me.empty:
        raise ValueError(f"no zone with id {entity_id!r}. Fix: pick an id from the catalogue")
    x0, y0, x1, y1 = me.total_bounds
    pad_x, pad_y = (x1 - x0) * 0.12 + 0.005, (y1 - y0) * 0.12 + 0.005
    if notice is None:
        notice = f"{REPORT_SCHEMATIC_NOTICE} 区县边界：{DISTRICT_BOUNDARY_SOURCE}。"
    layers = zone_layers(catalog, entity_id)
    return map_figure(layers, bounds=(x0 - pad_x, y0 - pad_y, x1 + pad_x, y1 + pad_y),
                      title=title, subtitle=subtitle, notice=notice, fmt=fmt, size_mm=size_mm,
                      dpi=dpi, simplify_m=5.0)



def selection_map(selection: Mapping[str, gpd.GeoDataFrame],
                  districts: gpd.GeoDataFrame, *, title: str, notice: str, fmt: str = "png",
                  bounds: Sequence[float] | None = None, subtitle: str = "",
                  size_mm: tuple[float, float] = (260.0, 180.0), dpi: int = 200) -> bytes:
    """Draw the map page's selection as a printable map: districts, then each level.

    ``selection`` maps levels (zone, subzone, branch, town, base) to their filtered layers (as
    :func:`geo.zones.selection.select` returns them); ``bounds`` (lon/lat) defaults to the
    selection's extent, else the districts'. Legend, scale bar, north arrow, title, date and
    ``notice`` as :func:`map_figure`.
    """
    order = ("zone", "subzone", "branch", "town", "base")
    layers: list[Layer] = [(districts, _STYLES["district"], MAP_LAYERS["district"])]
    for level in order:
        frame = selection.get(level)
        if frame is not None and len(frame):
            style = _STYLES[level]
            if level == "subzone":
                frame = frame.assign(label=frame["id"].astype(str))
            layers.append((frame, style, MAP_LAYERS[level]))
    drawn = [f for f, _s, _l in layers[1:]]
    if bounds is None and drawn:
        x0, y0, x1, y1 = pd.concat([f.geometry.to_crs(4326) for f in drawn]).total_bounds
        pad_x, pad_y = (x1 - x0) * 0.06 + 0.01, (y1 - y0) * 0.06 + 0.01
        bounds = (x0 - pad_x, y0 - pad_y, x1 + pad_x, y1 + pad_y)
    return map_figure(layers, bounds=bounds, title=title, subtitle=subtitle, notice=notice,
                      fmt=fmt, size_mm=size_mm, dpi=dpi, simplify_m=20.0)
