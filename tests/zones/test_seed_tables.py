"""The catalogue against the seed tables: counts, exact names, parents and provenance."""

from __future__ import annotations

import csv

import pandas as pd

from geo.zones.selection import filter_by_industry
from tests.support.paths import ROOT
from tests.support.seeds import FIXTURES, column_9, numbered_table, read_excerpt, table_4_1

SEED_001 = "001_b8d3d45e2c57e28b.txt"
SEED_003 = "003_eaac2ae218f46b5d.txt"
SOURCES = ROOT / "data" / "parks" / "sources"


def test_counts(catalog):
    counts = {level: len(gdf) for level, gdf in catalog.items()}
    assert counts == {"zone": 20, "subzone": 57, "town": 43, "branch": 10, "base": 6,
                      "district": 10}


def test_fixture_tables_have_the_published_counts():
    zones = table_4_1()
    assert len(zones) == 20
    assert sum(len(z.subzones) for z in zones) == 57
    assert len(numbered_table("seed001_table4-2.txt")) == 43
    assert len(numbered_table("seed001_table4-3.txt")) == 6
    assert len(column_9()) == 10


def test_zones_and_belts_match_table_4_1(catalog):
    zones = catalog["zone"].sort_values("id")
    seed = table_4_1()
    assert list(zones["name"]) == [z.name for z in seed]
    assert list(zones["belt"]) == [z.belt for z in seed]
    for (_, row), z in zip(zones.iterrows(), seed, strict=True):
        assert row["source"].startswith(f"{SEED_001}:{z.line} ")


def test_subzones_match_table_4_1_with_parent_links(catalog):
    subs = catalog["subzone"]
    zones = catalog["zone"].set_index("name")
    for z in table_4_1():
        mine = subs[subs["zone_name"] == z.name].sort_values("id")
        assert list(mine["name"]) == z.subzones, z.name
        assert set(mine["zone_id"]) == {zones.loc[z.name, "id"]}
        assert set(mine["belt"]) == {z.belt}
        assert all(s.startswith(f"{SEED_001}:{z.subzone_line} ") for s in mine["source"])


def test_towns_match_table_4_2(catalog):
    towns = catalog["town"].sort_values("seq")
    seed = numbered_table("seed001_table4-2.txt")
    assert list(towns["seq"]) == [r[0] for r in seed]
    assert list(towns["name"]) == [r[1] for r in seed]
    assert list(towns["leading_industry"]) == [r[3] for r in seed]
    for (_, row), r in zip(towns.iterrows(), seed, strict=True):
        assert row["source"].startswith(f"{SEED_001}:{r[2]}-{r[4]} ")


def test_bases_match_table_4_3_and_link_to_entities(catalog):
    bases = catalog["base"].sort_values("seq")
    seed = numbered_table("seed001_table4-3.txt")
    assert list(bases["name"]) == [r[1] for r in seed]
    assert list(bases["leading_industry"]) == [r[3] for r in seed]
    links = dict(zip(bases["name"], zip(bases["zone_id"], bases["subzone_id"], strict=True),
                     strict=True))
    zones = catalog["zone"].set_index("id")["name"]
    subs = catalog["subzone"].set_index("id")["name"]
    assert zones[links["宁波石化经济技术开发区"][0]] == "宁波石化经济技术开发区"
    assert zones[links["宁波经济技术开发区"][0]] == "宁波经济技术开发区"
    assert subs[links["大榭经济技术开发区"][1]] == "大榭片"
    assert subs[links["杭州湾新区"][1]] == "宁波杭州湾新区片"
    assert bases.set_index("name").loc["余姚市", "district"] == "余姚市"


def test_branches_match_column_9(catalog):
    branches = catalog["branch"].sort_values("seq")
    seed = column_9()
    assert list(branches["name"]) == [b.name for b in seed]
    assert list(branches["planned_area_km2"]) == [b.planned_area_km2 for b in seed]
    assert list(branches["positioning"]) == [b.positioning for b in seed]
    for (_, row), b in zip(branches.iterrows(), seed, strict=True):
        assert row["source"].startswith(f"{SEED_003}:{b.line} ")


def test_beilun_row_decision_is_recorded(catalog):
    """北仑分园: area 130 and positioning 高端装备 + 集群 are split by the PDF layout."""
    row = catalog["branch"].set_index("name").loc["北仑分园"]
    assert row["planned_area_km2"] == "130"
    assert row["positioning"] == "高端装备集群"
    assert row["range_text"].startswith("新碶、大碶、小港街道重点产业园区包括新碶高新产业园")
    assert row["range_text"].endswith("北至北仑港")


def _seed_lines() -> dict[tuple[str, int], str]:
    """Every seed line held in tests/fixtures, keyed by (seed file, line number)."""
    held = {}
    paths = sorted(FIXTURES.glob("seed*.txt")) + sorted(FIXTURES.glob("industry_seed_lines/*.txt"))
    for path in paths:
        seed, first, lines = read_excerpt(path.relative_to(FIXTURES).as_posix())
        for offset, text in enumerate(lines):
            held[(seed, first + offset)] = text.strip()
    return held


def test_zone_industry_phrases_are_at_their_cited_seed_lines(catalog):
    held = _seed_lines()
    with (SOURCES / "zone_industries.csv").open(encoding="utf-8") as source:
        rows = list(csv.DictReader(source))
    assert len(rows) > 20
    for row in rows:
        line = int(row["line"])
        # a phrase may wrap onto the next printed line of the PDF-derived seed 003
        text = "".join(held.get((row["seed"], n), "") for n in range(line, line + 3))
        assert held.get((row["seed"], line)), f"fixture lacks {row['seed']}:{line}"
        assert row["phrase"] in text, row
    zones = catalog["zone"].set_index("id")
    for zone_id, group in pd.DataFrame(rows).groupby("zone_id"):
        # stated phrases (of the zone, one of its 分片 or a district) and the belt's directions
        belt = group["scope"] == "belt"
        for column, part in (("leading_industries", group[~belt]), ("belt_industries",
                                                                     group[belt])):
            assert [p for p in zones.loc[zone_id, column].split("；") if p] == list(part["phrase"])
        scopes = [s for s in str(zones.loc[zone_id, "leading_industries_scopes"]).split("；") if s]
        assert scopes == list(group.loc[~belt, "scope"])


def test_zones_without_seed_statements_stay_empty(catalog):
    zones = catalog["zone"].set_index("id")
    # 宁波明州经济开发区 is not named in any industry statement of the seeds
    assert zones.loc["Z18", "leading_industries"] == ""
    assert zones.loc["Z18", "belt_industries"] == ""
    assert zones.loc["Z02", "leading_industries"].split("；")[0] == "汽车"
    assert zones.loc["Z15", "leading_industries"] == "膜材料"


def test_filter_by_car_industry_returns_the_zones_the_plan_names(catalog):
    hits = filter_by_industry(catalog, "汽车")
    zone_hits = set(hits.loc[hits["level"] == "zone", "id"])
    assert {"Z02", "Z07"} <= zone_hits
    assert "Z18" not in zone_hits
