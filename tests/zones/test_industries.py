"""Issue 12: completed zone industries, their scopes, tagging side effects, the phrase filter.

Every seed line cited here is held verbatim in ``tests/fixtures/industry_seed_lines`` (tests
never read ../shared).
"""

from __future__ import annotations

import csv
import shutil

import pandas as pd
import pytest
import streamlit.testing.v1.app_test as app_test_module
from streamlit.testing.v1 import AppTest

from app_pages.common import DATA_DIR_ENV
from geo._errors import CatalogValidationError
from geo.labels import COLUMNS
from geo.zones.build import build_layers
from geo.zones.selection import MAP_LEVELS, Filters, filter_by_industry, select
from geo.zones.taxonomy import split_tags, tags_for_name, tags_for_phrase
from tests.support.apptest import RecordingStorage
from tests.support.paths import APP, ROOT
from tests.support.seeds import FIXTURES, read_excerpt

SEED_003 = "003_eaac2ae218f46b5d.txt"
SOURCES = ROOT / "data" / "parks" / "sources"

#: The rows issue 12 adds: (zone, scope, phrase, cited line, a word of the seed that ties the
#: phrase to the zone or part, the lines where that word stands).
NEW_ROWS = [
    ("Z01", "zone", "新材料", 1415, "宁波国家高新区", (1407, 1407)),
    ("Z01", "zone", "工业互联网", 1417, "国家一流高新区建设", (1413, 1413)),
    ("Z01", "zone", "关键核心基础件", 1417, "国家一流高新区建设", (1413, 1413)),
    ("Z02", "zone", "未来汽车", 2210, "重点建设前湾新区", (2208, 2208)),
    ("Z02", "zone", "高端装备", 2210, "重点建设前湾新区", (2208, 2208)),
    ("Z02", "zone", "新材料", 2210, "重点建设前湾新区", (2208, 2208)),
    ("Z02", "zone", "电子信息产业", 2210, "重点建设前湾新区", (2208, 2208)),
    ("Z02", "zone", "生命健康", 2210, "重点建设前湾新区", (2208, 2208)),
    ("Z10", "zone", "临港装备", 1567, "象山经开区", (1556, 1556)),
    ("Z12", "zone", "新装备", 1605, "余姚经开区", (1598, 1598)),
    ("Z14", "zone", "产业互联网", 1850, "前洋经济开发区", (1848, 1850)),
    ("Z14", "zone", "工业互联网", 1850, "前洋经济开发区", (1848, 1850)),
    ("Z16", "Z16-01", "新能源材料", 1625, "望春工业园东至聚才路", (1611, 1611)),
    ("Z19", "Z19-04", "智能制造", 1550, "滨海新区东至东泄洪渠", (1539, 1539)),
    ("Z20", "zone", "生物医药", 1592, "宁海经开区", (1587, 1587)),
]


def _held() -> dict[int, str]:
    """Seed 003 lines held in tests/fixtures/industry_seed_lines, by line number."""
    held: dict[int, str] = {}
    for path in sorted((FIXTURES / "industry_seed_lines").glob("*.txt")):
        seed, first, lines = read_excerpt(path.relative_to(FIXTURES).as_posix())
        assert seed == SEED_003
        for offset, text in enumerate(lines):
            held[first + offset] = text.strip()
    return held


def _joined(held: dict[int, str], first: int, last: int) -> str:
    """Lines first..last as one text (the PDF-derived seed wraps words across lines)."""
    return "".join(held.get(n, "") for n in range(first, last + 1))


def _source_rows() -> list[dict[str, str]]:
    with (SOURCES / "zone_industries.csv").open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


# --- 1. completed zone industries ---------------------------------------------------------

def test_every_new_row_is_in_the_source_table_with_its_scope():
    rows = {(r["zone_id"], r["scope"], r["phrase"], r["seed"], int(r["line"]))
            for r in _source_rows()}
    for zone, scope, phrase, line, _, _ in NEW_ROWS:
        assert (zone, scope, phrase, SEED_003, line) in rows


@pytest.mark.parametrize("row", NEW_ROWS, ids=lambda r: f"{r[0]}-{r[2]}")
def test_new_phrase_and_its_tie_stand_on_the_cited_lines(row):
    _, _, phrase, line, tie, tie_lines = row
    held = _held()
    assert held.get(line), f"fixture lacks {SEED_003}:{line}"
    assert phrase in _joined(held, line, line + 2)  # a phrase may wrap onto the next line
    assert tie in _joined(held, *tie_lines)


