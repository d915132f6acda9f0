"""The overview map: districts, belts, zones, sub-zones, towns, 分园 and bases as folium layers.

Pure builder: GeoDataFrames in, a :class:`folium.Map` out; nothing is rendered here. Every
string from data goes through :mod:`layers.text` (escaped) and only the properties the map
needs are sent to the browser (``id``, ``level`` for clicks; ``_tt``/``_pop`` for display).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TypedDict

import folium
import geopandas as gpd
from branca.element import Element, MacroElement
from jinja2 import Template

from geo.crs import NINGBO_VIEW
from geo.display import belt_envelopes, display_frame
from geo.labels import BELT_COLUMNS, LEVEL_LABELS, MAP_LAYERS

from .assets import use_offline_assets
from .platforms import add_platforms, platform_legend_row
from .text import esc, popup_html, tooltip_html

__all__ = ["BASEMAPS", "BELT_COLORS", "Basemap", "available_basemaps", "build_map",
           "selection_group", "blank_map", "finish_map"]

#: South-west and north-east corners of Ningbo (lat, lon) the map opens fitted to.
BELT_COLORS = {
    "都市工业创新驱动核": "#d62728",
    "北部前湾产业带": "#1f77b4",
    "东部临港产业带": "#9467bd",
    "南部湾海产业带": "#2ca02c",
    "西部沿路产业带": "#ff7f0e",
}
POINT_COLORS = {"town": "#8c564b", "base": "#c2185b"}
#: Tolerance of the coverage simplification used for display, per layer (metres).
DISPLAY_TOLERANCE_M = {"district": 60.0, "zone": 0.0, "subzone": 0.0, "branch": 0.0}


@dataclass(frozen=True)
class Basemap:
    """A background choice: ``tiles`` URL template (None: plain background)."""

    key: str
    label: str
    tiles: tuple[str, ...] | None
    attribution: str
    gcj02: bool = False
    subdomains: str = "abc"


_TDT = ("https://t{{s}}.tianditu.gov.cn/{layer}_w/wmts?SERVICE=WMTS&REQUEST=GetTile&VERSION=1.0.0"
        "&LAYER={layer}&STYLE=default&TILEMATRIXSET=w&FORMAT=tiles&TILEMATRIX={{z}}"
        "&TILEROW={{y}}&TILECOL={{x}}&tk={key}")
BASEMAPS = {
    "none": Basemap("none", "无底图（离线/内网）", None, ""),
    "osm": Basemap("osm", "OpenStreetMap", ("https://tile.openstreetmap.org/{z}/{x}/{y}.png",),
                   "© OpenStreetMap contributors"),
    "tianditu": Basemap("tianditu", "天地图（矢量）", ("vec", "cva"),
                        "© 天地图 (国家地理信息公共服务平台)", subdomains="01234567"),
    "gaode": Basemap("gaode", "高德（GCJ-02，叠加层按 GCJ-02 偏移显示）",
                     ("https://webrd0{s}.is.autonavi.com/appmaptile?lang=zh_cn&size=1&scale=1"
                      "&style=8&x={x}&y={y}&z={z}",), "© 高德地图 (GCJ-02)", gcj02=True,
                     subdomains="1234"),
}


def available_basemaps(*, tianditu_key: str | None) -> list[str]:
    """Basemap keys to offer: 天地图 only when a key is configured."""
    return [k for k in BASEMAPS if k != "tianditu" or tianditu_key]


class Legend(MacroElement):
    """A fixed legend control; its HTML is built from constants and escaped anyway."""

    _template = Template("""
        {% macro script(this, kwargs) %}
        (function() {
            var legend = L.control({position: 'bottomright'});
            legend.onAdd = function() {
                var div = L.DomUtil.create('div', 'np-legend');
                div.innerHTML = {{ this.html|tojson }};
                return div;
            };
            legend.addTo({{ this._parent.get_name() }});
        })();
        {% endmacro %}
    """)

    def __init__(self, html: str) -> None:
        super().__init__()
        self._name = "Legend"
        self.html = html


def legend_html(levels: list[str], *, gcj02: bool) -> str:
    """Build the legend: belt colours, point symbols, and the schematic notice."""
    rows = [f"<div><span style='display:inline-block;width:12px;height:12px;"
            f"background:{c};opacity:.6;margin-right:4px'></span>{esc(b)}</div>"
            for b, c in BELT_COLORS.items()]
    for level in ("town", "base"):
        if level in levels:
            rows.append(f"<div><span style='display:inline-block;width:10px;height:10px;"
                        f"border-radius:50%;background:{POINT_COLORS[level]};margin-right:4px'>"
                        f"</span>{esc(LEVEL_LABELS[level])}</div>")
    if "platform" in levels:
        rows.append(platform_legend_row())
    if "branch" in levels:
        rows.append("<div><span style='display:inline-block;width:12px;height:0;border-top:2px "
                    "dashed #000;margin-right:4px'></span>"
                    f"{esc(LEVEL_LABELS['branch'])}</div>")
    rows.append("<div style='margin-top:4px;color:#b45309;max-width:220px'>⚠ 园区图形均为"
                "示意范围，非官方边界，面积仅供参考</div>")
    if gcj02:
        rows.append("<div style='color:#555;max-width:220px'>叠加层已按 GCJ-02 偏移以对齐高德底图"
                    "（仅显示，计算仍用 WGS84）</div>")
    return ("<div style='background:rgba(255,255,255,.92);padding:6px 8px;border-radius:4px;"
            "font-size:12px;line-height:1.5'><b>图例</b>" + "".join(rows) + "</div>")


def _with_text(gdf: gpd.GeoDataFrame, level: str) -> gpd.GeoDataFrame:
    out = gdf.copy()
    out["id"] = out["id"].map(esc)  # the click key; real ids are unchanged by esc
    out["level"] = level
    out["_tt"] = [tooltip_html(row, level) for _, row in gdf.iterrows()]
    out["_pop"] = [popup_html(row, level) for _, row in gdf.iterrows()]
    if "belt" in out.columns:
        out["_color"] = out["belt"].map(BELT_COLORS).fillna("#555555")
    else:
        out["_color"] = POINT_COLORS.get(level, "#e65100")
    return out


def _geojson(gdf: gpd.GeoDataFrame, level: str, *, gcj02: bool, style: dict,
             marker: folium.CircleMarker | None = None) -> folium.GeoJson:
    prepared = _with_text(gdf, level)
    light = display_frame(prepared, columns=["id", "level", "_tt", "_pop", "_color"],
                          tolerance_m=DISPLAY_TOLERANCE_M.get(level, 0.0), gcj02=gcj02)

    def style_function(feature: dict) -> dict:
        return {**style, "color": feature["properties"]["_color"],
                "fillColor": feature["properties"]["_color"]}

    return folium.GeoJson(
        light.to_json(drop_id=True),
        name=esc(MAP_LAYERS[level]),
        style_function=style_function,
        highlight_function=lambda _f: {"weight": 4, "fillOpacity": 0.5},
        tooltip=folium.GeoJsonTooltip(fields=["_tt"], labels=False, sticky=True),
        popup=folium.GeoJsonPopup(fields=["_pop"], labels=False, max_width=360),
        marker=marker,
        zoom_on_click=False,
    )


class _Style(TypedDict, total=False):
    """Leaflet path options of one level (``radius``: circle markers of point levels)."""

    weight: int
    fillOpacity: float
    opacity: float
    dashArray: str
    radius: int


_STYLES: dict[str, _Style] = {
    "zone": {"weight": 2, "fillOpacity": 0.35, "opacity": 0.9},
    "subzone": {"weight": 1, "fillOpacity": 0.15, "dashArray": "3 3", "opacity": 0.9},
    "branch": {"weight": 2, "fillOpacity": 0.05, "dashArray": "6 4", "opacity": 1.0},
    "town": {"weight": 1, "fillOpacity": 0.9, "radius": 6},
    "base": {"weight": 2, "fillOpacity": 0.9, "radius": 9},
}


def _stable_ids(root: Element, *, prefix: str) -> None:
    """Give ``root`` and its descendants ids that depend only on their place in the tree.

    folium names every element with a random uuid, so two builds of the same view produce
    different scripts — and streamlit-folium remounts the map (losing the official's zoom and
    pan) whenever the script changes. With stable ids the same filters give the same script.
    """
    counter = 0

    def walk(el: Element) -> None:
        nonlocal counter
        el._id = f"{prefix}{counter:06d}"
        counter += 1
        for child in list(getattr(el, "_children", {}).values()):
            walk(child)

    walk(root)


def selection_group(
    selection: Mapping[str, gpd.GeoDataFrame], selected: tuple[str, str], *, gcj02: bool = False
) -> folium.FeatureGroup | None:
    """Outline the selected entity, as its own layer (None if it is filtered out).

    Kept separate from :func:`build_map` so the app can add it to a live map
    (``st_folium(feature_group_to_add=...)``) without reloading the map or losing the view.
    """
    level, entity_id = selected
    gdf = selection.get(level)
    if gdf is None:
        return None
    ids = gdf["id"].map(esc)  # a click returns the escaped id (see _with_text), a table the raw
    found = (ids == entity_id) | (gdf["id"] == entity_id)
    if not found.any():
        return None
    hit = display_frame(gdf[found].assign(id=ids[found]), columns=["id"], gcj02=gcj02)
    group = folium.FeatureGroup(name=esc(MAP_LAYERS["selected"]))
    folium.GeoJson(hit.to_json(drop_id=True),
                   style_function=lambda _f: {"color": "#00e5ff", "weight": 5, "fill": False},
                   marker=folium.CircleMarker(radius=12), interactive=False).add_to(group)
    _stable_ids(group, prefix="sel")
    return group


def _basemap(basemap: str, tianditu_key: str | None) -> Basemap:
    """Return the chosen background, checking that it exists and has its key."""
    if basemap not in BASEMAPS:
        raise ValueError(f"unknown basemap {basemap!r}. Fix: use one of {', '.join(BASEMAPS)}")
    base = BASEMAPS[basemap]
    if basemap == "tianditu" and not tianditu_key:
        raise ValueError("天地图 needs a key. Fix: set TIANDITU_KEY in the environment or "
                         "tianditu_key in .streamlit/secrets.toml")
    return base


def _add_tiles(m: folium.Map, basemap: str, tianditu_key: str | None) -> None:
    """Add the basemap's tile layers (none for the plain background)."""
    base = BASEMAPS[basemap]
    if base.tiles is None:
        return  # the plain Leaflet background: nothing is fetched from outside
    if basemap == "tianditu":
        for layer in base.tiles:
            folium.TileLayer(
                tiles=_TDT.format(layer=layer, key=tianditu_key), attr=base.attribution,
                name=f"天地图·{'注记' if layer == 'cva' else '矢量'}", subdomains=base.subdomains,
                overlay=layer == "cva", control=False, max_zoom=18).add_to(m)
    else:
        folium.TileLayer(tiles=base.tiles[0], attr=base.attribution, name=base.label,
                         subdomains=base.subdomains, control=False, max_zoom=18).add_to(m)


