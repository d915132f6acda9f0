"""Leaflet served by the app itself: no CDN, because officials work on intranets.

The files come from the ``XStatic-Leaflet`` package installed from PyPI with the other
requirements; :func:`install_assets` copies them into the app's ``static/`` folder (served by
Streamlit with ``server.enableStaticServing``) and :func:`use_offline_assets` points a folium
map at them instead of folium's CDN defaults (jQuery, Bootstrap, Font Awesome… which our maps
do not need).

The one other browser library, the vector-tile plugin protomaps-leaflet (BSD-3-Clause), is
installed from the npm registry at set-up (``scripts/install_js.sh``: ``npm ci`` of the pinned
``package.json``/``package-lock.json`` into ``node_modules/``); :func:`install_assets` copies
its bundle and licence into ``static/vendor/protomaps-leaflet`` when present, and
:func:`plugin_ready` says whether the app can draw vector tiles.
"""

from __future__ import annotations

import functools
import shutil
from pathlib import Path

import folium
from branca.element import Element

from geo.io.atomic import write_atomic

__all__ = ["ASSET_FILES", "STATIC_SUBDIR", "install_assets", "use_offline_assets",
           "external_links", "PLUGIN_VERSION", "PLUGIN_SUBDIR", "PLUGIN_FILE", "plugin_ready",
           "node_modules_dir"]

#: Files copied from XStatic-Leaflet, relative to its data folder.
ASSET_FILES = ("leaflet.js", "leaflet.css", "images/layers.png", "images/layers-2x.png",
               "images/marker-icon.png", "images/marker-icon-2x.png",
               "images/marker-shadow.png")
#: Where, under the app's ``static/`` folder, the files land.
STATIC_SUBDIR = "vendor/leaflet"
#: The vector-tile plugin: npm package version pinned in package.json, where it lands.
PLUGIN_PACKAGE = "protomaps-leaflet"
PLUGIN_VERSION = "5.1.0"
PLUGIN_SUBDIR = "vendor/protomaps-leaflet"
PLUGIN_FILE = "protomaps-leaflet.js"
_PLUGIN_FILES = (("dist/protomaps-leaflet.js", PLUGIN_FILE), ("LICENSE", "LICENSE"))


def node_modules_dir() -> Path:
    """``node_modules/`` of the project (``npm ci`` by scripts/install_js.sh puts it there)."""
    return Path(__file__).resolve().parent.parent / "node_modules"


def _xstatic_dir() -> Path:
    try:
        from xstatic.pkg import leaflet
    except ImportError as err:  # pragma: no cover - requirements always install it
        raise RuntimeError(
            "XStatic-Leaflet is not installed. Fix: pip install -r requirements.txt"
        ) from err
    return Path(leaflet.BASE_DIR)


def install_assets(static_dir: str | Path) -> Path:
    """Copy Leaflet into ``static_dir/vendor/leaflet`` (idempotent; skips identical files).

    Parameters
    ----------
    static_dir : path-like
        The app's ``static/`` folder (beside ``streamlit_app.py``).

    Returns
    -------
    Path
        The folder holding ``leaflet.js``.
    """
    src = _xstatic_dir()
    dest = Path(static_dir) / STATIC_SUBDIR
    for rel in ASSET_FILES:
        _copy_if_changed(src / rel, dest / rel)
    plugin = node_modules_dir() / PLUGIN_PACKAGE
    if (plugin / _PLUGIN_FILES[0][0]).is_file():
        for rel, name in _PLUGIN_FILES:
            _copy_if_changed(plugin / rel, Path(static_dir) / PLUGIN_SUBDIR / name)
    return dest


def plugin_ready(static_dir: str | Path) -> bool:
    """Whether :func:`install_assets` put the vector-tile plugin into ``static_dir``."""
    return (Path(static_dir) / PLUGIN_SUBDIR / PLUGIN_FILE).is_file()


def _copy_if_changed(source: Path, target: Path) -> None:
    if target.exists() and target.stat().st_size == source.stat().st_size:
        return
    write_atomic(target, functools.partial(_copy, source))


def _copy(source: Path, tmp: Path) -> None:
    shutil.copyfile(source, tmp)


def use_offline_assets(m: folium.Map, *, base_url: str) -> folium.Map:
    """Make ``m`` load Leaflet from ``base_url`` (e.g. ``/app/static/vendor/leaflet``) only.

    Parameters
    ----------
    m : folium.Map
    base_url : str, keyword-only
        URL path of the folder :func:`install_assets` filled, as the browser sees it.

    Returns
    -------
    folium.Map
        The same map (modified in place), for chaining.
    """
    base = base_url.rstrip("/")
    m.default_js = [("leaflet", f"{base}/leaflet.js")]
    m.default_css = [("leaflet_css", f"{base}/leaflet.css")]
    return m


def external_links(m: folium.Map) -> list[str]:
    """Every script or stylesheet URL of ``m`` and its children that leaves the app's host.

    Used by tests and by the app's self-check: it must be empty.
    """
    links: list[str] = []

    def walk(el: Element) -> None:
        for _, url in list(getattr(el, "default_js", [])) + list(getattr(el, "default_css", [])):
            links.append(url)
        for child in getattr(el, "_children", {}).values():
            walk(child)

    walk(m)
    return [u for u in links if u.startswith(("http://", "https://", "//"))]
