"""Raster benchmarks (issue 13): zonal statistics and parcel surfaces, ours vs bare libraries.

Run through ``scripts/benchmark.py`` (the raster section is included by default;
``--raster-only`` runs it alone and replaces only its own section of ``BENCHMARKS.md``,
``--skip-raster`` leaves it out, ``--quick`` uses CI sizes).

Cases, each against a bare baseline measured in the same run:

1. :func:`geo.raster.zonal.zonal_stats` of ``n`` rectangular parcels over a ``side × side``
   float32 GeoTIFF (10 m cells, EPSG:4549, centred on 121.55°E 29.87°N, tiled, DEFLATE, 2 %
   scattered nodata cells and one nodata block) vs ``exactextract.exact_extract`` called
   directly on the opened dataset with the parcels already in the raster's CRS. Also the same
   parcels handed over in EPSG:4326 (ours reprojects; the bare side calls ``to_crs`` itself).
2. :func:`geo.raster.surface.rasterize_parcels` (area-weighted, ``supersample`` × ``supersample``
   sub-cells per cell) + :func:`geo.raster.surface.write_cog` vs one plain
   ``rasterio.features.rasterize`` (one value per cell, the parcel holding the cell centre)
   + a plain uncompressed GTiff write, on the same snapped grid.

All inputs are synthetic and seeded (:data:`SEED`), written to a temporary folder removed
afterwards. Peak memory follows ``benchmark.py``: :mod:`tracemalloc` in a separate, untimed
run of each side (Python and numpy allocations; GDAL's and exactextract's C/C++ memory is not
traced), plus the process's peak RSS at the end of the section.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import math
import os
import platform
import statistics
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import rasterio
import shapely
from affine import Affine
from benchmark import Timing, fmt_mb, measure, peak_rss, profile_top, traced_peak
from exactextract import exact_extract
from pyproj import Transformer
from rasterio.features import rasterize
from rasterio.transform import from_origin

from geo.crs import AREA_CRS
from geo.raster.surface import rasterize_parcels, write_cog
from geo.raster.zonal import zonal_stats

#: Seed of every synthetic input of this section.
SEED = 1313
#: The raster is centred on this point (lon, lat), in Ningbo (鄞州/海曙).
NINGBO_POINT = (121.55, 29.87)
#: Cell size of the zonal raster, metres.
CELL_M = 10.0
NODATA = -9999.0
#: Ratio target of the zonal case (issue 13).
ZONAL_TARGET = 1.2
#: Operations of the bare exactextract call.
BARE_OPS = ["mean", "sum", "min", "max", "count"]
#: The extra operation ``zonal_stats`` asks for (covered cells with nodata, for valid_share).
EXTRA_OP = "n_all=count(default_value=0)"
#: Surface cell size, metres.
SURFACE_RES_M = 100.0
#: The measured modules, hashed at import (no version control is consulted).
SOURCE_DIGESTS = {
    f"geo/raster/{name}": hashlib.sha256(
        (Path(__file__).resolve().parent.parent / "geo" / "raster" / name).read_bytes()
    ).hexdigest()[:12]
    for name in ("zonal.py", "surface.py", "safe.py")
}


@dataclass(frozen=True)
class Sizes:
    """Sizes of one run of the section.

    Attributes
    ----------
    label : str
        "full" or "quick".
    raster_side : int
        Width and height of the zonal raster, cells.
    zonal_parcels : int
        Parcels in the zonal case.
    surface_parcels : int
        Parcels in the surface case.
    surface_extent_m : (float, float)
        Width and height of the surface parcels' extent, metres.
    runs : int
        Timed runs per side at most (``--repeat`` caps it).
    extra_runs : int
        Timed runs of the informational rows (supersample=1, six operations).
    """

    label: str
    raster_side: int
    zonal_parcels: int
    surface_parcels: int
    surface_extent_m: tuple[float, float]
    runs: int
    extra_runs: int


FULL = Sizes("full", 4000, 10_000, 100_000, (100_000.0, 80_000.0), runs=3, extra_runs=1)
#: CI sizes: the surface extent shrinks with the parcel count, keeping the parcel density.
QUICK = Sizes("quick", 1000, 1_000, 10_000,
              (100_000.0 / math.sqrt(10), 80_000.0 / math.sqrt(10)), runs=3, extra_runs=3)


@dataclass(frozen=True)
class RasterRow:
    """One line of the raster table.

    Attributes
    ----------
    case, sizes : str
    ours, bare : Timing
    peaks : (int, int) or None
        tracemalloc peak bytes, ours and bare.
    target : float or None
        Largest acceptable ratio, if the case has one.
    baseline : str
        What the bare baseline does, one sentence.
    note : str
    """

    case: str
    sizes: str
    ours: Timing
    bare: Timing
    peaks: tuple[int, int] | None
    target: float | None
    baseline: str
    note: str = ""

    @property
    def ratio(self) -> float:
        """Ours ÷ bare on the medians."""
        return self.ours.median / self.bare.median


def fmt_t(timing: Timing) -> str:
    """``median (min)`` in milliseconds."""
    return f"{timing.median * 1e3:,.1f} ({timing.min * 1e3:,.1f})"


def raster_table(rows: list[RasterRow]) -> str:
    """Rows as a Markdown table."""
    head = ("| case | sizes | ours median (min) ms | bare median (min) ms | ratio | target "
            "| peak memory ours / bare | bare baseline | note |\n"
            "|---|---|---:|---:|---:|---|---|---|---|")
    lines = []
    for r in rows:
        target = ("—" if r.target is None
                  else f"≤ {r.target:g}× {'OK' if r.ratio <= r.target else 'OVER'}")
        peaks = "—" if r.peaks is None else f"{fmt_mb(r.peaks[0])} / {fmt_mb(r.peaks[1])}"
        lines.append(f"| {r.case} | {r.sizes} | {fmt_t(r.ours)} | {fmt_t(r.bare)} "
                     f"| {r.ratio:.2f}× | {target} | {peaks} | {r.baseline} | {r.note} |")
    return "\n".join([head, *lines])


# --------------------------------------------------------------------------- inputs


def ningbo_origin(side: int) -> tuple[float, float]:
    """Top-left corner (EPSG:4549, snapped to :data:`CELL_M`) of a grid centred on Ningbo."""
    to_4549 = Transformer.from_crs(4326, AREA_CRS, always_xy=True)
    x, y = to_4549.transform(*NINGBO_POINT)
    half = side * CELL_M / 2
    return math.floor((x - half) / CELL_M) * CELL_M, math.ceil((y + half) / CELL_M) * CELL_M


def write_test_raster(path: Path, side: int, *, seed: int = SEED) -> tuple[float, ...]:
    """Write the seeded ``side × side`` float32 GeoTIFF; return its bounds (EPSG:4549).

    Values: a gamma field (shape 2, scale 50) rounded to 0.01; 2 % of the cells, drawn at
    random, and one block of a twentieth of the side are nodata (-9999). Tiled 256 × 256,
    DEFLATE, written in strips of 512 rows.
    """
    rng = np.random.default_rng(seed)
    left, top = ningbo_origin(side)
    transform = from_origin(left, top, CELL_M, CELL_M)
    profile = {"driver": "GTiff", "width": side, "height": side, "count": 1,
               "dtype": "float32", "crs": AREA_CRS.to_wkt(), "transform": transform,
               "nodata": NODATA, "tiled": True, "blockxsize": 256, "blockysize": 256,
               "compress": "DEFLATE"}
    block = max(1, side // 20)
    b0 = side // 3
    with rasterio.open(path, "w", **profile) as dst:
        for r0 in range(0, side, 512):
            r1 = min(r0 + 512, side)
            values = np.round(rng.gamma(2.0, 50.0, (r1 - r0, side)), 2).astype("float32")
            values[rng.random(values.shape) < 0.02] = NODATA
            rows = slice(max(b0, r0) - r0, max(min(b0 + block, r1) - r0, 0))
            values[rows, b0:b0 + block] = NODATA
            dst.write(values, 1, window=rasterio.windows.Window(0, r0, side, r1 - r0))
        return tuple(dst.bounds)


def rect_parcels(n: int, bounds: tuple[float, ...], min_m: float, max_m: float, *,
                 seed: int = SEED, value_column: str | None = None) -> gpd.GeoDataFrame:
    """``n`` seeded axis-aligned rectangles, sides ``min_m``–``max_m``, inside ``bounds``.

    Columns ``parcel_id`` ("P0000001"…) and, if ``value_column`` is given, a lognormal figure
    (median 30) under that name; EPSG:4549. Rectangles may overlap.
    """
    rng = np.random.default_rng(seed)
    left, bottom, right, top = bounds
    w, h = rng.uniform(min_m, max_m, n), rng.uniform(min_m, max_m, n)
    x0, y0 = rng.uniform(left, right - w), rng.uniform(bottom, top - h)
    data: dict[str, object] = {"parcel_id": [f"P{i:07d}" for i in range(1, n + 1)]}
    if value_column is not None:
        data[value_column] = rng.lognormal(np.log(30.0), 0.8, n).round(2)
    return gpd.GeoDataFrame(data, geometry=shapely.box(x0, y0, x0 + w, y0 + h), crs=AREA_CRS)


# --------------------------------------------------------------------------- zonal


def bare_zonal(path: Path, parcels: gpd.GeoDataFrame, ops: list[str] | None = None
               ) -> pd.DataFrame:
    """exactextract used plainly: open the file, parcels already in the raster's CRS."""
    with rasterio.open(path) as src:
        return exact_extract(src, parcels, ops or BARE_OPS, include_cols=["parcel_id"],
                             output="pandas")