def _add_districts(m: folium.Map, districts: gpd.GeoDataFrame, district: str, *,
                   gcj02: bool) -> None:
    """Add the district outlines, ``district`` drawn heavier."""
    dist = districts.copy()
    dist["_emph"] = dist["name"] == district
    dist_light = display_frame(_with_text(dist, "district").assign(_emph=dist["_emph"]),
                               columns=["id", "level", "_tt", "_pop", "_emph"],
                               tolerance_m=DISPLAY_TOLERANCE_M["district"], gcj02=gcj02)
    folium.GeoJson(
        dist_light.to_json(drop_id=True), name=esc(MAP_LAYERS["district"]),
        style_function=lambda f: {"color": "#333" if f["properties"]["_emph"] else "#888",
                                  "weight": 3 if f["properties"]["_emph"] else 1,
                                  "fill": False, "dashArray": "4 2"},
        tooltip=folium.GeoJsonTooltip(fields=["_tt"], labels=False), interactive=True,
    ).add_to(m)


def _belt_notes(belts: gpd.GeoDataFrame | None) -> dict[str, str]:
    """Per belt name, the plans' industries and carriers for its tooltip (escaped)."""
    if belts is None:
        return {}
    notes = {}
    for r in belts.itertuples():
        parts = [f"{BELT_COLUMNS[key]}：{esc(getattr(r, key))}"
                 for key in ("industries", "cultivate", "carriers")
                 if isinstance(getattr(r, key), str) and getattr(r, key)]
        notes[str(r.name)] = "<br>".join(parts)
    return notes


