"""一核四带, platforms, clusters and decisions against the cited seed lines (fixtures only)."""

from __future__ import annotations

import re
import shutil
import sys

import geopandas as gpd
import pytest
from shapely.geometry.base import BaseGeometry

from geo._errors import CatalogValidationError, user_message
from geo.labels import LOCATED_LABELS, PLATFORM_KINDS
from geo.zones.catalog import BELTS, DATA_DIR
from geo.zones.platforms import (
    load_belts,
    load_clusters,
    load_decisions,
    load_duodian,
    load_platforms,
    read_source,
)
from tests.support.paths import ROOT

FIXTURES = ROOT / "tests" / "fixtures" / "platform_seed_lines"
SEED_001 = "001_b8d3d45e2c57e28b.txt"
_MENTION = re.compile(r"(\d{3}):(\d+)")


def _seed_lines() -> dict[str, dict[int, str]]:
    out: dict[str, dict[int, str]] = {}
    for path in FIXTURES.glob("*.txt"):
        lines = {}
        for raw in path.read_text(encoding="utf-8").splitlines():
            no, _, text = raw.partition("\t")
            lines[int(no)] = text
        out[path.name] = lines
    return out


SEED = _seed_lines()


def _line(seed: str, line: object) -> str:
    assert seed in SEED, f"no fixture for {seed}"
    assert int(str(line)) in SEED[seed], f"{seed}:{line} is not in the fixture"
    return SEED[seed][int(str(line))]


def _short(seed3: str) -> str:
    return next(name for name in SEED if name.startswith(seed3))


def _present(geom: object) -> bool:
    return isinstance(geom, BaseGeometry) and not geom.is_empty


@pytest.fixture(scope="module")
def platforms():
    return load_platforms()


@pytest.fixture(scope="module")
def belts():
    return load_belts()


# ------------------------------------------------------------------ quotes on their lines


@pytest.mark.parametrize("table", ["sources/belts.csv", "sources/platforms.csv",
                                   "clusters.csv", "sources/duodian.csv"])
def test_every_quote_is_on_its_cited_line(table):
    rows = read_source(DATA_DIR / table, ("seed", "line", "quote"))
    for _, row in rows.iterrows():
        assert row["quote"], row["id"]
        assert row["quote"] in _line(row["seed"], row["line"]), row["id"]


def test_other_mentions_are_fixture_lines():
    rows = read_source(DATA_DIR / "sources" / "platforms.csv", ("other_mentions",))
    for value in rows["other_mentions"]:
        for seed, line in _MENTION.findall(str(value)):
            _line(_short(seed), line)


def test_platform_names_are_exact(platforms):
    """Each name is printed on its line (programmes are named by their quote's words)."""
    for _, row in platforms.iterrows():
        text = _line(row["seed"], row["line"])
        if row["kind"] != PLATFORM_KINDS["programme"]:
            # names broken across PDF lines: the quote holds the part on the cited line
            assert row["name"] in text or row["quote"] in text, row["id"]
        assert row["quote"] in text


def test_belt_fields_are_written_on_the_belt_line(belts):
    for _, row in belts.iterrows():
        text = _line(row["seed"], row["line"])
        for col in ("coverage", "carriers", "includes", "corridors", "industries", "cultivate"):
            for part in filter(None, str(row[col]).split("、")):
                assert part in text, (row["id"], col, part)
        for high in filter(None, str(row["highlands"]).split("；")):
            assert high.split("（")[0] in text, (row["id"], high)


def test_decisions_quote_both_sides():
    table = load_decisions()
    assert len(table) == 18
    for _, row in table.iterrows():
        assert row["side_a"] in _line(row["side_a_seed"], row["side_a_line"]), row["topic"]
        assert row["side_b"] in _line(row["side_b_seed"], row["side_b_line"]), row["topic"]
        assert row["decision"].strip()
        assert row["why"].strip()


# ------------------------------------------------------------------------------ counts


def test_belts_are_the_core_and_four_belts(belts):
    assert list(belts["name"]) == list(BELTS)
    assert set(belts["geometry_quality"]) == {"schematic"}
    assert belts.crs.to_epsg() == 4326
    south = belts.set_index("name").loc["南部湾海产业带", "highlands"].split("；")
    assert len(south) == 2
    east = belts.set_index("name").loc["东部临港产业带", "carriers"]
    for carrier in ("大榭开发区", "宁波保税区（宁波出口加工区）", "梅山保税港区",
                    "浙江自贸区（宁波片区）"):
        assert carrier in east
    assert "鄞州工业园区" in belts.set_index("name").loc["西部沿路产业带", "carriers"]


def test_belt_geometry_is_the_envelope_of_its_zones(belts, catalog):
    from geo.display import belt_envelopes

    env = belt_envelopes(catalog["zone"]).set_index("belt")
    for _, row in belts.iterrows():
        ref = env.loc[row["name"], "geometry"]
        assert row.geometry.symmetric_difference(ref).area < 1e-5 * ref.area
        zone_ids = set(catalog["zone"].loc[catalog["zone"]["belt"] == row["name"], "id"])
        assert set(row["carrier_zone_ids"].split("、")) == zone_ids


def test_duodian_lists_the_eight_towns_and_two_kinds(catalog):
    table = load_duodian()
    towns = table[table["catalogue_ref"].str.startswith("town:")]
    assert len(towns) == 8
    assert len(table) == 10
    by_id = catalog["town"].set_index("id")["name"]
    for _, row in towns.iterrows():
        assert by_id[row["catalogue_ref"].split(":")[1]] == row["name"]