def bench_zonal(folder: Path, sizes: Sizes, repeat: int, *, memory: bool = True
                ) -> tuple[list[RasterRow], list[str], list[str]]:
    """Case 1: zonal statistics, ours vs bare exactextract, in EPSG:4549 and EPSG:4326.

    Returns
    -------
    (list of RasterRow, list of str, list of str)
        Rows, Markdown bullet lines, and cProfile listings (when over the target).
    """
    side, n = sizes.raster_side, sizes.zonal_parcels
    t0 = time.perf_counter()
    path = folder / f"zonal_{side}.tif"
    bounds = write_test_raster(path, side)
    parcels = rect_parcels(n, bounds, 50.0, 200.0)
    parcels_4326 = parcels.to_crs(4326)
    gen_s = time.perf_counter() - t0
    runs = max(1, min(repeat, sizes.runs))
    size_text = f"{n:,} parcels (50–200 m) × {side:,}² cells (10 m, float32)"

    def ours(_: object = None) -> pd.DataFrame:
        return zonal_stats(path, parcels, id_column="parcel_id")

    def bare(_: object = None) -> pd.DataFrame:
        return bare_zonal(path, parcels)

    def ours_4326(_: object = None) -> pd.DataFrame:
        return zonal_stats(path, parcels_4326, id_column="parcel_id")

    def bare_4326(_: object = None) -> pd.DataFrame:
        return bare_zonal(path, parcels_4326.to_crs(AREA_CRS))

    def bare_same_ops(_: object = None) -> pd.DataFrame:
        return bare_zonal(path, parcels, [*BARE_OPS, EXTRA_OP])

    ours_df, bare_df = ours(), bare()  # warm-up: file cache, PROJ database, lazy imports
    ours_4326()
    ours_t, _ = measure(ours, runs)
    bare_t, _ = measure(bare, runs)
    same_ops_t, _ = measure(bare_same_ops, min(runs, sizes.extra_runs))
    ours4326_t, _ = measure(ours_4326, runs)
    bare4326_t, _ = measure(bare_4326, runs)
    to_crs_t, _ = measure(lambda _: parcels_4326.to_crs(AREA_CRS), runs)
    peaks = (traced_peak(ours), traced_peak(bare)) if memory else None
    peaks_4326 = (traced_peak(ours_4326), traced_peak(bare_4326)) if memory else None

    merged = ours_df.merge(bare_df, on="parcel_id", suffixes=("", "_bare"))
    valid = merged["count"] > 0
    agree = bool(np.allclose(merged.loc[valid, "mean"], merged.loc[valid, "mean_bare"],
                             rtol=1e-9, equal_nan=True))
    no_valid = int((ours_df["count"] == 0).sum())
    baseline = ("`exact_extract(rasterio dataset, parcels in EPSG:4549, [mean, sum, min, max, "
                "count], include_cols=[parcel_id], output=\"pandas\")`, no checks, no "
                "reprojection, no reindexing")
    rows = [
        RasterRow("zonal_stats (parcels in EPSG:4549)", size_text, ours_t, bare_t, peaks,
                  ZONAL_TARGET, baseline,
                  note=f"{runs} runs; means equal to bare: {agree}; {no_valid} parcels with "
                       "no valid cell"),
        RasterRow("zonal_stats (parcels in EPSG:4326)", size_text, ours4326_t, bare4326_t,
                  peaks_4326, None,
                  "`parcels.to_crs(4549)` then the same `exact_extract` call",
                  note=f"reprojection cost shown separately; `to_crs` of the {n:,} parcels "
                       f"alone: {fmt_t(to_crs_t)} ms"),
    ]
    lines = [
        f"- zonal inputs: `{path.name}` {path.stat().st_size / 1024 / 1024:.1f} MB on disk "
        f"(tiled 256², DEFLATE), origin from {NINGBO_POINT[0]}°E {NINGBO_POINT[1]}°N via "
        f"pyproj → EPSG:4549, bounds {tuple(round(b) for b in bounds)}; generated (seed "
        f"{SEED}) in {gen_s:.1f} s",
        f"- bare `exact_extract` with zonal_stats's six operations (the five above + "
        f"`{EXTRA_OP}`, which zonal_stats needs for `valid_share`): {fmt_t(same_ops_t)} ms "
        f"= {same_ops_t.median / bare_t.median:.2f}× the five-operation call; ours ÷ this = "
        f"{ours_t.median / same_ops_t.median:.2f}×",
    ]
    profiles = []
    if ours_t.median / bare_t.median > ZONAL_TARGET:
        profiles.append(f"### zonal_stats, {n:,} parcels (ratio "
                        f"{ours_t.median / bare_t.median:.2f}× > {ZONAL_TARGET}×)\n\n```\n"
                        f"{profile_top(ours, runs=1, limit=30)}```")
    return rows, lines, profiles


