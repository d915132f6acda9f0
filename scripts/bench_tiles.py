"""Benchmark of the 低效用地 vector-tile map: bytes sent and time to settle, 100,000 parcels.

Builds a PMTiles archive and the click lookup of synthetic parcels
(:func:`geo.tiles.synthetic.synthetic_parcels`), serves them with a minimal Streamlit app that
draws :func:`layers.vector_tiles.build_tiled_parcel_map` through st_folium exactly as the
低效用地 page does (tiles from ``/app/static/tiles/…``, plugin from ``/app/static/vendor/…``),
opens it in headless Chromium and, per view, counts the bytes received (CDP ``Network``
events from Chrome's performance log: every response's ``encodedDataLength`` and every
WebSocket frame) and the time until the tile layer has drawn every visible tile.

    .venv/bin/python scripts/bench_tiles.py [--parcels 100000] [--json out.json]

The browser test ``tests/browser/test_vector_tiles.py`` uses the same helpers.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from geo.tiles import build_archive, layer_key, write_lookup  # noqa: E402
from geo.tiles.synthetic import synthetic_parcels  # noqa: E402
from layers.assets import install_assets, plugin_ready  # noqa: E402
from layers.vector_tiles import style_codes  # noqa: E402

#: 5 MB per view, 3 s to settle (issue 14).
BUDGET_BYTES = 5_000_000
BUDGET_SECONDS = 3.0
RECORD_COLUMNS = ("parcel_id", "land_mu", "status", "tax_per_mu", "reasons")

#: The minimal app: the page's map part, reading its inputs from the environment.
MINI_APP = '''
import os
import streamlit as st
from streamlit_folium import st_folium
from geo.tiles import lookup_point
from layers.vector_tiles import build_tiled_parcel_map, record_table

st.set_page_config(layout="wide")
fmap = build_tiled_parcel_map(os.environ["VT_ARCHIVE_URL"], count=int(os.environ["VT_COUNT"]),
                              data_label="示例数据", asset_base="/app/static/vendor/leaflet")
out = st_folium(fmap, key="vt", height=520, use_container_width=True,
                returned_objects=["last_clicked"])
clicked = (out or {}).get("last_clicked")
if clicked:
    hit = lookup_point(os.environ["VT_LOOKUP"], clicked["lng"], clicked["lat"])
    if hit.record is None:
        st.caption("点击处没有低效宗地。")
    else:
        st.table(record_table(hit.record, %r), hide_index=True)
'''

#: In the map iframe: the tile layer (protomaps-leaflet's GridLayer) once the map exists.
FIND_LAYER_JS = """
if (!window.map || !window.L) { return false; }
var found = null;
window.map.eachLayer(function(l) { if (l.views && l.paintRules) { found = l; } });
window.__vt = found;
return !!found;
"""
#: Set the view and call back with the ms until the tile layer has loaded every tile.
SET_VIEW_JS = """
var done = arguments[arguments.length - 1];
var lat = arguments[0], lon = arguments[1], z = arguments[2];
var layer = window.__vt, t0 = performance.now(), finished = false;
function finish() { if (!finished) { finished = true; done(performance.now() - t0); } }
layer.once('load', finish);
window.map.setView([lat, lon], z, {animate: false});
setTimeout(function() { if (!layer.isLoading()) { finish(); } }, 300);
setTimeout(function() { done(-1); }, 30000);
"""
SETTLED_JS = "return window.__vt ? !window.__vt.isLoading() : false;"
#: Milliseconds since the map's iframe began loading (read once the layer has settled).
IFRAME_MS_JS = "return performance.now();"
IFRAME_CSS = 'iframe[title*="st_folium"], iframe[src*="streamlit_folium"]'


@dataclass
class Prepared:
    app_dir: Path
    script: Path
    archive_url: str
    lookup: Path
    count: int
    tiny_lonlat: tuple[float, float]
    tiny_id: str
    cluster_lonlat: tuple[float, float]
    build_s: float
    archive_bytes: int


def prepare(folder: Path, n: int) -> Prepared:
    """Synthetic parcels → archive (in the mini app's static folder) and lookup file."""
    folder.mkdir(parents=True, exist_ok=True)
    parcels = synthetic_parcels(n)
    app_dir = folder / "app"
    install_assets(app_dir / "static")
    if not plugin_ready(app_dir / "static"):
        raise SystemExit("protomaps-leaflet is not installed: run scripts/install_js.sh")
    codes = style_codes(parcels)
    key = layer_key(parcels, codes)
    t0 = time.perf_counter()
    archive = build_archive(parcels, app_dir / "static" / "tiles", key=key, style=codes)
    build_s = time.perf_counter() - t0
    lookup = write_lookup(parcels[[*RECORD_COLUMNS, "geometry"]], folder / f"{key}.parquet")
    script = app_dir / "vt_app.py"
    script.write_text(MINI_APP % (RECORD_COLUMNS,), encoding="utf-8")
    tiny = parcels.iloc[-1]
    c = parcels.geometry.iloc[n // 3].centroid
    return Prepared(app_dir, script, f"/app/static/tiles/{archive.name}", lookup, n,
                    (tiny.geometry.centroid.x, tiny.geometry.centroid.y), str(tiny.parcel_id),
                    (c.x, c.y), build_s, archive.stat().st_size)


def app_command(prepared: Prepared, port: int) -> tuple[list[str], dict[str, str]]:
    """``streamlit run`` of the mini app on ``port`` (static serving on) and its environment."""
    env = dict(os.environ, VT_ARCHIVE_URL=prepared.archive_url, VT_COUNT=str(prepared.count),
               VT_LOOKUP=str(prepared.lookup), PYTHONPATH=str(ROOT))
    cmd = [sys.executable, "-m", "streamlit", "run", str(prepared.script),
           "--server.port", str(port), "--server.address", "127.0.0.1",
           "--server.headless", "true", "--server.enableStaticServing", "true",
           "--browser.gatherUsageStats", "false"]
    return cmd, env


def chrome_with_network_log(chromium: str, chromedriver: str):
    """Headless Chromium whose performance log carries the CDP Network events."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    from tests.support.browser import CHROME_ARGS

    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for arg in CHROME_ARGS:
        options.add_argument(arg)
    options.set_capability("goog:loggingPrefs", {"performance": "ALL", "browser": "ALL"})
    return webdriver.Chrome(options=options, service=Service(executable_path=chromedriver))


def received(driver) -> dict[str, int]:
    """Bytes received since the last call, by kind, from the performance log."""
    out = {"http": 0, "tiles": 0, "websocket": 0, "requests": 0, "external": 0}
    urls: dict[str, str] = {}
    for entry in driver.get_log("performance"):
        msg = json.loads(entry["message"])["message"]
        method, params = msg.get("method"), msg.get("params", {})
        if method == "Network.requestWillBeSent":
            url = params["request"]["url"]
            urls[params["requestId"]] = url
            out["requests"] += 1
            if not url.startswith(("http://127.0.0.1", "data:", "blob:", "about:")):
                out["external"] += 1
        elif method == "Network.loadingFinished":
            size = int(params.get("encodedDataLength", 0))
            out["http"] += size
            if urls.get(params["requestId"], "").endswith(".pmtiles"):
                out["tiles"] += size
        elif method == "Network.webSocketFrameReceived":
            out["websocket"] += len(params["response"].get("payloadData", ""))
    out["total"] = out["http"] + out["websocket"]
    return out


def enter_map(driver, timeout: float = 60) -> None:
    """Switch into the st_folium iframe once the tile layer exists."""
    from selenium.common.exceptions import NoSuchElementException, NoSuchFrameException
    from selenium.webdriver.common.by import By

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        driver.switch_to.default_content()
        try:
            driver.switch_to.frame(driver.find_element(By.CSS_SELECTOR, IFRAME_CSS))
            if driver.execute_script(FIND_LAYER_JS):
                return
        except (NoSuchElementException, NoSuchFrameException):
            pass
        time.sleep(0.1)
    raise TimeoutError("the vector-tile layer never appeared in the map iframe")


def wait_settled(driver, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if driver.execute_script(SETTLED_JS):
            return
        time.sleep(0.05)
    raise TimeoutError("the vector-tile layer never finished loading")


def measure(driver, url: str, prepared: Prepared) -> list[dict[str, object]]:
    """Open the app and go through the views; per view its bytes and seconds to settle."""
    views: list[dict[str, object]] = []
    driver.get_log("performance")  # start clean
    for name, go in (("city, first visit (cold)", lambda: driver.get(url)),
                     ("city, reload (warm)", driver.refresh)):
        driver.switch_to.default_content()
        t0 = time.perf_counter()
        go()
        enter_map(driver)
        wait_settled(driver)
        seconds = time.perf_counter() - t0
        iframe_s = driver.execute_script(IFRAME_MS_JS) / 1000
        time.sleep(1.0)  # late frames of the view
        views.append({"view": name, "seconds": round(iframe_s, 2),
                      "page_seconds": round(seconds, 2), **received(driver)})
    lon, lat = prepared.cluster_lonlat
    tlon, tlat = prepared.tiny_lonlat
    for name, (la, lo, z) in (("estate z12", (lat, lon, 12)), ("estate z14", (lat, lon, 14)),
                              ("estate z16 (over-zoomed)", (lat, lon, 16)),
                              ("10 m parcel z18", (tlat, tlon, 18))):
        ms = driver.execute_async_script(SET_VIEW_JS, la, lo, z)
        time.sleep(0.5)
        views.append({"view": name, "seconds": round(ms / 1000, 2) if ms >= 0 else None,
                      **received(driver)})
    return views


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--parcels", type=int, default=100_000)
    parser.add_argument("--folder", type=Path, default=ROOT / "out" / "bench_tiles")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    from tests.support import browser

    chromium, chromedriver = browser.find("chromium"), browser.find("chromedriver")
    if not chromium or not chromedriver:
        raise SystemExit("chromium and chromedriver are needed (Debian packages)")
    os.environ["SE_OFFLINE"] = "true"
    prepared = prepare(args.folder, args.parcels)
    print(f"{args.parcels:,} parcels: archive {prepared.archive_bytes / 1e6:.1f} MB, "
          f"built in {prepared.build_s:.1f} s (0 when reused)")
    port = browser.free_port()
    cmd, env = app_command(prepared, port)
    log = args.folder / "streamlit.log"
    proc = browser.start(cmd, log, env)
    driver = None
    try:
        why = browser.wait_for(f"http://127.0.0.1:{port}/_stcore/health", proc, body="ok")
        if why:
            raise SystemExit(f"streamlit did not start: {why}" + browser.tail(log))
        driver = chrome_with_network_log(chromium, chromedriver)
        views = measure(driver, f"http://127.0.0.1:{port}/", prepared)
    finally:
        if driver is not None:
            driver.quit()
        browser.stop(proc)
    for v in views:
        print(f"{v['view']:<24} {v['total'] / 1e6:6.2f} MB (tiles {v['tiles'] / 1e6:5.2f} MB, "
              f"websocket {v['websocket'] / 1e6:5.2f} MB, {v['requests']} requests, "
              f"{v['external']} external)  settled in {v['seconds']} s"
              + (f" (map iframe; whole page {v['page_seconds']} s)" if "page_seconds" in v
                 else ""))
    if args.json:
        args.json.write_text(json.dumps({"prepared": {k: str(v) for k, v in
                                                      asdict(prepared).items()},
                                         "views": views}, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
