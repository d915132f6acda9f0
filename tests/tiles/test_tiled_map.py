"""The tiled 低效用地 map and its assets: same origin only, plugin pinned and copied."""

from __future__ import annotations

import json
import re

import folium.elements

from layers.assets import (
    PLUGIN_FILE,
    PLUGIN_SUBDIR,
    PLUGIN_VERSION,
    external_links,
    install_assets,
    node_modules_dir,
    plugin_ready,
)
from layers.vector_tiles import build_tiled_parcel_map, record_table
from tests.support.paths import ROOT

URL = "/app/static/tiles/0123456789abcdef0123456789abcdef.pmtiles"


def _map(catalog_districts=None):
    return build_tiled_parcel_map(URL, count=100_000, data_label="示例数据",
                                  districts=catalog_districts)


def _links(m) -> list[str]:
    """What streamlit-folium loads: default_js/default_css of every JSCSSMixin element."""
    out = []

    def walk(el):
        if isinstance(el, folium.elements.JSCSSMixin):
            out.extend(u for _, u in el.default_js + el.default_css)
        for child in getattr(el, "_children", {}).values():
            walk(child)

    walk(m)
    return out


def test_map_loads_only_same_origin_files():
    m = _map()
    assert external_links(m) == []
    links = _links(m)
    assert f"/app/static/{PLUGIN_SUBDIR}/{PLUGIN_FILE}" in links
    assert all(u.startswith("/app/static/vendor/") for u in links), links
    html = m.get_root().render()
    urls = re.findall(r"""(?:https?:)?//[^\s"'<>)]+""", html)
    assert urls == [], urls
    assert json.dumps(URL) in html


def test_record_table_is_plain_text():
    rec = {"parcel_id": "<b>x</b>", "land_mu": 12.345, "tax_per_mu": float("nan"),
           "reasons": "闲置/停产", "_row": 3}
    table = record_table(rec, ("parcel_id", "land_mu", "tax_per_mu", "reasons"))
    assert table.columns.tolist() == ["项目", "所点宗地"]
    assert table["所点宗地"].tolist() == ["<b>x</b>", "12.35", "—", "闲置/停产"]


def test_plugin_is_pinned_and_copied(tmp_path):
    pkg = json.loads((ROOT / "package.json").read_text(encoding="utf-8"))
    assert pkg["dependencies"]["protomaps-leaflet"] == PLUGIN_VERSION
    lock = json.loads((ROOT / "package-lock.json").read_text(encoding="utf-8"))
    locked = lock["packages"]["node_modules/protomaps-leaflet"]
    assert locked["version"] == PLUGIN_VERSION
    assert locked["license"] == "BSD-3-Clause"
    assert locked["integrity"].startswith("sha512-")  # npm ci checks the download against it
    installed = node_modules_dir() / "protomaps-leaflet" / "package.json"
    assert installed.is_file(), "run scripts/install_js.sh (npm ci) first"
    assert json.loads(installed.read_text(encoding="utf-8"))["version"] == PLUGIN_VERSION
    install_assets(tmp_path)
    assert plugin_ready(tmp_path)
    assert (tmp_path / PLUGIN_SUBDIR / "LICENSE").is_file()
