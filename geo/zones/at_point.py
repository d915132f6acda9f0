"""Which catalogue features lie under one point of the map (a click), topmost first.

Zones, sub-zones and 分园 overlap; a click on the map hits only the topmost drawn shape, so the
app asks this module for *every* feature at the clicked point and lets the official pick one.
Pure: GeoDataFrames and a (lon, lat) in, a table out.
"""

from __future__ import annotations

from collections.abc import Mapping

import geopandas as gpd
import pandas as pd
import shapely

from geo.crs import AREA_CRS, STORAGE_CRS
from geo.gcj02 import gcj02_to_wgs84
from geo.labels import LEVEL_LABELS

__all__ = ["DRAW_ORDER", "POINT_TOLERANCE_M", "features_at"]

#: Levels from the topmost drawn to the lowest (the map's panes follow the same order).
DRAW_ORDER = ("base", "town", "branch", "subzone", "zone")
#: How far from a point feature a click still hits it (metres). A click on a small circle
#: marker reports the marker's own position, rounded for display to about 1 m.
POINT_TOLERANCE_M = 5.0


def features_at(selection: Mapping[str, gpd.GeoDataFrame], lon: float, lat: float, *,
                gcj02: bool = False, tolerance_m: float = 0.0,
                point_tolerance_m: float = POINT_TOLERANCE_M) -> pd.DataFrame:
    """Return every feature of ``selection`` at (``lon``, ``lat``), topmost first.

    Parameters
    ----------
    selection : mapping of level to GeoDataFrame
        The filtered layers drawn on the map (:func:`geo.zones.selection.select`), EPSG:4326.
    lon, lat : float
        The clicked point, in degrees.
    gcj02 : bool, keyword-only
        The point is in GCJ-02 (clicked over 高德 tiles); it is converted back to WGS84.
    tolerance_m : float, keyword-only
        Polygons within this distance count too (0: the point must lie inside or on them).
    point_tolerance_m : float, keyword-only
        Point features (towns, bases) within this distance count.

    Returns
    -------
    DataFrame
        Columns ``level``, ``level_label``, ``id``, ``name``; ordered by :data:`DRAW_ORDER`,
        then smaller shapes first. Empty when nothing is there.
    """
    if gcj02:
        wlon, wlat = gcj02_to_wgs84(lon, lat)
        lon, lat = float(wlon), float(wlat)
    here = gpd.GeoSeries([shapely.Point(lon, lat)], crs=STORAGE_CRS).to_crs(AREA_CRS).iloc[0]
    rows = []
    for rank, level in enumerate(DRAW_ORDER):
        gdf = selection.get(level)
        if gdf is None or not len(gdf):
            continue
        geoms = gdf.geometry.to_crs(AREA_CRS)
        valid = geoms.notna() & ~geoms.is_empty
        points = valid & (geoms.geom_type == "Point")
        dist = geoms.distance(here)
        hit = valid & ((points & (dist <= point_tolerance_m))
                       | (~points & (dist <= tolerance_m)))
        for i in gdf.index[hit]:
            rows.append({"level": level, "level_label": LEVEL_LABELS[level],
                         "id": str(gdf.at[i, "id"]), "name": str(gdf.at[i, "name"]),
                         "_rank": rank, "_area": float(geoms[i].area)})
    out = pd.DataFrame(rows, columns=["level", "level_label", "id", "name", "_rank", "_area"])
    out = out.sort_values(["_rank", "_area"], kind="stable").reset_index(drop=True)
    return out.drop(columns=["_rank", "_area"])
