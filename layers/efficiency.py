"""Maps of the land-efficiency analysis.

A choropleth of one indicator by unit, and flagged low-efficiency parcels with their
reasons. Class breaks and the legend are built here (no branca colormap: streamlit-folium
would fetch d3 from a CDN for it).
"""

from __future__ import annotations

from collections.abc import Mapping

import folium
import geopandas as gpd
import numpy as np
import pandas as pd

from geo.display import display_frame
from geo.display_format import format_number, merge_edges
from geo.labels import CHOROPLETH_LEGEND_LABELS, MAP_LAYERS, PARK_SCREEN_TEXTS, QUALITY, REASONS

from .map import Legend, blank_map, finish_map
from .text import esc

__all__ = ["PALETTE", "class_breaks", "legend_classes", "build_choropleth", "build_parcel_map",
           "PARK_CLASS_COLOURS", "build_park_choropleth"]

#: Five sequential classes, light to dark (ColorBrewer YlGnBu 5, colour-blind safe).
PALETTE = ("#ffffcc", "#a1dab4", "#41b6c4", "#2c7fb8", "#253494")
NO_DATA = "#d9d9d9"


def class_breaks(values: pd.Series, *, k: int = len(PALETTE)) -> list[float]:
    """Quantile breaks (k + 1 edges) of the finite values, fewer when values repeat.

    Edges that would print alike in the legend are merged too
    (:func:`geo.display_format.merge_edges`).
    """
    return merge_edges(_quantiles(values, k))[0]


def _quantiles(values: pd.Series, k: int) -> list[float]:
    finite = pd.to_numeric(values, errors="coerce")
    finite = finite[np.isfinite(finite)]
    if finite.empty:
        return []
    return [float(e) for e in np.unique(np.quantile(finite, np.linspace(0, 1, k + 1)))]


def legend_classes(values: pd.Series, *, k: int = len(PALETTE)) -> tuple[list[float], list[str]]:
    """Class edges of ``values`` and the legend text of each class, last "无数据".

    Edges are quantiles, merged where they repeat or print alike; they are printed with
    thousands separators and the fewest decimals (at least one) at which every edge reads
    apart, so no class reads "3.0 – 3.0" and no two classes read the same. One edge (every
    unit the same value) gives one class "3.0（各单元同值）".
    """
    edges, decimals = merge_edges(_quantiles(values, k))
    texts = [f"{format_number(edges[i], decimals)} – {format_number(edges[i + 1], decimals)}"
             for i in range(len(edges) - 1)]
    if len(edges) == 1:
        texts = [CHOROPLETH_LEGEND_LABELS["only"].format(
            value=format_number(edges[0], decimals))]
    return edges, [*texts, CHOROPLETH_LEGEND_LABELS["no_data"]]


def _colour(value: float, edges: list[float]) -> str:
    if value is None or not np.isfinite(value) or len(edges) < 2:
        return NO_DATA if (value is None or not np.isfinite(value)) else PALETTE[-1]
    i = int(np.searchsorted(edges, value, side="right")) - 1
    i = min(max(i, 0), len(edges) - 2)
    offset = len(PALETTE) - (len(edges) - 1)
    return PALETTE[i + offset]


def district_outlines(m: folium.Map, districts: gpd.GeoDataFrame | None) -> None:
    """Draw the district outlines (shapes only, no text, not clickable), if given."""
    if districts is not None:
        outline = display_frame(districts, columns=[], tolerance_m=60)  # shapes only: no text
        folium.GeoJson(outline.to_json(drop_id=True), name=esc(MAP_LAYERS["district"]),
                       interactive=False,
                       style_function=lambda _f: {"color": "#777", "weight": 1, "fill": False,
                                                  "dashArray": "4 2"}).add_to(m)


def _swatch(colour: str, text: str) -> str:
    """One legend row; ``text`` must already be escaped."""
    return (f"<div><span style='display:inline-block;width:14px;height:10px;"
            f"background:{colour};margin-right:4px'></span>{text}</div>")


def _legend(title: str, rows: list[str], note: str) -> Legend:
    """Legend box: escaped title and note, rows from :func:`_swatch`."""
    return Legend("<div style='background:rgba(255,255,255,.92);padding:6px 8px;font-size:12px'>"
                  f"<b>{esc(title)}</b>{''.join(rows)}"
                  f"<div style='color:#b45309;max-width:220px'>{esc(note)}</div></div>")