def test_seven_zones_silent_before_now_state_industries(catalog):
    zones = catalog["zone"].set_index("id")
    for zone_id in ("Z01", "Z10", "Z12", "Z14", "Z16", "Z19", "Z20"):
        assert zones.loc[zone_id, "leading_industries"], zone_id
    assert zones.loc["Z01", "leading_industries"] == "新材料；工业互联网；关键核心基础件"
    assert zones.loc["Z02", "leading_industries"] == \
        "汽车；未来汽车；高端装备；新材料；电子信息产业；生命健康"
    assert zones.loc["Z18", "leading_industries"] == ""  # still named in no statement


def test_tag_new_material_returns_the_national_hightech_zone(catalog):
    sel = select(catalog, Filters(industries=("新材料",)))
    assert "Z01" in set(sel["zone"]["id"])
    assert {"Z01-01", "Z01-02"} <= set(sel["subzone"]["id"])
    assert "Z01" in set(filter_by_industry(catalog, "新材料").query("level == 'zone'")["id"])


# --- scopes -------------------------------------------------------------------------------

def test_scopes_are_kept_on_zones_and_subzones(catalog):
    zones = catalog["zone"].set_index("id")
    z07 = dict(zip(zones.loc["Z07", "leading_industries"].split("；"),
                   zones.loc["Z07", "leading_industries_scopes"].split("；"), strict=True))
    assert z07 == {"绿色石化": "Z07-04", "汽车": "北仑区", "装备制造": "zone",
                   "智能装备": "Z07-05"}
    subs = catalog["subzone"].set_index("id")

    def stated(sub_id):
        return [p for p in subs.loc[sub_id, "leading_industries"].split("；") if p]

    assert "智能装备" in stated("Z07-05")
    assert "智能装备" not in stated("Z07-01")
    assert "绿色石化" in stated("Z07-04")
    assert "绿色石化" not in stated("Z07-05")
    assert "汽车" in stated("Z07-01")  # 北仑区: every 分片 of Z07 lies in it
    assert stated("Z16-01") == ["新能源材料"]
    assert stated("Z16-02") == []
    assert stated("Z19-04") == ["智能制造"]
    assert stated("Z19-01") == []
    assert stated("Z20-02") == ["生物医药"]  # zone scope reaches every 分片


def test_phrase_of_a_subzone_finds_that_subzone_only(catalog):
    sel = select(catalog, Filters(phrase="智能装备", levels=("zone", "subzone")))
    assert set(sel["subzone"]["id"]) == {"Z07-05"}
    assert set(sel["zone"]["id"]) == {"Z07"}
    assert "Z07-05" in sel["zone"]["matched_text"].iloc[0]  # the zone says which part


def test_build_refuses_a_scope_that_is_no_part_of_the_zone(tmp_path):
    src = tmp_path / "sources"
    shutil.copytree(SOURCES, src)
    path = src / "zone_industries.csv"
    text = path.read_text(encoding="utf-8").replace("Z16,Z16-01,", "Z16,Z07-05,", 1)
    path.write_text(text, encoding="utf-8")
    with pytest.raises(CatalogValidationError, match="scope"):
        build_layers(sources=src)


# --- 2. tagging side effects ----------------------------------------------------------------

@pytest.mark.parametrize(("phrase", "wanted", "not_wanted"), [
    ("智慧物流", set(), {"软件与新兴服务"}),  # logistics is no software service
    ("生命健康", set(), {"健康"}),  # a zone's 生命健康 is not the town category 健康
    ("软件材料", {"新材料"}, {"软件与新兴服务"}),  # a material: 软件 is the modifier
    ("新能源材料产业集群", {"新材料"}, {"新能源"}),  # materials for new energy
    ("新能源汽车", {"汽车"}, {"新能源"}),  # a kind of 汽车 (001:308)
    ("工业互联网", {"工业互联网"}, {"软件与新兴服务"}),  # the longest head wins over 互联网
    ("智能制造产业集群", {"智能制造"}, set()),  # the whole term is the category: kept
])
def test_a_keyword_inside_a_longer_term_does_not_tag_it(phrase, wanted, not_wanted):
    tags = set(tags_for_phrase(phrase))
    assert wanted <= tags
    assert not tags & not_wanted


def test_town_categories_still_tag_towns():
    assert tags_for_phrase("健康", town=True) == ["健康"]
    assert "健康" in tags_for_name("宁海葛洪养生小镇", town=True)
    assert "健康" not in tags_for_name("宁海葛洪养生小镇")


