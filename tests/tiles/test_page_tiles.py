"""The 低效用地 page above the threshold: tiles and lookup built in the background, the capped
GeoJSON map meanwhile, then the tile map."""

from __future__ import annotations

import pytest
import streamlit.testing.v1.app_test as app_test_module

import app_pages.common
import geo.tiles.build
from app_pages.analysis_state import WORK_DIR_ENV
from app_pages.common import DATA_DIR_ENV
from app_pages.lowland_tiles import tile_jobs
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
    tile_jobs().wait_all(timeout=300)
    at.run()
    assert not at.exception, at.exception
    assert len(list((tmp_path / "app" / "static" / "tiles").glob("*.pmtiles"))) == 1
    assert len(list((tmp_path / "work" / "tiles").glob("*.parquet"))) == 1
    assert any("点击地图上的宗地" in c.value for c in at.caption)
    assert not any("矢量瓦片" in w.value for w in at.warning)


def test_a_slow_build_leaves_the_capped_map_and_a_note(tmp_path, monkeypatch):
    if not (node_modules_dir() / "protomaps-leaflet").is_dir():
        pytest.skip("protomaps-leaflet is not installed: run scripts/install_js.sh (npm ci)")
    import threading

    import app_pages.lowland_tiles as lowland_tiles

    release = threading.Event()
    real_build = lowland_tiles._build

    def slow_build(*args):
        release.wait(60)
        return real_build(*args)

    monkeypatch.setenv(WORK_DIR_ENV, str(tmp_path / "work"))
    monkeypatch.delenv(DATA_DIR_ENV, raising=False)
    monkeypatch.setattr(app_pages.common, "APP_DIR", tmp_path / "app")
    install_assets(tmp_path / "app" / "static")
    monkeypatch.setattr(geo.tiles.build, "TILE_THRESHOLD", 0)
    monkeypatch.setattr(lowland_tiles, "_build", slow_build)
    monkeypatch.setattr(lowland_tiles, "WAIT_S", 0.0)
    tile_jobs.clear()  # a build of the same analysis by an earlier test would be reused
    at = open_page("app_pages/lowland.py")
    try:
        assert any("正在后台生成" in c.value for c in at.caption)
        assert not list((tmp_path / "app" / "static" / "tiles").glob("*.pmtiles"))
    finally:
        release.set()
        tile_jobs().wait_all(timeout=300)
    at.run()
    assert not at.exception, at.exception
    assert len(list((tmp_path / "app" / "static" / "tiles").glob("*.pmtiles"))) == 1
    assert not any("正在后台生成" in c.value for c in at.caption)


def test_a_failed_build_is_said_and_tried_again_after_a_while(monkeypatch):
    import app_pages.lowland_tiles as lowland_tiles
    from geo.tiles import TileBuildError

    calls = []

    def failing():
        calls.append(1)
        raise TileBuildError("tippecanoe failed")

    jobs = lowland_tiles.TileJobs()
    with pytest.raises(TileBuildError):
        jobs.result("k", failing, wait=30)
    with pytest.raises(TileBuildError):
        jobs.result("k", failing, wait=30)
    assert len(calls) == 1  # not rebuilt on every rerun
    monkeypatch.setattr(lowland_tiles, "RETRY_S", 0.0)
    assert jobs.result("k", lambda: ("a.pmtiles", "a.parquet"), wait=30) == ("a.pmtiles",
                                                                              "a.parquet")


def test_any_build_failure_becomes_a_tile_build_error(tmp_path, monkeypatch):
    import geopandas as gpd
    from shapely.geometry import box

    import app_pages.lowland_tiles as lowland_tiles
    from geo.tiles import TileBuildError

    def full_disk(*_a, **_k):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(lowland_tiles, "write_lookup", full_disk)
    layer = gpd.GeoDataFrame({"parcel_id": ["P1"]}, geometry=[box(121.5, 29.8, 121.6, 29.9)],
                             crs=4326)
    with pytest.raises(TileBuildError):
        lowland_tiles._build(layer, tmp_path / "static", tmp_path / "lookups")