def _add_belts(m: folium.Map, zones: gpd.GeoDataFrame | None, *, gcj02: bool,
               belts: gpd.GeoDataFrame | None = None) -> None:
    """Add the belt envelopes of ``zones`` as one layer (nothing if there are no zones)."""
    if zones is None or not len(zones):
        return
    notes = _belt_notes(belts)
    env = belt_envelopes(zones)
    env["id"] = env["belt"].map(esc)
    env["name"] = env["belt"]
    fg = folium.FeatureGroup(name=esc(MAP_LAYERS["belt"]), show=True)
    light = display_frame(env, columns=["id", "belt", "zone_names"], tolerance_m=0, gcj02=gcj02)
    light["_tt"] = [f"<b>{esc(r.belt)}</b>（示意包络）<br>集聚区：{esc(r.zone_names)}"
                    + (f"<br>{notes[str(r.belt)]}" if notes.get(str(r.belt)) else "")
                    for r in light.itertuples()]
    light["_color"] = light["belt"].map(BELT_COLORS)
    folium.GeoJson(
        light[["id", "_tt", "_color", "geometry"]].to_json(drop_id=True),
        style_function=lambda f: {"color": f["properties"]["_color"], "weight": 0,
                                  "fillColor": f["properties"]["_color"], "fillOpacity": 0.08},
        tooltip=folium.GeoJsonTooltip(fields=["_tt"], labels=False),
    ).add_to(fg)
    fg.add_to(m)


