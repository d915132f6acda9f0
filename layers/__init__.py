"""folium builders: GeoDataFrames in, folium objects out (no Streamlit, no rendering here)."""

import geo  # noqa: F401  (first: sets GDAL_SKIP=VRT before any layer imports rasterio)

from .assets import external_links, install_assets, use_offline_assets
from .map import BASEMAPS, available_basemaps, build_map
from .text import esc

__all__ = ["BASEMAPS", "available_basemaps", "build_map", "esc", "external_links",
           "install_assets", "use_offline_assets"]
