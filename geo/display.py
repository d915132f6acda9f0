"""Geometry prepared for the browser: lighter, rounded, and shifted to GCJ-02 only when asked.

Nothing here is used for measurement: areas always come from :mod:`geo.crs` on the stored
geometry. Display copies are simplified *as a coverage* (``shapely.coverage_simplify``), so
neighbouring districts or sub-zones keep their shared edges and no slivers or gaps open.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from collections.abc import Callable, Sequence
from functools import partial
from typing import TypeVar

import geopandas as gpd
import numpy as np
import shapely

from geo.crs import AREA_CRS, STORAGE_CRS
from geo.gcj02 import geometry_wgs84_to_gcj02
from geo.zones.catalog import BELTS

__all__ = ["display_frame", "belt_envelopes", "DISPLAY_PRECISION_DEG"]

T = TypeVar("T")

#: 1e-5 degree is about 1 m in Ningbo: far below what a screen shows at city zoom.
DISPLAY_PRECISION_DEG = 1e-5


def display_frame(
    gdf: gpd.GeoDataFrame,
    *,
    columns: Sequence[str],
    tolerance_m: float = 0.0,
    precision_deg: float = DISPLAY_PRECISION_DEG,
    gcj02: bool = False,
) -> gpd.GeoDataFrame:
    """Return a light copy of a layer for drawing on a web map.

    Parameters
    ----------
    gdf : GeoDataFrame
        A layer in EPSG:4326.
    columns : sequence of str, keyword-only
        Properties to keep (only what tooltips, popups and clicks need is sent).
    tolerance_m : float, keyword-only
        Simplification tolerance in metres, applied to the layer as a coverage; 0 keeps
        every vertex.
    precision_deg : float, keyword-only
        Grid the coordinates are rounded to, in degrees.
    gcj02 : bool, keyword-only
        Shift to GCJ-02 for display over 高德 tiles. Never feed the result to a measurement.

    Returns
    -------
    GeoDataFrame
        EPSG:4326 (or its GCJ-02 shift, flagged in ``attrs["gcj02"]``).
    """
    missing = [c for c in columns if c not in gdf.columns]
    if missing:
        raise ValueError(f"display columns {missing} are not in the layer. Fix: add them first")
    out = gdf[list(columns) + [gdf.geometry.name]].copy()
    if out.crs is not None and not out.crs.equals(STORAGE_CRS):
        out = out.to_crs(STORAGE_CRS)
    geoms = _display_geometry(out.geometry.values, tolerance_m, precision_deg, gcj02)
    out = out.set_geometry(gpd.GeoSeries(geoms, index=out.index, crs=STORAGE_CRS))
    out.attrs["gcj02"] = gcj02
    return out


#: Display copies of the last layers drawn, by content: the same districts, sub-zones and belts
#: are drawn on every rerun of every session, and simplifying or buffering them costs far more
#: than hashing them.
_DRAWN: OrderedDict[tuple, object] = OrderedDict()
_DRAWN_MAX = 32
_DRAWN_LOCK = threading.Lock()


def _digest(geoms: object, *texts: object) -> bytes:
    """Return a fingerprint of geometries (their WKB) and texts."""
    wkb = shapely.to_wkb(np.asarray(geoms, dtype=object), hex=False)
    h = hashlib.blake2b(b"\0".join(b"" if w is None else w for w in wkb.tolist()),
                        digest_size=20)
    h.update(b"\2" + str(len(wkb)).encode("ascii"))
    for text in texts:
        h.update(b"\1" + str(text).encode("utf-8"))
    return h.digest()


def _by_content(key: tuple, compute: Callable[[], T]) -> T:
    """``compute()``, or what it gave for ``key`` before (the caller copies what it changes)."""
    with _DRAWN_LOCK:
        if key in _DRAWN:
            _DRAWN.move_to_end(key)
            return _DRAWN[key]  # type: ignore[return-value]
    value = compute()
    with _DRAWN_LOCK:
        _DRAWN[key] = value
        while len(_DRAWN) > _DRAWN_MAX:
            _DRAWN.popitem(last=False)
    return value


def _display_geometry(geoms: gpd.array.GeometryArray, tolerance_m: float, precision_deg: float,
                      gcj02: bool) -> np.ndarray:
    """Simplified, shifted and rounded copies of ``geoms`` (EPSG:4326), reused by content."""
    key = ("display", _digest(geoms), float(tolerance_m), float(precision_deg), bool(gcj02))
    drawn = _by_content(key, partial(_computed_geometry, geoms, tolerance_m, precision_deg,
                                     gcj02))
    return drawn.copy()


def _computed_geometry(geoms: gpd.array.GeometryArray, tolerance_m: float,
                       precision_deg: float, gcj02: bool) -> np.ndarray:
    out = list(np.asarray(geoms, dtype=object))
    if tolerance_m > 0 and len(geoms):
        projected = gpd.GeoSeries(geoms, crs=STORAGE_CRS).to_crs(AREA_CRS).values
        polygonal = shapely.get_type_id(projected) >= 3
        simplified = projected.copy()
        if polygonal.any():
            simplified[polygonal] = shapely.coverage_simplify(projected[polygonal], tolerance_m)
        out = list(gpd.GeoSeries(simplified, crs=AREA_CRS).to_crs(STORAGE_CRS).values)
    if gcj02:
        out = [geometry_wgs84_to_gcj02(g) for g in out]
    rounded = shapely.set_precision(gpd.array.from_shapely(out), precision_deg)
    return np.asarray(rounded, dtype=object)


def belt_envelopes(zones: gpd.GeoDataFrame, *, buffer_m: float = 2500.0) -> gpd.GeoDataFrame:
    """Schematic outline of the core and the four belts: their zones, buffered and merged.

    The seeds describe the belts in words only (seed 001 lines 331-339); this envelope just
    groups a belt's zones on the map and is marked ``geometry_quality = "schematic"``.

    Parameters
    ----------
    zones : GeoDataFrame
        The zone layer (needs ``belt``).
    buffer_m : float, keyword-only
        Buffer around each zone in metres.

    Returns
    -------
    GeoDataFrame
        Columns ``belt``, ``zone_count``, ``zone_names``, ``geometry_quality``; EPSG:4326.
    """
    key = ("belts", _digest(zones.geometry.values, *zones["belt"], *zones["name"]),
           float(buffer_m), str(zones.crs))
    return _by_content(key, partial(_belt_envelopes, zones, buffer_m)).copy()


def _belt_envelopes(zones: gpd.GeoDataFrame, buffer_m: float) -> gpd.GeoDataFrame:
    projected = zones.to_crs(AREA_CRS)
    rows = []
    for belt in BELTS:
        part = projected[projected["belt"] == belt]
        if part.empty:
            continue
        shape = shapely.union_all(part.geometry.buffer(buffer_m, quad_segs=4).values)
        rows.append({"belt": belt, "zone_count": len(part),
                     "zone_names": "、".join(part["name"]),
                     "geometry_quality": "schematic", "geometry": shape})
    out = gpd.GeoDataFrame(rows, geometry="geometry", crs=AREA_CRS)
    return out.to_crs(STORAGE_CRS)
