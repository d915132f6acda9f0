"""A legible overview map (issue 14), tested through the HTML folium renders.

Pane z-order (points above polygons), the collapsed layer control without the catalogue
levels (the sidebar is their one switch), legend symbols drawn with the map's own styles,
name labels escaped, the view fitted to the selection; and the point query that lets a click
on overlapping features offer each of them.
"""

from __future__ import annotations

import json
import re

import folium
import pytest
import shapely

from geo.labels import MAP_LAYERS, MAP_UI_TEXTS
from geo.zones.at_point import DRAW_ORDER, features_at
from geo.zones.selection import Filters, select
from layers.map import (
    BELT_COLORS,
    BRANCH_COLOR,
    LABEL_MIN_ZOOM,
    PANES,
    build_map,
    level_style,
    selection_bounds,
    selection_group,
)
from layers.platforms import PLATFORM_COLOR

HOSTILE = "{{7*7}}<script>"


def _decoded(m: folium.Map | folium.Figure) -> str:
    html = m.get_root().render()
    return re.sub(r"\\u([0-9a-fA-F]{4})", lambda g: chr(int(g.group(1), 16)), html)


def _geojson_blocks(html: str) -> dict[str, dict]:
    """Per pane: the options and the styles of the GeoJson layer drawn in it."""
    blocks = {}
    for m in re.finditer(r"var (geo_json_[0-9a-z]+) = L\.geoJson\(null, \{(.*?)\}\);",
                         html, flags=re.S):
        name, body = m.group(1), m.group(2)
        pane = re.search(r'"pane": "([^"]+)"', body)
        styler = re.search(rf"function {name}_styler\(feature\) \{{(.*?)\n        \}}",
                           html, flags=re.S)
        styles = [json.loads(s) for s in re.findall(r"return (\{.*?\});", styler.group(1))] \
            if styler else []
        if pane:
            blocks[pane.group(1)] = {"name": name, "styles": styles}
    return blocks


@pytest.fixture(scope="module")
def selection(catalog):
    return select(catalog, Filters())


@pytest.fixture(scope="module")
def html(catalog, selection) -> str:
    from geo.zones.platforms import load_platforms

    return _decoded(build_map(selection, districts=catalog["district"],
                              platforms=load_platforms()))


def test_panes_stack_smaller_and_point_layers_above_polygons(html):
    order = ["district", "zone", "subzone", "branch", "town", "base"]
    z = [PANES[k] for k in order]
    assert z == sorted(z)
    assert len(set(z)) == len(z)
    assert PANES["belt"] < PANES["district"]
    assert PANES["label"] > PANES["base"]
    panes = json.loads(re.search(r"var panes = (\{.*?\});", html).group(1))
    assert panes == {f"np-{k}": v for k, v in PANES.items()}
    assert "createPane(name, map.getPane('overlayPane'))" in html  # below popups/tooltips
    blocks = _geojson_blocks(html)
    for level in order:
        assert f"np-{level}" in blocks, level
    # point markers are in their level's pane too (folium's path options drop it otherwise)
    for level in ("town", "base"):
        pane = re.findall(r'"pane": "np-' + level + '"', html)
        assert len(pane) >= 2, level
    # a small circle marker (radius <= 10) reports its own position when clicked
    for radius in re.findall(r'"radius": (\d+)', html):
        assert int(radius) <= 10


def test_layer_control_is_collapsed_and_holds_no_catalogue_level(html, selection):
    control = re.search(r"L\.control\.layers\(\s*(.*?)\)\.addTo", html, flags=re.S)
    assert control, "the map keeps a layer control (district outlines, belts, platforms)"
    args = control.group(1)
    assert '"collapsed": true' in args
    overlays = re.search(r"overlays\s*:\s*\{(.*?)\}", html, flags=re.S).group(1)
    for level, gdf in selection.items():
        assert f"{MAP_LAYERS[level]}（{len(gdf)}）" not in overlays, level
    assert MAP_LAYERS["district"] in overlays
    assert MAP_LAYERS["belt"] in overlays
    # what the official switches there survives a rebuild of the map (sessionStorage)
    remembered = re.search(r"var layers = \{(.*?)\};", html, flags=re.S).group(1)
    assert [k for k in ("district", "belt", "platform") if f'"{k}":' in remembered] == \
        ["district", "belt", "platform"]
    assert "sessionStorage" in html


def test_every_level_of_the_selection_is_drawn(catalog):
    """A sub-zone found by name is on the map: no level starts hidden."""
    sel = select(catalog, Filters(name="梅山"))
    assert len(sel["subzone"])
    html = _decoded(build_map(sel, districts=catalog["district"]))
    assert "np-subzone" in _geojson_blocks(html)
    assert "show: false" not in html.replace('"show": false', "show: false")


