"""100,000 parcels as vector tiles in headless Chromium: bytes per view, same origin, a click.

A minimal Streamlit app draws the 低效用地 tile map exactly as the page does (see
``scripts/bench_tiles.py``, whose helpers this test uses); the archive and lookup of 100,000
synthetic parcels are built once into ``out/bench_tiles`` (git-ignored) and reused while the
layer and the build settings are unchanged. Skips, saying why, without Chromium/chromedriver
or the npm-installed plugin.
"""

from __future__ import annotations

import importlib.util
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from layers.assets import node_modules_dir
from tests.support import browser
from tests.support.paths import ROOT

try:
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.by import By
except ImportError:  # the browser_paths fixture skips and says so
    pass

PARCELS = 100_000
FOLDER = ROOT / "out" / "bench_tiles"


def _bench():
    """scripts/bench_tiles.py as a module (loaded once)."""
    if "bench_tiles" in sys.modules:
        return sys.modules["bench_tiles"]
    spec = importlib.util.spec_from_file_location("bench_tiles", ROOT / "scripts" /
                                                  "bench_tiles.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules["bench_tiles"] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def bench():
    if not (node_modules_dir() / "protomaps-leaflet" / "package.json").is_file():
        pytest.skip("protomaps-leaflet is not installed: run scripts/install_js.sh (npm ci)")
    return _bench()


@pytest.fixture
def tiled_app(bench, browser_paths, tmp_path: Path):  # noqa: ARG001 - skip first
    prepared = bench.prepare(FOLDER, PARCELS)
    port = browser.free_port()
    cmd, env = bench.app_command(prepared, port)
    log = tmp_path / "streamlit.log"
    proc = browser.start(cmd, log, env)
    try:
        why = browser.wait_for(f"http://127.0.0.1:{port}/_stcore/health", proc, body="ok")
        if why:
            pytest.fail(f"streamlit did not become healthy: {why}" + browser.tail(log))
        yield prepared, f"http://127.0.0.1:{port}", log
    finally:
        browser.stop(proc)


@pytest.mark.e2e
def test_static_server_answers_range_requests(tiled_app):
    prepared, url, _ = tiled_app
    req = urllib.request.Request(url + prepared.archive_url, headers={"Range": "bytes=0-126"})
    with urllib.request.urlopen(req, timeout=10) as r:
        body = r.read()
        assert r.status == 206
        assert r.headers["Content-Range"] == f"bytes 0-126/{prepared.archive_bytes}"
    assert len(body) == 127
    assert body[:7] == b"PMTiles"


@pytest.mark.e2e
def test_views_stay_under_budget_and_a_click_shows_the_record(bench, tiled_app, browser_paths,
                                                              monkeypatch):
    prepared, url, log = tiled_app
    monkeypatch.setenv("SE_OFFLINE", "true")
    driver = bench.chrome_with_network_log(*browser_paths)
    try:
        views = bench.measure(driver, url + "/", prepared)
        for view in views:
            assert view["external"] == 0, view
            assert view["total"] <= bench.BUDGET_BYTES, view
        assert sum(v["tiles"] for v in views) > 0
        _click_tiny_parcel(driver, prepared, log)
    finally:
        driver.quit()


def _click_tiny_parcel(driver, prepared, log) -> None:
    """Click the centre of the 10 m × 10 m parcel (map at z18 on it) and read its record."""
    lon, lat = prepared.tiny_lonlat
    driver.switch_to.default_content()
    bench_iframe = driver.find_element(By.CSS_SELECTOR, _bench().IFRAME_CSS)
    driver.switch_to.frame(bench_iframe)
    point = driver.execute_script(
        "var p = window.map.latLngToContainerPoint([arguments[0], arguments[1]]);"
        "var s = window.map.getSize(); return [p.x, p.y, s.x, s.y];", lat, lon)
    container = driver.find_element(By.CSS_SELECTOR, ".leaflet-container")
    ActionChains(driver).move_to_element_with_offset(
        container, int(point[0] - point[2] / 2), int(point[1] - point[3] / 2)).click().perform()
    driver.switch_to.default_content()
    time.sleep(0.5)
    browser.until(driver, lambda d: prepared.tiny_id in browser.page_text(d),
                  f"the record of {prepared.tiny_id} never appeared after the click", log)
    assert "所点宗地" in browser.page_text(driver)