def test_stored_tags_carry_no_side_effects(catalog):
    zones = catalog["zone"].set_index("id")
    for zone_id in ("Z05", "Z06", "Z07", "Z08"):  # belt 智慧物流 (001:336)
        assert "软件与新兴服务" not in split_tags(zones.loc[zone_id, "industry_tags"])
    for zone_id in ("Z09", "Z10", "Z11"):  # belt 生命健康, 软件材料, 新能源汽车 (001:337)
        tags = split_tags(zones.loc[zone_id, "industry_tags"])
        assert not {"健康", "软件与新兴服务", "新能源"} & set(tags)
        assert {"新材料", "汽车"} <= set(tags)
    assert "健康" not in split_tags(zones.loc["Z02", "industry_tags"])
    towns = catalog["town"].set_index("name")
    assert "软件与新兴服务" not in split_tags(towns.loc["奉化宁南智慧物流小镇", "industry_tags"])
    branches = catalog["branch"].set_index("name")
    assert split_tags(branches.loc["海曙分园", "industry_tags"]) == ["新材料"]


# --- 3. the phrase filter ---------------------------------------------------------------------

def _wording(row: pd.Series) -> str:
    cols = ("leading_industries", "belt_industries", "leading_industry", "positioning")
    return "；".join(str(row[c]) for c in cols if c in row.index)


def test_phrase_film_material_returns_only_entities_whose_wording_holds_it(catalog):
    film = select(catalog, Filters(phrase="膜材料"))
    tag = select(catalog, Filters(industries=("新材料",)))
    assert set(film["zone"]["id"]) == {"Z15"}
    assert set(film["branch"]["name"]) == {"江北分园"}
    assert len(film["zone"]) < len(tag["zone"])  # no longer the same as the tag
    for level in MAP_LEVELS:
        for _, row in film[level].iterrows():
            assert "膜材料" in _wording(row), (level, row["id"])
            assert "「膜材料」" in row["matched_text"]
    z15 = film["zone"].set_index("id").loc["Z15", "matched_text"]
    assert z15 == "「膜材料」（《宁波市科技创新“十四五”规划》第 1809 行）"  # shown by title


def test_phrase_matches_belt_wording_and_says_so(catalog):
    sel = select(catalog, Filters(phrase="生命健康", levels=("zone",)))
    assert set(sel["zone"]["id"]) == {"Z02", "Z09", "Z10", "Z11"}
    text = sel["zone"].set_index("id")["matched_text"]
    assert text["Z02"] == "「生命健康」（《宁波市科技创新“十四五”规划》第 2210 行）"
    assert "《宁波市推动制造业高质量发展“十四五”规划》第 337 行" in text["Z09"]
    assert "产业带" in text["Z09"]


def test_tag_filter_matches_tags_and_carries_no_matched_text(catalog):
    sel = select(catalog, Filters(industries=("新材料",)))
    assert all("matched_text" not in gdf.columns for gdf in sel.values())
    both = select(catalog, Filters(industries=("汽车",), phrase="膜材料"))
    zones = both["zone"].set_index("id")
    assert zones.loc["Z15", "matched_text"].startswith("「膜材料」")
    assert zones.loc["Z02", "matched_text"] == ""  # kept by the tag


def test_filters_stay_a_hashable_cache_key():
    assert hash(Filters(phrase="膜材料")) == hash(Filters(phrase="膜材料"))


def test_map_view_table_shows_the_matched_text(monkeypatch):
    monkeypatch.setattr(app_test_module, "MemoryMediaFileStorage", RecordingStorage)
    monkeypatch.delenv(DATA_DIR_ENV, raising=False)
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    assert not any(COLUMNS["matched_text"] in df.value.columns for df in at.dataframe)
    at.text_input(key="f_phrase").set_value("膜材料").run()
    assert not at.exception, at.exception
    tables = [df.value for df in at.dataframe]
    assert tables
    for table in tables:
        assert COLUMNS["matched_text"] in table.columns
        assert table[COLUMNS["matched_text"]].str.contains("「膜材料」").all()


def test_the_south_belt_highlands_stay_apart():
    """001:337 names two 高地; each belt phrase of Z09-Z11 says which one it comes from."""
    highlands = {"象山港生态绿色产业示范高地": ("新能源汽车", "软件材料", "电子信息"),
                 "南湾生态绿色制造高地": ("高端装备", "新能源汽车", "新材料", "生命健康")}
    for zone in ("Z09", "Z10", "Z11"):
        rows = [r for r in _source_rows() if r["zone_id"] == zone and r["scope"] == "belt"]
        got: dict[str, list[str]] = {}
        for r in rows:
            named = [h for h in highlands if r["basis"].startswith(h)]
            assert len(named) == 1, r
            got.setdefault(named[0], []).append(r["phrase"])
        assert {h: tuple(p) for h, p in got.items()} == highlands, zone
