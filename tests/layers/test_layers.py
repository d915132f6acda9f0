"""folium layer builders, tested through the HTML they render (as geopandas tests explore)."""

from __future__ import annotations

import json
import re

import folium
import geopandas as gpd
import numpy as np
import pytest
import shapely

from geo.crs import AREA_CRS
from geo.display import belt_envelopes, display_frame
from geo.gcj02 import wgs84_to_gcj02
from geo.labels import MAP_LAYERS
from geo.zones.selection import Filters, select
from layers import available_basemaps, build_map, external_links
from layers.assets import ASSET_FILES, install_assets
from layers.map import selection_group
from layers.text import esc, popup_html, tooltip_html

HOSTILE = "<img src=x onerror=alert(1)>`${alert(2)}`</script>&"


def _render(m: folium.Map) -> str:
    """The map's HTML with folium's JSON escapes (\\uXXXX) decoded, as a browser reads it."""
    html = m.get_root().render()
    return re.sub(r"\\u([0-9a-fA-F]{4})", lambda g: chr(int(g.group(1), 16)), html)


def _raw(m: folium.Map) -> str:
    return m.get_root().render()


def _features(html: str) -> list[dict]:
    """Every GeoJSON feature embedded in the rendered map (folium's ``..._add({...})`` calls)."""
    feats = []
    decoder = json.JSONDecoder()
    for m in re.finditer(r"geo_json_[0-9a-z]+_add\(", html):
        data, _ = decoder.raw_decode(html, m.end())
        feats += data["features"]
    return feats


@pytest.fixture(scope="module")
def default_html(catalog) -> str:
    return _render(build_map(select(catalog, Filters()), districts=catalog["district"]))


def test_layer_control_names_every_layer_with_its_count(default_html):
    for level, n in (("zone", 20), ("subzone", 57), ("town", 43), ("branch", 10), ("base", 6)):
        assert f"{MAP_LAYERS[level]}（{n}）" in default_html
    assert MAP_LAYERS["district"] in default_html
    assert MAP_LAYERS["belt"] in default_html
    assert "L.control.layers" in default_html


def test_features_carry_only_what_the_map_needs(default_html):
    feats = _features(default_html)
    by_level: dict[str, int] = {}
    for f in feats:
        level = f["properties"].get("level")
        if level:
            by_level[level] = by_level.get(level, 0) + 1
    assert by_level == {"district": 10, "zone": 20, "subzone": 57, "town": 43, "branch": 10,
                        "base": 6}
    zone = next(f for f in feats if f["properties"].get("level") == "zone")
    assert set(zone["properties"]) == {"id", "level", "_tt", "_pop", "_color"}
    assert "示意范围" in zone["properties"]["_pop"]
    assert "亩" in zone["properties"]["_tt"]


def test_default_map_is_offline_and_within_budget(default_html, catalog):
    m = build_map(select(catalog, Filters()), districts=catalog["district"],
                  asset_base="/app/static/vendor/leaflet")
    assert external_links(m) == []
    urls = re.findall(r'(?:src|href)="([^"]+)"', default_html)
    assert urls
    assert all(u.startswith("/app/static/vendor/leaflet/") for u in urls)
    assert "cdn" not in default_html.lower()
    assert len(default_html.encode()) < 1_500_000


def test_legend_states_the_geometry_is_schematic(default_html):
    assert "np-legend" in default_html
    assert "示意范围，非官方边界" in default_html


def test_filtered_map_only_holds_matching_features(catalog):
    sel = select(catalog, Filters(industries=("汽车",), levels=("zone", "town")))
    feats = _features(_render(build_map(sel, districts=catalog["district"])))
    ids = {f["properties"]["id"] for f in feats if f["properties"].get("level") == "zone"}
    assert ids == set(sel["zone"]["id"])
    assert "Z02" in ids
    assert "Z18" not in ids
    assert not any(f["properties"].get("level") == "subzone" for f in feats)


def test_hostile_names_are_escaped_in_tooltips_popups_and_legend(catalog):
    zones = catalog["zone"].copy()
    zones.loc[zones.index[0], "name"] = HOSTILE
    zones.loc[zones.index[0], "leading_industries"] = "${alert(3)}"
    m = build_map({"zone": zones}, districts=catalog["district"])
    raw, html = _raw(m), _render(m)
    # no markup from data survives, neither raw nor as folium's JSON escape of "<"
    assert "<img src=x" not in raw
    assert "\\u003cimg" not in raw
    assert "<img src=x" not in html
    assert "${alert" not in raw
    assert "`${" not in raw
    assert "${alert" not in html
    feats = [f for f in _features(raw) if f["properties"].get("level") == "zone"]
    shown = feats[0]["properties"]["_tt"] + feats[0]["properties"]["_pop"]
    assert "&lt;img src=x onerror=alert(1)&gt;" in shown
    assert "&#36;&#123;alert(2)&#125;" in shown
    assert "&#96;" in shown


