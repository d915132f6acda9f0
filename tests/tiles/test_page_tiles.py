"""The 低效用地 page above the threshold: tiles and lookup built, the tile map drawn, no GeoJSON."""

from __future__ import annotations

import pytest
import streamlit.testing.v1.app_test as app_test_module

import app_pages.common
import geo.tiles.build
from app_pages.analysis_state import WORK_DIR_ENV
from app_pages.common import DATA_DIR_ENV
from layers.assets import install_assets, node_modules_dir
from tests.support.apptest import RecordingStorage, open_page


def test_page_draws_tiles_above_the_threshold(tmp_path, monkeypatch):
    if not (node_modules_dir() / "protomaps-leaflet").is_dir():
        pytest.skip("protomaps-leaflet is not installed: run scripts/install_js.sh (npm ci)")
    monkeypatch.setenv(WORK_DIR_ENV, str(tmp_path / "work"))
    monkeypatch.delenv(DATA_DIR_ENV, raising=False)
    monkeypatch.setattr(app_test_module, "MemoryMediaFileStorage", RecordingStorage)
    monkeypatch.setattr(app_pages.common, "APP_DIR", tmp_path / "app")  # static/ of its own
    install_assets(tmp_path / "app" / "static")  # asset_base() may be cached by another test
    monkeypatch.setattr(geo.tiles.build, "TILE_THRESHOLD", 0)  # the sample's parcels tile
    at = open_page("app_pages/lowland.py")
    assert not at.exception, at.exception
    assert len(list((tmp_path / "app" / "static" / "tiles").glob("*.pmtiles"))) == 1
    assert len(list((tmp_path / "work" / "tiles").glob("*.parquet"))) == 1
    assert any("点击地图上的宗地" in c.value for c in at.caption)
    assert not any("矢量瓦片" in w.value for w in at.warning)
