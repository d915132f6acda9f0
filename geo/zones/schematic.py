"""Schematic geometry: honest placeholders where no official boundary exists.

The plans name places but publish no polygons. We draw an octagon (visibly not a surveyed
outline) at the real location of the named town, street or area, clipped to the land part of
the correct district, and label it ``geometry_quality = "schematic"``. Official boundaries
replace it through :func:`geo.zones.boundaries.import_boundaries`.
"""

from __future__ import annotations

import geopandas as gpd
import shapely
from shapely.geometry import Point
from shapely.geometry.base import BaseGeometry

from geo.crs import AREA_CRS, STORAGE_CRS

__all__ = ["land_part_at", "schematic_octagon", "fit_area", "to_storage"]

#: Schematic shapes stay this far (m) inside the district line, so that rounding to
#: 1e-7° (about 1 cm) can never push a vertex outside.
DISTRICT_INSET_M = 30.0
#: Coordinates of stored schematic geometry are snapped to this grid (degrees).
STORAGE_GRID_DEG = 1e-7


def land_part_at(district: BaseGeometry, point: Point) -> BaseGeometry:
    """Return the polygon of a (multi)polygon district containing ``point``, inset slightly.

    Parameters
    ----------
    district : Polygon or MultiPolygon
        District boundary in :data:`AREA_CRS`.
    point : Point
        Anchor in :data:`AREA_CRS`.

    Raises
    ------
    ValueError
        If no part of the district contains the anchor (wrong district or off the coast).
    """
    parts = getattr(district, "geoms", [district])
    for part in parts:
        if part.contains(point):
            return part.buffer(-DISTRICT_INSET_M)
    raise ValueError(
        f"anchor {point.wkt} lies in no land part of the district. "
        "Fix: move the anchor in data/parks/sources/*.csv onto land inside the district."
    )


def schematic_octagon(center: Point, radius_m: float) -> BaseGeometry:
    """Return a regular octagon of circumradius ``radius_m`` around ``center`` (projected units)."""
    return center.buffer(radius_m, quad_segs=2)


def fit_area(
    center: Point, target_m2: float, *, clip: BaseGeometry, rel_tol: float = 0.002
) -> BaseGeometry:
    """Octagon around ``center``, clipped to ``clip``, whose area matches ``target_m2``.

    The radius is found by bisection; clipping makes area monotonic but not analytic.

    Parameters
    ----------
    center : Point
        Anchor in projected metres.
    target_m2 : float
        Wanted area in m².
    clip : Polygon
        Land the shape must stay inside.
    rel_tol : float, keyword-only
        Accepted relative error of the area.

    Raises
    ------
    ValueError
        If ``clip`` is smaller than ``target_m2``.
    """
    if clip.area < target_m2 * (1 - rel_tol):
        raise ValueError(
            f"the land available ({clip.area / 1e6:.1f} km²) is smaller than the target "
            f"({target_m2 / 1e6:.1f} km²). Fix: move the anchor or check the district."
        )
    lo, hi = 0.0, 1000.0
    while schematic_octagon(center, hi).intersection(clip).area < target_m2:
        hi *= 2
    shape = schematic_octagon(center, hi).intersection(clip)
    for _ in range(80):
        mid = (lo + hi) / 2
        shape = schematic_octagon(center, mid).intersection(clip)
        err = (shape.area - target_m2) / target_m2
        if abs(err) <= rel_tol:
            break
        lo, hi = (mid, hi) if err < 0 else (lo, mid)
    return shape


def to_storage(geoms: list[BaseGeometry]) -> gpd.GeoSeries:
    """Projected geometries → EPSG:4326, snapped to a 1e-7° grid and made valid."""
    series = gpd.GeoSeries(geoms, crs=AREA_CRS).to_crs(STORAGE_CRS)
    snapped = shapely.set_precision(series.values, STORAGE_GRID_DEG)
    return gpd.GeoSeries(shapely.make_valid(snapped), crs=STORAGE_CRS)