def _unit_layer(m: folium.Map, frame: gpd.GeoDataFrame, *, name: str, prefix: str) -> None:
    """Add the units of ``frame`` (escaped tooltip ``_tt``, fill ``_color``) as one layer.

    Only generated ids travel outside the tooltip; nothing is added for no units (folium
    refuses a tooltip on a layer without features).
    """
    frame = frame.assign(id=[f"{prefix}{i}" for i in range(len(frame))])
    if not len(frame):
        return
    light = display_frame(frame, columns=["id", "_tt", "_color"], tolerance_m=30)
    folium.GeoJson(
        light.to_json(drop_id=True), name=name,
        style_function=lambda f: {"color": "#555", "weight": 1, "fillOpacity": 0.75,
                                  "fillColor": f["properties"]["_color"]},
        highlight_function=lambda _f: {"weight": 3},
        tooltip=folium.GeoJsonTooltip(fields=["_tt"], labels=False, sticky=True),
    ).add_to(m)


def build_choropleth(table: gpd.GeoDataFrame, *, metric: str, label: str, unit: str,
                     data_label: str, districts: gpd.GeoDataFrame | None = None,
                     asset_base: str = "/app/static/vendor/leaflet") -> folium.Map:
    """Build a choropleth of ``metric`` by unit (from :func:`geo.landuse.tables.level_table`).

    Parameters
    ----------
    table : GeoDataFrame
        Units with ``unit``, ``unit_name``, ``metric``, ``enterprise_count``,
        ``coverage_share``, ``geometry_quality``.
    metric, label, unit : str, keyword-only
        Column to map, its Chinese label and unit.
    data_label : str, keyword-only
        Nature of the data (示例数据 …), stated in the legend and every tooltip.
    districts : GeoDataFrame, keyword-only
        Outlines drawn for orientation.
    asset_base : str, keyword-only

    Returns
    -------
    folium.Map
    """
    m = blank_map(asset_base)
    district_outlines(m, districts)
    edges, texts = legend_classes(table[metric])
    frame = table.copy()
    values = pd.to_numeric(frame[metric], errors="coerce")
    frame["_color"] = [_colour(v, edges) for v in values]
    frame["_tt"] = [
        f"<b>{esc(r.unit_name)}</b><br>{esc(label)}："
        + (f"{format_number(v, 2)} {esc(unit)}" if np.isfinite(v)
           else CHOROPLETH_LEGEND_LABELS["no_data"])
        + f"<br>企业数：{int(r.enterprise_count)} · 数据覆盖："
        + (f"{r.coverage_share:.0%}" if pd.notna(r.coverage_share) else "—")
        + f"<br><span style='color:#b45309'>{esc(data_label)}</span>"
        for r, v in zip(frame.itertuples(), values, strict=True)]
    _unit_layer(m, frame, name=esc(label), prefix="u")
    offset = len(PALETTE) - (len(edges) - 1) if len(edges) >= 2 else len(PALETTE) - 1
    rows = [_swatch(PALETTE[i + offset], esc(text)) for i, text in enumerate(texts[:-1])]
    rows.append(_swatch(NO_DATA, esc(texts[-1])))
    _legend(f"{label}（{unit}）", rows, f"{data_label}；集聚区/分片为示意范围").add_to(m)
    return finish_map(m, prefix="ch")


#: Colour of a flagged parcel by its first reason (GeoJSON and vector-tile maps alike).
REASON_COLOURS = {"IDLE": "#d62728", "CLASS_D": "#9467bd", "LOW_TAX": "#ff7f0e",
                  "LOW_FAR": "#8c564b", "LOW_BUILT": "#17becf"}


def parcel_context(asset_base: str, districts: gpd.GeoDataFrame | None,
                   subzones: gpd.GeoDataFrame | None) -> folium.Map:
    """Start a parcel map: district outlines and the 分片 (shapes only, not clickable)."""
    m = blank_map(asset_base)
    district_outlines(m, districts)
    if subzones is not None:
        folium.GeoJson(display_frame(subzones, columns=[]).to_json(drop_id=True),
                       name=esc(MAP_LAYERS["subzone"]), interactive=False,
                       style_function=lambda _f: {"color": "#1f77b4", "weight": 1,
                                                  "fillOpacity": 0.05, "dashArray": "3 3"}
                       ).add_to(m)
    return m


