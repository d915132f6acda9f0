"""Coordinate reference systems and areas.

Storage CRS is WGS84 geographic (EPSG:4326), the GeoJSON default. Areas and distances are
never computed in degrees: geometries are projected to CGCS2000 / 3-degree Gauss-Krüger
CM 120°E (EPSG:4549), the 3° zone used by Zhejiang's natural-resources surveys.

Why 4549 and not 4550 (CM 123°E)? Ningbo spans 120.87°E–122.28°E, astride the 121.5°E line
that separates the two zones. Measured on the whole city boundary, areas in 4549 differ
from the geodesic (ellipsoidal) area by +0.053 %, in 4550 by +0.055 % — the same to
planning precision — so we follow the provincial convention. ``tests/io/test_crs.py`` keeps
that difference under 0.1 % for every district.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import CRS

__all__ = [
    "STORAGE_CRS",
    "AREA_CRS",
    "M2_PER_MU",
    "NINGBO_BOUNDS",
    "NINGBO_VIEW",
    "within",
    "MU_PER_KM2",
    "to_area_crs",
    "shared_projections",
    "area_km2",
    "area_mu",
]

STORAGE_CRS = CRS.from_epsg(4326)
AREA_CRS = CRS.from_epsg(4549)
#: 1 亩 = 10000/15 m² (666.67 m²).
M2_PER_MU = 10000.0 / 15.0
#: 1 km² = 1500 亩.
MU_PER_KM2 = 1_000_000.0 / M2_PER_MU

#: Generous box around Ningbo, (min lon, min lat, max lon, max lat) in EPSG:4326 degrees:
#: data outside is in the wrong CRS or the wrong place. Maps frame the city with
#: :data:`NINGBO_VIEW` (a tighter box inside this one).
NINGBO_BOUNDS = (120.7, 28.7, 122.5, 30.7)
#: The city's extent for the map's initial view, same axis order as :data:`NINGBO_BOUNDS`.
NINGBO_VIEW = (120.88, 28.85, 122.30, 30.40)


def within(bounds: tuple[float, float, float, float],
           box: tuple[float, float, float, float] = NINGBO_BOUNDS) -> bool:
    """Return whether ``bounds`` (min x, min y, max x, max y) lie inside ``box``.

    Parameters
    ----------
    bounds : tuple of float
        A geometry's bounds in EPSG:4326 (lon, lat order).
    box : tuple of float, optional
        Same order; default :data:`NINGBO_BOUNDS`.
    """
    minx, miny, maxx, maxy = bounds
    return minx >= box[0] and miny >= box[1] and maxx <= box[2] and maxy <= box[3]


def to_area_crs(gdf: gpd.GeoDataFrame | gpd.GeoSeries) -> gpd.GeoDataFrame | gpd.GeoSeries:
    """Project to the CGCS2000 Gauss-Krüger CRS used for measurement.

    Parameters
    ----------
    gdf : GeoDataFrame or GeoSeries
        Data with a defined CRS.

    Returns
    -------
    GeoDataFrame or GeoSeries
        A projected copy in :data:`AREA_CRS`.

    Raises
    ------
    ValueError
        If the input has no CRS: areas of unknown units are refused, not guessed.
    """
    if gdf.crs is None:
        raise ValueError(
            "The geometries have no CRS, so their areas cannot be measured. "
            "Fix: set the CRS the coordinates are in, e.g. gdf.set_crs('EPSG:4326')."
        )
    memo = _PROJECTED.get()
    if memo is None or gdf.crs == AREA_CRS:
        return gdf.to_crs(AREA_CRS)
    series = gdf.geometry if isinstance(gdf, gpd.GeoDataFrame) else gdf
    data = series.to_numpy()
    key = (hashlib.sha256(b"\0".join(w or b"" for w in shapely.to_wkb(data))).hexdigest(),
           len(data), gdf.crs.to_wkt())
    if key not in memo:
        memo[key] = series.to_crs(AREA_CRS).to_numpy()
    projected = gpd.GeoSeries(memo[key].copy(), index=series.index, crs=AREA_CRS,
                              name=series.name)
    if isinstance(gdf, gpd.GeoSeries):
        return projected
    out = gdf.copy()
    out[gdf.geometry.name] = projected
    return out.set_crs(AREA_CRS, allow_override=True)


#: The projections of :func:`shared_projections`' block: (content, CRS) → projected geometry.
_PROJECTED: ContextVar[dict[tuple[str, int, str], np.ndarray] | None] = ContextVar(
    "projected", default=None)


@contextmanager
def shared_projections() -> Iterator[None]:
    """Within the block, :func:`to_area_crs` projects the same geometries only once.

    An import and its analysis project the same parcels to :data:`AREA_CRS` three times (their
    measured area, the overlap check, the units they fall in); within this block the
    geometries are recognised by their content (WKB digest) and CRS and the first projection
    is reused. The memo lives only as long as the block (and its context: another thread or
    session has its own), so nothing is held afterwards.
    """
    token = _PROJECTED.set({})
    try:
        yield
    finally:
        _PROJECTED.reset(token)


def area_km2(gdf: gpd.GeoDataFrame | gpd.GeoSeries) -> pd.Series:
    """Area of each geometry in km², measured in :data:`AREA_CRS`."""
    return to_area_crs(gdf).area / 1_000_000.0


def area_mu(gdf: gpd.GeoDataFrame | gpd.GeoSeries) -> pd.Series:
    """Area of each geometry in 亩 (1 亩 = 10000/15 m²), measured in :data:`AREA_CRS`."""
    return to_area_crs(gdf).area / M2_PER_MU

