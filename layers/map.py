"""The overview map: districts, belts, zones, sub-zones, towns, 分园 and bases as folium layers.

Pure builder: GeoDataFrames in, a :class:`folium.Map` out; nothing is rendered here. Every
string from data goes through :mod:`layers.text` (escaped) and only the properties the map
needs are sent to the browser (``id``, ``level`` for clicks; ``_tt``/``_pop`` for display).

Legibility (issue 14):

* every level is drawn in a pane of its own, nested in Leaflet's overlay pane with a z-index
  per level (:data:`PANES`): belt envelopes < districts < zones < 分片 < 分园 < platforms < towns <
  bases, so smaller and point-like features lie above the polygons that contain them; a
  click on overlapping features is answered by :func:`geo.zones.at_point.features_at`;
* the catalogue levels are not in the layer control — the sidebar's layer choice is the only
  switch for them, and every level given is drawn; the (collapsed) control keeps the
  district outlines, the belt envelopes and the plans' platforms;
* the legend (bottom left, collapsible) draws each symbol as a small SVG with the very path
  options the map uses (:func:`level_style`);
* names are drawn as labels from a sensible zoom (:data:`LABEL_MIN_ZOOM`), and a label that
  would overlap one already placed is hidden (inline JavaScript on zoomend/moveend);
* the view fits the selection when asked (``fit_selection``), a selected entity when its
  outline is added (:func:`selection_group` with ``fit=True``), and a button goes back to
  the city.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TypedDict

import folium
import geopandas as gpd
import numpy as np
import shapely
from branca.element import Element, MacroElement
from jinja2 import Template

from geo.crs import NINGBO_VIEW
from geo.display import belt_envelopes, display_frame
from geo.gcj02 import wgs84_to_gcj02
from geo.labels import BELT_COLUMNS, MAP_LAYERS, MAP_UI_TEXTS

from .assets import use_offline_assets
from .platforms import add_platforms, platform_legend_row
from .text import esc, popup_html, tooltip_html

__all__ = ["BASEMAPS", "BELT_COLORS", "BRANCH_COLOR", "Basemap", "LABEL_MIN_ZOOM", "PANES",
           "available_basemaps", "build_map", "level_style", "selection_bounds",
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
#: Colour of the 分园 outlines (dark teal: unlike every belt colour, the orange 西部沿路 too).
BRANCH_COLOR = "#00796b"
#: z-index of each layer's pane inside Leaflet's overlay pane (higher is drawn above).
PANES = {"belt": 402, "district": 404, "zone": 410, "subzone": 420, "branch": 430,
         "platform": 435, "town": 440, "base": 450, "selected": 460, "label": 470}
#: The overview's legend starts folded on a map narrower than this (pixels).
LEGEND_FOLD_BELOW_PX = 800
#: Smallest extent (degrees) the view fits to: one point opens at street scale, not zoom 18.
MIN_FIT_SPAN_DEG = 0.03
#: Zoom from which the names of a level are drawn on the map.
LABEL_MIN_ZOOM = {"zone": 10.0, "branch": 11.0, "base": 11.0, "town": 12.0, "subzone": 12.0}
#: Order in which labels claim their place (an overlapping later one is hidden).
LABEL_PRIORITY = ("zone", "branch", "base", "town", "subzone")
#: District outlines as drawn (the emphasised district heavier and darker).
DISTRICT_STYLE = {"color": "#888", "weight": 1, "fill": False, "dashArray": "4 2"}
DISTRICT_EMPH = {"color": "#333", "weight": 3}
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
    """A fixed legend control; its HTML is built from constants and escaped anyway.

    ``position`` is a Leaflet corner; clicks and scrolls inside it never reach the map (a
    click on the legend is not a click on the features under it). A collapsible legend
    (``<details>``) starts folded on a map narrower than ``fold_below`` pixels, and folds
    whenever a popup opens, so it never hides one.
    """

    _template = Template("""
        {% macro script(this, kwargs) %}
        (function() {
            var legend = L.control({position: {{ this.position|tojson }}});
            legend.onAdd = function() {
                var div = L.DomUtil.create('div', 'np-legend');
                div.innerHTML = {{ this.html|tojson }};
                L.DomEvent.disableClickPropagation(div);
                L.DomEvent.disableScrollPropagation(div);
                return div;
            };
            var map = {{ this._parent.get_name() }};
            legend.addTo(map);
            {%- if this.fold_below %}
            var folded = legend.getContainer().querySelector('details');
            if (folded && map.getSize().x < {{ this.fold_below }}) { folded.open = false; }
            // a popup is never hidden under the legend: the legend folds when one opens
            if (folded) { map.on('popupopen', function() { folded.open = false; }); }
            {%- endif %}
        })();
        {% endmacro %}
    """)

    def __init__(self, html: str, *, position: str = "bottomright",
                 fold_below: int | None = None) -> None:
        super().__init__()
        self._name = "Legend"
        self.html = html
        self.position = position
        self.fold_below = int(fold_below) if fold_below else None


class _Panes(MacroElement):
    """Create the map's panes (:data:`PANES`) inside the overlay pane, if not there yet.

    Nested in the overlay pane, they stay below Leaflet's marker, tooltip and popup panes.
    The label and selection panes let clicks through.
    """

    _template = Template("""
        {% macro header(this, kwargs) %}
        <style>.leaflet-interactive:focus { outline: none; }</style>
        {% endmacro %}
        {% macro script(this, kwargs) %}
        (function(map) {
            var panes = {{ this.panes|tojson }};
            var through = {{ this.through|tojson }};
            Object.keys(panes).forEach(function(name) {
                if (map.getPane(name)) { return; }
                var pane = map.createPane(name, map.getPane('overlayPane'));
                pane.style.zIndex = panes[name];
                if (through.indexOf(name) >= 0) { pane.style.pointerEvents = 'none'; }
            });
        })({{ this._parent.get_name() if this.map is none else this.map }});
        {% endmacro %}
    """)

    def __init__(self, panes: Mapping[str, int], *, map_name: str | None = None) -> None:
        super().__init__()
        self._name = "Panes"
        self.panes = dict(panes)
        self.through = [n for n in self.panes if n in (_pane("label"), _pane("selected"))]
        self.map = map_name


def _pane(key: str) -> str:
    return f"np-{key}"


def _all_panes() -> dict[str, int]:
    return {_pane(k): z for k, z in PANES.items()}


class _ParentMapPanes(_Panes):
    """:class:`_Panes` for an element inside a feature group (its map is the grandparent)."""

    _template = Template("""
        {% macro script(this, kwargs) %}
        (function(map) {
            if (!map || !map.getPane) { return; }
            var panes = {{ this.panes|tojson }};
            Object.keys(panes).forEach(function(name) {
                if (map.getPane(name)) { return; }
                var pane = map.createPane(name, map.getPane('overlayPane'));
                pane.style.zIndex = panes[name];
                pane.style.pointerEvents = 'none';
            });
        })({{ this._parent._parent.get_name() }});
        {% endmacro %}
    """)


class _FitOnAdd(MacroElement):
    """Fit the map to its parent feature group when the group is (or is already) on a map."""

    _template = Template("""
        {% macro script(this, kwargs) %}
        (function(group) {
            function fit() {
                var b = group.getBounds();
                if (group._map && b.isValid()) {
                    group._map.fitBounds(b, {maxZoom: {{ this.max_zoom }}, padding: [30, 30]});
                }
            }
            if (group._map) { fit(); } else { group.once('add', fit); }
        })({{ this._parent.get_name() }});
        {% endmacro %}
    """)

    def __init__(self, *, max_zoom: int = 14) -> None:
        super().__init__()
        self._name = "FitOnAdd"
        self.max_zoom = int(max_zoom)


class _ClickThrough(MacroElement):
    """Let a click on a feature with a popup still reach the map as a map click.

    Leaflet stops a click that opens a popup, so the map (and streamlit-folium's
    ``last_clicked``) would never hear it; the app needs that point to list every feature
    under it. Fired only when the click was stopped, so it is never heard twice.
    """

    _template = Template("""
        {% macro script(this, kwargs) %}
        (function(layer) {
            layer.on('click', function(e) {
                var map = layer._map, o = e.originalEvent;
                if (map && o && o._stopped) {
                    map.fire('click', {latlng: e.latlng, layerPoint: e.layerPoint,
                                       containerPoint: e.containerPoint, originalEvent: o});
                }
            });
        })({{ this._parent.get_name() }});
        {% endmacro %}
    """)

    def __init__(self) -> None:
        super().__init__()
        self._name = "ClickThrough"


class _RememberToggles(MacroElement):
    """Keep the layer control's switches (districts, belts, platforms) across remounts.

    A sidebar change rebuilds the map; the official's choices in the control are kept in the
    tab's ``sessionStorage`` and applied to the new map, so they are not reset.
    """

    _template = Template("""
        {% macro script(this, kwargs) %}
        (function(map) {
            var KEY = 'np-overview-hidden-overlays';
            var layers = {
            {%- for key, layer in this.layers.items() %}
                {{ key|tojson }}: {{ layer.get_name() }},
            {%- endfor %}
            };
            function hidden() {
                try { return JSON.parse(window.sessionStorage.getItem(KEY) || '[]'); }
                catch (err) { return []; }
            }
            function remember(key, off) {
                var now = hidden().filter(function(k) { return k !== key; });
                if (off) { now.push(key); }
                try { window.sessionStorage.setItem(KEY, JSON.stringify(now)); } catch (err) {}
            }
            function keyOf(layer) {
                return Object.keys(layers).filter(function(k) { return layers[k] === layer; })[0];
            }
            map.on('overlayadd', function(e) {
                var k = keyOf(e.layer); if (k) { remember(k, false); }
            });
            map.on('overlayremove', function(e) {
                var k = keyOf(e.layer); if (k) { remember(k, true); }
            });
            setTimeout(function() {
                hidden().forEach(function(k) {
                    if (layers[k] && map.hasLayer(layers[k])) { map.removeLayer(layers[k]); }
                });
            }, 0);
        })({{ this._parent.get_name() }});
        {% endmacro %}
    """)

    def __init__(self, layers: Mapping[str, Element | None]) -> None:
        super().__init__()
        self._name = "RememberToggles"
        self.layers = {k: v for k, v in layers.items() if v is not None}


class ViewButtons(MacroElement):
    """Buttons under the zoom control: back to the city, and (when given) to the selection.

    Client-side only: they move the view without a rerun of the app.
    """

    _template = Template("""
        {% macro header(this, kwargs) %}
        <style>
        .np-view a { width: auto !important; padding: 0 6px; font-size: 12px;
                     white-space: nowrap; cursor: pointer; }
        </style>
        {% endmacro %}
        {% macro script(this, kwargs) %}
        (function(map) {
            var views = {{ this.views|tojson }};
            var control = L.control({position: 'topleft'});
            control.onAdd = function() {
                var div = L.DomUtil.create('div', 'leaflet-bar np-view');
                views.forEach(function(v) {
                    var a = L.DomUtil.create('a', 'np-view-' + v[0], div);
                    a.href = '#';
                    a.innerHTML = v[1];
                    a.title = v[1];
                    a.setAttribute('role', 'button');
                    L.DomEvent.on(a, 'click', function(e) {
                        L.DomEvent.preventDefault(e);
                        map.fitBounds(v[2], {maxZoom: 14});
                    });
                });
                L.DomEvent.disableClickPropagation(div);
                return div;
            };
            control.addTo(map);
        })({{ this._parent.get_name() }});
        {% endmacro %}
    """)

    def __init__(self, views: list[tuple[str, str, list[list[float]]]]) -> None:
        super().__init__()
        self._name = "ViewButtons"
        self.views = [[key, esc(text), box] for key, text, box in views]


class NameLabels(MacroElement):
    """Name labels drawn from their level's zoom; one overlapping a placed label is hidden.

    ``items`` are (lat, lon, escaped name, level, min zoom, is a point), in the order labels
    claim their place. All inline (no plugin): markers with a text icon in the label pane,
    re-placed on every ``zoomend``/``moveend`` by comparing the labels' bounding boxes.
    """

    _template = Template("""
        {% macro header(this, kwargs) %}
        <style>
        .np-label { width: 0 !important; height: 0 !important; background: none; border: 0; }
        .np-label span { position: absolute; white-space: nowrap; font-size: 12px;
            line-height: 1.2; color: #1b1b1b; pointer-events: none;
            text-shadow: 0 0 2px #fff, 0 0 2px #fff, 0 0 3px #fff, 0 0 4px #fff;
            transform: translate(-50%, -50%); }
        .np-label-zone span { font-weight: 700; font-size: 13px; }
        .np-label-pt span { transform: translate(9px, -50%); font-size: 11px; }
        </style>
        {% endmacro %}
        {% macro script(this, kwargs) %}
        (function(map) {
            var items = {{ this.items|tojson }}.map(function(d) {
                var icon = L.divIcon({className: 'np-label np-label-' + d[3] +
                                      (d[5] ? ' np-label-pt' : ''),
                                      html: '<span>' + d[2] + '</span>', iconSize: [0, 0]});
                return {d: d, on: false, mk: L.marker([d[0], d[1]], {
                    icon: icon, pane: {{ this.pane|tojson }}, interactive: false,
                    keyboard: false})};
            });
            var group = L.layerGroup().addTo(map);
            function place() {
                var z = map.getZoom(), view = map.getBounds().pad(0.05), placed = [];
                items.forEach(function(it) {
                    var want = z >= it.d[4] && view.contains([it.d[0], it.d[1]]);
                    if (!want) {
                        if (it.on) { group.removeLayer(it.mk); it.on = false; }
                        return;
                    }
                    if (!it.on) { group.addLayer(it.mk); it.on = true; }
                    var el = it.mk.getElement(), span = el && el.firstChild;
                    if (!span) { return; }
                    span.style.visibility = '';
                    var r = span.getBoundingClientRect();
                    var clash = placed.some(function(p) {
                        return r.left < p.right + 2 && r.right + 2 > p.left &&
                               r.top < p.bottom && r.bottom > p.top;
                    });
                    if (clash) { span.style.visibility = 'hidden'; } else { placed.push(r); }
                });
            }
            map.on('zoomend moveend', place);
            map.whenReady(function() { setTimeout(place, 0); });
        })({{ this._parent.get_name() }});
        {% endmacro %}
    """)

    def __init__(self, items: list[list]) -> None:
        super().__init__()
        self._name = "NameLabels"
        self.items = items
        self.pane = _pane("label")


def level_style(level: str, color: str | None = None) -> dict:
    """Return the Leaflet path options of ``level`` (``color``: its belt colour, if any).

    The map's style functions and the legend's symbols both come from here.
    """
    if level == "district":
        return dict(DISTRICT_STYLE)
    style = {k: v for k, v in _STYLES[level].items() if k != "radius"}
    c = color or (BRANCH_COLOR if level == "branch" else POINT_COLORS.get(level, "#555555"))
    return {**style, "color": c, "fillColor": c}


def _svg_symbol(level: str, color: str | None = None) -> str:
    """Draw one feature of ``level`` as a 16×12 SVG with the map's own path options."""
    st = level_style(level, color)
    dash = f" stroke-dasharray='{st['dashArray']}'" if st.get("dashArray") else ""
    fill = (f"fill='{st['fillColor']}' fill-opacity='{st.get('fillOpacity', 0.2)}'"
            if st.get("fill", True) else "fill='none'")
    stroke = (f"stroke='{st['color']}' stroke-width='{st.get('weight', 3)}' "
              f"stroke-opacity='{st.get('opacity', 1.0)}'{dash}")
    if level in POINT_COLORS:
        r = min(_STYLES[level].get("radius", 6), 6)
        shape = f"<circle cx='8' cy='6' r='{r - 1}' {fill} {stroke}/>"
    elif level == "district":
        shape = f"<line x1='0' y1='6' x2='16' y2='6' {stroke}/>"
    else:
        shape = f"<rect x='1' y='1' width='14' height='10' {fill} {stroke}/>"
    return (f"<svg class='np-sym np-sym-{level}' width='16' height='12' "
            f"style='vertical-align:middle;margin-right:4px;overflow:visible'>{shape}</svg>")