def test_esc_and_text_builders():
    assert esc(None) == ""
    assert esc(float("nan")) == ""
    assert esc("a<b>`${x}`") == "a&lt;b&gt;&#96;&#36;&#123;x&#125;&#96;"
    row = {"id": "X", "name": HOSTILE, "geometry_quality": "surveyed", "area_km2": 1.5,
           "area_mu": 2250.0, "industry_tags": "汽车", "leading_industry": "=cmd"}
    import pandas as pd

    tt, pop = tooltip_html(pd.Series(row), "town"), popup_html(pd.Series(row), "town")
    for text in (tt, pop):
        assert "<img" not in text
        assert "${" not in text
    assert "1.50 平方公里（2,250 亩）" in tt
    assert "示意范围" not in pop  # a surveyed boundary is not called schematic


def test_gaode_basemap_shifts_overlays_for_display_only(catalog):
    sel = select(catalog, Filters(levels=("base",)))
    plain = _features(_render(build_map(sel, districts=catalog["district"])))
    shifted = _features(_render(build_map(sel, districts=catalog["district"], basemap="gaode")))
    p = next(f for f in plain if f["properties"].get("level") == "base")
    s = next(f for f in shifted if f["properties"].get("id") == p["properties"]["id"]
             and f["properties"].get("level") == "base")
    lon, lat = p["geometry"]["coordinates"]
    glon, glat = wgs84_to_gcj02(lon, lat)
    assert s["geometry"]["coordinates"] == pytest.approx([float(glon), float(glat)], abs=2e-5)
    # about 500 m in Ningbo, and the stored catalogue is untouched
    assert 0.002 < abs(s["geometry"]["coordinates"][0] - lon) < 0.01
    base = catalog["base"].set_index("id").loc[p["properties"]["id"]]
    assert base.geometry.x == pytest.approx(lon, abs=2e-5)


def test_basemaps_tianditu_needs_a_key(catalog):
    assert "tianditu" not in available_basemaps(tianditu_key=None)
    assert "tianditu" in available_basemaps(tianditu_key="k")
    with pytest.raises(ValueError, match="TIANDITU_KEY"):
        build_map({}, districts=catalog["district"], basemap="tianditu")
    html = _render(build_map({}, districts=catalog["district"], basemap="tianditu",
                             tianditu_key="abc123"))
    assert "tianditu.gov.cn" in html
    assert "tk=abc123" in html
    assert "tile.openstreetmap.org" not in _render(build_map({}, districts=catalog["district"]))
    with pytest.raises(ValueError, match="unknown basemap"):
        build_map({}, districts=catalog["district"], basemap="google")


def test_selection_group_outlines_one_entity(catalog):
    sel = select(catalog, Filters())
    group = selection_group(sel, ("zone", "Z07"))
    html = _render(folium.Map().add_child(group))
    feats = _features(html)
    assert [f["properties"]["id"] for f in feats] == ["Z07"]
    assert selection_group(sel, ("zone", "nope")) is None


def test_display_simplification_keeps_the_coverage_and_rounds(catalog):
    districts = catalog["district"]
    light = display_frame(districts, columns=["name"], tolerance_m=60)
    raw_n = shapely.get_num_coordinates(districts.geometry.values).sum()
    light_n = shapely.get_num_coordinates(light.geometry.values).sum()
    assert light_n < raw_n * 0.6
    projected = light.to_crs(AREA_CRS).geometry.values
    assert shapely.coverage_is_valid(projected, gap_width=0.0)
    raw_area = districts.to_crs(AREA_CRS).union_all().area
    assert abs(shapely.union_all(projected).area - raw_area) / raw_area < 0.005
    coords = shapely.get_coordinates(light.geometry.values)
    assert np.allclose(coords, np.round(coords, 5), atol=1e-9)
    with pytest.raises(ValueError, match="not in the layer"):
        display_frame(districts, columns=["nope"])


