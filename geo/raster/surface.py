"""Parcel figures as raster surfaces on an EPSG:4549 grid, written as Cloud-Optimized GeoTIFF.

:func:`rasterize_parcels` puts a parcel figure (亩均税收, 亩均增加值, class, flag) on a grid of
``resolution_m`` metres in :data:`geo.crs.AREA_CRS` (CGCS2000 / EPSG:4549). The value of a
cell is the area-weighted mean of the parcels covering it: Σ vᵢ·aᵢ / Σ aᵢ, with aᵢ the area of
parcel i inside the cell. Cells covered by no parcel are ``nodata``. The part of a cell that no
parcel covers does not dilute the figure (a 亩均 value is an intensity of the covered land).

Approximation and its error bound: the covered areas aᵢ are measured on a sub-grid of
``supersample`` × ``supersample`` sub-cells per cell (default 10 × 10), each sub-cell counted
for the parcel that holds its centre (``rasterio.features.rasterize``, ``all_touched=False``).
The area of a parcel in a cell is exact when its edges run along sub-cell lines; otherwise each
sub-cell cut by an edge is counted whole or not at all, so the error in aᵢ is at most the area
of the sub-cells its boundary crosses — for a straight edge through the cell at most one row of
sub-cells, i.e. 1/``supersample`` (10 %) of the cell, and usually far less as the over- and
under-counts along an edge cancel. The cell's value then errs by at most that share of
(max vᵢ − min vᵢ) among its covering parcels; a cell covered by one parcel only is exact.
Where parcels overlap, the later row wins the shared sub-cells.

The grid is snapped to multiples of ``resolution_m`` so surfaces of different runs align; it is
computed in row strips so memory stays at a few strips of sub-cells.

:func:`write_cog` writes the array with rasterio's COG driver (DEFLATE, internal overviews)
and the tags ``UNIT``, ``DATA_NATURE`` (示例数据 or the dataset's name) and ``YEAR``, atomically
(temporary file in the same folder, then ``os.replace``).
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import rasterio
from affine import Affine
from rasterio.crs import CRS
from rasterio.features import rasterize

from geo._errors import DataImportError
from geo.crs import AREA_CRS
from geo.io.atomic import write_atomic
from geo.labels import SURFACE_LABELS

__all__ = ["DEFAULT_NODATA", "MAX_GRID_SIDE", "check_grid", "CLASS_CODES", "SURFACE_METRICS",
           "SurfaceMetric", "metric_values", "parcel_surface", "rasterize_parcels",
           "surface_cog_bytes", "surface_tags", "write_cog"]

#: The nodata value of surfaces (cells covered by no parcel).
DEFAULT_NODATA = -9999.0

#: Largest side of a surface grid (cells): 5000 × 5000 float64 is 200 MB, and a city at 100 m
#: is about 1000 × 1200.
MAX_GRID_SIDE = 5000

#: Row strip height (cells) of the sub-grid computation.
_STRIP_ROWS = 64


def _grid(bounds: tuple[float, float, float, float], res: float) -> tuple[Affine, int, int]:
    """Transform, width and height of the grid snapped to ``res`` that covers ``bounds``."""
    left = math.floor(bounds[0] / res) * res
    bottom = math.floor(bounds[1] / res) * res
    right = max(math.ceil(bounds[2] / res) * res, left + res)
    top = max(math.ceil(bounds[3] / res) * res, bottom + res)
    width, height = round((right - left) / res), round((top - bottom) / res)
    return Affine(res, 0.0, left, 0.0, -res, top), width, height


def check_grid(bounds: tuple[float, float, float, float], res: float) -> tuple[int, int]:
    """Return (width, height) of the grid of ``res`` metres over ``bounds`` (EPSG:4549).

    Raises
    ------
    DataImportError
        When a side exceeds :data:`MAX_GRID_SIDE`; the message names the coarsest
        resolution that fits.
    """
    _, width, height = _grid(bounds, float(res))
    if max(width, height) > MAX_GRID_SIDE:
        coarser = math.ceil(max(bounds[2] - bounds[0], bounds[3] - bounds[1]) / MAX_GRID_SIDE)
        raise DataImportError(
            f"at {res:g} m the grid would be {width} × {height} cells, above {MAX_GRID_SIDE} a "
            "side", field="resolution",
            fix=f"use a coarser resolution (at least {coarser} m) or the parcels of a smaller "
                "area",
            zh=(f"按 {res:g} 米，栅格将有 {width:,} × {height:,} 像元，超过每边 {MAX_GRID_SIDE:,} "
                "像元的上限", f"请用更粗的分辨率（至少 {coarser} 米），或只用一个区域的宗地"))
    return width, height


def _prepared(parcels: gpd.GeoDataFrame, column: str) -> tuple[gpd.GeoSeries, np.ndarray]:
    if column not in parcels.columns:
        raise DataImportError(
            f"the parcels have no column {column!r}", field=column,
            fix=f"choose one of: {', '.join(map(str, parcels.columns))}",
            zh=(f"宗地数据中没有字段 {column!r}",
                f"请从以下字段中选择：{'、'.join(map(str, parcels.columns))}"))
    if parcels.crs is None:
        raise DataImportError(
            "the parcels have no CRS", fix="set the CRS the coordinates are in",
            zh=("宗地数据没有坐标参考系（CRS）", "请为宗地数据指定其实际坐标系"))
    values = np.asarray(parcels[column], dtype="float64")
    geoms = parcels.geometry.to_crs(AREA_CRS)
    keep = np.isfinite(values) & ~geoms.isna().to_numpy() & ~geoms.is_empty.to_numpy()
    return geoms[keep], values[keep]


def _fine_index(shapes: list[tuple[object, int]], transform: Affine, rows: tuple[int, int],
                cols: tuple[int, int], ss: int) -> np.ndarray:
    """Shape number (1-based, 0 = none) of each sub-cell of the window rows × cols."""
    (r0, r1), (c0, c1) = rows, cols
    fine = transform @ Affine.translation(c0, r0) @ Affine.scale(1 / ss)
    return rasterize(shapes, out_shape=((r1 - r0) * ss, (c1 - c0) * ss), transform=fine,
                     fill=0, dtype="int32", all_touched=False)


def _strip(shapes: list[tuple[object, int]], values: np.ndarray, transform: Affine,
           rows: tuple[int, int], cols: tuple[int, int], ss: int
           ) -> tuple[np.ndarray, np.ndarray]:
    """Σ v·(sub-cells) and the count of covered sub-cells per cell of the window."""
    index = _fine_index(shapes, transform, rows, cols, ss)
    covered = index > 0
    fine_values = np.where(covered, values[np.maximum(index - 1, 0)], 0.0)
    shape = (rows[1] - rows[0], ss, cols[1] - cols[0], ss)
    return (fine_values.reshape(shape).sum(axis=(1, 3)),
            covered.reshape(shape).sum(axis=(1, 3)))


def _majority(shapes: list[tuple[object, int]], values: np.ndarray, transform: Affine,
              rows: tuple[int, int], cols: tuple[int, int], ss: int) -> np.ndarray:
    """Per cell of the window: the value covering most sub-cells (NaN where none).

    Ties go to the larger value — for classes coded 1 = A … 4 = D, the worse class.
    """
    index = _fine_index(shapes, transform, rows, cols, ss)
    fine_values = np.where(index > 0, values[np.maximum(index - 1, 0)], np.nan)
    shape = (rows[1] - rows[0], ss, cols[1] - cols[0], ss)
    best = np.full(shape[::2], np.nan)
    best_count = np.zeros(shape[::2])
    for v in np.unique(values[np.unique(index[index > 0]) - 1]):
        count = (fine_values == v).reshape(shape).sum(axis=(1, 3))
        take = (count > 0) & (count >= best_count)
        best[take], best_count[take] = v, count[take]
    return best


def _runs(starts: np.ndarray, ends: np.ndarray, gap: int) -> list[tuple[int, int, np.ndarray]]:
    """Merge column intervals [start, end) closer than ``gap`` into runs, with their members."""
    order = np.argsort(starts, kind="stable")
    runs: list[tuple[int, int, list[int]]] = []
    for i in order:
        if runs and starts[i] <= runs[-1][1] + gap:
            c0, c1, members = runs[-1]
            runs[-1] = (c0, max(c1, int(ends[i])), [*members, int(i)])
        else:
            runs.append((int(starts[i]), int(ends[i]), [int(i)]))
    return [(c0, c1, np.asarray(m)) for c0, c1, m in runs]


def _windows(geoms: gpd.GeoSeries, transform: Affine, width: int, height: int
             ) -> list[tuple[tuple[int, int], tuple[int, int], np.ndarray]]:
    """Row strips × column runs that hold parcels, with the parcels of each (by position).

    Only the windows around parcels are computed, so the cost follows the parcels' extent
    rather than the grid's (a city grid is mostly empty).
    """
    b = geoms.bounds.to_numpy()
    res, left, top = transform.a, transform.c, transform.f
    col0 = np.clip(np.floor((b[:, 0] - left) / res), 0, width).astype(int)
    col1 = np.clip(np.ceil((b[:, 2] - left) / res), 0, width).astype(int)
    row0 = np.clip(np.floor((top - b[:, 3]) / res), 0, height).astype(int)
    row1 = np.clip(np.ceil((top - b[:, 1]) / res), 0, height).astype(int)
    col1, row1 = np.maximum(col1, col0 + 1).clip(max=width), np.maximum(row1, row0 + 1).clip(
        max=height)
    out = []
    for r0 in range(0, height, _STRIP_ROWS):
        r1 = min(r0 + _STRIP_ROWS, height)
        sel = np.flatnonzero((row0 < r1) & (row1 > r0))
        if not len(sel):
            continue
        for c0, c1, members in _runs(col0[sel], col1[sel], gap=_STRIP_ROWS // 4):
            out.append(((r0, r1), (c0, c1), np.sort(sel[members])))  # row order: later wins
    return out


def rasterize_parcels(parcels: gpd.GeoDataFrame, column: str, *, resolution_m: float = 100,
                      bounds: tuple[float, float, float, float] | None = None,
                      supersample: int = 10, nodata: float = DEFAULT_NODATA,
                      how: str = "mean") -> tuple[np.ndarray, Affine, CRS]:
    """Rasterize a parcel figure, area-weighted per cell, on an EPSG:4549 grid.

    Parameters
    ----------
    parcels : GeoDataFrame
        Parcels with a CRS and the figure in ``column``; rows whose figure is missing or whose
        geometry is empty are left out.
    column : str
        The figure to rasterize (e.g. ``"tax_per_mu"``).
    resolution_m : float
        Cell size in metres (default 100).
    bounds : (left, bottom, right, top), optional
        Extent in EPSG:4549 (default: the parcels'); snapped outward to ``resolution_m``.
    supersample : int
        Sub-cells per cell side for the coverage fractions (default 10; see the module's
        docstring for the error bound).
    nodata : float
        Value of cells covered by no parcel.
    how : {"mean", "majority"}
        ``mean``: the area-weighted mean (figures, 0/1 flags → the flagged share of the covered
        land). ``majority``: the value covering the largest part of the cell (classes, where
        a mean of codes would mean nothing); ties go to the larger value.

    Returns
    -------
    (numpy.ndarray, affine.Affine, rasterio.crs.CRS)
        The float64 array (rows × columns), its transform and the CRS (EPSG:4549).

    Raises
    ------
    DataImportError
        If the column is missing, the parcels have no CRS, no parcel has a figure, or the
        grid exceeds :data:`MAX_GRID_SIDE` cells a side (:func:`check_grid`).
    """
    if how not in ("mean", "majority"):
        raise DataImportError(
            f"unknown aggregation {how!r}", field="how", fix="use mean or majority",
            zh=(f"未知的聚合方式 {how!r}", "请使用 mean（面积加权平均）或 majority（面积最大者）"))
    geoms, values = _prepared(parcels, column)
    if bounds is None and not len(geoms):
        raise DataImportError(
            f"no parcel has a value in {column!r}", field=column,
            fix="choose a column with figures, or import parcels that have them",
            zh=(f"没有宗地在字段 {column!r} 中有数值",
                "请选择有数值的字段，或导入带有该数值的宗地"))
    extent = bounds or tuple(geoms.total_bounds)
    check_grid(extent, resolution_m)
    transform, width, height = _grid(extent, float(resolution_m))
    out = np.full((height, width), nodata, dtype="float64")
    shapes_all = geoms.to_numpy()
    for rows, cols, members in _windows(geoms, transform, width, height) if len(geoms) else []:
        shapes = [(shapes_all[i], int(i) + 1) for i in members]
        view = out[rows[0]:rows[1], cols[0]:cols[1]]
        if how == "majority":
            best = _majority(shapes, values, transform, rows, cols, supersample)
            hit = ~np.isnan(best)
            view[hit] = best[hit]
            continue
        total, count = _strip(shapes, values, transform, rows, cols, supersample)
        hit = count > 0
        view[hit] = total[hit] / count[hit]
    return out, transform, CRS.from_user_input(AREA_CRS)


#: Class codes of the ``class`` surface (tag ``CLASSES``).
CLASS_CODES = {"A": 1, "B": 2, "C": 3, "D": 4}


@dataclass(frozen=True)
class SurfaceMetric:
    """A parcel figure drawn as a surface.

    Its label, unit, how cells combine parcels, and the class names that decode it.
    """

    key: str
    label: str
    unit: str
    how: str
    classes: dict[float, str] = field(default_factory=dict)


def _metric(key: str, how: str, classes: dict[float, str] | None = None) -> SurfaceMetric:
    label, unit = SURFACE_LABELS[key]
    return SurfaceMetric(key, label, unit, how, classes or {})


#: The surfaces offered (keys are parcel columns of an analysis, or derived from them):
#: figures and the flag area-weighted (the flag's mean is the flagged share of the covered
#: land), the class by majority (a mean of class codes would mean nothing).
SURFACE_METRICS = {
    "tax_per_mu": _metric("tax_per_mu", "mean"),
    "va_per_mu": _metric("va_per_mu", "mean"),
    "class": _metric("class", "majority", {float(v): k for k, v in CLASS_CODES.items()}),
    "low_efficiency": _metric("low_efficiency", "mean"),
}


def surface_tags(spec: SurfaceMetric) -> dict[str, str]:
    """Tags of a surface beside UNIT/DATA_NATURE/YEAR: its title and class coding."""
    tags = {"TITLE": spec.label}
    if spec.classes:
        tags["CLASSES"] = ";".join(f"{int(v)}={n}" for v, n in spec.classes.items())
    return tags


def metric_values(parcels: gpd.GeoDataFrame, metric: str) -> pd.Series:
    """Return the values of ``metric`` per parcel (NaN where a parcel has none).

    ``class``: the worst class of the parcel's enterprises (``enterprise_classes`` "A、D" → 4),
    NaN for a parcel without classed enterprises. ``low_efficiency``: 1.0 / 0.0.

    Raises
    ------
    DataImportError
        For an unknown metric, or a parcel table without the columns it needs.
    """
    if metric not in SURFACE_METRICS:
        raise DataImportError(
            f"unknown surface metric {metric!r}", field="metric",
            fix=f"use one of {', '.join(SURFACE_METRICS)}",
            zh=(f"未知的曲面指标 {metric!r}",
                f"请使用 {'、'.join(f'{k}（{m.label}）' for k, m in SURFACE_METRICS.items())}"))
    source = {"class": "enterprise_classes"}.get(metric, metric)
    if source not in parcels.columns:
        raise DataImportError(
            f"the parcels have no {source!r}", field=source,
            fix="compute the 亩均 analysis first (python -m geo evaluate / the 亩均效益 page)",
            zh=(f"宗地数据中没有 {source!r}", "请先完成亩均效益分析（导入宗地与企业数据）"))
    col = parcels[source]
    if metric == "class":
        def worst(text: object) -> float:
            codes = [CLASS_CODES[c] for c in str(text or "").split("、") if c in CLASS_CODES]
            return float(max(codes)) if codes else float("nan")
        return col.map(worst).astype("float64")
    if metric == "low_efficiency":
        return col.map(lambda v: float(bool(v)) if pd.notna(v) else float("nan")).astype(
            "float64")
    return pd.to_numeric(col, errors="coerce").astype("float64")


def parcel_surface(parcels: gpd.GeoDataFrame, metric: str, *, resolution_m: float = 100,
                   supersample: int = 10) -> tuple[np.ndarray, Affine, CRS, SurfaceMetric]:
    """Rasterize ``metric`` (:data:`SURFACE_METRICS`) of analysed parcels.

    Returns the array, transform, CRS (as :func:`rasterize_parcels`) and the metric's
    description (label, unit, class codes) for the tags and the legend.
    """
    values = metric_values(parcels, metric)  # refuses an unknown metric
    spec = SURFACE_METRICS[metric]
    frame = gpd.GeoDataFrame({"_v": values.to_numpy()}, geometry=parcels.geometry.to_numpy(),
                             crs=parcels.crs)
    array, transform, crs = rasterize_parcels(frame, "_v", resolution_m=resolution_m,
                                              supersample=supersample, how=spec.how)
    return array, transform, crs, spec


def _overview_count(width: int, height: int, block: int) -> int:
    """Overview levels down to one block (at least one for a grid of more than one cell)."""
    side = max(width, height)
    if side <= 1:
        return 0
    return max(1, math.ceil(math.log2(side / block))) if side > block else 1


def write_cog(path: str | os.PathLike[str], array: np.ndarray, transform: Affine, crs: CRS, *,
              unit: str, nature: str, year: int | str, nodata: float = DEFAULT_NODATA,
              dtype: str = "float32", blocksize: int = 256,
              tags: dict[str, str] | None = None) -> Path:
    """Write ``array`` as a Cloud-Optimized GeoTIFF with its unit, data nature and year.

    Parameters
    ----------
    path : path-like
        The ``.tif`` to create or replace (atomically).
    array : numpy.ndarray
        2-D (rows × columns) or 3-D (bands × rows × columns).
    transform : affine.Affine
        Its geotransform.
    crs : rasterio.crs.CRS
        Its CRS.
    unit : str
        Unit of the values (tag ``UNIT``, e.g. "万元/亩").
    nature : str
        "示例数据" or the dataset's name (tag ``DATA_NATURE``).
    year : int or str
        Year of the data (tag ``YEAR``).
    nodata : float
        The nodata value.
    dtype : str
        Data type written (default float32).
    blocksize : int
        Tile size (COG ``BLOCKSIZE``).
    tags : dict, optional
        Further tags (e.g. ``CLASSES`` = "1=A;2=B;3=C;4=D", ``TITLE``).

    Returns
    -------
    Path
        ``path``.
    """
    data = array[np.newaxis] if array.ndim == 2 else array
    count, height, width = data.shape
    profile = {"driver": "COG", "width": width, "height": height, "count": count,
               "dtype": dtype, "crs": crs, "transform": transform, "nodata": nodata,
               "compress": "DEFLATE", "blocksize": blocksize, "overviews": "AUTO",
               "overview_count": _overview_count(width, height, blocksize),
               "overview_resampling": "AVERAGE"}

    def _write(tmp: Path) -> None:
        with rasterio.open(tmp, "w", **profile) as dst:
            dst.write(data.astype(dtype))
            dst.update_tags(**(tags or {}), UNIT=unit, DATA_NATURE=nature, YEAR=str(year))

    return write_atomic(path, _write, suffix=".tif")


def surface_cog_bytes(array: np.ndarray, transform: Affine, crs: CRS, spec: SurfaceMetric, *,
                      nature: str, year: int | str) -> bytes:
    """Return the surface as the bytes of a COG, for a download.

    Written by :func:`write_cog` in a temporary folder, with its unit, nature, year, title and
    class coding in the tags.
    """
    import tempfile

    with tempfile.TemporaryDirectory(prefix="surface-") as tmp:
        path = write_cog(Path(tmp) / "surface.tif", array, transform, crs, unit=spec.unit,
                         nature=nature, year=year, tags=surface_tags(spec))
        return path.read_bytes()
