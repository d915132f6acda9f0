"""The plans' platforms and belts on the overview map (issue 12): located platforms drawn and in
the legend, unplaced ones never drawn but listed, filters applied, data escaped."""

from __future__ import annotations

import pytest

from geo.zones.platforms import filter_platforms, load_belts, load_platforms
from geo.zones.selection import Filters, select
from layers.map import build_map
from layers.platforms import unplaced_table
from tests.layers.test_layers import _render


@pytest.fixture(scope="module")
def platforms():
    return load_platforms()


def _html(catalog, platforms, **kw) -> str:
    m = build_map(select(catalog, Filters()), districts=catalog["district"],
                  platforms=platforms, belts=load_belts(), **kw)
    return _render(m)  # JSON escapes decoded, as a browser reads it


def test_located_platforms_are_drawn_and_unplaced_ones_are_not(catalog, platforms):
    html = _html(catalog, platforms)
    located = platforms[platforms["located"] != "unplaced"]
    assert f"规划平台（已定位/示意）（{len(located)}）" in html
    for name in located["name"].head(5):
        assert name in html
    for name in platforms.loc[platforms["located"] == "unplaced", "name"]:
        assert f"<b>{name}</b>" not in html  # no tooltip: nothing drawn at a made-up spot
    assert "（虚线：大致位置）" in html  # the legend shows the layer as drawn


def test_the_unplaced_list_names_every_unplaced_platform_by_document_title(platforms):
    table = unplaced_table(platforms)
    assert len(table) == int((platforms["located"] == "unplaced").sum())
    assert table.iloc[:, -1].str.startswith("《").all()
    assert not table.iloc[:, -1].str.contains(r"\.txt").any()


def test_belt_tooltips_carry_the_plans_industries(catalog, platforms):
    html = _html(catalog, platforms)
    belts = load_belts()
    first = belts.iloc[0]
    assert "主导产业：" in html
    assert str(first["industries"]).split("、")[0] in html


def test_platforms_follow_the_industry_district_and_name_filters(platforms):
    by_phrase = filter_platforms(platforms, phrase="集成电路")
    assert len(by_phrase)
    assert by_phrase["industries"].str.contains("集成电路").all()
    by_tag = filter_platforms(platforms, industries=("新材料",))
    assert len(by_tag) < len(platforms)
    named = filter_platforms(platforms, name="甬江科创大走廊")
    assert named["name"].str.contains("甬江科创大走廊").all()


def test_a_hostile_platform_name_is_inert(catalog, platforms):
    hostile = platforms.copy()
    i = hostile.index[hostile["located"] != "unplaced"][0]
    hostile.loc[i, "name"] = "{{7*7}}{% if true %}X{% endif %}<script>alert(1)</script>"
    html = _html(catalog, hostile)
    assert "49X" not in html
    assert "<script>alert(1)</script>" not in html