def test_belt_envelopes_cover_their_zones(catalog):
    env = belt_envelopes(catalog["zone"]).set_index("belt")
    assert len(env) == 5
    assert set(env["geometry_quality"]) == {"schematic"}
    for belt, zones in catalog["zone"].groupby("belt"):
        assert env.loc[belt].geometry.buffer(1e-6).contains(zones.union_all())
        assert env.loc[belt, "zone_count"] == len(zones)


def test_install_assets_copies_leaflet(tmp_path):
    dest = install_assets(tmp_path / "static")
    for rel in ASSET_FILES:
        assert (dest / rel).stat().st_size > 0
    assert b"Leaflet" in (dest / "leaflet.js").read_bytes()[:2000] or \
        b"leaflet" in (dest / "leaflet.js").read_bytes()[:2000].lower()
    install_assets(tmp_path / "static")  # idempotent


def test_the_same_view_builds_the_same_script(catalog):
    """Stable element ids: an unchanged view must not remount the map in the browser."""
    sel = select(catalog, Filters(industries=("汽车",)))
    first = _raw(build_map(sel, districts=catalog["district"]))
    again = _raw(build_map(sel, districts=catalog["district"]))
    other = _raw(build_map(select(catalog, Filters(industries=("新材料",))),
                           districts=catalog["district"]))
    assert first == again
    assert first != other
    group = selection_group(sel, ("zone", "Z02"))
    assert group.get_name().startswith("feature_group_sel")  # no clash with the map's ids


def test_point_markers_are_filled(default_html):
    """Towns and bases draw as filled dots, as the legend shows them (not empty rings)."""
    blocks = re.findall(r"_pointToLayer\(feature, latlng\) \{\s*var opts = (\{.*?\});",
                        default_html, flags=re.S)
    assert len(blocks) == 2  # towns and bases
    for block in blocks:
        assert '"fill": true' in block
        assert '"radius"' in block


def test_efficiency_maps_escape_user_strings(catalog):
    from layers.efficiency import build_choropleth, build_parcel_map

    sub = catalog["subzone"].iloc[:3]
    table = gpd.GeoDataFrame({
        "unit": ["U1", "U2", "U3"], "unit_name": [HOSTILE, "乙", "丙"],
        "tax_per_mu": [10.0, float("nan"), 30.0], "enterprise_count": [1, 0, 2],
        "coverage_share": [0.5, float("nan"), 1.0], "geometry_quality": ["schematic"] * 3},
        geometry=sub.geometry.values, crs=sub.crs)
    html = build_choropleth(table, metric="tax_per_mu", label="亩均税收", unit="万元/亩",
                            data_label=HOSTILE).get_root().render()
    parcels = table.assign(parcel_id=[HOSTILE, "P2", "P3"], land_mu=[1.0, 2.0, 3.0],
                           reasons=[HOSTILE, "x", "y"], reason_codes=["LOW_TAX", "IDLE", ""])
    html += build_parcel_map(parcels, data_label=HOSTILE).get_root().render()
    # folium embeds tooltips and legends as JSON (\uXXXX escapes): decode before looking
    shown = re.sub(r"\\u([0-9a-fA-F]{4})", lambda m: chr(int(m.group(1), 16)), html)
    assert "<img src=x" not in shown
    assert "${alert" not in shown
    assert shown.count("&lt;img src=x onerror=alert(1)&gt;") >= 4  # names, reasons, labels
    assert "亩均税收低于阈值" in shown  # the parcel legend names reasons in Chinese, not codes


def test_efficiency_maps_with_nothing_to_show_still_render(catalog):
    """No flagged parcel (or no unit) must give a map that says so, not a folium error."""
    from layers.efficiency import build_choropleth, build_parcel_map

    sub = catalog["subzone"].iloc[:0]
    empty = gpd.GeoDataFrame({"parcel_id": [], "land_mu": [], "reasons": [], "reason_codes": [],
                              "tax_per_mu": [], "unit_name": [], "enterprise_count": [],
                              "coverage_share": [], "geometry_quality": []},
                             geometry=sub.geometry.values, crs=sub.crs)
    html = build_parcel_map(empty, data_label="示例").get_root().render()
    html += build_choropleth(empty, metric="tax_per_mu", label="亩均税收", unit="万元/亩",
                             data_label="示例").get_root().render()
    shown = re.sub(r"\\u([0-9a-fA-F]{4})", lambda m: chr(int(m.group(1), 16)), html)
    assert "低效原因" in shown
    assert "无数据" in shown
