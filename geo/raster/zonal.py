"""Zonal statistics of a user's GeoTIFF over polygons, exact at cell edges (issue 13).

Cells partly covered by a polygon count by their covered fraction (the ``exactextract``
package); nodata cells are masked; the polygons are reprojected into the raster's CRS; the
output rows are aligned with the polygons by an explicit id column, never by position.
"""

from __future__ import annotations

import os
from collections.abc import Hashable, Mapping

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from exactextract import exact_extract
from exactextract.raster import RasterioRasterSource

from geo._errors import DataImportError
from geo.raster.safe import open_user_raster

__all__ = ["NUMERIC_COLUMNS", "zonal_stats"]

#: Columns of a numeric result, after the id column.
NUMERIC_COLUMNS = ("mean", "sum", "min", "max", "count", "valid_share")

#: Private name of the id column handed to exactextract: its GeoJSON features reserve "id"
#: for the feature's index (exactextract 0.3.0 returns the row number for a column "id").
_KEY = "__zonal_id__"

#: exactextract operations of a numeric raster.
_NUMERIC_OPS = ["mean", "sum", "min", "max", "count"]


def _check_polygons(polygons: gpd.GeoDataFrame, id_column: str) -> None:
    if polygons.crs is None:
        raise DataImportError(
            "the polygon layer has no coordinate reference system (CRS)", field="geometry",
            fix="set the CRS the coordinates are in (e.g. EPSG:4326 for longitude/latitude, "
                "EPSG:4549 for CGCS2000 metres) before computing zonal statistics",
            zh=("面图层没有坐标参考系（CRS）",
                "请先为面图层指定其坐标实际所用的坐标系（经纬度用 EPSG:4326，"
                "CGCS2000 米制坐标用 EPSG:4549），再计算分区统计"))
    if id_column not in polygons.columns:
        raise DataImportError(
            f"the polygon layer has no id column {id_column!r}", field=id_column,
            fix="pass id_column= the name of the column that identifies each polygon",
            zh=(f"面图层没有编号字段 {id_column!r}", "请用 id_column= 指定标识每个面的字段名"))
    ids = polygons[id_column]
    if ids.isna().any() or ids.duplicated().any():
        bad = ids[ids.isna() | ids.duplicated(keep=False)].astype(str).unique()[:5]
        raise DataImportError(
            f"the id column {id_column!r} has empty or repeated values ({', '.join(bad)})",
            field=id_column, fix="give every polygon its own, non-empty id",
            zh=(f"编号字段 {id_column!r} 有空值或重复值（{'、'.join(bad)}）",
                "请为每个面指定唯一且非空的编号"))


def _class_name(value: float, legend: Mapping[Hashable, str] | None) -> str:
    if legend is not None and value in legend:
        return legend[value]
    return str(int(value)) if float(value).is_integer() else repr(float(value))


def _categorical(raw: pd.DataFrame, legend: Mapping[Hashable, str] | None) -> pd.DataFrame:
    shares: list[dict[str, float]] = []
    found: set[float] = set()
    for values, fracs in zip(raw["unique"], raw["frac"], strict=True):
        row: dict[str, float] = {}
        for v, f in zip(values, fracs, strict=True):
            found.add(float(v))
            name = _class_name(float(v), legend)
            row[name] = row.get(name, 0.0) + float(f)
        shares.append(row)
    names = list(dict.fromkeys(legend.values())) if legend is not None else []
    names += [n for n in dict.fromkeys(_class_name(v, legend) for v in sorted(found))
              if n not in names]
    table = pd.DataFrame(shares, index=raw.index, columns=names, dtype="float64")
    return table.fillna(0.0)


