"""Build belts.geojson and platforms.geojson from data/parks/sources/{belts,platforms}.csv.

Usage:
    .venv/bin/python scripts/build_platforms.py              # write the two layers
    .venv/bin/python scripts/build_platforms.py --fixtures   # also rewrite the seed-line
        fixtures tests/fixtures/platform_seed_lines/<seed>.txt from ../shared/seeds

The belt geometry is :func:`geo.display.belt_envelopes` of the zone layer (the map's belt
outline); a located platform reuses the geometry of the catalogue entity it names.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import geopandas as gpd

from geo.display import belt_envelopes
from geo.zones.catalog import DATA_DIR, load_catalog
from geo.zones.platforms import (
    BELTS_FILE,
    CLUSTERS_FILE,
    DECISIONS_FILE,
    DUODIAN_FILE,
    PLATFORMS_FILE,
    build_belts,
    build_platforms,
    read_source,
    write_geojson,
)

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT.parent / "shared" / "seeds"
FIXTURES = ROOT / "tests" / "fixtures" / "platform_seed_lines"
_MENTION = re.compile(r"(\d{3}):(\d+)")


def build(data_dir: Path = DATA_DIR) -> dict[str, gpd.GeoDataFrame]:
    """The two layers, built from the CSVs and the committed catalogue."""
    catalog = load_catalog(data_dir=data_dir)
    belts = build_belts(belt_envelopes(catalog["zone"]), data_dir=data_dir)
    platforms = build_platforms(catalog, data_dir=data_dir)
    return {BELTS_FILE: belts, PLATFORMS_FILE: platforms}


def cited_lines(data_dir: Path = DATA_DIR) -> dict[str, set[int]]:
    """Seed file → every line the platform tables cite (quotes, other mentions, both sides)."""
    seeds = {p.name[:3]: p.name for p in SEEDS.glob("00*.txt")}
    found: dict[str, set[int]] = {}

    def add(seed: str, line: str) -> None:
        found.setdefault(seeds.get(seed, seed), set()).add(int(line))

    sources = data_dir / "sources"
    for path, extra in ((sources / "belts.csv", ()), (sources / "platforms.csv",
                        ("other_mentions",)), (data_dir / CLUSTERS_FILE, ("places_source",)),
                        (data_dir / DUODIAN_FILE, ())):
        for _, row in read_source(path, ("seed", "line", *extra)).iterrows():
            add(str(row["seed"]), str(row["line"]))
            for col in extra:
                for seed, line in _MENTION.findall(str(row[col])):
                    add(seed, line)
    for _, row in read_source(data_dir / DECISIONS_FILE, ()).iterrows():
        for side in ("side_a", "side_b"):
            add(str(row[f"{side}_seed"]), str(row[f"{side}_line"]))
    return found


def write_fixtures(data_dir: Path = DATA_DIR) -> None:
    """Copy the cited lines out of ../shared/seeds ("line_no<TAB>text" per line)."""
    FIXTURES.mkdir(parents=True, exist_ok=True)
    for seed, lines in sorted(cited_lines(data_dir).items()):
        text = (SEEDS / seed).read_text(encoding="utf-8").splitlines()
        body = "".join(f"{n}\t{text[n - 1]}\n" for n in sorted(lines))
        (FIXTURES / seed).write_text(body, encoding="utf-8")


if __name__ == "__main__":
    for name, gdf in build().items():
        write_geojson(gdf, DATA_DIR / name)
        print(f"{name}: {len(gdf)} features")
    if "--fixtures" in sys.argv[1:]:
        write_fixtures()
        print(f"fixtures written to {FIXTURES}")
