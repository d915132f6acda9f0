"""Filters across layers, entity profiles and the printable summary."""

from __future__ import annotations

import pytest

from geo.zones.profile import entity_profile
from geo.zones.report import profile_html
from geo.zones.selection import MAP_LEVELS, Filters, describe_filters, select


def test_no_filter_returns_every_layer_whole(catalog):
    sel = select(catalog, Filters())
    assert list(sel) == list(MAP_LEVELS)
    assert {k: len(v) for k, v in sel.items()} == {"zone": 20, "subzone": 57, "town": 43,
                                                    "branch": 10, "base": 6}


def test_tags_and_phrase_widen_each_other(catalog):
    cars = select(catalog, Filters(industries=("汽车",)))
    film = select(catalog, Filters(phrase="膜材料"))
    both = select(catalog, Filters(industries=("汽车",), phrase="膜材料"))
    for level in MAP_LEVELS:
        assert set(both[level]["id"]) == set(cars[level]["id"]) | set(film[level]["id"])
    assert "Z15" in set(film["zone"]["id"])


def test_belt_applies_to_zones_and_subzones_only(catalog):
    sel = select(catalog, Filters(belt="东部临港产业带"))
    assert set(sel["zone"]["id"]) == {"Z05", "Z06", "Z07", "Z08"}
    assert set(sel["subzone"]["zone_id"]) == {"Z05", "Z06", "Z07", "Z08"}
    assert len(sel["town"]) == 43  # the seeds give towns no belt: not filtered, and said so
    assert "仅作用于集聚区与分片" in describe_filters(Filters(belt="东部临港产业带"))["筛选·产业带"]


def test_district_and_name_filters(catalog):
    sel = select(catalog, Filters(district="北仑区", name="大榭", levels=("subzone", "branch")))
    assert list(sel) == ["subzone", "branch"]
    assert set(sel["subzone"]["name"]) == {"大榭片"}
    assert set(sel["branch"]["name"]) == {"大榭分园"}


def test_bad_filters_name_the_fix():
    with pytest.raises(ValueError, match="unknown layer.*Fix"):
        Filters(levels=("parcel",))
    with pytest.raises(ValueError, match="unknown belt.*Fix"):
        Filters(belt="中部产业带")


def test_zone_profile_lists_parts_neighbours_and_sources(catalog):
    p = entity_profile(catalog, "zone", "Z07")
    assert p.name == "宁波经济技术开发区"
    assert len(p.subzones) == 6
    assert "大榭片" in set(p.subzones["名称"])
    assert {"大榭分园", "北仑分园"} <= set(p.related["名称"])
    own = p.industries[p.industries["口径"] == "集聚区本身"]
    assert dict(zip(own["产业"], own["出处"], strict=True))["装备制造"].endswith("第 631 行")
    assert "示意" in p.geometry_quality
    assert p.areas["口径"].tolist() == ["计算面积（示意范围）"]


def test_branch_profile_keeps_stated_and_computed_area(catalog):
    p = entity_profile(catalog, "branch", "B01")
    stated, computed = p.areas["平方公里"].tolist()
    assert abs(computed - stated) / stated < 0.05
    assert p.areas["亩"].iloc[0] == pytest.approx(stated * 1500)


def test_profile_of_unknown_entity_names_the_fix(catalog):
    with pytest.raises(ValueError, match="no zone with id 'Z99'. Fix"):
        entity_profile(catalog, "zone", "Z99")
    with pytest.raises(ValueError, match="unknown level"):
        entity_profile(catalog, "district", "x")


def test_printable_summary_is_self_contained_and_escaped(catalog):
    zones = dict(catalog)
    zones["zone"] = catalog["zone"].copy()
    zones["zone"].loc[zones["zone"]["id"] == "Z07", "name"] = "<script>alert(1)</script>"
    html = profile_html(entity_profile(zones, "zone", "Z07"),
                        filters=describe_filters(Filters(industries=("汽车",))))
    assert "<script>alert" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "src=" not in html
    assert "href=" not in html  # nothing fetched: prints offline
    assert "示意范围" in html
    assert "大榭片" in html
    assert "筛选·产业标签：汽车" in html