def legend_html(levels: list[str], *, gcj02: bool,
                counts: Mapping[str, int] | None = None, collapsible: bool = False) -> str:
    """Build the legend: every layer drawn, with its symbol as drawn, and the schematic notice.

    ``counts`` (level → number drawn) are shown after the layer names; ``collapsible`` wraps
    the body in a ``<details>`` the official can fold.
    """
    counts = counts or {}

    def name(level: str) -> str:
        n = counts.get(level)
        return esc(MAP_LAYERS[level] + (f"（{n}）" if n is not None else ""))

    rows = []
    if "zone" in levels or not levels:
        rows.append(f"<div>{name('zone')}<span style='color:#666'>，"
                    f"{esc(MAP_UI_TEXTS['belt_colors'])}</span></div>")
        rows += [f"<div style='padding-left:6px'>{_svg_symbol('zone', c)}{esc(b)}</div>"
                 for b, c in BELT_COLORS.items()]
    else:
        rows += [f"<div>{_svg_symbol('zone', c)}{esc(b)}</div>" for b, c in BELT_COLORS.items()]
    if "subzone" in levels:
        rows.append(f"<div>{_svg_symbol('subzone', '#555555')}{name('subzone')}"
                    f"<span style='color:#666'>（{esc(MAP_UI_TEXTS['subzone_note'])}）"
                    "</span></div>")
    for level in ("branch", "town", "base"):
        if level in levels:
            rows.append(f"<div>{_svg_symbol(level)}{name(level)}</div>")
    if "platform" in levels:
        rows.append(platform_legend_row())
    rows.append(f"<div>{_svg_symbol('district')}{esc(MAP_LAYERS['district'])}</div>")
    rows.append("<div style='margin-top:4px;color:#b45309;max-width:220px'>⚠ 园区图形均为"
                "示意范围，非官方边界，面积仅供参考</div>")
    if gcj02:
        rows.append("<div style='color:#555;max-width:220px'>叠加层已按 GCJ-02 偏移以对齐高德底图"
                    "（仅显示，计算仍用 WGS84）</div>")
    box = ("background:rgba(255,255,255,.92);padding:4px 7px;border-radius:4px;"
           "font-size:11px;line-height:1.45;max-height:45vh;overflow:auto")
    title = esc(MAP_UI_TEXTS["legend"])
    if collapsible:
        return (f"<div style='{box}'><details open><summary style='cursor:pointer;"
                f"font-weight:bold'>{title}</summary>" + "".join(rows) + "</details></div>")
    return f"<div style='{box}'><b>{title}</b>" + "".join(rows) + "</div>"


