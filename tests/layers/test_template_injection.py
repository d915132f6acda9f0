"""Template injection: a name from data never runs as Jinja on the server or as JS in the page.

branca re-reads the script folium renders as a Jinja template, so a ``{{7*7}}`` in a tooltip,
a GeoJSON property, a legend or a layer name would render as ``49`` (and a crafted name could
run code on the server). Every public builder of :mod:`layers` is rendered here, as geopandas'
tests/test_explore.py does, with one entity, sub-zone, district or parcel of the real data
named :data:`HOSTILE`.
"""

from __future__ import annotations

import json
import re

import folium
import pytest

from geo.landuse.pipeline import analyse, load_sample
from geo.landuse.scoring import load_profile
from geo.landuse.tables import level_table, parcel_table
from geo.zones.selection import Filters, select
from layers.efficiency import build_choropleth, build_parcel_map
from layers.map import build_map, selection_group
from layers.text import esc

JINJA = "{{7*7}}{% if true %}X{% endif %}"
HOSTILE = JINJA + "`${alert(1)}`" + "<script>"
#: What Jinja would have made of the name: the sign of an evaluated template.
EVALUATED = "49X"
#: The name as the page must carry it: literal braces, as entities.
ESCAPED = "&#123;&#123;7*7&#125;&#125;&#123;% if true %&#125;X&#123;% endif %&#125;"
TEMPLATE_SYNTAX = ("{{", "}}", "{%", "%}", "{#", "#}", "`", "${")


def _decoded(m: folium.Map | folium.Figure) -> str:
    """The rendered HTML with folium's JSON escapes (\\uXXXX) decoded, as a browser reads it."""
    html = m.get_root().render()
    return re.sub(r"\\u([0-9a-fA-F]{4})", lambda g: chr(int(g.group(1), 16)), html)


def _properties(html: str) -> list[dict]:
    """The properties of every GeoJSON feature embedded in the rendered map."""
    found, decoder = [], json.JSONDecoder()
    for m in re.finditer(r"geo_json_[0-9a-z]+_add\(", html):
        data, _ = decoder.raw_decode(html, m.end())
        found += [f["properties"] for f in data["features"]]
    return found


def _assert_inert(html: str, *, at_least: int = 1) -> None:
    assert EVALUATED not in html, "a data string was evaluated as a Jinja template"
    assert html.count(ESCAPED) >= at_least, "the name's braces must survive, escaped"
    assert "&#96;&#36;&#123;alert(1)&#125;&#96;" in html
    for code in ("${alert", "`${", "`<script>", "<script>`"):
        assert code not in html
    assert "&lt;script&gt;" in html
    for props in _properties(html):
        for value in props.values():
            if isinstance(value, str):
                assert not any(t in value for t in TEMPLATE_SYNTAX), value


def _renamed(catalog, level: str, column: str = "name", row: int = 0) -> dict:
    out = dict(catalog)
    gdf = catalog[level].copy()
    gdf.loc[gdf.index[row], column] = HOSTILE
    out[level] = gdf
    return out


def test_folium_reads_embedded_data_as_a_template():
    """Why the escaping matters: raw folium evaluates ``{{ }}`` in a GeoJSON property."""
    feature = {"type": "Feature", "properties": {"x": "{{7*7}}"},
               "geometry": {"type": "Point", "coordinates": [121.5, 29.9]}}
    m = folium.Map(tiles=None)
    folium.GeoJson({"type": "FeatureCollection", "features": [feature]}).add_to(m)
    assert '"x": "49"' in m.get_root().render()
    assert esc("{{7*7}}{#c#}{%x%}") == "&#123;&#123;7*7&#125;&#125;&#123;#c#&#125;&#123;%x%&#125;"


@pytest.mark.parametrize("level", ["zone", "subzone", "town", "branch", "base", "district"])
def test_overview_map_keeps_a_hostile_name_literal(catalog, level):
    hostile = _renamed(catalog, level)
    sel = select(hostile, Filters())
    m = build_map(sel, districts=hostile["district"], district=HOSTILE)
    # tooltip and popup of the entity (districts: tooltip and popup text of their layer)
    _assert_inert(_decoded(m), at_least=2)


def test_overview_map_keeps_a_hostile_id_and_belt_literal(catalog):
    hostile = _renamed(_renamed(catalog, "zone", "belt"), "zone", "id", row=1)
    sel = select(hostile, Filters())
    zone_id = hostile["zone"]["id"].iloc[1]
    html = _decoded(build_map(sel, districts=hostile["district"], selected=("zone", zone_id)))
    _assert_inert(html, at_least=3)  # the belt envelope, the zone's belt, the zone's id
    assert selection_group(sel, ("zone", zone_id)) is not None  # as the table gives it
    group = selection_group(sel, ("zone", esc(zone_id)))  # as a click returns it
    assert group is not None
    _assert_inert(_decoded(folium.Map(tiles=None).add_child(group)), at_least=1)


@pytest.fixture(scope="module")
def hostile_analysis(catalog):
    """The sample analysed with one sub-zone and one district holding data named HOSTILE."""
    sample = load_sample()
    plain = analyse(sample.parcels, sample.enterprises, catalog, load_profile(),
                    data_label=sample.data_label, year=sample.year)
    used = plain.parcels.dropna(subset=["subzone_id"])
    district = used["district"].mode().iloc[0]
    subzone = used["subzone_id"].mode().iloc[0]
    hostile = dict(catalog)
    hostile["district"] = catalog["district"].assign(name=catalog["district"]["name"].where(
        catalog["district"]["name"] != district, HOSTILE))
    hostile["subzone"] = catalog["subzone"].assign(name=catalog["subzone"]["name"].where(
        catalog["subzone"]["id"] != subzone, HOSTILE))
    analysis = analyse(sample.parcels, sample.enterprises, hostile, load_profile(),
                       data_label=HOSTILE, year=sample.year)
    return analysis, hostile


@pytest.mark.parametrize("level", ["subzone", "district"])
def test_choropleth_keeps_hostile_unit_names_and_labels_literal(hostile_analysis, level):
    analysis, catalog = hostile_analysis
    table = level_table(analysis, catalog, level=level)
    assert (table["unit_name"].str.contains(JINJA, regex=False)).any()
    m = build_choropleth(table, metric="tax_per_mu", label=HOSTILE, unit=HOSTILE,
                         data_label=analysis.data_label, districts=catalog["district"])
    html = _decoded(m)
    # the unit's tooltip, the layer name, legend title and note, every tooltip's data label
    _assert_inert(html, at_least=len(table) + 3)


def test_parcel_map_keeps_hostile_ids_reasons_and_labels_literal(hostile_analysis):
    analysis, catalog = hostile_analysis
    flagged = parcel_table(analysis)
    assert len(flagged)
    flagged.loc[flagged.index[0], ["parcel_id", "reasons"]] = [HOSTILE, HOSTILE]
    m = build_parcel_map(flagged, data_label=analysis.data_label,
                         districts=catalog["district"], subzones=catalog["subzone"])
    html = _decoded(m)
    # parcel id, reasons, the data label of every tooltip and of the legend
    _assert_inert(html, at_least=len(flagged) + 3)
    assert EVALUATED not in html