# --------------------------------------------------------------------------- surface


def snapped_grid(bounds: tuple[float, ...], res: float) -> tuple[Affine, int, int]:
    """Transform, width and height of the grid of ``res`` snapped outward to multiples of
    ``res`` (the grid ``rasterize_parcels`` uses, so both sides rasterize the same cells)."""
    left, bottom = math.floor(bounds[0] / res) * res, math.floor(bounds[1] / res) * res
    right, top = math.ceil(bounds[2] / res) * res, math.ceil(bounds[3] / res) * res
    return (from_origin(left, top, res, res), round((right - left) / res),
            round((top - bottom) / res))


def bare_surface(parcels: gpd.GeoDataFrame, column: str, path: Path) -> np.ndarray:
    """rasterio used plainly: one ``rasterize`` at 100 m on the same grid, a plain GTiff."""
    transform, width, height = snapped_grid(tuple(parcels.total_bounds), SURFACE_RES_M)
    shapes = zip(parcels.geometry.to_numpy(), parcels[column].to_numpy(), strict=True)
    array = rasterize(shapes, out_shape=(height, width), transform=transform, fill=NODATA,
                      dtype="float32")
    with rasterio.open(path, "w", driver="GTiff", width=width, height=height, count=1,
                       dtype="float32", crs=AREA_CRS.to_wkt(), transform=transform,
                       nodata=NODATA) as dst:
        dst.write(array, 1)
    return array