def _with_text(gdf: gpd.GeoDataFrame, level: str) -> gpd.GeoDataFrame:
    out = gdf.copy()
    out["id"] = out["id"].map(esc)  # the click key; real ids are unchanged by esc
    out["level"] = level
    out["_tt"] = [tooltip_html(row, level) for _, row in gdf.iterrows()]
    out["_pop"] = [popup_html(row, level) for _, row in gdf.iterrows()]
    if "belt" in out.columns:
        out["_color"] = out["belt"].map(BELT_COLORS).fillna("#555555")
    else:
        out["_color"] = level_style(level)["color"] if level in _STYLES else "#555555"
    return out


def _geojson(gdf: gpd.GeoDataFrame, level: str, *, gcj02: bool, style: dict,
             marker: folium.CircleMarker | None = None) -> folium.GeoJson:
    prepared = _with_text(gdf, level)
    light = display_frame(prepared, columns=["id", "level", "_tt", "_pop", "_color"],
                          tolerance_m=DISPLAY_TOLERANCE_M.get(level, 0.0), gcj02=gcj02)

    def style_function(feature: dict) -> dict:
        return {**style, "color": feature["properties"]["_color"],
                "fillColor": feature["properties"]["_color"]}

    if marker is not None:
        marker.options["pane"] = _pane(level)  # folium's path options drop ``pane``
    return folium.GeoJson(
        light.to_json(drop_id=True),
        name=esc(MAP_LAYERS[level]),
        style_function=style_function,
        highlight_function=lambda _f: {"weight": 4, "fillOpacity": 0.5},
        tooltip=folium.GeoJsonTooltip(fields=["_tt"], labels=False, sticky=True),
        popup=folium.GeoJsonPopup(fields=["_pop"], labels=False, max_width=360),
        marker=marker,
        zoom_on_click=False,
        control=False,
        pane=_pane(level),
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
    selection: Mapping[str, gpd.GeoDataFrame], selected: tuple[str, str], *, gcj02: bool = False,
    fit: bool = False,
) -> folium.FeatureGroup | None:
    """Outline the selected entity, as its own layer (None if it is filtered out).

    Kept separate from :func:`build_map` so the app can add it to a live map
    (``st_folium(feature_group_to_add=...)``) without reloading the map or losing the view.
    With ``fit`` the map fits the entity when the outline is added.
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
    group = folium.FeatureGroup(name=esc(MAP_LAYERS["selected"]), control=False)
    _ParentMapPanes({_pane("selected"): PANES["selected"]}).add_to(group)
    marker = folium.CircleMarker(radius=12)
    marker.options["pane"] = _pane("selected")
    folium.GeoJson(hit.to_json(drop_id=True),
                   style_function=lambda _f: {"color": "#00e5ff", "weight": 5, "fill": False},
                   marker=marker, interactive=False, control=False,
                   pane=_pane("selected")).add_to(group)
    if fit:
        _FitOnAdd().add_to(group)
    _stable_ids(group, prefix="sel")
    return group


def selection_bounds(selection: Mapping[str, gpd.GeoDataFrame], *, gcj02: bool = False
                     ) -> tuple[tuple[float, float], tuple[float, float]] | None:
    """((south, west), (north, east)) of every feature of ``selection`` (None when empty).

    In GCJ-02 with ``gcj02`` (the corners shifted like the drawn features).
    """
    geoms = [g for gdf in selection.values() for g in gdf.geometry.values
             if g is not None and not g.is_empty]
    if not geoms:
        return None
    west, south, east, north = (float(v) for v in shapely.total_bounds(geoms))
    pad_x, pad_y = max(0.0, MIN_FIT_SPAN_DEG - (east - west)) / 2, \
        max(0.0, MIN_FIT_SPAN_DEG - (north - south)) / 2
    west, east, south, north = west - pad_x, east + pad_x, south - pad_y, north + pad_y
    if gcj02:
        (w2, e2), (s2, n2) = wgs84_to_gcj02(np.array([west, east]), np.array([south, north]))
        west, east, south, north = float(w2), float(e2), float(s2), float(n2)
    return (south, west), (north, east)


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
                   gcj02: bool) -> folium.GeoJson:
    """Add the district outlines, ``district`` drawn heavier (a layer of the control)."""
    dist = districts.copy()
    dist["_emph"] = dist["name"] == district
    dist_light = display_frame(_with_text(dist, "district").assign(_emph=dist["_emph"]),
                               columns=["id", "level", "_tt", "_pop", "_emph"],
                               tolerance_m=DISPLAY_TOLERANCE_M["district"], gcj02=gcj02)
    layer = folium.GeoJson(
        dist_light.to_json(drop_id=True), name=esc(MAP_LAYERS["district"]),
        style_function=lambda f: {**DISTRICT_STYLE,
                                  **(DISTRICT_EMPH if f["properties"]["_emph"] else {})},
        tooltip=folium.GeoJsonTooltip(fields=["_tt"], labels=False), interactive=True,
        pane=_pane("district"),
    )
    layer.add_to(m)
    return layer


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
               belts: gpd.GeoDataFrame | None = None) -> folium.FeatureGroup | None:
    """Add the belt envelopes of ``zones`` as one layer (nothing if there are no zones)."""
    if zones is None or not len(zones):
        return None
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
        pane=_pane("belt"),
    ).add_to(fg)
    fg.add_to(m)
    return fg


def _level_group(gdf: gpd.GeoDataFrame, level: str, *, gcj02: bool) -> folium.FeatureGroup:
    """Return one level's layer, in its own pane and always shown.

    Not in the layer control: the sidebar's layer choice is the one switch of the levels.
    """
    fg = folium.FeatureGroup(name=esc(f"{MAP_LAYERS[level]}（{len(gdf)}）"), control=False,
                             show=True)
    if len(gdf):
        style = _STYLES[level]
        marker = None
        if level in POINT_COLORS:
            marker = folium.CircleMarker(radius=style["radius"], fill=True)
        layer = _geojson(gdf, level, gcj02=gcj02, style={k: v for k, v in style.items()
                                                          if k != "radius"}, marker=marker)
        _ClickThrough().add_to(layer)
        layer.add_to(fg)
    return fg


def _add_levels(m: folium.Map, selection: Mapping[str, gpd.GeoDataFrame], *,
                gcj02: bool) -> None:
    """Add a layer for every level present in ``selection`` (panes set the stacking)."""
    for level in ("zone", "subzone", "branch", "town", "base"):
        gdf = selection.get(level)
        if gdf is not None:
            _level_group(gdf, level, gcj02=gcj02).add_to(m)


def _label_items(selection: Mapping[str, gpd.GeoDataFrame], *, gcj02: bool) -> list[list]:
    """(lat, lon, escaped name, level, min zoom, is a point) of every name, by priority."""
    items: list[list] = []
    for level in LABEL_PRIORITY:
        gdf = selection.get(level)
        if gdf is None or not len(gdf):
            continue
        ok = gdf.geometry.notna() & ~gdf.geometry.is_empty
        part = gdf[ok]
        if not len(part):
            continue
        light = display_frame(part, columns=["name"], gcj02=gcj02)
        anchors = shapely.point_on_surface(light.geometry.values)
        is_point = shapely.get_type_id(light.geometry.values) == 0
        order = sorted(range(len(part)), key=lambda i: -float(light.geometry.values[i].area))
        for i in order:  # larger shapes claim their place first
            pt = anchors[i]
            items.append([round(float(pt.y), 5), round(float(pt.x), 5),
                          esc(light["name"].iloc[i]), level, LABEL_MIN_ZOOM[level],
                          bool(is_point[i])])
    return items


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
    fit_selection: bool = False,
    labels: bool = True,
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
    fit_selection : bool, keyword-only
        Open fitted to the features of ``selection`` (:func:`selection_bounds`) instead of the
        whole city; a button returns to the city either way.
    labels : bool, keyword-only
        Draw the names (:class:`NameLabels`).

    Returns
    -------
    folium.Map
    """
    gcj = _basemap(basemap, tianditu_key).gcj02
    m = blank_map(asset_base)
    _Panes(_all_panes()).add_to(m)
    _add_tiles(m, basemap, tianditu_key)
    toggles: dict[str, Element | None] = {
        "district": _add_districts(m, districts, district, gcj02=gcj)}
    belts_src = zones_for_belts if zones_for_belts is not None else selection.get("zone")
    toggles["belt"] = _add_belts(m, belts_src, gcj02=gcj, belts=belts)
    _add_levels(m, selection, gcj02=gcj)
    if platforms is not None:
        toggles["platform"] = add_platforms(m, platforms, gcj02=gcj, pane=_pane("platform"))
    _RememberToggles(toggles).add_to(m)
    _add_selected(m, selection, selected, gcj02=gcj)
    if labels:
        NameLabels(_label_items(selection, gcj02=gcj)).add_to(m)
    bounds = selection_bounds(selection, gcj02=gcj) if fit_selection else None
    west, south, east, north = NINGBO_VIEW
    views = [("city", MAP_UI_TEXTS["city"], [[south, west], [north, east]])]
    found = selection_bounds(selection, gcj02=gcj)
    if found is not None:
        views.append(("fit", MAP_UI_TEXTS["fit"], [list(found[0]), list(found[1])]))
    ViewButtons(views).add_to(m)
    counts = {level: len(gdf) for level, gdf in selection.items()}
    Legend(legend_html(list(selection) + (["platform"] if platforms is not None else []),
                       gcj02=gcj, counts=counts, collapsible=True),
           position="bottomleft", fold_below=LEGEND_FOLD_BELOW_PX).add_to(m)
    return finish_map(m, prefix="np", collapsed=True, bounds=bounds)


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