def zonal_stats(raster_path: str | os.PathLike[str], polygons: gpd.GeoDataFrame, *,
                id_column: str = "id", categorical: bool = False,
                legend: Mapping[Hashable, str] | None = None) -> pd.DataFrame:
    """Statistics of a user's GeoTIFF (band 1) over each polygon, cells weighted by coverage.

    Parameters
    ----------
    raster_path : path-like
        The user's GeoTIFF, opened only through :func:`geo.raster.safe.open_user_raster`.
    polygons : geopandas.GeoDataFrame
        The zones, in any CRS (reprojected into the raster's CRS here).
    id_column : str
        Column identifying each polygon (unique, non-empty); the output is aligned by it.
    categorical : bool
        False: numeric statistics. True: the share of each class value per polygon.
    legend : mapping, optional
        Class value → name (e.g. ``{1: "建成区", 0: "非建成区"}``) naming the share columns
        of a categorical raster; every legend class gets a column (0 where absent). Classes
        without a name are named by their value.

    Returns
    -------
    pandas.DataFrame
        One row per polygon, in the order of ``polygons``, first column ``id_column``.
        Numeric: ``mean``, ``sum``, ``min``, ``max`` (coverage-weighted over valid cells),
        ``count`` (covered valid cells, each by its covered fraction) and ``valid_share``
        (the share of the polygon's area covered by valid cells: count × cell area / polygon
        area, both in the raster's CRS — nodata cells and any part off the raster lower it).
        Categorical: ``count``, ``valid_share`` and one share column per class (shares of the
        covered valid cells, summing to 1). A polygon that covers no valid cell (outside the
        raster, empty geometry, all nodata) gets NaN ``mean``/``sum``/``min``/``max``, ``count`` 0,
        ``valid_share`` 0 and class shares 0; it is not dropped.

    Raises
    ------
    geo.raster.safe.RasterError
        When the raster is refused by :func:`~geo.raster.safe.open_user_raster` (special path,
        not a GeoTIFF, too large, no CRS, not over Ningbo); nothing stays open.
    geo._errors.DataImportError
        When the polygons have no CRS, or the id column is missing, empty or repeated; the
        message names the field and the fix, in English and Chinese.
    """
    _check_polygons(polygons, id_column)
    ids = polygons[id_column]
    with open_user_raster(raster_path) as src:
        zones = gpd.GeoDataFrame({_KEY: np.arange(len(polygons))},
                                 geometry=polygons.geometry.to_numpy(), crs=polygons.crs)
        if zones.crs != src.crs:
            zones = zones.to_crs(src.crs)
        t = src.transform
        cell_area = abs(t.a * t.e - t.b * t.d)
        # in the raster's units (degrees² for a geographic raster: only a ratio is taken);
        # shapely's area, so no warning to silence (process-wide filters are not thread-safe)
        area = shapely.area(zones.geometry.to_numpy())
        zones = zones[zones.geometry.notna() & ~zones.geometry.is_empty]
        ops = _NUMERIC_OPS if not categorical else ["count", "unique", "frac"]
        if len(zones):
            raw = exact_extract(RasterioRasterSource(src, 1), zones, ops, include_cols=[_KEY],
                                output="pandas")
            raw = pd.DataFrame(raw).set_index(_KEY)
        else:
            raw = pd.DataFrame({"count": [], "unique": [], "frac": []},
                               index=pd.Index([], name=_KEY))
    raw = raw.reindex(np.arange(len(polygons)))
    count = raw["count"].astype("float64").fillna(0.0)
    seen = np.clip(np.divide(count.to_numpy() * cell_area, area, out=np.zeros(len(area)),
                             where=area > 0), 0.0, 1.0)
    out = pd.DataFrame({id_column: ids.to_numpy()})
    if categorical:
        raw["unique"] = [v if isinstance(v, (list, np.ndarray)) else [] for v in raw["unique"]]
        raw["frac"] = [v if isinstance(v, (list, np.ndarray)) else [] for v in raw["frac"]]
        shares = _categorical(raw, legend)
        out["count"] = count.to_numpy()
        out["valid_share"] = seen
        for name in shares.columns:
            out[name] = shares[name].to_numpy()
        return out
    empty = (count <= 0).to_numpy()
    for op in ("mean", "sum", "min", "max"):
        values = raw[op].astype("float64").to_numpy()
        out[op] = np.where(empty, np.nan, values)
    out["count"] = count.to_numpy()
    out["valid_share"] = seen
    return out