def bench_surface(folder: Path, sizes: Sizes, repeat: int, *, memory: bool = True
                  ) -> tuple[list[RasterRow], list[str]]:
    """Case 2: parcel surface at 100 m, ours (area-weighted + COG) vs bare rasterize + GTiff.

    Returns
    -------
    (list of RasterRow, list of str)
        Rows and Markdown bullet lines.
    """
    n = sizes.surface_parcels
    width_m, height_m = sizes.surface_extent_m
    cx, cy = Transformer.from_crs(4326, AREA_CRS, always_xy=True).transform(*NINGBO_POINT)
    extent = (cx - width_m / 2, cy - height_m / 2, cx + width_m / 2, cy + height_m / 2)
    parcels = rect_parcels(n, extent, 30.0, 250.0, seed=SEED + 1, value_column="tax_per_mu")
    runs = max(1, min(repeat, sizes.runs))
    steps: dict[str, list[float]] = {"rasterize": [], "write_cog": []}

    def ours_with(supersample: int, record: bool) -> Callable[..., Path]:
        def run(_: object = None) -> Path:
            t0 = time.perf_counter()
            array, transform, crs = rasterize_parcels(parcels, "tax_per_mu",
                                                      resolution_m=SURFACE_RES_M,
                                                      supersample=supersample)
            t1 = time.perf_counter()
            out = write_cog(folder / f"ours_{supersample}.tif", array, transform, crs,
                            unit="万元/亩", nature="基准合成数据", year=2024)
            if record:
                steps["rasterize"].append(t1 - t0)
                steps["write_cog"].append(time.perf_counter() - t1)
            return out
        return run

    def bare(_: object = None) -> np.ndarray:
        return bare_surface(parcels, "tax_per_mu", folder / "bare.tif")

    bare()  # warm-up (imports, GDAL drivers); ours is seconds to minutes a run: not repeated
    ours_t, ours_path = measure(ours_with(10, record=True), runs)
    bare_t, bare_array = measure(bare, runs)
    ss1_t, _ = measure(ours_with(1, record=False), min(runs, sizes.extra_runs))
    peaks = (traced_peak(ours_with(10, record=False)), traced_peak(bare)) if memory else None
    with rasterio.open(ours_path) as src:
        grid = f"{src.width:,} × {src.height:,} cells"
        sub_grid = f"{10 * src.width:,} × {10 * src.height:,}"
        covered = int((src.read(1) != NODATA).sum())
        overviews = len(src.overviews(1))
    bare_covered = int((bare_array != NODATA).sum())
    size_text = (f"{n:,} parcels (30–250 m) over {width_m / 1000:.0f} × {height_m / 1000:.0f} "
                 f"km → {grid} at 100 m")
    split = " / ".join(f"{statistics.median(v) * 1e3:,.0f}" for v in steps.values())
    baseline = ("one `rasterio.features.rasterize` of (geometry, value) at 100 m on the same "
                "grid (cell = the parcel holding its centre, not area-weighted) + a plain "
                "uncompressed GTiff write")
    rows = [
        RasterRow("rasterize_parcels(supersample=10) + write_cog", size_text, ours_t, bare_t,
                  peaks, None, baseline,
                  note=f"{runs} runs; rasterize / write_cog ms {split}; covered cells "
                       f"{covered:,} (bare {bare_covered:,}); COG with {overviews} overview(s)"),
        RasterRow("rasterize_parcels(supersample=1) + write_cog", size_text, ss1_t, bare_t,
                  None, None, "the same bare baseline",
                  note="one sub-cell per cell: no area weighting, shows the supersample cost"),
    ]
    lines = [
        "- supersample: ours measures covered areas on 10 × 10 = 100 sub-cells per cell "
        f"(a {sub_grid} sub-grid of int32 indices, computed in windows of at most 64 cell "
        "rows), so a higher ratio than the bare one-value-per-cell rasterize is expected. "
        f"Measured here, the supersample=10 run takes {ours_t.median / ss1_t.median:.2f}× "
        f"the time of supersample=1, whose own ratio to bare "
        f"({ss1_t.median / bare_t.median:.2f}×) is the cost of the windows, the area "
        "weighting and the COG write without the sub-cells",
    ]
    return rows, lines