def test_legend_symbols_are_the_styles_drawn(html):
    blocks = _geojson_blocks(html)
    branch = blocks["np-branch"]["styles"]
    assert branch
    assert all(s["color"] == BRANCH_COLOR for s in branch)
    assert all(s["dashArray"] == "6 4" for s in branch)
    legend = re.search(r"div\.innerHTML = (\".*?\");", html).group(1)
    legend = json.loads(legend)
    sym = re.search(r"<svg class='np-sym np-sym-branch'.*?</svg>", legend).group(0)
    assert f"stroke='{BRANCH_COLOR}'" in sym
    assert "stroke-dasharray='6 4'" in sym
    assert f"stroke-width='{branch[0]['weight']}'" in sym
    # the branch colour is no belt colour (the old orange dashes read as 西部沿路)
    assert BRANCH_COLOR.lower() not in {c.lower() for c in BELT_COLORS.values()}
    assert BRANCH_COLOR.lower() != PLATFORM_COLOR.lower()
    # each belt's zone symbol is drawn with the zones' own colour, weight and fill
    zone_styles = {s["color"]: s for s in blocks["np-zone"]["styles"]}
    for belt, color in BELT_COLORS.items():
        assert belt in legend
        style = zone_styles[color]
        assert (f"fill='{color}' fill-opacity='{style['fillOpacity']}' stroke='{color}' "
                f"stroke-width='{style['weight']}'") in legend
    for level in ("town", "base"):
        color = level_style(level)["color"]
        assert re.search(rf"np-sym-{level}'.*?fill='{color}'", legend), level
    # the legend is small, bottom left, foldable and does not pass clicks to the map
    assert "position: \"bottomleft\"" in html
    assert "<details open>" in legend
    assert "disableClickPropagation(div)" in html
    assert "map.on('popupopen', function() { folded.open = false; })" in html


def test_labels_follow_zoom_hide_overlaps_and_are_escaped(catalog):
    zones = catalog["zone"].copy()
    zones.loc[zones.index[0], "name"] = HOSTILE
    sel = {"zone": zones, "subzone": catalog["subzone"]}
    html = _decoded(build_map(sel, districts=catalog["district"]))
    raw = build_map(sel, districts=catalog["district"]).get_root().render()
    items = json.loads(re.search(r"var items = (\[.*?\])\.map", html, flags=re.S).group(1))
    assert len(items) == len(zones) + len(catalog["subzone"])
    assert {tuple(i[3:5]) for i in items} == {("zone", LABEL_MIN_ZOOM["zone"]),
                                              ("subzone", LABEL_MIN_ZOOM["subzone"])}
    assert [i[3] for i in items][:len(zones)] == ["zone"] * len(zones)  # zones claim first
    names = [i[2] for i in items]
    assert "&#123;&#123;7*7&#125;&#125;&lt;script&gt;" in names
    assert "49" not in names
    assert "<script>" not in "".join(names)
    assert "{{7*7}}" not in raw
    assert "map.on('zoomend moveend', place)" in html
    assert "getBoundingClientRect" in html
    assert "https://" not in re.search(r"var items =.*?map\.whenReady", html, flags=re.S).group(0)


def test_the_view_fits_the_selection_and_a_button_returns_to_the_city(catalog):
    sel = select(catalog, Filters(district="北仑区"))
    html = _decoded(build_map(sel, districts=catalog["district"], fit_selection=True))
    (south, west), (north, east) = selection_bounds(sel)
    geoms = [g for gdf in sel.values() for g in gdf.geometry.values]
    w, s, e, n = shapely.total_bounds(geoms)
    assert (south, west, north, east) == pytest.approx((s, w, n, e))
    fit = re.search(r"\.fitBounds\(\s*(\[\[.*?\]\])", html, flags=re.S).group(1)
    assert sum(json.loads(fit), []) == pytest.approx([south, west, north, east])
    assert MAP_UI_TEXTS["city"] in html
    assert MAP_UI_TEXTS["fit"] in html
    city = _decoded(build_map(sel, districts=catalog["district"]))
    assert json.loads(re.search(r"\.fitBounds\(\s*(\[\[.*?\]\])", city,
                                flags=re.S).group(1)) == [[28.85, 120.88], [30.4, 122.3]]


def test_one_point_fits_at_street_scale_not_zoom_18(catalog):
    sel = {"base": catalog["base"].iloc[:1]}
    (south, west), (north, east) = selection_bounds(sel)
    assert north - south >= 0.029
    assert east - west >= 0.029


def test_the_selected_entity_outline_can_fit_the_map(selection):
    plain = _decoded(folium.Map(tiles=None).add_child(selection_group(selection, ("zone", "Z07"))))
    group = selection_group(selection, ("zone", "Z07"), fit=True)
    fitted = _decoded(folium.Map(tiles=None).add_child(group))
    assert "fitBounds(b" not in plain
    assert "fitBounds(b" in fitted
    assert '"pane": "np-selected"' in fitted


def test_the_same_view_still_builds_the_same_script(catalog, selection):
    first = build_map(selection, districts=catalog["district"]).get_root().render()
    again = build_map(selection, districts=catalog["district"]).get_root().render()
    assert first == again


def test_a_click_in_z07_under_the_beilun_branch_offers_both(selection, catalog):
    z07 = catalog["zone"].set_index("id").loc["Z07"].geometry
    b09 = catalog["branch"].set_index("id").loc["B09"].geometry
    here = shapely.point_on_surface(z07.intersection(b09))
    found = features_at(selection, here.x, here.y)
    keys = list(zip(found["level"], found["id"], strict=True))
    assert ("zone", "Z07") in keys
    assert ("branch", "B09") in keys
    # topmost first, as drawn: the 分园 above its 分片 above the zone
    ranks = [DRAW_ORDER.index(level) for level in found["level"]]
    assert ranks == sorted(ranks)
    assert keys[-1] == ("zone", "Z07")


def test_the_point_query_finds_points_shifted_and_nothing_elsewhere(selection, catalog):
    town = catalog["town"].iloc[0]
    found = features_at(selection, town.geometry.x + 1e-5, town.geometry.y)
    assert (found.iloc[0]["level"], found.iloc[0]["id"]) == ("town", town["id"])
    assert features_at(selection, 120.0, 28.0).empty  # outside Ningbo
    from geo.gcj02 import wgs84_to_gcj02

    glon, glat = wgs84_to_gcj02(town.geometry.x, town.geometry.y)
    shifted = features_at(selection, float(glon), float(glat), gcj02=True)
    assert town["id"] in set(shifted["id"])