def build_parcel_map(parcels: gpd.GeoDataFrame, *, data_label: str,
                     districts: gpd.GeoDataFrame | None = None,
                     subzones: gpd.GeoDataFrame | None = None,
                     asset_base: str = "/app/static/vendor/leaflet") -> folium.Map:
    """Map flagged low-efficiency parcels, coloured by first reason, with escaped tooltips."""
    m = parcel_context(asset_base, districts, subzones)
    colours = REASON_COLOURS
    frame = parcels.copy()
    first = frame["reason_codes"].astype(str).str.split(";").str[0]
    frame["_color"] = first.map(colours).fillna("#555")
    frame["_tt"] = [
        f"<b>宗地 {esc(r.parcel_id)}</b><br>面积：{r.land_mu:,.1f} 亩<br>原因：{esc(r.reasons)}"
        + (f"<br>亩均税收：{r.tax_per_mu:,.1f} 万元/亩" if pd.notna(r.tax_per_mu) else "")
        + (f"<br>建成比例（遥感）：{r.built_share:.0%}"
           if pd.notna(getattr(r, "built_share", None)) else "")
        + f"<br><span style='color:#b45309'>{esc(data_label)}</span>"
        for r in frame.itertuples()]
    frame["id"] = [f"p{i}" for i in range(len(frame))]  # no user text outside the escaped tooltip
    if len(frame):  # folium refuses a tooltip on a layer without features
        light = display_frame(frame, columns=["id", "_tt", "_color"])
        folium.GeoJson(light.to_json(drop_id=True),
                       name=esc(f"{MAP_LAYERS['lowland']}（{len(frame)}）"),
                       style_function=lambda f: {"color": f["properties"]["_color"],
                                                 "weight": 2,
                                                 "fillColor": f["properties"]["_color"],
                                                 "fillOpacity": 0.6},
                       tooltip=folium.GeoJsonTooltip(fields=["_tt"], labels=False,
                                                     sticky=True),
                       ).add_to(m)
    rows = [_swatch(c, esc(REASONS[code])) for code, c in colours.items()]
    _legend("低效原因（首项）", rows, data_label).add_to(m)
    return finish_map(m, prefix="lp")


#: Fixed colours of the park classes A–D (ColorBrewer RdYlGn 4, reversed: A green, D red).
PARK_CLASS_COLOURS = {"A": "#1a9641", "B": "#a6d96a", "C": "#fdae61", "D": "#d7191c"}


def _park_tooltip(r: Mapping[str, object], data_label: str) -> str:
    """Escaped tooltip of one unit (a row of a park table, as a dict)."""
    texts = PARK_SCREEN_TEXTS
    cls = r.get("park_class")
    cls = cls if isinstance(cls, str) else None
    quality = r.get("geometry_quality")
    quality = quality if isinstance(quality, str) else ""
    note = r.get("park_note")
    lines = [f"<b>{esc(r.get('unit_name'))}</b>",
             esc(texts["tooltip_class"].format(cls=cls or texts["legend_unclassed"]))]
    if cls is not None:
        lines.append(esc(texts["tooltip_score"].format(
            score=format_number(r.get("park_score"), 1), rank=r.get("park_rank"))))
    elif isinstance(note, str) and note:
        lines.append(esc(note))
    if quality:
        lines.append(esc(texts["tooltip_quality"].format(quality=QUALITY.get(quality, quality))))
    lines.append(f"<span style='color:#b45309'>{esc(data_label)}</span>")
    return "<br>".join(lines)


def build_park_choropleth(table: gpd.GeoDataFrame, *, data_label: str,
                          districts: gpd.GeoDataFrame | None = None,
                          asset_base: str = "/app/static/vendor/leaflet") -> folium.Map:
    """Map the park class (园区评价 A/B/C/D) of each unit, in fixed class colours.

    Parameters
    ----------
    table : GeoDataFrame
        From :func:`geo.landuse.parks.park_table`: ``unit_name``, ``park_class`` (A–D or
        None), ``park_score``, ``park_rank``, ``park_note``, ``geometry_quality``.
    data_label : str, keyword-only
        Nature of the data (示例数据 …), stated in the legend and every tooltip.
    districts : GeoDataFrame, keyword-only
        Outlines drawn for orientation.
    asset_base : str, keyword-only

    Returns
    -------
    folium.Map
        Unclassed units grey, "未参评（无数据）"; the legend names the boundaries' quality
        (示意范围 when any is schematic). Every data string is escaped (:func:`layers.text.esc`).
    """
    texts = PARK_SCREEN_TEXTS
    m = blank_map(asset_base)
    district_outlines(m, districts)
    frame = table.copy()
    frame["_color"] = [PARK_CLASS_COLOURS.get(c, NO_DATA) if isinstance(c, str) else NO_DATA
                       for c in frame["park_class"]]
    frame["_tt"] = [_park_tooltip(r, data_label) for r in
                   pd.DataFrame(frame.drop(columns=frame.geometry.name)).to_dict("records")]
    _unit_layer(m, frame, name=esc(texts["legend_title"]), prefix="k")
    rows = [_swatch(colour, esc(texts["legend_class"].format(cls=cls)))
            for cls, colour in PARK_CLASS_COLOURS.items()]
    rows.append(_swatch(NO_DATA, esc(texts["legend_unclassed"])))
    qualities = [str(q) for q in pd.unique(frame.get("geometry_quality", pd.Series(dtype=object)))
                 if isinstance(q, str) and q]
    note = [data_label]
    if "schematic" in qualities:  # 示意范围, as on every map of the zones
        note.append(texts["legend_schematic"])
    elif qualities:
        note.append(texts["legend_quality"].format(
            qualities="、".join(QUALITY.get(q, q) for q in qualities)))
    _legend(texts["legend_title"], rows, "；".join(note)).add_to(m)
    return finish_map(m, prefix="pk")