# --------------------------------------------------------------------------- section


def machine_lines(sizes: Sizes, repeat: int) -> list[str]:
    """Machine, versions and run settings of the section, as Markdown bullet lines."""
    try:
        ram = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
        ram_text = f"{ram / 1024 ** 3:.1f} GiB"
    except (ValueError, OSError, AttributeError):
        ram_text = "unknown"
    libs = []
    for name in ("rasterio", "exactextract", "numpy", "geopandas", "shapely", "pyproj"):
        try:
            libs.append(f"{name} {metadata.version(name)}")
        except metadata.PackageNotFoundError:
            libs.append(f"{name} (not installed)")
    libs.insert(1, f"GDAL {rasterio.__gdal_version__}")
    return [
        f"- date: {dt.datetime.now().astimezone().isoformat(timespec='seconds')}",
        f"- machine: {platform.platform()}, {os.cpu_count()} CPUs, {ram_text} RAM; python "
        f"{platform.python_version()}",
        f"- libraries: {', '.join(libs)}",
        f"- sizes: {sizes.label} (`--quick` for CI sizes); up to {sizes.runs} timed runs per "
        f"side (`--repeat {repeat}` caps it; {sizes.extra_runs} of the informational "
        "supersample=1 and six-operation runs); one untimed warm-up call of each zonal side "
        f"and of the bare surface first; seed {SEED}",
        "- code measured (sha256, first 12 hex digits, read when this module was imported): "
        + ", ".join(f"`{name}` {digest}" for name, digest in SOURCE_DIGESTS.items()),
    ]


