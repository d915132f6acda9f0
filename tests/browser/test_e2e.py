"""End to end: the real app in headless Chromium draws the 20 zones with no CDN request.

Starts ``streamlit run streamlit_app.py`` on a free port, opens it with Selenium (local
chromedriver, so Selenium Manager never downloads anything), and checks inside the
streamlit-folium iframe that Leaflet came from the app's own ``/app/static`` and drew the zones.
Skips, saying why, when Chromium, chromedriver or Selenium is missing; otherwise failures fail.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from layers.map import BELT_COLORS
from tests.support.paths import ROOT

try:
    from selenium import webdriver
    from selenium.common.exceptions import (
        JavascriptException,
        NoSuchElementException,
        NoSuchFrameException,
        StaleElementReferenceException,
        TimeoutException,
    )
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait
except ImportError as exc:  # the test skips and says so
    webdriver = None
    SELENIUM_ERROR = str(exc)

ZONE_COUNT = 20
STARTUP_TIMEOUT_S = 60
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


def _find(name: str) -> str | None:
    found = shutil.which(name)
    if found:
        return found
    path = Path("/usr/bin") / name
    return str(path) if path.is_file() and os.access(path, os.X_OK) else None


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class App:
    """A running ``streamlit run`` whose combined output goes to ``log``."""

    def __init__(self, proc: subprocess.Popen, port: int, log: Path):
        self.proc, self.port, self.log = proc, port, log
        self.url = f"http://127.0.0.1:{port}"

    def tail(self, lines: int = 40) -> str:
        text = self.log.read_text(encoding="utf-8", errors="replace") if self.log.exists() else ""
        body = "\n".join(text.splitlines()[-lines:]) or "(no output)"
        return f"\n--- streamlit output (last {lines} lines, {self.log}) ---\n{body}"


@pytest.fixture
def browser_paths() -> tuple[str, str]:
    """(chromium, chromedriver), or skip with the reason."""
    if webdriver is None:
        pytest.skip(f"selenium is not importable ({SELENIUM_ERROR}); "
                    "install it with .venv/bin/pip install -r requirements.txt")
    chromium = _find("chromium") or _find("chromium-browser")
    driver = _find("chromedriver")
    missing = [n for n, p in (("chromium", chromium), ("chromedriver", driver)) if not p]
    if missing:
        pytest.skip(f"{' and '.join(missing)} not found on PATH or in /usr/bin; "
                    "install the Debian packages chromium and chromium-driver (.ci/run does)")
    return chromium, driver


@pytest.fixture
def app(tmp_path: Path, request: pytest.FixtureRequest) -> App:
    """The app on a free port; terminated (whole process group) afterwards."""
    request.getfixturevalue("browser_paths")  # skip before starting anything without a browser
    port = _free_port()
    log = tmp_path / "streamlit.log"
    env = {k: v for k, v in os.environ.items() if k != "NINGBO_PARKS_DIR"}  # bundled catalogue
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", "streamlit_app.py",
             "--server.port", str(port), "--server.headless", "true"],
            cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
            start_new_session=True)
    running = App(proc, port, log)
    try:
        deadline = time.monotonic() + STARTUP_TIMEOUT_S
        while True:
            if proc.poll() is not None:
                pytest.fail(f"streamlit exited with code {proc.returncode} before it was healthy"
                            + running.tail())
            try:
                with urllib.request.urlopen(f"{running.url}/_stcore/health", timeout=2) as r:
                    if r.read().decode().strip() == "ok":
                        break
            except OSError:
                pass  # not listening yet
            if time.monotonic() > deadline:
                pytest.fail(f"streamlit not healthy after {STARTUP_TIMEOUT_S}s" + running.tail())
            time.sleep(0.25)
        yield running
    finally:
        _stop(proc)


def _stop(proc: subprocess.Popen) -> None:
    if proc.poll() is not None:
        return
    try:
        os.killpg(proc.pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)


@pytest.fixture
def driver(browser_paths, monkeypatch):
    """Headless Chromium through the local chromedriver (Selenium Manager stays offline)."""
    chromium, chromedriver = browser_paths
    monkeypatch.setenv("SE_OFFLINE", "true")
    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--window-size=1600,1200"):
        options.add_argument(arg)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    drv = webdriver.Chrome(options=options, service=Service(executable_path=chromedriver))
    try:
        yield drv
    finally:
        drv.quit()


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
    control = driver.find_element(By.CSS_SELECTOR, ".leaflet-control-layers").text
    assert "重点工业集聚区（示意）（20）" in control, f"layer control: {control!r}" + app.tail()
    legend = driver.find_element(By.CSS_SELECTOR, ".np-legend").text
    assert "示意" in legend, f"legend: {legend!r}" + app.tail()

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
