"""The plans' other named platforms on the map: those the text places, drawn; the rest listed.

Only platforms whose ``located`` is ``placed`` or ``approximate`` have a geometry (see
:mod:`geo.zones.platforms`); approximate ones are drawn dashed and say how they were placed.
An unplaced platform is never drawn — :func:`unplaced_table` lists it for the page.
"""

from __future__ import annotations

from typing import Any

import folium
import geopandas as gpd
import pandas as pd

from geo.display import display_frame
from geo.labels import COLUMNS, LOCATED_LABELS, MAP_LAYERS, PLATFORM_COLUMNS, labelled
from geo.zones.plans import cite
from layers.text import esc

__all__ = ["PLATFORM_COLOR", "add_platforms", "platform_legend_row", "unplaced_table"]

#: Colour of platforms on the map and in the legend (not a belt colour).
PLATFORM_COLOR = "#6a1b9a"


def _tooltip(row: pd.Series) -> str:
    parts = [f"<b>{esc(row['name'])}</b>（{esc(row['kind'])}）",
             f"定位：{esc(LOCATED_LABELS.get(row['located'], row['located']))}"
             + (f"——{esc(row['how_located'])}" if str(row.get("how_located") or "") else "")]
    if str(row.get("industries") or ""):
        parts.append(f"产业方向：{esc(row['industries'])}")
    parts.append(f"出处：{esc(cite(row['seed'], int(row['line'])))}")
    return "<br>".join(parts)


def add_platforms(m: folium.Map, platforms: gpd.GeoDataFrame, *, gcj02: bool,
                  pane: str | None = None) -> folium.FeatureGroup | None:
    """Add the located platforms as one toggleable layer (None when none is located).

    ``pane``: the map pane to draw in (the overview puts them above the 分园, below towns).
    """
    drawn = platforms[platforms.geometry.notna() & ~platforms.geometry.is_empty]
    if not len(drawn):
        return None
    prepared = drawn.assign(
        id=drawn["id"].map(esc), level="platform", _tt=[_tooltip(r) for _, r in drawn.iterrows()],
        _dash=["6 4" if loc == "approximate" else "" for loc in drawn["located"]])
    light = display_frame(prepared, columns=["id", "level", "_tt", "_dash"], tolerance_m=0,
                          gcj02=gcj02)
    fg = folium.FeatureGroup(name=esc(f"{MAP_LAYERS['platform']}（{len(drawn)}）"), show=True)
    marker = folium.CircleMarker(radius=7, fill=True, fill_opacity=0.5, color=PLATFORM_COLOR)
    extra: dict[str, Any] = {}
    if pane:
        marker.options["pane"] = pane  # folium's path options drop ``pane``
        extra["pane"] = pane
    folium.GeoJson(
        light.to_json(drop_id=True),
        style_function=lambda f: {"color": PLATFORM_COLOR, "weight": 2, "fillOpacity": 0.05,
                                  "fillColor": PLATFORM_COLOR,
                                  "dashArray": f["properties"]["_dash"]},
        marker=marker,
        tooltip=folium.GeoJsonTooltip(fields=["_tt"], labels=False, sticky=True),
        zoom_on_click=False,
        **extra,
    ).add_to(fg)
    fg.add_to(m)
    return fg


def platform_legend_row() -> str:
    """Return the legend line of the platforms layer (symbol as drawn)."""
    return (f"<div><svg class='np-sym np-sym-platform' width='16' height='12' "
            "style='vertical-align:middle;margin-right:4px;overflow:visible'>"
            f"<rect x='1' y='1' width='14' height='10' fill='{PLATFORM_COLOR}' "
            f"fill-opacity='0.05' stroke='{PLATFORM_COLOR}' stroke-width='2' "
            "stroke-dasharray='6 4'/></svg>"
            f"{esc(MAP_LAYERS['platform'])}（虚线：大致位置）</div>")


def unplaced_table(platforms: gpd.GeoDataFrame) -> pd.DataFrame:
    """Return the platforms the plans name without a place, for the page to list (not drawn)."""
    rows = platforms[platforms["located"] == "unplaced"].copy()
    rows["source"] = [cite(s, int(n)) for s, n in zip(rows["seed"], rows["line"], strict=True)]
    return labelled(pd.DataFrame(rows.drop(columns="geometry")),
                    ["id", "name", "kind", "parent", "district", "industries", "source"],
                    extra={**PLATFORM_COLUMNS, "source": COLUMNS["source"]})