NOTES = """\
Times are wall-clock milliseconds (`time.perf_counter`), median of the runs with the fastest in
brackets; the ratio is ours ÷ bare on the medians, both measured in the same run. Peak memory
is `tracemalloc`'s peak in a separate untimed run of each side: Python and numpy allocations
(the raster windows numpy receives, the feature dicts, the arrays of the surface), not the
C/C++ memory of GDAL (block cache) or exactextract. `zonal_stats` adds to the bare call: the
polygons' checks (CRS, unique ids), the guarded opening (`open_user_raster`: path, size, TIFF
magic, declared grid, CRS and Ningbo-overlap checks), a copy of the zones with a private id
column, reprojection when the CRS differs, a sixth operation for `valid_share` and the
reindexing of the result by id. The surface's ours side writes a COG (DEFLATE, internal
overviews, tags) atomically."""


def raster_section(repeat: int, *, quick: bool = False, memory: bool = True) -> str:
    """The raster section of BENCHMARKS.md (its "## …" title included), as Markdown.

    Parameters
    ----------
    repeat : int
        ``--repeat``: caps the timed runs per side.
    quick : bool, keyword-only
        CI sizes (:data:`QUICK`) instead of :data:`FULL`.
    memory : bool, keyword-only
        Measure tracemalloc peaks (one further untimed run per side).

    Returns
    -------
    str
    """
    sizes = QUICK if quick else FULL
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="bench_raster_") as tmp:
        folder = Path(tmp)
        zonal_rows, zonal_lines, profiles = bench_zonal(folder, sizes, repeat, memory=memory)
        surface_rows, surface_lines = bench_surface(folder, sizes, repeat, memory=memory)
    parts = [
        "## 8. Rasters: zonal statistics and parcel surfaces (issue 13)",
        "",
        "Re-run this section alone (the rest of the file is kept) with "
        "`.venv/bin/python scripts/benchmark.py --raster-only"
        + (" --quick" if quick else "") + "`.",
        "",
        *machine_lines(sizes, repeat),
        "",
        raster_table([*zonal_rows, *surface_rows]),
        "",
        *zonal_lines,
        *surface_lines,
        f"- process peak RSS at the end of the section (`resource.getrusage`, whole run so "
        f"far): {fmt_mb(peak_rss())}; section took {time.perf_counter() - started:.0f} s",
        "",
        NOTES,
    ]
    if profiles:
        parts += ["", *profiles]
    return "\n".join(parts)