def test_platform_counts(platforms):
    assert len(platforms) == 62
    assert platforms["located"].value_counts().to_dict() == {
        "unplaced": 47, "approximate": 12, "placed": 3}
    kinds = platforms["kind"].value_counts()
    assert kinds[PLATFORM_KINDS["innovation_unit"]] == 9  # 专栏10 nine 创新功能单元
    assert kinds[PLATFORM_KINDS["special_park"]] == 3  # … and three other 特色园区
    assert kinds[PLATFORM_KINDS["node"]] == 10  # 专栏11
    assert kinds[PLATFORM_KINDS["functional_area"]] == 4  # 专栏14
    assert (platforms["parent"] == "P04").sum() == 12  # 专栏10; the north-bank node is 专栏11
    assert platforms.set_index("id").loc["P35", "parent"] == ""
    assert platforms.set_index("id").loc["P40", "parent"] == "Z02"
    assert set(platforms["located"]) <= set(LOCATED_LABELS)


def test_unplaced_platforms_have_no_geometry_and_located_ones_say_how(platforms, catalog):
    for _, row in platforms.iterrows():
        geom = row.geometry
        if row["located"] == "unplaced":
            assert not _present(geom), row["id"]
            assert row["geometry_ref"] == ""
        else:
            assert _present(geom), row["id"]
            assert row["geometry_quality"] == "schematic"
            mode, level, entity = row["geometry_ref"].split(":")
            assert entity in row["how_located"]
            ref = catalog[level].set_index("id").geometry[entity]
            if mode == "shape":
                assert geom.symmetric_difference(ref).area < 1e-9
            else:
                assert geom.geom_type == "Point"
                assert ref.buffer(1e-9).contains(geom)
        assert row["how_located"].strip()


def test_programmes_have_their_targets(platforms):
    prog = platforms[platforms["kind"] == PLATFORM_KINDS["programme"]].set_index("name")
    assert "20 个左右" in prog.loc["战略产业园", "target"]
    assert "70 个左右" in prog.loc["优势产业社区", "target"]
    assert set(prog["located"]) == {"unplaced"}


def test_the_246_clusters_count_as_line_304_states():
    text = _line(SEED_001, 304)
    stated = {tier: int(n) for n, tier in re.findall(r"(\d)个[^，；]*?的(万亿级|五千亿级|千亿级)",
                                                    text)}
    assert stated == {"万亿级": 2, "五千亿级": 4, "千亿级": 6}
    table = load_clusters()
    core = table[table["group"] == "246"]
    assert core["tier"].value_counts().to_dict() == stated
    assert len(core) == 12  # “246”: 2 + 4 + 6
    frontier = table[table["group"] == "246+"]
    assert len(frontier) == 7  # 一批百亿级前沿产业, 001:321-328
    assert set(frontier["tier"]) == {"百亿级"}
    assert "等一批前沿产业，形成“246+”" in text
    for _, row in frontier.iterrows():
        assert row["name"] in text
        assert row["directions"] in _line(row["seed"], row["line"])
    chains = table[table["group"] == "标志性产业链"]
    assert len(chains) == 10  # 001:655 “10条标志性产业链”
    assert "10条标志性产业链" in _line(SEED_001, 655)
    for _, row in chains.iterrows():
        assert row["name"] in _line(row["seed"], row["line"])
    assert len(table) == 31
    for _, row in core.iterrows():
        assert row["name"] in text
        assert row["directions"] in _line(row["seed"], row["line"])
    for _, row in table.iterrows():
        for (seed, line), place in zip(_MENTION.findall(row["places_source"]),
                                       filter(None, row["places"].split("；")), strict=True):
            assert place in _line(_short(seed), line)


# --------------------------------------------------------------------- rebuild, validation


def test_committed_layers_equal_a_rebuild():
    sys.path.insert(0, str(ROOT / "scripts"))
    try:
        import build_platforms
    finally:
        sys.path.remove(str(ROOT / "scripts"))
    for name, built in build_platforms.build().items():
        stored = gpd.read_file(DATA_DIR / name, engine="pyogrio")
        assert list(stored["id"]) == list(built["id"])
        for col in built.columns:
            if col != "geometry":
                assert list(stored[col].astype(str)) == list(built[col].astype(str)), col
        for a, b in zip(stored.geometry, built.geometry, strict=True):
            assert _present(a) == _present(b)
            if _present(a):
                assert a.symmetric_difference(b).area < 1e-10


def test_a_bad_platform_table_is_refused_in_chinese(tmp_path):
    shutil.copytree(DATA_DIR, tmp_path / "parks")
    src = tmp_path / "parks" / PLATFORMS_NAME
    src.write_text(src.read_text(encoding="utf-8").replace("万亩千亿平台", "平台X", 1),
                   encoding="utf-8")
    with pytest.raises(CatalogValidationError) as err:
        load_platforms(data_dir=tmp_path / "parks")
    assert "类别" in user_message(err.value)


def test_an_unplaced_platform_with_geometry_is_refused(tmp_path):
    shutil.copytree(DATA_DIR, tmp_path / "parks")
    path = tmp_path / "parks" / PLATFORMS_NAME
    gdf = gpd.read_file(path, engine="pyogrio")
    gdf.loc[gdf["id"] == "P01", "located"] = "unplaced"
    gdf.loc[gdf["id"] == "P01", "geometry_ref"] = ""
    gdf.to_file(path, driver="GeoJSON", engine="pyogrio")
    with pytest.raises(CatalogValidationError) as err:
        load_platforms(data_dir=tmp_path / "parks")
    assert "未定位的平台带有图形" in user_message(err.value)


PLATFORMS_NAME = "platforms.geojson"