def _level_group(gdf: gpd.GeoDataFrame, level: str, *, gcj02: bool) -> folium.FeatureGroup:
    """Return one level's toggleable layer, named with its count (sub-zones start hidden)."""
    fg = folium.FeatureGroup(name=esc(f"{MAP_LAYERS[level]}（{len(gdf)}）"),
                             show=level != "subzone")
    if len(gdf):
        style = _STYLES[level]
        marker = None
        if level in POINT_COLORS:
            marker = folium.CircleMarker(radius=style["radius"], fill=True)
        _geojson(gdf, level, gcj02=gcj02, style={k: v for k, v in style.items()
                                                  if k != "radius"},
                 marker=marker).add_to(fg)
    return fg


def _add_levels(m: folium.Map, selection: Mapping[str, gpd.GeoDataFrame], *,
                gcj02: bool) -> None:
    """Add a layer for every level present in ``selection``, in drawing order."""
    for level in ("zone", "subzone", "branch", "town", "base"):
        gdf = selection.get(level)
        if gdf is not None:
            _level_group(gdf, level, gcj02=gcj02).add_to(m)


def _add_selected(m: folium.Map, selection: Mapping[str, gpd.GeoDataFrame],
                  selected: tuple[str, str] | None, *, gcj02: bool) -> None:
    """Add the outline of the selected entity, if any and if it is shown."""
    if selected is None:
        return
    group = selection_group(selection, selected, gcj02=gcj02)
    if group is not None:
        group.add_to(m)


