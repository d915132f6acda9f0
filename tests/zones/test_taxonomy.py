"""Industry taxonomy: the 246+ clusters, phrase mapping and filtering across layers."""

from __future__ import annotations

import pytest

from geo.zones.selection import filter_by_industry, filter_layer
from geo.zones.taxonomy import canonical_tags, load_taxonomy, split_tags, tags_for_phrase
from tests.support.seeds import read_excerpt


def test_taxonomy_holds_the_246_plus_clusters_of_seed_001_line_304():
    _, _, lines = read_excerpt("seed001_line304.txt")
    text = lines[0]
    groups = {}
    for t in load_taxonomy():
        groups.setdefault(t.group, []).append(t.tag)
    assert groups["万亿级产业集群"] == ["绿色石化", "汽车"]
    assert groups["五千亿级产业集群"] == ["高端装备", "新材料", "电子信息", "软件与新兴服务"]
    assert len(groups["千亿级产业集群"]) == 6
    assert len(groups["前沿产业"]) == 7
    for tag in groups["万亿级产业集群"] + groups["五千亿级产业集群"] + groups["千亿级产业集群"]:
        assert tag in text, tag  # every cluster tag is spelled as in the seed
    for tag in ("人工智能", "工业互联网", "区块链", "大数据和云计算", "空天信息", "氢能"):
        assert tag in text


@pytest.mark.parametrize(("phrase", "tag"), [
    ("膜材料", "新材料"), ("智能电器", "智能家电"), ("临港装备", "高端装备"), ("高端汽配", "汽车"),
    ("绿色石化", "绿色石化"), ("家电产业", "智能家电"), ("装备制造", "高端装备"),
    ("汽车产业", "汽车"), ("新能源材料产业集群", "新材料"), ("高端装备制造", "高端装备"),
])
def test_raw_phrases_map_to_tags(phrase, tag):
    assert tag in tags_for_phrase(phrase)


def test_every_raw_phrase_in_the_data_maps_to_a_tag(catalog):
    phrases = list(catalog["town"]["leading_industry"]) + list(catalog["branch"]["positioning"]) \
        + list(catalog["base"]["leading_industry"])
    for z in catalog["zone"]["leading_industries"]:
        phrases += [p for p in z.split("；") if p]
    unmapped = [p for p in phrases if not tags_for_phrase(p)]
    # 生命健康 (003:2210, 前湾新区) is no 246 cluster, and 健康 is a 表4-2 category of towns only;
    # the phrase filter still finds it in the zone's wording
    assert set(unmapped) <= {"生命健康"}


def test_stored_tags_are_canonical_and_cover_the_stated_phrases(catalog):
    known = set(canonical_tags())
    for level in ("zone", "subzone", "town", "branch", "base"):
        for tags in catalog[level]["industry_tags"]:
            assert set(split_tags(tags)) <= known
    towns = catalog["town"].set_index("name")
    assert "汽车" in split_tags(towns.loc["杭州湾汽车智创小镇", "industry_tags"])
    assert "高端装备" in split_tags(towns.loc["杭州湾汽车智创小镇", "industry_tags"])


def test_filter_by_tag_returns_entities_across_layers(catalog):
    hits = filter_by_industry(catalog, "汽车")
    by_level = hits.groupby("level")["name"].apply(set).to_dict()
    assert {"杭州湾汽车智创小镇", "宁海智能汽车小镇"} <= by_level["town"]
    assert "杭州湾新区" in by_level["base"]
    assert "鄞州分园" in by_level["branch"]  # 高端汽配
    assert set(hits["match"]) == {"标签"}
    assert hits.crs.to_epsg() == 4326


def test_filter_by_free_phrase_matches_the_wording_only(catalog):
    hits = filter_by_industry(catalog, "膜材料")
    assert set(hits["match"]) == {"原文"}
    assert set(hits.loc[hits["level"] == "branch", "name"]) == {"江北分园"}
    assert set(hits.loc[hits["level"] == "zone", "id"]) == {"Z15"}
    assert all("「膜材料」" in t for t in hits["matched_text"])
    jb = hits[hits["name"] == "江北分园"]
    assert jb["matched_text"].iloc[0].startswith(
        "「膜材料」产业集群（《宁波市科技创新“十四五”规划》第 ")


def test_filter_layer_combines_industry_and_district(catalog):
    towns = filter_layer(catalog["town"], industries=["汽车"], district="慈溪市")
    assert set(towns["name"]) == {"杭州湾汽车智创小镇"}


def test_empty_industry_query_is_refused(catalog):
    with pytest.raises(ValueError, match="empty industry query"):
        filter_by_industry(catalog, "  ")
