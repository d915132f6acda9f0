"""End to end: the real app in headless Chromium draws the 20 zones with no CDN request.

Starts ``streamlit run streamlit_app.py`` on a free port, opens it with Selenium (local
chromedriver, so Selenium Manager never downloads anything), and checks inside the
streamlit-folium iframe that Leaflet came from the app's own ``/app/static`` and drew the zones.
Skips, saying why, when Chromium, chromedriver or Selenium is missing; otherwise failures fail.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from layers.map import BELT_COLORS
from tests.support.browser import StreamlitApp, app_env, free_port

try:
    from selenium.common.exceptions import (
        JavascriptException,
        NoSuchElementException,
        NoSuchFrameException,
        StaleElementReferenceException,
        TimeoutException,
    )
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait
except ImportError:  # the browser_paths fixture skips and says so
    pass

ZONE_COUNT = 20
RENDER_TIMEOUT_S = 60
#: The streamlit-folium component iframe (title "streamlit_folium.st_folium").
IFRAME_CSS = 'iframe[title*="st_folium"], iframe[src*="streamlit_folium"]'
#: Zone polygons: Leaflet SVG paths with the zone weight and a belt colour (see layers/map.py).
#: Belt envelopes share the colours but have stroke-width 0; 分园 are weight 2 but #e65100.
COUNT_ZONES_JS = """
const colors = new Set(arguments[0].map(c => c.toLowerCase()));
const pane = document.querySelector('.leaflet-overlay-pane');
if (!window.L || !pane || !document.querySelector('.leaflet-control-layers')) { return null; }
const paths = Array.from(pane.querySelectorAll('path[stroke-width="2"]'));
return paths.filter(p => colors.has((p.getAttribute('stroke') || '').toLowerCase())).length;
"""
RESOURCES_JS = "return performance.getEntriesByType('resource').map(e => e.name)"
App = StreamlitApp


@pytest.fixture
def app(tmp_path: Path, browser_paths) -> Iterator[App]:  # noqa: ARG001 - skip first
    """The app on a free port; terminated (whole process group) afterwards."""
    running = App(free_port(), tmp_path / "streamlit.log", app_env())  # bundled catalogue
    try:
        yield running.start()
    finally:
        running.stop()


def _stable_count(driver, script: str, *args, app: App, what: str) -> int:
    """Enter the (possibly re-created) map iframe and poll ``script`` until its count is > 0
    and unchanged between two polls; fail with ``what`` and the app's output otherwise."""
    last: list[int | None] = [None]

    def settled(drv) -> int | bool:
        drv.switch_to.default_content()
        drv.switch_to.frame(drv.find_element(By.CSS_SELECTOR, IFRAME_CSS))
        n = drv.execute_script(script, *args)
        stable = n is not None and n > 0 and n == last[0]
        last[0] = n
        return n if stable else False

    try:
        return WebDriverWait(
            driver, RENDER_TIMEOUT_S, poll_frequency=0.5,
            ignored_exceptions=(NoSuchElementException, NoSuchFrameException,
                                StaleElementReferenceException, JavascriptException),
        ).until(settled)
    except TimeoutException:
        pytest.fail(f"{what} within {RENDER_TIMEOUT_S}s (last count: {last[0]})" + app.tail())


def _offsite(urls: list[str], port: int) -> list[str]:
    allowed = (f"http://127.0.0.1:{port}/", f"http://localhost:{port}/", "data:", "blob:")
    return [u for u in urls if not u.startswith(allowed)]


@pytest.mark.e2e
def test_map_page_draws_20_zones_offline(app: App, driver, tmp_path: Path):
    started = time.monotonic()
    driver.get(app.url + "/")
    colors = list(BELT_COLORS.values())
    zones = _stable_count(driver, COUNT_ZONES_JS, colors, app=app,
                          what=f"the map iframe ({IFRAME_CSS}) never showed Leaflet zone paths")
    rendered = time.monotonic() - started

    # now inside the map iframe
    assert zones == ZONE_COUNT, (
        f"expected {ZONE_COUNT} zone paths (stroke-width 2, belt colour), found {zones}"
        + app.tail())
    assert driver.execute_script("return typeof window.L") == "object", (
        "Leaflet (window.L) is not loaded in the map iframe" + app.tail())
    control = driver.find_element(By.CSS_SELECTOR, ".leaflet-control-layers")
    assert "leaflet-control-layers-expanded" not in (control.get_attribute("class") or ""), (
        "the layer control should start collapsed" + app.tail())
    listed = control.get_attribute("textContent") or ""
    # the sidebar's 图层 is the only switch of the catalogue levels (one state)
    assert "重点工业集聚区" not in listed, f"layer control: {listed!r}" + app.tail()
    # the legend may start folded (narrow maps): read its text whether shown or not
    legend = driver.find_element(By.CSS_SELECTOR, ".np-legend").get_attribute("textContent")
    assert "示意" in (legend or ""), f"legend: {legend!r}" + app.tail()

    frame_urls = driver.execute_script(RESOURCES_JS)
    assert any(u.endswith("/app/static/vendor/leaflet/leaflet.js") for u in frame_urls), (
        f"Leaflet was not loaded from the app's static folder: {frame_urls}" + app.tail())
    assert not _offsite(frame_urls, app.port), (
        f"the map iframe fetched from outside the app: {_offsite(frame_urls, app.port)}")
    driver.switch_to.default_content()
    page_urls = driver.execute_script(RESOURCES_JS)
    assert not _offsite(page_urls, app.port), (
        f"the page fetched from outside the app: {_offsite(page_urls, app.port)}")

    shot = tmp_path / "map.png"
    assert driver.save_screenshot(str(shot)), "save_screenshot failed"
    assert shot.is_file(), f"screenshot missing: {shot}"
    assert shot.stat().st_size > 10_000, f"screenshot too small: {shot}"

    severe = [e for e in driver.get_log("browser") if e.get("level") == "SEVERE"]
    print(f"\ne2e: map drawn {rendered:.1f}s after navigation; {zones} zone paths; "
          f"{len(frame_urls)} iframe + {len(page_urls)} page resources, all local")
    print(f"e2e: screenshot {shot}")
    for entry in severe:
        print(f"e2e: browser SEVERE: {entry.get('message')}")


#: Choropleth units: Leaflet paths with the fill opacity of layers/efficiency.build_choropleth.
COUNT_UNITS_JS = """
const pane = document.querySelector('.leaflet-overlay-pane');
if (!window.L || !pane || !document.querySelector('.np-legend')) { return null; }
return pane.querySelectorAll('path[fill-opacity="0.75"]').length;
"""


@pytest.mark.e2e
def test_efficiency_page_draws_57_subzones_labelled_sample(app: App, driver):
    driver.get(app.url + "/efficiency")
    units = _stable_count(driver, COUNT_UNITS_JS, app=app,
                          what="the 亩均效益 choropleth never drew")
    assert units == 57, f"expected 57 分片 on the choropleth, found {units}" + app.tail()
    legend = driver.find_element(By.CSS_SELECTOR, ".np-legend").text
    assert "示例数据" in legend, f"legend: {legend!r}"
    assert "亩均税收" in legend, f"legend: {legend!r}"
    assert not _offsite(driver.execute_script(RESOURCES_JS), app.port)
    driver.switch_to.default_content()
    banner = driver.find_element(By.CSS_SELECTOR, "[data-testid='stAlert']").text
    assert "示例数据" in banner, banner
    assert not driver.find_elements(By.CSS_SELECTOR, "[data-testid='stException']"), app.tail()