def build_map(
    selection: Mapping[str, gpd.GeoDataFrame],
    *,
    districts: gpd.GeoDataFrame,
    zones_for_belts: gpd.GeoDataFrame | None = None,
    basemap: str = "none",
    tianditu_key: str | None = None,
    asset_base: str = "/app/static/vendor/leaflet",
    selected: tuple[str, str] | None = None,
    district: str = "",
    platforms: gpd.GeoDataFrame | None = None,
    belts: gpd.GeoDataFrame | None = None,
) -> folium.Map:
    """Build the overview map.

    Parameters
    ----------
    selection : mapping of level to GeoDataFrame
        Filtered layers (see :func:`geo.zones.selection.select`); each becomes a toggleable layer.
    districts : GeoDataFrame, keyword-only
        District boundaries (always drawn as outlines).
    zones_for_belts : GeoDataFrame, keyword-only
        Zones whose belt envelopes are drawn (default: ``selection["zone"]`` if present).
    basemap : {"none", "osm", "tianditu", "gaode"}, keyword-only
        Background. With "gaode" every overlay is shifted to GCJ-02 for display.
    tianditu_key : str, keyword-only
        Required for "tianditu".
    asset_base : str, keyword-only
        URL path where Leaflet is served (see :mod:`layers.assets`).
    selected : (level, id), keyword-only
        Entity to outline as the current selection.
    district : str, keyword-only
        District to emphasise.
    platforms : GeoDataFrame, keyword-only
        The plans' other platforms (:func:`geo.zones.platforms.load_platforms`, filtered); the
        located ones are drawn above the zones, unplaced ones never.
    belts : GeoDataFrame, keyword-only
        :func:`geo.zones.platforms.load_belts`: their industries and carriers in the belt
        tooltips.

    Returns
    -------
    folium.Map
    """
    gcj = _basemap(basemap, tianditu_key).gcj02
    m = blank_map(asset_base)
    _add_tiles(m, basemap, tianditu_key)
    _add_districts(m, districts, district, gcj02=gcj)
    belts_src = zones_for_belts if zones_for_belts is not None else selection.get("zone")
    _add_belts(m, belts_src, gcj02=gcj, belts=belts)
    _add_levels(m, selection, gcj02=gcj)
    if platforms is not None:
        add_platforms(m, platforms, gcj02=gcj)
    _add_selected(m, selection, selected, gcj02=gcj)
    Legend(legend_html(list(selection) + (["platform"] if platforms is not None else []),
                       gcj02=gcj)).add_to(m)
    return finish_map(m, prefix="np", collapsed=False)


def blank_map(asset_base: str) -> folium.Map:
    """Return a map with no tiles, a scale bar and Leaflet from the app's own static folder."""
    m = folium.Map(tiles=None, control_scale=True, prefer_canvas=False, zoom_snap=0.25)
    use_offline_assets(m, base_url=asset_base)
    return m


def finish_map(m: folium.Map, *, prefix: str, collapsed: bool = True,
               bounds: tuple[tuple[float, float], tuple[float, float]] | None = None
               ) -> folium.Map:
    """Add the layer control, fit the view and give every element a stable id (``prefix``).

    The view is Ningbo, or ``bounds`` ((south, west), (north, east)) when given.
    """
    folium.LayerControl(collapsed=collapsed).add_to(m)
    west, south, east, north = NINGBO_VIEW
    m.fit_bounds([list(bounds[0]), list(bounds[1])] if bounds else [[south, west], [north, east]])
    _stable_ids(m, prefix=prefix)
    return m
