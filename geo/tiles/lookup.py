"""Click lookup: which parcel holds a point, read from a spatially sorted GeoParquet.

:func:`write_lookup` sorts the layer along a Hilbert curve and writes GeoParquet 1.1 with a
``bbox`` covering column (``xmin``, ``ymin``, ``xmax``, ``ymax`` per row) in row groups of
:data:`ROW_GROUP_ROWS`; neighbouring parcels share row groups, so each row group's ``bbox``
statistics describe a small area. :func:`lookup_point` keeps only the row groups whose
statistics can hold the point, reads those, filters their rows on ``bbox`` with pyarrow and
tests the remaining geometries exactly.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import numpy as np
import pyarrow.compute as pc
import pyarrow.parquet as pq
import shapely

from geo.crs import STORAGE_CRS
from geo.io.atomic import write_atomic

__all__ = ["LOOKUP_SUFFIX", "ROW_GROUP_ROWS", "ROW_COLUMN", "Hit", "write_lookup",
           "lookup_point"]

LOOKUP_SUFFIX = ".parquet"
#: Rows per row group: small enough that a click reads a few thousand rows at most.
ROW_GROUP_ROWS = 2_000
#: Column holding each feature's row in the layer as given (the archive's ``i``).
ROW_COLUMN = "_row"
_BBOX = ("xmin", "ymin", "xmax", "ymax")


@dataclass(frozen=True)
class Hit:
    """A lookup's answer: the record (None when no parcel holds the point) and what was read."""

    record: dict[str, object] | None
    row_groups_read: int
    row_groups_total: int
    geometry: shapely.Geometry | None = field(default=None, compare=False)


def write_lookup(layer: gpd.GeoDataFrame, path: str | Path, *,
                 row_group_rows: int = ROW_GROUP_ROWS) -> Path:
    """Write ``layer`` (WGS84) sorted along a Hilbert curve, with ``bbox`` covering columns.

    Parameters
    ----------
    layer : GeoDataFrame
        The records a click shows, with their geometry; row ``n`` is stored with
        ``_row = n``.
    path : path-like
        The GeoParquet file (replaced atomically; an existing file is reused as is).
    row_group_rows : int, keyword-only

    Returns
    -------
    Path
    """
    path = Path(path)
    if path.is_file() and path.stat().st_size > 0:
        return path
    frame = layer.to_crs(STORAGE_CRS) if layer.crs is not None else layer.set_crs(STORAGE_CRS)
    frame = frame.assign(**{ROW_COLUMN: np.arange(len(frame), dtype=np.int64)})
    frame = frame.reset_index(drop=True)
    if len(frame):
        order = np.argsort(frame.geometry.hilbert_distance().to_numpy(), kind="stable")
        frame = frame.iloc[order]
    write_atomic(path, lambda tmp: frame.to_parquet(
        tmp, index=False, schema_version="1.1.0", write_covering_bbox=True,
        row_group_size=row_group_rows, compression="zstd"), suffix=LOOKUP_SUFFIX)
    return path


def _bbox_stats(meta: pq.FileMetaData) -> list[tuple[float, float, float, float] | None]:
    """Per row group (min xmin, min ymin, max xmax, max ymax); None where unknown."""
    names = {meta.schema.column(j).path: j for j in range(meta.num_columns)}
    out: list[tuple[float, float, float, float] | None] = []
    for g in range(meta.num_row_groups):
        rg = meta.row_group(g)
        stats = [rg.column(names[f"bbox.{k}"]).statistics for k in _BBOX]
        if any(s is None or not s.has_min_max for s in stats):
            out.append(None)
            continue
        out.append((stats[0].min, stats[1].min, stats[2].max, stats[3].max))
    return out


def lookup_point(path: str | Path, lon: float, lat: float) -> Hit:
    """Find the parcel of the lookup file ``path`` holding (``lon``, ``lat``), WGS84.

    Where parcels overlap, the smallest one wins (it is the one drawn on top to be clicked).

    Parameters
    ----------
    path : path-like
        A file written by :func:`write_lookup`.
    lon, lat : float

    Returns
    -------
    Hit
        The record (all columns but geometry and ``bbox``; ``_row`` included) or None, and
        how many of the file's row groups were read.
    """
    pf = pq.ParquetFile(path)
    groups = [g for g, box in enumerate(_bbox_stats(pf.metadata))
              if box is None or (box[0] <= lon <= box[2] and box[1] <= lat <= box[3])]
    total = pf.metadata.num_row_groups
    if not groups:
        return Hit(None, 0, total)
    table = pf.read_row_groups(groups)
    bbox = table.column("bbox")
    keep = pc.and_(pc.and_(pc.less_equal(pc.struct_field(bbox, "xmin"), lon),
                           pc.greater_equal(pc.struct_field(bbox, "xmax"), lon)),
                   pc.and_(pc.less_equal(pc.struct_field(bbox, "ymin"), lat),
                           pc.greater_equal(pc.struct_field(bbox, "ymax"), lat)))
    near = table.filter(keep)
    if near.num_rows == 0:
        return Hit(None, len(groups), total)
    geoms = shapely.from_wkb(np.asarray(near.column("geometry").to_pylist(), dtype=object))
    inside = np.flatnonzero(shapely.intersects(geoms, shapely.Point(lon, lat)))
    if not len(inside):
        return Hit(None, len(groups), total)
    best = int(inside[np.argmin(shapely.area(geoms[inside]))])
    row = near.drop_columns(["geometry", "bbox"]).slice(best, 1).to_pylist()[0]
    return Hit(row, len(groups), total, geoms[best])


