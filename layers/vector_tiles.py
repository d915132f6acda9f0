"""The 低效用地 map of a city's parcels as vector tiles: nothing but tiles sent per view.

Above :data:`geo.tiles.TILE_THRESHOLD` flagged parcels, :func:`build_tiled_parcel_map` draws
them from a PMTiles archive (:func:`geo.tiles.build_archive`) served by the app itself
(``/app/static/tiles/…``, HTTP Range requests), with the protomaps-leaflet plugin that
:func:`layers.assets.install_assets` copied into ``/app/static/vendor/protomaps-leaflet``. The
archive holds a style code per parcel (its first reason) and no text, so there is no tooltip:
a click is answered by the server (:func:`geo.tiles.lookup_point`) and the page shows the
record beside the map. District outlines and 分片 stay GeoJSON (a few hundred features).
"""

from __future__ import annotations

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
from folium.elements import JSCSSMixin
from folium.map import Layer
from jinja2 import Template

from geo.labels import MAP_LAYERS, REASONS, TILE_MAP_TEXTS, column_label
from geo.tiles import MAX_ZOOM, SOURCE_LAYER

from .assets import PLUGIN_FILE, PLUGIN_SUBDIR
from .efficiency import REASON_COLOURS, _legend, _swatch, parcel_context
from .map import finish_map
from .text import esc

__all__ = ["REASON_COLOURS", "STYLE_CODES", "style_codes", "plugin_url", "VectorTileLayer",
           "record_table",
           "build_tiled_parcel_map"]

#: Colour of each first reason (the same as the GeoJSON map of layers.efficiency).
#: Style code ``s`` in the archive: 0 = other, 1… = the reasons in this order.
STYLE_CODES = tuple(REASON_COLOURS)
OTHER_COLOUR = "#555555"


def style_codes(parcels: pd.DataFrame) -> np.ndarray:
    """Return each parcel's style code: 1 + index of its first reason (0: other)."""
    first = parcels["reason_codes"].astype(str).str.split(";").str[0]
    index = {code: i + 1 for i, code in enumerate(STYLE_CODES)}
    return first.map(index).fillna(0).astype(np.int64).to_numpy()


def plugin_url(asset_base: str) -> str:
    """URL of the plugin, beside Leaflet's folder ``asset_base`` (``…/vendor/leaflet``)."""
    vendor = asset_base.rstrip("/").rsplit("/", 1)[0]
    return f"{vendor}/{PLUGIN_SUBDIR.rsplit('/', 1)[-1]}/{PLUGIN_FILE}"


class VectorTileLayer(JSCSSMixin, Layer):
    """A PMTiles archive drawn by protomaps-leaflet, one colour per style code, no labels.

    ``url`` is the archive's path on the app's own origin; ``plugin`` the plugin's.
    """

    _template = Template("""
        {% macro script(this, kwargs) %}
        var {{ this.get_name() }} = (function() {
            var colours = {{ this.colours|tojson }};
            var rules = [];
            Object.keys(colours).forEach(function(code) {
                var c = colours[code];
                var match = function(z, f) { return String(f.props.s) === code; };
                rules.push({dataLayer: {{ this.source_layer|tojson }}, filter: match,
                            symbolizer: new protomapsL.PolygonSymbolizer(
                                {fill: c, opacity: 0.6})});
                rules.push({dataLayer: {{ this.source_layer|tojson }}, filter: match,
                            symbolizer: new protomapsL.LineSymbolizer(
                                {color: c, width: 1.5})});
            });
            return protomapsL.leafletLayer({url: {{ this.url|tojson }}, paintRules: rules,
                labelRules: [], maxDataZoom: {{ this.max_zoom|tojson }},
                attribution: "", pane: "overlayPane"});
        })();
        {% if this.show %}{{ this.get_name() }}.addTo({{ this._parent.get_name() }});{% endif %}
        {% endmacro %}
    """)

    def __init__(self, url: str, *, plugin: str, name: str, colours: dict[str, str],
                 max_zoom: int = MAX_ZOOM) -> None:
        super().__init__(name=name, overlay=True, control=True, show=True)
        self._name = "VectorTileLayer"
        self.default_js = [("protomaps_leaflet", plugin)]
        self.default_css = []
        self.url, self.colours, self.max_zoom = url, colours, max_zoom
        self.source_layer = SOURCE_LAYER


def build_tiled_parcel_map(archive_url: str, *, count: int, data_label: str,
                           districts: gpd.GeoDataFrame | None = None,
                           subzones: gpd.GeoDataFrame | None = None,
                           asset_base: str = "/app/static/vendor/leaflet") -> folium.Map:
    """Map ``count`` flagged parcels from the archive at ``archive_url`` (same origin).

    Parameters
    ----------
    archive_url : str
        Path of the PMTiles archive as the browser sees it (``/app/static/tiles/<key>.pmtiles``).
    count : int, keyword-only
        How many parcels it holds (for the layer name).
    data_label : str, keyword-only
        Nature of the data, stated in the legend.
    districts, subzones : GeoDataFrame, keyword-only
        Outlines drawn for orientation (GeoJSON, no text).
    asset_base : str, keyword-only
        URL path of Leaflet (see :mod:`layers.assets`); the plugin is served beside it.

    Returns
    -------
    folium.Map
        Its HTML references only ``asset_base``'s host (see :func:`layers.assets.external_links`).
    """
    m = parcel_context(asset_base, districts, subzones)
    colours = {"0": OTHER_COLOUR} | {str(i + 1): REASON_COLOURS[c]
                                     for i, c in enumerate(STYLE_CODES)}
    VectorTileLayer(archive_url, plugin=plugin_url(asset_base),
                    name=esc(f"{MAP_LAYERS['lowland']}（{count:,}）"), colours=colours).add_to(m)
    rows = [_swatch(c, esc(REASONS[code])) for code, c in REASON_COLOURS.items()]
    _legend(TILE_MAP_TEXTS["legend_title"], rows,
            TILE_MAP_TEXTS["legend_note"].format(data_label=data_label)).add_to(m)
    return finish_map(m, prefix="vt")


def record_table(record: dict[str, object], columns: tuple[str, ...]) -> pd.DataFrame:
    """Return a clicked parcel's ``columns`` as a two-column table (Chinese field, value text).

    Shown with ``st.table`` (plain text, never HTML); missing values read "—".
    """
    rows = [(column_label(c), "—" if _missing(record[c]) else _text(record[c]))
            for c in columns if c in record]
    return pd.DataFrame(rows, columns=[TILE_MAP_TEXTS["field"], TILE_MAP_TEXTS["value"]])


def _missing(value: object) -> bool:
    return value is None or (isinstance(value, float) and not np.isfinite(value))


def _text(value: object) -> str:
    if isinstance(value, float):
        return f"{value:,.2f}"
    return str(value)
