"""The park-class choropleth (园区评价 A/B/C/D, issue 15): fixed class colours, its legend, the
boundaries' quality and data label, and hostile unit names kept literal."""

from __future__ import annotations

import re

import pytest

from geo.labels import PARK_SCREEN_TEXTS, QUALITY
from geo.landuse.model import SAMPLE_LABEL
from geo.landuse.parks import load_park_profile, park_table
from layers.efficiency import NO_DATA, PARK_CLASS_COLOURS, build_park_choropleth
from tests.layers.test_template_injection import HOSTILE, _assert_inert, _decoded, _properties

T = PARK_SCREEN_TEXTS




def _legend_rows(html: str) -> list[tuple[str, str]]:
    return re.findall(r"background:(#[0-9a-f]{6});margin-right:4px'></span>([^<]*)</div>", html)


@pytest.mark.parametrize("level", ["subzone", "zone", "district"])
def test_class_legend_colours_and_quality_label(sample_analysis, catalog, level):
    table = park_table(sample_analysis, catalog, level=level, profile=load_park_profile())
    html = _decoded(build_park_choropleth(table, data_label=sample_analysis.data_label,
                                          districts=catalog["district"]))
    rows = _legend_rows(html)
    assert rows == [*((c, T["legend_class"].format(cls=k)) for k, c in PARK_CLASS_COLOURS.items()),
                    (NO_DATA, T["legend_unclassed"])]
    assert SAMPLE_LABEL in html  # 示例数据 in the legend and every tooltip
    colours = [p["_color"] for p in _properties(html) if "_color" in p]
    expected = [PARK_CLASS_COLOURS[c] for c in table["park_class"] if isinstance(c, str)]
    assert sorted(c for c in colours if c != NO_DATA) == sorted(expected)
    quality = QUALITY[str(table["geometry_quality"].iloc[0])]
    assert quality in html
    assert (T["legend_schematic"] in html) == (level != "district")  # 示意范围 where schematic


def test_unclassed_units_are_grey_with_their_reason(sample_analysis, catalog):
    table = park_table(sample_analysis, catalog, level="zone", profile=load_park_profile())
    table.loc[table.index[0], ["park_class", "park_score", "park_rank"]] = [None, None, None]
    table.loc[table.index[0], "park_note"] = "无任何可用的园区评价指标数据，未参评"
    html = _decoded(build_park_choropleth(table, data_label="用户导入"))
    props = _properties(html)
    first = next(p for p in props if p.get("id") == "k0")
    assert first["_color"] == NO_DATA
    assert T["legend_unclassed"] in first["_tt"]
    assert "未参评" in first["_tt"]


def test_park_map_keeps_a_hostile_unit_name_and_label_literal(sample_analysis, catalog):
    table = park_table(sample_analysis, catalog, level="subzone", profile=load_park_profile())
    table.loc[table.index[0], "unit_name"] = HOSTILE
    table.loc[table.index[1], "park_note"] = HOSTILE
    table.loc[table.index[1], "park_class"] = None
    html = _decoded(build_park_choropleth(table, data_label=HOSTILE,
                                          districts=catalog["district"]))
    # the unit's name, the note of an unclassed unit, the legend note, every tooltip's label
    _assert_inert(html, at_least=len(table) + 3)
