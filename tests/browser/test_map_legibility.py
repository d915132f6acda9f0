"""A zone lying under a 高新区分园 can be clicked and chosen on the real map (issue 14).

The app in headless Chromium (as in test_e2e): zoom to a point of Z15 that lies inside
江北分园, click it with the mouse, and the page offers every feature there — the 分园, the
分片 and the zone; picking the zone shows its profile. Screenshots of each step, at 1366×768
and 1920×1080, are saved under the test's tmp folder. Skips, saying why, without Chromium.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import shapely

from geo.zones.catalog import load_catalog
from tests.support.browser import StreamlitApp, app_env, free_port, until

try:
    from selenium.common.exceptions import JavascriptException, NoSuchFrameException
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.by import By
except ImportError:  # the browser_paths fixture skips and says so
    pass

IFRAME_CSS = 'iframe[title*="st_folium"], iframe[src*="streamlit_folium"]'
READY_JS = """
if (!window.map) { return 0; }
return document.querySelectorAll('.leaflet-overlay-pane path').length;
"""
POINT_JS = """
var p = window.map.latLngToContainerPoint([arguments[0], arguments[1]]);
var r = document.getElementById('map_div').getBoundingClientRect();
return [p.x + r.left, p.y + r.top];
"""
SIZES = ((1366, 768), (1920, 1080))


@pytest.fixture
def app(tmp_path: Path, browser_paths) -> Iterator[StreamlitApp]:  # noqa: ARG001 - skip first
    """The app on a free port with a work folder of its own; stopped afterwards."""
    running = StreamlitApp(free_port(), tmp_path / "streamlit.log",
                           app_env(NINGBO_WORK_DIR=str(tmp_path / "work")),
                           ["--server.fileWatcherType", "none"])  # no "File change." prompt
    try:
        yield running.start()
    finally:
        running.stop()


def _in_map(driver, script: str, *args):
    driver.switch_to.default_content()
    driver.switch_to.frame(driver.find_element(By.CSS_SELECTOR, IFRAME_CSS))
    try:
        return driver.execute_script(script, *args)
    finally:
        driver.switch_to.default_content()


def _map_ready(driver) -> bool:
    try:
        return (_in_map(driver, READY_JS) or 0) > 50
    except (JavascriptException, NoSuchFrameException):
        return False


def _idle(driver) -> bool:
    """The app is not running a script (its status widget offers no 停止/Stop) and the map
    is drawn."""
    status = " ".join(el.text for el in
                      driver.find_elements(By.CSS_SELECTOR, "[data-testid='stStatusWidget']"))
    return "Stop" not in status and "停止" not in status and _map_ready(driver)


def _overlap_choices(driver) -> list:
    labels = driver.find_elements(By.CSS_SELECTOR, "[data-testid='stRadio'] label")
    return labels if len(labels) >= 2 else []


@pytest.mark.parametrize(("width", "height"), SIZES)
def test_a_zone_under_a_branch_can_be_clicked_and_chosen(app, driver, tmp_path, width, height):
    catalog = load_catalog()
    zone = catalog["zone"].set_index("id").loc["Z15"]
    branch = catalog["branch"].set_index("id").loc["B02"]
    here = shapely.point_on_surface(zone.geometry.intersection(branch.geometry))
    driver.set_window_size(width, height)
    driver.get(app.url)
    until(driver, _map_ready, "the overview map was never drawn", app)
    until(driver, _idle, "the app never settled", app)
    driver.save_screenshot(str(tmp_path / f"map_{width}x{height}.png"))

    frame = driver.find_element(By.CSS_SELECTOR, IFRAME_CSS)
    driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", frame)
    _in_map(driver, "window.map.setView([arguments[0], arguments[1]], 12, {animate: false})",
            here.y, here.x)
    time.sleep(1.0)  # labels are placed on moveend
    driver.save_screenshot(str(tmp_path / f"map_{width}x{height}_zoomed.png"))
    x, y = _in_map(driver, POINT_JS, here.y, here.x)
    rect = frame.rect
    ActionChains(driver).move_to_element_with_offset(
        frame, x - rect["width"] / 2, y - rect["height"] / 2).click().perform()

    choices = until(driver, _overlap_choices, "a click on Z15 under 江北分园 offered no choice",
                    app)
    texts = [c.text for c in choices]
    assert any(f"（{zone.name}）" in t for t in texts), texts
    assert any("（B02）" in t for t in texts), texts
    driver.save_screenshot(str(tmp_path / f"map_{width}x{height}_offered.png"))

    pick = next(c for c in choices if f"（{zone.name}）" in c.text)
    pick.click()
    until(driver, lambda d: any(h.text.strip() == zone["name"]
                                for h in d.find_elements(By.CSS_SELECTOR, "h1, h2, h3")),
          f"picking {zone.name} never showed its profile", app)
    until(driver, _idle, "the app never settled after the pick", app)
    driver.save_screenshot(str(tmp_path / f"map_{width}x{height}_picked.png"))
    for name in ("", "_zoomed", "_offered", "_picked"):
        assert (tmp_path / f"map_{width}x{height}{name}.png").stat().st_size > 10_000
